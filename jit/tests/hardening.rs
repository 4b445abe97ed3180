//! Hardening of the JIT tier: what compiled code must check even though valid wasm and the
//! embedding API never give it bad data, what it must do atomically, and what must be
//! restored when a panic unwinds through an entry.

use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::{Arc, Barrier};

use wasmtier::{Config, Engine, Instance, Linker, Module, Store, Tier};
use wasmtier_jit::{CompiledModule, JitOptions, compile_module, invoke, link_instance};
use wasmtier_runtime::{Extern, ModuleInfo, StoreOpaque, TrapCode, TypeRegistry, instantiate};

const CALL_INDIRECT: &str = r#"
(module
  (type $r (func (result i32)))
  (table 2 funcref)
  (elem (i32.const 0) $seven $seven)
  (func $seven (result i32) (i32.const 7))
  (func (export "call") (param i32) (result i32) (call_indirect (type $r) (local.get 0))))
"#;

/// `wasm` parsed with `registry` and compiled by the JIT (the functions it skips are listed
/// in the result).
fn compile(wasm: &[u8], registry: &TypeRegistry) -> (ModuleInfo, CompiledModule) {
    let parsed = wasmtier_runtime::module::parse(wasm, registry).unwrap();
    let bodies: Vec<_> = parsed
        .bodies
        .iter()
        .map(|b| (b.func_index, b.body.clone()))
        .collect();
    let compiled = compile_module(&parsed.info, &bodies, &JitOptions::default()).unwrap();
    (parsed.info, compiled)
}

/// A store with one instance of `wat`, all compiled by the JIT, and the id of export `name`.
fn jit_instance(wat: &str, name: &str) -> (StoreOpaque, wasmtier_runtime::FuncId) {
    let wasm = wat::parse_str(wat).unwrap();
    let registry = Arc::new(TypeRegistry::default());
    let (info, compiled) = compile(&wasm, &registry);
    assert!(compiled.skipped.is_empty());
    let compiled = Arc::new(compiled);
    let mut store = StoreOpaque::new(registry);
    // Every function is compiled: no interpreter is needed, so the tier artifact is empty.
    let done = instantiate(&mut store, Arc::new(info), Arc::new(()), &[]).unwrap();
    link_instance(&mut store, done.instance, &compiled);
    let Some(Extern::Func(f)) = store.instance(done.instance).export(name) else {
        panic!("no function export {name}");
    };
    (store, f)
}

/// A table element that names no function of the store (stale, or corrupted: valid wasm and
/// the embedding API cannot put one there) traps instead of indexing past the store's
/// function references.
#[test]
fn call_indirect_checks_the_function_reference_index() {
    let (mut store, call) = jit_instance(CALL_INDIRECT, "call");
    let mut slots = [1u64];
    invoke(&mut store, call, &mut slots).unwrap();
    assert_eq!(slots[0], 7);

    let table = store.instance(wasmtier_runtime::InstanceId(0)).tables[0];
    let len = store.func_refs.len() as u64;
    // Raw references are FuncId + 1: `len + 1` is the first index past the array.
    for raw in [len + 1, len + 1000, 1 << 40, u64::MAX] {
        store.table_mut(table).elements[1] = raw;
        let mut slots = [1u64];
        let trap = invoke(&mut store, call, &mut slots).unwrap_err();
        assert_eq!(
            trap.code(),
            Some(TrapCode::BadFuncRef),
            "raw reference {raw:#x}"
        );
        assert_eq!(trap.to_string(), "invalid function reference");
    }
    // The last valid index still works, and so does the untouched element.
    store.table_mut(table).elements[1] = len;
    let mut slots = [1u64];
    let last = invoke(&mut store, call, &mut slots);
    assert!(last.is_ok() || last.unwrap_err().code() == Some(TrapCode::IndirectCallTypeMismatch));
    let mut slots = [0u64];
    invoke(&mut store, call, &mut slots).unwrap();
    assert_eq!(slots[0], 7);
    // The table index itself is checked too.
    let mut slots = [2u64];
    let trap = invoke(&mut store, call, &mut slots).unwrap_err();
    assert_eq!(trap.code(), Some(TrapCode::UndefinedElement));
}

