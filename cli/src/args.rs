//! The command-line grammar (clap derive).

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};
use wasmtier::Tier;

/// A WebAssembly runtime with a bytecode interpreter tier (and a JIT tier to come).
#[derive(Debug, Parser)]
#[command(name = "wasmtier", version, about)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Compile, instantiate and call a function of a module, printing its results.
    Run(RunArgs),
    /// Check that a module is well-formed and valid; prints "ok" or the error.
    Validate(ValidateArgs),
    /// Show a module's imports and exports, or its interpreter bytecode.
    Inspect(InspectArgs),
    /// Run .wast spec-test scripts and report how many directives passed.
    Wast(WastArgs),
}

/// Options shared by the commands that execute wasm code.
#[derive(Debug, Args)]
pub struct TierArg {
    /// Execution tier: interp, jit or auto.
    #[arg(long, value_name = "TIER", default_value = "interp", value_parser = parse_tier)]
    pub tier: Tier,
}

#[derive(Debug, Args)]
pub struct RunArgs {
    #[command(flatten)]
    pub tier: TierArg,

    /// Exported function to call (default: `_start`).
    #[arg(long, value_name = "NAME")]
    pub invoke: Option<String>,

    /// Grant the guest the host directory HOST, seen by the guest as GUEST (default: HOST,
    /// so `--dir .` works). Repeatable. Nothing outside granted directories is reachable.
    #[arg(long = "dir", value_name = "HOST[::GUEST]")]
    pub dirs: Vec<String>,

    /// Set the guest environment variable NAME to VALUE; `--env NAME` passes this process's
    /// value of NAME. Repeatable. Without it (or --inherit-env) the guest sees no variables.
    #[arg(long = "env", value_name = "NAME[=VALUE]")]
    pub envs: Vec<String>,

    /// Pass every environment variable of this process to the guest.
    #[arg(long)]
    pub inherit_env: bool,

    /// Stop the guest with an "all fuel consumed" trap after about N wasm instructions.
    #[arg(long, value_name = "N")]
    pub fuel: Option<u64>,

    /// Module to run (.wasm binary or .wat text).
    pub file: PathBuf,

    /// Arguments: for a WASI program (`_start` without --invoke) they are its argv after the
    /// program name; for --invoke they are parsed by the function's parameter types
    /// (e.g. `-3`, `0xff`, `-inf`). Options must come before FILE's arguments: everything
    /// from there on is an argument.
    #[arg(
        trailing_var_arg = true,
        allow_hyphen_values = true,
        value_name = "ARGS"
    )]
    pub args: Vec<String>,
}

#[derive(Debug, Args)]
pub struct ValidateArgs {
    /// Module to check (.wasm binary or .wat text).
    pub file: PathBuf,
}

#[derive(Debug, Args)]
pub struct InspectArgs {
    /// Print the interpreter bytecode instead of the imports and exports.
    #[arg(long)]
    pub bytecode: bool,

    /// Module to inspect (.wasm binary or .wat text).
    pub file: PathBuf,

    /// With --bytecode: only this function (export name, name-section name or index).
    #[arg(requires = "bytecode")]
    pub func: Option<String>,
}

#[derive(Debug, Args)]
pub struct WastArgs {
    #[command(flatten)]
    pub tier: TierArg,

    /// Scripts to run.
    #[arg(required = true, value_name = "FILE.wast")]
    pub files: Vec<PathBuf>,
}

fn parse_tier(s: &str) -> Result<Tier, String> {
    s.parse()
}
