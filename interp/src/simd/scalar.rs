//! Per-lane semantics that neither Rust's operators nor `numeric` provide, plus the few ops
//! that mix lanes within one operand (swizzle, the relaxed dot product).

use super::lanes::build;
use crate::numeric::{quiet_nan_or_f32, quiet_nan_or_f64};

/// `q15mulr_sat_s`: the rounded Q15 product `(x * y + 2^14) >> 15`, saturated (only
/// `-32768 * -32768` overflows, to 32767).
#[inline(always)]
pub fn q15mulr_sat(x: i16, y: i16) -> i16 {
    let p = (i32::from(x) * i32::from(y) + 0x4000) >> 15;
    p.clamp(i16::MIN.into(), i16::MAX.into()) as i16
}

/// `avgr_u`: the unsigned average rounded up, `(x + y + 1) / 2` without overflow.
#[inline(always)]
pub fn avgr_u8(x: u8, y: u8) -> u8 {
    ((u16::from(x) + u16::from(y) + 1) >> 1) as u8
}

/// `avgr_u` of 16-bit lanes.
#[inline(always)]
pub fn avgr_u16(x: u16, y: u16) -> u16 {
    ((u32::from(x) + u32::from(y) + 1) >> 1) as u16
}

/// `narrow_s` to 8 bits: the signed 16-bit lane saturated to `i8`.
#[inline(always)]
pub fn sat_s8(x: i16) -> i8 {
    x.clamp(i8::MIN.into(), i8::MAX.into()) as i8
}

/// `narrow_u` to 8 bits: the *signed* 16-bit lane saturated to `u8`.
#[inline(always)]
pub fn sat_u8(x: i16) -> u8 {
    x.clamp(0, u8::MAX.into()) as u8
}

/// `narrow_s` to 16 bits.
#[inline(always)]
pub fn sat_s16(x: i32) -> i16 {
    x.clamp(i16::MIN.into(), i16::MAX.into()) as i16
}

/// `narrow_u` to 16 bits: the *signed* 32-bit lane saturated to `u16`.
#[inline(always)]
pub fn sat_u16(x: i32) -> u16 {
    x.clamp(0, u16::MAX.into()) as u16
}

macro_rules! float_lane_ops {
    ($t:ident, $quiet:ident, $pmin:ident, $pmax:ident, $ceil:ident, $floor:ident, $trunc:ident,
     $madd:ident, $nmadd:ident) => {
        /// `pmin`: `b < a ? b : a` on the raw values (a NaN `a` or `b` may come back as is).
        #[inline(always)]
        pub fn $pmin(a: $t, b: $t) -> $t {
            if b < a { b } else { a }
        }

        /// `pmax`: `a < b ? b : a` on the raw values.
        #[inline(always)]
        pub fn $pmax(a: $t, b: $t) -> $t {
            if a < b { b } else { a }
        }

        /// `ceil`, with a NaN operand quieted (wasm requires an arithmetic NaN).
        #[inline(always)]
        pub fn $ceil(x: $t) -> $t {
            $quiet(x, <$t>::ceil)
        }

        /// `floor`, with a NaN operand quieted.
        #[inline(always)]
        pub fn $floor(x: $t) -> $t {
            $quiet(x, <$t>::floor)
        }

        /// `trunc`, with a NaN operand quieted.
        #[inline(always)]
        pub fn $trunc(x: $t) -> $t {
            $quiet(x, <$t>::trunc)
        }

        /// `relaxed_madd`, unfused: `a * b` rounded, then `+ c` rounded.
        #[inline(always)]
        pub fn $madd(a: $t, b: $t, c: $t) -> $t {
            a * b + c
        }

        /// `relaxed_nmadd`, unfused: `-(a * b) + c` with the same two roundings.
        #[inline(always)]
        pub fn $nmadd(a: $t, b: $t, c: $t) -> $t {
            -(a * b) + c
        }
    };
}

float_lane_ops!(
    f32,
    quiet_nan_or_f32,
    f32_pmin,
    f32_pmax,
    f32_ceil,
    f32_floor,
    f32_trunc,
    f32_madd,
    f32_nmadd
);
float_lane_ops!(
    f64,
    quiet_nan_or_f64,
    f64_pmin,
    f64_pmax,
    f64_ceil,
    f64_floor,
    f64_trunc,
    f64_madd,
    f64_nmadd
);

/// `i8x16.swizzle`: lane `i` is `a[s[i]]`, or 0 when `s[i]` is 16 or more.
#[inline(always)]
pub fn swizzle(a: [u8; 16], s: [u8; 16]) -> [u8; 16] {
    build(|i| if s[i] < 16 { a[usize::from(s[i])] } else { 0 })
}

/// `i16x8.relaxed_dot_i8x16_i7x16_s` as the deterministic profile defines it: both operands
/// signed, each pair of 16-bit products summed with signed saturation (only `-128 * -128`
/// twice overflows, to 32767).
#[inline(always)]
pub fn relaxed_dot_i8x16(a: [i8; 16], b: [i8; 16]) -> [i16; 8] {
    let product = |i: usize| i16::from(a[i]) * i16::from(b[i]);
    build(|i| product(2 * i).saturating_add(product(2 * i + 1)))
}
