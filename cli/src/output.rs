//! Writing results to stdout without panicking.
//!
//! `println!` panics when stdout is a closed pipe (`wasmtier inspect x.wasm | head`); here a
//! closed pipe just ends the output, and other write errors become ordinary errors.

use std::io::{ErrorKind, Write};

use crate::failure::Failure;

pub fn line(text: impl std::fmt::Display) -> Result<(), Failure> {
    let mut out = std::io::stdout().lock();
    match writeln!(out, "{text}").and_then(|()| out.flush()) {
        Ok(()) => Ok(()),
        Err(e) if e.kind() == ErrorKind::BrokenPipe => Ok(()),
        Err(e) => Err(Failure::error(format!("cannot write to stdout: {e}"))),
    }
}
