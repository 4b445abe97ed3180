//! The interpreter's bytecode: one enum of compact (16-byte) operations.
//!
//! Conventions: operands live in 64-bit slots; i32/f32 values are kept zero-extended, so
//! reinterpretations and `i64.extend_i32_u` need no op at all. Branch offsets are relative to
//! the branching op. `drop`/`keep` describe a branch's stack adjustment: the top `keep` slots
//! move down over the `drop` slots beneath them.

/// Ops without immediates that map one-to-one onto wasm numeric instructions.
macro_rules! simple_ops {
    ($m:ident) => {
        $m! {
            I32Eqz I32Eq I32Ne I32LtS I32LtU I32GtS I32GtU I32LeS I32LeU I32GeS I32GeU
            I64Eqz I64Eq I64Ne I64LtS I64LtU I64GtS I64GtU I64LeS I64LeU I64GeS I64GeU
            F32Eq F32Ne F32Lt F32Gt F32Le F32Ge
            F64Eq F64Ne F64Lt F64Gt F64Le F64Ge
            I32Clz I32Ctz I32Popcnt I32Add I32Sub I32Mul I32DivS I32DivU I32RemS I32RemU
            I32And I32Or I32Xor I32Shl I32ShrS I32ShrU I32Rotl I32Rotr
            I64Clz I64Ctz I64Popcnt I64Add I64Sub I64Mul I64DivS I64DivU I64RemS I64RemU
            I64And I64Or I64Xor I64Shl I64ShrS I64ShrU I64Rotl I64Rotr
            F32Abs F32Neg F32Ceil F32Floor F32Trunc F32Nearest F32Sqrt
            F32Add F32Sub F32Mul F32Div F32Min F32Max F32Copysign
            F64Abs F64Neg F64Ceil F64Floor F64Trunc F64Nearest F64Sqrt
            F64Add F64Sub F64Mul F64Div F64Min F64Max F64Copysign
            I32WrapI64 I32TruncF32S I32TruncF32U I32TruncF64S I32TruncF64U
            I64ExtendI32S I64TruncF32S I64TruncF32U I64TruncF64S I64TruncF64U
            F32ConvertI32S F32ConvertI32U F32ConvertI64S F32ConvertI64U F32DemoteF64
            F64ConvertI32S F64ConvertI32U F64ConvertI64S F64ConvertI64U F64PromoteF32
            I32Extend8S I32Extend16S I64Extend8S I64Extend16S I64Extend32S
            I32TruncSatF32S I32TruncSatF32U I32TruncSatF64S I32TruncSatF64U
            I64TruncSatF32S I64TruncSatF32U I64TruncSatF64S I64TruncSatF64U
        }
    };
}
pub(crate) use simple_ops;

