//! Constant expressions (global initializers, segment offsets, element items). Wasm 2.0
//! allows a single constant, `global.get` or reference instruction; the extended-const
//! proposal (Wasm 3.0) adds `i32`/`i64` `add`, `sub` and `mul`, nested arbitrarily.
//!
//! An expression is kept as the postfix program it is encoded as, and evaluated in one place
//! ([`ConstExpr::eval`], through `instantiate::eval_const`) for every tier. The common
//! single-instruction case stays inline (no allocation) and is evaluated without a stack.

use smallvec::SmallVec;

/// One instruction of a constant expression.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ConstOp {
    I32(i32),
    I64(i64),
    /// Raw bits, so NaN payloads survive.
    F32(u32),
    F64(u64),
    /// Low and high halves (kept as two `u64`s so that the op stays 8-aligned).
    V128(u64, u64),
    GlobalGet(u32),
    RefNull,
    RefFunc(u32),
    /// `ref.i31` of the value below (GC).
    RefI31,
    I32Add,
    I32Sub,
    I32Mul,
    I64Add,
    I64Sub,
    I64Mul,
}

/// A validated constant expression: its instructions in postfix order, without the final
/// `end`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConstExpr {
    ops: SmallVec<[ConstOp; 1]>,
}

impl From<ConstOp> for ConstExpr {
    fn from(op: ConstOp) -> ConstExpr {
        ConstExpr::single(op)
    }
}

impl ConstExpr {
    /// An expression of one instruction.
    pub fn single(op: ConstOp) -> ConstExpr {
        let mut ops = SmallVec::new();
        ops.push(op);
        ConstExpr { ops }
    }

    /// An expression from its postfix instructions. `ops` must be a well-typed program that
    /// leaves exactly one value (as validation guarantees for a decoded expression).
    pub fn from_ops(ops: impl IntoIterator<Item = ConstOp>) -> ConstExpr {
        ConstExpr {
            ops: ops.into_iter().collect(),
        }
    }

    /// The instructions, in postfix order.
    pub fn ops(&self) -> &[ConstOp] {
        &self.ops
    }

    /// The instruction, if the expression is a single one.
    pub fn as_single(&self) -> Option<ConstOp> {
        match self.ops.as_slice() {
            [op] => Some(*op),
            _ => None,
        }
    }

    /// Evaluates the expression to raw value bits (i32 as its `u32` bits zero-extended,
    /// references as `raw_ref` slots, a `v128` as all 128 bits; the other types use the low
    /// 64). `global` reads the raw bits of a global by module index, `func` turns a function
    /// index into a reference slot. Arithmetic wraps.
    pub fn eval(&self, global: impl Fn(u32) -> u128, func: impl Fn(u32) -> u64) -> u128 {
        if let [op] = self.ops.as_slice() {
            return leaf(*op, &global, &func);
        }
        let mut stack: SmallVec<[u128; 8]> = SmallVec::new();
        for op in &self.ops {
            let value = match *op {
                ConstOp::I32Add => binary(&mut stack, |a, b| i32_op(a, b, u32::wrapping_add)),
                ConstOp::I32Sub => binary(&mut stack, |a, b| i32_op(a, b, u32::wrapping_sub)),
                ConstOp::I32Mul => binary(&mut stack, |a, b| i32_op(a, b, u32::wrapping_mul)),
                ConstOp::I64Add => binary(&mut stack, |a, b| i64_op(a, b, u64::wrapping_add)),
                ConstOp::I64Sub => binary(&mut stack, |a, b| i64_op(a, b, u64::wrapping_sub)),
                ConstOp::I64Mul => binary(&mut stack, |a, b| i64_op(a, b, u64::wrapping_mul)),
                ConstOp::RefI31 => {
                    let a = stack.pop().expect("well-formed: one operand");
                    crate::store::raw_ref::from_i31(a as u32) as u128
                }
                leaf_op => leaf(leaf_op, &global, &func),
            };
            stack.push(value);
        }
        debug_assert_eq!(
            stack.len(),
            1,
            "a validated constant expression leaves one value"
        );
        stack
            .pop()
            .expect("a validated constant expression leaves a value")
    }

