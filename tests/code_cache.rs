//! Precompiled modules (`Engine::precompile_module`, `Module::deserialize`) and the on-disk
//! code cache of `Tier::Jit` (`Config::cache_dir`, `Module::cache_status`). The artifact
//! format's own checks (forged keys, every truncation, corruption) are unit tests of
//! `wasmtier_jit::artifact`.

#![cfg(feature = "jit")]

use std::path::{Path, PathBuf};

use wasmtier::{CacheStatus, Config, Engine, Error, Linker, Module, Store, Tier, TrapCode};

/// Direct calls, a call through a table (so a type check against the engine's type ids),
/// a trap under two frames, a memory with data, and a name section.
const WAT: &str = r#"(module
    (type $un (func (param i32) (result i32)))
    (memory 1)
    (data (i32.const 16) "\2a\00\00\00")
    (table funcref (elem $double $inv))
    (func $double (param i32) (result i32) (i32.mul (local.get 0) (i32.const 2)))
    (func $inv (param i32) (result i32) (i32.div_u (i32.const 100) (local.get 0)))
    (func $via_table (export "via_table") (param i32 i32) (result i32)
      (call_indirect (type $un) (local.get 1) (local.get 0)))
    (func $run (export "run") (param i32) (result i32)
      (i32.add (i32.load (i32.const 16)) (call $via_table (i32.const 1) (local.get 0)))))"#;

fn jit_config() -> Config {
    let mut config = Config::new();
    config.tier(Tier::Jit);
    config
}

fn engine(config: &Config) -> Engine {
    Engine::new(config).unwrap()
}

/// `run(x)` = 42 + 100 / x, `via_table(0, x)` = 2x; `run(0)` traps under `run` and `inv`.
fn check_behaviour(module: &Module) {
    let engine = module.engine();
    // Types interned before the module's: another engine's type ids differ from the ones
    // the code was compiled with, which must not matter.
    let mut linker = Linker::new(engine);
    linker
        .func_wrap("env", "unused", |a: i64, b: f64| a as f64 + b)
        .unwrap();
    let mut store = Store::new(engine, ());
    let instance = linker.instantiate(&mut store, module).unwrap();
    let run = instance.get_typed_func::<i32, i32>(&store, "run").unwrap();
    assert_eq!(run.call(&mut store, 5).unwrap(), 62);
    let via_table = instance
        .get_typed_func::<(i32, i32), i32>(&store, "via_table")
        .unwrap();
    assert_eq!(via_table.call(&mut store, (0, 21)).unwrap(), 42);
    let err = run.call(&mut store, 0).unwrap_err();
    let trap = err.as_trap().expect("a trap");
    assert_eq!(trap.code(), Some(TrapCode::IntegerDivideByZero));
    let names: Vec<_> = trap
        .backtrace()
        .iter()
        .map(|f| f.func_name.clone().unwrap_or_default())
        .collect();
    assert_eq!(names, ["inv", "via_table", "run"]);
}

fn scratch_dir(name: &str) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!("code_cache-{name}"));
    let _ = std::fs::remove_dir_all(&dir);
    dir
}

fn deserialize(engine: &Engine, bytes: &[u8]) -> wasmtier::Result<Module> {
    // SAFETY: the bytes come from this test's own `precompile_module` (or damaged copies of
    // them, which must be refused before anything runs).
    unsafe { Module::deserialize(engine, bytes) }
}

#[test]
fn precompiled_module_round_trip() {
    let artifact = engine(&jit_config())
        .precompile_module(WAT.as_bytes())
        .unwrap();
    assert!(Module::is_precompiled(&artifact));
    assert!(!Module::is_precompiled(WAT.as_bytes()));
    // Loaded by another engine with the same settings, in which other types were interned
    // first.
    let other = engine(&jit_config());
    Module::new(&other, "(module (func (param f32 f32 f32)))").unwrap();
    let module = deserialize(&other, &artifact).unwrap();
    assert_eq!(module.cache_status(), &CacheStatus::Precompiled);
    check_behaviour(&module);
    // From a file too.
    let dir = scratch_dir("file");
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("m.cwasm");
    std::fs::write(&path, &artifact).unwrap();
    // SAFETY: written just above by this test.
    let module = unsafe { Module::deserialize_file(&other, &path) }.unwrap();
    check_behaviour(&module);
}

