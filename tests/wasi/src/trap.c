// Traps three calls deep, so the backtrace shows function names from the name section.
#include <stdio.h>

__attribute__((noinline)) static void crash_here(int depth) {
    if (depth > 0)
        __builtin_trap();
}

__attribute__((noinline)) void middle(int depth) {
    crash_here(depth);
    printf("not reached\n");
}

int main(int argc, char **argv) {
    (void)argv;
    printf("about to trap\n");
    fflush(stdout);
    middle(argc);
    return 0;
}
