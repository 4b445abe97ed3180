//! GC's type system (Wasm 3.0) where it meets the embedding API and the tiers: recursion
//! groups canonicalised across modules (import matching), declared subtypes accepted by
//! `call_indirect` and `return_call_indirect` (and the trap when the type is not one),
//! function imports matched by declared subtyping, the nulls of the `any` hierarchy,
//! `global.get` of defined immutable globals in constant expressions, `i31ref`s and
//! `ref.eq`, the switch that turns GC off, and the other GC instructions refused cleanly.

use wasmtier::{
    AnyRef, Config, Engine, Error, Extern, Global, GlobalType, HeapType, Instance, Linker, Module,
    RefType, Store, TrapCode, Val, ValType,
};

mod common;
use common::tiers;

/// Functions of a subtype chain `$t :> $s :> $s2`, of a final type `$u` of the same shape as
/// `$t` (but not equivalent to it: finality is part of a type), and callers through a table.
const SUBTYPES: &str = r#"(module
  (type $t (sub (func (result i32))))
  (type $s (sub $t (func (result i32))))
  (type $s2 (sub final $s (func (result i32))))
  (type $u (func (result i32)))
  (func $a (export "a") (type $s) (i32.const 1))
  (func $b (export "b") (type $t) (i32.const 2))
  (func $c (export "c") (type $u) (i32.const 3))
  (func $d (export "d") (type $s2) (i32.const 4))
  (table $tab (export "tab") 8 funcref)
  (elem (table $tab) (i32.const 0) func $a $b $c $d)
  (func (export "call_t") (param i32) (result i32)
    (call_indirect $tab (type $t) (local.get 0)))
  (func (export "call_s") (param i32) (result i32)
    (call_indirect $tab (type $s) (local.get 0)))
  (func (export "call_u") (param i32) (result i32)
    (call_indirect $tab (type $u) (local.get 0)))
  (func (export "tail_t") (param i32) (result i32)
    (return_call_indirect $tab (type $t) (local.get 0)))
  ;; Many calls through the slow path, so that `auto` compiles the loop mid-way.
  (func (export "sum_t") (param $n i32) (result i32) (local $acc i32)
    (loop $next
      (local.set $acc (i32.add (local.get $acc)
        (call_indirect $tab (type $t) (i32.rem_u (local.get $n) (i32.const 2)))))
      (br_if $next (local.tee $n (i32.sub (local.get $n) (i32.const 1)))))
    (local.get $acc)))"#;

fn call_i32(store: &mut Store<()>, inst: &Instance, name: &str, arg: i32) -> Result<i32, Error> {
    let f = inst.get_typed_func::<i32, i32>(&*store, name).unwrap();
    f.call(&mut *store, arg)
}

fn trap_code(result: Result<i32, Error>) -> Option<TrapCode> {
    match result {
        Err(Error::Trap(trap)) => trap.code(),
        other => panic!("expected a trap, got {other:?}"),
    }
}

