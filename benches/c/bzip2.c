/* bzip2 round trip: generates LEN bytes of deterministic, compressible text (pseudo-random
 * sentences of made-up words with a skewed word frequency, numbers and punctuation), compresses
 * it with libbzip2 1.0.8 (vendored in bzip2/, block size 900k), decompresses it again, checks
 * the bytes and prints the sizes and FNV-1a hashes of the input and of the compressed stream.
 * Usage: bzip2 [LEN]. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "bzlib.h"

/* Built with BZ_NO_STDIO: libbzip2 calls this when one of its internal checks fails. */
void bz_internal_error(int errcode) {
    printf("bzip2 internal error %d\n", errcode);
    exit(3);
}

static uint32_t next_rand(uint32_t *state) {
    *state = *state * 1103515245u + 12345u;
    return *state >> 8;
}

static uint32_t fnv1a(const unsigned char *p, size_t n) {
    uint32_t h = 2166136261u;
    for (size_t i = 0; i < n; i++) h = (h ^ p[i]) * 16777619u;
    return h;
}

#define WORDS 600

static void generate(unsigned char *out, size_t len) {
    static const char *syllables[] = {"ka", "lo", "mi", "ne", "tur", "sa", "vi", "on", "ex",
                                      "qua", "dre", "il", "po", "shu", "ra", "ben", "ti", "go",
                                      "fla", "um", "ze", "cor", "ny", "as"};
    const int n_syllables = (int)(sizeof syllables / sizeof syllables[0]);
    static char words[WORDS][16];
    uint32_t seed = 20240229;
    for (int w = 0; w < WORDS; w++) {
        int parts = 1 + (int)(next_rand(&seed) % 3), k = 0;
        for (int p = 0; p < parts; p++)
            for (const char *s = syllables[next_rand(&seed) % (uint32_t)n_syllables]; *s; s++)
                words[w][k++] = *s;
        words[w][k] = 0;
    }
    size_t i = 0;
    int in_sentence = 0;
    while (i < len) {
        uint32_t r = next_rand(&seed);
        char piece[32];
        int n;
        if (r % 23 == 0) {
            n = snprintf(piece, sizeof piece, "%u", next_rand(&seed) % 100000u);
        } else {
            /* Product of two uniforms: small indexes (common words) are much more likely. */
            uint32_t a = next_rand(&seed) % WORDS, b = next_rand(&seed) % WORDS;
            const char *word = words[a * b / WORDS];
            n = snprintf(piece, sizeof piece, "%s", word);
            if (!in_sentence && n > 0) piece[0] = (char)(piece[0] - 'a' + 'A');
        }
        in_sentence = 1;
        uint32_t end = (r >> 8) % 16;
        if (end == 0) {
            piece[n++] = '.';
            in_sentence = 0;
        } else if (end == 1) {
            piece[n++] = ',';
        }
        piece[n++] = (r >> 12) % 9 == 0 && !in_sentence ? '\n' : ' ';
        for (int k = 0; k < n && i < len; k++) out[i++] = (unsigned char)piece[k];
    }
}

int main(int argc, char **argv) {
    size_t len = argc > 1 ? (size_t)atol(argv[1]) : 2000000;
    /* bzip2's bound: 1% larger plus 600 bytes. */
    unsigned packed_cap = (unsigned)(len + len / 100 + 600), packed_len = packed_cap;
    unsigned unpacked_len = (unsigned)len;
    unsigned char *text = malloc(len), *packed = malloc(packed_cap), *unpacked = malloc(len + 1);
    if (!text || !packed || !unpacked) {
        puts("out of memory");
        return 1;
    }
    generate(text, len);
    int rc = BZ2_bzBuffToBuffCompress((char *)packed, &packed_len, (char *)text, (unsigned)len,
                                      9, 0, 0);
    if (rc != BZ_OK) {
        printf("compress failed: %d\n", rc);
        return 1;
    }
    unpacked_len = (unsigned)len + 1;
    rc = BZ2_bzBuffToBuffDecompress((char *)unpacked, &unpacked_len, (char *)packed, packed_len,
                                    0, 0);
    if (rc != BZ_OK) {
        printf("decompress failed: %d\n", rc);
        return 1;
    }
    int same = unpacked_len == len && memcmp(text, unpacked, len) == 0;
    printf("bzip2 %zu bytes -> %u bytes, round trip %s, fnv1a %08x, compressed fnv1a %08x\n",
           len, packed_len, same ? "ok" : "MISMATCH", fnv1a(text, len), fnv1a(packed, packed_len));
    free(text);
    free(packed);
    free(unpacked);
    return same ? 0 : 1;
}
