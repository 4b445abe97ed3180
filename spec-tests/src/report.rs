//! Results of running `.wast` scripts, and their text summaries.

use std::fmt::Write as _;

/// The outcome of one `.wast` script. Every directive counts once, as passed or failed.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct WastReport {
    pub file: String,
    pub passed: usize,
    pub failed: usize,
    /// One line per failed directive: `FILE:LINE: <directive kind>: <what went wrong>`.
    pub failures: Vec<String>,
}

impl WastReport {
    pub fn new(file: &str) -> WastReport {
        WastReport {
            file: file.to_string(),
            ..WastReport::default()
        }
    }

    /// Number of directives run.
    pub fn total(&self) -> usize {
        self.passed + self.failed
    }

    /// True when no directive failed.
    pub fn is_success(&self) -> bool {
        self.failed == 0
    }

    pub(crate) fn pass(&mut self) {
        self.passed += 1;
    }

    pub(crate) fn fail(&mut self, line: usize, kind: &str, what: &str) {
        self.failed += 1;
        self.failures
            .push(format!("{}:{line}: {kind}: {what}", self.file));
    }
}

/// Counters about how assertions were satisfied, for judging how strict a run was.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct WastStats {
    /// `assert_malformed` passed because the text did not parse (never reached wasmtier).
    pub malformed_rejected_by_text_parser: usize,
    /// `assert_malformed` passed because wasmtier reported `Error::Malformed`.
    pub malformed_rejected_as_malformed: usize,
    /// Binary `assert_malformed` passed only because wasmtier reported `Error::Invalid`.
    pub malformed_accepted_as_invalid: usize,
    /// Text `assert_malformed` that the text parser accepted (it is more permissive than the
    /// spec) and wasmtier then rejected with `Error::Invalid`.
    pub malformed_text_rejected_as_invalid: usize,
    /// Functions the JIT could not compile, which ran in the interpreter instead (zero in
    /// the interpreter tier, and for functions that never got hot under `auto`).
    pub funcs_left_to_interpreter: usize,
}

impl WastStats {
    pub fn add(&mut self, other: &WastStats) {
        self.malformed_rejected_by_text_parser += other.malformed_rejected_by_text_parser;
        self.malformed_rejected_as_malformed += other.malformed_rejected_as_malformed;
        self.malformed_accepted_as_invalid += other.malformed_accepted_as_invalid;
        self.malformed_text_rejected_as_invalid += other.malformed_text_rejected_as_invalid;
        self.funcs_left_to_interpreter += other.funcs_left_to_interpreter;
    }
}

/// A table with one row per file (`file`, `passed`, `failed`) and a total line.
pub fn format_summary(reports: &[WastReport]) -> String {
    let width = reports
        .iter()
        .map(|r| r.file.len())
        .chain([5])
        .max()
        .unwrap_or(5);
    let mut out = String::new();
    // Writing to a String cannot fail.
    let _ = writeln!(out, "{:<width$}  {:>7}  {:>7}", "file", "passed", "failed");
    let (mut passed, mut failed) = (0, 0);
    for report in reports {
        let _ = writeln!(
            out,
            "{:<width$}  {:>7}  {:>7}",
            report.file, report.passed, report.failed
        );
        passed += report.passed;
        failed += report.failed;
    }
    let _ = writeln!(
        out,
        "{:<width$}  {passed:>7}  {failed:>7}   ({} files, {} directives)",
        "TOTAL",
        reports.len(),
        passed + failed
    );
    out
}

/// Prints [`format_summary`] to stdout.
pub fn print_summary(reports: &[WastReport]) {
    print!("{}", format_summary(reports));
}

/// The failure lines of all reports, at most `max_lines` of them, plus a note of how many
/// were left out.
pub fn format_failures(reports: &[WastReport], max_lines: usize) -> String {
    let all: Vec<&String> = reports.iter().flat_map(|r| &r.failures).collect();
    let mut out = String::new();
    for line in all.iter().take(max_lines) {
        out.push_str(line);
        out.push('\n');
    }
    if all.len() > max_lines {
        let _ = writeln!(out, "... and {} more failures", all.len() - max_lines);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> Vec<WastReport> {
        let mut a = WastReport::new("a.wast");
        a.pass();
        a.pass();
        a.fail(3, "assert_return", "wrong");
        let mut b = WastReport::new("longer-name.wast");
        b.pass();
        vec![a, b]
    }

    #[test]
    fn failure_lines_name_file_line_and_kind() {
        let reports = sample();
        assert_eq!(reports[0].failures, ["a.wast:3: assert_return: wrong"]);
        assert_eq!(reports[0].total(), 3);
        assert!(!reports[0].is_success());
        assert!(reports[1].is_success());
    }

    #[test]
    fn summary_has_rows_and_total() {
        let text = format_summary(&sample());
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines.len(), 4);
        assert!(lines[1].starts_with("a.wast "));
        assert!(lines[1].ends_with("2        1"));
        assert!(lines[3].starts_with("TOTAL"));
        assert!(lines[3].contains("3        1   (2 files, 4 directives)"));
    }

    #[test]
    fn failures_are_capped() {
        let mut r = WastReport::new("x.wast");
        for line in 0..5 {
            r.fail(line, "invoke", "bad");
        }
        let text = format_failures(&[r], 2);
        assert_eq!(text.lines().count(), 3);
        assert!(text.ends_with("... and 3 more failures\n"));
    }
}