#[test]
fn call_indirect_accepts_declared_subtypes_in_every_tier() {
    for (tier, config) in tiers() {
        let engine = Engine::new(&config).unwrap();
        let module = Module::new(&engine, SUBTYPES).unwrap();
        let mut store = Store::new(&engine, ());
        let inst = Instance::new(&mut store, &module, &[]).unwrap();
        for _ in 0..3 {
            // `$a` (of `$s`), `$b` (of `$t`) and `$d` (of `$s2`, two steps down) are `$t`s.
            for (index, expected) in [(0, 1), (1, 2), (3, 4)] {
                let got = call_i32(&mut store, &inst, "call_t", index).unwrap();
                assert_eq!(got, expected, "{tier}: call_t({index})");
                let got = call_i32(&mut store, &inst, "tail_t", index).unwrap();
                assert_eq!(got, expected, "{tier}: tail_t({index})");
            }
            assert_eq!(
                call_i32(&mut store, &inst, "call_s", 0).unwrap(),
                1,
                "{tier}"
            );
            assert_eq!(
                call_i32(&mut store, &inst, "call_s", 3).unwrap(),
                4,
                "{tier}"
            );
            assert_eq!(
                call_i32(&mut store, &inst, "call_u", 2).unwrap(),
                3,
                "{tier}"
            );
            // `$u` has the shape of `$t` but is no subtype of it; a supertype is no subtype;
            // a final type (`$u`) has only itself.
            for (name, index) in [
                ("call_t", 2),
                ("tail_t", 2),
                ("call_s", 1),
                ("call_u", 0),
                ("call_u", 1),
            ] {
                let code = trap_code(call_i32(&mut store, &inst, name, index));
                assert_eq!(
                    code,
                    Some(TrapCode::IndirectCallTypeMismatch),
                    "{tier}: {name}({index})"
                );
            }
            let err = call_i32(&mut store, &inst, "call_t", 2).unwrap_err();
            assert!(
                err.to_string().contains("indirect call type mismatch"),
                "{tier}: {err}"
            );
            // Null and out-of-bounds still trap as before.
            let code = trap_code(call_i32(&mut store, &inst, "call_t", 5));
            assert_eq!(code, Some(TrapCode::UninitializedElement), "{tier}");
            let code = trap_code(call_i32(&mut store, &inst, "call_t", 8));
            assert_eq!(code, Some(TrapCode::UndefinedElement), "{tier}");
        }
        // 50 calls of `$a` and 50 of `$b`.
        assert_eq!(
            call_i32(&mut store, &inst, "sum_t", 100).unwrap(),
            150,
            "{tier}"
        );
    }
}

/// A module whose `$t` and `$s` are those of [`SUBTYPES`] (equivalent definitions), and
/// which calls functions of another module's table through them.
const CALLER: &str = r#"(module
  (type $t (sub (func (result i32))))
  (type $s (sub $t (func (result i32))))
  (import "m" "tab" (table $tab 8 funcref))
  (import "m" "t" (func $imported (type $t)))
  (func (export "call_t") (param i32) (result i32)
    (call_indirect $tab (type $t) (local.get 0)))
  (func (export "imported") (result i32) (call $imported)))"#;

#[test]
fn subtypes_are_checked_across_modules_and_for_function_imports() {
    for (tier, config) in tiers() {
        let engine = Engine::new(&config).unwrap();
        let mut store = Store::new(&engine, ());
        let callee =
            Instance::new(&mut store, &Module::new(&engine, SUBTYPES).unwrap(), &[]).unwrap();
        let caller = Module::new(&engine, CALLER).unwrap();
        let tab = callee.get_table(&store, "tab").unwrap();
        // The import of a `$t` is provided by a function of `$s2`, a subtype two steps down.
        let d = callee.get_func(&store, "d").unwrap();
        let inst =
            Instance::new(&mut store, &caller, &[Extern::Table(tab), Extern::Func(d)]).unwrap();
        assert_eq!(
            call_i32(&mut store, &inst, "call_t", 0).unwrap(),
            1,
            "{tier}"
        );
        assert_eq!(
            call_i32(&mut store, &inst, "call_t", 3).unwrap(),
            4,
            "{tier}"
        );
        let code = trap_code(call_i32(&mut store, &inst, "call_t", 2));
        assert_eq!(code, Some(TrapCode::IndirectCallTypeMismatch), "{tier}");
        let imported = inst.get_typed_func::<(), i32>(&store, "imported").unwrap();
        assert_eq!(imported.call(&mut store, ()).unwrap(), 4, "{tier}");
        // `$u` (final, of the same shape) cannot provide a `$t`.
        let c = callee.get_func(&store, "c").unwrap();
        let err =
            Instance::new(&mut store, &caller, &[Extern::Table(tab), Extern::Func(c)]).unwrap_err();
        assert!(matches!(err, Error::Link(_)), "{tier}: {err:?}");
    }
}

/// Exports a function and a global whose types are in a recursion group with a struct type.
const REC_EXPORTER: &str = r#"(module
  (rec
    (type $f (func (param (ref null $node)) (result i32)))
    (type $node (struct (field i32) (field (mut (ref null $node))) (field i8))))
  (func (export "f") (type $f) (i32.const 7))
  (global (export "g") (ref null $node) (ref.null $node)))"#;

