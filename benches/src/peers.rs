//! Other runtimes measured side by side (cargo feature `peers`): wasmi, and wasmtime with
//! Cranelift and with its Pulley interpreter. WASI programs run with each runtime's own
//! preview1 implementation: `wasmi_wasi` (on wasi-common) and `wasmtime_wasi::p1` (sync).
//! Engines are left at their defaults; for wasmi that means lazy translation (functions are
//! validated when the module is created but translated to its bytecode on first call). wasmtime
//! is built without its `parallel-compilation` feature, so like wasmtier's `jit` it compiles
//! on one thread; `wasmtime-wasi` turns on its `component-model` and `async` features, which
//! core-module runs do not use.

use crate::contenders::{Contender, Prepared};
use crate::programs::{WasiModule, WasiRun};
use crate::{ResultType, Workload};

/// Column names, in order.
pub const NAMES: &[&str] = &["wasmi", "wasmtime-cranelift", "wasmtime-pulley"];

pub fn by_name(name: &str) -> Option<Result<Box<dyn Contender>, String>> {
    Some(match name {
        "wasmi" => Ok(Box::new(Wasmi::new())),
        "wasmtime-cranelift" => Wasmtime::new(false).map(|w| Box::new(w) as Box<dyn Contender>),
        "wasmtime-pulley" => Wasmtime::new(true).map(|w| Box::new(w) as Box<dyn Contender>),
        _ => return None,
    })
}

fn err(e: impl std::fmt::Display) -> String {
    e.to_string()
}

struct Wasmi {
    engine: wasmi::Engine,
    linker: std::rc::Rc<wasmi::Linker<wasmi_wasi::WasiCtx>>,
}

impl Wasmi {
    fn new() -> Wasmi {
        let engine = wasmi::Engine::default();
        let mut linker = wasmi::Linker::new(&engine);
        wasmi_wasi::add_to_linker(&mut linker, |cx| cx)
            .expect("wasmi_wasi defines each function once");
        Wasmi {
            engine,
            linker: std::rc::Rc::new(linker),
        }
    }
}

impl Contender for Wasmi {
    fn name(&self) -> String {
        "wasmi".into()
    }

    fn prepare(&self, wasm: &[u8], workload: &Workload) -> Result<Prepared, String> {
        let module = wasmi::Module::new(&self.engine, wasm).map_err(err)?;
        let mut store = wasmi::Store::new(&self.engine, ());
        let instance = wasmi::Linker::<()>::new(&self.engine)
            .instantiate_and_start(&mut store, &module)
            .map_err(err)?;
        Ok(match workload.result {
            ResultType::I32 => {
                let f = instance
                    .get_typed_func::<i32, i32>(&store, workload.export)
                    .map_err(err)?;
                Box::new(move |n| f.call(&mut store, n).map(i64::from).map_err(err))
            }
            ResultType::I64 => {
                let f = instance
                    .get_typed_func::<i32, i64>(&store, workload.export)
                    .map_err(err)?;
                Box::new(move |n| f.call(&mut store, n).map_err(err))
            }
        })
    }

    fn compile_wasi(&self, wasm: &[u8]) -> Result<Box<dyn WasiModule>, String> {
        Ok(Box::new(WasmiModule {
            engine: self.engine.clone(),
            linker: self.linker.clone(),
            module: wasmi::Module::new(&self.engine, wasm).map_err(err)?,
        }))
    }
}

struct WasmiModule {
    engine: wasmi::Engine,
    linker: std::rc::Rc<wasmi::Linker<wasmi_wasi::WasiCtx>>,
    module: wasmi::Module,
}

