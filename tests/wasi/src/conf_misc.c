// The rest of the preview1 surface checked against wasmtime's behaviour: poll_oneoff with
// clocks and fd readiness, fd_readdir cookies on a large directory, path_filestat_set_times
// with the NOW flags, fd_advise/fd_allocate, and symlink loops (ELOOP). Run with an empty
// preopen at fd 3.
#include <dirent.h>
#include <fcntl.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>
#include "conf.h"

#define E(x) __WASI_ERRNO_##x

static __wasi_timestamp_t now(__wasi_clockid_t id) {
    __wasi_timestamp_t t = 0;
    if (__wasi_clock_time_get(id, 1, &t) != 0)
        printf("FAIL setup: clock %u\n", id);
    return t;
}

static __wasi_subscription_t clock_sub(__wasi_userdata_t ud, __wasi_clockid_t id,
                                       __wasi_timestamp_t timeout, __wasi_subclockflags_t flags) {
    __wasi_subscription_t s;
    memset(&s, 0, sizeof s);
    s.userdata = ud;
    s.u.tag = __WASI_EVENTTYPE_CLOCK;
    s.u.u.clock.id = id;
    s.u.u.clock.timeout = timeout;
    s.u.u.clock.flags = flags;
    return s;
}

static __wasi_subscription_t fd_sub(__wasi_userdata_t ud, __wasi_eventtype_t type,
                                    __wasi_fd_t fd) {
    __wasi_subscription_t s;
    memset(&s, 0, sizeof s);
    s.userdata = ud;
    s.u.tag = type;
    s.u.u.fd_read.file_descriptor = fd; // fd_read and fd_write have the same layout
    return s;
}

#define MS 1000000ull

