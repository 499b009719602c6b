/* The JSON reader and writer of json.h. */
#define _POSIX_C_SOURCE 200809L
#include "json.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Out of memory in a test program: nothing sensible to do but stop loudly. */
static void *must(void *p) {
    if (!p) {
        fputs("json: out of memory\n", stderr);
        abort();
    }
    return p;
}

/* ---- buffer ---------------------------------------------------------------------------------- */

void jbuf_add(struct jbuf *b, const char *bytes, size_t n) {
    if (b->len + n + 1 > b->cap) {
        size_t cap = b->cap ? b->cap : 64;
        while (cap < b->len + n + 1) cap *= 2;
        b->data = must(realloc(b->data, cap));
        b->cap = cap;
    }
    if (n) memcpy(b->data + b->len, bytes, n);
    b->len += n;
    b->data[b->len] = 0;
}

void jbuf_adds(struct jbuf *b, const char *s) { jbuf_add(b, s, strlen(s)); }

void jbuf_printf(struct jbuf *b, const char *fmt, ...) {
    va_list ap, again;
    va_start(ap, fmt);
    va_copy(again, ap);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (n > 0) {
        char *tmp = must(malloc((size_t)n + 1));
        vsnprintf(tmp, (size_t)n + 1, fmt, again);
        jbuf_add(b, tmp, (size_t)n);
        free(tmp);
    }
    va_end(again);
}

char *jbuf_take(struct jbuf *b) {
    if (!b->data) jbuf_add(b, "", 0);
    char *s = b->data;
    b->data = NULL;
    b->len = b->cap = 0;
    return s;
}

void jbuf_free(struct jbuf *b) {
    free(b->data);
    b->data = NULL;
    b->len = b->cap = 0;
}

/* ---- values ---------------------------------------------------------------------------------- */

struct json *json_new(enum json_type type) {
    struct json *v = must(calloc(1, sizeof *v));
    v->type = type;
    return v;
}

struct json *json_string(const char *s, size_t len) {
    struct json *v = json_new(JSON_STRING);
    v->str = must(malloc(len + 1));
    memcpy(v->str, s, len);
    v->str[len] = 0;
    v->len = len;
    return v;
}

struct json *json_bool(int b) {
    struct json *v = json_new(JSON_BOOL);
    v->boolean = b != 0;
    return v;
}

void json_free(struct json *v) {
    if (!v) return;
    for (size_t i = 0; i < v->count; i++) {
        json_free(v->items[i]);
        if (v->keys) free(v->keys[i]);
    }
    free(v->items);
    free(v->keys);
    free(v->str);
    free(v);
}

static void grow(struct json *c) {
    if (c->count < c->cap) return;
    c->cap = c->cap ? c->cap * 2 : 4;
    c->items = must(realloc(c->items, c->cap * sizeof *c->items));
    if (c->type == JSON_OBJECT) c->keys = must(realloc(c->keys, c->cap * sizeof *c->keys));
}

void json_push(struct json *array, struct json *item) {
    grow(array);
    array->items[array->count++] = item;
}

void json_set(struct json *object, const char *key, struct json *value) {
    for (size_t i = 0; i < object->count; i++) {
        if (strcmp(object->keys[i], key) == 0) {
            json_free(object->items[i]);
            object->items[i] = value;
            return;
        }
    }
    grow(object);
    object->keys[object->count] = must(strdup(key));
    object->items[object->count++] = value;
}

struct json *json_copy(const struct json *v) {
    if (!v) return NULL;
    struct json *c = json_new(v->type);
    c->boolean = v->boolean;
    c->number = v->number;
    if (v->str) {
        c->str = must(malloc(v->len + 1));
        memcpy(c->str, v->str, v->len + 1);
        c->len = v->len;
    }
    for (size_t i = 0; i < v->count; i++) {
        if (v->type == JSON_OBJECT) json_set(c, v->keys[i], json_copy(v->items[i]));
        else json_push(c, json_copy(v->items[i]));
    }
    return c;
}

struct json *json_get(const struct json *object, const char *key) {
    if (!json_is(object, JSON_OBJECT)) return NULL;
    for (size_t i = 0; i < object->count; i++)
        if (strcmp(object->keys[i], key) == 0) return object->items[i];
    return NULL;
}

const char *json_str(const struct json *v) { return json_is(v, JSON_STRING) ? v->str : NULL; }

