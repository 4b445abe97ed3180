//! Typed function references (Wasm 3.0) where they meet the embedding API and the tiers:
//! `call_ref` and `return_call_ref` (to wasm and host functions, from interpreted and
//! compiled code), `br_on_null`, `br_on_non_null` and `ref.as_non_null` with their traps,
//! table initializer expressions, the type checks on values the host hands in, import
//! matching with reference subtyping, and type equivalence across modules. (The spec suites
//! cover the operators themselves.)

use wasmtier::{
    Config, Engine, Error, Extern, Func, Global, GlobalType, HeapType, Instance, Linker, Module,
    RefType, Store, TrapCode, Val, ValType,
};

mod common;
use common::tiers;

const OPS: &str = r#"(module
  (type $bin (func (param i32 i32) (result i32)))
  (type $un (func (param i32) (result i32)))
  (import "host" "twice" (func $twice (type $un)))
  (func $add (export "add") (type $bin) (i32.add (local.get 0) (local.get 1)))
  (func $sub (export "sub") (type $bin) (i32.sub (local.get 0) (local.get 1)))
  (elem declare func $twice)
  (global $op (export "op") (mut (ref null $bin)) (ref.func $add))
  ;; A table of non-nullable references needs an initializer.
  (table $ops 2 (ref $bin) (ref.func $sub))
  (func (export "apply") (param $f (ref null $bin)) (param i32 i32) (result i32)
    (call_ref $bin (local.get 1) (local.get 2) (local.get $f)))
  (func (export "apply_table") (param i32 i32 i32) (result i32)
    (call_ref $bin (local.get 0) (local.get 1) (table.get $ops (local.get 2))))
  ;; A tail call to a host function through a reference.
  (func (export "tail_host") (param i32) (result i32)
    (return_call_ref $un (local.get 0) (ref.func $twice)))
  (func (export "or_default") (param $f (ref null $bin)) (result i32)
    (block $null
      (return (call_ref $bin (i32.const 7) (i32.const 5) (br_on_null $null (local.get $f)))))
    (i32.const -1))
  (func (export "is_set") (param $f (ref null $bin)) (result i32)
    (block $set (result (ref $bin))
      (br_on_non_null $set (local.get $f))
      (return (i32.const 0)))
    (drop)
    (i32.const 1))
  (func (export "non_null") (param $f (ref null $bin)) (result (ref $bin))
    (ref.as_non_null (local.get $f)))
  ;; A loop of calls through the global's reference, long enough to move to machine code
  ;; mid-call under `auto`.
  (func (export "fold") (param $n i32) (result i32) (local $acc i32)
    (loop $next
      (local.set $acc (call_ref $bin (local.get $acc) (local.get $n) (global.get $op)))
      (br_if $next (local.tee $n (i32.sub (local.get $n) (i32.const 1)))))
    (local.get $acc)))"#;

fn ops(config: &Config) -> (Store<()>, Instance) {
    let engine = Engine::new(config).unwrap();
    let module = Module::new(&engine, OPS).unwrap();
    let mut store = Store::new(&engine, ());
    let mut linker = Linker::new(&engine);
    linker.func_wrap("host", "twice", |x: i32| x * 2).unwrap();
    let instance = linker.instantiate(&mut store, &module).unwrap();
    (store, instance)
}

fn call(store: &mut Store<()>, inst: &Instance, name: &str, args: &[Val]) -> Result<Val, Error> {
    let f = inst.get_func(&*store, name).unwrap();
    let mut out = [Val::I32(0)];
    f.call(&mut *store, args, &mut out)?;
    Ok(out[0])
}

fn func(store: &Store<()>, inst: &Instance, name: &str) -> Val {
    Val::FuncRef(Some(inst.get_func(store, name).unwrap()))
}

fn trap_code(result: Result<Val, Error>) -> Option<TrapCode> {
    match result {
        Err(Error::Trap(trap)) => trap.code(),
        other => panic!("expected a trap, got {other:?}"),
    }
}

