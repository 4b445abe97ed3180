//! File types, `filestat` records and timestamp updates shared by the fd_ and path_ calls.

use rustix::fs::{FileType, Stat, Timespec, Timestamps, UTIME_NOW, UTIME_OMIT};

use super::errno::{Errno, WasiResult};

pub const FILETYPE_UNKNOWN: u8 = 0;
pub const FILETYPE_BLOCK_DEVICE: u8 = 1;
pub const FILETYPE_CHARACTER_DEVICE: u8 = 2;
pub const FILETYPE_DIRECTORY: u8 = 3;
pub const FILETYPE_REGULAR_FILE: u8 = 4;
pub const FILETYPE_SOCKET_STREAM: u8 = 6;
pub const FILETYPE_SYMBOLIC_LINK: u8 = 7;

pub fn filetype(ft: FileType) -> u8 {
    match ft {
        FileType::RegularFile => FILETYPE_REGULAR_FILE,
        FileType::Directory => FILETYPE_DIRECTORY,
        FileType::Symlink => FILETYPE_SYMBOLIC_LINK,
        FileType::CharacterDevice => FILETYPE_CHARACTER_DEVICE,
        FileType::BlockDevice => FILETYPE_BLOCK_DEVICE,
        FileType::Socket => FILETYPE_SOCKET_STREAM,
        _ => FILETYPE_UNKNOWN,
    }
}

fn ns(sec: i64, nsec: i64) -> u64 {
    (sec.max(0) as u64)
        .saturating_mul(1_000_000_000)
        .saturating_add(nsec.max(0) as u64)
}

/// The 64-byte `filestat` record.
#[allow(clippy::unnecessary_cast)] // field widths differ between Linux targets
pub fn filestat(st: &Stat) -> [u8; 64] {
    let mut rec = [0u8; 64];
    rec[0..8].copy_from_slice(&(st.st_dev as u64).to_le_bytes());
    rec[8..16].copy_from_slice(&(st.st_ino as u64).to_le_bytes());
    rec[16] = filetype(FileType::from_raw_mode(st.st_mode as _));
    rec[24..32].copy_from_slice(&(st.st_nlink as u64).to_le_bytes());
    rec[32..40].copy_from_slice(&(st.st_size as u64).to_le_bytes());
    let times = [
        ns(st.st_atime as i64, st.st_atime_nsec as i64),
        ns(st.st_mtime as i64, st.st_mtime_nsec as i64),
        ns(st.st_ctime as i64, st.st_ctime_nsec as i64),
    ];
    for (i, t) in times.iter().enumerate() {
        rec[40 + i * 8..48 + i * 8].copy_from_slice(&t.to_le_bytes());
    }
    rec
}

/// A `filestat` for a stdio stream, which has no host file behind it here.
pub fn stream_filestat() -> [u8; 64] {
    let mut rec = [0u8; 64];
    rec[16] = FILETYPE_CHARACTER_DEVICE;
    rec
}

const FSTFLAGS_ATIM: u16 = 1;
const FSTFLAGS_ATIM_NOW: u16 = 2;
const FSTFLAGS_MTIM: u16 = 4;
const FSTFLAGS_MTIM_NOW: u16 = 8;

fn one_time(value: u64, set: bool, now: bool) -> WasiResult<Timespec> {
    let (tv_sec, tv_nsec) = match (set, now) {
        (true, true) => return Err(Errno::Inval.into()),
        (true, false) => (
            (value / 1_000_000_000) as i64,
            (value % 1_000_000_000) as i64,
        ),
        (false, true) => (0, UTIME_NOW),
        (false, false) => (0, UTIME_OMIT),
    };
    Ok(Timespec {
        tv_sec: tv_sec as _,
        tv_nsec: tv_nsec as _,
    })
}

/// The `utimensat` argument for WASI's `(atim, mtim, fst_flags)`. `fstflags` is a u16 passed
/// as an i32: a bit outside the four defined ones, at any position, is `EINVAL`.
pub fn timestamps(atim: u64, mtim: u64, flags: u32) -> WasiResult<Timestamps> {
    let defined = FSTFLAGS_ATIM | FSTFLAGS_ATIM_NOW | FSTFLAGS_MTIM | FSTFLAGS_MTIM_NOW;
    if flags & !u32::from(defined) != 0 {
        return Err(Errno::Inval.into());
    }
    let flags = flags as u16; // lossless: checked above
    Ok(Timestamps {
        last_access: one_time(
            atim,
            flags & FSTFLAGS_ATIM != 0,
            flags & FSTFLAGS_ATIM_NOW != 0,
        )?,
        last_modification: one_time(
            mtim,
            flags & FSTFLAGS_MTIM != 0,
            flags & FSTFLAGS_MTIM_NOW != 0,
        )?,
    })
}
