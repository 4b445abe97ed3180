//! Clocks, randomness, poll_oneoff (clock subscriptions) and sched_yield.

use std::time::Duration;

use rustix::time::ClockId;

use super::errno::{Errno, WasiResult};
use super::host::Env;
use super::mem;

const CLOCK_REALTIME: u32 = 0;
const CLOCK_MONOTONIC: u32 = 1;
const CLOCK_PROCESS_CPUTIME: u32 = 2;
const CLOCK_THREAD_CPUTIME: u32 = 3;

fn clock_id(id: u32) -> WasiResult<ClockId> {
    Ok(match id {
        CLOCK_REALTIME => ClockId::Realtime,
        CLOCK_MONOTONIC => ClockId::Monotonic,
        CLOCK_PROCESS_CPUTIME => ClockId::ProcessCPUTime,
        CLOCK_THREAD_CPUTIME => ClockId::ThreadCPUTime,
        _ => return Err(Errno::Inval),
    })
}

fn nanos(t: rustix::time::Timespec) -> u64 {
    (t.tv_sec as u64)
        .saturating_mul(1_000_000_000)
        .saturating_add(t.tv_nsec as u64)
}

fn now(id: u32) -> WasiResult<u64> {
    Ok(nanos(rustix::time::clock_gettime(clock_id(id)?)))
}

pub fn clock_res_get(cx: &mut dyn Env, id: u32, out: u32) -> WasiResult {
    let res = nanos(rustix::time::clock_getres(clock_id(id)?));
    mem::write_u64(cx.mem()?, out, res)
}

pub fn clock_time_get(cx: &mut dyn Env, id: u32, _precision: u64, out: u32) -> WasiResult {
    let t = now(id)?;
    mem::write_u64(cx.mem()?, out, t)
}

pub fn random_get(cx: &mut dyn Env, buf: u32, len: u32) -> WasiResult {
    // Checked before the (possibly large) host buffer is filled.
    mem::slice(cx.mem()?, buf, len)?;
    let mut bytes = vec![0u8; len as usize];
    let mut filled = 0;
    while filled < bytes.len() {
        match rustix::rand::getrandom(&mut bytes[filled..], rustix::rand::GetRandomFlags::empty()) {
            Ok(n) => filled += n,
            Err(rustix::io::Errno::INTR) => {}
            Err(e) => return Err(e.into()),
        }
    }
    mem::write_bytes(cx.mem()?, buf, &bytes)
}

pub fn sched_yield() -> WasiResult {
    std::thread::yield_now();
    Ok(())
}

const SUBSCRIPTION_SIZE: u32 = 48;
const EVENT_SIZE: u32 = 32;
const EVENTTYPE_CLOCK: u8 = 0;
const EVENTTYPE_FD_READ: u8 = 1;
const EVENTTYPE_FD_WRITE: u8 = 2;
const SUBCLOCKFLAGS_ABSTIME: u16 = 1;

struct Event {
    userdata: u64,
    error: u16,
    kind: u8,
}

/// poll_oneoff. Clock subscriptions sleep (this is how `sleep`/`nanosleep` work); fd
/// subscriptions are reported ready at once, since stdio and regular files never block
/// for long here.
pub fn poll_oneoff(
    cx: &mut dyn Env,
    subs: u32,
    events: u32,
    n: u32,
    nevents_out: u32,
) -> WasiResult {
    if n == 0 {
        return Err(Errno::Inval);
    }
    let total = n.checked_mul(SUBSCRIPTION_SIZE).ok_or(Errno::Fault)?;
    let m = cx.mem()?;
    mem::slice(m, subs, total)?;
    let mut ready = Vec::new();
    // The earliest clock deadline: (monotonic deadline in ns, userdata)
    let mut earliest: Option<(u64, u64)> = None;
    let mono_now = now(CLOCK_MONOTONIC)?;
    for i in 0..n {
        let at = subs + i * SUBSCRIPTION_SIZE;
        let userdata = mem::read_u64(m, at)?;
        let tag = mem::slice(m, at + 8, 1)?[0];
        match tag {
            EVENTTYPE_CLOCK => {
                let id = mem::read_u32(m, at + 16)?;
                let timeout = mem::read_u64(m, at + 24)?;
                let flags = mem::read_u16(m, at + 40)?;
                let wait = if flags & SUBCLOCKFLAGS_ABSTIME != 0 {
                    timeout.saturating_sub(now(id)?)
                } else {
                    clock_id(id)?;
                    timeout
                };
                let deadline = mono_now.saturating_add(wait);
                if earliest.is_none_or(|(d, _)| deadline < d) {
                    earliest = Some((deadline, userdata));
                }
            }
            EVENTTYPE_FD_READ | EVENTTYPE_FD_WRITE => ready.push(Event {
                userdata,
                error: 0,
                kind: tag,
            }),
            _ => ready.push(Event {
                userdata,
                error: Errno::Inval as u16,
                kind: tag,
            }),
        }
    }
    if ready.is_empty()
        && let Some((deadline, userdata)) = earliest
    {
        let left = deadline.saturating_sub(now(CLOCK_MONOTONIC)?);
        std::thread::sleep(Duration::from_nanos(left));
        ready.push(Event {
            userdata,
            error: 0,
            kind: EVENTTYPE_CLOCK,
        });
    }
    let m = cx.mem()?;
    let count = ready.len() as u32;
    mem::slice_mut(m, events, count * EVENT_SIZE)?;
    for (i, e) in ready.iter().enumerate() {
        let at = events + i as u32 * EVENT_SIZE;
        let mut rec = [0u8; EVENT_SIZE as usize];
        rec[0..8].copy_from_slice(&e.userdata.to_le_bytes());
        rec[8..10].copy_from_slice(&e.error.to_le_bytes());
        rec[10] = e.kind;
        mem::write_bytes(m, at, &rec)?;
    }
    mem::write_u32(m, nevents_out, count)
}
