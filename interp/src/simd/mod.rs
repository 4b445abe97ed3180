//! Semantics of the v128 operations (the SIMD of Wasm 2.0 and the relaxed SIMD of Wasm 3.0),
//! in portable safe Rust, for the interpreter's handlers.
//!
//! **Representation.** A v128 is a `u128`, little-endian: lane 0 is in the lowest bits, and
//! byte `i` of the wasm value is `(v >> (8 * i)) as u8`. Scalars cross the tables as slot
//! bits: an i32 or f32 is a `u64` holding its 32 bits zero-extended (an f32 as its bit
//! pattern), an i64 or f64 its 64 bits.
//!
//! **Tables.** As in `ops`, each family is a list of `[Name ... |args| expr]` entries that a
//! handler macro expands: `for_each_v128_unop!(my_macro extra tokens)` calls
//! `my_macro! { extra tokens [Name |a| expr] ... }`. `Name` is the `wasmparser::Operator`
//! variant. An `expr` is a block that imports its own helpers (`prelude`), so the caller
//! needs no `use` for it; it only binds the arguments, with these types:
//!
//! | table | entry | argument types | result |
//! |---|---|---|---|
//! | `for_each_v128_unop!` | `[Name \|a\| e]` | `a: u128` | `u128` |
//! | `for_each_v128_binop!` | `[Name \|a, b\| e]` | `a, b: u128` | `u128` |
//! | `for_each_v128_ternop!` | `[Name \|a, b, c\| e]` | `a, b, c: u128` | `u128` |
//! | `for_each_v128_shift!` | `[Name \|a, n\| e]` | `a: u128`, `n: u32` (any value; taken modulo the lane width) | `u128` |
//! | `for_each_v128_test!` | `[Name \|a\| e]` | `a: u128` | `u32` (0 or 1; a bitmask) |
//! | `for_each_v128_splat!` | `[Name \|x\| e]` | `x: u64` slot bits | `u128` |
//! | `for_each_v128_extract!` | `[Name \|a, lane\| e]` | `a: u128`, `lane: u8` | `u64` slot bits |
//! | `for_each_v128_replace!` | `[Name \|a, x, lane\| e]` | `a: u128`, `x: u64` slot bits, `lane: u8` | `u128` |
//! | `for_each_v128_load_extend!` | `[Name bytes \|raw\| e]` | `raw: u64`, the `bytes` bytes read (little-endian, zero-extended) | `u128` |
//!
//! Lane indices come from validated immediates; `extract`/`replace` take them modulo the
//! lane count, so they never panic. `i8x16_shuffle` is a plain function. The operators no
//! table covers (plain and lane loads and stores, `v128.const`, `i8x16.shuffle`'s dispatch)
//! are listed in `CALLER_HANDLED_OPS`; a test checks that the tables and that list cover
//! every SIMD and relaxed-SIMD operator of wasmparser exactly once.
//!
//! **Floats.** Arithmetic follows IEEE 754 round-to-nearest; where the result is a NaN it is
//! whatever NaN Rust's (the hardware's) operation gives, which wasm allows (an arithmetic
//! NaN; `ceil`/`floor`/`trunc`/`nearest` quiet a signalling operand explicitly, as in
//! `numeric`). `min`/`max` are wasm's (`numeric::f32_min` ...: NaN if either operand is NaN,
//! -0 < +0); `pmin` is `b < a ? b : a` and `pmax` `a < b ? b : a` on the raw values; `abs`
//! and `neg` only touch the sign bits. Float-to-int conversions saturate and map NaN to 0.
//!
//! **Relaxed SIMD: one fixed choice per operator**, the one the Wasm 3.0 spec prescribes for
//! its deterministic profile (every `relaxed(R)[...]` parameter 0), which is also in the set
//! the proposal allows. The JIT must make the same choices:
//!
//! - `i8x16.relaxed_swizzle` = `i8x16.swizzle` (an index of 16 or more gives 0).
//! - `i32x4.relaxed_trunc_f32x4_{s,u}` = `i32x4.trunc_sat_f32x4_{s,u}`, and
//!   `i32x4.relaxed_trunc_f64x2_{s,u}_zero` = `i32x4.trunc_sat_f64x2_{s,u}_zero` (NaN to 0,
//!   out-of-range values saturated).
//! - `f32x4`/`f64x2.relaxed_madd` = `a * b + c` **unfused** (the product is rounded, then the
//!   sum); `relaxed_nmadd` = `-(a * b) + c`, unfused likewise.
//! - `i8x16`/`i16x8`/`i32x4`/`i64x2.relaxed_laneselect` = `v128.bitselect(a, b, c)` (bit by
//!   bit, whatever the mask lanes hold).
//! - `f32x4`/`f64x2.relaxed_min`/`relaxed_max` = `f32x4.min`/`max` ... (wasm's, NaN- and
//!   signed-zero-aware).
//! - `i16x8.relaxed_q15mulr_s` = `i16x8.q15mulr_sat_s` (`-32768 * -32768` gives 32767).
//! - `i16x8.relaxed_dot_i8x16_i7x16_s`: both operands' bytes read as **signed**, and each
//!   pair of 16-bit products added with **signed saturation** (the spec's `$ivdot_sat_`; the
//!   only overflow is `-128 * -128` twice, which gives 32767). A wrapped -32768 there would
//!   be the result of reading the second operand as unsigned, so wrapping would mix the two
//!   allowed readings lane by lane, which the spec does not allow (the choice is global).
//! - `i32x4.relaxed_dot_i8x16_i7x16_add_s`: that `i16x8` result, its pairs summed into i32
//!   lanes (`extadd_pairwise_i16x8_s`, exact), plus `c` lane-wise wrapping.
//!
//! (Spec sources: `relaxed(R)` and the `frelaxed_*`/`irelaxed_*` operators in the core
//! spec's `exec/numerics.rst`, `$vextbinop__`/`$vextternop__` in
//! `specification/wasm-3.0/3.2-numerics.vector.spectec`; the proposal's `Overview.md`.)

