//! The interpreter's bytecode and its op tables.
//!
//! **Operand model.** A function's frame is one array of 64-bit slots: its locals (parameters
//! first), then its operand stack. The translator knows the operand stack's height at every
//! instruction, so each op names its operands and its result by slot index (`Slot`, relative
//! to the frame pointer) instead of pushing and popping: there is no stack pointer at run
//! time. An operand is a local's slot, a temporary's slot (the slot at its stack height), or
//! an immediate constant. i32 and f32 values are kept zero-extended, so reinterpretations and
//! `i64.extend_i32_u` need no op.
//!
//! **One table per family.** Each operation's semantics is written once, in the lists below
//! (`for_each_binop!` and friends); the `Op` variants of a family carry the operation as a
//! small enum (`BinOp`, ...), and `handlers.rs` generates every operand-class variant of the
//! family (slot-slot, slot-immediate, immediate-slot, compare-and-branch) from the same list,
//! so adding an operation is one line.
//!
//! Branch offsets are relative to the branching op, counted in ops.

/// A frame slot index: locals first, then the operand stack.
pub type Slot = u16;

/// Set in the memory-index entry of a `LoadMem`/`StoreMem` when the memory is 64-bit.
pub const MEMARG_64: u64 = 1 << 32;
/// `Op::MemoryCopy::widths`: the destination memory is 64-bit.
pub const COPY_DST_64: u16 = 1;
/// `Op::MemoryCopy::widths`: the source memory is 64-bit.
pub const COPY_SRC_64: u16 = 2;

/// Binary operations that cannot trap: `[Name reader writer imm |a, b| result]`. `reader`
/// turns a slot into the operand type, `writer` the result into a slot, `imm` widens a 32-bit
/// immediate into a slot value (`imm32` zero-extends, `imm64` sign-extends).
macro_rules! for_each_binop {
    ($m:ident $($prefix:tt)*) => {
        $m! { $($prefix)*
            [I32Add u32v from_u32 imm32 |a, b| a.wrapping_add(b)]
            [I32Sub u32v from_u32 imm32 |a, b| a.wrapping_sub(b)]
            [I32Mul u32v from_u32 imm32 |a, b| a.wrapping_mul(b)]
            [I32And u32v from_u32 imm32 |a, b| a & b]
            [I32Or u32v from_u32 imm32 |a, b| a | b]
            [I32Xor u32v from_u32 imm32 |a, b| a ^ b]
            [I32Shl u32v from_u32 imm32 |a, b| a.wrapping_shl(b)]
            [I32ShrS i32v from_i32 imm32 |a, b| a.wrapping_shr(b as u32)]
            [I32ShrU u32v from_u32 imm32 |a, b| a.wrapping_shr(b)]
            [I32Rotl u32v from_u32 imm32 |a, b| a.rotate_left(b % 32)]
            [I32Rotr u32v from_u32 imm32 |a, b| a.rotate_right(b % 32)]
            [I32Eq u32v from_bool imm32 |a, b| a == b]
            [I32Ne u32v from_bool imm32 |a, b| a != b]
            [I32LtS i32v from_bool imm32 |a, b| a < b]
            [I32LtU u32v from_bool imm32 |a, b| a < b]
            [I32GtS i32v from_bool imm32 |a, b| a > b]
            [I32GtU u32v from_bool imm32 |a, b| a > b]
            [I32LeS i32v from_bool imm32 |a, b| a <= b]
            [I32LeU u32v from_bool imm32 |a, b| a <= b]
            [I32GeS i32v from_bool imm32 |a, b| a >= b]
            [I32GeU u32v from_bool imm32 |a, b| a >= b]
            [I64Add u64v from_u64 imm64 |a, b| a.wrapping_add(b)]
            [I64Sub u64v from_u64 imm64 |a, b| a.wrapping_sub(b)]
            [I64Mul u64v from_u64 imm64 |a, b| a.wrapping_mul(b)]
            [I64And u64v from_u64 imm64 |a, b| a & b]
            [I64Or u64v from_u64 imm64 |a, b| a | b]
            [I64Xor u64v from_u64 imm64 |a, b| a ^ b]
            [I64Shl u64v from_u64 imm64 |a, b| a.wrapping_shl(b as u32)]
            [I64ShrS i64v from_i64 imm64 |a, b| a.wrapping_shr(b as u32)]
            [I64ShrU u64v from_u64 imm64 |a, b| a.wrapping_shr(b as u32)]
            [I64Rotl u64v from_u64 imm64 |a, b| a.rotate_left((b % 64) as u32)]
            [I64Rotr u64v from_u64 imm64 |a, b| a.rotate_right((b % 64) as u32)]
            [I64Eq u64v from_bool imm64 |a, b| a == b]
            [I64Ne u64v from_bool imm64 |a, b| a != b]
            [I64LtS i64v from_bool imm64 |a, b| a < b]
            [I64LtU u64v from_bool imm64 |a, b| a < b]
            [I64GtS i64v from_bool imm64 |a, b| a > b]
            [I64GtU u64v from_bool imm64 |a, b| a > b]
            [I64LeS i64v from_bool imm64 |a, b| a <= b]
            [I64LeU u64v from_bool imm64 |a, b| a <= b]
            [I64GeS i64v from_bool imm64 |a, b| a >= b]
            [I64GeU u64v from_bool imm64 |a, b| a >= b]
            [F32Add f32v from_f32 imm32 |a, b| a + b]
            [F32Sub f32v from_f32 imm32 |a, b| a - b]
            [F32Mul f32v from_f32 imm32 |a, b| a * b]
            [F32Div f32v from_f32 imm32 |a, b| a / b]
            [F32Min f32v from_f32 imm32 |a, b| numeric::f32_min(a, b)]
            [F32Max f32v from_f32 imm32 |a, b| numeric::f32_max(a, b)]
            [F32Copysign u32v from_u32 imm32 |a, b| (a & 0x7fff_ffff) | (b & 0x8000_0000)]
            [F32Eq f32v from_bool imm32 |a, b| a == b]
            [F32Ne f32v from_bool imm32 |a, b| a != b]
            [F32Lt f32v from_bool imm32 |a, b| a < b]
            [F32Gt f32v from_bool imm32 |a, b| a > b]
            [F32Le f32v from_bool imm32 |a, b| a <= b]
            [F32Ge f32v from_bool imm32 |a, b| a >= b]
            [F64Add f64v from_f64 imm64 |a, b| a + b]
            [F64Sub f64v from_f64 imm64 |a, b| a - b]
            [F64Mul f64v from_f64 imm64 |a, b| a * b]
            [F64Div f64v from_f64 imm64 |a, b| a / b]
            [F64Min f64v from_f64 imm64 |a, b| numeric::f64_min(a, b)]
            [F64Max f64v from_f64 imm64 |a, b| numeric::f64_max(a, b)]
            [F64Copysign u64v from_u64 imm64
                |a, b| (a & 0x7fff_ffff_ffff_ffff) | (b & 0x8000_0000_0000_0000)]
            [F64Eq f64v from_bool imm64 |a, b| a == b]
            [F64Ne f64v from_bool imm64 |a, b| a != b]
            [F64Lt f64v from_bool imm64 |a, b| a < b]
            [F64Gt f64v from_bool imm64 |a, b| a > b]
            [F64Le f64v from_bool imm64 |a, b| a <= b]
            [F64Ge f64v from_bool imm64 |a, b| a >= b]
        }
    };
}
pub(crate) use for_each_binop;

