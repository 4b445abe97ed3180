//! SIMD in the JIT where a `v128` crosses a boundary of compiled code: the array calling
//! convention (two slots per `v128`), host calls through trampolines, globals, direct,
//! indirect and tail calls, block parameters, `select`; and SIMD memory accesses at the end
//! of memory with guard pages and with explicit bounds checks, 32- and 64-bit. (The
//! operators themselves are covered by the spec suites.)

use wasmtier::{Caller, Config, Engine, Instance, Linker, Module, Store, Tier, Val};

fn engine(bounds_checks: bool) -> Engine {
    let mut config = Config::new();
    config
        .tier(Tier::Jit)
        .wasm_simd(true)
        .wasm_relaxed_simd(true)
        .jit_bounds_checks(bounds_checks);
    Engine::new(&config).unwrap()
}

/// An i32x4 vector with lanes `l` (lane 0 in the low bits).
fn i32x4(l: [u32; 4]) -> u128 {
    l.iter()
        .rev()
        .fold(0u128, |acc, &lane| (acc << 32) | lane as u128)
}

const BOUNDARIES: &str = r#"(module
  (import "host" "swap" (func $swap (param v128 i32 v128) (result v128 i64 v128)))
  (global $g (export "g") (mut v128) (v128.const i32x4 1 2 3 4))
  (table 2 funcref)
  (elem (i32.const 0) $add $sub)
  (type $bin (func (param v128 v128) (result v128)))
  (func $add (type $bin) (i32x4.add (local.get 0) (local.get 1)))
  (func $sub (type $bin) (i32x4.sub (local.get 0) (local.get 1)))

  ;; Values of every width mixed, so that each one's slot offset matters.
  (func (export "mix") (param i32 v128 f64 v128) (result v128 i64 v128)
    (i32x4.add (local.get 1) (i32x4.splat (local.get 0)))
    (i64.trunc_f64_s (local.get 2))
    (local.get 3))

  (func (export "host") (param v128 v128) (result v128)
    (local v128)
    (call $swap (local.get 0) (i32.const 7) (local.get 1))
    (local.set 2)
    (drop)
    ;; (b + a) with a and b swapped by the host.
    (i32x4.add (local.get 2)))

  (func (export "global") (param v128) (result v128)
    (global.get $g)
    (global.set $g (local.get 0)))

  (func (export "direct") (param v128 v128) (result v128)
    (call $sub (local.get 0) (local.get 1)))

  (func (export "indirect") (param v128 v128 i32) (result v128)
    (call_indirect (type $bin) (local.get 0) (local.get 1) (local.get 2)))

  (func $count (param v128 i32) (result v128)
    (if (result v128) (i32.eqz (local.get 1))
      (then (local.get 0))
      (else (return_call $count (i32x4.add (local.get 0) (v128.const i32x4 1 1 1 1))
                                (i32.sub (local.get 1) (i32.const 1))))))
  (func (export "tail") (param v128 i32) (result v128) (return_call $count (local.get 0) (local.get 1)))

  (func (export "tail_indirect") (param v128 v128 i32) (result v128)
    (return_call_indirect (type $bin) (local.get 0) (local.get 1) (local.get 2)))

  (func (export "select") (param v128 v128 i32) (result v128)
    (select (result v128) (local.get 0) (local.get 1) (local.get 2)))

  ;; A loop whose parameter is a v128: doubles every lane n times.
  (func (export "blocks") (param v128 i32) (result v128)
    (local.get 0)
    (loop $l (param v128) (result v128)
      (i32x4.add (local.tee 0) (local.get 0))
      (local.tee 1 (i32.sub (local.get 1) (i32.const 1)))
      (br_if $l))
    (block (param v128) (result v128) (nop))))"#;

fn boundaries() -> (Store<()>, Instance) {
    let engine = engine(false);
    let mut store = Store::new(&engine, ());
    let mut linker = Linker::new(&engine);
    linker
        .func_wrap(
            "host",
            "swap",
            |_: Caller<'_, ()>, a: u128, n: i32, b: u128| (b, n as i64, a),
        )
        .unwrap();
    let module = Module::new(&engine, BOUNDARIES).unwrap();
    let inst = linker.instantiate(&mut store, &module).unwrap();
    (store, inst)
}

