//! The contract between generated code and the runtime: builtin entry points (indices into
//! the table `VMContext::builtins` points at) and the trap codes compiled code raises.

use cranelift_codegen::ir::{self, AbiParam, Signature, types};
use cranelift_codegen::isa::CallConv;
use wasmtier_runtime::TrapCode;

/// User trap codes (Cranelift `TrapCode::user`) for wasm traps Cranelift has no code for.
pub(crate) mod trap_code {
    pub const UNREACHABLE: u8 = 1;
    pub const TABLE_OUT_OF_BOUNDS: u8 = 2;
    pub const UNDEFINED_ELEMENT: u8 = 3;
    pub const UNINITIALIZED_ELEMENT: u8 = 4;
    pub const INDIRECT_CALL_TYPE_MISMATCH: u8 = 5;
    /// A builtin or a callee outside JIT code failed; the `Trap` waits in a thread-local.
    pub const PENDING: u8 = 6;
    /// The store's interrupt flag was set.
    pub const INTERRUPTED: u8 = 7;
    /// Fuel metering: the store ran out of fuel.
    pub const OUT_OF_FUEL: u8 = 8;
    /// `call_indirect` found a table element that names no function of the store.
    pub const BAD_FUNC_REF: u8 = 9;
    /// `ref.as_non_null` of null.
    pub const NULL_REFERENCE: u8 = 10;
    /// `call_ref` or `return_call_ref` of null.
    pub const NULL_FUNC_REF: u8 = 11;
    /// `i31.get_s` or `i31.get_u` of null.
    pub const NULL_I31_REF: u8 = 12;
}

/// What `memory.grow`'s and `table.grow`'s builtins return when they failed abnormally (the
/// trap, or the runtime's panic, is pending). Their normal results are the old size, at most
/// 2^40 (a 64-bit memory's largest), or [`GROW_FAILED`], so this cannot be one.
pub(crate) const GROW_PENDING: u64 = u64::MAX - 1;

/// What `memory.grow`'s and `table.grow`'s builtins return when the entity cannot grow:
/// wasm's -1, as an i64 (and, truncated, as an i32).
pub(crate) const GROW_FAILED: u64 = u64::MAX;

/// What the `call_func` builtin returns when the interpreted callee ended with a tail call
/// to a compiled function (`Completion::TailCall`): the calling trampoline makes that call,
/// described by the `tail_*` fields of the store context, as a native tail call.
pub(crate) const CALL_FUNC_TAIL_CALL: u32 = 2;

/// What a raw trap code (as recorded in the trap table) means.
pub(crate) enum TrapOutcome {
    Code(TrapCode),
    Pending,
}

pub(crate) fn decode_trap(raw: u8) -> TrapOutcome {
    let is = |c: ir::TrapCode| c.as_raw().get() == raw;
    let code = if is(ir::TrapCode::STACK_OVERFLOW) {
        TrapCode::StackOverflow
    } else if is(ir::TrapCode::INTEGER_OVERFLOW) {
        TrapCode::IntegerOverflow
    } else if is(ir::TrapCode::HEAP_OUT_OF_BOUNDS) {
        TrapCode::MemoryOutOfBounds
    } else if is(ir::TrapCode::INTEGER_DIVISION_BY_ZERO) {
        TrapCode::IntegerDivideByZero
    } else if is(ir::TrapCode::BAD_CONVERSION_TO_INTEGER) {
        TrapCode::BadConversionToInteger
    } else {
        match raw {
            trap_code::UNREACHABLE => TrapCode::Unreachable,
            trap_code::TABLE_OUT_OF_BOUNDS => TrapCode::TableOutOfBounds,
            trap_code::UNDEFINED_ELEMENT => TrapCode::UndefinedElement,
            trap_code::UNINITIALIZED_ELEMENT => TrapCode::UninitializedElement,
            trap_code::INDIRECT_CALL_TYPE_MISMATCH => TrapCode::IndirectCallTypeMismatch,
            trap_code::INTERRUPTED => TrapCode::Interrupted,
            trap_code::OUT_OF_FUEL => TrapCode::OutOfFuel,
            trap_code::BAD_FUNC_REF => TrapCode::BadFuncRef,
            trap_code::NULL_REFERENCE => TrapCode::NullReference,
            trap_code::NULL_FUNC_REF => TrapCode::NullFuncRef,
            trap_code::NULL_I31_REF => TrapCode::NullI31Ref,
            _ => return TrapOutcome::Pending,
        }
    };
    TrapOutcome::Code(code)
}

