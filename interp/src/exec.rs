//! Running threaded code: entry from the host, the interpreter state the handlers share, and
//! the out-of-line slow paths (calls that leave the module, traps, table and memory growth).
//!
//! Calls between wasm functions push a `Frame` on a side stack instead of recursing on the
//! host stack, so deep wasm recursion ends in a "call stack exhausted" trap, not a crash.
//!
//! **Crossing tiers by tail calls.** A call to a function with machine code runs it through
//! the store's tier hook, nested in this activation, except a tail call made by the
//! outermost activation (no suspended caller left): that one is handed back to whoever
//! entered the interpreter (`Exit::TailCall`, then `Completion::TailCall` from
//! [`invoke_tail`]), since the activation would only wait for the callee to return its
//! results. The JIT's host trampolines make such a call as a native tail call, [`invoke`]
//! makes it itself; either way a chain of tail calls alternating between the tiers keeps no
//! host frames per crossing.
//!
//! Safety rests on facts established before any handler touches memory: every function was
//! validated and translated with its operand-stack height known at each instruction, so
//! every slot an instruction names lies in the function's frame; entering a function checks
//! that its whole frame (`frame_size`: locals plus the deepest operand stack) fits below
//! `stack_end`; every linear-memory access is checked against `mem_len`, which is refreshed
//! whenever it may have changed.
//!
//! **Safepoints.** Handlers do no per-instruction bookkeeping. Interruption and fuel are
//! checked where execution can repeat: at every loop header (`Op::LoopHeader`/`TierLoop`)
//! and every function entry. Fuel is charged there in advance for the wasm operators of the
//! loop body (or of the function body outside its loops), an upper bound of what that
//! iteration or call runs. The same check bounds host-stack use in builds that chain
//! handlers with tail calls: should the compiler not turn some handler's final call into a
//! jump, each such handler leaves one host frame behind, at most a loop body's worth before
//! the next safepoint sees the host stack below `native_floor` and ends the chain, and
//! `execute` resumes it from a fresh host stack.

use std::cell::{Cell, RefCell};
use std::ptr;
use std::sync::atomic::{AtomicBool, Ordering};

use wasmtier_runtime::memory::VMMemoryDefinition;
use wasmtier_runtime::module::ModuleInfo;
use wasmtier_runtime::vmctx::Completion;
use wasmtier_runtime::{
    FrameInfo, FuncId, FuncKind, HostContext, InstanceId, MemoryId, SharedTypeId, StoreOpaque,
    TableEntity, TableId, Trap, TrapCode, raw_ref,
};

use crate::ModuleCode;
use crate::code::{Exit, Instr};
use crate::translate::CompiledFunc;

/// Host -> wasm entries nested through host functions beyond this trap as stack exhaustion,
/// bounding the host stack each nesting level uses.
const MAX_NESTED_ENTRIES: usize = 200;

/// Host stack a chain of handlers may use before a safepoint ends it (see the module docs).
/// Handlers that tail-call use none of it.
const NATIVE_STACK_ALLOWANCE: usize = 64 * 1024;

thread_local! {
    /// Value stacks to reuse between calls: allocating a large stack per call would dominate
    /// short host -> wasm calls.
    static STACK_POOL: RefCell<Vec<Vec<u64>>> = const { RefCell::new(Vec::new()) };
    static NESTED_ENTRIES: Cell<usize> = const { Cell::new(0) };
    static FRAME_POOL: RefCell<Vec<Vec<Frame>>> = const { RefCell::new(Vec::new()) };
    /// Chains of handlers this thread ended to give back host stack (see the module docs).
    static HOST_STACK_RELEASES: Cell<u64> = const { Cell::new(0) };
}

/// How many times this thread's interpreter ended a chain of handlers because the host
/// stack had grown: zero when every handler's final call is a jump, which tests check.
pub fn host_stack_releases() -> u64 {
    HOST_STACK_RELEASES.with(Cell::get)
}

/// Frames reserved up front, so that pushing a frame never allocates in the common case.
const INITIAL_FRAMES: usize = 1024;

fn take_frames() -> Vec<Frame> {
    let pooled = FRAME_POOL.with(|p| p.borrow_mut().pop());
    pooled.unwrap_or_else(|| Vec::with_capacity(INITIAL_FRAMES))
}

fn give_back_frames(mut frames: Vec<Frame>) {
    frames.clear();
    FRAME_POOL.with(|p| p.borrow_mut().push(frames));
}

fn take_stack(slots: usize) -> Vec<u64> {
    let pooled = STACK_POOL.with(|p| p.borrow_mut().pop());
    match pooled {
        Some(s) if s.len() == slots => s,
        _ => vec![0; slots],
    }
}

fn give_back_stack(stack: Vec<u64>) {
    STACK_POOL.with(|p| p.borrow_mut().push(stack));
}

/// Calls `func` with arguments in `slots[..params]`; results land in `slots[..results]`.
/// A tail call the interpreter hands back ([`invoke_tail`]) is made here, through the
/// store's hook for compiled code.
pub fn invoke(store: &mut StoreOpaque, func: FuncId, slots: &mut [u64]) -> Result<(), Trap> {
    match invoke_tail(store, func, slots)? {
        Completion::Returned => Ok(()),
        Completion::TailCall(callee) => call_handed_back(store, callee, slots),
    }
}

