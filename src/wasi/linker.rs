//! `add_to_linker`: defines every `wasi_snapshot_preview1` import on a `Linker<T>`.

use super::ctx::WasiCtx;
use super::errno::{Errno, WasiError, WasiResult};
use super::host::Host;
use super::{args_env, dir, fd, path, sched, sock};
use crate::{Caller, Linker, Trap, TrapCode};

const MODULE: &str = "wasi_snapshot_preview1";

/// The wasm result of a call: its errno (0 for success), or the "interrupted" trap when the
/// store was interrupted while the call waited (the flag is already cleared then).
fn finish(r: WasiResult) -> Result<i32, Trap> {
    match r {
        Ok(()) => Ok(0),
        Err(WasiError::Errno(e)) => Ok(e.raw()),
        Err(WasiError::Interrupted) => Err(Trap::new(TrapCode::Interrupted)),
    }
}

/// A guest's i32 argument for a WASI type narrower than 32 bits (`fdflags`, `oflags`,
/// `fstflags` are u16; `whence`, `advice` are u8): passed on as a u32 and range-checked by
/// the call, so stray high bits are `EINVAL` instead of being cut off by `as u16`.
fn bits(v: i32) -> u32 {
    v as u32 // lossless: the same 32 bits
}

/// Defines one WASI function: the closure gets `cx: &mut dyn Env` plus the wasm arguments
/// (declared with their wasm types) and returns a `WasiResult`, reported as the errno result
/// or, for an interruption, as a trap.
macro_rules! define {
    ($linker:ident, $get:ident, $name:literal, |$cx:ident $(, $arg:ident : $ty:ty)*| $body:expr) => {
        $linker.func_wrap(
            MODULE,
            $name,
            move |mut caller: Caller<'_, T>, $($arg: $ty),*| -> Result<i32, Trap> {
                let mut host = Host::new(&mut caller, $get);
                let $cx: &mut dyn super::host::Env = &mut host;
                finish($body)
            },
        )?;
    };
}

/// Calls that preview1 defines and wasmtier does not implement: they return `ENOSYS`.
macro_rules! unsupported {
    ($linker:ident, $name:literal, ($($ty:ty),*)) => {
        $linker.func_wrap(MODULE, $name, |$(_: $ty),*| -> i32 { Errno::Nosys.raw() })?;
    };
}

// Argument conversions: pointers, lengths, descriptors, counts (u32) and 64-bit values
// (u64: offsets, sizes, timestamps, rights, cookies) arrive as i32/i64 and are reinterpreted
// bit for bit with `as u32`/`as u64`, which loses nothing. Types narrower than 32 bits go
// through `bits` and are range-checked by the call (`EINVAL`).

