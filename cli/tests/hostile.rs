//! Hostile guests: modules written to exhaust, hang or crash the runtime, run through the real
//! `wasmtier` binary in every tier.
//!
//! Each attack (a guest in tests/hostile/*.wat, or a module generated below when it is too
//! large to keep as text) must end with
//! - bounded peak RSS (the bar of the hardening issue: under 100 MB),
//! - bounded wall-clock time,
//! - a clean outcome: success, a guest-chosen exit status, or a non-zero exit with a
//!   `wasm trap: ...` or `error: ...` line on stderr; never a signal death (SIGKILL,
//!   SIGSEGV, SIGABRT), a Rust panic or an "internal error".
//!
//! The harness protects the machine: several attacks drive an unfixed runtime to tens of
//! gigabytes within seconds. Every child's RSS is sampled from /proc every 10 ms and the
//! child is SIGKILLed above [`SAFETY_CAP`] or after its deadline; at most
//! [`MAX_CHILDREN`] children run at once whatever the test-thread count; a child is killed
//! and reaped even if its test panics. Peak RSS comes from `wait4`'s `ru_maxrss`, exact
//! whenever the child outgrows this test process (see [`Peak`] for the kernel's catch).
//!
//! Guests report through the CLI: most export functions returning an i32 (an errno, a
//! count), run with `--invoke`, which prints the result as the last line of stdout. Guests
//! that cannot print it (a WASI command reading its argv, a guest whose stdout is closed)
//! exit with `proc_exit(160 + errno)` instead.
//!
//! Modules too large to keep as text (1000 tables, 100 000 exports or imports, a 1M-target
//! `br_table`, 20 000 functions, 200 000 nested blocks) are generated into
//! `CARGO_TARGET_TMPDIR` by their tests.
//!
//! Run with `--nocapture` to see one report line per attack and tier (peak RSS, time,
//! outcome).

use std::ffi::OsString;
use std::fmt;
use std::io::{self, Read, Write};
use std::path::{Path, PathBuf};
use std::process::{ChildStdin, Command, Stdio};
use std::sync::{Condvar, Mutex, OnceLock};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

// ---------------------------------------------------------------------------------------
// Bounds
// ---------------------------------------------------------------------------------------

const MB: u64 = 1 << 20;

/// The harness SIGKILLs a child above this RSS. Not a test bound: it keeps unfixed attacks
/// (24 GB for the gather, 80 GB for 1000 tables) from taking the machine down, and a lower
/// cap makes them fail sooner.
const SAFETY_CAP: u64 = 512 * MB;
/// How often the child's RSS and deadline are checked.
const SAMPLE_INTERVAL: Duration = Duration::from_millis(10);
/// Children running at once across all test threads: worst case MAX_CHILDREN * SAFETY_CAP
/// (plus one sampling interval of growth) of memory, on any machine.
const MAX_CHILDREN: usize = 2;
/// A child still running this long after its attack's time bound is killed (and fails).
const KILL_GRACE: Duration = Duration::from_millis(500);
/// Stderr beyond this is a flood (a backtrace is cut at 100 frames): a failure for any
/// attack.
const MAX_STDERR: usize = 64 << 10;

/// The bar: no attack may make the process use more than this.
const RSS_BOUND: u64 = 100 * MB;

/// Attacks that do a fixed, small amount of real work: a generous bound for a loaded
/// 2-core machine.
const QUICK: Duration = Duration::from_secs(5);
/// `--timeout 1` must stop the guest within this (the bar: 2 s).
const TIMEOUT_BOUND: Duration = Duration::from_secs(2);
/// `--fuel 1000000` is a few milliseconds of work in any tier.
const FUEL_BOUND: Duration = Duration::from_secs(2);
/// 1000 fd_readdir calls with 0/1-byte buffers on a 10 000-entry directory: 2 ms a call is
/// plenty for a runtime that does not re-list the whole directory on every call.
const READDIR_TINY_BOUND: Duration = Duration::from_secs(2);
/// Reading 10 000 entries one per fd_readdir call (~10 000 calls): linear, 0.3 ms a call.
const READDIR_ONE_PER_CALL_BOUND: Duration = Duration::from_secs(3);
/// Parsing (as text), compiling and instantiating the large generated modules (megabytes
/// of text; 100 000 imports, a 1M-target br_table, 200 000 nested blocks): linear work
/// that takes ~0.5-3 s, so this bound only catches superlinear blowups.
const GENERATED_BOUND: Duration = Duration::from_secs(10);
/// Compiling and instantiating a module with 20 000 functions (the JIT compiles them all
/// eagerly: ~2 s of one core today, ~4 s on a loaded machine): time linear in the module,
/// not a performance goal.
const MANY_FUNCTIONS_BOUND: Duration = Duration::from_secs(10);
/// Unknown `--invoke` on a module with 100 000 exports: the error must stay short.
const MAX_UNKNOWN_EXPORT_STDERR: usize = 4 << 10;

/// Exit status of a guest whose WASI call failed: `proc_exit(EXIT_ERRNO_BASE + errno)`.
const EXIT_ERRNO_BASE: i32 = 160;
const ERRNO_FAULT: i32 = 21;

// ---------------------------------------------------------------------------------------
// Harness: run a child under an RSS cap and a deadline
// ---------------------------------------------------------------------------------------

#[derive(Clone, Copy, Debug)]
enum Stdin {
    Null,
    /// A pipe whose write end stays open (and silent) until the child is reaped.
    SilentPipe,
}

#[derive(Clone, Copy, Debug)]
enum Stdout {
    /// A pipe drained as the child writes (a full pipe would block it).
    Drained,
    /// A pipe whose read end is closed before the child runs: writes fail with EPIPE.
    Closed,
}

struct Spec {
    args: Vec<OsString>,
    stdin: Stdin,
    stdout: Stdout,
    cwd: Option<PathBuf>,
    deadline: Duration,
}

impl Spec {
    fn new<S: Into<OsString>>(args: impl IntoIterator<Item = S>, time_bound: Duration) -> Spec {
        Spec {
            args: args.into_iter().map(Into::into).collect(),
            stdin: Stdin::Null,
            stdout: Stdout::Drained,
            cwd: None,
            deadline: time_bound + KILL_GRACE,
        }
    }

    fn stdin(mut self, stdin: Stdin) -> Spec {
        self.stdin = stdin;
        self
    }

    fn stdout(mut self, stdout: Stdout) -> Spec {
        self.stdout = stdout;
        self
    }

    fn cwd(mut self, dir: &Path) -> Spec {
        self.cwd = Some(dir.to_path_buf());
        self
    }
}

#[derive(Debug)]
enum Killed {
    RssCap(u64),
    Deadline,
}

