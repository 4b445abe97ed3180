//! `wasmtier compile`, running precompiled modules, and the code cache of `run --tier=jit`
//! (`--cache-dir`, `--no-cache`, `$XDG_CACHE_HOME`). Whether the cache was hit is read from
//! `--stats` (`code cache: ...` on stderr), never from timing.

#![cfg(feature = "jit")]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

const EXIT_ERROR: i32 = 1;
const EXIT_TRAP: i32 = 3;

/// `outer(x)` = 100 / x through a call; `outer(0)` traps under two named frames.
const WAT: &str = r#"(module
    (func $inner (param i32) (result i32) (i32.div_u (i32.const 100) (local.get 0)))
    (func $outer (export "outer") (param i32) (result i32) (call $inner (local.get 0))))"#;

/// A fresh scratch directory for one test, holding `m.wat` (`WAT`).
fn scratch(name: &str) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!("cli-cache-{name}"));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("m.wat"), WAT).unwrap();
    dir
}

/// Runs `wasmtier ARGS` with `$XDG_CACHE_HOME` set to `xdg` (so that no test touches the
/// user's cache).
fn wasmtier(xdg: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_wasmtier"))
        .args(args)
        .env_remove("RUST_BACKTRACE")
        .env("XDG_CACHE_HOME", xdg)
        .output()
        .expect("failed to start the wasmtier binary")
}

