//! Store limits on memory pages, table elements and stack, in every tier this build has:
//! growth beyond them fails the way the spec lets growth fail (-1), modules that need more
//! than the limit do not instantiate, and recursion beyond the stack limits traps.

use wasmtier::{Config, Engine, Error, Linker, Module, Store, Tier};

/// Engines with the given limits, one per tier that this build has.
fn engines(pages: u64, elements: u64) -> Vec<(Tier, Engine)> {
    [Tier::Interp, Tier::Jit, Tier::Auto]
        .into_iter()
        .filter_map(|tier| {
            let mut config = Config::new();
            config
                .tier(tier)
                .max_memory_pages(pages)
                .max_table_elements(elements);
            Engine::new(&config).ok().map(|engine| (tier, engine))
        })
        .collect()
}

const GROWER: &str = r#"(module
    (memory (export "memory") 1)
    (table 1 funcref)
    (func (export "grow_memory") (param i32) (result i32) (memory.grow (local.get 0)))
    (func (export "grow_table") (param i32) (result i32)
      (table.grow (ref.null func) (local.get 0))))"#;

#[test]
fn growth_stops_at_the_store_limits() {
    for (tier, engine) in engines(4, 10) {
        let module = Module::new(&engine, GROWER).unwrap();
        let mut store = Store::new(&engine, ());
        let instance = Linker::new(&engine)
            .instantiate(&mut store, &module)
            .unwrap();
        let grow_memory = instance
            .get_typed_func::<i32, i32>(&store, "grow_memory")
            .unwrap();
        let grow_table = instance
            .get_typed_func::<i32, i32>(&store, "grow_table")
            .unwrap();
        assert_eq!(grow_memory.call(&mut store, 3).unwrap(), 1, "{tier}");
        assert_eq!(grow_memory.call(&mut store, 1).unwrap(), -1, "{tier}");
        let memory = instance.get_memory(&store, "memory").unwrap();
        assert_eq!(memory.size(&store), 4, "{tier}");
        assert_eq!(grow_table.call(&mut store, 9).unwrap(), 1, "{tier}");
        assert_eq!(grow_table.call(&mut store, 1).unwrap(), -1, "{tier}");
    }
}

#[test]
fn modules_needing_more_than_the_limits_do_not_instantiate() {
    for (tier, engine) in engines(4, 10) {
        for wat in [r#"(module (memory 5))"#, r#"(module (table 11 funcref))"#] {
            let module = Module::new(&engine, wat).unwrap();
            let mut store = Store::new(&engine, ());
            let err = Linker::new(&engine)
                .instantiate(&mut store, &module)
                .unwrap_err();
            assert!(matches!(err, Error::Resource(_)), "{tier} {wat}: {err:?}");
        }
    }
}

/// Recursion stops at the configured depth (interpreted frames) or native stack budget
/// (compiled frames) with "call stack exhausted", and works within them.
#[test]
fn recursion_stops_at_the_stack_limits_in_every_tier() {
    let wat = r#"(module
      (func $down (export "down") (param i32) (result i32)
        (if (result i32) (i32.eqz (local.get 0)) (then (i32.const 0))
          (else (i32.add (i32.const 1) (call $down (i32.sub (local.get 0) (i32.const 1))))))))"#;
    for tier in [Tier::Interp, Tier::Jit, Tier::Auto] {
        let mut config = Config::new();
        config
            .tier(tier)
            .max_call_depth(200)
            .max_wasm_stack(64 * 1024)
            // `auto`: compiled from the first call, so the JIT's limit applies.
            .tier_threshold(1)
            .synchronous_compilation(true);
        let Ok(engine) = Engine::new(&config) else {
            continue;
        };
        let module = Module::new(&engine, wat).unwrap();
        let mut store = Store::new(&engine, ());
        let instance = Linker::new(&engine)
            .instantiate(&mut store, &module)
            .unwrap();
        let down = instance.get_typed_func::<i32, i32>(&store, "down").unwrap();
        assert_eq!(down.call(&mut store, 100).unwrap(), 100, "tier {tier}");
        let err = down.call(&mut store, 1_000_000).unwrap_err();
        let trap = err
            .as_trap()
            .unwrap_or_else(|| panic!("tier {tier}: {err}"));
        assert_eq!(trap.to_string(), "call stack exhausted", "tier {tier}");
        // The store stays usable.
        assert_eq!(down.call(&mut store, 10).unwrap(), 10, "tier {tier}");
    }
}
