//! Preview1 rights: the bits, the sets each kind of descriptor can hold, and how `path_open`
//! derives a new descriptor's rights from its directory's (as wasmtime's wasi-common does).
//!
//! Every descriptor carries a base and an inheriting set. A call checks the right it needs
//! only when that right is one the descriptor's kind can have (`Entry::need`): a right that
//! was withheld (by the open mode, the directory's inheriting set, or `fd_fdstat_set_rights`)
//! is `ENOTCAPABLE`, while a call that makes no sense for the kind (seeking a directory,
//! `path_open` on a file) keeps its type error (`EBADF`, `ENOTDIR`, ...). The capability
//! that confines the guest is still the preopened directory (`sandbox`); rights only narrow
//! what a descriptor may do.

pub const FD_DATASYNC: u64 = 1 << 0;
pub const FD_READ: u64 = 1 << 1;
pub const FD_SEEK: u64 = 1 << 2;
pub const FD_FDSTAT_SET_FLAGS: u64 = 1 << 3;
pub const FD_SYNC: u64 = 1 << 4;
pub const FD_TELL: u64 = 1 << 5;
pub const FD_WRITE: u64 = 1 << 6;
pub const FD_ADVISE: u64 = 1 << 7;
pub const FD_ALLOCATE: u64 = 1 << 8;
pub const PATH_CREATE_DIRECTORY: u64 = 1 << 9;
pub const PATH_CREATE_FILE: u64 = 1 << 10;
pub const PATH_LINK_SOURCE: u64 = 1 << 11;
pub const PATH_LINK_TARGET: u64 = 1 << 12;
pub const PATH_OPEN: u64 = 1 << 13;
pub const FD_READDIR: u64 = 1 << 14;
pub const PATH_READLINK: u64 = 1 << 15;
pub const PATH_RENAME_SOURCE: u64 = 1 << 16;
pub const PATH_RENAME_TARGET: u64 = 1 << 17;
pub const PATH_FILESTAT_GET: u64 = 1 << 18;
#[allow(dead_code)] // defined by preview1; no descriptor holds it (as in wasmtime)
pub const PATH_FILESTAT_SET_SIZE: u64 = 1 << 19;
pub const PATH_FILESTAT_SET_TIMES: u64 = 1 << 20;
pub const FD_FILESTAT_GET: u64 = 1 << 21;
pub const FD_FILESTAT_SET_SIZE: u64 = 1 << 22;
pub const FD_FILESTAT_SET_TIMES: u64 = 1 << 23;
pub const PATH_SYMLINK: u64 = 1 << 24;
pub const PATH_REMOVE_DIRECTORY: u64 = 1 << 25;
pub const PATH_UNLINK_FILE: u64 = 1 << 26;
pub const POLL_FD_READWRITE: u64 = 1 << 27;
pub const SOCK_SHUTDOWN: u64 = 1 << 28;
pub const SOCK_ACCEPT: u64 = 1 << 29;

/// Every right preview1 defines; other bits of a guest's rights mask are ignored.
pub const ALL: u64 = (1 << 30) - 1;

/// What a directory can do: the set wasmtime gives a preopen (path operations, readdir,
/// its own stat and times), plus `fd_sync`/`fd_datasync`, which Linux allows on directories
/// (SQLite syncs its journal's directory). No seek, tell, read, write or size rights.
pub const DIR: u64 = PATH_CREATE_DIRECTORY
    | PATH_CREATE_FILE
    | PATH_LINK_SOURCE
    | PATH_LINK_TARGET
    | PATH_OPEN
    | FD_READDIR
    | PATH_READLINK
    | PATH_RENAME_SOURCE
    | PATH_RENAME_TARGET
    | PATH_SYMLINK
    | PATH_REMOVE_DIRECTORY
    | PATH_UNLINK_FILE
    | PATH_FILESTAT_GET
    | PATH_FILESTAT_SET_TIMES
    | FD_FILESTAT_GET
    | FD_FILESTAT_SET_TIMES
    | FD_SYNC
    | FD_DATASYNC;

/// What a file (or FIFO, device) opened through a directory can do.
pub const FILE: u64 = FD_DATASYNC
    | FD_READ
    | FD_SEEK
    | FD_FDSTAT_SET_FLAGS
    | FD_SYNC
    | FD_TELL
    | FD_WRITE
    | FD_ADVISE
    | FD_ALLOCATE
    | FD_FILESTAT_GET
    | FD_FILESTAT_SET_SIZE
    | FD_FILESTAT_SET_TIMES
    | POLL_FD_READWRITE;

/// Stdio streams: a character device without seek or tell (what wasi-libc's `isatty` checks).
pub const STREAM_IN: u64 = FD_READ | POLL_FD_READWRITE | FD_FILESTAT_GET;
pub const STREAM_OUT: u64 = FD_WRITE | POLL_FD_READWRITE | FD_FILESTAT_GET;

/// A listening socket (`--tcplisten`) accepts connections; an accepted one reads, writes and
/// shuts down.
pub const LISTENER: u64 = SOCK_ACCEPT | POLL_FD_READWRITE | FD_FDSTAT_SET_FLAGS | FD_FILESTAT_GET;
pub const CONNECTION: u64 =
    FD_READ | FD_WRITE | SOCK_SHUTDOWN | POLL_FD_READWRITE | FD_FDSTAT_SET_FLAGS | FD_FILESTAT_GET;

/// A preopened directory's rights: base `DIR`, and anything a directory or file may get for
/// what is opened through it.
pub const PREOPEN_BASE: u64 = DIR;
pub const PREOPEN_INHERITING: u64 = DIR | FILE;