/// Runtime entry points callable from compiled code. Each takes the caller's `VMContext`
/// first. Addresses, lengths and table indices are passed as i64 (zero-extended where the
/// memory or table is 32-bit); memory, table and segment indices as i32. Every builtin can fail (if only by a panic of the runtime, which is caught and made
/// pending): those returning a status return 0 on success, otherwise the trap is pending;
/// the two `grow`s return [`GROW_PENDING`] instead of their result. Compiled code checks
/// every one.
#[derive(Clone, Copy, Debug)]
#[repr(i32)]
pub(crate) enum Builtin {
    /// `(vmctx, func_id: i64, values: i64) -> status`; besides 0 and a pending trap, the
    /// status can be [`CALL_FUNC_TAIL_CALL`].
    CallFunc = 0,
    /// `(vmctx, memory, delta) -> old pages, GROW_FAILED or GROW_PENDING`
    MemoryGrow,
    /// `(vmctx, memory, dst, val, len) -> status`
    MemoryFill,
    /// `(vmctx, dst_memory, src_memory, dst, src, len) -> status`
    MemoryCopy,
    /// `(vmctx, memory, segment, dst, src, len) -> status`
    MemoryInit,
    /// `(vmctx, segment) -> status`
    DataDrop,
    /// `(vmctx, table, init, delta) -> old size, GROW_FAILED or GROW_PENDING`
    TableGrow,
    /// `(vmctx, table, index, value: i64, len) -> status`
    TableFill,
    /// `(vmctx, dst_table, src_table, dst, src, len) -> status`
    TableCopy,
    /// `(vmctx, table, segment, dst, src, len) -> status`
    TableInit,
    /// `(vmctx, segment) -> status`
    ElemDrop,
    /// `(vmctx, tag, payload: i64) -> status`: `throw` of a new exception of module tag
    /// `tag` whose payload is the slot array at `payload`. Never 0: the exception (as a
    /// `TrapKind::Exception` trap) is pending.
    Throw,
    /// `(vmctx, exnref: i64) -> status`: `throw_ref`. Never 0: the exception, or the trap
    /// for null, is pending.
    ThrowRef,
    /// `(vmctx, actual: i32, expected: i32) -> status`: `call_indirect`'s slow path when
    /// the type ids differ: 0 if type `actual` is a declared subtype of `expected`, else
    /// the "indirect call type mismatch" trap is pending.
    CheckSubtype,
}

pub(crate) const NUM_BUILTINS: usize = 14;

impl Builtin {
    pub(crate) fn signature(self, cc: CallConv) -> Signature {
        use types::{I32, I64};
        let (params, ret): (&[ir::Type], ir::Type) = match self {
            Builtin::CallFunc => (&[I64, I64], I32),
            Builtin::MemoryGrow => (&[I32, I64], I64),
            Builtin::MemoryFill => (&[I32, I64, I32, I64], I32),
            Builtin::MemoryCopy | Builtin::MemoryInit => (&[I32, I32, I64, I64, I64], I32),
            Builtin::DataDrop | Builtin::ElemDrop => (&[I32], I32),
            Builtin::TableGrow => (&[I32, I64, I64], I64),
            Builtin::TableFill => (&[I32, I64, I64, I64], I32),
            Builtin::TableCopy | Builtin::TableInit => (&[I32, I32, I64, I64, I64], I32),
            Builtin::Throw => (&[I32, I64], I32),
            Builtin::ThrowRef => (&[I64], I32),
            Builtin::CheckSubtype => (&[I32, I32], I32),
        };
        let mut sig = Signature::new(cc);
        sig.params.push(AbiParam::new(I64));
        sig.params.extend(params.iter().map(|t| AbiParam::new(*t)));
        sig.returns.push(AbiParam::new(ret));
        sig
    }
}
