// Sockets (issue group 4). Without arguments: sock_shutdown, sock_recv, sock_send and
// sock_accept on descriptors that are not sockets are ENOTSOCK, on closed ones EBADF
// (run with an empty preopen at fd 3). With `echo N`: finds the preopened listening socket
// (`--tcplisten`), accepts N connections and echoes each one's bytes back until the peer
// shuts down its side: odd connections with sock_recv/sock_send, even ones with wasi-libc's
// read/write (fd_read/fd_write) and shutdown.
#include <fcntl.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <unistd.h>
#include "conf.h"

#define E(x) __WASI_ERRNO_##x

static __wasi_errno_t recv_on(__wasi_fd_t fd) {
    uint8_t buf[16];
    __wasi_iovec_t iov = {buf, sizeof buf};
    __wasi_size_t n;
    __wasi_roflags_t flags;
    return __wasi_sock_recv(fd, &iov, 1, 0, &n, &flags);
}

static __wasi_errno_t send_on(__wasi_fd_t fd) {
    __wasi_ciovec_t iov = {(const uint8_t *)"x", 1};
    __wasi_size_t n;
    return __wasi_sock_send(fd, &iov, 1, 0, &n);
}

static void all_four(const char *what, __wasi_fd_t fd, __wasi_errno_t want) {
    char name[80];
    __wasi_fd_t out;
    snprintf(name, sizeof name, "sock_shutdown on %s", what);
    expect_errno(name, __wasi_sock_shutdown(fd, __WASI_SDFLAGS_WR), want);
    snprintf(name, sizeof name, "sock_recv on %s", what);
    expect_errno(name, recv_on(fd), want);
    snprintf(name, sizeof name, "sock_send on %s", what);
    expect_errno(name, send_on(fd), want);
    snprintf(name, sizeof name, "sock_accept on %s", what);
    expect_errno(name, __wasi_sock_accept(fd, 0, &out), want);
}

static int not_sockets(void) {
    create_file("file", "contents");
    __wasi_fd_t file;
    __wasi_errno_t e = __wasi_path_open(DIR_FD, 0, "file", 0,
                                        __WASI_RIGHTS_FD_READ | __WASI_RIGHTS_FD_WRITE, 0, 0, &file);
    expect_errno("open file", e, 0);
    all_four("a regular file", file, E(NOTSOCK));
    // A file without read/write rights is still ENOTSOCK, not ENOTCAPABLE.
    expect_errno("drop all rights", __wasi_fd_fdstat_set_rights(file, 0, 0), 0);
    all_four("a file without rights", file, E(NOTSOCK));
    all_four("a directory", DIR_FD, E(NOTSOCK));
    all_four("stdin", 0, E(NOTSOCK));
    all_four("stdout", 1, E(NOTSOCK));
    expect_errno("close file", __wasi_fd_close(file), 0);
    all_four("a closed descriptor", file, E(BADF));
    all_four("a never-opened descriptor", 1000, E(BADF));

    // Through wasi-libc.
    int fd = open("/d/file", O_RDONLY);
    char c;
    expect_libc_errno("libc: shutdown on a file", shutdown(fd, SHUT_RDWR), ENOTSOCK);
    expect_libc_errno("libc: recv on a file", (int)recv(fd, &c, 1, 0), ENOTSOCK);
    expect_libc_errno("libc: send on a file", (int)send(fd, "x", 1, 0), ENOTSOCK);
    expect_libc_errno("libc: accept on a file", accept(fd, NULL, NULL), ENOTSOCK);
    close(fd);
    expect_libc_errno("libc: shutdown on a closed fd", shutdown(fd, SHUT_RDWR), EBADF);
    expect_libc_errno("libc: recv on a closed fd", (int)recv(fd, &c, 1, 0), EBADF);
    return conf_done();
}

static __wasi_fd_t find_listener(void) {
    for (__wasi_fd_t fd = 3; fd < 64; fd++) {
        __wasi_fdstat_t st;
        if (__wasi_fd_fdstat_get(fd, &st) == 0 && st.fs_filetype == __WASI_FILETYPE_SOCKET_STREAM)
            return fd;
    }
    return (__wasi_fd_t)-1;
}

