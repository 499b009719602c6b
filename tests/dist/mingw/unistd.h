/*
 * tests/dist/run.sh compiles tests/c/flow.c for Windows with this folder first on the include path:
 * the POSIX headers flow.c names map onto winsock, so flow.c itself stays as it is. unistd.h comes
 * last in flow.c, so the read/write/close macros below apply to flow.c's own code only.
 */
#ifndef COOKIEPAY_MINGW_UNISTD_SHIM
#define COOKIEPAY_MINGW_UNISTD_SHIM
#include_next <unistd.h>
#include <process.h>
#include <winsock2.h>

/* A socket is not a file descriptor on Windows. */
#define read(fd, buf, n) recv((SOCKET)(fd), (char *)(buf), (int)(n), 0)
#define write(fd, buf, n) send((SOCKET)(fd), (const char *)(buf), (int)(n), 0)
#define close(fd) closesocket((SOCKET)(fd))

/* Winsock needs starting before flow.c's first socket(). */
__attribute__((constructor)) static void cookiepay_test_wsa_start(void) {
    WSADATA data;
    WSAStartup(MAKEWORD(2, 2), &data);
}
#endif
