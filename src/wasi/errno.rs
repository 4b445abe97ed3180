//! WASI preview1 error numbers, and the mapping from host (Linux) errors to them.

use std::io;

/// A WASI `errno` value (preview1 numbering, which differs from Linux's).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[repr(u16)]
pub enum Errno {
    TooBig = 1,
    Acces = 2,
    Addrinuse = 3,
    Addrnotavail = 4,
    Afnosupport = 5,
    Again = 6,
    Badf = 8,
    Busy = 10,
    Connaborted = 13,
    Connrefused = 14,
    Connreset = 15,
    Exist = 20,
    Fault = 21,
    Fbig = 22,
    Ilseq = 25,
    Intr = 27,
    Inval = 28,
    Io = 29,
    Isdir = 31,
    Loop = 32,
    Mfile = 33,
    Mlink = 34,
    Nametoolong = 37,
    Netunreach = 40,
    Nfile = 41,
    Nodev = 43,
    Noent = 44,
    Nomem = 48,
    Nospc = 51,
    Nosys = 52,
    Notconn = 53,
    Notdir = 54,
    Notempty = 55,
    Notsock = 57,
    Notsup = 58,
    Notty = 59,
    Nxio = 60,
    Overflow = 61,
    Perm = 63,
    Pipe = 64,
    Range = 68,
    Rofs = 69,
    Spipe = 70,
    Timedout = 73,
    Txtbsy = 74,
    Xdev = 75,
    /// The capability (preopen) does not allow the access: how every sandbox escape ends.
    Notcapable = 76,
}

/// Why a WASI call did not succeed: an errno for the guest, or the store's interruption
/// (`Store::interrupt_handle`, `--timeout`) seen while the call waited, which ends the guest
/// with the "interrupted" trap instead of returning to it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum WasiError {
    Errno(Errno),
    Interrupted,
}

/// What a WASI call returns: `Ok` becomes errno 0, `Err(WasiError::Errno(e))` errno `e`.
pub(crate) type WasiResult<T = ()> = Result<T, WasiError>;

impl From<Errno> for WasiError {
    fn from(e: Errno) -> WasiError {
        WasiError::Errno(e)
    }
}

impl From<io::Error> for WasiError {
    fn from(e: io::Error) -> WasiError {
        WasiError::Errno(e.into())
    }
}

impl From<rustix::io::Errno> for WasiError {
    fn from(e: rustix::io::Errno) -> WasiError {
        WasiError::Errno(e.into())
    }
}

impl Errno {
    pub fn raw(self) -> i32 {
        self as u16 as i32
    }

    /// Maps a Linux errno number; anything without a close WASI equivalent becomes `EIO`.
    pub fn from_raw_os(code: i32) -> Errno {
        match code {
            libc::E2BIG => Errno::TooBig,
            libc::EACCES => Errno::Acces,
            libc::EADDRINUSE => Errno::Addrinuse,
            libc::EADDRNOTAVAIL => Errno::Addrnotavail,
            libc::EAFNOSUPPORT => Errno::Afnosupport,
            libc::ECONNABORTED => Errno::Connaborted,
            libc::ECONNREFUSED => Errno::Connrefused,
            libc::ECONNRESET => Errno::Connreset,
            libc::ENETUNREACH => Errno::Netunreach,
            libc::ENOTCONN => Errno::Notconn,
            libc::ENOTSOCK => Errno::Notsock,
            libc::ETIMEDOUT => Errno::Timedout,
            libc::EAGAIN => Errno::Again,
            libc::EBADF => Errno::Badf,
            libc::EBUSY => Errno::Busy,
            libc::EEXIST => Errno::Exist,
            libc::EFAULT => Errno::Fault,
            libc::EFBIG => Errno::Fbig,
            libc::EILSEQ => Errno::Ilseq,
            libc::EINTR => Errno::Intr,
            libc::EINVAL => Errno::Inval,
            libc::EISDIR => Errno::Isdir,
            libc::ELOOP => Errno::Loop,
            libc::EMFILE => Errno::Mfile,
            libc::EMLINK => Errno::Mlink,
            libc::ENAMETOOLONG => Errno::Nametoolong,
            libc::ENFILE => Errno::Nfile,
            libc::ENODEV => Errno::Nodev,
            libc::ENOENT => Errno::Noent,
            libc::ENOMEM => Errno::Nomem,
            libc::ENOSPC => Errno::Nospc,
            libc::ENOSYS => Errno::Nosys,
            libc::ENOTDIR => Errno::Notdir,
            libc::ENOTEMPTY => Errno::Notempty,
            libc::EOPNOTSUPP => Errno::Notsup,
            libc::ENOTTY => Errno::Notty,
            libc::ENXIO => Errno::Nxio,
            libc::EOVERFLOW => Errno::Overflow,
            libc::EPERM => Errno::Perm,
            libc::EPIPE => Errno::Pipe,
            libc::ERANGE => Errno::Range,
            libc::EROFS => Errno::Rofs,
            libc::ESPIPE => Errno::Spipe,
            libc::ETXTBSY => Errno::Txtbsy,
            libc::EXDEV => Errno::Xdev,
            _ => Errno::Io,
        }
    }
}

impl From<io::Error> for Errno {
    fn from(e: io::Error) -> Errno {
        match e.raw_os_error() {
            Some(code) => Errno::from_raw_os(code),
            None => match e.kind() {
                io::ErrorKind::NotFound => Errno::Noent,
                io::ErrorKind::PermissionDenied => Errno::Acces,
                io::ErrorKind::AlreadyExists => Errno::Exist,
                io::ErrorKind::InvalidInput => Errno::Inval,
                io::ErrorKind::BrokenPipe => Errno::Pipe,
                io::ErrorKind::WouldBlock => Errno::Again,
                io::ErrorKind::Unsupported => Errno::Notsup,
                _ => Errno::Io,
            },
        }
    }
}

impl From<rustix::io::Errno> for Errno {
    fn from(e: rustix::io::Errno) -> Errno {
        Errno::from_raw_os(e.raw_os_error())
    }
}
