//! Every kind of trap raised in compiled code gives the interpreter's `Trap` and message, with
//! guard-page bounds and with explicit bounds checks.

use wasmtier::{Config, Engine, Instance, Module, Store, Tier, Val};

const MODULE: &str = r#"
(module
  (type $v (func))
  (type $i (func (param i32) (result i32)))
  (memory 1 3)
  (table 3 funcref)
  (elem (i32.const 0) $nop $id)
  (func $nop)
  (func $id (param i32) (result i32) (local.get 0))
  (func (export "unreachable") unreachable)
  (func (export "div_zero") (result i32) (i32.div_s (i32.const 1) (i32.const 0)))
  (func (export "rem_zero") (result i64) (i64.rem_u (i64.const 1) (i64.const 0)))
  (func (export "div_overflow") (result i32) (i32.div_s (i32.const 0x80000000) (i32.const -1)))
  (func (export "rem_min") (result i32) (i32.rem_s (i32.const 0x80000000) (i32.const -1)))
  (func (export "trunc_nan") (result i32) (i32.trunc_f32_s (f32.const nan)))
  (func (export "trunc_big") (result i64) (i64.trunc_f64_u (f64.const 1e30)))
  (func (export "trunc_sat") (result i32) (i32.trunc_sat_f64_s (f64.const -1e30)))
  (func (export "load_oob") (param i32) (result i32) (i32.load offset=4 (local.get 0)))
  (func (export "store_oob") (param i32) (i64.store (local.get 0) (i64.const 1)))
  (func (export "load_big_offset") (result i32) (i32.load offset=0xfffffff0 (i32.const 0)))
  (func (export "grow_then_load") (param i32) (result i32)
    (drop (memory.grow (i32.const 1)))
    (i32.load8_u (local.get 0)))
  (func (export "fill_oob") (memory.fill (i32.const 65530) (i32.const 0) (i32.const 100)))
  (func (export "table_oob") (result funcref) (table.get (i32.const 3)))
  (func (export "undefined_elem") (call_indirect (type $v) (i32.const 7)))
  (func (export "uninit_elem") (call_indirect (type $v) (i32.const 2)))
  (func (export "type_mismatch") (call_indirect (type $v) (i32.const 1)))
  (func $rec (export "recurse") (param i32) (result i32)
    (i32.add (call $rec (i32.add (local.get 0) (i32.const 1))) (i32.const 1)))
  (func (export "min") (result f32) (f32.min (f32.const -0) (f32.const 0)))
  (func (export "nearest") (result f64) (f64.nearest (f64.const 2.5))))
"#;

fn run(config: &Config, name: &str, args: &[Val]) -> Result<Vec<Val>, String> {
    let engine = Engine::new(config).unwrap();
    let module = Module::new(&engine, MODULE).unwrap();
    let mut store = Store::new(&engine, ());
    let inst = Instance::new(&mut store, &module, &[]).unwrap();
    let f = inst.get_func(&store, name).unwrap();
    let mut results = vec![Val::I32(0); f.ty(&store).results().len()];
    f.call(&mut store, args, &mut results)
        .map(|()| results)
        .map_err(|e| e.to_string())
}

fn configs() -> Vec<(&'static str, Config)> {
    let mut interp = Config::new();
    interp.tier(Tier::Interp);
    let mut guard = Config::new();
    guard.tier(Tier::Jit);
    let mut explicit = Config::new();
    explicit.tier(Tier::Jit).jit_bounds_checks(true);
    vec![("interp", interp), ("jit", guard), ("jit+bounds", explicit)]
}

fn expect_trap(name: &str, args: &[Val], message: &str) {
    for (tier, config) in configs() {
        match run(&config, name, args) {
            Err(m) => assert_eq!(m, message, "{name} in {tier}"),
            Ok(v) => panic!("{name} in {tier}: expected trap `{message}`, got {v:?}"),
        }
    }
}

fn expect_same_results(name: &str, args: &[Val]) {
    let all: Vec<_> = configs()
        .into_iter()
        .map(|(tier, c)| (tier, format!("{:?}", run(&c, name, args))))
        .collect();
    for (tier, r) in &all[1..] {
        assert_eq!(
            r, &all[0].1,
            "{name} in {tier} differs from the interpreter"
        );
    }
}

#[test]
fn every_trap_kind_matches_the_interpreter() {
    expect_trap("unreachable", &[], "unreachable");
    expect_trap("div_zero", &[], "integer divide by zero");
    expect_trap("rem_zero", &[], "integer divide by zero");
    expect_trap("div_overflow", &[], "integer overflow");
    expect_trap("trunc_nan", &[], "invalid conversion to integer");
    expect_trap("trunc_big", &[], "integer overflow");
    expect_trap(
        "load_oob",
        &[Val::I32(65532)],
        "out of bounds memory access",
    );
    expect_trap("load_oob", &[Val::I32(-1)], "out of bounds memory access");
    expect_trap(
        "store_oob",
        &[Val::I32(65529)],
        "out of bounds memory access",
    );
    expect_trap("load_big_offset", &[], "out of bounds memory access");
    expect_trap(
        "grow_then_load",
        &[Val::I32(3 * 65536)],
        "out of bounds memory access",
    );
    expect_trap("fill_oob", &[], "out of bounds memory access");
    expect_trap("table_oob", &[], "out of bounds table access");
    expect_trap("undefined_elem", &[], "undefined element");
    expect_trap("uninit_elem", &[], "uninitialized element");
    expect_trap("type_mismatch", &[], "indirect call type mismatch");
    expect_trap("recurse", &[Val::I32(0)], "call stack exhausted");
}