static void poll_checks(void) {
    __wasi_event_t ev[4];
    __wasi_size_t n = 0;
    __wasi_subscription_t subs[4];

    __wasi_timestamp_t t0 = now(__WASI_CLOCKID_MONOTONIC);
    subs[0] = clock_sub(7, __WASI_CLOCKID_MONOTONIC, 20 * MS, 0);
    expect_errno("poll: one relative clock", __wasi_poll_oneoff(subs, ev, 1, &n), 0);
    expect("poll: it fires after its timeout",
           n == 1 && ev[0].userdata == 7 && ev[0].type == __WASI_EVENTTYPE_CLOCK &&
               ev[0].error == 0 && now(__WASI_CLOCKID_MONOTONIC) - t0 >= 20 * MS);

    subs[0] = clock_sub(1, __WASI_CLOCKID_MONOTONIC, 5 * MS, 0);
    subs[1] = clock_sub(2, __WASI_CLOCKID_MONOTONIC, 5000 * MS, 0);
    expect_errno("poll: two clocks", __wasi_poll_oneoff(subs, ev, 2, &n), 0);
    expect("poll: only the earlier fires", n == 1 && ev[0].userdata == 1);

    t0 = now(__WASI_CLOCKID_MONOTONIC);
    subs[0] = clock_sub(3, __WASI_CLOCKID_MONOTONIC, t0 + 15 * MS,
                        __WASI_SUBCLOCKFLAGS_SUBSCRIPTION_CLOCK_ABSTIME);
    expect_errno("poll: absolute monotonic deadline", __wasi_poll_oneoff(subs, ev, 1, &n), 0);
    expect("poll: fires at the deadline",
           n == 1 && ev[0].userdata == 3 && now(__WASI_CLOCKID_MONOTONIC) >= t0 + 15 * MS);

    subs[0] = clock_sub(4, __WASI_CLOCKID_REALTIME, 5 * MS, 0);
    expect_errno("poll: realtime relative clock", __wasi_poll_oneoff(subs, ev, 1, &n), 0);
    expect("poll: realtime fires", n == 1 && ev[0].userdata == 4);

    subs[0] = clock_sub(5, __WASI_CLOCKID_REALTIME, 0, __WASI_SUBCLOCKFLAGS_SUBSCRIPTION_CLOCK_ABSTIME);
    expect_errno("poll: absolute time in the past", __wasi_poll_oneoff(subs, ev, 1, &n), 0);
    expect("poll: fires at once", n == 1 && ev[0].userdata == 5);

    subs[0] = clock_sub(6, 99, 0, 0);
    expect_errno("poll: unknown clock", __wasi_poll_oneoff(subs, ev, 1, &n), E(INVAL));
    expect_errno("poll: no subscriptions", __wasi_poll_oneoff(subs, ev, 0, &n), E(INVAL));

    // Regular files are always ready, for reading and writing (wasmtime's poll_oneoff_files).
    create_file("polled", "data");
    __wasi_fd_t f;
    __wasi_errno_t e = __wasi_path_open(DIR_FD, 0, "polled", 0,
                                        __WASI_RIGHTS_FD_READ | __WASI_RIGHTS_FD_WRITE |
                                            __WASI_RIGHTS_POLL_FD_READWRITE,
                                        0, 0, &f);
    expect_errno("poll: open a file", e, 0);
    subs[0] = fd_sub(10, __WASI_EVENTTYPE_FD_READ, f);
    subs[1] = fd_sub(11, __WASI_EVENTTYPE_FD_WRITE, f);
    subs[2] = clock_sub(12, __WASI_CLOCKID_MONOTONIC, 5000 * MS, 0);
    t0 = now(__WASI_CLOCKID_MONOTONIC);
    expect_errno("poll: file read+write and a long clock", __wasi_poll_oneoff(subs, ev, 3, &n), 0);
    int seen = 0;
    for (__wasi_size_t i = 0; i < n; i++) {
        if (ev[i].userdata == 10 && ev[i].type == __WASI_EVENTTYPE_FD_READ && ev[i].error == 0)
            seen |= 1;
        if (ev[i].userdata == 11 && ev[i].type == __WASI_EVENTTYPE_FD_WRITE && ev[i].error == 0)
            seen |= 2;
        if (ev[i].userdata == 12)
            seen |= 4;
    }
    expect("poll: both file events at once, not the clock",
           n == 2 && seen == 3 && now(__WASI_CLOCKID_MONOTONIC) - t0 < 1000 * MS);
    expect_errno("poll: drop poll_fd_readwrite",
                 __wasi_fd_fdstat_set_rights(f, __WASI_RIGHTS_FD_READ, 0), 0);
    subs[0] = fd_sub(13, __WASI_EVENTTYPE_FD_READ, f);
    expect_errno("poll: fd without the right", __wasi_poll_oneoff(subs, ev, 1, &n), 0);
    expect("poll: reported as ENOTCAPABLE", n == 1 && ev[0].error == E(NOTCAPABLE));
    (void)__wasi_fd_close(f);
    subs[0] = fd_sub(14, __WASI_EVENTTYPE_FD_READ, f);
    expect_errno("poll: closed fd", __wasi_poll_oneoff(subs, ev, 1, &n), 0);
    expect("poll: reported as EBADF", n == 1 && ev[0].error == E(BADF));
    // stdin (an empty in-memory stream here) is ready.
    subs[0] = fd_sub(15, __WASI_EVENTTYPE_FD_READ, 0);
    expect_errno("poll: stdin", __wasi_poll_oneoff(subs, ev, 1, &n), 0);
    expect("poll: stdin ready", n == 1 && ev[0].userdata == 15 && ev[0].error == 0);
}

#define NFILES 600

// Reads the whole directory `fd` with a `len`-byte buffer, resuming from cookies; counts
// each `big-N` name in seen[]. Returns the number of entries, -1 on error.
static int read_dir(__wasi_fd_t fd, size_t len, unsigned char *seen, __wasi_dircookie_t start) {
    static uint8_t buf[4096];
    __wasi_dircookie_t cookie = start;
    int entries = 0;
    for (;;) {
        __wasi_size_t used;
        if (__wasi_fd_readdir(fd, buf, len, cookie, &used) != 0)
            return -1;
        size_t at = 0;
        while (at + sizeof(__wasi_dirent_t) <= used) {
            __wasi_dirent_t d;
            memcpy(&d, buf + at, sizeof d);
            if (at + sizeof d + d.d_namlen > used)
                break; // cut short: read again from `cookie`
            char name[64] = {0};
            memcpy(name, buf + at + sizeof d, d.d_namlen < 63 ? d.d_namlen : 63);
            if (strncmp(name, "big-", 4) == 0) {
                int i = atoi(name + 4);
                if (i >= 0 && i < NFILES)
                    seen[i]++;
            }
            entries++;
            cookie = d.d_next;
            at += sizeof d + d.d_namlen;
        }
        if (used < len)
            return entries;
    }
}

