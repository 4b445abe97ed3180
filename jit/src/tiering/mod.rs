//! The JIT's side of tiered execution (`Tier::Auto`): compiling single functions on request,
//! on background threads or synchronously, and publishing them in a store.
//!
//! - [`LazyModule`] (one per module, shared by its instances and stores) keeps the module's
//!   bytes and, per defined function, the result of compiling it once. The wrappers and
//!   trampolines every instance's VM context needs are compiled with the first function.
//! - [`CompilePool`] (one per engine) runs compilations on its threads, started on first use
//!   so that a run that never gets hot never pays for them.
//! - [`promote`] is the store's `TierHooks::promote`: the interpreter calls it for a hot
//!   function; it queues the compilation (or compiles right away in synchronous mode) and,
//!   once the code exists, publishes it: the store's function reference and the function
//!   references of every linked instance that holds the function now point at the machine
//!   code, so interpreter, compiled callers and host all use it from their next call on.
//!   Publication happens on the thread that owns the store, between two calls, so no caller
//!   ever sees half of it.

mod pool;
mod publish;

use std::collections::HashMap;
use std::ops::Range;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, OnceLock};
use std::time::{Duration, Instant};

use cranelift_codegen::ir::Function;
use cranelift_frontend::FunctionBuilderContext;
use wasmparser::{BinaryReader, FunctionBody};
use wasmtier_runtime::module::ModuleInfo;

use crate::codemem::CodeMemory;
use crate::{CompiledModule, JitOptions, Layout, compile_with, isa, signals};

pub use pool::CompilePool;
pub use publish::{enter_loop, promote, register_instance};

/// Machine code of one function compiled on its own.
pub struct FuncCode {
    code: CodeMemory,
    entry: u32,
}

impl FuncCode {
    pub(crate) fn entry(&self) -> *const u8 {
        self.code.at(self.entry)
    }
}

/// Compiles defined function `index` (module index space) alone: calls to other functions go
/// through function references, so it needs no linking. `call_counter`, if given, is the
/// address of a `u64` the code increments on every call. With `osr_loop`, the code is an
/// on-stack-replacement entry at that loop instead (see `translate::osr_sig`).
pub(crate) fn compile_function(
    info: &ModuleInfo,
    index: u32,
    body: &FunctionBody<'_>,
    options: &JitOptions,
    call_counter: Option<usize>,
    osr_loop: Option<u32>,
) -> Result<FuncCode, String> {
    let isa = isa()?;
    let env = crate::translate::Env {
        info,
        isa: &**isa,
        bounds_checks: options.bounds_checks,
        direct: self_call_only(info, index, osr_loop.is_none()),
        fuel: options.fuel,
        call_counter,
        osr_loop,
    };
    let mut func = Function::new();
    crate::translate::translate_function(
        &env,
        index,
        body,
        &mut func,
        &mut FunctionBuilderContext::new(),
    )?;
    let mut layout = Layout::new();
    let entry = layout.add(func, &mut cranelift_codegen::Context::new())?;
    // Direct calls (to itself) land on the function's own entry.
    let mut offsets = vec![None; (index - info.num_imported_funcs) as usize + 1];
    offsets[(index - info.num_imported_funcs) as usize] = Some(entry);
    layout.link(&offsets, info.num_imported_funcs)?;
    layout.traps.sort_unstable();
    let func_names: HashMap<u32, String> = info
        .func_name(index)
        .map(|n| (index, n.to_string()))
        .into_iter()
        .collect();
    let code = CodeMemory::new(
        &layout.bytes,
        signals::CodeInfo {
            traps: layout.traps,
            funcs: vec![(entry, layout.bytes.len() as u32, index)],
            module_name: info.name.clone(),
            func_names,
        },
    )?;
    Ok(FuncCode { code, entry })
}

/// Which calls `translate` may emit as direct `call rel32`: only a function's calls to itself
/// (recursion), since it is compiled alone; none in an on-stack-replacement entry, whose own
/// code has another signature than the function's.
fn self_call_only(info: &ModuleInfo, index: u32, allowed: bool) -> Vec<bool> {
    if !allowed || !cfg!(target_arch = "x86_64") {
        return Vec::new();
    }
    (0..info.func_types.len() as u32)
        .map(|i| i == index)
        .collect()
}

