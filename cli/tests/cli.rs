//! End-to-end tests of the `wasmtier` binary: output, error messages and exit codes.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

const EXIT_ERROR: i32 = 1;
const EXIT_USAGE: i32 = 2;
const EXIT_TRAP: i32 = 3;

fn repo_file(relative: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("..")
        .join(relative)
}

fn data_file(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data")
        .join(name)
}

/// A path in Cargo's per-target scratch directory, unique to the calling test.
fn scratch_file(name: &str) -> PathBuf {
    Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!("cli-test-{}-{name}", std::process::id()))
}

fn wasmtier(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_wasmtier"))
        .args(args)
        // With RUST_BACKTRACE set, the CLI deliberately shows Rust's panic output too; the tests
        // check the output users normally see.
        .env_remove("RUST_BACKTRACE")
        // --tier=jit runs fill the code cache: a scratch one, not the user's.
        .env(
            "XDG_CACHE_HOME",
            Path::new(env!("CARGO_TARGET_TMPDIR")).join("xdg-cache"),
        )
        .output()
        .expect("failed to start the wasmtier binary")
}

/// Runs `wasmtier run OPTIONS examples/EXAMPLE ARGS`.
fn run_example(options: &[&str], example: &str, args: &[&str]) -> Output {
    let path = repo_file(&format!("examples/{example}"));
    let mut all = vec!["run"];
    all.extend_from_slice(options);
    all.push(path.to_str().expect("non-UTF-8 checkout path"));
    all.extend_from_slice(args);
    wasmtier(&all)
}

fn stdout(out: &Output) -> String {
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

#[track_caller]
fn assert_success(out: &Output, expected_stdout: &str) {
    assert!(
        out.status.success(),
        "expected success, got {:?}\nstderr:\n{}",
        out.status,
        stderr(out)
    );
    assert_eq!(stdout(out), expected_stdout);
}

/// An error: exit code 1, exactly one `error: ` line on stderr mentioning `needle`, no panic.
#[track_caller]
fn assert_error(out: &Output, needle: &str) {
    let err = stderr(out);
    assert!(!err.contains("panicked"), "panic output in stderr:\n{err}");
    assert_eq!(out.status.code(), Some(EXIT_ERROR), "stderr:\n{err}");
    let lines: Vec<&str> = err.lines().collect();
    assert_eq!(lines.len(), 1, "expected one line of stderr, got:\n{err}");
    assert!(lines[0].starts_with("error: "), "stderr:\n{err}");
    assert!(
        lines[0].contains(needle),
        "expected `{needle}` in the error, got:\n{err}"
    );
}

// ---- run: results -------------------------------------------------------------------------

#[test]
fn fac_20() {
    let out = run_example(&["--invoke", "fac"], "fac.wat", &["20"]);
    assert_success(&out, "2432902008176640000\n");
}

#[test]
fn fib_and_loop_examples() {
    assert_success(
        &run_example(&["--invoke=fib"], "fib.wat", &["20"]),
        "6765\n",
    );
    assert_success(
        &run_example(&["--invoke=fib64"], "fib.wat", &["90"]),
        "2880067194370816120\n",
    );
    assert_success(
        &run_example(&["--invoke=sum_loop"], "loop.wat", &["1000"]),
        &format!("{}\n", (0u64..1000).map(|i| i * i % 1_000_003).sum::<u64>()),
    );
    assert_success(&run_example(&["--invoke=hello"], "hello.wat", &[]), "42\n");
}

#[test]
fn tail_calls_run_deep_and_can_be_switched_off() {
    for tier in ["--tier=interp", "--tier=jit", "--tier=auto"] {
        assert_success(
            &run_example(&[tier, "--invoke=even"], "tail_call.wat", &["10000000"]),
            "1\n",
        );
    }
    assert_error(
        &run_example(
            &["-W", "tail-call=n", "--invoke=even"],
            "tail_call.wat",
            &["1"],
        ),
        "tail calls support is not enabled",
    );
    let out = run_example(
        &["-W", "tail-calls", "--invoke=even"],
        "tail_call.wat",
        &["1"],
    );
    assert_eq!(out.status.code(), Some(2), "a usage error");
    assert!(stderr(&out).contains("unknown feature `tail-calls` (known: tail-call"));
}

#[test]
fn gc_types_are_on_by_default_and_can_be_switched_off() {
    // A subtype's function through `call_indirect` of its supertype; a struct type.
    let path = scratch_file("gc-types.wat");
    std::fs::write(
        &path,
        r#"(module
  (type $t (sub (func (result i32))))
  (type $s (sub $t (func (result i32))))
  (type $pt (struct (field i32)))
  (func $f (type $s) (i32.const 7))
  (table funcref (elem $f))
  (func (export "run") (param (ref null $pt)) (result i32)
    (call_indirect (type $t) (i32.const 0))))"#,
    )
    .unwrap();
    let file = path.to_str().expect("non-UTF-8 scratch path");
    for tier in ["--tier=interp", "--tier=jit", "--tier=auto"] {
        assert_success(
            &wasmtier(&["run", tier, "--invoke=run", file, "null"]),
            "7\n",
        );
    }
    assert_error(
        &wasmtier(&["run", "-W", "gc=n", "--invoke=run", file, "null"]),
        "gc proposal must be enabled",
    );
    // A GC instruction is refused, not run.
    std::fs::write(
        &path,
        r#"(module (type $pt (struct (field i32)))
             (func (export "run") (result i32)
               (struct.get $pt 0 (struct.new $pt (i32.const 1)))))"#,
    )
    .unwrap();
    assert_error(
        &wasmtier(&["run", "--invoke=run", file]),
        "are not supported yet",
    );
    let _ = std::fs::remove_file(&path);
}

