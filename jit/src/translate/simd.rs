//! SIMD operators (Wasm 2.0's `v128` instructions) and relaxed SIMD (Wasm 3.0).
//!
//! **Types.** A `v128` is an `I8X16` wherever the translator keeps it (operand stack, locals,
//! block parameters, signatures, slots, globals); each operator bitcasts its operands to the
//! lane type it works on ([`Translator::pop_as`]) and its result back to `I8X16`
//! ([`Translator::push_v`]). The bitcasts (little-endian lane order, as wasm's) cost no
//! machine instruction: all vector types live in the same registers.
//!
//! **Memory.** Loads and stores, with every lane, splat, zero and extend form, compute their
//! address with [`FuncEnvironment::mem_addr`](super::env::FuncEnvironment::mem_addr), like
//! every other access (guard pages or explicit bounds checks, memory64, multi-memory).
//!
//! **Relaxed SIMD** is deterministic and behaves as the interpreter's (see
//! `Config::wasm_relaxed_simd`): each relaxed operator is its strict counterpart, `madd` and
//! `nmadd` are an unfused multiply and add, `laneselect` is `v128.bitselect`, and the dot
//! products multiply signed by signed and saturate the i16 pair sums (the spec's
//! deterministic profile).
//!
//! Most operators are one Cranelift instruction whose semantics are wasm's (`fmin`/`fmax`,
//! `swizzle`, the saturating conversions, `sqmul_round_sat`); the others are spelled out
//! below in the patterns the x64 backend recognises (`pmin`/`pmax` as `bitselect` of an
//! `fcmp`, extended multiplies and dot products as `imul` of widened halves, the `_zero`
//! conversions as a conversion narrowed with a zero vector).

use cranelift_codegen::ir::condcodes::{FloatCC, IntCC};
use cranelift_codegen::ir::types::{F32X4, F64X2, I8X16, I16X8, I32, I32X4, I64X2};
use cranelift_codegen::ir::{self, ConstantData, InstBuilder, MemFlagsData, Type, Value};
use cranelift_frontend::FunctionBuilder;
use wasmparser::{MemArg, Operator};

use super::memory::heap_flags;
use super::{Translator, unsupported};

macro_rules! define_is_simd {
    ($( @$proposal:ident $op:ident $({ $($arg:ident: $argty:ty),* })? => $visit:ident ($($ann:tt)*) )*) => {
        /// Whether `op` is a SIMD or relaxed-SIMD operator: one of those of wasmparser's
        /// `VisitSimdOperator` (the list `for_each_visit_simd_operator!` names).
        pub(super) fn is_simd(op: &Operator<'_>) -> bool {
            matches!(op, $(Operator::$op { .. })|*)
        }
    };
}
wasmparser::for_each_visit_simd_operator!(define_is_simd);

/// Flags of the bitcasts between vector types: wasm numbers lanes from the low bits.
fn lane_order() -> MemFlagsData {
    MemFlagsData::new().with_endianness(ir::Endianness::Little)
}

/// `v` as a vector of type `ty` (a bitcast unless it is one already).
fn cast(b: &mut FunctionBuilder<'_>, v: Value, ty: Type) -> Value {
    if b.func.dfg.value_type(v) == ty {
        v
    } else {
        b.ins().bitcast(ty, lane_order(), v)
    }
}

/// A vector constant of type `ty` with the little-endian `bytes` (byte 0 is lane 0's low).
fn vconst(b: &mut FunctionBuilder<'_>, ty: Type, bytes: [u8; 16]) -> Value {
    let handle = b.func.dfg.constants.insert(ConstantData::from(&bytes[..]));
    b.ins().vconst(ty, handle)
}

/// A `v128.const`: an `I8X16` with the little-endian `bytes`.
pub(super) fn v128_const(b: &mut FunctionBuilder<'_>, bytes: [u8; 16]) -> Value {
    vconst(b, I8X16, bytes)
}

/// The low (`high` false) or high half of the lanes of `v`, each extended to twice its width.
fn widen(b: &mut FunctionBuilder<'_>, v: Value, signed: bool, high: bool) -> Value {
    match (signed, high) {
        (true, false) => b.ins().swiden_low(v),
        (true, true) => b.ins().swiden_high(v),
        (false, false) => b.ins().uwiden_low(v),
        (false, true) => b.ins().uwiden_high(v),
    }
}

/// `extmul_{low,high}`: the products of the widened lanes of one half of `x` and `y`.
fn ext_mul(b: &mut FunctionBuilder<'_>, x: Value, y: Value, signed: bool, high: bool) -> Value {
    let x = widen(b, x, signed, high);
    let y = widen(b, y, signed, high);
    b.ins().imul(x, y)
}

/// `extadd_pairwise`: the sums of adjacent lanes of `v`, at twice the lane width.
fn ext_add_pairwise(b: &mut FunctionBuilder<'_>, v: Value, signed: bool) -> Value {
    let low = widen(b, v, signed, false);
    let high = widen(b, v, signed, true);
    b.ins().iadd_pairwise(low, high)
}

/// `i32x4.dot_i16x8_s`: the signed products of adjacent lanes summed at twice the lane
/// width, wrapping.
fn dot(b: &mut FunctionBuilder<'_>, x: Value, y: Value) -> Value {
    let low = ext_mul(b, x, y, true, false);
    let high = ext_mul(b, x, y, true, true);
    b.ins().iadd_pairwise(low, high)
}

/// The relaxed `i16x8.dot_i8x16_i7x16_s`, deterministically as the interpreter (the spec's
/// deterministic profile): both operands signed, each pair of i16 products summed with
/// signed saturation (only `-128 * -128` twice overflows, to 32767).
fn relaxed_dot_i8x16(b: &mut FunctionBuilder<'_>, x: Value, y: Value) -> Value {
    let low = ext_mul(b, x, y, true, false);
    let high = ext_mul(b, x, y, true, true);
    let low = ext_add_pairwise(b, low, true);
    let high = ext_add_pairwise(b, high, true);
    b.ins().snarrow(low, high)
}