/// Binary operations that may trap: the expression is a `Result<_, TrapCode>`.
macro_rules! for_each_binop_trap {
    ($m:ident $($prefix:tt)*) => {
        $m! { $($prefix)*
            [I32DivS i32v from_i32 imm32 |a, b| numeric::i32_div_s(a, b)]
            [I32DivU u32v from_u32 imm32 |a, b| numeric::i32_div_u(a, b)]
            [I32RemS i32v from_i32 imm32 |a, b| numeric::i32_rem_s(a, b)]
            [I32RemU u32v from_u32 imm32 |a, b| numeric::i32_rem_u(a, b)]
            [I64DivS i64v from_i64 imm64 |a, b| numeric::i64_div_s(a, b)]
            [I64DivU u64v from_u64 imm64 |a, b| numeric::i64_div_u(a, b)]
            [I64RemS i64v from_i64 imm64 |a, b| numeric::i64_rem_s(a, b)]
            [I64RemU u64v from_u64 imm64 |a, b| numeric::i64_rem_u(a, b)]
        }
    };
}
pub(crate) use for_each_binop_trap;

/// Comparisons, which also exist fused with a conditional branch:
/// `[Name Negation reader imm kind |a, b| holds]`. `Negation` is the comparison with the
/// opposite outcome. Float comparisons are false when an operand is NaN, so `a < b` and
/// `a >= b` are not each other's negation: the `Not` forms (`kind` `neg`, which are not
/// binary operations of their own) serve as the negations of the ordered float
/// comparisons.
macro_rules! for_each_cmp {
    ($m:ident $($prefix:tt)*) => {
        $m! { $($prefix)*
            [I32Eq I32Ne u32v imm32 bin |a, b| a == b]
            [I32Ne I32Eq u32v imm32 bin |a, b| a != b]
            [I32LtS I32GeS i32v imm32 bin |a, b| a < b]
            [I32LtU I32GeU u32v imm32 bin |a, b| a < b]
            [I32GtS I32LeS i32v imm32 bin |a, b| a > b]
            [I32GtU I32LeU u32v imm32 bin |a, b| a > b]
            [I32LeS I32GtS i32v imm32 bin |a, b| a <= b]
            [I32LeU I32GtU u32v imm32 bin |a, b| a <= b]
            [I32GeS I32LtS i32v imm32 bin |a, b| a >= b]
            [I32GeU I32LtU u32v imm32 bin |a, b| a >= b]
            [I32AndNz I32AndZ u32v imm32 neg |a, b| a & b != 0]
            [I32AndZ I32AndNz u32v imm32 neg |a, b| a & b == 0]
            [I64Eq I64Ne u64v imm64 bin |a, b| a == b]
            [I64Ne I64Eq u64v imm64 bin |a, b| a != b]
            [I64LtS I64GeS i64v imm64 bin |a, b| a < b]
            [I64LtU I64GeU u64v imm64 bin |a, b| a < b]
            [I64GtS I64LeS i64v imm64 bin |a, b| a > b]
            [I64GtU I64LeU u64v imm64 bin |a, b| a > b]
            [I64LeS I64GtS i64v imm64 bin |a, b| a <= b]
            [I64LeU I64GtU u64v imm64 bin |a, b| a <= b]
            [I64GeS I64LtS i64v imm64 bin |a, b| a >= b]
            [I64GeU I64LtU u64v imm64 bin |a, b| a >= b]
            [F32Eq F32Ne f32v imm32 bin |a, b| a == b]
            [F32Ne F32Eq f32v imm32 bin |a, b| a != b]
            [F32Lt F32NotLt f32v imm32 bin |a, b| a < b]
            [F32Gt F32NotGt f32v imm32 bin |a, b| a > b]
            [F32Le F32NotLe f32v imm32 bin |a, b| a <= b]
            [F32Ge F32NotGe f32v imm32 bin |a, b| a >= b]
            [F32NotLt F32Lt f32v imm32 neg |a, b| !(a < b)]
            [F32NotGt F32Gt f32v imm32 neg |a, b| !(a > b)]
            [F32NotLe F32Le f32v imm32 neg |a, b| !(a <= b)]
            [F32NotGe F32Ge f32v imm32 neg |a, b| !(a >= b)]
            [F64Eq F64Ne f64v imm64 bin |a, b| a == b]
            [F64Ne F64Eq f64v imm64 bin |a, b| a != b]
            [F64Lt F64NotLt f64v imm64 bin |a, b| a < b]
            [F64Gt F64NotGt f64v imm64 bin |a, b| a > b]
            [F64Le F64NotLe f64v imm64 bin |a, b| a <= b]
            [F64Ge F64NotGe f64v imm64 bin |a, b| a >= b]
            [F64NotLt F64Lt f64v imm64 neg |a, b| !(a < b)]
            [F64NotGt F64Gt f64v imm64 neg |a, b| !(a > b)]
            [F64NotLe F64Le f64v imm64 neg |a, b| !(a <= b)]
            [F64NotGe F64Ge f64v imm64 neg |a, b| !(a >= b)]
        }
    };
}
pub(crate) use for_each_cmp;

/// Unary operations that cannot trap: `[Name reader writer |a| result]`.
macro_rules! for_each_unop {
    ($m:ident $($prefix:tt)*) => {
        $m! { $($prefix)*
            [I32Eqz u32v from_bool |a| a == 0]
            [I64Eqz u64v from_bool |a| a == 0]
            [I32Clz u32v from_u32 |a| a.leading_zeros()]
            [I32Ctz u32v from_u32 |a| a.trailing_zeros()]
            [I32Popcnt u32v from_u32 |a| a.count_ones()]
            [I64Clz u64v from_u64 |a| a.leading_zeros() as u64]
            [I64Ctz u64v from_u64 |a| a.trailing_zeros() as u64]
            [I64Popcnt u64v from_u64 |a| a.count_ones() as u64]
            [F32Abs u32v from_u32 |a| a & 0x7fff_ffff]
            [F32Neg u32v from_u32 |a| a ^ 0x8000_0000]
            [F32Ceil f32v from_f32 |a| numeric::quiet_nan_or_f32(a, f32::ceil)]
            [F32Floor f32v from_f32 |a| numeric::quiet_nan_or_f32(a, f32::floor)]
            [F32Trunc f32v from_f32 |a| numeric::quiet_nan_or_f32(a, f32::trunc)]
            [F32Nearest f32v from_f32 |a| numeric::f32_nearest(a)]
            [F32Sqrt f32v from_f32 |a| a.sqrt()]
            [F64Abs u64v from_u64 |a| a & 0x7fff_ffff_ffff_ffff]
            [F64Neg u64v from_u64 |a| a ^ 0x8000_0000_0000_0000]
            [F64Ceil f64v from_f64 |a| numeric::quiet_nan_or_f64(a, f64::ceil)]
            [F64Floor f64v from_f64 |a| numeric::quiet_nan_or_f64(a, f64::floor)]
            [F64Trunc f64v from_f64 |a| numeric::quiet_nan_or_f64(a, f64::trunc)]
            [F64Nearest f64v from_f64 |a| numeric::f64_nearest(a)]
            [F64Sqrt f64v from_f64 |a| a.sqrt()]
            [I32WrapI64 u64v from_u32 |a| a as u32]
            [I64ExtendI32S i32v from_i64 |a| a as i64]
            [F32ConvertI32S i32v from_f32 |a| a as f32]
            [F32ConvertI32U u32v from_f32 |a| a as f32]
            [F32ConvertI64S i64v from_f32 |a| a as f32]
            [F32ConvertI64U u64v from_f32 |a| a as f32]
            [F32DemoteF64 f64v from_f32 |a| a as f32]
            [F64ConvertI32S i32v from_f64 |a| a as f64]
            [F64ConvertI32U u32v from_f64 |a| a as f64]
            [F64ConvertI64S i64v from_f64 |a| a as f64]
            [F64ConvertI64U u64v from_f64 |a| a as f64]
            [F64PromoteF32 f32v from_f64 |a| a as f64]
            [I32Extend8S i32v from_i32 |a| a as i8 as i32]
            [I32Extend16S i32v from_i32 |a| a as i16 as i32]
            [I64Extend8S i64v from_i64 |a| a as i8 as i64]
            [I64Extend16S i64v from_i64 |a| a as i16 as i64]
            [I64Extend32S i64v from_i64 |a| a as i32 as i64]
            // Rust's float-to-int `as` saturates and maps NaN to 0, as wasm specifies.
            [I32TruncSatF32S f32v from_i32 |a| a as i32]
            [I32TruncSatF32U f32v from_u32 |a| a as u32]
            [I32TruncSatF64S f64v from_i32 |a| a as i32]
            [I32TruncSatF64U f64v from_u32 |a| a as u32]
            [I64TruncSatF32S f32v from_i64 |a| a as i64]
            [I64TruncSatF32U f32v from_u64 |a| a as u64]
            [I64TruncSatF64S f64v from_i64 |a| a as i64]
            [I64TruncSatF64U f64v from_u64 |a| a as u64]
            [RefIsNull u64v from_bool |a| a == raw_ref::NULL]
            [RefI31 u32v from_u64 |a| raw_ref::from_i31(a)]
            // Internal (no wasm operator): an i64 index of a 64-bit table, as the table ops'
            // 32-bit index. Tables hold fewer than `u32::MAX` elements, so an index or length
            // of 2^32 or more is out of bounds either way.
            [TableIndex64 u64v from_u64 |a| a.min(u32::MAX as u64)]
        }
    };
}
pub(crate) use for_each_unop;