/// Binary ops that also exist with local operands: `LocalBin(op, b)` computes
/// `top op local[b]` and `LocalBin2(op, a, b)` pushes `local[a] op local[b]`, saving the
/// dispatch and stack traffic of the `local.get`s. Each entry carries its semantics (operand
/// reader, result writer, expression) for the handlers; the other users only need the names.
macro_rules! local_binop_list {
    ($m:ident) => {
        $m! {
            [I32Add u32v from_u32 |a, b| a.wrapping_add(b)]
            [I32Sub u32v from_u32 |a, b| a.wrapping_sub(b)]
            [I32Mul u32v from_u32 |a, b| a.wrapping_mul(b)]
            [I32And u32v from_u32 |a, b| a & b]
            [I32Or u32v from_u32 |a, b| a | b]
            [I32Xor u32v from_u32 |a, b| a ^ b]
            [I32Shl u32v from_u32 |a, b| a.wrapping_shl(b)]
            [I32ShrS i32v from_i32 |a, b| a.wrapping_shr(b as u32)]
            [I32ShrU u32v from_u32 |a, b| a.wrapping_shr(b)]
            [I32Eq u32v from_bool |a, b| a == b]
            [I32Ne u32v from_bool |a, b| a != b]
            [I32LtS i32v from_bool |a, b| a < b]
            [I32LtU u32v from_bool |a, b| a < b]
            [I32GtS i32v from_bool |a, b| a > b]
            [I32GtU u32v from_bool |a, b| a > b]
            [I32LeS i32v from_bool |a, b| a <= b]
            [I32LeU u32v from_bool |a, b| a <= b]
            [I32GeS i32v from_bool |a, b| a >= b]
            [I32GeU u32v from_bool |a, b| a >= b]
            [I64Add u64v from_u64 |a, b| a.wrapping_add(b)]
            [I64Sub u64v from_u64 |a, b| a.wrapping_sub(b)]
            [I64Mul u64v from_u64 |a, b| a.wrapping_mul(b)]
            [I64And u64v from_u64 |a, b| a & b]
            [I64Or u64v from_u64 |a, b| a | b]
            [I64Xor u64v from_u64 |a, b| a ^ b]
            [I64Shl u64v from_u64 |a, b| a.wrapping_shl(b as u32)]
            [I64ShrS i64v from_i64 |a, b| a.wrapping_shr(b as u32)]
            [I64ShrU u64v from_u64 |a, b| a.wrapping_shr(b as u32)]
            [I64Eq u64v from_bool |a, b| a == b]
            [I64Ne u64v from_bool |a, b| a != b]
            [I64LtS i64v from_bool |a, b| a < b]
            [I64LtU u64v from_bool |a, b| a < b]
            [I64GtS i64v from_bool |a, b| a > b]
            [I64GtU u64v from_bool |a, b| a > b]
            [I64LeS i64v from_bool |a, b| a <= b]
            [I64LeU u64v from_bool |a, b| a <= b]
            [I64GeS i64v from_bool |a, b| a >= b]
            [I64GeU u64v from_bool |a, b| a >= b]
            [F32Add f32v from_f32 |a, b| a + b]
            [F32Sub f32v from_f32 |a, b| a - b]
            [F32Mul f32v from_f32 |a, b| a * b]
            [F32Div f32v from_f32 |a, b| a / b]
            [F32Eq f32v from_bool |a, b| a == b]
            [F32Ne f32v from_bool |a, b| a != b]
            [F32Lt f32v from_bool |a, b| a < b]
            [F32Gt f32v from_bool |a, b| a > b]
            [F32Le f32v from_bool |a, b| a <= b]
            [F32Ge f32v from_bool |a, b| a >= b]
            [F64Add f64v from_f64 |a, b| a + b]
            [F64Sub f64v from_f64 |a, b| a - b]
            [F64Mul f64v from_f64 |a, b| a * b]
            [F64Div f64v from_f64 |a, b| a / b]
            [F64Eq f64v from_bool |a, b| a == b]
            [F64Ne f64v from_bool |a, b| a != b]
            [F64Lt f64v from_bool |a, b| a < b]
            [F64Gt f64v from_bool |a, b| a > b]
            [F64Le f64v from_bool |a, b| a <= b]
            [F64Ge f64v from_bool |a, b| a >= b]
        }
    };
}
pub(crate) use local_binop_list;

macro_rules! define_local_binop {
    ($([$name:ident $($rest:tt)*])*) => {
        /// Which binary op a `LocalBin`/`LocalBin2` performs.
        #[derive(Debug, Clone, Copy, PartialEq, Eq)]
        #[repr(u8)]
        pub enum LocalBinOp {
            $($name,)*
        }

        impl LocalBinOp {
            /// The local-operand form of a plain binary op, if it has one.
            pub fn of(op: Op) -> Option<LocalBinOp> {
                match op {
                    $(Op::$name => Some(LocalBinOp::$name),)*
                    _ => None,
                }
            }
        }
    };
}
local_binop_list!(define_local_binop);

