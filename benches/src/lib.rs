//! Workloads shared by the benchmarks, with reference results so that a tier computing the wrong
//! answer fails loudly instead of looking fast.

pub mod contenders;
#[cfg(feature = "peers")]
mod peers;
pub mod programs;
pub mod report;

use wasmtier::{Config, Engine, Linker, Module, Store, Tier, TypedFunc};

pub use programs::{PROGRAMS, Program, STARTUP_MODULES, WasmFile};

/// Every tier the benchmarks try, in order. A tier this build lacks is skipped with a note, so a
/// new tier needs no change here once `Engine::new` accepts it.
pub const TIERS: &[Tier] = &[Tier::Interp, Tier::Jit, Tier::Auto];

/// The Rust type of a workload's result, which fixes the exported function's signature.
#[derive(Debug, Clone, Copy)]
pub enum ResultType {
    I32,
    I64,
}

/// A benchmark program: an exported `(param i32) (result i32|i64)` function and its input.
#[derive(Debug, Clone, Copy)]
pub struct Workload {
    pub name: &'static str,
    pub wat: &'static str,
    pub export: &'static str,
    pub result: ResultType,
    /// Input used when benchmarking.
    pub bench_input: i32,
    /// What the function must return for `input`, computed natively.
    pub reference: fn(i32) -> i64,
}

pub const FIB: Workload = Workload {
    name: "fib",
    wat: include_str!("../wat/fib.wat"),
    export: "fib",
    result: ResultType::I32,
    bench_input: 25,
    reference: fib_reference,
};

pub const SUM_LOOP: Workload = Workload {
    name: "sum_loop",
    wat: include_str!("../wat/loop.wat"),
    export: "sum_loop",
    result: ResultType::I64,
    bench_input: 1_000_000,
    reference: sum_loop_reference,
};

pub const INDIRECT: Workload = Workload {
    name: "indirect",
    wat: include_str!("../wat/indirect.wat"),
    export: "dispatch",
    result: ResultType::I32,
    bench_input: 1_000_000,
    reference: indirect_reference,
};

pub const STATE_MACHINE: Workload = Workload {
    name: "state_machine",
    wat: include_str!("../wat/state_machine.wat"),
    export: "state_machine",
    result: ResultType::I32,
    bench_input: 1_000_000,
    reference: state_machine_reference,
};

pub const MATMUL: Workload = Workload {
    name: "matmul",
    wat: include_str!("../wat/matmul.wat"),
    export: "matmul",
    result: ResultType::I32,
    bench_input: 64,
    reference: matmul_reference,
};

pub const MANDELBROT: Workload = Workload {
    name: "mandelbrot",
    wat: include_str!("../wat/mandelbrot.wat"),
    export: "mandelbrot",
    result: ResultType::I32,
    bench_input: 200,
    reference: mandelbrot_reference,
};

impl Workload {
    /// The workload's module in binary form, so that what is timed starts from bytes, as an
    /// embedder's would (the text is parsed here, outside any measurement).
    pub fn wasm(&self) -> Vec<u8> {
        wat::parse_str(self.wat).unwrap_or_else(|e| panic!("{}: invalid wat: {e}", self.name))
    }
}

pub const WORKLOADS: &[Workload] = &[FIB, SUM_LOOP, INDIRECT, STATE_MACHINE, MATMUL, MANDELBROT];

fn fib_reference(n: i32) -> i64 {
    let (mut a, mut b) = (0i64, 1i64);
    for _ in 0..n {
        (a, b) = (b, a + b);
    }
    a
}

fn sum_loop_reference(n: i32) -> i64 {
    (0..n.max(0) as i64).map(|i| i * i % 1_000_003).sum()
}

fn indirect_reference(n: i32) -> i64 {
    let mut acc = 1i32;
    for i in 0..n.max(0) {
        acc = match i & 3 {
            0 => acc.wrapping_add(i),
            1 => acc.wrapping_sub(i),
            2 => acc.wrapping_mul(i | 1),
            _ => acc ^ i,
        };
    }
    acc as i64
}

