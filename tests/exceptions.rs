//! Exception handling where it meets the embedding API and the tiers: exceptions thrown in
//! compiled code and caught by interpreted `try_table`s (the JIT leaves functions with a
//! `try_table` to the interpreter), thrown in interpreted code and passing through compiled
//! frames, through host functions in both directions, an uncaught exception reaching the
//! host with its tag and payload, traps that `catch_all` must not catch, and `throw_ref` of
//! a caught exception. (The spec suites cover the operators themselves.)

use wasmtier::{
    Caller, Engine, Error, ExnRef, Extern, FuncTier, Instance, Linker, Module, Store, Tag, Trap,
    TrapCode, TrapKind, Val,
};

mod common;
use common::tiers;

const EXCEPTIONS: &str = r#"(module
  (tag $e (export "e") (param i32))
  (tag $other (export "other") (param i64 f64))
  ;; Calls the instance's export "thrower" from the host, passing its result or failure on.
  (import "host" "call_thrower" (func $call_thrower (param i32) (result i32)))
  ;; Throws tag "e" of the instance from the host.
  (import "host" "raise" (func $raise (param i32) (result i32)))

  ;; No try_table: compiled by the JIT.
  (func $thrower (export "thrower") (param i32) (result i32)
    (if (i32.gt_s (local.get 0) (i32.const 0))
      (then (throw $e (local.get 0))))
    (if (i32.lt_s (local.get 0) (i32.const 0))
      (then (throw $other (i64.const 7) (f64.const 0.5))))
    (local.get 0))
  (func $deep (param i32) (result i32)
    (if (result i32) (i32.eqz (local.get 0))
      (then (throw $e (i32.const 42)))
      (else (i32.add (call $deep (i32.sub (local.get 0) (i32.const 1))) (i32.const 1)))))
  ;; Compiled, between an interpreted catcher and an interpreted thrower.
  (func $mid (param i32) (result i32)
    (i32.add (call $rethrow (local.get 0)) (i32.const 1)))

  ;; The catchers (a try_table each: interpreted in every tier).
  (func (export "catch") (param i32) (result i32)
    (block $h (result i32)
      (try_table (result i32) (catch $e $h)
        (call $thrower (local.get 0)))
      (return))
    (i32.add (i32.const 1000)))
  (func (export "uncaught") (param i32) (result i32)
    (call $thrower (local.get 0)))
  (func (export "deep") (param i32) (result i32)
    (block $h (result i32)
      (try_table (result i32) (catch $e $h)
        (call $deep (local.get 0)))
      (return))
    (i32.add (i32.const 1000)))
  (func (export "trap") (result i32)
    (block $h
      (try_table (catch_all $h) (unreachable)))
    (i32.const 1))
  (func (export "div") (param i32) (result i32)
    (block $h
      (try_table (catch_all $h)
        (return (i32.div_s (i32.const 1) (local.get 0)))))
    (i32.const -1))
  ;; Catches any exception and throws it again with throw_ref.
  (func $rethrow (export "rethrow") (param i32) (result i32)
    (block $h (result exnref)
      (try_table (catch_all_ref $h)
        (return (call $thrower (local.get 0))))
      (unreachable))
    (throw_ref))
  (func (export "catch_rethrown") (param i32) (result i32)
    (block $h (result i32 exnref)
      (try_table (result i32) (catch_ref $e $h)
        (call $mid (local.get 0)))
      (return))
    (drop)
    (i32.add (i32.const 2000)))
  (func (export "catch_other") (param i32) (result i64)
    (block $h (result i64 f64)
      (try_table (result i32) (catch $other $h)
        (call $thrower (local.get 0)))
      (return (i64.extend_i32_s)))
    (drop))
  (func (export "via_host") (param i32) (result i32)
    (block $h (result i32)
      (try_table (result i32) (catch $e $h)
        (call $call_thrower (local.get 0)))
      (return))
    (i32.add (i32.const 3000)))
  (func (export "from_host") (param i32) (result i32)
    (block $h (result i32)
      (try_table (result i32) (catch $e $h)
        (call $raise (local.get 0)))
      (return))
    (i32.add (i32.const 4000)))
  ;; Compiled: a host exception passes through it.
  (func (export "from_host_uncaught") (param i32) (result i32)
    (call $raise (local.get 0))))"#;

fn setup(config: &wasmtier::Config) -> (Store<()>, Module, Instance) {
    let engine = Engine::new(config).unwrap();
    let module = Module::new(&engine, EXCEPTIONS).unwrap();
    let mut store = Store::new(&engine, ());
    let mut linker = Linker::new(&engine);
    linker
        .func_wrap(
            "host",
            "call_thrower",
            |mut caller: Caller<'_, ()>, x: i32| -> Result<i32, Trap> {
                let f = caller
                    .get_export("thrower")
                    .and_then(Extern::into_func)
                    .unwrap();
                let mut out = [Val::I32(0)];
                match f.call(&mut caller, &[Val::I32(x)], &mut out) {
                    Ok(()) => Ok(out[0].i32().unwrap()),
                    Err(Error::Trap(trap)) => Err(trap),
                    Err(other) => panic!("unexpected {other}"),
                }
            },
        )
        .unwrap();
    linker
        .func_wrap(
            "host",
            "raise",
            |mut caller: Caller<'_, ()>, x: i32| -> Result<i32, Trap> {
                if x == 0 {
                    return Ok(0);
                }
                let tag = caller.get_export("e").and_then(Extern::into_tag).unwrap();
                let exn = ExnRef::new(&mut caller, tag, &[Val::I32(x)]).unwrap();
                Err(exn.throw(&caller))
            },
        )
        .unwrap();
    let instance = linker.instantiate(&mut store, &module).unwrap();
    (store, module, instance)
}

