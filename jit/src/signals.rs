//! Entering compiled code and getting out of it on a trap.
//!
//! `wasmtier_jit_enter` (assembly below) saves the callee-saved registers, records its stack
//! pointer in a slot owned by the Rust caller, and calls the array wrapper of the function.
//! Every trap in compiled code is a faulting instruction (`ud2` for explicit traps, a load or
//! store into the guard region, a stack-limit check) at a recorded trap site. The signal
//! handler checks that the faulting PC is such a site of registered code while this thread
//! is inside an entry, and, for a memory fault, that the faulting address lies in a linear
//! memory's reservation (`fault_matches_site`); if so it rewrites the signal context to
//! resume in `wasmtier_jit_trap_return`, which restores the saved stack pointer and
//! registers and returns the trap code from `wasmtier_jit_enter`. Only compiled frames and the entry
//! trampoline are skipped: compiled code never calls Rust code that could be mid-flight when
//! a trap is raised (builtins return a status first). Any other signal goes to the handler
//! that was installed before ours.

use std::cell::Cell;
use std::collections::BTreeMap;
use std::sync::{Arc, Once, OnceLock, RwLock};

#[cfg(target_arch = "x86_64")]
core::arch::global_asm!(
    ".text",
    ".p2align 4",
    ".globl wasmtier_jit_enter",
    ".type wasmtier_jit_enter,@function",
    // rdi = array wrapper, rsi = code, rdx = vmctx, rcx = values, r8 = *mut saved sp
    "wasmtier_jit_enter:",
    "push rbp",
    "mov rbp, rsp",
    "push rbx",
    "push r12",
    "push r13",
    "push r14",
    "push r15",
    "sub rsp, 8",
    "mov [r8], rsp",
    "mov rax, rdi",
    "mov rdi, rsi",
    "mov rsi, rdx",
    "mov rdx, rcx",
    "call rax",
    "xor eax, eax",
    "wasmtier_jit_resume:",
    "add rsp, 8",
    "pop r15",
    "pop r14",
    "pop r13",
    "pop r12",
    "pop rbx",
    "pop rbp",
    "ret",
    ".size wasmtier_jit_enter, . - wasmtier_jit_enter",
    "",
    ".p2align 4",
    ".globl wasmtier_jit_trap_return",
    ".type wasmtier_jit_trap_return,@function",
    // rdi = saved sp, esi = trap code (set by the signal handler)
    "wasmtier_jit_trap_return:",
    "mov rsp, rdi",
    "mov eax, esi",
    "jmp wasmtier_jit_resume",
    ".size wasmtier_jit_trap_return, . - wasmtier_jit_trap_return",
);

#[cfg(target_arch = "x86_64")]
unsafe extern "C" {
    fn wasmtier_jit_enter(
        wrapper: *const u8,
        code: *const u8,
        vmctx: *mut u8,
        values: *mut u64,
        saved_sp: *mut usize,
    ) -> u32;
    fn wasmtier_jit_trap_return();
}

/// Whether this build can run compiled code on this host.
pub(crate) const SUPPORTED: bool = cfg!(all(target_arch = "x86_64", target_os = "linux"));

thread_local! {
    /// The saved-stack-pointer slot of the innermost active entry on this thread, or null.
    static CURRENT_ENTRY: Cell<*const usize> = const { Cell::new(std::ptr::null()) };
    static STACK_LIMIT: Cell<usize> = const { Cell::new(0) };
}

/// What the runtime knows about one block of compiled code.
pub(crate) struct CodeInfo {
    /// (offset, raw trap code), sorted by offset.
    pub traps: Vec<(u32, u8)>,
    /// (start offset, end offset, function index) of each compiled wasm function, sorted.
    pub funcs: Vec<(u32, u32, u32)>,
    pub module_name: Option<String>,
    pub func_names: std::collections::HashMap<u32, String>,
}

struct CodeRange {
    end: usize,
    info: Arc<CodeInfo>,
}