fn state_machine_reference(n: i32) -> i64 {
    let (mut x, mut state, mut acc) = (42i32, 0i32, 0i32);
    for _ in 0..n.max(0) {
        x = x.wrapping_mul(1_103_515_245).wrapping_add(12345);
        let input = ((x as u32) >> 16) as i32 & 3;
        match state {
            0 => {
                acc = acc.wrapping_add(input);
                state = input;
            }
            1 => {
                acc = acc.wrapping_shl(1);
                state = if input & 1 != 0 { 2 } else { 1 };
            }
            2 => {
                acc ^= x;
                state = 0;
            }
            _ => {}
        }
        if state == 3 {
            acc = acc.wrapping_sub(7);
            state = input & 1;
        }
    }
    acc as i64
}

fn matmul_reference(n: i32) -> i64 {
    let mut total = 0i32;
    for i in 0..n {
        for j in 0..n {
            let mut sum = 0i32;
            for k in 0..n {
                sum = sum.wrapping_add((i + k).wrapping_mul(k - j));
            }
            total = total.wrapping_add(sum);
        }
    }
    total as i64
}

fn mandelbrot_reference(n: i32) -> i64 {
    let step = 2.5 / n as f64;
    let mut total = 0i32;
    for py in 0..n {
        let cy = py as f64 * step - 1.25;
        for px in 0..n {
            let cx = px as f64 * step - 2.0;
            let (mut x, mut y, mut iter) = (0.0f64, 0.0f64, 0);
            while iter < 100 && x * x + y * y <= 4.0 {
                let xt = x * x - y * y + cx;
                y = 2.0 * x * y + cy;
                x = xt;
                iter += 1;
            }
            total += iter;
        }
    }
    total as i64
}

enum Entry {
    I32(TypedFunc<i32, i32>),
    I64(TypedFunc<i32, i64>),
}

/// A workload instantiated in one tier, ready to be called repeatedly.
pub struct Runner {
    store: Store<()>,
    entry: Entry,
}

impl Runner {
    /// The engine for `tier`, or the reason this build cannot provide it.
    pub fn engine(tier: Tier) -> wasmtier::Result<Engine> {
        Engine::new(Config::new().tier(tier))
    }

    /// Compiles and instantiates `wasm`, the binary of `workload` (see [`Workload::wasm`]).
    pub fn new(engine: &Engine, wasm: &[u8], workload: &Workload) -> wasmtier::Result<Runner> {
        let module = Module::from_binary(engine, wasm)?;
        let mut store = Store::new(engine, ());
        let instance = Linker::new(engine).instantiate(&mut store, &module)?;
        let entry = match workload.result {
            ResultType::I32 => Entry::I32(instance.get_typed_func(&store, workload.export)?),
            ResultType::I64 => Entry::I64(instance.get_typed_func(&store, workload.export)?),
        };
        Ok(Runner { store, entry })
    }

    pub fn call(&mut self, input: i32) -> wasmtier::Result<i64> {
        match self.entry {
            Entry::I32(f) => f.call(&mut self.store, input).map(i64::from),
            Entry::I64(f) => f.call(&mut self.store, input),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn references() {
        assert_eq!(fib_reference(25), 75025);
        assert_eq!(sum_loop_reference(3), 5);
    }

    /// The wat sources compute what the references say (small inputs keep this test fast).
    #[test]
    fn workloads_match_references_in_the_interpreter() {
        let engine = Runner::engine(Tier::Interp).unwrap();
        for workload in WORKLOADS {
            let mut runner = Runner::new(&engine, &workload.wasm(), workload).unwrap();
            for input in [0, 1, 2, 10, 15] {
                assert_eq!(
                    runner.call(input).unwrap(),
                    (workload.reference)(input),
                    "{}({input})",
                    workload.name
                );
            }
        }
    }
}
