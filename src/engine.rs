//! Engine configuration and the engine shared by modules and stores.

use std::str::FromStr;
use std::sync::Arc;

use wasmtier_runtime::{StoreLimits, TypeRegistry};

/// Which execution tier runs wasm code.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Tier {
    /// The bytecode interpreter only: no machine code is generated.
    #[default]
    Interp,
    /// Cranelift-compiled machine code for every function.
    Jit,
    /// Start in the interpreter, promote hot functions to the JIT. In a build without the
    /// JIT (or on a host it does not support) this is the interpreter alone.
    Auto,
}

impl FromStr for Tier {
    type Err = String;

    fn from_str(s: &str) -> Result<Tier, String> {
        match s {
            "interp" => Ok(Tier::Interp),
            "jit" => Ok(Tier::Jit),
            "auto" => Ok(Tier::Auto),
            other => Err(format!(
                "unknown tier `{other}` (expected interp, jit or auto)"
            )),
        }
    }
}

impl std::fmt::Display for Tier {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Tier::Interp => "interp",
            Tier::Jit => "jit",
            Tier::Auto => "auto",
        })
    }
}

/// Calls after which `Tier::Auto` promotes a function, unless configured otherwise.
pub const DEFAULT_TIER_THRESHOLD: u64 = 1000;

/// Loop iterations count this much less than calls toward promotion: a function is also hot
/// after `threshold * LOOP_ITERATIONS_PER_CALL` iterations of its loops.
pub const LOOP_ITERATIONS_PER_CALL: u64 = 4;

/// Engine settings.
#[derive(Debug, Clone)]
pub struct Config {
    pub(crate) tier: Tier,
    pub(crate) limits: StoreLimits,
    pub(crate) jit_bounds_checks: bool,
    pub(crate) jit_filter: Option<fn(Option<&str>, u32) -> bool>,
    pub(crate) consume_fuel: bool,
    pub(crate) tier_threshold: u64,
    pub(crate) compile_threads: Option<usize>,
    pub(crate) jit_emit_clif: Option<std::sync::Arc<std::path::Path>>,
    pub(crate) synchronous_compilation: bool,
    pub(crate) count_calls: bool,
    pub(crate) wasm_extended_const: bool,
    pub(crate) wasm_tail_call: bool,
    pub(crate) wasm_multi_memory: bool,
    pub(crate) wasm_memory64: bool,
    pub(crate) wasm_simd: bool,
    pub(crate) wasm_relaxed_simd: bool,
    pub(crate) wasm_function_references: bool,
    pub(crate) wasm_exceptions: bool,
    pub(crate) wasm_gc: bool,
    pub(crate) wasm_wide_arithmetic: bool,
    pub(crate) wasm_custom_page_sizes: bool,
    pub(crate) lazy_translation: bool,
    pub(crate) cache_dir: Option<std::path::PathBuf>,
    pub(crate) cache_max_bytes: u64,
}

impl Default for Config {
    fn default() -> Config {
        Config {
            tier: Tier::default(),
            limits: StoreLimits::default(),
            jit_bounds_checks: false,
            jit_filter: None,
            consume_fuel: false,
            tier_threshold: DEFAULT_TIER_THRESHOLD,
            compile_threads: None,
            jit_emit_clif: None,
            synchronous_compilation: false,
            count_calls: false,
            wasm_extended_const: true,
            wasm_tail_call: true,
            wasm_multi_memory: true,
            wasm_memory64: true,
            wasm_simd: true,
            wasm_relaxed_simd: true,
            wasm_function_references: true,
            wasm_exceptions: true,
            wasm_gc: true,
            wasm_wide_arithmetic: false,
            wasm_custom_page_sizes: false,
            lazy_translation: true,
            cache_dir: None,
            cache_max_bytes: crate::cache::DEFAULT_MAX_BYTES,
        }
    }
}

impl Config {
    pub fn new() -> Config {
        Config::default()
    }

