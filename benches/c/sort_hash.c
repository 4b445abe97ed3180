/* Sorting and hashing: fills an array with pseudo-random keys, sorts it with a hand-written
 * quicksort, inserts every key into an open-addressing hash table and looks up a second
 * series of keys. Prints a checksum. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

static uint32_t next(uint32_t *state) {
    *state ^= *state << 13;
    *state ^= *state >> 17;
    *state ^= *state << 5;
    return *state;
}

static void quicksort(uint32_t *v, int lo, int hi) {
    while (lo < hi) {
        uint32_t pivot = v[lo + (hi - lo) / 2];
        int i = lo, j = hi;
        while (i <= j) {
            while (v[i] < pivot) i++;
            while (v[j] > pivot) j--;
            if (i <= j) { uint32_t t = v[i]; v[i] = v[j]; v[j] = t; i++; j--; }
        }
        /* Recurse into the smaller half to bound the stack. */
        if (j - lo < hi - i) { quicksort(v, lo, j); lo = i; }
        else { quicksort(v, i, hi); hi = j; }
    }
}

int main(int argc, char **argv) {
    int n = argc > 1 ? atoi(argv[1]) : 100000;
    uint32_t *keys = malloc(sizeof(uint32_t) * (size_t)n);
    size_t cap = 1;
    while (cap < (size_t)n * 2) cap <<= 1;
    uint32_t *table = calloc(cap, sizeof(uint32_t));
    if (!keys || !table) { puts("out of memory"); return 1; }
    uint32_t state = 2463534242u;
    for (int i = 0; i < n; i++) keys[i] = next(&state) | 1; /* 0 marks an empty slot */
    quicksort(keys, 0, n - 1);
    uint32_t ordered = 1;
    for (int i = 1; i < n; i++) ordered &= keys[i - 1] <= keys[i];
    for (int i = 0; i < n; i++) {
        size_t h = (keys[i] * 2654435761u) & (cap - 1);
        while (table[h] && table[h] != keys[i]) h = (h + 1) & (cap - 1);
        table[h] = keys[i];
    }
    state = 2463534242u;
    uint32_t hits = 0, sum = 0;
    for (int i = 0; i < n; i++) {
        uint32_t k = (i & 1) ? (next(&state) | 1) : (next(&state) & ~1u);
        size_t h = (k * 2654435761u) & (cap - 1);
        while (table[h] && table[h] != k) h = (h + 1) & (cap - 1);
        if (table[h] == k) { hits++; sum += k; }
    }
    printf("sort_hash %d keys: ordered %u, hits %u, sum %08x, median %08x\n", n, ordered, hits, sum, keys[n / 2]);
    free(keys);
    free(table);
    return 0;
}
