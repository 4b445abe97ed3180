//! Store limits on memory pages and table elements, in every tier this build has: growth
//! beyond them fails the way the spec lets growth fail (-1), and modules that need more than
//! the limit do not instantiate.

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
