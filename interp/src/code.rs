//! Threaded code: the executable form of a function's bytecode. Each `Instr` carries the
//! address of its handler, and every handler ends by jumping straight to the next one, so the
//! processor predicts each dispatch site separately instead of one shared `match`.
//!
//! `Op` remains the canonical bytecode (translation, fusion, disassembly); `link` turns it into
//! `Instr`s one-to-one, so branch offsets carry over unchanged.

use wasmtier_runtime::module::ModuleError;

use crate::exec::Exec;
use crate::handlers as h;
use crate::ops::{Op, simple_ops};

/// What a handler returns when the chain of handlers stops.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[repr(u8)]
pub enum Exit {
    /// The budget ran out; the resume point is saved in `Exec`.
    Suspend,
    /// The outermost function returned.
    Done,
    /// A trap is stored in `Exec`.
    Trap,
}

/// A handler: runs the instruction at `pc` and continues with the next one. The hot state
/// is passed in registers (six integer arguments fit x86-64 SysV and AArch64).
pub type Handler = unsafe fn(
    pc: *const Instr,
    sp: *mut u64,
    fp: *mut u64,
    mem: *mut u8,
    st: &mut Exec,
    budget: u32,
) -> Exit;

/// One executable instruction: handler plus two 32-bit immediates.
#[derive(Clone, Copy)]
#[repr(C)]
pub struct Instr {
    pub handler: Handler,
    pub imm: [u32; 2],
}

impl std::fmt::Debug for Instr {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Instr({:?})", self.imm)
    }
}

fn instr(handler: Handler, a: u32, b: u32) -> Instr {
    Instr {
        handler,
        imm: [a, b],
    }
}

/// Packs a branch's stack adjustment into one immediate.
fn pack_adjust(drop: u32, keep: u32) -> Result<u32, ModuleError> {
    if drop > u16::MAX as u32 || keep > u16::MAX as u32 {
        return Err(ModuleError::Unsupported(format!(
            "a branch carrying {keep} values over {drop} others exceeds the interpreter's limit of 65535"
        )));
    }
    Ok(drop | (keep << 16))
}

/// Two local indices below 65536 in one immediate (the translator only fuses such locals).
fn pack16(lo: u32, hi: u32) -> u32 {
    debug_assert!(lo <= u16::MAX as u32 && hi <= u16::MAX as u32);
    lo | (hi << 16)
}

/// Turns bytecode into threaded code.
pub fn link(ops: &[Op]) -> Result<Box<[Instr]>, ModuleError> {
    ops.iter().map(link_op).collect()
}