#[derive(Debug)]
struct Outcome {
    /// Raw `wait4` status.
    status: i32,
    killed: Option<Killed>,
    /// `ru_maxrss` from `wait4`, in bytes.
    maxrss: u64,
    /// This test process's own peak RSS (VmHWM) when the child was spawned: see [`Peak`].
    parent_hwm: u64,
    /// The child's VmHWM at the last sample before it exited.
    sampled_hwm: u64,
    elapsed: Duration,
    stdout: Captured,
    stderr: Captured,
}

/// The start and the end of a stream, and its length, without storing all of it (the
/// gather attacks write up to gigabytes).
#[derive(Debug, Default)]
struct Captured {
    head: Vec<u8>,
    tail: Vec<u8>,
    len: u64,
}

const CAPTURE_HEAD: usize = 64 << 10;
const CAPTURE_TAIL: usize = 4 << 10;

impl Captured {
    fn drain(mut from: impl Read) -> Captured {
        let mut c = Captured::default();
        let mut buf = vec![0u8; 64 << 10];
        loop {
            let n = match from.read(&mut buf) {
                Ok(0) => break,
                Ok(n) => n,
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
                Err(_) => break,
            };
            let chunk = &buf[..n];
            c.len += n as u64;
            let room = CAPTURE_HEAD - c.head.len();
            c.head.extend_from_slice(&chunk[..room.min(n)]);
            c.tail.extend_from_slice(chunk);
            if c.tail.len() > 2 * CAPTURE_TAIL {
                c.tail.drain(..c.tail.len() - CAPTURE_TAIL);
            }
        }
        if c.tail.len() > CAPTURE_TAIL {
            c.tail.drain(..c.tail.len() - CAPTURE_TAIL);
        }
        c
    }

    /// The whole stream if it was captured, else its head.
    fn text(&self) -> String {
        String::from_utf8_lossy(&self.head).into_owned()
    }

    /// The last non-empty line (from the tail, so also after megabytes of output), without
    /// whatever binary output of the guest precedes it on the same line.
    fn last_line(&self) -> Option<String> {
        let bytes = if self.len as usize <= CAPTURE_HEAD {
            &self.head
        } else {
            &self.tail
        };
        let text = String::from_utf8_lossy(bytes);
        let line = text.lines().rev().find(|l| !l.trim().is_empty())?;
        let printable = line.rsplit(|c: char| !(c == ' ' || c.is_ascii_graphic()));
        printable
            .map(str::trim)
            .find(|s| !s.is_empty())
            .map(str::to_string)
    }
}

/// Limits how many children run at once (see [`MAX_CHILDREN`]).
struct Slots {
    used: Mutex<usize>,
    freed: Condvar,
}

static SLOTS: Slots = Slots {
    used: Mutex::new(0),
    freed: Condvar::new(),
};

struct Slot;

impl Slot {
    fn acquire() -> Slot {
        let mut used = SLOTS.used.lock().unwrap_or_else(|e| e.into_inner());
        while *used >= MAX_CHILDREN {
            used = SLOTS.freed.wait(used).unwrap_or_else(|e| e.into_inner());
        }
        *used += 1;
        Slot
    }
}

impl Drop for Slot {
    fn drop(&mut self) {
        let mut used = SLOTS.used.lock().unwrap_or_else(|e| e.into_inner());
        *used -= 1;
        SLOTS.freed.notify_one();
    }
}

/// Owns a running child's pid: if the harness unwinds before reaping it, the child is
/// killed and reaped rather than left eating memory.
struct Reaper {
    pid: libc::pid_t,
    reaped: bool,
}

impl Reaper {
    /// `wait4`, blocking or not; `Some((status, rusage))` once the child is reaped.
    fn wait(&mut self, block: bool) -> Option<(i32, libc::rusage)> {
        let flags = if block { 0 } else { libc::WNOHANG };
        loop {
            let mut status = 0;
            // SAFETY: plain syscall on our own child with valid out-pointers.
            let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
            let r = unsafe { libc::wait4(self.pid, &mut status, flags, &mut usage) };
            if r == self.pid {
                self.reaped = true;
                return Some((status, usage));
            }
            if r == 0 {
                return None;
            }
            let err = std::io::Error::last_os_error();
            if err.kind() == std::io::ErrorKind::Interrupted {
                continue;
            }
            panic!("wait4({}): {err}", self.pid);
        }
    }

    fn kill(&self) {
        if !self.reaped {
            // SAFETY: the pid is our unreaped child, so it cannot have been reused.
            unsafe { libc::kill(self.pid, libc::SIGKILL) };
        }
    }
}

impl Drop for Reaper {
    fn drop(&mut self) {
        if !self.reaped {
            self.kill();
            let _ = self.wait(true);
        }
    }
}

/// A `VmRSS:`-style field of /proc/PID/status in bytes; `None` once the process has
/// exited (a zombie has no memory fields).
fn proc_status_bytes(pid: &str, field: &str) -> Option<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    let line = status.lines().find(|l| l.starts_with(field))?;
    let kib: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kib * 1024)
}

/// Runs `wasmtier ARGS` under the RSS cap and the deadline; stdout and stderr are drained
/// as they come (a full pipe would block the child). Fails only if the child cannot be
/// started (e.g. E2BIG for an argument list the OS refuses).
fn run(spec: &Spec) -> std::io::Result<Outcome> {
    let _slot = Slot::acquire();
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_wasmtier"));
    cmd.args(&spec.args)
        .env_remove("RUST_BACKTRACE")
        // --tier=jit runs fill the code cache: a scratch one, not the user's.
        .env(
            "XDG_CACHE_HOME",
            Path::new(env!("CARGO_TARGET_TMPDIR")).join("xdg-cache"),
        )
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .stdin(match spec.stdin {
            Stdin::Null => Stdio::null(),
            Stdin::SilentPipe => Stdio::piped(),
        });
    if let Some(dir) = &spec.cwd {
        cmd.current_dir(dir);
    }
    let start = Instant::now();
    let mut child = cmd.spawn()?;
    // Read after the spawn: the peak only grows, so this bounds what the kernel folded into
    // the child's ru_maxrss when it exec'd (see `Peak`), even with other test threads
    // allocating meanwhile.
    let parent_hwm = proc_status_bytes("self", "VmHWM:").unwrap_or(u64::MAX);
    let mut reaper = Reaper {
        pid: child.id() as libc::pid_t,
        reaped: false,
    };
    // Held, never written, until the child is reaped.
    let silent_stdin: Option<ChildStdin> = child.stdin.take();
    let out = child.stdout.take().expect("piped stdout");
    let err = child.stderr.take().expect("piped stderr");
    let drain_out: JoinHandle<Captured> = match spec.stdout {
        Stdout::Drained => std::thread::spawn(move || Captured::drain(out)),
        Stdout::Closed => {
            drop(out);
            std::thread::spawn(Captured::default)
        }
    };
    let drain_err: JoinHandle<Captured> = std::thread::spawn(move || Captured::drain(err));
    // `child` is never waited for through std: `wait4` reaps it, with its rusage.
    drop(child);

    let mut killed = None;
    let mut sampled_hwm = 0;
    let pid = reaper.pid.to_string();
    let (status, usage) = loop {
        if let Some(reaped) = reaper.wait(false) {
            break reaped;
        }
        if let Some(hwm) = proc_status_bytes(&pid, "VmHWM:") {
            sampled_hwm = sampled_hwm.max(hwm);
        }
        if let Some(now) = proc_status_bytes(&pid, "VmRSS:")
            && now > SAFETY_CAP
        {
            reaper.kill();
            killed = Some(Killed::RssCap(now));
            break reaper.wait(true).expect("blocking wait4");
        }
        if start.elapsed() > spec.deadline {
            reaper.kill();
            killed = Some(Killed::Deadline);
            break reaper.wait(true).expect("blocking wait4");
        }
        std::thread::sleep(SAMPLE_INTERVAL);
    };
    let elapsed = start.elapsed();
    drop(silent_stdin);
    Ok(Outcome {
        status,
        killed,
        // ru_maxrss is in KiB on Linux.
        maxrss: usage.ru_maxrss as u64 * 1024,
        parent_hwm,
        sampled_hwm,
        elapsed,
        stdout: drain_out.join().expect("stdout drain"),
        stderr: drain_err.join().expect("stderr drain"),
    })
}

