//! The engines under comparison behind one small trait: wasmtier (any tier) and wasmi.

use crate::generate::{MAX_MEMORY_PAGES, MAX_TABLE_ELEMENTS};

/// A value in engine-neutral form. Floats are bits; references only record null-ness
/// (function identities are not comparable across engines).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Value {
    I32(i32),
    I64(i64),
    F32(u32),
    F64(u64),
    V128(u128),
    FuncRef {
        null: bool,
    },
    ExternRef {
        null: bool,
    },
    /// Exception and GC references (wasmtier only: the generator makes neither yet).
    ExnRef {
        null: bool,
    },
    AnyRef {
        null: bool,
    },
}

/// Value types of parameters and results.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Ty {
    I32,
    I64,
    F32,
    F64,
    V128,
    FuncRef,
    ExternRef,
}

impl Ty {
    pub fn from_wasmparser(t: wasmparser::ValType) -> Option<Ty> {
        use wasmparser::ValType as V;
        Some(match t {
            V::I32 => Ty::I32,
            V::I64 => Ty::I64,
            V::F32 => Ty::F32,
            V::F64 => Ty::F64,
            V::V128 => Ty::V128,
            V::Ref(r) if r == wasmparser::RefType::FUNCREF => Ty::FuncRef,
            V::Ref(r) if r == wasmparser::RefType::EXTERNREF => Ty::ExternRef,
            _ => return None,
        })
    }
}

/// Trap reasons, normalized across engines. wasmtier distinguishes "undefined element"
/// (`call_indirect` index past the table's end) from other table accesses; wasmi reports
/// both as `TableOutOfBounds`, so both map to [`TrapKind::TableOutOfBounds`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TrapKind {
    Unreachable,
    IntegerDivideByZero,
    IntegerOverflow,
    BadConversionToInteger,
    MemoryOutOfBounds,
    TableOutOfBounds,
    IndirectCallToNull,
    IndirectCallTypeMismatch,
    /// Call depth or value stack exhausted: limits differ between engines.
    StackOverflow,
    /// Fuel units differ between engines.
    OutOfFuel,
    Other(String),
}

impl TrapKind {
    /// Outcomes that depend on engine-specific resource limits: when one engine reports
    /// one of these, the call is not compared and the module's run stops.
    pub fn is_resource_exhaustion(&self) -> bool {
        matches!(self, TrapKind::StackOverflow | TrapKind::OutOfFuel)
    }
}

/// What calling a function (or instantiating) produced.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    Returned(Vec<Value>),
    Trapped(TrapKind),
    /// A non-trap error (link error, resource error, API misuse): a harness or engine bug
    /// unless all engines agree.
    Error(String),
}

impl Outcome {
    pub fn is_resource_exhaustion(&self) -> bool {
        matches!(self, Outcome::Trapped(k) if k.is_resource_exhaustion())
    }
}

/// Exported, engine-visible state after a call.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ExportState {
    Global(Value),
    Memory(Vec<u8>),
    /// Table elements' null-ness.
    Table(Vec<bool>),
    Func,
    Missing,
}

/// One engine instance of one module.
pub trait DiffEngine {
    fn name(&self) -> String;
    /// Compiles and instantiates (running the start function) with `fuel`.
    /// `Err` when compilation fails (with the message).
    fn instantiate(&mut self, wasm: &[u8], fuel: u64) -> Result<Outcome, String>;
    /// Calls an exported function with fresh fuel.
    fn call(&mut self, name: &str, args: &[Value], results: usize, fuel: u64) -> Outcome;
    /// The current state of an export. Memories are reported as `ExportState::Memory`
    /// with no contents: compare them through [`DiffEngine::memory`], which avoids copies.
    fn export_state(&mut self, name: &str) -> ExportState;
    /// The contents of an exported memory.
    fn memory(&self, name: &str) -> Option<&[u8]>;
}

// ---------------------------------------------------------------------------------------
// wasmtier

/// Named wasmtier configurations that take part in differential runs. Adding one is one
/// line here; the JIT-based ones need the fuzz crate built with `--features jit`.
pub fn wasmtier_configs() -> Vec<(&'static str, wasmtier::Config)> {
    #[allow(unused_mut)]
    let mut configs = vec![("interp", wasmtier_config(wasmtier::Tier::Interp))];
    #[cfg(feature = "jit")]
    {
        configs.push(("jit", wasmtier_config(wasmtier::Tier::Jit)));
        configs.push(("jit-checked", {
            let mut c = wasmtier_config(wasmtier::Tier::Jit);
            c.jit_bounds_checks(true);
            c
        }));
        // Promotion forced early and deterministic: every function runs interpreted once,
        // then compiled; loops move to compiled code after 8 iterations (on-stack
        // replacement), so calls run with mixed frames.
        configs.push(("auto", {
            let mut c = wasmtier_config(wasmtier::Tier::Auto);
            c.tier_threshold(2).synchronous_compilation(true);
            c
        }));
    }
    configs
}

