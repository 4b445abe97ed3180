//! The interpreter's side of tiered execution (`Tier::Auto`).
//!
//! Code translated with [`Tiering`] starts every function with `Op::TierEntry` and every loop
//! with `Op::TierLoop`. Both bump a counter of the function ([`Hotness`]) and compare it with
//! the next point at which to look again; the comparison is all the fast path does. Past the
//! threshold the slow paths here ask the store's `TierHooks::promote` for machine code:
//!
//! - at an entry, if the function has machine code (now or from earlier), the interpreter
//!   runs it in place of the bytecode: the frame `enter!` pushed holds the arguments, the
//!   compiled call leaves the results there, and the slow path returns like `Op::Return`.
//!   This is why every way into a function (direct calls, calls through the index space or
//!   a table, host entries) switches tier at once: they all pass the entry op. The outermost
//!   activation (entered from the host or from compiled code, or taken over by tail calls)
//!   does not wait for the machine code: it hands the call back to its caller (see
//!   `exec`'s docs on crossing tiers by tail calls).
//! - at a loop header, the request queues compilation for the function's next calls, and
//!   the running activation moves to machine code compiled to start at that loop header
//!   (on-stack replacement, `TierHooks::osr`) once that code exists, if the operand stack is
//!   empty there: the compiled entry takes the locals and finishes the call. Otherwise the
//!   activation stays interpreted and only the next call switches.
//!
//! Counters are per module, shared by its instances and stores: hotness is a property of the
//! code, and so is the machine code the JIT makes for it.

use std::sync::atomic::{AtomicU64, Ordering::Relaxed};

use wasmtier_runtime::vmctx::Promotion;
use wasmtier_runtime::{FuncId, StoreOpaque, Trap};

use crate::code::{Exit, Instr};
use crate::exec::Exec;

/// When functions count as hot.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Tiering {
    /// Calls after which a function is promoted.
    pub call_threshold: u64,
    /// Loop iterations (summed over the function's loops) after which it is promoted.
    pub loop_threshold: u64,
}

/// Per-function counters of tiered execution.
#[derive(Debug)]
pub struct Hotness {
    /// Interpreted entries, plus the compiled ones when the JIT counts calls.
    calls: AtomicU64,
    /// Interpreted loop iterations.
    iterations: AtomicU64,
    /// `calls` value at which an entry takes the slow path (`u64::MAX`: never).
    next_call_check: AtomicU64,
    /// `iterations` value at which a loop header takes the slow path.
    next_loop_check: AtomicU64,
    call_threshold: u64,
    loop_threshold: u64,
}

impl Hotness {
    pub(crate) fn new(tiering: Option<&Tiering>) -> Hotness {
        let (calls, loops) = tiering.map_or((u64::MAX, u64::MAX), |t| {
            (t.call_threshold, t.loop_threshold.max(1))
        });
        Hotness {
            calls: AtomicU64::new(0),
            iterations: AtomicU64::new(0),
            next_call_check: AtomicU64::new(calls),
            next_loop_check: AtomicU64::new(loops),
            call_threshold: calls,
            loop_threshold: loops,
        }
    }

    /// Counts an entry; true when the entry must take the slow path. Plain loads and stores:
    /// two stores running the same module may lose a count, which only delays promotion.
    #[inline(always)]
    pub(crate) fn count_call(&self) -> bool {
        let c = self.calls.load(Relaxed) + 1;
        self.calls.store(c, Relaxed);
        c >= self.next_call_check.load(Relaxed)
    }

    /// Counts a loop iteration; true when the loop header must take the slow path.
    #[inline(always)]
    pub(crate) fn count_iteration(&self) -> bool {
        let c = self.iterations.load(Relaxed) + 1;
        self.iterations.store(c, Relaxed);
        c >= self.next_loop_check.load(Relaxed)
    }

    /// Calls counted so far.
    pub fn calls(&self) -> u64 {
        self.calls.load(Relaxed)
    }

    /// Interpreted loop iterations counted so far.
    pub fn loop_iterations(&self) -> u64 {
        self.iterations.load(Relaxed)
    }

    /// The call counter, for compiled code that keeps counting calls (statistics). Other
    /// threads running the same module update it at the same time: compiled code must
    /// increment it with an atomic read-modify-write, as the JIT does.
    pub fn calls_counter(&self) -> &AtomicU64 {
        &self.calls
    }

    /// Takes back the count of an entry that runs machine code after all: compiled code
    /// counts its own calls when it counts at all.
    fn uncount_call(&self) {
        self.calls
            .store(self.calls.load(Relaxed).saturating_sub(1), Relaxed);
    }

    /// Stops looking: the function stays interpreted.
    fn give_up(&self) {
        self.next_call_check.store(u64::MAX, Relaxed);
        self.next_loop_check.store(u64::MAX, Relaxed);
    }

    /// Machine code is on its way: look again after another threshold's worth of calls or
    /// iterations (sooner if [`Hotness::code_ready`] is called), so that waiting costs the
    /// interpreter nothing.
    fn expect_code(&self) {
        let next = self.calls.load(Relaxed).saturating_add(self.call_threshold);
        self.next_call_check.store(next, Relaxed);
        self.rearm_loops();
    }

    /// Machine code exists (or its compilation ended): every entry takes the slow path from
    /// now on, which runs the machine code. Called by the compiling side when background
    /// compilation finishes.
    pub fn code_ready(&self) {
        self.next_call_check.store(0, Relaxed);
    }

    fn rearm_loops(&self) {
        let next = self
            .iterations
            .load(Relaxed)
            .saturating_add(self.loop_threshold);
        self.next_loop_check.store(next, Relaxed);
    }
}

