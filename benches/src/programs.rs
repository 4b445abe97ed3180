//! Macro workloads: real C programs compiled to `wasm32-wasi`, run through `_start` with WASI.
//! Each prints lines whose expected text is fixed, so a wrong answer cannot look fast.
//!
//! - `intmix`, `sort_hash`, `compress`, `coremark`, `bzip2`, `image`: written for
//!   benchmarking (sources and build script in `benches/c/`); their expected lines come from
//!   the same C compiled natively. `coremark` is CoreMark-like integer work (not EEMBC
//!   CoreMark); `bzip2` is a libbzip2 round trip of generated text; `image` runs image
//!   kernels (blur, saturating adjust, SAD, blend) that vectorise.
//! - `image_simd`, `compress_simd`, `bzip2_simd`: the same built with `-O3 -msimd128`, so
//!   that clang's auto-vectoriser fills them with 128-bit vector instructions; they print
//!   what the plain builds print.
//! - `lua_demo`, `sqlite_demo`: the Lua 5.4 and SQLite drivers of the WASI tests
//!   (`tests/wasi/src`, built by `tests/wasi/build.sh`), with the output `tests/wasi.rs`
//!   checks; `lua_tail_call` is `lua_demo` built with `-mtail-call` (Wasm 3.0 tail calls). SQLite runs without a directory argument, so only its in-memory part runs (the
//!   file part would mostly measure the host's file system and fsync).

use std::rc::Rc;

use wasmtier::wasi::{WasiCtx, WasiCtxBuilder, add_to_linker};
use wasmtier::{Engine, Error, Linker, Module, Store};

/// A C program and what it must print for the benchmark arguments and for small test ones.
#[derive(Debug, Clone, Copy)]
pub struct Program {
    pub name: &'static str,
    pub wasm: &'static [u8],
    /// `argv[1..]` of the benchmark run (`argv[0]` is `name`).
    pub bench_args: &'static [&'static str],
    pub bench_output: &'static str,
    pub test_args: &'static [&'static str],
    pub test_output: &'static str,
    /// Runs take seconds in the interpreters: criterion takes 10 samples instead of 20.
    pub long_running: bool,
}

impl Program {
    /// The benchmark arguments as one string (`-` for none), for labels.
    pub fn param(&self) -> String {
        if self.bench_args.is_empty() {
            "-".into()
        } else {
            self.bench_args.join(" ")
        }
    }

    /// `name(args)`, the row label in reports.
    pub fn label(&self) -> String {
        format!("{}({})", self.name, self.bench_args.join(" "))
    }

    /// `argv` of the benchmark run.
    pub fn bench_argv(&self) -> Vec<&'static str> {
        std::iter::once(self.name)
            .chain(self.bench_args.iter().copied())
            .collect()
    }
}

pub const INTMIX_WASM: &[u8] = include_bytes!("../wasm/intmix.wasm");
pub const SORT_HASH_WASM: &[u8] = include_bytes!("../wasm/sort_hash.wasm");
pub const COMPRESS_WASM: &[u8] = include_bytes!("../wasm/compress.wasm");
pub const COREMARK_WASM: &[u8] = include_bytes!("../wasm/coremark.wasm");
pub const BZIP2_WASM: &[u8] = include_bytes!("../wasm/bzip2.wasm");
pub const IMAGE_WASM: &[u8] = include_bytes!("../wasm/image.wasm");
/// The `*_SIMD` programs: the same C built with `-O3 -msimd128` (auto-vectorised loops).
pub const IMAGE_SIMD_WASM: &[u8] = include_bytes!("../wasm/image_simd.wasm");
pub const BZIP2_SIMD_WASM: &[u8] = include_bytes!("../wasm/bzip2_simd.wasm");
pub const COMPRESS_SIMD_WASM: &[u8] = include_bytes!("../wasm/compress_simd.wasm");
pub const HELLO_WASM: &[u8] = include_bytes!("../../tests/wasi/bin/hello.wasm");
pub const ZLIB_DEMO_WASM: &[u8] = include_bytes!("../../tests/wasi/bin/zlib_demo.wasm");
pub const LUA_DEMO_WASM: &[u8] = include_bytes!("../../tests/wasi/bin/lua_demo.wasm");
pub const LUA_TAIL_CALL_WASM: &[u8] =
    include_bytes!("../../tests/wasi/bin/lua_demo_tail_call.wasm");
