//! Tiered execution (`Tier::Auto`): functions start interpreted and are promoted to machine
//! code once hot; results, traps, host calls and limits behave as in the other tiers while
//! interpreted and compiled frames mix on the stack.
#![cfg(feature = "jit")]

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use wasmtier::{Caller, Config, Engine, FuncTier, Instance, Linker, Module, Store, Tier, Trap};

fn auto(threshold: u64, synchronous: bool) -> Engine {
    let mut config = Config::new();
    config
        .tier(Tier::Auto)
        .tier_threshold(threshold)
        .synchronous_compilation(synchronous);
    Engine::new(&config).unwrap()
}

fn interp() -> Engine {
    Engine::new(Config::new().tier(Tier::Interp)).unwrap()
}

fn instance(engine: &Engine, wat: &str) -> (Store<()>, Module, Instance) {
    let module = Module::new(engine, wat).unwrap();
    let mut store = Store::new(engine, ());
    let inst = Instance::new(&mut store, &module, &[]).unwrap();
    (store, module, inst)
}

fn tier_of(module: &Module, name: &str) -> FuncTier {
    let index = module.find_func(name).unwrap();
    let stats = module.tier_stats();
    stats
        .funcs
        .iter()
        .find(|f| f.index == index)
        .unwrap()
        .tier
        .clone()
}

const FIB: &str = r#"(module
  (func $fib (export "fib") (param i32) (result i32)
    (if (result i32) (i32.lt_u (local.get 0) (i32.const 2))
      (then (local.get 0))
      (else (i32.add (call $fib (i32.sub (local.get 0) (i32.const 1)))
                     (call $fib (i32.sub (local.get 0) (i32.const 2))))))))"#;

#[test]
fn recursion_gives_the_same_results_at_every_threshold() {
    for threshold in [1, 2, 3, 10, 100] {
        let (mut store, module, inst) = instance(&auto(threshold, true), FIB);
        let fib = inst.get_typed_func::<i32, i32>(&store, "fib").unwrap();
        for n in [0, 1, 2, 5, 20, 25] {
            let expected = [0, 1, 1, 5, 6765, 75025]
                [[0, 1, 2, 5, 20, 25].iter().position(|&m| m == n).unwrap()];
            assert_eq!(
                fib.call(&mut store, n).unwrap(),
                expected,
                "threshold {threshold}"
            );
        }
        assert_eq!(
            tier_of(&module, "fib"),
            FuncTier::Compiled,
            "threshold {threshold}"
        );
    }
}

#[test]
fn synchronous_promotion_happens_exactly_at_the_threshold() {
    let wat = r#"(module (func (export "inc") (param i32) (result i32)
        (i32.add (local.get 0) (i32.const 1))))"#;
    let (mut store, module, inst) = instance(&auto(3, true), wat);
    let inc = inst.get_typed_func::<i32, i32>(&store, "inc").unwrap();
    for i in 0..2 {
        assert_eq!(inc.call(&mut store, i).unwrap(), i + 1);
        assert_eq!(tier_of(&module, "inc"), FuncTier::Interpreted, "call {i}");
    }
    assert_eq!(inc.call(&mut store, 41).unwrap(), 42);
    assert_eq!(tier_of(&module, "inc"), FuncTier::Compiled);
    assert_eq!(inc.call(&mut store, 1).unwrap(), 2);
}

