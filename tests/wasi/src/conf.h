// Shared by the conformance programs (conf_*.c): each check prints `ok NAME` or
// `FAIL NAME: ...`, and `conf_done` prints `N checks, F failed` and exits 1 if any failed.
// Most checks call WASI directly (the logic of wasmtime's Rust preview1 tests, written in C
// since there is no Rust for wasm here); the `libc:` ones go through wasi-libc as a C
// program would.
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <wasi/api.h>

static int conf_checks, conf_failures;

static void conf_result(const char *name, int ok, const char *why) {
    conf_checks++;
    if (ok) {
        printf("ok %s\n", name);
    } else {
        conf_failures++;
        printf("FAIL %s: %s\n", name, why);
    }
}

// A WASI call's errno must be `want`.
static void expect_errno(const char *name, __wasi_errno_t got, __wasi_errno_t want) {
    char why[64];
    snprintf(why, sizeof why, "errno %d, want %d", got, want);
    conf_result(name, got == want, why);
}

__attribute__((unused)) static void expect(const char *name, int cond) { conf_result(name, cond, "false"); }

// A libc call failed (-1) with `want` as errno.
__attribute__((unused)) static void expect_libc_errno(const char *name, int ret, int want) {
    char why[96];
    int e = errno;
    snprintf(why, sizeof why, "returned %d, errno %d (%s), want %d", ret, e, strerror(e), want);
    conf_result(name, ret == -1 && e == want, why);
}

static int conf_done(void) {
    printf("%d checks, %d failed\n", conf_checks, conf_failures);
    return conf_failures ? 1 : 0;
}

// The first preopened directory (wasi-libc puts it at 3; the tests preopen one).
#define DIR_FD 3

static __wasi_fd_t open_at(__wasi_fd_t dir, const char *path, __wasi_oflags_t oflags,
                           __wasi_rights_t base, __wasi_rights_t inheriting,
                           __wasi_errno_t *err) {
    __wasi_fd_t fd = (__wasi_fd_t)-1;
    *err = __wasi_path_open(dir, 0, path, oflags, base, inheriting, 0, &fd);
    return fd;
}

__attribute__((unused)) static void create_file(const char *path, const char *contents) {
    __wasi_errno_t e;
    __wasi_fd_t fd = open_at(DIR_FD, path, __WASI_OFLAGS_CREAT | __WASI_OFLAGS_TRUNC,
                             __WASI_RIGHTS_FD_WRITE, 0, &e);
    if (e != 0) {
        printf("FAIL setup: create %s: errno %d\n", path, e);
        return;
    }
    __wasi_ciovec_t iov = {(const uint8_t *)contents, strlen(contents)};
    __wasi_size_t n;
    if (__wasi_fd_write(fd, &iov, 1, &n) != 0)
        printf("FAIL setup: write %s\n", path);
    (void)__wasi_fd_close(fd);
}
