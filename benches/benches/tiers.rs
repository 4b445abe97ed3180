//! Compares the execution tiers on the shared workloads:
//! `cargo bench -p wasmtier-benches` (filter with e.g. `-- fib/interp`).

use std::hint::black_box;
use std::time::Duration;

use criterion::{BenchmarkId, Criterion, criterion_group, criterion_main};
use wasmtier::{Engine, Tier};
use wasmtier_benches::{Runner, TIERS, WORKLOADS};

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

fn tiers(c: &mut Criterion) {
    let engines = available_engines();
    for workload in WORKLOADS {
        let mut group = c.benchmark_group(workload.name);
        let input = workload.bench_input;
        let expected = (workload.reference)(input);
        for (tier, engine) in &engines {
            let mut runner = Runner::new(engine, workload)
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
fn programs(c: &mut Criterion) {
    for program in wasmtier_benches::programs::PROGRAMS {
        let mut group = c.benchmark_group(program.name);
        for (tier, engine) in &available_engines() {
            let runner = wasmtier_benches::programs::ProgramRunner::new(engine, program)
                .unwrap_or_else(|e| panic!("{}: setup failed in tier {tier}: {e}", program.name));
            group.bench_function(BenchmarkId::new(tier.to_string(), program.bench_arg), |b| {
                b.iter(|| match runner.run(black_box(program.bench_arg)) {
                    Ok(out) if out == program.bench_output => out,
                    other => panic!("{} in tier {tier}: got {other:?}", program.name),
                })
            });
        }
        group.finish();
    }
}

criterion_group! {
    name = benches;
    // Each call runs for milliseconds; fewer, longer samples keep a full run to about a minute.
    config = Criterion::default()
        .sample_size(20)
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(5));
    targets = tiers, programs
}
criterion_main!(benches);
