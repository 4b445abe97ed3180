//! Tail calls (`return_call`, `return_call_indirect`): a chain of them runs in constant
//! stack, fuel and interruption still stop one that never ends, and calls to host functions
//! and other instances return where they should.

use wasmtier::{Config, Engine, Instance, Linker, Module, Store, Tier, TrapCode};

/// Mutual recursion through direct and indirect tail calls: `even(n)` and `odd(n)` alternate
/// down to 0, `even_indirect` does the same through a table. `loop_forever` never returns.
const PARITY: &str = r#"(module
    (type $parity (func (param i64) (result i32)))
    (table funcref (elem $even_indirect $odd_indirect))
    (func $even (export "even") (param i64) (result i32)
      (if (result i32) (i64.eqz (local.get 0))
        (then (i32.const 1))
        (else (return_call $odd (i64.sub (local.get 0) (i64.const 1))))))
    (func $odd (param i64) (result i32)
      (if (result i32) (i64.eqz (local.get 0))
        (then (i32.const 0))
        (else (return_call $even (i64.sub (local.get 0) (i64.const 1))))))
    (func $even_indirect (export "even_indirect") (param i64) (result i32)
      (if (result i32) (i64.eqz (local.get 0))
        (then (i32.const 1))
        (else (return_call_indirect (type $parity)
          (i64.sub (local.get 0) (i64.const 1)) (i32.const 1)))))
    (func $odd_indirect (param i64) (result i32)
      (if (result i32) (i64.eqz (local.get 0))
        (then (i32.const 0))
        (else (return_call_indirect (type $parity)
          (i64.sub (local.get 0) (i64.const 1)) (i32.const 0)))))
    ;; The callee has more locals than the caller: its frame is larger than the one it
    ;; takes over.
    (func $spin (export "loop_forever") (param i32)
      (return_call $spin_wide (local.get 0) (f64.const 1)))
    (func $spin_wide (param i32 f64) (local i64 i64 i64 i64)
      (return_call $spin (i32.add (local.get 0) (i32.const 1)))))"#;

fn instantiate(config: &Config, wat: &str) -> (Store<()>, Instance) {
    let engine = Engine::new(config).unwrap();
    let module = Module::new(&engine, wat).unwrap();
    let mut store = Store::new(&engine, ());
    let instance = Linker::new(&engine)
        .instantiate(&mut store, &module)
        .unwrap();
    (store, instance)
}

fn interp(lazy: bool) -> Config {
    let mut config = Config::new();
    config.tier(Tier::Interp).lazy_translation(lazy);
    config
}

/// Far deeper than any call stack: each step must reuse the frame.
const DEPTH: i64 = 10_000_000;

#[test]
fn interp_tail_call_chains_run_in_constant_stack() {
    for lazy in [true, false] {
        let (mut store, instance) = instantiate(&interp(lazy), PARITY);
        for name in ["even", "even_indirect"] {
            let f = instance.get_typed_func::<i64, i32>(&store, name).unwrap();
            assert_eq!(f.call(&mut store, DEPTH).unwrap(), 1, "{name}");
            assert_eq!(f.call(&mut store, DEPTH + 1).unwrap(), 0, "{name}");
        }
    }
}

#[test]
fn interp_tail_call_loop_runs_out_of_fuel() {
    let mut config = interp(true);
    config.consume_fuel(true);
    let (mut store, instance) = instantiate(&config, PARITY);
    store.set_fuel(1_000_000).unwrap();
    let spin = instance
        .get_typed_func::<i32, ()>(&store, "loop_forever")
        .unwrap();
    let err = spin.call(&mut store, 0).unwrap_err();
    assert_eq!(
        err.as_trap().and_then(|t| t.code()),
        Some(TrapCode::OutOfFuel)
    );
}

