//! One handler per instruction. Each handler runs its instruction and continues with the
//! next one through `next`: a tail call to the next handler, or (in builds that cannot rely
//! on tail calls) a return to the dispatch loop in `exec.rs`. A handler must not keep
//! anything on the host stack that outlives its final call, so slow paths live in
//! out-of-line functions in `exec.rs`.
//!
//! Operands are frame slots named by the instruction's immediates (see `ops.rs` and
//! `code.rs`): there is no stack pointer.
//!
//! SAFETY (for every handler): the instruction stream comes from validated wasm, translated
//! with the operand stack's height known at every instruction, so each slot an instruction
//! names lies inside the current function's frame (`frame_size` slots from `fp`), which fits
//! below `Exec::stack_end` (checked on entry); immediates index entities that validation
//! proved to exist; linear-memory accesses check `Exec::mem_len` first.

#![allow(non_snake_case)]

use std::ptr;

use wasmtier_runtime::{TrapCode, raw_ref};

use crate::code::{Exit, Handler, Instr};
use crate::exec::{Attention, CallOutcome, Exec};
use crate::numeric;
use crate::ops::{
    COPY_DST_64, COPY_SRC_64, MEMARG_64, WideOp, for_each_binop, for_each_binop_trap, for_each_cmp,
    for_each_load, for_each_store, for_each_unop, for_each_unop_trap,
};
use crate::translate::CompiledFunc;

