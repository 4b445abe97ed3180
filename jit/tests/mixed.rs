//! JIT and interpreter in one store: calls in both directions, recursion across tiers, traps
//! propagating through mixed frames, host functions called from compiled code.

use wasmtier::{Caller, Config, Engine, Extern, Func, Instance, Linker, Module, Store, Tier, Trap};

/// Compiles only the functions of modules named `jit`; everything else is interpreted.
fn engine() -> Engine {
    let mut config = Config::new();
    config
        .tier(Tier::Jit)
        .jit_filter(|module, _| module == Some("jit"));
    Engine::new(&config).unwrap()
}

const JIT: &str = r#"
(module $jit
  (type $t (func (param i32) (result i32)))
  (table (export "tab") 2 funcref)
  (elem (i32.const 0) $even)
  ;; even(n): JIT code; recurses through table slot 1, which the interpreted module fills.
  (func $even (export "even") (param i32) (result i32)
    (if (result i32) (i32.eqz (local.get 0))
      (then (i32.const 1))
      (else (call_indirect (type $t) (i32.sub (local.get 0) (i32.const 1)) (i32.const 1)))))
  (func (export "div") (param i32 i32) (result i32)
    (i32.div_u (local.get 0) (local.get 1))))
"#;

const INTERP: &str = r#"
(module $interp
  (type $t (func (param i32) (result i32)))
  (import "jit" "even" (func $even (type $t)))
  (import "jit" "tab" (table 2 funcref))
  (import "jit" "div" (func $div (param i32 i32) (result i32)))
  (elem (i32.const 1) $odd)
  ;; odd(n): interpreted; traps with `unreachable` at n = 1000 and divides by zero at 2000.
  (func $odd (export "odd") (param i32) (result i32)
    (if (i32.eq (local.get 0) (i32.const 1000)) (then unreachable))
    (if (i32.eq (local.get 0) (i32.const 2001))
      (then (drop (call $div (i32.const 1) (i32.const 0)))))
    (if (result i32) (i32.eqz (local.get 0))
      (then (i32.const 0))
      (else (call $even (i32.sub (local.get 0) (i32.const 1)))))))
"#;

fn setup() -> (Store<()>, Instance, Instance) {
    let engine = engine();
    let mut store = Store::new(&engine, ());
    let jit = Module::new(&engine, JIT).unwrap();
    let interp = Module::new(&engine, INTERP).unwrap();
    let ji = Instance::new(&mut store, &jit, &[]).unwrap();
    let imports: Vec<Extern> = ["even", "tab", "div"]
        .iter()
        .map(|n| ji.get_export(&store, n).unwrap())
        .collect();
    let ii = Instance::new(&mut store, &interp, &imports).unwrap();
    (store, ji, ii)
}

#[test]
fn recursion_across_tiers_both_directions() {
    let (mut store, ji, ii) = setup();
    let even = ji.get_typed_func::<i32, i32>(&store, "even").unwrap();
    let odd = ii.get_typed_func::<i32, i32>(&store, "odd").unwrap();
    for n in [0, 1, 2, 7, 10, 55, 100] {
        assert_eq!(
            even.call(&mut store, n).unwrap(),
            (n % 2 == 0) as i32,
            "even({n})"
        );
        assert_eq!(
            odd.call(&mut store, n).unwrap(),
            (n % 2 == 1) as i32,
            "odd({n})"
        );
    }
}

#[test]
fn traps_propagate_through_mixed_frames() {
    let (mut store, ji, ii) = setup();
    let even = ji.get_typed_func::<i32, i32>(&store, "even").unwrap();
    let odd = ii.get_typed_func::<i32, i32>(&store, "odd").unwrap();
    // The interpreter traps under JIT frames (entered from the host in JIT code).
    let err = even.call(&mut store, 1011).unwrap_err();
    assert_eq!(err.to_string(), "unreachable");
    // JIT code traps under interpreter frames (entered from the host in the interpreter).
    let err = odd.call(&mut store, 2011).unwrap_err();
    assert_eq!(err.to_string(), "integer divide by zero");
    // The store still works after traps.
    assert_eq!(even.call(&mut store, 10).unwrap(), 1);
    // Unbounded recursion across tiers ends in a trap, not a crash.
    let err = even.call(&mut store, 900).unwrap_err();
    assert_eq!(err.to_string(), "call stack exhausted");
    assert_eq!(odd.call(&mut store, 3).unwrap(), 1);
}