#[test]
fn call_ref_and_null_branches_in_every_tier() {
    for (tier, config) in tiers() {
        let (mut store, inst) = ops(&config);
        let (add, sub) = (func(&store, &inst, "add"), func(&store, &inst, "sub"));
        let null = Val::FuncRef(None);
        // Repeated calls: in `auto`, the first runs interpreted, the later ones compiled.
        for round in 0..3 {
            let at = format!("{tier}, round {round}");
            let apply = |store: &mut Store<()>, f: Val| {
                call(store, &inst, "apply", &[f, Val::I32(9), Val::I32(4)])
            };
            assert_eq!(apply(&mut store, add).unwrap(), Val::I32(13), "{at}");
            assert_eq!(apply(&mut store, sub).unwrap(), Val::I32(5), "{at}");
            assert_eq!(
                trap_code(apply(&mut store, null)),
                Some(TrapCode::NullFuncRef),
                "{at}"
            );
            let args = [Val::I32(9), Val::I32(4), Val::I32(1)];
            assert_eq!(
                call(&mut store, &inst, "apply_table", &args).unwrap(),
                Val::I32(5),
                "{at}: the table's initializer"
            );
            assert_eq!(
                call(&mut store, &inst, "tail_host", &[Val::I32(21)]).unwrap(),
                Val::I32(42),
                "{at}"
            );
            assert_eq!(
                call(&mut store, &inst, "or_default", &[add]).unwrap(),
                Val::I32(12),
                "{at}"
            );
            assert_eq!(
                call(&mut store, &inst, "or_default", &[null]).unwrap(),
                Val::I32(-1),
                "{at}"
            );
            assert_eq!(
                call(&mut store, &inst, "is_set", &[sub]).unwrap(),
                Val::I32(1)
            );
            assert_eq!(
                call(&mut store, &inst, "is_set", &[null]).unwrap(),
                Val::I32(0)
            );
            assert_eq!(
                call(&mut store, &inst, "non_null", &[sub]).unwrap(),
                sub,
                "{at}"
            );
            assert_eq!(
                trap_code(call(&mut store, &inst, "non_null", &[null])),
                Some(TrapCode::NullReference),
                "{at}"
            );
        }
        let n = 10_000;
        let sum = n * (n + 1) / 2;
        assert_eq!(
            call(&mut store, &inst, "fold", &[Val::I32(n)]).unwrap(),
            Val::I32(sum),
            "{tier}"
        );
        // Another function in the global: the same compiled loop calls it.
        let op = inst.get_global(&store, "op").unwrap();
        op.set(&mut store, sub).unwrap();
        assert_eq!(
            call(&mut store, &inst, "fold", &[Val::I32(3)]).unwrap(),
            Val::I32(-6),
            "{tier}"
        );
    }
}

#[test]
fn values_the_host_hands_in_are_type_checked() {
    let (mut store, inst) = ops(&Config::new());
    let add = func(&store, &inst, "add");
    // `tail_host` has another signature than the parameter's `(ref null $bin)`.
    let unary = Val::FuncRef(Some(inst.get_func(&store, "tail_host").unwrap()));
    let err = call(
        &mut store,
        &inst,
        "apply",
        &[unary, Val::I32(1), Val::I32(2)],
    );
    assert!(matches!(err, Err(Error::Usage(_))), "{err:?}");
    let op = inst.get_global(&store, "op").unwrap();
    assert!(matches!(op.set(&mut store, unary), Err(Error::Usage(_))));
    assert!(matches!(
        op.set(&mut store, Val::ExternRef(None)),
        Err(Error::Usage(_))
    ));
    op.set(&mut store, Val::FuncRef(None)).unwrap();
    op.set(&mut store, add).unwrap();
    assert_eq!(op.get(&store), add);

    // The global's type names the module's `$bin`, and null is a value of it.
    let GlobalType { content, mutable } = op.ty(&store);
    assert!(mutable);
    let ValType::Ref(RefType { nullable, heap }) = content else {
        panic!("{content}")
    };
    assert!(nullable);
    let HeapType::Concrete(bin) = heap else {
        panic!("{heap}")
    };

    // A host global of a non-nullable type refuses null.
    let ty = GlobalType {
        content: ValType::Ref(RefType::new(false, HeapType::Concrete(bin))),
        mutable: false,
    };
    assert!(matches!(
        Global::new(&mut store, ty, Val::FuncRef(None)),
        Err(Error::Usage(_))
    ));
    Global::new(&mut store, ty, add).unwrap();
}

