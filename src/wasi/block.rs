//! Waiting that an interruption can end.
//!
//! A WASI call that can block (reading a pipe or terminal, writing to a full pipe, sleeping in
//! `poll_oneoff`) never waits longer than `SLICE` at a time: between slices it checks the
//! store's interrupt flag (`Store::interrupt_handle`, the CLI's `--timeout`) and, when it is
//! set, clears it and ends the guest with the "interrupted" trap, as the tiers do when they
//! see the flag in wasm code. Readiness is asked of the host with `poll(2)` on the
//! descriptor, so no read or write is started that could block.

use std::os::fd::BorrowedFd;
use std::sync::atomic::Ordering;
use std::time::Duration;

use rustix::event::{PollFd, PollFlags, Timespec};
use rustix::fs::FileType;

use super::errno::{WasiError, WasiResult};
use super::fdtable::HostIo;
use super::host::Env;

/// The longest a call waits before looking at the interrupt flag again: short enough that
/// `--timeout` and `InterruptHandle::interrupt` end a wait within a few tens of
/// milliseconds, long enough that an idle wait costs nothing measurable.
pub const SLICE: Duration = Duration::from_millis(20);

/// Linux's PIPE_BUF. When `poll` reports a pipe writable, at least this much fits without
/// blocking, so a blocking descriptor is written in pieces of this size (continuing while it
/// stays writable; a short write is always allowed).
const PIPE_BUF: usize = 4096;

/// `Err(Interrupted)` if the store was interrupted, clearing the flag (the trap reports it).
pub fn check_interrupt(cx: &dyn Env) -> WasiResult<()> {
    let flag = cx.interrupt_flag();
    if flag.load(Ordering::Relaxed) && flag.swap(false, Ordering::Relaxed) {
        return Err(WasiError::Interrupted);
    }
    Ok(())
}

/// Whether I/O on `fd` can block: everything but regular files, directories and block
/// devices (pipes, terminals and other character devices, sockets).
pub fn may_block(fd: BorrowedFd<'_>) -> WasiResult<bool> {
    let st = rustix::fs::fstat(fd)?;
    Ok(!matches!(
        FileType::from_raw_mode(st.st_mode as _),
        FileType::RegularFile | FileType::Directory | FileType::BlockDevice
    ))
}

fn timespec(d: Duration) -> Timespec {
    Timespec {
        tv_sec: d.as_secs().min(i64::MAX as u64) as _,
        tv_nsec: d.subsec_nanos() as _,
    }
}

/// `poll(2)` for at most `timeout` (one slice or less); an `EINTR` counts as nothing ready.
pub fn poll(fds: &mut [PollFd<'_>], timeout: Duration) -> WasiResult<usize> {
    match rustix::event::poll(fds, Some(&timespec(timeout))) {
        Ok(n) => Ok(n),
        Err(rustix::io::Errno::INTR) => Ok(0),
        Err(e) => Err(e.into()),
    }
}

/// Whether `fd` reports `events` (or an error or hangup, which the following read or write
/// then reports) within `timeout`.
pub fn ready(fd: BorrowedFd<'_>, events: PollFlags, timeout: Duration) -> WasiResult<bool> {
    let mut fds = [PollFd::from_borrowed_fd(fd, events)];
    Ok(poll(&mut fds, timeout)? > 0)
}

/// Repeats `attempt` until it yields a value, checking for an interruption after each
/// attempt that did not (each attempt waits at most one `SLICE`). The descriptor table is
/// borrowed only inside an attempt, so the flag can be read between them.
pub fn wait_loop<R>(
    cx: &mut dyn Env,
    mut attempt: impl FnMut(&mut dyn Env) -> WasiResult<Option<R>>,
) -> WasiResult<R> {
    loop {
        if let Some(r) = attempt(cx)? {
            return Ok(r);
        }
        check_interrupt(cx)?;
    }
}

/// fd_read on a file or host stream: reads once, after waiting in slices until the
/// descriptor is readable if it can block.
pub fn read(cx: &mut dyn Env, fd: u32, buf: &mut [u8]) -> WasiResult<usize> {
    if buf.is_empty() {
        return Ok(0);
    }
    wait_loop(cx, |cx| {
        let Some(HostIo { fd: host, wait }) = cx.ctx().fds.host_io(fd, false)? else {
            return Err(super::errno::Errno::Badf.into());
        };
        if wait && !ready(host, PollFlags::IN, SLICE)? {
            return Ok(None);
        }
        match rustix::io::read(host, &mut *buf) {
            Ok(n) => Ok(Some(n)),
            Err(rustix::io::Errno::INTR) => Ok(None),
            // Someone else drained it, or the host's descriptor is non-blocking: wait again.
            Err(rustix::io::Errno::AGAIN) if wait => Ok(None),
            Err(e) => Err(e.into()),
        }
    })
}

/// fd_write on a file or host stream. A descriptor that can block is written only while
/// `poll` reports it writable, in `PIPE_BUF` pieces; the call waits (in slices) only until
/// the first piece can be written, then returns what was written (a short count when the
/// pipe filled up; the guest writes the rest in its next call).
pub fn write(cx: &mut dyn Env, fd: u32, data: &[u8]) -> WasiResult<usize> {
    if data.is_empty() {
        return Ok(0);
    }
    wait_loop(cx, |cx| {
        let Some(HostIo { fd: host, wait }) = cx.ctx().fds.host_io(fd, true)? else {
            return Err(super::errno::Errno::Badf.into());
        };
        if !wait {
            return match rustix::io::write(host, data) {
                Ok(n) => Ok(Some(n)),
                Err(rustix::io::Errno::INTR) => Ok(None),
                Err(e) => Err(e.into()),
            };
        }
        if !ready(host, PollFlags::OUT, SLICE)? {
            return Ok(None);
        }
        let mut written = 0;
        while written < data.len() {
            let end = data.len().min(written + PIPE_BUF);
            match rustix::io::write(host, &data[written..end]) {
                Ok(n) => written += n,
                Err(rustix::io::Errno::INTR) => {}
                Err(rustix::io::Errno::AGAIN) => break,
                Err(e) if written == 0 => return Err(e.into()),
                // Report what went out; the error comes back on the guest's next write.
                Err(_) => break,
            }
            if written < data.len() && !ready(host, PollFlags::OUT, Duration::ZERO)? {
                break;
            }
        }
        Ok((written > 0).then_some(written))
    })
}