/// Makes the tail call to compiled function `callee` that an interpreted activation handed
/// back, with the arguments in the store's `tail_args`, and leaves its results in `slots`.
fn call_handed_back(
    store: &mut StoreOpaque,
    callee: FuncId,
    slots: &mut [u64],
) -> Result<(), Trap> {
    let call = store
        .compiled_call(callee)
        .expect("tail calls are handed back only for functions with machine code");
    let results = store.func(callee).ty.result_slots();
    // Taken out while the callee runs: it may hand back tail calls of its own (into a
    // buffer of its own, then), and nothing may overwrite these arguments meanwhile.
    let mut args = std::mem::take(&mut store.tail_args);
    let outcome = call(store, callee, &mut args);
    if outcome.is_ok() {
        slots[..results].copy_from_slice(&args[..results]);
    }
    store.tail_args = args;
    outcome
}

/// As [`invoke`], except that a tail call from `func`'s activation (or from a function that
/// took its frame over by tail calls) to a function with machine code is not made here but
/// returned as [`Completion::TailCall`], for the caller to make: the JIT's host trampolines
/// make it as a native tail call, so that chains alternating between the tiers do not nest
/// one host call per crossing.
pub fn invoke_tail(
    store: &mut StoreOpaque,
    func: FuncId,
    slots: &mut [u64],
) -> Result<Completion, Trap> {
    let entity = store.func(func);
    let (num_params, num_results) = (entity.ty.param_slots(), entity.ty.result_slots());
    assert!(
        slots.len() >= num_params.max(num_results),
        "slots too short for the call"
    );
    match &entity.kind {
        FuncKind::Host(cb) => {
            let cb = cb.clone();
            cb(store, HostContext { caller: None }, slots).map(|()| Completion::Returned)
        }
        &FuncKind::Wasm { instance, index } => {
            let Some(_nesting) = NestingGuard::enter() else {
                return Err(Trap::new(TrapCode::StackOverflow));
            };
            let mut stack = take_stack(store.limits.max_stack_slots.max(16));
            stack[..num_params].copy_from_slice(&slots[..num_params]);
            let result = execute(store, &mut stack, instance, index);
            if let Ok(Completion::Returned) = result {
                slots[..num_results].copy_from_slice(&stack[..num_results]);
            }
            give_back_stack(stack);
            result
        }
    }
}

/// One level of [`NESTED_ENTRIES`], given back when dropped: also when a host function's
/// panic unwinds through the entry, so that panics caught by the embedder do not use up the
/// nesting budget of the thread.
struct NestingGuard {
    depth: usize,
}

impl NestingGuard {
    /// `None` if the thread is already `MAX_NESTED_ENTRIES` entries deep.
    fn enter() -> Option<NestingGuard> {
        let depth = NESTED_ENTRIES.with(|d| d.get());
        if depth >= MAX_NESTED_ENTRIES {
            return None;
        }
        NESTED_ENTRIES.with(|d| d.set(depth + 1));
        Some(NestingGuard { depth })
    }
}

impl Drop for NestingGuard {
    fn drop(&mut self) {
        NESTED_ENTRIES.with(|d| d.set(self.depth));
    }
}

/// A suspended caller.
pub(crate) struct Frame {
    ret_pc: *const Instr,
    fp: *mut u64,
    func: *const CompiledFunc,
    inst: InstanceId,
}

/// Raw views of the current instance, refreshed whenever execution crosses instances.
pub(crate) struct Ctx {
    pub(crate) inst: InstanceId,
    pub(crate) code: *const ModuleCode,
    pub(crate) module: *const ModuleInfo,
    pub(crate) funcs: *const FuncId,
    pub(crate) tables: *const TableId,
    pub(crate) memories: *const MemoryId,
    pub(crate) globals: *const *const Cell<u64>,
    pub(crate) mem: *const VMMemoryDefinition,
}

impl Ctx {
    fn new(store: &StoreOpaque, id: InstanceId) -> Ctx {
        let inst = store.instance(id);
        let code = inst
            .code
            .downcast_ref::<ModuleCode>()
            .expect("instances are created with interpreter code");
        Ctx {
            inst: id,
            code,
            module: &*inst.module,
            funcs: inst.funcs.as_ptr(),
            tables: inst.tables.as_ptr(),
            memories: inst.memories.as_ptr(),
            globals: inst.vm.globals.as_ptr(),
            mem: inst.vm.memory,
        }
    }
}

/// How a call through the function index space or a table proceeds.
pub(crate) enum CallOutcome {
    /// Enter this wasm function (the context now is the callee's instance).
    Enter(*const CompiledFunc),
    /// A host function (or machine code) ran; its results are in place.
    Done,
    /// The callee trapped; the trap is stored.
    Trapped,
    /// A tail call from the outermost activation to a function with machine code: handed
    /// back to the interpreter's caller (`Exec::tail_request`), the activation ends.
    HandBack,
}

/// What a safepoint found (`Exec::safepoint_slow`).
pub(crate) enum Attention {
    /// Nothing to do: go on.
    Continue,
    /// A trap (interruption, fuel) is stored.
    Trap,
    /// The host stack is deep: end the chain of handlers and resume from `execute`.
    ReleaseStack,
}

