// Rights (issue group 1): fd_fdstat_get reports rights that fit the descriptor, path_open
// passes them on within the directory's inheriting rights, fd_fdstat_set_rights only drops
// them and later calls check them (ENOTCAPABLE). Run with an empty preopen at fd 3.
#include <fcntl.h>
#include <stdint.h>
#include <sys/stat.h>
#include <unistd.h>
#include "conf.h"

#define R(x) __WASI_RIGHTS_##x
#define FILE_RIGHTS                                                                        \
    (R(FD_DATASYNC) | R(FD_READ) | R(FD_SEEK) | R(FD_FDSTAT_SET_FLAGS) | R(FD_SYNC) |     \
     R(FD_TELL) | R(FD_WRITE) | R(FD_ADVISE) | R(FD_ALLOCATE) | R(FD_FILESTAT_GET) |      \
     R(FD_FILESTAT_SET_SIZE) | R(FD_FILESTAT_SET_TIMES) | R(POLL_FD_READWRITE))

static __wasi_fdstat_t fdstat(__wasi_fd_t fd) {
    __wasi_fdstat_t st;
    memset(&st, 0, sizeof st);
    if (__wasi_fd_fdstat_get(fd, &st) != 0)
        printf("FAIL setup: fdstat %u\n", fd);
    return st;
}

static int has(__wasi_rights_t set, __wasi_rights_t r) { return (set & r) == r; }

static __wasi_errno_t write_str(__wasi_fd_t fd, const char *s) {
    __wasi_ciovec_t iov = {(const uint8_t *)s, strlen(s)};
    __wasi_size_t n;
    return __wasi_fd_write(fd, &iov, 1, &n);
}

static __wasi_errno_t read_some(__wasi_fd_t fd) {
    uint8_t buf[8];
    __wasi_iovec_t iov = {buf, sizeof buf};
    __wasi_size_t n;
    return __wasi_fd_read(fd, &iov, 1, &n);
}

static void preopen_rights(void) {
    __wasi_fdstat_t st = fdstat(DIR_FD);
    expect("preopen is a directory", st.fs_filetype == __WASI_FILETYPE_DIRECTORY);
    expect("preopen can open paths", has(st.fs_rights_base, R(PATH_OPEN) | R(FD_READDIR)));
    expect("preopen has no fd_seek", !has(st.fs_rights_base, R(FD_SEEK)));
    expect("preopen has no fd_filestat_set_size",
           !has(st.fs_rights_base, R(FD_FILESTAT_SET_SIZE)));
    expect("preopen has no fd_read/fd_write", !(st.fs_rights_base & (R(FD_READ) | R(FD_WRITE))));
    expect("preopen passes on file rights", has(st.fs_rights_inheriting, FILE_RIGHTS));
    expect("no undefined rights bits", (st.fs_rights_inheriting >> 30) == 0);
}

// wasmtime's directory_seek: a directory opened with every right asked still cannot seek.
static void directory_rights(void) {
    __wasi_errno_t e = __wasi_path_create_directory(DIR_FD, "dir");
    expect_errno("mkdir dir", e, 0);
    __wasi_fd_t dir = open_at(DIR_FD, "dir", __WASI_OFLAGS_DIRECTORY,
                              ~(__wasi_rights_t)R(FD_WRITE), ~(__wasi_rights_t)0, &e);
    expect_errno("open dir asking for all but fd_write", e, 0);
    __wasi_fdstat_t st = fdstat(dir);
    expect("dir has no fd_seek", !has(st.fs_rights_base, R(FD_SEEK)));
    expect("dir has no fd_filestat_set_size", !has(st.fs_rights_base, R(FD_FILESTAT_SET_SIZE)));
    expect("dir keeps path rights", has(st.fs_rights_base, R(PATH_OPEN) | R(PATH_CREATE_FILE)));
    __wasi_filesize_t pos;
    expect_errno("fd_seek on a dir", __wasi_fd_seek(dir, 0, __WASI_WHENCE_CUR, &pos),
                 __WASI_ERRNO_BADF);
    expect_errno("fd_filestat_set_size on a dir", __wasi_fd_filestat_set_size(dir, 0),
                 __WASI_ERRNO_BADF);
    (void)__wasi_fd_close(dir);
}

