//! Directory descriptors: preopen discovery (fd_prestat_*) and fd_readdir.

use super::errno::{Errno, WasiResult};
use super::fdtable::Desc;
use super::host::Env;
use super::mem;
use super::stat;

pub fn fd_prestat_get(cx: &mut dyn Env, fd: u32, out: u32) -> WasiResult {
    let dir = cx.ctx().fds.dir(fd).map_err(|_| Errno::Badf)?;
    let name = dir.preopen.as_ref().ok_or(Errno::Badf)?;
    let len = name.len() as u32;
    let mut rec = [0u8; 8]; // tag 0 = directory, then the name length
    rec[4..8].copy_from_slice(&len.to_le_bytes());
    mem::write_bytes(cx.mem()?, out, &rec)
}

pub fn fd_prestat_dir_name(cx: &mut dyn Env, fd: u32, buf: u32, len: u32) -> WasiResult {
    let dir = cx.ctx().fds.dir(fd).map_err(|_| Errno::Badf)?;
    // The name is the embedder's (bounded by it), whatever `len` the guest passes.
    let name = dir.preopen.clone().ok_or(Errno::Badf)?;
    if (len as usize) < name.len() {
        return Err(Errno::Nametoolong.into());
    }
    mem::write_bytes(cx.mem()?, buf, name.as_bytes())
}

const DIRENT_SIZE: usize = 24;

/// Every `MARK_STRIDE`-th cookie's host position is remembered, for at most `MAX_MARKS`
/// of them per descriptor (a few KiB, however large the directory).
const MARK_STRIDE: u64 = 256;
const MAX_MARKS: usize = 1024;

/// fd_readdir's cookies are entry indices, as in wasmtime (cookie `n`: start after `n`
/// entries), not the host's `d_off` values: those are 64-bit hashes on ext4 and others, which
/// wasi-libc's `telldir` (a 32-bit `long` on wasm32) would cut short. To resume without
/// rereading the directory, each descriptor remembers the host position of the cookies it
/// handed out last (a guest resumes from one of them) and of every `MARK_STRIDE`-th one; any
/// other cookie is found by reading on from the closest earlier mark.
#[derive(Default)]
pub(crate) struct ReaddirMarks {
    strided: std::collections::BTreeMap<u64, i64>,
    recent: Vec<(u64, i64)>,
}

impl ReaddirMarks {
    /// The closest known position at or before entry `index`: `(index, host offset)`, or
    /// `(0, None)` for the start of the directory.
    fn find(&self, index: u64) -> (u64, Option<i64>) {
        if let Some(&(i, off)) = self.recent.iter().find(|&&(i, _)| i == index) {
            return (i, Some(off));
        }
        match self.strided.range(..=index).next_back() {
            Some((&i, &off)) => (i, Some(off)),
            None => (0, None),
        }
    }

    fn note(&mut self, index: u64, off: i64, recent: bool) {
        if index.is_multiple_of(MARK_STRIDE) && self.strided.len() < MAX_MARKS {
            self.strided.insert(index, off);
        }
        if recent {
            self.recent.push((index, off));
            if self.recent.len() > 2 {
                self.recent.remove(0);
            }
        }
    }
}