#[test]
fn memory64_grows_past_4_gib_when_allowed_and_can_be_switched_off() {
    for tier in ["--tier=interp", "--tier=jit", "--tier=auto"] {
        let out = run_example(
            &[tier, "--max-memory-pages=81920", "--invoke=touch_gibs"],
            "memory64.wat",
            &["81919"],
        );
        assert_success(&out, "10\n");
        // The default limit is 4 GiB: memory.grow returns -1.
        let out = run_example(&[tier, "--invoke=touch_gibs"], "memory64.wat", &["81919"]);
        assert_success(&out, "-1\n");
    }
    assert_error(
        &run_example(
            &["-W", "memory64=n", "--invoke=touch_gibs"],
            "memory64.wat",
            &["1"],
        ),
        "memory64 must be enabled",
    );
}

#[test]
fn tier_interp_is_explicitly_accepted() {
    let out = run_example(&["--tier=interp", "--invoke", "fac"], "fac.wat", &["5"]);
    assert_success(&out, "120\n");
}

#[test]
fn default_entry_is_start() {
    let path = data_file("start.wat");
    let out = wasmtier(&["run", path.to_str().unwrap()]);
    assert_success(&out, "7\n");
}

#[test]
fn argument_syntax() {
    let values = data_file("values.wat");
    let values = values.to_str().unwrap();
    let run = |func: &str, args: &[&str]| {
        let mut all = vec!["run", "--invoke", func, values];
        all.extend_from_slice(args);
        wasmtier(&all)
    };
    assert_success(&run("i32_id", &["-5"]), "-5\n");
    assert_success(&run("i32_id", &["0x10"]), "16\n");
    assert_success(&run("i32_id", &["0xffffffff"]), "-1\n");
    assert_success(
        &run("i64_id", &["-9223372036854775808"]),
        "-9223372036854775808\n",
    );
    assert_success(&run("f32_id", &["1.5"]), "1.5\n");
    assert_success(&run("f32_id", &["-inf"]), "-inf\n");
    assert_success(&run("f64_half", &["3"]), "1.5\n");
    assert_success(&run("f64_half", &["nan"]), "NaN\n");
    assert_success(&run("pair", &["1", "2"]), "2\n1\n");
    assert_success(&run("nothing", &[]), "");
    assert_success(&run("null_ref", &[]), "null\n");
}

// ---- run: traps ---------------------------------------------------------------------------

#[test]
fn div_by_zero_traps() {
    let out = run_example(&["--invoke", "div"], "div.wat", &["1", "0"]);
    let err = stderr(&out);
    assert!(!err.contains("panicked"), "{err}");
    assert_eq!(out.status.code(), Some(EXIT_TRAP), "stderr:\n{err}");
    assert_eq!(
        err.lines().next(),
        Some("wasm trap: integer divide by zero"),
        "stderr:\n{err}"
    );
    assert_eq!(stdout(&out), "");
}

