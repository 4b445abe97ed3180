//! WASI preview1: real C programs (tests/wasi/src, built by tests/wasi/build.sh into
//! tests/wasi/bin) run in every tier this build has, with their output checked; sandbox
//! escape attempts; guest-pointer / unsupported-call behaviour on small wat modules; and
//! hardening against hostile guests (host memory per call, flag checks, interruptible waits).

use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use wasmtier::wasi::{ReadPipe, WasiCtx, WasiCtxBuilder, add_to_linker};
use wasmtier::{Config, Engine, Error, Linker, Module, Store, Tier, Trap, TrapCode};

/// The configurations every program runs in: each tier, and `auto` twice: as users get it
/// (background compilation at the default threshold) and with promotion forced early
/// (synchronous, threshold 2), so that programs really run with mixed frames.
const TIERS: [(&str, Tier, Option<u64>); 4] = [
    ("interp", Tier::Interp, None),
    ("jit", Tier::Jit, None),
    ("auto", Tier::Auto, None),
    ("auto-early", Tier::Auto, Some(2)),
];

/// Engines for every tier that `Engine::new` accepts; the others are skipped with a note, so
/// these tests cover new tiers as soon as they exist.
fn engines(fuel: bool) -> Vec<(&'static str, Engine)> {
    let mut out = Vec::new();
    for (label, tier, early) in TIERS {
        let mut config = Config::new();
        config.tier(tier);
        if let Some(threshold) = early {
            config
                .tier_threshold(threshold)
                .synchronous_compilation(true);
        }
        if fuel {
            config.consume_fuel(true);
        }
        match Engine::new(&config) {
            Ok(engine) => out.push((label, engine)),
            Err(Error::Unsupported(why)) => eprintln!("note: skipping tier {tier}: {why}"),
            Err(e) => panic!("Engine::new({tier}): {e}"),
        }
    }
    assert!(!out.is_empty(), "no tier available");
    out
}

fn program(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join(format!("tests/wasi/bin/{name}.wasm"))
}

/// A fresh, empty scratch directory unique to this test and tier.
fn scratch(test: &str, tier: &str) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR"))
        .join(format!("wasi-{}-{test}-{tier}", std::process::id()));
    let _ = fs::remove_dir_all(&dir);
    fs::create_dir_all(&dir).unwrap();
    dir
}

#[derive(Debug, PartialEq)]
struct Outcome {
    stdout: String,
    stderr: String,
    /// 0 for a normal return from `_start`, else the proc_exit status.
    status: i32,
}

/// Runs `_start` of `name` with `argv = [name, args...]`; `setup` adds preopens, env, stdin.
fn run_in(
    engine: &Engine,
    name: &str,
    args: &[&str],
    setup: impl FnOnce(&mut WasiCtxBuilder),
    fuel: Option<u64>,
) -> Result<Outcome, Trap> {
    let module = Module::from_file(engine, program(name)).expect("compile");
    let mut builder = WasiCtxBuilder::new();
    builder.arg(name).args(args.iter().copied());
    let stdout = builder.capture_stdout();
    let stderr = builder.capture_stderr();
    setup(&mut builder);
    let mut store = Store::new(engine, builder.build());
    if let Some(fuel) = fuel {
        store.set_fuel(fuel).unwrap();
    }
    let mut linker = Linker::new(engine);
    add_to_linker(&mut linker, |cx: &mut WasiCtx| cx).unwrap();
    let instance = linker
        .instantiate(&mut store, &module)
        .expect("instantiate");
    let start = instance
        .get_typed_func::<(), ()>(&store, "_start")
        .expect("_start");
    let status = match start.call(&mut store, ()) {
        Ok(()) => 0,
        Err(Error::Trap(t)) => match t.exit_status() {
            Some(s) => s,
            None => return Err(t),
        },
        Err(e) => panic!("{name}: {e}"),
    };
    Ok(Outcome {
        stdout: stdout.contents_string(),
        stderr: stderr.contents_string(),
        status,
    })
}

/// Runs the program in every tier; `setup` gets a fresh scratch directory per tier.
fn run_all(
    test: &str,
    name: &str,
    args: &[&str],
    setup: impl Fn(&Path, &mut WasiCtxBuilder),
) -> Vec<(&'static str, Outcome, PathBuf)> {
    engines(false)
        .into_iter()
        .map(|(tier, engine)| {
            let dir = scratch(test, tier);
            let out = run_in(&engine, name, args, |b| setup(&dir, b), None)
                .unwrap_or_else(|t| panic!("{name} trapped in tier {tier}: {t}"));
            (tier, out, dir)
        })
        .collect()
}