/// Where and how a function stands in tiered execution.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FuncTier {
    /// Not (yet) hot.
    Interpreted,
    /// Hot; compilation is queued or running.
    Compiling,
    /// Compiled; calls run machine code.
    Compiled,
    /// Compilation failed (the function stays interpreted), with the reason.
    Failed(String),
}

/// Per-function state of a [`LazyModule`].
struct FuncSlot {
    queued: AtomicBool,
    code: OnceLock<Result<Arc<FuncCode>, String>>,
    compile_nanos: AtomicU64,
    /// Times a running interpreted activation moved to machine code.
    osr_entries: AtomicU64,
}

/// Machine code entering a function at one of its loops (on-stack replacement).
#[derive(Default)]
struct OsrSlot {
    queued: AtomicBool,
    code: OnceLock<Result<Arc<FuncCode>, String>>,
}

/// A module whose functions are compiled one by one when they get hot.
pub struct LazyModule {
    info: Arc<ModuleInfo>,
    /// The module's binary, from which function bodies are read again to compile them.
    wasm: Arc<[u8]>,
    /// Per defined function: its body's byte range in `wasm`.
    bodies: Box<[Range<usize>]>,
    options: JitOptions,
    /// Addresses of the functions' call counters (with call statistics on).
    call_counters: Option<CallCounters>,
    funcs: Box<[FuncSlot]>,
    /// On-stack-replacement entries by (defined function, loop ordinal).
    osr: Mutex<HashMap<(u32, u32), Arc<OsrSlot>>>,
    /// Array wrappers and trampolines for every type: what a VM context needs.
    stubs: OnceLock<Result<Arc<CompiledModule>, String>>,
    /// `None`: compile synchronously, on the thread that asks.
    pool: Option<Arc<CompilePool>>,
    /// Called with a defined function's index when its background compilation finished
    /// (successfully or not), so the interpreter can look again at its next call.
    on_ready: Option<ReadyHook>,
}

/// See [`LazyModule::on_ready`].
pub type ReadyHook = Box<dyn Fn(u32) + Send + Sync>;

impl std::fmt::Debug for LazyModule {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LazyModule")
            .field("name", &self.info.name)
            .field("funcs", &self.funcs.len())
            .finish()
    }
}

/// Call counters for compiled code: `address(def)` is the address of defined function
/// `def`'s `u64` counter, if it has one. Asked when the function is compiled; the closure
/// keeps the counters alive (the module keeps it as long as code that increments them).
pub struct CallCounters {
    pub address: Box<dyn Fn(u32) -> Option<usize> + Send + Sync>,
}

impl LazyModule {
    /// `bodies`: the byte range in `wasm` of each defined function's body, in order.
    pub fn new(
        info: Arc<ModuleInfo>,
        wasm: Arc<[u8]>,
        bodies: Vec<Range<usize>>,
        options: JitOptions,
        counters: Option<CallCounters>,
        pool: Option<Arc<CompilePool>>,
        on_ready: Option<ReadyHook>,
    ) -> LazyModule {
        let funcs = bodies
            .iter()
            .map(|_| FuncSlot {
                queued: AtomicBool::new(false),
                code: OnceLock::new(),
                compile_nanos: AtomicU64::new(0),
                osr_entries: AtomicU64::new(0),
            })
            .collect();
        LazyModule {
            info,
            wasm,
            bodies: bodies.into_boxed_slice(),
            options,
            call_counters: counters,
            funcs,
            osr: Mutex::new(HashMap::new()),
            stubs: OnceLock::new(),
            pool,
            on_ready,
        }
    }

    fn notify_ready(&self, def: usize) {
        if let Some(hook) = &self.on_ready {
            hook(def as u32);
        }
    }

    fn stubs(&self) -> &Result<Arc<CompiledModule>, String> {
        self.stubs
            .get_or_init(|| compile_with(&self.info, &[], &self.options, false).map(Arc::new))
    }

    /// Compiles defined function `def` unless that happened already; a failure (or a panic
    /// of the code generator) is recorded as the function's result, never propagated.
    fn compile(&self, def: usize) -> &Result<Arc<FuncCode>, String> {
        let slot = &self.funcs[def];
        slot.code.get_or_init(|| self.compile_entry(def, None))
    }

