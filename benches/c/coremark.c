/* A CoreMark-like integer benchmark, written for wasmtier (it is not EEMBC CoreMark and shares
 * no code with it, only the kind of work). Each iteration runs three kernels on data derived
 * from the iteration number and folds what they return into CRC-16s:
 *  - list: a singly linked list of records is searched for keys, merge-sorted by value through
 *    a comparison function pointer, reversed, and merge-sorted back into id order;
 *  - matrix: int16 matrices get a constant added, are scaled, multiplied by a vector and by
 *    each other into int32 results, and multiplied again extracting bit fields of the products;
 *  - state: a state machine scans a comma-separated string of numbers (integers, decimals,
 *    exponents, hex and some malformed tokens, a few characters damaged per iteration) and
 *    counts the kinds of tokens and the state transitions.
 * Usage: coremark [ITERATIONS]. Prints one line with the per-kernel CRCs and the overall one,
 * so a wrong answer cannot look fast. Everything is fixed-width integer arithmetic without
 * overflow or pointer hashing, so a native build prints the same line as the wasm one. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#define LIST_LEN 128
#define LIST_FINDS 12
#define MAT_N 16
#define TEXT_CAP 640

/* ---- CRC-16/CCITT (polynomial 0x1021), bit by bit ---- */

static uint16_t crc16_u8(uint8_t byte, uint16_t crc) {
    crc ^= (uint16_t)byte << 8;
    for (int bit = 0; bit < 8; bit++)
        crc = (crc & 0x8000) ? (uint16_t)((crc << 1) ^ 0x1021) : (uint16_t)(crc << 1);
    return crc;
}

static uint16_t crc16_u16(uint16_t v, uint16_t crc) {
    return crc16_u8((uint8_t)(v >> 8), crc16_u8((uint8_t)v, crc));
}

static uint16_t crc16_u32(uint32_t v, uint16_t crc) {
    return crc16_u16((uint16_t)(v >> 16), crc16_u16((uint16_t)v, crc));
}

/* A linear congruential generator; the top 24 bits are the output. */
static uint32_t next_rand(uint32_t *state) {
    *state = *state * 1664525u + 1013904223u;
    return *state >> 8;
}

/* ---- list kernel ---- */

struct rec {
    struct rec *next;
    int16_t id;
    int16_t value;
};

typedef int (*rec_cmp)(const struct rec *, const struct rec *);

static int by_value(const struct rec *a, const struct rec *b) {
    if (a->value != b->value) return a->value < b->value ? -1 : 1;
    return a->id - b->id;
}

static int by_id(const struct rec *a, const struct rec *b) { return a->id - b->id; }

/* Bottom-up merge sort of a list: runs of width 1, 2, 4, ... merged in place, stable. */
static struct rec *sort_list(struct rec *list, rec_cmp cmp) {
    if (!list) return list;
    for (int width = 1;; width *= 2) {
        struct rec *left = list, *tail = NULL;
        int merges = 0;
        list = NULL;
        while (left) {
            merges++;
            struct rec *right = left;
            int left_len = 0, right_len = width;
            while (left_len < width && right) {
                left_len++;
                right = right->next;
            }
            while (left_len > 0 || (right_len > 0 && right)) {
                struct rec *take;
                if (left_len == 0 || (right_len > 0 && right && cmp(right, left) < 0)) {
                    take = right;
                    right = right->next;
                    right_len--;
                } else {
                    take = left;
                    left = left->next;
                    left_len--;
                }
                if (tail) tail->next = take;
                else list = take;
                tail = take;
            }
            left = right;
        }
        tail->next = NULL;
        if (merges <= 1) return list;
    }
}

static struct rec *reverse_list(struct rec *list) {
    struct rec *prev = NULL;
    while (list) {
        struct rec *next = list->next;
        list->next = prev;
        prev = list;
        list = next;
    }
    return prev;
}

static struct rec records[LIST_LEN];
static struct rec *list_head;

static void list_init(void) {
    uint32_t seed = 0x5eed;
    list_head = NULL;
    for (int i = LIST_LEN - 1; i >= 0; i--) {
        records[i].id = (int16_t)i;
        records[i].value = (int16_t)(next_rand(&seed) & 0x3fff);
        records[i].next = list_head;
        list_head = &records[i];
    }
}

