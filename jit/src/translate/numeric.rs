//! Numeric operators: constants, integer and float comparisons and arithmetic, conversions,
//! sign extension and wide arithmetic. None of them touches the VM context: they only pop
//! operands, emit pure Cranelift instructions (some of which trap, as wasm's do) and push
//! results. `numeric_op` is also the dispatcher's fallback, so it reports every operator
//! no group supports.

use cranelift_codegen::ir::condcodes::{FloatCC, IntCC};
use cranelift_codegen::ir::{self, InstBuilder, MemFlagsData, Value, types};
use cranelift_frontend::FunctionBuilder;
use wasmparser::Operator;

use super::{Translator, unsupported};

impl Translator<'_, '_> {
    fn icmp(&mut self, cc: IntCC) {
        let (a, b) = self.pop2();
        let r = self.b.ins().icmp(cc, a, b);
        let r = self.bool_to_i32(r);
        self.push(r);
    }

    fn fcmp(&mut self, cc: FloatCC) {
        let (a, b) = self.pop2();
        let r = self.b.ins().fcmp(cc, a, b);
        let r = self.bool_to_i32(r);
        self.push(r);
    }

    fn binop(&mut self, f: impl FnOnce(&mut FunctionBuilder<'_>, Value, Value) -> Value) {
        let (a, b) = self.pop2();
        let r = f(&mut self.b, a, b);
        self.push(r);
    }

    fn unop(&mut self, f: impl FnOnce(&mut FunctionBuilder<'_>, Value) -> Value) {
        let a = self.pop();
        let r = f(&mut self.b, a);
        self.push(r);
    }

    /// Translates a numeric operator; anything else is unsupported.
    pub(super) fn numeric_op(&mut self, op: Operator<'_>) -> Result<(), String> {
        use Operator as O;
        match op {
            // ---- constants ----
            O::I32Const { value } => {
                let v = self.b.ins().iconst(types::I32, value as u32 as i64);
                self.push(v);
            }
            O::I64Const { value } => {
                let v = self.b.ins().iconst(types::I64, value);
                self.push(v);
            }
            O::F32Const { value } => {
                let v = self
                    .b
                    .ins()
                    .f32const(ir::immediates::Ieee32::with_bits(value.bits()));
                self.push(v);
            }
            O::F64Const { value } => {
                let v = self
                    .b
                    .ins()
                    .f64const(ir::immediates::Ieee64::with_bits(value.bits()));
                self.push(v);
            }

            // ---- integer comparisons ----
            O::I32Eqz | O::I64Eqz => {
                let a = self.pop();
                let r = self.b.ins().icmp_imm_s(IntCC::Equal, a, 0);
                let r = self.bool_to_i32(r);
                self.push(r);
            }
            O::I32Eq | O::I64Eq => self.icmp(IntCC::Equal),
            O::I32Ne | O::I64Ne => self.icmp(IntCC::NotEqual),
            O::I32LtS | O::I64LtS => self.icmp(IntCC::SignedLessThan),
            O::I32LtU | O::I64LtU => self.icmp(IntCC::UnsignedLessThan),
            O::I32GtS | O::I64GtS => self.icmp(IntCC::SignedGreaterThan),
            O::I32GtU | O::I64GtU => self.icmp(IntCC::UnsignedGreaterThan),
            O::I32LeS | O::I64LeS => self.icmp(IntCC::SignedLessThanOrEqual),
            O::I32LeU | O::I64LeU => self.icmp(IntCC::UnsignedLessThanOrEqual),
            O::I32GeS | O::I64GeS => self.icmp(IntCC::SignedGreaterThanOrEqual),
            O::I32GeU | O::I64GeU => self.icmp(IntCC::UnsignedGreaterThanOrEqual),

            // ---- float comparisons ----
            O::F32Eq | O::F64Eq => self.fcmp(FloatCC::Equal),
            O::F32Ne | O::F64Ne => self.fcmp(FloatCC::NotEqual),
            O::F32Lt | O::F64Lt => self.fcmp(FloatCC::LessThan),
            O::F32Gt | O::F64Gt => self.fcmp(FloatCC::GreaterThan),
            O::F32Le | O::F64Le => self.fcmp(FloatCC::LessThanOrEqual),
            O::F32Ge | O::F64Ge => self.fcmp(FloatCC::GreaterThanOrEqual),

            // ---- integer arithmetic ----
            O::I32Clz | O::I64Clz => self.unop(|b, a| b.ins().clz(a)),
            O::I32Ctz | O::I64Ctz => self.unop(|b, a| b.ins().ctz(a)),
            O::I32Popcnt | O::I64Popcnt => self.unop(|b, a| b.ins().popcnt(a)),
            O::I32Add | O::I64Add => self.binop(|b, x, y| b.ins().iadd(x, y)),
            O::I32Sub | O::I64Sub => self.binop(|b, x, y| b.ins().isub(x, y)),
            O::I32Mul | O::I64Mul => self.binop(|b, x, y| b.ins().imul(x, y)),
            // Cranelift's division traps with INTEGER_DIVISION_BY_ZERO / INTEGER_OVERFLOW,
            // exactly wasm's traps; `srem` of MIN by -1 is 0 as wasm requires.
            O::I32DivS | O::I64DivS => self.binop(|b, x, y| b.ins().sdiv(x, y)),
            O::I32DivU | O::I64DivU => self.binop(|b, x, y| b.ins().udiv(x, y)),
            O::I32RemS | O::I64RemS => self.binop(|b, x, y| b.ins().srem(x, y)),
            O::I32RemU | O::I64RemU => self.binop(|b, x, y| b.ins().urem(x, y)),
            O::I32And | O::I64And => self.binop(|b, x, y| b.ins().band(x, y)),
            O::I32Or | O::I64Or => self.binop(|b, x, y| b.ins().bor(x, y)),
            O::I32Xor | O::I64Xor => self.binop(|b, x, y| b.ins().bxor(x, y)),
            // Shift and rotate amounts are taken modulo the bit width, as in wasm.
            O::I32Shl | O::I64Shl => self.binop(|b, x, y| b.ins().ishl(x, y)),
            O::I32ShrS | O::I64ShrS => self.binop(|b, x, y| b.ins().sshr(x, y)),
            O::I32ShrU | O::I64ShrU => self.binop(|b, x, y| b.ins().ushr(x, y)),
            O::I32Rotl | O::I64Rotl => self.binop(|b, x, y| b.ins().rotl(x, y)),
            O::I32Rotr | O::I64Rotr => self.binop(|b, x, y| b.ins().rotr(x, y)),

            // ---- float arithmetic ----
            O::F32Abs | O::F64Abs => self.unop(|b, a| b.ins().fabs(a)),
            O::F32Neg | O::F64Neg => self.unop(|b, a| b.ins().fneg(a)),
            O::F32Ceil | O::F64Ceil => self.unop(|b, a| b.ins().ceil(a)),
            O::F32Floor | O::F64Floor => self.unop(|b, a| b.ins().floor(a)),
            O::F32Trunc | O::F64Trunc => self.unop(|b, a| b.ins().trunc(a)),
            O::F32Nearest | O::F64Nearest => self.unop(|b, a| b.ins().nearest(a)),
            O::F32Sqrt | O::F64Sqrt => self.unop(|b, a| b.ins().sqrt(a)),
            O::F32Add | O::F64Add => self.binop(|b, x, y| b.ins().fadd(x, y)),
            O::F32Sub | O::F64Sub => self.binop(|b, x, y| b.ins().fsub(x, y)),
            O::F32Mul | O::F64Mul => self.binop(|b, x, y| b.ins().fmul(x, y)),
            O::F32Div | O::F64Div => self.binop(|b, x, y| b.ins().fdiv(x, y)),
            // Cranelift's fmin/fmax have wasm's semantics (NaN-propagating, -0 < +0).
            O::F32Min | O::F64Min => self.binop(|b, x, y| b.ins().fmin(x, y)),
            O::F32Max | O::F64Max => self.binop(|b, x, y| b.ins().fmax(x, y)),
            O::F32Copysign | O::F64Copysign => self.binop(|b, x, y| b.ins().fcopysign(x, y)),

            // ---- conversions ----
            O::I32WrapI64 => self.unop(|b, a| b.ins().ireduce(types::I32, a)),
            O::I64ExtendI32S => self.unop(|b, a| b.ins().sextend(types::I64, a)),
            O::I64ExtendI32U => self.unop(|b, a| b.ins().uextend(types::I64, a)),
            // Trapping conversions: NaN -> BAD_CONVERSION_TO_INTEGER, out of range ->
            // INTEGER_OVERFLOW, the same distinction wasm makes.
            O::I32TruncF32S | O::I32TruncF64S => {
                self.unop(|b, a| b.ins().fcvt_to_sint(types::I32, a))
            }
            O::I32TruncF32U | O::I32TruncF64U => {
                self.unop(|b, a| b.ins().fcvt_to_uint(types::I32, a))
            }
            O::I64TruncF32S | O::I64TruncF64S => {
                self.unop(|b, a| b.ins().fcvt_to_sint(types::I64, a))
            }
            O::I64TruncF32U | O::I64TruncF64U => {
                self.unop(|b, a| b.ins().fcvt_to_uint(types::I64, a))
            }
            O::I32TruncSatF32S | O::I32TruncSatF64S => {
                self.unop(|b, a| b.ins().fcvt_to_sint_sat(types::I32, a))
            }
            O::I32TruncSatF32U | O::I32TruncSatF64U => {
                self.unop(|b, a| b.ins().fcvt_to_uint_sat(types::I32, a))
            }
            O::I64TruncSatF32S | O::I64TruncSatF64S => {
                self.unop(|b, a| b.ins().fcvt_to_sint_sat(types::I64, a))
            }
            O::I64TruncSatF32U | O::I64TruncSatF64U => {
                self.unop(|b, a| b.ins().fcvt_to_uint_sat(types::I64, a))
            }
            O::F32ConvertI32S | O::F32ConvertI64S => {
                self.unop(|b, a| b.ins().fcvt_from_sint(types::F32, a))
            }
            O::F32ConvertI32U | O::F32ConvertI64U => {
                self.unop(|b, a| b.ins().fcvt_from_uint(types::F32, a))
            }
            O::F64ConvertI32S | O::F64ConvertI64S => {
                self.unop(|b, a| b.ins().fcvt_from_sint(types::F64, a))
            }
            O::F64ConvertI32U | O::F64ConvertI64U => {
                self.unop(|b, a| b.ins().fcvt_from_uint(types::F64, a))
            }
            O::F32DemoteF64 => self.unop(|b, a| b.ins().fdemote(types::F32, a)),
            O::F64PromoteF32 => self.unop(|b, a| b.ins().fpromote(types::F64, a)),
            O::I32ReinterpretF32 => {
                self.unop(|b, a| b.ins().bitcast(types::I32, MemFlagsData::new(), a))
            }
            O::I64ReinterpretF64 => {
                self.unop(|b, a| b.ins().bitcast(types::I64, MemFlagsData::new(), a))
            }
            O::F32ReinterpretI32 => {
                self.unop(|b, a| b.ins().bitcast(types::F32, MemFlagsData::new(), a))
            }
            O::F64ReinterpretI64 => {
                self.unop(|b, a| b.ins().bitcast(types::F64, MemFlagsData::new(), a))
            }
            O::I32Extend8S => self.unop(|b, a| {
                let n = b.ins().ireduce(types::I8, a);
                b.ins().sextend(types::I32, n)
            }),
            O::I32Extend16S => self.unop(|b, a| {
                let n = b.ins().ireduce(types::I16, a);
                b.ins().sextend(types::I32, n)
            }),
            O::I64Extend8S => self.unop(|b, a| {
                let n = b.ins().ireduce(types::I8, a);
                b.ins().sextend(types::I64, n)
            }),
            O::I64Extend16S => self.unop(|b, a| {
                let n = b.ins().ireduce(types::I16, a);
                b.ins().sextend(types::I64, n)
            }),
            O::I64Extend32S => self.unop(|b, a| {
                let n = b.ins().ireduce(types::I32, a);
                b.ins().sextend(types::I64, n)
            }),
            O::I64Add128 => self.wide_add_sub(false),
            O::I64Sub128 => self.wide_add_sub(true),
            O::I64MulWideS => self.mul_wide(true),
            O::I64MulWideU => self.mul_wide(false),
            other => return Err(unsupported(&other)),
        }
        Ok(())
    }

    /// `i64.add128` or `i64.sub128`: 128-bit operands as (low, high) pairs of i64s.
    fn wide_add_sub(&mut self, sub: bool) {
        let (y_lo, y_hi) = self.pop2();
        let (x_lo, x_hi) = self.pop2();
        let x = self.b.ins().iconcat(x_lo, x_hi);
        let y = self.b.ins().iconcat(y_lo, y_hi);
        let r = if sub {
            self.b.ins().isub(x, y)
        } else {
            self.b.ins().iadd(x, y)
        };
        self.push_i128(r);
    }

    /// `i64.mul_wide_s` or `i64.mul_wide_u`: the full 128-bit product of two i64s.
    fn mul_wide(&mut self, signed: bool) {
        let (x, y) = self.pop2();
        let (x, y) = if signed {
            (
                self.b.ins().sextend(types::I128, x),
                self.b.ins().sextend(types::I128, y),
            )
        } else {
            (
                self.b.ins().uextend(types::I128, x),
                self.b.ins().uextend(types::I128, y),
            )
        };
        let r = self.b.ins().imul(x, y);
        self.push_i128(r);
    }

    /// Pushes a 128-bit result as wide arithmetic returns it: low half, then high half.
    fn push_i128(&mut self, v: Value) {
        let (lo, hi) = self.b.ins().isplit(v);
        self.push(lo);
        self.push(hi);
    }
}