impl WasiModule for WasmiModule {
    fn instantiate(&self, argv: &[&str]) -> Result<WasiRun, String> {
        let stdout = wasmi_wasi::wasi_common::pipe::WritePipe::new_in_memory();
        let argv: Vec<String> = argv.iter().map(|a| a.to_string()).collect();
        let ctx = wasmi_wasi::WasiCtxBuilder::new()
            .args(&argv)
            .map_err(err)?
            .stdout(Box::new(stdout.clone()))
            .build();
        let mut store = wasmi::Store::new(&self.engine, ctx);
        let instance = self
            .linker
            .instantiate_and_start(&mut store, &self.module)
            .map_err(err)?;
        let start = instance
            .get_typed_func::<(), ()>(&store, "_start")
            .map_err(err)?;
        Ok(Box::new(move || {
            match start.call(&mut store, ()) {
                Ok(()) => {}
                Err(e) if e.i32_exit_status() == Some(0) => {}
                Err(e) => return Err(e.to_string()),
            }
            drop(store);
            let bytes = stdout
                .try_into_inner()
                .map_err(|_| "stdout still shared after the run")?
                .into_inner();
            String::from_utf8(bytes).map_err(err)
        }))
    }
}

struct Wasmtime {
    pulley: bool,
    engine: wasmtime::Engine,
    linker: std::rc::Rc<wasmtime::Linker<wasmtime_wasi::p1::WasiP1Ctx>>,
}

impl Wasmtime {
    fn new(pulley: bool) -> Result<Wasmtime, String> {
        let mut config = wasmtime::Config::new();
        if pulley {
            config.target("pulley64").map_err(err)?;
        }
        let engine = wasmtime::Engine::new(&config).map_err(err)?;
        let mut linker = wasmtime::Linker::new(&engine);
        wasmtime_wasi::p1::add_to_linker_sync(&mut linker, |cx| cx).map_err(err)?;
        Ok(Wasmtime {
            pulley,
            engine,
            linker: std::rc::Rc::new(linker),
        })
    }
}

impl Contender for Wasmtime {
    fn name(&self) -> String {
        if self.pulley {
            "wasmtime-pulley".into()
        } else {
            "wasmtime-cranelift".into()
        }
    }

    fn prepare(&self, wasm: &[u8], workload: &Workload) -> Result<Prepared, String> {
        let module = wasmtime::Module::new(&self.engine, wasm).map_err(err)?;
        let mut store = wasmtime::Store::new(&self.engine, ());
        let instance = wasmtime::Instance::new(&mut store, &module, &[]).map_err(err)?;
        Ok(match workload.result {
            ResultType::I32 => {
                let f = instance
                    .get_typed_func::<i32, i32>(&mut store, workload.export)
                    .map_err(err)?;
                Box::new(move |n| f.call(&mut store, n).map(i64::from).map_err(err))
            }
            ResultType::I64 => {
                let f = instance
                    .get_typed_func::<i32, i64>(&mut store, workload.export)
                    .map_err(err)?;
                Box::new(move |n| f.call(&mut store, n).map_err(err))
            }
        })
    }

    fn compile_wasi(&self, wasm: &[u8]) -> Result<Box<dyn WasiModule>, String> {
        Ok(Box::new(WasmtimeModule {
            engine: self.engine.clone(),
            linker: self.linker.clone(),
            module: wasmtime::Module::new(&self.engine, wasm).map_err(err)?,
        }))
    }
}

struct WasmtimeModule {
    engine: wasmtime::Engine,
    linker: std::rc::Rc<wasmtime::Linker<wasmtime_wasi::p1::WasiP1Ctx>>,
    module: wasmtime::Module,
}

impl WasiModule for WasmtimeModule {
    fn instantiate(&self, argv: &[&str]) -> Result<WasiRun, String> {
        let stdout = wasmtime_wasi::p2::pipe::MemoryOutputPipe::new(usize::MAX);
        let ctx = wasmtime_wasi::WasiCtxBuilder::new()
            .args(argv)
            .stdout(stdout.clone())
            .build_p1();
        let mut store = wasmtime::Store::new(&self.engine, ctx);
        let instance = self
            .linker
            .instantiate(&mut store, &self.module)
            .map_err(err)?;
        let start = instance
            .get_typed_func::<(), ()>(&mut store, "_start")
            .map_err(err)?;
        Ok(Box::new(move || {
            match start.call(&mut store, ()) {
                Ok(()) => {}
                Err(e)
                    if e.downcast_ref::<wasmtime_wasi::I32Exit>()
                        .is_some_and(|exit| exit.0 == 0) => {}
                Err(e) => return Err(format!("{e:#}")),
            }
            drop(store);
            String::from_utf8(stdout.contents().to_vec()).map_err(err)
        }))
    }
}