/// Unary operations that may trap: `[Name reader writer function]`.
macro_rules! for_each_unop_trap {
    ($m:ident $($prefix:tt)*) => {
        $m! { $($prefix)*
            [I32TruncF32S f32v from_i32 numeric::i32_trunc_f32_s]
            [I32TruncF32U f32v from_u32 numeric::i32_trunc_f32_u]
            [I32TruncF64S f64v from_i32 numeric::i32_trunc_f64_s]
            [I32TruncF64U f64v from_u32 numeric::i32_trunc_f64_u]
            [I64TruncF32S f32v from_i64 numeric::i64_trunc_f32_s]
            [I64TruncF32U f32v from_u64 numeric::i64_trunc_f32_u]
            [I64TruncF64S f64v from_i64 numeric::i64_trunc_f64_s]
            [I64TruncF64U f64v from_u64 numeric::i64_trunc_f64_u]
            [I31GetS u64v from_i32 numeric::i31_get_s]
            [I31GetU u64v from_u32 numeric::i31_get_u]
        }
    };
}
pub(crate) use for_each_unop_trap;

/// Loads: `[Name bytes type |v| slot value]` (f32/f64 loads use the i32/i64 forms).
macro_rules! for_each_load {
    ($m:ident $($prefix:tt)*) => {
        $m! { $($prefix)*
            [I32Load 4 u32 |v| v as u64]
            [I64Load 8 u64 |v| v]
            [I32Load8S 1 i8 |v| v as i32 as u32 as u64]
            [I32Load8U 1 u8 |v| v as u64]
            [I32Load16S 2 i16 |v| v as i32 as u32 as u64]
            [I32Load16U 2 u16 |v| v as u64]
            [I64Load8S 1 i8 |v| v as i64 as u64]
            [I64Load16S 2 i16 |v| v as i64 as u64]
            [I64Load32S 4 i32 |v| v as i64 as u64]
        }
    };
}
pub(crate) use for_each_load;

/// Stores: `[Name bytes |slot value| bytes to write]` (narrow stores of i32 and i64 share a
/// form; f32/f64 stores use the i32/i64 ones). Every form writes the low `bytes` bytes.
macro_rules! for_each_store {
    ($m:ident $($prefix:tt)*) => {
        $m! { $($prefix)*
            [Store32 4 |v| v as u32]
            [Store64 8 |v| v]
            [Store8 1 |v| v as u8]
            [Store16 2 |v| v as u16]
        }
    };
}
pub(crate) use for_each_store;

