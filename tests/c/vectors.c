/*
 * The contract vectors (every .json file in tests/vectors, format in its README) replayed through
 * the C ABI from C, against a sandbox in replay mode started by scripts/with-sandbox.sh. The rules are those of the
 * reference runner tests/vectors.rs, so a vector fails here exactly when it fails there; `make test-c`
 * runs this under valgrind, so it also checks that every string the library returns can be freed.
 *
 * Usage: vectors [DIR]   (DIR, else $COOKIEPAY_VECTORS_DIR, else tests/vectors)
 * Prints one line per failed vector ("c failed NAME (FILE): first difference | got: envelope"), then
 * a summary; exits 1 when a vector failed, 2 when it could not run at all.
 */
#define _POSIX_C_SOURCE 200809L
#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#include "cookiepay.h"
#include "json.h"

/* How much of a got envelope a failure shows (as tests/vectors.rs: 800 characters). */
#define SHOWN_CHARS 800

/* What a missing key reads as, as serde_json's v["missing"] gives Null. */
static const struct json NULL_VALUE = {.type = JSON_NULL};
static const struct json *or_null(const struct json *v) { return v ? v : &NULL_VALUE; }

/* A malloc'd message, printf-style. */
static char *message(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static char *message(const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    char *s = malloc((size_t)n + 1);
    if (!s) abort();
    va_start(ap, fmt);
    vsnprintf(s, (size_t)n + 1, fmt, ap);
    va_end(ap);
    return s;
}

/* ---- the replay server's control calls (a minimal HTTP/1.1 client) -------------------------- */

struct sandbox {
    const char *url; /* http://127.0.0.1:PORT, also every client's base_url */
    struct sockaddr_in addr;
};

static int sandbox_from_env(struct sandbox *sb) {
    char host[64];
    int port = 0;
    sb->url = getenv("COOKIEPAY_SANDBOX_URL");
    if (!sb->url || sscanf(sb->url, "http://%63[0-9.]:%d", host, &port) != 2 || port <= 0 || port > 65535)
        return 0;
    memset(&sb->addr, 0, sizeof sb->addr);
    sb->addr.sin_family = AF_INET;
    sb->addr.sin_port = htons((unsigned short)port);
    return inet_pton(AF_INET, host, &sb->addr.sin_addr) == 1;
}

static int send_all(int fd, const char *p, size_t n) {
    while (n) {
        ssize_t k = send(fd, p, n, MSG_NOSIGNAL);
        if (k < 0 && errno == EINTR) continue;
        if (k <= 0) return 0;
        p += k;
        n -= (size_t)k;
    }
    return 1;
}

/* The whole answer: we ask for Connection: close, so the server's EOF ends it. */
static int read_all(int fd, struct jbuf *in) {
    char chunk[4096];
    for (;;) {
        ssize_t k = recv(fd, chunk, sizeof chunk, 0);
        if (k < 0 && errno == EINTR) continue;
        if (k < 0) return 0;
        if (k == 0) return 1;
        jbuf_add(in, chunk, (size_t)k);
    }
}

/* One request on a fresh connection; the raw answer in *in, or an error message. */
static char *exchange(const struct sandbox *sb, const char *method, const char *body, struct jbuf *in) {
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    if (fd < 0) return message("socket: %s", strerror(errno));
    /* A control call is instant; a hung sandbox must fail the run, not stall it forever. */
    struct timeval limit = {30, 0};
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &limit, sizeof limit);
    setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &limit, sizeof limit);
    char *error = NULL;
    if (connect(fd, (const struct sockaddr *)&sb->addr, sizeof sb->addr) != 0) {
        error = message("connect to %s: %s", sb->url, strerror(errno));
    } else {
        struct jbuf out = {0};
        size_t len = body ? strlen(body) : 0;
        jbuf_printf(&out, "%s /_sandbox/replay HTTP/1.1\r\nHost: %s\r\nConnection: close\r\n", method,
                    sb->url + strlen("http://"));
        if (body) jbuf_printf(&out, "Content-Type: application/json\r\nContent-Length: %zu\r\n", len);
        jbuf_adds(&out, "\r\n");
        if (body) jbuf_add(&out, body, len);
        if (!send_all(fd, out.data, out.len) || !read_all(fd, in))
            error = message("%s /_sandbox/replay: %s", method, strerror(errno));
        jbuf_free(&out);
    }
    close(fd);
    return error;
}

