//! Directory descriptors: preopen discovery (fd_prestat_*) and fd_readdir.

use std::os::fd::AsFd;

use super::errno::{Errno, WasiResult};
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
    let name = dir.preopen.clone().ok_or(Errno::Badf)?;
    if (len as usize) < name.len() {
        return Err(Errno::Nametoolong);
    }
    mem::write_bytes(cx.mem()?, buf, name.as_bytes())
}

struct Entry {
    name: Vec<u8>,
    ino: u64,
    filetype: u8,
}

/// All entries, `.` and `..` included, sorted by name. A cookie is an index into this list,
/// so a guest that reads a directory in several calls sees each entry once (as long as the
/// directory does not change meanwhile), and listings are the same on every run.
fn entries(fd: impl AsFd) -> WasiResult<Vec<Entry>> {
    let mut dir = rustix::fs::Dir::read_from(fd)?;
    let mut out = Vec::new();
    while let Some(entry) = dir.read() {
        let entry = entry?;
        out.push(Entry {
            name: entry.file_name().to_bytes().to_vec(),
            ino: entry.ino(),
            filetype: stat::filetype(entry.file_type()),
        });
    }
    out.sort_by(|a, b| a.name.cmp(&b.name));
    Ok(out)
}

const DIRENT_SIZE: usize = 24;

pub fn fd_readdir(
    cx: &mut dyn Env,
    fd: u32,
    buf: u32,
    len: u32,
    cookie: u64,
    out: u32,
) -> WasiResult {
    let list = entries(&cx.ctx().fds.dir(fd)?.fd)?;
    // Serialize from the cookie on until the buffer is full. The last record may be cut
    // short: that tells the guest there is more to read.
    let mut bytes = Vec::new();
    let start = usize::try_from(cookie).unwrap_or(usize::MAX);
    for (i, e) in list.iter().enumerate().skip(start) {
        if bytes.len() >= len as usize {
            break;
        }
        let mut rec = [0u8; DIRENT_SIZE];
        rec[0..8].copy_from_slice(&(i as u64 + 1).to_le_bytes());
        rec[8..16].copy_from_slice(&e.ino.to_le_bytes());
        rec[16..20].copy_from_slice(&(e.name.len() as u32).to_le_bytes());
        rec[20] = e.filetype;
        bytes.extend_from_slice(&rec);
        bytes.extend_from_slice(&e.name);
    }
    bytes.truncate(len as usize);
    let m = cx.mem()?;
    mem::write_bytes(m, buf, &bytes)?;
    mem::write_u32(m, out, bytes.len() as u32)
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
            assert_eq!(read_all(&mut env, buf_len), expected, "buffer of {buf_len}");
        }
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
            Err(Errno::Nametoolong)
        );
        assert_eq!(fd_prestat_get(&mut env, 1, 0), Err(Errno::Badf));
        assert_eq!(fd_prestat_get(&mut env, 4, 0), Err(Errno::Badf));
    }
}
