//! The fd_ calls on open descriptors: I/O, seeking, flags, stat, sync, close, renumber.

use std::fs::File;
use std::io::{Seek, SeekFrom};
use std::num::NonZeroU64;
use std::os::unix::fs::FileExt;

use rustix::fs::{Advice, FallocateFlags, OFlags};

use super::block;
use super::errno::{Errno, WasiResult};
use super::fdtable::{Desc, Stream};
use super::host::Env;
use super::mem;
use super::rights;
use super::stat;

/// One read or write moves at most this much, however large the guest's buffers claim to be
/// (iovecs may overlap, so they can add up to far more than memory); a short count is always
/// allowed, and the guest loops. It is also the most host memory one call allocates for
/// data: large enough that big transfers take few calls, small next to any host.
pub(crate) const MAX_IO: usize = 16 << 20;

const FDFLAGS_APPEND: u16 = 1;
const FDFLAGS_DSYNC: u16 = 2;
const FDFLAGS_NONBLOCK: u16 = 4;
const FDFLAGS_RSYNC: u16 = 8;
const FDFLAGS_SYNC: u16 = 16;

/// The bytes an fd_write/fd_pwrite writes: at most `MAX_IO`, gathered from at most
/// `mem::IOV_MAX` ciovecs, so the host never holds more than that however the guest's
/// (possibly overlapping) buffers add up.
pub(crate) fn write_data(cx: &mut dyn Env, iovs: u32, n: u32) -> WasiResult<Vec<u8>> {
    let m = cx.mem()?;
    let v = mem::iovecs(m, iovs, n)?;
    mem::gather(m, &v, MAX_IO)
}

/// `(buf, buf_len)` pairs of an iovec array.
pub(crate) type Iovecs = Vec<(u32, u32)>;

/// The iovecs to fill and a host buffer of the size to read: their capacity, at most `MAX_IO`
/// (a short read is always allowed).
pub(crate) fn read_buffer(cx: &mut dyn Env, iovs: u32, n: u32) -> WasiResult<(Iovecs, Vec<u8>)> {
    let m = cx.mem()?;
    let v = mem::iovecs(m, iovs, n)?;
    let cap = mem::capacity(m, &v, MAX_IO)?;
    Ok((v, vec![0u8; cap]))
}

fn finish_read(cx: &mut dyn Env, v: &[(u32, u32)], data: &[u8], out: u32) -> WasiResult {
    let m = cx.mem()?;
    mem::scatter(m, v, data)?;
    mem::write_u32(m, out, data.len() as u32)
}

/// fd_read. Host descriptors that can block (pipes, terminals, inherited stdin) are waited
/// on in slices that an interruption ends (`block::read`).
pub fn fd_read(cx: &mut dyn Env, fd: u32, iovs: u32, n: u32, out: u32) -> WasiResult {
    cx.ctx().fds.need(fd, rights::FD_READ)?; // a bad descriptor costs no buffer
    let (v, mut buf) = read_buffer(cx, iovs, n)?;
    let got = match cx.ctx().fds.get_mut(fd)? {
        Desc::Stream(s @ (Stream::Reader(_) | Stream::Writer(_))) => s.read_boxed(&mut buf)?,
        Desc::Dir(_) => return Err(Errno::Isdir.into()),
        Desc::Stream(Stream::Host(_)) | Desc::File(_) | Desc::Socket(_) => {
            block::read(cx, fd, &mut buf)?
        }
    };
    finish_read(cx, &v, &buf[..got], out)
}

/// fd_pread: only on files (streams are `ESPIPE`, as for pread(2)), so it does not wait.
pub fn fd_pread(cx: &mut dyn Env, fd: u32, iovs: u32, n: u32, offset: u64, out: u32) -> WasiResult {
    cx.ctx().fds.need(fd, rights::FD_READ | rights::FD_SEEK)?;
    cx.ctx().fds.file(fd)?;
    let (v, mut buf) = read_buffer(cx, iovs, n)?;
    let file = cx.ctx().fds.file(fd)?;
    let got = retrying(|| file.read_at(&mut buf, offset))?;
    finish_read(cx, &v, &buf[..got], out)
}

