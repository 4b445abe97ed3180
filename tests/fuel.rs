//! Fuel metering and interruption, in every tier this build has: runaway guests stop with
//! "all fuel consumed" or "interrupted"; finite ones finish.

use wasmtier::{Config, Engine, Error, Linker, Module, Store, Tier, TrapCode};

const LOOPS: &str = r#"(module
    (func (export "forever") (loop $l (br $l)))
    (func (export "count") (param $n i32) (result i32) (local $i i32)
      (block $done (loop $next
        (br_if $done (i32.ge_s (local.get $i) (local.get $n)))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $next)))
      (local.get $i))
    ;; Without interruption checks in counted loops (JIT), the loops around or inside them
    ;; still check.
    (func (export "forever_around_counted") (local $i i32)
      (loop $forever
        (local.set $i (i32.const 0))
        (loop $counted
          (br_if $counted (i32.ne (local.tee $i (i32.add (local.get $i) (i32.const 1)))
                                  (i32.const 16))))
        (br $forever)))
    (func (export "forever_inside_counted") (local $i i32)
      (loop $counted
        (loop $forever (br $forever))
        (br_if $counted (i32.ne (local.tee $i (i32.add (local.get $i) (i32.const 1)))
                                (i32.const 16)))))
    ;; Back edges the interpreter fuses: a `br_table` entry (which jumps to the loop
    ;; header), and a `local.tee` increment tested by `br_if` (about 2^32 iterations).
    (func (export "forever_br_table") (param $i i32)
      (loop $l (br_table $l $l (local.get $i))))
    (func (export "forever_counting") (local $n i32)
      (local.set $n (i32.const 1))
      (loop $l (br_if $l (local.tee $n (i32.add (local.get $n) (i32.const 1))))))
    ;; No loops, no calls: the JIT checks for interruption on entry from the runtime.
    (func (export "leaf") (result i32) (i32.const 7)))"#;

/// A store with `LOOPS` instantiated, per tier: the interpreter, the JIT, and `auto` with
/// every function compiled before its first call (threshold 1, synchronous).
fn setups(fuel: bool) -> Vec<(&'static str, Store<()>, wasmtier::Instance)> {
    let tiers = [
        ("interp", Tier::Interp),
        ("jit", Tier::Jit),
        ("auto", Tier::Auto),
    ];
    tiers
        .into_iter()
        .filter_map(|(label, tier)| {
            let mut config = Config::new();
            config
                .tier(tier)
                .consume_fuel(fuel)
                .tier_threshold(1)
                .synchronous_compilation(true);
            let engine = Engine::new(&config).ok()?;
            let module = Module::new(&engine, LOOPS).unwrap();
            let mut store = Store::new(&engine, ());
            let instance = Linker::new(&engine)
                .instantiate(&mut store, &module)
                .unwrap();
            Some((label, store, instance))
        })
        .collect()
}

#[test]
fn infinite_loop_runs_out_of_fuel() {
    for (tier, mut store, instance) in setups(true) {
        store.set_fuel(100_000).unwrap();
        let forever = instance
            .get_typed_func::<(), ()>(&store, "forever")
            .unwrap();
        let err = forever.call(&mut store, ()).unwrap_err();
        let trap = err.as_trap().expect("a trap");
        assert_eq!(trap.code(), Some(TrapCode::OutOfFuel), "tier {tier}");
        assert_eq!(trap.to_string(), "all fuel consumed");
        assert_eq!(store.get_fuel().unwrap(), 0, "tier {tier}");

        for entry in [0, 1, 5] {
            store.set_fuel(100_000).unwrap();
            let forever = instance
                .get_typed_func::<i32, ()>(&store, "forever_br_table")
                .unwrap();
            let err = forever.call(&mut store, entry).unwrap_err();
            let code = err.as_trap().and_then(|t| t.code());
            assert_eq!(
                code,
                Some(TrapCode::OutOfFuel),
                "tier {tier}, entry {entry}"
            );
        }
        store.set_fuel(100_000).unwrap();
        let counting = instance
            .get_typed_func::<(), ()>(&store, "forever_counting")
            .unwrap();
        let err = counting.call(&mut store, ()).unwrap_err();
        let code = err.as_trap().and_then(|t| t.code());
        assert_eq!(code, Some(TrapCode::OutOfFuel), "tier {tier}");
    }
}