pub const SQLITE_DEMO_WASM: &[u8] = include_bytes!("../../tests/wasi/bin/sqlite_demo.wasm");

const LUA_OUTPUT: &str = "fib(20) = 6765\nsorted: 3,6,22,25,41,44,63,66,82,85\n9 words, last DOG\n \
    3.14|lua   |ff|\"a\\\nb\"\nwasmTier-wasmTier\t2\n\
    3\t3.5\t1024.0\t9223372036854775807\t1e+301\ns=4 i=4 p=2\n\
    gc ok, utf8 len 5\nargs: x y\nLua 5.4.9\n";

// The outputs of the programs that have a plain and a SIMD build (the same for both).
const COMPRESS_BENCH_OUTPUT: &str =
    "compress 1000000 bytes -> 121564 bytes, round trip ok, adler32 141afcb2\n";
const COMPRESS_TEST_OUTPUT: &str =
    "compress 10000 bytes -> 1435 bytes, round trip ok, adler32 e058821a\n";
const BZIP2_BENCH_OUTPUT: &str = "bzip2 1000000 bytes -> 232094 bytes, round trip ok, \
    fnv1a 9b2925cb, compressed fnv1a c70e63b5\n";
const BZIP2_TEST_OUTPUT: &str = "bzip2 20000 bytes -> 5580 bytes, round trip ok, \
    fnv1a 40e594ec, compressed fnv1a bf38475d\n";
const IMAGE_BENCH_OUTPUT: &str = "image 20 rounds: sad 0f3d6a57 checksum 787bb00d\n";
const IMAGE_TEST_OUTPUT: &str = "image 2 rounds: sad 03d2e7db checksum c712d3ee\n";

const SQLITE_OUTPUT: &str = "sqlite 3.54.1\n\
    dept=eng n=2 avg_salary=109.88\ndept=ops n=2 avg_salary=90.5\nfib49=7778742049\n\
    json=deep\nfmt=0003.142|SQL len=1000\n";

