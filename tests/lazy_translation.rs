//! Lazy translation (`Config::lazy_translation`, on by default): every function body is
//! validated when the module is made, and translated for the interpreter on its first call,
//! once, for every store and thread that uses the module.

use std::sync::{Arc, Barrier};

use wasmtier::{Config, Engine, Error, Instance, Linker, Module, Store, Tier, TrapKind};

fn engine(tier: Tier, lazy: bool) -> Engine {
    let mut config = Config::new();
    config.tier(tier).lazy_translation(lazy);
    Engine::new(&config).unwrap()
}

/// The tiers this build has that run functions in the interpreter first.
fn interpreting_tiers() -> Vec<Tier> {
    [Tier::Interp, Tier::Auto]
        .into_iter()
        .filter(|tier| Engine::new(Config::new().tier(*tier)).is_ok())
        .collect()
}

/// `count` exported functions `f0`..: `fN` returns N.
fn many_funcs(count: usize) -> String {
    let mut wat = String::from("(module\n");
    for i in 0..count {
        wat.push_str(&format!(
            "  (func (export \"f{i}\") (result i32) (i32.add (i32.const {i}) (i32.const 0)))\n"
        ));
    }
    wat
}

#[test]
fn an_invalid_body_after_many_valid_ones_fails_the_module() {
    let mut wat = many_funcs(500);
    // Returns an i64 where an i32 is declared.
    wat.push_str("  (func (result i32) (i64.const 7)))");
    let mut messages = Vec::new();
    for lazy in [true, false] {
        for tier in interpreting_tiers() {
            match Module::new(&engine(tier, lazy), &wat) {
                Err(Error::Invalid(message)) => messages.push(message),
                other => panic!("lazy {lazy}, tier {tier}: {other:?}"),
            }
        }
    }
    // Lazily or not, the module fails with the same error.
    assert!(messages.windows(2).all(|w| w[0] == w[1]), "{messages:?}");
    assert!(messages[0].contains("type mismatch"), "{messages:?}");
}

/// A function whose body is `n` bytes of valid code or more.
fn big_func(n: usize) -> String {
    let mut wat = String::from("  (func (result i32)\n");
    for _ in 0..n / 3 {
        wat.push_str("    (drop (i32.const 1))\n");
    }
    wat.push_str("    (i32.const 0))\n");
    wat
}

#[test]
fn large_modules_validate_in_parallel_and_report_the_first_invalid_body() {
    // Eight functions of 100 KB: big enough for a thread each. Bodies 5 and 7 are invalid
    // in different ways; whatever the thread count, body 5's error wins, and it wins over
    // the GC instruction (valid, but not run yet) of body 1.
    let gc_func = "  (func (drop (struct.new $s)))\n";
    let mut wat = String::from("(module (type $s (struct))\n");
    for i in 0..8 {
        wat.push_str(&big_func(100_000));
        match i {
            1 => wat.push_str(gc_func),
            5 => wat.push_str("  (func (result i32) (i64.const 7))\n"),
            7 => wat.push_str("  (func (result i32) (f32.const 7))\n"),
            _ => {}
        }
    }
    wat.push(')');
    let binary = wat::parse_str(&wat).unwrap();
    for threads in [1, 2, 3, 8] {
        for tier in interpreting_tiers() {
            let mut config = Config::new();
            config.tier(tier).compile_threads(threads);
            match Module::from_binary(&Engine::new(&config).unwrap(), &binary) {
                Err(Error::Invalid(message)) => assert!(
                    message.contains("expected i32, found i64"),
                    "threads {threads}, tier {tier}: {message}"
                ),
                other => panic!("threads {threads}, tier {tier}: {other:?}"),
            }
        }
    }
    // Without the invalid bodies, the module is valid on any number of threads, and
    // refused as unsupported with the GC instruction.
    let mut wat = String::from("(module (type $s (struct))\n");
    for _ in 0..8 {
        wat.push_str(&big_func(100_000));
    }
    let unsupported = wat.clone() + gc_func + ")";
    wat.push(')');
    for threads in [1, 4] {
        let mut config = Config::new();
        config.tier(Tier::Interp).compile_threads(threads);
        let engine = Engine::new(&config).unwrap();
        assert!(Module::new(&engine, &wat).is_ok());
        let refused = Module::new(&engine, &unsupported);
        assert!(
            matches!(refused, Err(Error::Unsupported(_))),
            "threads {threads}: {refused:?}"
        );
    }
}

