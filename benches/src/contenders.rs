//! The engines a report compares: wasmtier's tiers and, with the `peers` feature, wasmi and
//! wasmtime. Each contender makes its engine (and WASI linker) once, when it is created; what
//! the report times starts from the wasm binary: decode, validate, compile, instantiate, run.

use std::rc::Rc;
use std::time::{Duration, Instant};

use wasmtier::wasi::WasiCtx;
use wasmtier::{Engine, Linker, Tier};

use crate::programs::{ProgramRunner, WasiModule, wasi_linker};
use crate::{Runner, Workload};

/// A prepared workload: call it with an input, get the result or why it failed.
pub type Prepared = Box<dyn FnMut(i32) -> Result<i64, String>>;

/// An engine configuration the report measures.
pub trait Contender {
    fn name(&self) -> String;
    /// Compiles and instantiates `wasm`, the binary of `workload` (what startup times).
    fn prepare(&self, wasm: &[u8], workload: &Workload) -> Result<Prepared, String>;
    /// Decodes, validates and compiles a WASI program, ready to be instantiated.
    fn compile_wasi(&self, wasm: &[u8]) -> Result<Box<dyn WasiModule>, String>;
}

pub struct Wasmtier {
    tier: Tier,
    engine: Engine,
    linker: Rc<Linker<WasiCtx>>,
}

impl Wasmtier {
    /// Fails if this build's `Engine::new` rejects `tier` (e.g. `auto` before it exists).
    pub fn new(tier: Tier) -> Result<Wasmtier, String> {
        let engine = Runner::engine(tier).map_err(|e| e.to_string())?;
        let linker = wasi_linker(&engine).map_err(|e| e.to_string())?;
        Ok(Wasmtier {
            tier,
            engine,
            linker,
        })
    }
}

impl Contender for Wasmtier {
    fn name(&self) -> String {
        format!("wasmtier-{}", self.tier)
    }

    fn prepare(&self, wasm: &[u8], workload: &Workload) -> Result<Prepared, String> {
        let mut runner = Runner::new(&self.engine, wasm, workload).map_err(|e| e.to_string())?;
        Ok(Box::new(move |input| {
            runner.call(input).map_err(|e| e.to_string())
        }))
    }

    fn compile_wasi(&self, wasm: &[u8]) -> Result<Box<dyn WasiModule>, String> {
        let module =
            ProgramRunner::compile(&self.engine, &self.linker, wasm).map_err(|e| e.to_string())?;
        Ok(Box::new(module))
    }
}

/// The names of every contender this build could have, in column order.
pub fn names() -> Vec<String> {
    let names: Vec<String> = crate::TIERS
        .iter()
        .map(|tier| format!("wasmtier-{tier}"))
        .collect();
    #[cfg(feature = "peers")]
    let names = {
        let mut names = names;
        names.extend(crate::peers::NAMES.iter().map(|n| n.to_string()));
        names
    };
    names
}

/// Creates the contender called `name` (one of [`names`]), or says why it is unavailable.
pub fn by_name(name: &str) -> Result<Box<dyn Contender>, String> {
    if let Some(tier) = name.strip_prefix("wasmtier-") {
        let tier: Tier = tier.parse()?;
        return Ok(Box::new(Wasmtier::new(tier)?));
    }
    #[cfg(feature = "peers")]
    if let Some(peer) = crate::peers::by_name(name) {
        return peer;
    }
    Err(format!("unknown contender `{name}`"))
}

/// Every contender this build has: wasmtier's tiers that `Engine::new` accepts, then peers.
/// The unavailable ones are skipped with a note on stderr.
pub fn all() -> Vec<Box<dyn Contender>> {
    names()
        .iter()
        .filter_map(|name| match by_name(name) {
            Ok(c) => Some(c),
            Err(e) => {
                eprintln!("note: skipping `{name}`: {e}");
                None
            }
        })
        .collect()
}

/// How many samples to take: at least `min`, then more until `budget` is spent or there are
/// `max`.
#[derive(Debug, Clone, Copy)]
pub struct Reps {
    pub min: usize,
    pub max: usize,
    pub budget: Duration,
}

