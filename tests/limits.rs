//! Store limits on memory pages, table elements and stack, in every tier this build has:
//! growth beyond them fails the way the spec lets growth fail (-1), modules that need more
//! than the limit do not instantiate, and recursion beyond the stack limits traps.

use wasmtier::{
    Config, Engine, Error, Linker, Module, ResourceLimiter, Store, Tier, WASM_PAGE_SIZE,
};

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

/// A limiter that allows memories up to `memory_bytes` and tables up to `elements`, and
/// records every request it saw.
#[derive(Clone, Default)]
struct RecordingLimiter {
    memory_bytes: u64,
    elements: u64,
    seen: std::sync::Arc<std::sync::Mutex<Vec<String>>>,
}

impl ResourceLimiter for RecordingLimiter {
    fn memory_growing(&mut self, current: u64, desired: u64, maximum: Option<u64>) -> bool {
        self.seen
            .lock()
            .unwrap()
            .push(format!("memory {current}->{desired} max {maximum:?}"));
        desired <= self.memory_bytes
    }

    fn table_growing(&mut self, current: u64, desired: u64, maximum: Option<u64>) -> bool {
        self.seen
            .lock()
            .unwrap()
            .push(format!("table {current}->{desired} max {maximum:?}"));
        desired <= self.elements
    }
}

/// The embedder's limiter sees every creation and growth, from wasm and from the host, in
/// every tier, and its refusals fail them as the spec lets growth fail.
#[test]
fn the_resource_limiter_decides_every_growth_in_every_tier() {
    let page = WASM_PAGE_SIZE as u64;
    for (tier, engine) in engines(65536, 10_000_000) {
        let module = Module::new(&engine, GROWER).unwrap();
        let mut store = Store::new(&engine, ());
        let limiter = RecordingLimiter {
            memory_bytes: 3 * page,
            elements: 5,
            ..Default::default()
        };
        store.limiter(limiter.clone());
        let instance = Linker::new(&engine)
            .instantiate(&mut store, &module)
            .unwrap();
        let grow_memory = instance
            .get_typed_func::<i32, i32>(&store, "grow_memory")
            .unwrap();
        let grow_table = instance
            .get_typed_func::<i32, i32>(&store, "grow_table")
            .unwrap();
        assert_eq!(grow_memory.call(&mut store, 2).unwrap(), 1, "{tier}");
        assert_eq!(grow_memory.call(&mut store, 1).unwrap(), -1, "{tier}");
        assert_eq!(grow_table.call(&mut store, 4).unwrap(), 1, "{tier}");
        assert_eq!(grow_table.call(&mut store, 1).unwrap(), -1, "{tier}");
        let memory = instance.get_memory(&store, "memory").unwrap();
        assert!(memory.grow(&mut store, 1).is_err(), "{tier}");
        assert_eq!(memory.size(&store), 3, "{tier}");
        let seen = limiter.seen.lock().unwrap().clone();
        assert_eq!(
            seen,
            [
                "table 0->1 max None".to_string(),
                format!("memory 0->{page} max None"),
                format!("memory {page}->{} max None", 3 * page),
                format!("memory {}->{} max None", 3 * page, 4 * page),
                "table 1->5 max None".to_string(),
                "table 5->6 max None".to_string(),
                format!("memory {}->{} max None", 3 * page, 4 * page),
            ],
            "{tier}"
        );
        // A refused creation fails instantiation cleanly.
        let mut store = Store::new(&engine, ());
        store.limiter(RecordingLimiter::default());
        let err = Linker::new(&engine)
            .instantiate(&mut store, &module)
            .unwrap_err();
        assert!(matches!(err, Error::Resource(_)), "{tier}: {err:?}");
    }
}

