//! Other runtimes measured side by side (cargo feature `peers`): wasmi, and wasmtime with
//! Cranelift and with its Pulley interpreter.

use crate::contenders::{Contender, Prepared};
use crate::{ResultType, Workload};

pub fn all() -> Vec<Box<dyn Contender>> {
    vec![
        Box::new(Wasmi),
        Box::new(Wasmtime { pulley: false }),
        Box::new(Wasmtime { pulley: true }),
    ]
}

fn err(e: impl std::fmt::Display) -> String {
    e.to_string()
}

struct Wasmi;

impl Contender for Wasmi {
    fn name(&self) -> String {
        "wasmi".into()
    }

    fn prepare(&self, workload: &Workload) -> Result<Prepared, String> {
        let wasm = wat::parse_str(workload.wat).map_err(err)?;
        let engine = wasmi::Engine::default();
        let module = wasmi::Module::new(&engine, &wasm[..]).map_err(err)?;
        let mut store = wasmi::Store::new(&engine, ());
        let instance = wasmi::Linker::<()>::new(&engine)
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
}

struct Wasmtime {
    pulley: bool,
}

impl Contender for Wasmtime {
    fn name(&self) -> String {
        if self.pulley {
            "wasmtime-pulley".into()
        } else {
            "wasmtime-cranelift".into()
        }
    }

    fn prepare(&self, workload: &Workload) -> Result<Prepared, String> {
        let mut config = wasmtime::Config::new();
        if self.pulley {
            config.target("pulley64").map_err(err)?;
        }
        let engine = wasmtime::Engine::new(&config).map_err(err)?;
        let module = wasmtime::Module::new(&engine, workload.wat).map_err(err)?;
        let mut store = wasmtime::Store::new(&engine, ());
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
}
