//! Bounds-checked access to guest linear memory.
//!
//! Every pointer a guest passes is untrusted: each access goes through these helpers, which
//! turn an out-of-bounds range into `EFAULT` instead of a panic.

use super::errno::{Errno, WasiResult};

fn range(mem_len: usize, ptr: u32, len: u32) -> WasiResult<std::ops::Range<usize>> {
    let start = ptr as usize;
    let end = start.checked_add(len as usize).ok_or(Errno::Fault)?;
    if end > mem_len {
        return Err(Errno::Fault.into());
    }
    Ok(start..end)
}

pub fn slice(mem: &[u8], ptr: u32, len: u32) -> WasiResult<&[u8]> {
    Ok(&mem[range(mem.len(), ptr, len)?])
}

pub fn slice_mut(mem: &mut [u8], ptr: u32, len: u32) -> WasiResult<&mut [u8]> {
    let r = range(mem.len(), ptr, len)?;
    Ok(&mut mem[r])
}

pub fn read_u32(mem: &[u8], ptr: u32) -> WasiResult<u32> {
    let bytes = slice(mem, ptr, 4)?;
    Ok(u32::from_le_bytes([bytes[0], bytes[1], bytes[2], bytes[3]]))
}

pub fn read_u64(mem: &[u8], ptr: u32) -> WasiResult<u64> {
    let mut b = [0u8; 8];
    b.copy_from_slice(slice(mem, ptr, 8)?);
    Ok(u64::from_le_bytes(b))
}

pub fn read_u16(mem: &[u8], ptr: u32) -> WasiResult<u16> {
    let bytes = slice(mem, ptr, 2)?;
    Ok(u16::from_le_bytes([bytes[0], bytes[1]]))
}

pub fn write_bytes(mem: &mut [u8], ptr: u32, bytes: &[u8]) -> WasiResult<()> {
    let len = u32::try_from(bytes.len()).map_err(|_| Errno::Fault)?;
    slice_mut(mem, ptr, len)?.copy_from_slice(bytes);
    Ok(())
}

pub fn write_u32(mem: &mut [u8], ptr: u32, v: u32) -> WasiResult<()> {
    write_bytes(mem, ptr, &v.to_le_bytes())
}

pub fn write_u64(mem: &mut [u8], ptr: u32, v: u64) -> WasiResult<()> {
    write_bytes(mem, ptr, &v.to_le_bytes())
}

/// Longest path (or symlink target) a guest may pass, as Linux's PATH_MAX: anything longer
/// is refused with `ENAMETOOLONG` before it is copied out of guest memory.
pub const MAX_PATH: usize = 4096;

/// A guest path argument: in memory, at most `MAX_PATH` bytes, UTF-8 (else `EILSEQ`).
pub fn read_path(mem: &[u8], ptr: u32, len: u32) -> WasiResult<String> {
    let bytes = slice(mem, ptr, len)?;
    if bytes.len() > MAX_PATH {
        return Err(Errno::Nametoolong.into());
    }
    String::from_utf8(bytes.to_vec()).map_err(|_| Errno::Ilseq.into())
}

/// At most this many entries of an iovec/ciovec array are looked at in one call: Linux's
/// IOV_MAX (its readv/writev refuse more with EINVAL). A longer array is served from its
/// first IOV_MAX entries, which is a short read or write, always allowed; the guest's loop
/// goes on with the rest. This bounds the host's copy of the array at 8 KiB.
pub const IOV_MAX: u32 = 1024;

/// The `(buf, buf_len)` pairs of an iovec/ciovec array. The array as declared (`count`
/// entries) must lie in memory; only its first `IOV_MAX` entries are read.
pub fn iovecs(mem: &[u8], ptr: u32, count: u32) -> WasiResult<Vec<(u32, u32)>> {
    let total = count.checked_mul(8).ok_or(Errno::Fault)?;
    slice(mem, ptr, total)?; // checks the whole array once, without reading it
    (0..count.min(IOV_MAX))
        .map(|i| {
            let at = ptr + i * 8;
            Ok((read_u32(mem, at)?, read_u32(mem, at + 4)?))
        })
        .collect()
}

/// How many bytes of the buffers the iovecs point at, up to `limit`, checking that every
/// buffer looked at lies in memory. Buffers after the one that reaches `limit` are not looked
/// at: iovecs may overlap, so their sum is not bounded by the memory size.
pub fn capacity(mem: &[u8], iovs: &[(u32, u32)], limit: usize) -> WasiResult<usize> {
    let mut total = 0usize;
    for &(buf, len) in iovs {
        if total >= limit {
            break;
        }
        slice(mem, buf, len)?;
        total = total.saturating_add(len as usize);
    }
    Ok(total.min(limit))
}

/// Concatenates the bytes that a ciovec array points at (for writes), at most `limit` bytes:
/// the host buffer is allocated once, of that size or less.
pub fn gather(mem: &[u8], iovs: &[(u32, u32)], limit: usize) -> WasiResult<Vec<u8>> {
    let total = capacity(mem, iovs, limit)?;
    let mut out = Vec::with_capacity(total);
    for &(buf, len) in iovs {
        let room = total - out.len();
        if room == 0 {
            break;
        }
        let data = slice(mem, buf, len)?;
        out.extend_from_slice(&data[..data.len().min(room)]);
    }
    Ok(out)
}

/// Spreads `data` over an iovec array (for reads); `data` never exceeds `capacity`.
pub fn scatter(mem: &mut [u8], iovs: &[(u32, u32)], mut data: &[u8]) -> WasiResult<()> {
    for &(buf, len) in iovs {
        if data.is_empty() {
            break;
        }
        let n = data.len().min(len as usize);
        write_bytes(mem, buf, &data[..n])?;
        data = &data[n..];
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn iovec_arrays_are_read_up_to_iov_max_and_gathered_up_to_the_limit() {
        let mut mem = vec![0u8; 65536];
        // 8192 iovecs filling the whole memory, each (0, 65536): all overlapping.
        for i in 0..8192 {
            mem[i * 8 + 6] = 1; // len 0x10000, little-endian
        }
        let v = iovecs(&mem, 0, 8192).unwrap();
        assert_eq!(v.len(), IOV_MAX as usize);
        assert_eq!(v[0], (0, 65536));
        assert_eq!(capacity(&mem, &v, 100_000).unwrap(), 100_000);
        let data = gather(&mem, &v, 100_000).unwrap();
        assert_eq!(data.len(), 100_000);
        assert!(
            data.capacity() <= 100_000,
            "allocated once, no more than the limit"
        );
        assert_eq!(
            &data[65536..65536 + 8],
            &mem[..8],
            "the second iovec starts over"
        );
        // The array as declared must be in memory, even beyond IOV_MAX entries.
        assert_eq!(iovecs(&mem, 8, 8192), Err(Errno::Fault.into()));
    }

    #[test]
    fn paths_are_bounded_before_they_are_copied() {
        let mem = vec![b'a'; 65536];
        assert_eq!(read_path(&mem, 0, 4096).unwrap().len(), 4096);
        assert_eq!(read_path(&mem, 0, 4097), Err(Errno::Nametoolong.into()));
        assert_eq!(read_path(&mem, 1, 65536), Err(Errno::Fault.into()));
    }
}
