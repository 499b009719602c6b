/*
 * A small JSON reader and writer for the C test programs (test-only, C11, no libraries).
 *
 * It reads what the contract vectors and the library's envelopes contain: objects, arrays, strings
 * (with \u escapes, surrogate pairs, UTF-8 checked), numbers (kept as a double and as their original
 * text, so a request is passed on exactly as the vector wrote it), true, false and null. Objects keep
 * their keys in order, and a repeated key replaces the earlier value in place, as serde_json does with
 * preserve_order (the library and tests/vectors.rs), so both runners see the same document.
 */
#ifndef COOKIEPAY_TEST_JSON_H
#define COOKIEPAY_TEST_JSON_H

#include <stdarg.h>
#include <stddef.h>

/* A growable byte buffer, always NUL-terminated (data is NULL until the first append). */
struct jbuf {
    char *data;
    size_t len, cap;
};

void jbuf_add(struct jbuf *b, const char *bytes, size_t n);
void jbuf_adds(struct jbuf *b, const char *s);
void jbuf_printf(struct jbuf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Hands the text over (never NULL: an empty buffer gives a malloc'd ""); b is empty afterwards. */
char *jbuf_take(struct jbuf *b);
void jbuf_free(struct jbuf *b);

enum json_type { JSON_NULL, JSON_BOOL, JSON_NUMBER, JSON_STRING, JSON_ARRAY, JSON_OBJECT };

struct json {
    enum json_type type;
    int boolean;
    double number;
    char *str;      /* JSON_STRING: the decoded UTF-8 (may hold NUL); JSON_NUMBER: its original text */
    size_t len;     /* bytes in str */
    size_t count;   /* elements of an array, members of an object */
    size_t cap;
    struct json **items; /* array elements, object values */
    char **keys;         /* object keys (NUL-terminated; a key with \u0000 is refused) */
};

/* Parses the whole of text[0..len); NULL on error, with a message in *error (malloc'd). */
struct json *json_parse(const char *text, size_t len, char **error);
void json_free(struct json *v);

/* Compact JSON, escaped as serde_json writes it (so messages and checks match tests/vectors.rs). */
void json_write(struct jbuf *out, const struct json *v);
char *json_text(const struct json *v);

/* Building values (the new value is owned by the caller, or by the container it is put into). */
struct json *json_new(enum json_type type);
struct json *json_string(const char *s, size_t len);
struct json *json_bool(int b);
void json_push(struct json *array, struct json *item);
/* Sets key in an object: replaces an existing member's value in place, else appends. */
void json_set(struct json *object, const char *key, struct json *value);
struct json *json_copy(const struct json *v);

/* Reading values: each returns NULL (or 0) when v is NULL or not of the type asked for. */
struct json *json_get(const struct json *object, const char *key);
const char *json_str(const struct json *v); /* the string's text, NULL for other types */
int json_is(const struct json *v, enum json_type type);

/* Value equality for scalars (numbers by value); containers compare element by element. */
int json_equal(const struct json *a, const struct json *b);

/* Length of the well-formed UTF-8 sequence at p (no overlongs, no surrogates), 0 if there is none. */
size_t json_utf8_sequence(const char *p, const char *end);

#endif