#[test]
fn a_malformed_body_after_valid_ones_is_still_malformed() {
    // Valid functions, then a body whose instruction stream ends early.
    let valid = wat::parse_str(many_funcs(20) + ")").unwrap();
    let mut binary = valid.clone();
    // The last body is `00 41 13 41 00 6a 0b` (no locals; i32.const 19; i32.const 0; i32.add;
    // end): make its first opcode an unknown one.
    let body = [0x00, 0x41, 0x13, 0x41, 0x00, 0x6a, 0x0b];
    let at = binary
        .windows(body.len())
        .rposition(|w| w == body)
        .expect("the last function's body");
    binary[at + 1] = 0xff;
    for lazy in [true, false] {
        let result = Module::from_binary(&engine(Tier::Interp, lazy), &binary);
        assert!(
            matches!(result, Err(Error::Malformed(_))),
            "lazy {lazy}: {result:?}"
        );
    }
    assert!(Module::from_binary(&engine(Tier::Interp, true), &valid).is_ok());
}

/// `wat`, whose last function is `(func (drop (memory.size)))`, in binary with that
/// function's reserved memory index encoded as `80 00`: wasmparser reads it as index 0, Wasm
/// 2.0 calls it malformed.
fn with_wide_memory_index(wat: &str) -> Vec<u8> {
    let mut binary = wat::parse_str(wat).unwrap();
    // The last body: size, no locals, memory.size 0, drop, end.
    let body = [0x05, 0x00, 0x3f, 0x00, 0x1a, 0x0b];
    let at = binary.len() - body.len();
    assert_eq!(binary[at..], body);
    binary.truncate(at);
    binary.extend([0x06, 0x00, 0x3f, 0x80, 0x00, 0x1a, 0x0b]);
    // The code section (the last one) is one byte longer now.
    let code = find_code_section(&binary);
    let (size, len) = read_leb(&binary[code + 1..]);
    let mut fixed = binary[..code + 1].to_vec();
    write_leb(&mut fixed, size + 1);
    fixed.extend_from_slice(&binary[code + 1 + len..]);
    fixed
}

#[test]
fn reserved_bytes_are_checked_and_malformed_wins_over_invalid() {
    let valid = format!(
        "(module (memory 1)\n{}  (func (drop (memory.size))))",
        &many_funcs(10)[8..]
    );
    // An invalid body before the others.
    let invalid = valid.replacen(
        "(memory 1)",
        "(memory 1) (func (result i32) (i64.const 7))",
        1,
    );
    for wat in [&valid, &invalid] {
        // The spec decodes the whole module before it validates: a malformed body anywhere
        // makes the module malformed, also when an earlier body is invalid.
        let binary = with_wide_memory_index(wat);
        for lazy in [true, false] {
            // Without multi-memory the index is a reserved zero byte (with it, an overlong
            // LEB128 of 0 is a valid memory index).
            let mut config = Config::new();
            config.lazy_translation(lazy).wasm_multi_memory(false);
            match Module::from_binary(&Engine::new(&config).unwrap(), &binary) {
                Err(Error::Malformed(message)) => {
                    assert!(message.contains("zero byte expected"), "{message}")
                }
                other => panic!("lazy {lazy}: {other:?}"),
            }
        }
    }
    for lazy in [true, false] {
        let engine = engine(Tier::Interp, lazy);
        assert!(Module::new(&engine, &valid).is_ok());
        let result = Module::new(&engine, &invalid);
        assert!(matches!(result, Err(Error::Invalid(_))), "{result:?}");
    }
}

/// Offset of the code section's id byte in a module with types, functions, memory and code.
fn find_code_section(binary: &[u8]) -> usize {
    let mut at = 8;
    loop {
        let id = binary[at];
        if id == 10 {
            return at;
        }
        let (size, len) = read_leb(&binary[at + 1..]);
        at += 1 + len + size as usize;
    }
}

fn read_leb(bytes: &[u8]) -> (u32, usize) {
    let (mut value, mut shift) = (0u32, 0);
    for (i, byte) in bytes.iter().enumerate() {
        value |= u32::from(byte & 0x7f) << shift;
        if byte & 0x80 == 0 {
            return (value, i + 1);
        }
        shift += 7;
    }
    panic!("unterminated LEB128");
}

fn write_leb(out: &mut Vec<u8>, mut value: u32) {
    loop {
        let byte = (value & 0x7f) as u8;
        value >>= 7;
        if value == 0 {
            out.push(byte);
            return;
        }
        out.push(byte | 0x80);
    }
}