/// Asks for machine code for `fid` unless it has some already.
fn promote(store: &mut StoreOpaque, fid: FuncId) -> Promotion {
    if store.compiled_call(fid).is_some() {
        return Promotion::Ready;
    }
    match store.tier_hooks.and_then(|h| h.promote) {
        Some(promote) => promote(store, fid),
        None => Promotion::Never,
    }
}

/// The function `st` is executing, as a store function id.
///
/// # Safety
/// `st.func` must be a function of the current instance `st.ctx`.
unsafe fn current_func_id(st: &Exec) -> FuncId {
    // SAFETY: per the contract, the function index is valid for the instance's funcs.
    unsafe { *st.ctx.funcs.add((*st.func).func_index as usize) }
}

/// `Op::TierEntry` found the function just entered hot: runs its machine code if there is
/// some (and returns to the caller as `Op::Return` would), else continues interpreting.
///
/// # Safety
/// Called from the `tier_entry` handler with its registers: `fp` is the frame `enter!` (or
/// `execute`) set up for `st.func`, holding the arguments.
#[cold]
#[inline(never)]
pub(crate) unsafe fn entry_slow(
    pc: *const Instr,
    fp: *mut u64,
    mem: *mut u8,
    st: &mut Exec,
) -> Exit {
    // SAFETY: see the contract; the store outlives the execution and no other reference to
    // it is live while a handler runs.
    unsafe {
        let func = st.func;
        let fid = current_func_id(st);
        let store = &mut *st.store;
        let promotion = promote(store, fid);
        let call = match (promotion, store.compiled_call(fid)) {
            (_, Some(call)) => call,
            (Promotion::Never, None) => {
                (*func).hotness.give_up();
                return crate::handlers::next(pc.add(1), fp, mem, st);
            }
            _ => {
                (*func).hotness.expect_code();
                return crate::handlers::next(pc.add(1), fp, mem, st);
            }
        };
        (*func).hotness.uncount_call();
        // The outermost activation hands the call back rather than making it from inside
        // the interpreter: it ends here anyway (its results would be the call's), and a
        // chain of tail calls through compiled and interpreted code must not keep an
        // interpreter activation alive per crossing (see `Completion::TailCall`).
        if st.frames.is_empty() {
            return st.hand_back_tail_call(fid, fp);
        }
        // The frame has room for max(params, results) slots: its size counts the results
        // on the operand stack at the function's end.
        let (np, nr) = ((*func).num_params as usize, (*func).num_results as usize);
        let slots = std::slice::from_raw_parts_mut(fp, np.max(nr));
        let result = call(store, fid, slots);
        return_from_compiled(result, st)
    }
}

/// Returns to the caller of the current function, whose rest ran as machine code that left
/// its results in the first slots of the function's frame (where `Op::Return` moves them).
///
/// # Safety
/// Called by the tiering slow paths of the current function.
unsafe fn return_from_compiled(result: Result<(), Trap>, st: &mut Exec) -> Exit {
    // SAFETY: per the contract; the caller's frame is intact below the callee's.
    unsafe {
        match st.pop_frame() {
            None => match result {
                Ok(()) => Exit::Done,
                // No interpreted frame is left to add to the backtrace.
                Err(trap) => st.set_trap(trap),
            },
            Some((ret_pc, caller_fp)) => match result {
                Ok(()) => {
                    let mem = st.mem_base();
                    crate::handlers::next(ret_pc, caller_fp, mem, st)
                }
                // An exception may be caught by the caller (at its call instruction).
                Err(trap) => st.catch_trap(trap, ret_pc.wrapping_sub(1), caller_fp),
            },
        }
    }
}

/// `Op::TierLoop` found the current function's loops hot: requests machine code for the
/// function's next calls, and moves the running activation to machine code compiled to
/// start at this loop (on-stack replacement) once that exists, if the operand stack is
/// empty here (the entry takes only locals).
///
/// # Safety
/// Called from the `tier_loop` handler with its registers.
#[cold]
#[inline(never)]
pub(crate) unsafe fn loop_slow(
    pc: *const Instr,
    fp: *mut u64,
    mem: *mut u8,
    st: &mut Exec,
) -> Exit {
    // SAFETY: `st.func` is the running function of instance `st.ctx`, `fp` its frame; the
    // store outlives the execution and no other reference to it is live while a handler runs.
    unsafe {
        let func = st.func;
        let fid = current_func_id(st);
        let store = &mut *st.store;
        match promote(store, fid) {
            Promotion::Never => {
                (*func).hotness.give_up();
                return crate::handlers::next(pc.add(1), fp, mem, st);
            }
            Promotion::Ready => {
                (*func).hotness.code_ready();
                (*func).hotness.rearm_loops();
            }
            Promotion::Pending => (*func).hotness.expect_code(),
        }
        let (nl, nr) = ((*func).num_locals as usize, (*func).num_results as usize);
        let osr = store.tier_hooks.and_then(|h| h.osr);
        let hi = ((*pc).imm >> 32) as u32;
        let (loop_index, stack_empty) = (hi & 0x7fff_ffff, hi >> 31 != 0);
        if let Some(osr) = osr.filter(|_| stack_empty) {
            // The frame holds the locals and, as in `entry_slow`, room for the results.
            let slots = std::slice::from_raw_parts_mut(fp, nl.max(nr));
            if let Some(result) = osr(store, fid, loop_index, slots) {
                return return_from_compiled(result, st);
            }
        }
        crate::handlers::next(pc.add(1), fp, mem, st)
    }
}