pub mod lanes;
pub mod scalar;

pub use lanes::{f32x4, f64x2, i8x16, i16x8, i32x4, i64x2, u8x16, u16x8, u32x4, u64x2};

/// Everything a table expression names: the shape views, the lane helpers and wasm's float
/// min/max/nearest. Each expression imports it in its own block.
pub mod prelude {
    pub use super::lanes::{
        f32x4, f64x2, i8x16, i16x8, i32x4, i64x2, u8x16, u16x8, u32x4, u64x2, zip_with,
    };
    pub use super::scalar::*;
    pub use crate::numeric::{f32_max, f32_min, f32_nearest, f64_max, f64_min, f64_nearest};
}

/// Passes a table to the caller's macro with each expression wrapped in a block that
/// imports `prelude`, so the entries can use short names and the caller needs no imports.
macro_rules! simd_table {
    ($m:ident [$($prefix:tt)*] $([$name:ident $($bytes:literal)? |$($arg:ident),+| $e:expr])*) => {
        $m! { $($prefix)* $([$name $($bytes)? |$($arg),+| {
            #[allow(unused_imports)]
            use $crate::simd::prelude::*;
            $e
        }])* }
    };
}
pub(crate) use simd_table;

/// `v128 -> v128` operations: `[Name |a| expr]`.
macro_rules! for_each_v128_unop {
    ($m:ident $($prefix:tt)*) => {
        $crate::simd::simd_table! { $m [$($prefix)*]
            [V128Not |a| !a]
            [I8x16Abs |a| i8x16::map(a, i8::wrapping_abs)]
            [I8x16Neg |a| i8x16::map(a, i8::wrapping_neg)]
            [I8x16Popcnt |a| u8x16::map(a, |x| x.count_ones() as u8)]
            [I16x8Abs |a| i16x8::map(a, i16::wrapping_abs)]
            [I16x8Neg |a| i16x8::map(a, i16::wrapping_neg)]
            [I32x4Abs |a| i32x4::map(a, i32::wrapping_abs)]
            [I32x4Neg |a| i32x4::map(a, i32::wrapping_neg)]
            [I64x2Abs |a| i64x2::map(a, i64::wrapping_abs)]
            [I64x2Neg |a| i64x2::map(a, i64::wrapping_neg)]
            [I16x8ExtAddPairwiseI8x16S
                |a| i16x8::pairwise(i8x16::split(a), |x, y| i16::from(x) + i16::from(y))]
            [I16x8ExtAddPairwiseI8x16U
                |a| u16x8::pairwise(u8x16::split(a), |x, y| u16::from(x) + u16::from(y))]
            [I32x4ExtAddPairwiseI16x8S
                |a| i32x4::pairwise(i16x8::split(a), |x, y| i32::from(x) + i32::from(y))]
            [I32x4ExtAddPairwiseI16x8U
                |a| u32x4::pairwise(u16x8::split(a), |x, y| u32::from(x) + u32::from(y))]
            [I16x8ExtendLowI8x16S |a| i16x8::convert(i8x16::split(a), 0, i16::from)]
            [I16x8ExtendHighI8x16S |a| i16x8::convert(i8x16::split(a), 8, i16::from)]
            [I16x8ExtendLowI8x16U |a| u16x8::convert(u8x16::split(a), 0, u16::from)]
            [I16x8ExtendHighI8x16U |a| u16x8::convert(u8x16::split(a), 8, u16::from)]
            [I32x4ExtendLowI16x8S |a| i32x4::convert(i16x8::split(a), 0, i32::from)]
            [I32x4ExtendHighI16x8S |a| i32x4::convert(i16x8::split(a), 4, i32::from)]
            [I32x4ExtendLowI16x8U |a| u32x4::convert(u16x8::split(a), 0, u32::from)]
            [I32x4ExtendHighI16x8U |a| u32x4::convert(u16x8::split(a), 4, u32::from)]
            [I64x2ExtendLowI32x4S |a| i64x2::convert(i32x4::split(a), 0, i64::from)]
            [I64x2ExtendHighI32x4S |a| i64x2::convert(i32x4::split(a), 2, i64::from)]
            [I64x2ExtendLowI32x4U |a| u64x2::convert(u32x4::split(a), 0, u64::from)]
            [I64x2ExtendHighI32x4U |a| u64x2::convert(u32x4::split(a), 2, u64::from)]
            [F32x4Ceil |a| f32x4::map(a, f32_ceil)]
            [F32x4Floor |a| f32x4::map(a, f32_floor)]
            [F32x4Trunc |a| f32x4::map(a, f32_trunc)]
            [F32x4Nearest |a| f32x4::map(a, f32_nearest)]
            [F32x4Abs |a| a & 0x7fff_ffff_7fff_ffff_7fff_ffff_7fff_ffff]
            [F32x4Neg |a| a ^ 0x8000_0000_8000_0000_8000_0000_8000_0000]
            [F32x4Sqrt |a| f32x4::map(a, f32::sqrt)]
            [F64x2Ceil |a| f64x2::map(a, f64_ceil)]
            [F64x2Floor |a| f64x2::map(a, f64_floor)]
            [F64x2Trunc |a| f64x2::map(a, f64_trunc)]
            [F64x2Nearest |a| f64x2::map(a, f64_nearest)]
            [F64x2Abs |a| a & 0x7fff_ffff_ffff_ffff_7fff_ffff_ffff_ffff]
            [F64x2Neg |a| a ^ 0x8000_0000_0000_0000_8000_0000_0000_0000]
            [F64x2Sqrt |a| f64x2::map(a, f64::sqrt)]
            // Rust's float-to-int `as` saturates and maps NaN to 0: wasm's trunc_sat.
            [I32x4TruncSatF32x4S |a| i32x4::convert(f32x4::split(a), 0, |x| x as i32)]
            [I32x4TruncSatF32x4U |a| u32x4::convert(f32x4::split(a), 0, |x| x as u32)]
            [I32x4TruncSatF64x2SZero |a| i32x4::convert_zero(f64x2::split(a), |x| x as i32)]
            [I32x4TruncSatF64x2UZero |a| u32x4::convert_zero(f64x2::split(a), |x| x as u32)]
            [F32x4ConvertI32x4S |a| f32x4::convert(i32x4::split(a), 0, |x| x as f32)]
            [F32x4ConvertI32x4U |a| f32x4::convert(u32x4::split(a), 0, |x| x as f32)]
            [F64x2ConvertLowI32x4S |a| f64x2::convert(i32x4::split(a), 0, f64::from)]
            [F64x2ConvertLowI32x4U |a| f64x2::convert(u32x4::split(a), 0, f64::from)]
            [F32x4DemoteF64x2Zero |a| f32x4::convert_zero(f64x2::split(a), |x| x as f32)]
            [F64x2PromoteLowF32x4 |a| f64x2::convert(f32x4::split(a), 0, f64::from)]
            // Relaxed: the trunc_sat conversions.
            [I32x4RelaxedTruncF32x4S |a| i32x4::convert(f32x4::split(a), 0, |x| x as i32)]
            [I32x4RelaxedTruncF32x4U |a| u32x4::convert(f32x4::split(a), 0, |x| x as u32)]
            [I32x4RelaxedTruncF64x2SZero
                |a| i32x4::convert_zero(f64x2::split(a), |x| x as i32)]
            [I32x4RelaxedTruncF64x2UZero
                |a| u32x4::convert_zero(f64x2::split(a), |x| x as u32)]
        }
    };
}
pub(crate) use for_each_v128_unop;