static REGISTRY: RwLock<BTreeMap<usize, CodeRange>> = RwLock::new(BTreeMap::new());

pub(crate) fn register(start: usize, len: usize, info: Arc<CodeInfo>) {
    let mut r = REGISTRY.write().unwrap_or_else(|e| e.into_inner());
    r.insert(
        start,
        CodeRange {
            end: start + len,
            info,
        },
    );
}

/// How many blocks of compiled code are registered (for tests).
#[cfg(test)]
pub(crate) fn registered_ranges() -> usize {
    REGISTRY.read().unwrap_or_else(|e| e.into_inner()).len()
}

pub(crate) fn unregister(start: usize) {
    let mut r = REGISTRY.write().unwrap_or_else(|e| e.into_inner());
    r.remove(&start);
}

fn find(r: &BTreeMap<usize, CodeRange>, pc: usize) -> Option<(usize, &CodeRange)> {
    let (start, range) = r.range(..=pc).next_back()?;
    (pc < range.end).then_some((*start, range))
}

/// Most compiled frames recorded for a trap's backtrace.
const MAX_FRAMES: usize = 32;

thread_local! {
    /// PCs of the compiled frames of the last trap on this thread, innermost first.
    static TRAP_FRAMES: Cell<([usize; MAX_FRAMES], usize)> =
        const { Cell::new(([0; MAX_FRAMES], 0)) };
}

/// If `pc` is a trap site, returns its code and records the compiled frames (walking the
/// frame-pointer chain from `fp`) for the backtrace. Allocation-free: runs in the handler.
///
/// # Safety
/// `fp` must be the frame pointer at `pc`, with `pc` in compiled code that keeps frame
/// pointers, all of whose callers up to the entry trampoline are compiled code too.
unsafe fn lookup_trap(pc: usize, mut fp: usize) -> Option<u8> {
    // Another thread holds the lock (as a writer) only for a map update, so yielding a few
    // times gets it. Never block: if this thread itself held it (a fault inside `register`), the
    // fault is not a wasm trap anyway.
    let mut spins = 0u32;
    let r = loop {
        match REGISTRY.try_read() {
            Ok(r) => break r,
            Err(std::sync::TryLockError::Poisoned(e)) => break e.into_inner(),
            Err(std::sync::TryLockError::WouldBlock) if spins < 1_000_000 => {
                spins += 1;
                // SAFETY: sched_yield is async-signal-safe and has no preconditions.
                unsafe { libc::sched_yield() };
            }
            Err(std::sync::TryLockError::WouldBlock) => return None,
        }
    };
    let (start, range) = find(&r, pc)?;
    let off = (pc - start) as u32;
    let traps = &range.info.traps;
    let i = traps.binary_search_by_key(&off, |t| t.0).ok()?;
    let mut frames = [0usize; MAX_FRAMES];
    frames[0] = pc;
    let mut n = 1;
    while n < MAX_FRAMES && fp != 0 && fp.is_multiple_of(8) {
        // SAFETY: per the contract, `fp` points at a saved (frame pointer, return address)
        // pair of a compiled frame; the walk stops at the first return address outside
        // compiled code (the entry trampoline), before reading anything else.
        let (next, ret) = unsafe { (*(fp as *const usize), *((fp + 8) as *const usize)) };
        if find(&r, ret.wrapping_sub(1)).is_none() {
            break;
        }
        frames[n] = ret - 1;
        n += 1;
        fp = next;
    }
    TRAP_FRAMES.with(|f| f.set((frames, n)));
    Some(traps[i].1)
}

