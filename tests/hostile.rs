//! Hostile guests against the embedding API, in every tier: attacks that need a host
//! function's help (re-entering wasm from the host). The attacks run through the CLI,
//! with their memory and time measured per process, are in `cli/tests/hostile.rs`.

use wasmtier::{Caller, Config, Engine, Linker, Module, Store, Tier};

fn engines() -> Vec<(&'static str, Engine)> {
    let mut auto_early = Config::new();
    auto_early
        .tier(Tier::Auto)
        .tier_threshold(2)
        .synchronous_compilation(true);
    [
        ("interp", Config::new().tier(Tier::Interp).clone()),
        ("jit", Config::new().tier(Tier::Jit).clone()),
        ("auto", Config::new().tier(Tier::Auto).clone()),
        ("auto-early", auto_early),
    ]
    .into_iter()
    .filter_map(|(name, config)| Engine::new(&config).ok().map(|e| (name, e)))
    .collect()
}

/// Wasm calls the host, which calls wasm again, without end: each round trip nests a host
/// frame between wasm frames. It must end with "call stack exhausted", not overflow the
/// native stack (which would kill the process).
#[test]
fn unbounded_recursion_through_host_calls_traps() {
    let wat = r#"(module
        (import "host" "reenter" (func $reenter (param i32) (result i32)))
        (func (export "down") (param i32) (result i32)
            (if (result i32) (i32.eqz (local.get 0))
                (then (i32.const 0))
                (else (i32.add (i32.const 1)
                    (call $reenter (i32.sub (local.get 0) (i32.const 1))))))))"#;
    for (tier, engine) in engines() {
        let module = Module::new(&engine, wat).unwrap();
        let mut linker = Linker::new(&engine);
        linker
            .func_wrap(
                "host",
                "reenter",
                |mut caller: Caller<'_, ()>, n: i32| -> Result<i32, wasmtier::Trap> {
                    let down = caller
                        .get_export("down")
                        .and_then(|e| e.into_func())
                        .expect("exported");
                    let down = down.typed::<i32, i32>(&caller).expect("typed");
                    down.call(&mut caller, n).map_err(|e| match e {
                        wasmtier::Error::Trap(t) => t,
                        other => wasmtier::Trap::host(other.to_string()),
                    })
                },
            )
            .unwrap();
        let mut store = Store::new(&engine, ());
        let instance = linker.instantiate(&mut store, &module).unwrap();
        let down = instance.get_typed_func::<i32, i32>(&store, "down").unwrap();
        assert_eq!(down.call(&mut store, 100).unwrap(), 100, "{tier}");
        let err = down.call(&mut store, 10_000_000).unwrap_err();
        assert!(
            err.to_string().contains("call stack exhausted"),
            "{tier}: {err}"
        );
        // The store is still usable afterwards.
        assert_eq!(down.call(&mut store, 10).unwrap(), 10, "{tier}");
    }
}