/// Counts of instances, tables and memories per store, and the elements of all tables
/// together, are limited.
#[test]
fn store_wide_counts_are_limited() {
    for tier in [Tier::Interp, Tier::Jit, Tier::Auto] {
        let mut config = Config::new();
        config
            .tier(tier)
            .max_instances(3)
            .max_tables(4)
            .max_memories(2)
            .max_table_elements_total(1000);
        let Ok(engine) = Engine::new(&config) else {
            continue;
        };
        let instantiate = |store: &mut Store<()>, wat: &str| {
            let module = Module::new(&engine, wat).unwrap();
            Linker::new(&engine).instantiate(store, &module)
        };
        let mut store = Store::new(&engine, ());
        for _ in 0..3 {
            instantiate(&mut store, "(module)").unwrap();
        }
        let err = instantiate(&mut store, "(module)").unwrap_err();
        assert!(err.to_string().contains("instance count"), "{tier}: {err}");

        let mut store = Store::new(&engine, ());
        let err = instantiate(&mut store, "(module (table 1 funcref) (table 1 funcref) (table 1 funcref) (table 1 funcref) (table 1 funcref))").unwrap_err();
        assert!(err.to_string().contains("table count"), "{tier}: {err}");

        let mut store = Store::new(&engine, ());
        instantiate(&mut store, "(module (memory 0))").unwrap();
        instantiate(&mut store, "(module (memory 0))").unwrap();
        let err = instantiate(&mut store, "(module (memory 0))").unwrap_err();
        assert!(err.to_string().contains("memory count"), "{tier}: {err}");

        let mut store = Store::new(&engine, ());
        let err = instantiate(
            &mut store,
            "(module (table 600 funcref) (table 600 funcref))",
        )
        .unwrap_err();
        assert!(err.to_string().contains("1000 elements"), "{tier}: {err}");
        // (The first table of the failed instantiation stays in that store.)
        let mut store = Store::new(&engine, ());
        let instance = instantiate(
            &mut store,
            r#"(module (table 600 funcref)
                 (func (export "grow") (param i32) (result i32)
                   (table.grow (ref.null func) (local.get 0))))"#,
        )
        .unwrap();
        let grow = instance.get_typed_func::<i32, i32>(&store, "grow").unwrap();
        assert_eq!(grow.call(&mut store, 400).unwrap(), 600, "{tier}");
        assert_eq!(grow.call(&mut store, 1).unwrap(), -1, "{tier}");
    }
}

/// Declared table elements cost address space, not memory, until they are written: 50
/// tables of 10 million null elements (4 GB if filled) instantiate without committing it.
#[test]
fn declared_table_elements_cost_no_memory_until_written() {
    let tables = "(table 10000000 funcref)".repeat(50);
    let wat = format!(r#"(module {tables} (func (export "f") (result i32) (table.size 49)))"#);
    for tier in [Tier::Interp, Tier::Jit, Tier::Auto] {
        let mut config = Config::new();
        config.tier(tier).max_table_elements_total(1_000_000_000);
        let Ok(engine) = Engine::new(&config) else {
            continue;
        };
        let module = Module::new(&engine, &wat).unwrap();
        let before = resident_bytes();
        let mut store = Store::new(&engine, ());
        let instance = Linker::new(&engine)
            .instantiate(&mut store, &module)
            .unwrap();
        let f = instance.get_typed_func::<(), i32>(&store, "f").unwrap();
        assert_eq!(f.call(&mut store, ()).unwrap(), 10_000_000, "{tier}");
        let grown = resident_bytes().saturating_sub(before);
        // Other tests run in this process at the same time; eager tables would add 4 GB.
        assert!(
            grown < 500 << 20,
            "{tier}: resident memory grew by {grown} bytes"
        );
    }
}

/// This process's resident memory, from /proc/self/statm.
fn resident_bytes() -> u64 {
    let statm = std::fs::read_to_string("/proc/self/statm").unwrap();
    let pages: u64 = statm.split_whitespace().nth(1).unwrap().parse().unwrap();
    pages * 4096
}
