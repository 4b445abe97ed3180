//! args_get, args_sizes_get, environ_get, environ_sizes_get.

use super::errno::{Errno, WasiResult};
use super::host::Env;
use super::mem;

// Bounds: the strings are the embedder's (arguments and granted environment), so what these
// calls copy is bounded by the embedder, never by a guest-chosen length; the guest's pointers
// only choose where they go, and every write is bounds-checked.

/// The NUL-terminated strings as laid out in the guest buffer.
fn encode(strings: &[String]) -> Vec<Vec<u8>> {
    strings
        .iter()
        .map(|s| {
            let mut b = s.as_bytes().to_vec();
            b.push(0);
            b
        })
        .collect()
}

fn env_strings(cx: &mut dyn Env) -> Vec<String> {
    cx.ctx()
        .env
        .iter()
        .map(|(k, v)| format!("{k}={v}"))
        .collect()
}

fn sizes(cx: &mut dyn Env, strings: &[String], count_out: u32, size_out: u32) -> WasiResult {
    let count = u32::try_from(strings.len()).map_err(|_| Errno::Overflow)?;
    let size: usize = strings.iter().map(|s| s.len() + 1).sum();
    let size = u32::try_from(size).map_err(|_| Errno::Overflow)?;
    let m = cx.mem()?;
    mem::write_u32(m, count_out, count)?;
    mem::write_u32(m, size_out, size)
}

/// Writes the pointer array at `ptrs` and the strings themselves at `buf`.
fn put(cx: &mut dyn Env, strings: &[String], ptrs: u32, buf: u32) -> WasiResult {
    let m = cx.mem()?;
    let mut at = buf;
    for (i, s) in encode(strings).iter().enumerate() {
        let slot = ptrs
            .checked_add(u32::try_from(i * 4).map_err(|_| Errno::Fault)?)
            .ok_or(Errno::Fault)?;
        mem::write_u32(m, slot, at)?;
        mem::write_bytes(m, at, s)?;
        at = at.checked_add(s.len() as u32).ok_or(Errno::Fault)?;
    }
    Ok(())
}

pub fn args_sizes_get(cx: &mut dyn Env, count_out: u32, size_out: u32) -> WasiResult {
    let args = cx.ctx().args.clone();
    sizes(cx, &args, count_out, size_out)
}

pub fn args_get(cx: &mut dyn Env, ptrs: u32, buf: u32) -> WasiResult {
    let args = cx.ctx().args.clone();
    put(cx, &args, ptrs, buf)
}

pub fn environ_sizes_get(cx: &mut dyn Env, count_out: u32, size_out: u32) -> WasiResult {
    let env = env_strings(cx);
    sizes(cx, &env, count_out, size_out)
}

pub fn environ_get(cx: &mut dyn Env, ptrs: u32, buf: u32) -> WasiResult {
    let env = env_strings(cx);
    put(cx, &env, ptrs, buf)
}
