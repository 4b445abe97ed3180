//! SIMD where a `v128` crosses a boundary, in every tier: the embedding API (`Val::V128`,
//! `u128` in typed functions), host functions, globals, values of mixed widths (each
//! `v128` takes two slots), calls between interpreted and compiled code, on-stack
//! replacement of a loop with `v128` locals, and a tail call handed back from the
//! interpreter. Relaxed SIMD gives the same answers in every tier, before and after a
//! function is promoted. Each tier runs with its default configuration, which has SIMD and
//! relaxed SIMD on. (The spec suites cover the operators themselves.)

use wasmtier::{Caller, Config, Engine, Instance, Linker, Module, Store, Val};

mod common;
use common::tiers;

/// An i32x4 vector with lanes `l` (lane 0 in the low bits).
fn i32x4(l: [u32; 4]) -> u128 {
    l.iter()
        .rev()
        .fold(0u128, |acc, &lane| (acc << 32) | lane as u128)
}

const BOUNDARIES: &str = r#"(module
  (import "host" "swap" (func $swap (param v128 i32 v128) (result v128 i64 v128)))
  (global $g (export "g") (mut v128) (v128.const i32x4 1 2 3 4))
  (table 1 funcref)
  (elem (i32.const 0) $add)
  (type $bin (func (param v128 v128) (result v128)))
  (func $add (type $bin) (i32x4.add (local.get 0) (local.get 1)))
  (func $mix (export "mix") (param i32 v128 f64 v128) (result v128 i64 v128)
    (i32x4.add (local.get 1) (i32x4.splat (local.get 0)))
    (i64.trunc_f64_s (local.get 2))
    (local.get 3))
  (func (export "via_host") (param v128 v128) (result v128 i64 v128)
    (call $swap (local.get 0) (i32.const 7) (local.get 1)))
  (func (export "indirect") (param v128 v128) (result v128)
    (call_indirect (type $bin) (local.get 0) (local.get 1) (i32.const 0)))
  (func (export "bump_global") (param v128) (result v128)
    (global.set $g (i32x4.add (global.get $g) (local.get 0)))
    (global.get $g))
  ;; A tail call from the outermost (interpreted) frame into a compiled function.
  (func (export "tail") (param v128 v128) (result v128)
    (return_call $add (local.get 0) (local.get 1)))
  ;; A loop with v128 locals that runs long enough to move to machine code mid-call.
  (func (export "sum_loop") (param i32) (result v128)
    (local $acc v128) (local $step v128)
    (local.set $step (v128.const i32x4 1 2 3 4))
    (block $done
      (loop $next
        (br_if $done (i32.eqz (local.get 0)))
        (local.set $acc (i32x4.add (local.get $acc) (local.get $step)))
        (local.set $step (i32x4.shl (local.get $step) (i32.const 1)))
        (local.set $step (i32x4.shr_u (local.get $step) (i32.const 1)))
        (local.set 0 (i32.sub (local.get 0) (i32.const 1)))
        (br $next)))
    (local.get $acc)))"#;

fn boundaries(config: &Config) -> (Store<()>, Instance) {
    let engine = Engine::new(config).unwrap();
    let module = Module::new(&engine, BOUNDARIES).unwrap();
    let mut store = Store::new(&engine, ());
    let mut linker = Linker::new(&engine);
    linker
        .func_wrap(
            "host",
            "swap",
            |_: Caller<'_, ()>, a: u128, n: i32, b: u128| (b, n as i64 * 2, a),
        )
        .unwrap();
    let instance = linker.instantiate(&mut store, &module).unwrap();
    (store, instance)
}