/// The settings every differential wasmtier engine uses, for `tier`.
pub fn wasmtier_config(tier: wasmtier::Tier) -> wasmtier::Config {
    let mut c = wasmtier::Config::new();
    c.tier(tier)
        .wasm_simd(true)
        .wasm_wide_arithmetic(true)
        .consume_fuel(true)
        .max_memory_pages(MAX_MEMORY_PAGES)
        .max_table_elements(MAX_TABLE_ELEMENTS);
    c
}

pub struct Wasmtier {
    label: String,
    engine: wasmtier::Engine,
    store: wasmtier::Store<()>,
    instance: Option<wasmtier::Instance>,
}

impl Wasmtier {
    pub fn new(label: &str, config: &wasmtier::Config) -> Wasmtier {
        let engine = wasmtier::Engine::new(config).expect("configured tier is available");
        let store = wasmtier::Store::new(&engine, ());
        Wasmtier {
            label: format!("wasmtier-{label}"),
            engine,
            store,
            instance: None,
        }
    }
}

fn wasmtier_value(v: &wasmtier::Val) -> Value {
    use wasmtier::Val as V;
    match v {
        V::I32(x) => Value::I32(*x),
        V::I64(x) => Value::I64(*x),
        V::F32(x) => Value::F32(*x),
        V::F64(x) => Value::F64(*x),
        V::FuncRef(f) => Value::FuncRef { null: f.is_none() },
        V::ExternRef(e) => Value::ExternRef { null: e.is_none() },
        V::ExnRef(e) => Value::ExnRef { null: e.is_none() },
        V::AnyRef(a) => Value::AnyRef { null: a.is_none() },
        V::V128(x) => Value::V128(*x),
    }
}

fn wasmtier_arg(v: &Value) -> wasmtier::Val {
    use wasmtier::Val as V;
    match v {
        Value::I32(x) => V::I32(*x),
        Value::I64(x) => V::I64(*x),
        Value::F32(x) => V::F32(*x),
        Value::F64(x) => V::F64(*x),
        Value::V128(x) => V::V128(*x),
        Value::FuncRef { .. } => V::FuncRef(None),
        Value::ExternRef { .. } => V::ExternRef(None),
        Value::ExnRef { .. } => V::ExnRef(None),
        Value::AnyRef { .. } => V::AnyRef(None),
    }
}

fn wasmtier_outcome(e: wasmtier::Error) -> Outcome {
    use wasmtier::TrapCode as C;
    match e.as_trap().map(|t| t.kind().clone()) {
        Some(wasmtier::TrapKind::Code(code)) => Outcome::Trapped(match code {
            C::Unreachable => TrapKind::Unreachable,
            C::IntegerDivideByZero => TrapKind::IntegerDivideByZero,
            C::IntegerOverflow => TrapKind::IntegerOverflow,
            C::BadConversionToInteger => TrapKind::BadConversionToInteger,
            C::MemoryOutOfBounds => TrapKind::MemoryOutOfBounds,
            C::TableOutOfBounds | C::UndefinedElement => TrapKind::TableOutOfBounds,
            C::UninitializedElement | C::NullReference => TrapKind::IndirectCallToNull,
            C::IndirectCallTypeMismatch => TrapKind::IndirectCallTypeMismatch,
            C::StackOverflow => TrapKind::StackOverflow,
            C::OutOfFuel => TrapKind::OutOfFuel,
            other => TrapKind::Other(other.to_string()),
        }),
        Some(other) => Outcome::Trapped(TrapKind::Other(format!("{other:?}"))),
        None => Outcome::Error(e.to_string()),
    }
}

impl DiffEngine for Wasmtier {
    fn name(&self) -> String {
        self.label.clone()
    }

    fn instantiate(&mut self, wasm: &[u8], fuel: u64) -> Result<Outcome, String> {
        let module =
            wasmtier::Module::from_binary(&self.engine, wasm).map_err(|e| e.to_string())?;
        self.store.set_fuel(fuel).expect("fuel is enabled");
        match wasmtier::Linker::new(&self.engine).instantiate(&mut self.store, &module) {
            Ok(instance) => {
                self.instance = Some(instance);
                Ok(Outcome::Returned(Vec::new()))
            }
            Err(e) => Ok(wasmtier_outcome(e)),
        }
    }