#[track_caller]
fn assert_output(results: &[(&'static str, Outcome, PathBuf)], stdout: &str, status: i32) {
    for (tier, out, _) in results {
        assert_eq!(out.stdout, stdout, "stdout in tier {tier}");
        assert_eq!(
            out.status, status,
            "exit status in tier {tier}; stderr: {}",
            out.stderr
        );
    }
}

fn preopen(b: &mut WasiCtxBuilder, host: &Path, guest: &str) {
    b.preopened_dir(host, guest).unwrap();
}

#[test]
fn hello() {
    let results = run_all("hello", "hello", &[], |_, _| {});
    assert_output(&results, "Hello, world!\n", 0);
}

#[test]
fn args_and_env() {
    let results = run_all("args", "args_env", &["one", "two words", "-x"], |_, b| {
        b.env("GREETING", "hi there").env("EMPTY", "");
    });
    assert_output(
        &results,
        "argc=4\nargv[1]=one\nargv[2]=two words\nargv[3]=-x\n\
         env GREETING=hi there\nenv EMPTY=\nGREETING=hi there\n",
        0,
    );
}

#[test]
fn environment_is_not_inherited_by_default() {
    // The test process certainly has PATH; the guest must not see it.
    assert!(std::env::var_os("PATH").is_some());
    let results = run_all("noenv", "args_env", &[], |_, _| {});
    assert_output(&results, "argc=1\nGREETING=(unset)\n", 0);
}

#[test]
fn stdin_from_bytes() {
    let results = run_all("stdin", "cat", &[], |_, b| {
        b.stdin(ReadPipe::from_bytes("line one\nline two\n"));
    });
    assert_output(&results, "line one\nline two\n", 0);
}

#[test]
fn file_copy_through_preopen() {
    let input: String = (0..3000)
        .map(|i| char::from(b'a' + (i % 26) as u8))
        .collect();
    let results = run_all(
        "copy",
        "copy",
        &["/data/in.txt", "/data/out.txt"],
        |dir, b| {
            fs::write(dir.join("in.txt"), &input).unwrap();
            preopen(b, dir, "/data");
        },
    );
    assert_output(
        &results,
        "copied 3000 bytes, size 3000\nfirst bytes: abcde\nlseek end: 3000\n",
        0,
    );
    for (_, _, dir) in &results {
        assert_eq!(fs::read_to_string(dir.join("out.txt")).unwrap(), input);
    }
}

#[test]
fn directory_listing() {
    let results = run_all("listdir", "listdir", &["/d"], |dir, b| {
        fs::write(dir.join("b.txt"), "12345").unwrap();
        fs::write(dir.join("a.txt"), "").unwrap();
        fs::create_dir(dir.join("sub")).unwrap();
        std::os::unix::fs::symlink("a.txt", dir.join("link")).unwrap();
        preopen(b, dir, "/d");
    });
    assert_output(
        &results,
        "file a.txt 0\nfile b.txt 5\nlink link\ndir sub\n4 entries\n",
        0,
    );
}

#[test]
fn file_system_operations() {
    let results = run_all("fsops", "fsops", &["work"], |dir, b| {
        preopen(b, dir, "work")
    });
    let expected = "\
mkdir d: ok
mkdir d again fails: ok
create d/a.txt: ok
write hello: ok
fsync: ok
fdatasync: ok
rename a.txt -> b.txt: ok
a.txt gone: ok
size b.txt: 5
symlink link -> b.txt: ok
readlink: b.txt
lstat sees a link: ok
stat follows the link: ok
read through link: ok
hard link: ok
nlink is 2: ok
truncate to 2: ok
size after truncate: 2
pwrite at 10: ok
size after pwrite: 12
lseek/tell: ok
fallocate: ok
size after fallocate: 100
fadvise: ok
set O_APPEND: ok
O_APPEND reported: ok
append write: ok
size after append: 103
fd_renumber: ok
old number closed: ok
new number works: ok
utimes: ok
mtime set: ok
futimens: ok
mtime set by futimens: ok
rmdir non-empty fails: ok
unlink link: ok
unlink hard: ok
unlink b.txt: ok
unlink dir fails: ok
rmdir d: ok
d gone: ok
";
    assert_output(&results, expected, 0);
    for (_, _, dir) in &results {
        assert_eq!(
            fs::read_dir(dir).unwrap().count(),
            0,
            "fsops cleans up after itself"
        );
    }
}

#[test]
fn clocks_sleep_and_random() {
    let results = run_all("clock", "clock_random", &[], |_, _| {});
    assert_output(
        &results,
        "slept at least 20ms: yes\nslept less than 5s: yes\nresolution positive: yes\n\
         after 2020: yes\ntime() agrees: yes\nrandom buffers differ: yes\narc4random mixes: yes\n",
        0,
    );
}

#[test]
fn exit_codes() {
    assert_output(
        &run_all("exit7", "exit_code", &["7"], |_, _| {}),
        "exiting with 7\n",
        7,
    );
    assert_output(
        &run_all("exit0", "exit_code", &["0"], |_, _| {}),
        "exiting with 0\n",
        0,
    );
    assert_output(
        &run_all("exit42", "exit_code", &[], |_, _| {}),
        "exiting with 42\n",
        42,
    );
}

#[test]
fn trap_has_named_backtrace() {
    for (tier, engine) in engines(false) {
        let trap = run_in(&engine, "trap", &[], |_| {}, None).expect_err("trap.wasm must trap");
        assert_eq!(trap.to_string(), "unreachable", "tier {tier}");
        let names: Vec<String> = trap
            .backtrace()
            .iter()
            .map(|f| f.func_name.clone().unwrap_or_default())
            .collect();
        assert!(
            names.starts_with(&["crash_here".into(), "middle".into(), "main".into()]),
            "tier {tier}: {names:?}"
        );
        assert_eq!(
            names.last().map(String::as_str),
            Some("_start.command_export")
        );
    }
}

#[test]
fn fuel_stops_a_runaway_guest() {
    for (tier, engine) in engines(true) {
        let trap = run_in(&engine, "spin", &[], |_| {}, Some(1_000_000))
            .expect_err("spin.wasm must run out of fuel");
        assert_eq!(trap.to_string(), "all fuel consumed", "tier {tier}");
    }
}

/// Runs `bin` (a build of `tests/wasi/src/zlib_demo.c`) in every tier: its output, and the
/// gzip file it writes on the host.
fn check_zlib(label: &str, bin: &str) {
    let results = run_all(label, bin, &["/out"], |dir, b| preopen(b, dir, "/out"));
    assert_output(
        &results,
        "zlib 1.3.2\ncrc32 3fbdcb2d\nadler32 ce03f208\ncompressed 200000 -> 38293 bytes\n\
         round trip ok\ngzip file round trip ok (200000 bytes)\n",
        0,
    );
    for (_, _, dir) in &results {
        let gz = fs::read(dir.join("data.gz")).unwrap();
        assert_eq!(&gz[..2], &[0x1f, 0x8b], "a real gzip file on the host");
    }
}

#[test]
fn zlib_library() {
    check_zlib("zlib", "zlib_demo");
}

/// zlib built with `-O3 -msimd128` (auto-vectorised loops): the same output as the plain
/// build, in every tier.
#[test]
fn zlib_library_simd() {
    check_zlib("zlib_simd", "zlib_demo_simd");
}

const LUA_DEMO_OUTPUT: &str = "fib(20) = 6765\nsorted: 3,6,22,25,41,44,63,66,82,85\n\
    9 words, last DOG\n 3.14|lua   |ff|\"a\\\nb\"\nwasmTier-wasmTier\t2\n\
    3\t3.5\t1024.0\t9223372036854775807\t1e+301\ns=4 i=4 p=2\n\
    gc ok, utf8 len 5\nargs: x y\nLua 5.4.9\n";

#[test]
fn lua_library() {
    let results = run_all("lua", "lua_demo", &["x", "y"], |_, _| {});
    assert_output(&results, LUA_DEMO_OUTPUT, 0);
}

/// Lua built with `-mtail-call`: the same program, with `return_call` in its hot paths.
#[test]
fn lua_library_with_tail_calls() {
    let results = run_all("lua_tail", "lua_demo_tail_call", &["x", "y"], |_, _| {});
    assert_output(&results, LUA_DEMO_OUTPUT, 0);
}

/// Lua built with `-O3 -msimd128`: the same program, with vector instructions in it.
#[test]
fn lua_library_simd() {
    let results = run_all("lua_simd", "lua_demo_simd", &["x", "y"], |_, _| {});
    assert_output(&results, LUA_DEMO_OUTPUT, 0);
}

#[test]
fn sqlite_library() {
    let results = run_all("sqlite", "sqlite_demo", &["/db"], |dir, b| {
        preopen(b, dir, "/db")
    });
    assert_output(
        &results,
        "sqlite 3.54.1
\
         dept=eng n=2 avg_salary=109.88
dept=ops n=2 avg_salary=90.5
fib49=7778742049
\
         json=deep
fmt=0003.142|SQL len=1000
\
         rows=2000 total=2001000 last=row2000
integrity_check=ok
",
        0,
    );
    for (_, _, dir) in &results {
        let db = fs::read(dir.join("test.db")).unwrap();
        assert!(
            db.starts_with(b"SQLite format 3\0"),
            "a real database file on the host"
        );
    }
}

// ---- sandbox -------------------------------------------------------------------------------

/// Host layout: ROOT/outside.txt (must stay unreachable) and ROOT/sandbox (the preopen) with
/// symlinks that point outside in various ways.
fn escape_fixture(root: &Path) -> PathBuf {
    let sandbox = root.join("sandbox");
    fs::create_dir_all(sandbox.join("sub")).unwrap();
    fs::write(root.join("outside.txt"), "secret").unwrap();
    fs::write(sandbox.join("inside.txt"), "inside").unwrap();
    let link = |target: &str, name: &str| {
        std::os::unix::fs::symlink(target, sandbox.join(name)).unwrap();
    };
    link(root.to_str().unwrap(), "link_abs");
    link("..", "link_up");
    link("sub/../../outside.txt", "link_deep");
    link("sub/../inside.txt", "link_in");
    link("loop2", "loop1");
    link("loop1", "loop2");
    link("../created_outside.txt", "dangling");
    sandbox
}

#[test]
fn sandbox_escapes_are_refused() {
    let results = run_all("escape", "escape", &[], |root, b| {
        let sandbox = escape_fixture(root);
        preopen(b, &sandbox, "/sandbox");
    });
    // 0 = allowed (staying inside), 76 = ENOTCAPABLE, 32 = ELOOP.
    let expected = "\
open inside.txt: errno 0
open ../outside.txt: errno 76
open sub/../../outside.txt: errno 76
open sub/../inside.txt: errno 0
open /etc/passwd: errno 76
open link_abs (-> absolute): errno 76
open link_abs/x: errno 76
open link_up/outside.txt: errno 76
open link_deep (-> sub/../../outside.txt): errno 76
open link_in (-> sub/../inside.txt): errno 0
open loop1 (loop): errno 32
open link_abs nofollow: errno 32
create through dangling link: errno 76
create ../created.txt: errno 76
symlink to /etc/passwd: errno 76
symlink to ../outside.txt: errno 0
open rel (follow): errno 76
rename to ../stolen.txt: errno 76
rename from ../outside.txt: errno 76
link to ../hard.txt: errno 76
link from link_up/outside.txt: errno 76
mkdir ../newdir: errno 76
unlink ../outside.txt: errno 76
rmdir ..: errno 76
stat ..: errno 76
stat link_up/ (follow): errno 76
stat link_up (nofollow): errno 0
set times ../outside.txt: errno 76
";
    assert_output(&results, expected, 0);
    for (tier, _, root) in &results {
        // Nothing outside the preopen was created, moved or changed.
        let mut names: Vec<String> = fs::read_dir(root)
            .unwrap()
            .map(|e| e.unwrap().file_name().into_string().unwrap())
            .collect();
        names.sort();
        assert_eq!(names, ["outside.txt", "sandbox"], "tier {tier}");
        assert_eq!(
            fs::read_to_string(root.join("outside.txt")).unwrap(),
            "secret"
        );
        assert_eq!(
            fs::read_to_string(root.join("sandbox/inside.txt")).unwrap(),
            "inside"
        );
    }
}

// ---- guest pointers and unsupported calls (wat) ------------------------------------------

/// Instantiates a wat module importing WASI and returns the i32 result of its `run` export.
fn run_wat(engine: &Engine, wat: &str) -> (i32, String) {
    let module = Module::new(engine, wat).unwrap();
    let mut builder = WasiCtxBuilder::new();
    let stdout = builder.capture_stdout();
    let mut store = Store::new(engine, builder.build());
    let mut linker = Linker::new(engine);
    add_to_linker(&mut linker, |cx: &mut WasiCtx| cx).unwrap();
    let instance = linker.instantiate(&mut store, &module).unwrap();
    let run = instance.get_typed_func::<(), i32>(&store, "run").unwrap();
    let result = run.call(&mut store, ()).unwrap();
    (result, stdout.contents_string())
}

#[test]
fn bad_guest_pointers_return_efault() {
    const EFAULT: i32 = 21;
    let cases = [
        // iovec array past the end of memory
        "(call $fd_write (i32.const 1) (i32.const 65532) (i32.const 2) (i32.const 0))",
        // iovec in bounds, its buffer not
        "(i32.store (i32.const 0) (i32.const 65530)) (i32.store (i32.const 4) (i32.const 100))
         (call $fd_write (i32.const 1) (i32.const 0) (i32.const 1) (i32.const 16))",
        // result pointer out of bounds
        "(call $clock_time_get (i32.const 0) (i64.const 0) (i32.const 65535))",
        // huge random_get
        "(call $random_get (i32.const 16) (i32.const -1))",
        // count whose byte size overflows 32 bits
        "(call $fd_write (i32.const 1) (i32.const 0) (i32.const 0x20000000) (i32.const 16))",
        // path pointer out of bounds
        "(call $path_open (i32.const 3) (i32.const 0) (i32.const 65000) (i32.const 1000)
           (i32.const 0) (i64.const 0) (i64.const 0) (i32.const 0) (i32.const 0))",
    ];
    for (tier, engine) in engines(false) {
        for body in cases {
            let wat = format!(
                r#"(module
                  (import "wasi_snapshot_preview1" "fd_write" (func $fd_write (param i32 i32 i32 i32) (result i32)))
                  (import "wasi_snapshot_preview1" "clock_time_get" (func $clock_time_get (param i32 i64 i32) (result i32)))
                  (import "wasi_snapshot_preview1" "random_get" (func $random_get (param i32 i32) (result i32)))
                  (import "wasi_snapshot_preview1" "path_open" (func $path_open (param i32 i32 i32 i32 i32 i64 i64 i32 i32) (result i32)))
                  (memory (export "memory") 1)
                  (func (export "run") (result i32) {body}))"#
            );
            let (errno, out) = run_wat(&engine, &wat);
            // path_open on fd 3 (not open here) may fail with EBADF before reading the path.
            let expected = if body.contains("path_open") {
                [EFAULT, 8]
            } else {
                [EFAULT, EFAULT]
            };
            assert!(
                expected.contains(&errno),
                "tier {tier}: {body}: errno {errno}"
            );
            assert_eq!(out, "", "nothing was written");
        }
    }
}