/// Declares a family's operation enum from its list.
macro_rules! declare_family {
    ($(#[$doc:meta])* $enum:ident $([$name:ident $($rest:tt)*])*) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq)]
        #[repr(u8)]
        pub enum $enum { $($name,)* }
    };
}

for_each_binop!(declare_family
    /// A binary operation that cannot trap.
    BinOp);
for_each_binop_trap!(declare_family
    /// A binary operation that may trap (division and remainder).
    BinTrapOp);
for_each_cmp!(declare_family
    /// An integer comparison that can be fused with a conditional branch.
    CmpOp);
for_each_unop!(declare_family
    /// A unary operation that cannot trap.
    UnOp);
for_each_unop_trap!(declare_family
    /// A unary operation that may trap (float-to-int truncation).
    UnTrapOp);
for_each_load!(declare_family
    /// A load from linear memory.
    LoadOp);
for_each_store!(declare_family
    /// A store to linear memory.
    StoreOp);

// The v128 families: their lists (names as wasmparser's operators) are in `simd.rs`.
use crate::simd::{
    for_each_v128_binop, for_each_v128_extract, for_each_v128_load_extend, for_each_v128_replace,
    for_each_v128_shift, for_each_v128_splat, for_each_v128_ternop, for_each_v128_test,
    for_each_v128_unop,
};
for_each_v128_unop!(declare_family
    /// A unary `v128` operation.
    V128UnOp);
for_each_v128_binop!(declare_family
    /// A binary `v128` operation.
    V128BinOp);
for_each_v128_ternop!(declare_family
    /// A ternary `v128` operation (`v128.bitselect` and relaxed ones).
    V128TernOp);
for_each_v128_shift!(declare_family
    /// A lane-wise shift of a `v128` by an i32.
    V128ShiftOp);
for_each_v128_test!(declare_family
    /// A `v128` test or mask with an i32 result (`any_true`, `all_true`, `bitmask`).
    V128TestOp);
for_each_v128_splat!(declare_family
    /// A splat of a scalar to every lane.
    V128SplatOp);
for_each_v128_extract!(declare_family
    /// A lane extraction.
    V128ExtractOp);
for_each_v128_replace!(declare_family
    /// A lane replacement.
    V128ReplaceOp);
for_each_v128_load_extend!(declare_family
    /// A `v128` load that extends, splats or zero-fills.
    V128LoadExtOp);

/// `Family::of(&operator)`: the family member an operator is. The lane and load families
/// also return the operator's lane index or memarg.
macro_rules! operator_of {
    ($enum:ident $([$name:ident $($rest:tt)*])*) => {
        impl $enum {
            pub fn of(op: &wasmparser::Operator<'_>) -> Option<$enum> {
                match op {
                    $(wasmparser::Operator::$name { .. } => Some($enum::$name),)*
                    _ => None,
                }
            }
        }
    };
    (@lane $enum:ident $([$name:ident $($rest:tt)*])*) => {
        impl $enum {
            pub fn of(op: &wasmparser::Operator<'_>) -> Option<($enum, u8)> {
                match *op {
                    $(wasmparser::Operator::$name { lane } => Some(($enum::$name, lane)),)*
                    _ => None,
                }
            }
        }
    };
    (@memarg $enum:ident $([$name:ident $($rest:tt)*])*) => {
        impl $enum {
            pub fn of(op: &wasmparser::Operator<'_>) -> Option<($enum, wasmparser::MemArg)> {
                match *op {
                    $(wasmparser::Operator::$name { memarg } => Some(($enum::$name, memarg)),)*
                    _ => None,
                }
            }
        }
    };
}
for_each_v128_unop!(operator_of V128UnOp);
for_each_v128_binop!(operator_of V128BinOp);
for_each_v128_ternop!(operator_of V128TernOp);
for_each_v128_shift!(operator_of V128ShiftOp);
for_each_v128_test!(operator_of V128TestOp);
for_each_v128_splat!(operator_of V128SplatOp);
for_each_v128_extract!(operator_of @lane V128ExtractOp);
for_each_v128_replace!(operator_of @lane V128ReplaceOp);
for_each_v128_load_extend!(operator_of @memarg V128LoadExtOp);

/// Whether a family's constant operands are 64-bit (sign-extended from the 32-bit
/// immediate) rather than 32-bit.
macro_rules! wide_immediates {
    ($enum:ident $([$name:ident $($rest:tt)*])*) => {
        impl $enum {
            pub fn wide(self) -> bool {
                match self {
                    $($enum::$name => wide_immediates!(@pick $($rest)*),)*
                }
            }
        }
    };
    // Binary ops list `reader writer imm`, comparisons `negation reader imm`.
    (@pick $x:ident $y:ident imm64 $($tail:tt)*) => { true };
    (@pick $x:ident $y:ident imm32 $($tail:tt)*) => { false };
}
for_each_binop!(wide_immediates BinOp);
for_each_binop_trap!(wide_immediates BinTrapOp);
for_each_cmp!(wide_immediates CmpOp);

macro_rules! store_widths {
    ($([$name:ident $n:literal $($rest:tt)*])*) => {
        impl StoreOp {
            /// Bytes written.
            pub fn bytes(self) -> u32 {
                match self { $(StoreOp::$name => $n,)* }
            }
        }
    };
}
for_each_store!(store_widths);

macro_rules! cmp_relations {
    ($([$name:ident $not:ident $($rest:tt)*])*) => {
        impl CmpOp {
            /// The comparison with the opposite outcome.
            pub fn negated(self) -> CmpOp {
                match self { $(CmpOp::$name => CmpOp::$not,)* }
            }
        }
    };
}
for_each_cmp!(cmp_relations);

/// `CmpOp::of`: the comparisons that are binary operations (`kind` `bin`); the others are
/// the negated float comparisons and the bit tests `(a & b) != 0` and `(a & b) == 0`.
macro_rules! cmp_of {
    (@arms [$($arms:tt)*]) => {
        impl CmpOp {
            /// The comparison that a binary operation is, if it is one.
            pub fn of(op: BinOp) -> Option<CmpOp> {
                match op {
                    $($arms)*
                    _ => None,
                }
            }
        }
    };
    (@arms [$($arms:tt)*] [$name:ident $not:ident $get:ident $imm:ident bin $($x:tt)*] $($tail:tt)*) => {
        cmp_of!(@arms [$($arms)* BinOp::$name => Some(CmpOp::$name),] $($tail)*);
    };
    (@arms [$($arms:tt)*] [$name:ident $not:ident $get:ident $imm:ident neg $($x:tt)*] $($tail:tt)*) => {
        cmp_of!(@arms [$($arms)*] $($tail)*);
    };
    ($($entries:tt)*) => {
        cmp_of!(@arms [] $($entries)*);
    };
}

for_each_cmp!(cmp_of);

impl CmpOp {
    /// The condition a branch on the result of `op` (true when non-zero) tests, if a
    /// compare-and-branch can test it directly.
    pub fn branch_on(op: BinOp) -> Option<CmpOp> {
        match op {
            BinOp::I32And => Some(CmpOp::I32AndNz),
            op => CmpOp::of(op),
        }
    }
}

/// Whether a binary operation's operands may be swapped.
impl BinOp {
    pub fn commutes(self) -> bool {
        use BinOp::*;
        matches!(
            self,
            I32Add
                | I32Mul
                | I32And
                | I32Or
                | I32Xor
                | I32Eq
                | I32Ne
                | I64Add
                | I64Mul
                | I64And
                | I64Or
                | I64Xor
                | I64Eq
                | I64Ne
        )
    }

    /// The operation with swapped operands (`a < b` is `b > a`, also for floats).
    pub fn swapped(self) -> Option<BinOp> {
        use BinOp::*;
        if self.commutes() {
            return Some(self);
        }
        Some(match self {
            I32LtS => I32GtS,
            I32LtU => I32GtU,
            I32GtS => I32LtS,
            I32GtU => I32LtU,
            I32LeS => I32GeS,
            I32LeU => I32GeU,
            I32GeS => I32LeS,
            I32GeU => I32LeU,
            I64LtS => I64GtS,
            I64LtU => I64GtU,
            I64GtS => I64LtS,
            I64GtU => I64LtU,
            I64LeS => I64GeS,
            I64LeU => I64GeU,
            I64GeS => I64LeS,
            I64GeU => I64LeU,
            F32Eq => F32Eq,
            F32Ne => F32Ne,
            F32Lt => F32Gt,
            F32Gt => F32Lt,
            F32Le => F32Ge,
            F32Ge => F32Le,
            F64Eq => F64Eq,
            F64Ne => F64Ne,
            F64Lt => F64Gt,
            F64Gt => F64Lt,
            F64Le => F64Ge,
            F64Ge => F64Le,
            _ => return None,
        })
    }
}

/// One interpreter operation. Ops read all their operands before they write their result,
/// so a result slot may be one of the operand slots.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Op {
    // ---- control ----
    Unreachable,
    Br {
        offset: i32,
    },
    /// Jumps if slot `cond` (an i32) is non-zero.
    BrIfNez {
        cond: Slot,
        offset: i32,
    },
    /// Jumps if slot `cond` (an i32) is zero.
    BrIfEqz {
        cond: Slot,
        offset: i32,
    },
    /// Jumps if the comparison of slots `a` and `b` holds.
    BrIfCmp {
        op: CmpOp,
        a: Slot,
        b: Slot,
        offset: i32,
    },
    /// Jumps if the comparison of slot `a` with the constant `b` holds.
    BrIfCmpImm {
        op: CmpOp,
        a: Slot,
        b: i16,
        offset: i32,
    },
    /// The back edges of a loop: the branches above, jumping to just after the loop's
    /// `LoopHeader` and running its safepoint when they jump (the header then runs only
    /// when the loop is entered from above).
    BrLoop {
        offset: i32,
    },
    BrIfNezLoop {
        cond: Slot,
        offset: i32,
    },
    BrIfEqzLoop {
        cond: Slot,
        offset: i32,
    },
    /// `slot += k` (i32), then a jump when the sum is non-zero: a counted loop's
    /// `local.tee` and `br_if`.
    AddBrIfNez {
        slot: Slot,
        k: i16,
        offset: i32,
    },
    /// `slot += k` (i32), then a jump when the sum is zero.
    AddBrIfEqz {
        slot: Slot,
        k: i16,
        offset: i32,
    },
    /// `AddBrIfNez` as a loop's back edge (see `BrLoop`).
    AddBrIfNezLoop {
        slot: Slot,
        k: i16,
        offset: i32,
    },
    /// `AddBrIfEqz` as a loop's back edge.
    AddBrIfEqzLoop {
        slot: Slot,
        k: i16,
        offset: i32,
    },
    BrIfCmpLoop {
        op: CmpOp,
        a: Slot,
        b: Slot,
        offset: i32,
    },
    BrIfCmpImmLoop {
        op: CmpOp,
        a: Slot,
        b: i16,
        offset: i32,
    },
    /// Jumps to entry `min(slot index, len)` of the `len + 1` ops that follow (each a `Br`
    /// or a return).
    BrTable {
        index: Slot,
        len: u32,
    },
    /// `BrTable` on `index + k` (i32): a fused `i32.add` of a constant.
    BrTableAdd {
        index: Slot,
        k: i16,
        len: u32,
    },
    /// An entry of the table that follows a `BrTable` (`len + 1` of them). `BrTable` jumps
    /// to the entry's target itself, so an entry is a plain jump that jump threading never
    /// turns into anything else; targets that are a return or need moves are stubs after
    /// the table, and loop targets are their loop's header, whose safepoint then runs.
    BrTableEntry {
        offset: i32,
    },
    /// Returns `n` values starting at slot `src` to the caller.
    Return {
        src: Slot,
        n: u16,
    },
    /// Calls a function defined in the current module (index among defined functions).
    /// The callee's frame starts at slot `base`, where the arguments are.
    CallInternal {
        base: Slot,
        def: u32,
    },
    /// `CallInternal` of a function with one parameter, copied from slot `a` first (the
    /// staging copy fused into the call).
    CallInternalArg {
        base: Slot,
        a: Slot,
        def: u32,
    },
    /// `CallInternal` of a function with two parameters, copied from `a` and `b` first
    /// (defined function index below 2^16).
    CallInternalArgs2 {
        base: Slot,
        a: Slot,
        b: Slot,
        def: u16,
    },
    /// Calls through the instance's function table (imports, or any function).
    CallFunc {
        base: Slot,
        func: u32,
    },
    /// Calls through a table: the element index is in slot `index`, the arguments in the
    /// slots just below it (where the callee's frame starts). Checks the callee's type
    /// against `type_index` of the module.
    CallIndirect {
        index: Slot,
        table: u16,
        type_index: u32,
    },
    /// Tail call (`return_call`) of a function defined in the current module: its
    /// arguments, from slot `base`, become the first slots of the current frame, which the
    /// callee takes over; it returns to the current function's caller.
    ReturnCallInternal {
        base: Slot,
        def: u32,
    },
    /// Tail call through the instance's function table (imports, or any function). A host
    /// function runs as in `CallFunc`, and its results are returned.
    ReturnCallFunc {
        base: Slot,
        func: u32,
    },
    /// Tail call through a table (`return_call_indirect`), as `CallIndirect`.
    ReturnCallIndirect {
        index: Slot,
        table: u16,
        type_index: u32,
    },
    /// Calls a function reference (`call_ref`): the reference is in slot `index`, the
    /// arguments in the slots just below it (where the callee's frame starts). Validation
    /// typed the reference, so only null is checked.
    CallRef {
        index: Slot,
    },
    /// Tail call of a function reference (`return_call_ref`), as `CallRef`.
    ReturnCallRef {
        index: Slot,
    },
    /// `ref.as_non_null`: traps if the reference in slot `a` is null (which stays where
    /// it is).
    RefAsNonNull {
        a: Slot,
    },
    /// `throw`: a new exception of module tag `tag` whose payload is the `n` slots from
    /// `base`. Handlers are found through `CompiledFunc::handlers`.
    Throw {
        base: Slot,
        n: u16,
        tag: u32,
    },
    /// `throw_ref` of the exception reference in slot `a` (null traps).
    ThrowRef {
        a: Slot,
    },
    /// Tiered execution, first op of every function: counts the call and, once the
    /// function is hot, runs its machine code instead (see `tier.rs`).
    TierEntry,
    /// Every loop header: checks for interruption, charges the loop body's `cost` in fuel
    /// when fuel is metered, and bounds host-stack use (see `exec.rs`).
    LoopHeader {
        cost: u32,
    },
    /// A loop header under tiered execution: also counts the iteration. `loop_index`
    /// numbers the body's `loop`s in order (the JIT's on-stack-replacement entries use the
    /// same numbering); `osr` says whether the operand stack is empty here.
    TierLoop {
        loop_index: u32,
        cost: u32,
        osr: bool,
    },

    // ---- slots and constants ----
    Copy {
        dst: Slot,
        src: Slot,
    },
    /// Copies slots `a` and `b` to `dst` and `dst + 1` (call arguments, mostly).
    Copy2 {
        dst: Slot,
        a: Slot,
        b: Slot,
    },
    /// Two copies in order: `a` to `dst_a`, then `b` to `dst_b`.
    CopyTwo {
        dst_a: Slot,
        a: Slot,
        dst_b: Slot,
        b: Slot,
    },
    /// Copies `n` consecutive slots (the ranges may overlap, `dst < src`).
    CopySpan {
        dst: Slot,
        src: Slot,
        n: u16,
    },
    Const32 {
        dst: Slot,
        value: u32,
    },
    /// A 64-bit constant that fits neither 32 bits zero-extended nor sign-extended: entry
    /// `index` of the function's constant pool.
    ConstPool {
        dst: Slot,
        index: u32,
    },
    /// A 64-bit constant that fits 32 bits sign-extended.
    Const64S {
        dst: Slot,
        value: i32,
    },
    /// `dst = cond != 0 ? a : b`.
    Select {
        dst: Slot,
        cond: Slot,
        a: Slot,
        b: Slot,
    },
    GlobalGet {
        dst: Slot,
        global: u32,
    },
    GlobalSet {
        src: Slot,
        global: u32,
    },

    // ---- numeric ----
    Un {
        op: UnOp,
        dst: Slot,
        a: Slot,
    },
    UnTrap {
        op: UnTrapOp,
        dst: Slot,
        a: Slot,
    },
    Bin {
        op: BinOp,
        dst: Slot,
        a: Slot,
        b: Slot,
    },
    /// `a op b` with a constant right operand.
    BinRI {
        op: BinOp,
        dst: Slot,
        a: Slot,
        b: u32,
    },
    /// `a op b` with a constant left operand.
    BinIR {
        op: BinOp,
        dst: Slot,
        a: u32,
        b: Slot,
    },
    BinTrap {
        op: BinTrapOp,
        dst: Slot,
        a: Slot,
        b: Slot,
    },
    BinTrapRI {
        op: BinTrapOp,
        dst: Slot,
        a: Slot,
        b: u32,
    },
    BinTrapIR {
        op: BinTrapOp,
        dst: Slot,
        a: u32,
        b: Slot,
    },

    /// Fused i32 arithmetic: `dst = (a >> shift) & mask`, a bit-field extract.
    ShrUAnd {
        dst: Slot,
        a: Slot,
        shift: u16,
        mask: u16,
    },
    /// `dst = a * b + c` (i32).
    MulAdd {
        dst: Slot,
        a: Slot,
        b: Slot,
        c: Slot,
    },
    /// `dst = a + (b << shift)` (i32), an indexed address.
    AddShl {
        dst: Slot,
        a: Slot,
        b: Slot,
        shift: u16,
    },

    // ---- memory: `offset` is the static memarg offset ----
    Load {
        op: LoadOp,
        dst: Slot,
        addr: Slot,
        offset: u32,
    },
    Store {
        op: StoreOp,
        addr: Slot,
        value: Slot,
        offset: u32,
    },
    /// A load whose address is the wrapping 32-bit sum of two slots (a fused `i32.add`),
    /// plus a 16-bit offset.
    LoadAdd {
        op: LoadOp,
        dst: Slot,
        a: Slot,
        b: Slot,
        offset: u16,
    },
    /// A load with offset 0 whose address is a slot plus a constant, wrapping at 32 bits
    /// (a fused `i32.add` with a constant operand).
    LoadAddImm {
        op: LoadOp,
        dst: Slot,
        a: Slot,
        k: u32,
    },
    /// A load with offset 0 from `a + (b << shift)`, wrapping at 32 bits (a fused
    /// `AddShl`).
    LoadAddShl {
        op: LoadOp,
        dst: Slot,
        a: Slot,
        b: Slot,
        shift: u16,
    },
    /// A store with offset 0 to `a + (b << shift)`, wrapping at 32 bits.
    StoreAddShl {
        op: StoreOp,
        a: Slot,
        b: Slot,
        value: Slot,
        shift: u16,
    },
    /// A store whose address is the wrapping 32-bit sum of two slots, plus a 16-bit offset.
    StoreAdd {
        op: StoreOp,
        a: Slot,
        b: Slot,
        value: Slot,
        offset: u16,
    },
    /// A store with offset 0 whose address is a slot plus a constant, wrapping at 32 bits.
    StoreAddImm {
        op: StoreOp,
        a: Slot,
        k: u32,
        value: Slot,
    },
    /// A load from a constant address (the address operand plus the offset).
    LoadAbs {
        op: LoadOp,
        dst: Slot,
        addr: u32,
    },
    /// A store of a constant (sign-extended from 16 bits).
    StoreImm {
        op: StoreOp,
        addr: Slot,
        value: i16,
        offset: u32,
    },
    /// A store to a constant address (the address operand plus the offset).
    StoreAbs {
        op: StoreOp,
        value: Slot,
        addr: u32,
    },
    /// A load from a memory other than memory 0 (multi-memory), or from a 64-bit memory:
    /// entries `memarg` and `memarg + 1` of the function's constant pool hold the memory
    /// index (with [`MEMARG_64`] set for a 64-bit memory) and the offset.
    LoadMem {
        op: LoadOp,
        dst: Slot,
        addr: Slot,
        memarg: u32,
    },
    /// A store to a memory other than memory 0, as `LoadMem`.
    StoreMem {
        op: StoreOp,
        addr: Slot,
        value: Slot,
        memarg: u32,
    },
    MemorySize {
        dst: Slot,
        memory: u16,
    },
    MemoryGrow {
        dst: Slot,
        delta: Slot,
        memory: u16,
    },
    /// Wide arithmetic (`i64.add128`, `i64.sub128`: operands lo1, hi1, lo2, hi2;
    /// `i64.mul_wide_s`, `i64.mul_wide_u`: two operands) in the slots from `base`; the
    /// 128-bit result's low and high halves replace the first two.
    Wide {
        op: WideOp,
        base: Slot,
    },
    /// Operands (destination, value, length) in the three slots from `base`.
    MemoryFill {
        base: Slot,
        memory: u16,
        /// The memory is 64-bit: destination and length are i64.
        memory64: bool,
    },
    /// Operands (destination, source, length) in the three slots from `base`.
    MemoryCopy {
        base: Slot,
        dst_memory: u16,
        src_memory: u16,
        /// Which memories are 64-bit (`COPY_DST_64`, `COPY_SRC_64`); the length is an i64
        /// when both are.
        widths: u16,
    },
    /// Operands (destination, source, length) in the three slots from `base`.
    MemoryInit {
        base: Slot,
        memory: u16,
        data: u32,
    },
    DataDrop {
        data: u32,
    },

    // ---- tables and references ----
    TableGet {
        dst: Slot,
        index: Slot,
        table: u32,
    },
    TableSet {
        index: Slot,
        value: Slot,
        table: u32,
    },
    TableSize {
        dst: Slot,
        table: u32,
    },
    /// Operands (init, delta) in the two slots from `base`; the result replaces init.
    TableGrow {
        base: Slot,
        table: u32,
    },
    /// Operands (index, value, length) in the three slots from `base`.
    TableFill {
        base: Slot,
        table: u32,
    },
    /// Operands (destination, source, length) in the three slots from `base`.
    TableCopy {
        base: Slot,
        dst: u16,
        src: u16,
    },
    /// Operands (destination, source, length) in the three slots from `base`.
    TableInit {
        base: Slot,
        table: u16,
        elem: u32,
    },
    ElemDrop {
        elem: u32,
    },
    RefFunc {
        dst: Slot,
        func: u32,
    },

    // ---- v128: a v128 operand or result names the first of its two slots ----
    /// `dst = cond != 0 ? a : b`.
    V128Select {
        dst: Slot,
        cond: Slot,
        a: Slot,
        b: Slot,
    },
    V128GlobalGet {
        dst: Slot,
        global: u32,
    },
    V128GlobalSet {
        src: Slot,
        global: u32,
    },
    /// `v128.load`: `memarg` indexes the memory index and offset in the constant pool, as
    /// in `LoadMem`.
    V128Load {
        dst: Slot,
        addr: Slot,
        memarg: u32,
    },
    V128Store {
        addr: Slot,
        value: Slot,
        memarg: u32,
    },
    /// An extending, splatting or zero-filling load (`memarg` as in `V128Load`).
    V128LoadExt {
        op: V128LoadExtOp,
        dst: Slot,
        addr: Slot,
        memarg: u32,
    },
    V128Un {
        op: V128UnOp,
        dst: Slot,
        a: Slot,
    },
    V128Bin {
        op: V128BinOp,
        dst: Slot,
        a: Slot,
        b: Slot,
    },
    V128Tern {
        op: V128TernOp,
        dst: Slot,
        a: Slot,
        b: Slot,
        c: Slot,
    },
    /// Shifts `a` by the i32 in slot `n`.
    V128Shift {
        op: V128ShiftOp,
        dst: Slot,
        a: Slot,
        n: Slot,
    },
    /// An i32 result (`dst` is one slot).
    V128Test {
        op: V128TestOp,
        dst: Slot,
        a: Slot,
    },
    /// Splats the scalar in slot `x`.
    V128Splat {
        op: V128SplatOp,
        dst: Slot,
        x: Slot,
    },
    /// A scalar result (`dst` is one slot).
    V128Extract {
        op: V128ExtractOp,
        dst: Slot,
        a: Slot,
        lane: u8,
    },
    /// Replaces lane `lane` of `a` with the scalar in slot `x`.
    V128Replace {
        op: V128ReplaceOp,
        dst: Slot,
        a: Slot,
        x: Slot,
        lane: u8,
    },
    /// `i8x16.shuffle` of the vectors in the four slots from `src`; the 16 lane indices are
    /// entries `index` and `index + 1` of the constant pool, little-endian.
    V128Shuffle {
        dst: Slot,
        src: Slot,
        index: u32,
    },
    /// `v128.loadN_lane`: the address and the vector are in the three slots from `base`;
    /// the result replaces them from `base`.
    V128LoadLane {
        width: LaneWidth,
        base: Slot,
        lane: u8,
        memarg: u32,
    },
    /// `v128.storeN_lane`: the address and the vector are in the three slots from `base`.
    V128StoreLane {
        width: LaneWidth,
        base: Slot,
        lane: u8,
        memarg: u32,
    },
}