static uint16_t list_kernel(uint32_t iter) {
    uint32_t seed = iter * 2654435761u + 1;
    uint16_t crc = 0;
    /* New values, from the old ones and the iteration. */
    for (struct rec *r = list_head; r; r = r->next)
        r->value = (int16_t)((r->value * 5 + (int)(next_rand(&seed) & 0xff)) & 0x3fff);
    /* Look up keys by their low bits; remember where they were found. */
    for (int q = 0; q < LIST_FINDS; q++) {
        int key = (int)(next_rand(&seed) & 0x7f);
        int steps = 0;
        struct rec *r = list_head;
        while (r && (r->value & 0x7f) != key) {
            r = r->next;
            steps++;
        }
        crc = crc16_u16(r ? (uint16_t)r->id : 0xffff, crc);
        crc = crc16_u16((uint16_t)steps, crc);
    }
    /* Sorted by value: a position-weighted sum says whether the order is right. */
    list_head = sort_list(list_head, by_value);
    uint32_t weighted = 0;
    int pos = 1;
    for (struct rec *r = list_head; r; r = r->next, pos++)
        weighted += ((uint32_t)r->value * (uint32_t)pos) ^ (uint32_t)r->id;
    crc = crc16_u32(weighted, crc);
    /* Reversed: the largest value first; then back into id order for the next iteration. */
    list_head = reverse_list(list_head);
    crc = crc16_u16((uint16_t)list_head->value, crc);
    crc = crc16_u16((uint16_t)list_head->id, crc);
    list_head = sort_list(list_head, by_id);
    return crc;
}

/* ---- matrix kernel ---- */

static int16_t mat_a[MAT_N][MAT_N], mat_b[MAT_N][MAT_N];
static int32_t mat_c[MAT_N][MAT_N];

/* Folds n results into the CRC: a running sum that wraps at a threshold, and how often the
 * results rose. */
static uint16_t fold_results(const int32_t *m, int n, uint16_t crc) {
    int32_t sum = 0, prev = 0;
    uint16_t rises = 0;
    for (int i = 0; i < n; i++) {
        sum += m[i];
        if (sum > 1000000 || sum < -1000000) {
            sum %= 65521;
            rises += 7;
        } else if (m[i] > prev) {
            rises++;
        }
        prev = m[i];
    }
    return crc16_u16((uint16_t)(rises + (uint16_t)sum), crc);
}

static uint16_t matrix_kernel(uint32_t iter) {
    uint32_t seed = iter * 40503u + 7;
    uint16_t crc = 0;
    for (int i = 0; i < MAT_N; i++)
        for (int j = 0; j < MAT_N; j++) {
            uint32_t r = next_rand(&seed);
            mat_a[i][j] = (int16_t)((int)(r & 0xff) - 128);
            mat_b[i][j] = (int16_t)((int)((r >> 8) & 0xff) - 128);
        }
    int16_t k = (int16_t)((iter & 0x3f) + 3);
    /* Add a constant. */
    for (int i = 0; i < MAT_N; i++)
        for (int j = 0; j < MAT_N; j++) mat_a[i][j] = (int16_t)(mat_a[i][j] + k);
    /* Scale into int32. */
    for (int i = 0; i < MAT_N; i++)
        for (int j = 0; j < MAT_N; j++) mat_c[i][j] = (int32_t)mat_a[i][j] * k;
    crc = fold_results(&mat_c[0][0], MAT_N * MAT_N, crc);
    /* Times a vector (a row of b). */
    int32_t vec[MAT_N];
    for (int i = 0; i < MAT_N; i++) {
        int32_t sum = 0;
        for (int j = 0; j < MAT_N; j++) sum += (int32_t)mat_a[i][j] * mat_b[iter % MAT_N][j];
        vec[i] = sum;
    }
    crc = fold_results(vec, MAT_N, crc);
    /* Times a matrix. */
    for (int i = 0; i < MAT_N; i++)
        for (int j = 0; j < MAT_N; j++) {
            int32_t sum = 0;
            for (int x = 0; x < MAT_N; x++) sum += (int32_t)mat_a[i][x] * mat_b[x][j];
            mat_c[i][j] = sum;
        }
    crc = fold_results(&mat_c[0][0], MAT_N * MAT_N, crc);
    /* Times a matrix, summing products of two bit fields of each product. */
    for (int i = 0; i < MAT_N; i++)
        for (int j = 0; j < MAT_N; j++) {
            int32_t sum = 0;
            for (int x = 0; x < MAT_N; x++) {
                uint32_t p = (uint32_t)((int32_t)mat_a[i][x] * mat_b[x][j]);
                sum += (int32_t)(((p >> 3) & 0xf) * ((p >> 9) & 0x3f));
            }
            mat_c[i][j] = sum;
        }
    crc = fold_results(&mat_c[0][0], MAT_N * MAT_N, crc);
    /* Take the constant away again and check the first row came back. */
    for (int i = 0; i < MAT_N; i++)
        for (int j = 0; j < MAT_N; j++) mat_a[i][j] = (int16_t)(mat_a[i][j] - k);
    for (int j = 0; j < MAT_N; j++) crc = crc16_u16((uint16_t)mat_a[0][j], crc);
    return crc;
}

