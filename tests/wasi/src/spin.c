// Loops forever: stopped only by --fuel (or a signal).
#include <stdio.h>

int main(void) {
    printf("spinning\n");
    fflush(stdout);
    volatile unsigned long n = 0;
    for (;;)
        n++;
}