/// `(v128, v128) -> v128` operations: `[Name |a, b| expr]`. Comparisons give a lane of all
/// ones where they hold, else zero.
macro_rules! for_each_v128_binop {
    ($m:ident $($prefix:tt)*) => {
        $crate::simd::simd_table! { $m [$($prefix)*]
            [V128And |a, b| a & b]
            [V128AndNot |a, b| a & !b]
            [V128Or |a, b| a | b]
            [V128Xor |a, b| a ^ b]
            [I8x16Swizzle |a, b| u8x16::join(swizzle(u8x16::split(a), u8x16::split(b)))]
            [I8x16Eq |a, b| u8x16::cmp(a, b, |x, y| x == y)]
            [I8x16Ne |a, b| u8x16::cmp(a, b, |x, y| x != y)]
            [I8x16LtS |a, b| i8x16::cmp(a, b, |x, y| x < y)]
            [I8x16LtU |a, b| u8x16::cmp(a, b, |x, y| x < y)]
            [I8x16GtS |a, b| i8x16::cmp(a, b, |x, y| x > y)]
            [I8x16GtU |a, b| u8x16::cmp(a, b, |x, y| x > y)]
            [I8x16LeS |a, b| i8x16::cmp(a, b, |x, y| x <= y)]
            [I8x16LeU |a, b| u8x16::cmp(a, b, |x, y| x <= y)]
            [I8x16GeS |a, b| i8x16::cmp(a, b, |x, y| x >= y)]
            [I8x16GeU |a, b| u8x16::cmp(a, b, |x, y| x >= y)]
            [I16x8Eq |a, b| u16x8::cmp(a, b, |x, y| x == y)]
            [I16x8Ne |a, b| u16x8::cmp(a, b, |x, y| x != y)]
            [I16x8LtS |a, b| i16x8::cmp(a, b, |x, y| x < y)]
            [I16x8LtU |a, b| u16x8::cmp(a, b, |x, y| x < y)]
            [I16x8GtS |a, b| i16x8::cmp(a, b, |x, y| x > y)]
            [I16x8GtU |a, b| u16x8::cmp(a, b, |x, y| x > y)]
            [I16x8LeS |a, b| i16x8::cmp(a, b, |x, y| x <= y)]
            [I16x8LeU |a, b| u16x8::cmp(a, b, |x, y| x <= y)]
            [I16x8GeS |a, b| i16x8::cmp(a, b, |x, y| x >= y)]
            [I16x8GeU |a, b| u16x8::cmp(a, b, |x, y| x >= y)]
            [I32x4Eq |a, b| u32x4::cmp(a, b, |x, y| x == y)]
            [I32x4Ne |a, b| u32x4::cmp(a, b, |x, y| x != y)]
            [I32x4LtS |a, b| i32x4::cmp(a, b, |x, y| x < y)]
            [I32x4LtU |a, b| u32x4::cmp(a, b, |x, y| x < y)]
            [I32x4GtS |a, b| i32x4::cmp(a, b, |x, y| x > y)]
            [I32x4GtU |a, b| u32x4::cmp(a, b, |x, y| x > y)]
            [I32x4LeS |a, b| i32x4::cmp(a, b, |x, y| x <= y)]
            [I32x4LeU |a, b| u32x4::cmp(a, b, |x, y| x <= y)]
            [I32x4GeS |a, b| i32x4::cmp(a, b, |x, y| x >= y)]
            [I32x4GeU |a, b| u32x4::cmp(a, b, |x, y| x >= y)]
            [I64x2Eq |a, b| u64x2::cmp(a, b, |x, y| x == y)]
            [I64x2Ne |a, b| u64x2::cmp(a, b, |x, y| x != y)]
            [I64x2LtS |a, b| i64x2::cmp(a, b, |x, y| x < y)]
            [I64x2GtS |a, b| i64x2::cmp(a, b, |x, y| x > y)]
            [I64x2LeS |a, b| i64x2::cmp(a, b, |x, y| x <= y)]
            [I64x2GeS |a, b| i64x2::cmp(a, b, |x, y| x >= y)]
            [F32x4Eq |a, b| f32x4::cmp(a, b, |x, y| x == y)]
            [F32x4Ne |a, b| f32x4::cmp(a, b, |x, y| x != y)]
            [F32x4Lt |a, b| f32x4::cmp(a, b, |x, y| x < y)]
            [F32x4Gt |a, b| f32x4::cmp(a, b, |x, y| x > y)]
            [F32x4Le |a, b| f32x4::cmp(a, b, |x, y| x <= y)]
            [F32x4Ge |a, b| f32x4::cmp(a, b, |x, y| x >= y)]
            [F64x2Eq |a, b| f64x2::cmp(a, b, |x, y| x == y)]
            [F64x2Ne |a, b| f64x2::cmp(a, b, |x, y| x != y)]
            [F64x2Lt |a, b| f64x2::cmp(a, b, |x, y| x < y)]
            [F64x2Gt |a, b| f64x2::cmp(a, b, |x, y| x > y)]
            [F64x2Le |a, b| f64x2::cmp(a, b, |x, y| x <= y)]
            [F64x2Ge |a, b| f64x2::cmp(a, b, |x, y| x >= y)]
            [I8x16NarrowI16x8S |a, b| i8x16::concat(i16x8::split(a), i16x8::split(b), sat_s8)]
            [I8x16NarrowI16x8U |a, b| u8x16::concat(i16x8::split(a), i16x8::split(b), sat_u8)]
            [I16x8NarrowI32x4S |a, b| i16x8::concat(i32x4::split(a), i32x4::split(b), sat_s16)]
            [I16x8NarrowI32x4U |a, b| u16x8::concat(i32x4::split(a), i32x4::split(b), sat_u16)]
            [I8x16Add |a, b| u8x16::zip(a, b, u8::wrapping_add)]
            [I8x16AddSatS |a, b| i8x16::zip(a, b, i8::saturating_add)]
            [I8x16AddSatU |a, b| u8x16::zip(a, b, u8::saturating_add)]
            [I8x16Sub |a, b| u8x16::zip(a, b, u8::wrapping_sub)]
            [I8x16SubSatS |a, b| i8x16::zip(a, b, i8::saturating_sub)]
            [I8x16SubSatU |a, b| u8x16::zip(a, b, u8::saturating_sub)]
            [I8x16MinS |a, b| i8x16::zip(a, b, i8::min)]
            [I8x16MinU |a, b| u8x16::zip(a, b, u8::min)]
            [I8x16MaxS |a, b| i8x16::zip(a, b, i8::max)]
            [I8x16MaxU |a, b| u8x16::zip(a, b, u8::max)]
            [I8x16AvgrU |a, b| u8x16::zip(a, b, avgr_u8)]
            [I16x8Q15MulrSatS |a, b| i16x8::zip(a, b, q15mulr_sat)]
            [I16x8Add |a, b| u16x8::zip(a, b, u16::wrapping_add)]
            [I16x8AddSatS |a, b| i16x8::zip(a, b, i16::saturating_add)]
            [I16x8AddSatU |a, b| u16x8::zip(a, b, u16::saturating_add)]
            [I16x8Sub |a, b| u16x8::zip(a, b, u16::wrapping_sub)]
            [I16x8SubSatS |a, b| i16x8::zip(a, b, i16::saturating_sub)]
            [I16x8SubSatU |a, b| u16x8::zip(a, b, u16::saturating_sub)]
            [I16x8Mul |a, b| u16x8::zip(a, b, u16::wrapping_mul)]
            [I16x8MinS |a, b| i16x8::zip(a, b, i16::min)]
            [I16x8MinU |a, b| u16x8::zip(a, b, u16::min)]
            [I16x8MaxS |a, b| i16x8::zip(a, b, i16::max)]
            [I16x8MaxU |a, b| u16x8::zip(a, b, u16::max)]
            [I16x8AvgrU |a, b| u16x8::zip(a, b, avgr_u16)]
            [I16x8ExtMulLowI8x16S |a, b| i16x8::convert2(i8x16::split(a), i8x16::split(b), 0,
                |x, y| i16::from(x) * i16::from(y))]
            [I16x8ExtMulHighI8x16S |a, b| i16x8::convert2(i8x16::split(a), i8x16::split(b), 8,
                |x, y| i16::from(x) * i16::from(y))]
            [I16x8ExtMulLowI8x16U |a, b| u16x8::convert2(u8x16::split(a), u8x16::split(b), 0,
                |x, y| u16::from(x) * u16::from(y))]
            [I16x8ExtMulHighI8x16U |a, b| u16x8::convert2(u8x16::split(a), u8x16::split(b), 8,
                |x, y| u16::from(x) * u16::from(y))]
            [I32x4Add |a, b| u32x4::zip(a, b, u32::wrapping_add)]
            [I32x4Sub |a, b| u32x4::zip(a, b, u32::wrapping_sub)]
            [I32x4Mul |a, b| u32x4::zip(a, b, u32::wrapping_mul)]
            [I32x4MinS |a, b| i32x4::zip(a, b, i32::min)]
            [I32x4MinU |a, b| u32x4::zip(a, b, u32::min)]
            [I32x4MaxS |a, b| i32x4::zip(a, b, i32::max)]
            [I32x4MaxU |a, b| u32x4::zip(a, b, u32::max)]
            // The products fit; only their sum can overflow (`-32768 * -32768` twice), and
            // wraps.
            [I32x4DotI16x8S |a, b| i32x4::pairwise(
                zip_with(i16x8::split(a), i16x8::split(b), |x, y| i32::from(x) * i32::from(y)),
                i32::wrapping_add)]
            [I32x4ExtMulLowI16x8S |a, b| i32x4::convert2(i16x8::split(a), i16x8::split(b), 0,
                |x, y| i32::from(x) * i32::from(y))]
            [I32x4ExtMulHighI16x8S |a, b| i32x4::convert2(i16x8::split(a), i16x8::split(b), 4,
                |x, y| i32::from(x) * i32::from(y))]
            [I32x4ExtMulLowI16x8U |a, b| u32x4::convert2(u16x8::split(a), u16x8::split(b), 0,
                |x, y| u32::from(x) * u32::from(y))]
            [I32x4ExtMulHighI16x8U |a, b| u32x4::convert2(u16x8::split(a), u16x8::split(b), 4,
                |x, y| u32::from(x) * u32::from(y))]
            [I64x2Add |a, b| u64x2::zip(a, b, u64::wrapping_add)]
            [I64x2Sub |a, b| u64x2::zip(a, b, u64::wrapping_sub)]
            [I64x2Mul |a, b| u64x2::zip(a, b, u64::wrapping_mul)]
            [I64x2ExtMulLowI32x4S |a, b| i64x2::convert2(i32x4::split(a), i32x4::split(b), 0,
                |x, y| i64::from(x) * i64::from(y))]
            [I64x2ExtMulHighI32x4S |a, b| i64x2::convert2(i32x4::split(a), i32x4::split(b), 2,
                |x, y| i64::from(x) * i64::from(y))]
            [I64x2ExtMulLowI32x4U |a, b| u64x2::convert2(u32x4::split(a), u32x4::split(b), 0,
                |x, y| u64::from(x) * u64::from(y))]
            [I64x2ExtMulHighI32x4U |a, b| u64x2::convert2(u32x4::split(a), u32x4::split(b), 2,
                |x, y| u64::from(x) * u64::from(y))]
            [F32x4Add |a, b| f32x4::zip(a, b, |x, y| x + y)]
            [F32x4Sub |a, b| f32x4::zip(a, b, |x, y| x - y)]
            [F32x4Mul |a, b| f32x4::zip(a, b, |x, y| x * y)]
            [F32x4Div |a, b| f32x4::zip(a, b, |x, y| x / y)]
            [F32x4Min |a, b| f32x4::zip(a, b, f32_min)]
            [F32x4Max |a, b| f32x4::zip(a, b, f32_max)]
            [F32x4PMin |a, b| f32x4::zip(a, b, f32_pmin)]
            [F32x4PMax |a, b| f32x4::zip(a, b, f32_pmax)]
            [F64x2Add |a, b| f64x2::zip(a, b, |x, y| x + y)]
            [F64x2Sub |a, b| f64x2::zip(a, b, |x, y| x - y)]
            [F64x2Mul |a, b| f64x2::zip(a, b, |x, y| x * y)]
            [F64x2Div |a, b| f64x2::zip(a, b, |x, y| x / y)]
            [F64x2Min |a, b| f64x2::zip(a, b, f64_min)]
            [F64x2Max |a, b| f64x2::zip(a, b, f64_max)]
            [F64x2PMin |a, b| f64x2::zip(a, b, f64_pmin)]
            [F64x2PMax |a, b| f64x2::zip(a, b, f64_pmax)]
            // Relaxed: swizzle, wasm's min/max, the saturating q15mulr, the signed dot
            // product with saturating pair sums (see the module docs).
            [I8x16RelaxedSwizzle |a, b| u8x16::join(swizzle(u8x16::split(a), u8x16::split(b)))]
            [F32x4RelaxedMin |a, b| f32x4::zip(a, b, f32_min)]
            [F32x4RelaxedMax |a, b| f32x4::zip(a, b, f32_max)]
            [F64x2RelaxedMin |a, b| f64x2::zip(a, b, f64_min)]
            [F64x2RelaxedMax |a, b| f64x2::zip(a, b, f64_max)]
            [I16x8RelaxedQ15mulrS |a, b| i16x8::zip(a, b, q15mulr_sat)]
            [I16x8RelaxedDotI8x16I7x16S
                |a, b| i16x8::join(relaxed_dot_i8x16(i8x16::split(a), i8x16::split(b)))]
        }
    };
}
pub(crate) use for_each_v128_binop;

