// Drives zlib (vendor/zlib, from the libz-sys crate): in-memory deflate/inflate round trip
// with checksums, then a gzip file written and read back through a preopened directory
// (argv[1]).
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "zlib.h"

int main(int argc, char **argv) {
    printf("zlib %s\n", zlibVersion());
    // Compressible but not trivial input: a text pattern with a pseudo-random twist.
    size_t len = 200000;
    unsigned char *input = malloc(len);
    unsigned int seed = 12345;
    for (size_t i = 0; i < len; i++) {
        seed = seed * 1103515245u + 12345u;
        input[i] = (i % 64 < 48) ? "the quick brown fox jumps over the lazy dog "[i % 44]
                                 : (unsigned char)('a' + (seed >> 16) % 26);
    }
    printf("crc32 %08lx\n", crc32(0L, input, (uInt)len));
    printf("adler32 %08lx\n", adler32(1L, input, (uInt)len));

    uLongf packed_len = compressBound(len);
    unsigned char *packed = malloc(packed_len);
    if (compress2(packed, &packed_len, input, len, 9) != Z_OK) { puts("compress failed"); return 1; }
    printf("compressed %zu -> %lu bytes\n", len, packed_len);
    uLongf unpacked_len = len;
    unsigned char *unpacked = malloc(len);
    if (uncompress(unpacked, &unpacked_len, packed, packed_len) != Z_OK) { puts("uncompress failed"); return 1; }
    printf("round trip %s\n", unpacked_len == len && memcmp(input, unpacked, len) == 0 ? "ok" : "MISMATCH");

    if (argc > 1) {
        char path[512];
        snprintf(path, sizeof path, "%s/data.gz", argv[1]);
        gzFile out = gzopen(path, "wb6");
        if (!out) { perror("gzopen for writing"); return 1; }
        if (gzwrite(out, input, (unsigned)len) != (int)len) { puts("gzwrite failed"); return 1; }
        gzclose(out);
        gzFile in = gzopen(path, "rb");
        if (!in) { perror("gzopen for reading"); return 1; }
        memset(unpacked, 0, len);
        int got = gzread(in, unpacked, (unsigned)len);
        gzclose(in);
        printf("gzip file round trip %s (%d bytes)\n",
               got == (int)len && memcmp(input, unpacked, len) == 0 ? "ok" : "MISMATCH", got);
    }
    return 0;
}
