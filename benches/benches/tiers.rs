//! Compares the execution tiers on the shared workloads:
//! `cargo bench -p wasmtier-benches` (filter with e.g. `-- fib/interp`, `-- startup/`,
//! `-- first_result/`). Groups:
//! - one per workload (`fib`, ...): steady state, one call on a ready instance;
//! - one per WASI program (`intmix`, ..., `coremark`, `bzip2`, ..., `sqlite_demo`):
//!   instantiate + `_start` + check (10 samples instead of 20 for the long-running `bzip2`);
//! - `startup`: decode + validate + compile + instantiate (with WASI) of real modules, with
//!   criterion's throughput in bytes of wasm (time per MB = 1 / throughput);
//! - `first_result`: from the binary to the first result of one call (compile + instantiate
//!   + call), per workload.

use std::hint::black_box;
use std::time::{Duration, Instant};

use criterion::{BenchmarkId, Criterion, Throughput, criterion_group, criterion_main};
use wasmtier::{Engine, Tier};
use wasmtier_benches::contenders::{Contender, Wasmtier};
use wasmtier_benches::{PROGRAMS, Runner, STARTUP_MODULES, TIERS, WORKLOADS};

/// Engines for the tiers this build has; the others are skipped with a note, once.
fn available_engines() -> Vec<(Tier, Engine)> {
    TIERS
        .iter()
        .filter_map(|&tier| match Runner::engine(tier) {
            Ok(engine) => Some((tier, engine)),
            Err(e) => {
                eprintln!("note: skipping tier `{tier}`: {e}");
                None
            }
        })
        .collect()
}

/// The same tiers as contenders (engine and WASI linker made once), for the startup groups.
fn available_contenders() -> Vec<(Tier, Wasmtier)> {
    TIERS
        .iter()
        .filter_map(|&tier| Wasmtier::new(tier).ok().map(|c| (tier, c)))
        .collect()
}

fn tiers(c: &mut Criterion) {
    let engines = available_engines();
    for workload in WORKLOADS {
        let mut group = c.benchmark_group(workload.name);
        let input = workload.bench_input;
        let expected = (workload.reference)(input);
        let wasm = workload.wasm();
        for (tier, engine) in &engines {
            let mut runner = Runner::new(engine, &wasm, workload)
                .unwrap_or_else(|e| panic!("{}: setup failed in tier {tier}: {e}", workload.name));
            group.bench_with_input(
                BenchmarkId::new(tier.to_string(), input),
                &input,
                |b, &n| {
                    b.iter(|| {
                        let result = runner.call(black_box(n));
                        // Checked on every iteration: the comparison costs nothing next to the call,
                        // and a tier that goes wrong only after warming up must not look fast.
                        match result {
                            Ok(value) if value == expected => value,
                            other => panic!(
                                "{}({n}) in tier {tier}: got {other:?}, expected {expected}",
                                workload.name
                            ),
                        }
                    })
                },
            );
        }
        group.finish();
    }
}

/// The WASI C programs: one whole run (instantiation, `_start`, output check) per iteration.
/// A program whose runs take seconds in the interpreters (`bzip2`) gets 10 samples per tier.
fn programs(c: &mut Criterion) {
    for program in PROGRAMS {
        let mut group = c.benchmark_group(program.name);
        if program.long_running {
            group.sample_size(10);
        }
        let argv = program.bench_argv();
        for (tier, engine) in &available_engines() {
            let runner = wasmtier_benches::programs::ProgramRunner::new(engine, program)
                .unwrap_or_else(|e| panic!("{}: setup failed in tier {tier}: {e}", program.name));
            group.bench_function(BenchmarkId::new(tier.to_string(), program.param()), |b| {
                b.iter(|| match runner.run(black_box(&argv)) {
                    Ok(out) if out == program.bench_output => out,
                    other => panic!("{} in tier {tier}: got {other:?}", program.name),
                })
            });
        }
        group.finish();
    }
}

/// Startup of real modules: decode, validate, compile for the tier and instantiate with WASI
/// imports (`_start` is not run). Throughput is in bytes of wasm, so criterion also prints
/// MiB/s; time per MB is its inverse.
fn startup(c: &mut Criterion) {
    let mut group = c.benchmark_group("startup");
    // The JIT takes about a second on SQLite: keep the group to minutes.
    group.sample_size(10);
    for (tier, contender) in &available_contenders() {
        for file in STARTUP_MODULES {
            group.throughput(Throughput::Bytes(file.wasm.len() as u64));
            group.bench_function(BenchmarkId::new(tier.to_string(), file.name), |b| {
                b.iter_custom(|iters| {
                    timed_without_drop(iters, || {
                        let module = contender
                            .compile_wasi(black_box(file.wasm))
                            .unwrap_or_else(|e| panic!("{} in tier {tier}: {e}", file.name));
                        let run = module
                            .instantiate(&[file.name])
                            .unwrap_or_else(|e| panic!("{} in tier {tier}: {e}", file.name));
                        (module, run)
                    })
                })
            });
        }
    }
    group.finish();
}

/// Time to first result: from the binary to the checked result of one call (compile +
/// instantiate + call), what a short-lived program pays; `auto` should come close to the
/// interpreter here while `jit` pays for compiling everything first.
fn first_result(c: &mut Criterion) {
    let mut group = c.benchmark_group("first_result");
    group.sample_size(10);
    for workload in WORKLOADS {
        let wasm = workload.wasm();
        let input = workload.bench_input;
        let expected = (workload.reference)(input);
        for (tier, contender) in &available_contenders() {
            group.bench_function(BenchmarkId::new(tier.to_string(), workload.name), |b| {
                b.iter_custom(|iters| {
                    timed_without_drop(iters, || {
                        let mut prepared = contender
                            .prepare(black_box(&wasm), workload)
                            .unwrap_or_else(|e| panic!("{} in tier {tier}: {e}", workload.name));
                        match prepared(input) {
                            Ok(value) if value == expected => prepared,
                            other => {
                                panic!("{}({input}) in tier {tier}: got {other:?}", workload.name)
                            }
                        }
                    })
                })
            });
        }
    }
    group.finish();
}

/// Total time of `iters` runs of `f`, leaving out dropping what each returns: tearing down a
/// module or instance is not startup (and with `auto` it may wait for the background
/// compiler, which the first result does not).
fn timed_without_drop<T>(iters: u64, mut f: impl FnMut() -> T) -> Duration {
    let mut total = Duration::ZERO;
    for _ in 0..iters {
        let start = Instant::now();
        let out = f();
        total += start.elapsed();
        drop(out);
    }
    total
}

criterion_group! {
    name = benches;
    // Each call runs for milliseconds; fewer, longer samples keep a full run to about a minute.
    config = Criterion::default()
        .sample_size(20)
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(5));
    targets = tiers, programs, startup, first_result
}
criterion_main!(benches);
