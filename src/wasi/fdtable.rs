//! The guest's file descriptor table: numbers to open streams, files and directories.

use std::collections::BTreeMap;
use std::fs::File;
use std::io::{Read, Write};
use std::os::fd::{AsFd, BorrowedFd, OwnedFd};

use rustix::fs::OFlags;

use super::errno::{Errno, WasiResult};
use super::rights;

/// A stdio stream: something to read from or write to, not seekable.
pub(crate) enum Stream {
    /// A host descriptor (inherited stdio, or one given to `WasiCtxBuilder::stdin_fd` and
    /// friends). Reads and writes that could block wait in `poll(2)` slices, so that an
    /// interruption of the store ends them (see `block`).
    Host(HostStream),
    /// An embedder's reader or writer: called as is, and cannot be interrupted while it
    /// blocks (the embedder chose it).
    Reader(Box<dyn Read + Send>),
    Writer(Box<dyn Write + Send>),
}

pub(crate) struct HostStream {
    /// `OwnedFd`, or `std::io::Stdin`/`Stdout`/`Stderr` for inherited stdio (which must not
    /// be closed when the guest closes its descriptor).
    fd: Box<dyn AsFd + Send>,
    writable: bool,
    /// Pipes, terminals and sockets can block; regular files (stdio redirected from or to a
    /// file) never do, and are read and written without waiting.
    may_block: bool,
}

impl Stream {
    pub fn reader(r: impl Read + Send + 'static) -> Stream {
        Stream::Reader(Box::new(r))
    }

    pub fn writer(w: impl Write + Send + 'static) -> Stream {
        Stream::Writer(Box::new(w))
    }

    /// A stream on a host descriptor, read from (`writable == false`) or written to.
    pub fn host(fd: impl AsFd + Send + 'static, writable: bool) -> Stream {
        // If fstat fails the descriptor is unusable anyway; waiting is the safe choice.
        let may_block = super::block::may_block(fd.as_fd()).unwrap_or(true);
        Stream::Host(HostStream {
            fd: Box::new(fd),
            writable,
            may_block,
        })
    }

    /// Reads from an embedder's reader (`EBADF` for a writer; host streams go through
    /// `block::read`).
    pub fn read_boxed(&mut self, buf: &mut [u8]) -> WasiResult<usize> {
        let Stream::Reader(r) = self else {
            return Err(Errno::Badf.into());
        };
        loop {
            match r.read(buf) {
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
                other => return Ok(other?),
            }
        }
    }

    /// Writes all of `data` to an embedder's writer (`EBADF` for a reader).
    pub fn write_boxed(&mut self, data: &[u8]) -> WasiResult<usize> {
        let Stream::Writer(w) = self else {
            return Err(Errno::Badf.into());
        };
        w.write_all(data)?;
        // Flushed at once: the guest has its own buffering, and output written before a trap
        // or proc_exit must not be lost.
        w.flush()?;
        Ok(data.len())
    }

    pub fn is_writer(&self) -> bool {
        match self {
            Stream::Host(h) => h.writable,
            Stream::Reader(_) => false,
            Stream::Writer(_) => true,
        }
    }
}

/// How `block::read`/`block::write` reach a descriptor that may wait.
pub(crate) struct HostIo<'a> {
    pub fd: BorrowedFd<'a>,
    /// Wait with `poll(2)` (in slices) before the read or write: false for regular files
    /// and for descriptors the guest made non-blocking.
    pub wait: bool,
}

/// An open directory; `preopen` is the guest-visible name of a preopened one.
pub(crate) struct DirDesc {
    pub fd: OwnedFd,
    pub preopen: Option<String>,
    /// Where fd_readdir's cookies (entry indices) are in the host's directory stream.
    pub marks: super::dir::ReaddirMarks,
}

/// A TCP socket: a preopened listener (`WasiCtxBuilder::preopened_listener`, the CLI's
/// `--tcplisten`) or a connection it accepted. The host descriptor is always non-blocking;
/// `nonblock` is the guest's view (`fd_fdstat_set_flags`, `sock_accept`'s flags): when it is
/// false, calls wait for readiness in interruptible slices (`block`).
pub(crate) struct SocketDesc {
    pub fd: OwnedFd,
    pub listener: bool,
    pub nonblock: bool,
}

