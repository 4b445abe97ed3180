//! `Module::new` must reject damaged input with an error, never a panic: every truncation and
//! a deterministic sample of bit flips of valid modules. wasmparser's validator serves as an
//! oracle: whatever it rejects, wasmtier must reject too.

use wasmtier::{Engine, Module};

/// Valid modules exercising many sections and instruction kinds.
const MODULES: &[&str] = &[
    r#"(module
        (type $t (func (param i32) (result i32)))
        (import "env" "f" (func $imp (type $t)))
        (import "env" "g" (global $g i32))
        (table 4 funcref)
        (memory 1 2)
        (global $h (mut i64) (i64.const 7))
        (elem (i32.const 0) $imp $fac)
        (data (i32.const 16) "hello")
        (func $fac (export "fac") (type $t)
          (if (result i32) (i32.eqz (local.get 0))
            (then (i32.const 1))
            (else (i32.mul (local.get 0) (call $fac (i32.sub (local.get 0) (i32.const 1)))))))
        (func (export "mix") (param i32 f64) (result f64) (local i64)
          (block $b (loop $l
            (br_if $b (i32.eqz (local.get 0)))
            (local.set 0 (i32.sub (local.get 0) (i32.const 1)))
            (br_table $l $b (local.get 0))))
          (memory.fill (i32.const 0) (i32.const 1) (i32.const 8))
          (drop (call_indirect (type $t) (i32.const 3) (i32.const 1)))
          (f64.add (local.get 1) (f64.convert_i32_s (i32.load8_u offset=16 (i32.const 0)))))
        (start $start)
        (func $start (global.set $h (i64.add (global.get $h) (i64.const 1)))))"#,
    r#"(module
        (table $t 2 externref)
        (elem declare func $f)
        (func $f (result funcref) (ref.func $f))
        (func (export "t") (param externref) (result i32)
          (table.set $t (i32.const 1) (local.get 0))
          (i32.add (table.size $t) (ref.is_null (table.get $t (i32.const 0)))))
        (func (export "multi") (result i32 i64 f32)
          (i32.const 1) (i64.const 2) (f32.const 3)))"#,
];

fn binaries() -> Vec<Vec<u8>> {
    MODULES
        .iter()
        .map(|m| wat::parse_str(m).expect("test module parses"))
        .collect()
}

#[test]
fn valid_modules_compile() {
    let engine = Engine::default();
    for bytes in binaries() {
        Module::new(&engine, &bytes).expect("valid module compiles");
    }
}

/// Checks one input: no panic, and no acceptance of what the oracle rejects.
fn check(engine: &Engine, bytes: &[u8], what: &str) {
    let ours = Module::new(engine, bytes).is_ok();
    let oracle =
        wasmparser::Validator::new_with_features(wasmtier_runtime::module::default_features())
            .validate_all(bytes)
            .is_ok();
    assert!(
        oracle || !ours,
        "{what}: wasmtier accepted a module wasmparser rejects"
    );
}

#[test]
fn every_truncation_is_handled() {
    let engine = Engine::default();
    for bytes in binaries() {
        let mut rejected = 0;
        for len in 0..bytes.len() {
            check(&engine, &bytes[..len], &format!("truncated to {len} bytes"));
            rejected += Module::new(&engine, &bytes[..len]).is_err() as usize;
        }
        // Only cuts at section boundaries can leave a valid module.
        assert!(
            rejected > bytes.len() * 9 / 10,
            "only {rejected} of {} truncations rejected",
            bytes.len()
        );
    }
}

#[test]
fn bit_flips_never_panic() {
    let engine = Engine::default();
    let mut rng = 0x9e37_79b9_7f4a_7c15u64;
    for bytes in binaries() {
        // Every bit of the header and a few thousand random single and double flips elsewhere.
        let mut cases: Vec<Vec<usize>> = (0..64).map(|bit| vec![bit]).collect();
        for _ in 0..3000 {
            let flips = 1 + (next(&mut rng) % 2) as usize;
            cases.push(
                (0..flips)
                    .map(|_| (next(&mut rng) % (bytes.len() as u64 * 8)) as usize)
                    .collect(),
            );
        }
        for flips in cases {
            let mut damaged = bytes.clone();
            for bit in &flips {
                damaged[bit / 8] ^= 1 << (bit % 8);
            }
            check(&engine, &damaged, &format!("bits {flips:?} flipped"));
        }
    }
}

#[test]
fn random_bytes_are_rejected() {
    let engine = Engine::default();
    let mut rng = 42u64;
    for len in 0..200 {
        let mut bytes: Vec<u8> = (0..len).map(|_| next(&mut rng) as u8).collect();
        // Half of the inputs get a valid header so that section parsing is exercised.
        if len >= 8 && len % 2 == 0 {
            bytes[..8].copy_from_slice(b"\0asm\x01\0\0\0");
        }
        check(&engine, &bytes, &format!("random bytes of length {len}"));
    }
}

/// xorshift64*: a deterministic generator, so failures reproduce.
fn next(state: &mut u64) -> u64 {
    *state ^= *state >> 12;
    *state ^= *state << 25;
    *state ^= *state >> 27;
    state.wrapping_mul(0x2545_f491_4f6c_dd1d)
}