#[test]
fn damaged_or_mismatching_precompiled_modules_are_refused() {
    let artifact = engine(&jit_config())
        .precompile_module(WAT.as_bytes())
        .unwrap();
    let refused = |engine: &Engine, bytes: &[u8]| match deserialize(engine, bytes) {
        Ok(_) => panic!("a damaged or mismatching artifact was loaded"),
        Err(Error::Artifact(message)) => message,
        Err(other) => panic!("unexpected error {other}"),
    };
    let jit = engine(&jit_config());
    let e = refused(&jit, &artifact[..artifact.len() / 2]);
    assert!(e.contains("truncated"), "{e}");
    let mut corrupted = artifact.clone();
    let middle = corrupted.len() / 2;
    corrupted[middle] ^= 1;
    let e = refused(&jit, &corrupted);
    assert!(e.contains("corrupted"), "{e}");
    // Code-relevant settings differ: fuel, bounds checks, a wasm feature.
    for change in [
        (|c: &mut Config| {
            c.consume_fuel(true);
        }) as fn(&mut Config),
        |c| {
            c.jit_bounds_checks(true);
        },
        |c| {
            c.wasm_tail_call(false);
        },
    ] {
        let mut config = jit_config();
        change(&mut config);
        let e = refused(&engine(&config), &artifact);
        assert!(e.contains("another configuration"), "{e}");
    }
    // Settings that do not change the code do not matter.
    let mut config = jit_config();
    config.max_wasm_stack(1 << 20).lazy_translation(false);
    check_behaviour(&deserialize(&engine(&config), &artifact).unwrap());
    // Only JIT engines load machine code, and only JIT engines make it.
    let interp = Engine::default();
    assert!(matches!(
        deserialize(&interp, &artifact),
        Err(Error::Usage(_))
    ));
    assert!(interp.precompile_module(WAT.as_bytes()).is_err());
}

#[test]
fn second_load_hits_the_cache() {
    let dir = scratch_dir("hit");
    let mut config = jit_config();
    config.cache_dir(&dir);
    let first = Module::new(&engine(&config), WAT).unwrap();
    let CacheStatus::Stored(path) = first.cache_status().clone() else {
        panic!("not stored: {:?}", first.cache_status());
    };
    assert!(path.starts_with(&dir) && path.exists());
    check_behaviour(&first);
    // Another engine (another process would be the same): loaded, not compiled.
    let second = Module::new(&engine(&config), WAT).unwrap();
    assert_eq!(second.cache_status(), &CacheStatus::Hit(path.clone()));
    check_behaviour(&second);
    // Other bytes or other code-relevant settings are other entries.
    let other = Module::new(&engine(&config), format!("{WAT}\n;; comment")).unwrap();
    assert!(
        matches!(other.cache_status(), CacheStatus::Hit(_)),
        "same binary"
    );
    let changed = WAT.replace("i32.const 2", "i32.const 3");
    let other = Module::new(&engine(&config), changed).unwrap();
    assert!(matches!(other.cache_status(), CacheStatus::Stored(p) if *p != path));
    config.consume_fuel(true);
    let fueled = Module::new(&engine(&config), WAT).unwrap();
    assert!(matches!(fueled.cache_status(), CacheStatus::Stored(p) if *p != path));
    // Nothing but entries in the directory: no temporary file left behind.
    for entry in std::fs::read_dir(&dir).unwrap() {
        let name = entry.unwrap().file_name();
        assert!(name.to_string_lossy().ends_with(".cwasm"), "{name:?}");
    }
}