pub(crate) enum Desc {
    Stream(Stream),
    File(File),
    Dir(DirDesc),
    Socket(SocketDesc),
}

impl Desc {
    /// The rights a descriptor of this kind can hold (see `rights`).
    pub fn natural_rights(&self) -> u64 {
        match self {
            Desc::Stream(s) if s.is_writer() => rights::STREAM_OUT,
            Desc::Stream(_) => rights::STREAM_IN,
            Desc::File(_) => rights::FILE,
            Desc::Dir(_) => rights::DIR,
            Desc::Socket(s) if s.listener => rights::LISTENER,
            Desc::Socket(_) => rights::CONNECTION,
        }
    }
}

/// A descriptor with its base and inheriting rights.
pub(crate) struct Entry {
    pub desc: Desc,
    pub base: u64,
    pub inheriting: u64,
}

#[derive(Default)]
pub(crate) struct FdTable {
    map: BTreeMap<u32, Entry>,
}

/// Guests get at most this many descriptors, so a leaking guest fails with EMFILE instead
/// of exhausting the host's descriptors.
const MAX_FDS: usize = 1024;

impl FdTable {
    /// Inserts with the given rights (`base`, `inheriting`).
    pub fn insert_at(&mut self, fd: u32, desc: Desc, base: u64, inheriting: u64) {
        self.map.insert(
            fd,
            Entry {
                desc,
                base,
                inheriting,
            },
        );
    }

    /// Inserts at the lowest free number, as POSIX `open` does, with the given rights.
    pub fn insert_with(&mut self, desc: Desc, base: u64, inheriting: u64) -> WasiResult<u32> {
        if self.map.len() >= MAX_FDS {
            return Err(Errno::Mfile.into());
        }
        let mut fd = 0u32;
        for &used in self.map.keys() {
            if used != fd {
                break;
            }
            fd += 1;
        }
        self.insert_at(fd, desc, base, inheriting);
        Ok(fd)
    }

    pub fn entry(&self, fd: u32) -> WasiResult<&Entry> {
        self.map.get(&fd).ok_or(Errno::Badf.into())
    }

    pub fn get(&self, fd: u32) -> WasiResult<&Desc> {
        Ok(&self.entry(fd)?.desc)
    }

    pub fn get_mut(&mut self, fd: u32) -> WasiResult<&mut Desc> {
        self.map
            .get_mut(&fd)
            .map(|e| &mut e.desc)
            .ok_or(Errno::Badf.into())
    }

    /// Checks that `fd` is open and holds `needed`: `ENOTCAPABLE` when its kind could hold
    /// those rights but this descriptor does not. Rights its kind never has are left to the
    /// call's own type checks (`EBADF`, `EISDIR`, `ENOTDIR`, `ENOTSOCK`, ...).
    pub fn need(&self, fd: u32, needed: u64) -> WasiResult<&Desc> {
        let e = self.entry(fd)?;
        if e.desc.natural_rights() & needed == needed && e.base & needed != needed {
            return Err(Errno::Notcapable.into());
        }
        Ok(&e.desc)
    }

    /// `fd_fdstat_set_rights`: rights can only be dropped (asking for one the descriptor
    /// does not hold is `ENOTCAPABLE`); bits preview1 does not define are ignored.
    pub fn set_rights(&mut self, fd: u32, base: u64, inheriting: u64) -> WasiResult {
        let e = self.map.get_mut(&fd).ok_or(Errno::Badf)?;
        let (base, inheriting) = (base & rights::ALL, inheriting & rights::ALL);
        if base & !e.base != 0 || inheriting & !e.inheriting != 0 {
            return Err(Errno::Notcapable.into());
        }
        e.base = base;
        e.inheriting = inheriting;
        Ok(())
    }

    pub fn file(&self, fd: u32) -> WasiResult<&File> {
        match self.get(fd)? {
            Desc::File(f) => Ok(f),
            // As wasmtime: file calls on a directory are a bad descriptor.
            Desc::Dir(_) => Err(Errno::Badf.into()),
            Desc::Stream(_) | Desc::Socket(_) => Err(Errno::Spipe.into()),
        }
    }