#[test]
fn only_called_functions_are_translated() {
    for tier in interpreting_tiers() {
        let module = Module::new(&engine(tier, true), many_funcs(100) + ")").unwrap();
        assert_eq!(module.translated_funcs(), (0, 100), "{tier}");
        let mut store = Store::new(module.engine(), ());
        let instance = Instance::new(&mut store, &module, &[]).unwrap();
        assert_eq!(module.translated_funcs(), (0, 100), "{tier}: instantiation");
        let f7 = instance.get_typed_func::<(), i32>(&store, "f7").unwrap();
        for _ in 0..3 {
            assert_eq!(f7.call(&mut store, ()).unwrap(), 7);
        }
        assert_eq!(module.translated_funcs(), (1, 100), "{tier}");
        // Statistics do not translate anything, and report no calls of the others (and,
        // without tiering, none at all).
        let stats = module.tier_stats();
        let counted = usize::from(module.engine().tiers_up());
        assert_eq!(stats.funcs.iter().filter(|f| f.calls > 0).count(), counted);
        assert_eq!(module.translated_funcs(), (1, 100), "{tier}: stats");

        let eager = Module::new(&engine(tier, false), many_funcs(100) + ")").unwrap();
        assert_eq!(eager.translated_funcs(), (100, 100), "{tier}: eager");
    }
}

#[test]
fn disassembly_translates_on_demand() {
    let module = Module::new(&engine(Tier::Interp, true), many_funcs(3) + ")").unwrap();
    for index in 0..3 {
        let listing = module.disassemble(index).unwrap();
        assert!(listing.lines().count() > 1, "{listing}");
    }
    assert_eq!(module.translated_funcs(), (3, 3));
}

/// Calls through each kind of call instruction, into functions that are translated by then
/// only if an earlier call translated them.
const CALLS: &str = r#"(module
  (type $t (func (param i32) (result i32)))
  (table 2 funcref)
  (elem (i32.const 0) $double $square)
  (func $double (type $t) (i32.mul (local.get 0) (i32.const 2)))
  (func $square (type $t) (i32.mul (local.get 0) (local.get 0)))
  (func $unused (type $t) (local.get 0))
  (func (export "direct") (param i32) (result i32) (call $double (local.get 0)))
  (func (export "indirect") (param i32 i32) (result i32)
    (call_indirect (type $t) (local.get 0) (local.get 1)))
  (func (export "square") (type $t) (call $square (local.get 0))))"#;

#[test]
fn every_call_path_translates_its_callee() {
    for tier in interpreting_tiers() {
        let module = Module::new(&engine(tier, true), CALLS).unwrap();
        let mut store = Store::new(module.engine(), ());
        let instance = Instance::new(&mut store, &module, &[]).unwrap();
        let indirect = instance
            .get_typed_func::<(i32, i32), i32>(&store, "indirect")
            .unwrap();
        // `call_indirect` into `$square`, not translated yet.
        assert_eq!(indirect.call(&mut store, (5, 1)).unwrap(), 25, "{tier}");
        assert_eq!(module.translated_funcs(), (2, 6), "{tier}");
        let direct = instance
            .get_typed_func::<i32, i32>(&store, "direct")
            .unwrap();
        // A direct call into `$double`, not translated yet.
        assert_eq!(direct.call(&mut store, 21).unwrap(), 42, "{tier}");
        assert_eq!(module.translated_funcs(), (4, 6), "{tier}");
        // A direct call into `$square`, translated by the indirect call.
        let square = instance
            .get_typed_func::<i32, i32>(&store, "square")
            .unwrap();
        assert_eq!(square.call(&mut store, 3).unwrap(), 9, "{tier}");
        assert_eq!(indirect.call(&mut store, (4, 0)).unwrap(), 8, "{tier}");
        assert_eq!(module.translated_funcs(), (5, 6), "{tier}");
    }
}

#[test]
fn a_call_into_another_instance_translates_its_module() {
    let engine = engine(Tier::Interp, true);
    let lib = Module::new(&engine, CALLS).unwrap();
    let user = Module::new(
        &engine,
        r#"(module
          (import "lib" "square" (func $square (param i32) (result i32)))
          (func (export "run") (param i32) (result i32) (call $square (local.get 0))))"#,
    )
    .unwrap();
    let mut store = Store::new(&engine, ());
    let lib_instance = Instance::new(&mut store, &lib, &[]).unwrap();
    let mut linker = Linker::new(&engine);
    linker.instance(&store, "lib", lib_instance).unwrap();
    let instance = linker.instantiate(&mut store, &user).unwrap();
    let run = instance.get_typed_func::<i32, i32>(&store, "run").unwrap();
    assert_eq!(run.call(&mut store, 12).unwrap(), 144);
    assert_eq!(lib.translated_funcs(), (2, 6));
    assert_eq!(user.translated_funcs(), (1, 1));
}

