//! Module generation with wasm-smith, and the arguments the generated functions are called
//! with.

use arbitrary::{Result, Unstructured};
use wasmparser::WasmFeatures;

/// Memory limit (in 64 KiB pages) applied to every engine, so that `memory.grow` fails at
/// the same point everywhere and comparing memories stays cheap.
pub const MAX_MEMORY_PAGES: u64 = 32;
/// Table limit (elements) applied to every engine.
pub const MAX_TABLE_ELEMENTS: u64 = 10_000;

/// The features `wasmtier::Engine::default()` validates with: Wasm 2.0 (SIMD included), plus
/// extended constant expressions, tail calls, multiple memories, 64-bit memories and tables,
/// relaxed SIMD, typed function references and exception handling (as
/// `wasmtier_runtime::module::default_features()`).
pub fn wasmtier_features() -> WasmFeatures {
    WasmFeatures::WASM2
        .union(WasmFeatures::RELAXED_SIMD)
        .union(WasmFeatures::EXTENDED_CONST)
        .union(WasmFeatures::TAIL_CALL)
        .union(WasmFeatures::MULTI_MEMORY)
        .union(WasmFeatures::MEMORY64)
        .union(WasmFeatures::FUNCTION_REFERENCES)
        .union(WasmFeatures::EXCEPTIONS)
}

/// wasm-smith configuration for the differential target: Wasm 2.0 (SIMD included) plus tail
/// calls, extended constant expressions, multiple and 64-bit memories (and 64-bit tables)
/// and wide arithmetic, no imports,
/// NaNs canonicalized (so float results compare bit for bit), bounded sizes. Some knobs
/// (sizes, whether everything is exported, whether traps are avoided) come from the input.
// One knob per line, each with its reason, reads better than one struct literal.
#[allow(clippy::field_reassign_with_default)]
pub fn differential_config(u: &mut Unstructured<'_>) -> Result<wasm_smith::Config> {
    let mut c = wasm_smith::Config::default();
    // Features: Wasm 2.0, plus the Wasm 3.0 features wasmtier implements. Relaxed SIMD is
    // off: its results may differ between engines by the spec (wasmtier's own tiers agree,
    // which `tests/` checks). Typed function references are off too: wasm-smith generates
    // them only together with GC (`gc_enabled`), and wasmi, the oracle, has neither.
    c.simd_enabled = u.ratio(1, 2)?;
    c.relaxed_simd_enabled = false;
    c.threads_enabled = false;
    c.shared_everything_threads_enabled = false;
    c.exceptions_enabled = false;
    c.tail_call_enabled = true;
    c.gc_enabled = false;
    c.memory64_enabled = true;
    c.custom_page_sizes_enabled = false;
    c.wide_arithmetic_enabled = true;
    c.extended_const_enabled = true;
    c.compact_imports_enabled = false;
    c.custom_descriptors_enabled = false;
    c.acquire_release_atomics_enabled = false;
    c.multibyte_array_access_enabled = false;
    c.bulk_memory_enabled = true;
    c.reference_types_enabled = true;
    c.multi_value_enabled = true;
    c.sign_extension_ops_enabled = true;
    c.saturating_float_to_int_enabled = true;
    c.allow_start_export = true;
    // Determinism and bounded resources.
    c.canonicalize_nans = true;
    c.max_imports = 0;
    c.min_imports = 0;
    c.max_memories = u.int_in_range(1..=2)?;
    c.max_tables = u.int_in_range(0..=2)?;
    c.max_memory32_bytes = MAX_MEMORY_PAGES * 65536;
    c.max_memory64_bytes = (MAX_MEMORY_PAGES * 65536).into();
    c.max_table_elements = 1_000;
    c.max_funcs = u.int_in_range(1..=20)?;
    c.max_instructions = u.int_in_range(10..=300)?;
    c.max_globals = u.int_in_range(0..=10)?;
    c.max_types = 20;
    c.max_exports = 50;
    c.max_data_segments = 10;
    c.max_element_segments = 10;
    c.max_elements = 50;
    c.max_nesting_depth = 10;
    c.max_type_size = 1000;
    c.export_everything = u.ratio(1, 2)?;
    // Off: wasm-smith's trap guards (`select(1, x, i32.eqz x)` as a divisor, after
    // `local.set x`) are miscompiled by wasmi 2.0.0, the oracle, which then computes the
    // division by 1 (see fuzz/README.md). Modules may trap instead.
    c.disallow_traps = false;
    c.generate_custom_sections = false;
    Ok(c)
}

