//! Threaded code: the executable form of a function's bytecode. Each `Instr` carries the
//! address of its handler and 64 bits of immediates, and every handler ends by jumping
//! straight to the next one, so the processor predicts each dispatch site separately instead
//! of one shared `match`.
//!
//! `Op` remains the canonical bytecode (translation, fusion, disassembly); `link` turns it into
//! `Instr`s one-to-one, so branch offsets carry over unchanged.
//!
//! Immediate layout: slot operands sit in 16-bit lanes (lane 0 is the low 16 bits), wider
//! values (branch offsets, indices, constants) in the high 32 bits, or the low 32 bits when
//! the op has no slot operand.

use wasmtier_runtime::module::ModuleError;

use crate::exec::Exec;
use crate::handlers as h;
use crate::ops::{Op, WideOp};

/// What a handler returns when the chain of handlers stops.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[repr(u8)]
pub enum Exit {
    /// Execution continues at the resume point saved in `Exec` (the dispatch loop of
    /// builds without tail calls, or a chain that stops to give back host stack).
    Resume,
    /// The outermost function returned.
    Done,
    /// The outermost function ended with a tail call to a function with machine code,
    /// which `Exec::tail_request` names (arguments in the store's `tail_args`): the caller
    /// of the interpreter makes it (`Completion::TailCall`).
    TailCall,
    /// A trap is stored in `Exec`.
    Trap,
}

/// A handler: runs the instruction at `pc` and continues with the next one. The hot state
/// is passed in registers.
pub type Handler = unsafe fn(pc: *const Instr, fp: *mut u64, mem: *mut u8, st: &mut Exec) -> Exit;

/// One executable instruction: handler plus 64 bits of immediates.
#[derive(Clone, Copy)]
#[repr(C)]
pub struct Instr {
    pub handler: Handler,
    pub imm: u64,
}