/// The current host stack pointer (approximately, where no instruction reads it exactly).
#[inline(always)]
fn native_sp() -> usize {
    #[cfg(target_arch = "x86_64")]
    {
        let sp: usize;
        // SAFETY: reads the stack pointer register into a general register; no memory access.
        unsafe {
            std::arch::asm!("mov {}, rsp", out(reg) sp, options(nomem, nostack, preserves_flags))
        };
        sp
    }
    #[cfg(target_arch = "aarch64")]
    {
        let sp: usize;
        // SAFETY: as above.
        unsafe {
            std::arch::asm!("mov {}, sp", out(reg) sp, options(nomem, nostack, preserves_flags))
        };
        sp
    }
    #[cfg(not(any(target_arch = "x86_64", target_arch = "aarch64")))]
    {
        let marker = 0u8;
        std::hint::black_box(&marker) as *const u8 as usize
    }
}

/// State shared by the handlers of one host -> wasm entry.
pub struct Exec {
    pub(crate) store: *mut StoreOpaque,
    /// Suspended callers. Pushes never reallocate: `enter!` checks `frame_limit` first and
    /// leaves growing to `grow_frames`.
    pub(crate) frames: Vec<Frame>,
    /// `min(frames.capacity(), max_depth)`.
    pub(crate) frame_limit: usize,
    /// Callee, caller instance and callee frame of a call handed from `enter!` to
    /// `enter_slow`.
    pub(crate) pending_call: (*const CompiledFunc, InstanceId, *mut u64),
    pub(crate) ctx: Ctx,
    /// The function being executed (for backtraces and frames).
    pub(crate) func: *const CompiledFunc,
    pub(crate) mem_len: usize,
    pub(crate) stack_end: *mut u64,
    pub(crate) max_depth: usize,
    trap: Option<Trap>,
    /// Where a chain of handlers that returned `Exit::Resume` continues: pc, fp, memory base.
    pub(crate) resume: (*const Instr, *mut u64, *mut u8),
    /// The store's interrupt flag.
    interrupt: *const AtomicBool,
    /// The store's fuel (`None`: not metered).
    fuel: *mut Option<u64>,
    /// Safepoints end the chain of handlers when the host stack pointer is below this.
    native_floor: usize,
    /// The compiled function an `Exit::TailCall` hands the call to.
    tail_request: Option<FuncId>,
}

impl Exec {
    /// Whether a safepoint has anything to do: an interrupt, fuel to charge, or a deep host
    /// stack. Two loads and three compares.
    #[inline(always)]
    pub(crate) fn needs_attention(&self) -> bool {
        // SAFETY: both point into the store, which outlives this execution; the flag is
        // atomic, and the fuel is only written by this thread while wasm runs.
        unsafe {
            (*self.interrupt).load(Ordering::Relaxed)
                | (*self.fuel).is_some()
                | (native_sp() < self.native_floor)
        }
    }

    /// The rare part of a safepoint: stops an interrupted store, charges `cost` units of
    /// fuel (all that is left, then a trap, if that is not enough), and asks to release the
    /// host stack when it is deep.
    #[cold]
    #[inline(never)]
    pub(crate) fn safepoint_slow(&mut self, cost: u32, pc: *const Instr) -> Attention {
        // SAFETY: the store outlives this execution and no other reference to it is live.
        let store = unsafe { &mut *self.store };
        if store.interrupt.swap(false, Ordering::Relaxed) {
            self.raise(TrapCode::Interrupted, pc);
            return Attention::Trap;
        }
        if let Some(left) = &mut store.fuel {
            if *left < cost as u64 {
                *left = 0;
                self.raise(TrapCode::OutOfFuel, pc);
                return Attention::Trap;
            }
            *left -= cost as u64;
        }
        if native_sp() < self.native_floor {
            HOST_STACK_RELEASES.with(|n| n.set(n.get() + 1));
            return Attention::ReleaseStack;
        }
        Attention::Continue
    }

    fn take_trap(&mut self, exit: Exit) -> Trap {
        debug_assert_eq!(exit, Exit::Trap);
        self.trap.take().expect("a trap exit stores its trap")
    }

    /// Records a trap at the current function and returns the exit for it.
    #[inline(never)]
    #[cold]
    pub(crate) fn raise(&mut self, code: TrapCode, _pc: *const Instr) -> Exit {
        self.raise_trap(Trap::new(code))
    }

    /// Records `trap` after adding the interpreted frames to its backtrace.
    pub(crate) fn raise_trap(&mut self, trap: Trap) -> Exit {
        // SAFETY: the store outlives this execution and no other reference to it is live.
        let store = unsafe { &*self.store };
        self.trap = Some(add_backtrace(
            store,
            trap,
            self.ctx.inst,
            self.func,
            &self.frames,
        ));
        Exit::Trap
    }