    /// Compiles the on-stack-replacement entry of `slot` (defined function `def`, loop
    /// `loop_index`) unless that happened already.
    fn compile_osr<'s>(
        &self,
        slot: &'s OsrSlot,
        def: usize,
        loop_index: u32,
    ) -> &'s Result<Arc<FuncCode>, String> {
        slot.code
            .get_or_init(|| self.compile_entry(def, Some(loop_index)))
    }

    /// Compiles defined function `def` (entered normally, or at loop `osr_loop`), adding the
    /// time it took to the function's compile time.
    fn compile_entry(&self, def: usize, osr_loop: Option<u32>) -> Result<Arc<FuncCode>, String> {
        let start = thread_cpu_time();
        let index = self.info.num_imported_funcs + def as u32;
        let wanted = self
            .options
            .filter
            .is_none_or(|f| f(self.info.name.as_deref(), index));
        let result = if !wanted {
            Err("left out by the JIT filter".to_string())
        } else {
            catch_unwind(AssertUnwindSafe(|| {
                self.stubs().as_ref().map_err(Clone::clone)?;
                let range = self.bodies[def].clone();
                let bytes = &self.wasm[range.clone()];
                let body = FunctionBody::new(BinaryReader::new(bytes, range.start as u64));
                // An on-stack replacement continues a call that was counted already.
                let counter = self
                    .call_counters
                    .as_ref()
                    .and_then(|c| (c.address)(def as u32));
                let counter = counter.filter(|_| osr_loop.is_none());
                compile_function(&self.info, index, &body, &self.options, counter, osr_loop)
            }))
            .unwrap_or_else(|_| Err("the code generator panicked".to_string()))
            .map(Arc::new)
        };
        let nanos = thread_cpu_time().saturating_sub(start).as_nanos();
        let nanos = nanos.min(u64::MAX as u128) as u64;
        self.funcs[def]
            .compile_nanos
            .fetch_add(nanos, Ordering::Relaxed);
        result
    }

    /// Times running activations of defined function `def` moved to machine code.
    pub fn osr_entries(&self, def: u32) -> u64 {
        self.funcs[def as usize].osr_entries.load(Ordering::Relaxed)
    }

    /// The state of defined function `def`.
    pub fn func_tier(&self, def: u32) -> FuncTier {
        let slot = &self.funcs[def as usize];
        match slot.code.get() {
            Some(Ok(_)) => FuncTier::Compiled,
            Some(Err(e)) => FuncTier::Failed(e.clone()),
            None if slot.queued.load(Ordering::Relaxed) => FuncTier::Compiling,
            None => FuncTier::Interpreted,
        }
    }

    /// CPU time spent compiling defined function `def` (zero if it was not compiled).
    pub fn compile_time(&self, def: u32) -> Duration {
        Duration::from_nanos(
            self.funcs[def as usize]
                .compile_nanos
                .load(Ordering::Relaxed),
        )
    }

    /// Blocks until no compilation of this module is queued or running (for tests and for
    /// statistics at exit).
    pub fn wait_idle(&self, timeout: Duration) -> bool {
        let deadline = Instant::now() + timeout;
        loop {
            let osr_busy = {
                let osr = self.osr.lock().unwrap_or_else(|e| e.into_inner());
                osr.values()
                    .any(|s| s.queued.load(Ordering::Relaxed) && s.code.get().is_none())
            };
            let busy = osr_busy
                || self
                    .funcs
                    .iter()
                    .any(|f| f.queued.load(Ordering::Relaxed) && f.code.get().is_none());
            if !busy {
                return true;
            }
            if Instant::now() >= deadline {
                return false;
            }
            std::thread::sleep(Duration::from_micros(200));
        }
    }
}

/// CPU time of the calling thread: what a compilation costs, whatever else the machine runs.
fn thread_cpu_time() -> Duration {
    let mut ts = libc::timespec {
        tv_sec: 0,
        tv_nsec: 0,
    };
    // SAFETY: `ts` is a valid, writable timespec; the clock id is a constant Linux supports.
    let rc = unsafe { libc::clock_gettime(libc::CLOCK_THREAD_CPUTIME_ID, &mut ts) };
    if rc != 0 {
        return Duration::ZERO;
    }
    Duration::new(ts.tv_sec as u64, ts.tv_nsec as u32)
}