#[test]
fn enough_fuel_lets_a_call_finish_and_is_charged() {
    for (tier, mut store, instance) in setups(true) {
        store.set_fuel(1_000_000).unwrap();
        let count = instance
            .get_typed_func::<i32, i32>(&store, "count")
            .unwrap();
        assert_eq!(count.call(&mut store, 1000).unwrap(), 1000);
        let left = store.get_fuel().unwrap();
        // Each iteration is 9 wasm operators; the JIT charges each, the interpreter charges
        // its bytecode instructions (fused ops stand for several operators, about 3 per
        // iteration here) in batches of at most 256.
        assert!(
            left < 1_000_000 - 2000 && left > 1_000_000 - 10_000,
            "tier {tier}: fuel left: {left}"
        );
        // Refuelling after exhaustion makes the same call work again.
        store.set_fuel(10).unwrap();
        assert!(count.call(&mut store, 1000).is_err(), "tier {tier}");
        store.set_fuel(1_000_000).unwrap();
        assert_eq!(count.call(&mut store, 10).unwrap(), 10);
    }
}

#[test]
fn fuel_calls_need_fuel_enabled() {
    for (_, mut store, instance) in setups(false) {
        assert!(matches!(store.set_fuel(5), Err(Error::Usage(_))));
        assert!(store.get_fuel().is_err());
        let count = instance
            .get_typed_func::<i32, i32>(&store, "count")
            .unwrap();
        assert_eq!(count.call(&mut store, 100).unwrap(), 100);
    }
}

#[test]
fn interrupt_handle_stops_an_infinite_loop_promptly() {
    for name in [
        "forever",
        "forever_around_counted",
        "forever_inside_counted",
        "forever_counting",
    ] {
        for (tier, store, instance) in setups(false) {
            interrupt_stops_forever(tier, store, instance, name);
        }
    }
}

#[test]
fn an_interrupt_requested_before_a_call_stops_it() {
    for (tier, mut store, instance) in setups(false) {
        let leaf = instance.get_typed_func::<(), i32>(&store, "leaf").unwrap();
        store.interrupt_handle().interrupt();
        let err = leaf.call(&mut store, ()).unwrap_err();
        assert_eq!(
            err.as_trap().and_then(|t| t.code()),
            Some(TrapCode::Interrupted),
            "tier {tier}"
        );
        assert_eq!(leaf.call(&mut store, ()).unwrap(), 7, "tier {tier}");
    }
}

fn interrupt_stops_forever(
    tier: &str,
    mut store: Store<()>,
    instance: wasmtier::Instance,
    name: &str,
) {
    let forever = instance.get_typed_func::<(), ()>(&store, name).unwrap();
    let handle = store.interrupt_handle();
    let requested = std::sync::Arc::new(std::sync::Mutex::new(None));
    let requested_at = requested.clone();
    let interrupter = std::thread::spawn(move || {
        std::thread::sleep(std::time::Duration::from_millis(50));
        *requested_at.lock().unwrap() = Some(std::time::Instant::now());
        handle.interrupt();
    });
    let err = forever.call(&mut store, ()).unwrap_err();
    let stopped = std::time::Instant::now();
    interrupter.join().unwrap();
    let requested = requested.lock().unwrap().expect("interrupt was requested");
    assert_eq!(
        err.as_trap().and_then(|t| t.code()),
        Some(TrapCode::Interrupted)
    );
    // Generous bound: the check runs every few hundred instructions.
    assert!(
        stopped - requested < std::time::Duration::from_millis(100),
        "tier {tier}, {name}: stopped {:?} after the request",
        stopped - requested
    );
    // The flag is consumed: the store works again.
    let count = instance
        .get_typed_func::<i32, i32>(&store, "count")
        .unwrap();
    assert_eq!(count.call(&mut store, 5).unwrap(), 5);
}
