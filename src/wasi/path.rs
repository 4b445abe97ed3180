//! The path_ calls. Every path is resolved inside its directory capability by
//! `sandbox::resolve`; the host is only ever asked about (directory fd, single name) pairs.

use std::fs::File;
use std::os::fd::AsFd;

use rustix::fs::{AtFlags, FileType, Mode, OFlags};

use super::errno::{Errno, WasiResult};
use super::fd::host_fdflags;
use super::fdtable::{Desc, DirDesc};
use super::host::Env;
use super::mem;
use super::sandbox::{self, Resolved};
use super::stat;

const LOOKUP_SYMLINK_FOLLOW: u32 = 1;

const OFLAGS_CREAT: u32 = 1;
const OFLAGS_DIRECTORY: u32 = 2;
const OFLAGS_EXCL: u32 = 4;
const OFLAGS_TRUNC: u32 = 8;

/// Whether a `lookupflags` (u32) asks to follow a symlink in the last position; a bit other
/// than `symlink_follow` is `EINVAL`.
fn follow(lookupflags: u32) -> WasiResult<bool> {
    if lookupflags & !LOOKUP_SYMLINK_FOLLOW != 0 {
        return Err(Errno::Inval.into());
    }
    Ok(lookupflags & LOOKUP_SYMLINK_FOLLOW != 0)
}

const RIGHT_FD_READ: u64 = 1 << 1;
const RIGHT_FD_WRITE: u64 = 1 << 6;

/// Reads a guest path argument and resolves it under directory descriptor `fd`.
fn resolve_arg(
    cx: &mut dyn Env,
    fd: u32,
    ptr: u32,
    len: u32,
    follow: bool,
) -> WasiResult<Resolved> {
    // At most MAX_PATH bytes are copied out of guest memory (ENAMETOOLONG beyond).
    let path = mem::read_path(cx.mem()?, ptr, len)?;
    let base = &cx.ctx().fds.dir(fd)?.fd;
    sandbox::resolve(base, &path, follow)
}

#[allow(clippy::too_many_arguments)]
pub fn path_open(
    cx: &mut dyn Env,
    fd: u32,
    dirflags: u32,
    path: u32,
    path_len: u32,
    oflags: u32,
    rights: u64,
    fdflags: u32,
    out: u32,
) -> WasiResult {
    // `oflags` is a u16 and `fdflags` a u16, passed as i32: every undefined bit is EINVAL.
    // Rights are not checked: they are not enforced, and wasi-libc itself passes the
    // complement of a mask (undefined high bits set) as the rights it wants.
    if oflags & !(OFLAGS_CREAT | OFLAGS_DIRECTORY | OFLAGS_EXCL | OFLAGS_TRUNC) != 0 {
        return Err(Errno::Inval.into());
    }
    let guest_fdflags = host_fdflags(fdflags)?;
    let follow = follow(dirflags)?;
    let target = resolve_arg(cx, fd, path, path_len, follow)?;

    let read = rights & RIGHT_FD_READ != 0;
    // Directories are always opened read-only (a guest that asks for every right still
    // gets its directory).
    let write = rights & RIGHT_FD_WRITE != 0 && oflags & OFLAGS_DIRECTORY == 0;
    let mut flags = match (read, write) {
        (_, false) => OFlags::RDONLY,
        (false, true) => OFlags::WRONLY,
        (true, true) => OFlags::RDWR,
    };
    // The walk already dealt with symlinks; the host must not follow one in the last position.
    // O_NONBLOCK during the open: opening a FIFO otherwise blocks (uninterruptibly) until
    // the other end is opened; it is cleared again below unless the guest asked for it.
    flags |= OFlags::NOFOLLOW | OFlags::CLOEXEC | OFlags::NONBLOCK | guest_fdflags;
    if oflags & OFLAGS_CREAT != 0 {
        flags |= OFlags::CREATE;
    }
    if oflags & OFLAGS_DIRECTORY != 0 {
        flags |= OFlags::DIRECTORY;
    }
    if oflags & OFLAGS_EXCL != 0 {
        flags |= OFlags::EXCL;
    }
    if oflags & OFLAGS_TRUNC != 0 {
        flags |= OFlags::TRUNC;
    }
    let opened = rustix::fs::openat(
        target.dir.as_fd(),
        target.name.as_str(),
        flags,
        Mode::from_raw_mode(0o666),
    )
    .map_err(|e| match e {
        // O_NOFOLLOW on a symlink: the guest asked not to follow it.
        rustix::io::Errno::LOOP if !follow => Errno::Loop,
        e => e.into(),
    })?;
    if !guest_fdflags.contains(OFlags::NONBLOCK) {
        let now = rustix::fs::fcntl_getfl(&opened)?;
        rustix::fs::fcntl_setfl(&opened, now - OFlags::NONBLOCK)?;
    }
    let st = rustix::fs::fstat(&opened)?;
    let desc = if FileType::from_raw_mode(st.st_mode as _) == FileType::Directory {
        Desc::Dir(DirDesc {
            fd: opened,
            preopen: None,
        })
    } else {
        Desc::File(File::from(opened))
    };
    let new_fd = cx.ctx().fds.insert(desc)?;
    mem::write_u32(cx.mem()?, out, new_fd)
}