#[test]
fn damaged_entries_are_recompiled_and_replaced() {
    let dir = scratch_dir("damaged");
    let mut config = jit_config();
    config.cache_dir(&dir);
    let first = Module::new(&engine(&config), WAT).unwrap();
    let CacheStatus::Stored(path) = first.cache_status().clone() else {
        panic!("not stored");
    };
    let good = std::fs::read(&path).unwrap();
    let mut corrupted = good.clone();
    let at = good.len() * 2 / 3;
    corrupted[at] ^= 0x80;
    for damaged in [
        corrupted,
        good[..good.len() - 100].to_vec(),
        b"garbage".to_vec(),
    ] {
        std::fs::write(&path, damaged).unwrap();
        let module = Module::new(&engine(&config), WAT).unwrap();
        assert_eq!(module.cache_status(), &CacheStatus::Stored(path.clone()));
        check_behaviour(&module);
        assert!(std::fs::read(&path).unwrap() == good, "entry replaced");
        let again = Module::new(&engine(&config), WAT).unwrap();
        assert_eq!(again.cache_status(), &CacheStatus::Hit(path.clone()));
    }
}

#[test]
fn an_unusable_cache_directory_never_fails_the_module() {
    let dir = scratch_dir("unusable");
    std::fs::create_dir_all(&dir).unwrap();
    // A file where the cache directory should be.
    let not_a_dir = dir.join("file");
    std::fs::write(&not_a_dir, "x").unwrap();
    let mut config = jit_config();
    config.cache_dir(not_a_dir.join("cache"));
    let module = Module::new(&engine(&config), WAT).unwrap();
    assert!(
        matches!(module.cache_status(), CacheStatus::Unavailable(why) if why.contains("cannot create")),
        "{:?}",
        module.cache_status()
    );
    check_behaviour(&module);
}

#[test]
fn cache_is_off_by_default_and_outside_the_jit_tier() {
    let module = Module::new(&engine(&jit_config()), WAT).unwrap();
    assert_eq!(module.cache_status(), &CacheStatus::Off);
    let dir = scratch_dir("off");
    let mut config = jit_config();
    config.cache_dir(&dir).disable_cache();
    let module = Module::new(&engine(&config), WAT).unwrap();
    assert_eq!(module.cache_status(), &CacheStatus::Off);
    // `auto` and the interpreter compile nothing up front: no cache, unchanged behaviour.
    for tier in [Tier::Auto, Tier::Interp] {
        let mut config = Config::new();
        config.tier(tier).cache_dir(&dir);
        let module = Module::new(&engine(&config), WAT).unwrap();
        assert_eq!(module.cache_status(), &CacheStatus::Off);
        check_behaviour(&module);
    }
    // Code compiled with a filter cannot be keyed; its IR dump needs a real compilation.
    let mut config = jit_config();
    config.cache_dir(&dir).jit_filter(|_, index| index != 1);
    let module = Module::new(&engine(&config), WAT).unwrap();
    assert_eq!(module.cache_status(), &CacheStatus::Off);
    check_behaviour(&module);
    assert!(!dir.exists());
}

#[test]
fn concurrent_writers_of_one_entry() {
    let dir = scratch_dir("concurrent");
    let mut config = jit_config();
    config.cache_dir(&dir);
    let statuses: Vec<CacheStatus> = std::thread::scope(|scope| {
        let handles: Vec<_> = (0..4)
            .map(|_| {
                let config = config.clone();
                scope.spawn(move || {
                    let module = Module::new(&engine(&config), WAT).unwrap();
                    check_behaviour(&module);
                    module.cache_status().clone()
                })
            })
            .collect();
        handles.into_iter().map(|h| h.join().unwrap()).collect()
    });
    // Each either stored the entry or found one already stored; all are the same entry.
    let paths: Vec<_> = statuses
        .iter()
        .map(|s| match s {
            CacheStatus::Stored(p) | CacheStatus::Hit(p) => p.clone(),
            other => panic!("{other:?}"),
        })
        .collect();
    assert!(paths.iter().all(|p| *p == paths[0]));
    let entries: Vec<_> = std::fs::read_dir(&dir).unwrap().collect();
    assert_eq!(entries.len(), 1, "one entry, no temporary file left");
    let module = Module::new(&engine(&config), WAT).unwrap();
    assert_eq!(module.cache_status(), &CacheStatus::Hit(paths[0].clone()));
}