    /// `Tier::Auto`: a function is promoted to the JIT after `calls` calls, or after
    /// `calls * LOOP_ITERATIONS_PER_CALL` iterations of its loops (minimum 1).
    pub fn tier_threshold(&mut self, calls: u64) -> &mut Config {
        self.tier_threshold = calls.max(1);
        self
    }

    /// How many threads compile (minimum 1): under `Tier::Jit`, the threads that compile a
    /// module's functions when it is loaded (default: one per core; the machine code is the
    /// same whatever the number); under `Tier::Auto`, the background threads that compile
    /// hot functions (default: one per core but one, left to the running program). Under
    /// `Tier::Interp` and `Tier::Auto`, also the most threads that validate a large
    /// module's function bodies when it is loaded (default: one per core; a thread per
    /// 64 KiB of code at most).
    pub fn compile_threads(&mut self, threads: usize) -> &mut Config {
        self.compile_threads = Some(threads.max(1));
        self
    }

    /// `Tier::Auto`: compile a hot function on the spot, on the thread running it, instead
    /// of in the background. Promotion then happens at exactly the threshold, which makes
    /// runs reproducible (tests use it); the interpreter waits for each compilation.
    pub fn synchronous_compilation(&mut self, enable: bool) -> &mut Config {
        self.synchronous_compilation = enable;
        self
    }

    /// `Tier::Auto`: compiled functions keep counting their calls, so that
    /// `Module::tier_stats` reports every call, not only the interpreted ones. Costs a
    /// memory increment per call.
    pub fn count_calls(&mut self, enable: bool) -> &mut Config {
        self.count_calls = enable;
        self
    }

    /// Accept the extended constant expressions of Wasm 3.0 (the extended-const proposal):
    /// `i32`/`i64` `add`, `sub` and `mul` in global initializers and segment offsets and
    /// items. On by default; when off, a module using them is invalid, as in Wasm 2.0.
    pub fn wasm_extended_const(&mut self, enable: bool) -> &mut Config {
        self.wasm_extended_const = enable;
        self
    }

    /// Accept the tail calls of Wasm 3.0 (`return_call`, `return_call_indirect`), which
    /// replace the caller's frame by the callee's, so that a chain of them runs in constant
    /// stack. On by default; when off, a module using them is invalid, as in Wasm 2.0.
    pub fn wasm_tail_call(&mut self, enable: bool) -> &mut Config {
        self.wasm_tail_call = enable;
        self
    }

    /// Accept modules with more than one memory (Wasm 3.0's multi-memory): memory indices in
    /// loads, stores and the bulk-memory instructions. On by default; when off, a module
    /// using them is invalid, as in Wasm 2.0.
    pub fn wasm_multi_memory(&mut self, enable: bool) -> &mut Config {
        self.wasm_multi_memory = enable;
        self
    }

    /// Accept 64-bit memories and tables (Wasm 3.0's memory64): `i64` addresses, sizes and
    /// table indices, and memories larger than 4 GiB (up to the store's page limit and
    /// 1 TiB). On by default; when off, a module using them is invalid, as in Wasm 2.0. The
    /// JIT checks every access to a 64-bit memory explicitly (guard pages cannot cover a
    /// 64-bit address space).
    pub fn wasm_memory64(&mut self, enable: bool) -> &mut Config {
        self.wasm_memory64 = enable;
        self
    }

    /// Accept the 128-bit vector instructions (`v128`, Wasm 2.0's SIMD), in every tier. On
    /// by default; when off, a module using them is invalid (as in Wasm 1.0), and so is one
    /// using relaxed SIMD.
    pub fn wasm_simd(&mut self, enable: bool) -> &mut Config {
        self.wasm_simd = enable;
        self
    }