    /// `throw` at `pc` (frame `fp`): a new exception of tag `tag` of the current instance,
    /// whose payload is the `n` slots from `base`, looks for its handler.
    ///
    /// # Safety
    /// The `n` slots from `fp + base` must lie in the current frame (the verifier checks
    /// the op's slots).
    #[inline(never)]
    #[cold]
    pub(crate) unsafe fn throw_new(
        &mut self,
        tag: u32,
        base: usize,
        n: usize,
        pc: *const Instr,
        fp: *mut u64,
    ) -> Exit {
        // SAFETY: as in `raise_trap`; the payload slots per the contract.
        let raw = unsafe {
            let store = &mut *self.store;
            let tag = store.instance(self.ctx.inst).tags[tag as usize];
            let payload = std::slice::from_raw_parts(fp.add(base), n).into();
            store.add_exception(tag, payload)
        };
        self.throw(raw, pc, fp)
    }

    /// Throws the exception `exn` at `pc` (frame `fp`): continues at the landing pad of the
    /// innermost handler that catches it, in this function or a caller of this activation
    /// (`Exit::Resume`), or leaves the activation with it as a trap
    /// ([`Trap::exception`]).
    #[inline(never)]
    #[cold]
    pub(crate) fn throw(&mut self, exn: u64, pc: *const Instr, fp: *mut u64) -> Exit {
        match self.catch(exn, pc, fp, false) {
            Some(exit) => exit,
            None => self.raise_trap(Trap::exception(exn)),
        }
    }

    /// A call at `pc` (frame `fp`) failed with the trap now stored: if it is an exception,
    /// looks for its handler as [`Self::throw`] does, in this function's callers only with
    /// `skip_current` (a tail call, whose caller's frame is gone).
    #[inline(never)]
    #[cold]
    pub(crate) fn catch_stored(
        &mut self,
        pc: *const Instr,
        fp: *mut u64,
        skip_current: bool,
    ) -> Exit {
        if let Some(exn) = self.trap.as_ref().and_then(Trap::exnref)
            && let Some(exit) = self.catch(exn, pc, fp, skip_current)
        {
            self.trap = None;
            return exit;
        }
        Exit::Trap
    }

    /// `trap` reached the call at `pc` (frame `fp`) of the current function: an exception
    /// looks for its handler as [`Self::throw`] does; anything else is raised here.
    pub(crate) fn catch_trap(&mut self, trap: Trap, pc: *const Instr, fp: *mut u64) -> Exit {
        if let Some(exn) = trap.exnref()
            && let Some(exit) = self.catch(exn, pc, fp, false)
        {
            return exit;
        }
        self.raise_trap(trap)
    }

    /// Looks for the innermost handler of exception `exn` (a raw `exnref` of this store),
    /// raised at `pc` of the current function (frame `fp`), unless `skip_current`, then at
    /// the call sites of the suspended callers of this activation, innermost first. When
    /// one catches it, the frames above the handler's are dropped, the payload (and the
    /// reference, for the `_ref` clauses) is written to the label's slots, and execution
    /// resumes at the clause's landing pad: `Some(Exit::Resume)`.
    fn catch(
        &mut self,
        exn: u64,
        pc: *const Instr,
        fp: *mut u64,
        skip_current: bool,
    ) -> Option<Exit> {
        // SAFETY: as in `raise_trap`. The store is only read while the reference lives.
        let store = unsafe { &*self.store };
        let exception = store.exception(exn)?;
        let levels = self.frames.len();
        let mut found = None;
        // Level `levels` is the current function, level `k` below it the caller saved in
        // `frames[k]`, whose call instruction is the one before its return address.
        for level in (0..=levels).rev() {
            let (func, inst, at, frame_fp) = if level == levels {
                if skip_current {
                    continue;
                }
                (self.func, self.ctx.inst, pc, fp)
            } else {
                let frame = &self.frames[level];
                (
                    frame.func,
                    frame.inst,
                    frame.ret_pc.wrapping_sub(1),
                    frame.fp,
                )
            };
            // SAFETY: function pointers point into `ModuleCode`s the store's instances keep
            // alive; `at` points into that function's code (a throw or call instruction).
            let (handlers, index) = unsafe {
                let handlers = &(*func).handlers;
                if handlers.is_empty() {
                    continue;
                }
                (handlers, at.offset_from((*func).code.as_ptr()) as usize)
            };
            let tags = &store.instance(inst).tags;
            let clause = handlers
                .iter()
                .filter(|h| (h.start as usize..h.end as usize).contains(&index))
                .flat_map(|h| h.clauses.iter())
                .find(|c| c.tag.is_none_or(|t| tags[t as usize] == exception.tag));
            if let Some(clause) = clause {
                found = Some((level, func, inst, frame_fp, *clause));
                break;
            }
        }
        let (level, func, inst, fp, clause) = found?;
        // SAFETY: the translator sized the frame for the label's values at `clause.base`
        // (the payload, then the reference), which the handler's tag types.
        unsafe {
            let mut dst = fp.add(clause.base as usize);
            if clause.tag.is_some() {
                let n = exception.payload.len();
                ptr::copy_nonoverlapping(exception.payload.as_ptr(), dst, n);
                dst = dst.add(n);
            }
            if clause.with_ref {
                *dst = exn;
            }
        }
        self.frames.truncate(level);
        self.func = func;
        if inst != self.ctx.inst {
            self.switch_instance(inst);
        }
        let mem = self.mem_base();
        // SAFETY: the landing pad is an op of the function (the translator emitted it).
        let pad = unsafe { (*func).code.as_ptr().add(clause.pad as usize) };
        self.resume = (pad, fp, mem);
        Some(Exit::Resume)
    }

