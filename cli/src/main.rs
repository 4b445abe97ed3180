//! `wasmtier`: the command-line front end of the wasmtier runtime.
//!
//! Exit codes (also documented in the README):
//! 0 success, 1 error, 2 command-line usage error (from clap), 3 wasm trap,
//! 101 internal error (a bug in wasmtier). A guest that exits through WASI `proc_exit`
//! (a trap carrying an exit status) makes `wasmtier` exit with that status.

mod args;
mod commands;
mod failure;
mod output;
mod panic_guard;
mod types;
mod values;
mod wasi;

use std::process::ExitCode;

use clap::Parser;

use crate::args::{Cli, Command};
use crate::failure::Failure;

fn main() -> ExitCode {
    // Parse outside the guard: clap prints its own usage errors and help, with exit code 2/0.
    let cli = Cli::parse();
    match panic_guard::run(|| dispatch(cli)) {
        Ok(Ok(())) => ExitCode::SUCCESS,
        Ok(Err(failure)) => failure.report(),
        Err(panic_message) => Failure::Internal(panic_message).report(),
    }
}

fn dispatch(cli: Cli) -> Result<(), Failure> {
    match cli.command {
        Command::Run(args) => commands::run::run(args),
        Command::Validate(args) => commands::validate::run(args),
        Command::Inspect(args) => commands::inspect::run(args),
        Command::Wast(args) => commands::wast::run(args),
        Command::Compile(args) => commands::compile::run(args),
    }
}