/// Imports them with a recursion group of the same structure, or a different one.
fn rec_importer(group: &str) -> String {
    format!(
        r#"(module
  {group}
  (import "m" "f" (func $f (type $f)))
  (import "m" "g" (global (ref null $node)))
  (func (export "run") (result i32) (call $f (ref.null $node))))"#
    )
}

#[test]
fn recursion_groups_are_equivalent_across_modules() {
    let engine = Engine::default();
    let mut store = Store::new(&engine, ());
    let exporter = Instance::new(
        &mut store,
        &Module::new(&engine, REC_EXPORTER).unwrap(),
        &[],
    )
    .unwrap();
    let f = exporter.get_func(&store, "f").unwrap();
    let g = exporter.get_global(&store, "g").unwrap();
    let imports = [Extern::Func(f), Extern::Global(g)];
    let same = rec_importer(
        "(rec (type $f (func (param (ref null $node)) (result i32)))
              (type $node (struct (field i32) (field (mut (ref null $node))) (field i8))))",
    );
    let inst = Instance::new(&mut store, &Module::new(&engine, &same).unwrap(), &imports).unwrap();
    let run = inst.get_typed_func::<(), i32>(&store, "run").unwrap();
    assert_eq!(run.call(&mut store, ()).unwrap(), 7);

    // The global's type names the struct type by its engine-wide id, as a struct type.
    let content = g.ty(&store).content;
    let ValType::Ref(RefType {
        nullable: true,
        heap: HeapType::ConcreteStruct(_),
    }) = content
    else {
        panic!("{content}")
    };

    // Groups that differ in a packed field, a field's mutability, the order of their types,
    // or that are split in two are other types: the imports do not link.
    for group in [
        "(rec (type $f (func (param (ref null $node)) (result i32)))
              (type $node (struct (field i32) (field (mut (ref null $node))) (field i16))))",
        "(rec (type $f (func (param (ref null $node)) (result i32)))
              (type $node (struct (field i32) (field (ref null $node)) (field i8))))",
        "(rec (type $node (struct (field i32) (field (mut (ref null $node))) (field i8)))
              (type $f (func (param (ref null $node)) (result i32))))",
        "(rec (type $node (struct (field i32) (field (mut (ref null $node))) (field i8))))
         (rec (type $f (func (param (ref null $node)) (result i32))))",
    ] {
        let module = Module::new(&engine, rec_importer(group)).unwrap();
        let err = Instance::new(&mut store, &module, &imports).unwrap_err();
        assert!(matches!(err, Error::Link(_)), "{group}: {err:?}");
    }
}

#[test]
fn nulls_of_the_any_hierarchy_and_constant_global_gets() {
    const NULLS: &str = r#"(module
      (type $pt (struct (field i32)))
      (type $arr (array (mut i8)))
      (global $none nullref (ref.null none))
      ;; Defined immutable globals in later constant expressions.
      (global $any (export "any") anyref (global.get $none))
      (global $base i32 (i32.const 40))
      (global (export "sum") i32 (i32.add (global.get $base) (i32.const 2)))
      (table $tab (export "tab") 2 eqref)
      (elem (table $tab) (i32.const 0) eqref (global.get $none) (global.get $none))
      (func (export "is_null") (param eqref) (result i32) (ref.is_null (local.get 0)))
      (func (export "nulls") (result anyref eqref i31ref structref arrayref nullref
                                     (ref null $pt) (ref null $arr))
        (ref.null any) (ref.null eq) (ref.null i31) (ref.null struct) (ref.null array)
        (ref.null none) (ref.null $pt) (ref.null $arr)))"#;
    for (tier, config) in tiers() {
        let engine = Engine::new(&config).unwrap();
        let mut store = Store::new(&engine, ());
        let inst = Instance::new(&mut store, &Module::new(&engine, NULLS).unwrap(), &[]).unwrap();
        let nulls = inst.get_func(&store, "nulls").unwrap();
        let mut out = [Val::I32(0); 8];
        nulls.call(&mut store, &[], &mut out).unwrap();
        assert!(
            out.iter().all(|v| *v == Val::AnyRef(None)),
            "{tier}: {out:?}"
        );
        let is_null = inst.get_func(&store, "is_null").unwrap();
        let mut r = [Val::I32(0)];
        is_null
            .call(&mut store, &[Val::AnyRef(None)], &mut r)
            .unwrap();
        assert_eq!(r[0], Val::I32(1), "{tier}");
        // Another hierarchy's null is not an `eqref`.
        let err = is_null
            .call(&mut store, &[Val::ExternRef(None)], &mut r)
            .unwrap_err();
        assert!(matches!(err, Error::Usage(_)), "{tier}: {err:?}");
        let any = inst.get_global(&store, "any").unwrap();
        assert_eq!(any.get(&store), Val::AnyRef(None));
        assert_eq!(any.ty(&store).content, ValType::ANYREF);
        let sum = inst.get_global(&store, "sum").unwrap();
        assert_eq!(sum.get(&store), Val::I32(42));
        let tab = inst.get_table(&store, "tab").unwrap();
        assert_eq!(tab.get(&store, 1), Some(Val::AnyRef(None)));
    }
    // A host global of the any hierarchy takes its null, not another hierarchy's.
    let engine = Engine::default();
    let mut store = Store::new(&engine, ());
    let ty = GlobalType {
        content: ValType::Ref(RefType::new(true, HeapType::Eq)),
        mutable: false,
    };
    Global::new(&mut store, ty, Val::AnyRef(None)).unwrap();
    let err = Global::new(&mut store, ty, Val::FuncRef(None)).unwrap_err();
    assert!(matches!(err, Error::Usage(_)), "{err:?}");
}