/// The lane width of `v128.loadN_lane` and `v128.storeN_lane`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[repr(u8)]
pub enum LaneWidth {
    L8,
    L16,
    L32,
    L64,
}

impl LaneWidth {
    pub fn bytes(self) -> usize {
        1 << self as usize
    }
}

impl Op {
    /// The branch offset of a jumping op, for disassembly and patching.
    pub fn branch_offset_mut(&mut self) -> Option<&mut i32> {
        match self {
            Op::Br { offset }
            | Op::BrTableEntry { offset }
            | Op::BrIfNez { offset, .. }
            | Op::BrIfEqz { offset, .. }
            | Op::BrIfCmp { offset, .. }
            | Op::BrIfCmpImm { offset, .. }
            | Op::BrLoop { offset }
            | Op::BrIfNezLoop { offset, .. }
            | Op::BrIfEqzLoop { offset, .. }
            | Op::BrIfCmpLoop { offset, .. }
            | Op::BrIfCmpImmLoop { offset, .. }
            | Op::AddBrIfNez { offset, .. }
            | Op::AddBrIfEqz { offset, .. }
            | Op::AddBrIfNezLoop { offset, .. }
            | Op::AddBrIfEqzLoop { offset, .. } => Some(offset),
            _ => None,
        }
    }