/* The value of header `name` in the head (a string: the blank line is cut off), or NULL. */
static const char *header(const char *head, const char *name) {
    size_t n = strlen(name);
    for (const char *line = strstr(head, "\r\n"); line && line[2]; line = strstr(line + 2, "\r\n")) {
        if (strncasecmp(line + 2, name, n) == 0 && line[2 + n] == ':') {
            const char *v = line + 3 + n;
            while (*v == ' ') v++;
            return v;
        }
    }
    return NULL;
}

/* Splits an HTTP answer into its status and Content-Length body (kept in place in `in`). */
static char *parse_answer(struct jbuf *in, int *status, const char **body, size_t *body_len) {
    if (!in->data || sscanf(in->data, "HTTP/1.%*d %d", status) != 1) return message("not an HTTP answer");
    char *end = strstr(in->data, "\r\n\r\n");
    if (!end) return message("an HTTP answer without the end of its head");
    *body = end + 4;
    size_t have = in->len - (size_t)(*body - in->data);
    end[2] = 0; /* the head is now a string of its own: header() stops at the blank line */
    const char *te = header(in->data, "Transfer-Encoding");
    const char *cl = header(in->data, "Content-Length");
    if (te) return message("the control answer is not a Content-Length body");
    *body_len = cl ? strtoul(cl, NULL, 10) : have;
    if (*body_len > have) return message("the control answer ended after %zu of %zu bytes", have, *body_len);
    return NULL;
}

/* A control call on /_sandbox/replay: method, optional JSON body; its JSON answer in *answer. */
static char *control(const struct sandbox *sb, const char *method, const struct json *body,
                     struct json **answer) {
    struct jbuf in = {0};
    char *text = body ? json_text(body) : NULL;
    char *error = exchange(sb, method, text, &in);
    free(text);
    int status = 0;
    const char *answer_body = NULL;
    size_t len = 0;
    if (!error) error = parse_answer(&in, &status, &answer_body, &len);
    if (!error && (status < 200 || status > 299))
        error = message("replay control: %d %.*s", status, (int)len, answer_body);
    if (!error) {
        char *why = NULL;
        *answer = json_parse(answer_body, len, &why);
        if (!*answer) error = message("replay control answer is not JSON (%s)", why);
        free(why);
    }
    jbuf_free(&in);
    return error;
}

/* ---- matching (tests/vectors.rs `subset`) ---------------------------------------------------- */

/* Is o exactly {"<key>": true}, one of the matcher's two special values? */
static int special(const struct json *o, const char *key) {
    return json_is(o, JSON_OBJECT) && o->count == 1 && strcmp(o->keys[0], key) == 0 &&
           json_is(o->items[0], JSON_BOOL) && o->items[0]->boolean;
}

/* The message "<at>: <what><v><more><v2>", the values (when given) written as JSON. */
static char *differ(const struct jbuf *at, const char *what, const struct json *v, const char *more,
                    const struct json *v2) {
    struct jbuf b = {0};
    jbuf_printf(&b, "%s: %s", at->data, what);
    if (v) json_write(&b, v);
    if (more) jbuf_adds(&b, more);
    if (v2) json_write(&b, v2);
    return jbuf_take(&b);
}

/* NULL when `expected` ⊆ `actual` (NULL = absent) as the README defines it, else the first
 * difference. `at` is the path so far; it is extended for each level and restored after. */