/// `(v128, v128, v128) -> v128` operations: `[Name |a, b, c| expr]`.
macro_rules! for_each_v128_ternop {
    ($m:ident $($prefix:tt)*) => {
        $crate::simd::simd_table! { $m [$($prefix)*]
            [V128Bitselect |a, b, c| (a & c) | (b & !c)]
            // Relaxed: unfused multiply-add; laneselect is bitselect.
            [F32x4RelaxedMadd |a, b, c| f32x4::zip3(a, b, c, f32_madd)]
            [F32x4RelaxedNmadd |a, b, c| f32x4::zip3(a, b, c, f32_nmadd)]
            [F64x2RelaxedMadd |a, b, c| f64x2::zip3(a, b, c, f64_madd)]
            [F64x2RelaxedNmadd |a, b, c| f64x2::zip3(a, b, c, f64_nmadd)]
            [I8x16RelaxedLaneselect |a, b, c| (a & c) | (b & !c)]
            [I16x8RelaxedLaneselect |a, b, c| (a & c) | (b & !c)]
            [I32x4RelaxedLaneselect |a, b, c| (a & c) | (b & !c)]
            [I64x2RelaxedLaneselect |a, b, c| (a & c) | (b & !c)]
            [I32x4RelaxedDotI8x16I7x16AddS |a, b, c| i32x4::zip(
                i32x4::pairwise(relaxed_dot_i8x16(i8x16::split(a), i8x16::split(b)),
                    |x, y| i32::from(x) + i32::from(y)),
                c, i32::wrapping_add)]
        }
    };
}
pub(crate) use for_each_v128_ternop;

