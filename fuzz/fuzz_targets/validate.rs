#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Err(mismatch) = wasmtier_fuzz::validate::run_validate(data) {
        panic!("VALIDATION MISMATCH: {mismatch}");
    }
});
