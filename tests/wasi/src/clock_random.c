// Clocks, sleeping (poll_oneoff) and random_get; prints only facts that hold on every run.
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static long long ns(struct timespec t) { return t.tv_sec * 1000000000LL + t.tv_nsec; }

int main(void) {
    struct timespec a, b, res, wall;
    clock_gettime(CLOCK_MONOTONIC, &a);
    struct timespec nap = {0, 20 * 1000 * 1000};
    nanosleep(&nap, NULL);
    clock_gettime(CLOCK_MONOTONIC, &b);
    long long slept = ns(b) - ns(a);
    printf("slept at least 20ms: %s\n", slept >= 20000000 ? "yes" : "no");
    printf("slept less than 5s: %s\n", slept < 5000000000LL ? "yes" : "no");
    clock_getres(CLOCK_MONOTONIC, &res);
    printf("resolution positive: %s\n", ns(res) > 0 ? "yes" : "no");
    clock_gettime(CLOCK_REALTIME, &wall);
    printf("after 2020: %s\n", wall.tv_sec > 1577836800 ? "yes" : "no");
    printf("time() agrees: %s\n", labs((long)(time(NULL) - wall.tv_sec)) <= 2 ? "yes" : "no");

    unsigned char x[32], y[32];
    if (getentropy(x, sizeof x) != 0 || getentropy(y, sizeof y) != 0) {
        perror("getentropy");
        return 1;
    }
    printf("random buffers differ: %s\n", memcmp(x, y, sizeof x) != 0 ? "yes" : "no");
    int histogram[2] = {0, 0};
    for (int i = 0; i < 1000; i++)
        histogram[arc4random() & 1]++;
    printf("arc4random mixes: %s\n", histogram[0] > 300 && histogram[1] > 300 ? "yes" : "no");
    return 0;
}
