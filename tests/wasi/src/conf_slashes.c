// Trailing slashes (issue group 2), with Linux's (and wasmtime's) rules: a path written
// with a trailing slash names a directory; file targets with one fail, directories are
// accepted. Run with an empty preopen at fd 3.
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>
#include "conf.h"

#define E(x) __WASI_ERRNO_##x
#define RD __WASI_RIGHTS_FD_READ

static __wasi_errno_t try_open(const char *path, __wasi_lookupflags_t follow,
                               __wasi_oflags_t oflags) {
    __wasi_fd_t fd;
    __wasi_errno_t e = __wasi_path_open(DIR_FD, follow, path, oflags, RD, 0, 0, &fd);
    if (e == 0)
        (void)__wasi_fd_close(fd);
    return e;
}

static int exists(const char *path) {
    __wasi_filestat_t st;
    return __wasi_path_filestat_get(DIR_FD, 0, path, &st) == 0;
}

static void open_and_stat(void) {
    expect_errno("open file/", try_open("file/", 1, 0), E(NOTDIR));
    expect_errno("open file/.", try_open("file/.", 1, 0), E(NOTDIR));
    expect_errno("open file/ O_CREAT", try_open("file/", 1, __WASI_OFLAGS_CREAT), E(ISDIR));
    expect_errno("open new/ O_CREAT", try_open("new/", 1, __WASI_OFLAGS_CREAT), E(ISDIR));
    expect("new/ was not created", !exists("new"));
    expect_errno("open missing/", try_open("missing/", 1, 0), E(NOENT));
    expect_errno("open dir/", try_open("dir/", 1, 0), 0);
    expect_errno("open dir/ O_DIRECTORY", try_open("dir/", 1, __WASI_OFLAGS_DIRECTORY), 0);
    expect_errno("open link_dir/ without follow", try_open("link_dir/", 0, 0), 0);
    expect_errno("open link_file/", try_open("link_file/", 1, 0), E(NOTDIR));
    expect_errno("open link_file", try_open("link_file", 1, 0), 0);
    __wasi_filestat_t st;
    expect_errno("stat file/", __wasi_path_filestat_get(DIR_FD, 1, "file/", &st), E(NOTDIR));
    expect_errno("stat dir/", __wasi_path_filestat_get(DIR_FD, 1, "dir/", &st), 0);
    expect_errno("lstat link_file/", __wasi_path_filestat_get(DIR_FD, 0, "link_file/", &st),
                 E(NOTDIR));
    expect_errno("utimes file/",
                 __wasi_path_filestat_set_times(DIR_FD, 1, "file/", 0, 0,
                                                __WASI_FSTFLAGS_MTIM_NOW),
                 E(NOTDIR));
    char buf[32];
    __wasi_size_t n;
    expect_errno("readlink link_file/",
                 __wasi_path_readlink(DIR_FD, "link_file/", (uint8_t *)buf, sizeof buf, &n),
                 E(NOTDIR));
}

static void unlink_rmdir(void) {
    expect_errno("unlink file/", __wasi_path_unlink_file(DIR_FD, "file/"), E(NOTDIR));
    expect("file/ was not unlinked", exists("file"));
    expect_errno("unlink dir/", __wasi_path_unlink_file(DIR_FD, "dir/"), E(ISDIR));
    expect_errno("unlink link_dir/", __wasi_path_unlink_file(DIR_FD, "link_dir/"), E(NOTDIR));
    expect("link_dir survives", exists("link_dir"));
    expect_errno("unlink missing/", __wasi_path_unlink_file(DIR_FD, "missing/"), E(NOENT));
    expect_errno("rmdir file/", __wasi_path_remove_directory(DIR_FD, "file/"), E(NOTDIR));
    expect_errno("rmdir link_dir/", __wasi_path_remove_directory(DIR_FD, "link_dir/"),
                 E(NOTDIR));
    expect_errno("mkdir empty/", __wasi_path_create_directory(DIR_FD, "empty/"), 0);
    expect_errno("rmdir empty/", __wasi_path_remove_directory(DIR_FD, "empty/"), 0);
    expect("empty/ is gone", !exists("empty"));
}