static void readdir_checks(void) {
    if (__wasi_path_create_directory(DIR_FD, "big") != 0)
        printf("FAIL setup: mkdir big\n");
    for (int i = 0; i < NFILES; i++) {
        char name[48];
        snprintf(name, sizeof name, "big/big-%d%.*s", i, i % 13, "-------------");
        create_file(name, "");
    }
    __wasi_fd_t dir;
    __wasi_errno_t e = __wasi_path_open(DIR_FD, 0, "big", __WASI_OFLAGS_DIRECTORY,
                                        __WASI_RIGHTS_FD_READDIR, 0, 0, &dir);
    expect_errno("readdir: open big", e, 0);
    static const size_t lens[] = {48, 64, 100, 257, 4096}; // each > the longest entry (24 + 19)
    for (size_t k = 0; k < sizeof lens / sizeof lens[0]; k++) {
        static unsigned char seen[NFILES];
        memset(seen, 0, sizeof seen);
        int entries = read_dir(dir, lens[k], seen, 0);
        int once = 1;
        for (int i = 0; i < NFILES; i++)
            once &= seen[i] == 1;
        char name[64];
        snprintf(name, sizeof name, "readdir: buffer of %zu sees every entry once", lens[k]);
        expect(name, entries == NFILES + 2 && once);
    }
    // A cookie from the middle resumes there: the tail is the rest of the listing.
    uint8_t buf[256];
    __wasi_size_t used;
    expect_errno("readdir: first page", __wasi_fd_readdir(dir, buf, sizeof buf, 0, &used), 0);
    __wasi_dirent_t d;
    memcpy(&d, buf, sizeof d);
    static unsigned char seen[NFILES];
    memset(seen, 0, sizeof seen);
    int tail = read_dir(dir, 512, seen, d.d_next);
    expect("readdir: resuming after the first entry", tail == NFILES + 1);
    (void)__wasi_fd_close(dir);

    // wasi-libc's readdir, telldir and seekdir.
    DIR *dp = opendir("/d/big");
    int count = 0;
    long mark = -1;
    char at_mark[64] = {0};
    struct dirent *ent;
    while (dp && (ent = readdir(dp))) {
        if (++count == NFILES / 2) {
            mark = telldir(dp);
            struct dirent *next = readdir(dp);
            if (next) {
                snprintf(at_mark, sizeof at_mark, "%s", next->d_name);
                count++;
            }
        }
    }
    expect("libc: readdir counts every entry", count == NFILES + 2);
    if (dp) {
        seekdir(dp, mark);
        ent = readdir(dp);
        expect("libc: seekdir returns to the entry after telldir",
               ent && strcmp(ent->d_name, at_mark) == 0);
        closedir(dp);
    }
}