static void file_rights(void) {
    create_file("file", "hello");
    __wasi_errno_t e;
    __wasi_fd_t ro = open_at(DIR_FD, "file", 0, R(FD_READ) | R(FD_SEEK) | R(FD_TELL), 0, &e);
    expect_errno("open read-only", e, 0);
    __wasi_fdstat_t st = fdstat(ro);
    expect("read-only file has fd_read", has(st.fs_rights_base, R(FD_READ)));
    expect("read-only file has no fd_write", !has(st.fs_rights_base, R(FD_WRITE)));
    expect_errno("fd_write on read-only", write_str(ro, "x"), __WASI_ERRNO_NOTCAPABLE);
    expect_errno("fd_read on read-only", read_some(ro), 0);
    expect_errno("fd_filestat_set_size on read-only", __wasi_fd_filestat_set_size(ro, 1),
                 __WASI_ERRNO_NOTCAPABLE);
    (void)__wasi_fd_close(ro);

    // Undefined high bits are masked, as wasi-libc asks with complemented masks.
    __wasi_fd_t all = open_at(DIR_FD, "file", 0, ~(__wasi_rights_t)0, ~(__wasi_rights_t)0, &e);
    expect_errno("open with every bit set", e, 0);
    st = fdstat(all);
    expect("file gets exactly the file rights", st.fs_rights_base == FILE_RIGHTS);
    expect("file inherits nothing", st.fs_rights_inheriting == 0);
    (void)__wasi_fd_close(all);
}

// Dropping FD_READ / FD_WRITE / FD_SEEK: fdstat shows them gone, calls fail, no way back.
static void set_rights(void) {
    __wasi_errno_t e;
    __wasi_fd_t fd = open_at(DIR_FD, "file", 0, FILE_RIGHTS, 0, &e);
    expect_errno("open read-write", e, 0);
    __wasi_fdstat_t st = fdstat(fd);
    __wasi_rights_t base = st.fs_rights_base;
    expect_errno("drop fd_read",
                 __wasi_fd_fdstat_set_rights(fd, base & ~R(FD_READ), 0), 0);
    st = fdstat(fd);
    expect("fd_read gone", !has(st.fs_rights_base, R(FD_READ)));
    expect("fd_write kept", has(st.fs_rights_base, R(FD_WRITE)));
    expect_errno("fd_read after the drop", read_some(fd), __WASI_ERRNO_NOTCAPABLE);
    expect_errno("fd_write still works", write_str(fd, "w"), 0);
    expect_errno("adding fd_read back", __wasi_fd_fdstat_set_rights(fd, base, 0),
                 __WASI_ERRNO_NOTCAPABLE);
    expect_errno("drop fd_write and fd_seek",
                 __wasi_fd_fdstat_set_rights(fd, base & ~(R(FD_READ) | R(FD_WRITE) | R(FD_SEEK)), 0),
                 0);
    st = fdstat(fd);
    expect("fd_write gone", !has(st.fs_rights_base, R(FD_WRITE)));
    expect_errno("fd_write after the drop", write_str(fd, "w"), __WASI_ERRNO_NOTCAPABLE);
    __wasi_filesize_t pos = 99;
    expect_errno("fd_seek without fd_seek", __wasi_fd_seek(fd, 2, __WASI_WHENCE_SET, &pos),
                 __WASI_ERRNO_NOTCAPABLE);
    expect_errno("fd_tell still works", __wasi_fd_tell(fd, &pos), 0);
    expect_errno("drop everything", __wasi_fd_fdstat_set_rights(fd, 0, 0), 0);
    expect_errno("fd_filestat_get without the right", __wasi_fd_filestat_get(fd, &(__wasi_filestat_t){0}),
                 __WASI_ERRNO_NOTCAPABLE);
    (void)__wasi_fd_close(fd);
    expect_errno("set_rights on a closed fd", __wasi_fd_fdstat_set_rights(fd, 0, 0),
                 __WASI_ERRNO_BADF);
}