fn link_op(op: &Op) -> Result<Instr, ModuleError> {
    macro_rules! link_simple {
        ($($name:ident)*) => {
            match op {
                $(Op::$name => return Ok(instr(h::$name, 0, 0)),)*
                _ => {}
            }
        };
    }
    simple_ops!(link_simple);
    Ok(match *op {
        Op::Unreachable => instr(h::unreachable, 0, 0),
        Op::Br { offset } => instr(h::br, offset as u32, 0),
        Op::BrAdjust { offset, drop, keep } => {
            instr(h::br_adjust, offset as u32, pack_adjust(drop, keep)?)
        }
        Op::BrIfNez { offset } => instr(h::br_if_nez, offset as u32, 0),
        Op::BrIfEqz { offset } => instr(h::br_if_eqz, offset as u32, 0),
        Op::BrTable { len } => instr(h::br_table, len, 0),
        Op::Return { results } => instr(h::ret, results, 0),
        Op::CallInternal { def } => instr(h::call_internal, def, 0),
        Op::CallFunc { func } => instr(h::call_func, func, 0),
        Op::CallIndirect { type_index, table } => instr(h::call_indirect, type_index, table),
        Op::TierEntry => instr(h::tier_entry, 0, 0),
        Op::TierLoop { loop_index } => instr(h::tier_loop, loop_index, 0),
        Op::Drop => instr(h::drop, 0, 0),
        Op::Select => instr(h::select, 0, 0),
        Op::LocalGet(l) => instr(h::local_get, l, 0),
        Op::LocalSet(l) => instr(h::local_set, l, 0),
        Op::LocalTee(l) => instr(h::local_tee, l, 0),
        Op::GlobalGet(g) => instr(h::global_get, g, 0),
        Op::GlobalSet(g) => instr(h::global_set, g, 0),
        Op::Const32(v) => instr(h::const32, v, 0),
        Op::Const64(v) => instr(h::const64, v as u32, (v >> 32) as u32),
        Op::I32Load { offset } => instr(h::i32_load, offset, 0),
        Op::I64Load { offset } => instr(h::i64_load, offset, 0),
        Op::I32Load8S { offset } => instr(h::i32_load8_s, offset, 0),
        Op::I32Load8U { offset } => instr(h::i32_load8_u, offset, 0),
        Op::I32Load16S { offset } => instr(h::i32_load16_s, offset, 0),
        Op::I32Load16U { offset } => instr(h::i32_load16_u, offset, 0),
        Op::I64Load8S { offset } => instr(h::i64_load8_s, offset, 0),
        Op::I64Load8U { offset } => instr(h::i32_load8_u, offset, 0),
        Op::I64Load16S { offset } => instr(h::i64_load16_s, offset, 0),
        Op::I64Load16U { offset } => instr(h::i32_load16_u, offset, 0),
        Op::I64Load32S { offset } => instr(h::i64_load32_s, offset, 0),
        Op::I64Load32U { offset } => instr(h::i32_load, offset, 0),
        Op::I32Store { offset } | Op::I64Store32 { offset } => instr(h::i32_store, offset, 0),
        Op::I64Store { offset } => instr(h::i64_store, offset, 0),
        Op::I32Store8 { offset } | Op::I64Store8 { offset } => instr(h::store8, offset, 0),
        Op::I32Store16 { offset } | Op::I64Store16 { offset } => instr(h::store16, offset, 0),
        Op::MemorySize => instr(h::memory_size, 0, 0),
        Op::MemoryGrow => instr(h::memory_grow, 0, 0),
        Op::MemoryFill => instr(h::memory_fill, 0, 0),
        Op::MemoryCopy => instr(h::memory_copy, 0, 0),
        Op::MemoryInit { data } => instr(h::memory_init, data, 0),
        Op::DataDrop { data } => instr(h::data_drop, data, 0),
        Op::TableGet { table } => instr(h::table_get, table, 0),
        Op::TableSet { table } => instr(h::table_set, table, 0),
        Op::TableSize { table } => instr(h::table_size, table, 0),
        Op::TableGrow { table } => instr(h::table_grow, table, 0),
        Op::TableFill { table } => instr(h::table_fill, table, 0),
        Op::TableCopy { dst, src } => instr(h::table_copy, dst, src),
        Op::TableInit { table, elem } => instr(h::table_init, table, elem),
        Op::ElemDrop { elem } => instr(h::elem_drop, elem, 0),
        Op::RefNull => instr(h::const32, 0, 0),
        Op::RefIsNull => instr(h::ref_is_null, 0, 0),
        Op::RefFunc { func } => instr(h::ref_func, func, 0),
        Op::LocalGet2(a, b) => instr(h::local_get2, a, b),
        Op::I32AddConst(c) => instr(h::i32_add_const, c as u32, 0),
        Op::LocalBin(op, b) => instr(h::LOCAL_BIN[op as usize], b, 0),
        Op::LocalBin2(op, a, b) => instr(h::LOCAL_BIN2[op as usize], a, b),
        Op::LocalBinSet(op, b, d) => instr(h::LOCAL_BIN_SET[op as usize], b, d),
        Op::BinSet(op, d) => instr(h::BIN_SET[op as usize], d, 0),
        Op::I32LoadLocal { local, offset } => instr(h::i32_load_local, offset, local),
        Op::I32Load8ULocal { local, offset } => instr(h::i32_load8_u_local, offset, local),
        Op::LocalAddConst(l, c) => instr(h::local_add_const, l, c as u32),
        Op::BrIfLocalBin2Nez { op, a, b, offset } => instr(
            h::BR_IF_LOCAL_BIN2_NEZ[op as usize],
            offset as u32,
            pack16(a, b),
        ),
        Op::BrIfLocalBin2Eqz { op, a, b, offset } => instr(
            h::BR_IF_LOCAL_BIN2_EQZ[op as usize],
            offset as u32,
            pack16(a, b),
        ),
        Op::LocalBin2Set(op, a, b, d) => instr(h::LOCAL_BIN2_SET[op as usize], a, pack16(b, d)),
        Op::LocalIncrI32(l, c) => instr(h::local_incr_i32, l, c as u32),
        Op::LocalIncrI64(l, c) => instr(h::local_incr_i64, l, c as u32),
        Op::LocalSetConst(l, c) => instr(h::local_set_const, l, c),
        Op::I32DivSConst(c) => instr(h::I32DivSConst, c, 0),
        Op::I32DivUConst(c) => instr(h::I32DivUConst, c, 0),
        Op::I32RemSConst(c) => instr(h::I32RemSConst, c, 0),
        Op::I32RemUConst(c) => instr(h::I32RemUConst, c, 0),
        Op::I64DivSConst(c) => instr(h::I64DivSConst, c as u32, (c >> 32) as u32),
        Op::I64DivUConst(c) => instr(h::I64DivUConst, c as u32, (c >> 32) as u32),
        Op::I64RemSConst(c) => instr(h::I64RemSConst, c as u32, (c >> 32) as u32),
        Op::I64RemUConst(c) => instr(h::I64RemUConst, c as u32, (c >> 32) as u32),
        Op::BrIfI32LtS { offset } => instr(h::br_if_i32_lt_s, offset as u32, 0),
        Op::BrIfI32LtU { offset } => instr(h::br_if_i32_lt_u, offset as u32, 0),
        Op::BrIfI32GeS { offset } => instr(h::br_if_i32_ge_s, offset as u32, 0),
        Op::BrIfI32GeU { offset } => instr(h::br_if_i32_ge_u, offset as u32, 0),
        Op::BrIfI32Eq { offset } => instr(h::br_if_i32_eq, offset as u32, 0),
        Op::BrIfI32Ne { offset } => instr(h::br_if_i32_ne, offset as u32, 0),
        Op::BrIfLocalNez { local, offset } => instr(h::br_if_local_nez, local, offset as u32),
        Op::LocalCopy(a, b) => instr(h::local_copy, a, b),
        Op::I32MulConst(c) => instr(h::I32MulConst, c, 0),
        Op::I32AndConst(c) => instr(h::I32AndConst, c, 0),
        Op::I32OrConst(c) => instr(h::I32OrConst, c, 0),
        Op::I32XorConst(c) => instr(h::I32XorConst, c, 0),
        Op::I32ShlConst(c) => instr(h::I32ShlConst, c, 0),
        Op::I32ShrSConst(c) => instr(h::I32ShrSConst, c, 0),
        Op::I32ShrUConst(c) => instr(h::I32ShrUConst, c, 0),
        Op::I32EqConst(c) => instr(h::I32EqConst, c, 0),
        Op::I32NeConst(c) => instr(h::I32NeConst, c, 0),
        Op::I32LtSConst(c) => instr(h::I32LtSConst, c, 0),
        Op::I32LtUConst(c) => instr(h::I32LtUConst, c, 0),
        Op::I32GtSConst(c) => instr(h::I32GtSConst, c, 0),
        Op::I32GtUConst(c) => instr(h::I32GtUConst, c, 0),
        Op::I32LeSConst(c) => instr(h::I32LeSConst, c, 0),
        Op::I32LeUConst(c) => instr(h::I32LeUConst, c, 0),
        Op::I32GeSConst(c) => instr(h::I32GeSConst, c, 0),
        Op::I32GeUConst(c) => instr(h::I32GeUConst, c, 0),
        Op::I64AddConst(c) => instr(h::I64AddConst, c as u32, (c >> 32) as u32),
        Op::I64MulConst(c) => instr(h::I64MulConst, c as u32, (c >> 32) as u32),
        Op::I64AndConst(c) => instr(h::I64AndConst, c as u32, (c >> 32) as u32),
        Op::I64OrConst(c) => instr(h::I64OrConst, c as u32, (c >> 32) as u32),
        Op::I64XorConst(c) => instr(h::I64XorConst, c as u32, (c >> 32) as u32),
        Op::I64ShlConst(c) => instr(h::I64ShlConst, c as u32, (c >> 32) as u32),
        Op::I64ShrSConst(c) => instr(h::I64ShrSConst, c as u32, (c >> 32) as u32),
        Op::I64ShrUConst(c) => instr(h::I64ShrUConst, c as u32, (c >> 32) as u32),
        Op::BrIfI32GtS { offset } => instr(h::BrIfI32GtS, offset as u32, 0),
        Op::BrIfI32GtU { offset } => instr(h::BrIfI32GtU, offset as u32, 0),
        Op::BrIfI32LeS { offset } => instr(h::BrIfI32LeS, offset as u32, 0),
        Op::BrIfI32LeU { offset } => instr(h::BrIfI32LeU, offset as u32, 0),
        Op::BrIfI32LtSConst { c, offset } => instr(h::BrIfI32LtSConst, offset as u32, c),
        Op::BrIfI32LtUConst { c, offset } => instr(h::BrIfI32LtUConst, offset as u32, c),
        Op::BrIfI32GtSConst { c, offset } => instr(h::BrIfI32GtSConst, offset as u32, c),
        Op::BrIfI32GtUConst { c, offset } => instr(h::BrIfI32GtUConst, offset as u32, c),
        Op::BrIfI32LeSConst { c, offset } => instr(h::BrIfI32LeSConst, offset as u32, c),
        Op::BrIfI32LeUConst { c, offset } => instr(h::BrIfI32LeUConst, offset as u32, c),
        Op::BrIfI32GeSConst { c, offset } => instr(h::BrIfI32GeSConst, offset as u32, c),
        Op::BrIfI32GeUConst { c, offset } => instr(h::BrIfI32GeUConst, offset as u32, c),
        Op::BrIfI32EqConst { c, offset } => instr(h::BrIfI32EqConst, offset as u32, c),
        Op::BrIfI32NeConst { c, offset } => instr(h::BrIfI32NeConst, offset as u32, c),
        Op::BrIfI64Eqz { offset } => instr(h::BrIfI64Eqz, offset as u32, 0),
        Op::BrIfI64Nez { offset } => instr(h::BrIfI64Nez, offset as u32, 0),
        // Simple ops returned above.
        _ => unreachable!("simple op {op:?} is linked by link_simple"),
    })
}
