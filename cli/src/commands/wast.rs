//! `wasmtier wast [--tier T] FILE.wast...`.

use wasmtier_spec_tests::run_wast_file;

use crate::args::WastArgs;
use crate::commands;
use crate::failure::Failure;
use crate::output;

pub fn run(args: WastArgs) -> Result<(), Failure> {
    // Fail up front, before any output, for an unavailable tier (rather than once per
    // directive) and for a missing file (the harness would count it as a failed directive).
    let config = commands::config(&args.tier, &args.wasm);
    commands::engine_from(&config)?;
    if let Some(missing) = args.files.iter().find(|path| !path.is_file()) {
        return Err(Failure::error(format!(
            "cannot read {}: no such file",
            missing.display()
        )));
    }

    let mut passed = 0;
    let mut failed = 0;
    for path in &args.files {
        let report = run_wast_file(path, &config);
        for failure in &report.failures {
            output::line(failure)?;
        }
        if args.files.len() > 1 {
            output::line(format_args!(
                "{}: {} passed, {} failed",
                path.display(),
                report.passed,
                report.failed
            ))?;
        }
        passed += report.passed;
        failed += report.failed;
    }
    output::line(format_args!("{passed} passed, {failed} failed"))?;
    if failed > 0 {
        // The failures were printed above: they are the result, not an error message.
        Err(Failure::Silent)
    } else {
        Ok(())
    }
}
