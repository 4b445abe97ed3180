//! Bounds-checked access to guest linear memory.
//!
//! Every pointer a guest passes is untrusted: each access goes through these helpers, which
//! turn an out-of-bounds range into `EFAULT` instead of a panic.

use super::errno::{Errno, WasiResult};

fn range(mem_len: usize, ptr: u32, len: u32) -> WasiResult<std::ops::Range<usize>> {
    let start = ptr as usize;
    let end = start.checked_add(len as usize).ok_or(Errno::Fault)?;
    if end > mem_len {
        return Err(Errno::Fault);
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

/// A guest path or string argument. WASI strings are UTF-8; anything else is `EILSEQ`.
pub fn read_str(mem: &[u8], ptr: u32, len: u32) -> WasiResult<String> {
    let bytes = slice(mem, ptr, len)?;
    String::from_utf8(bytes.to_vec()).map_err(|_| Errno::Ilseq)
}

/// The `(buf, buf_len)` pairs of an iovec/ciovec array.
pub fn iovecs(mem: &[u8], ptr: u32, count: u32) -> WasiResult<Vec<(u32, u32)>> {
    let total = count.checked_mul(8).ok_or(Errno::Fault)?;
    slice(mem, ptr, total)?; // checks the whole array once
    (0..count)
        .map(|i| {
            let at = ptr + i * 8;
            Ok((read_u32(mem, at)?, read_u32(mem, at + 4)?))
        })
        .collect()
}

/// Concatenates the bytes that a ciovec array points at (for writes).
pub fn gather(mem: &[u8], iovs: &[(u32, u32)]) -> WasiResult<Vec<u8>> {
    let mut out = Vec::new();
    for &(buf, len) in iovs {
        out.extend_from_slice(slice(mem, buf, len)?);
    }
    Ok(out)
}

/// Total capacity of an iovec array (for reads), checking every buffer is in bounds.
pub fn capacity(mem: &[u8], iovs: &[(u32, u32)]) -> WasiResult<usize> {
    let mut total = 0usize;
    for &(buf, len) in iovs {
        slice(mem, buf, len)?;
        total = total.saturating_add(len as usize);
    }
    Ok(total)
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