int json_is(const struct json *v, enum json_type type) { return v && v->type == type; }

int json_equal(const struct json *a, const struct json *b) {
    if (!a || !b || a->type != b->type) return 0;
    switch (a->type) {
    case JSON_NULL: return 1;
    case JSON_BOOL: return a->boolean == b->boolean;
    case JSON_NUMBER: return a->number == b->number;
    case JSON_STRING: return a->len == b->len && memcmp(a->str, b->str, a->len) == 0;
    case JSON_ARRAY:
        if (a->count != b->count) return 0;
        for (size_t i = 0; i < a->count; i++)
            if (!json_equal(a->items[i], b->items[i])) return 0;
        return 1;
    case JSON_OBJECT: /* as maps: same keys, equal values, in any order */
        if (a->count != b->count) return 0;
        for (size_t i = 0; i < a->count; i++)
            if (!json_equal(a->items[i], json_get(b, a->keys[i]))) return 0;
        return 1;
    }
    return 0;
}

/* ---- reader ---------------------------------------------------------------------------------- */

/* serde_json's default recursion limit: deeper documents are refused, not a stack overflow. */
#define MAX_DEPTH 128

struct reader {
    const unsigned char *start, *p, *end;
    char *error;
    int depth;
};

static void *refuse(struct reader *r, const char *what) {
    if (!r->error) {
        struct jbuf b = {0};
        jbuf_printf(&b, "%s at byte %zu", what, (size_t)(r->p - r->start));
        r->error = jbuf_take(&b);
    }
    return NULL;
}

static void skip_space(struct reader *r) {
    while (r->p < r->end && (*r->p == ' ' || *r->p == '\t' || *r->p == '\n' || *r->p == '\r')) r->p++;
}

static int literal(struct reader *r, const char *word) {
    size_t n = strlen(word);
    if ((size_t)(r->end - r->p) < n || memcmp(r->p, word, n) != 0) return 0;
    r->p += n;
    return 1;
}

size_t json_utf8_sequence(const char *at, const char *stop) {
    const unsigned char *p = (const unsigned char *)at, *end = (const unsigned char *)stop;
    unsigned char c = p[0];
    size_t n;
    unsigned char lo = 0x80, hi = 0xBF; /* the range of the second byte */
    if (c < 0x80) return 1;
    if (c >= 0xC2 && c <= 0xDF) n = 2;
    else if (c >= 0xE0 && c <= 0xEF) {
        n = 3;
        if (c == 0xE0) lo = 0xA0;
        if (c == 0xED) hi = 0x9F;
    } else if (c >= 0xF0 && c <= 0xF4) {
        n = 4;
        if (c == 0xF0) lo = 0x90;
        if (c == 0xF4) hi = 0x8F;
    } else return 0;
    if ((size_t)(end - p) < n || p[1] < lo || p[1] > hi) return 0;
    for (size_t i = 2; i < n; i++)
        if ((p[i] & 0xC0) != 0x80) return 0;
    return n;
}

static void put_utf8(struct jbuf *b, uint32_t cp) {
    char out[4];
    size_t n;
    if (cp < 0x80) { out[0] = (char)cp; n = 1; }
    else if (cp < 0x800) { out[0] = (char)(0xC0 | cp >> 6); out[1] = (char)(0x80 | (cp & 0x3F)); n = 2; }
    else if (cp < 0x10000) {
        out[0] = (char)(0xE0 | cp >> 12); out[1] = (char)(0x80 | (cp >> 6 & 0x3F));
        out[2] = (char)(0x80 | (cp & 0x3F)); n = 3;
    } else {
        out[0] = (char)(0xF0 | cp >> 18); out[1] = (char)(0x80 | (cp >> 12 & 0x3F));
        out[2] = (char)(0x80 | (cp >> 6 & 0x3F)); out[3] = (char)(0x80 | (cp & 0x3F)); n = 4;
    }
    jbuf_add(b, out, n);
}

static int hex4(struct reader *r, uint32_t *out) {
    if (r->end - r->p < 4) return 0;
    uint32_t v = 0;
    for (int i = 0; i < 4; i++) {
        unsigned char c = r->p[i];
        int d = c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10
              : c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
        if (d < 0) return 0;
        v = v << 4 | (uint32_t)d;
    }
    r->p += 4;
    *out = v;
    return 1;
}

