//! Tail calls (`return_call`, `return_call_indirect`, Wasm 3.0).
//!
//! The first section checks the interpreter: chains of 10^7 tail calls run in constant stack,
//! fuel and interruption stop a tail-call loop, tail calls to host functions and to other
//! instances return to the right caller, and the feature can be switched off. The section
//! "JIT and across tiers" checks the compiled tier and the boundary between the tiers:
//! unbounded chains of tail calls run in constant stack (a chain of 10^7 calls would overflow
//! any stack otherwise, which the runtime reports as a "call stack exhausted" trap), fuel and
//! interruption stop tail-call loops, and traps in tail-called functions keep their codes.

// ---- interpreter ---------------------------------------------------------------------------

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

// ---- JIT and across tiers -------------------------------------------------------------------

#[cfg(feature = "jit")]
mod jit_and_across_tiers {
    use wasmtier::{Config, Engine, FuncTier, Instance, Module, Store, Tier, TrapCode};

    /// Calls of the long chains: deep enough that one host or native frame per call would
    /// exhaust any stack (10^7 frames of even 16 bytes are 160 MB).
    const CHAIN: i64 = 10_000_000;

    /// Mutual recursion through `return_call` (`even`/`odd`) and through
    /// `return_call_indirect` (`even_i`/`odd_i`, via the table), counting the calls in `acc`;
    /// chains where the argument count changes at every call, so that one side passes
    /// arguments on the stack and the other does not (`narrow`/`wide`); multiple results
    /// (`swap`); loops that never end (`spin`, `spin_i`); and traps (`trap_*`).
    const WAT: &str = r#"(module
      (type $t (func (param i64 i64) (result i64)))
      (type $v (func))
      (table 8 funcref)
      (elem (i32.const 0) $even_i $odd_i $spin_i $odd)
      (func $even (export "even") (param $n i64) (param $acc i64) (result i64)
        (if (result i64) (i64.eqz (local.get $n))
          (then (local.get $acc))
          (else (return_call $odd (i64.sub (local.get $n) (i64.const 1))
                                  (i64.add (local.get $acc) (i64.const 1))))))
      (func $odd (export "odd") (param $n i64) (param $acc i64) (result i64)
        (if (result i64) (i64.eqz (local.get $n))
          (then (local.get $acc))
          (else (return_call $even (i64.sub (local.get $n) (i64.const 1))
                                   (i64.add (local.get $acc) (i64.const 1))))))
      (func $even_i (export "even_i") (param $n i64) (param $acc i64) (result i64)
        (if (result i64) (i64.eqz (local.get $n))
          (then (local.get $acc))
          (else (return_call_indirect (type $t)
                  (i64.sub (local.get $n) (i64.const 1))
                  (i64.add (local.get $acc) (i64.const 1))
                  (i32.const 1)))))
      (func $odd_i (export "odd_i") (param $n i64) (param $acc i64) (result i64)
        (if (result i64) (i64.eqz (local.get $n))
          (then (local.get $acc))
          (else (return_call_indirect (type $t)
                  (i64.sub (local.get $n) (i64.const 1))
                  (i64.add (local.get $acc) (i64.const 1))
                  (i32.const 0)))))
      (func $narrow (export "narrow") (param $n i64) (param $acc i64) (result i64)
        (if (result i64) (i64.eqz (local.get $n))
          (then (local.get $acc))
          (else (return_call $wide (local.get $n) (local.get $acc)
                  (i64.const 1) (i64.const 0) (i64.const 0) (i64.const 0)
                  (i64.const 0) (i64.const 0) (i64.const 0) (i64.const 2)
                  (f64.const 0.5) (f64.const 1.5)))))
      (func $wide (param $n i64) (param $acc i64)
          (param i64 i64 i64 i64 i64 i64 i64 i64) (param f64 f64) (result i64)
        (return_call $narrow (i64.sub (local.get $n) (i64.const 1))
          (i64.add (local.get $acc)
            (i64.add (i64.add (local.get 2) (local.get 9))
                     (i64.trunc_f64_s (f64.add (local.get 10) (local.get 11)))))))
      (func $swap (export "swap") (param $n i32) (param $a i64) (param $b f64) (result f64 i64)
        (if (result f64 i64) (i32.eqz (local.get $n))
          (then (f64.convert_i64_s (local.get $a)) (i64.trunc_f64_s (local.get $b)))
          (else (return_call $swap (i32.sub (local.get $n) (i32.const 1))
                  (i64.trunc_f64_s (local.get $b)) (f64.convert_i64_s (local.get $a))))))
      (func $spin (export "spin") (return_call $spin))
      (func $spin_i (export "spin_i") (return_call_indirect (type $v) (i32.const 2)))
      (func $div (param i32) (result i32) (i32.div_u (i32.const 1) (local.get 0)))
      (func $trap_div (export "trap_div") (param i32) (result i32)
        (return_call $div (local.get 0)))
      (func $trap_mismatch (export "trap_mismatch")
        (return_call_indirect (type $v) (i32.const 3)))
      (func $trap_undefined (export "trap_undefined")
        (return_call_indirect (type $v) (i32.const 9)))
      (func $ping (export "ping") (return_call_indirect (type $v) (i32.const 5)))
      (func $pong (return_call_indirect (type $v) (i32.const 4)))
      (elem (i32.const 4) $ping $pong)
      (type $ii (func (param i32) (result i32)))
      (func $relay (param i32) (result i32)
        (return_call_indirect (type $ii) (local.get 0) (i32.const 6)))
      (func $trap_across (export "trap_across") (param i32) (result i32)
        (return_call $relay (local.get 0)))
      (func $relay_unreachable (result i32) (unreachable))
      (func $trap_across_unreachable (export "trap_across_unreachable") (result i32)
        (return_call $relay_unreachable))
      (elem (i32.const 6) $div))"#;

    /// Function indices in `WAT`, for the JIT filters (checked by `indices_of_wat`).
    const ODD: u32 = 1;
    const ODD_I: u32 = 3;
    const NARROW: u32 = 4;
    const WIDE: u32 = 5;
    const PONG: u32 = 14;
    const RELAY: u32 = 15;
    const RELAY_UNREACHABLE: u32 = 17;

    fn engine(config: &mut Config) -> Engine {
        Engine::new(config).expect("an engine for this tier")
    }

    fn jit() -> Engine {
        engine(Config::new().tier(Tier::Jit))
    }

    /// Tiered execution compiling a function on the spot at its `threshold`-th call.
    fn auto(threshold: u64) -> Engine {
        engine(
            Config::new()
                .tier(Tier::Auto)
                .tier_threshold(threshold)
                .synchronous_compilation(true),
        )
    }

    /// Leaves one side of each mutual recursion to the interpreter: chains alternate
    /// between compiled and interpreted functions at every call.
    fn odd_side_interpreted(_: Option<&str>, index: u32) -> bool {
        ![ODD, ODD_I, WIDE, PONG, RELAY, RELAY_UNREACHABLE].contains(&index)
    }

    /// Leaves `narrow` (instead of `wide`) to the interpreter: the interpreter then hands
    /// back tail calls with arguments on the stack.
    fn narrow_interpreted(_: Option<&str>, index: u32) -> bool {
        index != NARROW
    }

    /// `Tier::Jit` with the functions `filter` rejects left to the interpreter.
    fn jit_without(filter: fn(Option<&str>, u32) -> bool) -> Engine {
        engine(Config::new().tier(Tier::Jit).jit_filter(filter))
    }

    /// `auto(threshold)` where the functions `filter` rejects are never compiled.
    fn auto_without(threshold: u64, filter: fn(Option<&str>, u32) -> bool) -> Engine {
        engine(
            Config::new()
                .tier(Tier::Auto)
                .tier_threshold(threshold)
                .synchronous_compilation(true)
                .jit_filter(filter),
        )
    }

    fn instantiate(engine: &Engine) -> (Store<()>, Module, Instance) {
        let module = Module::new(engine, WAT).unwrap();
        let mut store = Store::new(engine, ());
        let instance = Instance::new(&mut store, &module, &[]).unwrap();
        (store, module, instance)
    }

    fn tier_of(module: &Module, name: &str) -> FuncTier {
        let index = module.find_func(name).unwrap();
        let stats = module.tier_stats();
        let f = stats.funcs.iter().find(|f| f.index == index).unwrap();
        f.tier.clone()
    }

    fn call2(store: &mut Store<()>, instance: &Instance, name: &str, n: i64) -> i64 {
        let f = instance
            .get_typed_func::<(i64, i64), i64>(&*store, name)
            .unwrap();
        f.call(store, (n, 0))
            .unwrap_or_else(|e| panic!("{name}({n}): {e}"))
    }

    /// Under `Tier::Jit` every function of the module has machine code: the JIT does not
    /// leave functions with tail calls to the interpreter.
    #[test]
    fn jit_compiles_every_function_with_tail_calls() {
        let (_, module, _) = instantiate(&jit());
        let stats = module.tier_stats();
        let failed: Vec<_> = stats.failed().collect();
        assert!(failed.is_empty(), "left to the interpreter: {failed:?}");
        assert_eq!(stats.promoted(), stats.funcs.len());
    }

    #[test]
    fn jit_long_chains_run_in_constant_stack() {
        let (mut store, _, instance) = instantiate(&jit());
        for name in ["even", "odd", "even_i", "odd_i"] {
            assert_eq!(call2(&mut store, &instance, name, CHAIN), CHAIN, "{name}");
        }
        // Each round trip narrow -> wide -> narrow adds 1 + 2 + 2.
        assert_eq!(
            call2(&mut store, &instance, "narrow", CHAIN),
            CHAIN * 5,
            "narrow"
        );
        let swap = instance
            .get_typed_func::<(i32, i64, f64), (f64, i64)>(&store, "swap")
            .unwrap();
        assert_eq!(
            swap.call(&mut store, (1_000_001, 7, 9.0)).unwrap(),
            (9.0, 7)
        );
        assert_eq!(
            swap.call(&mut store, (1_000_000, 7, 9.0)).unwrap(),
            (7.0, 9)
        );
    }

    /// Promotion happens in the middle of the chain: the first calls run interpreted, then
    /// each function is compiled at its 1000th call and the chain goes on in machine code.
    #[test]
    fn auto_promotes_in_the_middle_of_long_chains() {
        for names in [["even", "odd"], ["even_i", "odd_i"]] {
            let (mut store, module, instance) = instantiate(&auto(1000));
            assert_eq!(call2(&mut store, &instance, names[0], CHAIN), CHAIN);
            for name in names {
                assert_eq!(tier_of(&module, name), FuncTier::Compiled, "{name}");
            }
        }
        let (mut store, module, instance) = instantiate(&auto(1000));
        assert_eq!(call2(&mut store, &instance, "narrow", CHAIN), CHAIN * 5);
        assert_eq!(tier_of(&module, "narrow"), FuncTier::Compiled);
        assert_eq!(tier_of(&module, "wide"), FuncTier::Compiled);
    }

    fn fuel_engine(tier: Tier) -> Engine {
        engine(
            Config::new()
                .tier(tier)
                .consume_fuel(true)
                .tier_threshold(10)
                .synchronous_compilation(true),
        )
    }

    #[test]
    fn tail_call_loops_run_out_of_fuel() {
        for tier in [Tier::Jit, Tier::Auto] {
            let (mut store, _, instance) = instantiate(&fuel_engine(tier));
            for name in ["spin", "spin_i"] {
                store.set_fuel(1_000_000).unwrap();
                let spin = instance.get_typed_func::<(), ()>(&store, name).unwrap();
                let err = spin.call(&mut store, ()).unwrap_err();
                let code = err.as_trap().and_then(|t| t.code());
                assert_eq!(code, Some(TrapCode::OutOfFuel), "{tier} {name}");
                assert_eq!(store.get_fuel().unwrap(), 0, "{tier} {name}");
            }
        }
    }

    #[test]
    fn tail_call_loops_are_interrupted() {
        for (tier, engine) in [("jit", jit()), ("auto", auto(10))] {
            let (mut store, _, instance) = instantiate(&engine);
            for name in ["spin", "spin_i"] {
                let spin = instance.get_typed_func::<(), ()>(&store, name).unwrap();
                let handle = store.interrupt_handle();
                let interrupter = std::thread::spawn(move || {
                    std::thread::sleep(std::time::Duration::from_millis(50));
                    handle.interrupt();
                });
                let err = spin.call(&mut store, ()).unwrap_err();
                interrupter.join().unwrap();
                let code = err.as_trap().and_then(|t| t.code());
                assert_eq!(code, Some(TrapCode::Interrupted), "{tier} {name}");
            }
            // The request was consumed: the store runs wasm again.
            assert_eq!(call2(&mut store, &instance, "even", 10), 10, "{tier}");
        }
    }

    #[test]
    fn traps_in_tail_called_functions_keep_their_codes() {
        for (tier, engine) in [("jit", jit()), ("auto", auto(1))] {
            let (mut store, _, instance) = instantiate(&engine);
            let div = instance
                .get_typed_func::<i32, i32>(&store, "trap_div")
                .unwrap();
            assert_eq!(div.call(&mut store, 1).unwrap(), 1, "{tier}");
            let err = div.call(&mut store, 0).unwrap_err();
            let trap = err.as_trap().expect("a trap");
            assert_eq!(trap.code(), Some(TrapCode::IntegerDivideByZero), "{tier}");
            // The caller's frame was replaced by the callee's.
            let names: Vec<_> = trap
                .backtrace()
                .iter()
                .map(|f| f.func_name.as_deref())
                .collect();
            assert_eq!(names.first(), Some(&Some("div")), "{tier}: {names:?}");
            assert!(!names.contains(&Some("trap_div")), "{tier}: {names:?}");

            let cases = [
                ("trap_mismatch", TrapCode::IndirectCallTypeMismatch),
                ("trap_undefined", TrapCode::UndefinedElement),
            ];
            for (name, expected) in cases {
                let f = instance.get_typed_func::<(), ()>(&store, name).unwrap();
                let err = f.call(&mut store, ()).unwrap_err();
                let code = err.as_trap().and_then(|t| t.code());
                assert_eq!(code, Some(expected), "{tier} {name}");
            }
        }
    }

    #[test]
    fn indices_of_wat() {
        let (_, module, _) = instantiate(&jit());
        for (index, name) in [
            (ODD, "odd"),
            (ODD_I, "odd_i"),
            (NARROW, "narrow"),
            (WIDE, "wide"),
            (PONG, "pong"),
            (RELAY, "relay"),
            (RELAY_UNREACHABLE, "relay_unreachable"),
        ] {
            assert_eq!(module.func_name(index), Some(name));
        }
    }

    /// Compiled functions and interpreted ones tail-call each other 10^7 times: every
    /// crossing from compiled code into the interpreter goes through a host call, and every
    /// crossing back is handed back to it and made as a native tail call, so that neither
    /// native nor host stack grows (nested interpreter entries alone are limited to a few
    /// hundred).
    #[test]
    fn jit_chains_crossing_into_the_interpreter_run_in_constant_stack() {
        let (mut store, module, instance) = instantiate(&jit_without(odd_side_interpreted));
        assert_eq!(tier_of(&module, "even_i"), FuncTier::Compiled);
        assert_eq!(tier_of(&module, "odd_i"), FuncTier::Interpreted);
        for name in ["even", "odd", "even_i", "odd_i"] {
            assert_eq!(call2(&mut store, &instance, name, CHAIN), CHAIN, "{name}");
        }
        assert_eq!(call2(&mut store, &instance, "narrow", CHAIN), CHAIN * 5);
        let (mut store, _, instance) = instantiate(&jit_without(narrow_interpreted));
        assert_eq!(call2(&mut store, &instance, "narrow", CHAIN), CHAIN * 5);
    }

    /// Under `auto`, promotion happens in the middle of chains whose other side never gets
    /// compiled: from then on they cross tiers at every call, in both directions (direct
    /// tail calls reach the promoted function through its interpreted entry, which hands
    /// the call over to its machine code).
    #[test]
    fn auto_chains_crossing_tiers_run_in_constant_stack() {
        let (mut store, module, instance) = instantiate(&auto_without(1000, odd_side_interpreted));
        for name in ["even", "even_i", "odd", "odd_i"] {
            assert_eq!(call2(&mut store, &instance, name, CHAIN), CHAIN, "{name}");
        }
        assert_eq!(call2(&mut store, &instance, "narrow", CHAIN), CHAIN * 5);
        assert_eq!(tier_of(&module, "even"), FuncTier::Compiled);
        assert_eq!(tier_of(&module, "even_i"), FuncTier::Compiled);
        assert_eq!(tier_of(&module, "narrow"), FuncTier::Compiled);
        assert!(matches!(tier_of(&module, "odd_i"), FuncTier::Failed(_)));

        let (mut store, module, instance) = instantiate(&auto_without(1000, narrow_interpreted));
        assert_eq!(call2(&mut store, &instance, "narrow", CHAIN), CHAIN * 5);
        assert_eq!(tier_of(&module, "wide"), FuncTier::Compiled);
    }

    /// A tail-call loop crossing tiers at every call stops for fuel and for interruption.
    #[test]
    fn tail_call_loops_crossing_tiers_stop() {
        let fuel = |tier| {
            engine(
                Config::new()
                    .tier(tier)
                    .consume_fuel(true)
                    .tier_threshold(10)
                    .synchronous_compilation(true)
                    .jit_filter(odd_side_interpreted),
            )
        };
        for tier in [Tier::Jit, Tier::Auto] {
            let (mut store, module, instance) = instantiate(&fuel(tier));
            store.set_fuel(1_000_000).unwrap();
            let ping = instance.get_typed_func::<(), ()>(&store, "ping").unwrap();
            let err = ping.call(&mut store, ()).unwrap_err();
            let code = err.as_trap().and_then(|t| t.code());
            assert_eq!(code, Some(TrapCode::OutOfFuel), "{tier}");
            assert_eq!(tier_of(&module, "ping"), FuncTier::Compiled, "{tier}");
        }
        let engines = [
            jit_without(odd_side_interpreted),
            auto_without(10, odd_side_interpreted),
        ];
        for engine in engines {
            let (mut store, _, instance) = instantiate(&engine);
            let ping = instance.get_typed_func::<(), ()>(&store, "ping").unwrap();
            let handle = store.interrupt_handle();
            let interrupter = std::thread::spawn(move || {
                std::thread::sleep(std::time::Duration::from_millis(50));
                handle.interrupt();
            });
            let err = ping.call(&mut store, ()).unwrap_err();
            interrupter.join().unwrap();
            let code = err.as_trap().and_then(|t| t.code());
            assert_eq!(code, Some(TrapCode::Interrupted));
            assert_eq!(call2(&mut store, &instance, "even_i", 1000), 1000);
        }
    }

    /// An activation moved to machine code at a hot loop (on-stack replacement) whose
    /// function then makes a tail call: the entry's signature is no wasm function's, so it
    /// calls and returns instead; the chain the call starts is still flat.
    #[test]
    fn osr_entries_end_with_tail_calls() {
        const LOOP_THEN_TAIL: &str = r#"(module
          (func $even (param $n i64) (param $acc i64) (result i64)
            (if (result i64) (i64.eqz (local.get $n))
              (then (local.get $acc))
              (else (return_call $odd (i64.sub (local.get $n) (i64.const 1))
                                      (i64.add (local.get $acc) (i64.const 1))))))
          (func $odd (param $n i64) (param $acc i64) (result i64)
            (if (result i64) (i64.eqz (local.get $n))
              (then (local.get $acc))
              (else (return_call $even (i64.sub (local.get $n) (i64.const 1))
                                       (i64.add (local.get $acc) (i64.const 1))))))
          (func (export "spin_then_chain") (param $n i64) (result i64) (local $i i32)
            (loop $l
              (local.set $i (i32.add (local.get $i) (i32.const 1)))
              (br_if $l (i32.lt_u (local.get $i) (i32.const 100000))))
            (return_call $even (local.get $n) (i64.const 0))))"#;
        let engine = auto(2);
        let module = Module::new(&engine, LOOP_THEN_TAIL).unwrap();
        let mut store = Store::new(&engine, ());
        let instance = Instance::new(&mut store, &module, &[]).unwrap();
        let f = instance
            .get_typed_func::<i64, i64>(&store, "spin_then_chain")
            .unwrap();
        assert_eq!(f.call(&mut store, CHAIN).unwrap(), CHAIN);
        assert!(
            module.tier_stats().osr_entries() > 0,
            "no on-stack replacement"
        );
    }

    /// As `auto_chains_crossing_tiers_run_in_constant_stack`, with compilation in the
    /// background (promotion whenever it is done) and on a thread with a small stack
    /// (1 MiB): the crossings use the same host stack over and over.
    #[test]
    fn background_promotion_in_chains_crossing_tiers_on_a_small_stack() {
        let engine = engine(
            Config::new()
                .tier(Tier::Auto)
                .tier_threshold(100)
                .jit_filter(odd_side_interpreted),
        );
        let (mut store, module, instance) = instantiate(&engine);
        std::thread::scope(|scope| {
            std::thread::Builder::new()
                .stack_size(1 << 20)
                .spawn_scoped(scope, || {
                    for name in ["even_i", "odd", "narrow"] {
                        let expected = if name == "narrow" { CHAIN * 5 } else { CHAIN };
                        let got = call2(&mut store, &instance, name, CHAIN);
                        assert_eq!(got, expected, "{name}");
                    }
                })
                .unwrap()
                .join()
                .unwrap();
        });
        assert!(module.wait_for_compilations(std::time::Duration::from_secs(60)));
        assert_eq!(tier_of(&module, "even_i"), FuncTier::Compiled);
    }

    /// Traps at the end of chains that cross tiers keep their codes: in compiled code
    /// reached by a tail call the interpreter handed back, and in the interpreter reached
    /// from compiled code.
    #[test]
    fn traps_after_crossing_tiers_keep_their_codes() {
        let engines = [
            ("jit", jit_without(odd_side_interpreted)),
            ("auto", auto_without(1, odd_side_interpreted)),
        ];
        for (tier, engine) in engines {
            let (mut store, module, instance) = instantiate(&engine);
            let across = instance
                .get_typed_func::<i32, i32>(&store, "trap_across")
                .unwrap();
            assert_eq!(across.call(&mut store, 1).unwrap(), 1, "{tier}");
            let err = across.call(&mut store, 0).unwrap_err();
            let code = err.as_trap().and_then(|t| t.code());
            assert_eq!(code, Some(TrapCode::IntegerDivideByZero), "{tier}");
            let f = instance
                .get_typed_func::<(), i32>(&store, "trap_across_unreachable")
                .unwrap();
            let err = f.call(&mut store, ()).unwrap_err();
            let code = err.as_trap().and_then(|t| t.code());
            assert_eq!(code, Some(TrapCode::Unreachable), "{tier}");
            assert_eq!(
                tier_of(&module, "trap_across"),
                FuncTier::Compiled,
                "{tier}"
            );
            assert_eq!(tier_of(&module, "div"), FuncTier::Compiled, "{tier}");
            // The store still runs chains across tiers after the traps.
            assert_eq!(call2(&mut store, &instance, "even_i", 1001), 1001, "{tier}");
        }
    }
}
