//! Clocks, randomness, poll_oneoff and sched_yield.

use std::time::Duration;

use rustix::event::{PollFd, PollFlags};
use rustix::time::ClockId;

use super::block;
use super::errno::{Errno, WasiError, WasiResult};
use super::fdtable::{Desc, Stream};
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
        _ => return Err(Errno::Inval.into()),
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

/// random_get fills guest memory directly, in pieces of this size, and checks for an
/// interruption between pieces: no host buffer, and a 4 GiB request stays interruptible.
const RANDOM_CHUNK: u32 = 1 << 20;

pub fn random_get(cx: &mut dyn Env, buf: u32, len: u32) -> WasiResult {
    mem::slice(cx.mem()?, buf, len)?; // the whole range first: EFAULT writes nothing
    let mut done = 0u32;
    while done < len {
        let n = (len - done).min(RANDOM_CHUNK);
        let dst = mem::slice_mut(cx.mem()?, buf + done, n)?;
        let mut filled = 0;
        while filled < dst.len() {
            match rustix::rand::getrandom(&mut dst[filled..], rustix::rand::GetRandomFlags::empty())
            {
                Ok(k) => filled += k,
                Err(rustix::io::Errno::INTR) => {}
                Err(e) => return Err(e.into()),
            }
        }
        done += n;
        if done < len {
            block::check_interrupt(cx)?;
        }
    }
    Ok(())
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
const EVENTRWFLAGS_FD_READWRITE_HANGUP: u16 = 1;

/// At most this many subscriptions per poll_oneoff (more is `EINVAL`, as poll(2) refuses more
/// descriptors than its limit). A guest has at most 1024 descriptors, so this covers a read
/// and a write subscription on each plus timeouts, while the host's copy of the
/// subscriptions stays under 200 KiB.
const MAX_SUBSCRIPTIONS: u32 = 4096;

enum What {
    /// Fires at this monotonic time (ns).
    Clock(u64),
    /// Ready at once: a regular file, a directory, an embedder's reader or writer.
    Ready,
    /// A pipe, terminal or socket: asked with poll(2); index into the poll set.
    Poll(usize),
    /// Reported at once with this error (bad descriptor, unknown event type).
    Error(Errno),
}

struct Sub {
    userdata: u64,
    kind: u8,
    what: What,
}

/// The poll set: distinct descriptors and the events wanted on each, rebuilt into `PollFd`s
/// for every wait (the descriptor table is borrowed only during the wait itself).
struct PollSet {
    fds: Vec<(u32, PollFlags)>,
    revents: Vec<PollFlags>,
}

impl PollSet {
    fn add(&mut self, fd: u32, events: PollFlags) -> usize {
        if let Some(i) = self.fds.iter().position(|&(f, _)| f == fd) {
            self.fds[i].1 |= events;
            return i;
        }
        self.fds.push((fd, events));
        self.revents.push(PollFlags::empty());
        self.fds.len() - 1
    }

    /// Polls every descriptor for at most `timeout`; true if any is ready.
    fn wait(&mut self, cx: &mut dyn Env, timeout: Duration) -> WasiResult<bool> {
        let table = &cx.ctx().fds;
        let mut pfds = Vec::with_capacity(self.fds.len());
        for &(fd, events) in &self.fds {
            pfds.push(PollFd::from_borrowed_fd(table.host_fd(fd)?, events));
        }
        let n = block::poll(&mut pfds, timeout)?;
        for (r, p) in self.revents.iter_mut().zip(&pfds) {
            *r = p.revents();
        }
        Ok(n > 0)
    }
}

/// Whether an fd subscription must be asked of the host (pipes, terminals, sockets), or is
/// ready at once; `Err` for a descriptor that cannot be polled in that direction.
fn pollable(cx: &mut dyn Env, fd: u32, write: bool) -> Result<bool, Errno> {
    let errno = |e: WasiError| match e {
        WasiError::Errno(e) => e,
        WasiError::Interrupted => Errno::Io, // not produced by these lookups
    };
    let table = &cx.ctx().fds;
    match table
        .need(fd, super::rights::POLL_FD_READWRITE)
        .map_err(errno)?
    {
        Desc::Dir(_) => Err(Errno::Badf),
        Desc::Socket(_) => Ok(true),
        Desc::Stream(s) if s.is_writer() != write => Err(Errno::Badf),
        Desc::Stream(Stream::Reader(_) | Stream::Writer(_)) => Ok(false),
        Desc::Stream(Stream::Host(_)) | Desc::File(_) => {
            block::may_block(table.host_fd(fd).map_err(errno)?).map_err(errno)
        }
    }
}

fn read_subs(cx: &mut dyn Env, subs: u32, n: u32, set: &mut PollSet) -> WasiResult<Vec<Sub>> {
    let mono_now = now(CLOCK_MONOTONIC)?;
    let mut out = Vec::with_capacity(n as usize);
    for i in 0..n {
        let at = subs + i * SUBSCRIPTION_SIZE;
        let m = cx.mem()?;
        let userdata = mem::read_u64(m, at)?;
        let kind = mem::slice(m, at + 8, 1)?[0];
        let what = match kind {
            EVENTTYPE_CLOCK => {
                let id = mem::read_u32(m, at + 16)?;
                let timeout = mem::read_u64(m, at + 24)?;
                let flags = mem::read_u16(m, at + 40)?;
                if flags & !SUBCLOCKFLAGS_ABSTIME != 0 {
                    return Err(Errno::Inval.into());
                }
                let wait = if flags & SUBCLOCKFLAGS_ABSTIME != 0 {
                    timeout.saturating_sub(now(id)?)
                } else {
                    clock_id(id)?;
                    timeout
                };
                What::Clock(mono_now.saturating_add(wait))
            }
            EVENTTYPE_FD_READ | EVENTTYPE_FD_WRITE => {
                let fd = mem::read_u32(m, at + 16)?;
                let write = kind == EVENTTYPE_FD_WRITE;
                match pollable(cx, fd, write) {
                    Ok(false) => What::Ready,
                    Ok(true) => {
                        let events = if write { PollFlags::OUT } else { PollFlags::IN };
                        What::Poll(set.add(fd, events))
                    }
                    Err(e) => What::Error(e),
                }
            }
            _ => What::Error(Errno::Inval),
        };
        out.push(Sub {
            userdata,
            kind,
            what,
        });
    }
    Ok(out)
}

/// Writes the events of the subscriptions that are ready at monotonic time `now`, given the
/// poll set's last results; returns how many.
fn report(cx: &mut dyn Env, subs: &[Sub], set: &PollSet, now: u64, events: u32) -> WasiResult<u32> {
    let m = cx.mem()?;
    let mut count = 0u32;
    for sub in subs {
        let (error, flags) = match sub.what {
            What::Clock(deadline) if deadline <= now => (0, 0),
            What::Clock(_) => continue,
            What::Ready => (0, 0),
            What::Error(e) => (e as u16, 0),
            What::Poll(i) => {
                let r = set.revents[i];
                let wanted = if sub.kind == EVENTTYPE_FD_WRITE {
                    PollFlags::OUT
                } else {
                    PollFlags::IN
                };
                if !r.intersects(wanted | PollFlags::HUP | PollFlags::ERR | PollFlags::NVAL) {
                    continue;
                }
                let hangup = if r.contains(PollFlags::HUP) {
                    EVENTRWFLAGS_FD_READWRITE_HANGUP
                } else {
                    0
                };
                (0, hangup)
            }
        };
        let mut rec = [0u8; EVENT_SIZE as usize];
        rec[0..8].copy_from_slice(&sub.userdata.to_le_bytes());
        rec[8..10].copy_from_slice(&error.to_le_bytes());
        rec[10] = sub.kind;
        rec[24..26].copy_from_slice(&flags.to_le_bytes());
        mem::write_bytes(m, events + count * EVENT_SIZE, &rec)?;
        count += 1;
    }
    Ok(count)
}

/// poll_oneoff. Clock subscriptions sleep (this is how `sleep`/`nanosleep` work); regular
/// files, directories and the embedder's readers and writers are reported ready at once;
/// pipes, terminals and sockets (inherited stdio, `stdin_fd`) are polled for real. The wait
/// goes in slices of at most `block::SLICE`, and an interruption of the store ends it with
/// the "interrupted" trap.
pub fn poll_oneoff(
    cx: &mut dyn Env,
    subs: u32,
    events: u32,
    n: u32,
    nevents_out: u32,
) -> WasiResult {
    if n == 0 || n > MAX_SUBSCRIPTIONS {
        return Err(Errno::Inval.into());
    }
    // Both arrays as declared must be in memory (no overflow: n is at most 4096).
    mem::slice(cx.mem()?, subs, n * SUBSCRIPTION_SIZE)?;
    mem::slice(cx.mem()?, events, n * EVENT_SIZE)?;
    let mut set = PollSet {
        fds: Vec::new(),
        revents: Vec::new(),
    };
    let list = read_subs(cx, subs, n, &mut set)?;
    let earliest = list
        .iter()
        .filter_map(|s| match s.what {
            What::Clock(d) => Some(d),
            _ => None,
        })
        .min();
    let mut timeout = Duration::ZERO; // the first look does not wait
    loop {
        if !set.fds.is_empty() {
            set.wait(cx, timeout)?;
        } else if !timeout.is_zero() {
            std::thread::sleep(timeout);
        }
        let t = now(CLOCK_MONOTONIC)?;
        let count = report(cx, &list, &set, t, events)?;
        if count > 0 {
            return mem::write_u32(cx.mem()?, nevents_out, count);
        }
        block::check_interrupt(cx)?;
        timeout = match earliest {
            Some(d) => Duration::from_nanos(d.saturating_sub(t)).min(block::SLICE),
            None => block::SLICE,
        };
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::wasi::testenv::{TestEnv, scratch};
    use std::sync::atomic::Ordering;
    use std::time::Instant;

    /// One relative clock subscription of `ns` at 0 (userdata 9).
    fn clock_sub(env: &mut TestEnv, ns: u64) {
        env.mem[..48].fill(0);
        env.put(0, &9u64.to_le_bytes());
        env.put(16, &CLOCK_MONOTONIC.to_le_bytes());
        env.put(24, &ns.to_le_bytes());
    }

    #[test]
    fn an_interrupted_sleep_ends_and_clears_the_flag() {
        let mut env = TestEnv::with_dir(&scratch("poll-interrupt"));
        clock_sub(&mut env, 3600 * 1_000_000_000);
        env.interrupt.store(true, Ordering::Relaxed);
        let start = Instant::now();
        assert_eq!(
            poll_oneoff(&mut env, 0, 1024, 1, 2048),
            Err(WasiError::Interrupted)
        );
        assert!(start.elapsed() < Duration::from_secs(1));
        assert!(
            !env.interrupt.load(Ordering::Relaxed),
            "the flag is cleared"
        );
        // Not interrupted: a short sleep reports its clock event.
        clock_sub(&mut env, 1_000_000);
        poll_oneoff(&mut env, 0, 1024, 1, 2048).unwrap();
        assert_eq!(mem::read_u32(&env.mem, 2048), Ok(1));
        assert_eq!(mem::read_u64(&env.mem, 1024), Ok(9));
    }

    #[test]
    fn subscription_counts_and_clock_flags_are_checked() {
        let mut env = TestEnv::with_dir(&scratch("poll-limits"));
        clock_sub(&mut env, 0);
        let inval = Err(Errno::Inval.into());
        assert_eq!(poll_oneoff(&mut env, 0, 1024, 0, 2048), inval);
        assert_eq!(
            poll_oneoff(&mut env, 0, 1024, MAX_SUBSCRIPTIONS + 1, 2048),
            inval
        );
        env.put(40, &2u16.to_le_bytes()); // an undefined subclockflags bit
        assert_eq!(poll_oneoff(&mut env, 0, 1024, 1, 2048), inval);
    }

    #[test]
    fn random_get_fills_in_pieces() {
        let mut env = TestEnv::with_dir(&scratch("random"));
        random_get(&mut env, 0, 65536).unwrap();
        assert!(env.mem.iter().any(|&b| b != 0));
        assert_eq!(
            random_get(&mut env, 1, 65536),
            Err(Errno::Fault.into()),
            "the whole range is checked first"
        );
    }
}