pub const PROGRAMS: &[Program] = &[
    Program {
        name: "intmix",
        wasm: INTMIX_WASM,
        bench_args: &["200"],
        bench_output: "intmix 200 rounds: crc e476\n",
        test_args: &["5"],
        test_output: "intmix 5 rounds: crc f893\n",
        long_running: false,
    },
    Program {
        name: "sort_hash",
        wasm: SORT_HASH_WASM,
        bench_args: &["100000"],
        bench_output: "sort_hash 100000 keys: ordered 1, hits 50000, sum 0991ed0e, median 800b38a1\n",
        test_args: &["1000"],
        test_output: "sort_hash 1000 keys: ordered 1, hits 500, sum 43bc4532, median 840ae5f9\n",
        long_running: false,
    },
    Program {
        name: "compress",
        wasm: COMPRESS_WASM,
        bench_args: &["1000000"],
        bench_output: COMPRESS_BENCH_OUTPUT,
        test_args: &["10000"],
        test_output: COMPRESS_TEST_OUTPUT,
        long_running: false,
    },
    Program {
        name: "coremark",
        wasm: COREMARK_WASM,
        bench_args: &["2000"],
        bench_output: "coremark 2000 iterations: list 076a matrix be1a state 8638 crc 6d3d\n",
        test_args: &["20"],
        test_output: "coremark 20 iterations: list bf84 matrix 9182 state be30 crc bf67\n",
        long_running: false,
    },
    Program {
        name: "bzip2",
        wasm: BZIP2_WASM,
        bench_args: &["1000000"],
        bench_output: BZIP2_BENCH_OUTPUT,
        test_args: &["20000"],
        test_output: BZIP2_TEST_OUTPUT,
        long_running: true,
    },
    Program {
        name: "image",
        wasm: IMAGE_WASM,
        bench_args: &["20"],
        bench_output: IMAGE_BENCH_OUTPUT,
        test_args: &["2"],
        test_output: IMAGE_TEST_OUTPUT,
        long_running: false,
    },
    Program {
        name: "image_simd",
        wasm: IMAGE_SIMD_WASM,
        bench_args: &["20"],
        bench_output: IMAGE_BENCH_OUTPUT,
        test_args: &["2"],
        test_output: IMAGE_TEST_OUTPUT,
        long_running: false,
    },
    Program {
        name: "compress_simd",
        wasm: COMPRESS_SIMD_WASM,
        bench_args: &["1000000"],
        bench_output: COMPRESS_BENCH_OUTPUT,
        test_args: &["10000"],
        test_output: COMPRESS_TEST_OUTPUT,
        long_running: false,
    },
    Program {
        name: "bzip2_simd",
        wasm: BZIP2_SIMD_WASM,
        bench_args: &["1000000"],
        bench_output: BZIP2_BENCH_OUTPUT,
        test_args: &["20000"],
        test_output: BZIP2_TEST_OUTPUT,
        long_running: true,
    },
    Program {
        name: "lua_demo",
        wasm: LUA_DEMO_WASM,
        bench_args: &["x", "y"],
        bench_output: LUA_OUTPUT,
        test_args: &["x", "y"],
        test_output: LUA_OUTPUT,
        long_running: false,
    },
    Program {
        name: "lua_tail_call",
        wasm: LUA_TAIL_CALL_WASM,
        bench_args: &["x", "y"],
        bench_output: LUA_OUTPUT,
        test_args: &["x", "y"],
        test_output: LUA_OUTPUT,
        long_running: false,
    },
    Program {
        name: "sqlite_demo",
        wasm: SQLITE_DEMO_WASM,
        bench_args: &[],
        bench_output: SQLITE_OUTPUT,
        test_args: &[],
        test_output: SQLITE_OUTPUT,
        long_running: false,
    },
];

/// A real module for the startup measurements: its size is what "per MB" divides by.
#[derive(Debug, Clone, Copy)]
pub struct WasmFile {
    pub name: &'static str,
    pub wasm: &'static [u8],
}

impl WasmFile {
    /// `name (size)`, the row label in reports.
    pub fn label(&self) -> String {
        format!("{} ({:.0} KiB)", self.name, self.wasm.len() as f64 / 1024.0)
    }

    /// Size in MB (10^6 bytes).
    pub fn megabytes(&self) -> f64 {
        self.wasm.len() as f64 / 1e6
    }
}

/// Every module the startup measurements compile, smallest first. All import only
/// `wasi_snapshot_preview1`, so every engine instantiates them with its own WASI.
pub const STARTUP_MODULES: &[WasmFile] = &[
    WasmFile {
        name: "hello",
        wasm: HELLO_WASM,
    },
    WasmFile {
        name: "sort_hash",
        wasm: SORT_HASH_WASM,
    },
    WasmFile {
        name: "intmix",
        wasm: INTMIX_WASM,
    },
    WasmFile {
        name: "coremark",
        wasm: COREMARK_WASM,
    },
    WasmFile {
        name: "compress",
        wasm: COMPRESS_WASM,
    },
    WasmFile {
        name: "bzip2",
        wasm: BZIP2_WASM,
    },
    WasmFile {
        name: "zlib_demo",
        wasm: ZLIB_DEMO_WASM,
    },
    WasmFile {
        name: "lua_demo",
        wasm: LUA_DEMO_WASM,
    },
    WasmFile {
        name: "sqlite_demo",
        wasm: SQLITE_DEMO_WASM,
    },
];

