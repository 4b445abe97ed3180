//! How a command fails, and how each kind of failure is reported and mapped to an exit code.

use std::io::Write;
use std::process::ExitCode;

use wasmtier::Trap;

/// Exit code of an ordinary error (bad input file, unknown export, missing import, ...).
pub const EXIT_ERROR: u8 = 1;
/// Exit code when the guest traps.
pub const EXIT_TRAP: u8 = 3;
/// Exit code when wasmtier itself panicked; matches Rust's own panic exit code.
pub const EXIT_INTERNAL: u8 = 101;

/// A stack overflow has one frame per call level (tens of thousands); the innermost frames
/// are the ones that explain a trap.
const MAX_BACKTRACE_FRAMES: usize = 100;

#[derive(Debug)]
pub enum Failure {
    /// A one-line error message (without the `error: ` prefix).
    Error(String),
    /// The guest trapped; printed with its backtrace.
    Trap(Trap),
    /// The command already printed its findings (e.g. failed wast directives); exit 1 quietly.
    Silent,
    /// wasmtier panicked: the panic message and location.
    Internal(String),
}

impl Failure {
    pub fn error(message: impl Into<String>) -> Failure {
        Failure::Error(message.into())
    }

    /// Prints the failure to stderr and returns the exit code for it.
    pub fn report(self) -> ExitCode {
        // Write errors are ignored: stderr is the last channel left to report anything on.
        let mut err = std::io::stderr().lock();
        match self {
            Failure::Error(message) => {
                let _ = writeln!(err, "error: {}", one_line(&message));
                ExitCode::from(EXIT_ERROR)
            }
            Failure::Trap(trap) => {
                if let Some(status) = trap.exit_status() {
                    // A guest asking to exit is not an error: honor its status like a process
                    // would. Statuses outside 0..=255 are truncated the way the OS does.
                    return ExitCode::from(status as u8);
                }
                let _ = writeln!(err, "wasm trap: {trap}");
                let frames = trap.backtrace();
                for (i, frame) in frames.iter().enumerate().take(MAX_BACKTRACE_FRAMES) {
                    let _ = writeln!(err, "  {i}: {frame}");
                }
                if frames.len() > MAX_BACKTRACE_FRAMES {
                    let omitted = frames.len() - MAX_BACKTRACE_FRAMES;
                    let _ = writeln!(err, "  ... {omitted} more frames");
                }
                ExitCode::from(EXIT_TRAP)
            }
            Failure::Silent => ExitCode::from(EXIT_ERROR),
            Failure::Internal(message) => {
                let _ = writeln!(
                    err,
                    "error: internal error: {} (this is a bug in wasmtier)",
                    one_line(&message)
                );
                ExitCode::from(EXIT_INTERNAL)
            }
        }
    }
}

impl From<wasmtier::Error> for Failure {
    fn from(e: wasmtier::Error) -> Failure {
        match e {
            wasmtier::Error::Trap(trap) => Failure::Trap(trap),
            other => Failure::Error(other.to_string()),
        }
    }
}

/// Errors from parsers (notably `wat`'s) span several lines with a source snippet; the promise
/// is one line per error, so the lines are joined.
fn one_line(message: &str) -> String {
    message
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .collect::<Vec<_>>()
        .join(" ")
}

#[cfg(test)]
mod tests {
    use super::one_line;

    #[test]
    fn joins_multi_line_messages() {
        assert_eq!(one_line("a\n  --> x:1:2\n\n  |\n"), "a --> x:1:2 |");
        assert_eq!(one_line("plain"), "plain");
    }
}
