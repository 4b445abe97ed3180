//! The engines a report compares: wasmtier's tiers and, with the `peers` feature, wasmi and
//! wasmtime. Each prepares a workload once and then runs it by input.

use std::time::{Duration, Instant};

use wasmtier::Tier;

use crate::{Runner, Workload};

/// A prepared workload: call it with an input, get the result or why it failed.
pub type Prepared = Box<dyn FnMut(i32) -> Result<i64, String>>;

/// An engine configuration the report measures.
pub trait Contender {
    fn name(&self) -> String;
    /// Compiles and instantiates `workload` (the work startup measurements time).
    fn prepare(&self, workload: &Workload) -> Result<Prepared, String>;
}

pub struct Wasmtier(pub Tier);

impl Contender for Wasmtier {
    fn name(&self) -> String {
        format!("wasmtier-{}", self.0)
    }

    fn prepare(&self, workload: &Workload) -> Result<Prepared, String> {
        let engine = Runner::engine(self.0).map_err(|e| e.to_string())?;
        let mut runner = Runner::new(&engine, workload).map_err(|e| e.to_string())?;
        Ok(Box::new(move |input| {
            runner.call(input).map_err(|e| e.to_string())
        }))
    }
}

/// Every contender this build has: wasmtier's tiers that `Engine::new` accepts, then peers.
pub fn all() -> Vec<Box<dyn Contender>> {
    let list: Vec<Box<dyn Contender>> = crate::TIERS
        .iter()
        .filter(|tier| Runner::engine(**tier).is_ok())
        .map(|tier| Box::new(Wasmtier(*tier)) as Box<dyn Contender>)
        .collect();
    #[cfg(feature = "peers")]
    let list = {
        let mut list = list;
        list.extend(crate::peers::all());
        list
    };
    list
}

/// Median time of one call after a checked warm-up call; runs for about `budget` in total.
pub fn time_calls(
    prepared: &mut Prepared,
    input: i32,
    expected: i64,
    budget: Duration,
) -> Result<Duration, String> {
    check(prepared(input)?, expected)?;
    let start = Instant::now();
    let mut samples = Vec::new();
    while samples.len() < 3 || (start.elapsed() < budget && samples.len() < 50) {
        let t = Instant::now();
        let value = prepared(input)?;
        samples.push(t.elapsed());
        check(value, expected)?;
    }
    samples.sort();
    Ok(samples[samples.len() / 2])
}

/// Median time to compile and instantiate, over a few repetitions.
pub fn time_startup(contender: &dyn Contender, workload: &Workload) -> Result<Duration, String> {
    let mut samples = Vec::new();
    for _ in 0..5 {
        let t = Instant::now();
        let prepared = contender.prepare(workload)?;
        samples.push(t.elapsed());
        drop(prepared);
    }
    samples.sort();
    Ok(samples[samples.len() / 2])
}

fn check(value: i64, expected: i64) -> Result<(), String> {
    if value == expected {
        Ok(())
    } else {
        Err(format!("wrong result {value}, expected {expected}"))
    }
}