static void rename_link_symlink(void) {
    expect_errno("rename file/ x", __wasi_path_rename(DIR_FD, "file/", DIR_FD, "x"), E(NOTDIR));
    expect_errno("rename file x/", __wasi_path_rename(DIR_FD, "file", DIR_FD, "x/"), E(NOTDIR));
    expect_errno("rename file/ x/", __wasi_path_rename(DIR_FD, "file/", DIR_FD, "x/"),
                 E(NOTDIR));
    expect("file was not renamed", exists("file") && !exists("x"));
    expect_errno("rename link_dir/ x", __wasi_path_rename(DIR_FD, "link_dir/", DIR_FD, "x"),
                 E(NOTDIR));
    expect_errno("rename dir/ dir2", __wasi_path_rename(DIR_FD, "dir/", DIR_FD, "dir2"), 0);
    expect_errno("rename dir2 dir/", __wasi_path_rename(DIR_FD, "dir2", DIR_FD, "dir/"), 0);
    expect_errno("rename dir/ dir3/", __wasi_path_rename(DIR_FD, "dir/", DIR_FD, "dir3/"), 0);
    expect_errno("rename dir3 dir", __wasi_path_rename(DIR_FD, "dir3", DIR_FD, "dir"), 0);
    expect("dir is back", exists("dir"));

    expect_errno("link file/ l", __wasi_path_link(DIR_FD, 0, "file/", DIR_FD, "l"), E(NOTDIR));
    expect_errno("link file l/", __wasi_path_link(DIR_FD, 0, "file", DIR_FD, "l/"), E(NOENT));
    expect_errno("link file dir/", __wasi_path_link(DIR_FD, 0, "file", DIR_FD, "dir/"),
                 E(EXIST));
    expect("no link made", !exists("l"));
    expect_errno("link file l", __wasi_path_link(DIR_FD, 0, "file", DIR_FD, "l"), 0);

    expect_errno("symlink -> new/", __wasi_path_symlink("file", DIR_FD, "s/"), E(NOENT));
    expect_errno("symlink -> dir/", __wasi_path_symlink("file", DIR_FD, "dir/"), E(EXIST));
    expect_errno("symlink -> file/", __wasi_path_symlink("file", DIR_FD, "file/"), E(EXIST));
    expect("no symlink made", !exists("s"));
    expect_errno("symlink -> s", __wasi_path_symlink("file", DIR_FD, "s"), 0);
}

static void libc_view(void) {
    struct stat st;
    expect_libc_errno("libc: open(\"file/\")", open("/d/file/", O_RDONLY), ENOTDIR);
    expect_libc_errno("libc: stat(\"file/\")", stat("/d/file/", &st), ENOTDIR);
    expect_libc_errno("libc: unlink(\"file/\")", unlink("/d/file/"), ENOTDIR);
    expect_libc_errno("libc: rename(\"file\", \"y/\")", rename("/d/file", "/d/y/"), ENOTDIR);
    expect_libc_errno("libc: rmdir(\"file/\")", rmdir("/d/file/"), ENOTDIR);
    expect("libc: mkdir(\"made/\")", mkdir("/d/made/", 0755) == 0);
    expect("libc: stat(\"made/\") is a dir", stat("/d/made/", &st) == 0 && S_ISDIR(st.st_mode));
    expect("libc: rmdir(\"made/\")", rmdir("/d/made/") == 0);
    int fd = open("/d/dir/", O_RDONLY | O_DIRECTORY);
    expect("libc: open(\"dir/\", O_DIRECTORY)", fd >= 0);
    close(fd);
}

int main(void) {
    create_file("file", "data");
    if (__wasi_path_create_directory(DIR_FD, "dir") != 0 ||
        __wasi_path_symlink("dir", DIR_FD, "link_dir") != 0 ||
        __wasi_path_symlink("file", DIR_FD, "link_file") != 0)
        printf("FAIL setup\n");
    open_and_stat();
    unlink_rmdir();
    rename_link_symlink();
    libc_view();
    return conf_done();
}