    /// Accept relaxed SIMD (Wasm 3.0), which needs [`Config::wasm_simd`]. On by default. The
    /// relaxed
    /// operations may give one of several results by the spec; wasmtier gives the same one
    /// in every tier, so a function promoted to the JIT mid-run keeps its answers: each
    /// behaves as its strict counterpart (`relaxed_swizzle` as `i8x16.swizzle`,
    /// `relaxed_trunc` as `trunc_sat`, `relaxed_min`/`max` as `min`/`max`,
    /// `relaxed_laneselect` as `v128.bitselect`, `relaxed_q15mulr_s` as `q15mulr_sat_s`),
    /// `relaxed_madd`/`nmadd` round after the multiply and after the add (not fused), and
    /// the relaxed dot products treat both operands as signed and saturate the i16 sums of
    /// pairs. These are the choices of the spec's deterministic profile.
    pub fn wasm_relaxed_simd(&mut self, enable: bool) -> &mut Config {
        self.wasm_relaxed_simd = enable;
        self
    }

    /// Accept typed function references (Wasm 3.0): reference types that name a function
    /// type (`(ref $t)`, `(ref null $t)`) or exclude null (`(ref func)`), `call_ref` and
    /// `return_call_ref` (which need no signature check at run time), `ref.as_non_null`,
    /// `br_on_null`, `br_on_non_null`, non-nullable locals, and table initializer
    /// expressions. On by default; when off, a module using them is invalid, as in Wasm 2.0.
    pub fn wasm_function_references(&mut self, enable: bool) -> &mut Config {
        self.wasm_function_references = enable;
        self
    }

    /// Accept exception handling (Wasm 3.0, the `exnref` form): tags (defined, imported,
    /// exported), `throw`, `throw_ref`, `try_table` with `catch`, `catch_ref`, `catch_all`
    /// and `catch_all_ref`, and `exnref` values. Exceptions cross interpreted and compiled
    /// frames and host functions; one no handler catches reaches the host as a trap of kind
    /// [`crate::TrapKind::Exception`] ("uncaught exception"; see [`crate::ExnRef::from_trap`]).
    /// Traps are never caught. Functions with a `try_table` run in the interpreter in every
    /// tier (the JIT leaves them out). Exceptions live until their store is dropped. On by
    /// default; when off, a module using them is invalid, as in Wasm 2.0.
    pub fn wasm_exceptions(&mut self, enable: bool) -> &mut Config {
        self.wasm_exceptions = enable;
        self
    }

    /// Accept the type system of garbage collection (Wasm 3.0): explicit recursion groups
    /// (`rec`), subtyping declarations (`sub`, `sub final`) with `call_indirect` accepting a
    /// function of a declared subtype of the expected type, struct and array type
    /// definitions, the abstract heap types `any`, `eq`, `i31`, `struct`, `array` and `none`
    /// (and their nulls), and `global.get` of any immutable global in constant expressions.
    /// Types are canonicalised per recursion group engine-wide, so equivalent types of
    /// different modules are the same. Of GC's instructions, `ref.eq`, `ref.i31` and
    /// `i31.get_s`/`i31.get_u` run (an `i31ref` is an odd 64-bit slot; a host sees it as
    /// [`crate::AnyRef`]); the others (`struct.*`, `array.*`, `ref.test`, `ref.cast`,
    /// `br_on_cast*`, `any.convert_extern`, `extern.convert_any`) are not supported yet: a
    /// module using them fails to compile with [`crate::Error::Unsupported`]. On by default; when off, a module using
    /// any of this is invalid. GC builds on typed function references: with
    /// [`Config::wasm_function_references`] off, it is off too.
    pub fn wasm_gc(&mut self, enable: bool) -> &mut Config {
        self.wasm_gc = enable;
        self
    }

    /// Accept the wide-arithmetic proposal's instructions (`i64.add128`, `i64.sub128`,
    /// `i64.mul_wide_s`, `i64.mul_wide_u`: 128-bit results as two `i64`s). Off by default:
    /// the proposal is not part of a WebAssembly standard yet.
    pub fn wasm_wide_arithmetic(&mut self, enable: bool) -> &mut Config {
        self.wasm_wide_arithmetic = enable;
        self
    }

    /// Accept the custom-page-sizes proposal: a memory may declare one-byte pages
    /// (`(memory 1000 (pagesize 1))`), for hosts with little memory. Off by default: the
    /// proposal is not part of a WebAssembly standard yet. The JIT checks every access to
    /// such a memory explicitly (guard pages cannot cover its end).
    pub fn wasm_custom_page_sizes(&mut self, enable: bool) -> &mut Config {
        self.wasm_custom_page_sizes = enable;
        self
    }

