/* Compression round trip with zlib: generates semi-compressible text, deflates it at level 6,
 * inflates it again, checks the bytes and prints sizes and the Adler-32. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "zlib.h"

int main(int argc, char **argv) {
    size_t len = argc > 1 ? (size_t)atol(argv[1]) : 1000000;
    unsigned char *text = malloc(len), *packed, *unpacked;
    uLongf packed_len = compressBound(len), unpacked_len = len;
    packed = malloc(packed_len);
    unpacked = malloc(len);
    if (!text || !packed || !unpacked) { puts("out of memory"); return 1; }
    static const char *words[] = {"wasm ", "tier ", "interp ", "jit ", "cranelift ", "stack ",
                                  "memory ", "table ", "global ", "trap\n"};
    unsigned state = 12345;
    for (size_t i = 0; i < len;) {
        state = state * 1103515245u + 12345u;
        const char *w = words[(state >> 16) % 10];
        for (size_t k = 0; w[k] && i < len; k++) text[i++] = (unsigned char)w[k];
    }
    if (compress2(packed, &packed_len, text, len, 6) != Z_OK) { puts("deflate failed"); return 1; }
    if (uncompress(unpacked, &unpacked_len, packed, packed_len) != Z_OK) { puts("inflate failed"); return 1; }
    int same = unpacked_len == len && memcmp(text, unpacked, len) == 0;
    printf("compress %zu bytes -> %lu bytes, round trip %s, adler32 %08lx\n", len,
           (unsigned long)packed_len, same ? "ok" : "MISMATCH", adler32(1L, text, (uInt)len));
    return same ? 0 : 1;
}
