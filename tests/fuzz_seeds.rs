//! Replays the committed fuzz seeds (`fuzz/seeds/`) without libFuzzer and without the wasmi
//! oracle, so that `cargo test --workspace --release` exercises them:
//!
//! - `differential`: the module is generated exactly as the `differential` fuzz target does
//!   (`fuzz/src/generate.rs`, included verbatim), then run in every wasmtier configuration
//!   the fuzzer compares (interp; with the `jit` feature also jit, jit with explicit bounds
//!   checks, and auto with threshold 2 and synchronous compilation). Every exported function
//!   is called in two rounds with the fuzz target's arguments (drawn from the rest of the
//!   input, as `fuzz/src/diff.rs` does) and results, trap messages and the exported globals,
//!   memories and tables are compared between the configurations. A call where any
//!   configuration runs out of fuel or stack is not compared and ends the run, as in the
//!   fuzzer.
//! - `validate`: the `validate` target's check (`fuzz/src/validate.rs`, included verbatim):
//!   no panic, and a binary is accepted exactly when wasmparser accepts it with the
//!   features `Engine::default()` has.
//!
//! `cd fuzz && cargo test --release [--features jit]` replays the same seeds against wasmi too.

use std::path::{Path, PathBuf};

use arbitrary::Unstructured;
use wasmtier::{Config, Engine, Extern, Instance, Linker, Module, Store, Tier, TrapCode, Val};

// Assigning the wasm-smith config field by field keeps the order in which knobs are drawn
// from the input readable.
#[allow(clippy::field_reassign_with_default)]
#[path = "../fuzz/src/generate.rs"]
mod generate;
#[path = "../fuzz/src/validate.rs"]
mod validate;

/// Stand-in for the fuzz crate's `diff` module, used by `validate.rs` for its reports.
mod diff {
    pub fn wat_of(wasm: &[u8]) -> String {
        wasmprinter::print_bytes(wasm).unwrap_or_else(|e| format!("<unprintable: {e}>"))
    }
}

/// Fuel for instantiation and for each call, as in the fuzzer (`DiffOptions::default()`).
const FUEL: u64 = 20_000;
/// Rounds of calls to all exported functions, as in the fuzzer.
const ROUNDS: usize = 2;

fn inputs(target: &str) -> Vec<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("fuzz/seeds")
        .join(target);
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("reading {}: {e}", dir.display()))
        .map(|e| e.expect("directory entry").path())
        .filter(|p| p.is_file())
        .collect();
    files.sort();
    assert!(!files.is_empty(), "no seeds in {}", dir.display());
    files
}

/// The configurations of `wasmtier_configs()` in `fuzz/src/engines.rs`.
fn configs() -> Vec<(&'static str, Config)> {
    let config = |tier: Tier| {
        let mut c = Config::new();
        c.tier(tier)
            .wasm_wide_arithmetic(true)
            .consume_fuel(true)
            .max_memory_pages(generate::MAX_MEMORY_PAGES)
            .max_table_elements(generate::MAX_TABLE_ELEMENTS);
        c
    };
    #[allow(unused_mut)]
    let mut configs = vec![("interp", config(Tier::Interp))];
    #[cfg(feature = "jit")]
    {
        configs.push(("jit", config(Tier::Jit)));
        configs.push(("jit-checked", {
            let mut c = config(Tier::Jit);
            c.jit_bounds_checks(true);
            c
        }));
        configs.push(("auto", {
            let mut c = config(Tier::Auto);
            c.tier_threshold(2).synchronous_compilation(true);
            c
        }));
    }
    configs
}

/// A value in comparable form: floats as bits, references only by null-ness (identities
/// live in different stores).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Value {
    I32(i32),
    I64(i64),
    F32(u32),
    F64(u64),
    V128(u128),
    FuncRef { null: bool },
    ExternRef { null: bool },
    ExnRef { null: bool },
    AnyRef { null: bool },
}