/// A long-running export whose helper gets hot while it runs: the background compilation
/// finishes mid-run, and a host probe called on every iteration sees the helper's entry
/// switch to machine code before the loop ends. The result is the interpreter's.
#[test]
fn promotion_happens_mid_run_without_changing_the_result() {
    let wat = r#"(module
      (import "host" "probe" (func $probe (param i32)))
      (func $work (param i32) (result i32)
        (i32.xor (i32.mul (local.get 0) (i32.const 2654435761)) (i32.shr_u (local.get 0) (i32.const 7))))
      (func (export "run") (param $n i32) (result i32) (local $i i32) (local $acc i32)
        (loop $next
          (local.set $acc (i32.add (local.get $acc) (call $work (local.get $i))))
          (call $probe (local.get $i))
          (local.set $i (i32.add (local.get $i) (i32.const 1)))
          (br_if $next (i32.lt_u (local.get $i) (local.get $n))))
        (local.get $acc)))"#;
    const N: i32 = 300_000;
    const WAIT_AT: i32 = 5_000;
    let expected = {
        let engine = interp();
        let module = Module::new(&engine, wat).unwrap();
        let mut store = Store::new(&engine, ());
        let mut linker = Linker::new(&engine);
        linker.func_wrap("host", "probe", |_: i32| {}).unwrap();
        let inst = linker.instantiate(&mut store, &module).unwrap();
        let run = inst.get_typed_func::<i32, i32>(&store, "run").unwrap();
        run.call(&mut store, N).unwrap()
    };

    let engine = auto(100, false);
    let module = Module::new(&engine, wat).unwrap();
    let switched_at: Arc<Mutex<Option<i32>>> = Arc::default();
    let mut store = Store::new(&engine, ());
    let mut linker = Linker::new(&engine);
    {
        let module = module.clone();
        let switched_at = switched_at.clone();
        let work = module.find_func("1").unwrap();
        linker
            .func_wrap("host", "probe", move |i: i32| {
                // Well past the threshold, give the background compiler time to finish
                // (a loaded machine may not have run it yet); the run then goes on.
                if i == WAIT_AT {
                    assert!(module.wait_for_compilations(Duration::from_secs(60)));
                }
                let mut at = switched_at.lock().unwrap();
                if at.is_none()
                    && module
                        .tier_stats()
                        .funcs
                        .iter()
                        .any(|f| f.index == work && f.tier == FuncTier::Compiled)
                {
                    *at = Some(i);
                }
            })
            .unwrap();
    }
    let inst = linker.instantiate(&mut store, &module).unwrap();
    let run = inst.get_typed_func::<i32, i32>(&store, "run").unwrap();
    assert_eq!(run.call(&mut store, N).unwrap(), expected);
    let at = switched_at
        .lock()
        .unwrap()
        .expect("the helper was promoted during the run");
    // Call 100 (iteration 99) is the first that can queue the compilation.
    assert!((99..=WAIT_AT).contains(&at), "switched at iteration {at}");
    // The long-running export itself was entered once: only its loop made it hot, and it
    // was compiled for its next call.
    assert!(module.wait_for_compilations(Duration::from_secs(30)));
    assert_eq!(tier_of(&module, "run"), FuncTier::Compiled);
    assert_eq!(run.call(&mut store, N).unwrap(), expected);
}

#[test]
fn call_counts_cover_compiled_calls_when_counting_is_on() {
    let mut config = Config::new();
    config
        .tier(Tier::Auto)
        .tier_threshold(5)
        .synchronous_compilation(true)
        .count_calls(true);
    let (mut store, module, inst) = instance(&Engine::new(&config).unwrap(), FIB);
    let fib = inst.get_typed_func::<i32, i32>(&store, "fib").unwrap();
    assert_eq!(fib.call(&mut store, 20).unwrap(), 6765);
    let stats = module.tier_stats();
    // fib(20) makes 21891 calls, whichever tier runs them.
    assert_eq!(stats.funcs[0].calls, 21891);
    assert_eq!(stats.promoted(), 1);
    assert_eq!(stats.interpreted_only(), 0);
    assert_eq!(stats.top_by_calls(3)[0].calls, 21891);
}

#[test]
fn traps_cross_mixed_frames_with_a_full_backtrace() {
    // `outer` stays interpreted (called once); `mid` and `inner` are promoted on their second
    // call, so the trap happens in compiled code below an interpreted frame.
    let wat = r#"(module
      (func $inner (param i32) (result i32) (i32.div_u (i32.const 100) (local.get 0)))
      (func $mid (param i32) (result i32) (call $inner (local.get 0)))
      (func (export "outer") (param i32) (result i32)
        (drop (call $mid (i32.const 5)))
        (drop (call $mid (i32.const 4)))
        (call $mid (local.get 0))))"#;
    let (mut store, module, inst) = instance(&auto(2, true), wat);
    let outer = inst.get_typed_func::<i32, i32>(&store, "outer").unwrap();
    let err = outer.call(&mut store, 0).unwrap_err();
    let trap = err.as_trap().expect("a trap");
    assert_eq!(trap.to_string(), "integer divide by zero");
    let names: Vec<_> = trap
        .backtrace()
        .iter()
        .map(|f| f.func_name.clone().unwrap_or(f.func_index.to_string()))
        .collect();
    assert_eq!(names, ["inner", "mid", "2"]);
    assert_eq!(tier_of(&module, "inner"), FuncTier::Compiled);
    assert_eq!(tier_of(&module, "mid"), FuncTier::Compiled);
    // The store is still usable, and the promoted functions still work.
    assert_eq!(outer.call(&mut store, 2).unwrap(), 50);
}