fn call(
    store: &mut Store<()>,
    inst: &Instance,
    name: &str,
    arg: Option<i32>,
) -> Result<Val, Error> {
    let f = inst.get_func(&*store, name).unwrap();
    let args: Vec<Val> = arg.map(Val::I32).into_iter().collect();
    let mut out = [Val::default_for(f.ty(&*store).results()[0])];
    f.call(&mut *store, &args, &mut out)?;
    Ok(out[0])
}

fn i32_of(store: &mut Store<()>, inst: &Instance, name: &str, arg: i32) -> i32 {
    call(store, inst, name, Some(arg))
        .unwrap_or_else(|e| panic!("{name}({arg}): {e}"))
        .i32()
        .unwrap()
}

/// The trap of a call that must fail.
fn trap_of(result: Result<Val, Error>) -> Trap {
    match result {
        Err(Error::Trap(trap)) => trap,
        other => panic!("expected a trap, got {other:?}"),
    }
}

/// Every scenario runs several times, so that under `auto` (promotion on the second call)
/// both the interpreted and the compiled versions of the functions take part.
const ROUNDS: usize = 4;

#[test]
fn compiled_throw_caught_by_interpreted_try_table() {
    for (tier, config) in tiers() {
        let (mut store, _, inst) = setup(&config);
        for _ in 0..ROUNDS {
            assert_eq!(i32_of(&mut store, &inst, "catch", 0), 0, "{tier}");
            assert_eq!(i32_of(&mut store, &inst, "catch", 5), 1005, "{tier}");
            // 30 compiled frames unwound at once.
            assert_eq!(i32_of(&mut store, &inst, "deep", 30), 1042, "{tier}");
            // Another tag passes the `catch $e` clause by, and reaches the host.
            let trap = trap_of(call(&mut store, &inst, "catch", Some(-1)));
            let exn = ExnRef::from_trap(&store, &trap).expect("an exception");
            let other = inst
                .get_export(&store, "other")
                .unwrap()
                .into_tag()
                .unwrap();
            assert_eq!(exn.tag(&store), other, "{tier}");
            assert_eq!(
                exn.payload(&store),
                vec![Val::I64(7), Val::F64(0.5f64.to_bits())],
                "{tier}"
            );
            assert_eq!(
                call(&mut store, &inst, "catch_other", Some(-1)).unwrap(),
                Val::I64(7)
            );
            assert_eq!(
                call(&mut store, &inst, "catch_other", Some(0)).unwrap(),
                Val::I64(0)
            );
            // `catch $other` does not catch tag $e.
            let trap = trap_of(call(&mut store, &inst, "catch_other", Some(9)));
            assert_eq!(
                ExnRef::from_trap(&store, &trap).unwrap().payload(&store),
                vec![Val::I32(9)],
                "{tier}"
            );
        }
    }
}

#[test]
fn interpreted_throw_through_compiled_frames() {
    for (tier, config) in tiers() {
        let (mut store, _, inst) = setup(&config);
        for _ in 0..ROUNDS {
            // catch_rethrown (try_table) -> $mid (compiled) -> $rethrow (try_table:
            // catch_all_ref, then throw_ref) -> $thrower.
            assert_eq!(i32_of(&mut store, &inst, "catch_rethrown", 0), 1, "{tier}");
            assert_eq!(
                i32_of(&mut store, &inst, "catch_rethrown", 8),
                2008,
                "{tier}"
            );
        }
    }
}

#[test]
fn uncaught_exception_reaches_the_host() {
    for (tier, config) in tiers() {
        let (mut store, _, inst) = setup(&config);
        let e = inst.get_export(&store, "e").unwrap().into_tag().unwrap();
        for _ in 0..ROUNDS {
            for name in ["uncaught", "thrower", "rethrow"] {
                let trap = trap_of(call(&mut store, &inst, name, Some(3)));
                assert!(
                    matches!(trap.kind(), TrapKind::Exception(_)),
                    "{tier} {name}: {trap:?}"
                );
                assert_eq!(trap.to_string(), "uncaught exception", "{tier} {name}");
                assert_eq!(trap.code(), None, "{tier} {name}");
                let exn = ExnRef::from_trap(&store, &trap).expect("an exception");
                assert_eq!(exn.tag(&store), e, "{tier} {name}");
                assert_eq!(exn.payload(&store), vec![Val::I32(3)], "{tier} {name}");
            }
        }
    }
}