#[test]
fn unsupported_calls_return_enosys_and_missing_memory_efault() {
    for (tier, engine) in engines(false) {
        let wat = r#"(module
          (import "wasi_snapshot_preview1" "proc_raise" (func $f (param i32) (result i32)))
          (memory (export "memory") 1)
          (func (export "run") (result i32) (call $f (i32.const 0))))"#;
        assert_eq!(run_wat(&engine, wat).0, 52, "tier {tier}: ENOSYS");
        // Socket calls exist; on stdin (not a socket) they are ENOTSOCK.
        let wat = r#"(module
          (import "wasi_snapshot_preview1" "sock_accept" (func $f (param i32 i32 i32) (result i32)))
          (memory (export "memory") 1)
          (func (export "run") (result i32) (call $f (i32.const 0) (i32.const 0) (i32.const 0))))"#;
        assert_eq!(run_wat(&engine, wat).0, 57, "tier {tier}: ENOTSOCK");
        let wat = r#"(module
          (import "wasi_snapshot_preview1" "clock_time_get" (func $f (param i32 i64 i32) (result i32)))
          (func (export "run") (result i32) (call $f (i32.const 0) (i64.const 0) (i32.const 0))))"#;
        assert_eq!(run_wat(&engine, wat).0, 21, "tier {tier}: no memory export");
    }
}

#[test]
fn writes_are_checked_and_delivered() {
    // A well-formed fd_write through the wat path, to pin the ciovec layout.
    for (tier, engine) in engines(false) {
        let wat = r#"(module
          (import "wasi_snapshot_preview1" "fd_write" (func $w (param i32 i32 i32 i32) (result i32)))
          (memory (export "memory") 1)
          (data (i32.const 100) "hi\n")
          (func (export "run") (result i32)
            (i32.store (i32.const 0) (i32.const 100))
            (i32.store (i32.const 4) (i32.const 3))
            (drop (call $w (i32.const 1) (i32.const 0) (i32.const 1) (i32.const 8)))
            (i32.load (i32.const 8))))"#;
        assert_eq!(
            run_wat(&engine, wat),
            (3, "hi\n".to_string()),
            "tier {tier}"
        );
    }
}

// ---- hardening: bounded memory, checked flags, interruptible waits ----------------------

/// Bytes the current thread has allocated and not yet freed, and the most it had at once since
/// `peak_reset`: how the tests below see what a WASI call allocated on the host. Counted per
/// thread, so tests running in parallel do not disturb each other (wasm code and its host
/// calls run on the calling thread in every tier).
mod alloc_count {
    use std::alloc::{GlobalAlloc, Layout, System};
    use std::cell::Cell;

    pub struct Counting;

    thread_local! {
        static LIVE: Cell<isize> = const { Cell::new(0) };
        static PEAK: Cell<isize> = const { Cell::new(0) };
    }

    fn note(delta: isize) {
        // `try_with`: nothing is counted while the thread's locals are being torn down.
        let _ = LIVE.try_with(|live| {
            let now = live.get() + delta;
            live.set(now);
            let _ = PEAK.try_with(|peak| peak.set(peak.get().max(now)));
        });
    }

    // SAFETY: every method forwards to `System` with the caller's arguments unchanged, so
    // `System`'s guarantees are ours; the counting touches only `const`-initialised
    // thread-locals without destructors, which never allocate.
    unsafe impl GlobalAlloc for Counting {
        unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
            // SAFETY: forwarded as is; the caller upholds `alloc`'s contract.
            let p = unsafe { System.alloc(layout) };
            if !p.is_null() {
                note(layout.size() as isize);
            }
            p
        }

        unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
            // SAFETY: forwarded as is; the caller upholds `alloc_zeroed`'s contract.
            let p = unsafe { System.alloc_zeroed(layout) };
            if !p.is_null() {
                note(layout.size() as isize);
            }
            p
        }

        unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
            // SAFETY: forwarded as is; `ptr` came from this allocator, i.e. from `System`.
            unsafe { System.dealloc(ptr, layout) };
            note(-(layout.size() as isize));
        }

        unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
            // SAFETY: forwarded as is; `ptr` came from `System` with `layout`.
            let p = unsafe { System.realloc(ptr, layout, new_size) };
            if !p.is_null() {
                note(new_size as isize - layout.size() as isize);
            }
            p
        }
    }

    /// Runs `f` and returns its result with the most bytes this thread held at once during
    /// it, beyond what it held before.
    pub fn peak_during<R>(f: impl FnOnce() -> R) -> (R, usize) {
        let start = LIVE.with(Cell::get);
        PEAK.with(|p| p.set(start));
        let r = f();
        let peak = PEAK.with(Cell::get);
        (r, (peak - start).max(0) as usize)
    }
}

#[global_allocator]
static ALLOCATOR: alloc_count::Counting = alloc_count::Counting;

/// The most a WASI call may move in one read or write (`MAX_IO` in src/wasi/fd.rs).
const MAX_IO: i32 = 16 << 20;
/// What one call may allocate on the host: MAX_IO plus a fixed allowance.
const CALL_BOUND: usize = (MAX_IO as usize) + (4 << 20);

const EINVAL: i32 = 28;
const ENAMETOOLONG: i32 = 37;

