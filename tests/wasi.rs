//! WASI preview1: real C programs (tests/wasi/src, built by tests/wasi/build.sh into
//! tests/wasi/bin) run in every tier this build has, with their output checked; sandbox
//! escape attempts; and guest-pointer / unsupported-call behaviour on small wat modules.

use std::fs;
use std::path::{Path, PathBuf};

use wasmtier::wasi::{ReadPipe, WasiCtx, WasiCtxBuilder, add_to_linker};
use wasmtier::{Config, Engine, Error, Linker, Module, Store, Tier, Trap};

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

#[test]
fn zlib_library() {
    let results = run_all("zlib", "zlib_demo", &["/out"], |dir, b| {
        preopen(b, dir, "/out")
    });
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
fn lua_library() {
    let results = run_all("lua", "lua_demo", &["x", "y"], |_, _| {});
    assert_output(
        &results,
        "fib(20) = 6765\nsorted: 3,6,22,25,41,44,63,66,82,85\n9 words, last DOG\n \
         3.14|lua   |ff|\"a\\\nb\"\nwasmTier-wasmTier\t2\n\
         3\t3.5\t1024.0\t9223372036854775807\t1e+301\ns=4 i=4 p=2\n\
         gc ok, utf8 len 5\nargs: x y\nLua 5.4.9\n",
        0,
    );
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
          (import "wasi_snapshot_preview1" "sock_accept" (func $f (param i32 i32 i32) (result i32)))
          (memory (export "memory") 1)
          (func (export "run") (result i32) (call $f (i32.const 0) (i32.const 0) (i32.const 0))))"#;
        assert_eq!(run_wat(&engine, wat).0, 52, "tier {tier}: ENOSYS");
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