#[test]
fn traps_are_not_caught() {
    for (tier, config) in tiers() {
        let (mut store, _, inst) = setup(&config);
        for _ in 0..ROUNDS {
            let trap = trap_of(call(&mut store, &inst, "trap", None));
            assert_eq!(trap.code(), Some(TrapCode::Unreachable), "{tier}");
            let trap = trap_of(call(&mut store, &inst, "div", Some(0)));
            assert_eq!(trap.code(), Some(TrapCode::IntegerDivideByZero), "{tier}");
            assert_eq!(i32_of(&mut store, &inst, "div", 1), 1, "{tier}");
        }
    }
}

#[test]
fn exceptions_cross_host_functions() {
    for (tier, config) in tiers() {
        let (mut store, _, inst) = setup(&config);
        for _ in 0..ROUNDS {
            // wasm (try_table) -> host -> wasm (throw): the exception passes the host.
            assert_eq!(i32_of(&mut store, &inst, "via_host", 0), 0, "{tier}");
            assert_eq!(i32_of(&mut store, &inst, "via_host", 6), 3006, "{tier}");
            // A host function throws.
            assert_eq!(i32_of(&mut store, &inst, "from_host", 0), 0, "{tier}");
            assert_eq!(i32_of(&mut store, &inst, "from_host", 4), 4004, "{tier}");
            let trap = trap_of(call(&mut store, &inst, "from_host_uncaught", Some(2)));
            let exn = ExnRef::from_trap(&store, &trap).expect("an exception");
            assert_eq!(exn.payload(&store), vec![Val::I32(2)], "{tier}");
        }
    }
}

/// What runs where: in the JIT tier, the throwing functions are compiled and the catching
/// ones interpreted, so the tests above really cross tiers.
#[test]
fn functions_with_try_table_run_interpreted() {
    for (tier, config) in tiers() {
        if tier != "jit" {
            continue;
        }
        let (_, module, _) = setup(&config);
        let stats = module.tier_stats();
        let tier_of = |index: u32| {
            stats
                .funcs
                .iter()
                .find(|f| f.index == index)
                .map(|f| f.tier.clone())
                .unwrap()
        };
        // Imports are functions 0 and 1; $thrower is 2, $deep 3, $mid 4, "catch" 5.
        for compiled in [2, 3, 4] {
            assert_eq!(tier_of(compiled), FuncTier::Compiled, "function {compiled}");
        }
        assert!(
            matches!(tier_of(5), FuncTier::Failed(reason) if reason.contains("TryTable")),
            "{:?}",
            tier_of(5)
        );
    }
}

#[test]
fn tags_are_entities_of_the_store() {
    for (tier, config) in tiers() {
        let (mut store, _, inst) = setup(&config);
        let e = inst.get_export(&store, "e").unwrap().into_tag().unwrap();
        assert_eq!(e.ty(&store).params(), &[wasmtier::ValType::I32], "{tier}");
        // A tag of the same type is another tag: `catch $e` does not catch it.
        let ty = e.ty(&store);
        let twin = Tag::new(&mut store, ty).unwrap();
        assert_ne!(twin, e);
        assert!(
            Tag::new(
                &mut store,
                wasmtier::FuncType::new([], [wasmtier::ValType::I32])
            )
            .is_err()
        );
        // Importing a tag: the importer throws the exporter's tag.
        let engine = store.engine().clone();
        let importer = Module::new(
            &engine,
            r#"(module
                 (import "m" "e" (tag $e (param i32)))
                 (func (export "throw") (param i32) (throw $e (local.get 0))))"#,
        )
        .unwrap();
        let mut linker = Linker::new(&engine);
        linker.define(&store, "m", "e", e).unwrap();
        let imported = linker.instantiate(&mut store, &importer).unwrap();
        let f = imported.get_func(&store, "throw").unwrap();
        let Err(Error::Trap(trap)) = f.call(&mut store, &[Val::I32(11)], &mut []) else {
            panic!("{tier}: expected an exception")
        };
        assert_eq!(ExnRef::from_trap(&store, &trap).unwrap().tag(&store), e);
        // A tag of another type does not link.
        let mut linker = Linker::new(&engine);
        linker.define(&store, "m", "e", twin).unwrap();
        let wrong = Module::new(&engine, r#"(module (import "m" "e" (tag (param i64))))"#).unwrap();
        assert!(matches!(
            linker.instantiate(&mut store, &wrong),
            Err(Error::Link(_))
        ));
    }
}

#[test]
fn exceptions_can_be_turned_off() {
    let mut config = wasmtier::Config::new();
    config.wasm_exceptions(false);
    let engine = Engine::new(&config).unwrap();
    let err = Module::new(&engine, EXCEPTIONS).unwrap_err();
    assert!(matches!(err, Error::Invalid(_)), "{err:?}");
    let err = Module::new(&engine, r#"(module (tag (export "t")))"#).unwrap_err();
    assert!(matches!(err, Error::Invalid(_)), "{err:?}");
}