// ---------------------------------------------------------------------------------------
// Judging an outcome
// ---------------------------------------------------------------------------------------

/// The child's peak RSS.
///
/// `ru_maxrss` is exact for the child's own memory, but Linux also folds into it the RSS of
/// the address space the child had before `exec`: std spawns with `posix_spawn`
/// (`CLONE_VM`; or `fork`, whose copy counts too), so that is up to this test process's
/// own peak (VmHWM): a few MB, ~20 MB once the argv tests have built their 100 000
/// arguments. When `ru_maxrss` is above this process's VmHWM read after the spawn, it is
/// the child's own exact peak. Otherwise the child's peak is at most that (reported as
/// `<=`), and at least its last sampled VmHWM (which misses the growth of its final
/// 10 ms). Only if this process itself outgrew a bound can a check not tell; it then
/// fails saying so.
#[derive(Debug, Clone, Copy)]
enum Peak {
    Exact(u64),
    Sampled { at_least: u64, at_most: u64 },
}

impl Outcome {
    fn peak(&self) -> Peak {
        if self.maxrss > self.parent_hwm {
            Peak::Exact(self.maxrss)
        } else {
            Peak::Sampled {
                at_least: self.sampled_hwm,
                at_most: self.maxrss,
            }
        }
    }
}

/// `  12.3 MB` when exact, `<=52.8 MB` when only the upper bound is known.
impl fmt::Display for Peak {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match *self {
            Peak::Exact(b) => write!(f, "  {:>5.1} MB", b as f64 / MB as f64),
            Peak::Sampled { at_most, .. } => write!(f, "<={:>5.1} MB", at_most as f64 / MB as f64),
        }
    }
}

/// How a run ended, as far as the suite cares.
#[derive(Debug)]
enum Ending {
    /// Exit 0; the last line of stdout (the `--invoke` result), if any.
    Result(Option<String>),
    /// Non-zero exit with `wasm trap: MESSAGE` first on stderr.
    Trap(String),
    /// Non-zero exit with `error: MESSAGE` first on stderr.
    Error(String),
    /// Non-zero exit with nothing on stderr: the guest's own `proc_exit` status.
    GuestExit(i32),
    /// Anything else: killed, a signal, a panic, an internal error, unexplained output.
    Bad(String),
}

impl fmt::Display for Ending {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Ending::Result(Some(r)) => write!(f, "exit 0, result {r}"),
            Ending::Result(None) => write!(f, "exit 0"),
            Ending::Trap(m) => write!(f, "wasm trap: {}", short(m)),
            Ending::Error(m) => write!(f, "error: {}", short(m)),
            Ending::GuestExit(code) if *code >= EXIT_ERRNO_BASE => {
                write!(f, "guest exit {code} (errno {})", code - EXIT_ERRNO_BASE)
            }
            Ending::GuestExit(code) => write!(f, "guest exit {code}"),
            Ending::Bad(why) => write!(f, "BAD: {why}"),
        }
    }
}

fn signal_name(sig: i32) -> String {
    match sig {
        libc::SIGKILL => "SIGKILL".into(),
        libc::SIGSEGV => "SIGSEGV".into(),
        libc::SIGABRT => "SIGABRT".into(),
        libc::SIGBUS => "SIGBUS".into(),
        libc::SIGILL => "SIGILL".into(),
        libc::SIGTRAP => "SIGTRAP".into(),
        other => format!("signal {other}"),
    }
}

fn short(text: &str) -> String {
    const MAX: usize = 300;
    let text = text.trim();
    match text.char_indices().nth(MAX) {
        Some((at, _)) => format!("{}... ({} bytes)", &text[..at], text.len()),
        None => text.to_string(),
    }
}

fn ending(out: &Outcome) -> Ending {
    let stderr = out.stderr.text();
    let first = stderr.lines().next().unwrap_or("").to_string();
    match out.killed {
        Some(Killed::RssCap(rss)) => {
            return Ending::Bad(format!(
                "killed by the harness: RSS reached {} MB (safety cap {} MB) after {:.2} s",
                rss / MB,
                SAFETY_CAP / MB,
                out.elapsed.as_secs_f64()
            ));
        }
        Some(Killed::Deadline) => {
            return Ending::Bad(format!(
                "killed by the harness: still running after {:.2} s (stderr: {:?})",
                out.elapsed.as_secs_f64(),
                short(&stderr)
            ));
        }
        None => {}
    }
    if libc::WIFSIGNALED(out.status) {
        return Ending::Bad(format!(
            "died of {} (stderr: {:?})",
            signal_name(libc::WTERMSIG(out.status)),
            short(&stderr)
        ));
    }
    let code = libc::WEXITSTATUS(out.status);
    for needle in ["panicked at", "internal error", "has overflowed its stack"] {
        if stderr.contains(needle) {
            return Ending::Bad(format!("exit {code} with `{needle}`: {:?}", short(&stderr)));
        }
    }
    if code == 101 {
        return Ending::Bad(format!("exit 101 (internal error): {:?}", short(&stderr)));
    }
    if code == 0 {
        return Ending::Result(out.stdout.last_line());
    }
    if let Some(m) = first.strip_prefix("wasm trap: ") {
        return Ending::Trap(m.to_string());
    }
    if let Some(m) = first.strip_prefix("error: ") {
        return Ending::Error(m.to_string());
    }
    if out.stderr.len == 0 {
        return Ending::GuestExit(code);
    }
    Ending::Bad(format!(
        "exit {code} without a `wasm trap:` or `error:` line: {:?}",
        short(&stderr)
    ))
}