/// A module importing globals and functions by typed references.
const IMPORTER: &str = r#"(module
  (type $bin (func (param i32 i32) (result i32)))
  (import "ops" "f" (global $f (ref $bin)))
  (import "ops" "g" (global $g funcref))
  (import "ops" "add" (func $add (type $bin)))
  (func (export "run") (result i32)
    (call_ref $bin (i32.const 40) (i32.const 2) (global.get $f))))"#;

#[test]
fn imports_match_by_reference_subtyping_and_type_equivalence() {
    let engine = Engine::default();
    let mut store = Store::new(&engine, ());
    let mut linker = Linker::new(&engine);
    linker.func_wrap("host", "twice", |x: i32| x * 2).unwrap();
    let exporter = linker
        .instantiate(&mut store, &Module::new(&engine, OPS).unwrap())
        .unwrap();
    let add = exporter.get_func(&store, "add").unwrap();
    // The exporter's `$bin`, as the type of its global names it.
    let content = exporter
        .get_global(&store, "op")
        .unwrap()
        .ty(&store)
        .content;
    let ValType::Ref(RefType {
        heap: HeapType::Concrete(bin),
        ..
    }) = content
    else {
        panic!("{content}")
    };
    let typed = |nullable| GlobalType {
        content: ValType::Ref(RefType::new(nullable, HeapType::Concrete(bin))),
        mutable: false,
    };
    let importer = Module::new(&engine, IMPORTER).unwrap();
    let instantiate = |store: &mut Store<()>, f: Global, g: Global, func: Func| {
        let imports = [Extern::Global(f), Extern::Global(g), Extern::Func(func)];
        Instance::new(store, &importer, &imports)
    };

    // `(ref $bin)` (the importer's `$bin` is the exporter's: equivalent types are one) is
    // provided by a global of that type, and `funcref` by one of a subtype of it.
    let f = Global::new(&mut store, typed(false), Val::FuncRef(Some(add))).unwrap();
    let inst = instantiate(&mut store, f, f, add).unwrap();
    let run = inst.get_typed_func::<(), i32>(&store, "run").unwrap();
    assert_eq!(run.call(&mut store, ()).unwrap(), 42);

    // A nullable global cannot provide a non-nullable import, nor `funcref` `(ref $bin)`.
    let nullable = Global::new(&mut store, typed(true), Val::FuncRef(Some(add))).unwrap();
    let err = instantiate(&mut store, nullable, f, add).unwrap_err();
    assert!(matches!(err, Error::Link(_)), "{err:?}");
    let funcref = GlobalType {
        content: ValType::FUNCREF,
        mutable: false,
    };
    let untyped = Global::new(&mut store, funcref, Val::FuncRef(Some(add))).unwrap();
    let err = instantiate(&mut store, untyped, f, add).unwrap_err();
    assert!(matches!(err, Error::Link(_)), "{err:?}");

    // A function of another type cannot provide the `$bin` import.
    let twice = exporter.get_func(&store, "tail_host").unwrap();
    let err = instantiate(&mut store, f, f, twice).unwrap_err();
    assert!(matches!(err, Error::Link(_)), "{err:?}");
}

#[test]
fn function_references_can_be_turned_off() {
    let mut config = Config::new();
    config.wasm_function_references(false);
    let engine = Engine::new(&config).unwrap();
    let err = Module::new(&engine, OPS).unwrap_err();
    assert!(matches!(err, Error::Invalid(_)), "{err:?}");
    // Wasm 2.0's reference types still work.
    Module::new(
        &engine,
        r#"(module (table 1 funcref) (func (param funcref) (result i32)
             (ref.is_null (local.get 0))))"#,
    )
    .unwrap();
}
