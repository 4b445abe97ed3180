//! The store boundary: handles carry their store's identity, so every misuse of a handle or
//! value with another store is refused (an error where the method returns a `Result`, a
//! panic otherwise, as in wasmtime) instead of silently naming the other store's entity of
//! the same index. That entity could have another type, which the tiers would then run
//! with the wrong number of arguments. Each test runs in every tier.
//!
//! That embedders cannot reach a store's internals at all (no `opaque_mut`, no
//! constructible context) is checked by the `compile_fail` examples on `StoreContextMut`.

use std::panic::{AssertUnwindSafe, catch_unwind};

use wasmtier::{
    Config, Engine, Error, Extern, Func, FuncType, Global, GlobalType, Instance, Linker, Memory,
    MemoryType, Module, RefType, Store, Table, TableType, Tier, Val, ValType,
};

fn engines() -> Vec<(&'static str, Engine)> {
    #[allow(unused_mut)]
    let mut tiers = vec![("interp", Tier::Interp)];
    #[cfg(feature = "jit")]
    tiers.extend([("jit", Tier::Jit), ("auto", Tier::Auto)]);
    tiers
        .into_iter()
        .map(|(name, tier)| {
            let mut config = Config::new();
            config.tier(tier);
            if tier == Tier::Auto {
                config.tier_threshold(2).synchronous_compilation(true);
            }
            (name, Engine::new(&config).unwrap())
        })
        .collect()
}

/// Two exports whose function index is 0 in their stores but whose types differ.
const TWO_TYPES: &str = r#"(module
    (func (export "one") (param i64 i64 i64) (result i64)
        (i64.add (local.get 0) (i64.add (local.get 1) (local.get 2))))
    (func (export "two") (result i32) (i32.const 7))
    (table (export "table") 2 funcref)
    (func (export "call0") (result i32) (call_indirect (result i32) (i32.const 0)))
    (memory (export "memory") 1)
    (global (export "g") (mut i32) (i32.const 1)))"#;

fn instance(engine: &Engine, wat: &str) -> (Store<()>, Instance) {
    let module = Module::new(engine, wat).unwrap();
    let mut store = Store::new(engine, ());
    let instance = Linker::new(engine)
        .instantiate(&mut store, &module)
        .unwrap();
    (store, instance)
}

fn assert_wrong_store(result: Result<impl std::fmt::Debug, Error>) {
    match result {
        Err(Error::Usage(message)) => assert!(
            message.contains("object used with the wrong store"),
            "{message}"
        ),
        other => panic!("expected a wrong-store error, got {other:?}"),
    }
}

fn assert_panics_wrong_store(f: impl FnOnce()) {
    let payload = catch_unwind(AssertUnwindSafe(f)).expect_err("expected a panic");
    let message = payload
        .downcast_ref::<String>()
        .cloned()
        .or_else(|| payload.downcast_ref::<&str>().map(|s| s.to_string()))
        .unwrap_or_default();
    assert!(
        message.contains("object used with the wrong store"),
        "{message}"
    );
}

#[test]
fn calling_a_function_of_another_store_fails() {
    for (tier, engine) in engines() {
        let (mut a, inst_a) = instance(&engine, TWO_TYPES);
        let (mut b, inst_b) = instance(&engine, TWO_TYPES);
        let one = inst_a.get_func(&a, "one").unwrap();
        let typed = one.typed::<(i64, i64, i64), i64>(&a).unwrap();
        assert_eq!(typed.call(&mut a, (1, 2, 3)).unwrap(), 6, "{tier}");
        assert_wrong_store(typed.call(&mut b, (1, 2, 3)));
        let mut out = [Val::I64(0)];
        assert_wrong_store(one.call(&mut b, &[Val::I64(1), Val::I64(2), Val::I64(3)], &mut out));
        assert_wrong_store(one.typed::<(i64, i64, i64), i64>(&b));
        assert_panics_wrong_store(|| {
            one.ty(&b);
        });
        // Store b is still intact.
        let two = inst_b.get_typed_func::<(), i32>(&b, "two").unwrap();
        assert_eq!(two.call(&mut b, ()).unwrap(), 7, "{tier}");
    }
}

