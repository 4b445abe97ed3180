//! `wasmtier run` with WASI programs (tests/wasi/bin): `--dir`, `--env`, argv, exit codes,
//! traps with backtraces and `--fuel`, in every tier the binary accepts.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::OnceLock;

const EXIT_ERROR: i32 = 1;
const EXIT_TRAP: i32 = 3;

fn program(name: &str) -> String {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join(format!("../tests/wasi/bin/{name}.wasm"))
        .to_str()
        .expect("non-UTF-8 checkout path")
        .to_string()
}

/// A fresh scratch directory holding `hello.txt`, used as the working directory.
fn workdir(test: &str) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR"))
        .join(format!("cli-wasi-{}-{test}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(dir.join("sub")).unwrap();
    std::fs::write(dir.join("hello.txt"), "hello from the host\n").unwrap();
    std::fs::write(dir.join("sub/inner.txt"), "inner\n").unwrap();
    dir
}

fn wasmtier_in(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_wasmtier"))
        .args(args)
        .current_dir(dir)
        .env_remove("RUST_BACKTRACE")
        // --tier=jit runs fill the code cache: a scratch one, not the user's.
        .env(
            "XDG_CACHE_HOME",
            Path::new(env!("CARGO_TARGET_TMPDIR")).join("xdg-cache"),
        )
        .env("WASMTIER_TEST_SECRET", "do-not-leak")
        .output()
        .expect("failed to start the wasmtier binary")
}

fn stdout(out: &Output) -> String {
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

/// The `--tier` values this binary accepts (tiers it lacks fail with "unsupported"),
/// probed once per test binary.
fn tiers() -> Vec<&'static str> {
    static TIERS: OnceLock<Vec<&'static str>> = OnceLock::new();
    TIERS
        .get_or_init(|| {
            let dir = workdir("tiers");
            ["interp", "jit", "auto"]
                .into_iter()
                .filter(|tier| {
                    let flag = format!("--tier={tier}");
                    let out = wasmtier_in(&dir, &["run", &flag, &program("hello")]);
                    let ok = out.status.success();
                    if !ok {
                        eprintln!("note: skipping tier {tier}: {}", stderr(&out).trim());
                    }
                    ok
                })
                .collect()
        })
        .clone()
}

/// Runs `wasmtier run --tier=T OPTIONS... PROGRAM ARGS...` in every tier, checks that all
/// tiers agree on stdout and status, and returns the first one.
fn run_all(dir: &Path, options: &[&str], name: &str, args: &[&str]) -> Output {
    let mut first: Option<Output> = None;
    for tier in tiers() {
        let flag = format!("--tier={tier}");
        let path = program(name);
        let mut all = vec!["run", flag.as_str()];
        all.extend_from_slice(options);
        all.push(&path);
        all.extend_from_slice(args);
        let out = wasmtier_in(dir, &all);
        if let Some(f) = &first {
            assert_eq!(stdout(&out), stdout(f), "stdout of tier {tier}");
            assert_eq!(out.status.code(), f.status.code(), "status of tier {tier}");
        } else {
            first = Some(out);
        }
    }
    first.expect("at least the interpreter runs")
}

#[track_caller]
fn assert_success(out: &Output, expected: &str) {
    assert_eq!(out.status.code(), Some(0), "stderr:\n{}", stderr(out));
    assert_eq!(stdout(out), expected);
}

#[test]
fn hello_world() {
    let out = run_all(&workdir("hello"), &[], "hello", &[]);
    assert_success(&out, "Hello, world!\n");
}

#[test]
fn args_after_the_program_are_its_argv() {
    let out = run_all(
        &workdir("argv"),
        &[],
        "args_env",
        &["a", "--not-an-option", "-5"],
    );
    assert_success(
        &out,
        "argc=4\nargv[1]=a\nargv[2]=--not-an-option\nargv[3]=-5\nGREETING=(unset)\n",
    );
}

#[test]
fn env_passes_only_what_is_granted() {
    let dir = workdir("env");
    let out = run_all(
        &dir,
        &["--env", "GREETING=hi", "--env", "A=b=c"],
        "args_env",
        &[],
    );
    assert_success(&out, "argc=1\nenv GREETING=hi\nenv A=b=c\nGREETING=hi\n");
    // `--env NAME` copies this process's value.
    let out = run_all(&dir, &["--env", "WASMTIER_TEST_SECRET"], "args_env", &[]);
    assert!(stdout(&out).contains("env WASMTIER_TEST_SECRET=do-not-leak\n"));
    // Explicit opt-in passes everything.
    let out = run_all(&dir, &["--inherit-env"], "args_env", &[]);
    assert!(stdout(&out).contains("env WASMTIER_TEST_SECRET=do-not-leak\n"));
    // By default nothing leaks.
    let out = run_all(&dir, &[], "args_env", &[]);
    assert!(!stdout(&out).contains("WASMTIER_TEST_SECRET"));
}

#[test]
fn dir_dot_maps_to_root_like_wasmtime() {
    let out = run_all(
        &workdir("root"),
        &["--dir", ".::/"],
        "cat",
        &["/hello.txt", "/sub/inner.txt"],
    );
    assert_success(&out, "hello from the host\ninner\n");
}

#[test]
fn dir_guest_name_defaults_to_host_path() {
    let dir = workdir("dot");
    let out = run_all(&dir, &["--dir", "."], "cat", &["hello.txt"]);
    assert_success(&out, "hello from the host\n");
    let out = run_all(&dir, &["--dir", "sub"], "cat", &["sub/inner.txt"]);
    assert_success(&out, "inner\n");
    let out = run_all(&dir, &["--dir", "sub::/data"], "listdir", &["/data"]);
    assert_success(&out, "file inner.txt 6\n1 entries\n");
}

#[test]
fn files_are_unreachable_without_dir() {
    let dir = workdir("nodir");
    let out = run_all(&dir, &[], "cat", &["hello.txt"]);
    assert_eq!(out.status.code(), Some(1), "cat's own failure status");
    assert_eq!(stdout(&out), "");
    // Only a subdirectory granted: its parent stays out of reach.
    let out = run_all(&dir, &["--dir", "sub::/sub"], "cat", &["/sub/../hello.txt"]);
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(stdout(&out), "");
}

#[test]
fn missing_dir_is_an_error() {
    let out = wasmtier_in(
        &workdir("missing"),
        &["run", "--dir", "no-such-dir", &program("hello")],
    );
    assert_eq!(out.status.code(), Some(EXIT_ERROR));
    assert!(
        stderr(&out).starts_with("error: --dir no-such-dir: cannot open directory"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn empty_dir_paths_are_errors() {
    for spec in ["a::", "::b", ""] {
        let out = wasmtier_in(
            &workdir("emptydir"),
            &["run", "--dir", spec, &program("hello")],
        );
        assert_eq!(out.status.code(), Some(EXIT_ERROR), "--dir {spec:?}");
        assert!(stderr(&out).contains("non-empty paths"), "{}", stderr(&out));
    }
}

#[test]
fn proc_exit_status_is_the_exit_code() {
    let dir = workdir("exit");
    let out = run_all(&dir, &[], "exit_code", &["7"]);
    assert_eq!(out.status.code(), Some(7));
    assert_eq!(stdout(&out), "exiting with 7\n");
    assert_eq!(stderr(&out), "");
    let out = run_all(&dir, &[], "exit_code", &["0"]);
    assert_success(&out, "exiting with 0\n");
}

#[test]
fn trap_reports_message_and_named_frames() {
    for tier in tiers() {
        let flag = format!("--tier={tier}");
        let out = wasmtier_in(&workdir("trap"), &["run", &flag, &program("trap")]);
        assert_eq!(out.status.code(), Some(EXIT_TRAP), "tier {tier}");
        assert_eq!(stdout(&out), "about to trap\n");
        let err = stderr(&out);
        let mut lines = err.lines();
        assert_eq!(lines.next(), Some("wasm trap: unreachable"), "tier {tier}");
        let frames: Vec<&str> = lines.collect();
        assert_eq!(
            &frames[..3],
            ["  0: crash_here", "  1: middle", "  2: main"],
            "tier {tier}"
        );
    }
}

#[test]
fn fuel_stops_runaway_guests() {
    for tier in tiers() {
        let flag = format!("--tier={tier}");
        let out = wasmtier_in(
            &workdir("fuel"),
            &["run", &flag, "--fuel", "1000000", &program("spin")],
        );
        if tier != "interp" && stderr(&out).contains("fuel metering is not implemented") {
            eprintln!("note: tier {tier} has no fuel yet");
            continue;
        }
        assert_eq!(
            out.status.code(),
            Some(EXIT_TRAP),
            "tier {tier}: {}",
            stderr(&out)
        );
        assert_eq!(stdout(&out), "spinning\n");
        assert!(
            stderr(&out).starts_with("wasm trap: all fuel consumed\n"),
            "tier {tier}: {}",
            stderr(&out)
        );
    }
}

#[test]
fn invoke_still_calls_any_export_with_wasi_linked() {
    // `main` of a C program is not exported, but `_start` is; --invoke picks it explicitly.
    let out = run_all(&workdir("invoke"), &["--invoke", "_start"], "hello", &[]);
    assert_success(&out, "Hello, world!\n");
}

/// `--tcplisten`: the guest gets a listening socket on the loopback address, accepts one
/// connection and echoes it (tests/wasi/src/conf_sockets.c), in every tier.
#[test]
fn tcplisten_accepts_a_connection_and_echoes() {
    use std::io::{Read, Write};
    use std::net::{Shutdown, TcpListener, TcpStream};
    use std::process::Stdio;
    use std::time::{Duration, Instant};
    let dir = workdir("tcplisten");
    for tier in tiers() {
        // A free loopback port: bound, noted and released (the guest's listener takes it).
        let port = TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let addr = format!("127.0.0.1:{port}");
        let flag = format!("--tier={tier}");
        let child = Command::new(env!("CARGO_BIN_EXE_wasmtier"))
            .args(["run", &flag, "--timeout", "30", "--tcplisten", &addr])
            .args([program("conf_sockets").as_str(), "echo", "1"])
            .current_dir(&dir)
            .env(
                "XDG_CACHE_HOME",
                Path::new(env!("CARGO_TARGET_TMPDIR")).join("xdg-cache"),
            )
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let start = Instant::now();
        let mut conn = loop {
            match TcpStream::connect(&addr) {
                Ok(c) => break c,
                Err(e) if start.elapsed() < Duration::from_secs(10) => {
                    let _ = e;
                    std::thread::sleep(Duration::from_millis(20));
                }
                Err(e) => panic!("{tier}: cannot connect to {addr}: {e}"),
            }
        };
        conn.set_read_timeout(Some(Duration::from_secs(20)))
            .unwrap();
        let data = b"ping over loopback\n".repeat(500);
        conn.write_all(&data).unwrap();
        conn.shutdown(Shutdown::Write).unwrap();
        let mut back = Vec::new();
        conn.read_to_end(&mut back).unwrap();
        assert!(
            back == data,
            "{tier}: echoed {} of {} bytes",
            back.len(),
            data.len()
        );
        let out = child.wait_with_output().unwrap();
        assert_eq!(
            stdout(&out),
            format!("connection 1: echoed {} bytes\n", data.len()),
            "{tier}: {}",
            stderr(&out)
        );
        assert!(out.status.success(), "{tier}: {}", stderr(&out));
    }
}

/// A bad `--tcplisten` address is a usage error of the run, before the guest starts.
#[test]
fn tcplisten_rejects_a_bad_address() {
    let dir = workdir("tcplisten-bad");
    let out = wasmtier_in(
        &dir,
        &["run", "--tcplisten", "not-an-address", &program("hello")],
    );
    assert_eq!(out.status.code(), Some(EXIT_ERROR));
    assert!(
        stderr(&out).contains("--tcplisten not-an-address"),
        "{}",
        stderr(&out)
    );
}