/* After "\u": one code point, joining a surrogate pair (a lone surrogate is not text). */
static int unicode_escape(struct reader *r, struct jbuf *b) {
    uint32_t cp, low;
    if (!hex4(r, &cp)) return refuse(r, "bad \\u escape"), 0;
    if (cp >= 0xDC00 && cp <= 0xDFFF) return refuse(r, "lone trailing surrogate"), 0;
    if (cp >= 0xD800 && cp <= 0xDBFF) {
        if (!literal(r, "\\u") || !hex4(r, &low) || low < 0xDC00 || low > 0xDFFF)
            return refuse(r, "lone leading surrogate"), 0;
        cp = 0x10000 + ((cp - 0xD800) << 10) + (low - 0xDC00);
    }
    put_utf8(b, cp);
    return 1;
}

static int escape(struct reader *r, struct jbuf *b) {
    if (r->p >= r->end) return refuse(r, "unterminated string"), 0;
    char c = (char)*r->p++;
    const char *from = "\"\\/bfnrt", *to = "\"\\/\b\f\n\r\t";
    const char *at = strchr(from, c);
    if (c == 'u') return unicode_escape(r, b);
    if (!c || !at) return refuse(r, "bad escape"), 0;
    jbuf_add(b, &to[at - from], 1);
    return 1;
}

/* A string after its opening quote, decoded into b. */
static int string_body(struct reader *r, struct jbuf *b) {
    jbuf_add(b, "", 0);
    for (;;) {
        if (r->p >= r->end) return refuse(r, "unterminated string"), 0;
        unsigned char c = *r->p;
        if (c == '"') { r->p++; return 1; }
        if (c == '\\') {
            r->p++;
            if (!escape(r, b)) return 0;
            continue;
        }
        if (c < 0x20) return refuse(r, "control character in a string"), 0;
        size_t n = json_utf8_sequence((const char *)r->p, (const char *)r->end);
        if (!n) return refuse(r, "invalid UTF-8"), 0;
        jbuf_add(b, (const char *)r->p, n);
        r->p += n;
    }
}

static struct json *parse_string(struct reader *r) {
    struct jbuf b = {0};
    r->p++; /* the opening quote */
    if (!string_body(r, &b)) { jbuf_free(&b); return NULL; }
    struct json *v = json_new(JSON_STRING);
    v->len = b.len;
    v->str = jbuf_take(&b);
    return v;
}

static int digits(struct reader *r) {
    const unsigned char *from = r->p;
    while (r->p < r->end && *r->p >= '0' && *r->p <= '9') r->p++;
    return r->p > from;
}

/* RFC 8259's number grammar; the value comes from strtod, the text is kept as written. */
static struct json *parse_number(struct reader *r) {
    const unsigned char *from = r->p;
    if (*r->p == '-') r->p++;
    if (r->p < r->end && *r->p == '0') r->p++;
    else if (!digits(r)) return refuse(r, "bad number");
    if (r->p < r->end && *r->p == '.') {
        r->p++;
        if (!digits(r)) return refuse(r, "bad number");
    }
    if (r->p < r->end && (*r->p == 'e' || *r->p == 'E')) {
        r->p++;
        if (r->p < r->end && (*r->p == '+' || *r->p == '-')) r->p++;
        if (!digits(r)) return refuse(r, "bad number");
    }
    struct json *v = json_new(JSON_NUMBER);
    v->len = (size_t)(r->p - from);
    v->str = must(malloc(v->len + 1));
    memcpy(v->str, from, v->len);
    v->str[v->len] = 0;
    v->number = strtod(v->str, NULL);
    return v;
}

static struct json *parse_value(struct reader *r);

static struct json *parse_array(struct reader *r) {
    struct json *a = json_new(JSON_ARRAY);
    r->p++;
    skip_space(r);
    if (r->p < r->end && *r->p == ']') { r->p++; return a; }
    for (;;) {
        struct json *item = parse_value(r);
        if (!item) { json_free(a); return NULL; }
        json_push(a, item);
        skip_space(r);
        if (r->p < r->end && *r->p == ',') { r->p++; continue; }
        if (r->p < r->end && *r->p == ']') { r->p++; return a; }
        json_free(a);
        return refuse(r, "expected , or ] in an array");
    }
}