    /// Translate each function to interpreter bytecode on its first call (the default)
    /// instead of all of them when the module is made. Either way every function body is
    /// validated when the module is made, so an invalid module fails there. Lazily, a
    /// function that is valid but exceeds one of the interpreter's limits (such as a branch
    /// over more than 65535 operands) traps when it is called (`TrapKind::Unsupported`);
    /// eagerly, the module fails to compile (`Error::Unsupported`). The translation is
    /// shared by every instance of the module, in any store and on any thread.
    pub fn lazy_translation(&mut self, enable: bool) -> &mut Config {
        self.lazy_translation = enable;
        self
    }

    /// The WebAssembly features modules are validated with.
    pub(crate) fn wasm_features(&self) -> wasmparser::WasmFeatures {
        let mut features = wasmtier_runtime::module::features();
        features.set(
            wasmparser::WasmFeatures::EXTENDED_CONST,
            self.wasm_extended_const,
        );
        features.set(wasmparser::WasmFeatures::TAIL_CALL, self.wasm_tail_call);
        features.set(
            wasmparser::WasmFeatures::MULTI_MEMORY,
            self.wasm_multi_memory,
        );
        features.set(wasmparser::WasmFeatures::MEMORY64, self.wasm_memory64);
        features.set(wasmparser::WasmFeatures::SIMD, self.wasm_simd);
        features.set(
            wasmparser::WasmFeatures::RELAXED_SIMD,
            self.wasm_simd && self.wasm_relaxed_simd,
        );
        features.set(
            wasmparser::WasmFeatures::FUNCTION_REFERENCES,
            self.wasm_function_references,
        );
        features.set(wasmparser::WasmFeatures::EXCEPTIONS, self.wasm_exceptions);
        // GC extends typed function references: without them, it is off too.
        features.set(
            wasmparser::WasmFeatures::GC,
            self.wasm_gc && self.wasm_function_references,
        );
        features.set(
            wasmparser::WasmFeatures::WIDE_ARITHMETIC,
            self.wasm_wide_arithmetic,
        );
        features.set(
            wasmparser::WasmFeatures::CUSTOM_PAGE_SIZES,
            self.wasm_custom_page_sizes,
        );
        features
    }

    pub fn tier(&mut self, tier: Tier) -> &mut Config {
        self.tier = tier;
        self
    }

    /// JIT tier: check every linear-memory access against the memory's current length
    /// instead of relying on guard pages (the default elides checks where the 4 GiB + 2 GiB
    /// guard reservation covers the access).
    pub fn jit_bounds_checks(&mut self, enable: bool) -> &mut Config {
        self.jit_bounds_checks = enable;
        self
    }

    /// JIT tier: compile only the defined functions for which `filter(module name, function
    /// index)` returns true; the others run in the interpreter (calls cross tiers freely).
    pub fn jit_filter(&mut self, filter: fn(Option<&str>, u32) -> bool) -> &mut Config {
        self.jit_filter = Some(filter);
        self
    }

    /// JIT tier: write the Cranelift IR of every function compiled when a module is loaded,
    /// before optimisation, to `DIR/<function index>[-<name>].clif` (for debugging the JIT).
    /// The directory must exist; failing to write fails the module's compilation.
    pub fn jit_emit_clif(&mut self, dir: impl Into<std::path::PathBuf>) -> &mut Config {
        self.jit_emit_clif = Some(dir.into().into());
        self
    }

    /// JIT tier: keep compiled modules' machine code in the code cache in `dir` (created if
    /// missing), so that loading the same module again with the same wasmtier, CPU and
    /// code-relevant settings maps the code instead of compiling it (see
    /// [`crate::CacheStatus`] and `Module::cache_status`). Off by default;
    /// [`Config::default_cache_dir`] is where the `wasmtier` command keeps it. The cache never
    /// fails a module: a damaged entry is replaced, an unwritable directory skipped.
    pub fn cache_dir(&mut self, dir: impl Into<std::path::PathBuf>) -> &mut Config {
        self.cache_dir = Some(dir.into());
        self
    }