#[test]
fn host_functions_reenter_promoted_code() {
    let wat = r#"(module
      (import "host" "twice" (func $twice (param i32) (result i32)))
      (func $sq (export "sq") (param i32) (result i32) (i32.mul (local.get 0) (local.get 0)))
      ;; calls the host, which calls `sq` back
      (func (export "go") (param i32) (result i32)
        (i32.add (call $sq (local.get 0)) (call $twice (local.get 0)))))"#;
    let engine = auto(2, true);
    let module = Module::new(&engine, wat).unwrap();
    let mut store = Store::new(&engine, ());
    let mut linker = Linker::new(&engine);
    linker
        .func_wrap(
            "host",
            "twice",
            |mut caller: Caller<'_, ()>, x: i32| -> Result<i32, Trap> {
                let sq = caller.get_export("sq").unwrap().into_func().unwrap();
                let sq = sq.typed::<i32, i32>(&caller).unwrap();
                let y = sq
                    .call(&mut caller, x)
                    .map_err(|e| Trap::host(e.to_string()))?;
                Ok(2 * y)
            },
        )
        .unwrap();
    let inst = linker.instantiate(&mut store, &module).unwrap();
    let go = inst.get_typed_func::<i32, i32>(&store, "go").unwrap();
    for x in 0..10 {
        assert_eq!(go.call(&mut store, x).unwrap(), 3 * x * x);
    }
    assert_eq!(tier_of(&module, "sq"), FuncTier::Compiled);
    assert_eq!(tier_of(&module, "go"), FuncTier::Compiled);
}

#[test]
fn call_indirect_reaches_promoted_functions() {
    let wat = r#"(module
      (type $t (func (param i32) (result i32)))
      (table 3 funcref)
      (elem (i32.const 0) $a $b $c)
      (func $a (param i32) (result i32) (i32.add (local.get 0) (i32.const 1)))
      (func $b (param i32) (result i32) (i32.mul (local.get 0) (i32.const 3)))
      (func $c (param i32) (result i32) (i32.sub (local.get 0) (i32.const 7)))
      (func (export "run") (param $n i32) (result i32) (local $i i32) (local $acc i32)
        (loop $next
          (local.set $acc
            (call_indirect (type $t) (local.get $acc) (i32.rem_u (local.get $i) (i32.const 3))))
          (local.set $i (i32.add (local.get $i) (i32.const 1)))
          (br_if $next (i32.lt_u (local.get $i) (local.get $n))))
        (local.get $acc)))"#;
    let expected = {
        let (mut store, _, inst) = instance(&interp(), wat);
        let run = inst.get_typed_func::<i32, i32>(&store, "run").unwrap();
        run.call(&mut store, 1000).unwrap()
    };
    let (mut store, module, inst) = instance(&auto(2, true), wat);
    let run = inst.get_typed_func::<i32, i32>(&store, "run").unwrap();
    assert_eq!(run.call(&mut store, 1000).unwrap(), expected);
    assert_eq!(run.call(&mut store, 1000).unwrap(), expected);
    assert_eq!(module.tier_stats().promoted(), 4);
}

#[test]
fn unbounded_recursion_across_tiers_is_stack_exhaustion() {
    // `down` is promoted; `up` is left out of the JIT and stays interpreted, so every
    // recursion step crosses tiers.
    let wat = r#"(module $m
      (func $up (param i32) (result i32) (call $down (i32.add (local.get 0) (i32.const 1))))
      (func $down (export "down") (param i32) (result i32) (call $up (local.get 0))))"#;
    let mut config = Config::new();
    config
        .tier(Tier::Auto)
        .tier_threshold(2)
        .synchronous_compilation(true)
        .jit_filter(|_, index| index == 1);
    let (mut store, module, inst) = instance(&Engine::new(&config).unwrap(), wat);
    let down = inst.get_typed_func::<i32, i32>(&store, "down").unwrap();
    let err = down.call(&mut store, 0).unwrap_err();
    let trap = err.as_trap().expect("a trap");
    assert_eq!(trap.to_string(), "call stack exhausted");
    assert_eq!(tier_of(&module, "down"), FuncTier::Compiled);
    assert!(matches!(tier_of(&module, "up"), FuncTier::Failed(r) if r.contains("filter")));
}

