//! Compiled modules.

use std::path::Path;
use std::sync::Arc;

use wasmtier_interp::ModuleCode;
use wasmtier_runtime::module::{self, ExternKind, ModuleInfo};
use wasmtier_runtime::{FuncType, GlobalType, MemoryType, TableType};

use crate::{CacheStatus, Engine, Error, Result};

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
    /// What the code cache (or a precompiled module) did for this module.
    pub(crate) cache: CacheStatus,
}

/// Where `Module::build` gets `Tier::Jit` machine code from.
#[cfg(feature = "jit")]
enum JitSource<'a> {
    /// Compile the bodies.
    Compile,
    /// Map the code of a precompiled module whose wasm bytes are the module's.
    Load(wasmtier_jit::artifact::Artifact<'a>),
}

/// The type of an import or export.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ExternType {
    Func(FuncType),
    Table(TableType),
    Memory(MemoryType),
    Global(GlobalType),
    /// A tag, by its type (a function type without results).
    Tag(FuncType),
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
pub(crate) fn to_binary(bytes: &[u8]) -> Result<std::borrow::Cow<'_, [u8]>> {
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

    /// Compiles a module from its binary encoding. Under `Tier::Jit` with a code cache
    /// (`Config::cache_dir`), machine code saved there by an earlier compilation of the same
    /// bytes is mapped instead of compiled (`Module::cache_status` tells).
    pub fn from_binary(engine: &Engine, binary: &[u8]) -> Result<Module> {
        #[cfg(feature = "jit")]
        if let Some(dir) = engine.config().cache_dir.as_deref()
            && let Some(key) = cache_key(engine)
        {
            return Module::cached(engine, binary, dir, &key);
        }
        Module::build(
            engine,
            binary,
            #[cfg(feature = "jit")]
            JitSource::Compile,
        )
    }

    /// [`Module::from_binary`] without the code cache.
    #[cfg(feature = "jit")]
    pub(crate) fn compile_uncached(engine: &Engine, binary: &[u8]) -> Result<Module> {
        Module::build(engine, binary, JitSource::Compile)
    }

    /// [`Module::from_binary`] through the code cache in `dir`.
    #[cfg(feature = "jit")]
    fn cached(
        engine: &Engine,
        binary: &[u8],
        dir: &Path,
        key: &wasmtier_jit::artifact::Key,
    ) -> Result<Module> {
        let path = crate::cache::entry_path(dir, &key.cache_name(binary));
        if let Some(bytes) = crate::cache::read(&path) {
            // A damaged or mismatching entry (even one that fails to load) is a miss: the
            // module is compiled and the entry replaced below.
            let hit = wasmtier_jit::artifact::read(&bytes, key)
                .ok()
                .filter(|artifact| artifact.wasm == binary)
                .and_then(|artifact| Module::build(engine, binary, JitSource::Load(artifact)).ok());
            if let Some(mut module) = hit {
                crate::cache::touch(&path);
                module.cache = CacheStatus::Hit(path);
                return Ok(module);
            }
        }
        let mut module = Module::build(engine, binary, JitSource::Compile)?;
        let compiled = module.jit.as_ref().expect("Tier::Jit compiles");
        let bytes = wasmtier_jit::artifact::write(compiled, key, binary);
        module.cache = match crate::cache::store(&path, &bytes) {
            Ok(()) => {
                crate::cache::evict(dir, engine.config().cache_max_bytes, &path);
                CacheStatus::Stored(path)
            }
            Err(e) => CacheStatus::Unavailable(e),
        };
        Ok(module)
    }

    /// Loads a precompiled module, as written by `Engine::precompile_module` (or
    /// `wasmtier compile`), without compiling anything: its machine code is mapped as it is.
    /// The engine must be a `Tier::Jit` engine of the same wasmtier build, on a CPU with the
    /// same features and with the same code-relevant settings (bounds checks, fuel, wasm
    /// features); otherwise, or if the bytes are truncated or damaged, this fails with
    /// `Error::Artifact` saying why.
    ///
    /// # Safety
    /// The bytes are machine code that is run as it is: they must come from a trusted
    /// `precompile_module`. The checksum catches accidental damage, not tampering.
    pub unsafe fn deserialize(engine: &Engine, bytes: impl AsRef<[u8]>) -> Result<Module> {
        #[cfg(feature = "jit")]
        {
            let key = jit_key(engine)?;
            let artifact =
                wasmtier_jit::artifact::read(bytes.as_ref(), &key).map_err(Error::Artifact)?;
            let wasm = artifact.wasm;
            let mut module = Module::build(engine, wasm, JitSource::Load(artifact))?;
            module.cache = CacheStatus::Precompiled;
            Ok(module)
        }
        #[cfg(not(feature = "jit"))]
        {
            let _ = (engine, bytes);
            Err(Error::Unsupported(
                "precompiled modules need the JIT: wasmtier was built without it (cargo \
                 feature `jit`)"
                    .into(),
            ))
        }
    }

    /// [`Module::deserialize`] of a file's contents.
    ///
    /// # Safety
    /// As for [`Module::deserialize`]: the file must come from a trusted
    /// `precompile_module`.
    pub unsafe fn deserialize_file(engine: &Engine, path: impl AsRef<Path>) -> Result<Module> {
        let path = path.as_ref();
        let bytes =
            std::fs::read(path).map_err(|e| Error::Io(format!("{}: {e}", path.display())))?;
        // SAFETY: the caller vouches for the file (this function's contract).
        unsafe { Module::deserialize(engine, bytes) }
    }

    /// Whether `bytes` look like a precompiled module (rather than wasm binary or text).
    pub fn is_precompiled(bytes: &[u8]) -> bool {
        #[cfg(feature = "jit")]
        {
            wasmtier_jit::artifact::is_artifact(bytes)
        }
        #[cfg(not(feature = "jit"))]
        {
            bytes.starts_with(b"wtiercw\0")
        }
    }

    /// What the code cache did for this module: loaded its machine code, compiled and stored
    /// it, or nothing.
    pub fn cache_status(&self) -> &CacheStatus {
        &self.cache
    }

    /// Compiles `binary` for the engine; under `Tier::Jit`, gets the machine code from `jit`.
    fn build(
        engine: &Engine,
        binary: &[u8],
        #[cfg(feature = "jit")] jit: JitSource<'_>,
    ) -> Result<Module> {
        let config = engine.config();
        #[cfg(feature = "jit")]
        let precompiled = matches!(jit, JitSource::Load(_));
        #[cfg(not(feature = "jit"))]
        let precompiled = false;
        // Lazily, every body is validated here; eagerly, translating validates them. A
        // precompiled module's were validated when it was compiled (with the same features:
        // they are part of its key), and lazy translation checks each body again anyway.
        let registry = &engine.inner.registry;
        let parsed = if config.lazy_translation && !precompiled {
            let threads = config
                .compile_threads
                .unwrap_or_else(|| std::thread::available_parallelism().map_or(1, |n| n.get()));
            module::parse_validated(binary, registry, config.wasm_features(), threads)?
        } else {
            module::parse_with_features(binary, registry, config.wasm_features())?
        };
        #[cfg(feature = "jit")]
        let jit_bodies: Vec<_> = if engine.tier() == crate::Tier::Jit && !precompiled {
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
        let options = jit_options(config);
        #[cfg(feature = "jit")]
        let jit = match jit {
            _ if engine.tier() != crate::Tier::Jit => None,
            JitSource::Compile => {
                let compiled = wasmtier_jit::compile_module(&info, &jit_bodies, &options)
                    .map_err(|e| Error::Unsupported(format!("JIT compilation failed: {e}")))?;
                Some(Arc::new(compiled))
            }
            JitSource::Load(artifact) => {
                Some(Arc::new(artifact.load(&info).map_err(Error::Artifact)?))
            }
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
            cache: CacheStatus::Off,
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
            ExternKind::Tag => ExternType::Tag(self.info.tag_type(index).clone()),
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
                module::ImportType::Tag(t) => ExternType::Tag(self.info.types[*t as usize].clone()),
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

/// The key of the machine code `engine` compiles, if it can be saved: `Tier::Jit`, and no
/// setting that the key cannot describe (a JIT filter) or that needs a real compilation
/// (writing the IR).
#[cfg(feature = "jit")]
fn cache_key(engine: &Engine) -> Option<wasmtier_jit::artifact::Key> {
    let config = engine.config();
    if engine.tier() != crate::Tier::Jit || config.jit_emit_clif.is_some() {
        return None;
    }
    jit_key(engine).ok()
}

/// The key precompiled modules for `engine` must have (`wasmtier_jit::artifact::Key`).
#[cfg(feature = "jit")]
pub(crate) fn jit_key(engine: &Engine) -> Result<wasmtier_jit::artifact::Key> {
    if engine.tier() != crate::Tier::Jit {
        return Err(Error::Usage(format!(
            "precompiled modules are for tier `jit`; this engine's tier is `{}`",
            engine.tier()
        )));
    }
    let config = engine.config();
    let features = format!("{:#x}", config.wasm_features().bits());
    wasmtier_jit::artifact::Key::new(&jit_options(config), &features).map_err(Error::Artifact)
}

/// The JIT options of `config`.
#[cfg(feature = "jit")]
pub(crate) fn jit_options(config: &crate::Config) -> wasmtier_jit::JitOptions {
    wasmtier_jit::JitOptions {
        bounds_checks: config.jit_bounds_checks,
        filter: config.jit_filter,
        fuel: config.consume_fuel,
        compile_threads: config.compile_threads,
        emit_clif: config.jit_emit_clif.clone(),
    }
}

impl std::fmt::Debug for Module {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Module")
            .field("name", &self.info.name)
            .finish()
    }
}