static char *subset(const struct json *expected, const struct json *actual, struct jbuf *at) {
    if (special(expected, "$absent")) return actual ? differ(at, "expected no value, got ", actual, NULL, NULL) : NULL;
    if (special(expected, "$any")) return actual ? NULL : differ(at, "missing", NULL, NULL, NULL);
    if (!actual) return differ(at, "missing (expected ", expected, ")", NULL);
    size_t mark = at->len;
    char *diff = NULL;
    if (json_is(expected, JSON_OBJECT) && json_is(actual, JSON_OBJECT)) {
        for (size_t i = 0; i < expected->count && !diff; i++) {
            jbuf_printf(at, ".%s", expected->keys[i]);
            diff = subset(expected->items[i], json_get(actual, expected->keys[i]), at);
            at->len = mark;
            at->data[mark] = 0;
        }
    } else if (json_is(expected, JSON_ARRAY) && json_is(actual, JSON_ARRAY)) {
        if (expected->count != actual->count) {
            char what[64];
            snprintf(what, sizeof what, "expected %zu elements, got %zu: ", expected->count, actual->count);
            return differ(at, what, actual, NULL, NULL);
        }
        for (size_t i = 0; i < expected->count && !diff; i++) {
            jbuf_printf(at, "[%zu]", i);
            diff = subset(expected->items[i], actual->items[i], at);
            at->len = mark;
            at->data[mark] = 0;
        }
    } else if (!json_equal(expected, actual)) { /* scalars; numbers compare by value */
        diff = differ(at, "expected ", expected, ", got ", actual);
    }
    return diff;
}

static char *subset_at(const struct json *expected, const struct json *actual, const char *at) {
    struct jbuf path = {0};
    jbuf_adds(&path, at);
    char *diff = subset(expected, actual, &path);
    jbuf_free(&path);
    return diff;
}

/* ---- the recorded requests, in the shape `sent` matches -------------------------------------- */

static int hex_digit(char c) {
    return c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
}

/* application/x-www-form-urlencoded decoding of s[0..n): '+' is a space, %XX a byte (a malformed
 * escape stays as written), and bytes that are not UTF-8 become U+FFFD, as Rust's form_urlencoded. */
static char *form_decode(const char *s, size_t n) {
    struct jbuf bytes = {0}, text = {0};
    jbuf_add(&bytes, "", 0);
    for (size_t i = 0; i < n; i++) {
        char c = s[i] == '+' ? ' ' : s[i];
        if (s[i] == '%' && i + 2 < n && hex_digit(s[i + 1]) >= 0 && hex_digit(s[i + 2]) >= 0) {
            c = (char)(hex_digit(s[i + 1]) * 16 + hex_digit(s[i + 2]));
            i += 2;
        }
        jbuf_add(&bytes, &c, 1);
    }
    jbuf_add(&text, "", 0);
    for (size_t i = 0; i < bytes.len;) {
        size_t k = json_utf8_sequence(bytes.data + i, bytes.data + bytes.len);
        if (k) jbuf_add(&text, bytes.data + i, k);
        else jbuf_adds(&text, "\xEF\xBF\xBD");
        i += k ? k : 1;
    }
    jbuf_free(&bytes);
    return jbuf_take(&text);
}

/* A urlencoded body as an object of strings (a repeated name keeps its last value). */
static struct json *parse_form(const char *body, size_t len) {
    struct json *form = json_new(JSON_OBJECT);
    for (size_t start = 0; start < len;) {
        const char *amp = memchr(body + start, '&', len - start);
        size_t end = amp ? (size_t)(amp - body) : len;
        if (end > start) {
            const char *eq = memchr(body + start, '=', end - start);
            size_t name_end = eq ? (size_t)(eq - body) : end;
            char *name = form_decode(body + start, name_end - start);
            char *value = eq ? form_decode(eq + 1, end - name_end - 1) : form_decode("", 0);
            json_set(form, name, json_string(value, strlen(value)));
            free(name);
            free(value);
        }
        start = end + 1;
    }
    return form;
}