/// What an attack accepts as its outcome, besides the bounds.
type Accept<'a> = dyn Fn(&Ending) -> bool + 'a;

/// Any clean ending (not [`Ending::Bad`]).
fn any_clean(e: &Ending) -> bool {
    !matches!(e, Ending::Bad(_))
}

fn is_result(e: &Ending, pred: impl Fn(&str) -> bool) -> bool {
    matches!(e, Ending::Result(Some(r)) if pred(r))
}

fn is_trap(e: &Ending, needle: &str) -> bool {
    matches!(e, Ending::Trap(m) if m.contains(needle))
}

/// The printed result is an integer (an errno, a count): the call came back.
fn is_int(r: &str) -> bool {
    r.parse::<i64>().is_ok()
}

/// Exit 0 with an integer result (the call's errno), or any other clean ending.
fn int_result_or_clean(e: &Ending) -> bool {
    match e {
        Ending::Result(r) => r.as_deref().is_some_and(is_int),
        other => any_clean(other),
    }
}

/// One attack in one tier: bounds plus the accepted outcome.
struct Check<'a> {
    name: &'a str,
    rss: u64,
    time: Duration,
    expect: &'a str,
    accept: &'a Accept<'a>,
}

/// Judges `out`; returns the failures (empty when it passed) and prints a report line.
fn judge(check: &Check<'_>, tier: &str, out: &Outcome) -> Vec<String> {
    let end = ending(out);
    let mut failures = Vec::new();
    if let Ending::Bad(why) = &end {
        failures.push(why.clone());
    } else if !(check.accept)(&end) {
        failures.push(format!("expected {}, got {end}", check.expect));
    }
    match out.peak() {
        Peak::Exact(peak) | Peak::Sampled { at_least: peak, .. } if peak > check.rss => {
            failures.push(format!(
                "peak RSS {:.1} MB over the bound of {} MB",
                peak as f64 / MB as f64,
                check.rss / MB
            ));
        }
        Peak::Sampled { at_most, .. } if at_most > check.rss => failures.push(format!(
            "cannot tell the peak RSS: this test process itself peaked at {:.1} MB, over the \
             bound of {} MB, and the kernel counts that into the child's ru_maxrss",
            at_most as f64 / MB as f64,
            check.rss / MB
        )),
        _ => {}
    }
    if out.elapsed > check.time && out.killed.is_none() {
        failures.push(format!(
            "took {:.2} s, over the bound of {:.1} s",
            out.elapsed.as_secs_f64(),
            check.time.as_secs_f64()
        ));
    }
    if out.stderr.len > MAX_STDERR as u64 {
        failures.push(format!("flooded stderr with {} bytes", out.stderr.len));
    }
    let stderr = out.stderr.text();
    eprintln!(
        "hostile: {:<40} {:<6} {} | peak {} | {:>6.2} s | stdout {} B | {}{}",
        check.name,
        tier,
        if failures.is_empty() { "PASS" } else { "FAIL" },
        out.peak(),
        out.elapsed.as_secs_f64(),
        out.stdout.len,
        end,
        match &end {
            Ending::Trap(_) | Ending::Error(_) | Ending::Bad(_) => String::new(),
            _ if stderr.trim().is_empty() => String::new(),
            _ => format!(" | stderr {:?}", short(&stderr)),
        }
    );
    failures
        .into_iter()
        .map(|f| format!("{} [{tier}]: {f}", check.name))
        .collect()
}

// ---------------------------------------------------------------------------------------
// Tiers, guests, scratch space
// ---------------------------------------------------------------------------------------

fn guest(name: &str) -> String {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/hostile")
        .join(format!("{name}.wat"))
        .to_str()
        .expect("non-UTF-8 checkout path")
        .to_string()
}

/// A fresh scratch directory for one test, removed when dropped (also when the test
/// fails).
struct Scratch(PathBuf);