static void times_checks(void) {
    create_file("timed", "x");
    const __wasi_timestamp_t past = 1000000000ull * 1000000000ull + 123; // 2001
    __wasi_filestat_t st;
    expect_errno("utimes: atim explicit, mtim now",
                 __wasi_path_filestat_set_times(DIR_FD, 0, "timed", past, 0,
                                                __WASI_FSTFLAGS_ATIM | __WASI_FSTFLAGS_MTIM_NOW),
                 0);
    __wasi_timestamp_t wall = now(__WASI_CLOCKID_REALTIME);
    expect_errno("utimes: stat", __wasi_path_filestat_get(DIR_FD, 0, "timed", &st), 0);
    expect("utimes: atim is the one given", st.atim == past);
    expect("utimes: mtim is now", st.mtim + 10000 * MS > wall && st.mtim < wall + 10000 * MS);
    expect_errno("utimes: atim now, mtim explicit",
                 __wasi_path_filestat_set_times(DIR_FD, 0, "timed", 0, past,
                                                __WASI_FSTFLAGS_ATIM_NOW | __WASI_FSTFLAGS_MTIM),
                 0);
    expect_errno("utimes: stat again", __wasi_path_filestat_get(DIR_FD, 0, "timed", &st), 0);
    expect("utimes: now the other way round",
           st.mtim == past && st.atim + 10000 * MS > wall);
    expect_errno("utimes: mtim only leaves atim",
                 __wasi_path_filestat_set_times(DIR_FD, 0, "timed", 0, past + 1,
                                                __WASI_FSTFLAGS_MTIM),
                 0);
    __wasi_filestat_t st2;
    expect("utimes: atim untouched", __wasi_path_filestat_get(DIR_FD, 0, "timed", &st2) == 0 &&
                                         st2.atim == st.atim && st2.mtim == past + 1);
    expect_errno("utimes: ATIM with ATIM_NOW",
                 __wasi_path_filestat_set_times(DIR_FD, 0, "timed", 0, 0,
                                                __WASI_FSTFLAGS_ATIM | __WASI_FSTFLAGS_ATIM_NOW),
                 E(INVAL));
    expect_errno("utimes: MTIM with MTIM_NOW",
                 __wasi_path_filestat_set_times(DIR_FD, 0, "timed", 0, 0,
                                                __WASI_FSTFLAGS_MTIM | __WASI_FSTFLAGS_MTIM_NOW),
                 E(INVAL));
    // On a symlink without following: the link changes, not its target.
    if (__wasi_path_symlink("timed", DIR_FD, "timed_link") != 0)
        printf("FAIL setup: symlink\n");
    expect_errno("utimes: on the link itself",
                 __wasi_path_filestat_set_times(DIR_FD, 0, "timed_link", past, past,
                                                __WASI_FSTFLAGS_ATIM | __WASI_FSTFLAGS_MTIM),
                 0);
    expect("utimes: target untouched", __wasi_path_filestat_get(DIR_FD, 0, "timed", &st2) == 0 &&
                                           st2.mtim == past + 1);
    expect_errno("utimes: through the link",
                 __wasi_path_filestat_set_times(DIR_FD, __WASI_LOOKUPFLAGS_SYMLINK_FOLLOW,
                                                "timed_link", past, past + 2,
                                                __WASI_FSTFLAGS_ATIM | __WASI_FSTFLAGS_MTIM),
                 0);
    expect("utimes: target changed", __wasi_path_filestat_get(DIR_FD, 0, "timed", &st2) == 0 &&
                                         st2.mtim == past + 2);
    // The fd_ variant, with NOW.
    int fd = open("/d/timed", O_RDWR);
    expect_errno("futimes: now",
                 __wasi_fd_filestat_set_times(fd, 0, 0,
                                              __WASI_FSTFLAGS_ATIM_NOW | __WASI_FSTFLAGS_MTIM_NOW),
                 0);
    expect("futimes: mtim is now",
           __wasi_fd_filestat_get(fd, &st2) == 0 && st2.mtim + 10000 * MS > wall);
    close(fd);
}

static void advise_allocate_checks(void) {
    __wasi_fd_t f;
    __wasi_errno_t e = __wasi_path_open(DIR_FD, 0, "adv", __WASI_OFLAGS_CREAT,
                                        __WASI_RIGHTS_FD_READ | __WASI_RIGHTS_FD_WRITE |
                                            __WASI_RIGHTS_FD_ADVISE | __WASI_RIGHTS_FD_ALLOCATE |
                                            __WASI_RIGHTS_FD_FILESTAT_GET |
                                            __WASI_RIGHTS_FD_FILESTAT_SET_SIZE,
                                        0, 0, &f);
    expect_errno("advise: create", e, 0);
    expect_errno("set_size 100", __wasi_fd_filestat_set_size(f, 100), 0);
    int all = 1;
    for (__wasi_advice_t a = 0; a <= __WASI_ADVICE_NOREUSE; a++)
        all &= __wasi_fd_advise(f, 10, 50, a) == 0;
    expect("advise: every advice", all);
    expect_errno("advise: unknown advice", __wasi_fd_advise(f, 0, 0, 6), E(INVAL));
    expect_errno("advise: on a directory", __wasi_fd_advise(DIR_FD, 0, 0, 0), E(BADF));
    expect_errno("allocate 0..200", __wasi_fd_allocate(f, 0, 200), 0);
    __wasi_filestat_t st;
    expect("allocate: the file grew", __wasi_fd_filestat_get(f, &st) == 0 && st.size == 200);
    expect_errno("allocate: inside the file", __wasi_fd_allocate(f, 10, 10), 0);
    expect("allocate: never shrinks", __wasi_fd_filestat_get(f, &st) == 0 && st.size == 200);
    expect_errno("allocate: on a directory", __wasi_fd_allocate(DIR_FD, 0, 1), E(BADF));
    expect_errno("advise: drop fd_advise and fd_allocate",
                 __wasi_fd_fdstat_set_rights(f, __WASI_RIGHTS_FD_READ, 0), 0);
    expect_errno("advise: without the right", __wasi_fd_advise(f, 0, 0, 0), E(NOTCAPABLE));
    expect_errno("allocate: without the right", __wasi_fd_allocate(f, 0, 1), E(NOTCAPABLE));
    (void)__wasi_fd_close(f);
    int fd = open("/d/adv", O_RDONLY);
    expect("libc: posix_fadvise", posix_fadvise(fd, 0, 0, POSIX_FADV_RANDOM) == 0);
    close(fd);
}