/// The backtrace of the last trap raised in compiled code on this thread, innermost first
/// (wasm functions only: wrappers and trampolines are left out).
pub(crate) fn take_trap_frames() -> Vec<wasmtier_runtime::FrameInfo> {
    let (pcs, n) = TRAP_FRAMES.with(|f| f.replace(([0; MAX_FRAMES], 0)));
    let r = REGISTRY.read().unwrap_or_else(|e| e.into_inner());
    let mut out = Vec::new();
    for pc in &pcs[..n] {
        let Some((start, range)) = find(&r, *pc) else {
            continue;
        };
        let off = (pc - start) as u32;
        let funcs = &range.info.funcs;
        let i = funcs.partition_point(|f| f.0 <= off);
        if i == 0 || off >= funcs[i - 1].1 {
            continue;
        }
        let index = funcs[i - 1].2;
        out.push(wasmtier_runtime::FrameInfo {
            func_index: index,
            func_name: range.info.func_names.get(&index).cloned(),
            module_name: range.info.module_name.clone(),
        });
    }
    out
}

/// Bytes of host stack kept free below compiled code for Rust code it calls (builtins, host
/// functions, the interpreter) and for signal delivery.
const MIN_HEADROOM: usize = 256 * 1024;

/// The lowest stack address compiled code entered from here may use: at most `max_bytes`
/// below the current frame (deeper recursion traps), and never closer to the end of this
/// thread's stack than the headroom Rust code needs.
pub(crate) fn stack_limit(max_bytes: usize) -> usize {
    let mut floor = STACK_LIMIT.with(|l| l.get());
    if floor == 0 {
        floor = compute_stack_limit();
        STACK_LIMIT.with(|l| l.set(floor));
    }
    let here = current_sp();
    floor.max(here.saturating_sub(max_bytes))
}

/// An address in the current stack frame.
#[inline(never)]
fn current_sp() -> usize {
    let marker = 0u8;
    std::hint::black_box(&marker) as *const u8 as usize
}

fn compute_stack_limit() -> usize {
    let here = current_sp();
    // SAFETY: pthread_getattr_np fills `attr` for the calling thread; it is destroyed below.
    let bounds = unsafe {
        let mut attr: libc::pthread_attr_t = std::mem::zeroed();
        if libc::pthread_getattr_np(libc::pthread_self(), &mut attr) != 0 {
            None
        } else {
            let mut addr: *mut libc::c_void = std::ptr::null_mut();
            let mut size: libc::size_t = 0;
            let ok = libc::pthread_attr_getstack(&attr, &mut addr, &mut size) == 0;
            libc::pthread_attr_destroy(&mut attr);
            ok.then_some((addr as usize, size))
        }
    };
    match bounds {
        Some((low, size)) if low < here && here <= low + size => {
            let headroom = MIN_HEADROOM.max(size / 4);
            (low + headroom).min(here)
        }
        // Unknown stack: allow 512 KiB below the current frame.
        _ => here.saturating_sub(512 * 1024),
    }
}

/// Runs `wrapper(code, vmctx, values)` on this thread's stack. Returns 0, or the raw trap
/// code if compiled code trapped.
///
/// # Safety
/// `wrapper` must be an array wrapper from registered code for the signature of `code`,
/// `vmctx` a live instance context whose store context has been prepared for this entry,
/// and `values` must hold as many slots as the signature needs.
pub(crate) unsafe fn enter(
    wrapper: *const u8,
    code: *const u8,
    vmctx: *mut u8,
    values: *mut u64,
) -> u32 {
    install_handlers();
    #[allow(unused_mut)]
    let mut saved_sp: usize = 0;
    // Declared after `saved_sp`, so dropped (restoring the outer entry) before it goes away,
    // on every way out of this function.
    let _entry = EntryGuard::set(&saved_sp);
    // SAFETY: per this function's contract; `saved_sp` outlives the call, and the signal
    // handler only resumes at `wasmtier_jit_trap_return` with the stack pointer saved there.
    #[cfg(target_arch = "x86_64")]
    let status = unsafe { wasmtier_jit_enter(wrapper, code, vmctx, values, &mut saved_sp) };
    // Other hosts have no entry trampoline yet: `SUPPORTED` is false there, so no engine
    // with the JIT tier exists and this is never reached.
    #[cfg(not(target_arch = "x86_64"))]
    let status = {
        let _ = (wrapper, code, vmctx, values, &mut saved_sp);
        unreachable!("the JIT tier is not supported on this host")
    };
    status
}