#[test]
fn non_trapping_edge_cases_match_the_interpreter() {
    expect_same_results("rem_min", &[]);
    expect_same_results("trunc_sat", &[]);
    expect_same_results("load_oob", &[Val::I32(65528)]);
    expect_same_results("grow_then_load", &[Val::I32(65536 + 17)]);
    expect_same_results("min", &[]);
    expect_same_results("nearest", &[]);
}

/// Stack exhaustion on a small thread stack is a trap, and the thread can go on running wasm.
#[test]
fn stack_exhaustion_on_a_small_thread() {
    std::thread::Builder::new()
        .stack_size(1 << 20)
        .spawn(|| {
            let mut config = Config::new();
            config.tier(Tier::Jit);
            for _ in 0..3 {
                assert_eq!(
                    run(&config, "recurse", &[Val::I32(0)]).unwrap_err(),
                    "call stack exhausted"
                );
            }
            assert!(run(&config, "nearest", &[]).is_ok());
        })
        .unwrap()
        .join()
        .unwrap();
}

/// `InterruptHandle::interrupt` from another thread stops a compiled infinite loop.
#[test]
fn interrupt_stops_a_compiled_loop() {
    let mut config = Config::new();
    config.tier(Tier::Jit);
    let engine = Engine::new(&config).unwrap();
    let module = Module::new(
        &engine,
        r#"(module (func (export "spin") (loop (br 0))) (func (export "ok") (result i32) i32.const 7))"#,
    )
    .unwrap();
    let mut store = Store::new(&engine, ());
    let inst = Instance::new(&mut store, &module, &[]).unwrap();
    let handle = store.interrupt_handle();
    let t = std::thread::spawn(move || {
        std::thread::sleep(std::time::Duration::from_millis(50));
        handle.interrupt();
    });
    let spin = inst.get_typed_func::<(), ()>(&store, "spin").unwrap();
    assert_eq!(
        spin.call(&mut store, ()).unwrap_err().to_string(),
        "interrupted"
    );
    t.join().unwrap();
    // The request was consumed: the store runs code again.
    let ok = inst.get_typed_func::<(), i32>(&store, "ok").unwrap();
    assert_eq!(ok.call(&mut store, ()).unwrap(), 7);
}

/// Fuel metering in compiled code: loops run out of fuel, finished calls are charged about
/// what the interpreter charges, and fuel flows through calls into the interpreter and host.
#[test]
fn fuel_is_metered_like_the_interpreter() {
    let wat = r#"(module
      (import "host" "f" (func $f (param i32) (result i32)))
      (func (export "spin") (loop (br 0)))
      (func (export "count") (param i32) (result i32) (local i32)
        (block (loop
          (br_if 1 (i32.eqz (local.get 0)))
          (local.set 1 (i32.add (local.get 1) (call $f (local.get 0))))
          (local.set 0 (i32.sub (local.get 0) (i32.const 1)))
          (br 0)))
        (local.get 1)))"#;
    let mut charged = Vec::new();
    for tier in [Tier::Interp, Tier::Jit] {
        let mut config = Config::new();
        config.tier(tier).consume_fuel(true);
        let engine = Engine::new(&config).unwrap();
        let module = Module::new(&engine, wat).unwrap();
        let mut store = Store::new(&engine, ());
        let f = wasmtier::Func::wrap(&mut store, |x: i32| x * 2);
        let inst = Instance::new(&mut store, &module, &[f.into()]).unwrap();
        store.set_fuel(10_000).unwrap();
        let count = inst.get_typed_func::<i32, i32>(&store, "count").unwrap();
        assert_eq!(count.call(&mut store, 100).unwrap(), 10100, "{tier}");
        charged.push(10_000 - store.get_fuel().unwrap());
        store.set_fuel(100_000).unwrap();
        let spin = inst.get_typed_func::<(), ()>(&store, "spin").unwrap();
        let err = spin.call(&mut store, ()).unwrap_err();
        assert_eq!(err.to_string(), "all fuel consumed", "{tier}");
        assert_eq!(store.get_fuel().unwrap(), 0, "{tier}");
        store.set_fuel(10).unwrap();
        assert_eq!(
            count.call(&mut store, 100).unwrap_err().to_string(),
            "all fuel consumed"
        );
    }
    // Same order of magnitude (the interpreter charges fused bytecode, the JIT wasm ops).
    let (interp, jit) = (charged[0] as f64, charged[1] as f64);
    assert!(
        jit > interp / 3.0 && jit < interp * 3.0,
        "interp {interp}, jit {jit}"
    );
}

/// Traps on several threads while other modules are compiled and freed concurrently.
#[test]
fn concurrent_traps_and_code_churn() {
    let threads: Vec<_> = (0..4)
        .map(|t| {
            std::thread::spawn(move || {
                let mut config = Config::new();
                config.tier(Tier::Jit).jit_bounds_checks(t % 2 == 1);
                for _ in 0..50 {
                    assert_eq!(
                        run(&config, "load_oob", &[Val::I32(-1)]).unwrap_err(),
                        "out of bounds memory access"
                    );
                    assert_eq!(
                        run(&config, "div_zero", &[]).unwrap_err(),
                        "integer divide by zero"
                    );
                }
            })
        })
        .collect();
    for t in threads {
        t.join().unwrap();
    }
}
