/*
 * The C ABI from C, using only include/cookiepay.h: the whole authenticated flow and every error
 * path, against a sandbox started by scripts/with-sandbox.sh. `make test-c` runs it under valgrind:
 * every string returned by the library is released with cookiepay_string_free, so valgrind reports
 * 0 bytes definitely lost and 0 errors.
 */
#define _POSIX_C_SOURCE 200809L
#include <arpa/inet.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "cookiepay.h"

static int failures = 0;
static int checks = 0;

#define CHECK(cond, ...)                                                   \
    do {                                                                   \
        checks++;                                                          \
        if (!(cond)) {                                                     \
            failures++;                                                    \
            fprintf(stderr, "FAIL %s:%d: ", __FILE__, __LINE__);           \
            fprintf(stderr, __VA_ARGS__);                                  \
            fprintf(stderr, "\n");                                         \
        }                                                                  \
    } while (0)

static const char *env(const char *name) {
    const char *v = getenv(name);
    if (!v || !*v) {
        fprintf(stderr, "%s is not set: run me through scripts/with-sandbox.sh\n", name);
        exit(2);
    }
    return v;
}

/* Does an envelope say ok, or carry an error of this kind? */
static int is_ok(const char *json) { return json && strstr(json, "{\"ok\":true") == json; }
static int is_kind(const char *json, const char *kind) {
    char needle[64];
    snprintf(needle, sizeof needle, "\"kind\":\"%s\"", kind);
    return json && strstr(json, "{\"ok\":false") == json && strstr(json, needle) != NULL;
}

/* The raw (still JSON-escaped) text of the first string field `key`, malloc'd. */
static char *raw_field(const char *json, const char *key) {
    char needle[64];
    snprintf(needle, sizeof needle, "\"%s\":\"", key);
    const char *start = strstr(json, needle);
    if (!start) return NULL;
    start += strlen(needle);
    const char *p = start;
    while (*p && *p != '"') p += (*p == '\\' && p[1]) ? 2 : 1;
    size_t n = (size_t)(p - start);
    char *out = malloc(n + 1);
    memcpy(out, start, n);
    out[n] = 0;
    return out;
}

/* A one-shot HTTP/1.1 POST to the sandbox (what a browser or a test helper does), body malloc'd. */
static char *http_post(const char *base_url, const char *path, const char *content_type, const char *body) {
    int port = 0;
    if (sscanf(base_url, "http://127.0.0.1:%d", &port) != 1) return NULL;
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in addr = {0};
    addr.sin_family = AF_INET;
    addr.sin_port = htons((unsigned short)port);
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (connect(fd, (struct sockaddr *)&addr, sizeof addr) != 0) { close(fd); return NULL; }
    size_t len = strlen(body);
    char head[512];
    int hn = snprintf(head, sizeof head,
                      "POST %s HTTP/1.1\r\nHost: 127.0.0.1:%d\r\nContent-Type: %s\r\n"
                      "Content-Length: %zu\r\nConnection: close\r\n\r\n", path, port, content_type, len);
    if (write(fd, head, (size_t)hn) != hn || write(fd, body, len) != (ssize_t)len) { close(fd); return NULL; }
    size_t cap = 65536, used = 0;
    char *buf = malloc(cap);
    ssize_t r;
    while ((r = read(fd, buf + used, cap - used - 1)) > 0) {
        used += (size_t)r;
        if (cap - used < 4096) { cap *= 2; buf = realloc(buf, cap); }
    }
    close(fd);
    buf[used] = 0;
    char *sep = strstr(buf, "\r\n\r\n");
    char *out = strdup(sep ? sep + 4 : "");
    free(buf);
    return out;
}

/* Call, check the envelope kind ("ok" or an error kind), free; returns 1 when as expected. */
static int expect(char *result, const char *want, const char *what) {
    int good = strcmp(want, "ok") == 0 ? is_ok(result) : is_kind(result, want);
    CHECK(good, "%s: expected %s, got %s", what, want, result ? result : "(NULL)");
    cookiepay_string_free(result);
    return good;
}