/// `pmin` (`pmax` if `max`): the second operand if it is less (greater) than the first,
/// else the first, NaNs and zeros included: `b < a ? b : a` as the spec defines it.
fn pseudo_min_max(b: &mut FunctionBuilder<'_>, x: Value, y: Value, max: bool) -> Value {
    let ty = b.func.dfg.value_type(x);
    let take_y = if max {
        b.ins().fcmp(FloatCC::LessThan, x, y)
    } else {
        b.ins().fcmp(FloatCC::LessThan, y, x)
    };
    let take_y = cast(b, take_y, ty);
    b.ins().bitselect(take_y, y, x)
}

/// `i32x4.trunc_sat_f64x2_{s,u}_zero`: the two lanes of `v` converted with saturation,
/// and two zero lanes.
fn trunc_sat_f64x2_zero(b: &mut FunctionBuilder<'_>, v: Value, signed: bool) -> Value {
    let zero = vconst(b, I64X2, [0; 16]);
    if signed {
        let wide = b.ins().fcvt_to_sint_sat(I64X2, v);
        b.ins().snarrow(wide, zero)
    } else {
        let wide = b.ins().fcvt_to_uint_sat(I64X2, v);
        b.ins().uunarrow(wide, zero)
    }
}

/// `f64x2.convert_low_i32x4_{s,u}`: the low two lanes of `v` converted to f64.
fn convert_low_i32x4(b: &mut FunctionBuilder<'_>, v: Value, signed: bool) -> Value {
    let wide = widen(b, v, signed, false);
    if signed {
        b.ins().fcvt_from_sint(F64X2, wide)
    } else {
        b.ins().fcvt_from_uint(F64X2, wide)
    }
}

/// The relaxed `i32x4.dot_i8x16_i7x16_add_s`, deterministically: `relaxed_dot_i8x16`'s
/// i16 sums, sign-extended and added pairwise to i32, plus `acc` (wrapping).
fn relaxed_dot_add(b: &mut FunctionBuilder<'_>, x: Value, y: Value, acc: Value) -> Value {
    let dot16 = relaxed_dot_i8x16(b, x, y);
    let dot32 = ext_add_pairwise(b, dot16, true);
    b.ins().iadd(dot32, acc)
}

/// A lane-wise shift.
#[derive(Clone, Copy)]
enum Shift {
    Left,
    RightSigned,
    RightUnsigned,
}

impl Translator<'_, '_> {
    /// Pops a `v128` as a vector of type `ty`.
    fn pop_as(&mut self, ty: Type) -> Value {
        let v = self.pop();
        cast(&mut self.b, v, ty)
    }

    /// Pushes `v`: a vector as the `I8X16` every `v128` is between operators, a scalar as
    /// it is.
    fn push_v(&mut self, v: Value) {
        let ty = self.b.func.dfg.value_type(v);
        let v = if ty.is_vector() {
            cast(&mut self.b, v, I8X16)
        } else {
            v
        };
        self.push(v);
    }