/// An instantiated program, not run yet: calling it runs `_start` and returns what it printed
/// (an error if it trapped or exited with a status other than 0).
pub type WasiRun = Box<dyn FnOnce() -> Result<String, String>>;

/// A compiled WASI program, instantiated afresh (new store, new WASI context) each time.
pub trait WasiModule {
    /// Instantiates with WASI preview1 imports, `argv` as given and stdout captured.
    fn instantiate(&self, argv: &[&str]) -> Result<WasiRun, String>;
}

/// A compiled program that can be run repeatedly in wasmtier, each run in a fresh store.
pub struct ProgramRunner {
    engine: Engine,
    module: Module,
    linker: Rc<Linker<WasiCtx>>,
}

/// The WASI linker of `engine`; build it once and share it between modules.
pub fn wasi_linker(engine: &Engine) -> wasmtier::Result<Rc<Linker<WasiCtx>>> {
    let mut linker = Linker::new(engine);
    add_to_linker(&mut linker, |cx: &mut WasiCtx| cx)?;
    Ok(Rc::new(linker))
}

impl ProgramRunner {
    /// Decodes, validates and compiles `wasm` for `engine`'s tier.
    pub fn compile(
        engine: &Engine,
        linker: &Rc<Linker<WasiCtx>>,
        wasm: &[u8],
    ) -> wasmtier::Result<ProgramRunner> {
        Ok(ProgramRunner {
            engine: engine.clone(),
            module: Module::from_binary(engine, wasm)?,
            linker: linker.clone(),
        })
    }

    pub fn new(engine: &Engine, program: &Program) -> wasmtier::Result<ProgramRunner> {
        ProgramRunner::compile(engine, &wasi_linker(engine)?, program.wasm)
    }

    /// Runs the program with `argv` and returns what it printed.
    pub fn run(&self, argv: &[&str]) -> Result<String, String> {
        self.instantiate(argv)?()
    }
}

impl WasiModule for ProgramRunner {
    fn instantiate(&self, argv: &[&str]) -> Result<WasiRun, String> {
        let mut builder = WasiCtxBuilder::new();
        builder.args(argv.iter().copied());
        let stdout = builder.capture_stdout();
        let mut store = Store::new(&self.engine, builder.build());
        let instance = self
            .linker
            .instantiate(&mut store, &self.module)
            .map_err(|e| e.to_string())?;
        let start = instance
            .get_typed_func::<(), ()>(&store, "_start")
            .map_err(|e| e.to_string())?;
        Ok(Box::new(move || {
            match start.call(&mut store, ()) {
                Ok(()) => {}
                Err(Error::Trap(t)) if t.exit_status() == Some(0) => {}
                Err(e) => return Err(e.to_string()),
            }
            Ok(stdout.contents_string())
        }))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use wasmtier::Tier;

    #[test]
    fn programs_print_the_expected_output_in_the_interpreter() {
        let engine = crate::Runner::engine(Tier::Interp).unwrap();
        for program in PROGRAMS {
            let runner = ProgramRunner::new(&engine, program).unwrap();
            let argv: Vec<&str> = std::iter::once(program.name)
                .chain(program.test_args.iter().copied())
                .collect();
            assert_eq!(
                runner.run(&argv).unwrap(),
                program.test_output,
                "{}",
                program.name
            );
        }
    }

    #[test]
    fn startup_modules_are_listed_smallest_first() {
        for pair in STARTUP_MODULES.windows(2) {
            assert!(
                pair[0].wasm.len() <= pair[1].wasm.len(),
                "{} is larger than {}",
                pair[0].name,
                pair[1].name
            );
        }
    }

    #[test]
    fn startup_modules_instantiate_in_the_interpreter() {
        let engine = crate::Runner::engine(Tier::Interp).unwrap();
        let linker = wasi_linker(&engine).unwrap();
        for file in STARTUP_MODULES {
            let module = ProgramRunner::compile(&engine, &linker, file.wasm).unwrap();
            drop(module.instantiate(&[file.name]).unwrap());
        }
    }
}
