// Opening the preopen itself (issue group 3), after wasmtime's path_open_preopen: "." with
// the rights the preopen has, with none, with O_DIRECTORY, and the EISDIR/EINVAL cases.
// Run with a preopen at fd 3 holding `sub/`.
#include <dirent.h>
#include <fcntl.h>
#include <unistd.h>
#include "conf.h"

static __wasi_errno_t try_open(const char *path, __wasi_oflags_t oflags, __wasi_rights_t base,
                               __wasi_rights_t inheriting) {
    __wasi_fd_t fd;
    __wasi_errno_t e = __wasi_path_open(DIR_FD, 0, path, oflags, base, inheriting, 0, &fd);
    if (e == 0) {
        __wasi_fdstat_t st;
        if (__wasi_fd_fdstat_get(fd, &st) != 0 || st.fs_filetype != __WASI_FILETYPE_DIRECTORY)
            printf("FAIL %s: not a directory\n", path);
        (void)__wasi_fd_close(fd);
    }
    return e;
}

int main(void) {
    __wasi_prestat_t pre;
    expect_errno("fd 3 is a preopen", __wasi_fd_prestat_get(DIR_FD, &pre), 0);
    __wasi_fdstat_t st;
    expect_errno("fdstat of the preopen", __wasi_fd_fdstat_get(DIR_FD, &st), 0);
    __wasi_rights_t base = st.fs_rights_base, inh = st.fs_rights_inheriting;
    expect_errno("open . with the same rights", try_open(".", 0, base, inh), 0);
    expect_errno("open . O_DIRECTORY with the same rights",
                 try_open(".", __WASI_OFLAGS_DIRECTORY, base, inh), 0);
    expect_errno("open . with no rights", try_open(".", 0, 0, 0), 0);
    expect_errno("open . O_DIRECTORY with no rights", try_open(".", __WASI_OFLAGS_DIRECTORY, 0, 0),
                 0);
    expect_errno("open . O_DIRECTORY with fd_read",
                 try_open(".", __WASI_OFLAGS_DIRECTORY, __WASI_RIGHTS_FD_READ, 0), 0);
    expect_errno("open . O_DIRECTORY with fd_read|fd_write",
                 try_open(".", __WASI_OFLAGS_DIRECTORY,
                          __WASI_RIGHTS_FD_READ | __WASI_RIGHTS_FD_WRITE, 0),
                 __WASI_ERRNO_ISDIR);
    expect_errno("open . O_DIRECTORY|O_TRUNC",
                 try_open(".", __WASI_OFLAGS_DIRECTORY | __WASI_OFLAGS_TRUNC, 0, 0),
                 __WASI_ERRNO_INVAL);
    expect_errno("open ./ with the same rights", try_open("./", 0, base, inh), 0);
    expect_errno("open sub/.. with the same rights", try_open("sub/..", 0, base, inh), 0);
    expect_errno("open .. is not capable", try_open("..", 0, base, inh), __WASI_ERRNO_NOTCAPABLE);

    // A descriptor for "." works like the preopen: open through it, list it.
    __wasi_fd_t dot;
    expect_errno("open . again", __wasi_path_open(DIR_FD, 0, ".", 0, base, inh, 0, &dot), 0);
    __wasi_fd_t sub;
    expect_errno("open sub through .",
                 __wasi_path_open(dot, 0, "sub", __WASI_OFLAGS_DIRECTORY, base, inh, 0, &sub), 0);
    expect_errno("close sub", __wasi_fd_close(sub), 0);
    expect_errno("open .. through . is not capable",
                 __wasi_path_open(dot, 0, "..", 0, base, inh, 0, &sub), __WASI_ERRNO_NOTCAPABLE);
    expect_errno("close .", __wasi_fd_close(dot), 0);

    // wasi-libc: opendir on the preopen's own name and on ".".
    DIR *d = opendir("/d");
    int names = 0;
    if (d) {
        while (readdir(d))
            names++;
        closedir(d);
    }
    expect("libc: opendir(\"/d\") lists sub, . and ..", names == 3);
    int fd = open("/d/.", O_RDONLY | O_DIRECTORY);
    expect("libc: open(\"/d/.\", O_DIRECTORY)", fd >= 0);
    close(fd);
    return conf_done();
}