    /// An operator on one `v128` seen as `ty`.
    fn v_unop(&mut self, ty: Type, f: impl FnOnce(&mut FunctionBuilder<'_>, Value) -> Value) {
        let a = self.pop_as(ty);
        let r = f(&mut self.b, a);
        self.push_v(r);
    }

    /// An operator on two `v128`s seen as `ty`.
    fn v_binop(
        &mut self,
        ty: Type,
        f: impl FnOnce(&mut FunctionBuilder<'_>, Value, Value) -> Value,
    ) {
        let y = self.pop_as(ty);
        let x = self.pop_as(ty);
        let r = f(&mut self.b, x, y);
        self.push_v(r);
    }

    /// An operator on three `v128`s seen as `ty`.
    fn v_ternop(
        &mut self,
        ty: Type,
        f: impl FnOnce(&mut FunctionBuilder<'_>, Value, Value, Value) -> Value,
    ) {
        let z = self.pop_as(ty);
        let y = self.pop_as(ty);
        let x = self.pop_as(ty);
        let r = f(&mut self.b, x, y, z);
        self.push_v(r);
    }

    fn v_icmp(&mut self, ty: Type, cc: IntCC) {
        self.v_binop(ty, |b, x, y| b.ins().icmp(cc, x, y));
    }

    fn v_fcmp(&mut self, ty: Type, cc: FloatCC) {
        self.v_binop(ty, |b, x, y| b.ins().fcmp(cc, x, y));
    }

    /// A shift of the lanes of a `ty` vector by an i32 count, taken modulo the lane width as
    /// wasm requires.
    fn v_shift(&mut self, ty: Type, shift: Shift) {
        let count = self.pop();
        let count = self
            .b
            .ins()
            .band_imm_u(count, i64::from(ty.lane_bits() - 1));
        let v = self.pop_as(ty);
        let r = match shift {
            Shift::Left => self.b.ins().ishl(v, count),
            Shift::RightSigned => self.b.ins().sshr(v, count),
            Shift::RightUnsigned => self.b.ins().ushr(v, count),
        };
        self.push_v(r);
    }

    /// `splat`: a `ty` vector with every lane the scalar operand (an i32 truncated to the
    /// lane type for 8- and 16-bit lanes).
    fn v_splat(&mut self, ty: Type) {
        let mut x = self.pop();
        if ty.lane_bits() < 32 {
            x = self.b.ins().ireduce(ty.lane_type(), x);
        }
        let r = self.b.ins().splat(ty, x);
        self.push_v(r);
    }

    /// `extract_lane`: lane `lane` of a `ty` vector; `ext` says how an 8- or 16-bit lane
    /// becomes an i32 (`Some(signed)`).
    fn v_extract_lane(&mut self, ty: Type, lane: u8, ext: Option<bool>) {
        self.v_unop(ty, |b, v| {
            let x = b.ins().extractlane(v, lane);
            match ext {
                None => x,
                Some(true) => b.ins().sextend(I32, x),
                Some(false) => b.ins().uextend(I32, x),
            }
        });
    }

    /// `replace_lane`: a `ty` vector with lane `lane` replaced by the scalar operand.
    fn v_replace_lane(&mut self, ty: Type, lane: u8) {
        let mut x = self.pop();
        if ty.lane_bits() < 32 {
            x = self.b.ins().ireduce(ty.lane_type(), x);
        }
        let v = self.pop_as(ty);
        let r = self.b.ins().insertlane(v, x, lane);
        self.push_v(r);
    }

    /// Translates a SIMD or relaxed-SIMD operator.
    pub(super) fn simd_op(&mut self, op: Operator<'_>) -> Result<(), String> {
        use Operator as O;
        match op {
            O::V128Load { .. }
            | O::V128Load8x8S { .. }
            | O::V128Load8x8U { .. }
            | O::V128Load16x4S { .. }
            | O::V128Load16x4U { .. }
            | O::V128Load32x2S { .. }
            | O::V128Load32x2U { .. }
            | O::V128Load8Splat { .. }
            | O::V128Load16Splat { .. }
            | O::V128Load32Splat { .. }
            | O::V128Load64Splat { .. }
            | O::V128Load32Zero { .. }
            | O::V128Load64Zero { .. }
            | O::V128Store { .. }
            | O::V128Load8Lane { .. }
            | O::V128Load16Lane { .. }
            | O::V128Load32Lane { .. }
            | O::V128Load64Lane { .. }
            | O::V128Store8Lane { .. }
            | O::V128Store16Lane { .. }
            | O::V128Store32Lane { .. }
            | O::V128Store64Lane { .. } => return self.simd_memory_op(op),

            // ---- constants, shuffles, lanes ----
            O::V128Const { value } => {
                let v = v128_const(&mut self.b, *value.bytes());
                self.push(v);
            }
            O::I8x16Shuffle { lanes } => self.v_binop(I8X16, |b, x, y| {
                let mask = b.func.dfg.immediates.push(ConstantData::from(&lanes[..]));
                b.ins().shuffle(x, y, mask)
            }),
            // Cranelift's `swizzle` is wasm's: an index out of range selects 0.
            O::I8x16Swizzle | O::I8x16RelaxedSwizzle => {
                self.v_binop(I8X16, |b, x, y| b.ins().swizzle(x, y))
            }
            O::I8x16Splat => self.v_splat(I8X16),
            O::I16x8Splat => self.v_splat(I16X8),
            O::I32x4Splat => self.v_splat(I32X4),
            O::I64x2Splat => self.v_splat(I64X2),
            O::F32x4Splat => self.v_splat(F32X4),
            O::F64x2Splat => self.v_splat(F64X2),
            O::I8x16ExtractLaneS { lane } => self.v_extract_lane(I8X16, lane, Some(true)),
            O::I8x16ExtractLaneU { lane } => self.v_extract_lane(I8X16, lane, Some(false)),
            O::I16x8ExtractLaneS { lane } => self.v_extract_lane(I16X8, lane, Some(true)),
            O::I16x8ExtractLaneU { lane } => self.v_extract_lane(I16X8, lane, Some(false)),
            O::I32x4ExtractLane { lane } => self.v_extract_lane(I32X4, lane, None),
            O::I64x2ExtractLane { lane } => self.v_extract_lane(I64X2, lane, None),
            O::F32x4ExtractLane { lane } => self.v_extract_lane(F32X4, lane, None),
            O::F64x2ExtractLane { lane } => self.v_extract_lane(F64X2, lane, None),
            O::I8x16ReplaceLane { lane } => self.v_replace_lane(I8X16, lane),
            O::I16x8ReplaceLane { lane } => self.v_replace_lane(I16X8, lane),
            O::I32x4ReplaceLane { lane } => self.v_replace_lane(I32X4, lane),
            O::I64x2ReplaceLane { lane } => self.v_replace_lane(I64X2, lane),
            O::F32x4ReplaceLane { lane } => self.v_replace_lane(F32X4, lane),
            O::F64x2ReplaceLane { lane } => self.v_replace_lane(F64X2, lane),

            // ---- bitwise ----
            O::V128Not => self.v_unop(I8X16, |b, x| b.ins().bnot(x)),
            O::V128And => self.v_binop(I8X16, |b, x, y| b.ins().band(x, y)),
            O::V128AndNot => self.v_binop(I8X16, |b, x, y| b.ins().band_not(x, y)),
            O::V128Or => self.v_binop(I8X16, |b, x, y| b.ins().bor(x, y)),
            O::V128Xor => self.v_binop(I8X16, |b, x, y| b.ins().bxor(x, y)),
            // Bits of the first operand where the mask (third) is 1, of the second where it is
            // 0; the relaxed laneselect of every width is the same, deterministically.
            O::V128Bitselect
            | O::I8x16RelaxedLaneselect
            | O::I16x8RelaxedLaneselect
            | O::I32x4RelaxedLaneselect
            | O::I64x2RelaxedLaneselect => {
                self.v_ternop(I8X16, |b, x, y, mask| b.ins().bitselect(mask, x, y))
            }
            O::V128AnyTrue => self.v_unop(I8X16, |b, x| {
                let t = b.ins().vany_true(x);
                b.ins().uextend(I32, t)
            }),

            // ---- per-shape tests ----
            O::I8x16AllTrue => self.all_true(I8X16),
            O::I16x8AllTrue => self.all_true(I16X8),
            O::I32x4AllTrue => self.all_true(I32X4),
            O::I64x2AllTrue => self.all_true(I64X2),
            O::I8x16Bitmask => self.bitmask(I8X16),
            O::I16x8Bitmask => self.bitmask(I16X8),
            O::I32x4Bitmask => self.bitmask(I32X4),
            O::I64x2Bitmask => self.bitmask(I64X2),

            other => return self.simd_arith_op(other),
        }
        Ok(())
    }

    fn all_true(&mut self, ty: Type) {
        self.v_unop(ty, |b, x| {
            let t = b.ins().vall_true(x);
            b.ins().uextend(I32, t)
        });
    }

    /// `bitmask`: the top bit of each lane, lane 0 in bit 0.
    fn bitmask(&mut self, ty: Type) {
        self.v_unop(ty, |b, x| b.ins().vhigh_bits(I32, x));
    }

    /// Comparisons and arithmetic of SIMD operators; conversions and the rest go on to
    /// [`Self::simd_conversion_op`].
    fn simd_arith_op(&mut self, op: Operator<'_>) -> Result<(), String> {
        use Operator as O;
        match op {
            // ---- integer comparisons ----
            O::I8x16Eq => self.v_icmp(I8X16, IntCC::Equal),
            O::I8x16Ne => self.v_icmp(I8X16, IntCC::NotEqual),
            O::I8x16LtS => self.v_icmp(I8X16, IntCC::SignedLessThan),
            O::I8x16LtU => self.v_icmp(I8X16, IntCC::UnsignedLessThan),
            O::I8x16GtS => self.v_icmp(I8X16, IntCC::SignedGreaterThan),
            O::I8x16GtU => self.v_icmp(I8X16, IntCC::UnsignedGreaterThan),
            O::I8x16LeS => self.v_icmp(I8X16, IntCC::SignedLessThanOrEqual),
            O::I8x16LeU => self.v_icmp(I8X16, IntCC::UnsignedLessThanOrEqual),
            O::I8x16GeS => self.v_icmp(I8X16, IntCC::SignedGreaterThanOrEqual),
            O::I8x16GeU => self.v_icmp(I8X16, IntCC::UnsignedGreaterThanOrEqual),
            O::I16x8Eq => self.v_icmp(I16X8, IntCC::Equal),
            O::I16x8Ne => self.v_icmp(I16X8, IntCC::NotEqual),
            O::I16x8LtS => self.v_icmp(I16X8, IntCC::SignedLessThan),
            O::I16x8LtU => self.v_icmp(I16X8, IntCC::UnsignedLessThan),
            O::I16x8GtS => self.v_icmp(I16X8, IntCC::SignedGreaterThan),
            O::I16x8GtU => self.v_icmp(I16X8, IntCC::UnsignedGreaterThan),
            O::I16x8LeS => self.v_icmp(I16X8, IntCC::SignedLessThanOrEqual),
            O::I16x8LeU => self.v_icmp(I16X8, IntCC::UnsignedLessThanOrEqual),
            O::I16x8GeS => self.v_icmp(I16X8, IntCC::SignedGreaterThanOrEqual),
            O::I16x8GeU => self.v_icmp(I16X8, IntCC::UnsignedGreaterThanOrEqual),
            O::I32x4Eq => self.v_icmp(I32X4, IntCC::Equal),
            O::I32x4Ne => self.v_icmp(I32X4, IntCC::NotEqual),
            O::I32x4LtS => self.v_icmp(I32X4, IntCC::SignedLessThan),
            O::I32x4LtU => self.v_icmp(I32X4, IntCC::UnsignedLessThan),
            O::I32x4GtS => self.v_icmp(I32X4, IntCC::SignedGreaterThan),
            O::I32x4GtU => self.v_icmp(I32X4, IntCC::UnsignedGreaterThan),
            O::I32x4LeS => self.v_icmp(I32X4, IntCC::SignedLessThanOrEqual),
            O::I32x4LeU => self.v_icmp(I32X4, IntCC::UnsignedLessThanOrEqual),
            O::I32x4GeS => self.v_icmp(I32X4, IntCC::SignedGreaterThanOrEqual),
            O::I32x4GeU => self.v_icmp(I32X4, IntCC::UnsignedGreaterThanOrEqual),
            O::I64x2Eq => self.v_icmp(I64X2, IntCC::Equal),
            O::I64x2Ne => self.v_icmp(I64X2, IntCC::NotEqual),
            O::I64x2LtS => self.v_icmp(I64X2, IntCC::SignedLessThan),
            O::I64x2GtS => self.v_icmp(I64X2, IntCC::SignedGreaterThan),
            O::I64x2LeS => self.v_icmp(I64X2, IntCC::SignedLessThanOrEqual),
            O::I64x2GeS => self.v_icmp(I64X2, IntCC::SignedGreaterThanOrEqual),

            // ---- float comparisons ----
            O::F32x4Eq => self.v_fcmp(F32X4, FloatCC::Equal),
            O::F32x4Ne => self.v_fcmp(F32X4, FloatCC::NotEqual),
            O::F32x4Lt => self.v_fcmp(F32X4, FloatCC::LessThan),
            O::F32x4Gt => self.v_fcmp(F32X4, FloatCC::GreaterThan),
            O::F32x4Le => self.v_fcmp(F32X4, FloatCC::LessThanOrEqual),
            O::F32x4Ge => self.v_fcmp(F32X4, FloatCC::GreaterThanOrEqual),
            O::F64x2Eq => self.v_fcmp(F64X2, FloatCC::Equal),
            O::F64x2Ne => self.v_fcmp(F64X2, FloatCC::NotEqual),
            O::F64x2Lt => self.v_fcmp(F64X2, FloatCC::LessThan),
            O::F64x2Gt => self.v_fcmp(F64X2, FloatCC::GreaterThan),
            O::F64x2Le => self.v_fcmp(F64X2, FloatCC::LessThanOrEqual),
            O::F64x2Ge => self.v_fcmp(F64X2, FloatCC::GreaterThanOrEqual),

            // ---- integer arithmetic ----
            O::I8x16Abs => self.v_unop(I8X16, |b, x| b.ins().iabs(x)),
            O::I16x8Abs => self.v_unop(I16X8, |b, x| b.ins().iabs(x)),
            O::I32x4Abs => self.v_unop(I32X4, |b, x| b.ins().iabs(x)),
            O::I64x2Abs => self.v_unop(I64X2, |b, x| b.ins().iabs(x)),
            O::I8x16Neg => self.v_unop(I8X16, |b, x| b.ins().ineg(x)),
            O::I16x8Neg => self.v_unop(I16X8, |b, x| b.ins().ineg(x)),
            O::I32x4Neg => self.v_unop(I32X4, |b, x| b.ins().ineg(x)),
            O::I64x2Neg => self.v_unop(I64X2, |b, x| b.ins().ineg(x)),
            O::I8x16Popcnt => self.v_unop(I8X16, |b, x| b.ins().popcnt(x)),
            O::I8x16Add => self.v_binop(I8X16, |b, x, y| b.ins().iadd(x, y)),
            O::I16x8Add => self.v_binop(I16X8, |b, x, y| b.ins().iadd(x, y)),
            O::I32x4Add => self.v_binop(I32X4, |b, x, y| b.ins().iadd(x, y)),
            O::I64x2Add => self.v_binop(I64X2, |b, x, y| b.ins().iadd(x, y)),
            O::I8x16Sub => self.v_binop(I8X16, |b, x, y| b.ins().isub(x, y)),
            O::I16x8Sub => self.v_binop(I16X8, |b, x, y| b.ins().isub(x, y)),
            O::I32x4Sub => self.v_binop(I32X4, |b, x, y| b.ins().isub(x, y)),
            O::I64x2Sub => self.v_binop(I64X2, |b, x, y| b.ins().isub(x, y)),
            O::I16x8Mul => self.v_binop(I16X8, |b, x, y| b.ins().imul(x, y)),
            O::I32x4Mul => self.v_binop(I32X4, |b, x, y| b.ins().imul(x, y)),
            O::I64x2Mul => self.v_binop(I64X2, |b, x, y| b.ins().imul(x, y)),
            O::I8x16AddSatS => self.v_binop(I8X16, |b, x, y| b.ins().sadd_sat(x, y)),
            O::I8x16AddSatU => self.v_binop(I8X16, |b, x, y| b.ins().uadd_sat(x, y)),
            O::I8x16SubSatS => self.v_binop(I8X16, |b, x, y| b.ins().ssub_sat(x, y)),
            O::I8x16SubSatU => self.v_binop(I8X16, |b, x, y| b.ins().usub_sat(x, y)),
            O::I16x8AddSatS => self.v_binop(I16X8, |b, x, y| b.ins().sadd_sat(x, y)),
            O::I16x8AddSatU => self.v_binop(I16X8, |b, x, y| b.ins().uadd_sat(x, y)),
            O::I16x8SubSatS => self.v_binop(I16X8, |b, x, y| b.ins().ssub_sat(x, y)),
            O::I16x8SubSatU => self.v_binop(I16X8, |b, x, y| b.ins().usub_sat(x, y)),
            O::I8x16MinS => self.v_binop(I8X16, |b, x, y| b.ins().smin(x, y)),
            O::I8x16MinU => self.v_binop(I8X16, |b, x, y| b.ins().umin(x, y)),
            O::I8x16MaxS => self.v_binop(I8X16, |b, x, y| b.ins().smax(x, y)),
            O::I8x16MaxU => self.v_binop(I8X16, |b, x, y| b.ins().umax(x, y)),
            O::I16x8MinS => self.v_binop(I16X8, |b, x, y| b.ins().smin(x, y)),
            O::I16x8MinU => self.v_binop(I16X8, |b, x, y| b.ins().umin(x, y)),
            O::I16x8MaxS => self.v_binop(I16X8, |b, x, y| b.ins().smax(x, y)),
            O::I16x8MaxU => self.v_binop(I16X8, |b, x, y| b.ins().umax(x, y)),
            O::I32x4MinS => self.v_binop(I32X4, |b, x, y| b.ins().smin(x, y)),
            O::I32x4MinU => self.v_binop(I32X4, |b, x, y| b.ins().umin(x, y)),
            O::I32x4MaxS => self.v_binop(I32X4, |b, x, y| b.ins().smax(x, y)),
            O::I32x4MaxU => self.v_binop(I32X4, |b, x, y| b.ins().umax(x, y)),
            O::I8x16AvgrU => self.v_binop(I8X16, |b, x, y| b.ins().avg_round(x, y)),
            O::I16x8AvgrU => self.v_binop(I16X8, |b, x, y| b.ins().avg_round(x, y)),
            O::I16x8Q15MulrSatS | O::I16x8RelaxedQ15mulrS => {
                self.v_binop(I16X8, |b, x, y| b.ins().sqmul_round_sat(x, y))
            }
            O::I8x16Shl => self.v_shift(I8X16, Shift::Left),
            O::I16x8Shl => self.v_shift(I16X8, Shift::Left),
            O::I32x4Shl => self.v_shift(I32X4, Shift::Left),
            O::I64x2Shl => self.v_shift(I64X2, Shift::Left),
            O::I8x16ShrS => self.v_shift(I8X16, Shift::RightSigned),
            O::I16x8ShrS => self.v_shift(I16X8, Shift::RightSigned),
            O::I32x4ShrS => self.v_shift(I32X4, Shift::RightSigned),
            O::I64x2ShrS => self.v_shift(I64X2, Shift::RightSigned),
            O::I8x16ShrU => self.v_shift(I8X16, Shift::RightUnsigned),
            O::I16x8ShrU => self.v_shift(I16X8, Shift::RightUnsigned),
            O::I32x4ShrU => self.v_shift(I32X4, Shift::RightUnsigned),
            O::I64x2ShrU => self.v_shift(I64X2, Shift::RightUnsigned),

            // ---- widening arithmetic ----
            O::I16x8ExtMulLowI8x16S => self.v_binop(I8X16, |b, x, y| ext_mul(b, x, y, true, false)),
            O::I16x8ExtMulHighI8x16S => self.v_binop(I8X16, |b, x, y| ext_mul(b, x, y, true, true)),
            O::I16x8ExtMulLowI8x16U => {
                self.v_binop(I8X16, |b, x, y| ext_mul(b, x, y, false, false))
            }
            O::I16x8ExtMulHighI8x16U => {
                self.v_binop(I8X16, |b, x, y| ext_mul(b, x, y, false, true))
            }
            O::I32x4ExtMulLowI16x8S => self.v_binop(I16X8, |b, x, y| ext_mul(b, x, y, true, false)),
            O::I32x4ExtMulHighI16x8S => self.v_binop(I16X8, |b, x, y| ext_mul(b, x, y, true, true)),
            O::I32x4ExtMulLowI16x8U => {
                self.v_binop(I16X8, |b, x, y| ext_mul(b, x, y, false, false))
            }
            O::I32x4ExtMulHighI16x8U => {
                self.v_binop(I16X8, |b, x, y| ext_mul(b, x, y, false, true))
            }
            O::I64x2ExtMulLowI32x4S => self.v_binop(I32X4, |b, x, y| ext_mul(b, x, y, true, false)),
            O::I64x2ExtMulHighI32x4S => self.v_binop(I32X4, |b, x, y| ext_mul(b, x, y, true, true)),
            O::I64x2ExtMulLowI32x4U => {
                self.v_binop(I32X4, |b, x, y| ext_mul(b, x, y, false, false))
            }
            O::I64x2ExtMulHighI32x4U => {
                self.v_binop(I32X4, |b, x, y| ext_mul(b, x, y, false, true))
            }
            O::I16x8ExtAddPairwiseI8x16S => self.v_unop(I8X16, |b, x| ext_add_pairwise(b, x, true)),
            O::I16x8ExtAddPairwiseI8x16U => {
                self.v_unop(I8X16, |b, x| ext_add_pairwise(b, x, false))
            }
            O::I32x4ExtAddPairwiseI16x8S => self.v_unop(I16X8, |b, x| ext_add_pairwise(b, x, true)),
            O::I32x4ExtAddPairwiseI16x8U => {
                self.v_unop(I16X8, |b, x| ext_add_pairwise(b, x, false))
            }
            O::I32x4DotI16x8S => self.v_binop(I16X8, dot),
            O::I16x8RelaxedDotI8x16I7x16S => self.v_binop(I8X16, relaxed_dot_i8x16),
            O::I32x4RelaxedDotI8x16I7x16AddS => {
                let acc = self.pop_as(I32X4);
                let y = self.pop_as(I8X16);
                let x = self.pop_as(I8X16);
                let r = relaxed_dot_add(&mut self.b, x, y, acc);
                self.push_v(r);
            }

            other => return self.simd_float_op(other),
        }
        Ok(())
    }

    /// Float arithmetic of SIMD operators, relaxed ones included.
    fn simd_float_op(&mut self, op: Operator<'_>) -> Result<(), String> {
        use Operator as O;
        match op {
            O::F32x4Abs => self.v_unop(F32X4, |b, x| b.ins().fabs(x)),
            O::F64x2Abs => self.v_unop(F64X2, |b, x| b.ins().fabs(x)),
            O::F32x4Neg => self.v_unop(F32X4, |b, x| b.ins().fneg(x)),
            O::F64x2Neg => self.v_unop(F64X2, |b, x| b.ins().fneg(x)),
            O::F32x4Sqrt => self.v_unop(F32X4, |b, x| b.ins().sqrt(x)),
            O::F64x2Sqrt => self.v_unop(F64X2, |b, x| b.ins().sqrt(x)),
            O::F32x4Ceil => self.v_unop(F32X4, |b, x| b.ins().ceil(x)),
            O::F64x2Ceil => self.v_unop(F64X2, |b, x| b.ins().ceil(x)),
            O::F32x4Floor => self.v_unop(F32X4, |b, x| b.ins().floor(x)),
            O::F64x2Floor => self.v_unop(F64X2, |b, x| b.ins().floor(x)),
            O::F32x4Trunc => self.v_unop(F32X4, |b, x| b.ins().trunc(x)),
            O::F64x2Trunc => self.v_unop(F64X2, |b, x| b.ins().trunc(x)),
            O::F32x4Nearest => self.v_unop(F32X4, |b, x| b.ins().nearest(x)),
            O::F64x2Nearest => self.v_unop(F64X2, |b, x| b.ins().nearest(x)),
            O::F32x4Add => self.v_binop(F32X4, |b, x, y| b.ins().fadd(x, y)),
            O::F64x2Add => self.v_binop(F64X2, |b, x, y| b.ins().fadd(x, y)),
            O::F32x4Sub => self.v_binop(F32X4, |b, x, y| b.ins().fsub(x, y)),
            O::F64x2Sub => self.v_binop(F64X2, |b, x, y| b.ins().fsub(x, y)),
            O::F32x4Mul => self.v_binop(F32X4, |b, x, y| b.ins().fmul(x, y)),
            O::F64x2Mul => self.v_binop(F64X2, |b, x, y| b.ins().fmul(x, y)),
            O::F32x4Div => self.v_binop(F32X4, |b, x, y| b.ins().fdiv(x, y)),
            O::F64x2Div => self.v_binop(F64X2, |b, x, y| b.ins().fdiv(x, y)),
            // Cranelift's fmin/fmax are wasm's (NaN-propagating, -0 < +0); the relaxed forms
            // are the same, deterministically.
            O::F32x4Min | O::F32x4RelaxedMin => self.v_binop(F32X4, |b, x, y| b.ins().fmin(x, y)),
            O::F64x2Min | O::F64x2RelaxedMin => self.v_binop(F64X2, |b, x, y| b.ins().fmin(x, y)),
            O::F32x4Max | O::F32x4RelaxedMax => self.v_binop(F32X4, |b, x, y| b.ins().fmax(x, y)),
            O::F64x2Max | O::F64x2RelaxedMax => self.v_binop(F64X2, |b, x, y| b.ins().fmax(x, y)),
            O::F32x4PMin => self.v_binop(F32X4, |b, x, y| pseudo_min_max(b, x, y, false)),
            O::F64x2PMin => self.v_binop(F64X2, |b, x, y| pseudo_min_max(b, x, y, false)),
            O::F32x4PMax => self.v_binop(F32X4, |b, x, y| pseudo_min_max(b, x, y, true)),
            O::F64x2PMax => self.v_binop(F64X2, |b, x, y| pseudo_min_max(b, x, y, true)),
            O::F32x4RelaxedMadd => self.madd(F32X4, false),
            O::F64x2RelaxedMadd => self.madd(F64X2, false),
            O::F32x4RelaxedNmadd => self.madd(F32X4, true),
            O::F64x2RelaxedNmadd => self.madd(F64X2, true),
            other => return self.simd_conversion_op(other),
        }
        Ok(())
    }

    /// The relaxed `madd` (`nmadd` if `negate`): `a * b + c` (`-(a * b) + c`), rounded after
    /// the multiplication and after the addition (not fused), deterministically.
    fn madd(&mut self, ty: Type, negate: bool) {
        self.v_ternop(ty, |b, x, y, z| {
            let mut product = b.ins().fmul(x, y);
            if negate {
                product = b.ins().fneg(product);
            }
            b.ins().fadd(product, z)
        });
    }

    /// Conversions, narrowing and extension of SIMD operators; anything else is unsupported.
    fn simd_conversion_op(&mut self, op: Operator<'_>) -> Result<(), String> {
        use Operator as O;
        match op {
            O::I8x16NarrowI16x8S => self.v_binop(I16X8, |b, x, y| b.ins().snarrow(x, y)),
            O::I16x8NarrowI32x4S => self.v_binop(I32X4, |b, x, y| b.ins().snarrow(x, y)),
            // Signed lanes saturated to the unsigned range.
            O::I8x16NarrowI16x8U => self.v_binop(I16X8, |b, x, y| b.ins().unarrow(x, y)),
            O::I16x8NarrowI32x4U => self.v_binop(I32X4, |b, x, y| b.ins().unarrow(x, y)),
            O::I16x8ExtendLowI8x16S => self.v_unop(I8X16, |b, x| widen(b, x, true, false)),
            O::I16x8ExtendHighI8x16S => self.v_unop(I8X16, |b, x| widen(b, x, true, true)),
            O::I16x8ExtendLowI8x16U => self.v_unop(I8X16, |b, x| widen(b, x, false, false)),
            O::I16x8ExtendHighI8x16U => self.v_unop(I8X16, |b, x| widen(b, x, false, true)),
            O::I32x4ExtendLowI16x8S => self.v_unop(I16X8, |b, x| widen(b, x, true, false)),
            O::I32x4ExtendHighI16x8S => self.v_unop(I16X8, |b, x| widen(b, x, true, true)),
            O::I32x4ExtendLowI16x8U => self.v_unop(I16X8, |b, x| widen(b, x, false, false)),
            O::I32x4ExtendHighI16x8U => self.v_unop(I16X8, |b, x| widen(b, x, false, true)),
            O::I64x2ExtendLowI32x4S => self.v_unop(I32X4, |b, x| widen(b, x, true, false)),
            O::I64x2ExtendHighI32x4S => self.v_unop(I32X4, |b, x| widen(b, x, true, true)),
            O::I64x2ExtendLowI32x4U => self.v_unop(I32X4, |b, x| widen(b, x, false, false)),
            O::I64x2ExtendHighI32x4U => self.v_unop(I32X4, |b, x| widen(b, x, false, true)),
            // The relaxed truncations are the saturating ones, deterministically.
            O::I32x4TruncSatF32x4S | O::I32x4RelaxedTruncF32x4S => {
                self.v_unop(F32X4, |b, x| b.ins().fcvt_to_sint_sat(I32X4, x))
            }
            O::I32x4TruncSatF32x4U | O::I32x4RelaxedTruncF32x4U => {
                self.v_unop(F32X4, |b, x| b.ins().fcvt_to_uint_sat(I32X4, x))
            }
            O::I32x4TruncSatF64x2SZero | O::I32x4RelaxedTruncF64x2SZero => {
                self.v_unop(F64X2, |b, x| trunc_sat_f64x2_zero(b, x, true))
            }
            O::I32x4TruncSatF64x2UZero | O::I32x4RelaxedTruncF64x2UZero => {
                self.v_unop(F64X2, |b, x| trunc_sat_f64x2_zero(b, x, false))
            }
            O::F32x4ConvertI32x4S => self.v_unop(I32X4, |b, x| b.ins().fcvt_from_sint(F32X4, x)),
            O::F32x4ConvertI32x4U => self.v_unop(I32X4, |b, x| b.ins().fcvt_from_uint(F32X4, x)),
            O::F64x2ConvertLowI32x4S => self.v_unop(I32X4, |b, x| convert_low_i32x4(b, x, true)),
            O::F64x2ConvertLowI32x4U => self.v_unop(I32X4, |b, x| convert_low_i32x4(b, x, false)),
            // Two f32 lanes and two zero lanes.
            O::F32x4DemoteF64x2Zero => self.v_unop(F64X2, |b, x| b.ins().fvdemote(x)),
            O::F64x2PromoteLowF32x4 => self.v_unop(F32X4, |b, x| b.ins().fvpromote_low(x)),
            other => return Err(unsupported(&other)),
        }
        Ok(())
    }

    // ---- memory ----

    /// Translates a SIMD load or store.
    fn simd_memory_op(&mut self, op: Operator<'_>) -> Result<(), String> {
        use Operator as O;
        match op {
            O::V128Load { memarg } => self.v_load(&memarg, 16, |b, a, o| {
                b.ins().load(I8X16, heap_flags(), a, o)
            }),
            O::V128Load8x8S { memarg } => {
                self.v_load(&memarg, 8, |b, a, o| b.ins().sload8x8(heap_flags(), a, o))
            }
            O::V128Load8x8U { memarg } => {
                self.v_load(&memarg, 8, |b, a, o| b.ins().uload8x8(heap_flags(), a, o))
            }
            O::V128Load16x4S { memarg } => {
                self.v_load(&memarg, 8, |b, a, o| b.ins().sload16x4(heap_flags(), a, o))
            }
            O::V128Load16x4U { memarg } => {
                self.v_load(&memarg, 8, |b, a, o| b.ins().uload16x4(heap_flags(), a, o))
            }
            O::V128Load32x2S { memarg } => {
                self.v_load(&memarg, 8, |b, a, o| b.ins().sload32x2(heap_flags(), a, o))
            }
            O::V128Load32x2U { memarg } => {
                self.v_load(&memarg, 8, |b, a, o| b.ins().uload32x2(heap_flags(), a, o))
            }
            O::V128Load8Splat { memarg } => self.load_splat(&memarg, I8X16),
            O::V128Load16Splat { memarg } => self.load_splat(&memarg, I16X8),
            O::V128Load32Splat { memarg } => self.load_splat(&memarg, I32X4),
            O::V128Load64Splat { memarg } => self.load_splat(&memarg, I64X2),
            O::V128Load32Zero { memarg } => self.load_zero(&memarg, I32X4),
            O::V128Load64Zero { memarg } => self.load_zero(&memarg, I64X2),
            O::V128Load8Lane { memarg, lane } => self.load_lane(&memarg, I8X16, lane),
            O::V128Load16Lane { memarg, lane } => self.load_lane(&memarg, I16X8, lane),
            O::V128Load32Lane { memarg, lane } => self.load_lane(&memarg, I32X4, lane),
            O::V128Load64Lane { memarg, lane } => self.load_lane(&memarg, I64X2, lane),
            O::V128Store { memarg } => {
                let v = self.pop_as(I8X16);
                self.store_scalar_or_vector(&memarg, v);
            }
            O::V128Store8Lane { memarg, lane } => self.store_lane(&memarg, I8X16, lane),
            O::V128Store16Lane { memarg, lane } => self.store_lane(&memarg, I16X8, lane),
            O::V128Store32Lane { memarg, lane } => self.store_lane(&memarg, I32X4, lane),
            O::V128Store64Lane { memarg, lane } => self.store_lane(&memarg, I64X2, lane),
            other => return Err(unsupported(&other)),
        }
        Ok(())
    }

    /// A load of `size` bytes at the popped address, which `load` emits at the address and
    /// offset the environment computed.
    fn v_load(
        &mut self,
        memarg: &MemArg,
        size: u32,
        load: impl FnOnce(&mut FunctionBuilder<'_>, Value, i32) -> Value,
    ) {
        let index = self.pop();
        let (addr, off) = self.vm.mem_addr(&mut self.b, memarg, index, size);
        let v = load(&mut self.b, addr, off);
        self.push_v(v);
    }

    /// A load of one lane of a `ty` vector.
    fn load_scalar(&mut self, memarg: &MemArg, ty: Type) -> Value {
        let lane = ty.lane_type();
        let index = self.pop();
        let (addr, off) = self.vm.mem_addr(&mut self.b, memarg, index, lane.bytes());
        self.b.ins().load(lane, heap_flags(), addr, off)
    }

    /// `load*_splat`: one lane loaded into every lane of a `ty` vector.
    fn load_splat(&mut self, memarg: &MemArg, ty: Type) {
        let x = self.load_scalar(memarg, ty);
        let v = self.b.ins().splat(ty, x);
        self.push_v(v);
    }

    /// `load*_zero`: one lane loaded into lane 0 of a `ty` vector, the other lanes zero.
    fn load_zero(&mut self, memarg: &MemArg, ty: Type) {
        let x = self.load_scalar(memarg, ty);
        let v = self.b.ins().scalar_to_vector(ty, x);
        self.push_v(v);
    }

    /// `load*_lane`: the vector operand with lane `lane` loaded from memory.
    fn load_lane(&mut self, memarg: &MemArg, ty: Type, lane: u8) {
        let v = self.pop_as(ty);
        let x = self.load_scalar(memarg, ty);
        let r = self.b.ins().insertlane(v, x, lane);
        self.push_v(r);
    }

    /// `store*_lane`: lane `lane` of the vector operand stored to memory.
    fn store_lane(&mut self, memarg: &MemArg, ty: Type, lane: u8) {
        let v = self.pop_as(ty);
        let x = self.b.ins().extractlane(v, lane);
        self.store_scalar_or_vector(memarg, x);
    }

    /// Stores `v` (all its bytes) at the popped address.
    fn store_scalar_or_vector(&mut self, memarg: &MemArg, v: Value) {
        let index = self.pop();
        let size = self.b.func.dfg.value_type(v).bytes();
        let (addr, off) = self.vm.mem_addr(&mut self.b, memarg, index, size);
        self.b.ins().store(heap_flags(), v, addr, off);
    }
}
