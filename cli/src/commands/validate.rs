//! `wasmtier validate FILE`.

use crate::args::ValidateArgs;
use crate::commands;
use crate::failure::Failure;
use crate::output;

pub fn run(args: ValidateArgs) -> Result<(), Failure> {
    // Validation does not depend on the tier, and the interpreter is always available.
    let engine = commands::engine(wasmtier::Tier::Interp, &args.wasm)?;
    commands::load_module(&engine, &args.file)?;
    output::line("ok")?;
    Ok(())
}
