//! One module per subcommand, plus what they share.

pub mod compile;
pub mod inspect;
pub mod run;
pub mod validate;
pub mod wast;

use std::path::Path;

use wasmtier::{Config, Engine, Module};

use crate::args::{TierArg, WasmArgs, WasmFeature};
use crate::failure::Failure;

pub fn config(tier: &TierArg, wasm: &WasmArgs) -> Config {
    let mut config = Config::new();
    config.tier(tier.tier);
    if let Some(n) = tier.tier_threshold {
        config.tier_threshold(n);
    }
    config.synchronous_compilation(tier.sync_compile);
    set_features(&mut config, wasm);
    config
}

/// An engine for `tier` with the `-W` feature switches and otherwise default settings.
pub fn engine(tier: wasmtier::Tier, wasm: &WasmArgs) -> Result<Engine, Failure> {
    let mut config = Config::new();
    config.tier(tier);
    set_features(&mut config, wasm);
    engine_from(&config)
}

/// Applies the `-W` switches in order (a later one for the same feature wins).
pub fn set_features(config: &mut Config, wasm: &WasmArgs) {
    for &(feature, enable) in &wasm.features {
        match feature {
            WasmFeature::TailCall => config.wasm_tail_call(enable),
            WasmFeature::ExtendedConst => config.wasm_extended_const(enable),
            WasmFeature::MultiMemory => config.wasm_multi_memory(enable),
            WasmFeature::Memory64 => config.wasm_memory64(enable),
            WasmFeature::Simd => config.wasm_simd(enable),
            WasmFeature::RelaxedSimd => config.wasm_relaxed_simd(enable),
            WasmFeature::FunctionReferences => config.wasm_function_references(enable),
            WasmFeature::Exceptions => config.wasm_exceptions(enable),
            WasmFeature::Gc => config.wasm_gc(enable),
            WasmFeature::WideArithmetic => config.wasm_wide_arithmetic(enable),
            WasmFeature::CustomPageSizes => config.wasm_custom_page_sizes(enable),
        };
    }
}

pub fn engine_from(config: &Config) -> Result<Engine, Failure> {
    Ok(Engine::new(config)?)
}

/// Reads a module file, naming it in the error.
pub fn read_file(path: &Path) -> Result<Vec<u8>, Failure> {
    std::fs::read(path).map_err(|e| Failure::error(format!("cannot read {}: {e}", path.display())))
}

/// Reads and compiles a module, naming the file in every error so the user knows which input
/// was bad (compile errors do not mention it by themselves).
pub fn load_module(engine: &Engine, path: &Path) -> Result<Module, Failure> {
    module_from_bytes(engine, path, &read_file(path)?)
}

/// Compiles the contents `bytes` of the module file `path`.
pub fn module_from_bytes(engine: &Engine, path: &Path, bytes: &[u8]) -> Result<Module, Failure> {
    // `Module::new` treats anything without the wasm magic number as text, which would report a
    // corrupt `.wasm` file as a text syntax error; a `.wasm` file is always parsed as binary.
    let compiled = if is_binary(path) {
        Module::from_binary(engine, bytes)
    } else {
        Module::new(engine, bytes)
    };
    compiled.map_err(|e| Failure::error(format!("{}: {e}", path.display())))
}

/// Whether `path` names a binary module (`.wasm`), never parsed as text.
pub fn is_binary(path: &Path) -> bool {
    path.extension().is_some_and(|ext| ext == "wasm")
}
