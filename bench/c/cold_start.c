/*
 * Footprint benchmark: time from dlopen() of libcookiepay.so to the end of the first call (a TOKEN
 * over HTTPS, so the TLS handshake and trust-store loading are included), then the first call of a
 * second thread on the same client (a fresh TOKEN: that thread's own connection, its TLS handshake;
 * what every new thread of a Java or C# pool pays once). One process per measurement: bench/run.sh
 * runs it several times and reports the medians.
 * Usage: cold_start LIB URL CA_PEM_PATH API_ID API_KEY
 */
#define _POSIX_C_SOURCE 200809L
#include <dlfcn.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

typedef void *(*client_new_fn)(const char *, char **);
typedef char *(*call_fn)(void *, const char *);
typedef void (*free_fn)(char *);
typedef void (*client_free_fn)(void *);

static double now_ms(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec * 1e3 + t.tv_nsec / 1e6;
}

struct second { call_fn token; free_fn string_free; void *client; double ms; int ok; };

static void *second_thread(void *arg) {
    struct second *s = arg;
    double start = now_ms();
    char *out = s->token(s->client, "{\"force_refresh\":true}");
    s->ms = now_ms() - start;
    s->ok = out && strncmp(out, "{\"ok\":true", 10) == 0;
    s->string_free(out);
    return NULL;
}

int main(int argc, char **argv) {
    if (argc != 6) { fprintf(stderr, "usage: %s LIB URL CA API_ID API_KEY\n", argv[0]); return 2; }
    FILE *f = fopen(argv[3], "r");
    if (!f) { perror(argv[3]); return 2; }
    char pem[16384] = {0}, esc[32768] = {0};
    size_t n = fread(pem, 1, sizeof pem - 1, f);
    fclose(f);
    for (size_t i = 0, j = 0; i < n && j < sizeof esc - 3; i++) {
        if (pem[i] == '\n') { esc[j++] = '\\'; esc[j++] = 'n'; } else if (pem[i] != '\r') esc[j++] = pem[i];
    }
    char *config = malloc(strlen(esc) + 1024);
    sprintf(config, "{\"base_url\":\"%s\",\"api_id\":\"%s\",\"api_key\":\"%s\",\"ca_cert_pem\":\"%s\"}",
            argv[2], argv[4], argv[5], esc);

    double start = now_ms();
    void *lib = dlopen(argv[1], RTLD_NOW | RTLD_LOCAL);
    if (!lib) { fprintf(stderr, "%s\n", dlerror()); return 1; }
    double loaded = now_ms();
    client_new_fn client_new = (client_new_fn)dlsym(lib, "cookiepay_client_new");
    call_fn token = (call_fn)dlsym(lib, "cookiepay_token");
    free_fn string_free = (free_fn)dlsym(lib, "cookiepay_string_free");
    client_free_fn client_free = (client_free_fn)dlsym(lib, "cookiepay_client_free");
    void *client = client_new(config, NULL);
    char *out = token(client, "{}");
    double done = now_ms();
    int ok = out && strncmp(out, "{\"ok\":true", 10) == 0;
    string_free(out);
    struct second s = { token, string_free, client, 0, 0 };
    pthread_t thread;
    if (pthread_create(&thread, NULL, second_thread, &s) != 0 || pthread_join(thread, NULL) != 0) return 1;
    ok = ok && s.ok;
    client_free(client);
    free(config);
    printf("{\"load_ms\":%.3f,\"first_call_ms\":%.3f,\"second_thread_first_call_ms\":%.3f,\"ok\":%s}\n",
           loaded - start, done - start, s.ms, ok ? "true" : "false");
    return ok ? 0 : 1;
}
