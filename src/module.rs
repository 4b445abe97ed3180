//! Compiled modules.

use std::path::Path;
use std::sync::Arc;

use wasmtier_interp::ModuleCode;
use wasmtier_runtime::module::{self, ExternKind, ModuleInfo};
use wasmtier_runtime::{FuncType, GlobalType, MemoryType, TableType};

use crate::{Engine, Error, Result};

/// A validated module, ready to be instantiated in any store of its engine. Its functions are
/// translated for the interpreter on their first call (see `Config::lazy_translation`).
#[derive(Clone)]
pub struct Module {
    pub(crate) engine: Engine,
    pub(crate) info: Arc<ModuleInfo>,
    pub(crate) code: Arc<ModuleCode>,
    /// Machine code, when the engine's tier is `Tier::Jit`. The interpreter's code is kept
    /// too: functions the JIT leaves out run there.
    #[cfg(feature = "jit")]
    pub(crate) jit: Option<Arc<wasmtier_jit::CompiledModule>>,
    /// `Tier::Auto`: the functions' machine code, compiled one by one as they get hot.
    #[cfg(feature = "jit")]
    pub(crate) lazy: Option<Arc<wasmtier_jit::tiering::LazyModule>>,
}

/// The type of an import or export.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ExternType {
    Func(FuncType),
    Table(TableType),
    Memory(MemoryType),
    Global(GlobalType),
}

#[derive(Debug, Clone)]
pub struct ImportType {
    pub module: String,
    pub name: String,
    pub ty: ExternType,
}

#[derive(Debug, Clone)]
pub struct ExportType {
    pub name: String,
    pub ty: ExternType,
}

/// Turns WebAssembly text into binary; binary input passes through unchanged.
fn to_binary(bytes: &[u8]) -> Result<std::borrow::Cow<'_, [u8]>> {
    if bytes.starts_with(b"\0asm") {
        return Ok(bytes.into());
    }
    wat::parse_bytes(bytes).map_err(|e| Error::Text(e.to_string()))
}

impl Module {
    /// Compiles a module from WebAssembly binary or text.
    pub fn new(engine: &Engine, bytes: impl AsRef<[u8]>) -> Result<Module> {
        let binary = to_binary(bytes.as_ref())?;
        Module::from_binary(engine, &binary)
    }

    /// Compiles a module from its binary encoding.
    pub fn from_binary(engine: &Engine, binary: &[u8]) -> Result<Module> {
        let config = engine.config();
        // Lazily, every body is validated here; eagerly, translating validates them.
        let parse = if config.lazy_translation {
            module::parse_validated
        } else {
            module::parse_with_features
        };
        let parsed = parse(binary, &engine.inner.registry, config.wasm_features())?;
        #[cfg(feature = "jit")]
        let jit_bodies: Vec<_> = if engine.tier() == crate::Tier::Jit {
            parsed
                .bodies
                .iter()
                .map(|b| (b.func_index, b.body.clone()))
                .collect()
        } else {
            Vec::new()
        };
        let tiering = engine.tiers_up().then(|| wasmtier_interp::Tiering {
            call_threshold: config.tier_threshold,
            loop_threshold: config
                .tier_threshold
                .saturating_mul(crate::engine::LOOP_ITERATIONS_PER_CALL),
        });
        #[cfg(feature = "jit")]
        let body_ranges: Vec<_> = parsed
            .bodies
            .iter()
            .map(|b| {
                let r = b.body.range();
                r.start as usize..r.end as usize
            })
            .collect();
        // Tiered execution keeps the whole binary for the JIT, which reads bodies again when
        // it compiles a hot function; lazy translation reads them from there too.
        #[cfg(feature = "jit")]
        let wasm: Option<Arc<[u8]>> = tiering.is_some().then(|| Arc::from(binary));
        #[cfg(not(feature = "jit"))]
        let wasm: Option<Arc<[u8]>> = None;
        let info = Arc::new(parsed.info);
        // Lazily, each function is translated for the interpreter on its first call.
        let code = if config.lazy_translation {
            wasmtier_interp::lazy_module(
                info.clone(),
                parsed.bodies,
                binary,
                wasm.clone(),
                tiering.as_ref(),
            )
        } else {
            wasmtier_interp::translate_module(&info, parsed.bodies, tiering.as_ref())?
        };
        let code = Arc::new(code);
        #[cfg(feature = "jit")]
        let options = wasmtier_jit::JitOptions {
            bounds_checks: config.jit_bounds_checks,
            filter: config.jit_filter,
            fuel: config.consume_fuel,
            compile_threads: config.compile_threads,
            emit_clif: config.jit_emit_clif.clone(),
        };
        #[cfg(feature = "jit")]
        let jit = if engine.tier() == crate::Tier::Jit {
            let compiled = wasmtier_jit::compile_module(&info, &jit_bodies, &options)
                .map_err(|e| Error::Unsupported(format!("JIT compilation failed: {e}")))?;
            Some(Arc::new(compiled))
        } else {
            None
        };
        #[cfg(feature = "jit")]
        let lazy = wasm.map(|wasm| {
            // Compiled code counts its calls in the function's interpreter counters. A
            // function is compiled only once it is hot in the interpreter, so it has been
            // translated; should it not have been, it is translated here.
            let counters = config.count_calls.then(|| {
                let owner = code.clone();
                wasmtier_jit::tiering::CallCounters {
                    address: Box::new(move |def| {
                        let func = owner.get_or_translate(def).ok()?;
                        Some(func.hotness.calls_counter() as *const _ as usize)
                    }),
                }
            });
            // A finished background compilation makes the function's next interpreted entry
            // look at its machine code at once.
            let waiting = code.clone();
            let on_ready: wasmtier_jit::tiering::ReadyHook = Box::new(move |def| {
                if let Some(func) = waiting.translated(def) {
                    func.hotness.code_ready();
                }
            });
            Arc::new(wasmtier_jit::tiering::LazyModule::new(
                info.clone(),
                wasm,
                body_ranges,
                options,
                counters,
                engine.inner.compile_pool.clone(),
                Some(on_ready),
            ))
        });
        Ok(Module {
            engine: engine.clone(),
            info,
            code,
            #[cfg(feature = "jit")]
            jit,
            #[cfg(feature = "jit")]
            lazy,
        })
    }