/* tests/vectors.rs `as_sent`: the record plus "json" (when the body is JSON) and "form". */
static struct json *as_sent(const struct json *recorded) {
    struct json *r = json_copy(recorded);
    const struct json *body = json_get(recorded, "body");
    const char *text = json_is(body, JSON_STRING) ? body->str : "";
    size_t len = json_is(body, JSON_STRING) ? body->len : 0;
    if (!json_is(r, JSON_OBJECT)) return r;
    struct json *parsed = json_parse(text, len, NULL);
    if (parsed) json_set(r, "json", parsed);
    json_set(r, "form", parse_form(text, len));
    return r;
}

/* ---- calling the C ABI ----------------------------------------------------------------------- */

typedef char *(*operation_fn)(struct cookiepay_client *, const char *);

static const struct {
    const char *name;
    operation_fn fn;
} OPERATIONS[] = {
    {"token", cookiepay_token},
    {"ready", cookiepay_ready},
    {"decrypt", cookiepay_decrypt},
    {"paycert", cookiepay_paycert},
    {"verify", cookiepay_verify},
    {"billkeygen", cookiepay_billkeygen},
    {"recurring_charge", cookiepay_recurring_charge},
    {"schedule_cancel", cookiepay_schedule_cancel},
    {"billkey_delete", cookiepay_billkey_delete},
    {"cancel", cookiepay_cancel},
    {"paysearch", cookiepay_paysearch},
    {"receipt_url", cookiepay_receipt_url},
    {"request", cookiepay_request},
    {"confirm_noti", cookiepay_confirm_noti},
};

static operation_fn operation(const char *name) {
    for (size_t i = 0; name && i < sizeof OPERATIONS / sizeof OPERATIONS[0]; i++)
        if (strcmp(OPERATIONS[i].name, name) == 0) return OPERATIONS[i].fn;
    return NULL;
}

/* Every envelope's text, as the library returned it and as re-written (tests/vectors.rs checks the
 * re-written one; the raw one is what a C caller holds, so a secret must be in neither). */
struct seen {
    struct jbuf raw, written;
};

/* Takes a string the library returned: remembers its text, frees it, gives the parsed envelope. */
static struct json *envelope(char *s, struct seen *seen, char **problem) {
    if (!s) {
        *problem = message("the C ABI returned NULL");
        return NULL;
    }
    jbuf_adds(&seen->raw, s);
    jbuf_adds(&seen->raw, "\n");
    char *why = NULL;
    struct json *v = json_parse(s, strlen(s), &why);
    if (!v) *problem = message("the envelope is not JSON (%s): %s", why, s);
    free(why);
    cookiepay_string_free(s);
    return v;
}

/* cookiepay_client_new: the client, or NULL with its error envelope in *refused (or a *problem). */
static struct cookiepay_client *new_client(const char *config, struct seen *seen, struct json **refused,
                                           char **problem) {
    char *error = NULL;
    struct cookiepay_client *client = cookiepay_client_new(config, &error);
    if (client && error) {
        *problem = message("cookiepay_client_new gave a client and an error at once: %s", error);
        cookiepay_string_free(error);
        cookiepay_client_free(client);
        return NULL;
    }
    if (!client) *refused = envelope(error, seen, problem);
    return client;
}

