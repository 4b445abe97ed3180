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
use super::rights;
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

#[cfg(test)]
const RIGHT_FD_READ: u64 = rights::FD_READ;
#[cfg(test)]
const RIGHT_FD_WRITE: u64 = rights::FD_WRITE;

/// Reads a guest path argument and resolves it under directory descriptor `fd`, which must
/// hold `needed` (`ENOTCAPABLE` otherwise). `slash_follows`: see `sandbox::resolve`.
fn resolve_arg(
    cx: &mut dyn Env,
    fd: u32,
    needed: u64,
    (ptr, len): (u32, u32),
    follow: bool,
    slash_follows: bool,
) -> WasiResult<Resolved> {
    cx.ctx().fds.need(fd, needed)?;
    // At most MAX_PATH bytes are copied out of guest memory (ENAMETOOLONG beyond).
    let path = mem::read_path(cx.mem()?, ptr, len)?;
    let base = &cx.ctx().fds.dir(fd)?.fd;
    sandbox::resolve(base, &path, follow, slash_follows)
}

/// The type of what `t` names, not following a symlink there.
fn file_type(t: &Resolved) -> WasiResult<FileType> {
    let st = rustix::fs::statat(t.dir.as_fd(), t.name.as_str(), AtFlags::SYMLINK_NOFOLLOW)?;
    Ok(FileType::from_raw_mode(st.st_mode as _))
}

/// A path written with a trailing slash must name a directory (`ENOTDIR` otherwise).
fn check_must_dir(t: &Resolved) -> WasiResult {
    if t.must_dir && file_type(t)? != FileType::Directory {
        return Err(Errno::Notdir.into());
    }
    Ok(())
}

