// Copies argv[1] to argv[2] with read/write, then checks the copy with stat and pread.
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

int main(int argc, char **argv) {
    if (argc != 3) {
        fprintf(stderr, "usage: copy FROM TO\n");
        return 2;
    }
    int in = open(argv[1], O_RDONLY);
    if (in < 0) { perror(argv[1]); return 1; }
    int out = open(argv[2], O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (out < 0) { perror(argv[2]); return 1; }
    char buf[1000]; // not a power of two: exercises partial blocks
    long total = 0;
    ssize_t n;
    while ((n = read(in, buf, sizeof buf)) > 0) {
        if (write(out, buf, n) != n) { perror("write"); return 1; }
        total += n;
    }
    close(in);
    close(out);
    struct stat st;
    if (stat(argv[2], &st) != 0) { perror("stat"); return 1; }
    printf("copied %ld bytes, size %lld\n", total, (long long)st.st_size);
    int check = open(argv[2], O_RDONLY);
    char first[6] = {0};
    if (pread(check, first, 5, 0) != 5) { perror("pread"); return 1; }
    printf("first bytes: %s\n", first);
    off_t end = lseek(check, 0, SEEK_END);
    printf("lseek end: %lld\n", (long long)end);
    close(check);
    return 0;
}