/// Compiled code counts calls (with `Config::count_calls`) in the interpreter's atomic
/// counter, which stores on other threads update at the same time: no count may be lost.
#[test]
fn compiled_call_counts_are_exact_across_threads() {
    const THREADS: usize = 2;
    const CALLS: i32 = 2_000_000;
    let wat = r#"(module
      (func $leaf (result i32) (i32.const 1))
      (func (export "run") (param i32) (result i32) (local i32)
        (loop $l
          (local.set 1 (i32.add (local.get 1) (call $leaf)))
          (br_if $l (i32.lt_u (local.get 1) (local.get 0))))
        (local.get 1)))"#;
    let mut config = Config::new();
    config
        .tier(Tier::Auto)
        .tier_threshold(2)
        .synchronous_compilation(true)
        .count_calls(true);
    let engine = Engine::new(&config).unwrap();
    let module = Module::new(&engine, wat).unwrap();
    let leaf_calls = |m: &Module| m.tier_stats().funcs[0].calls;
    let warm = Barrier::new(THREADS + 1);
    let go = Barrier::new(THREADS + 1);
    let before = std::thread::scope(|s| {
        for _ in 0..THREADS {
            s.spawn(|| {
                let mut store = Store::new(&engine, ());
                let inst = Instance::new(&mut store, &module, &[]).unwrap();
                let run = inst.get_typed_func::<i32, i32>(&store, "run").unwrap();
                // Until both functions run as machine code in this store.
                for _ in 0..4 {
                    assert_eq!(run.call(&mut store, 10).unwrap(), 10);
                }
                warm.wait();
                go.wait();
                assert_eq!(run.call(&mut store, CALLS).unwrap(), CALLS);
            });
        }
        warm.wait();
        let stats = module.tier_stats();
        assert_eq!(stats.promoted(), 2, "{stats:?}");
        let before = leaf_calls(&module);
        go.wait();
        before
    });
    assert_eq!(
        leaf_calls(&module) - before,
        THREADS as u64 * CALLS as u64,
        "compiled code lost call counts"
    );
}

/// A host function's panic unwinds through the entries into wasm (interpreter and JIT) to
/// the embedder; every entry must give back what it took, so that the thread can go on
/// calling wasm as often as it likes.
#[test]
fn panics_through_entries_restore_the_thread_state() {
    let wat = r#"(module
      (import "host" "check" (func $check (param i32) (result i32)))
      (func (export "f") (param i32) (result i32) (call $check (local.get 0))))"#;
    for tier in [Tier::Interp, Tier::Jit, Tier::Auto] {
        let mut config = Config::new();
        config.tier(tier);
        let engine = Engine::new(&config).unwrap();
        let module = Module::new(&engine, wat).unwrap();
        let mut linker = Linker::new(&engine);
        linker
            .func_wrap("host", "check", |x: i32| -> i32 {
                if x == 1 {
                    std::panic::resume_unwind(Box::new("host function panicked"));
                }
                x
            })
            .unwrap();
        let mut store = Store::new(&engine, ());
        let inst = linker.instantiate(&mut store, &module).unwrap();
        let f = inst.get_typed_func::<i32, i32>(&store, "f").unwrap();
        // More than the interpreter's limit of nested entries (200).
        for _ in 0..300 {
            let r = catch_unwind(AssertUnwindSafe(|| f.call(&mut store, 1)));
            let payload = r.expect_err("the panic reaches the embedder");
            assert_eq!(
                payload.downcast_ref::<&str>(),
                Some(&"host function panicked")
            );
        }
        assert_eq!(f.call(&mut store, 2).unwrap(), 2, "tier {tier:?}");
    }
}

/// Functions beyond the JIT's compile budget (body size, control-flow items) are not
/// compiled, since Cranelift's memory grows with them; they run in the interpreter, in the
/// jit tier as in auto, with the same results.
#[test]
fn functions_beyond_the_compile_budget_stay_interpreted() {
    let nested = format!(
        r#"(module (func (export "f") (result i32) {} (i32.const 5) {}))"#,
        "(block (result i32) ".repeat(50_001),
        ")".repeat(50_001)
    );
    // About 300 KB of straight-line code.
    let straight = format!(
        r#"(module (func (export "f") (result i32) (local i32) {} (local.get 0)))"#,
        "(local.set 0 (i32.add (local.get 0) (i32.const 1)))".repeat(40_000)
    );
    for (wat, expected, reason) in [
        (&nested, 5, "branch-table targets"),
        (&straight, 40_000, "bytes"),
    ] {
        let wasm = wat::parse_str(wat).unwrap();
        let (_, compiled) = compile(&wasm, &TypeRegistry::default());
        assert_eq!(compiled.skipped.len(), 1, "{reason}");
        assert!(
            compiled.skipped[0].1.contains(reason),
            "{:?}",
            compiled.skipped
        );

        let engine = Engine::new(Config::new().tier(Tier::Jit)).unwrap();
        let module = Module::new(&engine, &wasm).unwrap();
        let mut store = Store::new(&engine, ());
        let instance = Linker::new(&engine)
            .instantiate(&mut store, &module)
            .unwrap();
        let f = instance.get_typed_func::<(), i32>(&store, "f").unwrap();
        assert_eq!(f.call(&mut store, ()).unwrap(), expected, "{reason}");
    }
}