#[test]
fn concurrent_first_calls_translate_a_function_once() {
    const THREADS: usize = 4;
    for tier in interpreting_tiers() {
        for round in 0..50 {
            let module = Module::new(&engine(tier, true), CALLS).unwrap();
            let barrier = Arc::new(Barrier::new(THREADS));
            let threads: Vec<_> = (0..THREADS)
                .map(|i| {
                    let module = module.clone();
                    let barrier = barrier.clone();
                    std::thread::spawn(move || {
                        // A store (and instance) per thread: they share the module's code.
                        let mut store = Store::new(module.engine(), ());
                        let instance = Instance::new(&mut store, &module, &[]).unwrap();
                        let indirect = instance
                            .get_typed_func::<(i32, i32), i32>(&store, "indirect")
                            .unwrap();
                        let direct = instance
                            .get_typed_func::<i32, i32>(&store, "direct")
                            .unwrap();
                        let n = i as i32 + 1;
                        barrier.wait();
                        assert_eq!(direct.call(&mut store, n).unwrap(), 2 * n);
                        assert_eq!(indirect.call(&mut store, (n, 1)).unwrap(), n * n);
                        assert_eq!(indirect.call(&mut store, (n, 0)).unwrap(), 2 * n);
                    })
                })
                .collect();
            for t in threads {
                t.join().unwrap();
            }
            // `direct`, `$double`, `indirect`, `$square`: each counted once.
            assert_eq!(module.translated_funcs(), (4, 6), "{tier}, round {round}");
        }
    }
}

/// A valid function the interpreter cannot translate: its operand stack needs more slots
/// than a frame can address (65535).
fn beyond_the_branch_limit() -> String {
    let consts = "(i32.const 0) ".repeat(70_000);
    format!(
        r#"(module
          (type $t (func))
          (table 1 funcref)
          (elem (i32.const 0) $big)
          (func $big (block {consts} (br 0)))
          (func (export "ok") (result i32) (i32.const 1))
          (func (export "big") (call $big))
          (func (export "direct") (call $big))
          (func (export "indirect") (call_indirect (type $t) (i32.const 0))))"#
    )
}

#[test]
fn a_function_beyond_an_interpreter_limit_traps_when_called() {
    let wat = beyond_the_branch_limit();
    for tier in interpreting_tiers() {
        let module = Module::new(&engine(tier, true), &wat).unwrap();
        let mut store = Store::new(module.engine(), ());
        let instance = Instance::new(&mut store, &module, &[]).unwrap();
        let ok = instance.get_typed_func::<(), i32>(&store, "ok").unwrap();
        assert_eq!(ok.call(&mut store, ()).unwrap(), 1);
        // From the host, through a direct call and through the table; twice, as the
        // failure is remembered.
        for name in ["big", "direct", "indirect", "big", "direct", "indirect"] {
            let f = instance.get_typed_func::<(), ()>(&store, name).unwrap();
            let err = f.call(&mut store, ()).unwrap_err();
            let trap = err
                .as_trap()
                .unwrap_or_else(|| panic!("{tier} {name}: {err}"));
            assert!(
                matches!(trap.kind(), TrapKind::Unsupported(_)),
                "{tier} {name}: {trap:?}"
            );
            let message = trap.to_string();
            assert!(message.contains("function 0"), "{message}");
            assert!(message.contains("65535"), "{message}");
            if name != "big" {
                // The caller is on the backtrace.
                assert!(trap.has_backtrace(), "{tier} {name}: {trap:?}");
            }
        }
        // The store is still usable.
        assert_eq!(ok.call(&mut store, ()).unwrap(), 1);
        let listing = module.disassemble(0).unwrap();
        assert!(listing.contains("no bytecode"), "{listing}");
    }
    // Eager translation rejects the module instead.
    match Module::new(&engine(Tier::Interp, false), &wat) {
        Err(Error::Unsupported(message)) => assert!(message.contains("65535"), "{message}"),
        other => panic!("{other:?}"),
    }
}