// One connection with the raw calls; returns the bytes echoed, -1 on error.
static long echo_raw(__wasi_fd_t conn) {
    long total = 0;
    uint8_t buf[4096];
    for (;;) {
        __wasi_iovec_t iov = {buf, sizeof buf};
        __wasi_size_t n;
        __wasi_roflags_t flags;
        __wasi_errno_t e = __wasi_sock_recv(conn, &iov, 1, 0, &n, &flags);
        if (e != 0) {
            printf("sock_recv: errno %d\n", e);
            return -1;
        }
        if (n == 0)
            break;
        for (__wasi_size_t done = 0; done < n;) {
            __wasi_ciovec_t out = {buf + done, n - done};
            __wasi_size_t sent;
            e = __wasi_sock_send(conn, &out, 1, 0, &sent);
            if (e != 0) {
                printf("sock_send: errno %d\n", e);
                return -1;
            }
            done += sent;
        }
        total += n;
    }
    if (__wasi_sock_shutdown(conn, __WASI_SDFLAGS_WR) != 0)
        printf("sock_shutdown failed\n");
    return total;
}

// One connection through wasi-libc's read/write/shutdown.
static long echo_libc(int conn) {
    long total = 0;
    char buf[4096];
    ssize_t n;
    while ((n = read(conn, buf, sizeof buf)) > 0) {
        for (ssize_t done = 0; done < n;) {
            ssize_t w = write(conn, buf + done, (size_t)(n - done));
            if (w < 0)
                return -1;
            done += w;
        }
        total += n;
    }
    if (n < 0)
        return -1;
    if (shutdown(conn, SHUT_WR) != 0)
        printf("shutdown failed\n");
    return total;
}

static int echo(int count) {
    __wasi_fd_t listener = find_listener();
    if (listener == (__wasi_fd_t)-1) {
        printf("no listening socket\n");
        return 2;
    }
    for (int i = 1; i <= count; i++) {
        // Wait for the connection with poll_oneoff first (fd_read readiness on a listener,
        // against a 30 s clock); only a failure is printed.
        __wasi_subscription_t subs[2];
        memset(subs, 0, sizeof subs);
        subs[0].userdata = 1;
        subs[0].u.tag = __WASI_EVENTTYPE_FD_READ;
        subs[0].u.u.fd_read.file_descriptor = listener;
        subs[1].userdata = 2;
        subs[1].u.tag = __WASI_EVENTTYPE_CLOCK;
        subs[1].u.u.clock.id = __WASI_CLOCKID_MONOTONIC;
        subs[1].u.u.clock.timeout = 30000000000ull;
        __wasi_event_t ev[2];
        __wasi_size_t nev = 0;
        __wasi_errno_t e = __wasi_poll_oneoff(subs, ev, 2, &nev);
        if (e != 0 || nev != 1 || ev[0].userdata != 1 || ev[0].error != 0)
            printf("poll_oneoff on the listener: errno %d, %u events\n", e, (unsigned)nev);
        __wasi_fd_t conn;
        e = __wasi_sock_accept(listener, 0, &conn);
        if (e != 0) {
            printf("sock_accept: errno %d\n", e);
            return 1;
        }
        __wasi_fdstat_t st;
        if (__wasi_fd_fdstat_get(conn, &st) != 0 || st.fs_filetype != __WASI_FILETYPE_SOCKET_STREAM ||
            !(st.fs_rights_base & __WASI_RIGHTS_SOCK_SHUTDOWN))
            printf("accepted descriptor looks wrong\n");
        long n = i % 2 ? echo_raw(conn) : echo_libc((int)conn);
        printf("connection %d: echoed %ld bytes\n", i, n);
        (void)__wasi_fd_close(conn);
    }
    return 0;
}

int main(int argc, char **argv) {
    if (argc == 3 && strcmp(argv[1], "echo") == 0)
        return echo(atoi(argv[2]));
    return not_sockets();
}
