//! Extended constant expressions (Wasm 3.0): a data segment offset, an element segment offset
//! and global initializers computed from an imported global, in every tier; and
//! `Config::wasm_extended_const(false)` rejecting them as Wasm 2.0 does.

use wasmtier::{
    Config, Engine, Error, Global, GlobalType, Instance, Linker, Module, Store, Tier, Val, ValType,
};

const MODULE: &str = r#"(module
    (import "env" "base" (global $base i32))
    (import "env" "big" (global $big i64))
    (memory (export "memory") 1)
    (data (i32.add (global.get $base) (i32.const 16)) "hello")
    (global (export "end") i32
        (i32.add (i32.add (global.get $base) (i32.const 16)) (i32.const 5)))
    (global (export "wide") i64 (i64.mul (global.get $big) (i64.const 3)))
    (global (export "last") i32
        (i32.sub (i32.add (global.get $base) (i32.const 21)) (i32.const 1)))
    (table 4 funcref)
    (elem (i32.sub (global.get $base) (i32.mul (global.get $base) (i32.const 1))) func $seven)
    (func $seven (result i32) (i32.const 7))
    (func (export "first") (result i32)
        (i32.load8_u (i32.add (global.get $base) (i32.const 16))))
    (func (export "call0") (result i32) (call_indirect (result i32) (i32.const 0))))"#;

fn configs() -> Vec<(&'static str, Config)> {
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
            (name, config)
        })
        .collect()
}

fn instantiate(engine: &Engine, base: i32, big: i64) -> wasmtier::Result<(Store<()>, Instance)> {
    let module = Module::new(engine, MODULE)?;
    let mut store = Store::new(engine, ());
    let immutable = |content| GlobalType {
        content,
        mutable: false,
    };
    let base = Global::new(&mut store, immutable(ValType::I32), Val::I32(base))?;
    let big = Global::new(&mut store, immutable(ValType::I64), Val::I64(big))?;
    let mut linker = Linker::new(engine);
    linker.define(&store, "env", "base", base)?;
    linker.define(&store, "env", "big", big)?;
    let instance = linker.instantiate(&mut store, &module)?;
    Ok((store, instance))
}

fn global(store: &Store<()>, instance: &Instance, name: &str) -> Val {
    instance.get_global(store, name).unwrap().get(store)
}

#[test]
fn offsets_and_initializers_computed_from_an_imported_global() {
    for (tier, config) in configs() {
        let engine = Engine::new(&config).unwrap();
        let (mut store, instance) = instantiate(&engine, 0x100, i64::MAX).unwrap();
        let memory = instance.get_memory(&store, "memory").unwrap();
        assert_eq!(&memory.data(&store)[0x110..0x115], b"hello", "{tier}");
        assert!(
            memory.data(&store)[..0x110].iter().all(|b| *b == 0),
            "{tier}"
        );
        let first = instance.get_typed_func::<(), i32>(&store, "first").unwrap();
        // Called a few times, so that `auto` runs it compiled too.
        for _ in 0..3 {
            assert_eq!(
                first.call(&mut store, ()).unwrap(),
                i32::from(b'h'),
                "{tier}"
            );
        }
        let call0 = instance.get_typed_func::<(), i32>(&store, "call0").unwrap();
        for _ in 0..3 {
            assert_eq!(call0.call(&mut store, ()).unwrap(), 7, "{tier}");
        }
        assert_eq!(global(&store, &instance, "end"), Val::I32(0x115), "{tier}");
        assert_eq!(global(&store, &instance, "last"), Val::I32(0x114), "{tier}");
        // i64.mul wraps.
        assert_eq!(
            global(&store, &instance, "wide"),
            Val::I64(i64::MAX.wrapping_mul(3)),
            "{tier}"
        );
    }
}

#[test]
fn offset_arithmetic_wraps() {
    for (tier, config) in configs() {
        let engine = Engine::new(&config).unwrap();
        // -16 + 16 wraps to offset 0.
        let (mut store, instance) = instantiate(&engine, -16, 1).unwrap();
        let memory = instance.get_memory(&store, "memory").unwrap();
        assert_eq!(&memory.data(&store)[..5], b"hello", "{tier}");
        assert_eq!(global(&store, &instance, "end"), Val::I32(5), "{tier}");
        assert_eq!(global(&store, &instance, "wide"), Val::I64(3), "{tier}");
        let first = instance.get_typed_func::<(), i32>(&store, "first").unwrap();
        assert_eq!(
            first.call(&mut store, ()).unwrap(),
            i32::from(b'h'),
            "{tier}"
        );
    }
}

#[test]
fn out_of_bounds_computed_offset_traps() {
    for (tier, config) in configs() {
        let engine = Engine::new(&config).unwrap();
        // 65520 + 16 = 65536: the five bytes do not fit in one page.
        match instantiate(&engine, 65520, 0) {
            Err(Error::Trap(trap)) => {
                assert!(trap.to_string().contains("out of bounds"), "{tier}: {trap}")
            }
            Err(other) => panic!("{tier}: expected a trap, got {other}"),
            Ok(_) => panic!("{tier}: expected a trap, instantiation succeeded"),
        }
    }
}

#[test]
fn switched_off_extended_const_is_invalid() {
    for (tier, mut config) in configs() {
        config.wasm_extended_const(false);
        let engine = Engine::new(&config).unwrap();
        match Module::new(&engine, MODULE) {
            Err(Error::Invalid(message)) => assert!(
                message.contains("constant expression required"),
                "{tier}: {message}"
            ),
            Err(other) => panic!("{tier}: expected Error::Invalid, got {other}"),
            Ok(_) => panic!("{tier}: the module was accepted"),
        }
        assert!(matches!(
            Module::validate(&engine, MODULE),
            Err(Error::Invalid(_))
        ));
        // Single-instruction constant expressions stay valid.
        Module::new(
            &engine,
            r#"(module (import "env" "base" (global $base i32)) (memory 1)
                (global i32 (global.get $base)) (data (global.get $base) "x"))"#,
        )
        .unwrap_or_else(|e| panic!("{tier}: {e}"));
        // And the default is on.
        config.wasm_extended_const(true);
        Module::new(&Engine::new(&config).unwrap(), MODULE)
            .unwrap_or_else(|e| panic!("{tier}: {e}"));
    }
    assert!(Module::new(&Engine::default(), MODULE).is_ok());
}