/* The envelope one step produced, or NULL with a *problem. */
static struct json *perform(const struct json *step, const char *config, struct cookiepay_client *client,
                            struct seen *seen, char **problem) {
    const char *call = json_str(json_get(step, "call"));
    const struct json *request = json_get(step, "request");
    /* parse_return and parse_noti take request.body, the raw body ("" when there is none). */
    const struct json *body_value = json_get(request, "body");
    const char *body = json_is(body_value, JSON_STRING) ? body_value->str : "";
    size_t body_len = json_is(body_value, JSON_STRING) ? body_value->len : 0;
    if (call && strcmp(call, "parse_return") == 0)
        return envelope(cookiepay_parse_return_len(body, body_len), seen, problem);
    if (call && strcmp(call, "parse_noti") == 0) {
        /* A C string cannot carry a NUL byte (tests/vectors.rs's CString::new refuses it too). */
        if (strlen(body) != body_len) {
            *problem = message("a parse_noti body with a NUL byte cannot be passed as a C string");
            return NULL;
        }
        return envelope(cookiepay_parse_noti(body), seen, problem);
    }
    if (call && strcmp(call, "new_client") == 0) {
        struct json *refused = NULL;
        struct cookiepay_client *made = new_client(config, seen, &refused, problem);
        if (!made) return refused;
        cookiepay_client_free(made);
        struct json *ok = json_new(JSON_OBJECT); /* what tests/vectors.rs records: {"ok":true,"data":{}} */
        json_set(ok, "ok", json_bool(1));
        json_set(ok, "data", json_new(JSON_OBJECT));
        return ok;
    }
    operation_fn fn = operation(call);
    if (!fn) {
        *problem = message("unknown call %s", call ? call : "(none)");
        return NULL;
    }
    char *request_text = json_text(request);
    struct json *got = envelope(fn(client, request_text), seen, problem);
    free(request_text);
    return got;
}

/* ---- one vector ------------------------------------------------------------------------------ */

/* The vector's config plus base_url (the replay server) and "shared": false (a cold TOKEN cache and
 * a pool of its own per vector), as JSON text. */
static char *client_config(const struct json *v, const struct sandbox *sb) {
    const struct json *given = json_get(v, "config");
    struct json *config = json_is(given, JSON_OBJECT) ? json_copy(given) : json_new(JSON_OBJECT);
    json_set(config, "base_url", json_string(sb->url, strlen(sb->url)));
    json_set(config, "shared", json_bool(0));
    char *text = json_text(config);
    json_free(config);
    return text;
}

static int needs_client(const struct json *steps) {
    for (size_t i = 0; i < steps->count; i++)
        if (operation(json_str(json_get(steps->items[i], "call")))) return 1;
    return 0;
}

/* "<diff> | got: <the envelope, cut at SHOWN_CHARS characters>"; takes diff. */
static char *with_got(char *diff, const struct json *got) {
    char *text = json_text(got);
    const char *p = text, *end = text + strlen(text);
    for (int chars = 0; p < end && chars < SHOWN_CHARS; chars++) {
        size_t k = json_utf8_sequence(p, end);
        p += k ? k : 1;
    }
    char *out = message("%s | got: %.*s%s", diff, (int)(p - text), text, p < end ? "..." : "");
    free(text);
    free(diff);
    return out;
}

/* Runs the steps on one client (made first when an operation needs it); NULL when every step's
 * envelope matches its expect, else the first difference. */
static char *run_steps(const struct json *v, const struct sandbox *sb, struct seen *seen) {
    const struct json *steps = json_get(v, "steps");
    if (!json_is(steps, JSON_ARRAY) || steps->count == 0) return message("steps must be a non-empty array");
    char *config = client_config(v, sb);
    char *problem = NULL;
    struct cookiepay_client *client = NULL;
    if (needs_client(steps)) {
        struct json *refused = NULL;
        client = new_client(config, seen, &refused, &problem);
        if (refused) {
            char *text = json_text(refused);
            problem = message("the config was refused: %s", text);
            free(text);
            json_free(refused);
        }
    }
    for (size_t i = 0; i < steps->count && !problem; i++) {
        const struct json *step = steps->items[i];
        const char *call = json_str(json_get(step, "call"));
        struct json *got = perform(step, config, client, seen, &problem);
        if (!got) break;
        char at[96];
        snprintf(at, sizeof at, "steps[%zu] (%s)", i, call ? call : "?");
        problem = subset_at(or_null(json_get(step, "expect")), got, at);
        if (problem) problem = with_got(problem, got);
        json_write(&seen->written, got);
        json_free(got);
    }
    cookiepay_client_free(client);
    free(config);
    return problem;
}

