// Prints a greeting: the smallest WASI command (fd_write on stdout, proc_exit 0).
#include <stdio.h>

int main(void) {
    printf("Hello, world!\n");
    return 0;
}
