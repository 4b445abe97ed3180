//! The validate target's check: wasmtier never panics while compiling any input, and it
//! accepts a binary exactly when wasmparser's validator (same features) accepts it.

use arbitrary::Unstructured;

use crate::generate::{any_features_config, differential_config, wasmtier_features};

/// Turns fuzz input into the bytes to compile: raw bytes, a wasm-smith module (Wasm 2.0
/// subset or arbitrary features), or such a module with a few bytes mutated.
pub fn input_bytes(data: &[u8]) -> Vec<u8> {
    let Some((&mode, rest)) = data.split_first() else {
        return Vec::new();
    };
    if mode % 4 == 0 {
        return rest.to_vec();
    }
    let mut u = Unstructured::new(rest);
    let config = if mode % 4 == 1 {
        differential_config(&mut u)
    } else {
        any_features_config(&mut u)
    };
    let Ok(config) = config else {
        return rest.to_vec();
    };
    let Ok(module) = wasm_smith::Module::new(config, &mut u) else {
        return rest.to_vec();
    };
    let mut bytes = module.to_bytes();
    if mode % 4 == 3 && !bytes.is_empty() {
        // A few mutations driven by the remaining input: overwrite, insert, delete, truncate.
        let n: u8 = u.int_in_range(1..=4).unwrap_or(1);
        for _ in 0..n {
            let op: u8 = u.arbitrary().unwrap_or(0);
            let at = u
                .int_in_range(0..=bytes.len().saturating_sub(1))
                .unwrap_or(0);
            let byte: u8 = u.arbitrary().unwrap_or(0xff);
            match op % 4 {
                0 => bytes[at] = byte,
                1 => bytes.insert(at, byte),
                2 => {
                    bytes.remove(at);
                }
                _ => bytes.truncate(at.max(8)),
            }
            if bytes.is_empty() {
                break;
            }
        }
    }
    bytes
}

/// Checks one input; returns `Err` with a description on a verdict mismatch (panics of
/// wasmtier propagate).
pub fn check_bytes(bytes: &[u8]) -> Result<(), String> {
    let engine = wasmtier::Engine::default();
    if !bytes.starts_with(b"\0asm") {
        // The text path must not panic either; no oracle for it.
        let _ = wasmtier::Module::new(&engine, bytes);
        return Ok(());
    }
    let ours = wasmtier::Module::from_binary(&engine, bytes);
    let oracle = wasmparser::Validator::new_with_features(wasmtier_features()).validate_all(bytes);
    match (&ours, &oracle) {
        (Ok(_), Err(e)) if is_known_bug(&e.to_string()) => Ok(()),
        (Ok(_), Err(e)) => Err(format!(
            "wasmtier accepts a module wasmparser rejects: {e}\n{}",
            crate::diff::wat_of(bytes)
        )),
        (Err(e @ (wasmtier::Error::Malformed(_) | wasmtier::Error::Invalid(_))), Ok(_)) => {
            Err(format!(
                "wasmtier rejects a module wasmparser accepts: {e}\n{}",
                crate::diff::wat_of(bytes)
            ))
        }
        _ => Ok(()),
    }
}

/// Reported wasmtier bugs, by wasmparser's message, that the fuzzer should not keep finding
/// while they are open. Remove an entry once the bug is fixed (its `.wast` regression in
/// `tests/wast/` then passes); set `WASMTIER_FUZZ_STRICT=1` to ignore this list.
pub const KNOWN_BUGS: &[&str] = &[
    // Empty: the compact-imports encoding (tests/wast/fuzz_compact_imports.wast) is fixed;
    // the decoder now uses wasmtier's feature set.
];

fn is_known_bug(message: &str) -> bool {
    std::env::var_os("WASMTIER_FUZZ_STRICT").is_none()
        && KNOWN_BUGS.iter().any(|known| message.contains(known))
}

/// Fuzz entry.
pub fn run_validate(data: &[u8]) -> Result<(), String> {
    check_bytes(&input_bytes(data))
}