/* After the steps: the record against `sent` and `remaining`, when the vector states them. */
static char *check_sent(const struct json *v, const struct json *record) {
    const struct json *sent = json_get(v, "sent");
    if (!sent) return NULL;
    const struct json *requests = json_get(record, "requests");
    if (!json_is(requests, JSON_ARRAY)) return message("the replay record has no requests array");
    struct json *got = json_new(JSON_ARRAY);
    for (size_t i = 0; i < requests->count; i++) json_push(got, as_sent(requests->items[i]));
    char *diff = subset_at(sent, got, "sent");
    json_free(got);
    const struct json *remaining = json_get(record, "remaining");
    if (!diff && !(json_is(remaining, JSON_NUMBER) && remaining->number == 0)) {
        char *n = json_text(remaining);
        diff = message("%s scripted answers were never asked for", n);
        free(n);
    }
    return diff;
}

/* No secret in any envelope: neither in the text the library returned nor as re-written. */
static char *check_secrets(const struct json *v, const struct seen *seen) {
    const struct json *secrets = json_get(v, "secrets");
    for (size_t i = 0; json_is(secrets, JSON_ARRAY) && i < secrets->count; i++) {
        const char *s = json_str(secrets->items[i]);
        if (!s) return message("secrets[%zu] is not a string", i);
        int in_written = seen->written.data && strstr(seen->written.data, s);
        int in_raw = seen->raw.data && strstr(seen->raw.data, s);
        if (in_written || in_raw) {
            char *quoted = json_text(secrets->items[i]);
            char *m = message("the secret %s appears in a result%s", quoted, in_written ? "" : " (as returned)");
            free(quoted);
            return m;
        }
    }
    return NULL;
}

/* Arm the vector's script, run its steps, then compare the record and check the secrets. */
static char *replay(const struct json *v, const struct sandbox *sb) {
    const struct json *gateway = json_get(v, "gateway");
    struct json *arm = json_new(JSON_OBJECT);
    json_set(arm, "gateway", json_is(gateway, JSON_ARRAY) ? json_copy(gateway) : json_new(JSON_ARRAY));
    struct json *armed = NULL, *record = NULL;
    char *problem = control(sb, "POST", arm, &armed);
    json_free(arm);
    json_free(armed);
    struct seen seen = {{0}, {0}};
    if (!problem) problem = run_steps(v, sb, &seen);
    if (!problem) problem = control(sb, "GET", NULL, &record);
    if (!problem) problem = check_sent(v, record);
    if (!problem) problem = check_secrets(v, &seen);
    json_free(record);
    jbuf_free(&seen.raw);
    jbuf_free(&seen.written);
    return problem;
}

/* ---- the files ------------------------------------------------------------------------------- */

static int by_name(const void *a, const void *b) { return strcmp(*(char *const *)a, *(char *const *)b); }

/* The *.json names in dir, sorted (as tests/vectors.rs orders them); NULL when dir cannot be read. */
static char **vector_files(const char *dir, size_t *count) {
    DIR *d = opendir(dir);
    if (!d) return NULL;
    char **names = NULL;
    size_t n = 0;
    for (struct dirent *e; (e = readdir(d));) {
        size_t len = strlen(e->d_name);
        if (len <= 5 || strcmp(e->d_name + len - 5, ".json") != 0) continue;
        char **more = realloc(names, (n + 1) * sizeof *names);
        if (!more) abort();
        names = more;
        names[n++] = strdup(e->d_name);
    }
    closedir(d);
    qsort(names, n, sizeof *names, by_name);
    *count = n;
    return names ? names : calloc(1, sizeof *names);
}

