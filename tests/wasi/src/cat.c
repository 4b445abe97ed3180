// Prints the files named on the command line (paths resolve through preopened directories),
// or stdin when there are none.
#include <stdio.h>

int main(int argc, char **argv) {
    if (argc < 2) {
        int c;
        while ((c = getchar()) != EOF)
            putchar(c);
        return 0;
    }
    for (int i = 1; i < argc; i++) {
        FILE *f = fopen(argv[i], "rb");
        if (!f) {
            perror(argv[i]);
            return 1;
        }
        char buf[4096];
        size_t n;
        while ((n = fread(buf, 1, sizeof buf, f)) > 0)
            fwrite(buf, 1, n, stdout);
        fclose(f);
    }
    return 0;
}
