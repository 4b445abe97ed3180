//! Embedding wasmtier: the example from the README, kept compiling by `cargo test`.
//!
//!     cargo run --example embed      prints fac(20) = 2432902008176640000

use wasmtier::{Engine, Linker, Module, Store};

fn main() -> anyhow::Result<()> {
    let engine = Engine::default(); // the interpreter tier
    let module = Module::from_file(&engine, "examples/fac.wat")?;
    let mut store = Store::new(&engine, ());
    let instance = Linker::new(&engine).instantiate(&mut store, &module)?;
    let fac = instance.get_typed_func::<i64, i64>(&store, "fac")?;
    println!("fac(20) = {}", fac.call(&mut store, 20)?);
    Ok(())
}