fn retrying(mut op: impl FnMut() -> std::io::Result<usize>) -> WasiResult<usize> {
    loop {
        match op() {
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
            other => return Ok(other?),
        }
    }
}

/// fd_write. Writing to a full pipe waits in slices that an interruption ends
/// (`block::write`).
pub fn fd_write(cx: &mut dyn Env, fd: u32, iovs: u32, n: u32, out: u32) -> WasiResult {
    // The descriptor first: a bad one costs no copy.
    if let Desc::Dir(_) = cx.ctx().fds.need(fd, rights::FD_WRITE)? {
        return Err(Errno::Isdir.into());
    }
    let data = write_data(cx, iovs, n)?;
    let written = match cx.ctx().fds.get_mut(fd)? {
        Desc::Stream(s @ (Stream::Reader(_) | Stream::Writer(_))) => s.write_boxed(&data)?,
        Desc::Dir(_) => return Err(Errno::Isdir.into()),
        Desc::Stream(Stream::Host(_)) | Desc::File(_) | Desc::Socket(_) => {
            block::write(cx, fd, &data)?
        }
    };
    mem::write_u32(cx.mem()?, out, written as u32)
}

/// fd_pwrite: only on files (streams are `ESPIPE`), so it does not wait.
pub fn fd_pwrite(
    cx: &mut dyn Env,
    fd: u32,
    iovs: u32,
    n: u32,
    offset: u64,
    out: u32,
) -> WasiResult {
    cx.ctx().fds.need(fd, rights::FD_WRITE | rights::FD_SEEK)?;
    cx.ctx().fds.file(fd)?;
    let data = write_data(cx, iovs, n)?;
    let file = cx.ctx().fds.file(fd)?;
    let written = retrying(|| file.write_at(&data, offset))?;
    mem::write_u32(cx.mem()?, out, written as u32)
}

pub fn fd_seek(cx: &mut dyn Env, fd: u32, offset: i64, whence: u32, out: u32) -> WasiResult {
    let pos = match whence {
        0 => SeekFrom::Start(u64::try_from(offset).map_err(|_| Errno::Inval)?),
        1 => SeekFrom::Current(offset),
        2 => SeekFrom::End(offset),
        _ => return Err(Errno::Inval.into()),
    };
    // Asking for the position only (`lseek(fd, 0, SEEK_CUR)`) needs just `fd_tell`.
    let needed = if offset == 0 && whence == 1 {
        rights::FD_TELL
    } else {
        rights::FD_SEEK
    };
    cx.ctx().fds.need(fd, needed)?;
    let mut file: &File = cx.ctx().fds.file(fd)?;
    let new = file.seek(pos)?;
    mem::write_u64(cx.mem()?, out, new)
}

pub fn fd_tell(cx: &mut dyn Env, fd: u32, out: u32) -> WasiResult {
    cx.ctx().fds.need(fd, rights::FD_TELL)?;
    let mut file: &File = cx.ctx().fds.file(fd)?;
    let pos = file.stream_position()?;
    mem::write_u64(cx.mem()?, out, pos)
}

pub fn fd_close(cx: &mut dyn Env, fd: u32) -> WasiResult {
    cx.ctx().fds.remove(fd).map(drop)
}

pub fn fd_renumber(cx: &mut dyn Env, from: u32, to: u32) -> WasiResult {
    cx.ctx().fds.renumber(from, to)
}

pub fn fd_sync(cx: &mut dyn Env, fd: u32) -> WasiResult {
    match cx.ctx().fds.need(fd, rights::FD_SYNC)? {
        Desc::File(f) => Ok(f.sync_all()?),
        Desc::Dir(d) => Ok(rustix::fs::fsync(&d.fd)?),
        Desc::Stream(_) | Desc::Socket(_) => Err(Errno::Inval.into()),
    }
}

pub fn fd_datasync(cx: &mut dyn Env, fd: u32) -> WasiResult {
    match cx.ctx().fds.need(fd, rights::FD_DATASYNC)? {
        Desc::File(f) => Ok(f.sync_data()?),
        Desc::Dir(d) => Ok(rustix::fs::fdatasync(&d.fd)?),
        Desc::Stream(_) | Desc::Socket(_) => Err(Errno::Inval.into()),
    }
}

