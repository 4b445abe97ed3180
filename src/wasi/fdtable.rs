//! The guest's file descriptor table: numbers to open streams, files and directories.

use std::collections::BTreeMap;
use std::fs::File;
use std::io::{self, Read, Write};
use std::os::fd::OwnedFd;

use super::errno::{Errno, WasiResult};

/// A stdio stream: something to read from or write to, not seekable.
pub(crate) struct Stream {
    reader: Option<Box<dyn Read + Send>>,
    writer: Option<Box<dyn Write + Send>>,
}

impl Stream {
    pub fn reader(r: impl Read + Send + 'static) -> Stream {
        Stream {
            reader: Some(Box::new(r)),
            writer: None,
        }
    }

    pub fn writer(w: impl Write + Send + 'static) -> Stream {
        Stream {
            reader: None,
            writer: Some(Box::new(w)),
        }
    }

    pub fn read(&mut self, buf: &mut [u8]) -> WasiResult<usize> {
        let r = self.reader.as_mut().ok_or(Errno::Badf)?;
        loop {
            match r.read(buf) {
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                other => return Ok(other?),
            }
        }
    }

    pub fn write(&mut self, data: &[u8]) -> WasiResult<usize> {
        let w = self.writer.as_mut().ok_or(Errno::Badf)?;
        w.write_all(data)?;
        // Flushed at once: the guest has its own buffering, and output written before a trap
        // or proc_exit must not be lost.
        w.flush()?;
        Ok(data.len())
    }

    pub fn is_writer(&self) -> bool {
        self.writer.is_some()
    }
}

/// An open directory; `preopen` is the guest-visible name of a preopened one.
pub(crate) struct DirDesc {
    pub fd: OwnedFd,
    pub preopen: Option<String>,
}

pub(crate) enum Desc {
    Stream(Stream),
    File(File),
    Dir(DirDesc),
}

#[derive(Default)]
pub(crate) struct FdTable {
    map: BTreeMap<u32, Desc>,
}

/// Guests get at most this many descriptors, so a leaking guest fails with EMFILE instead
/// of exhausting the host's descriptors.
const MAX_FDS: usize = 1024;

impl FdTable {
    pub fn insert_at(&mut self, fd: u32, desc: Desc) {
        self.map.insert(fd, desc);
    }

    /// Inserts at the lowest free number, as POSIX `open` does.
    pub fn insert(&mut self, desc: Desc) -> WasiResult<u32> {
        if self.map.len() >= MAX_FDS {
            return Err(Errno::Mfile);
        }
        let mut fd = 0u32;
        for &used in self.map.keys() {
            if used != fd {
                break;
            }
            fd += 1;
        }
        self.map.insert(fd, desc);
        Ok(fd)
    }

    pub fn get(&self, fd: u32) -> WasiResult<&Desc> {
        self.map.get(&fd).ok_or(Errno::Badf)
    }

    pub fn get_mut(&mut self, fd: u32) -> WasiResult<&mut Desc> {
        self.map.get_mut(&fd).ok_or(Errno::Badf)
    }

    pub fn file(&self, fd: u32) -> WasiResult<&File> {
        match self.get(fd)? {
            Desc::File(f) => Ok(f),
            Desc::Dir(_) => Err(Errno::Isdir),
            Desc::Stream(_) => Err(Errno::Spipe),
        }
    }

    pub fn dir(&self, fd: u32) -> WasiResult<&DirDesc> {
        match self.get(fd)? {
            Desc::Dir(d) => Ok(d),
            _ => Err(Errno::Notdir),
        }
    }

    pub fn remove(&mut self, fd: u32) -> WasiResult<Desc> {
        self.map.remove(&fd).ok_or(Errno::Badf)
    }

    /// `fd_renumber`: moves `from` to `to`, closing what `to` was. Both must be open.
    pub fn renumber(&mut self, from: u32, to: u32) -> WasiResult<()> {
        if !self.map.contains_key(&to) {
            return Err(Errno::Badf);
        }
        let desc = self.remove(from)?;
        self.map.insert(to, desc);
        Ok(())
    }
}