#[test]
fn div_without_trap() {
    assert_success(
        &run_example(&["--invoke", "div"], "div.wat", &["-7", "2"]),
        "-3\n",
    );
}

#[test]
fn unreachable_trap_has_backtrace_lines() {
    let path = data_file("values.wat");
    let out = wasmtier(&["run", "--invoke", "boom", path.to_str().unwrap()]);
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(EXIT_TRAP), "stderr:\n{err}");
    let mut lines = err.lines();
    assert_eq!(lines.next(), Some("wasm trap: unreachable"));
    for (i, frame) in lines.enumerate() {
        assert!(
            frame.starts_with(&format!("  {i}: ")),
            "bad frame line: {frame}"
        );
    }
}

#[test]
fn stack_overflow_backtrace_is_capped() {
    let path = data_file("recurse.wat");
    let out = wasmtier(&["run", "--invoke", "down", path.to_str().unwrap(), "1"]);
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(EXIT_TRAP), "stderr:\n{err}");
    let lines: Vec<&str> = err.lines().collect();
    assert_eq!(lines[0], "wasm trap: call stack exhausted");
    assert!(lines.len() <= 102, "{} lines of backtrace", lines.len());
    if lines.len() == 102 {
        assert!(lines[101].starts_with("  ... ") && lines[101].ends_with(" more frames"));
    }
}

// ---- run: errors --------------------------------------------------------------------------

#[test]
fn missing_file() {
    let out = wasmtier(&["run", "--invoke", "f", "/nonexistent/dir/missing.wasm"]);
    assert_error(&out, "missing.wasm");
}

#[test]
fn malformed_module() {
    let path = scratch_file("garbage.wasm");
    std::fs::write(&path, b"\x01\x02this is not wasm\xff\xfe").unwrap();
    let out = wasmtier(&["run", "--invoke", "f", path.to_str().unwrap()]);
    std::fs::remove_file(&path).ok();
    assert_error(&out, "malformed");
}

#[test]
fn malformed_text() {
    let path = scratch_file("broken.wat");
    std::fs::write(
        &path,
        "(module (func (export \"f\") (result i32) i32.const))",
    )
    .unwrap();
    let out = wasmtier(&["run", "--invoke", "f", path.to_str().unwrap()]);
    std::fs::remove_file(&path).ok();
    assert_error(&out, "broken.wat");
}

#[test]
fn invalid_module() {
    let path = scratch_file("invalid.wat");
    std::fs::write(
        &path,
        "(module (func (export \"f\") (result i32) i64.const 0))",
    )
    .unwrap();
    let out = wasmtier(&["run", "--invoke", "f", path.to_str().unwrap()]);
    std::fs::remove_file(&path).ok();
    assert_error(&out, "invalid");
}

#[test]
fn unknown_export() {
    let out = run_example(&["--invoke", "nope"], "fac.wat", &["1"]);
    assert_error(&out, "unknown export function `nope`");
}

#[test]
fn unknown_export_lists_a_few_names_and_counts_the_rest() {
    // 5000 exports, one with a long name holding a control character.
    let mut wat = String::from("(module (func $f)\n");
    wat.push_str(&format!(
        "(export \"a\\0ab{}\" (func $f))\n",
        "x".repeat(500)
    ));
    for i in 0..4999 {
        wat.push_str(&format!("(export \"f{i}\" (func $f))\n"));
    }
    wat.push(')');
    let path = scratch_file("many_exports.wat");
    std::fs::write(&path, wat).unwrap();
    let out = wasmtier(&["run", "--invoke", "nope", path.to_str().unwrap()]);
    std::fs::remove_file(&path).ok();
    assert_error(&out, "unknown export function `nope`");
    let err = stderr(&out);
    assert!(err.len() < 1024, "{} bytes of stderr: {err}", err.len());
    assert!(err.contains("`f0`, `f1`"), "{err}");
    assert!(err.contains("and 4990 more"), "{err}");
    // The long name is escaped and cut.
    assert!(
        err.contains(&format!("`a\\nb{}`...", "x".repeat(61))),
        "{err}"
    );
}

#[test]
fn no_invoke_and_no_start() {
    let out = run_example(&[], "fac.wat", &[]);
    assert_error(&out, "no --invoke given and module has no `_start` export");
}