    /// The most bytes the code cache's entries may take (1 GiB by default). Past it, storing
    /// a new entry deletes the least recently used ones (a hit counts as a use) until the
    /// entries take at most 90 % of the limit; the new entry is kept even if it alone is
    /// larger. Other processes using the same directory may have other limits: each applies
    /// its own when it stores.
    pub fn cache_max_bytes(&mut self, max_bytes: u64) -> &mut Config {
        self.cache_max_bytes = max_bytes;
        self
    }

    /// Turns the code cache off (the default).
    pub fn disable_cache(&mut self) -> &mut Config {
        self.cache_dir = None;
        self
    }

    /// The conventional cache directory: `$XDG_CACHE_HOME/wasmtier`, else
    /// `~/.cache/wasmtier`; `None` without a home directory.
    pub fn default_cache_dir() -> Option<std::path::PathBuf> {
        crate::cache::default_dir()
    }

    /// Meter execution with fuel: each instruction costs one unit (a wasm instruction in
    /// compiled code; in the interpreter a bytecode instruction, which may stand for several
    /// fused wasm instructions) and a store that runs out traps with "all fuel consumed".
    /// Stores start with no fuel (`Store::set_fuel`).
    pub fn consume_fuel(&mut self, enable: bool) -> &mut Config {
        self.consume_fuel = enable;
        self
    }

    /// Maximum nesting of interpreted wasm calls before "call stack exhausted". Compiled code
    /// (JIT, and promoted functions under `auto`) runs on the native stack instead and is
    /// bounded by [`Config::max_wasm_stack`].
    pub fn max_call_depth(&mut self, depth: usize) -> &mut Config {
        self.limits.max_call_depth = depth;
        self
    }

    /// Most bytes of native stack compiled wasm code may use (default 16 MiB, and never more
    /// than the thread's stack leaves free); deeper recursion traps with "call stack
    /// exhausted". The interpreter's frames are bounded by [`Config::max_call_depth`] and
    /// [`Config::max_stack_slots`] instead.
    pub fn max_wasm_stack(&mut self, bytes: usize) -> &mut Config {
        self.limits.max_wasm_stack = bytes;
        self
    }

    /// Size of the interpreter's value stack, in 64-bit slots.
    pub fn max_stack_slots(&mut self, slots: usize) -> &mut Config {
        self.limits.max_stack_slots = slots;
        self
    }

    /// Maximum pages of any linear memory (growth beyond fails as `memory.grow` -1).
    pub fn max_memory_pages(&mut self, pages: u64) -> &mut Config {
        self.limits.max_memory_pages = pages;
        self
    }

    /// Maximum elements of any table (growth beyond fails as `table.grow` -1).
    pub fn max_table_elements(&mut self, elements: u64) -> &mut Config {
        self.limits.max_table_elements = elements;
        self
    }

    /// Maximum elements of all of a store's tables together (default 100 million, 800 MB
    /// once written; declared but unwritten elements cost no memory). Creation beyond fails,
    /// growth beyond fails as `table.grow` -1.
    pub fn max_table_elements_total(&mut self, elements: u64) -> &mut Config {
        self.limits.max_table_elements_total = elements;
        self
    }

    /// Maximum instances in one store (default 10 000); instantiation beyond fails.
    pub fn max_instances(&mut self, count: usize) -> &mut Config {
        self.limits.max_instances = count;
        self
    }

    /// Maximum tables in one store (default 10 000); creation beyond fails.
    pub fn max_tables(&mut self, count: usize) -> &mut Config {
        self.limits.max_tables = count;
        self
    }

    /// Maximum linear memories in one store (default 10 000); creation beyond fails. Each
    /// memory reserves 6 GiB of address space (committed only as it grows).
    pub fn max_memories(&mut self, count: usize) -> &mut Config {
        self.limits.max_memories = count;
        self
    }
}