/// Shifts: `[Name |a, n| expr]` with `n: u32` the shift count as popped (any value); the
/// count is taken modulo the lane width (`wrapping_shl`/`wrapping_shr` do exactly that).
macro_rules! for_each_v128_shift {
    ($m:ident $($prefix:tt)*) => {
        $crate::simd::simd_table! { $m [$($prefix)*]
            [I8x16Shl |a, n| u8x16::map(a, |x| x.wrapping_shl(n))]
            [I8x16ShrS |a, n| i8x16::map(a, |x| x.wrapping_shr(n))]
            [I8x16ShrU |a, n| u8x16::map(a, |x| x.wrapping_shr(n))]
            [I16x8Shl |a, n| u16x8::map(a, |x| x.wrapping_shl(n))]
            [I16x8ShrS |a, n| i16x8::map(a, |x| x.wrapping_shr(n))]
            [I16x8ShrU |a, n| u16x8::map(a, |x| x.wrapping_shr(n))]
            [I32x4Shl |a, n| u32x4::map(a, |x| x.wrapping_shl(n))]
            [I32x4ShrS |a, n| i32x4::map(a, |x| x.wrapping_shr(n))]
            [I32x4ShrU |a, n| u32x4::map(a, |x| x.wrapping_shr(n))]
            [I64x2Shl |a, n| u64x2::map(a, |x| x.wrapping_shl(n))]
            [I64x2ShrS |a, n| i64x2::map(a, |x| x.wrapping_shr(n))]
            [I64x2ShrU |a, n| u64x2::map(a, |x| x.wrapping_shr(n))]
        }
    };
}
pub(crate) use for_each_v128_shift;