// Base vs inheriting through path_open.
static void inheritance(void) {
    __wasi_errno_t e;
    create_file("dir/inner", "abc");
    __wasi_fd_t dir = open_at(DIR_FD, "dir", __WASI_OFLAGS_DIRECTORY,
                              R(PATH_OPEN) | R(FD_READDIR), R(FD_READ) | R(FD_SEEK), &e);
    expect_errno("open dir inheriting read only", e, 0);
    __wasi_fdstat_t st = fdstat(dir);
    expect("dir base as asked", st.fs_rights_base == (R(PATH_OPEN) | R(FD_READDIR)));
    expect("dir inheriting as asked", st.fs_rights_inheriting == (R(FD_READ) | R(FD_SEEK)));
    __wasi_fd_t f = open_at(dir, "inner", 0, R(FD_READ) | R(FD_WRITE), 0, &e);
    expect_errno("open file asking for read+write", e, 0);
    st = fdstat(f);
    expect("file got read", has(st.fs_rights_base, R(FD_READ)));
    expect("file did not get write", !has(st.fs_rights_base, R(FD_WRITE)));
    expect_errno("write through the narrowed file", write_str(f, "x"), __WASI_ERRNO_NOTCAPABLE);
    (void)__wasi_fd_close(f);
    expect_errno("create without path_create_file",
                 __wasi_path_open(dir, 0, "new", __WASI_OFLAGS_CREAT, R(FD_READ), 0, 0, &f),
                 __WASI_ERRNO_NOTCAPABLE);
    expect_errno("mkdir without path_create_directory",
                 __wasi_path_create_directory(dir, "sub"), __WASI_ERRNO_NOTCAPABLE);
    expect_errno("drop path_open", __wasi_fd_fdstat_set_rights(dir, R(FD_READDIR), R(FD_READ)), 0);
    expect_errno("open without path_open",
                 __wasi_path_open(dir, 0, "inner", 0, R(FD_READ), 0, 0, &f),
                 __WASI_ERRNO_NOTCAPABLE);
    expect_errno("drop fd_readdir", __wasi_fd_fdstat_set_rights(dir, 0, 0), 0);
    uint8_t buf[128];
    __wasi_size_t used;
    expect_errno("readdir without fd_readdir", __wasi_fd_readdir(dir, buf, sizeof buf, 0, &used),
                 __WASI_ERRNO_NOTCAPABLE);
    (void)__wasi_fd_close(dir);
    expect_errno("O_DIRECTORY with O_CREAT",
                 __wasi_path_open(DIR_FD, 0, "dir", __WASI_OFLAGS_DIRECTORY | __WASI_OFLAGS_CREAT,
                                  R(FD_READDIR), 0, 0, &f),
                 __WASI_ERRNO_INVAL);
}

// The same through wasi-libc, as a C program sees it.
static void libc_view(void) {
    int fd = open("/d/file", O_RDONLY);
    expect("libc: open O_RDONLY", fd >= 0);
    expect("libc: F_GETFL says O_RDONLY", (fcntl(fd, F_GETFL) & O_ACCMODE) == O_RDONLY);
    // wasi-libc turns ENOTCAPABLE from fd_read/fd_write into POSIX's EBADF.
    expect_libc_errno("libc: write to O_RDONLY fails", (int)write(fd, "x", 1), EBADF);
    close(fd);
    fd = open("/d/file", O_WRONLY);
    expect("libc: F_GETFL says O_WRONLY", fd >= 0 && (fcntl(fd, F_GETFL) & O_ACCMODE) == O_WRONLY);
    char c;
    expect_libc_errno("libc: read from O_WRONLY fails", (int)read(fd, &c, 1), EBADF);
    close(fd);
    fd = open("/d/file", O_RDWR);
    expect("libc: F_GETFL says O_RDWR", fd >= 0 && (fcntl(fd, F_GETFL) & O_ACCMODE) == O_RDWR);
    expect("libc: read and write", write(fd, "y", 1) == 1 && lseek(fd, 0, SEEK_SET) == 0 &&
                                       read(fd, &c, 1) == 1 && c == 'y');
    close(fd);
    fd = open("/d/dir", O_RDONLY | O_DIRECTORY);
    expect("libc: open a directory", fd >= 0);
    expect_libc_errno("libc: lseek on a directory", (int)lseek(fd, 0, SEEK_CUR), EBADF);
    close(fd);
}

int main(void) {
    preopen_rights();
    directory_rights();
    file_rights();
    set_rights();
    inheritance();
    libc_view();
    return conf_done();
}