    /// Records `trap` as it is (its backtrace is complete).
    pub(crate) fn set_trap(&mut self, trap: Trap) -> Exit {
        self.trap = Some(trap);
        Exit::Trap
    }

    #[inline(always)]
    pub(crate) fn push_frame(
        &mut self,
        ret_pc: *const Instr,
        fp: *mut u64,
        caller_inst: InstanceId,
    ) {
        let len = self.frames.len();
        debug_assert!(len < self.frames.capacity());
        let frame = Frame {
            ret_pc,
            fp,
            func: self.func,
            inst: caller_inst,
        };
        // SAFETY: callers check `len < frame_limit <= capacity` first (see `enter!`), so the
        // slot is allocated; writing it and growing the length by one keeps the Vec valid.
        unsafe {
            self.frames.as_mut_ptr().add(len).write(frame);
            self.frames.set_len(len + 1);
        }
    }

    /// Doubles the room for frames (up to the call-depth limit).
    #[cold]
    #[inline(never)]
    pub(crate) fn grow_frames(&mut self) {
        let want = (self.frames.capacity() * 2)
            .max(INITIAL_FRAMES)
            .min(self.max_depth);
        self.frames.reserve(want.saturating_sub(self.frames.len()));
        self.frame_limit = self.frames.capacity().min(self.max_depth);
    }

    /// Returns to the caller: its resume point and frame pointer, or `None` at the bottom.
    #[inline(always)]
    pub(crate) fn pop_frame(&mut self) -> Option<(*const Instr, *mut u64)> {
        let frame = self.frames.pop()?;
        self.func = frame.func;
        if frame.inst != self.ctx.inst {
            self.switch_instance(frame.inst);
        }
        Some((frame.ret_pc, frame.fp))
    }

    #[inline(never)]
    fn switch_instance(&mut self, inst: InstanceId) {
        // SAFETY: as in `raise_trap`.
        self.ctx = Ctx::new(unsafe { &*self.store }, inst);
    }

    /// The current memory's base, refreshing the cached length.
    #[inline(always)]
    pub(crate) fn mem_base(&mut self) -> *mut u8 {
        if self.ctx.mem.is_null() {
            return ptr::null_mut();
        }
        // SAFETY: `ctx.mem` points at a memory definition the store keeps alive and in place.
        unsafe {
            self.mem_len = (*self.ctx.mem).length;
            (*self.ctx.mem).base
        }
    }

    /// Table `index` of the current instance.
    ///
    /// # Safety
    /// `index` must be a valid table index of the current module (validation ensures it).
    pub(crate) unsafe fn table(&mut self, index: u32) -> &mut TableEntity {
        // SAFETY: per the contract, and the store outlives this execution.
        unsafe { (*self.store).table_mut(*self.ctx.tables.add(index as usize)) }
    }

    /// `table.grow` on table `index` of the current instance by the operand `delta` (an i64
    /// for a 64-bit table, else an i32): the old size, or -1 (as the table's index type)
    /// when the table's maximum or the store's limits refuse.
    ///
    /// # Safety
    /// As for [`Self::table`].
    #[inline(never)]
    pub(crate) unsafe fn table_grow(&mut self, index: u32, delta: u64, init: u64) -> u64 {
        // SAFETY: per the contract, and the store outlives this execution.
        let (grown, is64) = unsafe {
            let table = *self.ctx.tables.add(index as usize);
            let is64 = (*self.store).table(table).ty.table64;
            let delta = if is64 { delta } else { delta as u32 as u64 };
            ((*self.store).grow_table(table, delta, init), is64)
        };
        grown.map_or(minus_one(is64), u64::from)
    }

    /// Data segment `index` of the current instance (empty once dropped).
    pub(crate) fn data_segment(&self, index: u32) -> &[u8] {
        // SAFETY: as in `raise_trap`; validation guarantees the segment index exists.
        unsafe { &(*self.store).instance(self.ctx.inst).data_segments[index as usize] }
    }

    #[inline(never)]
    pub(crate) fn drop_data(&mut self, index: u32) {
        // SAFETY: as in `data_segment`.
        unsafe { (*self.store).drop_data(self.ctx.inst, index) }
    }

    #[inline(never)]
    pub(crate) fn drop_elem(&mut self, index: u32) {
        // SAFETY: as in `data_segment`.
        unsafe { (*self.store).drop_elem(self.ctx.inst, index) }
    }

    /// Memory `index` of the current instance.
    fn memory_id(&self, index: u32) -> MemoryId {
        // SAFETY: validation guarantees that the memory index of an instruction names a
        // memory of the instance; `ctx.memories` points at the instance's memory list.
        unsafe { *self.ctx.memories.add(index as usize) }
    }

    /// Base address and length in bytes of memory `index` of the current instance.
    #[inline(never)]
    pub(crate) fn memory_view(&self, index: u32) -> (*mut u8, usize) {
        // SAFETY: `self.store` is the store this activation runs in (see `data_segment`).
        let memory = unsafe { (*self.store).memory(self.memory_id(index)) };
        (memory.base(), memory.len())
    }