fn fdflags(host: OFlags) -> u16 {
    let mut flags = 0;
    if host.contains(OFlags::APPEND) {
        flags |= FDFLAGS_APPEND;
    }
    if host.contains(OFlags::NONBLOCK) {
        flags |= FDFLAGS_NONBLOCK;
    }
    if host.contains(OFlags::SYNC) {
        flags |= FDFLAGS_SYNC | FDFLAGS_RSYNC;
    } else if host.contains(OFlags::DSYNC) {
        flags |= FDFLAGS_DSYNC;
    }
    flags
}

/// Host open flags for WASI `fdflags` (used by path_open too). `fdflags` is a u16 that the
/// ABI passes as an i32: any bit outside the five defined ones, in the low 16 bits or above
/// them, is `EINVAL` (never silently dropped).
pub fn host_fdflags(flags: u32) -> WasiResult<OFlags> {
    let defined = FDFLAGS_APPEND | FDFLAGS_DSYNC | FDFLAGS_NONBLOCK | FDFLAGS_RSYNC | FDFLAGS_SYNC;
    if flags & !u32::from(defined) != 0 {
        return Err(Errno::Inval.into());
    }
    let flags = flags as u16; // lossless: checked above
    let mut host = OFlags::empty();
    if flags & FDFLAGS_APPEND != 0 {
        host |= OFlags::APPEND;
    }
    if flags & FDFLAGS_NONBLOCK != 0 {
        host |= OFlags::NONBLOCK;
    }
    if flags & FDFLAGS_DSYNC != 0 {
        host |= OFlags::DSYNC;
    }
    if flags & (FDFLAGS_SYNC | FDFLAGS_RSYNC) != 0 {
        host |= OFlags::SYNC;
    }
    Ok(host)
}

/// fd_fdstat_get: the descriptor's type, flags and its rights as held (see `rights`):
/// a directory has no seek, read, write or size rights, a file opened read-only no write
/// rights, and rights dropped with fd_fdstat_set_rights are gone.
pub fn fd_fdstat_get(cx: &mut dyn Env, fd: u32, out: u32) -> WasiResult {
    let entry = cx.ctx().fds.entry(fd)?;
    let (base, inheriting) = (entry.base, entry.inheriting);
    let (filetype, flags) = match &entry.desc {
        // A character device without seek/tell rights: what wasi-libc's isatty checks.
        Desc::Stream(_) => (stat::FILETYPE_CHARACTER_DEVICE, 0),
        Desc::File(f) => {
            let st = rustix::fs::fstat(f)?;
            let ft = stat::filetype(rustix::fs::FileType::from_raw_mode(st.st_mode as _));
            (ft, fdflags(rustix::fs::fcntl_getfl(f)?))
        }
        Desc::Dir(_) => (stat::FILETYPE_DIRECTORY, 0),
        Desc::Socket(s) => {
            let flags = if s.nonblock { FDFLAGS_NONBLOCK } else { 0 };
            (stat::FILETYPE_SOCKET_STREAM, flags)
        }
    };
    let mut rec = [0u8; 24];
    rec[0] = filetype;
    rec[2..4].copy_from_slice(&flags.to_le_bytes());
    rec[8..16].copy_from_slice(&base.to_le_bytes());
    rec[16..24].copy_from_slice(&inheriting.to_le_bytes());
    mem::write_bytes(cx.mem()?, out, &rec)
}