    /// Calls `f(first, count)` for every range of frame slots the op reads or writes
    /// (besides a callee's frame, which the call sequence checks on entry). The verifier in
    /// `translate.rs` checks them against the frame size: the handlers' raw slot accesses
    /// rest on that bound.
    pub fn for_each_slot_range(&self, mut f: impl FnMut(Slot, u16)) {
        match *self {
            Op::Unreachable
            | Op::Br { .. }
            | Op::BrTableEntry { .. }
            | Op::BrLoop { .. }
            | Op::TierEntry
            | Op::LoopHeader { .. }
            | Op::TierLoop { .. }
            | Op::DataDrop { .. }
            | Op::ElemDrop { .. } => {}
            Op::BrIfNez { cond, .. }
            | Op::BrIfEqz { cond, .. }
            | Op::BrIfNezLoop { cond, .. }
            | Op::BrIfEqzLoop { cond, .. }
            | Op::AddBrIfNez { slot: cond, .. }
            | Op::AddBrIfEqz { slot: cond, .. }
            | Op::AddBrIfNezLoop { slot: cond, .. }
            | Op::AddBrIfEqzLoop { slot: cond, .. } => f(cond, 1),
            Op::BrIfCmp { a, b, .. } | Op::BrIfCmpLoop { a, b, .. } => {
                f(a, 1);
                f(b, 1);
            }
            Op::BrIfCmpImm { a, .. } | Op::BrIfCmpImmLoop { a, .. } => f(a, 1),
            Op::BrTable { index, .. } | Op::BrTableAdd { index, .. } => f(index, 1),
            Op::Return { src, n } => f(src, n),
            // The callee's frame starts at `base`; the arguments and results lie in it.
            Op::CallInternalArg { base, a, .. } => {
                f(base, 1);
                f(a, 1);
            }
            Op::CallInternalArgs2 { base, a, b, .. } => {
                f(base, 2);
                f(a, 1);
                f(b, 1);
            }
            Op::CallInternal { base, .. }
            | Op::CallFunc { base, .. }
            | Op::ReturnCallInternal { base, .. }
            | Op::ReturnCallFunc { base, .. } => f(base, 0),
            Op::CallIndirect { index, .. }
            | Op::ReturnCallIndirect { index, .. }
            | Op::CallRef { index }
            | Op::ReturnCallRef { index } => f(index, 1),
            Op::RefAsNonNull { a } | Op::ThrowRef { a } => f(a, 1),
            Op::Throw { base, n, .. } => f(base, n),
            Op::Copy { dst, src } => {
                f(dst, 1);
                f(src, 1);
            }
            Op::Copy2 { dst, a, b } => {
                f(dst, 2);
                f(a, 1);
                f(b, 1);
            }
            Op::CopyTwo { dst_a, a, dst_b, b } => {
                for s in [dst_a, a, dst_b, b] {
                    f(s, 1);
                }
            }
            Op::MulAdd { dst, a, b, c } => {
                for s in [dst, a, b, c] {
                    f(s, 1);
                }
            }
            Op::CopySpan { dst, src, n } => {
                f(dst, n);
                f(src, n);
            }
            Op::Const32 { dst, .. }
            | Op::ConstPool { dst, .. }
            | Op::Const64S { dst, .. }
            | Op::GlobalGet { dst, .. }
            | Op::LoadAbs { dst, .. }
            | Op::MemorySize { dst, .. }
            | Op::TableSize { dst, .. }
            | Op::RefFunc { dst, .. } => f(dst, 1),
            Op::GlobalSet { src, .. } => f(src, 1),
            Op::StoreAbs { value, .. } => f(value, 1),
            Op::StoreImm { addr, .. } => f(addr, 1),
            Op::Select { dst, cond, a, b } => {
                for s in [dst, cond, a, b] {
                    f(s, 1);
                }
            }
            Op::Un { dst, a, .. }
            | Op::UnTrap { dst, a, .. }
            | Op::BinRI { dst, a, .. }
            | Op::BinTrapRI { dst, a, .. }
            | Op::Load { dst, addr: a, .. }
            | Op::LoadAddImm { dst, a, .. }
            | Op::ShrUAnd { dst, a, .. }
            | Op::MemoryGrow { dst, delta: a, .. }
            | Op::LoadMem { dst, addr: a, .. }
            | Op::TableGet { dst, index: a, .. } => {
                f(dst, 1);
                f(a, 1);
            }
            Op::BinIR { dst, b, .. } | Op::BinTrapIR { dst, b, .. } => {
                f(dst, 1);
                f(b, 1);
            }
            Op::Bin { dst, a, b, .. }
            | Op::BinTrap { dst, a, b, .. }
            | Op::LoadAdd { dst, a, b, .. }
            | Op::LoadAddShl { dst, a, b, .. }
            | Op::AddShl { dst, a, b, .. } => {
                f(dst, 1);
                f(a, 1);
                f(b, 1);
            }
            Op::StoreAdd { a, b, value, .. } | Op::StoreAddShl { a, b, value, .. } => {
                for s in [a, b, value] {
                    f(s, 1);
                }
            }
            Op::Store { addr, value, .. }
            | Op::StoreAddImm { a: addr, value, .. }
            | Op::TableSet {
                index: addr, value, ..
            } => {
                f(addr, 1);
                f(value, 1);
            }
            Op::TableGrow { base, .. } => f(base, 2),
            Op::Wide { op, base } => f(base, op.operands()),
            Op::StoreMem { addr, value, .. } => {
                f(addr, 1);
                f(value, 1);
            }
            Op::MemoryFill { base, .. }
            | Op::MemoryCopy { base, .. }
            | Op::MemoryInit { base, .. }
            | Op::TableFill { base, .. }
            | Op::TableCopy { base, .. }
            | Op::TableInit { base, .. } => f(base, 3),
            Op::V128Select { dst, cond, a, b } => {
                f(dst, 2);
                f(cond, 1);
                f(a, 2);
                f(b, 2);
            }
            Op::V128GlobalGet { dst, .. } => f(dst, 2),
            Op::V128GlobalSet { src, .. } => f(src, 2),
            Op::V128Load { dst, addr, .. } => {
                f(dst, 2);
                f(addr, 1);
            }
            Op::V128Store { addr, value, .. } => {
                f(addr, 1);
                f(value, 2);
            }
            Op::V128LoadLane { base, .. } | Op::V128StoreLane { base, .. } => f(base, 3),
            Op::V128LoadExt { dst, addr, .. } => {
                f(dst, 2);
                f(addr, 1);
            }
            Op::V128Un { dst, a, .. } => {
                f(dst, 2);
                f(a, 2);
            }
            Op::V128Bin { dst, a, b, .. } => {
                f(dst, 2);
                f(a, 2);
                f(b, 2);
            }
            Op::V128Tern { dst, a, b, c, .. } => {
                for s in [dst, a, b, c] {
                    f(s, 2);
                }
            }
            Op::V128Shift { dst, a, n, .. } => {
                f(dst, 2);
                f(a, 2);
                f(n, 1);
            }
            Op::V128Test { dst, a, .. } | Op::V128Extract { dst, a, .. } => {
                f(dst, 1);
                f(a, 2);
            }
            Op::V128Splat { dst, x, .. } => {
                f(dst, 2);
                f(x, 1);
            }
            Op::V128Replace { dst, a, x, .. } => {
                f(dst, 2);
                f(a, 2);
                f(x, 1);
            }
            Op::V128Shuffle { dst, src, .. } => {
                f(dst, 2);
                f(src, 4);
            }
        }
    }