    /// `memory.size` of memory `index`, in its own pages (64 KiB, or one byte with the
    /// custom-page-sizes proposal).
    #[inline(never)]
    pub(crate) fn memory_size(&self, index: u32) -> u64 {
        // SAFETY: as in `memory_view`.
        unsafe { (*self.store).memory(self.memory_id(index)).pages() }
    }

    /// Whether memory `index` of the current instance is 64-bit.
    #[inline(never)]
    pub(crate) fn memory64(&self, index: u32) -> bool {
        // SAFETY: as in `memory_view`.
        unsafe { (*self.store).memory(self.memory_id(index)).ty().memory64 }
    }

    /// `memory.grow` of memory `index` by the operand `delta` (an i64 for a 64-bit memory,
    /// else an i32): the old size in pages, or -1 (as the memory's address type).
    #[inline(never)]
    pub(crate) fn memory_grow(&mut self, index: u32, delta: u64) -> u64 {
        let id = self.memory_id(index);
        // SAFETY: as in `memory_view`.
        let store = unsafe { &mut *self.store };
        let is64 = store.memory(id).ty().memory64;
        let delta = if is64 { delta } else { delta as u32 as u64 };
        store.grow_memory(id, delta).unwrap_or(minus_one(is64))
    }

    #[inline(never)]
    pub(crate) fn table_copy(
        &mut self,
        dst: u32,
        src: u32,
        d: u32,
        s: u32,
        n: u32,
    ) -> Result<(), TrapCode> {
        // SAFETY: as in `raise_trap`.
        unsafe { (*self.store).table_copy(self.ctx.inst, dst, src, d.into(), s.into(), n.into()) }
    }

    #[inline(never)]
    pub(crate) fn table_init(
        &mut self,
        table: u32,
        elem: u32,
        d: u32,
        s: u32,
        n: u32,
    ) -> Result<(), TrapCode> {
        // SAFETY: as in `raise_trap`.
        unsafe {
            (*self.store).table_init(self.ctx.inst, table, elem, d.into(), s.into(), n.into())
        }
    }

    /// The function `call_indirect` calls (checking bounds, null and signature), and its
    /// number of parameters.
    #[inline(never)]
    pub(crate) fn indirect_callee(
        &mut self,
        type_index: u32,
        table: u32,
        index: u32,
    ) -> Result<(FuncId, usize), TrapCode> {
        // SAFETY: `ctx.module` points at the current instance's `ModuleInfo`, which the
        // instance keeps alive (an `Arc` in the store) for the whole execution; the index
        // itself is bounds-checked.
        let expected = unsafe { (&(*self.ctx.module).type_ids)[type_index as usize] };
        // SAFETY: `table`'s contract: validation checked that the instruction's table index
        // names a table of the current instance.
        let elements = unsafe { &self.table(table).elements };
        let raw = *elements
            .get(index as usize)
            .ok_or(TrapCode::UndefinedElement)?;
        let f = raw_ref::to_func(raw).ok_or(TrapCode::UninitializedElement)?;
        // SAFETY: as in `raise_trap`.
        let callee = unsafe { (*self.store).get_func(f) }.ok_or(TrapCode::BadFuncRef)?;
        // Fast path: the same (canonical) type. Slow path: a declared subtype of it.
        if callee.type_id != expected
            // SAFETY: as in `raise_trap`.
            && !unsafe { (*self.store).registry.is_subtype(callee.type_id, expected) }
        {
            return Err(TrapCode::IndirectCallTypeMismatch);
        }
        Ok((f, callee.ty.param_slots()))
    }

    /// `call_indirect`'s common case in one step: element `index` of table `table` is a
    /// function of the current instance of type `type_index`, interpreted and already
    /// translated; returns it. Null for anything else (out of bounds, null, another type,
    /// another instance, a host function, machine code, not translated yet), which
    /// `indirect_callee` and `prepare_call` then handle, traps included.
    ///
    /// # Safety
    /// `table` must be a valid table index and `type_index` a valid type index of the
    /// current module (validation ensures both).
    #[inline(never)]
    pub(crate) unsafe fn interpreted_indirect_callee(
        &mut self,
        type_index: u32,
        table: u32,
        index: u32,
    ) -> *const CompiledFunc {
        // SAFETY: per the contract; `ctx.module` belongs to the current instance, which the
        // store keeps alive during the execution (see `indirect_callee`).
        unsafe {
            let expected = (&(*self.ctx.module).type_ids)[type_index as usize];
            match self.table(table).elements.get(index as usize) {
                Some(&raw) => self.interpreted_callee(raw, Some(expected)),
                None => ptr::null(),
            }
        }
    }

    /// The function `call_ref` calls (null traps), and its number of parameters.
    /// Validation typed the reference, so its signature needs no check.
    #[inline(never)]
    pub(crate) fn ref_callee(&mut self, raw: u64) -> Result<(FuncId, usize), TrapCode> {
        let f = raw_ref::to_func(raw).ok_or(TrapCode::NullFuncRef)?;
        // SAFETY: as in `raise_trap`.
        let callee = unsafe { (*self.store).get_func(f) }.ok_or(TrapCode::BadFuncRef)?;
        Ok((f, callee.ty.param_slots()))
    }