/// Adds WASI preview1 to `linker`. `get` finds the `WasiCtx` in the store's data, as in
/// `add_to_linker(&mut linker, |cx: &mut MyState| &mut cx.wasi)`.
// The `define!` bodies are blocks for readability; the lint sees them as call arguments.
#[allow(unused_braces)]
pub fn add_to_linker<T: 'static>(
    linker: &mut Linker<T>,
    get: impl Fn(&mut T) -> &mut WasiCtx + Send + Sync + Copy + 'static,
) -> crate::Result<()> {
    define!(linker, get, "args_get", |cx, argv: i32, buf: i32| {
        args_env::args_get(cx, argv as u32, buf as u32)
    });
    define!(
        linker,
        get,
        "args_sizes_get",
        |cx, count: i32, size: i32| { args_env::args_sizes_get(cx, count as u32, size as u32) }
    );
    define!(linker, get, "environ_get", |cx, env: i32, buf: i32| {
        args_env::environ_get(cx, env as u32, buf as u32)
    });
    define!(
        linker,
        get,
        "environ_sizes_get",
        |cx, count: i32, size: i32| { args_env::environ_sizes_get(cx, count as u32, size as u32) }
    );

    define!(linker, get, "clock_res_get", |cx, id: i32, out: i32| {
        sched::clock_res_get(cx, id as u32, out as u32)
    });
    define!(
        linker,
        get,
        "clock_time_get",
        |cx, id: i32, precision: i64, out: i32| {
            sched::clock_time_get(cx, id as u32, precision as u64, out as u32)
        }
    );
    define!(linker, get, "random_get", |cx, buf: i32, len: i32| {
        sched::random_get(cx, buf as u32, len as u32)
    });
    define!(
        linker,
        get,
        "poll_oneoff",
        |cx, subs: i32, events: i32, n: i32, out: i32| {
            sched::poll_oneoff(cx, subs as u32, events as u32, n as u32, out as u32)
        }
    );
    linker.func_wrap(MODULE, "sched_yield", || -> Result<i32, Trap> {
        finish(sched::sched_yield())
    })?;
    // proc_exit ends the guest with a trap that carries the status (the CLI exits with it).
    linker.func_wrap(MODULE, "proc_exit", |status: i32| -> Result<(), Trap> {
        Err(Trap::exit(status))
    })?;

    define!(
        linker,
        get,
        "fd_read",
        |cx, fd: i32, iovs: i32, n: i32, out: i32| {
            fd::fd_read(cx, fd as u32, iovs as u32, n as u32, out as u32)
        }
    );
    define!(
        linker,
        get,
        "fd_write",
        |cx, fd: i32, iovs: i32, n: i32, out: i32| {
            fd::fd_write(cx, fd as u32, iovs as u32, n as u32, out as u32)
        }
    );
    define!(
        linker,
        get,
        "fd_pread",
        |cx, fd: i32, iovs: i32, n: i32, offset: i64, out: i32| {
            fd::fd_pread(
                cx,
                fd as u32,
                iovs as u32,
                n as u32,
                offset as u64,
                out as u32,
            )
        }
    );
    define!(
        linker,
        get,
        "fd_pwrite",
        |cx, fd: i32, iovs: i32, n: i32, offset: i64, out: i32| {
            fd::fd_pwrite(
                cx,
                fd as u32,
                iovs as u32,
                n as u32,
                offset as u64,
                out as u32,
            )
        }
    );
    define!(
        linker,
        get,
        "fd_seek",
        |cx, fd: i32, offset: i64, whence: i32, out: i32| {
            fd::fd_seek(cx, fd as u32, offset, bits(whence), out as u32)
        }
    );
    define!(linker, get, "fd_tell", |cx, fd: i32, out: i32| {
        fd::fd_tell(cx, fd as u32, out as u32)
    });
    define!(linker, get, "fd_close", |cx, fd: i32| fd::fd_close(
        cx, fd as u32
    ));
    define!(linker, get, "fd_sync", |cx, fd: i32| fd::fd_sync(
        cx, fd as u32
    ));
    define!(linker, get, "fd_datasync", |cx, fd: i32| fd::fd_datasync(
        cx, fd as u32
    ));
    define!(linker, get, "fd_renumber", |cx, from: i32, to: i32| {
        fd::fd_renumber(cx, from as u32, to as u32)
    });
    define!(linker, get, "fd_fdstat_get", |cx, fd: i32, out: i32| {
        fd::fd_fdstat_get(cx, fd as u32, out as u32)
    });
    define!(
        linker,
        get,
        "fd_fdstat_set_flags",
        |cx, fd: i32, flags: i32| { fd::fd_fdstat_set_flags(cx, fd as u32, bits(flags)) }
    );
    define!(
        linker,
        get,
        "fd_fdstat_set_rights",
        |cx, fd: i32, base: i64, inh: i64| {
            fd::fd_fdstat_set_rights(cx, fd as u32, base as u64, inh as u64)
        }
    );
    define!(linker, get, "fd_filestat_get", |cx, fd: i32, out: i32| {
        fd::fd_filestat_get(cx, fd as u32, out as u32)
    });
    define!(
        linker,
        get,
        "fd_filestat_set_size",
        |cx, fd: i32, size: i64| { fd::fd_filestat_set_size(cx, fd as u32, size as u64) }
    );
    define!(
        linker,
        get,
        "fd_filestat_set_times",
        |cx, fd: i32, atim: i64, mtim: i64, flags: i32| {
            fd::fd_filestat_set_times(cx, fd as u32, atim as u64, mtim as u64, bits(flags))
        }
    );
    define!(
        linker,
        get,
        "fd_advise",
        |cx, fd: i32, offset: i64, len: i64, advice: i32| {
            fd::fd_advise(cx, fd as u32, offset as u64, len as u64, bits(advice))
        }
    );
    define!(
        linker,
        get,
        "fd_allocate",
        |cx, fd: i32, offset: i64, len: i64| {
            fd::fd_allocate(cx, fd as u32, offset as u64, len as u64)
        }
    );
    define!(linker, get, "fd_prestat_get", |cx, fd: i32, out: i32| {
        dir::fd_prestat_get(cx, fd as u32, out as u32)
    });
    define!(
        linker,
        get,
        "fd_prestat_dir_name",
        |cx, fd: i32, buf: i32, len: i32| {
            dir::fd_prestat_dir_name(cx, fd as u32, buf as u32, len as u32)
        }
    );
    define!(
        linker,
        get,
        "fd_readdir",
        |cx, fd: i32, buf: i32, len: i32, cookie: i64, out: i32| {
            dir::fd_readdir(
                cx,
                fd as u32,
                buf as u32,
                len as u32,
                cookie as u64,
                out as u32,
            )
        }
    );

    define!(
        linker,
        get,
        "path_open",
        |cx,
         fd: i32,
         dirflags: i32,
         p: i32,
         p_len: i32,
         oflags: i32,
         rights: i64,
         inheriting: i64,
         fdflags: i32,
         out: i32| {
            path::path_open(
                cx,
                fd as u32,
                dirflags as u32,
                p as u32,
                p_len as u32,
                bits(oflags),
                rights as u64,
                inheriting as u64,
                bits(fdflags),
                out as u32,
            )
        }
    );
    define!(
        linker,
        get,
        "path_filestat_get",
        |cx, fd: i32, flags: i32, p: i32, p_len: i32, out: i32| {
            path::path_filestat_get(
                cx,
                fd as u32,
                flags as u32,
                p as u32,
                p_len as u32,
                out as u32,
            )
        }
    );
    define!(
        linker,
        get,
        "path_filestat_set_times",
        |cx, fd: i32, flags: i32, p: i32, p_len: i32, atim: i64, mtim: i64, fst: i32| {
            path::path_filestat_set_times(
                cx,
                fd as u32,
                flags as u32,
                p as u32,
                p_len as u32,
                atim as u64,
                mtim as u64,
                bits(fst),
            )
        }
    );
    define!(
        linker,
        get,
        "path_create_directory",
        |cx, fd: i32, p: i32, p_len: i32| {
            path::path_create_directory(cx, fd as u32, p as u32, p_len as u32)
        }
    );
    define!(
        linker,
        get,
        "path_remove_directory",
        |cx, fd: i32, p: i32, p_len: i32| {
            path::path_remove_directory(cx, fd as u32, p as u32, p_len as u32)
        }
    );
    define!(
        linker,
        get,
        "path_unlink_file",
        |cx, fd: i32, p: i32, p_len: i32| {
            path::path_unlink_file(cx, fd as u32, p as u32, p_len as u32)
        }
    );
    define!(
        linker,
        get,
        "path_rename",
        |cx, fd: i32, p: i32, p_len: i32, new_fd: i32, new_p: i32, new_len: i32| {
            path::path_rename(
                cx,
                fd as u32,
                p as u32,
                p_len as u32,
                new_fd as u32,
                new_p as u32,
                new_len as u32,
            )
        }
    );
    define!(
        linker,
        get,
        "path_link",
        |cx, fd: i32, flags: i32, p: i32, p_len: i32, new_fd: i32, new_p: i32, new_len: i32| {
            path::path_link(
                cx,
                fd as u32,
                flags as u32,
                p as u32,
                p_len as u32,
                new_fd as u32,
                new_p as u32,
                new_len as u32,
            )
        }
    );
    define!(
        linker,
        get,
        "path_symlink",
        |cx, target: i32, target_len: i32, fd: i32, p: i32, p_len: i32| {
            path::path_symlink(
                cx,
                target as u32,
                target_len as u32,
                fd as u32,
                p as u32,
                p_len as u32,
            )
        }
    );
    define!(
        linker,
        get,
        "path_readlink",
        |cx, fd: i32, p: i32, p_len: i32, buf: i32, buf_len: i32, out: i32| {
            path::path_readlink(
                cx,
                fd as u32,
                p as u32,
                p_len as u32,
                buf as u32,
                buf_len as u32,
                out as u32,
            )
        }
    );

    unsupported!(linker, "proc_raise", (i32));
    define!(
        linker,
        get,
        "sock_accept",
        |cx, fd: i32, flags: i32, out: i32| {
            sock::sock_accept(cx, fd as u32, bits(flags), out as u32)
        }
    );
    define!(
        linker,
        get,
        "sock_recv",
        |cx, fd: i32, iovs: i32, n: i32, flags: i32, out_len: i32, out_flags: i32| {
            sock::sock_recv(
                cx,
                fd as u32,
                iovs as u32,
                n as u32,
                bits(flags),
                out_len as u32,
                out_flags as u32,
            )
        }
    );
    define!(
        linker,
        get,
        "sock_send",
        |cx, fd: i32, iovs: i32, n: i32, flags: i32, out: i32| {
            sock::sock_send(
                cx,
                fd as u32,
                iovs as u32,
                n as u32,
                bits(flags),
                out as u32,
            )
        }
    );
    define!(linker, get, "sock_shutdown", |cx, fd: i32, how: i32| {
        sock::sock_shutdown(cx, fd as u32, bits(how))
    });
    Ok(())
}