/// Builds whose dispatch is a loop: debug builds (which do not turn the handlers' final calls
/// into jumps, so chaining would grow the host stack) and the `loop-dispatch` feature.
macro_rules! loop_dispatch {
    ($($item:item)*) => {
        $(#[cfg(any(debug_assertions, feature = "loop-dispatch"))] $item)*
    };
}
/// Builds that chain handlers with tail calls.
macro_rules! tail_dispatch {
    ($($item:item)*) => {
        $(#[cfg(not(any(debug_assertions, feature = "loop-dispatch")))] $item)*
    };
}

tail_dispatch! {
    /// Continues with the instruction at `pc`.
    #[inline(always)]
    pub(crate) unsafe fn next(pc: *const Instr, fp: *mut u64, mem: *mut u8, st: &mut Exec) -> Exit {
        // SAFETY: `pc` points at an instruction of the current function (see module docs).
        unsafe { ((*pc).handler)(pc, fp, mem, st) }
    }
    /// Whether this build chains handlers with tail calls.
    pub const TAIL_DISPATCH: bool = true;
}
loop_dispatch! {
    /// Continues with the instruction at `pc`: hands it to the dispatch loop.
    #[inline(always)]
    pub(crate) unsafe fn next(pc: *const Instr, fp: *mut u64, mem: *mut u8, st: &mut Exec) -> Exit {
        st.resume = (pc, fp, mem);
        Exit::Resume
    }
    /// Whether this build chains handlers with tail calls.
    pub const TAIL_DISPATCH: bool = false;
}

macro_rules! handlers {
    ([$pc:ident $fp:ident $mem:ident $st:ident] $($name:ident $body:block)*) => {$(
        #[allow(unused_mut, unused_variables, unused_unsafe, unused_assignments, unreachable_code, clippy::missing_safety_doc)]
        pub(crate) unsafe fn $name(
            mut $pc: *const Instr,
            mut $fp: *mut u64,
            mut $mem: *mut u8,
            $st: &mut Exec,
        ) -> Exit {
            // SAFETY: see the module documentation.
            unsafe {
                $body
                next($pc, $fp, $mem, $st)
            }
        }
    )*};
}

#[inline(always)]
fn i32v(x: u64) -> i32 {
    x as u32 as i32
}
#[inline(always)]
fn u32v(x: u64) -> u32 {
    x as u32
}
#[inline(always)]
fn i64v(x: u64) -> i64 {
    x as i64
}
#[inline(always)]
fn u64v(x: u64) -> u64 {
    x
}
#[inline(always)]
fn f32v(x: u64) -> f32 {
    f32::from_bits(x as u32)
}
#[inline(always)]
fn f64v(x: u64) -> f64 {
    f64::from_bits(x)
}
#[inline(always)]
fn from_i32(v: i32) -> u64 {
    v as u32 as u64
}
#[inline(always)]
fn from_u32(v: u32) -> u64 {
    v as u64
}
#[inline(always)]
fn from_i64(v: i64) -> u64 {
    v as u64
}
#[inline(always)]
fn from_u64(v: u64) -> u64 {
    v
}
#[inline(always)]
fn from_f32(v: f32) -> u64 {
    v.to_bits() as u64
}
#[inline(always)]
fn from_f64(v: f64) -> u64 {
    v.to_bits()
}
#[inline(always)]
fn from_bool(b: bool) -> u64 {
    b as u64
}
/// A 32-bit immediate as the slot value of a 32-bit operand.
#[inline(always)]
fn imm32(x: u32) -> u64 {
    x as u64
}
/// A 32-bit immediate as the slot value of a 64-bit operand (sign-extended).
#[inline(always)]
fn imm64(x: u32) -> u64 {
    x as i32 as i64 as u64
}

/// Immediate fields of the instruction at `pc`: 16-bit lanes 0-3, and the high and low
/// 32 bits.
macro_rules! lane {
    ($pc:ident, $i:literal) => {
        ((*$pc).imm >> (16 * $i)) as u16 as usize
    };
}
macro_rules! hi32 {
    ($pc:ident) => {
        ((*$pc).imm >> 32) as u32
    };
}
macro_rules! lo32 {
    ($pc:expr) => {
        (*$pc).imm as u32
    };
}
/// The frame slot named by lane `$i`.
macro_rules! slot {
    ($fp:ident, $pc:ident, $i:literal) => {
        *$fp.add(lane!($pc, $i))
    };
}

/// `a + (b << shift)` in i32 arithmetic (`shift` is below 32).
#[inline(always)]
fn shifted_sum(a: u64, b: u64, shift: usize) -> u32 {
    u32v(a).wrapping_add(u32v(b) << shift)
}

/// Adds the sign-extended 16-bit lane 1 to the i32 in the slot named by lane 0, and
/// returns the sum.
///
/// # Safety
/// `pc` points at an instruction whose lane 0 names a slot of the frame at `fp`.
#[inline(always)]
unsafe fn add_imm16(fp: *mut u64, pc: *const Instr) -> u32 {
    // SAFETY: as the caller promises.
    unsafe {
        let slot = fp.add(lane!(pc, 0));
        let v = u32v(*slot).wrapping_add(lane!(pc, 1) as u16 as i16 as i32 as u32);
        *slot = from_u32(v);
        v
    }
}

/// Relative jump by the high 32 bits.
macro_rules! jump {
    ($pc:ident) => {
        $pc = $pc.offset(hi32!($pc) as i32 as isize)
    };
}

/// A conditional jump. The hint keeps the compiler from selecting the next `pc` with a
/// conditional move: that would make the next dispatch wait for the operands of the
/// condition, where a branch lets the processor predict and run ahead.
macro_rules! jump_if {
    ($pc:ident, $cond:expr) => {
        if $cond {
            std::hint::cold_path();
            jump!($pc);
        } else {
            $pc = $pc.add(1);
        }
    };
}

/// Effective address of an access of `$len` bytes to memory 0, or a trap.
macro_rules! addr {
    ($pc:ident $st:ident, $base:expr, $offset:expr, $len:expr) => {
        addr_in!($pc $st, $st.mem_len, $base, $offset, $len)
    };
}

/// Effective address of an access of `$len` bytes to a memory of `$mem_len` bytes, or a
/// trap.
macro_rules! addr_in {
    ($pc:ident $st:ident, $mem_len:expr, $base:expr, $offset:expr, $len:expr) => {{
        let ea = $base as u32 as u64 + $offset as u64;
        if ea + $len as u64 > $mem_len as u64 {
            return $st.raise(TrapCode::MemoryOutOfBounds, $pc);
        }
        ea as usize
    }};
}

/// Effective address of an access of `$len` bytes at the i64 address `$base` plus the
/// 64-bit `$offset` to a 64-bit memory of `$mem_len` bytes, or a trap (also when the sum
/// overflows 64 bits).
macro_rules! addr64_in {
    ($pc:ident $st:ident, $mem_len:expr, $base:expr, $offset:expr, $len:expr) => {{
        match ($base as u64).checked_add($offset) {
            Some(ea)
                if ea
                    .checked_add($len as u64)
                    .is_some_and(|end| end <= $mem_len as u64) =>
            {
                ea as usize
            }
            _ => return $st.raise(TrapCode::MemoryOutOfBounds, $pc),
        }
    }};
}

/// An address or length operand of a bulk-memory op: an i64 for a 64-bit memory, else an
/// i32 (whose slot bits above 32 mean nothing).
#[inline(always)]
fn address(v: u64, is64: bool) -> u64 {
    if is64 { v } else { v as u32 as u64 }
}

/// Base and length of memory `$index` of the current instance: memory 0's are at hand.
macro_rules! memory {
    ($st:ident $mem:ident, $index:expr) => {{
        let index = $index;
        if index == 0 {
            ($mem, $st.mem_len)
        } else {
            $st.memory_view(index as u32)
        }
    }};
}

/// Runs a wide-arithmetic operation on the slots from `base` (its operands; the result's
/// halves replace the first two).
#[inline(always)]
unsafe fn wide(base: *mut u64, op: WideOp) {
    // SAFETY: the caller passes the op's slots, which lie in the current frame (see the
    // module docs and `Op::for_each_slot_range`).
    unsafe {
        let operands = std::slice::from_raw_parts(base, op.operands() as usize);
        let (lo, hi) = op.eval(operands);
        *base = lo;
        *base.add(1) = hi;
    }
}

/// The memory index, offset and whether the memory is 64-bit of a `LoadMem`/`StoreMem` (at
/// `index` of the current function's constant pool).
#[inline(always)]
unsafe fn memarg(st: &Exec, index: u32) -> (u32, u64, bool) {
    // SAFETY: the translator put both entries in the pool of the function it emitted the
    // instruction into, which is the current one.
    unsafe {
        let consts: &[u64] = &(*st.func).consts;
        let memory = *consts.get_unchecked(index as usize);
        (
            memory as u32,
            *consts.get_unchecked(index as usize + 1),
            memory & MEMARG_64 != 0,
        )
    }
}

/// Copies `n` slots down the frame (`dst <= src`; the ranges may overlap).
#[inline(always)]
unsafe fn move_slots(src: *const u64, dst: *mut u64, n: usize) {
    // SAFETY: the caller passes slots of the current frame (see the module docs).
    unsafe {
        match n {
            0 => {}
            1 => *dst = *src,
            _ => ptr::copy(src, dst, n),
        }
    }
}

/// Checks interruption, fuel and host-stack use at a loop header or function entry. The
/// common case is one flag load and two compares; anything else goes to
/// `Exec::safepoint_slow`, which may end the chain.
macro_rules! safepoint {
    ($pc:ident $fp:ident $mem:ident $st:ident, $cost:expr, $resume_pc:expr) => {
        if $st.needs_attention() {
            match $st.safepoint_slow($cost, $pc) {
                Attention::Continue => {}
                Attention::Trap => return Exit::Trap,
                Attention::ReleaseStack => {
                    $st.resume = ($resume_pc, $fp, $mem);
                    return Exit::Resume;
                }
            }
        }
    };
}

/// A loop's back edge: `jump_if!`, and when it jumps (to just after the loop's
/// `LoopHeader`), the header's safepoint, with the header's fuel cost.
macro_rules! jump_back_if {
    ($pc:ident $fp:ident $mem:ident $st:ident, $cond:expr) => {
        if $cond {
            std::hint::cold_path();
            jump!($pc);
            safepoint!($pc $fp $mem $st, lo32!(($pc.sub(1))), $pc);
        } else {
            $pc = $pc.add(1);
        }
    };
}

/// The translated code of defined function `$def`, the callee of the call instruction at
/// `pc`. Validation guarantees the index. A callee not translated yet (lazy translation) is
/// translated out of line, which then runs this instruction again.
macro_rules! defined_callee {
    ($pc:ident $fp:ident $mem:ident $st:ident, $def:expr) => {{
        let def: u32 = $def;
        let callee = (*$st.ctx.code).translated_unchecked(def);
        if callee.is_null() {
            return crate::lazy::call_untranslated($pc, $fp, $mem, $st, def);
        }
        callee
    }};
}

/// Continues at the target of entry `$i` of the `br_table` at `pc` (entries are
/// `Op::BrTableEntry` jumps, read here rather than run).
macro_rules! jump_to_table_entry {
    ($pc:ident, $i:expr) => {{
        let entry = $pc.add(1 + $i as usize);
        $pc = entry.offset(hi32!(entry) as i32 as isize);
    }};
}

/// Enters wasm function `$callee` with its frame at slot `$base` of the caller's frame,
/// saving the caller (whose instance is `$caller_inst`). The common case makes no calls, so
/// the handler needs no register spills; anything unusual (a full frame stack, stack
/// exhaustion, interruption, fuel) continues in `enter_slow`.
macro_rules! enter {
    ($pc:ident $fp:ident $mem:ident $st:ident, $callee:expr, $base:expr, $caller_inst:expr) => {{
        let callee: *const CompiledFunc = $callee;
        let new_fp = $fp.add($base);
        if $st.frames.len() >= $st.frame_limit
            || ($st.stack_end.offset_from(new_fp) as usize) < (*callee).frame_size as usize
            || $st.needs_attention()
        {
            $st.pending_call = (callee, $caller_inst, new_fp);
            return enter_slow($pc, $fp, $mem, $st);
        }
        init_locals(new_fp, callee);
        $st.push_frame($pc.add(1), $fp, $caller_inst);
        $fp = new_fp;
        $st.func = callee;
        $pc = (*callee).code.as_ptr();
    }};
}

/// Zeroes the declared locals of `func`'s new frame at `fp` and copies in its frame
/// constants, with plain stores: a `memset` or `memcpy` call would force the calling handler
/// to save registers on every call.
///
/// # Safety
/// `fp` must be a frame of `func.frame_size` slots inside the stack.
#[inline(always)]
pub(crate) unsafe fn init_locals(fp: *mut u64, func: *const CompiledFunc) {
    // SAFETY: per the contract, every slot written lies in the frame. Volatile keeps the
    // compiler from turning the loops into library calls.
    unsafe {
        let np = (*func).num_params as usize;
        let nl = (*func).num_locals as usize;
        for i in np..nl {
            ptr::write_volatile(fp.add(i), 0);
        }
        let nc = (*func).num_frame_consts as usize;
        if nc != 0 {
            let consts = (*func).consts.as_ptr();
            for i in 0..nc {
                ptr::write_volatile(fp.add(nl + i), *consts.add(i));
            }
        }
    }
}

/// The rare part of entering a function (`Exec::pending_call`): traps when the call depth or
/// the value stack is exhausted, charges fuel and checks interruption, otherwise makes room
/// for more frames and enters.
#[cold]
#[inline(never)]
unsafe fn enter_slow(pc: *const Instr, fp: *mut u64, mem: *mut u8, st: &mut Exec) -> Exit {
    // SAFETY: called from `enter!` with the same guarantees.
    unsafe {
        let (callee, caller_inst, new_fp) = st.pending_call;
        if st.frames.len() >= st.max_depth
            || (st.stack_end.offset_from(new_fp) as usize) < (*callee).frame_size as usize
        {
            return st.raise(TrapCode::StackOverflow, pc);
        }
        start_callee(pc, mem, st, new_fp, Some((fp, caller_inst)))
    }
}

/// The end of `enter_slow` and `tail_enter_slow`: charges the entry of `st.pending_call`'s
/// callee (fuel, interruption, host-stack use), saves the caller's frame unless the call is
/// a tail call (`caller` is `None`), and starts the callee with its frame at `new_fp`.
///
/// # Safety
/// As the handlers, with the callee's frame at `new_fp` checked to fit the stack.
#[inline(always)]
unsafe fn start_callee(
    pc: *const Instr,
    mem: *mut u8,
    st: &mut Exec,
    new_fp: *mut u64,
    caller: Option<(*mut u64, wasmtier_runtime::InstanceId)>,
) -> Exit {
    // SAFETY: per the contract.
    unsafe {
        let callee = st.pending_call.0;
        let release = match st.safepoint_slow((*callee).entry_cost, pc) {
            Attention::Continue => false,
            Attention::Trap => return Exit::Trap,
            Attention::ReleaseStack => true,
        };
        if let Some((caller_fp, caller_inst)) = caller {
            if st.frames.len() >= st.frame_limit {
                st.grow_frames();
            }
            st.push_frame(pc.add(1), caller_fp, caller_inst);
        }
        init_locals(new_fp, callee);
        st.func = callee;
        let code = (*callee).code.as_ptr();
        if release {
            st.resume = (code, new_fp, mem);
            return Exit::Resume;
        }
        next(code, new_fp, mem, st)
    }
}

/// A tail call: `$callee`, whose arguments are already in the first slots of the current
/// frame, takes the frame over and will return to the current function's caller. Frame depth
/// does not grow; as in `enter!`, the rare cases (value stack exhausted, interruption, fuel)
/// continue in `tail_enter_slow`.
macro_rules! enter_in_place {
    ($pc:ident $fp:ident $mem:ident $st:ident, $callee:expr) => {{
        let callee: *const CompiledFunc = $callee;
        if ($st.stack_end.offset_from($fp) as usize) < (*callee).frame_size as usize
            || $st.needs_attention()
        {
            $st.pending_call = (callee, $st.ctx.inst, $fp);
            return tail_enter_slow($pc, $fp, $mem, $st);
        }
        init_locals($fp, callee);
        $st.func = callee;
        $pc = (*callee).code.as_ptr();
    }};
}

/// The rare part of a tail call (`Exec::pending_call`), as `enter_slow`.
#[cold]
#[inline(never)]
unsafe fn tail_enter_slow(pc: *const Instr, fp: *mut u64, mem: *mut u8, st: &mut Exec) -> Exit {
    // SAFETY: called from `enter_in_place!` with the same guarantees.
    unsafe {
        let (callee, _, _) = st.pending_call;
        if (st.stack_end.offset_from(fp) as usize) < (*callee).frame_size as usize {
            return st.raise(TrapCode::StackOverflow, pc);
        }
        start_callee(pc, mem, st, fp, None)
    }
}

/// Completes a tail call through the function index space or a table, with the arguments
/// at slot `$base`: a wasm callee takes the frame over; a host function (or machine code)
/// runs here and its results are returned to the caller.
macro_rules! tail_call {
    ($pc:ident $fp:ident $mem:ident $st:ident, $func:expr, $base:expr) => {{
        let base: usize = $base;
        match $st.prepare_call($func, $fp.add(base), true) {
            CallOutcome::Enter(callee) => {
                $mem = $st.mem_base();
                move_slots($fp.add(base), $fp, (*callee).num_params as usize);
                enter_in_place!($pc $fp $mem $st, callee);
            }
            CallOutcome::Done => {
                // Validation made the callee's results the current function's.
                move_slots($fp.add(base), $fp, (*$st.func).num_results as usize);
                ret!($pc $fp $mem $st);
            }
            // The current frame is gone: an exception looks for handlers in its callers.
            CallOutcome::Trapped => return $st.catch_stored($pc, $fp, true),
            CallOutcome::HandBack => return Exit::TailCall,
        }
    }};
}

/// Completes a call through the function index space or a table, with the callee's frame
/// (its arguments) at slot `$base`.
macro_rules! call {
    ($pc:ident $fp:ident $mem:ident $st:ident, $func:expr, $base:expr) => {{
        let caller_inst = $st.ctx.inst;
        let base: usize = $base;
        match $st.prepare_call($func, $fp.add(base), false) {
            CallOutcome::Enter(callee) => {
                $mem = $st.mem_base();
                enter!($pc $fp $mem $st, callee, base, caller_inst);
            }
            CallOutcome::Done => {
                $mem = $st.mem_base();
                $pc = $pc.add(1);
            }
            CallOutcome::Trapped => return $st.catch_stored($pc, $fp, false),
            CallOutcome::HandBack => unreachable!("only tail calls are handed back"),
        }
    }};
}

/// Returns to the caller after the results were moved to the frame's first slots.
macro_rules! ret {
    ($pc:ident $fp:ident $mem:ident $st:ident) => {
        match $st.pop_frame() {
            None => return Exit::Done,
            Some((ret_pc, caller_fp)) => {
                $pc = ret_pc;
                $fp = caller_fp;
                $mem = $st.mem_base();
            }
        }
    };
}

handlers! { [pc fp mem st]
    // ---- control ----
    unreachable { return st.raise(TrapCode::Unreachable, pc); }
    br { jump!(pc); }
    br_if_nez {
        jump_if!(pc, u32v(slot!(fp, pc, 0)) != 0);
    }
    br_if_eqz {
        jump_if!(pc, u32v(slot!(fp, pc, 0)) == 0);
    }
    br_loop { jump_back_if!(pc fp mem st, true); }
    br_if_nez_loop { jump_back_if!(pc fp mem st, u32v(slot!(fp, pc, 0)) != 0); }
    br_if_eqz_loop { jump_back_if!(pc fp mem st, u32v(slot!(fp, pc, 0)) == 0); }
    br_table {
        let i = u32v(slot!(fp, pc, 0)).min(hi32!(pc));
        jump_to_table_entry!(pc, i);
    }
    br_table_add {
        let k = lane!(pc, 1) as u16 as i16 as i32 as u32;
        let i = u32v(slot!(fp, pc, 0)).wrapping_add(k).min(hi32!(pc));
        jump_to_table_entry!(pc, i);
    }
    ret0 { ret!(pc fp mem st); }
    ret1 {
        *fp = slot!(fp, pc, 0);
        ret!(pc fp mem st);
    }
    ret_n {
        move_slots(fp.add(lane!(pc, 0)), fp, lane!(pc, 1));
        ret!(pc fp mem st);
    }
    call_internal {
        let callee = defined_callee!(pc fp mem st, hi32!(pc));
        let caller_inst = st.ctx.inst;
        enter!(pc fp mem st, callee, lane!(pc, 0), caller_inst);
    }
    call_internal_arg {
        // Running it again after a translation copies the same value.
        let base = lane!(pc, 0);
        *fp.add(base) = slot!(fp, pc, 1);
        let callee = defined_callee!(pc fp mem st, hi32!(pc));
        let caller_inst = st.ctx.inst;
        enter!(pc fp mem st, callee, base, caller_inst);
    }
    call_internal_args2 {
        // As `call_internal_arg`. The copies read both sources before writing, as the
        // argument slots may be among them.
        let base = lane!(pc, 0);
        let (a, b) = (slot!(fp, pc, 1), slot!(fp, pc, 2));
        *fp.add(base) = a;
        *fp.add(base + 1) = b;
        let callee = defined_callee!(pc fp mem st, lane!(pc, 3) as u32);
        let caller_inst = st.ctx.inst;
        enter!(pc fp mem st, callee, base, caller_inst);
    }
    call_func {
        let f = *st.ctx.funcs.add(hi32!(pc) as usize);
        call!(pc fp mem st, f, lane!(pc, 0));
    }
    call_indirect {
        let index = lane!(pc, 0);
        let (type_index, table, element) = (hi32!(pc), lane!(pc, 1) as u32, u32v(*fp.add(index)));
        let callee = st.interpreted_indirect_callee(type_index, table, element);
        if !callee.is_null() {
            let caller_inst = st.ctx.inst;
            enter!(pc fp mem st, callee, index - (*callee).num_params as usize, caller_inst);
        } else {
            match st.indirect_callee(type_index, table, element) {
                Ok((f, params)) => call!(pc fp mem st, f, index - params),
                Err(code) => return st.raise(code, pc),
            }
        }
    }
    return_call_internal {
        let callee = defined_callee!(pc fp mem st, hi32!(pc));
        move_slots(fp.add(lane!(pc, 0)), fp, (*callee).num_params as usize);
        enter_in_place!(pc fp mem st, callee);
    }
    return_call_func {
        let f = *st.ctx.funcs.add(hi32!(pc) as usize);
        tail_call!(pc fp mem st, f, lane!(pc, 0));
    }
    return_call_indirect {
        // As `call_indirect`.
        let index = lane!(pc, 0);
        let (type_index, table, element) = (hi32!(pc), lane!(pc, 1) as u32, u32v(*fp.add(index)));
        let callee = st.interpreted_indirect_callee(type_index, table, element);
        if !callee.is_null() {
            let params = (*callee).num_params as usize;
            move_slots(fp.add(index - params), fp, params);
            enter_in_place!(pc fp mem st, callee);
        } else {
            match st.indirect_callee(type_index, table, element) {
                Ok((f, params)) => tail_call!(pc fp mem st, f, index - params),
                Err(code) => return st.raise(code, pc),
            }
        }
    }
    call_ref {
        // As `call_indirect`, with the reference in slot `index`.
        let index = (*pc).imm as usize;
        let raw = *fp.add(index);
        let callee = st.interpreted_callee(raw, None);
        if !callee.is_null() {
            let caller_inst = st.ctx.inst;
            enter!(pc fp mem st, callee, index - (*callee).num_params as usize, caller_inst);
        } else {
            match st.ref_callee(raw) {
                Ok((f, params)) => call!(pc fp mem st, f, index - params),
                Err(code) => return st.raise(code, pc),
            }
        }
    }
    return_call_ref {
        // As `return_call_indirect`, with the reference in slot `index`.
        let index = (*pc).imm as usize;
        let raw = *fp.add(index);
        let callee = st.interpreted_callee(raw, None);
        if !callee.is_null() {
            let params = (*callee).num_params as usize;
            move_slots(fp.add(index - params), fp, params);
            enter_in_place!(pc fp mem st, callee);
        } else {
            match st.ref_callee(raw) {
                Ok((f, params)) => tail_call!(pc fp mem st, f, index - params),
                Err(code) => return st.raise(code, pc),
            }
        }
    }
    throw {
        return st.throw_new(hi32!(pc), lane!(pc, 0), lane!(pc, 1), pc, fp);
    }
    throw_ref {
        let raw = *fp.add((*pc).imm as usize);
        if raw == raw_ref::NULL {
            return st.raise(TrapCode::NullExnRef, pc);
        }
        return st.throw(raw, pc, fp);
    }
    ref_as_non_null {
        if *fp.add((*pc).imm as usize) == raw_ref::NULL {
            return st.raise(TrapCode::NullReference, pc);
        }
        pc = pc.add(1);
    }
    tier_entry {
        if (*st.func).hotness.count_call() {
            return crate::tier::entry_slow(pc, fp, mem, st);
        }
        pc = pc.add(1);
    }
    loop_header {
        safepoint!(pc fp mem st, lo32!(pc), pc.add(1));
        pc = pc.add(1);
    }
    tier_loop {
        safepoint!(pc fp mem st, lo32!(pc), pc.add(1));
        if (*st.func).hotness.count_iteration() {
            return crate::tier::loop_slow(pc, fp, mem, st);
        }
        pc = pc.add(1);
    }

    // ---- slots and constants ----
    copy {
        *fp.add(lane!(pc, 0)) = slot!(fp, pc, 1);
        pc = pc.add(1);
    }
    copy2 {
        let (a, b) = (slot!(fp, pc, 1), slot!(fp, pc, 2));
        let dst = fp.add(lane!(pc, 0));
        *dst = a;
        *dst.add(1) = b;
        pc = pc.add(1);
    }
    copy_two {
        *fp.add(lane!(pc, 0)) = slot!(fp, pc, 1);
        *fp.add(lane!(pc, 2)) = slot!(fp, pc, 3);
        pc = pc.add(1);
    }
    shr_u_and {
        let v = (u32v(slot!(fp, pc, 1)) >> lane!(pc, 2)) & lane!(pc, 3) as u32;
        *fp.add(lane!(pc, 0)) = from_u32(v);
        pc = pc.add(1);
    }
    mul_add {
        let v = u32v(slot!(fp, pc, 1))
            .wrapping_mul(u32v(slot!(fp, pc, 2)))
            .wrapping_add(u32v(slot!(fp, pc, 3)));
        *fp.add(lane!(pc, 0)) = from_u32(v);
        pc = pc.add(1);
    }
    add_shl {
        let v = shifted_sum(slot!(fp, pc, 1), slot!(fp, pc, 2), lane!(pc, 3));
        *fp.add(lane!(pc, 0)) = from_u32(v);
        pc = pc.add(1);
    }
    add_br_if_nez {
        let v = add_imm16(fp, pc);
        jump_if!(pc, v != 0);
    }
    add_br_if_eqz {
        let v = add_imm16(fp, pc);
        jump_if!(pc, v == 0);
    }
    add_br_if_nez_loop {
        let v = add_imm16(fp, pc);
        jump_back_if!(pc fp mem st, v != 0);
    }
    add_br_if_eqz_loop {
        let v = add_imm16(fp, pc);
        jump_back_if!(pc fp mem st, v == 0);
    }
    copy_span {
        move_slots(fp.add(lane!(pc, 1)), fp.add(lane!(pc, 0)), lane!(pc, 2));
        pc = pc.add(1);
    }
    const32 {
        *fp.add(lane!(pc, 0)) = hi32!(pc) as u64;
        pc = pc.add(1);
    }
    const64s {
        *fp.add(lane!(pc, 0)) = hi32!(pc) as i32 as i64 as u64;
        pc = pc.add(1);
    }
    const_pool {
        let consts: &[u64] = &(*st.func).consts;
        *fp.add(lane!(pc, 0)) = *consts.get_unchecked(hi32!(pc) as usize);
        pc = pc.add(1);
    }
    select {
        let v = if u32v(slot!(fp, pc, 1)) != 0 { slot!(fp, pc, 2) } else { slot!(fp, pc, 3) };
        *fp.add(lane!(pc, 0)) = v;
        pc = pc.add(1);
    }
    global_get {
        *fp.add(lane!(pc, 0)) = (**st.ctx.globals.add(hi32!(pc) as usize)).get();
        pc = pc.add(1);
    }
    global_set {
        (**st.ctx.globals.add(hi32!(pc) as usize)).set(slot!(fp, pc, 0));
        pc = pc.add(1);
    }

    // ---- memory ----
    memory_size {
        *fp.add(lane!(pc, 0)) = st.memory_size(lane!(pc, 1) as u32);
        pc = pc.add(1);
    }
    memory_grow {
        *fp.add(lane!(pc, 0)) = st.memory_grow(lane!(pc, 2) as u32, slot!(fp, pc, 1));
        mem = st.mem_base();
        pc = pc.add(1);
    }
    i64_add128 { wide(fp.add(lane!(pc, 0)), WideOp::Add128); pc = pc.add(1); }
    i64_sub128 { wide(fp.add(lane!(pc, 0)), WideOp::Sub128); pc = pc.add(1); }
    i64_mul_wide_s { wide(fp.add(lane!(pc, 0)), WideOp::MulWideS); pc = pc.add(1); }
    i64_mul_wide_u { wide(fp.add(lane!(pc, 0)), WideOp::MulWideU); pc = pc.add(1); }
    memory_fill {
        let base = fp.add(lane!(pc, 0));
        let is64 = lane!(pc, 2) != 0;
        let (d, val, n) = (address(*base, is64), *base.add(1) as u8, address(*base.add(2), is64));
        let (to, to_len) = memory!(st mem, lane!(pc, 1));
        let d = addr64_in!(pc st, to_len, d, 0, n);
        ptr::write_bytes(to.add(d), val, n as usize);
        pc = pc.add(1);
    }
    memory_copy {
        let base = fp.add(lane!(pc, 0));
        let widths = lane!(pc, 3) as u16;
        let (dst64, src64) = (widths & COPY_DST_64 != 0, widths & COPY_SRC_64 != 0);
        let n = address(*base.add(2), dst64 && src64);
        let (to, to_len) = memory!(st mem, lane!(pc, 1));
        let (from, from_len) = memory!(st mem, lane!(pc, 2));
        let s = addr64_in!(pc st, from_len, address(*base.add(1), src64), 0, n);
        let d = addr64_in!(pc st, to_len, address(*base, dst64), 0, n);
        ptr::copy(from.add(s), to.add(d), n as usize);
        pc = pc.add(1);
    }
    memory_init {
        let base = fp.add(lane!(pc, 0));
        let memory = lane!(pc, 1);
        let d = address(*base, st.memory64(memory as u32));
        let (s, n) = (u32v(*base.add(1)) as usize, u32v(*base.add(2)));
        let seg = st.data_segment(hi32!(pc));
        if s + n as usize > seg.len() {
            return st.raise(TrapCode::MemoryOutOfBounds, pc);
        }
        let (to, to_len) = memory!(st mem, memory);
        let d = addr64_in!(pc st, to_len, d, 0, n);
        ptr::copy_nonoverlapping(seg.as_ptr().add(s), to.add(d), n as usize);
        pc = pc.add(1);
    }
    data_drop {
        st.drop_data(hi32!(pc));
        pc = pc.add(1);
    }

    // ---- tables and references ----
    table_get {
        let i = u32v(slot!(fp, pc, 1));
        match st.table(hi32!(pc)).get(i) {
            Ok(v) => *fp.add(lane!(pc, 0)) = v,
            Err(_) => return st.raise(TrapCode::TableOutOfBounds, pc),
        }
        pc = pc.add(1);
    }
    table_set {
        let (i, v) = (u32v(slot!(fp, pc, 0)), slot!(fp, pc, 1));
        if st.table(hi32!(pc)).set(i, v).is_err() {
            return st.raise(TrapCode::TableOutOfBounds, pc);
        }
        pc = pc.add(1);
    }
    table_size {
        *fp.add(lane!(pc, 0)) = st.table(hi32!(pc)).size() as u64;
        pc = pc.add(1);
    }
    table_grow {
        let base = fp.add(lane!(pc, 0));
        let (init, n) = (*base, *base.add(1));
        *base = st.table_grow(hi32!(pc), n, init);
        pc = pc.add(1);
    }
    table_fill {
        let base = fp.add(lane!(pc, 0));
        let (i, v, n) = (u32v(*base) as usize, *base.add(1), u32v(*base.add(2)) as usize);
        match st.table(hi32!(pc)).elements.get_mut(i..i + n) {
            Some(range) => range.fill(v),
            None => return st.raise(TrapCode::TableOutOfBounds, pc),
        }
        pc = pc.add(1);
    }
    table_copy {
        let base = fp.add(lane!(pc, 0));
        let (d, s, n) = (u32v(*base), u32v(*base.add(1)), u32v(*base.add(2)));
        if let Err(code) = st.table_copy(lane!(pc, 1) as u32, lane!(pc, 2) as u32, d, s, n) {
            return st.raise(code, pc);
        }
        pc = pc.add(1);
    }
    table_init {
        let base = fp.add(lane!(pc, 0));
        let (d, s, n) = (u32v(*base), u32v(*base.add(1)), u32v(*base.add(2)));
        if let Err(code) = st.table_init(lane!(pc, 1) as u32, hi32!(pc), d, s, n) {
            return st.raise(code, pc);
        }
        pc = pc.add(1);
    }
    elem_drop {
        st.drop_elem(hi32!(pc));
        pc = pc.add(1);
    }
    ref_func {
        *fp.add(lane!(pc, 0)) = raw_ref::from_func(Some(*st.ctx.funcs.add(hi32!(pc) as usize)));
        pc = pc.add(1);
    }
}

/// Every operand-class variant of the binary operations: slots `dst = a op b` (`BIN`), a
/// constant right operand (`BIN_RI`), a constant left operand (`BIN_IR`). Each table is
/// indexed by `BinOp`.
macro_rules! binop_handlers {
    ($([$name:ident $get:ident $put:ident $imm:ident |$a:ident, $b:ident| $e:expr])*) => {
        mod bin {
            use super::*;
            handlers! { [pc fp mem st] $($name {
                let $a = $get(slot!(fp, pc, 1));
                let $b = $get(slot!(fp, pc, 2));
                *fp.add(lane!(pc, 0)) = $put($e);
                pc = pc.add(1);
            })* }
        }
        mod bin_ri {
            use super::*;
            handlers! { [pc fp mem st] $($name {
                let $a = $get(slot!(fp, pc, 1));
                let $b = $get($imm(hi32!(pc)));
                *fp.add(lane!(pc, 0)) = $put($e);
                pc = pc.add(1);
            })* }
        }
        mod bin_ir {
            use super::*;
            handlers! { [pc fp mem st] $($name {
                let $a = $get($imm(hi32!(pc)));
                let $b = $get(slot!(fp, pc, 1));
                *fp.add(lane!(pc, 0)) = $put($e);
                pc = pc.add(1);
            })* }
        }
        pub(crate) const BIN: &[Handler] = &[$(bin::$name,)*];
        pub(crate) const BIN_RI: &[Handler] = &[$(bin_ri::$name,)*];
        pub(crate) const BIN_IR: &[Handler] = &[$(bin_ir::$name,)*];
    };
}
for_each_binop!(binop_handlers);

/// As `binop_handlers`, for the operations that may trap.
macro_rules! binop_trap_handlers {
    ($([$name:ident $get:ident $put:ident $imm:ident |$a:ident, $b:ident| $e:expr])*) => {
        mod bin_trap {
            use super::*;
            handlers! { [pc fp mem st] $($name {
                let $a = $get(slot!(fp, pc, 1));
                let $b = $get(slot!(fp, pc, 2));
                match $e {
                    Ok(v) => *fp.add(lane!(pc, 0)) = $put(v),
                    Err(code) => return st.raise(code, pc),
                }
                pc = pc.add(1);
            })* }
        }
        mod bin_trap_ri {
            use super::*;
            handlers! { [pc fp mem st] $($name {
                let $a = $get(slot!(fp, pc, 1));
                let $b = $get($imm(hi32!(pc)));
                match $e {
                    Ok(v) => *fp.add(lane!(pc, 0)) = $put(v),
                    Err(code) => return st.raise(code, pc),
                }
                pc = pc.add(1);
            })* }
        }
        mod bin_trap_ir {
            use super::*;
            handlers! { [pc fp mem st] $($name {
                let $a = $get($imm(hi32!(pc)));
                let $b = $get(slot!(fp, pc, 1));
                match $e {
                    Ok(v) => *fp.add(lane!(pc, 0)) = $put(v),
                    Err(code) => return st.raise(code, pc),
                }
                pc = pc.add(1);
            })* }
        }
        pub(crate) const BIN_TRAP: &[Handler] = &[$(bin_trap::$name,)*];
        pub(crate) const BIN_TRAP_RI: &[Handler] = &[$(bin_trap_ri::$name,)*];
        pub(crate) const BIN_TRAP_IR: &[Handler] = &[$(bin_trap_ir::$name,)*];
    };
}
for_each_binop_trap!(binop_trap_handlers);

/// Compare-and-branch: jumps when slot `a` compared with slot `b` (`BR_IF_CMP`) or with a
/// 16-bit constant (`BR_IF_CMP_IMM`) holds. Indexed by `CmpOp`.
macro_rules! cmp_handlers {
    ($([$name:ident $not:ident $get:ident $imm:ident $kind:ident |$a:ident, $b:ident| $e:expr])*) => {
        // The `Not` float forms negate on purpose: true when an operand is NaN.
        #[allow(clippy::neg_cmp_op_on_partial_ord)]
        mod br_if_cmp {
            use super::*;
            handlers! { [pc fp mem st] $($name {
                let $a = $get(slot!(fp, pc, 0));
                let $b = $get(slot!(fp, pc, 1));
                jump_if!(pc, $e);
            })* }
        }
        // The `Not` float forms negate on purpose: true when an operand is NaN.
        #[allow(clippy::neg_cmp_op_on_partial_ord)]
        mod br_if_cmp_imm {
            use super::*;
            handlers! { [pc fp mem st] $($name {
                let $a = $get(slot!(fp, pc, 0));
                let $b = $get($imm(lane!(pc, 1) as u16 as i16 as i32 as u32));
                jump_if!(pc, $e);
            })* }
        }
        // The `Not` float forms negate on purpose: true when an operand is NaN.
        #[allow(clippy::neg_cmp_op_on_partial_ord)]
        mod br_if_cmp_loop {
            use super::*;
            handlers! { [pc fp mem st] $($name {
                let $a = $get(slot!(fp, pc, 0));
                let $b = $get(slot!(fp, pc, 1));
                jump_back_if!(pc fp mem st, $e);
            })* }
        }
        // The `Not` float forms negate on purpose: true when an operand is NaN.
        #[allow(clippy::neg_cmp_op_on_partial_ord)]
        mod br_if_cmp_imm_loop {
            use super::*;
            handlers! { [pc fp mem st] $($name {
                let $a = $get(slot!(fp, pc, 0));
                let $b = $get($imm(lane!(pc, 1) as u16 as i16 as i32 as u32));
                jump_back_if!(pc fp mem st, $e);
            })* }
        }
        pub(crate) const BR_IF_CMP: &[Handler] = &[$(br_if_cmp::$name,)*];
        pub(crate) const BR_IF_CMP_LOOP: &[Handler] = &[$(br_if_cmp_loop::$name,)*];
        pub(crate) const BR_IF_CMP_IMM_LOOP: &[Handler] = &[$(br_if_cmp_imm_loop::$name,)*];
        pub(crate) const BR_IF_CMP_IMM: &[Handler] = &[$(br_if_cmp_imm::$name,)*];
    };
}
for_each_cmp!(cmp_handlers);

/// Unary operations: `dst = op a` (`UN`, indexed by `UnOp`).
macro_rules! unop_handlers {
    ($([$name:ident $get:ident $put:ident |$a:ident| $e:expr])*) => {
        mod un {
            use super::*;
            handlers! { [pc fp mem st] $($name {
                let $a = $get(slot!(fp, pc, 1));
                *fp.add(lane!(pc, 0)) = $put($e);
                pc = pc.add(1);
            })* }
        }
        pub(crate) const UN: &[Handler] = &[$(un::$name,)*];
    };
}
for_each_unop!(unop_handlers);

/// Unary operations that may trap (`UN_TRAP`, indexed by `UnTrapOp`).
macro_rules! unop_trap_handlers {
    ($([$name:ident $get:ident $put:ident $f:path])*) => {
        mod un_trap {
            use super::*;
            handlers! { [pc fp mem st] $($name {
                match $f($get(slot!(fp, pc, 1))) {
                    Ok(v) => *fp.add(lane!(pc, 0)) = $put(v),
                    Err(code) => return st.raise(code, pc),
                }
                pc = pc.add(1);
            })* }
        }
        pub(crate) const UN_TRAP: &[Handler] = &[$(un_trap::$name,)*];
    };
}
for_each_unop_trap!(unop_trap_handlers);

/// Loads (`LOAD`, indexed by `LoadOp`): `dst = memory[slot addr + offset]`.
macro_rules! load_handlers {
    ($([$name:ident $n:literal $t:ty |$v:ident| $conv:expr])*) => {
        mod load {
            use super::*;
            handlers! { [pc fp mem st] $($name {
                let ea = addr!(pc st, slot!(fp, pc, 1), hi32!(pc), $n);
                let $v = <$t>::from_le_bytes(ptr::read_unaligned(mem.add(ea) as *const [u8; $n]));
                *fp.add(lane!(pc, 0)) = $conv;
                pc = pc.add(1);
            })* }
        }
        mod load_add {
            use super::*;
            handlers! { [pc fp mem st] $($name {
                let base = u32v(slot!(fp, pc, 1)).wrapping_add(u32v(slot!(fp, pc, 2)));
                let ea = addr!(pc st, base, lane!(pc, 3), $n);
                let $v = <$t>::from_le_bytes(ptr::read_unaligned(mem.add(ea) as *const [u8; $n]));
                *fp.add(lane!(pc, 0)) = $conv;
                pc = pc.add(1);
            })* }
        }
        mod load_add_imm {
            use super::*;
            handlers! { [pc fp mem st] $($name {
                let base = u32v(slot!(fp, pc, 1)).wrapping_add(hi32!(pc));
                let ea = addr!(pc st, base, 0, $n);
                let $v = <$t>::from_le_bytes(ptr::read_unaligned(mem.add(ea) as *const [u8; $n]));
                *fp.add(lane!(pc, 0)) = $conv;
                pc = pc.add(1);
            })* }
        }
        mod load_add_shl {
            use super::*;
            handlers! { [pc fp mem st] $($name {
                let base = shifted_sum(slot!(fp, pc, 1), slot!(fp, pc, 2), lane!(pc, 3));
                let ea = addr!(pc st, base, 0, $n);
                let $v = <$t>::from_le_bytes(ptr::read_unaligned(mem.add(ea) as *const [u8; $n]));
                *fp.add(lane!(pc, 0)) = $conv;
                pc = pc.add(1);
            })* }
        }
        mod load_abs {
            use super::*;
            handlers! { [pc fp mem st] $($name {
                let ea = addr!(pc st, hi32!(pc), 0, $n);
                let $v = <$t>::from_le_bytes(ptr::read_unaligned(mem.add(ea) as *const [u8; $n]));
                *fp.add(lane!(pc, 0)) = $conv;
                pc = pc.add(1);
            })* }
        }
        mod load_mem {
            use super::*;
            handlers! { [pc fp mem st] $($name {
                let (memory, offset, is64) = memarg(st, hi32!(pc));
                let (from, len) = memory!(st mem, memory);
                let ea = if is64 {
                    addr64_in!(pc st, len, slot!(fp, pc, 1), offset, $n)
                } else {
                    addr_in!(pc st, len, slot!(fp, pc, 1), offset, $n)
                };
                let $v = <$t>::from_le_bytes(ptr::read_unaligned(from.add(ea) as *const [u8; $n]));
                *fp.add(lane!(pc, 0)) = $conv;
                pc = pc.add(1);
            })* }
        }
        pub(crate) const LOAD: &[Handler] = &[$(load::$name,)*];
        pub(crate) const LOAD_MEM: &[Handler] = &[$(load_mem::$name,)*];
        pub(crate) const LOAD_ABS: &[Handler] = &[$(load_abs::$name,)*];
        pub(crate) const LOAD_ADD: &[Handler] = &[$(load_add::$name,)*];
        pub(crate) const LOAD_ADD_IMM: &[Handler] = &[$(load_add_imm::$name,)*];
        pub(crate) const LOAD_ADD_SHL: &[Handler] = &[$(load_add_shl::$name,)*];
    };
}
for_each_load!(load_handlers);

/// Stores (`STORE`, indexed by `StoreOp`): `memory[slot addr + offset] = slot value`.
macro_rules! store_handlers {
    ($([$name:ident $n:literal |$v:ident| $conv:expr])*) => {
        mod store {
            use super::*;
            handlers! { [pc fp mem st] $($name {
                let $v = slot!(fp, pc, 1);
                let ea = addr!(pc st, slot!(fp, pc, 0), hi32!(pc), $n);
                ptr::write_unaligned(mem.add(ea) as *mut [u8; $n], ($conv).to_le_bytes());
                pc = pc.add(1);
            })* }
        }
        mod store_add {
            use super::*;
            handlers! { [pc fp mem st] $($name {
                let $v = slot!(fp, pc, 2);
                let base = u32v(slot!(fp, pc, 0)).wrapping_add(u32v(slot!(fp, pc, 1)));
                let ea = addr!(pc st, base, lane!(pc, 3), $n);
                ptr::write_unaligned(mem.add(ea) as *mut [u8; $n], ($conv).to_le_bytes());
                pc = pc.add(1);
            })* }
        }
        mod store_add_imm {
            use super::*;
            handlers! { [pc fp mem st] $($name {
                let $v = slot!(fp, pc, 1);
                let base = u32v(slot!(fp, pc, 0)).wrapping_add(hi32!(pc));
                let ea = addr!(pc st, base, 0, $n);
                ptr::write_unaligned(mem.add(ea) as *mut [u8; $n], ($conv).to_le_bytes());
                pc = pc.add(1);
            })* }
        }
        mod store_add_shl {
            use super::*;
            handlers! { [pc fp mem st] $($name {
                let $v = slot!(fp, pc, 2);
                let base = shifted_sum(slot!(fp, pc, 0), slot!(fp, pc, 1), lane!(pc, 3));
                let ea = addr!(pc st, base, 0, $n);
                ptr::write_unaligned(mem.add(ea) as *mut [u8; $n], ($conv).to_le_bytes());
                pc = pc.add(1);
            })* }
        }
        mod store_imm {
            use super::*;
            handlers! { [pc fp mem st] $($name {
                let $v = lane!(pc, 1) as u16 as i16 as i64 as u64;
                let ea = addr!(pc st, slot!(fp, pc, 0), hi32!(pc), $n);
                ptr::write_unaligned(mem.add(ea) as *mut [u8; $n], ($conv).to_le_bytes());
                pc = pc.add(1);
            })* }
        }
        mod store_abs {
            use super::*;
            handlers! { [pc fp mem st] $($name {
                let $v = slot!(fp, pc, 1);
                let ea = addr!(pc st, hi32!(pc), 0, $n);
                ptr::write_unaligned(mem.add(ea) as *mut [u8; $n], ($conv).to_le_bytes());
                pc = pc.add(1);
            })* }
        }
        mod store_mem {
            use super::*;
            handlers! { [pc fp mem st] $($name {
                let $v = slot!(fp, pc, 1);
                let (memory, offset, is64) = memarg(st, hi32!(pc));
                let (to, len) = memory!(st mem, memory);
                let ea = if is64 {
                    addr64_in!(pc st, len, slot!(fp, pc, 0), offset, $n)
                } else {
                    addr_in!(pc st, len, slot!(fp, pc, 0), offset, $n)
                };
                ptr::write_unaligned(to.add(ea) as *mut [u8; $n], ($conv).to_le_bytes());
                pc = pc.add(1);
            })* }
        }
        pub(crate) const STORE: &[Handler] = &[$(store::$name,)*];
        pub(crate) const STORE_MEM: &[Handler] = &[$(store_mem::$name,)*];
        pub(crate) const STORE_IMM: &[Handler] = &[$(store_imm::$name,)*];
        pub(crate) const STORE_ABS: &[Handler] = &[$(store_abs::$name,)*];
        pub(crate) const STORE_ADD: &[Handler] = &[$(store_add::$name,)*];
        pub(crate) const STORE_ADD_IMM: &[Handler] = &[$(store_add_imm::$name,)*];
        pub(crate) const STORE_ADD_SHL: &[Handler] = &[$(store_add_shl::$name,)*];
    };
}
for_each_store!(store_handlers);

mod simd;
pub(crate) use simd::*;