#[test]
fn option_after_file_gets_a_hint() {
    // Clap stops looking for options at the first function argument.
    let out = run_example(&[], "fac.wat", &["3", "--invoke", "fac"]);
    assert_error(&out, "options must come before the function arguments");
}

#[test]
fn wrong_arg_count() {
    assert_error(
        &run_example(&["--invoke", "fac"], "fac.wat", &[]),
        "expects 1 argument, got 0",
    );
    assert_error(
        &run_example(&["--invoke", "fac"], "fac.wat", &["1", "2"]),
        "expects 1 argument, got 2",
    );
}

#[test]
fn unparsable_arg() {
    let out = run_example(&["--invoke", "div"], "div.wat", &["1", "two"]);
    assert_error(&out, "argument 2");
    assert!(stderr(&out).contains("`two`"), "{}", stderr(&out));
    assert_error(
        &run_example(&["--invoke", "div"], "div.wat", &["1", "4294967296"]),
        "argument 2",
    );
    assert_error(
        &run_example(&["--invoke", "fac"], "fac.wat", &["1.5"]),
        "argument 1",
    );
}

#[test]
fn bad_tier_value() {
    let out = run_example(&["--tier=fast", "--invoke", "fac"], "fac.wat", &["1"]);
    let err = stderr(&out);
    assert!(!err.contains("panicked"), "{err}");
    assert_eq!(out.status.code(), Some(EXIT_USAGE), "stderr:\n{err}");
    let first = err.lines().next().unwrap_or_default();
    assert!(
        first.starts_with("error: ") && first.contains("fast"),
        "stderr:\n{err}"
    );
}

#[test]
fn jit_tier_works_or_says_not_available() {
    let out = run_example(&["--tier=jit", "--invoke", "fac"], "fac.wat", &["20"]);
    if !out.status.success() {
        assert_error(&out, "tier `jit` is not");
    } else {
        assert_eq!(stdout(&out), "2432902008176640000\n");
    }
}

#[test]
fn auto_tier_works_in_every_build() {
    // Without the JIT, `auto` is the interpreter alone.
    for options in [
        &["--tier=auto"][..],
        &["--tier=auto", "--tier-threshold=1", "--sync-compile"],
    ] {
        let mut all = options.to_vec();
        all.push("--invoke=fib");
        assert_success(&run_example(&all, "fib.wat", &["25"]), "75025\n");
    }
}

#[test]
fn stats_go_to_stderr_and_name_the_hot_functions() {
    let out = run_example(
        &[
            "--tier=auto",
            "--stats",
            "--tier-threshold=10",
            "--sync-compile",
            "--invoke=fib",
        ],
        "fib.wat",
        &["20"],
    );
    assert_success(&out, "6765\n");
    let err = stderr(&out);
    assert!(err.starts_with("wasmtier stats (tier auto"), "{err}");
    assert!(err.contains("functions run only interpreted: 0"), "{err}");
    // `fib64` is never called, so never translated.
    assert!(
        err.contains("functions translated to bytecode: 1 of 2"),
        "{err}"
    );
    if cfg!(feature = "jit") {
        assert!(err.contains("top functions by calls:"), "{err}");
        assert!(err.contains("functions promoted to the JIT:  1"), "{err}");
        // Every call of fib(20) is counted, interpreted or compiled.
        assert!(err.contains("21891  jit              fib"), "{err}");
    }
}

#[test]
fn stats_are_printed_after_a_trap_too() {
    let out = run_example(
        &["--tier=auto", "--stats", "--invoke=div"],
        "div.wat",
        &["1", "0"],
    );
    assert_eq!(out.status.code(), Some(EXIT_TRAP));
    let err = stderr(&out);
    assert!(err.contains("wasm trap: integer divide by zero"), "{err}");
    assert!(err.contains("wasmtier stats (tier auto"), "{err}");
}

#[test]
fn tier_threshold_must_be_positive() {
    let out = run_example(
        &["--tier=auto", "--tier-threshold=0", "--invoke=fib"],
        "fib.wat",
        &["1"],
    );
    assert_eq!(out.status.code(), Some(EXIT_USAGE), "{}", stderr(&out));
}