/// `v128 -> i32` operations: `[Name |a| expr]`, the result a `u32` (0/1, or a bitmask with
/// lane 0 in bit 0).
macro_rules! for_each_v128_test {
    ($m:ident $($prefix:tt)*) => {
        $crate::simd::simd_table! { $m [$($prefix)*]
            [V128AnyTrue |a| u32::from(a != 0)]
            [I8x16AllTrue |a| u8x16::all_true(a)]
            [I16x8AllTrue |a| u16x8::all_true(a)]
            [I32x4AllTrue |a| u32x4::all_true(a)]
            [I64x2AllTrue |a| u64x2::all_true(a)]
            [I8x16Bitmask |a| u8x16::bitmask(a)]
            [I16x8Bitmask |a| u16x8::bitmask(a)]
            [I32x4Bitmask |a| u32x4::bitmask(a)]
            [I64x2Bitmask |a| u64x2::bitmask(a)]
        }
    };
}
pub(crate) use for_each_v128_test;

/// Splats: `[Name |x| expr]`, `x: u64` the scalar's slot bits (only the lane's low bits
/// count).
macro_rules! for_each_v128_splat {
    ($m:ident $($prefix:tt)*) => {
        $crate::simd::simd_table! { $m [$($prefix)*]
            [I8x16Splat |x| u8x16::splat(x as u8)]
            [I16x8Splat |x| u16x8::splat(x as u16)]
            [I32x4Splat |x| u32x4::splat(x as u32)]
            [I64x2Splat |x| u64x2::splat(x)]
            [F32x4Splat |x| u32x4::splat(x as u32)]
            [F64x2Splat |x| u64x2::splat(x)]
        }
    };
}
pub(crate) use for_each_v128_splat;