    fn call(&mut self, name: &str, args: &[Value], results: usize, fuel: u64) -> Outcome {
        let Some(instance) = self.instance else {
            return Outcome::Error("not instantiated".into());
        };
        let Some(func) = instance.get_func(&self.store, name) else {
            return Outcome::Error(format!("no function export `{name}`"));
        };
        self.store.set_fuel(fuel).expect("fuel is enabled");
        let args: Vec<_> = args.iter().map(wasmtier_arg).collect();
        let mut out = vec![wasmtier::Val::I32(0); results];
        match func.call(&mut self.store, &args, &mut out) {
            Ok(()) => Outcome::Returned(out.iter().map(wasmtier_value).collect()),
            Err(e) => wasmtier_outcome(e),
        }
    }

    fn export_state(&mut self, name: &str) -> ExportState {
        let Some(instance) = self.instance else {
            return ExportState::Missing;
        };
        match instance.get_export(&self.store, name) {
            Some(wasmtier::Extern::Global(g)) => {
                ExportState::Global(wasmtier_value(&g.get(&self.store)))
            }
            Some(wasmtier::Extern::Memory(_)) => ExportState::Memory(Vec::new()),
            Some(wasmtier::Extern::Table(t)) => {
                let n = t.size(&self.store);
                ExportState::Table(
                    (0..n)
                        .map(|i| match t.get(&self.store, i) {
                            Some(v) => !matches!(
                                wasmtier_value(&v),
                                Value::FuncRef { null: false }
                                    | Value::ExternRef { null: false }
                                    | Value::ExnRef { null: false }
                                    | Value::AnyRef { null: false }
                            ),
                            None => true,
                        })
                        .collect(),
                )
            }
            Some(wasmtier::Extern::Func(_)) => ExportState::Func,
            // wasmi has no tags; the generator makes none.
            Some(wasmtier::Extern::Tag(_)) | None => ExportState::Missing,
        }
    }

    fn memory(&self, name: &str) -> Option<&[u8]> {
        let memory = self.instance?.get_memory(&self.store, name)?;
        Some(memory.data(&self.store))
    }
}

// ---------------------------------------------------------------------------------------
// wasmi (the oracle)

pub struct Wasmi {
    engine: wasmi::Engine,
    store: wasmi::Store<wasmi::StoreLimits>,
    instance: Option<wasmi::Instance>,
}

impl Default for Wasmi {
    fn default() -> Self {
        Self::new()
    }
}

impl Wasmi {
    pub fn new() -> Wasmi {
        let mut config = wasmi::Config::default();
        config
            .consume_fuel(true)
            .wasm_mutable_global(true)
            .wasm_sign_extension(true)
            .wasm_saturating_float_to_int(true)
            .wasm_multi_value(true)
            .wasm_bulk_memory(true)
            .wasm_reference_types(true)
            .wasm_multi_memory(true)
            .wasm_memory64(true)
            .wasm_tail_call(true)
            .wasm_extended_const(true)
            .wasm_simd(true)
            .wasm_custom_page_sizes(false)
            .wasm_wide_arithmetic(true);
        let engine = wasmi::Engine::new(&config);
        let limits = wasmi::StoreLimitsBuilder::new()
            .memory_size((MAX_MEMORY_PAGES * 65536) as usize)
            .table_elements(MAX_TABLE_ELEMENTS as usize)
            .build();
        let mut store = wasmi::Store::new(&engine, limits);
        store.limiter(|limits| limits);
        Wasmi {
            engine,
            store,
            instance: None,
        }
    }
}

fn wasmi_value(v: &wasmi::Val) -> Value {
    use wasmi::Val as V;
    match v {
        V::I32(x) => Value::I32(*x),
        V::I64(x) => Value::I64(*x),
        V::F32(x) => Value::F32(x.to_bits()),
        V::F64(x) => Value::F64(x.to_bits()),
        V::FuncRef(f) => Value::FuncRef { null: f.is_null() },
        V::ExternRef(e) => Value::ExternRef { null: e.is_null() },
        V::V128(x) => Value::V128(x.as_u128()),
    }
}

fn wasmi_arg(v: &Value) -> wasmi::Val {
    use wasmi::Val as V;
    match v {
        Value::I32(x) => V::I32(*x),
        Value::I64(x) => V::I64(*x),
        Value::F32(x) => V::F32(wasmi::F32::from_bits(*x)),
        Value::F64(x) => V::F64(wasmi::F64::from_bits(*x)),
        Value::V128(x) => V::V128(wasmi::V128::from(*x)),
        Value::FuncRef { .. } => V::FuncRef(wasmi::Nullable::Null),
        Value::ExternRef { .. } => V::ExternRef(wasmi::Nullable::Null),
        // Arguments come from `Ty`, which has no such types (wasmi has neither).
        Value::ExnRef { .. } | Value::AnyRef { .. } => {
            unreachable!("no argument is an exnref or anyref")
        }
    }
}

