//! Prints, as WAT, the module the `differential` target generates from a fuzz input: the
//! first step in reducing a crash or divergence it found.

fn main() {
    let path = std::env::args()
        .nth(1)
        .expect("usage: dump_module FUZZ-INPUT");
    let data = std::fs::read(&path).expect("readable input");
    let mut u = arbitrary::Unstructured::new(&data);
    match wasmtier_fuzz::generate::differential_module(&mut u) {
        Ok(wasm) => println!("{}", wasmtier_fuzz::diff::wat_of(&wasm)),
        Err(e) => eprintln!("no module generated: {e}"),
    }
}