impl Scratch {
    fn new(test: &str) -> Scratch {
        let dir = Path::new(env!("CARGO_TARGET_TMPDIR"))
            .join(format!("hostile-{}-{test}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        Scratch(dir)
    }
}

impl std::ops::Deref for Scratch {
    type Target = Path;

    fn deref(&self) -> &Path {
        &self.0
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// Writes a generated module into `dir` and returns its path. Streamed, not built in
/// memory: this process's own peak RSS is folded into every later child's `ru_maxrss`
/// (see [`Peak`]), so it must stay small.
fn write_module(
    dir: &Path,
    name: &str,
    generate: impl FnOnce(&mut dyn Write) -> io::Result<()>,
) -> String {
    let path = dir.join(format!("{name}.wat"));
    let mut file = io::BufWriter::new(std::fs::File::create(&path).unwrap());
    generate(&mut file).unwrap();
    file.flush().unwrap();
    path.to_str().expect("non-UTF-8 scratch path").to_string()
}

/// Failing tests report without a backtrace, whatever `RUST_BACKTRACE` says: symbolizing one
/// grows this process by ~45 MB, and this process's peak RSS is folded into the
/// `ru_maxrss` of every child spawned afterwards (see [`Peak`]). The failure messages list
/// everything that matters; the assertion's location is still printed.
fn quiet_panics() {
    static ONCE: std::sync::Once = std::sync::Once::new();
    ONCE.call_once(|| {
        std::panic::set_hook(Box::new(|info| {
            let thread = std::thread::current();
            eprintln!("thread '{}' {info}", thread.name().unwrap_or("<unnamed>"));
        }));
    });
}

/// The tiers the binary accepts, probed once (a build without the JIT rejects `jit`).
fn tiers() -> &'static [&'static str] {
    static TIERS: OnceLock<Vec<&'static str>> = OnceLock::new();
    quiet_panics();
    TIERS.get_or_init(|| {
        let dir = Scratch::new("tiers");
        let probe = write_module(&dir, "probe", |w| {
            w.write_all(b"(module (func (export \"run\") (result i32) (i32.const 1)))")
        });
        let tiers = ["interp", "jit", "auto"]
            .into_iter()
            .filter(|tier| {
                let flag = format!("--tier={tier}");
                let spec = Spec::new(["run", &flag, "--invoke", "run", &probe], QUICK);
                let out = run(&spec).expect("failed to start the wasmtier binary");
                let ok = matches!(ending(&out), Ending::Result(Some(r)) if r == "1");
                if !ok {
                    eprintln!("note: skipping tier {tier}: {}", out.stderr.text().trim());
                }
                ok
            })
            .collect::<Vec<_>>();
        // Without this every attack would pass vacuously.
        assert!(
            tiers.contains(&"interp"),
            "the wasmtier binary cannot run a trivial module with --tier=interp"
        );
        tiers
    })
}

/// Runs `wasmtier run --tier=T ARGS...` in every tier, judging each; panics at the end
/// with every failure of every tier (so that one report shows them all).
#[track_caller]
fn attack(check: Check<'_>, args: &[&str], setup: impl Fn(Spec) -> Spec) {
    assert_no_failures(try_attack(check, args, setup));
}

#[track_caller]
fn assert_no_failures(failures: Vec<String>) {
    assert!(failures.is_empty(), "\n{}\n", failures.join("\n"));
}

/// [`attack`], returning the failures: for tests that run several attacks and report all.
fn try_attack(check: Check<'_>, args: &[&str], setup: impl Fn(Spec) -> Spec) -> Vec<String> {
    let mut failures = Vec::new();
    for tier in tiers() {
        let flag = format!("--tier={tier}");
        let mut all = vec!["run", flag.as_str()];
        all.extend_from_slice(args);
        let spec = setup(Spec::new(all, check.time));
        match run(&spec) {
            Ok(out) => failures.extend(judge(&check, tier, &out)),
            Err(e) if e.raw_os_error() == Some(libc::E2BIG) => {
                eprintln!(
                    "note: {} [{tier}]: skipped, the OS refuses the arguments: {e}",
                    check.name
                );
            }
            Err(e) => panic!("failed to start the wasmtier binary: {e}"),
        }
    }
    failures
}

fn plain(spec: Spec) -> Spec {
    spec
}

// ---------------------------------------------------------------------------------------
// 1, 2. fd_write / fd_pwrite gather amplification
// ---------------------------------------------------------------------------------------

#[test]
fn fd_write_gather_512_mib_from_one_page() {
    attack(
        Check {
            name: "fd_write_gather_1page",
            rss: RSS_BOUND,
            time: QUICK,
            expect: "the call's errno printed (a short write is fine), or a clean error",
            accept: &int_result_or_clean,
        },
        &["--invoke", "run", &guest("fd_write_gather_1page")],
        plain,
    );
}

#[test]
fn fd_write_gather_400_gib_to_stdout() {
    attack(
        Check {
            name: "fd_write_gather_2mib/to_stdout",
            rss: RSS_BOUND,
            time: QUICK,
            expect: "the call's errno printed (a short write is fine), or a clean error",
            accept: &int_result_or_clean,
        },
        &["--invoke", "to_stdout", &guest("fd_write_gather_2mib")],
        plain,
    );
}

#[test]
fn fd_pwrite_gather_400_gib_to_a_file() {
    let dir = Scratch::new("pwrite-file");
    let grant = format!("{}::/", dir.display());
    attack(
        Check {
            name: "fd_write_gather_2mib/pwrite_file",
            rss: RSS_BOUND,
            time: QUICK,
            expect: "the call's errno printed (a short write is fine), or a clean error",
            // 1000 + errno: path_open failed, the attack did not even start.
            accept: &|e| {
                int_result_or_clean(e)
                    && !is_result(e, |r| r.parse::<i32>().is_ok_and(|n| n >= 1000))
            },
        },
        &[
            "--dir",
            &grant,
            "--invoke",
            "pwrite_file",
            &guest("fd_write_gather_2mib"),
        ],
        plain,
    );
}

#[test]
fn fd_pwrite_gather_400_gib_to_stdout() {
    attack(
        Check {
            name: "fd_write_gather_2mib/pwrite_stdout",
            rss: RSS_BOUND,
            time: QUICK,
            expect: "an errno printed (ESPIPE or similar), or a clean error",
            accept: &int_result_or_clean,
        },
        &["--invoke", "pwrite_stdout", &guest("fd_write_gather_2mib")],
        plain,
    );
}

// ---------------------------------------------------------------------------------------
// 3. Huge tables
// ---------------------------------------------------------------------------------------

/// A clean refusal of the module's tables (resource error at instantiation or a trap) is
/// always acceptable for the table attacks.
fn refused(e: &Ending) -> bool {
    matches!(e, Ending::Error(_) | Ending::Trap(_))
}

#[test]
fn tables_50_of_10m_elements_instantiate() {
    attack(
        Check {
            name: "tables_50x10m/run",
            rss: RSS_BOUND,
            time: QUICK,
            expect: "result 0 (or a clean resource error)",
            accept: &|e| is_result(e, |r| r == "0") || refused(e),
        },
        &["--invoke", "run", &guest("tables_50x10m")],
        plain,
    );
    // With the store-wide budget raised, the module instantiates and runs: declared
    // elements cost no memory until written.
    attack(
        Check {
            name: "tables_50x10m/run/budget_raised",
            rss: RSS_BOUND,
            time: QUICK,
            expect: "result 0",
            accept: &|e| is_result(e, |r| r == "0"),
        },
        &[
            "--max-table-elements-total",
            "1000000000",
            "--invoke",
            "run",
            &guest("tables_50x10m"),
        ],
        plain,
    );
}

#[test]
fn tables_50_of_10m_elements_sparse_use() {
    attack(
        Check {
            name: "tables_50x10m/touch",
            rss: RSS_BOUND,
            time: QUICK,
            expect: "result 50 (or a clean resource error)",
            accept: &|e| is_result(e, |r| r == "50") || refused(e),
        },
        &["--invoke", "touch", &guest("tables_50x10m")],
        plain,
    );
}

#[test]
fn tables_50_of_10m_elements_filled() {
    // Filling really needs 4 GB: the store's limits must refuse (at instantiation or with a
    // trap) before the process grows past the bar.
    attack(
        Check {
            name: "tables_50x10m/fill",
            rss: RSS_BOUND,
            time: QUICK,
            expect: "a clean refusal (resource error or trap) within the RSS bound",
            accept: &|e| is_result(e, |r| r == "50") || refused(e),
        },
        &[
            "--max-table-elements",
            "10000000",
            "--invoke",
            "fill",
            &guest("tables_50x10m"),
        ],
        plain,
    );
}

#[test]
fn tables_1000_of_10m_elements() {
    // 80 GB of eagerly filled tables: an unfixed runtime is stopped by the safety cap.
    let dir = Scratch::new("tables1000");
    let module = write_module(&dir, "tables_1000x10m", |w| {
        writeln!(
            w,
            ";; 1000 tables of 10 000 000 funcref elements (80 GB if filled eagerly)."
        )?;
        writeln!(w, "(module")?;
        for _ in 0..1000 {
            writeln!(w, "  (table 10000000 funcref)")?;
        }
        writeln!(w, "  (func (export \"run\") (result i32) (i32.const 0)))")
    });
    attack(
        Check {
            name: "tables_1000x10m/run",
            rss: RSS_BOUND,
            time: GENERATED_BOUND,
            expect: "result 0 or a clean resource error",
            accept: &|e| is_result(e, |r| r == "0") || refused(e),
        },
        &["--invoke", "run", &module],
        plain,
    );
}

// ---------------------------------------------------------------------------------------
// 4, 5, 6. Blocking host calls and runaway guests under --timeout / --fuel
// ---------------------------------------------------------------------------------------

#[test]
fn poll_oneoff_for_an_hour_is_interrupted() {
    attack(
        Check {
            name: "poll_oneoff_hour",
            rss: RSS_BOUND,
            time: TIMEOUT_BOUND,
            expect: "an `interrupted` trap",
            accept: &|e| is_trap(e, "interrupted"),
        },
        &[
            "--timeout",
            "1",
            "--invoke",
            "run",
            &guest("poll_oneoff_hour"),
        ],
        plain,
    );
}

#[test]
fn fd_read_on_silent_stdin_is_interrupted() {
    attack(
        Check {
            name: "fd_read_stdin",
            rss: RSS_BOUND,
            time: TIMEOUT_BOUND,
            expect: "an `interrupted` trap",
            accept: &|e| is_trap(e, "interrupted"),
        },
        &["--timeout", "1", "--invoke", "run", &guest("fd_read_stdin")],
        |spec| spec.stdin(Stdin::SilentPipe),
    );
}

#[test]
fn infinite_loop_with_timeout() {
    let mut failures = Vec::new();
    for export in ["run", "spin_calls"] {
        failures.extend(try_attack(
            Check {
                name: &format!("infinite_loop/{export}/timeout"),
                rss: RSS_BOUND,
                time: TIMEOUT_BOUND,
                expect: "an `interrupted` trap",
                accept: &|e| is_trap(e, "interrupted"),
            },
            &[
                "--timeout",
                "1",
                "--invoke",
                export,
                &guest("infinite_loop"),
            ],
            plain,
        ));
    }
    assert_no_failures(failures);
}

#[test]
fn infinite_loop_with_fuel() {
    let mut failures = Vec::new();
    for export in ["run", "spin_calls"] {
        failures.extend(try_attack(
            Check {
                name: &format!("infinite_loop/{export}/fuel"),
                rss: RSS_BOUND,
                time: FUEL_BOUND,
                expect: "an `all fuel consumed` trap",
                accept: &|e| is_trap(e, "all fuel consumed"),
            },
            &[
                "--fuel",
                "1000000",
                "--invoke",
                export,
                &guest("infinite_loop"),
            ],
            plain,
        ));
    }
    assert_no_failures(failures);
}

#[test]
fn start_function_spin_with_timeout() {
    attack(
        Check {
            name: "start_function_spin/timeout",
            rss: RSS_BOUND,
            time: TIMEOUT_BOUND,
            expect: "an `interrupted` trap",
            accept: &|e| is_trap(e, "interrupted"),
        },
        &[
            "--timeout",
            "1",
            "--invoke",
            "run",
            &guest("start_function_spin"),
        ],
        plain,
    );
}

#[test]
fn start_function_spin_with_fuel() {
    attack(
        Check {
            name: "start_function_spin/fuel",
            rss: RSS_BOUND,
            time: FUEL_BOUND,
            expect: "an `all fuel consumed` trap",
            accept: &|e| is_trap(e, "all fuel consumed"),
        },
        &[
            "--fuel",
            "1000000",
            "--invoke",
            "run",
            &guest("start_function_spin"),
        ],
        plain,
    );
}

// ---------------------------------------------------------------------------------------
// 7. Deep recursion
// ---------------------------------------------------------------------------------------

#[test]
fn deep_recursion_exhausts_the_call_stack_cleanly() {
    let mut failures = Vec::new();
    for export in ["run", "mutual", "big_frames"] {
        failures.extend(try_attack(
            Check {
                name: &format!("recursion/{export}"),
                rss: RSS_BOUND,
                time: QUICK,
                expect: "a `call stack exhausted` trap",
                accept: &|e| is_trap(e, "call stack exhausted"),
            },
            &["--invoke", export, &guest("recursion")],
            plain,
        ));
    }
    assert_no_failures(failures);
}

// ---------------------------------------------------------------------------------------
// 8. Memory and table growth against the limits
// ---------------------------------------------------------------------------------------

#[test]
fn memory_grow_stops_at_the_page_limit() {
    attack(
        Check {
            name: "memory_grow/limit_256",
            rss: RSS_BOUND,
            time: QUICK,
            expect: "result 256 (grow returned -1 at the limit)",
            accept: &|e| is_result(e, |r| r == "256"),
        },
        &[
            "--max-memory-pages",
            "256",
            "--invoke",
            "run",
            &guest("memory_grow"),
        ],
        plain,
    );
}

#[test]
fn memory_minimum_over_the_page_limit_is_an_error() {
    attack(
        Check {
            name: "memory_huge_min/limit_16",
            rss: RSS_BOUND,
            time: QUICK,
            expect: "a clean error at instantiation",
            accept: &|e| matches!(e, Ending::Error(_)),
        },
        &[
            "--max-memory-pages",
            "16",
            "--invoke",
            "run",
            &guest("memory_huge_min"),
        ],
        plain,
    );
}

#[test]
fn memory_of_4_gib_touched_at_both_ends() {
    attack(
        Check {
            name: "memory_4gib_sparse",
            rss: RSS_BOUND,
            time: QUICK,
            expect: "result 2",
            accept: &|e| is_result(e, |r| r == "2"),
        },
        &["--invoke", "run", &guest("memory_4gib_sparse")],
        plain,
    );
}

#[test]
fn table_grow_stops_at_the_element_limit() {
    attack(
        Check {
            name: "table_grow/limit_1m",
            rss: RSS_BOUND,
            time: QUICK,
            expect: "result 1000000 (grow returned -1 at the limit)",
            accept: &|e| is_result(e, |r| r == "1000000"),
        },
        &[
            "--max-table-elements",
            "1000000",
            "--invoke",
            "run",
            &guest("table_grow"),
        ],
        plain,
    );
}

#[test]
fn grow_by_4_billion_fails_without_allocating() {
    let mut failures = Vec::new();
    for module in ["memory_grow", "table_grow"] {
        failures.extend(try_attack(
            Check {
                name: &format!("{module}/huge_delta"),
                rss: RSS_BOUND,
                time: QUICK,
                expect: "result -1",
                accept: &|e| is_result(e, |r| r == "-1"),
            },
            &["--invoke", "huge_delta", &guest(module)],
            plain,
        ));
    }
    assert_no_failures(failures);
}

#[test]
fn data_segment_past_the_end_of_memory() {
    attack(
        Check {
            name: "data_segment_end",
            rss: RSS_BOUND,
            time: QUICK,
            expect: "an out-of-bounds trap or error at instantiation",
            accept: &|e| matches!(e, Ending::Trap(m) | Ending::Error(m) if m.contains("out of bounds")),
        },
        &["--invoke", "run", &guest("data_segment_end")],
        plain,
    );
}

// ---------------------------------------------------------------------------------------
// 9. Huge argv and environment
// ---------------------------------------------------------------------------------------

/// Arguments and `--env` specs passed to the child: kept near 1 MB with their pointers,
/// well under Linux's limit for argv + environ (a quarter of the 8 MiB stack limit).
const HUGE_ARGC: usize = 100_000;
/// 40 000 `--env NAME=VALUE` pairs (1.2 MB with pointers).
const HUGE_ENVC: usize = 40_000;

fn efault_or_trap(e: &Ending) -> bool {
    matches!(e, Ending::GuestExit(c) if *c == EXIT_ERRNO_BASE + ERRNO_FAULT)
        || matches!(e, Ending::Trap(_))
}

#[test]
fn huge_argv_into_a_small_memory() {
    let program = guest("args_environ_small_memory");
    let mut args: Vec<String> = vec![program];
    args.extend((0..HUGE_ARGC).map(|i| format!("{:02}", i % 100)));
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    attack(
        Check {
            name: "args_environ_small_memory/argv",
            rss: RSS_BOUND,
            time: QUICK,
            expect: "EFAULT from args_get (guest exit 181) or a clean trap",
            accept: &efault_or_trap,
        },
        &args,
        plain,
    );
}

#[test]
fn huge_environ_into_a_small_memory() {
    let specs: Vec<String> = (0..HUGE_ENVC).map(|i| format!("V{i:05}=x")).collect();
    let mut args: Vec<&str> = Vec::new();
    for spec in &specs {
        args.extend(["--env", spec.as_str()]);
    }
    let program = guest("args_environ_small_memory");
    args.push(&program);
    attack(
        Check {
            name: "args_environ_small_memory/environ",
            rss: RSS_BOUND,
            time: QUICK,
            expect: "EFAULT from environ_get (guest exit 181) or a clean trap",
            accept: &efault_or_trap,
        },
        &args,
        plain,
    );
}

// ---------------------------------------------------------------------------------------
// 10. fd_readdir on a 10 000-entry directory
// ---------------------------------------------------------------------------------------

const DIR_ENTRIES: usize = 10_000;

fn big_dir(test: &str) -> Scratch {
    let dir = Scratch::new(test);
    for i in 0..DIR_ENTRIES {
        std::fs::File::create(dir.join(format!("f{i:05}"))).unwrap();
    }
    dir
}

#[test]
fn readdir_with_0_and_1_byte_buffers() {
    let dir = big_dir("readdir-tiny");
    attack(
        Check {
            name: "readdir_tiny_buffers/tiny",
            rss: RSS_BOUND,
            time: READDIR_TINY_BOUND,
            expect: "result 0 (every call clean, nothing written past the buffer)",
            accept: &|e| is_result(e, |r| r == "0"),
        },
        &[
            "--dir",
            ".::/",
            "--invoke",
            "tiny",
            &guest("readdir_tiny_buffers"),
        ],
        |spec| spec.cwd(&dir),
    );
}

#[test]
fn readdir_one_entry_per_call() {
    let dir = big_dir("readdir-one");
    let expected = (DIR_ENTRIES + 2).to_string(); // with `.` and `..`
    attack(
        Check {
            name: "readdir_tiny_buffers/one_per_call",
            rss: RSS_BOUND,
            time: READDIR_ONE_PER_CALL_BOUND,
            expect: "result 10002 (every entry seen once)",
            accept: &|e| is_result(e, |r| r == expected),
        },
        &[
            "--dir",
            ".::/",
            "--invoke",
            "one_per_call",
            &guest("readdir_tiny_buffers"),
        ],
        |spec| spec.cwd(&dir),
    );
}

// ---------------------------------------------------------------------------------------
// 11. Absurd paths
// ---------------------------------------------------------------------------------------

#[test]
fn huge_paths_get_a_clean_errno() {
    let dir = Scratch::new("paths");
    // Results of 1000 + errno mean the guest's own setup failed.
    let errno = |r: &str| r.parse::<i32>().is_ok_and(|n| (1..1000).contains(&n));
    let errno_or_0 = |r: &str| r.parse::<i32>().is_ok_and(|n| (0..1000).contains(&n));
    let cases: [(&str, &str, &Accept<'_>); 5] = [
        ("long_path", "ENAMETOOLONG (37)", &|e| is_result(e, errno)),
        ("many_components", "ENAMETOOLONG (37)", &|e| {
            is_result(e, errno)
        }),
        ("dot_components", "ENAMETOOLONG (37)", &|e| {
            is_result(e, errno)
        }),
        // Within PATH_MAX: creating `x` works.
        ("dotdot_walk", "0 (created)", &|e| is_result(e, errno_or_0)),
        ("symlink_bomb", "ELOOP (32)", &|e| is_result(e, errno)),
    ];
    let mut failures = Vec::new();
    for (export, natural, accept) in cases {
        failures.extend(try_attack(
            Check {
                name: &format!("path_huge/{export}"),
                rss: RSS_BOUND,
                time: QUICK,
                expect: &format!("a clean errno printed, e.g. {natural}"),
                accept,
            },
            &["--dir", ".::/", "--invoke", export, &guest("path_huge")],
            |spec| spec.cwd(&dir),
        ));
    }
    assert_no_failures(failures);
}

#[test]
fn wasi_calls_with_pointers_outside_memory() {
    let dir = Scratch::new("bad-pointers");
    attack(
        Check {
            name: "wasi_bad_pointers/run",
            rss: RSS_BOUND,
            time: QUICK,
            expect: "result 0 (every call returned an errno) or a clean trap",
            accept: &|e| is_result(e, |r| r == "0") || matches!(e, Ending::Trap(_)),
        },
        &[
            "--dir",
            ".::/",
            "--env",
            "A=b",
            "--invoke",
            "run",
            &guest("wasi_bad_pointers"),
        ],
        |spec| spec.cwd(&dir),
    );
}

#[test]
fn writes_to_a_closed_stdout() {
    attack(
        Check {
            name: "stdout_closed/run",
            rss: RSS_BOUND,
            time: QUICK,
            // EPIPE (64) is the natural answer; another errno is clean too.
            expect: "an errno from fd_write (guest exit 224 for EPIPE) or a clean error",
            accept: &|e| match e {
                Ending::GuestExit(code) => *code > EXIT_ERRNO_BASE,
                Ending::Error(_) => true,
                _ => false,
            },
        },
        &["--invoke", "run", &guest("stdout_closed")],
        |spec| spec.stdout(Stdout::Closed),
    );
}

// ---------------------------------------------------------------------------------------
// 12. Many preopens
// ---------------------------------------------------------------------------------------

fn many_preopens(count: usize) {
    let dir = Scratch::new(&format!("preopens-{count}"));
    std::fs::write(dir.join("probe.txt"), "probe\n").unwrap();
    let grant = format!("{}::/", dir.display());
    let program = guest("many_preopens");
    let mut args: Vec<&str> = Vec::new();
    for _ in 0..count {
        args.extend(["--dir", grant.as_str()]);
    }
    args.extend(["--invoke", "run", &program]);
    let expected = count.to_string();
    attack(
        Check {
            name: &format!("many_preopens/{count}"),
            rss: RSS_BOUND,
            time: QUICK,
            expect: "the preopen count printed, a clean errno, or a clean error",
            accept: &|e| {
                is_result(e, |r| {
                    r == expected || r.parse::<i32>().is_ok_and(|n| n <= -1000)
                }) || matches!(e, Ending::Error(_))
            },
        },
        &args,
        plain,
    );
}

#[test]
fn preopens_500_times_the_same_dir() {
    many_preopens(500);
}

#[test]
fn preopens_5000_times_the_same_dir() {
    many_preopens(5000);
}

// ---------------------------------------------------------------------------------------
// 13. Unknown --invoke on a module with 100 000 exports
// ---------------------------------------------------------------------------------------

#[test]
fn unknown_invoke_with_100k_exports_keeps_stderr_short() {
    let dir = Scratch::new("exports");
    let module = write_module(&dir, "exports_100k", |w| {
        writeln!(
            w,
            ";; 100 000 exports of one function; `--invoke` names none of them."
        )?;
        writeln!(w, "(module\n  (func $f (result i32) (i32.const 0))")?;
        for i in 0..100_000 {
            writeln!(w, "  (export \"exported_function_{i}\" (func $f))")?;
        }
        writeln!(w, ")")
    });
    let mut failures = Vec::new();
    for tier in tiers() {
        let flag = format!("--tier={tier}");
        let spec = Spec::new(
            ["run", flag.as_str(), "--invoke", "no_such_export", &module],
            GENERATED_BOUND,
        );
        let out = run(&spec).expect("failed to start the wasmtier binary");
        let check = Check {
            name: "exports_100k/unknown_invoke",
            rss: RSS_BOUND,
            time: GENERATED_BOUND,
            expect: "an `unknown export` error",
            accept: &|e| matches!(e, Ending::Error(m) if m.contains("no_such_export")),
        };
        failures.extend(judge(&check, tier, &out));
        if out.stderr.len > MAX_UNKNOWN_EXPORT_STDERR as u64 {
            failures.push(format!(
                "exports_100k/unknown_invoke [{tier}]: stderr is {} bytes, over {} \
                 (it should list a few exports and say how many more)",
                out.stderr.len, MAX_UNKNOWN_EXPORT_STDERR
            ));
        }
    }
    assert_no_failures(failures);
}

// ---------------------------------------------------------------------------------------
// 14. Large generated modules
// ---------------------------------------------------------------------------------------

#[test]
fn imports_100k_of_the_same_host_function() {
    let dir = Scratch::new("imports");
    let module = write_module(&dir, "imports_100k", |w| {
        writeln!(
            w,
            ";; 100 000 imports of sched_yield; `run` calls the last.\n(module"
        )?;
        for _ in 0..100_000 {
            let import = "(import \"wasi_snapshot_preview1\" \"sched_yield\" (func (result i32)))";
            writeln!(w, "  {import}")?;
        }
        writeln!(w, "  (memory (export \"memory\") 1)")?;
        writeln!(w, "  (func (export \"run\") (result i32) (call 99999)))")
    });
    attack(
        Check {
            name: "imports_100k/run",
            rss: RSS_BOUND,
            time: GENERATED_BOUND,
            expect: "result 0",
            accept: &|e| is_result(e, |r| r == "0"),
        },
        &["--invoke", "run", &module],
        plain,
    );
}

#[test]
fn br_table_with_1m_targets() {
    let dir = Scratch::new("br-table");
    let module = write_module(&dir, "br_table_1m", |w| {
        writeln!(
            w,
            ";; One br_table with 1 000 000 targets (all the same block)."
        )?;
        writeln!(w, "(module (func (export \"run\") (param i32) (result i32)")?;
        write!(w, "  block\n  local.get 0\n  br_table")?;
        for _ in 0..=1_000_000 {
            write!(w, " 0")?;
        }
        writeln!(w, "\n  end\n  i32.const 7))")
    });
    attack(
        Check {
            name: "br_table_1m/run",
            rss: RSS_BOUND,
            time: GENERATED_BOUND,
            expect: "result 7",
            accept: &|e| is_result(e, |r| r == "7"),
        },
        &["--invoke", "run", &module, "999999"],
        plain,
    );
}

#[test]
fn module_with_20k_functions() {
    const FUNCS: usize = 20_000;
    let dir = Scratch::new("functions");
    let module = write_module(&dir, "functions_20k", |w| {
        writeln!(
            w,
            ";; {FUNCS} small functions; `run` calls the last.\n(module"
        )?;
        for i in 0..FUNCS {
            writeln!(w, "  (func (result i32) (i32.const {i}))")?;
        }
        writeln!(
            w,
            "  (func (export \"run\") (result i32) (call {})))",
            FUNCS - 1
        )
    });
    let expected = (FUNCS - 1).to_string();
    attack(
        Check {
            name: "functions_20k/run",
            rss: RSS_BOUND,
            time: MANY_FUNCTIONS_BOUND,
            expect: "result 19999",
            accept: &|e| is_result(e, |r| r == expected),
        },
        &["--invoke", "run", &module],
        plain,
    );
}

#[test]
fn blocks_nested_200k_deep() {
    const DEPTH: usize = 100_000;
    let dir = Scratch::new("nesting");
    let module = write_module(&dir, "nested_200k", |w| {
        writeln!(
            w,
            ";; {DEPTH} nested loops inside {DEPTH} nested blocks (flat syntax, so"
        )?;
        writeln!(
            w,
            ";; the text parser does not recurse): compilers must not recurse either."
        )?;
        writeln!(w, "(module (func (export \"run\") (result i32)")?;
        for _ in 0..DEPTH {
            writeln!(w, "block")?;
        }
        for _ in 0..DEPTH {
            writeln!(w, "loop")?;
        }
        for _ in 0..2 * DEPTH {
            writeln!(w, "end")?;
        }
        writeln!(w, "i32.const 5))")
    });
    attack(
        Check {
            name: "nested_blocks_200k/run",
            rss: RSS_BOUND,
            time: GENERATED_BOUND,
            expect: "result 5",
            accept: &|e| is_result(e, |r| r == "5"),
        },
        &["--invoke", "run", &module],
        plain,
    );
}