static __wasi_errno_t open_follow(const char *path, int follow) {
    __wasi_fd_t fd;
    __wasi_errno_t e = __wasi_path_open(DIR_FD, follow ? __WASI_LOOKUPFLAGS_SYMLINK_FOLLOW : 0,
                                        path, 0, __WASI_RIGHTS_FD_READ, 0, 0, &fd);
    if (e == 0)
        (void)__wasi_fd_close(fd);
    return e;
}

static void loop_checks(void) {
    int ok = __wasi_path_symlink("loop2", DIR_FD, "loop1") == 0 &&
             __wasi_path_symlink("loop1", DIR_FD, "loop2") == 0 &&
             __wasi_path_symlink("self/x", DIR_FD, "self") == 0;
    create_file("target", "t");
    char name[16], to[16];
    // chain0 -> target, chainN -> chain(N-1): 30 links are fine, 45 are too many.
    for (int i = 0; i <= 45; i++) {
        snprintf(name, sizeof name, "chain%d", i);
        if (i == 0)
            snprintf(to, sizeof to, "target");
        else
            snprintf(to, sizeof to, "chain%d", i - 1);
        ok &= __wasi_path_symlink(to, DIR_FD, name) == 0;
    }
    expect("loops: set up", ok);
    expect_errno("loops: open loop1", open_follow("loop1", 1), E(LOOP));
    expect_errno("loops: open loop1 without following", open_follow("loop1", 0), E(LOOP));
    expect_errno("loops: open self", open_follow("self", 1), E(LOOP));
    expect_errno("loops: open loop1/x", open_follow("loop1/x", 0), E(LOOP));
    __wasi_filestat_t st;
    expect_errno("loops: stat loop1", __wasi_path_filestat_get(DIR_FD, 1, "loop1", &st), E(LOOP));
    expect_errno("loops: lstat loop1", __wasi_path_filestat_get(DIR_FD, 0, "loop1", &st), 0);
    expect("loops: it is a symlink", st.filetype == __WASI_FILETYPE_SYMBOLIC_LINK);
    expect_errno("loops: 30 links deep", open_follow("chain29", 1), 0);
    expect_errno("loops: 45 links deep", open_follow("chain44", 1), E(LOOP));
    expect_errno("loops: create through a loop",
                 __wasi_path_create_directory(DIR_FD, "loop1/sub"), E(LOOP));
    expect_errno("loops: unlink the loop itself", __wasi_path_unlink_file(DIR_FD, "loop2"), 0);
    expect_errno("loops: now dangling", open_follow("loop1", 1), E(NOENT));
    struct stat sb;
    expect_libc_errno("libc: stat(\"self\")", stat("/d/self", &sb), ELOOP);
    expect_libc_errno("libc: open(\"chain44\")", open("/d/chain44", O_RDONLY), ELOOP);
}

int main(void) {
    poll_checks();
    readdir_checks();
    times_checks();
    advise_allocate_checks();
    loop_checks();
    return conf_done();
}