/// fd_readdir: entries in the host's order (`.` and `..` included); each record's cookie is
/// the index of the entry after it (see `ReaddirMarks`). A call reads at most the entries it
/// returns plus those since the closest mark, so host memory per call is bounded (the host's
/// directory-stream buffer) whatever the directory's size, the buffer's length or the
/// cookie. Records go straight into guest memory; the last one is cut short when it does not
/// fit, which tells the guest to read again from the previous record's cookie.
pub fn fd_readdir(
    cx: &mut dyn Env,
    fd: u32,
    buf: u32,
    len: u32,
    cookie: u64,
    out: u32,
) -> WasiResult {
    mem::slice(cx.mem()?, buf, len)?; // the whole buffer must be in memory
    cx.ctx().fds.need(fd, super::rights::FD_READDIR)?;
    let desc = cx.ctx().fds.dir(fd)?;
    // A fresh stream (its own descriptor and offset) on the directory.
    let mut dir = rustix::fs::Dir::read_from(&desc.fd)?;
    let (mut index, start) = desc.marks.find(cookie);
    if let Some(off) = start {
        dir.seek(off)?;
    }
    let mut marks: Vec<(u64, i64, bool)> = Vec::new();
    // Entries before the cookie (since the closest mark) are read and passed over.
    while index < cookie {
        let Some(entry) = dir.read() else { break };
        index += 1;
        if index.is_multiple_of(MARK_STRIDE) {
            marks.push((index, entry?.offset(), false));
        }
    }
    let len = len as usize;
    let mut used = 0usize;
    while used < len && index >= cookie {
        let Some(entry) = dir.read() else { break };
        let entry = entry?;
        index += 1;
        marks.push((index, entry.offset(), true));
        let name = entry.file_name().to_bytes();
        let mut rec = [0u8; DIRENT_SIZE];
        rec[0..8].copy_from_slice(&index.to_le_bytes());
        rec[8..16].copy_from_slice(&entry.ino().to_le_bytes());
        rec[16..20].copy_from_slice(&(name.len() as u32).to_le_bytes());
        rec[20] = stat::filetype(entry.file_type());
        let m = cx.mem()?;
        for part in [&rec[..], name] {
            let n = part.len().min(len - used);
            // `buf + used` cannot overflow: the buffer was checked to lie in memory.
            mem::write_bytes(m, buf + used as u32, &part[..n])?;
            used += n;
        }
    }
    // Only the last two records' cookies are kept as "recent": the guest resumes from one.
    let keep_from = marks.len().saturating_sub(2);
    if let Desc::Dir(d) = cx.ctx().fds.get_mut(fd)? {
        for (i, &(index, off, recent)) in marks.iter().enumerate() {
            d.marks.note(index, off, recent && i >= keep_from);
        }
    }
    mem::write_u32(cx.mem()?, out, used as u32)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::wasi::testenv::{TestEnv, scratch};

    /// Reads the whole directory with a buffer too small for more than a few entries, as a
    /// guest must: resume from the last complete record's cookie when the buffer was full.
    fn read_all(env: &mut TestEnv, buf_len: u32) -> Vec<String> {
        let (buf, out) = (1024u32, 16u32);
        let mut names = Vec::new();
        let mut cookie = 0u64;
        loop {
            fd_readdir(env, 3, buf, buf_len, cookie, out).unwrap();
            let used = mem::read_u32(&env.mem, out).unwrap() as usize;
            let data = env.mem[buf as usize..buf as usize + used].to_vec();
            let mut at = 0;
            while at + DIRENT_SIZE <= data.len() {
                let next = u64::from_le_bytes(data[at..at + 8].try_into().unwrap());
                let len = u32::from_le_bytes(data[at + 16..at + 20].try_into().unwrap()) as usize;
                if at + DIRENT_SIZE + len > data.len() {
                    break; // cut short: read again from `cookie`
                }
                let name = &data[at + DIRENT_SIZE..at + DIRENT_SIZE + len];
                names.push(String::from_utf8(name.to_vec()).unwrap());
                cookie = next;
                at += DIRENT_SIZE + len;
            }
            if used < buf_len as usize {
                return names;
            }
        }
    }

    #[test]
    fn readdir_resumes_from_cookies() {
        let dir = scratch("readdir");
        let mut expected = vec![".".to_string(), "..".to_string()];
        for i in 0..40 {
            let name = format!("file-{i:02}-{}", "x".repeat(i % 7));
            std::fs::write(dir.join(&name), "").unwrap();
            expected.push(name);
        }
        expected.sort();
        let mut env = TestEnv::with_dir(&dir);
        for buf_len in [40, 64, 100, 4000] {
            let mut names = read_all(&mut env, buf_len);
            names.sort();
            assert_eq!(names, expected, "buffer of {buf_len}");
        }
    }

    /// The name of the single entry a call with a buffer for one record returns at `cookie`,
    /// and its cookie.
    fn entry_at(env: &mut TestEnv, cookie: u64) -> Option<(String, u64)> {
        fd_readdir(env, 3, 1024, 64, cookie, 16).unwrap();
        let used = mem::read_u32(&env.mem, 16).unwrap() as usize;
        if used < DIRENT_SIZE {
            return None;
        }
        let rec = &env.mem[1024..1024 + used];
        let next = u64::from_le_bytes(rec[0..8].try_into().unwrap());
        let len = u32::from_le_bytes(rec[16..20].try_into().unwrap()) as usize;
        Some((String::from_utf8(rec[24..24 + len].to_vec()).unwrap(), next))
    }

    #[test]
    fn cookies_are_indices_and_any_cookie_resumes() {
        let dir = scratch("readdir-index");
        for i in 0..700 {
            std::fs::write(dir.join(format!("f{i}")), "").unwrap();
        }
        let mut env = TestEnv::with_dir(&dir);
        // In order: cookie n gives the entry after n entries, and names n + 1 as next.
        let mut names = Vec::new();
        let mut cookie = 0;
        while let Some((name, next)) = entry_at(&mut env, cookie) {
            assert_eq!(next, cookie + 1, "cookies are indices");
            names.push(name);
            cookie = next;
        }
        assert_eq!(names.len(), 702);
        // Out of order (wasi-libc's seekdir): each cookie still names the same entry,
        // going back past the recent positions and between the strided marks.
        for &c in &[600u64, 3, 257, 256, 699, 0, 511, 701] {
            let (name, next) = entry_at(&mut env, c).unwrap();
            assert_eq!((name.as_str(), next), (names[c as usize].as_str(), c + 1));
        }
        assert_eq!(entry_at(&mut env, 702), None, "past the end");
        assert_eq!(entry_at(&mut env, u64::MAX), None);
        let marks = match env.ctx.fds.get(3).unwrap() {
            Desc::Dir(d) => d.marks.strided.len() + d.marks.recent.len(),
            _ => unreachable!(),
        };
        assert!(marks <= 4, "positions kept: {marks}");
    }

    #[test]
    fn prestat_names_the_preopen() {
        let dir = scratch("prestat");
        let mut env = TestEnv::with_dir(&dir);
        fd_prestat_get(&mut env, 3, 0).unwrap();
        assert_eq!(&env.mem[0..8], &[0, 0, 0, 0, 2, 0, 0, 0]);
        fd_prestat_dir_name(&mut env, 3, 8, 2).unwrap();
        assert_eq!(&env.mem[8..10], b"/d");
        assert_eq!(
            fd_prestat_dir_name(&mut env, 3, 8, 1),
            Err(Errno::Nametoolong.into())
        );
        assert_eq!(fd_prestat_get(&mut env, 1, 0), Err(Errno::Badf.into()));
        assert_eq!(fd_prestat_get(&mut env, 4, 0), Err(Errno::Badf.into()));
    }
}