    pub(crate) fn decode(expr: &wasmparser::ConstExpr<'_>) -> Result<ConstExpr, DecodeError> {
        use wasmparser::Operator as Op;
        let mut reader = expr.get_operators_reader();
        let mut ops = SmallVec::new();
        loop {
            let op = match reader.read()? {
                Op::End => break,
                Op::I32Const { value } => ConstOp::I32(value),
                Op::I64Const { value } => ConstOp::I64(value),
                Op::F32Const { value } => ConstOp::F32(value.bits()),
                Op::F64Const { value } => ConstOp::F64(value.bits()),
                Op::V128Const { value } => {
                    let bits = value.i128() as u128;
                    ConstOp::V128(bits as u64, (bits >> 64) as u64)
                }
                Op::GlobalGet { global_index } => ConstOp::GlobalGet(global_index),
                Op::RefNull { .. } => ConstOp::RefNull,
                Op::RefFunc { function_index } => ConstOp::RefFunc(function_index),
                Op::RefI31 => ConstOp::RefI31,
                Op::I32Add => ConstOp::I32Add,
                Op::I32Sub => ConstOp::I32Sub,
                Op::I32Mul => ConstOp::I32Mul,
                Op::I64Add => ConstOp::I64Add,
                Op::I64Sub => ConstOp::I64Sub,
                Op::I64Mul => ConstOp::I64Mul,
                other => {
                    return Err(DecodeError::Unsupported(format!(
                        "unsupported constant expression operator {other:?}"
                    )));
                }
            };
            ops.push(op);
        }
        reader.finish()?;
        let expr = ConstExpr { ops };
        if !expr.is_well_formed() {
            return Err(DecodeError::Unsupported(
                "constant expression does not leave exactly one value".into(),
            ));
        }
        Ok(expr)
    }

    /// Every binary operator has two operands and one value is left at the end (validation
    /// checks this and the types; this guards `eval` against anything that slipped past).
    fn is_well_formed(&self) -> bool {
        let mut depth = 0usize;
        for op in &self.ops {
            match op {
                ConstOp::I32Add
                | ConstOp::I32Sub
                | ConstOp::I32Mul
                | ConstOp::I64Add
                | ConstOp::I64Sub
                | ConstOp::I64Mul => {
                    if depth < 2 {
                        return false;
                    }
                    depth -= 1;
                }
                ConstOp::RefI31 => {
                    if depth < 1 {
                        return false;
                    }
                }
                _ => depth += 1,
            }
        }
        depth == 1
    }
}

fn leaf(op: ConstOp, global: &impl Fn(u32) -> u128, func: &impl Fn(u32) -> u64) -> u128 {
    match op {
        ConstOp::I32(v) => v as u32 as u128,
        ConstOp::I64(v) => v as u64 as u128,
        ConstOp::F32(bits) => bits as u128,
        ConstOp::F64(bits) => bits as u128,
        ConstOp::V128(lo, hi) => lo as u128 | (hi as u128) << 64,
        ConstOp::GlobalGet(g) => global(g),
        ConstOp::RefNull => crate::store::raw_ref::NULL as u128,
        ConstOp::RefFunc(f) => func(f) as u128,
        ConstOp::I32Add
        | ConstOp::I32Sub
        | ConstOp::I32Mul
        | ConstOp::I64Add
        | ConstOp::I64Sub
        | ConstOp::I64Mul
        | ConstOp::RefI31 => unreachable!("a well-formed expression is not a lone operator"),
    }
}

/// Pops two operands (the second on top) and applies `f`.
fn binary(stack: &mut SmallVec<[u128; 8]>, f: impl Fn(u128, u128) -> u128) -> u128 {
    let b = stack.pop().expect("well-formed: two operands");
    let a = stack.pop().expect("well-formed: two operands");
    f(a, b)
}

/// An i32 operation on raw bits: the operands are the low 32 bits, the result is
/// zero-extended.
fn i32_op(a: u128, b: u128, f: fn(u32, u32) -> u32) -> u128 {
    f(a as u32, b as u32) as u128
}

/// An i64 operation on raw bits: the operands are the low 64 bits.
fn i64_op(a: u128, b: u128, f: fn(u64, u64) -> u64) -> u128 {
    f(a as u64, b as u64) as u128
}

pub(crate) enum DecodeError {
    Reader(wasmparser::BinaryReaderError),
    Unsupported(String),
}