fn wasmi_outcome(e: wasmi::Error) -> Outcome {
    use wasmi::TrapCode as C;
    match e.as_trap_code() {
        Some(code) => Outcome::Trapped(match code {
            C::UnreachableCodeReached => TrapKind::Unreachable,
            C::MemoryOutOfBounds => TrapKind::MemoryOutOfBounds,
            C::TableOutOfBounds => TrapKind::TableOutOfBounds,
            C::IndirectCallToNull => TrapKind::IndirectCallToNull,
            C::IntegerDivisionByZero => TrapKind::IntegerDivideByZero,
            C::IntegerOverflow => TrapKind::IntegerOverflow,
            C::BadConversionToInteger => TrapKind::BadConversionToInteger,
            C::StackOverflow => TrapKind::StackOverflow,
            C::BadSignature => TrapKind::IndirectCallTypeMismatch,
            C::OutOfFuel => TrapKind::OutOfFuel,
            other => TrapKind::Other(format!("{other:?}")),
        }),
        // wasmi reports out-of-bounds segment initialization during instantiation as
        // structured errors rather than trap codes; the spec (and wasmtier) call it a trap.
        None => {
            use wasmi::errors::{ErrorKind, InstantiationError};
            let msg = e.to_string();
            match e.kind() {
                ErrorKind::Instantiation(InstantiationError::ElementSegmentDoesNotFit {
                    ..
                }) => Outcome::Trapped(TrapKind::TableOutOfBounds),
                ErrorKind::Table(_) if msg.contains("out of bounds") => {
                    Outcome::Trapped(TrapKind::TableOutOfBounds)
                }
                ErrorKind::Memory(_) if msg.contains("out of bounds") => {
                    Outcome::Trapped(TrapKind::MemoryOutOfBounds)
                }
                _ => Outcome::Error(msg),
            }
        }
    }
}

impl DiffEngine for Wasmi {
    fn name(&self) -> String {
        "wasmi".into()
    }

    fn instantiate(&mut self, wasm: &[u8], fuel: u64) -> Result<Outcome, String> {
        let module = wasmi::Module::new(&self.engine, wasm).map_err(|e| e.to_string())?;
        self.store.set_fuel(fuel).expect("fuel is enabled");
        let linker = wasmi::Linker::<wasmi::StoreLimits>::new(&self.engine);
        match linker.instantiate_and_start(&mut self.store, &module) {
            Ok(instance) => {
                self.instance = Some(instance);
                Ok(Outcome::Returned(Vec::new()))
            }
            Err(e) => Ok(wasmi_outcome(e)),
        }
    }

    fn call(&mut self, name: &str, args: &[Value], results: usize, fuel: u64) -> Outcome {
        let Some(instance) = self.instance else {
            return Outcome::Error("not instantiated".into());
        };
        let Some(func) = instance.get_func(&self.store, name) else {
            return Outcome::Error(format!("no function export `{name}`"));
        };
        self.store.set_fuel(fuel).expect("fuel is enabled");
        let args: Vec<_> = args.iter().map(wasmi_arg).collect();
        let mut out = vec![wasmi::Val::I32(0); results];
        match func.call(&mut self.store, &args, &mut out) {
            Ok(()) => Outcome::Returned(out.iter().map(wasmi_value).collect()),
            Err(e) => wasmi_outcome(e),
        }
    }

    fn export_state(&mut self, name: &str) -> ExportState {
        let Some(instance) = self.instance else {
            return ExportState::Missing;
        };
        match instance.get_export(&self.store, name) {
            Some(wasmi::Extern::Global(g)) => ExportState::Global(wasmi_value(&g.get(&self.store))),
            Some(wasmi::Extern::Memory(_)) => ExportState::Memory(Vec::new()),
            Some(wasmi::Extern::Table(t)) => {
                let n = t.size(&self.store);
                ExportState::Table(
                    (0..n)
                        .map(|i| t.get(&self.store, i).is_none_or(|r| r.is_null()))
                        .collect(),
                )
            }
            Some(wasmi::Extern::Func(_)) => ExportState::Func,
            None => ExportState::Missing,
        }
    }

    fn memory(&self, name: &str) -> Option<&[u8]> {
        let memory = self.instance?.get_memory(&self.store, name)?;
        Some(memory.data(&self.store))
    }
}
