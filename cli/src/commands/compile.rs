//! `wasmtier compile [-W FEATURE] [--consume-fuel] FILE [-o OUT]`: a precompiled module for
//! `run` (`Engine::precompile_module`).

use wasmtier::{Config, Module, Tier};

use crate::args::CompileArgs;
use crate::commands;
use crate::failure::Failure;

pub fn run(args: CompileArgs) -> Result<(), Failure> {
    let mut config = Config::new();
    config.tier(Tier::Jit);
    commands::set_features(&mut config, &args.wasm);
    config.consume_fuel(args.consume_fuel);
    let engine = commands::engine_from(&config)?;
    let file = &args.file;
    let bytes = commands::read_file(file)?;
    let name = file.display();
    if Module::is_precompiled(&bytes) {
        return Err(Failure::error(format!(
            "{name} is already a precompiled module"
        )));
    }
    if commands::is_binary(file) && !bytes.starts_with(b"\0asm") {
        // Reported as a malformed binary, as `run` does, not as a text syntax error.
        commands::module_from_bytes(&engine, file, &bytes)?;
    }
    let artifact = engine
        .precompile_module(&bytes)
        .map_err(|e| Failure::error(format!("{name}: {e}")))?;
    let out = args
        .output
        .clone()
        .unwrap_or_else(|| file.with_extension("cwasm"));
    // Never overwrite the module being compiled (`-o` naming the input, or an input that
    // already ends in `.cwasm`).
    if same_file(file, &out) {
        return Err(Failure::error(format!(
            "{}: the output would overwrite the input module",
            out.display()
        )));
    }
    std::fs::write(&out, artifact)
        .map_err(|e| Failure::error(format!("cannot write {}: {e}", out.display())))?;
    Ok(())
}

/// Whether `a` and `b` name the same existing file.
fn same_file(a: &std::path::Path, b: &std::path::Path) -> bool {
    match (std::fs::canonicalize(a), std::fs::canonicalize(b)) {
        (Ok(a), Ok(b)) => a == b,
        _ => false,
    }
}
