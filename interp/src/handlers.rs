//! One handler per instruction. Each handler runs its instruction and tail-calls the next
//! instruction's handler (see `code.rs`). A handler must not keep anything on the host stack
//! that outlives its final call, so slow paths live in out-of-line functions in `exec.rs`.
//!
//! SAFETY (for every handler): the instruction stream comes from validated wasm, so each
//! handler finds the operands it expects between `fp` and `sp`; the frame of every entered
//! function fits below `Exec::stack_end` (checked on entry); immediates index entities that
//! validation proved to exist; linear-memory accesses check `Exec::mem_len` first.

#![allow(non_snake_case)]

use std::ptr;

use wasmtier_runtime::{TrapCode, WASM_PAGE_SIZE, raw_ref};

use crate::code::Handler;
use crate::code::{Exit, Instr};
use crate::exec::{CallOutcome, Exec};
use crate::numeric;
use crate::ops::local_binop_list;
use crate::translate::CompiledFunc;

/// Continues with the instruction at `pc`, or suspends when the budget is spent (which bounds
/// host-stack growth in builds where the compiler does not turn these calls into jumps).
#[inline(always)]
pub(crate) unsafe fn dispatch(
    pc: *const Instr,
    sp: *mut u64,
    fp: *mut u64,
    mem: *mut u8,
    st: &mut Exec,
    budget: u32,
) -> Exit {
    if budget == 0 {
        st.suspend(pc, sp, fp, mem);
        return Exit::Suspend;
    }
    // SAFETY: `pc` points at an instruction of the current function (see module docs).
    unsafe { ((*pc).handler)(pc, sp, fp, mem, st, budget - 1) }
}

/// Moves `n` slots down the stack (`dst <= src`; the ranges may overlap). Branches and
/// returns usually carry zero or one value, which must not cost a `memmove` call.
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

