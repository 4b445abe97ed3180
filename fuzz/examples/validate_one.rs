//! Shows what the validate target does with one input file: the bytes it compiles (hex),
//! wasmtier's verdict and wasmparser's:
//! `cargo run --release --example validate_one -- artifacts/validate/crash-XXXX`.
fn main() {
    let path = std::env::args().nth(1).expect("usage: validate_one FILE");
    let data = std::fs::read(&path).expect("readable input");
    let bytes = wasmtier_fuzz::validate::input_bytes(&data);
    println!("bytes ({}): {:02x?}", bytes.len(), bytes);
    let engine = wasmtier::Engine::default();
    println!(
        "wasmtier: {:?}",
        wasmtier::Module::from_binary(&engine, &bytes).map(|_| ())
    );
    let features = wasmtier_fuzz::generate::wasmtier_features();
    println!(
        "wasmparser: {:?}",
        wasmparser::Validator::new_with_features(features)
            .validate_all(&bytes)
            .map(|_| ())
    );
    println!("check: {:?}", wasmtier_fuzz::validate::check_bytes(&bytes));
}