#[test]
fn host_functions_called_from_jit_code() {
    let mut config = Config::new();
    config.tier(Tier::Jit);
    let engine = Engine::new(&config).unwrap();
    let mut store = Store::new(&engine, 0u32);
    let mut linker = Linker::new(&engine);
    linker
        .func_wrap(
            "host",
            "add",
            |mut caller: Caller<'_, u32>, a: i32, b: i64| {
                *caller.data_mut() += 1;
                (a as i64 + b) as f64
            },
        )
        .unwrap();
    linker
        .func_wrap(
            "host",
            "fail",
            |_: Caller<'_, u32>, code: i32| -> Result<i32, Trap> {
                Err(Trap::host(format!("host failure {code}")))
            },
        )
        .unwrap();
    let module = Module::new(
        &engine,
        r#"(module
          (import "host" "add" (func $add (param i32 i64) (result f64)))
          (import "host" "fail" (func $fail (param i32) (result i32)))
          (func (export "twice") (param i32) (result f64)
            (f64.add (call $add (local.get 0) (i64.const 10))
                     (call $add (local.get 0) (i64.const 20))))
          (func (export "fail") (param i32) (result i32)
            (i32.add (call $fail (local.get 0)) (i32.const 1))))"#,
    )
    .unwrap();
    let inst = linker.instantiate(&mut store, &module).unwrap();
    let twice = inst.get_typed_func::<i32, f64>(&store, "twice").unwrap();
    assert_eq!(twice.call(&mut store, 1).unwrap(), 32.0);
    assert_eq!(*store.data(), 2);
    let fail = inst.get_typed_func::<i32, i32>(&store, "fail").unwrap();
    assert_eq!(
        fail.call(&mut store, 7).unwrap_err().to_string(),
        "host failure 7"
    );
    assert_eq!(twice.call(&mut store, 2).unwrap(), 34.0);
}

#[test]
fn host_reenters_jit_code() {
    let mut config = Config::new();
    config.tier(Tier::Jit);
    let engine = Engine::new(&config).unwrap();
    let mut store = Store::new(&engine, ());
    let module = Module::new(
        &engine,
        r#"(module
          (import "host" "back" (func $back (param i32) (result i32)))
          (func $down (export "down") (param i32) (result i32)
            (if (result i32) (i32.eqz (local.get 0))
              (then (i32.const 0))
              (else (i32.add (i32.const 1) (call $back (i32.sub (local.get 0) (i32.const 1))))))))"#,
    )
    .unwrap();
    // The host function calls the export `down` again: host -> jit -> host -> jit ...
    let back = Func::wrap(
        &mut store,
        |mut caller: Caller<'_, ()>, n: i32| -> Result<i32, Trap> {
            let down = caller
                .get_export("down")
                .and_then(|e| e.into_func())
                .expect("export");
            let down = down.typed::<i32, i32>(&caller).expect("type");
            down.call(&mut caller, n)
                .map_err(|e| Trap::host(e.to_string()))
        },
    );
    let inst = Instance::new(&mut store, &module, &[back.into()]).unwrap();
    let down = inst.get_typed_func::<i32, i32>(&store, "down").unwrap();
    assert_eq!(down.call(&mut store, 50).unwrap(), 50);
}

#[test]
fn backtraces_cover_both_tiers() {
    let (mut store, ji, _ii) = setup();
    let even = ji.get_func(&store, "even").unwrap();
    let err = even
        .call(
            &mut store,
            &[wasmtier::Val::I32(1005)],
            &mut [wasmtier::Val::I32(0)],
        )
        .unwrap_err();
    let trap = err.as_trap().expect("a trap");
    let frames: Vec<String> = trap.backtrace().iter().map(|f| f.to_string()).collect();
    // odd(1000) traps in the interpreter, under even(1001) (JIT), odd(1002), even(1003), ...
    assert_eq!(
        frames,
        [
            "interp!odd",
            "jit!even",
            "interp!odd",
            "jit!even",
            "interp!odd",
            "jit!even"
        ],
        "{frames:?}"
    );
    // A trap raised in compiled code has the compiled frames too.
    let div = ji.get_func(&store, "div").unwrap();
    let err = div
        .call(
            &mut store,
            &[wasmtier::Val::I32(1), wasmtier::Val::I32(0)],
            &mut [wasmtier::Val::I32(0)],
        )
        .unwrap_err();
    let frames: Vec<String> = err
        .as_trap()
        .unwrap()
        .backtrace()
        .iter()
        .map(|f| f.to_string())
        .collect();
    assert_eq!(frames, ["jit!<wasm function 1>"]);
}