#[test]
fn abstract_gc_heap_types_are_ordered_as_the_spec_says() {
    use HeapType::*;
    let engine = Engine::default();
    let mut store = Store::new(&engine, ());
    let exporter = Instance::new(
        &mut store,
        &Module::new(&engine, REC_EXPORTER).unwrap(),
        &[],
    )
    .unwrap();
    let content = exporter.get_global(&store, "g").unwrap().ty(&store).content;
    let ValType::Ref(RefType { heap: node, .. }) = content else {
        panic!("{content}")
    };
    for (sub, sup) in [
        (node, Struct),
        (node, Eq),
        (node, Any),
        (None, node),
        (None, I31),
        (I31, Eq),
        (Array, Any),
        (Struct, Eq),
        (NoFunc, Func),
    ] {
        assert!(sub.matches(sup), "{sub} <: {sup}");
        assert!(!sup.matches(sub), "not {sup} <: {sub}");
    }
    for (a, b) in [
        (node, Array),
        (Struct, Array),
        (I31, Struct),
        (None, Func),
        (Any, Extern),
    ] {
        assert!(!a.matches(b), "not {a} <: {b}");
    }
}

const STRUCT_NEW: &str = r#"(module
  (type $pt (struct (field i32)))
  (func (export "make") (result (ref $pt)) (struct.new $pt (i32.const 1))))"#;

#[test]
fn gc_instructions_are_refused_cleanly_in_every_tier() {
    let mut all = tiers();
    let mut eager = Config::new();
    eager.tier(wasmtier::Tier::Interp).lazy_translation(false);
    all.push(("interp eager", eager));
    for (tier, config) in all {
        let engine = Engine::new(&config).unwrap();
        for wat in [
            STRUCT_NEW,
            "(module (func (param anyref) (result i32) (ref.test (ref struct) (local.get 0))))",
            "(module (func (param externref) (result anyref) (any.convert_extern (local.get 0))))",
            "(module (type $a (array i8)) (func (result i32) (array.len (array.new_default $a (i32.const 1)))))",
            // In a constant expression.
            "(module (type $pt (struct)) (global (ref $pt) (struct.new $pt)))",
        ] {
            let err = Module::new(&engine, wat).unwrap_err();
            assert!(
                matches!(err, Error::Unsupported(_)),
                "{tier}: {wat}: {err:?}"
            );
        }
        // An invalid module is invalid, GC instructions or not.
        let invalid = r#"(module
          (type $pt (struct (field i32)))
          (func (result (ref $pt)) (struct.new $pt (i32.const 1)))
          (func (result i32) (i64.const 0)))"#;
        let err = Module::new(&engine, invalid).unwrap_err();
        let expected_invalid = tier != "interp eager" && tier != "jit";
        if expected_invalid {
            assert!(matches!(err, Error::Invalid(_)), "{tier}: {err:?}");
        } else {
            // Translating validates function by function: the first stops it.
            assert!(
                matches!(err, Error::Invalid(_) | Error::Unsupported(_)),
                "{tier}: {err:?}"
            );
        }
    }
}