/* ---- state-machine kernel ---- */

enum state {
    S_START, S_SIGN, S_ZERO, S_INT, S_DOT, S_FRAC, S_EXP, S_EXP_SIGN, S_EXP_INT, S_HEX_X, S_HEX,
    S_BAD, S_COUNT
};
enum kind { K_INT, K_DECIMAL, K_SCIENTIFIC, K_HEX, K_INVALID, K_COUNT };

static char text[TEXT_CAP];
static int text_len;

static int is_digit(char c) { return c >= '0' && c <= '9'; }
static int is_hex(char c) { return is_digit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F'); }

static void append(const char *s) {
    while (*s && text_len < TEXT_CAP - 1) text[text_len++] = *s++;
}

static void append_digits(uint32_t *seed, int count, const char *alphabet, int size) {
    char buf[16];
    for (int i = 0; i < count && i < 15; i++) buf[i] = alphabet[next_rand(seed) % (uint32_t)size];
    buf[count < 15 ? count : 15] = 0;
    append(buf);
}

/* A fixed string of tokens such as `-1204,0,37.25,6.02e+23,0x1F,12a,` up to TEXT_CAP. */
static void text_init(void) {
    static const char digits[] = "0123456789";
    static const char hex[] = "0123456789abcdefABCDEF";
    static const char junk[] = "09x.e+-zq";
    uint32_t seed = 0xc0ffee;
    text_len = 0;
    while (text_len < TEXT_CAP - 40) {
        uint32_t r = next_rand(&seed);
        switch (r % 6) {
        case 0: /* integer, maybe signed */
            if (r & 0x100) append(r & 0x200 ? "-" : "+");
            append_digits(&seed, 1 + (int)((r >> 10) % 6), digits, 10);
            break;
        case 1: /* zero */
            append("0");
            break;
        case 2: /* decimal */
            append_digits(&seed, 1 + (int)((r >> 10) % 4), digits, 10);
            append(".");
            append_digits(&seed, 1 + (int)((r >> 13) % 4), digits, 10);
            break;
        case 3: /* scientific */
            if (r & 0x100) append("-");
            append_digits(&seed, 1, digits, 10);
            append(".");
            append_digits(&seed, 1 + (int)((r >> 10) % 3), digits, 10);
            append(r & 0x200 ? "e" : "E");
            if (r & 0x400) append(r & 0x800 ? "-" : "+");
            append_digits(&seed, 1 + (int)((r >> 13) % 2), digits, 10);
            break;
        case 4: /* hex */
            append(r & 0x100 ? "0x" : "0X");
            append_digits(&seed, 1 + (int)((r >> 10) % 6), hex, 22);
            break;
        default: /* malformed */
            append_digits(&seed, 1 + (int)((r >> 10) % 5), junk, 9);
            break;
        }
        append(",");
    }
    text[text_len] = 0;
}

static enum state step(enum state s, char c) {
    switch (s) {
    case S_START:
        if (c == '+' || c == '-') return S_SIGN;
        if (c == '0') return S_ZERO;
        if (is_digit(c)) return S_INT;
        if (c == '.') return S_DOT;
        return S_BAD;
    case S_SIGN:
        if (c == '0') return S_ZERO;
        if (is_digit(c)) return S_INT;
        if (c == '.') return S_DOT;
        return S_BAD;
    case S_ZERO:
        if (c == 'x' || c == 'X') return S_HEX_X;
        if (is_digit(c)) return S_INT;
        if (c == '.') return S_DOT;
        if (c == 'e' || c == 'E') return S_EXP;
        return S_BAD;
    case S_INT:
        if (is_digit(c)) return S_INT;
        if (c == '.') return S_DOT;
        if (c == 'e' || c == 'E') return S_EXP;
        return S_BAD;
    case S_DOT:
        return is_digit(c) ? S_FRAC : S_BAD;
    case S_FRAC:
        if (is_digit(c)) return S_FRAC;
        if (c == 'e' || c == 'E') return S_EXP;
        return S_BAD;
    case S_EXP:
        if (c == '+' || c == '-') return S_EXP_SIGN;
        return is_digit(c) ? S_EXP_INT : S_BAD;
    case S_EXP_SIGN:
    case S_EXP_INT:
        return is_digit(c) ? S_EXP_INT : S_BAD;
    case S_HEX_X:
    case S_HEX:
        return is_hex(c) ? S_HEX : S_BAD;
    default:
        return S_BAD;
    }
}

static enum kind classify(enum state s) {
    switch (s) {
    case S_ZERO:
    case S_INT: return K_INT;
    case S_FRAC: return K_DECIMAL;
    case S_EXP_INT: return K_SCIENTIFIC;
    case S_HEX: return K_HEX;
    default: return K_INVALID;
    }
}

static uint16_t state_kernel(uint32_t iter) {
    static const char damage[] = "7.,e-xA";
    uint32_t kinds[K_COUNT] = {0}, transitions[S_COUNT] = {0};
    uint16_t crc = 0;
    /* Damage every 37th character from an offset that moves with the iteration. */
    int stride = 37, first = (int)(iter % (uint32_t)stride);
    char saved[TEXT_CAP / 37 + 1];
    for (int i = first, n = 0; i < text_len; i += stride, n++) {
        saved[n] = text[i];
        text[i] = damage[(iter + (uint32_t)n) % (sizeof damage - 1)];
    }
    enum state s = S_START;
    for (int i = 0; i < text_len; i++) {
        char c = text[i];
        if (c == ',') {
            kinds[classify(s)]++;
            s = S_START;
            continue;
        }
        enum state next = step(s, c);
        if (next != s) transitions[next]++;
        s = next;
    }
    for (int i = first, n = 0; i < text_len; i += stride, n++) text[i] = saved[n];
    for (int k = 0; k < K_COUNT; k++) crc = crc16_u16((uint16_t)kinds[k], crc);
    for (int k = 0; k < S_COUNT; k++) crc = crc16_u16((uint16_t)transitions[k], crc);
    return crc;
}

int main(int argc, char **argv) {
    long iterations = argc > 1 ? atol(argv[1]) : 2000;
    list_init();
    text_init();
    uint16_t crc_list = 0, crc_matrix = 0, crc_state = 0, crc = 0;
    for (long it = 0; it < iterations; it++) {
        uint16_t l = list_kernel((uint32_t)it);
        uint16_t m = matrix_kernel((uint32_t)it);
        uint16_t s = state_kernel((uint32_t)it);
        crc_list = crc16_u16(l, crc_list);
        crc_matrix = crc16_u16(m, crc_matrix);
        crc_state = crc16_u16(s, crc_state);
        crc = crc16_u16(s, crc16_u16(m, crc16_u16(l, crc)));
    }
    printf("coremark %ld iterations: list %04x matrix %04x state %04x crc %04x\n", iterations,
           crc_list, crc_matrix, crc_state, crc);
    return 0;
}