/// The new name of a link (`path_link`, `path_symlink`) written with a trailing slash: Linux
/// refuses it, `EEXIST` if something is there and `ENOENT` if not.
fn check_new_link_name(t: &Resolved) -> WasiResult {
    if t.must_dir {
        return match file_type(t) {
            Ok(_) => Err(Errno::Exist.into()),
            Err(_) => Err(Errno::Noent.into()),
        };
    }
    Ok(())
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
    inheriting: u64,
    fdflags: u32,
    out: u32,
) -> WasiResult {
    // `oflags` is a u16 and `fdflags` a u16, passed as i32: every undefined bit is EINVAL.
    if oflags & !(OFLAGS_CREAT | OFLAGS_DIRECTORY | OFLAGS_EXCL | OFLAGS_TRUNC) != 0 {
        return Err(Errno::Inval.into());
    }
    // As wasmtime: a directory cannot be created, truncated or opened for writing here.
    if oflags & OFLAGS_DIRECTORY != 0 {
        if oflags & (OFLAGS_CREAT | OFLAGS_EXCL | OFLAGS_TRUNC) != 0 {
            return Err(Errno::Inval.into());
        }
        if rights & rights::FD_WRITE != 0 {
            return Err(Errno::Isdir.into());
        }
    }
    let guest_fdflags = host_fdflags(fdflags)?;
    let follow = follow(dirflags)?;
    let mut needed = rights::PATH_OPEN;
    if oflags & OFLAGS_CREAT != 0 {
        needed |= rights::PATH_CREATE_FILE;
    }
    let target = resolve_arg(cx, fd, needed, (path, path_len), follow, true)?;
    // `open("new/", O_CREAT)` is EISDIR on Linux, whether or not something is there.
    if target.must_dir && oflags & OFLAGS_CREAT != 0 {
        return Err(Errno::Isdir.into());
    }

    // The new descriptor's rights: what was asked for, within what the directory passes on
    // (its inheriting set). Bits preview1 does not define fall away here: wasi-libc asks
    // with the complement of a mask, high bits set.
    let parent_inheriting = cx.ctx().fds.entry(fd)?.inheriting;
    let base = rights & parent_inheriting;
    let inheriting = inheriting & parent_inheriting;
    let read = base & (rights::FD_READ | rights::FD_READDIR) != 0;
    // As wasmtime: any right that changes the file's contents opens it for writing.
    let write = base & (rights::FD_WRITE | rights::FD_ALLOCATE | rights::FD_FILESTAT_SET_SIZE) != 0
        && oflags & OFLAGS_DIRECTORY == 0;
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
    if oflags & OFLAGS_DIRECTORY != 0 || target.must_dir {
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
    let (desc, base, inheriting) =
        if FileType::from_raw_mode(st.st_mode as _) == FileType::Directory {
            let desc = Desc::Dir(DirDesc {
                fd: opened,
                preopen: None,
                marks: Default::default(),
            });
            (desc, base & rights::DIR, inheriting)
        } else {
            (Desc::File(File::from(opened)), base & rights::FILE, 0)
        };
    let new_fd = cx.ctx().fds.insert_with(desc, base, inheriting)?;
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
    let follow = follow(flags)?;
    let t = resolve_arg(cx, fd, rights::PATH_FILESTAT_GET, (path, len), follow, true)?;
    let st = rustix::fs::statat(t.dir.as_fd(), t.name.as_str(), AtFlags::SYMLINK_NOFOLLOW)?;
    if t.must_dir && FileType::from_raw_mode(st.st_mode as _) != FileType::Directory {
        return Err(Errno::Notdir.into());
    }
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
    let follow = follow(flags)?;
    let needed = rights::PATH_FILESTAT_SET_TIMES;
    let t = resolve_arg(cx, fd, needed, (path, len), follow, true)?;
    check_must_dir(&t)?;
    Ok(rustix::fs::utimensat(
        t.dir.as_fd(),
        t.name.as_str(),
        &times,
        AtFlags::SYMLINK_NOFOLLOW,
    )?)
}

/// path_create_directory: `mkdir("new/")` is fine, as on Linux.
pub fn path_create_directory(cx: &mut dyn Env, fd: u32, path: u32, len: u32) -> WasiResult {
    let needed = rights::PATH_CREATE_DIRECTORY;
    let t = resolve_arg(cx, fd, needed, (path, len), false, false)?;
    Ok(rustix::fs::mkdirat(
        t.dir.as_fd(),
        t.name.as_str(),
        Mode::from_raw_mode(0o777),
    )?)
}

/// path_remove_directory: a trailing slash changes nothing (`rmdir("dir/")` works, a file
/// or a symlink is `ENOTDIR` either way, as on Linux).
pub fn path_remove_directory(cx: &mut dyn Env, fd: u32, path: u32, len: u32) -> WasiResult {
    let needed = rights::PATH_REMOVE_DIRECTORY;
    let t = resolve_arg(cx, fd, needed, (path, len), false, false)?;
    Ok(rustix::fs::unlinkat(
        t.dir.as_fd(),
        t.name.as_str(),
        AtFlags::REMOVEDIR,
    )?)
}

/// path_unlink_file: with a trailing slash nothing is removed, as on Linux: `EISDIR` for a
/// directory, `ENOTDIR` for anything else (a symlink included).
pub fn path_unlink_file(cx: &mut dyn Env, fd: u32, path: u32, len: u32) -> WasiResult {
    let needed = rights::PATH_UNLINK_FILE;
    let t = resolve_arg(cx, fd, needed, (path, len), false, false)?;
    if t.must_dir {
        return match file_type(&t)? {
            FileType::Directory => Err(Errno::Isdir.into()),
            _ => Err(Errno::Notdir.into()),
        };
    }
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
    let from = resolve_arg(
        cx,
        old_fd,
        rights::PATH_RENAME_SOURCE,
        (old_path, old_len),
        false,
        false,
    )?;
    let to = resolve_arg(
        cx,
        new_fd,
        rights::PATH_RENAME_TARGET,
        (new_path, new_len),
        false,
        false,
    )?;
    // A trailing slash on either name is only for directories (Linux: `ENOTDIR`).
    if (from.must_dir || to.must_dir) && file_type(&from)? != FileType::Directory {
        return Err(Errno::Notdir.into());
    }
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
    let follow = follow(old_flags)?;
    let needed = rights::PATH_LINK_SOURCE;
    let from = resolve_arg(cx, old_fd, needed, (old_path, old_len), follow, true)?;
    let needed = rights::PATH_LINK_TARGET;
    let to = resolve_arg(cx, new_fd, needed, (new_path, new_len), false, false)?;
    // `link("file/", ..)` is ENOTDIR (a directory cannot be linked: EPERM from the host).
    check_must_dir(&from)?;
    check_new_link_name(&to)?;
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
    let t = resolve_arg(cx, fd, rights::PATH_SYMLINK, (path, len), false, false)?;
    check_new_link_name(&t)?;
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
    let t = resolve_arg(cx, fd, rights::PATH_READLINK, (path, len), false, true)?;
    check_must_dir(&t)?;
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
            path_open(
                &mut env,
                3,
                1,
                p,
                len,
                OFLAGS_CREAT,
                RIGHT_FD_WRITE,
                0,
                0,
                200
            ),
            Err(Errno::Noent.into())
        );
        // CREAT with write rights; the new fd number is stored at 200.
        let (p, len) = env.put(100, b"made.txt");
        path_open(
            &mut env,
            3,
            1,
            p,
            len,
            OFLAGS_CREAT,
            RIGHT_FD_WRITE,
            0,
            0,
            200,
        )
        .unwrap();
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
                0,
                200
            ),
            Err(Errno::Notdir.into())
        );
        assert_eq!(
            path_open(&mut env, 3, 1, p, len, 0x10, RIGHT_FD_READ, 0, 0, 200),
            Err(Errno::Inval.into())
        );
    }
}
