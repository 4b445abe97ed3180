//! End-to-end checks of the embedding API on small modules.

use wasmtier::{Caller, Engine, Error, Linker, Module, Store, TrapCode, Val};

fn instantiate(wat: &str) -> (Store<()>, wasmtier::Instance) {
    let engine = Engine::default();
    let module = Module::new(&engine, wat).expect("module compiles");
    let mut store = Store::new(&engine, ());
    let instance = Linker::new(&engine)
        .instantiate(&mut store, &module)
        .expect("instantiates");
    (store, instance)
}

#[test]
fn recursive_factorial() {
    let (mut store, instance) = instantiate(
        r#"(module (func $fac (export "fac") (param i64) (result i64)
            (if (result i64) (i64.eqz (local.get 0))
              (then (i64.const 1))
              (else (i64.mul (local.get 0) (call $fac (i64.sub (local.get 0) (i64.const 1))))))))"#,
    );
    let fac = instance.get_typed_func::<i64, i64>(&store, "fac").unwrap();
    assert_eq!(fac.call(&mut store, 20).unwrap(), 2432902008176640000);
}

#[test]
fn loop_with_fused_ops() {
    let (mut store, instance) = instantiate(
        r#"(module (func (export "sum") (param $n i32) (result i32) (local $i i32) (local $acc i32)
            (block $done
              (loop $next
                (br_if $done (i32.ge_s (local.get $i) (local.get $n)))
                (local.set $acc (i32.add (local.get $acc) (local.get $i)))
                (local.set $i (i32.add (local.get $i) (i32.const 1)))
                (br $next)))
            (local.get $acc)))"#,
    );
    let sum = instance.get_typed_func::<i32, i32>(&store, "sum").unwrap();
    assert_eq!(sum.call(&mut store, 100).unwrap(), 4950);
    assert_eq!(sum.call(&mut store, 0).unwrap(), 0);
}

#[test]
fn divide_by_zero_traps_with_spec_message() {
    let (mut store, instance) = instantiate(
        r#"(module (func (export "div") (param i32 i32) (result i32)
            (i32.div_s (local.get 0) (local.get 1))))"#,
    );
    let div = instance
        .get_typed_func::<(i32, i32), i32>(&store, "div")
        .unwrap();
    assert_eq!(div.call(&mut store, (7, 2)).unwrap(), 3);
    let err = div.call(&mut store, (1, 0)).unwrap_err();
    let trap = err.as_trap().expect("a trap");
    assert_eq!(trap.code(), Some(TrapCode::IntegerDivideByZero));
    assert_eq!(trap.to_string(), "integer divide by zero");
    assert_eq!(trap.backtrace().len(), 1);
}

#[test]
fn infinite_recursion_is_a_trap() {
    let (mut store, instance) = instantiate(r#"(module (func $f (export "f") (call $f)))"#);
    let f = instance.get_typed_func::<(), ()>(&store, "f").unwrap();
    let err = f.call(&mut store, ()).unwrap_err();
    assert_eq!(err.to_string(), "call stack exhausted");
}

#[test]
fn host_functions_see_store_data_and_memory() {
    let engine = Engine::default();
    let module = Module::new(
        &engine,
        r#"(module
            (import "host" "add" (func $add (param i32 i32) (result i32)))
            (import "host" "peek" (func $peek (result i32)))
            (memory (export "memory") 1)
            (func (export "run") (result i32)
              (i32.store (i32.const 8) (i32.const 77))
              (i32.add (call $add (i32.const 40) (i32.const 2)) (call $peek))))"#,
    )
    .unwrap();
    let mut store = Store::new(&engine, 0u32);
    let mut linker = Linker::new(&engine);
    linker
        .func_wrap(
            "host",
            "add",
            |mut caller: Caller<'_, u32>, a: i32, b: i32| {
                *caller.data_mut() += 1;
                a + b
            },
        )
        .unwrap();
    linker
        .func_wrap("host", "peek", |caller: Caller<'_, u32>| {
            let memory = caller.get_export("memory").unwrap().into_memory().unwrap();
            let bytes = &memory.data(&caller)[8..12];
            i32::from_le_bytes(bytes.try_into().unwrap())
        })
        .unwrap();
    let instance = linker.instantiate(&mut store, &module).unwrap();
    let run = instance.get_typed_func::<(), i32>(&store, "run").unwrap();
    assert_eq!(run.call(&mut store, ()).unwrap(), 119);
    assert_eq!(*store.data(), 1);
}

#[test]
fn missing_import_is_a_link_error() {
    let engine = Engine::default();
    let module = Module::new(&engine, r#"(module (import "env" "f" (func)))"#).unwrap();
    let mut store = Store::new(&engine, ());
    let err = Linker::new(&engine)
        .instantiate(&mut store, &module)
        .unwrap_err();
    assert!(matches!(err, Error::Link(_)), "{err:?}");
    assert!(err.to_string().contains("unknown import"), "{err}");
}

#[test]
fn dynamic_call_checks_arguments() {
    let (mut store, instance) =
        instantiate(r#"(module (func (export "id") (param f64) (result f64) local.get 0))"#);
    let f = instance.get_func(&store, "id").unwrap();
    let mut out = [Val::I32(0)];
    f.call(&mut store, &[Val::from(1.5f64)], &mut out).unwrap();
    assert_eq!(out[0].f64(), Some(1.5));
    assert!(matches!(
        f.call(&mut store, &[Val::I32(1)], &mut out),
        Err(Error::Usage(_))
    ));
    assert!(matches!(
        f.call(&mut store, &[], &mut out),
        Err(Error::Usage(_))
    ));
}

const COUNTDOWN: &str = r#"(module (func $down (export "down") (param i32) (result i32)
    (if (result i32) (i32.eqz (local.get 0))
      (then (i32.const 0))
      (else (i32.add (i32.const 1) (call $down (i32.sub (local.get 0) (i32.const 1))))))))"#;

#[test]
fn deep_recursion_within_the_limit_completes() {
    // Far deeper than the frames reserved up front, so the frame stack has to grow.
    let (mut store, instance) = instantiate(COUNTDOWN);
    let down = instance.get_typed_func::<i32, i32>(&store, "down").unwrap();
    assert_eq!(down.call(&mut store, 15_000).unwrap(), 15_000);
    assert_eq!(down.call(&mut store, 3).unwrap(), 3);
}

#[test]
fn configured_call_depth_is_enforced_exactly() {
    let mut config = wasmtier::Config::new();
    config.max_call_depth(100);
    let engine = Engine::new(&config).unwrap();
    let module = Module::new(&engine, COUNTDOWN).unwrap();
    let mut store = Store::new(&engine, ());
    let instance = Linker::new(&engine)
        .instantiate(&mut store, &module)
        .unwrap();
    let down = instance.get_typed_func::<i32, i32>(&store, "down").unwrap();
    // down(n) nests n + 1 activations: the entry plus n calls.
    assert_eq!(down.call(&mut store, 100).unwrap(), 100);
    let err = down.call(&mut store, 101).unwrap_err();
    assert_eq!(err.to_string(), "call stack exhausted");
}