#[test]
fn gc_can_be_turned_off() {
    let mut config = Config::new();
    config.wasm_gc(false);
    let engine = Engine::new(&config).unwrap();
    for wat in [
        "(module (type (struct (field i32))))",
        "(module (type $t (sub (func))) (type (sub $t (func))))",
        "(module (rec (type (func)) (type (func))))",
        "(module (global anyref (ref.null any)))",
        "(module (global i32 (i32.const 1)) (global i32 (global.get 0)))",
    ] {
        let err = Module::new(&engine, wat).unwrap_err();
        // wasmparser decodes `sub` only with GC: malformed without.
        assert!(
            matches!(err, Error::Invalid(_) | Error::Malformed(_)),
            "{wat}: {err:?}"
        );
    }
    // Typed function references stay.
    Module::new(
        &engine,
        "(module (type $f (func)) (func (param (ref null $f))))",
    )
    .unwrap();
    // GC needs typed function references: without them it is off too.
    let mut config = Config::new();
    config.wasm_function_references(false);
    let engine = Engine::new(&config).unwrap();
    let err = Module::new(&engine, "(module (type (struct)))").unwrap_err();
    assert!(matches!(err, Error::Invalid(_)), "{err:?}");
}

#[test]
fn host_linker_finds_gc_typed_exports() {
    // A module with GC types but no GC instructions instantiates through the linker, and its
    // function types are still function types to the host.
    let engine = Engine::default();
    let mut store = Store::new(&engine, ());
    let linker = Linker::new(&engine);
    let inst = linker
        .instantiate(&mut store, &Module::new(&engine, REC_EXPORTER).unwrap())
        .unwrap();
    let f = inst.get_func(&store, "f").unwrap();
    let mut out = [Val::I32(0)];
    f.call(&mut store, &[Val::AnyRef(None)], &mut out).unwrap();
    assert_eq!(out[0], Val::I32(7));
}

const I31: &str = r#"(module
  (global $seven i31ref (ref.i31 (i32.const 7)))
  (global (export "minus_one") i31ref (ref.i31 (i32.const -1)))
  (table $t 2 i31ref)
  (elem (table $t) (i32.const 0) i31ref (global.get $seven) (ref.i31 (i32.const 0x4000_0000)))
  (func (export "new") (param i32) (result i31ref) (ref.i31 (local.get 0)))
  (func (export "get_s") (param i31ref) (result i32) (i31.get_s (local.get 0)))
  (func (export "get_u") (param i31ref) (result i32) (i31.get_u (local.get 0)))
  (func (export "roundtrip_s") (param i32) (result i32) (i31.get_s (ref.i31 (local.get 0))))
  (func (export "roundtrip_u") (param i32) (result i32) (i31.get_u (ref.i31 (local.get 0))))
  (func (export "elem_s") (param i32) (result i32) (i31.get_s (table.get $t (local.get 0))))
  (func (export "eq") (param eqref eqref) (result i32) (ref.eq (local.get 0) (local.get 1)))
  (func (export "eq_i31") (param i32 i32) (result i32)
    (ref.eq (ref.i31 (local.get 0)) (ref.i31 (local.get 1)))))"#;