    /// The first slot of the `v128` an op writes as its single result, for ops that have
    /// one (`local.set` of a `v128` redirects it, as `result_slot_mut`).
    pub fn v128_result_slot_mut(&mut self) -> Option<&mut Slot> {
        match self {
            Op::V128Select { dst, .. }
            | Op::V128GlobalGet { dst, .. }
            | Op::V128Load { dst, .. }
            | Op::V128LoadExt { dst, .. }
            | Op::V128Un { dst, .. }
            | Op::V128Bin { dst, .. }
            | Op::V128Tern { dst, .. }
            | Op::V128Shift { dst, .. }
            | Op::V128Splat { dst, .. }
            | Op::V128Replace { dst, .. }
            | Op::V128Shuffle { dst, .. } => Some(dst),
            _ => None,
        }
    }

    /// The back-edge form of a branch (see `BrLoop`).
    pub fn back_edge(self) -> Option<Op> {
        Some(match self {
            Op::Br { offset } => Op::BrLoop { offset },
            Op::BrIfNez { cond, offset } => Op::BrIfNezLoop { cond, offset },
            Op::BrIfEqz { cond, offset } => Op::BrIfEqzLoop { cond, offset },
            Op::BrIfCmp { op, a, b, offset } => Op::BrIfCmpLoop { op, a, b, offset },
            Op::BrIfCmpImm { op, a, b, offset } => Op::BrIfCmpImmLoop { op, a, b, offset },
            Op::AddBrIfNez { slot, k, offset } => Op::AddBrIfNezLoop { slot, k, offset },
            Op::AddBrIfEqz { slot, k, offset } => Op::AddBrIfEqzLoop { slot, k, offset },
            _ => return None,
        })
    }

