// Tries to leave the preopened directory (fd 3) in every way the sandbox must stop, calling
// WASI directly so that wasi-libc's own path handling cannot hide what the host does.
// Prints `name: errno N` per attempt (0 = allowed, 76 = ENOTCAPABLE, 32 = ELOOP).
#include <stdio.h>
#include <string.h>
#include <wasi/api.h>

#define DIR_FD 3
#define RIGHTS_RW (__WASI_RIGHTS_FD_READ | __WASI_RIGHTS_FD_WRITE)

static void report(const char *name, __wasi_errno_t e) { printf("%s: errno %d\n", name, e); }

static __wasi_errno_t try_open(const char *path, int follow, int create) {
    __wasi_fd_t fd;
    __wasi_errno_t e = __wasi_path_open(DIR_FD, follow ? __WASI_LOOKUPFLAGS_SYMLINK_FOLLOW : 0,
                                        path, create ? __WASI_OFLAGS_CREAT : 0,
                                        create ? RIGHTS_RW : __WASI_RIGHTS_FD_READ, 0, 0, &fd);
    if (e == 0)
        (void)__wasi_fd_close(fd);
    return e;
}

int main(void) {
    report("open inside.txt", try_open("inside.txt", 1, 0));
    report("open ../outside.txt", try_open("../outside.txt", 1, 0));
    report("open sub/../../outside.txt", try_open("sub/../../outside.txt", 1, 0));
    report("open sub/../inside.txt", try_open("sub/../inside.txt", 1, 0));
    report("open /etc/passwd", try_open("/etc/passwd", 1, 0));
    report("open link_abs (-> absolute)", try_open("link_abs", 1, 0));
    report("open link_abs/x", try_open("link_abs/x", 1, 0));
    report("open link_up/outside.txt", try_open("link_up/outside.txt", 1, 0));
    report("open link_deep (-> sub/../../outside.txt)", try_open("link_deep", 1, 0));
    report("open link_in (-> sub/../inside.txt)", try_open("link_in", 1, 0));
    report("open loop1 (loop)", try_open("loop1", 1, 0));
    report("open link_abs nofollow", try_open("link_abs", 0, 0));
    report("create through dangling link", try_open("dangling", 1, 1));
    report("create ../created.txt", try_open("../created.txt", 1, 1));

    report("symlink to /etc/passwd", __wasi_path_symlink("/etc/passwd", DIR_FD, "mylink"));
    report("symlink to ../outside.txt", __wasi_path_symlink("../outside.txt", DIR_FD, "rel"));
    report("open rel (follow)", try_open("rel", 1, 0));
    report("rename to ../stolen.txt",
           __wasi_path_rename(DIR_FD, "inside.txt", DIR_FD, "../stolen.txt"));
    report("rename from ../outside.txt",
           __wasi_path_rename(DIR_FD, "../outside.txt", DIR_FD, "got.txt"));
    report("link to ../hard.txt", __wasi_path_link(DIR_FD, 0, "inside.txt", DIR_FD, "../hard.txt"));
    report("link from link_up/outside.txt",
           __wasi_path_link(DIR_FD, __WASI_LOOKUPFLAGS_SYMLINK_FOLLOW, "link_up/outside.txt",
                            DIR_FD, "hard.txt"));
    report("mkdir ../newdir", __wasi_path_create_directory(DIR_FD, "../newdir"));
    report("unlink ../outside.txt", __wasi_path_unlink_file(DIR_FD, "../outside.txt"));
    report("rmdir ..", __wasi_path_remove_directory(DIR_FD, ".."));
    __wasi_filestat_t st;
    report("stat ..", __wasi_path_filestat_get(DIR_FD, 0, "..", &st));
    report("stat link_up/ (follow)",
           __wasi_path_filestat_get(DIR_FD, __WASI_LOOKUPFLAGS_SYMLINK_FOLLOW, "link_up", &st));
    report("stat link_up (nofollow)", __wasi_path_filestat_get(DIR_FD, 0, "link_up", &st));
    report("set times ../outside.txt",
           __wasi_path_filestat_set_times(DIR_FD, 0, "../outside.txt", 0, 0,
                                          __WASI_FSTFLAGS_MTIM_NOW));
    return 0;
}