    /// The translated function of the current instance that the function reference `raw`
    /// names, if it is one that runs in the interpreter (and, given `expected`, of that
    /// type); null otherwise, as in `interpreted_indirect_callee`.
    #[inline(never)]
    pub(crate) fn interpreted_callee(
        &self,
        raw: u64,
        expected: Option<SharedTypeId>,
    ) -> *const CompiledFunc {
        let Some(f) = raw_ref::to_func(raw) else {
            return ptr::null();
        };
        // SAFETY: `self.store` is the store this activation runs in; `ctx.module` and
        // `ctx.code` belong to the current instance, which the store keeps alive during the
        // execution, and a function of that instance has a valid defined-function index.
        unsafe {
            let store = &*self.store;
            let Some(callee) = store.get_func(f) else {
                return ptr::null();
            };
            match callee.kind {
                FuncKind::Wasm { instance, index }
                    if instance == self.ctx.inst
                        && expected.is_none_or(|ty| callee.type_id == ty)
                        && store.compiled_call(f).is_none() =>
                {
                    let def = index - (*self.ctx.module).num_imported_funcs;
                    (*self.ctx.code).translated_unchecked(def)
                }
                _ => ptr::null(),
            }
        }
    }

    /// Hands a tail call to compiled function `f`, whose arguments are the slots from
    /// `args`, back to the caller of the interpreter: the outermost activation ends with
    /// `Exit::TailCall`.
    ///
    /// # Safety
    /// `args` must point at `f`'s arguments inside the value stack.
    pub(crate) unsafe fn hand_back_tail_call(&mut self, f: FuncId, args: *const u64) -> Exit {
        debug_assert!(
            self.frames.is_empty(),
            "only the outermost activation hands back"
        );
        // SAFETY: as in `raise_trap`.
        let store = unsafe { &mut *self.store };
        let ty = &store.func(f).ty;
        let (params, results) = (ty.param_slots(), ty.result_slots());
        let buffer = &mut store.tail_args;
        buffer.clear();
        // SAFETY: per the contract, the `params` slots from `args` are the arguments.
        buffer.extend_from_slice(unsafe { std::slice::from_raw_parts(args, params) });
        // Room for the results too, and never empty (callers hand out its pointer).
        buffer.resize(params.max(results).max(1), 0);
        self.tail_request = Some(f);
        Exit::TailCall
    }

    /// Resolves a call to `f` with its arguments in the slots from `args`: a wasm callee is
    /// returned to be entered (switching instance if needed); a host callee runs right here
    /// and leaves its results from `args`. For a tail call (`tail`) from the outermost
    /// activation to a function with machine code, the call is handed back instead
    /// ([`Self::hand_back_tail_call`]): made from here, it would keep this activation's host
    /// frames alive for as long as the chain of tail calls it starts goes on.
    #[inline(never)]
    pub(crate) fn prepare_call(&mut self, f: FuncId, args: *mut u64, tail: bool) -> CallOutcome {
        // SAFETY: as in `raise_trap`.
        let store = unsafe { &mut *self.store };
        let entity = store.func(f);
        // A function with machine code runs through the store's tier hook, like a host call.
        let compiled = store.compiled_call(f);
        if tail
            && compiled.is_some()
            && self.frames.is_empty()
            && matches!(entity.kind, FuncKind::Wasm { .. })
        {
            // SAFETY: `args` points at the callee's arguments in the caller's frame.
            unsafe { self.hand_back_tail_call(f, args) };
            return CallOutcome::HandBack;
        }
        match &entity.kind {
            &FuncKind::Wasm { instance, index } if compiled.is_none() => {
                let caller = self.ctx.inst;
                if instance != caller {
                    self.switch_instance(instance);
                }
                // SAFETY: `ctx` now describes the callee's instance, whose code holds `index`.
                let callee = unsafe {
                    let def = index - (*self.ctx.module).num_imported_funcs;
                    (*self.ctx.code).get_or_translate(def)
                };
                match callee {
                    Ok(func) => CallOutcome::Enter(func),
                    Err(e) => {
                        // The trap happens in the caller.
                        if instance != caller {
                            self.switch_instance(caller);
                        }
                        self.raise_trap(crate::lazy::translation_trap(index, &e));
                        CallOutcome::Trapped
                    }
                }
            }
            kind => {
                let cb = match kind {
                    FuncKind::Host(cb) => Some(cb.clone()),
                    FuncKind::Wasm { .. } => None,
                };
                let (params, results) = (entity.ty.param_slots(), entity.ty.result_slots());
                // SAFETY: the arguments are the `params` slots from `args` in the caller's
                // frame, and the translator counted the results there in the caller's frame
                // size, so `max(params, results)` slots from `args` lie inside the stack.
                unsafe {
                    let slots = std::slice::from_raw_parts_mut(args, params.max(results));
                    let outcome = match (cb, compiled) {
                        (Some(cb), _) => cb(
                            store,
                            HostContext {
                                caller: Some(self.ctx.inst),
                            },
                            slots,
                        ),
                        (None, Some(call)) => call(store, f, slots),
                        (None, None) => unreachable!("uncompiled wasm callees are entered"),
                    };
                    if let Err(trap) = outcome {
                        self.raise_trap(trap);
                        return CallOutcome::Trapped;
                    }
                    CallOutcome::Done
                }
            }
        }
    }
}