#[test]
fn timeout_interrupts_a_runaway_guest_in_every_tier() {
    let path = scratch_file("spin.wat");
    std::fs::write(
        &path,
        r#"(module (func (export "spin") (loop $l (br $l))))"#,
    )
    .unwrap();
    for tier in ["--tier=interp", "--tier=jit", "--tier=auto"] {
        let start = std::time::Instant::now();
        let out = wasmtier(&[
            "run",
            tier,
            "--timeout=0.2",
            "--invoke=spin",
            path.to_str().unwrap(),
        ]);
        if tier == "--tier=jit" && out.status.code() == Some(EXIT_ERROR) {
            continue; // a build without the JIT
        }
        assert_eq!(
            out.status.code(),
            Some(EXIT_TRAP),
            "{tier}: {}",
            stderr(&out)
        );
        assert!(
            stderr(&out).starts_with("wasm trap: interrupted"),
            "{}",
            stderr(&out)
        );
        assert!(start.elapsed() < std::time::Duration::from_secs(10));
    }
    std::fs::remove_file(&path).ok();
    let out = wasmtier(&["run", "--timeout=-1", "--invoke=spin", "x.wat"]);
    assert_eq!(out.status.code(), Some(EXIT_USAGE));
}

#[test]
fn memory_and_call_depth_limits_from_the_command_line() {
    let path = scratch_file("limits.wat");
    std::fs::write(
        &path,
        r#"(module (memory 1)
             (func (export "grow") (param i32) (result i32) (memory.grow (local.get 0)))
             (func $down (export "down") (param i32) (result i32)
               (if (result i32) (i32.eqz (local.get 0)) (then (i32.const 0))
                 (else (call $down (i32.sub (local.get 0) (i32.const 1)))))))"#,
    )
    .unwrap();
    let file = path.to_str().unwrap();
    let grow = |pages: &str, delta: &str| {
        wasmtier(&[
            "run",
            &format!("--max-memory-pages={pages}"),
            "--invoke=grow",
            file,
            delta,
        ])
    };
    assert_success(&grow("4", "3"), "1\n");
    assert_success(&grow("4", "4"), "-1\n");
    let down = |depth: &str, n: &str| {
        wasmtier(&[
            "run",
            &format!("--max-call-depth={depth}"),
            "--invoke=down",
            file,
            n,
        ])
    };
    assert_success(&down("100", "50"), "0\n");
    let out = down("100", "500");
    assert_eq!(out.status.code(), Some(EXIT_TRAP));
    assert!(
        stderr(&out).starts_with("wasm trap: call stack exhausted"),
        "{}",
        stderr(&out)
    );
    if cfg!(feature = "jit") {
        // Compiled code is bounded by native stack bytes instead.
        let jit_down = |bytes: &str, n: &str| {
            let limit = format!("--max-wasm-stack={bytes}");
            wasmtier(&["run", "--tier=jit", &limit, "--invoke=down", file, n])
        };
        assert_success(&jit_down("1000000", "100"), "0\n");
        let out = jit_down("65536", "100000");
        assert_eq!(out.status.code(), Some(EXIT_TRAP));
        assert!(
            stderr(&out).starts_with("wasm trap: call stack exhausted"),
            "{}",
            stderr(&out)
        );
    }
    std::fs::remove_file(&path).ok();
}

#[test]
fn missing_import() {
    let path = data_file("imports.wat");
    let out = wasmtier(&["run", "--invoke", "main", path.to_str().unwrap()]);
    assert_error(&out, "unknown import");
    assert!(stderr(&out).contains("env::print"), "{}", stderr(&out));
}

// ---- validate -----------------------------------------------------------------------------

#[test]
fn validate_ok() {
    let path = repo_file("examples/fac.wat");
    assert_success(&wasmtier(&["validate", path.to_str().unwrap()]), "ok\n");
}

#[test]
fn validate_reports_invalid() {
    let path = scratch_file("validate-invalid.wat");
    std::fs::write(&path, "(module (func (result i32)))").unwrap();
    let out = wasmtier(&["validate", path.to_str().unwrap()]);
    std::fs::remove_file(&path).ok();
    assert_error(&out, "invalid module");
    assert_eq!(stdout(&out), "");
}

#[test]
fn validate_missing_file() {
    assert_error(&wasmtier(&["validate", "/nonexistent/x.wat"]), "x.wat");
}