#[test]
fn functions_the_jit_leaves_out_keep_running_interpreted() {
    let mut config = Config::new();
    config
        .tier(Tier::Auto)
        .tier_threshold(1)
        .synchronous_compilation(true)
        .jit_filter(|_, _| false);
    let (mut store, module, inst) = instance(&Engine::new(&config).unwrap(), FIB);
    let fib = inst.get_typed_func::<i32, i32>(&store, "fib").unwrap();
    assert_eq!(fib.call(&mut store, 15).unwrap(), 610);
    let stats = module.tier_stats();
    assert_eq!(stats.promoted(), 0);
    assert_eq!(stats.failed().count(), 1);
    assert_eq!(stats.interpreted_only(), 1);
}

#[test]
fn promoted_code_is_shared_by_stores_of_the_module() {
    let engine = auto(2, true);
    let module = Module::new(&engine, FIB).unwrap();
    let mut results = Vec::new();
    for _ in 0..3 {
        let mut store = Store::new(&engine, ());
        let inst = Instance::new(&mut store, &module, &[]).unwrap();
        let fib = inst.get_typed_func::<i32, i32>(&store, "fib").unwrap();
        results.push(fib.call(&mut store, 18).unwrap());
    }
    assert_eq!(results, [2584; 3]);
    assert_eq!(tier_of(&module, "fib"), FuncTier::Compiled);
}

#[test]
fn an_infinite_loop_is_interrupted_in_either_tier() {
    let wat = r#"(module
      (func (export "spin") (loop $l (br $l))))"#;
    // Threshold 1 compiles `spin` before its first call; the highest threshold keeps it
    // interpreted for the whole run.
    for (threshold, expected_tier) in [(1, FuncTier::Compiled), (u64::MAX, FuncTier::Interpreted)] {
        let (mut store, module, inst) = instance(&auto(threshold, true), wat);
        let spin = inst.get_typed_func::<(), ()>(&store, "spin").unwrap();
        let handle = store.interrupt_handle();
        let requested = Arc::new(Mutex::new(None::<Instant>));
        let req = requested.clone();
        let stopper = std::thread::spawn(move || {
            std::thread::sleep(Duration::from_millis(50));
            *req.lock().unwrap() = Some(Instant::now());
            handle.interrupt();
        });
        let err = spin.call(&mut store, ()).unwrap_err();
        let stopped = Instant::now();
        stopper.join().unwrap();
        let trap = err.as_trap().expect("a trap");
        assert_eq!(trap.to_string(), "interrupted");
        let latency = stopped - requested.lock().unwrap().unwrap();
        assert!(
            latency < Duration::from_secs(2),
            "stopped {latency:?} after the request"
        );
        assert_eq!(tier_of(&module, "spin"), expected_tier);
    }
}

#[test]
fn fuel_is_charged_across_tiers() {
    let mut config = Config::new();
    config
        .tier(Tier::Auto)
        .tier_threshold(2)
        .synchronous_compilation(true)
        .consume_fuel(true);
    let (mut store, _, inst) = instance(&Engine::new(&config).unwrap(), FIB);
    let fib = inst.get_typed_func::<i32, i32>(&store, "fib").unwrap();
    store.set_fuel(1_000_000).unwrap();
    assert_eq!(fib.call(&mut store, 15).unwrap(), 610);
    let left = store.get_fuel().unwrap();
    assert!(left < 1_000_000, "fuel was charged");
    store.set_fuel(100).unwrap();
    let err = fib.call(&mut store, 25).unwrap_err();
    assert_eq!(
        err.as_trap().expect("a trap").to_string(),
        "all fuel consumed"
    );
}

