//! Sockets: `sock_accept` on preopened listening sockets (`WasiCtxBuilder::preopened_listener`,
//! the CLI's `--tcplisten`), and `sock_recv`/`sock_send`/`sock_shutdown` on the connections
//! accepted. On a descriptor that is not a socket they are `ENOTSOCK`, on a closed one
//! `EBADF`, as in wasmtime.
//!
//! Host sockets are always non-blocking. A guest that did not ask for non-blocking I/O waits
//! for readiness with `poll(2)` in `block::SLICE` slices, so an interruption of the store
//! (`--timeout`) ends the wait with the "interrupted" trap.

use std::os::fd::{AsFd, OwnedFd};

use rustix::event::PollFlags;
use rustix::net::{RecvFlags, SendFlags, Shutdown, SocketFlags};

use super::block;
use super::errno::{Errno, WasiResult};
use super::fd::{MAX_IO, read_buffer, write_data};
use super::fdtable::{Desc, SocketDesc};
use super::host::Env;
use super::mem;
use super::rights;

const FDFLAGS_NONBLOCK: u32 = 4;
const RIFLAGS_RECV_PEEK: u32 = 1;
const RIFLAGS_RECV_WAITALL: u32 = 2;
const SDFLAGS_RD: u32 = 1;
const SDFLAGS_WR: u32 = 2;

/// The socket behind `fd`: `EBADF` if closed, `ENOTSOCK` if not a socket (checked before
/// rights, so a file is `ENOTSOCK` whatever its rights), then `needed` (`ENOTCAPABLE`).
fn socket(cx: &mut dyn Env, fd: u32, needed: u64) -> WasiResult<&SocketDesc> {
    let fds = &cx.ctx().fds;
    if !matches!(fds.get(fd)?, Desc::Socket(_)) {
        return Err(Errno::Notsock.into());
    }
    match fds.need(fd, needed)? {
        Desc::Socket(s) => Ok(s),
        _ => Err(Errno::Notsock.into()),
    }
}

/// A connected socket for recv/send/shutdown (a listener is `ENOTCONN`, as on Linux).
fn connection(cx: &mut dyn Env, fd: u32, needed: u64) -> WasiResult<&SocketDesc> {
    let s = socket(cx, fd, needed)?;
    if s.listener {
        return Err(Errno::Notconn.into());
    }
    Ok(s)
}

/// One attempt of a socket operation: `Some` when it finished, `None` after waiting (at most
/// one slice) for `events` when it would block and the guest wants to wait; `EAGAIN` when it
/// would block and the guest asked for non-blocking I/O.
fn attempt<R>(
    s: &SocketDesc,
    events: PollFlags,
    r: rustix::io::Result<R>,
) -> WasiResult<Option<R>> {
    match r {
        Ok(v) => Ok(Some(v)),
        Err(rustix::io::Errno::INTR) => Ok(None),
        Err(rustix::io::Errno::AGAIN) if !s.nonblock => {
            block::ready(s.fd.as_fd(), events, block::SLICE)?;
            Ok(None)
        }
        Err(e) => Err(e.into()),
    }
}

/// sock_accept: a new descriptor for the next connection on listener `fd`, with the rights
/// the listener passes on. `flags` may only hold `fdflags::nonblock`.
pub fn sock_accept(cx: &mut dyn Env, fd: u32, flags: u32, out: u32) -> WasiResult {
    if flags & !FDFLAGS_NONBLOCK != 0 {
        return Err(Errno::Inval.into());
    }
    if !socket(cx, fd, rights::SOCK_ACCEPT)?.listener {
        return Err(Errno::Inval.into()); // accept(2) on a connected socket
    }
    mem::slice(cx.mem()?, out, 4)?; // before a connection is taken off the queue
    let conn: OwnedFd = block::wait_loop(cx, |cx| {
        let s = socket(cx, fd, rights::SOCK_ACCEPT)?;
        let r = rustix::net::accept_with(&s.fd, SocketFlags::NONBLOCK | SocketFlags::CLOEXEC);
        attempt(s, PollFlags::IN, r)
    })?;
    let inheriting = cx.ctx().fds.entry(fd)?.inheriting;
    let desc = Desc::Socket(SocketDesc {
        fd: conn,
        listener: false,
        nonblock: flags & FDFLAGS_NONBLOCK != 0,
    });
    let new_fd = cx
        .ctx()
        .fds
        .insert_with(desc, rights::CONNECTION & inheriting, 0)?;
    mem::write_u32(cx.mem()?, out, new_fd)
}