static struct json *read_json(const char *path, char **problem) {
    FILE *f = fopen(path, "rb");
    if (!f) {
        *problem = message("cannot open: %s", strerror(errno));
        return NULL;
    }
    struct jbuf text = {0};
    char chunk[8192];
    for (size_t k; (k = fread(chunk, 1, sizeof chunk, f)) > 0;) jbuf_add(&text, chunk, k);
    fclose(f);
    char *why = NULL;
    struct json *doc = json_parse(text.data ? text.data : "", text.len, &why);
    if (!doc) *problem = message("not JSON: %s", why);
    free(why);
    jbuf_free(&text);
    return doc;
}

struct tally {
    int vectors, failed;
};

static void report(struct tally *t, const char *name, const char *file, char *problem) {
    t->failed++;
    fprintf(stderr, "c failed %s (%s): %s\n", name, file, problem);
    free(problem);
}

/* Replays every vector of one file. */
static void replay_file(const char *dir, const char *file, const struct sandbox *sb, struct tally *t) {
    char *path = message("%s/%s", dir, file);
    char *problem = NULL;
    struct json *doc = read_json(path, &problem);
    const struct json *vectors = json_get(doc, "vectors");
    if (doc && !json_is(vectors, JSON_ARRAY)) problem = message("no \"vectors\" array");
    if (problem) {
        t->vectors++;
        report(t, "(the whole file)", file, problem);
    }
    for (size_t i = 0; !problem && i < vectors->count; i++) {
        const char *name = json_str(json_get(vectors->items[i], "name"));
        t->vectors++;
        char *diff = replay(vectors->items[i], sb);
        if (diff) report(t, name ? name : "?", file, diff);
    }
    json_free(doc);
    free(path);
}

static double seconds_now(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* One real exchange before the vectors: under valgrind the library's first call (runtime, HTTP
 * client, lazy statics) takes longer than the vectors' 400 ms timeouts, whichever vector runs first. */
static void warm_up(void) {
    const char *url = getenv("COOKIEPAY_SANDBOX_URL"), *id = getenv("COOKIEPAY_API_ID"),
               *key = getenv("COOKIEPAY_API_KEY");
    if (!url || !id || !key) return;
    char config[1024];
    snprintf(config, sizeof config, "{\"base_url\":\"%s\",\"api_id\":\"%s\",\"api_key\":\"%s\",\"shared\":false}",
             url, id, key);
    cookiepay_client *client = cookiepay_client_new(config, NULL);
    if (!client) return;
    cookiepay_string_free(cookiepay_token(client, "{}"));
    cookiepay_client_free(client);
}

int main(int argc, char **argv) {
    const char *dir = argc > 1 ? argv[1] : getenv("COOKIEPAY_VECTORS_DIR");
    if (!dir || !*dir) dir = "tests/vectors";
    struct sandbox sb;
    if (!sandbox_from_env(&sb)) {
        fprintf(stderr, "COOKIEPAY_SANDBOX_URL is not http://IPV4:PORT: run me through scripts/with-sandbox.sh\n");
        return 2;
    }
    size_t files = 0;
    char **names = vector_files(dir, &files);
    if (!names || files == 0) {
        fprintf(stderr, "c: no vector files in %s\n", dir);
        free(names);
        return 2;
    }
    warm_up();
    double start = seconds_now();
    struct tally t = {0, 0};
    for (size_t i = 0; i < files; i++) {
        replay_file(dir, names[i], &sb, &t);
        free(names[i]);
    }
    free(names);
    struct json *disarmed = NULL;
    char *problem = control(&sb, "DELETE", NULL, &disarmed); /* the sandbox answers as the gateway again */
    json_free(disarmed);
    if (problem) report(&t, "(disarm)", "-", problem);
    printf("c: %d of %d vectors passed, %d failed (%.1f s)\n", t.vectors - t.failed, t.vectors, t.failed,
           seconds_now() - start);
    return t.failed ? 1 : 0;
}