/// Lane extraction: `[Name |a, lane| expr]`, `lane: u8` the immediate; the result is slot
/// bits (`_s` sign-extends the lane to i32, `_u` zero-extends; an i32 or f32 is then
/// zero-extended to 64 bits).
macro_rules! for_each_v128_extract {
    ($m:ident $($prefix:tt)*) => {
        $crate::simd::simd_table! { $m [$($prefix)*]
            [I8x16ExtractLaneS |a, lane| u64::from(i8x16::get(a, lane) as u32)]
            [I8x16ExtractLaneU |a, lane| u64::from(u8x16::get(a, lane))]
            [I16x8ExtractLaneS |a, lane| u64::from(i16x8::get(a, lane) as u32)]
            [I16x8ExtractLaneU |a, lane| u64::from(u16x8::get(a, lane))]
            [I32x4ExtractLane |a, lane| u64::from(u32x4::get(a, lane))]
            [I64x2ExtractLane |a, lane| u64x2::get(a, lane)]
            [F32x4ExtractLane |a, lane| u64::from(u32x4::get(a, lane))]
            [F64x2ExtractLane |a, lane| u64x2::get(a, lane)]
        }
    };
}
pub(crate) use for_each_v128_extract;

/// Lane replacement: `[Name |a, x, lane| expr]`, `x: u64` the scalar's slot bits, `lane: u8`
/// the immediate.
macro_rules! for_each_v128_replace {
    ($m:ident $($prefix:tt)*) => {
        $crate::simd::simd_table! { $m [$($prefix)*]
            [I8x16ReplaceLane |a, x, lane| u8x16::set(a, lane, x as u8)]
            [I16x8ReplaceLane |a, x, lane| u16x8::set(a, lane, x as u16)]
            [I32x4ReplaceLane |a, x, lane| u32x4::set(a, lane, x as u32)]
            [I64x2ReplaceLane |a, x, lane| u64x2::set(a, lane, x)]
            [F32x4ReplaceLane |a, x, lane| u32x4::set(a, lane, x as u32)]
            [F64x2ReplaceLane |a, x, lane| u64x2::set(a, lane, x)]
        }
    };
}
pub(crate) use for_each_v128_replace;