macro_rules! define_op_enum {
    ($($simple:ident)*) => {
        /// One interpreter operation.
        #[derive(Debug, Clone, Copy, PartialEq)]
        pub enum Op {
            // ---- control ----
            Unreachable,
            /// Unconditional jump without stack adjustment.
            Br { offset: i32 },
            /// Jump after moving the top `keep` slots down over `drop` slots.
            BrAdjust { offset: i32, drop: u32, keep: u32 },
            /// Pops an i32; jumps if it is non-zero.
            BrIfNez { offset: i32 },
            /// Pops an i32; jumps if it is zero.
            BrIfEqz { offset: i32 },
            /// Pops an index; followed by `len + 1` `BrAdjust` entries (the last is the default).
            BrTable { len: u32 },
            /// Returns the top `results` slots to the caller.
            Return { results: u32 },
            /// Calls a function defined in the current module (index among defined functions).
            CallInternal { def: u32 },
            /// Calls through the instance's function table (imports, or any function).
            CallFunc { func: u32 },
            /// Pops a table index; checks the callee's type against `type_index` of the module.
            CallIndirect { type_index: u32, table: u32 },
            /// Tiered execution, first op of every function: counts the call and, once the
            /// function is hot, runs its machine code instead (see `tier.rs`).
            TierEntry,
            /// Tiered execution, at every loop header: counts the iteration. `loop_index`
            /// numbers the body's `loop`s in order (the JIT's on-stack-replacement entries
            /// use the same numbering).
            TierLoop { loop_index: u32 },

            // ---- parametric ----
            Drop,
            Select,

            // ---- variables ----
            LocalGet(u32),
            LocalSet(u32),
            LocalTee(u32),
            GlobalGet(u32),
            GlobalSet(u32),

            // ---- constants (i32/f32 stored zero-extended) ----
            Const32(u32),
            Const64(u64),

            // ---- memory: `offset` is the static memarg offset ----
            I32Load { offset: u32 },
            I64Load { offset: u32 },
            I32Load8S { offset: u32 },
            I32Load8U { offset: u32 },
            I32Load16S { offset: u32 },
            I32Load16U { offset: u32 },
            I64Load8S { offset: u32 },
            I64Load8U { offset: u32 },
            I64Load16S { offset: u32 },
            I64Load16U { offset: u32 },
            I64Load32S { offset: u32 },
            I64Load32U { offset: u32 },
            I32Store { offset: u32 },
            I64Store { offset: u32 },
            I32Store8 { offset: u32 },
            I32Store16 { offset: u32 },
            I64Store8 { offset: u32 },
            I64Store16 { offset: u32 },
            I64Store32 { offset: u32 },
            MemorySize,
            MemoryGrow,
            MemoryFill,
            MemoryCopy,
            MemoryInit { data: u32 },
            DataDrop { data: u32 },

            // ---- tables and references ----
            TableGet { table: u32 },
            TableSet { table: u32 },
            TableSize { table: u32 },
            TableGrow { table: u32 },
            TableFill { table: u32 },
            TableCopy { dst: u32, src: u32 },
            TableInit { table: u32, elem: u32 },
            ElemDrop { elem: u32 },
            /// Pushes a null reference (raw 0).
            RefNull,
            RefIsNull,
            RefFunc { func: u32 },

            // ---- fused operations (superinstructions) ----
            /// `local.get a; local.get b`
            LocalGet2(u32, u32),
            /// `i32.const c; i32.add`
            I32AddConst(i32),
            /// `local.get b; <binop>`: the top of stack combined with local `b`.
            LocalBin(LocalBinOp, u32),
            /// `local.get a; local.get b; <binop>`: pushes local `a` combined with local `b`.
            LocalBin2(LocalBinOp, u32, u32),
            /// `local.get b; <binop>; local.set d`: local `d` = pop combined with local `b`.
            /// Fields: op, b, d.
            LocalBinSet(LocalBinOp, u32, u32),
            /// `local.get a; local.get b; <binop>; local.set d`: local `d` = local `a` combined
            /// with local `b`, without touching the operand stack. Fields: op, a, b, d; `b` and
            /// `d` are below 65536 (they share an immediate).
            LocalBin2Set(LocalBinOp, u32, u32, u32),
            /// `local.get l; i32.load offset`: pushes the i32 at `local[l] + offset`.
            I32LoadLocal { local: u32, offset: u32 },
            /// `local.get l; i32.load8_u offset`.
            I32Load8ULocal { local: u32, offset: u32 },
            /// `local.get l; i32.const c; i32.add`: pushes `local[l] + c`. Fields: l, c.
            LocalAddConst(u32, i32),
            /// `<binop>; local.set d`: local `d` = the two popped operands combined.
            BinSet(LocalBinOp, u32),
            /// `local.get a; local.get b; <binop>; br_if`: jumps if local `a` combined with
            /// local `b` is non-zero (`a`, `b` below 65536).
            BrIfLocalBin2Nez { op: LocalBinOp, a: u32, b: u32, offset: i32 },
            /// As `BrIfLocalBin2Nez`, jumping if the result is zero.
            BrIfLocalBin2Eqz { op: LocalBinOp, a: u32, b: u32, offset: i32 },
            /// `local.get l; i32.const c; i32.add; local.set l`
            LocalIncrI32(u32, i32),
            /// `local.get l; i64.const c; i64.add; local.set l` with `c` fitting 32 bits.
            LocalIncrI64(u32, i32),
            /// `i32.const c; local.set l` (also `i64.const` and `f32.const` of 32-bit values
            /// stored zero-extended). Fields: local, value.
            LocalSetConst(u32, u32),
            /// Division and remainder by a constant that cannot trap (non-zero, and not -1 for
            /// the signed forms).
            I32DivSConst(u32),
            I32DivUConst(u32),
            I32RemSConst(u32),
            I32RemUConst(u32),
            I64DivSConst(u64),
            I64DivUConst(u64),
            I64RemSConst(u64),
            I64RemUConst(u64),
            /// `i32.lt_s; br_if` style fused compare-and-branch: jumps when `a < b` (signed).
            BrIfI32LtS { offset: i32 },
            BrIfI32LtU { offset: i32 },
            BrIfI32GeS { offset: i32 },
            BrIfI32GeU { offset: i32 },
            BrIfI32Ne { offset: i32 },
            BrIfI32Eq { offset: i32 },
            /// `local.get l; br_if` jumps when local `l` is non-zero.
            BrIfLocalNez { local: u32, offset: i32 },
            /// `local.get a; local.set b`
            LocalCopy(u32, u32),
            /// `i32.const c; i32.mul`
            I32MulConst(u32),
            /// `i32.const c; i32.and`
            I32AndConst(u32),
            /// `i32.const c; i32.or`
            I32OrConst(u32),
            /// `i32.const c; i32.xor`
            I32XorConst(u32),
            /// `i32.const c; i32.shl`
            I32ShlConst(u32),
            /// `i32.const c; i32.shrs`
            I32ShrSConst(u32),
            /// `i32.const c; i32.shru`
            I32ShrUConst(u32),
            /// `i32.const c; i32.eq`
            I32EqConst(u32),
            /// `i32.const c; i32.ne`
            I32NeConst(u32),
            /// `i32.const c; i32.lts`
            I32LtSConst(u32),
            /// `i32.const c; i32.ltu`
            I32LtUConst(u32),
            /// `i32.const c; i32.gts`
            I32GtSConst(u32),
            /// `i32.const c; i32.gtu`
            I32GtUConst(u32),
            /// `i32.const c; i32.les`
            I32LeSConst(u32),
            /// `i32.const c; i32.leu`
            I32LeUConst(u32),
            /// `i32.const c; i32.ges`
            I32GeSConst(u32),
            /// `i32.const c; i32.geu`
            I32GeUConst(u32),
            /// `i64.const c; i64.add`
            I64AddConst(u64),
            /// `i64.const c; i64.mul`
            I64MulConst(u64),
            /// `i64.const c; i64.and`
            I64AndConst(u64),
            /// `i64.const c; i64.or`
            I64OrConst(u64),
            /// `i64.const c; i64.xor`
            I64XorConst(u64),
            /// `i64.const c; i64.shl`
            I64ShlConst(u64),
            /// `i64.const c; i64.shrs`
            I64ShrSConst(u64),
            /// `i64.const c; i64.shru`
            I64ShrUConst(u64),
            BrIfI32GtS { offset: i32 },
            BrIfI32GtU { offset: i32 },
            BrIfI32LeS { offset: i32 },
            BrIfI32LeU { offset: i32 },
            /// `i32.const c; i32.lts; br_if`
            BrIfI32LtSConst { c: u32, offset: i32 },
            /// `i32.const c; i32.ltu; br_if`
            BrIfI32LtUConst { c: u32, offset: i32 },
            /// `i32.const c; i32.gts; br_if`
            BrIfI32GtSConst { c: u32, offset: i32 },
            /// `i32.const c; i32.gtu; br_if`
            BrIfI32GtUConst { c: u32, offset: i32 },
            /// `i32.const c; i32.les; br_if`
            BrIfI32LeSConst { c: u32, offset: i32 },
            /// `i32.const c; i32.leu; br_if`
            BrIfI32LeUConst { c: u32, offset: i32 },
            /// `i32.const c; i32.ges; br_if`
            BrIfI32GeSConst { c: u32, offset: i32 },
            /// `i32.const c; i32.geu; br_if`
            BrIfI32GeUConst { c: u32, offset: i32 },
            /// `i32.const c; i32.eq; br_if`
            BrIfI32EqConst { c: u32, offset: i32 },
            /// `i32.const c; i32.ne; br_if`
            BrIfI32NeConst { c: u32, offset: i32 },
            /// `i64.eqz; br_if`
            BrIfI64Eqz { offset: i32 },
            /// `i64.eqz; i32.eqz; br_if` (and `if` on `i64.eqz`)
            BrIfI64Nez { offset: i32 },

            $($simple,)*
        }
    };
}
simple_ops!(define_op_enum);