#[test]
fn background_promotion_of_many_functions_keeps_results() {
    // Many small functions promoted concurrently with the run, by two compile threads.
    let mut funcs = String::new();
    let mut calls = String::new();
    for i in 0..40 {
        funcs.push_str(&format!(
            "(func $f{i} (param i32) (result i32) (i32.add (i32.mul (local.get 0) (i32.const {})) (i32.const {i})))\n",
            i + 3
        ));
        calls.push_str(&format!(
            "(local.set $acc (i32.xor (local.get $acc) (call $f{i} (local.get $j))))\n"
        ));
    }
    let wat = format!(
        r#"(module {funcs}
          (func (export "run") (param $n i32) (result i32) (local $j i32) (local $acc i32)
            (loop $next {calls}
              (local.set $j (i32.add (local.get $j) (i32.const 1)))
              (br_if $next (i32.lt_u (local.get $j) (local.get $n))))
            (local.get $acc)))"#
    );
    let expected = {
        let (mut store, _, inst) = instance(&interp(), &wat);
        let run = inst.get_typed_func::<i32, i32>(&store, "run").unwrap();
        run.call(&mut store, 20_000).unwrap()
    };
    let mut config = Config::new();
    config
        .tier(Tier::Auto)
        .tier_threshold(10)
        .compile_threads(2);
    let engine = Engine::new(&config).unwrap();
    let (mut store, module, inst) = instance(&engine, &wat);
    let run = inst.get_typed_func::<i32, i32>(&store, "run").unwrap();
    for _ in 0..3 {
        assert_eq!(run.call(&mut store, 20_000).unwrap(), expected);
    }
    assert!(module.wait_for_compilations(Duration::from_secs(60)));
    assert_eq!(module.tier_stats().promoted(), 41);
    assert_eq!(run.call(&mut store, 20_000).unwrap(), expected);
}

#[test]
fn auto_without_hot_code_compiles_nothing() {
    let (mut store, module, inst) = instance(&auto(1000, false), FIB);
    let fib = inst.get_typed_func::<i32, i32>(&store, "fib").unwrap();
    assert_eq!(fib.call(&mut store, 10).unwrap(), 55);
    let stats = module.tier_stats();
    assert_eq!(stats.funcs[0].calls, 177);
    assert_eq!(stats.promoted(), 0);
    assert_eq!(stats.interpreted_only(), 1);
    assert_eq!(stats.compile_time(), Duration::ZERO);
}

/// Runs export `name` with `arg` in the interpreter, for expected results.
fn interp_result(wat: &str, name: &str, arg: i32) -> Result<i64, String> {
    let (mut store, _, inst) = instance(&interp(), wat);
    let f = inst.get_typed_func::<i32, i64>(&store, name).unwrap();
    f.call(&mut store, arg).map_err(|e| e.to_string())
}

/// One call, one long loop: the activation moves to machine code at the loop header and
/// finishes there, with every kind of local carried over.
const LONG_LOOP: &str = r#"(module
  (func $outer (export "run") (param $n i32) (result i64)
    (local $i i32) (local $a i64) (local $x f32) (local $y f64) (local $r funcref)
    (local.set $x (f32.const 1.5))
    (local.set $y (f64.const -2.25))
    (block $out (result i64)
      (loop $next
        (local.set $a (i64.add (local.get $a)
          (i64.extend_i32_u (i32.mul (local.get $i) (i32.const 7)))))
        (local.set $x (f32.add (local.get $x) (f32.const 0.5)))
        (local.set $y (f64.mul (local.get $y) (f64.const -1)))
        (if (i32.eq (local.get $i) (i32.const 9999))
          (then (drop (i32.div_u (i32.const 1) (i32.sub (local.get $n) (i32.const 123456))))))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br_if $next (i32.lt_u (local.get $i) (local.get $n))))
      (i64.add (local.get $a)
        (i64.add (i64.trunc_f32_s (local.get $x))
          (i64.add (i64.trunc_f64_s (local.get $y))
            (i64.extend_i32_u (ref.is_null (local.get $r)))))))))"#;

#[test]
fn a_long_loop_moves_to_machine_code_while_it_runs() {
    for synchronous in [true, false] {
        let (mut store, module, inst) = instance(&auto(2, synchronous), LONG_LOOP);
        let run = inst.get_typed_func::<i32, i64>(&store, "run").unwrap();
        for n in [10, 1000, 300_000] {
            let expected = interp_result(LONG_LOOP, "run", n).unwrap();
            assert_eq!(run.call(&mut store, n).unwrap(), expected, "n = {n}");
        }
        let stats = module.tier_stats();
        if synchronous {
            // Threshold 2: 8 iterations make the loop hot; the first call with n = 1000
            // moves to machine code (the n = 10 call was the function's first entry).
            assert!(stats.funcs[0].osr_entries >= 1, "{stats:?}");
        }
    }
}