// ---- inspect ------------------------------------------------------------------------------

#[test]
fn inspect_bytecode_of_fac() {
    let path = repo_file("examples/fac.wat");
    let path = path.to_str().unwrap();
    for args in [
        vec!["inspect", "--bytecode", path],
        vec!["inspect", "--bytecode", path, "fac"],
        vec!["inspect", "--bytecode", path, "0"],
    ] {
        let out = wasmtier(&args);
        assert!(out.status.success(), "{args:?}: {}", stderr(&out));
        let text = stdout(&out);
        assert!(
            text.lines().count() > 1,
            "{args:?}: listing too short:\n{text}"
        );
        assert!(text.starts_with(";; export \"fac\"\n"), "{args:?}:\n{text}");
    }
}

#[test]
fn inspect_bytecode_lists_every_function() {
    // Functions are translated on their first call: inspection translates them all.
    let path = repo_file("examples/fib.wat");
    let out = wasmtier(&["inspect", "--bytecode", path.to_str().unwrap()]);
    assert!(out.status.success(), "{}", stderr(&out));
    let text = stdout(&out);
    assert!(text.contains(";; export \"fib\"\n"), "{text}");
    assert!(text.contains(";; export \"fib64\"\n"), "{text}");
}

#[test]
fn inspect_bytecode_unknown_func() {
    let path = repo_file("examples/fac.wat");
    let out = wasmtier(&["inspect", "--bytecode", path.to_str().unwrap(), "nope"]);
    assert_error(&out, "no function `nope`");
}

#[test]
fn inspect_imported_func_has_no_bytecode() {
    let path = data_file("imports.wat");
    let out = wasmtier(&["inspect", "--bytecode", path.to_str().unwrap(), "0"]);
    assert_error(&out, "imported");
}

#[test]
fn inspect_lists_imports_and_exports() {
    let path = data_file("imports.wat");
    let out = wasmtier(&["inspect", path.to_str().unwrap()]);
    assert_success(
        &out,
        "imports:\n  env::print: (func (param i32))\nexports:\n  main: (func)\n",
    );
    let path = data_file("values.wat");
    let out = wasmtier(&["inspect", path.to_str().unwrap()]);
    assert!(out.status.success(), "{}", stderr(&out));
    let text = stdout(&out);
    assert!(text.starts_with("imports:\n  (none)\nexports:\n"), "{text}");
    assert!(
        text.contains("  i64_id: (func (param i64) (result i64))\n"),
        "{text}"
    );
    assert!(text.contains("  mem: (memory 1)\n"), "{text}");
    let path = data_file("memory64.wat");
    let out = wasmtier(&["inspect", path.to_str().unwrap()]);
    assert_success(
        &out,
        "imports:\n  (none)\nexports:\n  table: (table i64 2 funcref)\n  \
         memory: (memory i64 1 2)\n",
    );
}

// ---- wast ---------------------------------------------------------------------------------

fn last_line(text: &str) -> &str {
    text.lines().last().unwrap_or_default()
}

/// Parses the summary line `N passed, M failed`.
fn summary(text: &str) -> (usize, usize) {
    let line = last_line(text);
    let parsed = line.split_once(" passed, ").and_then(|(p, rest)| {
        let f = rest.strip_suffix(" failed")?;
        Some((p.parse().ok()?, f.parse().ok()?))
    });
    parsed.unwrap_or_else(|| panic!("bad summary line `{line}` in:\n{text}"))
}

#[test]
fn wast_passing_file() {
    let path = data_file("pass.wast");
    let out = wasmtier(&["wast", path.to_str().unwrap()]);
    let text = stdout(&out);
    assert!(
        out.status.success(),
        "stdout:\n{text}\nstderr:\n{}",
        stderr(&out)
    );
    let (passed, failed) = summary(&text);
    assert_eq!(failed, 0, "{text}");
    // Four assertions, plus the module definition if the harness counts it.
    assert!(passed == 4 || passed == 5, "{text}");
    assert_eq!(
        text.lines().count(),
        1,
        "only the summary expected:\n{text}"
    );
}