static char *config_json(const char *base_url, const char *extra) {
    char *cfg = malloc(4096 + (extra ? strlen(extra) : 0));
    sprintf(cfg, "{\"base_url\":\"%s\",\"api_id\":\"%s\",\"api_key\":\"%s\",\"timeout_ms\":5000,"
                 "\"retry_base_delay_ms\":10,\"binding\":\"c-test/1\"%s}",
            base_url, env("COOKIEPAY_API_ID"), env("COOKIEPAY_API_KEY"), extra ? extra : "");
    return cfg;
}

struct thread_arg { cookiepay_client *client; const char *request; int good; };

static void *paycert_many(void *p) {
    struct thread_arg *arg = p;
    for (int i = 0; i < 20; i++) {
        char *r = cookiepay_paycert(arg->client, arg->request);
        arg->good += is_ok(r);
        cookiepay_string_free(r);
    }
    return NULL;
}

int main(void) {
    const char *url = env("COOKIEPAY_SANDBOX_URL");

    /* version */
    const char *version = cookiepay_version();
    CHECK(version && strlen(version) >= 5, "version string");
    CHECK(cookiepay_abi_version() == COOKIEPAY_ABI_VERSION, "ABI version %u", cookiepay_abi_version());

    /* client_new errors: NULL, not JSON, invalid fields (error_json owned by us), no error_json slot */
    char *error = NULL;
    CHECK(cookiepay_client_new(NULL, &error) == NULL, "NULL config refused");
    CHECK(is_kind(error, "invalid_argument"), "NULL config: %s", error);
    cookiepay_string_free(error);
    CHECK(cookiepay_client_new("{nope", &error) == NULL && is_kind(error, "invalid_argument"), "bad JSON config");
    cookiepay_string_free(error);
    CHECK(cookiepay_client_new("{\"env\":\"live\",\"base_url\":\"http://x\"}", &error) == NULL, "invalid config");
    CHECK(is_kind(error, "validation") && strstr(error, "\"field\":\"api_key\""), "config fields: %s", error);
    cookiepay_string_free(error);
    CHECK(cookiepay_client_new("[]", NULL) == NULL, "error_json may be NULL");

    char *cfg = config_json(url, NULL);
    cookiepay_client *client = cookiepay_client_new(cfg, &error);
    free(cfg);
    CHECK(client != NULL && error == NULL, "client created");
    if (!client) return 1;

    /* NULL and invalid UTF-8 arguments */
    expect(cookiepay_token(client, NULL), "invalid_argument", "token(NULL)");
    expect(cookiepay_token(NULL, "{}"), "invalid_argument", "token(client NULL)");
    expect(cookiepay_ready(client, "{\"ORDERNO\":\"\xff\xfe\"}"), "invalid_argument", "ready(invalid UTF-8)");
    expect(cookiepay_decrypt(client, "[]"), "invalid_argument", "decrypt([])");
    expect(cookiepay_paycert(client, "{}"), "validation", "paycert without tid");
    expect(cookiepay_verify(client, "{\"tid\":\"x\"}"), "validation", "verify without expected");
    expect(cookiepay_parse_return(NULL), "invalid_argument", "parse_return(NULL)");
    expect(cookiepay_parse_return("garbage"), "validation", "parse_return(garbage)");
    cookiepay_string_free(NULL);
    cookiepay_client_free(NULL);

    /* token */
    expect(cookiepay_token(client, "{}"), "ok", "token");

    /* ready: validation first, then the window */
    expect(cookiepay_ready(client, "{\"AMOUNT\":\"1,000\",\"PRODUCTNAME\":\"a&b\"}"), "validation", "ready validation");
    char order[128], ready_req[1024];
    snprintf(order, sizeof order, "C-%ld-%d", (long)getpid(), rand());
    snprintf(ready_req, sizeof ready_req,
             "{\"ORDERNO\":\"%s\",\"PRODUCTNAME\":\"쿠키 구독 🍪\",\"AMOUNT\":1004,\"BUYERNAME\":\"홍길동\","
             "\"RETURNURL\":\"https://shop.example/return\",\"ETC1\":\"한글 😀\"}", order);
    char *window = cookiepay_ready(client, ready_req);
    CHECK(is_ok(window), "ready: %s", window);
    expect(cookiepay_ready(client, ready_req), "api", "duplicate ORDERNO");

    /* the buyer pays in the window (the sandbox's checkout helper submits the form) */
    char *html = raw_field(window, "html");
    cookiepay_string_free(window);
    CHECK(html != NULL, "window html");
    if (!html) return 1;
    char *checkout = malloc(strlen(html) + 512);
    sprintf(checkout, "{\"window_html\":\"%s\",\"card\":{\"CARDNO\":\"4111111111111111\",\"EXPIREDT\":\"3012\","
                      "\"CARDAUTH\":\"900101\",\"CARDPWD\":\"12\",\"QUOTA\":\"00\"}}", html);
    free(html);
    char *posted = http_post(url, "/_sandbox/checkout", "application/json", checkout);
    free(checkout);
    char *form_body = posted ? raw_field(posted, "form_body") : NULL;
    free(posted);
    CHECK(form_body != NULL, "checkout gave the return form body");
    if (!form_body) return 1;

    /* RETURNURL handler: parse, decrypt, verify */
    char *parsed = cookiepay_parse_return(form_body);
    free(form_body);
    CHECK(is_ok(parsed) && strstr(parsed, "\"encrypted\":true") && strstr(parsed, "\"success\":true"), "parse_return: %s", parsed);
    char *enc = raw_field(parsed, "ENC_DATA");
    cookiepay_string_free(parsed);
    char *decrypt_req = malloc(strlen(enc) + 32);
    sprintf(decrypt_req, "{\"ENC_DATA\":\"%s\"}", enc);
    free(enc);
    char *payment = cookiepay_decrypt(client, decrypt_req);
    free(decrypt_req);
    CHECK(is_ok(payment) && strstr(payment, "\"ETC1\":\"한글 😀\""), "decrypt: %s", payment);
    char *tid = raw_field(payment, "TID");
    cookiepay_string_free(payment);
    CHECK(tid != NULL, "TID");
    if (!tid) return 1;

    char req[512];
    snprintf(req, sizeof req, "{\"tid\":\"%s\"}", tid);
    expect(cookiepay_paycert(client, req), "ok", "paycert");
    snprintf(req, sizeof req, "{\"tid\":\"%s\",\"expected\":{\"ORDERNO\":\"%s\",\"AMOUNT\":\"1004\"}}", tid, order);
    expect(cookiepay_verify(client, req), "ok", "verify");
    snprintf(req, sizeof req, "{\"tid\":\"%s\",\"expected\":{\"ORDERNO\":\"%s\",\"AMOUNT\":100}}", tid, order);
    expect(cookiepay_verify(client, req), "verification_failed", "verify with a tampered amount");
    expect(cookiepay_decrypt(client, "{\"ENC_DATA\":\"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA\"}"), "api", "forged ENC_DATA");
    expect(cookiepay_paycert(client, "{\"tid\":\"NO_SUCH_TID\"}"), "api", "unknown tid");
    /* a Noti (the raw body, as a JSON string) is confirmed by paycert: a forged amount is refused */
    snprintf(req, sizeof req, "{\"body\":\"{\\\"TID\\\":\\\"%s\\\",\\\"ORDERNO\\\":\\\"%s\\\"}\"}", tid, order);
    char *confirmed = cookiepay_confirm_noti(client, req);
    CHECK(is_ok(confirmed) && strstr(confirmed, "\"kind\":\"payment\"") && strstr(confirmed, "\"AMOUNT\":\"1004\""),
          "confirm_noti: %s", confirmed);
    cookiepay_string_free(confirmed);
    snprintf(req, sizeof req, "{\"body\":\"{\\\"TID\\\":\\\"%s\\\",\\\"AMOUNT\\\":\\\"10\\\"}\"}", tid);
    expect(cookiepay_confirm_noti(client, req), "noti_not_confirmed", "confirm_noti with a forged amount");

    /* the life of a subscription: sign-up, a charge, lookups, refunds, the end */
    char big[2048];
    snprintf(big, sizeof big,
             "{\"ORDERNO\":\"%s-sub\",\"PRODUCTNAME\":\"월간 구독\",\"AMOUNT\":9900,\"BUYERNAME\":\"홍길동\","
             "\"CARDNO\":\"4111-1111-1111-1111\",\"EXPIREDT\":\"3012\",\"CARDAUTH\":\"900101\",\"CARDPWD\":\"12\","
             "\"RECURRENCE_PAY\":\"Y\",\"RECURRENCE_TYPE\":\"M\",\"PAY_DAY\":\"31\",\"START_PAY_CNT\":\"1\","
             "\"LAST_PAY_CNT\":\"0\"}", order);
    char *signup = cookiepay_billkeygen(client, big);
    CHECK(is_ok(signup) && strstr(signup, "\"charged\":true") && strstr(signup, "\"scheduled\":true"), "billkeygen: %s", signup);
    CHECK(!strstr(signup, "4111111111111111") && !strstr(signup, "4111-1111"), "no card number in the answer");
    char *sub_tid = raw_field(signup, "TID");
    char *billkey = raw_field(signup, "BILLKEY");
    char *reserve_id = raw_field(signup, "RESERVE_ID");
    cookiepay_string_free(signup);
    CHECK(sub_tid && billkey && reserve_id, "billkeygen ids");
    if (!sub_tid || !billkey || !reserve_id) return 1;
    snprintf(big, sizeof big, "{\"RESERVE_ID\":\"%s\",\"BILLKEY\":\"%s\"}", reserve_id, billkey);
    expect(cookiepay_recurring_charge(client, big), "ok", "recurring_charge");
    snprintf(big, sizeof big, "{\"tid\":\"%s\"}", sub_tid);
    char *found = cookiepay_paysearch(client, big);
    CHECK(is_ok(found) && strstr(found, sub_tid), "paysearch by tid: %s", found);
    cookiepay_string_free(found);
    char *none = cookiepay_paysearch(client, "{\"from\":\"2001-01-01\",\"to\":\"2001-01-02\"}");
    CHECK(is_ok(none) && strstr(none, "\"payments\":[]"), "paysearch, nothing found: %s", none);
    cookiepay_string_free(none);
    char *receipt = cookiepay_receipt_url(client, big);
    CHECK(is_ok(receipt) && strstr(receipt, "/api/receipt?tid="), "receipt_url: %s", receipt);
    cookiepay_string_free(receipt);
    snprintf(big, sizeof big, "{\"tid\":\"%s\",\"reason\":\"부분 환불\",\"amount\":900}", sub_tid);
    char *refund = cookiepay_cancel(client, big);
    CHECK(is_ok(refund) && strstr(refund, "\"already_cancelled\":false"), "partial cancel: %s", refund);
    cookiepay_string_free(refund);
    snprintf(big, sizeof big, "{\"tid\":\"%s\",\"reason\":\"초과\",\"amount\":99000}", sub_tid);
    expect(cookiepay_cancel(client, big), "api", "over-cancel");
    snprintf(big, sizeof big, "{\"RESERVE_ID\":\"%s\"}", reserve_id);
    expect(cookiepay_schedule_cancel(client, big), "ok", "schedule_cancel");
    char *again = cookiepay_schedule_cancel(client, big);
    CHECK(is_ok(again) && strstr(again, "\"already_cancelled\":true"), "schedule_cancel again (E103): %s", again);
    cookiepay_string_free(again);
    snprintf(big, sizeof big, "{\"BILLKEY\":\"%s\"}", billkey);
    expect(cookiepay_billkey_delete(client, big), "ok", "billkey_delete");
    snprintf(big, sizeof big, "{\"path\":\"/api/paysearch\",\"auth\":[\"token\"],\"body\":{\"TID\":\"%s\"}}", sub_tid);
    char *raw = cookiepay_request(client, big);
    CHECK(is_ok(raw) && strstr(raw, "\"status\":200"), "request: %s", raw);
    cookiepay_string_free(raw);
    free(sub_tid);
    free(billkey);
    free(reserve_id);
    char *bad_card = cookiepay_billkeygen(client,
        "{\"ORDERNO\":\"X\",\"PRODUCTNAME\":\"p\",\"AMOUNT\":1,\"BUYERNAME\":\"b\",\"CARDNO\":\"4111111111111112\","
        "\"EXPIREDT\":\"2001\",\"CARDAUTH\":\"12345\",\"CARDPWD\":\"123\"}");
    CHECK(is_kind(bad_card, "validation") && strstr(bad_card, "\"field\":\"CARDNO\"") && strstr(bad_card, "\"field\":\"CARDPWD\"")
          && !strstr(bad_card, "4111111111111112"), "bad card: %s", bad_card);
    cookiepay_string_free(bad_card);
    char *noti = cookiepay_parse_noti("{\"TID\":\"T1\",\"RESERVE_ID\":\"r1\",\"PAY_CNT\":\"2\",\"RESULTCODE\":\"0000\"}");
    CHECK(is_ok(noti) && strstr(noti, "\"kind\":\"recurring\"") && strstr(noti, "\"dedup_key\":\"recurring:T1\""), "parse_noti: %s", noti);
    cookiepay_string_free(noti);
    expect(cookiepay_parse_noti("not json"), "invalid_argument", "parse_noti of junk");
    /* a browser post cannot vote on its own success, nor hide behind a NUL byte */
    expect(cookiepay_parse_return("RESULTCODE=9999&success=false"), "invalid_argument", "post with success");
    expect(cookiepay_parse_return("RESULTCODE=9999&success=1&encrypted=0"), "invalid_argument", "post with both flags");
    static const char with_nul[] = "RESULTCODE=0000\0&ENC_DATA=abc";
    expect(cookiepay_parse_return_len(with_nul, sizeof with_nul - 1), "invalid_argument", "post with a NUL byte");
    char *declined = cookiepay_parse_return_len("RESULTCODE=9999&RESULTMSG=x", 27);
    CHECK(is_ok(declined) && strstr(declined, "\"success\":false"), "declined post: %s", declined);
    cookiepay_string_free(declined);
    expect(cookiepay_parse_noti(NULL), "invalid_argument", "parse_noti(NULL)");

    /* four threads on one client */
    snprintf(req, sizeof req, "{\"tid\":\"%s\"}", tid);
    pthread_t threads[4];
    struct thread_arg args[4];
    for (int i = 0; i < 4; i++) {
        args[i] = (struct thread_arg){client, req, 0};
        pthread_create(&threads[i], NULL, paycert_many, &args[i]);
    }
    for (int i = 0; i < 4; i++) {
        pthread_join(threads[i], NULL);
        CHECK(args[i].good == 20, "thread %d: %d of 20 ok", i, args[i].good);
    }

    /* faults: a 500 that outlasts the retries, a broken body, a slow ready */
    char *r = http_post(url, "/_sandbox/faults", "application/json", "{\"endpoint\":\"paycert\",\"mode\":\"http_500\",\"count\":3}");
    free(r);
    expect(cookiepay_paycert(client, req), "http", "paycert after three 500s");
    r = http_post(url, "/_sandbox/faults", "application/json", "{\"endpoint\":\"paycert\",\"mode\":\"invalid_json\",\"count\":1}");
    free(r);
    expect(cookiepay_paycert(client, req), "decode", "paycert with a broken body");
    free(tid);

    cfg = config_json(url, ",\"timeout_ms\":300");
    cookiepay_client *impatient = cookiepay_client_new(cfg, NULL);
    free(cfg);
    r = http_post(url, "/_sandbox/faults", "application/json", "{\"endpoint\":\"ready\",\"mode\":\"delay\",\"count\":1,\"delay_ms\":1500}");
    free(r);
    snprintf(ready_req, sizeof ready_req,
             "{\"ORDERNO\":\"%s-slow\",\"PRODUCTNAME\":\"p\",\"AMOUNT\":\"10\",\"BUYERNAME\":\"b\","
             "\"RETURNURL\":\"https://shop.example/return\"}", order);
    char *slow = cookiepay_ready(impatient, ready_req);
    CHECK(is_kind(slow, "timeout") && strstr(slow, "\"outcome\":\"unknown\""), "slow ready: %s", slow);
    cookiepay_string_free(slow);
    cookiepay_client_free(impatient);

    /* nobody listening: a connect error */
    cookiepay_client *nowhere = cookiepay_client_new(
        "{\"base_url\":\"http://127.0.0.1:1\",\"api_id\":\"sandbox_x\",\"api_key\":\"k123\",\"max_retries\":0}", NULL);
    char *refused = cookiepay_token(nowhere, "{}");
    CHECK(is_kind(refused, "network") && strstr(refused, "\"phase\":\"connect\""), "refused: %s", refused);
    cookiepay_string_free(refused);
    cookiepay_client_free(nowhere);

    /* HTTPS with the sandbox's CA given as ca_cert_pem */
    const char *https = getenv("COOKIEPAY_SANDBOX_HTTPS_URL");
    const char *ca_path = getenv("COOKIEPAY_SANDBOX_CA");
    CHECK(https && *https && ca_path, "HTTPS sandbox available");
    if (https && *https && ca_path) {
        FILE *f = fopen(ca_path, "r");
        char pem[16384] = {0}, escaped[32768] = {0};
        size_t n = f ? fread(pem, 1, sizeof pem - 1, f) : 0;
        if (f) fclose(f);
        for (size_t i = 0, j = 0; i < n && j < sizeof escaped - 3; i++) {
            if (pem[i] == '\n') { escaped[j++] = '\\'; escaped[j++] = 'n'; }
            else if (pem[i] != '\r') escaped[j++] = pem[i];
        }
        char *extra = malloc(strlen(escaped) + 32);
        sprintf(extra, ",\"ca_cert_pem\":\"%s\"", escaped);
        cfg = config_json(https, extra);
        free(extra);
        cookiepay_client *secure = cookiepay_client_new(cfg, &error);
        free(cfg);
        CHECK(secure != NULL, "https client: %s", error ? error : "");
        cookiepay_string_free(error);
        expect(cookiepay_token(secure, "{}"), "ok", "token over HTTPS");
        char https_req[1024];
        snprintf(https_req, sizeof https_req,
                 "{\"ORDERNO\":\"%s-tls\",\"PRODUCTNAME\":\"p\",\"AMOUNT\":\"500\",\"BUYERNAME\":\"b\","
                 "\"CARDNO\":\"5555555555554444\",\"EXPIREDT\":\"3012\",\"CARDAUTH\":\"900101\",\"CARDPWD\":\"12\"}", order);
        char *tls_signup = cookiepay_billkeygen(secure, https_req);
        CHECK(is_ok(tls_signup) && strstr(tls_signup, "\"scheduled\":null"), "billkeygen over HTTPS: %s", tls_signup);
        char *tls_tid = raw_field(tls_signup, "TID");
        cookiepay_string_free(tls_signup);
        snprintf(https_req, sizeof https_req, "{\"tid\":\"%s\",\"reason\":\"환불\"}", tls_tid ? tls_tid : "");
        expect(cookiepay_cancel(secure, https_req), "ok", "cancel over HTTPS");
        free(tls_tid);
        cookiepay_client_free(secure);
    }

    cookiepay_client_free(client);
    printf("%d passed, %d failed\n", checks - failures, failures);
    return failures == 0 ? 0 : 1;
}