#[test]
fn v128_params_and_results_take_two_slots() {
    let (mut store, inst) = boundaries();
    let mix = inst
        .get_typed_func::<(i32, u128, f64, u128), (u128, i64, u128)>(&store, "mix")
        .unwrap();
    let a = i32x4([1, 2, 3, 4]);
    let b = u128::MAX - 5;
    let (x, n, y) = mix.call(&mut store, (10, a, -3.5, b)).unwrap();
    assert_eq!(x, i32x4([11, 12, 13, 14]));
    assert_eq!(n, -3);
    assert_eq!(y, b);
}

#[test]
fn v128_through_host_calls() {
    let (mut store, inst) = boundaries();
    let host = inst
        .get_typed_func::<(u128, u128), u128>(&store, "host")
        .unwrap();
    let r = host
        .call(&mut store, (i32x4([1, 2, 3, 4]), i32x4([10, 20, 30, 40])))
        .unwrap();
    assert_eq!(r, i32x4([11, 22, 33, 44]));
}

#[test]
fn v128_globals() {
    let (mut store, inst) = boundaries();
    let global = inst.get_typed_func::<u128, u128>(&store, "global").unwrap();
    let first = i32x4([5, 6, 7, 8]);
    assert_eq!(global.call(&mut store, first).unwrap(), i32x4([1, 2, 3, 4]));
    let g = inst.get_global(&store, "g").unwrap();
    assert_eq!(g.get(&store).v128(), Some(first));
    g.set(&mut store, Val::V128(u128::MAX)).unwrap();
    assert_eq!(global.call(&mut store, 0).unwrap(), u128::MAX);
    assert_eq!(g.get(&store).v128(), Some(0));
}

#[test]
fn v128_through_direct_indirect_and_tail_calls() {
    let (mut store, inst) = boundaries();
    let (a, b) = (i32x4([10, 20, 30, 40]), i32x4([1, 2, 3, 4]));
    let direct = inst
        .get_typed_func::<(u128, u128), u128>(&store, "direct")
        .unwrap();
    assert_eq!(
        direct.call(&mut store, (a, b)).unwrap(),
        i32x4([9, 18, 27, 36])
    );
    let indirect = inst
        .get_typed_func::<(u128, u128, i32), u128>(&store, "indirect")
        .unwrap();
    assert_eq!(
        indirect.call(&mut store, (a, b, 0)).unwrap(),
        i32x4([11, 22, 33, 44])
    );
    assert_eq!(
        indirect.call(&mut store, (a, b, 1)).unwrap(),
        i32x4([9, 18, 27, 36])
    );
    let tail_indirect = inst
        .get_typed_func::<(u128, u128, i32), u128>(&store, "tail_indirect")
        .unwrap();
    assert_eq!(
        tail_indirect.call(&mut store, (a, b, 1)).unwrap(),
        i32x4([9, 18, 27, 36])
    );
    // Deep enough to overflow the stack unless the tail calls are real ones.
    let tail = inst
        .get_typed_func::<(u128, i32), u128>(&store, "tail")
        .unwrap();
    assert_eq!(
        tail.call(&mut store, (a, 1_000_000)).unwrap(),
        i32x4([1_000_010, 1_000_020, 1_000_030, 1_000_040])
    );
}

#[test]
fn v128_select_and_block_params() {
    let (mut store, inst) = boundaries();
    let (a, b) = (i32x4([1, 2, 3, 4]), i32x4([5, 6, 7, 8]));
    let select = inst
        .get_typed_func::<(u128, u128, i32), u128>(&store, "select")
        .unwrap();
    assert_eq!(select.call(&mut store, (a, b, 1)).unwrap(), a);
    assert_eq!(select.call(&mut store, (a, b, 0)).unwrap(), b);
    let blocks = inst
        .get_typed_func::<(u128, i32), u128>(&store, "blocks")
        .unwrap();
    assert_eq!(
        blocks.call(&mut store, (a, 3)).unwrap(),
        i32x4([8, 16, 24, 32])
    );
}

