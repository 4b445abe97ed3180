//! 64-bit memories (Wasm 3.0's memory64) beyond 4 GiB, in every tier: with the store's page
//! limit raised a memory grows past 4 GiB and its last bytes are reachable at i64 addresses
//! (and the first byte past its end traps); with the default limit (4 GiB) growth past it
//! fails. Also the embedding API for 64-bit memories and tables. The spec suite and
//! `tests/wast/memory64.wast` cover the instructions themselves.

use wasmtier::{
    Config, Engine, Instance, Linker, Memory, MemoryType, Module, RefType, Store, Table, TableType,
    TrapCode, Val,
};

mod common;
use common::tiers;

const GIB_PAGES: i64 = 1 << 14;

const BIG: &str = r#"(module
    (memory (export "memory") i64 1)
    (func (export "grow") (param i64) (result i64) (memory.grow (local.get 0)))
    (func (export "size") (result i64) (memory.size))
    (func (export "store") (param i64 i64) (i64.store (local.get 0) (local.get 1)))
    (func (export "load") (param i64) (result i64) (i64.load (local.get 0)))
    (func (export "load_offset") (param i64) (result i64)
      (i64.load offset=0x1_0000_0000 (local.get 0))))"#;

/// A store with one instance of `BIG` under `config`.
fn instantiate_big(config: &Config) -> (Store<()>, Instance) {
    let engine = Engine::new(config).unwrap();
    let module = Module::new(&engine, BIG).unwrap();
    let mut store = Store::new(&engine, ());
    let instance = Linker::new(&engine)
        .instantiate(&mut store, &module)
        .unwrap();
    (store, instance)
}

#[test]
fn memory_grows_past_4_gib_when_the_limit_allows() {
    for (tier, mut config) in tiers() {
        config.max_memory_pages(5 * GIB_PAGES as u64);
        let (mut store, instance) = instantiate_big(&config);
        let grow = instance.get_typed_func::<i64, i64>(&store, "grow").unwrap();
        let store_fn = instance
            .get_typed_func::<(i64, i64), ()>(&store, "store")
            .unwrap();
        let load = instance.get_typed_func::<i64, i64>(&store, "load").unwrap();
        let load_offset = instance
            .get_typed_func::<i64, i64>(&store, "load_offset")
            .unwrap();
        // Past the limit: -1; up to 4.5 GiB: fine.
        assert_eq!(grow.call(&mut store, 5 * GIB_PAGES).unwrap(), -1, "{tier}");
        let pages = 4 * GIB_PAGES + GIB_PAGES / 2;
        assert_eq!(grow.call(&mut store, pages - 1).unwrap(), 1, "{tier}");
        let len = pages * 65536;
        // Several loads and stores, so that `auto` promotes the functions mid-test.
        for round in 0..4 {
            let value = 0x1122_3344_5566_7788 + round;
            store_fn.call(&mut store, (len - 8, value)).unwrap();
            assert_eq!(load.call(&mut store, len - 8).unwrap(), value, "{tier}");
            store_fn.call(&mut store, (1 << 32, value)).unwrap();
            assert_eq!(load_offset.call(&mut store, 0).unwrap(), value, "{tier}");
            let err = load.call(&mut store, len - 7).unwrap_err();
            assert_eq!(
                err.as_trap().and_then(|t| t.code()),
                Some(TrapCode::MemoryOutOfBounds),
                "{tier}"
            );
            let err = load_offset.call(&mut store, len - (1 << 32)).unwrap_err();
            assert_eq!(
                err.as_trap().and_then(|t| t.code()),
                Some(TrapCode::MemoryOutOfBounds),
                "{tier}"
            );
        }
        let memory = instance.get_memory(&store, "memory").unwrap();
        assert_eq!(memory.data(&store).len() as i64, len, "{tier}");
        assert_eq!(memory.data(&store)[(len - 1) as usize], 0x11, "{tier}");
    }
}

#[test]
fn default_limit_is_4_gib() {
    for (tier, config) in tiers() {
        let (mut store, instance) = instantiate_big(&config);
        let grow = instance.get_typed_func::<i64, i64>(&store, "grow").unwrap();
        assert_eq!(grow.call(&mut store, 4 * GIB_PAGES).unwrap(), -1, "{tier}");
        assert_eq!(
            grow.call(&mut store, 4 * GIB_PAGES - 1).unwrap(),
            1,
            "{tier}"
        );
        assert_eq!(grow.call(&mut store, 1).unwrap(), -1, "{tier}");
    }
}

#[test]
fn memory64_can_be_switched_off() {
    let mut config = Config::new();
    config.wasm_memory64(false);
    let engine = Engine::new(&config).unwrap();
    let err = Module::new(&engine, "(module (memory i64 1))").unwrap_err();
    assert!(err.to_string().contains("memory64"), "{err}");
}

#[test]
fn host_created_64_bit_memories_and_tables() {
    for (tier, config) in tiers() {
        let engine = Engine::new(&config).unwrap();
        let mut store = Store::new(&engine, ());
        let memory = Memory::new(&mut store, MemoryType::new64(1, Some(3))).unwrap();
        let table = Table::new(
            &mut store,
            TableType::new64(RefType::FUNCREF, 2, None),
            Val::FuncRef(None),
        )
        .unwrap();
        assert!(memory.ty(&store).memory64);
        assert!(table.ty(&store).table64);
        let module = Module::new(
            &engine,
            r#"(module
                (import "host" "memory" (memory i64 1 3))
                (import "host" "table" (table i64 2 funcref))
                (func (export "grow") (param i64) (result i64) (memory.grow (local.get 0)))
                (func (export "table_size") (result i64) (table.size)))"#,
        )
        .unwrap();
        let mut linker = Linker::new(&engine);
        linker.define(&store, "host", "memory", memory).unwrap();
        linker.define(&store, "host", "table", table).unwrap();
        let instance = linker.instantiate(&mut store, &module).unwrap();
        let grow = instance.get_typed_func::<i64, i64>(&store, "grow").unwrap();
        assert_eq!(grow.call(&mut store, 2).unwrap(), 1, "{tier}");
        assert_eq!(memory.size(&store), 3, "{tier}");
        let size = instance
            .get_typed_func::<(), i64>(&store, "table_size")
            .unwrap();
        assert_eq!(size.call(&mut store, ()).unwrap(), 2, "{tier}");

        // A 32-bit memory does not satisfy a 64-bit import.
        let memory32 = Memory::new(&mut store, MemoryType::new(1, Some(3))).unwrap();
        let mut linker = Linker::new(&engine);
        linker.define(&store, "host", "memory", memory32).unwrap();
        linker.define(&store, "host", "table", table).unwrap();
        assert!(linker.instantiate(&mut store, &module).is_err(), "{tier}");
    }
}
