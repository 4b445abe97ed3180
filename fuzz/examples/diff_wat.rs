//! Runs a `.wat`/`.wasm` module through the differential check with zero/null arguments
//! (no fuzz input) and prints every engine's outcome per exported function:
//! `cargo run --release --example diff_wat -- module.wat`.
use arbitrary::Unstructured;
use wasmtier_fuzz::diff::{Export, all_engines, exports, run_with_engines};
use wasmtier_fuzz::engines::Value;

fn main() {
    let path = std::env::args().nth(1).expect("usage: diff_wat FILE");
    let wasm = wat::parse_file(&path).expect("module parses");
    let mut engines = all_engines();
    for e in engines.iter_mut() {
        println!(
            "{}: instantiate -> {:?}",
            e.name(),
            e.instantiate(&wasm, 1_000_000)
        );
    }
    for export in exports(&wasm).expect("modelled module") {
        if let Export::Func {
            name,
            params,
            results,
        } = export
        {
            let args: Vec<Value> = params
                .iter()
                .map(|t| wasmtier_fuzz::diff::arbitrary_arg(&mut Unstructured::new(&[]), *t))
                .collect();
            for e in engines.iter_mut() {
                println!(
                    "{}: {name}{args:?} -> {:?}",
                    e.name(),
                    e.call(&name, &args, results.len(), 1_000_000)
                );
            }
        }
    }
    match run_with_engines(
        &wasm,
        &mut Unstructured::new(&[]),
        &Default::default(),
        all_engines(),
    ) {
        Ok(report) => println!("no divergence: {report:?}"),
        Err(e) => println!("DIVERGENCE: {e}"),
    }
}