    /// The host descriptor behind `fd` for a read (`write == false`) or write, when it is a
    /// file or a host stream; `None` for the embedder's own readers and writers.
    pub fn host_io(&self, fd: u32, write: bool) -> WasiResult<Option<HostIo<'_>>> {
        match self.get(fd)? {
            Desc::Stream(Stream::Host(h)) => {
                if h.writable != write {
                    return Err(Errno::Badf.into());
                }
                Ok(Some(HostIo {
                    fd: h.fd.as_fd(),
                    wait: h.may_block,
                }))
            }
            Desc::Stream(Stream::Reader(_)) | Desc::Stream(Stream::Writer(_)) => Ok(None),
            Desc::File(f) => {
                // A file opened by path_open can be a FIFO or a device. The type and the
                // O_NONBLOCK flag (fd_fdstat_set_flags) are looked up on every call.
                let wait = super::block::may_block(f.as_fd())?
                    && !rustix::fs::fcntl_getfl(f)?.contains(OFlags::NONBLOCK);
                Ok(Some(HostIo {
                    fd: f.as_fd(),
                    wait,
                }))
            }
            Desc::Socket(s) if s.listener => Err(Errno::Notconn.into()),
            Desc::Socket(s) => Ok(Some(HostIo {
                fd: s.fd.as_fd(),
                wait: !s.nonblock,
            })),
            Desc::Dir(_) => Err(Errno::Isdir.into()),
        }
    }

    /// The host descriptor of a file or host stream (for poll_oneoff).
    pub fn host_fd(&self, fd: u32) -> WasiResult<BorrowedFd<'_>> {
        match self.get(fd)? {
            Desc::Stream(Stream::Host(h)) => Ok(h.fd.as_fd()),
            Desc::File(f) => Ok(f.as_fd()),
            Desc::Dir(d) => Ok(d.fd.as_fd()),
            Desc::Socket(s) => Ok(s.fd.as_fd()),
            Desc::Stream(_) => Err(Errno::Badf.into()),
        }
    }

    pub fn dir(&self, fd: u32) -> WasiResult<&DirDesc> {
        match self.get(fd)? {
            Desc::Dir(d) => Ok(d),
            _ => Err(Errno::Notdir.into()),
        }
    }

    pub fn remove(&mut self, fd: u32) -> WasiResult<Desc> {
        Ok(self.remove_entry(fd)?.desc)
    }

    fn remove_entry(&mut self, fd: u32) -> WasiResult<Entry> {
        self.map.remove(&fd).ok_or(Errno::Badf.into())
    }

    /// `fd_renumber`: moves `from` to `to`, closing what `to` was. Both must be open.
    pub fn renumber(&mut self, from: u32, to: u32) -> WasiResult<()> {
        if !self.map.contains_key(&to) {
            return Err(Errno::Badf.into());
        }
        let entry = self.remove_entry(from)?;
        self.map.insert(to, entry);
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::wasi::testenv::{TestEnv, scratch};

    #[test]
    fn rights_can_only_be_dropped_and_are_checked() {
        let mut env = TestEnv::with_dir(&scratch("rights"));
        let fds = &mut env.ctx.fds;
        let e = fds.entry(3).unwrap();
        assert_eq!(
            (e.base, e.inheriting),
            (rights::PREOPEN_BASE, rights::PREOPEN_INHERITING)
        );
        assert_eq!(e.base & rights::FD_SEEK, 0, "a directory cannot seek");
        // Undefined bits are ignored, defined ones may only go.
        fds.set_rights(3, rights::PATH_OPEN | !rights::ALL, rights::FD_READ)
            .unwrap();
        assert_eq!(fds.entry(3).unwrap().base, rights::PATH_OPEN);
        assert_eq!(
            fds.set_rights(3, rights::PATH_OPEN | rights::FD_READDIR, 0),
            Err(Errno::Notcapable.into())
        );
        assert_eq!(
            fds.need(3, rights::FD_READDIR).err(),
            Some(Errno::Notcapable.into()),
            "a directory right it lost"
        );
        assert!(fds.need(3, rights::PATH_OPEN).is_ok());
        // A right the kind never has is left to the call's type check.
        assert!(fds.need(3, rights::FD_SEEK).is_ok());
        assert_eq!(fds.need(99, 0).err(), Some(Errno::Badf.into()));
        assert_eq!(fds.set_rights(99, 0, 0), Err(Errno::Badf.into()));
    }
}