macro_rules! handlers {
    ([$pc:ident $sp:ident $fp:ident $mem:ident $st:ident $budget:ident] $($name:ident $body:block)*) => {$(
        #[allow(unused_mut, unused_variables, unused_unsafe, unused_assignments, unreachable_code, clippy::missing_safety_doc)]
        pub(crate) unsafe fn $name(
            mut $pc: *const Instr,
            mut $sp: *mut u64,
            mut $fp: *mut u64,
            mut $mem: *mut u8,
            $st: &mut Exec,
            $budget: u32,
        ) -> Exit {
            // SAFETY: see the module documentation.
            unsafe {
                $body
                dispatch($pc, $sp, $fp, $mem, $st, $budget)
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

/// Reads immediate `i` of the current instruction.
macro_rules! imm {
    ($pc:ident, $i:expr) => {
        (*$pc).imm[$i]
    };
}

macro_rules! unop {
    ($pc:ident $sp:ident, $get:ident, $put:ident, |$a:ident| $e:expr) => {{
        let $a = $get(*$sp.sub(1));
        *$sp.sub(1) = $put($e);
        $pc = $pc.add(1);
    }};
}

macro_rules! binop {
    ($pc:ident $sp:ident, $get:ident, $put:ident, |$a:ident, $b:ident| $e:expr) => {{
        let $b = $get(*$sp.sub(1));
        $sp = $sp.sub(1);
        let $a = $get(*$sp.sub(1));
        *$sp.sub(1) = $put($e);
        $pc = $pc.add(1);
    }};
}

macro_rules! binop_trap {
    ($pc:ident $sp:ident $st:ident, $get:ident, $put:ident, |$a:ident, $b:ident| $e:expr) => {{
        let $b = $get(*$sp.sub(1));
        $sp = $sp.sub(1);
        let $a = $get(*$sp.sub(1));
        match $e {
            Ok(v) => *$sp.sub(1) = $put(v),
            Err(code) => return $st.raise(code, $pc),
        }
        $pc = $pc.add(1);
    }};
}

macro_rules! unop_trap {
    ($pc:ident $sp:ident $st:ident, $get:ident, $put:ident, $f:expr) => {{
        match $f($get(*$sp.sub(1))) {
            Ok(v) => *$sp.sub(1) = $put(v),
            Err(code) => return $st.raise(code, $pc),
        }
        $pc = $pc.add(1);
    }};
}

/// A binary op whose right operand is the instruction's 64-bit immediate.
macro_rules! binop_imm {
    ($pc:ident $sp:ident, $get:ident, $put:ident, |$a:ident, $b:ident| $e:expr) => {{
        let $b = $get(imm!($pc, 0) as u64 | ((imm!($pc, 1) as u64) << 32));
        let $a = $get(*$sp.sub(1));
        *$sp.sub(1) = $put($e);
        $pc = $pc.add(1);
    }};
}

/// Compare the top of stack with immediate 1 and branch by immediate 0.
macro_rules! br_if_cmp_imm {
    ($pc:ident $sp:ident, $get:ident, |$a:ident, $b:ident| $cond:expr) => {{
        let $b = $get(imm!($pc, 1) as u64);
        let $a = $get(*$sp.sub(1));
        $sp = $sp.sub(1);
        if $cond {
            jump!($pc);
        } else {
            $pc = $pc.add(1);
        }
    }};
}

/// Effective address of an access of `$len` bytes, or a trap.
macro_rules! addr {
    ($pc:ident $st:ident, $base:expr, $offset:expr, $len:expr) => {{
        let ea = $base as u32 as u64 + $offset as u64;
        if ea + $len as u64 > $st.mem_len as u64 {
            return $st.raise(TrapCode::MemoryOutOfBounds, $pc);
        }
        ea as usize
    }};
}

macro_rules! load {
    ($pc:ident $sp:ident $mem:ident $st:ident, $n:literal, $t:ty, |$v:ident| $conv:expr) => {{
        let ea = addr!($pc $st, *$sp.sub(1), imm!($pc, 0), $n);
        let $v = <$t>::from_le_bytes(ptr::read_unaligned($mem.add(ea) as *const [u8; $n]));
        *$sp.sub(1) = $conv;
        $pc = $pc.add(1);
    }};
}

macro_rules! store {
    ($pc:ident $sp:ident $mem:ident $st:ident, $n:literal, |$v:ident| $conv:expr) => {{
        let $v = *$sp.sub(1);
        let ea = addr!($pc $st, *$sp.sub(2), imm!($pc, 0), $n);
        $sp = $sp.sub(2);
        ptr::write_unaligned($mem.add(ea) as *mut [u8; $n], ($conv).to_le_bytes());
        $pc = $pc.add(1);
    }};
}

/// Relative jump by immediate 0.
macro_rules! jump {
    ($pc:ident) => {
        $pc = $pc.offset(imm!($pc, 0) as i32 as isize)
    };
}

macro_rules! br_if_cmp {
    ($pc:ident $sp:ident, $get:ident, |$a:ident, $b:ident| $cond:expr) => {{
        let $b = $get(*$sp.sub(1));
        let $a = $get(*$sp.sub(2));
        $sp = $sp.sub(2);
        if $cond {
            jump!($pc);
        } else {
            $pc = $pc.add(1);
        }
    }};
}

/// Enters wasm function `$callee`, saving the caller (whose instance is `$caller_inst`).
/// The common case makes no calls, so the handler needs no register spills; anything
/// unusual (a full frame stack, stack exhaustion) continues in `enter_slow`.
macro_rules! enter {
    ($pc:ident $sp:ident $fp:ident $mem:ident $st:ident $budget:ident, $callee:expr, $caller_inst:expr) => {{
        let callee: *const CompiledFunc = $callee;
        let np = (*callee).num_params as usize;
        let nl = (*callee).num_locals as usize;
        let new_fp = $sp.sub(np);
        if $st.frames.len() >= $st.frame_limit
            || ($st.stack_end.offset_from(new_fp) as usize) < (*callee).frame_size as usize
        {
            $st.pending_call = (callee, $caller_inst);
            return enter_slow($pc, $sp, $fp, $mem, $st, $budget);
        }
        zero_locals(new_fp.add(np), nl - np);
        $st.push_frame($pc.add(1), $fp, $caller_inst);
        $fp = new_fp;
        $sp = $fp.add(nl);
        $st.func = callee;
        $pc = (*callee).code.as_ptr();
    }};
}

/// Zeroes `n` declared locals with plain stores: a `memset` call would force the calling
/// handler to save registers on every call.
#[inline(always)]
unsafe fn zero_locals(first: *mut u64, n: usize) {
    for i in 0..n {
        // SAFETY: the callee's frame was checked to fit the stack. Volatile keeps the
        // compiler from turning the loop back into a `memset` call.
        unsafe { ptr::write_volatile(first.add(i), 0) };
    }
}

/// The rare part of entering a function (`Exec::pending_call`): traps when the call depth or
/// the value stack is exhausted, otherwise makes room for more frames and enters.
#[cold]
#[inline(never)]
unsafe fn enter_slow(
    pc: *const Instr,
    sp: *mut u64,
    fp: *mut u64,
    mem: *mut u8,
    st: &mut Exec,
    budget: u32,
) -> Exit {
    // SAFETY: called from `enter!` with the same guarantees.
    unsafe {
        let (callee, caller_inst) = st.pending_call;
        let np = (*callee).num_params as usize;
        let nl = (*callee).num_locals as usize;
        let new_fp = sp.sub(np);
        if st.frames.len() >= st.max_depth
            || (st.stack_end.offset_from(new_fp) as usize) < (*callee).frame_size as usize
        {
            return st.raise(TrapCode::StackOverflow, pc);
        }
        st.grow_frames();
        zero_locals(new_fp.add(np), nl - np);
        st.push_frame(pc.add(1), fp, caller_inst);
        st.func = callee;
        let code = (*callee).code.as_ptr();
        dispatch(code, new_fp.add(nl), new_fp, mem, st, budget)
    }
}

/// Completes a call through the function index space or a table.
macro_rules! call {
    ($pc:ident $sp:ident $fp:ident $mem:ident $st:ident $budget:ident, $func:expr) => {{
        let caller_inst = $st.ctx.inst;
        match $st.prepare_call($func, $sp, $pc) {
            CallOutcome::Enter(callee) => {
                $mem = $st.mem_base();
                enter!($pc $sp $fp $mem $st $budget, callee, caller_inst);
            }
            CallOutcome::Done(new_sp) => {
                $sp = new_sp;
                $mem = $st.mem_base();
                $pc = $pc.add(1);
            }
            CallOutcome::Trapped => return Exit::Trap,
        }
    }};
}

handlers! { [pc sp fp mem st budget]
    // ---- control ----
    unreachable { return st.raise(TrapCode::Unreachable, pc); }
    br { jump!(pc); }
    br_adjust {
        let packed = imm!(pc, 1);
        let (drop, keep) = ((packed & 0xffff) as usize, (packed >> 16) as usize);
        let src = sp.sub(keep);
        let dst = src.sub(drop);
        move_slots(src, dst, keep);
        sp = dst.add(keep);
        jump!(pc);
    }
    br_if_nez {
        sp = sp.sub(1);
        if u32v(*sp) != 0 { jump!(pc); } else { pc = pc.add(1); }
    }
    br_if_eqz {
        sp = sp.sub(1);
        if u32v(*sp) == 0 { jump!(pc); } else { pc = pc.add(1); }
    }
    br_table {
        sp = sp.sub(1);
        let i = u32v(*sp).min(imm!(pc, 0));
        // The chosen entry is itself an instruction (a branch or a return): run it next.
        pc = pc.add(1 + i as usize);
    }
    ret {
        let n = imm!(pc, 0) as usize;
        move_slots(sp.sub(n), fp, n);
        sp = fp.add(n);
        match st.pop_frame() {
            None => return Exit::Done,
            Some((ret_pc, caller_fp)) => {
                pc = ret_pc;
                fp = caller_fp;
                mem = st.mem_base();
            }
        }
    }
    call_internal {
        // Validation guarantees the function index. A callee not translated yet (lazy
        // translation) is translated out of line, which then runs this instruction again.
        let callee = (*st.ctx.code).translated_unchecked(imm!(pc, 0));
        if callee.is_null() {
            return crate::lazy::call_untranslated(pc, sp, fp, mem, st, budget);
        }
        let caller_inst = st.ctx.inst;
        enter!(pc sp fp mem st budget, callee, caller_inst);
    }
    tier_entry {
        if (*st.func).hotness.count_call() {
            return crate::tier::entry_slow(pc, sp, fp, mem, st, budget);
        }
        pc = pc.add(1);
    }
    tier_loop {
        if (*st.func).hotness.count_iteration() {
            return crate::tier::loop_slow(pc, sp, fp, mem, st, budget);
        }
        pc = pc.add(1);
    }
    call_func {
        let f = *st.ctx.funcs.add(imm!(pc, 0) as usize);
        call!(pc sp fp mem st budget, f);
    }
    call_indirect {
        sp = sp.sub(1);
        let index = u32v(*sp);
        match st.indirect_callee(imm!(pc, 0), imm!(pc, 1), index) {
            Ok(f) => call!(pc sp fp mem st budget, f),
            Err(code) => return st.raise(code, pc),
        }
    }

    // ---- parametric ----
    drop { sp = sp.sub(1); pc = pc.add(1); }
    select {
        let c = u32v(*sp.sub(1));
        let b = *sp.sub(2);
        sp = sp.sub(2);
        if c == 0 { *sp.sub(1) = b; }
        pc = pc.add(1);
    }

    // ---- variables ----
    local_get { *sp = *fp.add(imm!(pc, 0) as usize); sp = sp.add(1); pc = pc.add(1); }
    local_set { sp = sp.sub(1); *fp.add(imm!(pc, 0) as usize) = *sp; pc = pc.add(1); }
    local_tee { *fp.add(imm!(pc, 0) as usize) = *sp.sub(1); pc = pc.add(1); }
    global_get {
        *sp = (**st.ctx.globals.add(imm!(pc, 0) as usize)).get();
        sp = sp.add(1);
        pc = pc.add(1);
    }
    global_set {
        sp = sp.sub(1);
        (**st.ctx.globals.add(imm!(pc, 0) as usize)).set(*sp);
        pc = pc.add(1);
    }
    const32 { *sp = imm!(pc, 0) as u64; sp = sp.add(1); pc = pc.add(1); }
    const64 {
        *sp = imm!(pc, 0) as u64 | ((imm!(pc, 1) as u64) << 32);
        sp = sp.add(1);
        pc = pc.add(1);
    }

    // ---- memory ----
    i32_load { load!(pc sp mem st, 4, u32, |v| v as u64) }
    i32_load_local {
        let ea = addr!(pc st, *fp.add(imm!(pc, 1) as usize), imm!(pc, 0), 4);
        *sp = u32::from_le_bytes(ptr::read_unaligned(mem.add(ea) as *const [u8; 4])) as u64;
        sp = sp.add(1);
        pc = pc.add(1);
    }
    i32_load8_u_local {
        let ea = addr!(pc st, *fp.add(imm!(pc, 1) as usize), imm!(pc, 0), 1);
        *sp = *mem.add(ea) as u64;
        sp = sp.add(1);
        pc = pc.add(1);
    }
    i64_load { load!(pc sp mem st, 8, u64, |v| v) }
    i32_load8_s { load!(pc sp mem st, 1, i8, |v| from_i32(v as i32)) }
    i32_load8_u { load!(pc sp mem st, 1, u8, |v| v as u64) }
    i32_load16_s { load!(pc sp mem st, 2, i16, |v| from_i32(v as i32)) }
    i32_load16_u { load!(pc sp mem st, 2, u16, |v| v as u64) }
    i64_load8_s { load!(pc sp mem st, 1, i8, |v| v as i64 as u64) }
    i64_load16_s { load!(pc sp mem st, 2, i16, |v| v as i64 as u64) }
    i64_load32_s { load!(pc sp mem st, 4, i32, |v| v as i64 as u64) }
    i32_store { store!(pc sp mem st, 4, |v| v as u32) }
    i64_store { store!(pc sp mem st, 8, |v| v) }
    store8 { store!(pc sp mem st, 1, |v| v as u8) }
    store16 { store!(pc sp mem st, 2, |v| v as u16) }
    memory_size {
        *sp = (st.mem_len / WASM_PAGE_SIZE) as u64;
        sp = sp.add(1);
        pc = pc.add(1);
    }
    memory_grow {
        *sp.sub(1) = st.memory_grow(u32v(*sp.sub(1)));
        mem = st.mem_base();
        pc = pc.add(1);
    }
    memory_fill {
        let n = u32v(*sp.sub(1));
        let val = *sp.sub(2) as u8;
        let d = addr!(pc st, *sp.sub(3), 0, n);
        sp = sp.sub(3);
        ptr::write_bytes(mem.add(d), val, n as usize);
        pc = pc.add(1);
    }
    memory_copy {
        let n = u32v(*sp.sub(1));
        let s = addr!(pc st, *sp.sub(2), 0, n);
        let d = addr!(pc st, *sp.sub(3), 0, n);
        sp = sp.sub(3);
        ptr::copy(mem.add(s), mem.add(d), n as usize);
        pc = pc.add(1);
    }
    memory_init {
        let n = u32v(*sp.sub(1));
        let s = u32v(*sp.sub(2)) as usize;
        let d = u32v(*sp.sub(3));
        sp = sp.sub(3);
        let seg = st.data_segment(imm!(pc, 0));
        if s + n as usize > seg.len() {
            return st.raise(TrapCode::MemoryOutOfBounds, pc);
        }
        let d = addr!(pc st, d, 0, n);
        ptr::copy_nonoverlapping(seg.as_ptr().add(s), mem.add(d), n as usize);
        pc = pc.add(1);
    }
    data_drop {
        st.drop_data(imm!(pc, 0));
        pc = pc.add(1);
    }

    // ---- tables and references ----
    table_get {
        let i = u32v(*sp.sub(1));
        match st.table(imm!(pc, 0)).get(i) {
            Ok(v) => *sp.sub(1) = v,
            Err(_) => return st.raise(TrapCode::TableOutOfBounds, pc),
        }
        pc = pc.add(1);
    }
    table_set {
        let v = *sp.sub(1);
        let i = u32v(*sp.sub(2));
        sp = sp.sub(2);
        if st.table(imm!(pc, 0)).set(i, v).is_err() {
            return st.raise(TrapCode::TableOutOfBounds, pc);
        }
        pc = pc.add(1);
    }
    table_size {
        *sp = st.table(imm!(pc, 0)).size() as u64;
        sp = sp.add(1);
        pc = pc.add(1);
    }
    table_grow {
        let n = u32v(*sp.sub(1));
        let init = *sp.sub(2);
        sp = sp.sub(1);
        *sp.sub(1) = st.table_grow(imm!(pc, 0), n, init);
        pc = pc.add(1);
    }
    table_fill {
        let n = u32v(*sp.sub(1)) as usize;
        let v = *sp.sub(2);
        let i = u32v(*sp.sub(3)) as usize;
        sp = sp.sub(3);
        match st.table(imm!(pc, 0)).elements.get_mut(i..i + n) {
            Some(range) => range.fill(v),
            None => return st.raise(TrapCode::TableOutOfBounds, pc),
        }
        pc = pc.add(1);
    }
    table_copy {
        let n = u32v(*sp.sub(1));
        let s = u32v(*sp.sub(2));
        let d = u32v(*sp.sub(3));
        sp = sp.sub(3);
        if let Err(code) = st.table_copy(imm!(pc, 0), imm!(pc, 1), d, s, n) {
            return st.raise(code, pc);
        }
        pc = pc.add(1);
    }
    table_init {
        let n = u32v(*sp.sub(1));
        let s = u32v(*sp.sub(2));
        let d = u32v(*sp.sub(3));
        sp = sp.sub(3);
        if let Err(code) = st.table_init(imm!(pc, 0), imm!(pc, 1), d, s, n) {
            return st.raise(code, pc);
        }
        pc = pc.add(1);
    }
    elem_drop {
        st.drop_elem(imm!(pc, 0));
        pc = pc.add(1);
    }
    ref_is_null { unop!(pc sp, u64v, from_bool, |a| a == raw_ref::NULL) }
    ref_func {
        *sp = raw_ref::from_func(Some(*st.ctx.funcs.add(imm!(pc, 0) as usize)));
        sp = sp.add(1);
        pc = pc.add(1);
    }

    // ---- fused ----
    local_get2 {
        *sp = *fp.add(imm!(pc, 0) as usize);
        *sp.add(1) = *fp.add(imm!(pc, 1) as usize);
        sp = sp.add(2);
        pc = pc.add(1);
    }
    i32_add_const { unop!(pc sp, u32v, from_u32, |a| a.wrapping_add(imm!(pc, 0))) }
    local_add_const {
        *sp = from_u32(u32v(*fp.add(imm!(pc, 0) as usize)).wrapping_add(imm!(pc, 1)));
        sp = sp.add(1);
        pc = pc.add(1);
    }
    local_incr_i32 {
        let slot = fp.add(imm!(pc, 0) as usize);
        *slot = from_u32(u32v(*slot).wrapping_add(imm!(pc, 1)));
        pc = pc.add(1);
    }
    local_incr_i64 {
        let slot = fp.add(imm!(pc, 0) as usize);
        *slot = (*slot).wrapping_add(imm!(pc, 1) as i32 as i64 as u64);
        pc = pc.add(1);
    }
    local_set_const {
        *fp.add(imm!(pc, 0) as usize) = imm!(pc, 1) as u64;
        pc = pc.add(1);
    }
    // The translator only fuses divisors that cannot trap (non-zero, not -1 when signed).
    I32DivSConst { binop_imm!(pc sp, i32v, from_i32, |a, b| a / b) }
    I32DivUConst { binop_imm!(pc sp, u32v, from_u32, |a, b| a / b) }
    I32RemSConst { binop_imm!(pc sp, i32v, from_i32, |a, b| a % b) }
    I32RemUConst { binop_imm!(pc sp, u32v, from_u32, |a, b| a % b) }
    I64DivSConst { binop_imm!(pc sp, i64v, from_i64, |a, b| a / b) }
    I64DivUConst { binop_imm!(pc sp, u64v, from_u64, |a, b| a / b) }
    I64RemSConst { binop_imm!(pc sp, i64v, from_i64, |a, b| a % b) }
    I64RemUConst { binop_imm!(pc sp, u64v, from_u64, |a, b| a % b) }
    br_if_i32_lt_s { br_if_cmp!(pc sp, i32v, |a, b| a < b) }
    br_if_i32_lt_u { br_if_cmp!(pc sp, u32v, |a, b| a < b) }
    br_if_i32_ge_s { br_if_cmp!(pc sp, i32v, |a, b| a >= b) }
    br_if_i32_ge_u { br_if_cmp!(pc sp, u32v, |a, b| a >= b) }
    br_if_i32_eq { br_if_cmp!(pc sp, u32v, |a, b| a == b) }
    br_if_i32_ne { br_if_cmp!(pc sp, u32v, |a, b| a != b) }
    br_if_local_nez {
        if u32v(*fp.add(imm!(pc, 0) as usize)) != 0 {
            pc = pc.offset(imm!(pc, 1) as i32 as isize);
        } else {
            pc = pc.add(1);
        }
    }


    // ---- fused with a constant or a local ----
    local_copy {
        *fp.add(imm!(pc, 1) as usize) = *fp.add(imm!(pc, 0) as usize);
        pc = pc.add(1);
    }
    I32MulConst { binop_imm!(pc sp, u32v, from_u32, |a, b| a.wrapping_mul(b)) }
    I32AndConst { binop_imm!(pc sp, u32v, from_u32, |a, b| a & b) }
    I32OrConst { binop_imm!(pc sp, u32v, from_u32, |a, b| a | b) }
    I32XorConst { binop_imm!(pc sp, u32v, from_u32, |a, b| a ^ b) }
    I32ShlConst { binop_imm!(pc sp, u32v, from_u32, |a, b| a.wrapping_shl(b)) }
    I32ShrSConst { binop_imm!(pc sp, i32v, from_i32, |a, b| a.wrapping_shr(b as u32)) }
    I32ShrUConst { binop_imm!(pc sp, u32v, from_u32, |a, b| a.wrapping_shr(b)) }
    I32EqConst { binop_imm!(pc sp, u32v, from_bool, |a, b| a == b) }
    I32NeConst { binop_imm!(pc sp, u32v, from_bool, |a, b| a != b) }
    I32LtSConst { binop_imm!(pc sp, i32v, from_bool, |a, b| a < b) }
    I32LtUConst { binop_imm!(pc sp, u32v, from_bool, |a, b| a < b) }
    I32GtSConst { binop_imm!(pc sp, i32v, from_bool, |a, b| a > b) }
    I32GtUConst { binop_imm!(pc sp, u32v, from_bool, |a, b| a > b) }
    I32LeSConst { binop_imm!(pc sp, i32v, from_bool, |a, b| a <= b) }
    I32LeUConst { binop_imm!(pc sp, u32v, from_bool, |a, b| a <= b) }
    I32GeSConst { binop_imm!(pc sp, i32v, from_bool, |a, b| a >= b) }
    I32GeUConst { binop_imm!(pc sp, u32v, from_bool, |a, b| a >= b) }
    I64AddConst { binop_imm!(pc sp, u64v, from_u64, |a, b| a.wrapping_add(b)) }
    I64MulConst { binop_imm!(pc sp, u64v, from_u64, |a, b| a.wrapping_mul(b)) }
    I64AndConst { binop_imm!(pc sp, u64v, from_u64, |a, b| a & b) }
    I64OrConst { binop_imm!(pc sp, u64v, from_u64, |a, b| a | b) }
    I64XorConst { binop_imm!(pc sp, u64v, from_u64, |a, b| a ^ b) }
    I64ShlConst { binop_imm!(pc sp, u64v, from_u64, |a, b| a.wrapping_shl(b as u32)) }
    I64ShrSConst { binop_imm!(pc sp, i64v, from_i64, |a, b| a.wrapping_shr(b as u32)) }
    I64ShrUConst { binop_imm!(pc sp, u64v, from_u64, |a, b| a.wrapping_shr(b as u32)) }
    BrIfI32GtS { br_if_cmp!(pc sp, i32v, |a, b| a > b) }
    BrIfI32GtU { br_if_cmp!(pc sp, u32v, |a, b| a > b) }
    BrIfI32LeS { br_if_cmp!(pc sp, i32v, |a, b| a <= b) }
    BrIfI32LeU { br_if_cmp!(pc sp, u32v, |a, b| a <= b) }
    BrIfI32LtSConst { br_if_cmp_imm!(pc sp, i32v, |a, b| a < b) }
    BrIfI32LtUConst { br_if_cmp_imm!(pc sp, u32v, |a, b| a < b) }
    BrIfI32GtSConst { br_if_cmp_imm!(pc sp, i32v, |a, b| a > b) }
    BrIfI32GtUConst { br_if_cmp_imm!(pc sp, u32v, |a, b| a > b) }
    BrIfI32LeSConst { br_if_cmp_imm!(pc sp, i32v, |a, b| a <= b) }
    BrIfI32LeUConst { br_if_cmp_imm!(pc sp, u32v, |a, b| a <= b) }
    BrIfI32GeSConst { br_if_cmp_imm!(pc sp, i32v, |a, b| a >= b) }
    BrIfI32GeUConst { br_if_cmp_imm!(pc sp, u32v, |a, b| a >= b) }
    BrIfI32EqConst { br_if_cmp_imm!(pc sp, u32v, |a, b| a == b) }
    BrIfI32NeConst { br_if_cmp_imm!(pc sp, u32v, |a, b| a != b) }
    BrIfI64Eqz {
        sp = sp.sub(1);
        if *sp == 0 { jump!(pc); } else { pc = pc.add(1); }
    }
    BrIfI64Nez {
        sp = sp.sub(1);
        if *sp != 0 { jump!(pc); } else { pc = pc.add(1); }
    }

    // ---- i32 ----
    I32Eqz { unop!(pc sp, u32v, from_bool, |a| a == 0) }
    I32Eq { binop!(pc sp, u32v, from_bool, |a, b| a == b) }
    I32Ne { binop!(pc sp, u32v, from_bool, |a, b| a != b) }
    I32LtS { binop!(pc sp, i32v, from_bool, |a, b| a < b) }
    I32LtU { binop!(pc sp, u32v, from_bool, |a, b| a < b) }
    I32GtS { binop!(pc sp, i32v, from_bool, |a, b| a > b) }
    I32GtU { binop!(pc sp, u32v, from_bool, |a, b| a > b) }
    I32LeS { binop!(pc sp, i32v, from_bool, |a, b| a <= b) }
    I32LeU { binop!(pc sp, u32v, from_bool, |a, b| a <= b) }
    I32GeS { binop!(pc sp, i32v, from_bool, |a, b| a >= b) }
    I32GeU { binop!(pc sp, u32v, from_bool, |a, b| a >= b) }
    I32Clz { unop!(pc sp, u32v, from_u32, |a| a.leading_zeros()) }
    I32Ctz { unop!(pc sp, u32v, from_u32, |a| a.trailing_zeros()) }
    I32Popcnt { unop!(pc sp, u32v, from_u32, |a| a.count_ones()) }
    I32Add { binop!(pc sp, u32v, from_u32, |a, b| a.wrapping_add(b)) }
    I32Sub { binop!(pc sp, u32v, from_u32, |a, b| a.wrapping_sub(b)) }
    I32Mul { binop!(pc sp, u32v, from_u32, |a, b| a.wrapping_mul(b)) }
    I32DivS { binop_trap!(pc sp st, i32v, from_i32, |a, b| numeric::i32_div_s(a, b)) }
    I32DivU { binop_trap!(pc sp st, u32v, from_u32, |a, b| numeric::i32_div_u(a, b)) }
    I32RemS { binop_trap!(pc sp st, i32v, from_i32, |a, b| numeric::i32_rem_s(a, b)) }
    I32RemU { binop_trap!(pc sp st, u32v, from_u32, |a, b| numeric::i32_rem_u(a, b)) }
    I32And { binop!(pc sp, u32v, from_u32, |a, b| a & b) }
    I32Or { binop!(pc sp, u32v, from_u32, |a, b| a | b) }
    I32Xor { binop!(pc sp, u32v, from_u32, |a, b| a ^ b) }
    I32Shl { binop!(pc sp, u32v, from_u32, |a, b| a.wrapping_shl(b)) }
    I32ShrS { binop!(pc sp, i32v, from_i32, |a, b| a.wrapping_shr(b as u32)) }
    I32ShrU { binop!(pc sp, u32v, from_u32, |a, b| a.wrapping_shr(b)) }
    I32Rotl { binop!(pc sp, u32v, from_u32, |a, b| a.rotate_left(b % 32)) }
    I32Rotr { binop!(pc sp, u32v, from_u32, |a, b| a.rotate_right(b % 32)) }

    // ---- i64 ----
    I64Eqz { unop!(pc sp, u64v, from_bool, |a| a == 0) }
    I64Eq { binop!(pc sp, u64v, from_bool, |a, b| a == b) }
    I64Ne { binop!(pc sp, u64v, from_bool, |a, b| a != b) }
    I64LtS { binop!(pc sp, i64v, from_bool, |a, b| a < b) }
    I64LtU { binop!(pc sp, u64v, from_bool, |a, b| a < b) }
    I64GtS { binop!(pc sp, i64v, from_bool, |a, b| a > b) }
    I64GtU { binop!(pc sp, u64v, from_bool, |a, b| a > b) }
    I64LeS { binop!(pc sp, i64v, from_bool, |a, b| a <= b) }
    I64LeU { binop!(pc sp, u64v, from_bool, |a, b| a <= b) }
    I64GeS { binop!(pc sp, i64v, from_bool, |a, b| a >= b) }
    I64GeU { binop!(pc sp, u64v, from_bool, |a, b| a >= b) }
    I64Clz { unop!(pc sp, u64v, from_u64, |a| a.leading_zeros() as u64) }
    I64Ctz { unop!(pc sp, u64v, from_u64, |a| a.trailing_zeros() as u64) }
    I64Popcnt { unop!(pc sp, u64v, from_u64, |a| a.count_ones() as u64) }
    I64Add { binop!(pc sp, u64v, from_u64, |a, b| a.wrapping_add(b)) }
    I64Sub { binop!(pc sp, u64v, from_u64, |a, b| a.wrapping_sub(b)) }
    I64Mul { binop!(pc sp, u64v, from_u64, |a, b| a.wrapping_mul(b)) }
    I64DivS { binop_trap!(pc sp st, i64v, from_i64, |a, b| numeric::i64_div_s(a, b)) }
    I64DivU { binop_trap!(pc sp st, u64v, from_u64, |a, b| numeric::i64_div_u(a, b)) }
    I64RemS { binop_trap!(pc sp st, i64v, from_i64, |a, b| numeric::i64_rem_s(a, b)) }
    I64RemU { binop_trap!(pc sp st, u64v, from_u64, |a, b| numeric::i64_rem_u(a, b)) }
    I64And { binop!(pc sp, u64v, from_u64, |a, b| a & b) }
    I64Or { binop!(pc sp, u64v, from_u64, |a, b| a | b) }
    I64Xor { binop!(pc sp, u64v, from_u64, |a, b| a ^ b) }
    I64Shl { binop!(pc sp, u64v, from_u64, |a, b| a.wrapping_shl(b as u32)) }
    I64ShrS { binop!(pc sp, i64v, from_i64, |a, b| a.wrapping_shr(b as u32)) }
    I64ShrU { binop!(pc sp, u64v, from_u64, |a, b| a.wrapping_shr(b as u32)) }
    I64Rotl { binop!(pc sp, u64v, from_u64, |a, b| a.rotate_left((b % 64) as u32)) }
    I64Rotr { binop!(pc sp, u64v, from_u64, |a, b| a.rotate_right((b % 64) as u32)) }

    // ---- f32 ----
    F32Eq { binop!(pc sp, f32v, from_bool, |a, b| a == b) }
    F32Ne { binop!(pc sp, f32v, from_bool, |a, b| a != b) }
    F32Lt { binop!(pc sp, f32v, from_bool, |a, b| a < b) }
    F32Gt { binop!(pc sp, f32v, from_bool, |a, b| a > b) }
    F32Le { binop!(pc sp, f32v, from_bool, |a, b| a <= b) }
    F32Ge { binop!(pc sp, f32v, from_bool, |a, b| a >= b) }
    F32Abs { unop!(pc sp, u32v, from_u32, |a| a & 0x7fff_ffff) }
    F32Neg { unop!(pc sp, u32v, from_u32, |a| a ^ 0x8000_0000) }
    F32Ceil { unop!(pc sp, f32v, from_f32, |a| numeric::quiet_nan_or_f32(a, f32::ceil)) }
    F32Floor { unop!(pc sp, f32v, from_f32, |a| numeric::quiet_nan_or_f32(a, f32::floor)) }
    F32Trunc { unop!(pc sp, f32v, from_f32, |a| numeric::quiet_nan_or_f32(a, f32::trunc)) }
    F32Nearest { unop!(pc sp, f32v, from_f32, |a| numeric::f32_nearest(a)) }
    F32Sqrt { unop!(pc sp, f32v, from_f32, |a| a.sqrt()) }
    F32Add { binop!(pc sp, f32v, from_f32, |a, b| a + b) }
    F32Sub { binop!(pc sp, f32v, from_f32, |a, b| a - b) }
    F32Mul { binop!(pc sp, f32v, from_f32, |a, b| a * b) }
    F32Div { binop!(pc sp, f32v, from_f32, |a, b| a / b) }
    F32Min { binop!(pc sp, f32v, from_f32, |a, b| numeric::f32_min(a, b)) }
    F32Max { binop!(pc sp, f32v, from_f32, |a, b| numeric::f32_max(a, b)) }
    F32Copysign { binop!(pc sp, u32v, from_u32, |a, b| (a & 0x7fff_ffff) | (b & 0x8000_0000)) }

    // ---- f64 ----
    F64Eq { binop!(pc sp, f64v, from_bool, |a, b| a == b) }
    F64Ne { binop!(pc sp, f64v, from_bool, |a, b| a != b) }
    F64Lt { binop!(pc sp, f64v, from_bool, |a, b| a < b) }
    F64Gt { binop!(pc sp, f64v, from_bool, |a, b| a > b) }
    F64Le { binop!(pc sp, f64v, from_bool, |a, b| a <= b) }
    F64Ge { binop!(pc sp, f64v, from_bool, |a, b| a >= b) }
    F64Abs { unop!(pc sp, u64v, from_u64, |a| a & 0x7fff_ffff_ffff_ffff) }
    F64Neg { unop!(pc sp, u64v, from_u64, |a| a ^ 0x8000_0000_0000_0000) }
    F64Ceil { unop!(pc sp, f64v, from_f64, |a| numeric::quiet_nan_or_f64(a, f64::ceil)) }
    F64Floor { unop!(pc sp, f64v, from_f64, |a| numeric::quiet_nan_or_f64(a, f64::floor)) }
    F64Trunc { unop!(pc sp, f64v, from_f64, |a| numeric::quiet_nan_or_f64(a, f64::trunc)) }
    F64Nearest { unop!(pc sp, f64v, from_f64, |a| numeric::f64_nearest(a)) }
    F64Sqrt { unop!(pc sp, f64v, from_f64, |a| a.sqrt()) }
    F64Add { binop!(pc sp, f64v, from_f64, |a, b| a + b) }
    F64Sub { binop!(pc sp, f64v, from_f64, |a, b| a - b) }
    F64Mul { binop!(pc sp, f64v, from_f64, |a, b| a * b) }
    F64Div { binop!(pc sp, f64v, from_f64, |a, b| a / b) }
    F64Min { binop!(pc sp, f64v, from_f64, |a, b| numeric::f64_min(a, b)) }
    F64Max { binop!(pc sp, f64v, from_f64, |a, b| numeric::f64_max(a, b)) }
    F64Copysign {
        binop!(pc sp, u64v, from_u64, |a, b| (a & 0x7fff_ffff_ffff_ffff) | (b & 0x8000_0000_0000_0000))
    }

    // ---- conversions ----
    I32WrapI64 { unop!(pc sp, u64v, from_u32, |a| a as u32) }
    I32TruncF32S { unop_trap!(pc sp st, f32v, from_i32, numeric::i32_trunc_f32_s) }
    I32TruncF32U { unop_trap!(pc sp st, f32v, from_u32, numeric::i32_trunc_f32_u) }
    I32TruncF64S { unop_trap!(pc sp st, f64v, from_i32, numeric::i32_trunc_f64_s) }
    I32TruncF64U { unop_trap!(pc sp st, f64v, from_u32, numeric::i32_trunc_f64_u) }
    I64ExtendI32S { unop!(pc sp, i32v, from_i64, |a| a as i64) }
    I64TruncF32S { unop_trap!(pc sp st, f32v, from_i64, numeric::i64_trunc_f32_s) }
    I64TruncF32U { unop_trap!(pc sp st, f32v, from_u64, numeric::i64_trunc_f32_u) }
    I64TruncF64S { unop_trap!(pc sp st, f64v, from_i64, numeric::i64_trunc_f64_s) }
    I64TruncF64U { unop_trap!(pc sp st, f64v, from_u64, numeric::i64_trunc_f64_u) }
    F32ConvertI32S { unop!(pc sp, i32v, from_f32, |a| a as f32) }
    F32ConvertI32U { unop!(pc sp, u32v, from_f32, |a| a as f32) }
    F32ConvertI64S { unop!(pc sp, i64v, from_f32, |a| a as f32) }
    F32ConvertI64U { unop!(pc sp, u64v, from_f32, |a| a as f32) }
    F32DemoteF64 { unop!(pc sp, f64v, from_f32, |a| a as f32) }
    F64ConvertI32S { unop!(pc sp, i32v, from_f64, |a| a as f64) }
    F64ConvertI32U { unop!(pc sp, u32v, from_f64, |a| a as f64) }
    F64ConvertI64S { unop!(pc sp, i64v, from_f64, |a| a as f64) }
    F64ConvertI64U { unop!(pc sp, u64v, from_f64, |a| a as f64) }
    F64PromoteF32 { unop!(pc sp, f32v, from_f64, |a| a as f64) }
    I32Extend8S { unop!(pc sp, i32v, from_i32, |a| a as i8 as i32) }
    I32Extend16S { unop!(pc sp, i32v, from_i32, |a| a as i16 as i32) }
    I64Extend8S { unop!(pc sp, i64v, from_i64, |a| a as i8 as i64) }
    I64Extend16S { unop!(pc sp, i64v, from_i64, |a| a as i16 as i64) }
    I64Extend32S { unop!(pc sp, i64v, from_i64, |a| a as i32 as i64) }
    // Rust's float-to-int `as` saturates and maps NaN to 0, as wasm specifies.
    I32TruncSatF32S { unop!(pc sp, f32v, from_i32, |a| a as i32) }
    I32TruncSatF32U { unop!(pc sp, f32v, from_u32, |a| a as u32) }
    I32TruncSatF64S { unop!(pc sp, f64v, from_i32, |a| a as i32) }
    I32TruncSatF64U { unop!(pc sp, f64v, from_u32, |a| a as u32) }
    I64TruncSatF32S { unop!(pc sp, f32v, from_i64, |a| a as i64) }
    I64TruncSatF32U { unop!(pc sp, f32v, from_u64, |a| a as u64) }
    I64TruncSatF64S { unop!(pc sp, f64v, from_i64, |a| a as i64) }
    I64TruncSatF64U { unop!(pc sp, f64v, from_u64, |a| a as u64) }
}

/// Handlers of `LocalBin` (top op local), `LocalBin2` (local op local) and their forms that
/// store into a local (`LocalBinSet`, `LocalBin2Set`), generated from the same list as
/// `LocalBinOp`, so `LOCAL_BIN[op as usize]` is `op`'s handler.
macro_rules! local_binop_handlers {
    ($([$name:ident $get:ident $put:ident |$a:ident, $b:ident| $e:expr])*) => {
        mod local_bin {
            use super::*;
            handlers! { [pc sp fp mem st budget]
                $($name {
                    let $b = $get(*fp.add(imm!(pc, 0) as usize));
                    let $a = $get(*sp.sub(1));
                    *sp.sub(1) = $put($e);
                    pc = pc.add(1);
                })*
            }
        }
        mod local_bin2 {
            use super::*;
            handlers! { [pc sp fp mem st budget]
                $($name {
                    let $a = $get(*fp.add(imm!(pc, 0) as usize));
                    let $b = $get(*fp.add(imm!(pc, 1) as usize));
                    *sp = $put($e);
                    sp = sp.add(1);
                    pc = pc.add(1);
                })*
            }
        }
        mod local_bin_set {
            use super::*;
            handlers! { [pc sp fp mem st budget]
                $($name {
                    let $b = $get(*fp.add(imm!(pc, 0) as usize));
                    sp = sp.sub(1);
                    let $a = $get(*sp);
                    *fp.add(imm!(pc, 1) as usize) = $put($e);
                    pc = pc.add(1);
                })*
            }
        }
        mod local_bin2_set {
            use super::*;
            handlers! { [pc sp fp mem st budget]
                $($name {
                    let packed = imm!(pc, 1);
                    let $a = $get(*fp.add(imm!(pc, 0) as usize));
                    let $b = $get(*fp.add((packed & 0xffff) as usize));
                    *fp.add((packed >> 16) as usize) = $put($e);
                    pc = pc.add(1);
                })*
            }
        }
        mod bin_set {
            use super::*;
            handlers! { [pc sp fp mem st budget]
                $($name {
                    let $b = $get(*sp.sub(1));
                    let $a = $get(*sp.sub(2));
                    sp = sp.sub(2);
                    *fp.add(imm!(pc, 0) as usize) = $put($e);
                    pc = pc.add(1);
                })*
            }
        }
        mod br_if_local_bin2_nez {
            use super::*;
            handlers! { [pc sp fp mem st budget]
                $($name {
                    let packed = imm!(pc, 1);
                    let $a = $get(*fp.add((packed & 0xffff) as usize));
                    let $b = $get(*fp.add((packed >> 16) as usize));
                    // Only i32-valued ops can feed `br_if`.
                    if $put($e) as u32 != 0 { jump!(pc); } else { pc = pc.add(1); }
                })*
            }
        }
        mod br_if_local_bin2_eqz {
            use super::*;
            handlers! { [pc sp fp mem st budget]
                $($name {
                    let packed = imm!(pc, 1);
                    let $a = $get(*fp.add((packed & 0xffff) as usize));
                    let $b = $get(*fp.add((packed >> 16) as usize));
                    if $put($e) as u32 == 0 { jump!(pc); } else { pc = pc.add(1); }
                })*
            }
        }
        pub(crate) const BIN_SET: &[Handler] = &[$(bin_set::$name,)*];
        pub(crate) const BR_IF_LOCAL_BIN2_NEZ: &[Handler] = &[$(br_if_local_bin2_nez::$name,)*];
        pub(crate) const BR_IF_LOCAL_BIN2_EQZ: &[Handler] = &[$(br_if_local_bin2_eqz::$name,)*];
        pub(crate) const LOCAL_BIN: &[Handler] = &[$(local_bin::$name,)*];
        pub(crate) const LOCAL_BIN2: &[Handler] = &[$(local_bin2::$name,)*];
        pub(crate) const LOCAL_BIN_SET: &[Handler] = &[$(local_bin_set::$name,)*];
        pub(crate) const LOCAL_BIN2_SET: &[Handler] = &[$(local_bin2_set::$name,)*];
    };
}
local_binop_list!(local_binop_handlers);