/// A module for the differential target, plus the wasm-smith config used.
pub fn differential_module(u: &mut Unstructured<'_>) -> Result<Vec<u8>> {
    let config = differential_config(u)?;
    let module = wasm_smith::Module::new(config, u)?;
    Ok(module.to_bytes())
}

/// A wasm-smith configuration with arbitrary features (including ones wasmtier must reject)
/// for the validate target.
pub fn any_features_config(u: &mut Unstructured<'_>) -> Result<wasm_smith::Config> {
    let mut c: wasm_smith::Config = u.arbitrary()?;
    c.max_funcs = c.max_funcs.min(20);
    c.max_instructions = c.max_instructions.min(200);
    c.max_types = c.max_types.min(30);
    c.max_imports = c.max_imports.min(10);
    c.max_exports = c.max_exports.min(30);
    c.max_globals = c.max_globals.min(20);
    c.max_data_segments = c.max_data_segments.min(10);
    c.max_element_segments = c.max_element_segments.min(10);
    c.max_elements = c.max_elements.min(50);
    c.max_memory32_bytes = c.max_memory32_bytes.min(1 << 24);
    c.max_memory64_bytes = c.max_memory64_bytes.min(1 << 24);
    c.max_table_elements = c.max_table_elements.min(1000);
    c.min_funcs = c.min_funcs.min(c.max_funcs);
    c.min_types = c.min_types.min(c.max_types);
    c.min_imports = c.min_imports.min(c.max_imports);
    c.min_exports = c.min_exports.min(c.max_exports);
    c.min_globals = c.min_globals.min(c.max_globals);
    c.min_data_segments = c.min_data_segments.min(c.max_data_segments);
    c.min_element_segments = c.min_element_segments.min(c.max_element_segments);
    c.min_elements = c.min_elements.min(c.max_elements);
    Ok(c)
}

/// The kind of a function argument, for [`arbitrary_arg_bits`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ArgKind {
    I32,
    I64,
    F32,
    F64,
    /// `funcref` or `externref`: always null (identities are not comparable across engines).
    Ref,
}

/// The bits of an argument of kind `kind` drawn from the fuzz input (floats as their bit
/// patterns, references as 0 for null): often a boundary value, otherwise arbitrary bits;
/// zero once the input is exhausted.
pub fn arbitrary_arg_bits(u: &mut Unstructured<'_>, kind: ArgKind) -> u64 {
    let pick: u8 = u.arbitrary().unwrap_or(0);
    let special = pick % 4 == 1;
    let i = (pick / 4) as usize;
    match kind {
        ArgKind::I32 => {
            (if special {
                [0, 1, -1, i32::MIN, i32::MAX, 0x8000, 65536, 255, 16, 7][i % 10]
            } else {
                u.arbitrary().unwrap_or(0)
            }) as u32 as u64
        }
        ArgKind::I64 => {
            (if special {
                [
                    0,
                    1,
                    -1,
                    i64::MIN,
                    i64::MAX,
                    1 << 32,
                    u32::MAX as i64,
                    63,
                    64,
                ][i % 9]
            } else {
                u.arbitrary().unwrap_or(0)
            }) as u64
        }
        ArgKind::F32 => {
            (if special {
                [
                    0.0f32,
                    -0.0,
                    1.0,
                    -1.0,
                    0.5,
                    f32::INFINITY,
                    f32::NEG_INFINITY,
                    f32::NAN,
                    2147483648.0,
                    -2147483904.0,
                    4294967296.0,
                    f32::MIN_POSITIVE,
                ][i % 12]
                    .to_bits()
            } else {
                u.arbitrary().unwrap_or(0)
            }) as u64
        }
        ArgKind::F64 => {
            if special {
                [
                    0.0f64,
                    -0.0,
                    1.0,
                    -1.0,
                    0.5,
                    f64::INFINITY,
                    f64::NEG_INFINITY,
                    f64::NAN,
                    2147483648.0,
                    -2147483649.0,
                    9223372036854775808.0,
                    f64::MIN_POSITIVE,
                ][i % 12]
                    .to_bits()
            } else {
                u.arbitrary().unwrap_or(0)
            }
        }
        ArgKind::Ref => 0,
    }
}
