//! Constant expressions (global initializers, segment offsets, element items): Wasm 2.0 allows
//! a single constant, `global.get` or reference instruction.

use crate::types::RefType;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ConstExpr {
    I32(i32),
    I64(i64),
    /// Raw bits, so NaN payloads survive.
    F32(u32),
    F64(u64),
    GlobalGet(u32),
    RefNull(RefType),
    RefFunc(u32),
}

impl ConstExpr {
    pub(crate) fn decode(expr: &wasmparser::ConstExpr<'_>) -> Result<ConstExpr, DecodeError> {
        use wasmparser::Operator as Op;
        let mut ops = expr.get_operators_reader();
        let value = match ops.read()? {
            Op::I32Const { value } => ConstExpr::I32(value),
            Op::I64Const { value } => ConstExpr::I64(value),
            Op::F32Const { value } => ConstExpr::F32(value.bits()),
            Op::F64Const { value } => ConstExpr::F64(value.bits()),
            Op::GlobalGet { global_index } => ConstExpr::GlobalGet(global_index),
            Op::RefNull { hty } => ConstExpr::RefNull(match hty {
                wasmparser::HeapType::Abstract {
                    ty: wasmparser::AbstractHeapType::Extern,
                    ..
                } => RefType::ExternRef,
                _ => RefType::FuncRef,
            }),
            Op::RefFunc { function_index } => ConstExpr::RefFunc(function_index),
            other => {
                return Err(DecodeError::Unsupported(format!(
                    "unsupported constant expression operator {other:?}"
                )));
            }
        };
        match ops.read()? {
            Op::End => Ok(value),
            _ => Err(DecodeError::Unsupported(
                "extended constant expressions are not supported".into(),
            )),
        }
    }
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