    /// Reads and compiles a `.wasm` or `.wat` file.
    pub fn from_file(engine: &Engine, path: impl AsRef<Path>) -> Result<Module> {
        let path = path.as_ref();
        let bytes =
            std::fs::read(path).map_err(|e| Error::Io(format!("{}: {e}", path.display())))?;
        Module::new(engine, bytes)
    }

    /// Checks that `bytes` (binary or text) is a valid module without keeping the result.
    pub fn validate(engine: &Engine, bytes: impl AsRef<[u8]>) -> Result<()> {
        Module::new(engine, bytes).map(drop)
    }

    pub fn engine(&self) -> &Engine {
        &self.engine
    }

    /// The module's name from its name section.
    pub fn name(&self) -> Option<&str> {
        self.info.name.as_deref()
    }

    fn extern_type(&self, kind: ExternKind, index: u32) -> ExternType {
        let i = index as usize;
        match kind {
            ExternKind::Func => ExternType::Func(self.info.func_type(index).clone()),
            ExternKind::Table => ExternType::Table(self.info.tables[i]),
            ExternKind::Memory => ExternType::Memory(self.info.memories[i]),
            ExternKind::Global => ExternType::Global(self.info.globals[i]),
        }
    }

    pub fn imports(&self) -> impl ExactSizeIterator<Item = ImportType> + '_ {
        self.info.imports.iter().map(|i| ImportType {
            module: i.module.clone(),
            name: i.name.clone(),
            ty: match &i.ty {
                module::ImportType::Func(t) => {
                    ExternType::Func(self.info.types[*t as usize].clone())
                }
                module::ImportType::Table(t) => ExternType::Table(*t),
                module::ImportType::Memory(m) => ExternType::Memory(*m),
                module::ImportType::Global(g) => ExternType::Global(*g),
            },
        })
    }

    pub fn exports(&self) -> impl ExactSizeIterator<Item = ExportType> + '_ {
        self.info.exports.iter().map(|e| ExportType {
            name: e.name.clone(),
            ty: self.extern_type(e.kind, e.index),
        })
    }

    /// Number of functions (imported and defined).
    pub fn num_funcs(&self) -> u32 {
        self.info.func_types.len() as u32
    }

    /// Function index by name: an export name, a name-section name, or a decimal index.
    pub fn find_func(&self, name: &str) -> Option<u32> {
        if let Some(e) = self
            .info
            .export(name)
            .filter(|e| e.kind == ExternKind::Func)
        {
            return Some(e.index);
        }
        if let Some((index, _)) = self.info.func_names.iter().find(|(_, n)| *n == name) {
            return Some(*index);
        }
        name.parse().ok().filter(|i| *i < self.num_funcs())
    }

    /// A function's name from the module's name section.
    pub fn func_name(&self, func_index: u32) -> Option<&str> {
        self.info.func_name(func_index)
    }

    /// Human-readable listing of a defined function's interpreter bytecode (translating the
    /// function if that has not happened yet). `None` for an imported function; for a
    /// function beyond an interpreter limit, the listing says why it has no bytecode.
    pub fn disassemble(&self, func_index: u32) -> Option<String> {
        let defined = func_index.checked_sub(self.info.num_imported_funcs)?;
        Some(match self.code.disassemble(defined)? {
            Ok(listing) => listing,
            Err(e) => format!("func {func_index}: no bytecode: {e}\n"),
        })
    }

    /// How many of the module's defined functions have been translated for the
    /// interpreter, out of how many: with lazy translation (the default) only those that
    /// were called (or disassembled).
    pub fn translated_funcs(&self) -> (usize, usize) {
        (self.code.num_translated(), self.code.num_funcs())
    }
}

impl std::fmt::Debug for Module {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Module")
            .field("name", &self.info.name)
            .finish()
    }
}
