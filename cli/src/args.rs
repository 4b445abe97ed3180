//! The command-line grammar (clap derive).

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};
use wasmtier::Tier;

/// A WebAssembly runtime with a bytecode interpreter, a Cranelift JIT, and tiered execution
/// that moves hot functions from the first to the second while the program runs.
#[derive(Debug, Parser)]
#[command(name = "wasmtier", version, about)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

// Parsed once per process: the size of the largest variant (`run`'s options) does not matter.
#[allow(clippy::large_enum_variant)]
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
    /// Compile a module's machine code for --tier=jit ahead of time, into a precompiled
    /// module that `run` loads without compiling.
    Compile(CompileArgs),
}

/// Options shared by the commands that execute wasm code.
#[derive(Debug, Args)]
pub struct TierArg {
    /// Execution tier: interp, jit or auto (interpreter first, hot functions move to the
    /// JIT while the program runs).
    #[arg(long, value_name = "TIER", default_value = "interp", value_parser = parse_tier)]
    pub tier: Tier,

    /// With --tier=auto: promote a function after N calls (or 4*N loop iterations).
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u64).range(1..))]
    pub tier_threshold: Option<u64>,

    /// With --tier=auto: compile hot functions on the running thread, at exactly the
    /// threshold, instead of in the background (reproducible runs).
    #[arg(long)]
    pub sync_compile: bool,
}

/// WebAssembly feature switches, as wasmtime's `-W`.
#[derive(Debug, Args)]
pub struct WasmArgs {
    /// Turn a WebAssembly feature on or off: `tail-call`, `extended-const`, `multi-memory`,
    /// `memory64`, `simd`, `relaxed-simd`, `function-references`, `exceptions`, `gc` (on by default),
    /// `wide-arithmetic`, `custom-page-sizes` (off by default), e.g. `-W tail-call=n`.
    /// Repeatable; `-W tail-call` means `=y`.
    #[arg(short = 'W', long = "wasm", value_name = "FEATURE[=y|n]", value_parser = parse_feature)]
    pub features: Vec<(WasmFeature, bool)>,
}

/// A feature `-W` switches.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WasmFeature {
    TailCall,
    ExtendedConst,
    MultiMemory,
    Memory64,
    Simd,
    RelaxedSimd,
    FunctionReferences,
    Exceptions,
    Gc,
    WideArithmetic,
    CustomPageSizes,
}

impl WasmFeature {
    const ALL: [(&'static str, WasmFeature); 11] = [
        ("tail-call", WasmFeature::TailCall),
        ("extended-const", WasmFeature::ExtendedConst),
        ("multi-memory", WasmFeature::MultiMemory),
        ("memory64", WasmFeature::Memory64),
        ("simd", WasmFeature::Simd),
        ("relaxed-simd", WasmFeature::RelaxedSimd),
        ("function-references", WasmFeature::FunctionReferences),
        ("exceptions", WasmFeature::Exceptions),
        ("gc", WasmFeature::Gc),
        ("wide-arithmetic", WasmFeature::WideArithmetic),
        ("custom-page-sizes", WasmFeature::CustomPageSizes),
    ];
}

#[derive(Debug, Args)]
pub struct RunArgs {
    #[command(flatten)]
    pub tier: TierArg,

    #[command(flatten)]
    pub wasm: WasmArgs,

    /// Exported function to call (default: `_start`).
    #[arg(long, value_name = "NAME")]
    pub invoke: Option<String>,

    /// Grant the guest the host directory HOST, seen by the guest as GUEST (default: HOST,
    /// so `--dir .` works). Repeatable. Nothing outside granted directories is reachable.
    #[arg(long = "dir", value_name = "HOST[::GUEST]")]
    pub dirs: Vec<String>,

    /// Listen on the TCP address ADDR (e.g. `127.0.0.1:8080`, `[::1]:0`) and give the guest
    /// the listening socket, after the --dir descriptors, to `sock_accept` connections on.
    /// Repeatable. As wasmtime's `--tcplisten`.
    #[arg(long = "tcplisten", value_name = "ADDR")]
    pub tcplisten: Vec<String>,

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

    /// Stop the guest with an "interrupted" trap after SECONDS of wall-clock time
    /// (decimals allowed, e.g. 0.5).
    #[arg(long, value_name = "SECONDS", value_parser = parse_timeout)]
    pub timeout: Option<std::time::Duration>,

    /// Most pages (64 KiB each) any linear memory may have; `memory.grow` beyond fails.
    #[arg(long, value_name = "N")]
    pub max_memory_pages: Option<u64>,

    /// Most elements any table may have; `table.grow` beyond fails.
    #[arg(long, value_name = "N")]
    pub max_table_elements: Option<u64>,

    /// Most elements of all tables together (default 100 million); creation and growth
    /// beyond fail.
    #[arg(long, value_name = "N")]
    pub max_table_elements_total: Option<u64>,

