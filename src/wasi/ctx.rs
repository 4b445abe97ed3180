//! `WasiCtx`, the per-store WASI state, and the builder that grants a guest its capabilities.

use std::io::{Read, Write};
use std::os::fd::OwnedFd;
use std::path::Path;

use rustix::fs::{Mode, OFlags};

use super::fdtable::{Desc, DirDesc, FdTable, SocketDesc, Stream};
use super::pipe::{ReadPipe, WritePipe};
use super::rights;
use crate::Error;

/// The WASI state of one guest: arguments, environment and open file descriptors.
///
/// A guest can reach exactly what its builder granted: the environment variables set with
/// `env`, and the host directories given to `preopened_dir` (never anything outside them).
pub struct WasiCtx {
    pub(crate) args: Vec<String>,
    pub(crate) env: Vec<(String, String)>,
    pub(crate) fds: FdTable,
}

impl WasiCtx {
    pub fn builder() -> WasiCtxBuilder {
        WasiCtxBuilder::new()
    }
}

/// Builds a `WasiCtx`. By default the guest has no arguments, no environment, no files,
/// an empty stdin, and its stdout/stderr are discarded.
pub struct WasiCtxBuilder {
    args: Vec<String>,
    env: Vec<(String, String)>,
    stdin: Stream,
    stdout: Stream,
    stderr: Stream,
    preopens: Vec<(OwnedFd, String)>,
    listeners: Vec<OwnedFd>,
}

impl Default for WasiCtxBuilder {
    fn default() -> Self {
        WasiCtxBuilder::new()
    }
}

impl WasiCtxBuilder {
    pub fn new() -> WasiCtxBuilder {
        WasiCtxBuilder {
            args: Vec::new(),
            env: Vec::new(),
            stdin: Stream::reader(ReadPipe::from_bytes(Vec::new())),
            stdout: Stream::writer(std::io::sink()),
            stderr: Stream::writer(std::io::sink()),
            preopens: Vec::new(),
            listeners: Vec::new(),
        }
    }

    /// Appends one argument (the first one is the program name, `argv[0]`).
    pub fn arg(&mut self, arg: impl Into<String>) -> &mut Self {
        self.args.push(arg.into());
        self
    }

    pub fn args(&mut self, args: impl IntoIterator<Item = impl Into<String>>) -> &mut Self {
        self.args.extend(args.into_iter().map(Into::into));
        self
    }

    /// Sets one environment variable for the guest (a later value for the same name
    /// replaces the earlier one).
    pub fn env(&mut self, key: impl Into<String>, value: impl Into<String>) -> &mut Self {
        // Duplicates are dropped once, in `build`: removing them here would make N calls
        // cost N^2.
        self.env.push((key.into(), value.into()));
        self
    }

    /// Passes every environment variable of this process (explicit opt-in: by default the
    /// guest sees none). Variables that are not UTF-8 are skipped.
    pub fn inherit_env(&mut self) -> &mut Self {
        for (k, v) in std::env::vars_os() {
            if let (Ok(k), Ok(v)) = (k.into_string(), v.into_string()) {
                self.env(k, v);
            }
        }
        self
    }

    /// Guest stdin from a reader. The reader is called as is: if it blocks, an interruption
    /// of the store cannot end the wait; for a pipe, terminal or socket use `stdin_fd`.
    pub fn stdin(&mut self, input: impl Read + Send + 'static) -> &mut Self {
        self.stdin = Stream::reader(input);
        self
    }

    pub fn stdout(&mut self, output: impl Write + Send + 'static) -> &mut Self {
        self.stdout = Stream::writer(output);
        self
    }

    pub fn stderr(&mut self, output: impl Write + Send + 'static) -> &mut Self {
        self.stderr = Stream::writer(output);
        self
    }

    /// Guest stdin from a host descriptor (a `File`, `std::io::PipeReader`, socket, ...),
    /// read directly. Reads that would block wait in short slices, so
    /// `Store::interrupt_handle` (and the CLI's `--timeout`) ends a guest waiting for input.
    pub fn stdin_fd(&mut self, fd: impl Into<OwnedFd>) -> &mut Self {
        self.stdin = Stream::host(fd.into(), false);
        self
    }

    /// Guest stdout to a host descriptor, written directly; a write to a full pipe waits
    /// in short slices, so an interruption of the store ends it.
    pub fn stdout_fd(&mut self, fd: impl Into<OwnedFd>) -> &mut Self {
        self.stdout = Stream::host(fd.into(), true);
        self
    }

    /// Guest stderr to a host descriptor (as `stdout_fd`).
    pub fn stderr_fd(&mut self, fd: impl Into<OwnedFd>) -> &mut Self {
        self.stderr = Stream::host(fd.into(), true);
        self
    }