impl From<wasmparser::BinaryReaderError> for DecodeError {
    fn from(e: wasmparser::BinaryReaderError) -> Self {
        DecodeError::Reader(e)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn no_globals(_: u32) -> u128 {
        panic!("no global.get expected")
    }

    fn no_funcs(_: u32) -> u64 {
        panic!("no ref.func expected")
    }

    fn decode_wat(wat_const: &str) -> ConstExpr {
        let wasm = wat::parse_str(format!(
            "(module (global (import \"m\" \"g\") i32) (global (import \"m\" \"h\") i64) \
             (global i32 {wat_const}))"
        ))
        .expect("test module parses");
        for payload in wasmparser::Parser::new(0).parse_all(&wasm) {
            if let wasmparser::Payload::GlobalSection(r) = payload.unwrap() {
                let g = r.into_iter().next().unwrap().unwrap();
                return ConstExpr::decode(&g.init_expr).ok().expect("decodes");
            }
        }
        panic!("no global section")
    }

    #[test]
    fn single_instructions() {
        assert_eq!(
            ConstExpr::single(ConstOp::I32(-1)).eval(no_globals, no_funcs),
            0xffff_ffff
        );
        assert_eq!(
            ConstExpr::single(ConstOp::I64(-1)).eval(no_globals, no_funcs),
            u64::MAX as u128
        );
        assert_eq!(
            ConstExpr::single(ConstOp::F32(0x7fc0_0001)).eval(no_globals, no_funcs),
            0x7fc0_0001
        );
        assert_eq!(
            ConstExpr::single(ConstOp::GlobalGet(3)).eval(|g| g as u128 * 10, no_funcs),
            30
        );
        assert_eq!(
            ConstExpr::single(ConstOp::RefFunc(2)).eval(no_globals, |f| f as u64 + 1),
            3
        );
        assert_eq!(
            ConstExpr::single(ConstOp::RefNull).eval(no_globals, no_funcs),
            crate::store::raw_ref::NULL as u128
        );
        assert!(ConstExpr::single(ConstOp::I32(0)).as_single().is_some());
    }

    #[test]
    fn nested_arithmetic_wraps() {
        // (i32.add (i32.mul (i32.const 0x10000) (i32.const 0x10000)) (i32.const -1))
        // = 0 + -1 (the product wraps to 0).
        let e = ConstExpr::from_ops([
            ConstOp::I32(0x10000),
            ConstOp::I32(0x10000),
            ConstOp::I32Mul,
            ConstOp::I32(-1),
            ConstOp::I32Add,
        ]);
        assert_eq!(e.as_single(), None);
        assert_eq!(e.eval(no_globals, no_funcs), 0xffff_ffff);
        // i32.add overflow wraps, i32.sub underflow wraps, results stay zero-extended.
        let e = ConstExpr::from_ops([ConstOp::I32(i32::MAX), ConstOp::I32(1), ConstOp::I32Add]);
        assert_eq!(e.eval(no_globals, no_funcs), 0x8000_0000);
        let e = ConstExpr::from_ops([ConstOp::I32(i32::MIN), ConstOp::I32(1), ConstOp::I32Sub]);
        assert_eq!(e.eval(no_globals, no_funcs), 0x7fff_ffff);
        // (i64.sub (i64.const 0) (i64.mul (i64.const i64::MAX) (i64.const 3)))
        let e = ConstExpr::from_ops([
            ConstOp::I64(0),
            ConstOp::I64(i64::MAX),
            ConstOp::I64(3),
            ConstOp::I64Mul,
            ConstOp::I64Sub,
        ]);
        assert_eq!(
            e.eval(no_globals, no_funcs),
            0i64.wrapping_sub(i64::MAX.wrapping_mul(3)) as u64 as u128
        );
        let e = ConstExpr::from_ops([ConstOp::I64(i64::MAX), ConstOp::I64(1), ConstOp::I64Add]);
        assert_eq!(e.eval(no_globals, no_funcs), i64::MIN as u64 as u128);
    }

    #[test]
    fn deep_nesting_beyond_the_inline_stack() {
        // 1 + (1 + (1 + ...)), 20 deep: the operand stack spills past its inline capacity.
        let mut ops = vec![ConstOp::I32(1); 21];
        ops.extend(std::iter::repeat_n(ConstOp::I32Add, 20));
        assert_eq!(ConstExpr::from_ops(ops).eval(no_globals, no_funcs), 21);
    }

    #[test]
    fn decoded_expression_reads_an_imported_global() {
        let e = decode_wat("(i32.sub (i32.add (global.get 0) (i32.const 16)) (i32.const 1))");
        assert_eq!(
            e.ops(),
            [
                ConstOp::GlobalGet(0),
                ConstOp::I32(16),
                ConstOp::I32Add,
                ConstOp::I32(1),
                ConstOp::I32Sub
            ]
        );
        let imported = |g: u32| {
            assert_eq!(g, 0);
            0xffff_fff8u128 // i32 -8
        };
        assert_eq!(e.eval(imported, no_funcs), 7);
        let single = decode_wat("(global.get 0)");
        assert_eq!(single.as_single(), Some(ConstOp::GlobalGet(0)));
        assert_eq!(single.eval(|_| 42, no_funcs), 42);
    }

    #[test]
    fn ref_i31_takes_the_low_31_bits_and_makes_an_odd_slot() {
        // (ref.i31 (i32.add (global.get 0) (i32.const 1)))
        let e = ConstExpr::from_ops([
            ConstOp::GlobalGet(0),
            ConstOp::I32(1),
            ConstOp::I32Add,
            ConstOp::RefI31,
        ]);
        assert!(e.is_well_formed());
        assert_eq!(e.eval(|_| 0xffff_ffff, no_funcs), 1);
        assert_eq!(e.eval(|_| 0x8000_0001, no_funcs), (2 << 1) | 1);
        assert!(!ConstExpr::from_ops([ConstOp::RefI31]).is_well_formed());
    }

    #[test]
    fn malformed_programs_are_rejected() {
        assert!(!ConstExpr::from_ops([ConstOp::I32Add]).is_well_formed());
        assert!(!ConstExpr::from_ops([ConstOp::I32(1), ConstOp::I32Add]).is_well_formed());
        assert!(!ConstExpr::from_ops([ConstOp::I32(1), ConstOp::I32(2)]).is_well_formed());
        assert!(!ConstExpr::from_ops([]).is_well_formed());
    }
}