/// Adds the wasm frames (innermost first) to a trap's backtrace.
fn add_backtrace(
    store: &StoreOpaque,
    mut trap: Trap,
    inst: InstanceId,
    func: *const CompiledFunc,
    frames: &[Frame],
) -> Trap {
    let mut push = |inst: InstanceId, f: *const CompiledFunc| {
        // SAFETY: function pointers point into `ModuleCode`s kept alive by the store's
        // instances, which outlive this call.
        let index = unsafe { (*f).func_index };
        let module = &store.instance(inst).module;
        trap.push_frame(FrameInfo {
            func_index: index,
            func_name: module.func_name(index).map(str::to_string),
            module_name: module.name.clone(),
        });
    };
    push(inst, func);
    // Each frame records its caller's function and instance.
    for frame in frames.iter().rev() {
        push(frame.inst, frame.func);
    }
    trap
}

/// Runs defined function `index` (module index space) of instance `inst` on `stack`, whose
/// first slots hold the arguments; the results replace them.
fn execute(
    store: &mut StoreOpaque,
    stack: &mut [u64],
    inst: InstanceId,
    index: u32,
) -> Result<Completion, Trap> {
    let ctx = Ctx::new(store, inst);
    let stack_base = stack.as_mut_ptr();
    // SAFETY: `ctx` was just built from a live instance; `index` is one of its defined
    // functions (callers pass `FuncKind::Wasm` entries).
    let func: *const CompiledFunc = unsafe {
        let def = index - (*ctx.module).num_imported_funcs;
        match (*ctx.code).get_or_translate(def) {
            Ok(func) => func,
            Err(e) => return Err(crate::lazy::translation_trap(index, &e)),
        }
    };
    // SAFETY: `func` is valid as established above.
    let frame_size = unsafe { (*func).frame_size as usize };
    if frame_size > stack.len() {
        return Err(Trap::new(TrapCode::StackOverflow));
    }
    // SAFETY: the frame fits the stack (checked above).
    unsafe { crate::handlers::init_locals(stack_base, func) };
    let frames = take_frames();
    let interrupt: *const AtomicBool = &*store.interrupt;
    let fuel: *mut Option<u64> = &mut store.fuel;
    // In builds that chain handlers with tail calls, a safepoint that finds the host stack
    // this much deeper than here ends the chain (see the module docs).
    let native_floor = if crate::handlers::TAIL_DISPATCH {
        native_sp().saturating_sub(NATIVE_STACK_ALLOWANCE)
    } else {
        0
    };
    let mut st = Exec {
        max_depth: store.limits.max_call_depth,
        frame_limit: frames.capacity().min(store.limits.max_call_depth),
        pending_call: (ptr::null(), InstanceId(0), ptr::null_mut()),
        store,
        frames,
        ctx,
        func,
        mem_len: 0,
        // SAFETY: `stack_base..+len` is the allocation of `stack`, and a pointer one past its
        // end stays in bounds for `add`.
        stack_end: unsafe { stack_base.add(stack.len()) },
        trap: None,
        resume: (ptr::null(), ptr::null_mut(), ptr::null_mut()),
        interrupt,
        fuel,
        native_floor,
        tail_request: None,
    };
    let mem = st.mem_base();
    // SAFETY: `func` is valid as established above, and its code is non-empty (every
    // function ends in a return).
    let (mut pc, mut fp, mut mem) = unsafe { ((*func).code.as_ptr(), stack_base, mem) };
    // The entry's safepoint (calls from wasm have it in `enter!`).
    // SAFETY: as above.
    let entry_cost = unsafe { (*func).entry_cost };
    let entered = match st.safepoint_slow(entry_cost, ptr::null()) {
        Attention::Trap => Err(Exit::Trap),
        Attention::Continue | Attention::ReleaseStack => Ok(()),
    };
    let result = match entered {
        Err(exit) => Err(st.take_trap(exit)),
        Ok(()) => loop {
            #[cfg(feature = "op-profile")]
            // SAFETY: `pc` points at an instruction of a live function.
            crate::profile::record(unsafe { (*pc).handler });
            // SAFETY: `pc` points at an instruction of a live function; see the module docs
            // for why the handlers' accesses are in bounds.
            match unsafe { ((*pc).handler)(pc, fp, mem, &mut st) } {
                Exit::Resume => (pc, fp, mem) = st.resume,
                Exit::Done => break Ok(Completion::Returned),
                Exit::TailCall => {
                    let callee = st
                        .tail_request
                        .take()
                        .expect("a hand-back names its callee");
                    break Ok(Completion::TailCall(callee));
                }
                exit @ Exit::Trap => break Err(st.take_trap(exit)),
            }
        },
    };
    give_back_frames(std::mem::take(&mut st.frames));
    #[cfg(feature = "op-profile")]
    crate::profile::dump();
    result
}

/// Wasm's -1 as an i64 (`is64`) or an i32, in a slot.
fn minus_one(is64: bool) -> u64 {
    if is64 { u64::MAX } else { u32::MAX as u64 }
}
