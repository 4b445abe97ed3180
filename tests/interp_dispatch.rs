//! The interpreter's operand model and dispatch: long runs of every kind of handler keep the
//! host stack flat (in builds that chain handlers with tail calls, no chain ever has to be
//! cut short), and functions too large for 16-bit frame slots are refused cleanly.

use wasmtier::interp_dispatch::{TAIL_DISPATCH, host_stack_releases};
use wasmtier::{Config, Engine, Linker, Module, Store, Tier};

/// One loop that runs most handler families per iteration: arithmetic in every operand
/// class, float compare-and-branch, loads and stores (also at constant addresses and of
/// constants), globals, select, direct and indirect calls, br_table, memory.size and
/// wide constants.
const MIXED_LOOP: &str = r#"(module
  (memory 1)
  (global $g (mut i64) (i64.const 0))
  (table 2 funcref)
  (elem (i32.const 0) $add $sub)
  (type $bin (func (param i32 i32) (result i32)))
  (func $add (param i32 i32) (result i32) (i32.add (local.get 0) (local.get 1)))
  (func $sub (param i32 i32) (result i32) (i32.sub (local.get 0) (local.get 1)))
  (func (export "run") (param $n i32) (result i64)
    (local $i i32) (local $acc i32) (local $f f64)
    (loop $next
      (local.set $acc (call $add (local.get $acc) (local.get $i)))
      (local.set $acc (call_indirect (type $bin)
        (local.get $acc) (i32.const 3) (i32.and (local.get $i) (i32.const 1))))
      (i32.store offset=16 (i32.and (local.get $i) (i32.const 255)) (local.get $acc))
      (i32.store (i32.const 8) (i32.load offset=16 (i32.const 0)))
      (i64.store (i32.const 512) (i64.const -1))
      (local.set $f (f64.add (local.get $f) (f64.const 0.25)))
      (if (f64.gt (local.get $f) (f64.const 1000.5))
        (then (local.set $f (f64.const 0))))
      (block $b2 (block $b1 (block $b0
        (br_table $b0 $b1 $b2 (i32.rem_u (local.get $i) (i32.const 3))))
        (global.set $g (i64.add (global.get $g) (i64.const 0x100000001)))
        (br $b2))
        (global.set $g (i64.sub (global.get $g) (i64.extend_i32_u (memory.size)))))
      (local.set $acc (select (local.get $acc) (i32.const 7) (i32.lt_u (local.get $i) (i32.const 5))))
      (br_if $next (i32.lt_s (local.tee $i (i32.add (local.get $i) (i32.const 1))) (local.get $n))))
    (i64.add (global.get $g) (i64.extend_i32_u (local.get $acc)))))"#;

#[test]
fn long_runs_keep_the_host_stack_flat() {
    let mut config = Config::new();
    config.tier(Tier::Interp);
    let engine = Engine::new(&config).unwrap();
    let module = Module::new(&engine, MIXED_LOOP).unwrap();
    let mut store = Store::new(&engine, ());
    let instance = Linker::new(&engine)
        .instantiate(&mut store, &module)
        .unwrap();
    let run = instance.get_typed_func::<i32, i64>(&store, "run").unwrap();
    let before = host_stack_releases();
    let result = run.call(&mut store, 300_000).unwrap();
    assert_ne!(result, 0);
    if TAIL_DISPATCH {
        assert_eq!(
            host_stack_releases(),
            before,
            "some handler's final call is not a jump, so chains grow the host stack"
        );
    }
    // Both dispatch modes compute the same thing as compiled code.
    #[cfg(feature = "jit")]
    {
        let mut config = Config::new();
        config.tier(Tier::Jit);
        let engine = Engine::new(&config).unwrap();
        let module = Module::new(&engine, MIXED_LOOP).unwrap();
        let mut store = Store::new(&engine, ());
        let instance = Linker::new(&engine)
            .instantiate(&mut store, &module)
            .unwrap();
        let run = instance.get_typed_func::<i32, i64>(&store, "run").unwrap();
        assert_eq!(run.call(&mut store, 300_000).unwrap(), result);
    }
}

#[test]
fn functions_beyond_16_bit_frames_are_refused_cleanly() {
    // 40 000 locals plus an operand stack 30 000 values deep: 70 000 slots.
    let pushes = "(i32.const 1)".repeat(30_000);
    let drops = "(drop)".repeat(30_000);
    let wat = format!(
        r#"(module (func (export "big") (local {}) {pushes} {drops}))"#,
        "i32 ".repeat(40_000)
    );
    let mut config = Config::new();
    config.tier(Tier::Interp);
    let engine = Engine::new(&config).unwrap();
    let outcome = Module::new(&engine, &wat).and_then(|module| {
        let mut store = Store::new(&engine, ());
        let instance = Linker::new(&engine).instantiate(&mut store, &module)?;
        let big = instance.get_typed_func::<(), ()>(&store, "big")?;
        big.call(&mut store, ())
    });
    let message = outcome.expect_err("a 70 000-slot frame").to_string();
    assert!(
        message.contains("too large for the interpreter"),
        "unexpected error: {message}"
    );
}
