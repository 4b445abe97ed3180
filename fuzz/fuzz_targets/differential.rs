#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Err(divergence) = wasmtier_fuzz::run_differential(data) {
        panic!("DIVERGENCE: {divergence}");
    }
});