fn stdout(out: &Output) -> String {
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

#[track_caller]
fn assert_prints(out: &Output, expected: &str) {
    assert!(out.status.success(), "{:?}: {}", out.status, stderr(out));
    assert_eq!(stdout(out), expected);
}

#[track_caller]
fn assert_error(out: &Output, needle: &str) {
    let err = stderr(out);
    assert_eq!(out.status.code(), Some(EXIT_ERROR), "{err}");
    assert!(!err.contains("panicked"), "{err}");
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(err.starts_with("error: ") && err.contains(needle), "{err}");
}

/// The `code cache: ...` line of `--stats`.
fn cache_line(out: &Output) -> String {
    stderr(out)
        .lines()
        .find_map(|l| l.trim().strip_prefix("code cache: ").map(str::to_string))
        .unwrap_or_else(|| panic!("no cache line in:\n{}", stderr(out)))
}

fn s(path: &Path) -> &str {
    path.to_str().expect("UTF-8 scratch path")
}

#[test]
fn compile_then_run_the_precompiled_module() {
    let dir = scratch("compile");
    let wat = dir.join("m.wat");
    let cwasm = dir.join("out.cwasm");
    let out = wasmtier(&dir, &["compile", s(&wat), "-o", s(&cwasm)]);
    assert_prints(&out, "");
    let out = wasmtier(
        &dir,
        &["run", "--stats", "--invoke", "outer", s(&cwasm), "5"],
    );
    assert_prints(&out, "20\n");
    assert_eq!(cache_line(&out), "precompiled module, nothing compiled");
    // --tier=jit is what it runs with anyway.
    let out = wasmtier(
        &dir,
        &["run", "--tier=jit", "--invoke", "outer", s(&cwasm), "4"],
    );
    assert_prints(&out, "25\n");
    // Traps and their backtraces work as with the module compiled on the spot.
    let out = wasmtier(&dir, &["run", "--invoke", "outer", s(&cwasm), "0"]);
    assert_eq!(out.status.code(), Some(EXIT_TRAP));
    assert_eq!(
        stderr(&out),
        "wasm trap: integer divide by zero\n  0: inner\n  1: outer\n"
    );
    // Without -o, the output is FILE.cwasm.
    let out = wasmtier(&dir, &["compile", s(&wat)]);
    assert_prints(&out, "");
    assert!(std::fs::read(dir.join("m.cwasm")).unwrap() == std::fs::read(&cwasm).unwrap());
    // No cache was involved.
    assert!(!dir.join("wasmtier").exists());
    // The input is never overwritten.
    let before = std::fs::read(&wat).unwrap();
    let out = wasmtier(&dir, &["compile", s(&wat), "-o", s(&wat)]);
    assert_error(&out, "the output would overwrite the input module");
    assert_eq!(std::fs::read(&wat).unwrap(), before);
}

#[test]
fn damaged_or_mismatching_precompiled_modules_are_refused() {
    let dir = scratch("refused");
    let cwasm = dir.join("m.cwasm");
    assert_prints(&wasmtier(&dir, &["compile", s(&dir.join("m.wat"))]), "");
    let good = std::fs::read(&cwasm).unwrap();
    let bad = dir.join("bad.cwasm");
    let run_bad = |bytes: &[u8]| {
        std::fs::write(&bad, bytes).unwrap();
        wasmtier(&dir, &["run", "--invoke", "outer", s(&bad), "5"])
    };
    assert_error(&run_bad(&good[..good.len() - 1]), "truncated");
    assert_error(&run_bad(&good[..40]), "truncated");
    let mut corrupted = good.clone();
    let middle = corrupted.len() / 2;
    corrupted[middle] ^= 4;
    assert_error(&run_bad(&corrupted), "corrupted");
    // Compiled without fuel metering, run with it (and the other way round).
    let out = wasmtier(
        &dir,
        &["run", "--fuel", "1000", "--invoke", "outer", s(&cwasm), "5"],
    );
    assert_error(&out, "another configuration");
    let fueled = dir.join("fueled.cwasm");
    let out = wasmtier(
        &dir,
        &[
            "compile",
            "--consume-fuel",
            s(&dir.join("m.wat")),
            "-o",
            s(&fueled),
        ],
    );
    assert_prints(&out, "");
    let out = wasmtier(
        &dir,
        &[
            "run",
            "--fuel",
            "1000",
            "--invoke",
            "outer",
            s(&fueled),
            "5",
        ],
    );
    assert_prints(&out, "20\n");
    assert_error(
        &wasmtier(&dir, &["run", "--invoke", "outer", s(&fueled), "5"]),
        "another configuration",
    );
    // Other wasm features.
    let out = wasmtier(
        &dir,
        &[
            "run",
            "-W",
            "tail-call=n",
            "--invoke",
            "outer",
            s(&cwasm),
            "5",
        ],
    );
    assert_error(&out, "another configuration");
    // Machine code does not run in the interpreter first.
    let out = wasmtier(
        &dir,
        &["run", "--tier=auto", "--invoke", "outer", s(&cwasm), "5"],
    );
    assert_error(&out, "--tier=jit");
    // Compiling a precompiled module, or a malformed binary.
    assert_error(
        &wasmtier(&dir, &["compile", s(&cwasm)]),
        "already a precompiled",
    );
    std::fs::write(dir.join("bad.wasm"), b"\0asn").unwrap();
    assert_error(
        &wasmtier(&dir, &["compile", s(&dir.join("bad.wasm"))]),
        "malformed",
    );
}

#[test]
fn run_caches_compiled_code() {
    let dir = scratch("cache-dir");
    let wat = dir.join("m.wat");
    let cache = dir.join("my-cache");
    let run = |extra: &[&str]| {
        let mut args = vec!["run", "--tier=jit", "--stats"];
        args.extend_from_slice(extra);
        args.extend_from_slice(&["--invoke", "outer", s(&wat), "5"]);
        let out = wasmtier(&dir, &args);
        assert_prints(&out, "20\n");
        cache_line(&out)
    };
    let first = run(&["--cache-dir", s(&cache)]);
    assert!(first.starts_with("compiled, stored"), "{first}");
    assert!(first.contains("my-cache"), "{first}");
    let second = run(&["--cache-dir", s(&cache)]);
    assert!(second.starts_with("hit, loaded"), "{second}");
    assert_eq!(std::fs::read_dir(&cache).unwrap().count(), 1);
    // --no-cache neither reads nor writes it.
    assert_eq!(run(&["--no-cache"]), "off");
    assert!(!dir.join("wasmtier").exists());
    // By default the cache is $XDG_CACHE_HOME/wasmtier.
    let default = run(&[]);
    assert!(default.starts_with("compiled, stored"), "{default}");
    assert_eq!(std::fs::read_dir(dir.join("wasmtier")).unwrap().count(), 1);
    assert!(run(&[]).starts_with("hit, loaded"));
    // A damaged entry is compiled again and replaced.
    let entry = std::fs::read_dir(&cache)
        .unwrap()
        .next()
        .unwrap()
        .unwrap()
        .path();
    std::fs::write(&entry, b"wtiercw\0 damaged").unwrap();
    let again = run(&["--cache-dir", s(&cache)]);
    assert!(again.starts_with("compiled, stored"), "{again}");
    assert!(run(&["--cache-dir", s(&cache)]).starts_with("hit, loaded"));
    // A cache directory that cannot be made never fails the run.
    let blocked = dir.join("file");
    std::fs::write(&blocked, "").unwrap();
    let unusable = run(&["--cache-dir", s(&blocked.join("sub"))]);
    assert!(unusable.starts_with("compiled, not stored"), "{unusable}");
    // Both flags at once make no sense.
    let out = wasmtier(
        &dir,
        &["run", "--no-cache", "--cache-dir", s(&cache), s(&wat)],
    );
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn the_cache_stays_under_its_size_limit() {
    let dir = scratch("limit");
    let cache = dir.join("cache");
    // Three different modules (each caches its own entry), run in turn.
    let run = |n: u32, max: &str| {
        let wat = dir.join(format!("m{n}.wat"));
        let body = format!("(module (func (export \"f\") (result i32) (i32.const {n})))");
        std::fs::write(&wat, body).unwrap();
        let args = [
            "run",
            "--tier=jit",
            "--stats",
            "--cache-dir",
            s(&cache),
            "--cache-max-size",
            max,
            "--invoke",
            "f",
            s(&wat),
        ];
        let out = wasmtier(&dir, &args);
        assert_prints(&out, &format!("{n}\n"));
        cache_line(&out)
    };
    let entries = || -> Vec<PathBuf> {
        let mut paths: Vec<PathBuf> = std::fs::read_dir(&cache)
            .unwrap()
            .map(|e| e.unwrap().path())
            .collect();
        paths.sort();
        paths
    };
    for n in 0..3 {
        assert!(run(n, "1G").starts_with("compiled, stored"));
    }
    assert_eq!(entries().len(), 3);
    let size = std::fs::metadata(&entries()[0]).unwrap().len();
    // Room for two entries: storing a fourth evicts the least recently used ones (module 1,
    // then 2: module 0's hit made it recent again) until the rest fit in 90 % of the limit.
    assert!(run(0, "1G").starts_with("hit"));
    let limit = (size * 2 + size / 2).to_string();
    assert!(run(3, &limit).starts_with("compiled, stored"));
    assert_eq!(entries().len(), 2);
    assert!(
        run(0, &limit).starts_with("hit"),
        "the recently used entry stays"
    );
    assert!(run(3, &limit).starts_with("hit"), "the new entry stays");
    // A bad size is a usage error.
    let wat = dir.join("m0.wat");
    let out = wasmtier(&dir, &["run", "--cache-max-size", "lots", s(&wat)]);
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn other_tiers_do_not_use_the_cache() {
    let dir = scratch("tiers");
    let cache = dir.join("cache");
    for tier in ["--tier=auto", "--tier=interp"] {
        let out = wasmtier(
            &dir,
            &[
                "run",
                tier,
                "--stats",
                "--cache-dir",
                s(&cache),
                "--invoke",
                "outer",
                s(&dir.join("m.wat")),
                "5",
            ],
        );
        assert_prints(&out, "20\n");
        assert!(!stderr(&out).contains("code cache"), "{}", stderr(&out));
    }
    assert!(!cache.exists());
}

#[test]
fn concurrent_runs_store_one_entry() {
    let dir = scratch("concurrent");
    let cache = dir.join("cache");
    let wat = dir.join("m.wat");
    let children: Vec<_> = (0..4)
        .map(|_| {
            Command::new(env!("CARGO_BIN_EXE_wasmtier"))
                .args(["run", "--tier=jit", "--stats", "--cache-dir", s(&cache)])
                .args(["--invoke", "outer", s(&wat), "5"])
                .env("XDG_CACHE_HOME", &dir)
                .stdout(std::process::Stdio::piped())
                .stderr(std::process::Stdio::piped())
                .spawn()
                .unwrap()
        })
        .collect();
    for child in children {
        let out = child.wait_with_output().unwrap();
        assert_prints(&out, "20\n");
        let line = cache_line(&out);
        assert!(
            line.starts_with("compiled, stored") || line.starts_with("hit, loaded"),
            "{line}"
        );
    }
    let entries: Vec<_> = std::fs::read_dir(&cache).unwrap().collect();
    assert_eq!(
        entries.len(),
        1,
        "one entry, no temporary files: {entries:?}"
    );
    let out = wasmtier(
        &dir,
        &[
            "run",
            "--tier=jit",
            "--stats",
            "--cache-dir",
            s(&cache),
            "--invoke",
            "outer",
            s(&wat),
            "5",
        ],
    );
    assert!(cache_line(&out).starts_with("hit, loaded"));
}
