/* flow.c under mingw-w64: the sockets API is winsock (see unistd.h in tests/dist/mingw). */
#include <winsock2.h>