/* One "key": value member into o; 0 on error. */
static int parse_member(struct reader *r, struct json *o) {
    skip_space(r);
    if (r->p >= r->end || *r->p != '"') return refuse(r, "expected a key"), 0;
    struct json *key = parse_string(r);
    if (!key) return 0;
    int ok = 0;
    if (strlen(key->str) != key->len) refuse(r, "a key holds \\u0000");
    else {
        skip_space(r);
        if (r->p >= r->end || *r->p != ':') refuse(r, "expected :");
        else {
            r->p++;
            struct json *value = parse_value(r);
            if (value) { json_set(o, key->str, value); ok = 1; }
        }
    }
    json_free(key);
    return ok;
}

static struct json *parse_object(struct reader *r) {
    struct json *o = json_new(JSON_OBJECT);
    r->p++;
    skip_space(r);
    if (r->p < r->end && *r->p == '}') { r->p++; return o; }
    for (;;) {
        if (!parse_member(r, o)) { json_free(o); return NULL; }
        skip_space(r);
        if (r->p < r->end && *r->p == ',') { r->p++; continue; }
        if (r->p < r->end && *r->p == '}') { r->p++; return o; }
        json_free(o);
        return refuse(r, "expected , or } in an object");
    }
}

static struct json *parse_value(struct reader *r) {
    skip_space(r);
    if (r->p >= r->end) return refuse(r, "unexpected end");
    if (++r->depth > MAX_DEPTH) return refuse(r, "nested too deeply");
    struct json *v = NULL;
    unsigned char c = *r->p;
    if (c == '{') v = parse_object(r);
    else if (c == '[') v = parse_array(r);
    else if (c == '"') v = parse_string(r);
    else if (c == '-' || (c >= '0' && c <= '9')) v = parse_number(r);
    else if (literal(r, "true")) v = json_bool(1);
    else if (literal(r, "false")) v = json_bool(0);
    else if (literal(r, "null")) v = json_new(JSON_NULL);
    else refuse(r, "unexpected character");
    r->depth--;
    return v;
}

struct json *json_parse(const char *text, size_t len, char **error) {
    struct reader r = {(const unsigned char *)text, (const unsigned char *)text,
                       (const unsigned char *)text + len, NULL, 0};
    struct json *v = parse_value(&r);
    if (v) {
        skip_space(&r);
        if (r.p != r.end) {
            json_free(v);
            v = refuse(&r, "trailing characters");
        }
    }
    if (error) *error = r.error;
    else free(r.error);
    return v;
}

/* ---- writer ---------------------------------------------------------------------------------- */

static void write_string(struct jbuf *out, const char *s, size_t len) {
    jbuf_add(out, "\"", 1);
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)s[i];
        const char *esc = c == '"' ? "\\\"" : c == '\\' ? "\\\\" : c == '\n' ? "\\n" : c == '\r' ? "\\r"
                        : c == '\t' ? "\\t" : c == '\b' ? "\\b" : c == '\f' ? "\\f" : NULL;
        if (esc) jbuf_adds(out, esc);
        else if (c < 0x20) jbuf_printf(out, "\\u%04x", c);
        else jbuf_add(out, (const char *)&c, 1);
    }
    jbuf_add(out, "\"", 1);
}

void json_write(struct jbuf *out, const struct json *v) {
    if (!v) { jbuf_adds(out, "null"); return; }
    switch (v->type) {
    case JSON_NULL: jbuf_adds(out, "null"); break;
    case JSON_BOOL: jbuf_adds(out, v->boolean ? "true" : "false"); break;
    case JSON_NUMBER: jbuf_add(out, v->str, v->len); break;
    case JSON_STRING: write_string(out, v->str, v->len); break;
    case JSON_ARRAY:
    case JSON_OBJECT:
        jbuf_add(out, v->type == JSON_ARRAY ? "[" : "{", 1);
        for (size_t i = 0; i < v->count; i++) {
            if (i) jbuf_add(out, ",", 1);
            if (v->type == JSON_OBJECT) {
                write_string(out, v->keys[i], strlen(v->keys[i]));
                jbuf_add(out, ":", 1);
            }
            json_write(out, v->items[i]);
        }
        jbuf_add(out, v->type == JSON_ARRAY ? "]" : "}", 1);
        break;
    }
}

char *json_text(const struct json *v) {
    struct jbuf b = {0};
    json_write(&b, v);
    return jbuf_take(&b);
}