#[test]
fn v128_crosses_every_boundary_in_every_tier() {
    let (a, b) = (i32x4([1, 2, 3, 4]), i32x4([10, 20, 30, 40]));
    for (tier, config) in tiers() {
        let (mut store, inst) = boundaries(&config);
        // Repeated calls: in `auto`, the first runs interpreted, the later ones compiled.
        for round in 0..3 {
            let mix = inst.get_func(&store, "mix").unwrap();
            let mut out = [Val::I32(0), Val::I32(0), Val::I32(0)];
            mix.call(
                &mut store,
                &[
                    Val::I32(5),
                    Val::V128(a),
                    Val::F64(9.5f64.to_bits()),
                    Val::V128(b),
                ],
                &mut out,
            )
            .unwrap();
            assert_eq!(
                out,
                [Val::V128(i32x4([6, 7, 8, 9])), Val::I64(9), Val::V128(b)],
                "{tier}, round {round}"
            );
            let via_host = inst
                .get_typed_func::<(u128, u128), (u128, i64, u128)>(&store, "via_host")
                .unwrap();
            assert_eq!(
                via_host.call(&mut store, (a, b)).unwrap(),
                (b, 14, a),
                "{tier}, round {round}"
            );
            let indirect = inst
                .get_typed_func::<(u128, u128), u128>(&store, "indirect")
                .unwrap();
            assert_eq!(
                indirect.call(&mut store, (a, b)).unwrap(),
                i32x4([11, 22, 33, 44]),
                "{tier}"
            );
            let tail = inst
                .get_typed_func::<(u128, u128), u128>(&store, "tail")
                .unwrap();
            assert_eq!(
                tail.call(&mut store, (a, b)).unwrap(),
                i32x4([11, 22, 33, 44]),
                "{tier}"
            );
        }
        let bump = inst
            .get_typed_func::<u128, u128>(&store, "bump_global")
            .unwrap();
        for _ in 0..3 {
            bump.call(&mut store, a).unwrap();
        }
        let g = inst.get_global(&store, "g").unwrap();
        assert_eq!(g.get(&store), Val::V128(i32x4([4, 8, 12, 16])), "{tier}");
        g.set(&mut store, Val::V128(b)).unwrap();
        assert_eq!(
            bump.call(&mut store, a).unwrap(),
            i32x4([11, 22, 33, 44]),
            "{tier}: the host's write is seen"
        );
        let sum_loop = inst
            .get_typed_func::<i32, u128>(&store, "sum_loop")
            .unwrap();
        assert_eq!(
            sum_loop.call(&mut store, 1000).unwrap(),
            i32x4([1000, 2000, 3000, 4000]),
            "{tier}: a loop with v128 locals"
        );
    }
}

const RELAXED: &str = r#"(module
  (func (export "dot_add") (param v128 v128 v128) (result v128)
    (i32x4.relaxed_dot_i8x16_i7x16_add_s (local.get 0) (local.get 1) (local.get 2)))
  (func (export "dot") (param v128 v128) (result v128)
    (i16x8.relaxed_dot_i8x16_i7x16_s (local.get 0) (local.get 1)))
  (func (export "madd") (param f32 f32 f32) (result f32)
    (f32x4.extract_lane 0 (f32x4.relaxed_madd
      (f32x4.splat (local.get 0)) (f32x4.splat (local.get 1)) (f32x4.splat (local.get 2)))))
  (func (export "nmadd") (param f32 f32 f32) (result f32)
    (f32x4.extract_lane 0 (f32x4.relaxed_nmadd
      (f32x4.splat (local.get 0)) (f32x4.splat (local.get 1)) (f32x4.splat (local.get 2)))))
  (func (export "laneselect") (param v128 v128 v128) (result v128)
    (i32x4.relaxed_laneselect (local.get 0) (local.get 1) (local.get 2)))
  (func (export "swizzle") (param v128 v128) (result v128)
    (i8x16.relaxed_swizzle (local.get 0) (local.get 1)))
  (func (export "trunc") (param f64) (result v128)
    (i32x4.relaxed_trunc_f64x2_u_zero (f64x2.splat (local.get 0))))
  (func (export "min") (param f32 f32) (result v128)
    (f32x4.relaxed_min (f32x4.splat (local.get 0)) (f32x4.splat (local.get 1))))
  (func (export "q15") (param v128 v128) (result v128)
    (i16x8.relaxed_q15mulr_s (local.get 0) (local.get 1))))"#;