impl std::fmt::Debug for Instr {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Instr({:#x})", self.imm)
    }
}

/// Lanes 0-3 of 16 bits.
fn lanes(a: u16, b: u16, c: u16, d: u16) -> u64 {
    a as u64 | (b as u64) << 16 | (c as u64) << 32 | (d as u64) << 48
}

/// Two 16-bit lanes and a 32-bit high half.
fn lanes_hi(a: u16, b: u16, hi: u32) -> u64 {
    a as u64 | (b as u64) << 16 | (hi as u64) << 32
}

fn instr(handler: Handler, imm: u64) -> Instr {
    Instr { handler, imm }
}

/// Turns bytecode into threaded code.
pub fn link(ops: &[Op]) -> Result<Box<[Instr]>, ModuleError> {
    ops.iter().map(link_op).collect()
}

fn link_op(op: &Op) -> Result<Instr, ModuleError> {
    Ok(match *op {
        Op::Unreachable => instr(h::unreachable, 0),
        Op::Br { offset } => instr(h::br, lanes_hi(0, 0, offset as u32)),
        // Never dispatched to (`br_table` reads the offset), but valid as a jump all the same.
        Op::BrTableEntry { offset } => instr(h::br, lanes_hi(0, 0, offset as u32)),
        Op::BrIfNez { cond, offset } => instr(h::br_if_nez, lanes_hi(cond, 0, offset as u32)),
        Op::BrIfEqz { cond, offset } => instr(h::br_if_eqz, lanes_hi(cond, 0, offset as u32)),
        Op::BrIfCmp { op, a, b, offset } => {
            instr(h::BR_IF_CMP[op as usize], lanes_hi(a, b, offset as u32))
        }
        Op::BrIfCmpImm { op, a, b, offset } => instr(
            h::BR_IF_CMP_IMM[op as usize],
            lanes_hi(a, b as u16, offset as u32),
        ),
        Op::BrLoop { offset } => instr(h::br_loop, lanes_hi(0, 0, offset as u32)),
        Op::BrIfNezLoop { cond, offset } => {
            instr(h::br_if_nez_loop, lanes_hi(cond, 0, offset as u32))
        }
        Op::BrIfEqzLoop { cond, offset } => {
            instr(h::br_if_eqz_loop, lanes_hi(cond, 0, offset as u32))
        }
        Op::BrIfCmpLoop { op, a, b, offset } => instr(
            h::BR_IF_CMP_LOOP[op as usize],
            lanes_hi(a, b, offset as u32),
        ),
        Op::BrIfCmpImmLoop { op, a, b, offset } => instr(
            h::BR_IF_CMP_IMM_LOOP[op as usize],
            lanes_hi(a, b as u16, offset as u32),
        ),
        Op::BrTable { index, len } => instr(h::br_table, lanes_hi(index, 0, len)),
        Op::BrTableAdd { index, k, len } => instr(h::br_table_add, lanes_hi(index, k as u16, len)),
        Op::Return { src, n } => {
            let handler: Handler = match n {
                0 => h::ret0,
                1 => h::ret1,
                _ => h::ret_n,
            };
            instr(handler, lanes(src, n, 0, 0))
        }
        Op::CallInternal { base, def } => instr(h::call_internal, lanes_hi(base, 0, def)),
        Op::CallInternalArg { base, a, def } => instr(h::call_internal_arg, lanes_hi(base, a, def)),
        Op::CallInternalArgs2 { base, a, b, def } => {
            instr(h::call_internal_args2, lanes(base, a, b, def))
        }
        Op::CallFunc { base, func } => instr(h::call_func, lanes_hi(base, 0, func)),
        Op::CallIndirect {
            index,
            table,
            type_index,
        } => instr(h::call_indirect, lanes_hi(index, table, type_index)),
        Op::ReturnCallInternal { base, def } => {
            instr(h::return_call_internal, lanes_hi(base, 0, def))
        }
        Op::ReturnCallFunc { base, func } => instr(h::return_call_func, lanes_hi(base, 0, func)),
        Op::ReturnCallIndirect {
            index,
            table,
            type_index,
        } => instr(h::return_call_indirect, lanes_hi(index, table, type_index)),
        Op::CallRef { index } => instr(h::call_ref, index as u64),
        Op::ReturnCallRef { index } => instr(h::return_call_ref, index as u64),
        Op::RefAsNonNull { a } => instr(h::ref_as_non_null, a as u64),
        Op::Throw { base, n, tag } => instr(h::throw, lanes_hi(base, n, tag)),
        Op::ThrowRef { a } => instr(h::throw_ref, a as u64),
        Op::TierEntry => instr(h::tier_entry, 0),
        Op::LoopHeader { cost } => instr(h::loop_header, cost as u64),
        Op::TierLoop {
            loop_index,
            cost,
            osr,
        } => {
            if loop_index >= 1 << 31 {
                return Err(ModuleError::Unsupported(
                    "more than 2^31 loops in one function".into(),
                ));
            }
            let hi = loop_index | (osr as u32) << 31;
            instr(h::tier_loop, cost as u64 | (hi as u64) << 32)
        }
        Op::Copy { dst, src } => instr(h::copy, lanes(dst, src, 0, 0)),
        Op::Copy2 { dst, a, b } => instr(h::copy2, lanes(dst, a, b, 0)),
        Op::CopyTwo { dst_a, a, dst_b, b } => instr(h::copy_two, lanes(dst_a, a, dst_b, b)),
        Op::ShrUAnd {
            dst,
            a,
            shift,
            mask,
        } => instr(h::shr_u_and, lanes(dst, a, shift, mask)),
        Op::MulAdd { dst, a, b, c } => instr(h::mul_add, lanes(dst, a, b, c)),
        Op::AddShl { dst, a, b, shift } => instr(h::add_shl, lanes(dst, a, b, shift)),
        Op::AddBrIfNez { slot, k, offset } => {
            instr(h::add_br_if_nez, lanes_hi(slot, k as u16, offset as u32))
        }
        Op::AddBrIfEqz { slot, k, offset } => {
            instr(h::add_br_if_eqz, lanes_hi(slot, k as u16, offset as u32))
        }
        Op::AddBrIfNezLoop { slot, k, offset } => instr(
            h::add_br_if_nez_loop,
            lanes_hi(slot, k as u16, offset as u32),
        ),
        Op::AddBrIfEqzLoop { slot, k, offset } => instr(
            h::add_br_if_eqz_loop,
            lanes_hi(slot, k as u16, offset as u32),
        ),
        Op::LoadAddShl {
            op,
            dst,
            a,
            b,
            shift,
        } => instr(h::LOAD_ADD_SHL[op as usize], lanes(dst, a, b, shift)),
        Op::StoreAddShl {
            op,
            a,
            b,
            value,
            shift,
        } => instr(h::STORE_ADD_SHL[op as usize], lanes(a, b, value, shift)),
        Op::CopySpan { dst, src, n } => instr(h::copy_span, lanes(dst, src, n, 0)),
        Op::Const32 { dst, value } => instr(h::const32, lanes_hi(dst, 0, value)),
        Op::ConstPool { dst, index } => instr(h::const_pool, lanes_hi(dst, 0, index)),
        Op::Const64S { dst, value } => instr(h::const64s, lanes_hi(dst, 0, value as u32)),
        Op::Select { dst, cond, a, b } => instr(h::select, lanes(dst, cond, a, b)),
        Op::GlobalGet { dst, global } => instr(h::global_get, lanes_hi(dst, 0, global)),
        Op::GlobalSet { src, global } => instr(h::global_set, lanes_hi(src, 0, global)),
        Op::Un { op, dst, a } => instr(h::UN[op as usize], lanes(dst, a, 0, 0)),
        Op::UnTrap { op, dst, a } => instr(h::UN_TRAP[op as usize], lanes(dst, a, 0, 0)),
        Op::Bin { op, dst, a, b } => instr(h::BIN[op as usize], lanes(dst, a, b, 0)),
        Op::BinRI { op, dst, a, b } => instr(h::BIN_RI[op as usize], lanes_hi(dst, a, b)),
        Op::BinIR { op, dst, a, b } => instr(h::BIN_IR[op as usize], lanes_hi(dst, b, a)),
        Op::BinTrap { op, dst, a, b } => instr(h::BIN_TRAP[op as usize], lanes(dst, a, b, 0)),
        Op::BinTrapRI { op, dst, a, b } => instr(h::BIN_TRAP_RI[op as usize], lanes_hi(dst, a, b)),
        Op::BinTrapIR { op, dst, a, b } => instr(h::BIN_TRAP_IR[op as usize], lanes_hi(dst, b, a)),
        Op::Load {
            op,
            dst,
            addr,
            offset,
        } => instr(h::LOAD[op as usize], lanes_hi(dst, addr, offset)),
        Op::Store {
            op,
            addr,
            value,
            offset,
        } => instr(h::STORE[op as usize], lanes_hi(addr, value, offset)),
        Op::LoadAdd {
            op,
            dst,
            a,
            b,
            offset,
        } => instr(h::LOAD_ADD[op as usize], lanes(dst, a, b, offset)),
        Op::LoadAddImm { op, dst, a, k } => {
            instr(h::LOAD_ADD_IMM[op as usize], lanes_hi(dst, a, k))
        }
        Op::StoreAdd {
            op,
            a,
            b,
            value,
            offset,
        } => instr(h::STORE_ADD[op as usize], lanes(a, b, value, offset)),
        Op::StoreAddImm { op, a, k, value } => {
            instr(h::STORE_ADD_IMM[op as usize], lanes_hi(a, value, k))
        }
        Op::LoadAbs { op, dst, addr } => instr(h::LOAD_ABS[op as usize], lanes_hi(dst, 0, addr)),
        Op::StoreImm {
            op,
            addr,
            value,
            offset,
        } => instr(
            h::STORE_IMM[op as usize],
            lanes_hi(addr, value as u16, offset),
        ),
        Op::StoreAbs { op, value, addr } => {
            instr(h::STORE_ABS[op as usize], lanes_hi(0, value, addr))
        }
        Op::LoadMem {
            op,
            dst,
            addr,
            memarg,
        } => instr(h::LOAD_MEM[op as usize], lanes_hi(dst, addr, memarg)),
        Op::StoreMem {
            op,
            addr,
            value,
            memarg,
        } => instr(h::STORE_MEM[op as usize], lanes_hi(addr, value, memarg)),
        Op::MemorySize { dst, memory } => instr(h::memory_size, lanes(dst, memory, 0, 0)),
        Op::MemoryGrow { dst, delta, memory } => {
            instr(h::memory_grow, lanes(dst, delta, memory, 0))
        }
        Op::Wide { op, base } => instr(
            match op {
                WideOp::Add128 => h::i64_add128,
                WideOp::Sub128 => h::i64_sub128,
                WideOp::MulWideS => h::i64_mul_wide_s,
                WideOp::MulWideU => h::i64_mul_wide_u,
            },
            lanes(base, 0, 0, 0),
        ),
        Op::MemoryFill {
            base,
            memory,
            memory64,
        } => instr(h::memory_fill, lanes(base, memory, memory64 as u16, 0)),
        Op::MemoryCopy {
            base,
            dst_memory,
            src_memory,
            widths,
        } => instr(h::memory_copy, lanes(base, dst_memory, src_memory, widths)),
        Op::MemoryInit { base, memory, data } => {
            instr(h::memory_init, lanes_hi(base, memory, data))
        }
        Op::DataDrop { data } => instr(h::data_drop, lanes_hi(0, 0, data)),
        Op::TableGet { dst, index, table } => instr(h::table_get, lanes_hi(dst, index, table)),
        Op::TableSet {
            index,
            value,
            table,
        } => instr(h::table_set, lanes_hi(index, value, table)),
        Op::TableSize { dst, table } => instr(h::table_size, lanes_hi(dst, 0, table)),
        Op::TableGrow { base, table } => instr(h::table_grow, lanes_hi(base, 0, table)),
        Op::TableFill { base, table } => instr(h::table_fill, lanes_hi(base, 0, table)),
        Op::TableCopy { base, dst, src } => instr(h::table_copy, lanes(base, dst, src, 0)),
        Op::TableInit { base, table, elem } => instr(h::table_init, lanes_hi(base, table, elem)),
        Op::ElemDrop { elem } => instr(h::elem_drop, lanes_hi(0, 0, elem)),
        Op::RefFunc { dst, func } => instr(h::ref_func, lanes_hi(dst, 0, func)),
        Op::V128Select { dst, cond, a, b } => instr(h::v128_select, lanes(dst, cond, a, b)),
        Op::V128GlobalGet { dst, global } => instr(h::v128_global_get, lanes_hi(dst, 0, global)),
        Op::V128GlobalSet { src, global } => instr(h::v128_global_set, lanes_hi(src, 0, global)),
        Op::V128Load { dst, addr, memarg } => instr(h::v128_load, lanes_hi(dst, addr, memarg)),
        Op::V128Store {
            addr,
            value,
            memarg,
        } => instr(h::v128_store, lanes_hi(addr, value, memarg)),
        Op::V128LoadExt {
            op,
            dst,
            addr,
            memarg,
        } => instr(h::V128_LOAD_EXT[op as usize], lanes_hi(dst, addr, memarg)),
        Op::V128Un { op, dst, a } => instr(h::V128_UN[op as usize], lanes(dst, a, 0, 0)),
        Op::V128Bin { op, dst, a, b } => instr(h::V128_BIN[op as usize], lanes(dst, a, b, 0)),
        Op::V128Tern { op, dst, a, b, c } => instr(h::V128_TERN[op as usize], lanes(dst, a, b, c)),
        Op::V128Shift { op, dst, a, n } => instr(h::V128_SHIFT[op as usize], lanes(dst, a, n, 0)),
        Op::V128Test { op, dst, a } => instr(h::V128_TEST[op as usize], lanes(dst, a, 0, 0)),
        Op::V128Splat { op, dst, x } => instr(h::V128_SPLAT[op as usize], lanes(dst, x, 0, 0)),
        Op::V128Extract { op, dst, a, lane } => {
            instr(h::V128_EXTRACT[op as usize], lanes(dst, a, lane as u16, 0))
        }
        Op::V128Replace {
            op,
            dst,
            a,
            x,
            lane,
        } => instr(h::V128_REPLACE[op as usize], lanes(dst, a, x, lane as u16)),
        Op::V128Shuffle { dst, src, index } => instr(h::v128_shuffle, lanes_hi(dst, src, index)),
        Op::V128LoadLane {
            width,
            base,
            lane,
            memarg,
        } => instr(
            h::LOAD_LANE[width as usize],
            lanes_hi(base, lane as u16, memarg),
        ),
        Op::V128StoreLane {
            width,
            base,
            lane,
            memarg,
        } => instr(
            h::STORE_LANE[width as usize],
            lanes_hi(base, lane as u16, memarg),
        ),
    })
}