    /// Deepest nesting of interpreted wasm calls before a "call stack exhausted" trap.
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u64).range(1..))]
    pub max_call_depth: Option<u64>,

    /// Most bytes of native stack compiled wasm code may use (default 16 MiB) before a
    /// "call stack exhausted" trap.
    #[arg(long, value_name = "BYTES", value_parser = clap::value_parser!(u64).range(1..))]
    pub max_wasm_stack: Option<u64>,

    /// At exit, print to stderr how tiered execution went: functions that ran only
    /// interpreted, functions promoted, compile time, and the most called functions.
    #[arg(long)]
    pub stats: bool,

    /// With --tier=jit: write the Cranelift IR of each compiled function, before
    /// optimisation, to DIR/<function index>[-<name>].clif (for debugging the JIT). DIR is
    /// created if missing.
    #[arg(long, value_name = "DIR")]
    pub emit_clif: Option<PathBuf>,

    /// With --tier=jit: keep compiled machine code in the code cache in DIR instead of the
    /// default `$XDG_CACHE_HOME/wasmtier` (or `~/.cache/wasmtier`).
    #[arg(long, value_name = "DIR", conflicts_with = "no_cache")]
    pub cache_dir: Option<PathBuf>,

    /// With --tier=jit: neither use nor fill the code cache; compile the module afresh.
    #[arg(long)]
    pub no_cache: bool,

    /// With --tier=jit: the most the code cache may take on disk, in bytes or with a suffix
    /// K, M or G (powers of 1024), e.g. `512M` (default 1G). Storing a new entry past it
    /// deletes the least recently used ones.
    #[arg(long, value_name = "SIZE", value_parser = parse_size, conflicts_with = "no_cache")]
    pub cache_max_size: Option<u64>,

    /// Module to run (.wasm binary, .wat text, or a precompiled module from `compile`).
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
    #[command(flatten)]
    pub wasm: WasmArgs,

    /// Module to check (.wasm binary or .wat text).
    pub file: PathBuf,
}

#[derive(Debug, Args)]
pub struct InspectArgs {
    #[command(flatten)]
    pub wasm: WasmArgs,

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
pub struct CompileArgs {
    #[command(flatten)]
    pub wasm: WasmArgs,

    /// Compile with fuel metering, for `run --fuel` (code with and without it differs).
    #[arg(long)]
    pub consume_fuel: bool,

    /// Where to write the precompiled module (default: FILE with the extension `.cwasm`).
    #[arg(short, long, value_name = "OUT")]
    pub output: Option<PathBuf>,

    /// Module to compile (.wasm binary or .wat text).
    pub file: PathBuf,
}

#[derive(Debug, Args)]
pub struct WastArgs {
    #[command(flatten)]
    pub tier: TierArg,

    #[command(flatten)]
    pub wasm: WasmArgs,

    /// Scripts to run.
    #[arg(required = true, value_name = "FILE.wast")]
    pub files: Vec<PathBuf>,
}

fn parse_tier(s: &str) -> Result<Tier, String> {
    s.parse()
}

fn parse_feature(s: &str) -> Result<(WasmFeature, bool), String> {
    let (name, value) = s.split_once('=').unwrap_or((s, "y"));
    let feature = WasmFeature::ALL
        .iter()
        .find(|(known, _)| *known == name)
        .map(|(_, feature)| *feature)
        .ok_or_else(|| {
            let known: Vec<&str> = WasmFeature::ALL.iter().map(|(n, _)| *n).collect();
            format!("unknown feature `{name}` (known: {})", known.join(", "))
        })?;
    let enable = match value {
        "y" | "yes" | "true" => true,
        "n" | "no" | "false" => false,
        other => return Err(format!("`{other}` is not y or n")),
    };
    Ok((feature, enable))
}

/// A size in bytes: digits, optionally followed by K, M or G (powers of 1024).
fn parse_size(s: &str) -> Result<u64, String> {
    let (digits, unit) = match s.char_indices().last() {
        Some((at, 'K' | 'k')) => (&s[..at], 1 << 10),
        Some((at, 'M' | 'm')) => (&s[..at], 1 << 20),
        Some((at, 'G' | 'g')) => (&s[..at], 1 << 30),
        _ => (s, 1),
    };
    digits
        .parse::<u64>()
        .ok()
        .and_then(|n| n.checked_mul(unit))
        .ok_or_else(|| format!("`{s}` is not a size (bytes, or a number with K, M or G)"))
}

fn parse_timeout(s: &str) -> Result<std::time::Duration, String> {
    let secs: f64 = s
        .parse()
        .map_err(|_| format!("`{s}` is not a number of seconds"))?;
    std::time::Duration::try_from_secs_f64(secs)
        .ok()
        .filter(|d| !d.is_zero())
        .ok_or_else(|| format!("`{s}` is not a positive number of seconds"))
}

#[cfg(test)]
mod tests {
    use super::parse_size;

    #[test]
    fn sizes_take_binary_suffixes() {
        assert_eq!(parse_size("1000"), Ok(1000));
        assert_eq!(parse_size("4K"), Ok(4096));
        assert_eq!(parse_size("512m"), Ok(512 << 20));
        assert_eq!(parse_size("2G"), Ok(2 << 30));
        for bad in ["", "G", "1.5G", "-1", "1T", "99999999999G"] {
            assert!(parse_size(bad).is_err(), "{bad}");
        }
    }
}