#[test]
fn wast_failing_file() {
    let path = data_file("fail.wast");
    let out = wasmtier(&["wast", path.to_str().unwrap()]);
    let text = stdout(&out);
    assert_eq!(out.status.code(), Some(EXIT_ERROR), "stdout:\n{text}");
    assert!(!stderr(&out).contains("panicked"), "{}", stderr(&out));
    let (passed, failed) = summary(&text);
    assert_eq!(failed, 1, "{text}");
    assert!(passed == 1 || passed == 2, "{text}");
    assert!(
        text.lines().any(|l| l.contains("fail.wast:8:")),
        "expected a failure line for line 8:\n{text}"
    );
}

#[test]
fn wast_totals_over_several_files() {
    let pass = data_file("pass.wast");
    let fail = data_file("fail.wast");
    let out = wasmtier(&["wast", pass.to_str().unwrap(), fail.to_str().unwrap()]);
    let text = stdout(&out);
    assert_eq!(out.status.code(), Some(EXIT_ERROR), "stdout:\n{text}");
    let (passed, failed) = summary(&text);
    assert_eq!(failed, 1, "{text}");
    assert!((5..=7).contains(&passed), "{text}");
}

#[test]
fn wast_missing_file() {
    assert_error(&wasmtier(&["wast", "/nonexistent/x.wast"]), "x.wast");
}

// ---- usage --------------------------------------------------------------------------------

#[test]
fn usage_errors_exit_2() {
    let out = wasmtier(&["frobnicate"]);
    assert_eq!(out.status.code(), Some(EXIT_USAGE));
    assert!(stderr(&out).starts_with("error: "), "{}", stderr(&out));
    let out = wasmtier(&["run"]);
    assert_eq!(out.status.code(), Some(EXIT_USAGE));
}

#[test]
fn help_works() {
    let out = wasmtier(&["--help"]);
    assert!(out.status.success());
    for command in ["run", "validate", "inspect", "wast"] {
        assert!(stdout(&out).contains(command), "{}", stdout(&out));
    }
}

/// `--emit-clif DIR` writes each compiled function's Cranelift IR to `DIR/INDEX[-NAME].clif`,
/// creating DIR, and the program still runs.
#[test]
fn emit_clif_writes_one_file_per_function() {
    let dir = scratch_file("clif").join("nested");
    let _ = std::fs::remove_dir_all(&dir);
    let dir_arg = dir.to_str().expect("non-UTF-8 scratch path");
    let out = run_example(
        &["--tier=jit", "--emit-clif", dir_arg, "--invoke", "fib"],
        "fib.wat",
        &["20"],
    );
    assert_success(&out, "6765\n");
    let mut names: Vec<String> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .collect();
    names.sort();
    // Function 0 is `$fib` in the name section; function 1 has no name.
    assert_eq!(names, ["0-fib.clif", "1.clif"]);
    for name in &names {
        let clif = std::fs::read_to_string(dir.join(name)).unwrap();
        assert!(clif.starts_with("function "), "{name}:\n{clif}");
    }
    let _ = std::fs::remove_dir_all(scratch_file("clif"));
}

/// `--emit-clif` fails with an error, not a panic, where it cannot write or would do nothing.
#[test]
fn emit_clif_errors() {
    // A directory in the way of the file to write.
    let dir = scratch_file("clif-blocked");
    std::fs::create_dir_all(dir.join("0-fib.clif")).unwrap();
    let dir_arg = dir.to_str().expect("non-UTF-8 scratch path");
    let out = run_example(
        &["--tier=jit", "--emit-clif", dir_arg, "--invoke", "fib"],
        "fib.wat",
        &["20"],
    );
    assert_error(&out, "cannot write");
    // A file where the directory should be.
    let file = scratch_file("clif-file");
    std::fs::write(&file, "").unwrap();
    let file_arg = file.to_str().expect("non-UTF-8 scratch path");
    let out = run_example(
        &["--tier=jit", "--emit-clif", file_arg, "--invoke", "fib"],
        "fib.wat",
        &["20"],
    );
    assert_error(&out, "cannot create the --emit-clif directory");
    // Only `--tier=jit` compiles modules up front.
    let out = run_example(
        &["--emit-clif", dir_arg, "--invoke", "fib"],
        "fib.wat",
        &["20"],
    );
    assert_error(&out, "--emit-clif needs --tier=jit");
    let _ = std::fs::remove_dir_all(&dir);
    let _ = std::fs::remove_file(&file);
}