pub fn path_filestat_get(
    cx: &mut dyn Env,
    fd: u32,
    flags: u32,
    path: u32,
    len: u32,
    out: u32,
) -> WasiResult {
    let t = resolve_arg(cx, fd, path, len, follow(flags)?)?;
    let st = rustix::fs::statat(t.dir.as_fd(), t.name.as_str(), AtFlags::SYMLINK_NOFOLLOW)?;
    mem::write_bytes(cx.mem()?, out, &stat::filestat(&st))
}

#[allow(clippy::too_many_arguments)]
pub fn path_filestat_set_times(
    cx: &mut dyn Env,
    fd: u32,
    flags: u32,
    path: u32,
    len: u32,
    atim: u64,
    mtim: u64,
    fst_flags: u32,
) -> WasiResult {
    let times = stat::timestamps(atim, mtim, fst_flags)?;
    let t = resolve_arg(cx, fd, path, len, follow(flags)?)?;
    Ok(rustix::fs::utimensat(
        t.dir.as_fd(),
        t.name.as_str(),
        &times,
        AtFlags::SYMLINK_NOFOLLOW,
    )?)
}

pub fn path_create_directory(cx: &mut dyn Env, fd: u32, path: u32, len: u32) -> WasiResult {
    let t = resolve_arg(cx, fd, path, len, false)?;
    Ok(rustix::fs::mkdirat(
        t.dir.as_fd(),
        t.name.as_str(),
        Mode::from_raw_mode(0o777),
    )?)
}

pub fn path_remove_directory(cx: &mut dyn Env, fd: u32, path: u32, len: u32) -> WasiResult {
    let t = resolve_arg(cx, fd, path, len, false)?;
    Ok(rustix::fs::unlinkat(
        t.dir.as_fd(),
        t.name.as_str(),
        AtFlags::REMOVEDIR,
    )?)
}

pub fn path_unlink_file(cx: &mut dyn Env, fd: u32, path: u32, len: u32) -> WasiResult {
    let t = resolve_arg(cx, fd, path, len, false)?;
    Ok(rustix::fs::unlinkat(
        t.dir.as_fd(),
        t.name.as_str(),
        AtFlags::empty(),
    )?)
}

#[allow(clippy::too_many_arguments)]
pub fn path_rename(
    cx: &mut dyn Env,
    old_fd: u32,
    old_path: u32,
    old_len: u32,
    new_fd: u32,
    new_path: u32,
    new_len: u32,
) -> WasiResult {
    let from = resolve_arg(cx, old_fd, old_path, old_len, false)?;
    let to = resolve_arg(cx, new_fd, new_path, new_len, false)?;
    Ok(rustix::fs::renameat(
        from.dir.as_fd(),
        from.name.as_str(),
        to.dir.as_fd(),
        to.name.as_str(),
    )?)
}

#[allow(clippy::too_many_arguments)]
pub fn path_link(
    cx: &mut dyn Env,
    old_fd: u32,
    old_flags: u32,
    old_path: u32,
    old_len: u32,
    new_fd: u32,
    new_path: u32,
    new_len: u32,
) -> WasiResult {
    let from = resolve_arg(cx, old_fd, old_path, old_len, follow(old_flags)?)?;
    let to = resolve_arg(cx, new_fd, new_path, new_len, false)?;
    Ok(rustix::fs::linkat(
        from.dir.as_fd(),
        from.name.as_str(),
        to.dir.as_fd(),
        to.name.as_str(),
        AtFlags::empty(),
    )?)
}

