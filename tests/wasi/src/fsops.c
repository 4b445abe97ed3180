// Exercises the path_ and fd_ file-system calls inside the directory given as argv[1]:
// mkdir, rename, stat, symlink/readlink, link, truncate, pwrite, utimes, append flags,
// fd_renumber, fsync, fallocate, fadvise, unlink and rmdir. Prints one line per step.
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <unistd.h>
#include <wasi/api.h>

static char path_buf[4][512];
static const char *base;

// Paths under argv[1]; four rotating buffers so a call can take two of them.
static const char *p(const char *rel) {
    static int next;
    char *buf = path_buf[next++ % 4];
    snprintf(buf, sizeof path_buf[0], "%s/%s", base, rel);
    return buf;
}

static void check(const char *what, int ok) {
    printf("%s: %s\n", what, ok ? "ok" : strerror(errno));
}

static long long size_of(const char *rel) {
    struct stat st;
    return stat(p(rel), &st) == 0 ? (long long)st.st_size : -1;
}

int main(int argc, char **argv) {
    if (argc != 2) { fprintf(stderr, "usage: fsops DIR\n"); return 2; }
    base = argv[1];

    check("mkdir d", mkdir(p("d"), 0755) == 0);
    check("mkdir d again fails", mkdir(p("d"), 0755) != 0 && errno == EEXIST);
    int fd = open(p("d/a.txt"), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    check("create d/a.txt", fd >= 0);
    check("write hello", write(fd, "hello", 5) == 5);
    check("fsync", fsync(fd) == 0);
    check("fdatasync", fdatasync(fd) == 0);
    close(fd);
    check("rename a.txt -> b.txt", rename(p("d/a.txt"), p("d/b.txt")) == 0);
    check("a.txt gone", access(p("d/a.txt"), F_OK) != 0 && errno == ENOENT);
    printf("size b.txt: %lld\n", size_of("d/b.txt"));

    check("symlink link -> b.txt", symlink("b.txt", p("d/link")) == 0);
    char target[64] = {0};
    ssize_t n = readlink(p("d/link"), target, sizeof target - 1);
    printf("readlink: %s\n", n > 0 ? target : "(failed)");
    struct stat st;
    check("lstat sees a link", lstat(p("d/link"), &st) == 0 && S_ISLNK(st.st_mode));
    check("stat follows the link", stat(p("d/link"), &st) == 0 && S_ISREG(st.st_mode));
    fd = open(p("d/link"), O_RDONLY);
    char buf[16] = {0};
    check("read through link", fd >= 0 && read(fd, buf, sizeof buf) == 5 && !strcmp(buf, "hello"));
    close(fd);

    check("hard link", link(p("d/b.txt"), p("d/hard")) == 0);
    check("nlink is 2", stat(p("d/b.txt"), &st) == 0 && st.st_nlink == 2);

    fd = open(p("d/b.txt"), O_RDWR);
    check("truncate to 2", ftruncate(fd, 2) == 0);
    printf("size after truncate: %lld\n", size_of("d/b.txt"));
    check("pwrite at 10", pwrite(fd, "xy", 2, 10) == 2);
    printf("size after pwrite: %lld\n", size_of("d/b.txt"));
    check("lseek/tell", lseek(fd, 1, SEEK_SET) == 1 && lseek(fd, 0, SEEK_CUR) == 1);
    check("fallocate", posix_fallocate(fd, 0, 100) == 0);
    printf("size after fallocate: %lld\n", size_of("d/b.txt"));
    check("fadvise", posix_fadvise(fd, 0, 0, POSIX_FADV_SEQUENTIAL) == 0);
    check("set O_APPEND", fcntl(fd, F_SETFL, O_APPEND) == 0);
    check("O_APPEND reported", (fcntl(fd, F_GETFL) & O_APPEND) != 0);
    check("append write", write(fd, "END", 3) == 3);
    printf("size after append: %lld\n", size_of("d/b.txt"));

    // fd_renumber moves a descriptor onto another open number (dup2 in spirit).
    int other = open(p("d/hard"), O_RDONLY);
    check("fd_renumber", __wasi_fd_renumber(fd, other) == 0);
    check("old number closed", close(fd) != 0 && errno == EBADF);
    check("new number works", lseek(other, 0, SEEK_END) == 103);
    close(other);

    struct timeval times[2] = {{1000000000, 0}, {1000000000, 0}};
    check("utimes", utimes(p("d/b.txt"), times) == 0);
    check("mtime set", stat(p("d/b.txt"), &st) == 0 && st.st_mtim.tv_sec == 1000000000);
    // (UTIME_NOW is not exercised here: Debian's wasi-libc 19 sends it as timestamp 0.)
    fd = open(p("d/b.txt"), O_RDONLY);
    struct timespec later[2] = {{1500000000, 0}, {1500000000, 5}};
    check("futimens", futimens(fd, later) == 0);
    close(fd);
    check("mtime set by futimens", stat(p("d/b.txt"), &st) == 0 && st.st_mtim.tv_sec == 1500000000);

    check("rmdir non-empty fails", rmdir(p("d")) != 0 && errno == ENOTEMPTY);
    check("unlink link", unlink(p("d/link")) == 0);
    check("unlink hard", unlink(p("d/hard")) == 0);
    check("unlink b.txt", unlink(p("d/b.txt")) == 0);
    check("unlink dir fails", unlink(p("d")) != 0);
    check("rmdir d", rmdir(p("d")) == 0);
    check("d gone", access(p("d"), F_OK) != 0 && errno == ENOENT);
    return 0;
}