#[test]
fn a_trap_after_on_stack_replacement_reports_the_function() {
    let (mut store, module, inst) = instance(&auto(2, true), LONG_LOOP);
    let run = inst.get_typed_func::<i32, i64>(&store, "run").unwrap();
    let err = run.call(&mut store, 123456).unwrap_err();
    assert_eq!(
        interp_result(LONG_LOOP, "run", 123456).unwrap_err(),
        "integer divide by zero"
    );
    let trap = err.as_trap().expect("a trap");
    assert_eq!(trap.to_string(), "integer divide by zero");
    let names: Vec<_> = trap
        .backtrace()
        .iter()
        .map(|f| f.func_name.clone().unwrap_or_default())
        .collect();
    assert_eq!(names, ["outer"]);
    assert_eq!(module.tier_stats().osr_entries(), 1);
}

#[test]
fn loops_with_operands_below_them_stay_interpreted_and_correct() {
    // The inner loop runs with a value of the enclosing expression on the operand stack;
    // the outer loop has none. Both get hot in the same (single) call.
    let wat = r#"(module
      (func (export "run") (param $n i32) (result i64) (local $i i32) (local $j i32) (local $acc i64)
        (loop $outer
          (local.set $acc (i64.add (local.get $acc)
            (i64.extend_i32_u
              (i32.add (i32.const 3)
                (block $b (result i32)
                  (local.set $j (i32.const 0))
                  (loop $inner (result i32)
                    (local.set $j (i32.add (local.get $j) (i32.const 1)))
                    (br_if $inner (i32.lt_u (local.get $j) (i32.const 50)))
                    (local.get $j)))))))
          (local.set $i (i32.add (local.get $i) (i32.const 1)))
          (br_if $outer (i32.lt_u (local.get $i) (local.get $n))))
        (local.get $acc)))"#;
    let expected = interp_result(wat, "run", 5000).unwrap();
    let (mut store, module, inst) = instance(&auto(2, true), wat);
    let run = inst.get_typed_func::<i32, i64>(&store, "run").unwrap();
    assert_eq!(run.call(&mut store, 5000).unwrap(), expected);
    // Only the outer loop (empty operand stack at its header) can take the activation over.
    assert_eq!(module.tier_stats().osr_entries(), 1);
}

#[test]
fn stores_on_several_threads_share_a_module_while_it_tiers_up() {
    for synchronous in [false, true] {
        let engine = auto(10, synchronous);
        let module = Module::new(&engine, FIB).unwrap();
        let threads: Vec<_> = (0..4)
            .map(|_| {
                let (engine, module) = (engine.clone(), module.clone());
                std::thread::spawn(move || {
                    let mut store = Store::new(&engine, ());
                    let inst = Instance::new(&mut store, &module, &[]).unwrap();
                    let fib = inst.get_typed_func::<i32, i32>(&store, "fib").unwrap();
                    (0..20)
                        .map(|n| fib.call(&mut store, n).unwrap())
                        .collect::<Vec<_>>()
                })
            })
            .collect();
        for t in threads {
            let results = t.join().unwrap();
            assert_eq!(results[19], 4181);
            assert_eq!(results[10], 55);
        }
        assert!(module.wait_for_compilations(Duration::from_secs(30)));
        assert_eq!(tier_of(&module, "fib"), FuncTier::Compiled);
    }
}

/// Under `Tier::Jit`, `tier_stats` tells compiled functions from those the JIT left to the
/// interpreter (here a body over the JIT's size limit), which still run.
#[test]
fn jit_tier_stats_show_functions_left_to_the_interpreter() {
    let big_body = "nop ".repeat(300_000);
    let wat = format!(
        r#"(module
          (func (export "small") (result i32) (i32.const 1))
          (func (export "big") (result i32) {big_body} (i32.const 2)))"#
    );
    let engine = Engine::new(Config::new().tier(Tier::Jit)).unwrap();
    let (mut store, module, inst) = instance(&engine, &wat);
    assert_eq!(tier_of(&module, "small"), FuncTier::Compiled);
    let big = tier_of(&module, "big");
    assert!(
        matches!(&big, FuncTier::Failed(reason) if reason.contains("limit")),
        "{big:?}"
    );
    let f = inst.get_typed_func::<(), i32>(&store, "big").unwrap();
    assert_eq!(f.call(&mut store, ()).unwrap(), 2);
}