/// Relaxed SIMD gives one answer everywhere (`Config::wasm_relaxed_simd`): here the inputs
/// where the spec's allowed results differ, called several times in each tier so that in
/// `auto` the same function answers interpreted and then compiled.
#[test]
fn relaxed_simd_gives_the_same_answers_in_every_tier() {
    let minus128 = u128::from_le_bytes([0x80; 16]);
    let ones = i32x4([1; 4]);
    for (tier, config) in tiers() {
        let engine = Engine::new(&config).unwrap();
        let module = Module::new(&engine, RELAXED).unwrap();
        let mut store = Store::new(&engine, ());
        let inst = Instance::new(&mut store, &module, &[]).unwrap();
        for round in 0..3 {
            let at = format!("{tier}, round {round}");
            // Each i16 pair sum is (-128 * -128) * 2 = 32768, saturated to 32767; two of
            // them summed to i32 are 65534, plus 1.
            let dot = inst
                .get_typed_func::<(u128, u128), u128>(&store, "dot")
                .unwrap();
            assert_eq!(
                dot.call(&mut store, (minus128, minus128)).unwrap(),
                u128::from_le_bytes([0xff, 0x7f].repeat(8).try_into().unwrap()),
                "{at}"
            );
            let dot_add = inst
                .get_typed_func::<(u128, u128, u128), u128>(&store, "dot_add")
                .unwrap();
            assert_eq!(
                dot_add
                    .call(&mut store, (minus128, minus128, ones))
                    .unwrap(),
                i32x4([65535; 4]),
                "{at}"
            );
            // Unfused: 0.1 * 10 rounds to exactly 1 before 1 is subtracted.
            let madd = inst
                .get_typed_func::<(f32, f32, f32), f32>(&store, "madd")
                .unwrap();
            assert_eq!(
                madd.call(&mut store, (0.1, 10.0, -1.0)).unwrap(),
                0.0,
                "{at}"
            );
            let nmadd = inst
                .get_typed_func::<(f32, f32, f32), f32>(&store, "nmadd")
                .unwrap();
            assert_eq!(
                nmadd.call(&mut store, (0.1, 10.0, 1.0)).unwrap(),
                0.0,
                "{at}"
            );
            // Bit by bit, not by the top bit of each lane.
            let laneselect = inst
                .get_typed_func::<(u128, u128, u128), u128>(&store, "laneselect")
                .unwrap();
            let mask = i32x4([0xffff_0000, 0x8000_0000, 0, 0x0000_ffff]);
            assert_eq!(
                laneselect.call(&mut store, (u128::MAX, 0, mask)).unwrap(),
                mask,
                "{at}"
            );
            // An index of 16 or more selects 0 (also with the top bit clear).
            let swizzle = inst
                .get_typed_func::<(u128, u128), u128>(&store, "swizzle")
                .unwrap();
            let indices =
                u128::from_le_bytes([0, 17, 0x80, 15, 16, 1, 0x70, 2, 0, 0, 0, 0, 0, 0, 0, 0]);
            let data = u128::from_le_bytes(std::array::from_fn(|i| 0xa0 + i as u8));
            assert_eq!(
                swizzle
                    .call(&mut store, (data, indices))
                    .unwrap()
                    .to_le_bytes()[..8],
                [0xa0, 0, 0, 0xaf, 0, 0xa1, 0, 0xa2],
                "{at}"
            );
            let trunc = inst.get_typed_func::<f64, u128>(&store, "trunc").unwrap();
            assert_eq!(trunc.call(&mut store, -1.0).unwrap(), 0, "{at}: saturated");
            assert_eq!(
                trunc.call(&mut store, 1e10).unwrap(),
                i32x4([u32::MAX, u32::MAX, 0, 0]),
                "{at}"
            );
            assert_eq!(trunc.call(&mut store, f64::NAN).unwrap(), 0, "{at}");
            // wasm's min: -0 < +0, and NaN wins.
            let min = inst
                .get_typed_func::<(f32, f32), u128>(&store, "min")
                .unwrap();
            let lane0 = |v: u128| f32::from_bits(v as u32);
            let zero = min.call(&mut store, (0.0, -0.0)).unwrap();
            assert!(lane0(zero).is_sign_negative(), "{at}");
            assert!(
                lane0(min.call(&mut store, (1.0, f32::NAN)).unwrap()).is_nan(),
                "{at}"
            );
            // q15mulr saturates -1 * -1 to the largest value.
            let q15 = inst
                .get_typed_func::<(u128, u128), u128>(&store, "q15")
                .unwrap();
            let min16 = u128::from_le_bytes([0x00, 0x80].repeat(8).try_into().unwrap());
            assert_eq!(
                q15.call(&mut store, (min16, min16)).unwrap(),
                u128::from_le_bytes([0xff, 0x7f].repeat(8).try_into().unwrap()),
                "{at}"
            );
        }
    }
}
