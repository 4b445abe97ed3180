//! Runs `.wast` scripts (the official spec suite and wasmtier's own) against wasmtier.
//!
//! Each script gets one [`wasmtier::Store`] with the standard `spectest` host module. Every
//! directive counts once as passed or failed; a directive wasmtier panics on is a failure
//! (`panicked: ...`), never an abort of the run. Failure lines read
//! `FILE:LINE: <directive kind>: <what went wrong>`.
//!
//! How directives are judged:
//! - `module` (text, `binary`, `quote`; optionally `$named`): must compile and instantiate;
//!   it becomes the current module. If it fails, there is no current module until the next.
//! - `register "name" $id?`: the instance's exports are defined as module `name`.
//! - `invoke`: must not fail. `assert_return`: the invocation or `get` must succeed with the
//!   expected values: integers and floats compared bit-exactly, `nan:canonical` /
//!   `nan:arithmetic` checked on the bits, `ref.null` by type, `ref.func` as any non-null
//!   funcref, `ref.extern N` by the host value `N` it was created with.
//! - `assert_trap` (invocation or module instantiation), `assert_exhaustion`: must fail with
//!   `Error::Trap` whose message contains the expected text.
//! - `assert_invalid`: compiling must fail with `Error::Invalid`.
//! - `assert_malformed`: the text parser must reject it, or compiling must fail with
//!   `Error::Malformed`; `Error::Invalid` is also accepted (and counted in [`WastStats`]),
//!   since the decoder wasmtier uses reports some binary-format errors as validation errors.
//! - `assert_unlinkable`: instantiating must fail with `Error::Link` containing the text.
//! - `module definition` / `module instance` are supported; any other directive kind
//!   (threads, exceptions, components) fails with "not supported by this harness".
//!
//! ```no_run
//! let config = wasmtier::Config::new();
//! let report = wasmtier_spec_tests::run_wast_file("tests/wast/smoke.wast".as_ref(), &config);
//! wasmtier_spec_tests::print_summary(&[report]);
//! ```

mod directive;
mod errors;
mod expect;
mod nan;
mod panic_guard;
mod parse;
mod report;
mod runner;
mod spectest;
mod values;

use std::path::Path;

pub use report::{WastReport, WastStats, format_failures, format_summary, print_summary};
pub use spectest::define_spectest;

use panic_guard::catch_panic;
use runner::Runner;

/// Runs the script `source`; `file` names it in failure messages.
pub fn run_wast_source(file: &str, source: &str, config: &wasmtier::Config) -> WastReport {
    run_wast_source_with_stats(file, source, config).0
}

/// Reads and runs a `.wast` file. A file that cannot be read is reported as one failure.
pub fn run_wast_file(path: &Path, config: &wasmtier::Config) -> WastReport {
    let file = path.display().to_string();
    match std::fs::read_to_string(path) {
        Ok(source) => run_wast_source(&file, &source, config),
        Err(e) => {
            let mut report = WastReport::new(&file);
            report.fail(0, "read", &e.to_string());
            report
        }
    }
}

/// [`run_wast_source`], plus counters about how assertions were satisfied.
pub fn run_wast_source_with_stats(
    file: &str,
    source: &str,
    config: &wasmtier::Config,
) -> (WastReport, WastStats) {
    let mut report = WastReport::new(file);
    let buffer = match parse::buffer(source) {
        Ok(buffer) => buffer,
        Err(e) => {
            report.fail(e.line, "parse", &e.message);
            return (report, WastStats::default());
        }
    };
    let directives = match catch_panic(|| parse::directives(&buffer, source)) {
        Ok(Ok(directives)) => directives,
        Ok(Err(e)) => {
            report.fail(e.line, "parse", &e.message);
            return (report, WastStats::default());
        }
        Err(panic) => {
            report.fail(1, "parse", &format!("panicked: {panic}"));
            return (report, WastStats::default());
        }
    };

    let mut runner = match catch_panic(|| Runner::new(config)) {
        Ok(Ok(runner)) => runner,
        // Without a store nothing can run: every directive fails with the reason.
        Ok(Err(reason)) | Err(reason) => {
            for d in &directives {
                report.fail(directive::line(d, source), directive::kind(d), &reason);
            }
            return (report, WastStats::default());
        }
    };
    for d in directives {
        let line = directive::line(&d, source);
        let kind = directive::kind(&d);
        match catch_panic(|| runner.run(d)) {
            Ok(Ok(())) => report.pass(),
            Ok(Err(what)) => report.fail(line, kind, &what),
            Err(panic) => report.fail(line, kind, &format!("panicked: {panic}")),
        }
    }
    let stats = runner.finish();
    (report, stats)
}
