/* tests/dist/install.sh: a program built with the README's link lines against `make install`. */
#include <stdio.h>
#include <string.h>

#include "cookiepay.h"

int main(void) {
    if (cookiepay_abi_version() != COOKIEPAY_ABI_VERSION) {
        fprintf(stderr, "ABI %u, header %d\n", cookiepay_abi_version(), COOKIEPAY_ABI_VERSION);
        return 1;
    }
    char *parsed = cookiepay_parse_noti("{\"TID\":\"T1\",\"RESULTCODE\":\"0000\"}");
    int ok = parsed && strncmp(parsed, "{\"ok\":true", 10) == 0;
    cookiepay_string_free(parsed);
    printf("cookiepay %s, ABI %u: %s\n", cookiepay_version(), cookiepay_abi_version(), ok ? "ok" : "FAILED");
    return ok ? 0 : 1;
}