fn value(v: &Val) -> Value {
    match v {
        Val::I32(x) => Value::I32(*x),
        Val::I64(x) => Value::I64(*x),
        Val::F32(x) => Value::F32(*x),
        Val::F64(x) => Value::F64(*x),
        Val::V128(x) => Value::V128(*x),
        Val::FuncRef(f) => Value::FuncRef { null: f.is_none() },
        Val::ExternRef(e) => Value::ExternRef { null: e.is_none() },
        Val::ExnRef(e) => Value::ExnRef { null: e.is_none() },
        Val::AnyRef(a) => Value::AnyRef { null: a.is_none() },
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Outcome {
    Returned(Vec<Value>),
    /// The trap's message (the spec's wording).
    Trapped(String),
    /// Any other error.
    Error(String),
}

impl Outcome {
    fn of(result: wasmtier::Result<Vec<Value>>) -> Outcome {
        match result {
            Ok(values) => Outcome::Returned(values),
            Err(wasmtier::Error::Trap(t)) => Outcome::Trapped(t.to_string()),
            Err(e) => Outcome::Error(e.to_string()),
        }
    }

    /// Fuel and stack limits are engine-specific: such calls are not compared.
    fn is_resource_exhaustion(&self) -> bool {
        [TrapCode::OutOfFuel, TrapCode::StackOverflow]
            .iter()
            .any(|c| *self == Outcome::Trapped(c.to_string()))
    }
}

/// Exported state other than functions.
#[derive(Debug, Clone, PartialEq, Eq)]
enum State {
    Global(Value),
    Memory(Vec<u8>),
    /// Null-ness of the elements.
    Table(Vec<bool>),
    Missing,
}

/// A function export with its parameter types, or the name of another export; in the
/// module's order (read with wasmparser, as `fuzz/src/diff.rs` does, so that arguments are
/// drawn from the input in the same order).
enum Export {
    Func(String, Vec<wasmparser::ValType>),
    Other(String),
}

fn exports(wasm: &[u8]) -> Vec<Export> {
    use wasmparser::{ExternalKind, Parser, Payload};
    let mut types = Vec::new();
    let mut funcs = Vec::new();
    let mut out = Vec::new();
    for payload in Parser::new(0).parse_all(wasm) {
        match payload.expect("wasm-smith output parses") {
            Payload::TypeSection(r) => {
                for t in r.into_iter_err_on_gc_types() {
                    types.push(t.unwrap().params().to_vec());
                }
            }
            Payload::FunctionSection(r) => funcs.extend(r.into_iter().map(|f| f.unwrap())),
            Payload::ExportSection(r) => {
                for e in r {
                    let e = e.unwrap();
                    let name = e.name.to_string();
                    out.push(match e.kind {
                        ExternalKind::Func => {
                            // No imports: the function index is the defined function's.
                            let ty = funcs[e.index as usize] as usize;
                            Export::Func(name, types[ty].clone())
                        }
                        _ => Export::Other(name),
                    });
                }
            }
            _ => {}
        }
    }
    out
}

/// An argument of type `ty` from the input, exactly as the fuzz target's `arbitrary_arg`
/// (`fuzz/src/diff.rs`) draws it, through the generator's shared `arbitrary_arg_bits`.
fn arbitrary_arg(u: &mut Unstructured<'_>, ty: wasmparser::ValType) -> Val {
    use generate::{ArgKind, arbitrary_arg_bits};
    use wasmparser::ValType as T;
    match ty {
        T::I32 => Val::I32(arbitrary_arg_bits(u, ArgKind::I32) as u32 as i32),
        T::I64 => Val::I64(arbitrary_arg_bits(u, ArgKind::I64) as i64),
        T::F32 => Val::F32(arbitrary_arg_bits(u, ArgKind::F32) as u32),
        T::F64 => Val::F64(arbitrary_arg_bits(u, ArgKind::F64)),
        // As `fuzz/src/diff.rs`: two i64 draws, low half first.
        T::V128 => {
            let lo = arbitrary_arg_bits(u, ArgKind::I64);
            let hi = arbitrary_arg_bits(u, ArgKind::I64);
            Val::V128(lo as u128 | (hi as u128) << 64)
        }
        T::Ref(r) if r == wasmparser::RefType::FUNCREF => {
            arbitrary_arg_bits(u, ArgKind::Ref);
            Val::FuncRef(None)
        }
        T::Ref(r) if r == wasmparser::RefType::EXTERNREF => {
            arbitrary_arg_bits(u, ArgKind::Ref);
            Val::ExternRef(None)
        }
        other => panic!("parameter type {other:?} outside Wasm 2.0"),
    }
}

/// One configuration's store and instance of the module.
struct Run {
    label: &'static str,
    store: Store<()>,
    instance: Option<Instance>,
}

impl Run {
    fn call(&mut self, name: &str, args: &[Val]) -> Outcome {
        let instance = self.instance.expect("instantiated");
        let func = instance.get_func(&self.store, name).expect("exported");
        let results = func.ty(&self.store).results().len();
        self.store.set_fuel(FUEL).unwrap();
        let mut out = vec![Val::I32(0); results];
        Outcome::of(
            func.call(&mut self.store, args, &mut out)
                .map(|()| out.iter().map(value).collect()),
        )
    }

    fn state(&self, name: &str) -> State {
        let instance = self.instance.expect("instantiated");
        match instance.get_export(&self.store, name) {
            Some(Extern::Global(g)) => State::Global(value(&g.get(&self.store))),
            Some(Extern::Memory(m)) => State::Memory(m.data(&self.store).to_vec()),
            Some(Extern::Table(t)) => State::Table(
                (0..t.size(&self.store))
                    .map(|i| {
                        t.get(&self.store, i).is_none_or(|v| {
                            matches!(
                                value(&v),
                                Value::FuncRef { null: true } | Value::ExternRef { null: true }
                            )
                        })
                    })
                    .collect(),
            ),
            Some(Extern::Func(_) | Extern::Tag(_)) | None => State::Missing,
        }
    }
}

/// Compares the outcomes of all runs with the first one's.
fn compare<T: PartialEq + std::fmt::Debug>(runs: &[Run], what: &[T]) -> Result<(), String> {
    for (run, other) in runs.iter().zip(what).skip(1) {
        if *other != what[0] {
            let (a, b) = (format!("{:?}", what[0]), format!("{other:?}"));
            let short = |s: String| s.chars().take(300).collect::<String>();
            return Err(format!(
                "{}: {}, but {}: {}",
                runs[0].label,
                short(a),
                run.label,
                short(b)
            ));
        }
    }
    Ok(())
}

fn compare_state(runs: &[Run], exports: &[Export]) -> Result<(), String> {
    for export in exports {
        if let Export::Other(name) = export {
            let states: Vec<State> = runs.iter().map(|r| r.state(name)).collect();
            compare(runs, &states).map_err(|e| format!("export `{name}`: {e}"))?;
        }
    }
    Ok(())
}

/// Runs one differential input; returns the number of calls compared, or a divergence.
fn run_differential(data: &[u8]) -> Result<usize, String> {
    let mut u = Unstructured::new(data);
    let Ok(wasm) = generate::differential_module(&mut u) else {
        return Ok(0);
    };
    let fail = |msg: String| Err(format!("{msg}\n--- module ---\n{}", diff::wat_of(&wasm)));
    let exports = exports(&wasm);

    let mut runs = Vec::new();
    let mut outcomes = Vec::new();
    for (label, config) in configs() {
        let engine = Engine::new(&config).expect("tier available");
        let module = match Module::from_binary(&engine, &wasm) {
            Ok(m) => m,
            Err(e) => return fail(format!("{label} rejects a wasm-smith module: {e}")),
        };
        let mut store = Store::new(&engine, ());
        store.set_fuel(FUEL).unwrap();
        let instance = Linker::new(&engine).instantiate(&mut store, &module);
        outcomes.push(Outcome::of(
            instance.as_ref().map(|_| Vec::new()).map_err(Clone::clone),
        ));
        runs.push(Run {
            label,
            store,
            instance: instance.ok(),
        });
    }
    if outcomes.iter().any(Outcome::is_resource_exhaustion) {
        return Ok(0);
    }
    if let Err(e) = compare(&runs, &outcomes) {
        return fail(format!("instantiation: {e}"));
    }
    if outcomes[0] != Outcome::Returned(Vec::new()) {
        return Ok(0);
    }
    if let Err(e) = compare_state(&runs, &exports) {
        return fail(format!("after instantiation: {e}"));
    }

    let mut calls = 0;
    let mut history = Vec::new();
    for _round in 0..ROUNDS {
        for export in &exports {
            let Export::Func(name, params) = export else {
                continue;
            };
            let args: Vec<Val> = params.iter().map(|t| arbitrary_arg(&mut u, *t)).collect();
            let outcomes: Vec<Outcome> = runs.iter_mut().map(|r| r.call(name, &args)).collect();
            history.push(format!("{name}{args:?} -> {:?}", outcomes[0]));
            if outcomes.iter().any(Outcome::is_resource_exhaustion) {
                return Ok(calls);
            }
            let checked = compare(&runs, &outcomes)
                .map_err(|e| format!("call `{name}` with {args:?}: {e}"))
                .and_then(|()| {
                    compare_state(&runs, &exports)
                        .map_err(|e| format!("after call `{name}` with {args:?}: {e}"))
                });
            if let Err(e) = checked {
                return fail(format!("{e}\n--- calls so far ---\n{}", history.join("\n")));
            }
            calls += 1;
        }
    }
    Ok(calls)
}

#[test]
fn differential_seeds_agree_across_tiers() {
    let labels: Vec<_> = configs().into_iter().map(|(l, _)| l).collect();
    let mut failures = Vec::new();
    let mut calls = 0;
    for path in inputs("differential") {
        let data = std::fs::read(&path).unwrap();
        match run_differential(&data) {
            Ok(n) => calls += n,
            Err(divergence) => failures.push(format!("{}: {divergence}", path.display())),
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
    eprintln!("{calls} calls compared across {labels:?}");
    assert!(calls > 0, "the seeds compared no call at all");
}

#[test]
fn validate_seeds() {
    let mut failures = Vec::new();
    for path in inputs("validate") {
        let data = std::fs::read(&path).unwrap();
        if let Err(mismatch) = validate::run_validate(&data) {
            failures.push(format!("{}: {mismatch}", path.display()));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}