impl Op {
    /// The branch offset of a jumping op, for disassembly and patching.
    pub fn branch_offset_mut(&mut self) -> Option<&mut i32> {
        match self {
            Op::Br { offset }
            | Op::BrAdjust { offset, .. }
            | Op::BrIfNez { offset }
            | Op::BrIfEqz { offset }
            | Op::BrIfI32LtS { offset }
            | Op::BrIfI32LtU { offset }
            | Op::BrIfI32GeS { offset }
            | Op::BrIfI32GeU { offset }
            | Op::BrIfI32Ne { offset }
            | Op::BrIfI32Eq { offset }
            | Op::BrIfLocalNez { offset, .. }
            | Op::BrIfLocalBin2Nez { offset, .. }
            | Op::BrIfLocalBin2Eqz { offset, .. }
            | Op::BrIfI32GtS { offset }
            | Op::BrIfI32GtU { offset }
            | Op::BrIfI32LeS { offset }
            | Op::BrIfI32LeU { offset }
            | Op::BrIfI32LtSConst { offset, .. }
            | Op::BrIfI32LtUConst { offset, .. }
            | Op::BrIfI32GtSConst { offset, .. }
            | Op::BrIfI32GtUConst { offset, .. }
            | Op::BrIfI32LeSConst { offset, .. }
            | Op::BrIfI32LeUConst { offset, .. }
            | Op::BrIfI32GeSConst { offset, .. }
            | Op::BrIfI32GeUConst { offset, .. }
            | Op::BrIfI32EqConst { offset, .. }
            | Op::BrIfI32NeConst { offset, .. }
            | Op::BrIfI64Eqz { offset }
            | Op::BrIfI64Nez { offset } => Some(offset),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn ops_stay_compact() {
        assert!(std::mem::size_of::<super::Op>() <= 16);
    }
}