/// Makes an entry's saved-stack-pointer slot the innermost one of this thread, and restores
/// the previous one when dropped: also when unwinding, so that the signal handler never
/// resumes into the dead frame of an entry that did not return normally.
struct EntryGuard {
    prev: *const usize,
}

impl EntryGuard {
    fn set(slot: *const usize) -> EntryGuard {
        EntryGuard {
            prev: CURRENT_ENTRY.with(|c| c.replace(slot)),
        }
    }
}

impl Drop for EntryGuard {
    fn drop(&mut self) {
        CURRENT_ENTRY.with(|c| c.set(self.prev));
    }
}

const SIGNALS: [libc::c_int; 4] = [libc::SIGSEGV, libc::SIGBUS, libc::SIGILL, libc::SIGFPE];

static PREVIOUS: OnceLock<Vec<(libc::c_int, libc::sigaction)>> = OnceLock::new();

fn install_handlers() {
    static ONCE: Once = Once::new();
    ONCE.call_once(|| {
        let mut prev = Vec::new();
        for sig in SIGNALS {
            // SAFETY: installs a handler for a synchronous fault signal; the previous handler
            // is kept and chained to for faults that are not traps of compiled code.
            unsafe {
                let mut action: libc::sigaction = std::mem::zeroed();
                action.sa_sigaction = on_signal as *const () as usize;
                action.sa_flags = libc::SA_SIGINFO | libc::SA_ONSTACK;
                libc::sigemptyset(&mut action.sa_mask);
                let mut old: libc::sigaction = std::mem::zeroed();
                if libc::sigaction(sig, &action, &mut old) == 0 {
                    prev.push((sig, old));
                }
            }
        }
        let _ = PREVIOUS.set(prev);
    });
}

/// Whether a fault with signal `sig` at a trap site whose raw trap code is `code` is what the
/// site's instruction can legitimately raise. Explicit traps (`ud2`: SIGILL) and division
/// (SIGFPE) carry no address to check. A memory access at a trap site is always a linear-memory
/// access (loads and stores of runtime state never trap), so a SIGSEGV or SIGBUS there is a
/// wasm trap only with the heap trap code and a faulting address inside the reservation of a
/// linear memory (its guard region, or beyond the length under explicit bounds checks). Any
/// other fault there (a wild pointer in the VM context, a bug of the JIT) must not turn into
/// a trap that execution goes on after; it goes to the previous handler, which crashes.
fn fault_matches_site(sig: libc::c_int, code: u8, addr: usize) -> bool {
    match sig {
        libc::SIGSEGV | libc::SIGBUS => {
            code == cranelift_codegen::ir::TrapCode::HEAP_OUT_OF_BOUNDS
                .as_raw()
                .get()
                && wasmtier_runtime::memory::reservations::contains(addr)
        }
        _ => true,
    }
}