#[test]
fn i31_refs_and_ref_eq_run_in_every_tier() {
    for (tier, config) in tiers() {
        let engine = Engine::new(&config).unwrap();
        let mut store = Store::new(&engine, ());
        let inst = Instance::new(&mut store, &Module::new(&engine, I31).unwrap(), &[]).unwrap();
        for _ in 0..3 {
            for (v, s, u) in [
                (0, 0, 0),
                (7, 7, 7),
                (-1, -1, 0x7fff_ffff),
                (0x3fff_ffff, 0x3fff_ffff, 0x3fff_ffff),
                (0x4000_0000, -0x4000_0000, 0x4000_0000),
                // Bit 31 is dropped.
                (i32::MIN, 0, 0),
                (i32::MAX, -1, 0x7fff_ffff),
            ] {
                let got = call_i32(&mut store, &inst, "roundtrip_s", v).unwrap();
                assert_eq!(got, s, "{tier}: get_s(ref.i31 {v})");
                let got = call_i32(&mut store, &inst, "roundtrip_u", v).unwrap();
                assert_eq!(got, u, "{tier}: get_u(ref.i31 {v})");
                // Through the API: the host sees the same i31ref and hands it back.
                let new = inst.get_func(&store, "new").unwrap();
                let mut r = [Val::I32(0)];
                new.call(&mut store, &[Val::I32(v)], &mut r).unwrap();
                assert_eq!(
                    r[0],
                    Val::AnyRef(Some(AnyRef::from_i31(v as u32))),
                    "{tier}"
                );
                let Val::AnyRef(Some(i31)) = r[0] else {
                    panic!("{tier}: {:?}", r[0])
                };
                assert_eq!(i31.i31_get_s(), Some(s), "{tier}");
                assert_eq!(i31.i31_get_u(), Some(u as u32), "{tier}");
                let get_s = inst.get_func(&store, "get_s").unwrap();
                get_s.call(&mut store, &[r[0]], &mut r).unwrap();
                assert_eq!(r[0], Val::I32(s), "{tier}");
            }
            assert_eq!(
                call_i32(&mut store, &inst, "elem_s", 0).unwrap(),
                7,
                "{tier}"
            );
            let got = call_i32(&mut store, &inst, "elem_s", 1).unwrap();
            assert_eq!(got, -0x4000_0000, "{tier}");
            // Null traps.
            for name in ["get_s", "get_u"] {
                let f = inst.get_func(&store, name).unwrap();
                let mut r = [Val::I32(0)];
                let err = f
                    .call(&mut store, &[Val::AnyRef(None)], &mut r)
                    .unwrap_err();
                let Error::Trap(trap) = &err else {
                    panic!("{tier}: {err:?}")
                };
                assert_eq!(trap.code(), Some(TrapCode::NullI31Ref), "{tier}");
                assert!(
                    err.to_string().contains("null i31 reference"),
                    "{tier}: {err}"
                );
            }
            // ref.eq: equal i31s (also after dropping bit 31), nulls.
            let eq_i31 = inst
                .get_typed_func::<(i32, i32), i32>(&store, "eq_i31")
                .unwrap();
            assert_eq!(eq_i31.call(&mut store, (5, 5)).unwrap(), 1, "{tier}");
            assert_eq!(eq_i31.call(&mut store, (5, 6)).unwrap(), 0, "{tier}");
            assert_eq!(eq_i31.call(&mut store, (i32::MIN, 0)).unwrap(), 1, "{tier}");
            let eq = inst.get_func(&store, "eq").unwrap();
            let mut r = [Val::I32(0)];
            let one = Val::AnyRef(Some(AnyRef::from_i31(1)));
            for (a, b, expected) in [
                (Val::AnyRef(None), Val::AnyRef(None), 1),
                (one, Val::AnyRef(None), 0),
                (one, one, 1),
                (one, Val::AnyRef(Some(AnyRef::from_i31(2))), 0),
            ] {
                eq.call(&mut store, &[a, b], &mut r).unwrap();
                assert_eq!(r[0], Val::I32(expected), "{tier}: ref.eq {a:?} {b:?}");
            }
        }
        let g = inst.get_global(&store, "minus_one").unwrap();
        let Val::AnyRef(Some(i31)) = g.get(&store) else {
            panic!("{tier}")
        };
        assert_eq!(i31.i31_get_s(), Some(-1), "{tier}");
        // An i31ref is an `eqref` and an `anyref`, no struct or function.
        let ty = |heap| GlobalType {
            content: ValType::Ref(RefType::new(true, heap)),
            mutable: false,
        };
        let one = Val::AnyRef(Some(AnyRef::from_i31(1)));
        for heap in [HeapType::I31, HeapType::Eq, HeapType::Any] {
            Global::new(&mut store, ty(heap), one).unwrap();
        }
        for heap in [HeapType::Struct, HeapType::None, HeapType::Func] {
            let err = Global::new(&mut store, ty(heap), one).unwrap_err();
            assert!(matches!(err, Error::Usage(_)), "{tier}: {err:?}");
        }
    }
}
