//! Macro workloads: C programs compiled to `wasm32-wasi` (sources and build script in
//! `benches/c/`), run through `_start` with WASI. Each prints a checksum line; the expected
//! lines come from the same C compiled natively, so a wrong answer cannot look fast.

use wasmtier::wasi::{WasiCtx, WasiCtxBuilder, add_to_linker};
use wasmtier::{Engine, Error, Linker, Module, Store};

/// A C program and what it must print for the benchmark input and for a small test input.
#[derive(Debug, Clone, Copy)]
pub struct Program {
    pub name: &'static str,
    pub wasm: &'static [u8],
    pub bench_arg: &'static str,
    pub bench_output: &'static str,
    pub test_arg: &'static str,
    pub test_output: &'static str,
}

pub const PROGRAMS: &[Program] = &[
    Program {
        name: "intmix",
        wasm: include_bytes!("../wasm/intmix.wasm"),
        bench_arg: "200",
        bench_output: "intmix 200 rounds: crc e476\n",
        test_arg: "5",
        test_output: "intmix 5 rounds: crc f893\n",
    },
    Program {
        name: "sort_hash",
        wasm: include_bytes!("../wasm/sort_hash.wasm"),
        bench_arg: "100000",
        bench_output: "sort_hash 100000 keys: ordered 1, hits 50000, sum 0991ed0e, median 800b38a1\n",
        test_arg: "1000",
        test_output: "sort_hash 1000 keys: ordered 1, hits 500, sum 43bc4532, median 840ae5f9\n",
    },
    Program {
        name: "compress",
        wasm: include_bytes!("../wasm/compress.wasm"),
        bench_arg: "1000000",
        bench_output: "compress 1000000 bytes -> 121564 bytes, round trip ok, adler32 141afcb2\n",
        test_arg: "10000",
        test_output: "compress 10000 bytes -> 1435 bytes, round trip ok, adler32 e058821a\n",
    },
];

/// A compiled program that can be run repeatedly, each run in a fresh store.
pub struct ProgramRunner {
    engine: Engine,
    module: Module,
    linker: Linker<WasiCtx>,
    name: &'static str,
}

impl ProgramRunner {
    pub fn new(engine: &Engine, program: &Program) -> wasmtier::Result<ProgramRunner> {
        let module = Module::from_binary(engine, program.wasm)?;
        let mut linker = Linker::new(engine);
        add_to_linker(&mut linker, |cx: &mut WasiCtx| cx)?;
        Ok(ProgramRunner {
            engine: engine.clone(),
            module,
            linker,
            name: program.name,
        })
    }

    /// Runs the program with one argument and returns what it printed.
    pub fn run(&self, arg: &str) -> wasmtier::Result<String> {
        let mut builder = WasiCtxBuilder::new();
        builder.arg(self.name).arg(arg);
        let stdout = builder.capture_stdout();
        let mut store = Store::new(&self.engine, builder.build());
        let instance = self.linker.instantiate(&mut store, &self.module)?;
        let start = instance.get_typed_func::<(), ()>(&store, "_start")?;
        match start.call(&mut store, ()) {
            Ok(()) => {}
            Err(Error::Trap(t)) if t.exit_status() == Some(0) => {}
            Err(e) => return Err(e),
        }
        Ok(stdout.contents_string())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use wasmtier::Tier;

    #[test]
    fn programs_print_the_native_results_in_the_interpreter() {
        let engine = crate::Runner::engine(Tier::Interp).unwrap();
        for program in PROGRAMS {
            let runner = ProgramRunner::new(&engine, program).unwrap();
            assert_eq!(
                runner.run(program.test_arg).unwrap(),
                program.test_output,
                "{}",
                program.name
            );
        }
    }
}