pub fn path_symlink(
    cx: &mut dyn Env,
    target: u32,
    target_len: u32,
    fd: u32,
    path: u32,
    len: u32,
) -> WasiResult {
    // Bounded like a path: at most MAX_PATH bytes are copied.
    let target = mem::read_path(cx.mem()?, target, target_len)?;
    // A link with an absolute target could never be followed inside the sandbox; refuse it
    // up front. Relative targets are stored as given: following them is confined anyway.
    if target.starts_with('/') {
        return Err(Errno::Notcapable.into());
    }
    let t = resolve_arg(cx, fd, path, len, false)?;
    Ok(rustix::fs::symlinkat(
        target.as_str(),
        t.dir.as_fd(),
        t.name.as_str(),
    )?)
}

pub fn path_readlink(
    cx: &mut dyn Env,
    fd: u32,
    path: u32,
    len: u32,
    buf: u32,
    buf_len: u32,
    out: u32,
) -> WasiResult {
    let t = resolve_arg(cx, fd, path, len, false)?;
    // The host's buffer grows to the link's length, which the kernel bounds (PATH_MAX),
    // whatever `buf_len` the guest passes.
    let target = rustix::fs::readlinkat(t.dir.as_fd(), t.name.as_str(), Vec::new())?;
    let bytes = target.as_bytes();
    // Like readlink(2): truncated to the buffer, no terminating NUL.
    let n = bytes.len().min(buf_len as usize);
    let m = cx.mem()?;
    mem::write_bytes(m, buf, &bytes[..n])?;
    mem::write_u32(m, out, n as u32)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::wasi::testenv::{TestEnv, scratch};
    use std::time::{Duration, SystemTime};

    const ATIM: u32 = 1;
    const ATIM_NOW: u32 = 2;
    const MTIM: u32 = 4;
    const MTIM_NOW: u32 = 8;

    fn mtime(path: &std::path::Path) -> SystemTime {
        std::fs::symlink_metadata(path).unwrap().modified().unwrap()
    }

    #[test]
    fn set_times_explicit_now_and_invalid() {
        let dir = scratch("times");
        let file = dir.join("f");
        std::fs::write(&file, "x").unwrap();
        let mut env = TestEnv::with_dir(&dir);
        let (p, len) = env.put(100, b"f");
        let t = 1_000_000_000u64 * 1_000_000_000 + 5;
        path_filestat_set_times(&mut env, 3, 0, p, len, t, t, ATIM | MTIM).unwrap();
        assert_eq!(
            mtime(&file),
            SystemTime::UNIX_EPOCH + Duration::from_nanos(t)
        );
        path_filestat_set_times(&mut env, 3, 0, p, len, 0, 0, ATIM_NOW | MTIM_NOW).unwrap();
        let age = SystemTime::now().duration_since(mtime(&file)).unwrap();
        assert!(age < Duration::from_secs(60), "now means now: {age:?}");
        assert_eq!(
            path_filestat_set_times(&mut env, 3, 0, p, len, 0, 0, MTIM | MTIM_NOW),
            Err(Errno::Inval.into())
        );
        assert_eq!(
            path_filestat_set_times(&mut env, 3, 0, p, len, 0, 0, 0x10),
            Err(Errno::Inval.into())
        );
    }

    #[test]
    fn open_create_read_write_flags() {
        let dir = scratch("open");
        let mut env = TestEnv::with_dir(&dir);
        // `new` does not exist, so the walk fails as in POSIX (no lexical `..` shortcut).
        let (p, len) = env.put(100, b"new/../made.txt");
        assert_eq!(
            path_open(&mut env, 3, 1, p, len, OFLAGS_CREAT, RIGHT_FD_WRITE, 0, 200),
            Err(Errno::Noent.into())
        );
        // CREAT with write rights; the new fd number is stored at 200.
        let (p, len) = env.put(100, b"made.txt");
        path_open(&mut env, 3, 1, p, len, OFLAGS_CREAT, RIGHT_FD_WRITE, 0, 200).unwrap();
        assert!(dir.join("made.txt").is_file());
        assert_eq!(
            mem::read_u32(&env.mem, 200),
            Ok(4),
            "lowest free number after the preopen"
        );
        assert_eq!(
            path_open(
                &mut env,
                3,
                1,
                p,
                len,
                OFLAGS_CREAT | OFLAGS_EXCL,
                RIGHT_FD_WRITE,
                0,
                200
            ),
            Err(Errno::Exist.into())
        );
        assert_eq!(
            path_open(
                &mut env,
                3,
                1,
                p,
                len,
                OFLAGS_DIRECTORY,
                RIGHT_FD_READ,
                0,
                200
            ),
            Err(Errno::Notdir.into())
        );
        assert_eq!(
            path_open(&mut env, 3, 1, p, len, 0x10, RIGHT_FD_READ, 0, 200),
            Err(Errno::Inval.into())
        );
    }
}