#[test]
fn references_to_another_store_are_refused_as_values() {
    for (tier, engine) in engines() {
        let (mut a, inst_a) = instance(&engine, TWO_TYPES);
        let (mut b, inst_b) = instance(&engine, TWO_TYPES);
        // `one` (3 parameters) has the index that `two` (none) has in store b: without
        // store ids, b's call_indirect would run it with no arguments.
        let one_of_a = inst_a.get_func(&a, "one").unwrap();
        let table_b = inst_b.get_table(&b, "table").unwrap();
        assert_wrong_store(table_b.set(&mut b, 0, Val::FuncRef(Some(one_of_a))));
        assert_wrong_store(table_b.grow(&mut b, 1, Val::FuncRef(Some(one_of_a))));
        assert_wrong_store(Table::new(
            &mut b,
            TableType::new(RefType::FUNCREF, 1, None),
            Val::FuncRef(Some(one_of_a)),
        ));
        let call0 = inst_b.get_typed_func::<(), i32>(&b, "call0").unwrap();
        let err = call0.call(&mut b, ()).unwrap_err();
        assert!(
            err.to_string().contains("uninitialized element"),
            "{tier}: {err}"
        );

        // A function reference as an argument or a host result.
        let takes_ref = Module::new(
            &engine,
            r#"(module (func (export "f") (param funcref) (result i32)
                (ref.is_null (local.get 0))))"#,
        )
        .unwrap();
        let inst = Linker::new(&engine)
            .instantiate(&mut b, &takes_ref)
            .unwrap();
        let f = inst.get_func(&b, "f").unwrap();
        let mut out = [Val::I32(0)];
        assert_wrong_store(f.call(&mut b, &[Val::FuncRef(Some(one_of_a))], &mut out));
        let host = Func::new(
            &mut b,
            FuncType::new(vec![], vec![ValType::FUNCREF]),
            move |_, _, results| {
                results[0] = Val::FuncRef(Some(one_of_a));
                Ok(())
            },
        );
        let err = host.call(&mut b, &[], &mut out[..]).unwrap_err();
        assert!(err.to_string().contains("wrong store"), "{tier}: {err}");

        // Globals.
        assert_wrong_store(Global::new(
            &mut b,
            GlobalType {
                content: ValType::FUNCREF,
                mutable: true,
            },
            Val::FuncRef(Some(one_of_a)),
        ));
        let _ = &mut a;
    }
}

#[test]
fn imports_from_another_store_are_refused() {
    for (tier, engine) in engines() {
        let (a, inst_a) = instance(&engine, TWO_TYPES);
        let mut b = Store::new(&engine, ());
        let importer = Module::new(
            &engine,
            r#"(module (import "a" "memory" (memory 1)) (import "a" "two" (func (result i32))))"#,
        )
        .unwrap();
        let memory = inst_a.get_memory(&a, "memory").unwrap();
        let two = inst_a.get_func(&a, "two").unwrap();
        assert_wrong_store(Instance::new(
            &mut b,
            &importer,
            &[Extern::Memory(memory), Extern::Func(two)],
        ));
        let mut linker = Linker::new(&engine);
        assert_wrong_store(linker.define(&b, "a", "memory", memory).map(|_| ()));
        // Defined against the right store, then used to instantiate in another one.
        linker.define(&a, "a", "memory", memory).unwrap();
        linker.define(&a, "a", "two", two).unwrap();
        assert_wrong_store(linker.instantiate(&mut b, &importer));
        let _ = tier;
    }
}

#[test]
fn memory_table_and_global_handles_check_their_store() {
    for (_tier, engine) in engines() {
        let (a, inst_a) = instance(&engine, TWO_TYPES);
        let (mut b, _inst_b) = instance(&engine, TWO_TYPES);
        let memory = inst_a.get_memory(&a, "memory").unwrap();
        let table = inst_a.get_table(&a, "table").unwrap();
        let global = inst_a.get_global(&a, "g").unwrap();
        assert_wrong_store(memory.grow(&mut b, 1));
        assert_wrong_store(memory.write(&mut b, 0, b"x"));
        assert_wrong_store(memory.read(&b, 0, &mut [0u8; 1]));
        assert_panics_wrong_store(|| {
            memory.data(&b);
        });
        assert_panics_wrong_store(|| {
            memory.data_mut(&mut b);
        });
        assert_panics_wrong_store(|| {
            memory.size(&b);
        });
        assert_wrong_store(table.set(&mut b, 0, Val::FuncRef(None)));
        assert_panics_wrong_store(|| {
            table.get(&b, 0);
        });
        assert_wrong_store(global.set(&mut b, Val::I32(5)));
        assert_panics_wrong_store(|| {
            global.get(&b);
        });
        assert_panics_wrong_store(|| {
            inst_a.get_export(&b, "memory");
        });
        let own = Memory::new(&mut b, MemoryType::new(1, None)).unwrap();
        assert_eq!(own.size(&b), 1);
    }
}