pub fn fd_fdstat_set_flags(cx: &mut dyn Env, fd: u32, flags: u32) -> WasiResult {
    let wanted = host_fdflags(flags)?;
    cx.ctx().fds.need(fd, rights::FD_FDSTAT_SET_FLAGS)?;
    if let Desc::Socket(s) = cx.ctx().fds.get_mut(fd)? {
        // Only the guest's view changes (the host socket stays non-blocking).
        if wanted.intersects(!OFlags::NONBLOCK) {
            return Err(Errno::Inval.into());
        }
        s.nonblock = wanted.contains(OFlags::NONBLOCK);
        return Ok(());
    }
    match cx.ctx().fds.get(fd)? {
        Desc::File(f) => {
            // Linux changes only APPEND and NONBLOCK on an open file; the sync flags are
            // fixed at open time.
            if wanted.intersects(OFlags::SYNC | OFlags::DSYNC) {
                return Err(Errno::Notsup.into());
            }
            let keep = rustix::fs::fcntl_getfl(f)? & !(OFlags::APPEND | OFlags::NONBLOCK);
            Ok(rustix::fs::fcntl_setfl(f, keep | wanted)?)
        }
        // Streams: accepted as a no-op. The host's descriptor may be shared with other
        // processes and is left as it is; waits on it are interruptible anyway.
        Desc::Stream(_) => Ok(()),
        Desc::Dir(_) => Err(Errno::Badf.into()),
        Desc::Socket(_) => Ok(()), // handled above
    }
}

/// fd_fdstat_set_rights: drops rights (never adds them; see `FdTable::set_rights`).
pub fn fd_fdstat_set_rights(cx: &mut dyn Env, fd: u32, base: u64, inheriting: u64) -> WasiResult {
    cx.ctx().fds.set_rights(fd, base, inheriting)
}

pub fn fd_filestat_get(cx: &mut dyn Env, fd: u32, out: u32) -> WasiResult {
    let rec = match cx.ctx().fds.need(fd, rights::FD_FILESTAT_GET)? {
        Desc::File(f) => stat::filestat(&rustix::fs::fstat(f)?),
        Desc::Dir(d) => stat::filestat(&rustix::fs::fstat(&d.fd)?),
        Desc::Socket(s) => stat::filestat(&rustix::fs::fstat(&s.fd)?),
        Desc::Stream(_) => stat::stream_filestat(),
    };
    mem::write_bytes(cx.mem()?, out, &rec)
}

pub fn fd_filestat_set_size(cx: &mut dyn Env, fd: u32, size: u64) -> WasiResult {
    cx.ctx().fds.need(fd, rights::FD_FILESTAT_SET_SIZE)?;
    Ok(cx.ctx().fds.file(fd)?.set_len(size)?)
}

pub fn fd_filestat_set_times(
    cx: &mut dyn Env,
    fd: u32,
    atim: u64,
    mtim: u64,
    flags: u32,
) -> WasiResult {
    let times = stat::timestamps(atim, mtim, flags)?;
    match cx.ctx().fds.need(fd, rights::FD_FILESTAT_SET_TIMES)? {
        Desc::File(f) => Ok(rustix::fs::futimens(f, &times)?),
        Desc::Dir(d) => Ok(rustix::fs::futimens(&d.fd, &times)?),
        Desc::Stream(_) | Desc::Socket(_) => Err(Errno::Badf.into()),
    }
}

pub fn fd_advise(cx: &mut dyn Env, fd: u32, offset: u64, len: u64, advice: u32) -> WasiResult {
    let advice = match advice {
        0 => Advice::Normal,
        1 => Advice::Sequential,
        2 => Advice::Random,
        3 => Advice::WillNeed,
        4 => Advice::DontNeed,
        5 => Advice::NoReuse,
        _ => return Err(Errno::Inval.into()),
    };
    cx.ctx().fds.need(fd, rights::FD_ADVISE)?;
    let file = cx.ctx().fds.file(fd)?;
    Ok(rustix::fs::fadvise(
        file,
        offset,
        NonZeroU64::new(len),
        advice,
    )?)
}

pub fn fd_allocate(cx: &mut dyn Env, fd: u32, offset: u64, len: u64) -> WasiResult {
    cx.ctx().fds.need(fd, rights::FD_ALLOCATE)?;
    let file = cx.ctx().fds.file(fd)?;
    match rustix::fs::fallocate(file, FallocateFlags::empty(), offset, len) {
        Ok(()) => Ok(()),
        // Some file systems cannot preallocate: extending the file has the visible effect.
        Err(rustix::io::Errno::OPNOTSUPP) => {
            let end = offset.checked_add(len).ok_or(Errno::Fbig)?;
            if end > file.metadata()?.len() {
                file.set_len(end)?;
            }
            Ok(())
        }
        Err(e) => Err(e.into()),
    }
}