/// sock_recv: like fd_read, plus `recv_peek` (the data stays queued) and `recv_waitall`
/// (wait until the buffers are full or the peer closed). `ro_flags` is always 0: a stream
/// socket never truncates.
#[allow(clippy::too_many_arguments)]
pub fn sock_recv(
    cx: &mut dyn Env,
    fd: u32,
    iovs: u32,
    n: u32,
    ri_flags: u32,
    out_len: u32,
    out_flags: u32,
) -> WasiResult {
    if ri_flags & !(RIFLAGS_RECV_PEEK | RIFLAGS_RECV_WAITALL) != 0 {
        return Err(Errno::Inval.into());
    }
    connection(cx, fd, rights::FD_READ)?;
    let (v, mut buf) = read_buffer(cx, iovs, n)?;
    let peek = ri_flags & RIFLAGS_RECV_PEEK != 0;
    let waitall = ri_flags & RIFLAGS_RECV_WAITALL != 0 && !peek;
    let flags = if peek {
        RecvFlags::PEEK
    } else {
        RecvFlags::empty()
    };
    let mut got = 0usize;
    while got < buf.len() {
        let r = block::wait_loop(cx, |cx| {
            let s = connection(cx, fd, rights::FD_READ)?;
            let r = rustix::net::recv(&s.fd, &mut buf[got..], flags).map(|(n, _)| n);
            match attempt(s, PollFlags::IN, r) {
                // Some data arrived already: a non-blocking wait for more ends here.
                Err(e) if got > 0 && e == Errno::Again.into() => Ok(Some(0)),
                other => other,
            }
        })?;
        got += r;
        if r == 0 || !waitall {
            break;
        }
    }
    let m = cx.mem()?;
    mem::scatter(m, &v, &buf[..got])?;
    mem::write_u32(m, out_len, got as u32)?;
    mem::write_bytes(m, out_flags, &0u16.to_le_bytes())
}

/// sock_send: like fd_write (at most `MAX_IO` per call, a short count allowed); `si_flags`
/// has no defined bits. Never raises SIGPIPE: a closed peer is `EPIPE`.
pub fn sock_send(
    cx: &mut dyn Env,
    fd: u32,
    iovs: u32,
    n: u32,
    si_flags: u32,
    out: u32,
) -> WasiResult {
    if si_flags != 0 {
        return Err(Errno::Inval.into());
    }
    connection(cx, fd, rights::FD_WRITE)?;
    let data = write_data(cx, iovs, n)?;
    debug_assert!(data.len() <= MAX_IO);
    let sent = if data.is_empty() {
        0
    } else {
        block::wait_loop(cx, |cx| {
            let s = connection(cx, fd, rights::FD_WRITE)?;
            let r = rustix::net::send(&s.fd, &data, SendFlags::NOSIGNAL);
            attempt(s, PollFlags::OUT, r)
        })?
    };
    mem::write_u32(cx.mem()?, out, sent as u32)
}

/// sock_shutdown: `how` is `sdflags` (rd, wr or both; nothing else).
pub fn sock_shutdown(cx: &mut dyn Env, fd: u32, how: u32) -> WasiResult {
    let how = match how {
        SDFLAGS_RD => Shutdown::Read,
        SDFLAGS_WR => Shutdown::Write,
        x if x == SDFLAGS_RD | SDFLAGS_WR => Shutdown::Both,
        _ => return Err(Errno::Inval.into()),
    };
    let s = connection(cx, fd, rights::SOCK_SHUTDOWN)?;
    Ok(rustix::net::shutdown(&s.fd, how)?)
}
