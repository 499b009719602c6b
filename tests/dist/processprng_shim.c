/*
 * TEST ONLY, never shipped: a bcryptprimitives.dll for wine 8, which lacks ProcessPrng (Rust's std
 * on Windows takes its random bytes from it). tests/dist/run.sh puts it next to flow.exe only.
 * Same contract as Windows' own: fill the buffer, always succeed.
 */
#include <windows.h>

/* advapi32's RtlGenRandom, exported as SystemFunction036. */
BOOLEAN WINAPI SystemFunction036(PVOID buffer, ULONG length);

BOOL WINAPI ProcessPrng(PBYTE data, SIZE_T length) {
    while (length > 0) {
        ULONG chunk = length > 0x10000000 ? 0x10000000 : (ULONG)length;
        if (!SystemFunction036(data, chunk)) return FALSE;
        data += chunk;
        length -= chunk;
    }
    return TRUE;
}