/// Every WASI import the wat guests below use, by name.
const IMPORTS: &str = r#"
  (import "wasi_snapshot_preview1" "fd_write" (func $fd_write (param i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_read" (func $fd_read (param i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_pwrite" (func $fd_pwrite (param i32 i32 i32 i64 i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_seek" (func $fd_seek (param i32 i64 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_advise" (func $fd_advise (param i32 i64 i64 i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_fdstat_set_flags" (func $fd_fdstat_set_flags (param i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_filestat_set_times" (func $fd_filestat_set_times (param i32 i64 i64 i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_readdir" (func $fd_readdir (param i32 i32 i32 i64 i32) (result i32)))
  (import "wasi_snapshot_preview1" "clock_time_get" (func $clock_time_get (param i32 i64 i32) (result i32)))
  (import "wasi_snapshot_preview1" "random_get" (func $random_get (param i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "poll_oneoff" (func $poll_oneoff (param i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "path_open" (func $path_open (param i32 i32 i32 i32 i32 i64 i64 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "path_filestat_get" (func $path_filestat_get (param i32 i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "path_filestat_set_times" (func $path_filestat_set_times (param i32 i32 i32 i32 i64 i64 i32) (result i32)))
  (import "wasi_snapshot_preview1" "path_link" (func $path_link (param i32 i32 i32 i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "path_symlink" (func $path_symlink (param i32 i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "path_create_directory" (func $path_create_directory (param i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "sock_accept" (func $accept (param i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "sock_recv" (func $recv (param i32 i32 i32 i32 i32 i32) (result i32)))
"#;

/// A wat guest with `IMPORTS`, `pages` of exported memory, and `body` (its functions, data).
fn guest_wat(pages: u32, body: &str) -> String {
    format!(
        "(module {IMPORTS} (memory (export \"memory\") {pages}) {body}
           (func (export \"noop\") (result i32) (i32.const 0)))"
    )
}

/// One instance of a wat guest with its own store.
struct Guest {
    store: Store<WasiCtx>,
    instance: wasmtier::Instance,
}

impl Guest {
    fn new(engine: &Engine, wat: &str, setup: impl FnOnce(&mut WasiCtxBuilder)) -> Guest {
        let module = Module::new(engine, wat).expect("compile the wat guest");
        let mut builder = WasiCtxBuilder::new();
        setup(&mut builder);
        let mut store = Store::new(engine, builder.build());
        let mut linker = Linker::new(engine);
        add_to_linker(&mut linker, |cx: &mut WasiCtx| cx).unwrap();
        let instance = linker.instantiate(&mut store, &module).unwrap();
        Guest { store, instance }
    }

    /// Calls the export `name`, returning its result (or trap), how long it took and the
    /// most memory this thread allocated at once during it, beyond what calling the guest's
    /// `noop` export allocates (a tier may allocate its own stacks for a call).
    fn call<P: wasmtier::WasmParams>(
        &mut self,
        name: &str,
        params: P,
    ) -> (Result<i32, Error>, Duration, usize) {
        // Twice: a tier that allocates on its first call only then shows a base of zero.
        self.call_raw("noop", ()).0.unwrap();
        let (_, _, base) = self.call_raw("noop", ());
        let (r, elapsed, peak) = self.call_raw(name, params);
        (r, elapsed, peak.saturating_sub(base))
    }

    fn call_raw<P: wasmtier::WasmParams>(
        &mut self,
        name: &str,
        params: P,
    ) -> (Result<i32, Error>, Duration, usize) {
        let f = self
            .instance
            .get_typed_func::<P, i32>(&self.store, name)
            .unwrap();
        let start = Instant::now();
        let (r, peak) = alloc_count::peak_during(|| f.call(&mut self.store, params));
        (r, start.elapsed(), peak)
    }

    /// Interrupts the store from another thread after `after`.
    fn interrupt_after(&self, after: Duration) {
        let handle = self.store.interrupt_handle();
        std::thread::spawn(move || {
            std::thread::sleep(after);
            handle.interrupt();
        });
    }

    fn memory(&mut self) -> &mut [u8] {
        let memory = self.instance.get_memory(&self.store, "memory").unwrap();
        memory.data_mut(&mut self.store)
    }
}

#[track_caller]
fn assert_interrupted(tier: &str, what: &str, r: Result<i32, Error>, elapsed: Duration) {
    match r {
        Err(Error::Trap(t)) => assert_eq!(t.code(), Some(TrapCode::Interrupted), "{tier}: {what}"),
        other => panic!("{tier}: {what}: expected the interrupted trap, got {other:?}"),
    }
    // Interrupted at 200 ms; waits are sliced at 20 ms. Generous for a loaded machine.
    assert!(
        elapsed < Duration::from_secs(3),
        "{tier}: {what} ended {elapsed:?} after it started"
    );
}

/// `run` fills `count` ciovecs at address 0, each `(0, len)` (all overlapping), and writes
/// them with `call` (`$fd_write` to fd 1, or `$fd_pwrite` to the fd that path_open stored at
/// `scratch + 8`); it returns the count written, or minus the errno.
fn overlapping_writes_wat(pages: u32, count: u32, len: u32, pwrite: bool) -> String {
    let scratch = pages * 65536; // one more page holds the result and the path
    let call = if pwrite {
        format!(
            "(drop (call $path_open (i32.const 3) (i32.const 0) (i32.const {scratch}) (i32.const 4)
               (i32.const 0) (i64.const 68) (i64.const 0) (i32.const 0) (i32.const {fd_at})))
             (call $fd_pwrite (i32.load (i32.const {fd_at})) (i32.const 0) (i32.const {count})
               (i64.const 0) (i32.const {out}))",
            fd_at = scratch + 8,
            out = scratch + 16
        )
    } else {
        format!(
            "(call $fd_write (i32.const 1) (i32.const 0) (i32.const {count}) (i32.const {out}))",
            out = scratch + 16
        )
    };
    guest_wat(
        pages + 1,
        &format!(
            r#"(data (i32.const {scratch}) "null")
            (func (export "run") (result i32) (local $i i32) (local $e i32)
              (loop $fill
                (i32.store (i32.mul (local.get $i) (i32.const 8)) (i32.const 0))
                (i32.store offset=4 (i32.mul (local.get $i) (i32.const 8)) (i32.const {len}))
                (br_if $fill (i32.lt_u
                  (local.tee $i (i32.add (local.get $i) (i32.const 1))) (i32.const {count}))))
              (local.set $e {call})
              (if (result i32) (local.get $e)
                (then (i32.sub (i32.const 0) (local.get $e)))
                (else (i32.load (i32.const {out})))))"#,
            out = scratch + 16
        ),
    )
}

#[test]
fn overlapping_iovecs_are_bounded() {
    // (pages, iovecs, length of each): 512 MiB and 400 GB of overlapping buffers.
    let cases = [(1, 8192, 64 << 10), (32, 200_000, 2 << 20)];
    for (tier, engine) in engines(false) {
        for (pages, count, len) in cases {
            for pwrite in [false, true] {
                let what = format!(
                    "{} of {count} iovecs of {len} bytes",
                    if pwrite { "fd_pwrite" } else { "fd_write" }
                );
                let wat = overlapping_writes_wat(pages, count, len, pwrite);
                // fd_write goes to the default stdout (discarded), fd_pwrite to /dev/null.
                let mut guest =
                    Guest::new(&engine, &wat, |b| preopen(b, Path::new("/dev"), "/dev"));
                let (r, elapsed, peak) = guest.call("run", ());
                assert_eq!(
                    r.unwrap(),
                    MAX_IO,
                    "{tier}: {what}: a short write of MAX_IO"
                );
                assert!(peak < CALL_BOUND, "{tier}: {what} allocated {peak} bytes");
                assert!(
                    elapsed < Duration::from_secs(5),
                    "{tier}: {what} took {elapsed:?}"
                );
            }
        }
    }
}

#[test]
fn overlapping_read_iovecs_are_bounded() {
    let input: Vec<u8> = (0..100u8).collect();
    for (tier, engine) in engines(false) {
        let wat = guest_wat(
            33,
            r#"(func (export "run") (result i32) (local $i i32) (local $e i32)
              (loop $fill
                (i32.store (i32.mul (local.get $i) (i32.const 8)) (i32.const 0))
                (i32.store offset=4 (i32.mul (local.get $i) (i32.const 8)) (i32.const 0x200000))
                (br_if $fill (i32.lt_u
                  (local.tee $i (i32.add (local.get $i) (i32.const 1))) (i32.const 200000))))
              (local.set $e (call $fd_read (i32.const 0) (i32.const 0) (i32.const 200000)
                (i32.const 0x200010)))
              (if (result i32) (local.get $e)
                (then (i32.sub (i32.const 0) (local.get $e)))
                (else (i32.load (i32.const 0x200010)))))"#,
        );
        let mut guest = Guest::new(&engine, &wat, |b| {
            b.stdin(ReadPipe::from_bytes(input.clone()));
        });
        let (r, _, peak) = guest.call("run", ());
        assert_eq!(r.unwrap(), 100, "{tier}");
        assert!(peak < CALL_BOUND, "{tier}: fd_read allocated {peak} bytes");
        assert_eq!(&guest.memory()[..100], &input[..], "{tier}");
    }
}

#[test]
fn huge_lengths_allocate_nothing_proportional() {
    // 1025 pages: 64 MiB of zeros (valid UTF-8) plus one page for results.
    let len = 64 << 20;
    let cases = [
        (
            "path_open with a 64 MiB path",
            format!(
                "(call $path_open (i32.const 3) (i32.const 0) (i32.const 0) (i32.const {len})
                   (i32.const 0) (i64.const 0) (i64.const 0) (i32.const 0) (i32.const {len}))"
            ),
            ENAMETOOLONG,
        ),
        (
            "path_symlink with a 64 MiB target",
            format!(
                "(call $path_symlink (i32.const 0) (i32.const {len}) (i32.const 3)
                   (i32.const 0) (i32.const 4))"
            ),
            ENAMETOOLONG,
        ),
        (
            "random_get of 64 MiB",
            format!("(call $random_get (i32.const 0) (i32.const {len}))"),
            0,
        ),
        (
            "poll_oneoff with a million subscriptions",
            format!(
                "(call $poll_oneoff (i32.const 0) (i32.const 0) (i32.const 1000000)
                   (i32.const {len}))"
            ),
            EINVAL,
        ),
    ];
    for (tier, engine) in engines(false) {
        for (what, call, errno) in &cases {
            let wat = guest_wat(
                1025,
                &format!("(func (export \"run\") (result i32) {call})"),
            );
            let dir = scratch("huge", tier);
            let mut guest = Guest::new(&engine, &wat, |b| preopen(b, &dir, "/d"));
            let (r, _, peak) = guest.call("run", ());
            assert_eq!(r.unwrap(), *errno, "{tier}: {what}");
            assert!(peak < 1 << 20, "{tier}: {what} allocated {peak} bytes");
        }
    }
}

#[test]
fn over_long_paths_are_enametoolong() {
    // Memory holds "a/a/a/..." from 0; a path of `len` bytes from there. 4096 bytes (2048
    // components "a", which does not exist) is resolved; one more byte is refused.
    let calls = [
        (
            "path_open",
            "(call $path_open (i32.const 3) (i32.const 0) (i32.const 0) (local.get $len) (i32.const 0) (i64.const 0) (i64.const 0) (i32.const 0) (i32.const 0x10000))",
        ),
        (
            "path_create_directory",
            "(call $path_create_directory (i32.const 3) (i32.const 0) (local.get $len))",
        ),
        (
            "path_filestat_get",
            "(call $path_filestat_get (i32.const 3) (i32.const 0) (i32.const 0) (local.get $len) (i32.const 0x10000))",
        ),
        (
            "path_symlink target",
            "(call $path_symlink (i32.const 0) (local.get $len) (i32.const 3) (i32.const 0x10000) (i32.const 1))",
        ),
    ];
    const ENOENT: i32 = 44;
    for (tier, engine) in engines(false) {
        let dir = scratch("longpath", tier);
        for (what, call) in calls {
            let wat = guest_wat(
                2,
                &format!(
                    r#"(data (i32.const 0x10000) "x")
                    (func (export "run") (param $len i32) (result i32) (local $i i32)
                      (loop $fill
                        (i32.store (local.get $i) (i32.const 0x2f612f61))
                        (br_if $fill (i32.lt_u
                          (local.tee $i (i32.add (local.get $i) (i32.const 4))) (i32.const 8192))))
                      {call})"#
                ),
            );
            let mut guest = Guest::new(&engine, &wat, |b| preopen(b, &dir, "/d"));
            let (r, _, _) = guest.call("run", 4097);
            assert_eq!(r.unwrap(), ENAMETOOLONG, "{tier}: {what} of 4097 bytes");
            let (r, _, _) = guest.call("run", 60000);
            assert_eq!(r.unwrap(), ENAMETOOLONG, "{tier}: {what} of 60000 bytes");
            if !what.contains("symlink") {
                let (r, _, _) = guest.call("run", 4096);
                assert_eq!(
                    r.unwrap(),
                    ENOENT,
                    "{tier}: {what} of 4096 bytes is looked up"
                );
            }
        }
    }
}

#[test]
fn undefined_flag_bits_are_einval() {
    // fd 3 is a preopened directory holding the file "f"; "f" is at 0x100 in memory.
    let cases = [
        // fdflags (u16): a high bit, which `as u16` used to drop, and an undefined low one.
        "(call $fd_fdstat_set_flags (i32.const 1) (i32.const 0x10000))",
        "(call $fd_fdstat_set_flags (i32.const 1) (i32.const 0x10001))",
        "(call $fd_fdstat_set_flags (i32.const 1) (i32.const 0x20))",
        // fstflags (u16)
        "(call $fd_filestat_set_times (i32.const 3) (i64.const 0) (i64.const 0) (i32.const 0x10000))",
        "(call $path_filestat_set_times (i32.const 3) (i32.const 0) (i32.const 0x100) (i32.const 1)
           (i64.const 0) (i64.const 0) (i32.const 0x10000))",
        // oflags, fdflags (u16) and lookupflags (u32) of path_open
        "(call $path_open (i32.const 3) (i32.const 0) (i32.const 0x100) (i32.const 1)
           (i32.const 0x10000) (i64.const 2) (i64.const 0) (i32.const 0) (i32.const 0x200))",
        "(call $path_open (i32.const 3) (i32.const 0) (i32.const 0x100) (i32.const 1)
           (i32.const 0) (i64.const 2) (i64.const 0) (i32.const 0x10000) (i32.const 0x200))",
        "(call $path_open (i32.const 3) (i32.const 2) (i32.const 0x100) (i32.const 1)
           (i32.const 0) (i64.const 2) (i64.const 0) (i32.const 0) (i32.const 0x200))",
        "(call $path_open (i32.const 3) (i32.const 0x80000001) (i32.const 0x100) (i32.const 1)
           (i32.const 0) (i64.const 2) (i64.const 0) (i32.const 0) (i32.const 0x200))",
        // lookupflags of the other path calls
        "(call $path_filestat_get (i32.const 3) (i32.const 0x100) (i32.const 0x100) (i32.const 1)
           (i32.const 0x200))",
        "(call $path_filestat_set_times (i32.const 3) (i32.const 4) (i32.const 0x100) (i32.const 1)
           (i64.const 0) (i64.const 0) (i32.const 0))",
        "(call $path_link (i32.const 3) (i32.const 2) (i32.const 0x100) (i32.const 1) (i32.const 3)
           (i32.const 0x101) (i32.const 1))",
        // whence and advice (u8), clock ids
        "(call $fd_seek (i32.const 1) (i64.const 0) (i32.const 0x100) (i32.const 0x200))",
        "(call $fd_advise (i32.const 3) (i64.const 0) (i64.const 0) (i32.const 0x100))",
        "(call $clock_time_get (i32.const 0x100) (i64.const 0) (i32.const 0x200))",
        // subclockflags (u16): only abstime is defined
        "(i64.store (i32.const 0x400) (i64.const 7)) (i32.store8 (i32.const 0x408) (i32.const 0))
         (i32.store (i32.const 0x410) (i32.const 1)) (i64.store (i32.const 0x418) (i64.const 1))
         (i32.store16 (i32.const 0x428) (i32.const 2))
         (call $poll_oneoff (i32.const 0x400) (i32.const 0x500) (i32.const 1) (i32.const 0x200))",
    ];
    for (tier, engine) in engines(false) {
        let dir = scratch("flags", tier);
        fs::write(dir.join("f"), "x").unwrap();
        for body in cases {
            let wat = guest_wat(
                1,
                &format!(
                    r#"(data (i32.const 0x100) "fg") (func (export "run") (result i32) {body})"#
                ),
            );
            let mut guest = Guest::new(&engine, &wat, |b| preopen(b, &dir, "/d"));
            let (r, _, _) = guest.call("run", ());
            assert_eq!(r.unwrap(), EINVAL, "{tier}: {body}");
        }
        assert!(!dir.join("g").exists(), "{tier}: path_link did nothing");
        // The same calls with defined bits still work.
        let ok = [
            "(call $fd_fdstat_set_flags (i32.const 1) (i32.const 1))",
            "(call $path_open (i32.const 3) (i32.const 1) (i32.const 0x100) (i32.const 1)
               (i32.const 0) (i64.const 2) (i64.const 0) (i32.const 0) (i32.const 0x200))",
            "(call $path_filestat_set_times (i32.const 3) (i32.const 1) (i32.const 0x100)
               (i32.const 1) (i64.const 0) (i64.const 0) (i32.const 10))",
        ];
        for body in ok {
            let wat = guest_wat(
                1,
                &format!(
                    r#"(data (i32.const 0x100) "fg") (func (export "run") (result i32) {body})"#
                ),
            );
            let mut guest = Guest::new(&engine, &wat, |b| preopen(b, &dir, "/d"));
            assert_eq!(guest.call("run", ()).0.unwrap(), 0, "{tier}: {body}");
        }
    }
}

/// A guest whose `run` does one poll_oneoff: a clock subscription (userdata 1) of
/// `timeout_ns`, relative, and, with `fd`, an fd_read subscription on it (userdata 2).
/// Returns the first event's userdata (or minus the errno); `events` returns the count.
fn poll_wat(timeout_ns: u64, fd: Option<u32>) -> String {
    let (n, fd_sub) = match fd {
        Some(fd) => (
            2,
            format!(
                "(i64.store (i32.const 0x430) (i64.const 2)) (i32.store8 (i32.const 0x438) (i32.const 1))
                 (i32.store (i32.const 0x440) (i32.const {fd}))"
            ),
        ),
        None => (1, String::new()),
    };
    guest_wat(
        1,
        &format!(
            r#"(func (export "run") (result i32) (local $e i32)
              (i64.store (i32.const 0x400) (i64.const 1)) (i32.store8 (i32.const 0x408) (i32.const 0))
              (i32.store (i32.const 0x410) (i32.const 1)) (i64.store (i32.const 0x418) (i64.const {timeout_ns}))
              {fd_sub}
              (local.set $e (call $poll_oneoff (i32.const 0x400) (i32.const 0x800) (i32.const {n})
                (i32.const 0x200)))
              (if (result i32) (local.get $e)
                (then (i32.sub (i32.const 0) (local.get $e)))
                (else (i32.wrap_i64 (i64.load (i32.const 0x800))))))
            (func (export "events") (result i32) (i32.load (i32.const 0x200)))
            (func (export "ok") (result i32) (i32.const 7))"#
        ),
    )
}

const HOUR_NS: u64 = 3600 * 1_000_000_000;

#[test]
fn poll_oneoff_sleep_is_interruptible() {
    for (tier, engine) in engines(false) {
        let mut guest = Guest::new(&engine, &poll_wat(HOUR_NS, None), |_| {});
        guest.interrupt_after(Duration::from_millis(200));
        let (r, elapsed, _) = guest.call("run", ());
        assert_interrupted(tier, "a one-hour poll_oneoff", r, elapsed);
        // The trap cleared the flag: the store runs wasm again.
        assert_eq!(guest.call("ok", ()).0.unwrap(), 7, "{tier}");
        // A short sleep still sleeps.
        let mut guest = Guest::new(&engine, &poll_wat(50_000_000, None), |_| {});
        let (r, elapsed, _) = guest.call("run", ());
        assert_eq!(r.unwrap(), 1, "{tier}: the clock event");
        assert!(
            elapsed >= Duration::from_millis(50),
            "{tier}: slept {elapsed:?}"
        );
    }
}

#[test]
fn poll_oneoff_on_a_pipe_waits_for_data_or_the_clock() {
    for (tier, engine) in engines(false) {
        // Nothing arrives: the clock (50 ms) fires.
        let (reader, writer) = std::io::pipe().unwrap();
        let mut guest = Guest::new(&engine, &poll_wat(50_000_000, Some(0)), |b| {
            b.stdin_fd(reader);
        });
        let (r, elapsed, _) = guest.call("run", ());
        assert_eq!(r.unwrap(), 1, "{tier}: the clock fires, stdin is not ready");
        assert_eq!(guest.call("events", ()).0.unwrap(), 1, "{tier}");
        assert!(elapsed >= Duration::from_millis(50), "{tier}: {elapsed:?}");
        drop(writer);
        // Data arrives after 100 ms: the fd event comes before the one-hour clock.
        let (reader, mut writer) = std::io::pipe().unwrap();
        let mut guest = Guest::new(&engine, &poll_wat(HOUR_NS, Some(0)), |b| {
            b.stdin_fd(reader);
        });
        let feeder = std::thread::spawn(move || {
            std::thread::sleep(Duration::from_millis(100));
            writer.write_all(b"x").unwrap();
            writer
        });
        let (r, elapsed, _) = guest.call("run", ());
        assert_eq!(r.unwrap(), 2, "{tier}: the fd event");
        assert_eq!(guest.call("events", ()).0.unwrap(), 1, "{tier}");
        assert!(elapsed < Duration::from_secs(3), "{tier}: {elapsed:?}");
        drop(feeder.join().unwrap());
        // Nothing arrives and no clock ends it: the interruption does.
        let (reader, _writer) = std::io::pipe().unwrap();
        let mut guest = Guest::new(&engine, &poll_wat(HOUR_NS, Some(0)), |b| {
            b.stdin_fd(reader);
        });
        guest.interrupt_after(Duration::from_millis(200));
        let (r, elapsed, _) = guest.call("run", ());
        assert_interrupted(tier, "poll_oneoff on an idle pipe", r, elapsed);
    }
}

/// `run` reads up to 100 bytes from stdin to 0x100 and returns the count (or minus the errno).
const READ_STDIN: &str = r#"(func (export "run") (result i32) (local $e i32)
  (i32.store (i32.const 0) (i32.const 0x100)) (i32.store (i32.const 4) (i32.const 100))
  (local.set $e (call $fd_read (i32.const 0) (i32.const 0) (i32.const 1) (i32.const 8)))
  (if (result i32) (local.get $e)
    (then (i32.sub (i32.const 0) (local.get $e)))
    (else (i32.load (i32.const 8)))))"#;

#[test]
fn fd_read_on_a_pipe_is_interruptible() {
    for (tier, engine) in engines(false) {
        // A pipe whose writer stays open and silent.
        let (reader, writer) = std::io::pipe().unwrap();
        let mut guest = Guest::new(&engine, &guest_wat(1, READ_STDIN), |b| {
            b.stdin_fd(reader);
        });
        guest.interrupt_after(Duration::from_millis(200));
        let (r, elapsed, _) = guest.call("run", ());
        assert_interrupted(tier, "fd_read on a silent pipe", r, elapsed);
        // Data that arrives is read, and the end of the pipe is end of file.
        let mut w = writer;
        w.write_all(b"hello").unwrap();
        assert_eq!(guest.call("run", ()).0.unwrap(), 5, "{tier}");
        assert_eq!(&guest.memory()[0x100..0x105], b"hello", "{tier}");
        drop(w);
        assert_eq!(guest.call("run", ()).0.unwrap(), 0, "{tier}: end of file");
    }
}

#[test]
fn fd_write_to_a_full_pipe_is_interruptible() {
    // Writes 64 KiB at a time to stdout until an error; nobody reads the pipe, so it fills
    // up and the next write waits until the interruption.
    let wat = guest_wat(
        2,
        r#"(func (export "run") (result i32) (local $e i32)
          (i32.store (i32.const 0) (i32.const 0x10000)) (i32.store (i32.const 4) (i32.const 0x10000))
          (loop $more
            (local.set $e (call $fd_write (i32.const 1) (i32.const 0) (i32.const 1) (i32.const 8)))
            (br_if $more (i32.eqz (local.get $e))))
          (i32.sub (i32.const 0) (local.get $e)))"#,
    );
    for (tier, engine) in engines(false) {
        let (reader, writer) = std::io::pipe().unwrap();
        let mut guest = Guest::new(&engine, &wat, |b| {
            b.stdout_fd(writer);
        });
        guest.interrupt_after(Duration::from_millis(200));
        let (r, elapsed, _) = guest.call("run", ());
        assert_interrupted(tier, "fd_write to a full pipe", r, elapsed);
        drop(reader);
    }
}

#[test]
fn fd_readdir_with_tiny_buffers() {
    // `run(len, cookie)`: fd_readdir of the preopen into 0x1000, returning bufused or minus
    // the errno.
    let wat = guest_wat(
        2,
        r#"(func (export "run") (param $len i32) (param $cookie i64) (result i32) (local $e i32)
          (local.set $e (call $fd_readdir (i32.const 3) (i32.const 0x1000) (local.get $len)
            (local.get $cookie) (i32.const 8)))
          (if (result i32) (local.get $e)
            (then (i32.sub (i32.const 0) (local.get $e)))
            (else (i32.load (i32.const 8)))))"#,
    );
    const BUF: usize = 0x1000;
    for (tier, engine) in engines(false) {
        let dir = scratch("readdir", tier);
        let mut expected = vec![".".to_string(), "..".to_string()];
        for i in 0..500 {
            let name = format!("entry-{i:03}{}", "x".repeat(i % 13));
            fs::write(dir.join(&name), "").unwrap();
            expected.push(name);
        }
        expected.sort();
        let mut guest = Guest::new(&engine, &wat, |b| preopen(b, &dir, "/d"));
        // Reads fd_readdir's records at `cookie` with a `len`-byte buffer; the buffer is
        // filled with 0xee first, so that writes beyond `bufused` would show.
        let mut read = |len: i32, cookie: u64| -> Vec<u8> {
            guest.memory()[BUF..BUF + 0x10000].fill(0xee);
            let (r, elapsed, _) = guest.call("run", (len, cookie as i64));
            let used = r.unwrap();
            assert!(
                (0..=len).contains(&used),
                "{tier}: bufused {used} for {len}"
            );
            assert!(elapsed < Duration::from_secs(2), "{tier}: {elapsed:?}");
            let mem = guest.memory();
            let untouched = BUF + used as usize..BUF + len as usize + 64;
            assert!(
                mem[untouched].iter().all(|&b| b == 0xee),
                "{tier}: nothing written past bufused"
            );
            mem[BUF..BUF + used as usize].to_vec()
        };
        // Every entry once, resuming from the last whole record's cookie (as wasi-libc does),
        // with a buffer that holds one to three records.
        let mut names = Vec::new();
        let mut cookie = 0u64;
        let mut cookies = vec![0u64];
        loop {
            let data = read(100, cookie);
            let mut at = 0;
            while at + 24 <= data.len() {
                let next = u64::from_le_bytes(data[at..at + 8].try_into().unwrap());
                let n = u32::from_le_bytes(data[at + 16..at + 20].try_into().unwrap()) as usize;
                if at + 24 + n > data.len() {
                    break;
                }
                names.push(String::from_utf8(data[at + 24..at + 24 + n].to_vec()).unwrap());
                cookie = next;
                cookies.push(next);
                at += 24 + n;
            }
            if data.len() < 100 {
                break;
            }
        }
        names.sort();
        assert_eq!(names, expected, "{tier}: every entry exactly once");
        // Tiny buffers get the start of what a large one gets, at any cookie.
        for &c in [
            cookies[0],
            cookies[1],
            cookies[250],
            cookies[cookies.len() - 2],
        ]
        .iter()
        {
            let full = read(0x8000, c);
            assert!(!full.is_empty(), "{tier}: records at cookie {c}");
            for len in [0, 1, 2, 23, 24, 25, 40] {
                let part = read(len, c);
                let want = &full[..full.len().min(len as usize)];
                assert_eq!(part, want, "{tier}: {len}-byte buffer at cookie {c}");
            }
        }
        // After the last entry: nothing.
        assert!(
            read(0x8000, *cookies.last().unwrap()).is_empty(),
            "{tier}: the end"
        );
    }
}

// ---- Conformance with wasmtime's preview1 behaviour (issue 16) ----
//
// tests/wasi/src/conf_*.c check one group each, mostly through raw WASI calls (the logic of
// wasmtime's Rust preview1 tests, in C) and partly through wasi-libc; each prints `ok NAME`
// or `FAIL NAME: ...` per check and ends with `N checks, F failed`.

/// Runs a conformance program in every tier with an empty directory preopened as `/d`
/// (`prepare` fills it first) and checks that all `checks` checks passed in each.
fn conformance(name: &str, checks: usize, prepare: impl Fn(&Path)) {
    let results = run_all(name, name, &[], |dir, b| {
        prepare(dir);
        preopen(b, dir, "/d");
    });
    for (tier, out, _) in &results {
        let failed: Vec<&str> = out
            .stdout
            .lines()
            .filter(|l| l.starts_with("FAIL"))
            .collect();
        assert!(failed.is_empty(), "{name} in tier {tier}: {failed:#?}");
        assert_eq!(
            out.stdout.lines().last(),
            Some(format!("{checks} checks, 0 failed").as_str()),
            "{name} in tier {tier}"
        );
        assert_eq!(
            out.stdout.lines().filter(|l| l.starts_with("ok ")).count(),
            checks,
            "{name} in tier {tier}"
        );
        assert_eq!(out.status, 0, "{name} in tier {tier}");
    }
}

#[test]
fn conformance_rights() {
    conformance("conf_rights", 61, |_| {});
}

#[test]
fn conformance_trailing_slashes() {
    conformance("conf_slashes", 56, |_| {});
}

#[test]
fn conformance_opening_the_preopen() {
    conformance("conf_preopen", 19, |dir| {
        fs::create_dir(dir.join("sub")).unwrap()
    });
}

#[test]
fn conformance_socket_calls_on_non_sockets() {
    conformance("conf_sockets", 37, |_| {});
}

#[test]
fn conformance_poll_readdir_times_advise_loops() {
    conformance("conf_misc", 78, |_| {});
}

/// The new rules stay inside the sandbox: trailing slashes and `.` on symlinks that lead
/// out are still refused, and nothing outside the preopen changes.
#[test]
fn trailing_slashes_do_not_escape() {
    for (tier, engine) in engines(false) {
        let root = scratch("slash-escape", tier);
        let sandbox = escape_fixture(&root);
        std::os::unix::fs::symlink("/tmp", sandbox.join("abs_dir")).unwrap();
        std::os::unix::fs::symlink("..", sandbox.join("up")).unwrap();
        // (path, errno of path_open with O_DIRECTORY, of path_unlink_file, of rmdir)
        let cases = [
            ("abs_dir/", 76, 54, 54),
            ("up/", 76, 54, 54),
            ("up/.", 76, 54, 54),
            ("../", 76, 76, 76),
            ("link_abs/", 76, 54, 54),
        ];
        for (path, open_errno, unlink_errno, rmdir_errno) in cases {
            let wat = format!(
                r#"(module
                  (import "wasi_snapshot_preview1" "path_open" (func $open (param i32 i32 i32 i32 i32 i64 i64 i32 i32) (result i32)))
                  (import "wasi_snapshot_preview1" "path_unlink_file" (func $unlink (param i32 i32 i32) (result i32)))
                  (import "wasi_snapshot_preview1" "path_remove_directory" (func $rmdir (param i32 i32 i32) (result i32)))
                  (memory (export "memory") 1)
                  (data (i32.const 16) "{path}")
                  (func (export "open") (result i32)
                    (call $open (i32.const 3) (i32.const 0) (i32.const 16) (i32.const {len})
                      (i32.const 2) (i64.const 0x4000) (i64.const 0) (i32.const 0) (i32.const 0)))
                  (func (export "unlink") (result i32)
                    (call $unlink (i32.const 3) (i32.const 16) (i32.const {len})))
                  (func (export "rmdir") (result i32)
                    (call $rmdir (i32.const 3) (i32.const 16) (i32.const {len}))))"#,
                len = path.len()
            );
            let mut guest = Guest::new(&engine, &wat, |b| preopen(b, &sandbox, "/"));
            let (r, _, _) = guest.call_raw("open", ());
            assert_eq!(r.unwrap(), open_errno, "{tier}: open {path}");
            let (r, _, _) = guest.call_raw("unlink", ());
            assert_eq!(r.unwrap(), unlink_errno, "{tier}: unlink {path}");
            let (r, _, _) = guest.call_raw("rmdir", ());
            assert_eq!(r.unwrap(), rmdir_errno, "{tier}: rmdir {path}");
        }
        assert!(
            root.join("outside.txt").exists(),
            "{tier}: outside file intact"
        );
        assert!(Path::new("/tmp").is_dir());
    }
}

/// `preopened_listener`: the guest accepts two connections on a loopback listener and
/// echoes them (one with sock_recv/sock_send, one with fd_read/fd_write), in every tier.
#[test]
fn preopened_listener_accepts_and_echoes() {
    use std::net::{Shutdown, TcpListener, TcpStream};
    for (tier, engine) in engines(false) {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let addr = listener.local_addr().unwrap();
        let client = std::thread::spawn(move || {
            let mut echoed = Vec::new();
            for i in 0..2u8 {
                let mut c = TcpStream::connect(addr).unwrap();
                c.set_read_timeout(Some(Duration::from_secs(20))).unwrap();
                let data: Vec<u8> = (0..100_000u32).map(|n| (n as u8) ^ i).collect();
                c.write_all(&data).unwrap();
                c.shutdown(Shutdown::Write).unwrap();
                let mut back = Vec::new();
                std::io::Read::read_to_end(&mut c, &mut back).unwrap();
                echoed.push(back == data);
            }
            echoed
        });
        let out = run_in(
            &engine,
            "conf_sockets",
            &["echo", "2"],
            |b| {
                let dir = scratch("listener", tier);
                preopen(b, &dir, "/d");
                b.preopened_listener(listener).unwrap();
            },
            None,
        )
        .unwrap();
        assert_eq!(client.join().unwrap(), [true, true], "{tier}");
        assert_eq!(
            out.stdout, "connection 1: echoed 100000 bytes\nconnection 2: echoed 100000 bytes\n",
            "{tier}"
        );
        assert_eq!(out.status, 0, "{tier}");
    }
}

/// A guest waiting in sock_accept (and in sock_recv on a connection that sends nothing) is
/// ended by an interruption within a few slices.
#[test]
fn sock_accept_and_recv_are_interruptible() {
    use std::net::{TcpListener, TcpStream};
    let wat = guest_wat(
        1,
        r#"(func (export "accept") (result i32)
             (call $accept (i32.const 3) (i32.const 0) (i32.const 0x100)))
           (func (export "recv") (result i32)
             (i32.store (i32.const 0x200) (i32.const 0x400))
             (i32.store (i32.const 0x204) (i32.const 16))
             (call $recv (i32.load (i32.const 0x100)) (i32.const 0x200) (i32.const 1)
               (i32.const 0) (i32.const 0x300) (i32.const 0x308)))"#,
    );
    for (tier, engine) in engines(false) {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let addr = listener.local_addr().unwrap();
        let mut guest = Guest::new(&engine, &wat, |b| {
            b.preopened_listener(listener).unwrap();
        });
        guest.interrupt_after(Duration::from_millis(200));
        let (r, elapsed, _) = guest.call_raw("accept", ());
        assert_interrupted(tier, "sock_accept", r, elapsed);
        let _client = TcpStream::connect(addr).unwrap();
        let (r, _, _) = guest.call("accept", ());
        assert_eq!(r.unwrap(), 0, "{tier}: accepts the pending connection");
        guest.interrupt_after(Duration::from_millis(200));
        let (r, elapsed, _) = guest.call_raw("recv", ());
        assert_interrupted(tier, "sock_recv", r, elapsed);
    }
}