/// Loads and stores of every size at the very end of a one-page memory: the last access
/// in bounds succeeds, the first one out of bounds traps.
const AT_THE_END: &str = r#"(module
  (memory (export "mem") i64 1)
  (memory $m32 1)
  (func (export "load") (param i64) (result v128) (v128.load (local.get 0)))
  (func (export "load32") (param i32) (result v128) (v128.load $m32 offset=8 (local.get 0)))
  (func (export "store") (param i64 v128) (v128.store (local.get 0) (local.get 1)))
  (func (export "lane") (param i64) (result v128)
    (v128.load64_lane 1 (local.get 0) (v128.const i64x2 0 0)))
  (func (export "store_lane") (param i32 v128) (v128.store16_lane $m32 7 (local.get 0) (local.get 1)))
  (func (export "splat") (param i32) (result v128) (v128.load32_splat $m32 (local.get 0)))
  (func (export "extend") (param i64) (result v128) (v128.load8x8_u (local.get 0))))"#;

fn check_accesses_at_the_end(bounds_checks: bool) {
    let engine = engine(bounds_checks);
    let mut store = Store::new(&engine, ());
    let module = Module::new(&engine, AT_THE_END).unwrap();
    let inst = Instance::new(&mut store, &module, &[]).unwrap();
    let oob = "out of bounds memory access";
    let store_v = inst
        .get_typed_func::<(i64, u128), ()>(&store, "store")
        .unwrap();
    let pattern = 0x0f0e_0d0c_0b0a_0908_0706_0504_0302_0100u128;
    store_v.call(&mut store, (65520, pattern)).unwrap();
    let err = store_v.call(&mut store, (65521, pattern)).unwrap_err();
    assert_eq!(err.to_string(), oob);
    let load = inst.get_typed_func::<i64, u128>(&store, "load").unwrap();
    assert_eq!(load.call(&mut store, 65520).unwrap(), pattern);
    assert_eq!(load.call(&mut store, 65521).unwrap_err().to_string(), oob);
    assert_eq!(load.call(&mut store, -1).unwrap_err().to_string(), oob);
    let lane = inst.get_typed_func::<i64, u128>(&store, "lane").unwrap();
    assert_eq!(
        lane.call(&mut store, 65528).unwrap(),
        0x0f0e_0d0c_0b0a_0908u128 << 64
    );
    assert_eq!(lane.call(&mut store, 65529).unwrap_err().to_string(), oob);
    let extend = inst.get_typed_func::<i64, u128>(&store, "extend").unwrap();
    assert_eq!(
        extend.call(&mut store, 65528).unwrap(),
        0x000f_000e_000d_000c_000b_000a_0009_0008
    );
    assert_eq!(extend.call(&mut store, 65529).unwrap_err().to_string(), oob);

    let load32 = inst.get_typed_func::<i32, u128>(&store, "load32").unwrap();
    assert_eq!(load32.call(&mut store, 65512).unwrap(), 0);
    assert_eq!(load32.call(&mut store, 65513).unwrap_err().to_string(), oob);
    assert_eq!(load32.call(&mut store, -1).unwrap_err().to_string(), oob);
    let store_lane = inst
        .get_typed_func::<(i32, u128), ()>(&store, "store_lane")
        .unwrap();
    store_lane.call(&mut store, (65534, pattern)).unwrap();
    let err = store_lane.call(&mut store, (65535, pattern)).unwrap_err();
    assert_eq!(err.to_string(), oob);
    let splat = inst.get_typed_func::<i32, u128>(&store, "splat").unwrap();
    // Lane 7 of the pattern (bytes 0x0e, 0x0f) landed at 65534.
    assert_eq!(
        splat.call(&mut store, 65532).unwrap(),
        0x0f0e_0000_0f0e_0000_0f0e_0000_0f0e_0000
    );
    assert_eq!(splat.call(&mut store, 65533).unwrap_err().to_string(), oob);
}

#[test]
fn simd_accesses_at_the_end_of_memory_with_guard_pages() {
    check_accesses_at_the_end(false);
}

#[test]
fn simd_accesses_at_the_end_of_memory_with_explicit_bounds_checks() {
    check_accesses_at_the_end(true);
}