#[test]
fn interp_tail_call_loop_is_interrupted() {
    let (mut store, instance) = instantiate(&interp(true), PARITY);
    let spin = instance
        .get_typed_func::<i32, ()>(&store, "loop_forever")
        .unwrap();
    let handle = store.interrupt_handle();
    let interrupter = std::thread::spawn(move || {
        std::thread::sleep(std::time::Duration::from_millis(50));
        handle.interrupt();
    });
    let err = spin.call(&mut store, 0).unwrap_err();
    interrupter.join().unwrap();
    assert_eq!(
        err.as_trap().and_then(|t| t.code()),
        Some(TrapCode::Interrupted)
    );
}

/// `callee.wat`'s functions use their own instance's memory and global; `caller.wat`
/// tail-calls them (and a host function) and its own caller checks that its instance is
/// current again afterwards.
const CALLEE: &str = r#"(module
    (memory 1)
    (global $g (mut i32) (i32.const 100))
    (data (i32.const 0) "\2a")
    (func (export "read_own") (param i32) (result i32)
      (global.set $g (i32.add (global.get $g) (local.get 0)))
      (i32.add (i32.load8_u (i32.const 0)) (global.get $g)))
    (func (export "fail") (param i32) (result i32)
      (i32.div_u (local.get 0) (i32.const 0))))"#;

const CALLER: &str = r#"(module
    (import "callee" "read_own" (func $read_own (param i32) (result i32)))
    (import "callee" "fail" (func $fail (param i32) (result i32)))
    (import "host" "triple" (func $triple (param i32) (result i32)))
    (memory 1)
    (data (i32.const 0) "\07")
    (func $to_other (param i32) (result i32)
      (return_call $read_own (local.get 0)))
    (func $to_host (param i32) (result i32)
      (return_call $triple (local.get 0)))
    (func $to_failing (param i32) (result i32)
      (return_call $fail (local.get 0)))
    ;; Each result plus this instance's own memory byte, read after the call returned.
    (func (export "other") (param i32) (result i32)
      (i32.add (call $to_other (local.get 0)) (i32.load8_u (i32.const 0))))
    (func (export "host") (param i32) (result i32)
      (i32.add (call $to_host (local.get 0)) (i32.load8_u (i32.const 0))))
    (func (export "failing") (param i32) (result i32)
      (call $to_failing (local.get 0))))"#;

#[test]
fn interp_tail_calls_to_other_instances_and_the_host_return_to_the_caller() {
    for lazy in [true, false] {
        let engine = Engine::new(&interp(lazy)).unwrap();
        let mut store = Store::new(&engine, ());
        let mut linker = Linker::new(&engine);
        let callee = linker
            .instantiate(&mut store, &Module::new(&engine, CALLEE).unwrap())
            .unwrap();
        linker.instance(&store, "callee", callee).unwrap();
        linker.func_wrap("host", "triple", |x: i32| x * 3).unwrap();
        let caller = linker
            .instantiate(&mut store, &Module::new(&engine, CALLER).unwrap())
            .unwrap();
        let other = caller.get_typed_func::<i32, i32>(&store, "other").unwrap();
        // 42 (callee's memory) + 105 (its global after adding 5) + 7 (caller's memory).
        assert_eq!(other.call(&mut store, 5).unwrap(), 42 + 105 + 7);
        let host = caller.get_typed_func::<i32, i32>(&store, "host").unwrap();
        assert_eq!(host.call(&mut store, 5).unwrap(), 15 + 7);
        let failing = caller
            .get_typed_func::<i32, i32>(&store, "failing")
            .unwrap();
        let err = failing.call(&mut store, 5).unwrap_err();
        assert_eq!(
            err.as_trap().and_then(|t| t.code()),
            Some(TrapCode::IntegerDivideByZero)
        );
        // The store still works after the trap.
        assert_eq!(host.call(&mut store, 1).unwrap(), 3 + 7);
    }
}

#[test]
fn tail_calls_can_be_switched_off() {
    let mut config = interp(true);
    config.wasm_tail_call(false);
    let engine = Engine::new(&config).unwrap();
    let err = Module::new(&engine, PARITY).unwrap_err();
    assert!(err.to_string().contains("tail call"), "{err}");
}