    /// The slot an op writes its single result to, for ops that have one. The translator
    /// redirects the result of the op just emitted straight into a local (`local.set`).
    pub fn result_slot_mut(&mut self) -> Option<&mut Slot> {
        match self {
            Op::Copy { dst, .. }
            | Op::Const32 { dst, .. }
            | Op::ConstPool { dst, .. }
            | Op::Const64S { dst, .. }
            | Op::Select { dst, .. }
            | Op::GlobalGet { dst, .. }
            | Op::Un { dst, .. }
            | Op::UnTrap { dst, .. }
            | Op::Bin { dst, .. }
            | Op::BinRI { dst, .. }
            | Op::BinIR { dst, .. }
            | Op::BinTrap { dst, .. }
            | Op::BinTrapRI { dst, .. }
            | Op::BinTrapIR { dst, .. }
            | Op::Load { dst, .. }
            | Op::CopyTwo { dst_b: dst, .. }
            | Op::ShrUAnd { dst, .. }
            | Op::MulAdd { dst, .. }
            | Op::AddShl { dst, .. }
            | Op::LoadAdd { dst, .. }
            | Op::LoadAddImm { dst, .. }
            | Op::LoadAddShl { dst, .. }
            | Op::LoadAbs { dst, .. }
            | Op::LoadMem { dst, .. }
            | Op::MemorySize { dst, .. }
            | Op::MemoryGrow { dst, .. }
            | Op::TableGet { dst, .. }
            | Op::TableSize { dst, .. }
            | Op::RefFunc { dst, .. }
            | Op::V128Test { dst, .. }
            | Op::V128Extract { dst, .. } => Some(dst),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ops_stay_compact() {
        assert!(std::mem::size_of::<Op>() <= 16);
    }

    #[test]
    fn comparisons_negate_and_swap_consistently() {
        for op in [BinOp::I32LtS, BinOp::I64GeU, BinOp::I32Eq, BinOp::I64Ne] {
            let cmp = CmpOp::of(op).unwrap();
            assert_eq!(cmp.negated().negated(), cmp);
            assert_eq!(op.swapped().unwrap().swapped().unwrap(), op);
        }
        assert_eq!(CmpOp::of(BinOp::F32Lt).unwrap().negated(), CmpOp::F32NotLt);
        assert_eq!(CmpOp::of(BinOp::F64Add), None);
    }
}

/// The wide-arithmetic operations (`Op::Wide`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum WideOp {
    Add128,
    Sub128,
    MulWideS,
    MulWideU,
}

impl WideOp {
    /// How many 64-bit operands the operation takes (it always produces two).
    pub fn operands(self) -> u16 {
        match self {
            WideOp::Add128 | WideOp::Sub128 => 4,
            WideOp::MulWideS | WideOp::MulWideU => 2,
        }
    }

    /// The 128-bit result of the operation on the operand slots, as (low, high).
    pub fn eval(self, operands: &[u64]) -> (u64, u64) {
        let wide = |lo: u64, hi: u64| (hi as u128) << 64 | lo as u128;
        let result = match self {
            WideOp::Add128 => {
                wide(operands[0], operands[1]).wrapping_add(wide(operands[2], operands[3]))
            }
            WideOp::Sub128 => {
                wide(operands[0], operands[1]).wrapping_sub(wide(operands[2], operands[3]))
            }
            WideOp::MulWideS => {
                (operands[0] as i64 as i128).wrapping_mul(operands[1] as i64 as i128) as u128
            }
            WideOp::MulWideU => (operands[0] as u128) * (operands[1] as u128),
        };
        (result as u64, (result >> 64) as u64)
    }
}