    /// Captures stdout into a new in-memory pipe and returns a handle to read it.
    pub fn capture_stdout(&mut self) -> WritePipe {
        let pipe = WritePipe::new_in_memory();
        self.stdout(pipe.clone());
        pipe
    }

    /// Captures stderr into a new in-memory pipe and returns a handle to read it.
    pub fn capture_stderr(&mut self) -> WritePipe {
        let pipe = WritePipe::new_in_memory();
        self.stderr(pipe.clone());
        pipe
    }

    /// Connects the guest's stdin, stdout and stderr to this process's descriptors 0, 1
    /// and 2. They are read and written directly (not through `std::io::Stdin`'s buffer),
    /// waiting in short slices like `stdin_fd`, so an interrupted guest does not hang on
    /// a terminal or pipe. Closing them in the guest leaves this process's open.
    pub fn inherit_stdio(&mut self) -> &mut Self {
        self.stdin = Stream::host(std::io::stdin(), false);
        self.stdout = Stream::host(std::io::stdout(), true);
        self.stderr = Stream::host(std::io::stderr(), true);
        self
    }

    /// Grants the guest the host directory `host_path`, visible to it as `guest_path`
    /// (wasi-libc resolves the guest's absolute and relative paths against these names).
    pub fn preopened_dir(
        &mut self,
        host_path: impl AsRef<Path>,
        guest_path: impl Into<String>,
    ) -> crate::Result<&mut Self> {
        let host_path = host_path.as_ref();
        let fd = rustix::fs::open(
            host_path,
            OFlags::RDONLY | OFlags::DIRECTORY | OFlags::CLOEXEC,
            Mode::empty(),
        )
        .map_err(|e| {
            Error::Io(format!(
                "cannot open directory {}: {}",
                host_path.display(),
                std::io::Error::from(e)
            ))
        })?;
        self.preopens.push((fd, guest_path.into()));
        Ok(self)
    }

    /// Grants the guest a listening TCP socket (as wasmtime's `--tcplisten`): it gets the
    /// descriptor after the preopened directories (so wasi-libc, which stops probing for
    /// preopens at the first descriptor that is not one, still finds every directory), with
    /// filetype `socket_stream`, and can `sock_accept` connections on it. Accepting and
    /// reading wait in interruptible slices; nothing else about the network is reachable.
    pub fn preopened_listener(
        &mut self,
        listener: std::net::TcpListener,
    ) -> crate::Result<&mut Self> {
        listener
            .set_nonblocking(true)
            .map_err(|e| Error::Io(format!("cannot set up the listening socket: {e}")))?;
        self.listeners.push(OwnedFd::from(listener));
        Ok(self)
    }

    /// Finishes the context. The builder is left with defaults (no preopens, no stdio).
    pub fn build(&mut self) -> WasiCtx {
        let taken = std::mem::take(self);
        let mut fds = FdTable::default();
        for (n, stream) in [taken.stdin, taken.stdout, taken.stderr]
            .into_iter()
            .enumerate()
        {
            let desc = Desc::Stream(stream);
            let base = desc.natural_rights();
            fds.insert_at(n as u32, desc, base, 0);
        }
        // Preopens follow stdio in order (3, 4, ...): guests find them by probing from 3.
        let mut next = 3u32;
        for (fd, name) in taken.preopens {
            let desc = Desc::Dir(DirDesc {
                fd,
                preopen: Some(name),
                marks: Default::default(),
            });
            fds.insert_at(next, desc, rights::PREOPEN_BASE, rights::PREOPEN_INHERITING);
            next += 1;
        }
        for fd in taken.listeners {
            let desc = Desc::Socket(SocketDesc {
                fd,
                listener: true,
                nonblock: false,
            });
            fds.insert_at(next, desc, rights::LISTENER, rights::CONNECTION);
            next += 1;
        }
        WasiCtx {
            args: taken.args,
            env: last_of_each_name(taken.env),
            fds,
        }
    }
}

/// The variables in the order of their last setting, each name once with its last value.
fn last_of_each_name(env: Vec<(String, String)>) -> Vec<(String, String)> {
    let mut seen = std::collections::HashSet::new();
    let mut kept: Vec<(String, String)> = env
        .into_iter()
        .rev()
        .filter(|(k, _)| seen.insert(k.clone()))
        .collect();
    kept.reverse();
    kept
}

#[cfg(test)]
mod tests {
    use super::last_of_each_name;

    #[test]
    fn a_later_value_replaces_an_earlier_one() {
        let pair = |k: &str, v: &str| (k.to_string(), v.to_string());
        let env = vec![
            pair("A", "1"),
            pair("B", "2"),
            pair("A", "3"),
            pair("C", "4"),
        ];
        assert_eq!(
            last_of_each_name(env),
            [pair("B", "2"), pair("A", "3"), pair("C", "4")]
        );
    }
}