unsafe extern "C" fn on_signal(
    sig: libc::c_int,
    info: *mut libc::siginfo_t,
    context: *mut libc::c_void,
) {
    let entry = CURRENT_ENTRY.with(|c| c.get());
    #[cfg(all(target_arch = "x86_64", target_os = "linux"))]
    if !entry.is_null() {
        // SAFETY: the kernel passes a valid ucontext for SA_SIGINFO handlers.
        let gregs = unsafe { &mut (*context.cast::<libc::ucontext_t>()).uc_mcontext.gregs };
        let pc = gregs[libc::REG_RIP as usize] as usize;
        let fp = gregs[libc::REG_RBP as usize] as usize;
        // SAFETY: the kernel passes a valid siginfo for SA_SIGINFO handlers; `si_addr` is the
        // faulting address for SIGSEGV and SIGBUS (read for the others too, but not used).
        let addr = unsafe { (*info).si_addr() } as usize;
        // SAFETY: if `pc` is in compiled code (checked first), `fp` is its frame pointer
        // (all compiled code keeps frame pointers) and it was called from compiled code or
        // the entry trampoline.
        if let Some(code) = unsafe { lookup_trap(pc, fp) }
            && fault_matches_site(sig, code, addr)
        {
            // SAFETY: `entry` points at the live `saved_sp` of the innermost `enter` frame on
            // this thread, and the faulting code runs inside that entry.
            let sp = unsafe { *entry };
            gregs[libc::REG_RIP as usize] = wasmtier_jit_trap_return as *const () as usize as i64;
            gregs[libc::REG_RSP as usize] = sp as i64;
            gregs[libc::REG_RDI as usize] = sp as i64;
            gregs[libc::REG_RSI as usize] = code as i64;
            return;
        }
    }
    // Not ours: hand it to whoever was there before.
    let Some(prev) = PREVIOUS
        .get()
        .and_then(|p| p.iter().find(|(s, _)| *s == sig))
    else {
        // No previous disposition known: the default one. Returning re-runs the faulting
        // instruction, which faults again and gets the default action (a core dump); never
        // return with our handler still in place, which would loop.
        // SAFETY: resets a signal to its default disposition, async-signal-safe.
        unsafe { libc::signal(sig, libc::SIG_DFL) };
        return;
    };
    let action = prev.1;
    // SAFETY: calls or reinstates the previously installed disposition for this signal,
    // exactly as the kernel would have without our handler.
    unsafe {
        if action.sa_flags & libc::SA_SIGINFO != 0 {
            let f: extern "C" fn(libc::c_int, *mut libc::siginfo_t, *mut libc::c_void) =
                std::mem::transmute(action.sa_sigaction);
            f(sig, info, context);
        } else if action.sa_sigaction == libc::SIG_DFL || action.sa_sigaction == libc::SIG_IGN {
            // Restore the default and return: the faulting instruction runs again and the
            // default action (core dump) applies.
            libc::sigaction(sig, &action, std::ptr::null_mut());
        } else {
            let f: extern "C" fn(libc::c_int) = std::mem::transmute(action.sa_sigaction);
            f(sig);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use wasmtier_runtime::memory::reservations;

    fn current_entry() -> *const usize {
        CURRENT_ENTRY.with(|c| c.get())
    }

    #[test]
    fn entries_are_restored_when_unwinding() {
        let outer = 0usize;
        let before = current_entry();
        {
            let _outer = EntryGuard::set(&outer);
            let r = std::panic::catch_unwind(|| {
                let inner = 0usize;
                let _inner = EntryGuard::set(&inner);
                assert_eq!(current_entry(), &inner as *const usize);
                std::panic::resume_unwind(Box::new("unwinding through an entry"));
            });
            assert!(r.is_err());
            assert_eq!(current_entry(), &outer as *const usize);
        }
        assert_eq!(current_entry(), before);
    }

    #[test]
    fn only_heap_faults_inside_linear_memories_match_a_heap_trap_site() {
        let heap = cranelift_codegen::ir::TrapCode::HEAP_OUT_OF_BOUNDS
            .as_raw()
            .get();
        let other = crate::abi::trap_code::UNREACHABLE;
        // An address of the kernel half: never a user mapping.
        let fake = 0xffff_a000_0000_0000usize;
        assert!(!fault_matches_site(libc::SIGSEGV, heap, fake));
        let slot = reservations::register(fake, 0x1000).unwrap();
        assert!(fault_matches_site(libc::SIGSEGV, heap, fake + 8));
        assert!(fault_matches_site(libc::SIGBUS, heap, fake + 8));
        assert!(!fault_matches_site(libc::SIGSEGV, heap, fake + 0x1000));
        // A memory fault at a site that traps otherwise is no wasm trap.
        assert!(!fault_matches_site(libc::SIGSEGV, other, fake + 8));
        reservations::unregister(slot);
        assert!(!fault_matches_site(libc::SIGSEGV, heap, fake + 8));
        // Explicit traps and division have no address to check.
        assert!(fault_matches_site(libc::SIGILL, other, 0));
        assert!(fault_matches_site(libc::SIGFPE, heap, 0));
    }
}