/// Median of `measure()` over `reps` samples; `measure` returns the time of what it measured.
pub fn median(
    reps: Reps,
    mut measure: impl FnMut() -> Result<Duration, String>,
) -> Result<Duration, String> {
    let start = Instant::now();
    let mut samples = Vec::new();
    while samples.len() < reps.min || (start.elapsed() < reps.budget && samples.len() < reps.max) {
        samples.push(measure()?);
    }
    samples.sort();
    Ok(samples[samples.len() / 2])
}

/// Median time of one call after a checked warm-up call.
pub fn time_calls(
    prepared: &mut Prepared,
    input: i32,
    expected: i64,
    reps: Reps,
) -> Result<Duration, String> {
    check(prepared(input)?, expected)?;
    median(reps, || {
        let t = Instant::now();
        let value = prepared(input)?;
        let elapsed = t.elapsed();
        check(value, expected)?;
        Ok(elapsed)
    })
}

/// Median time to compile and instantiate `wasm`, the binary of `workload`.
pub fn time_startup(
    contender: &dyn Contender,
    wasm: &[u8],
    workload: &Workload,
    reps: Reps,
) -> Result<Duration, String> {
    median(reps, || {
        let t = Instant::now();
        let prepared = contender.prepare(wasm, workload)?;
        let elapsed = t.elapsed();
        drop(prepared);
        Ok(elapsed)
    })
}

/// Median time from the binary to the first result: compile, instantiate, one call
/// (checked). The next sample starts from the binary again, with nothing kept.
pub fn time_first_result(
    contender: &dyn Contender,
    wasm: &[u8],
    workload: &Workload,
    reps: Reps,
) -> Result<Duration, String> {
    let input = workload.bench_input;
    let expected = (workload.reference)(input);
    median(reps, || {
        let t = Instant::now();
        let mut prepared = contender.prepare(wasm, workload)?;
        let value = prepared(input)?;
        let elapsed = t.elapsed();
        check(value, expected)?;
        drop(prepared);
        Ok(elapsed)
    })
}

/// Median time to decode, validate, compile and instantiate a WASI module (not run).
pub fn time_wasi_startup(
    contender: &dyn Contender,
    wasm: &[u8],
    argv: &[&str],
    reps: Reps,
) -> Result<Duration, String> {
    median(reps, || {
        let t = Instant::now();
        let module = contender.compile_wasi(wasm)?;
        let run = module.instantiate(argv)?;
        let elapsed = t.elapsed();
        drop((run, module));
        Ok(elapsed)
    })
}

/// Median time of one whole run of a compiled WASI program: instantiate, `_start`, output
/// check (the module is compiled once, before timing).
pub fn time_wasi_runs(
    module: &dyn WasiModule,
    argv: &[&str],
    expected: &str,
    reps: Reps,
) -> Result<Duration, String> {
    median(reps, || {
        let t = Instant::now();
        let out = module.instantiate(argv)?()?;
        let elapsed = t.elapsed();
        check_output(&out, expected)?;
        Ok(elapsed)
    })
}

/// Median time from the binary to a WASI program's whole output: compile, instantiate,
/// `_start`.
pub fn time_wasi_first_result(
    contender: &dyn Contender,
    wasm: &[u8],
    argv: &[&str],
    expected: &str,
    reps: Reps,
) -> Result<Duration, String> {
    median(reps, || {
        let t = Instant::now();
        let module = contender.compile_wasi(wasm)?;
        let out = module.instantiate(argv)?()?;
        let elapsed = t.elapsed();
        check_output(&out, expected)?;
        drop(module);
        Ok(elapsed)
    })
}

fn check(value: i64, expected: i64) -> Result<(), String> {
    if value == expected {
        Ok(())
    } else {
        Err(format!("wrong result {value}, expected {expected}"))
    }
}

pub fn check_output(out: &str, expected: &str) -> Result<(), String> {
    if out == expected {
        Ok(())
    } else {
        Err(format!("wrong output {out:?}, expected {expected:?}"))
    }
}