pub(crate) struct EngineInner {
    pub(crate) config: Config,
    pub(crate) registry: Arc<TypeRegistry>,
    /// `Tier::Auto` with background compilation: the threads that compile hot functions.
    #[cfg(feature = "jit")]
    pub(crate) compile_pool: Option<Arc<wasmtier_jit::tiering::CompilePool>>,
}

/// Compilation environment shared by modules and stores. Cheap to clone.
#[derive(Clone)]
pub struct Engine {
    pub(crate) inner: Arc<EngineInner>,
}

impl Engine {
    /// Creates an engine. Fails if the configured tier is not available in this build.
    pub fn new(config: &Config) -> crate::Result<Engine> {
        match config.tier {
            Tier::Interp => {}
            #[cfg(feature = "jit")]
            Tier::Jit if wasmtier_jit::is_supported() => {}
            #[cfg(feature = "jit")]
            Tier::Jit => {
                return Err(crate::Error::Unsupported(
                    "tier `jit` is not supported on this host (x86-64 Linux only)".into(),
                ));
            }
            #[cfg(not(feature = "jit"))]
            Tier::Jit => {
                return Err(crate::Error::Unsupported(
                    "tier `jit` is not available: wasmtier was built without the JIT \
                     (cargo feature `jit`)"
                        .into(),
                ));
            }
            // Without a usable JIT, `auto` is the interpreter alone (see `Engine::tiers_up`).
            Tier::Auto => {}
        }
        #[cfg(feature = "jit")]
        let compile_pool = (config.tier == Tier::Auto
            && !config.synchronous_compilation
            && wasmtier_jit::is_supported())
        .then(|| {
            Arc::new(wasmtier_jit::tiering::CompilePool::new(
                config
                    .compile_threads
                    .unwrap_or_else(wasmtier_jit::tiering::CompilePool::default_threads),
            ))
        });
        Ok(Engine {
            inner: Arc::new(EngineInner {
                config: config.clone(),
                registry: Arc::new(TypeRegistry::default()),
                #[cfg(feature = "jit")]
                compile_pool,
            }),
        })
    }

    /// Whether this engine promotes hot functions to machine code: `Tier::Auto` in a build
    /// with the JIT, on a host the JIT supports.
    pub fn tiers_up(&self) -> bool {
        #[cfg(feature = "jit")]
        {
            self.tier() == Tier::Auto && wasmtier_jit::is_supported()
        }
        #[cfg(not(feature = "jit"))]
        {
            false
        }
    }

    pub fn config(&self) -> &Config {
        &self.inner.config
    }

    /// Compiles a module (binary or text) for this `Tier::Jit` engine and returns it as a
    /// precompiled module: its machine code and its wasm bytes, for `Module::deserialize`
    /// (by an engine of the same wasmtier build, CPU and code-relevant settings) to load
    /// without compiling. The code cache is not used.
    pub fn precompile_module(&self, bytes: &[u8]) -> crate::Result<Vec<u8>> {
        #[cfg(feature = "jit")]
        {
            let key = crate::module::jit_key(self)?;
            let binary = crate::module::to_binary(bytes)?;
            let module = crate::Module::compile_uncached(self, &binary)?;
            let compiled = module.jit.as_ref().expect("Tier::Jit compiles");
            Ok(wasmtier_jit::artifact::write(compiled, &key, &binary))
        }
        #[cfg(not(feature = "jit"))]
        {
            let _ = bytes;
            Err(crate::Error::Unsupported(
                "precompiling needs the JIT: wasmtier was built without it (cargo feature \
                 `jit`)"
                    .into(),
            ))
        }
    }

    pub fn tier(&self) -> Tier {
        self.inner.config.tier
    }
}

impl Default for Engine {
    fn default() -> Engine {
        Engine::new(&Config::default()).expect("the interpreter tier is always available")
    }
}

impl std::fmt::Debug for Engine {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Engine")
            .field("config", &self.inner.config)
            .finish()
    }
}
