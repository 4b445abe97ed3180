/* Image-processing kernels that compilers auto-vectorise: a 3x3 box blur (horizontal and
 * vertical passes over 16-bit sums), a saturating brightness/contrast adjustment, the sum of
 * absolute differences between two images and an alpha blend. Built with -O3 -msimd128 it
 * runs mostly in 128-bit vector instructions; built without, the same program is scalar.
 * Prints checksums, so a wrong answer cannot look fast.
 *
 * Usage: image ROUNDS */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#define W 512
#define H 512

static uint8_t src[H][W], out[H][W], prev[H][W];
static uint16_t tmp[H][W];

static void fill(uint32_t seed) {
    uint32_t x = seed;
    for (int y = 0; y < H; y++)
        for (int i = 0; i < W; i++) {
            x ^= x << 13;
            x ^= x >> 17;
            x ^= x << 5;
            src[y][i] = (uint8_t)((x >> 8) + (uint32_t)(y * 3 + i));
        }
}

static void blur(void) {
    for (int y = 0; y < H; y++)
        for (int i = 1; i < W - 1; i++)
            tmp[y][i] = (uint16_t)(src[y][i - 1] + src[y][i] + src[y][i + 1]);
    for (int y = 1; y < H - 1; y++)
        for (int i = 1; i < W - 1; i++)
            out[y][i] = (uint8_t)((tmp[y - 1][i] + tmp[y][i] + tmp[y + 1][i]) / 9);
}

static void adjust(int gain, int bias) {
    for (int y = 0; y < H; y++)
        for (int i = 0; i < W; i++) {
            int v = ((out[y][i] * gain) >> 4) + bias;
            out[y][i] = (uint8_t)(v < 0 ? 0 : v > 255 ? 255 : v);
        }
}

static uint32_t sad(void) {
    uint32_t total = 0;
    for (int y = 0; y < H; y++)
        for (int i = 0; i < W; i++) {
            int d = out[y][i] - prev[y][i];
            total += (uint32_t)(d < 0 ? -d : d);
        }
    return total;
}

static void blend(uint8_t alpha) {
    for (int y = 0; y < H; y++)
        for (int i = 0; i < W; i++)
            prev[y][i] = (uint8_t)((out[y][i] * alpha + prev[y][i] * (255 - alpha)) / 255);
}

static uint32_t checksum(void) {
    uint32_t a = 1, b = 0;
    for (int y = 0; y < H; y++) {
        uint32_t row = 0;
        for (int i = 0; i < W; i++) row += out[y][i] ^ prev[y][i];
        a = (a + row) % 65521;
        b = (b + a) % 65521;
    }
    return b << 16 | a;
}

int main(int argc, char **argv) {
    int rounds = argc > 1 ? atoi(argv[1]) : 10;
    uint32_t sads = 0;
    fill(12345);
    for (int r = 0; r < rounds; r++) {
        blur();
        adjust(18 + r % 5, -10 + r % 7);
        sads += sad();
        blend((uint8_t)(64 + r % 128));
        /* Feed the result back so that every round depends on the last. */
        for (int y = 0; y < H; y++)
            for (int i = 0; i < W; i++) src[y][i] = (uint8_t)(out[y][i] ^ (uint8_t)r);
    }
    printf("image %d rounds: sad %08x checksum %08x\n", rounds, sads, checksum());
    return 0;
}