/// Loads that build a v128 from fewer bytes: `[Name bytes |raw| expr]`. The caller reads
/// `bytes` bytes (little-endian) at the effective address, bounds-checked for that width,
/// and passes them zero-extended as `raw: u64`.
macro_rules! for_each_v128_load_extend {
    ($m:ident $($prefix:tt)*) => {
        $crate::simd::simd_table! { $m [$($prefix)*]
            [V128Load8x8S 8 |raw| i16x8::convert(i8x16::split(u128::from(raw)), 0, i16::from)]
            [V128Load8x8U 8 |raw| u16x8::convert(u8x16::split(u128::from(raw)), 0, u16::from)]
            [V128Load16x4S 8 |raw| i32x4::convert(i16x8::split(u128::from(raw)), 0, i32::from)]
            [V128Load16x4U 8 |raw| u32x4::convert(u16x8::split(u128::from(raw)), 0, u32::from)]
            [V128Load32x2S 8 |raw| i64x2::convert(i32x4::split(u128::from(raw)), 0, i64::from)]
            [V128Load32x2U 8 |raw| u64x2::convert(u32x4::split(u128::from(raw)), 0, u64::from)]
            [V128Load8Splat 1 |raw| u8x16::splat(raw as u8)]
            [V128Load16Splat 2 |raw| u16x8::splat(raw as u16)]
            [V128Load32Splat 4 |raw| u32x4::splat(raw as u32)]
            [V128Load64Splat 8 |raw| u64x2::splat(raw)]
            [V128Load32Zero 4 |raw| u128::from(raw as u32)]
            [V128Load64Zero 8 |raw| u128::from(raw)]
        }
    };
}
pub(crate) use for_each_v128_load_extend;

/// The SIMD operators no table covers, which the translator and handlers implement
/// themselves: full-width and lane loads and stores (`V128Load`, `V128Store`,
/// `V128Load8Lane` ... `V128Store64Lane`: a lane load is a scalar load plus
/// `for_each_v128_replace!`, a lane store `for_each_v128_extract!` plus a scalar store),
/// `V128Const` (an immediate), and `I8x16Shuffle` (its 16 lane immediates; the semantics is
/// `i8x16_shuffle`).
pub const CALLER_HANDLED_OPS: &[&str] = &[
    "V128Load",
    "V128Store",
    "V128Load8Lane",
    "V128Load16Lane",
    "V128Load32Lane",
    "V128Load64Lane",
    "V128Store8Lane",
    "V128Store16Lane",
    "V128Store32Lane",
    "V128Store64Lane",
    "V128Const",
    "I8x16Shuffle",
];

/// `i8x16.shuffle`: lane `i` is byte `lanes[i]` of the 32 bytes of `a` then `b` (indices are
/// below 32 after validation; they are taken modulo 32). A table lookup on the bytes: clang
/// emits shuffles to build and rearrange vectors, so this is hot in auto-vectorised code.
#[inline]
pub fn i8x16_shuffle(a: u128, b: u128, lanes: [u8; 16]) -> u128 {
    let mut bytes = [0u8; 32];
    bytes[..16].copy_from_slice(&a.to_le_bytes());
    bytes[16..].copy_from_slice(&b.to_le_bytes());
    let mut out = [0u8; 16];
    for (o, &l) in out.iter_mut().zip(&lanes) {
        *o = bytes[usize::from(l % 32)];
    }
    u128::from_le_bytes(out)
}

#[cfg(test)]
mod tests;
