//! How the harness classifies directives, on small scripts.
//!
//! The first group needs no wasm code to run (the modules fail before translation or never
//! reach wasmtier); the second group runs code and needs a working interpreter.

use wasmtier::Config;
use wasmtier_spec_tests::{WastReport, run_wast_file, run_wast_source, run_wast_source_with_stats};

fn run(source: &str) -> WastReport {
    run_wast_source("t.wast", source, &Config::new())
}

#[test]
fn script_that_does_not_parse_is_one_failure() {
    let report = run("(module)\n(assert_return (invoke \"f\") (i32.const))");
    assert_eq!((report.passed, report.failed), (0, 1));
    assert!(
        report.failures[0].starts_with("t.wast:2: parse: "),
        "{:?}",
        report.failures
    );
}

#[test]
fn unreadable_file_is_one_failure() {
    let report = run_wast_file("/nonexistent/dir/x.wast".as_ref(), &Config::new());
    assert_eq!((report.passed, report.failed), (0, 1));
    assert!(report.failures[0].starts_with("/nonexistent/dir/x.wast:0: read: "));
}

#[test]
fn malformed_modules() {
    let source = r#"
        (assert_malformed (module quote "(func i32.const)") "unexpected token")
        (assert_malformed (module binary "\00asm\02\00\00\00") "unknown binary version")
        (assert_malformed (module binary "\00asm\01\00\00\00") "but this one is well-formed")
    "#;
    let (report, stats) = run_wast_source_with_stats("t.wast", source, &Config::new());
    assert_eq!(
        (report.passed, report.failed),
        (2, 1),
        "{:?}",
        report.failures
    );
    assert_eq!(stats.malformed_rejected_by_text_parser, 1);
    assert_eq!(stats.malformed_rejected_as_malformed, 1);
    assert!(report.failures[0].starts_with("t.wast:4: assert_malformed: expected malformed"));
}

#[test]
fn invalid_module_outside_code() {
    // The limits are checked while decoding sections, before any function is translated.
    let report = run(
        r#"(assert_invalid (module (memory 2 1)) "size minimum must not be greater than maximum")"#,
    );
    assert_eq!(
        (report.passed, report.failed),
        (1, 0),
        "{:?}",
        report.failures
    );
}

#[test]
fn unsupported_directive_is_a_failure() {
    // (A script must not start with `wait`, or wast reads it as an inline module.)
    let report = run("(invoke \"f\")\n(wait $t)");
    assert_eq!((report.passed, report.failed), (0, 2));
    assert_eq!(
        report.failures[1],
        "t.wast:2: wait: the `wait` directive is not supported by this harness"
    );
}

#[test]
fn invoke_without_module() {
    let report = run(r#"(invoke "f")"#);
    assert_eq!(
        report.failures,
        ["t.wast:1: invoke: no current module (none defined, or the last one failed)"]
    );
}

#[test]
fn unavailable_tier_fails_every_directive() {
    let mut config = Config::new();
    config.tier(wasmtier::Tier::Jit);
    if wasmtier::Engine::new(&config).is_ok() {
        return; // The JIT exists now; nothing to check.
    }
    let report = run_wast_source("t.wast", "(module)\n(invoke \"f\")", &config);
    assert_eq!((report.passed, report.failed), (0, 2));
    assert!(report.failures[1].starts_with("t.wast:2: invoke: engine unavailable: "));
}

// ---- these run wasm code ----

#[test]
fn assertion_mismatches_are_reported() {
    let source = r#"(module
  (func (export "one") (result i32) i32.const 1)
  (func (export "nan") (result f64) f64.const nan:0x1)
  (func (export "trap") unreachable))
(assert_return (invoke "one") (i32.const 2))
(assert_return (invoke "nan") (f64.const nan:arithmetic))
(assert_trap (invoke "one") "unreachable")
(assert_trap (invoke "trap") "integer overflow")
(assert_return (invoke "missing"))
(assert_return (invoke "one") (i32.const 1))
"#;
    let report = run(source);
    assert_eq!(
        report.failures,
        [
            "t.wast:5: assert_return: result 0: expected i32.const 2, got i32.const 1",
            "t.wast:6: assert_return: result 0: expected f64.const nan:arithmetic, \
             got f64.const NaN (0x7ff0000000000001)",
            "t.wast:7: assert_trap: expected trap \"unreachable\", got [i32.const 1]",
            "t.wast:8: assert_trap: expected trap \"integer overflow\", got trap \"unreachable\"",
            "t.wast:9: assert_return: module (current) has no exported function \"missing\"",
        ]
    );
    assert_eq!(report.passed, 2);
}

#[test]
fn failed_module_is_not_current() {
    let source = r#"(module (func (export "f")))
(module (import "nowhere" "x" (func)))
(invoke "f")"#;
    let report = run(source);
    assert_eq!(report.passed, 1);
    assert!(report.failures[0].starts_with("t.wast:2: module: instantiation failed: link error"));
    assert!(report.failures[1].contains("no current module"));
}
