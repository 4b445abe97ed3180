//! wasmtier's Cranelift JIT tier.
//!
//! - `translate`: wasm operators -> Cranelift IR (plus the per-signature array wrappers and
//!   runtime trampolines);
//! - `codemem`: executable memory the runtime maps and protects itself (no cranelift-jit);
//! - `signals`: the entry trampoline and the signal handler that turns faults at recorded
//!   trap sites into traps;
//! - `builtins`: runtime entry points compiled code calls through the VM context;
//! - `tail`: tail calls the interpreter hands back to compiled code;
//! - `parallel`: the worker threads a module's functions are compiled on;
//! - `artifact`: precompiled modules (machine code saved to a file and mapped again without
//!   compiling), for `wasmtier compile` and the code cache.
//!
//! **Compilation.** `compile_module` translates and compiles the defined functions on
//! several threads (`JitOptions::compile_threads`, by default one per core), each with its
//! own Cranelift contexts, into self-contained machine code (`FuncMachineCode`: trap sites
//! and call sites relative to the function's start). It then appends them in function order
//! and links the direct calls (`Layout`), so the machine code, trap tables and `skipped` do
//! not depend on the number of threads or on which thread compiled what.
//!
//! **Layout.** Compiled code reads everything through the `#[repr(C)]` structures of
//! `wasmtier_runtime::vmctx`: one `VMContext` per instance (memory 0's definition, globals,
//! function references, table definitions, trampolines, builtins, the engine's type ids) and
//! the store's `VMStoreContext` (the store-wide function-reference array indexed by `FuncId`,
//! the stack limit, the store pointer, the interrupt flag, fuel). Nothing that depends on the
//! process or the engine is baked into a module's code (only code compiled for `tiering` with
//! call counting embeds a counter's address), so it can be saved and mapped again
//! (`artifact`).
//!
//! **Calls.** Native signature `(callee_vmctx, caller_vmctx, params...) -> results`. Calls
//! to compiled functions of the same module are direct `call rel32`, resolved by this crate
//! when it lays the module out (one contiguous mapping, so always in range); every other call
//! loads code pointer and context from a `VMFuncRef`. A function without machine code (host
//! function, interpreted function) has as code pointer its caller module's trampoline for
//! its signature and its `FuncId` as context: the trampoline spills the arguments and calls
//! the `call_func` builtin, which runs the host callback or the interpreter (through the
//! store's `TierHooks`) and returns a status. The host and the interpreter enter compiled
//! code through `invoke` (the store's `call_compiled` hook), which uses the per-signature
//! array wrapper `(code, vmctx, values: *mut u64)`.
//!
//! **Tail calls.** Wasm functions and trampolines use Cranelift's `Tail` convention, so that
//! `return_call*` become native tail calls (`translate::native_sig`); wrappers stay in the
//! system convention. A tail call into the interpreter goes through the trampoline like any
//! call; one from the interpreter back into compiled code is handed back to the trampoline,
//! which makes it as a native tail call (`tail`), so chains crossing tiers stay flat.
//!
//! **Traps.** Every trap is a faulting instruction at a recorded trap site (`ud2` of a
//! Cranelift trap, a guard-page access, the prologue's stack-limit check). Builtins and
//! callees outside compiled code report failure as a status; the compiled caller then traps
//! with `PENDING` and the `Trap` waits in a thread-local. See `signals` for how the handler
//! resumes in the entry trampoline; no Rust frame is ever skipped. Backtraces come from the
//! frame-pointer chain of the compiled frames (Cranelift keeps frame pointers).
//!
//! **Memory.** With guard pages (default) an access is `base + zext(addr) + offset` without
//! a check when `offset + size` fits the 2 GiB guard after the 4 GiB reservation; otherwise,
//! or with `JitOptions::bounds_checks`, the end of the access is compared with the length.

// Every `unsafe` block and impl says why it is sound (CI runs clippy with -D warnings).
#![warn(clippy::undocumented_unsafe_blocks)]

mod abi;
pub mod artifact;
mod builtins;
mod codemem;
mod parallel;
mod signals;
mod tail;
pub mod tiering;
mod translate;

use std::cell::Cell;
use std::path::Path;
use std::sync::atomic::Ordering;
use std::sync::{Arc, OnceLock};

use cranelift_codegen::control::ControlPlane;
use cranelift_codegen::ir::{self, Function};
use cranelift_codegen::isa::OwnedTargetIsa;
use cranelift_codegen::settings::{self, Configurable};
use cranelift_frontend::FunctionBuilderContext;
use wasmparser::FunctionBody;
use wasmtier_runtime::module::ModuleInfo;
use wasmtier_runtime::vmctx::{Completion, VMContext, VMFuncRef, VMTableDefinition};
use wasmtier_runtime::{FuncId, FuncKind, HostContext, InstanceId, StoreOpaque, Trap, TrapCode};

use abi::TrapOutcome;
use codemem::CodeMemory;

/// Options of the JIT tier.
#[derive(Clone, Debug, Default)]
pub struct JitOptions {
    /// Check every linear-memory access explicitly instead of relying on guard pages.
    pub bounds_checks: bool,
    /// Which defined functions to compile, by (module name, function index); the others stay
    /// in the interpreter. `None` compiles everything.
    pub filter: Option<fn(Option<&str>, u32) -> bool>,
    /// Meter fuel (`StoreOpaque::fuel`): each executed wasm operator costs one unit.
    pub fuel: bool,
    /// Threads [`compile_module`] compiles the functions on (the calling thread included).
    /// `None`: one per available core, fewer for a small module. The machine code is the
    /// same whatever the number.
    pub compile_threads: Option<usize>,
    /// Write the Cranelift IR of every function [`compile_module`] translates, before
    /// optimisation, to a `.clif` file in this directory (which must exist); for debugging.
    pub emit_clif: Option<Arc<Path>>,
}

/// Whether the JIT can run on this host.
pub fn is_supported() -> bool {
    signals::SUPPORTED && isa().is_ok()
}

fn isa() -> Result<&'static OwnedTargetIsa, String> {
    static ISA: OnceLock<Result<OwnedTargetIsa, String>> = OnceLock::new();
    ISA.get_or_init(|| {
        let mut flags = settings::builder();
        let set = |f: &mut settings::Builder, k: &str, v: &str| {
            f.set(k, v)
                .map_err(|e| format!("cranelift setting {k}: {e}"))
        };
        set(&mut flags, "opt_level", "speed")?;
        set(&mut flags, "enable_multi_ret_implicit_sret", "true")?;
        // Frame pointers let the trap handler walk compiled frames for backtraces.
        set(&mut flags, "preserve_frame_pointers", "true")?;
        set(
            &mut flags,
            "enable_verifier",
            if cfg!(debug_assertions) {
                "true"
            } else {
                "false"
            },
        )?;
        let builder = cranelift_native::builder().map_err(|e| e.to_string())?;
        builder
            .finish(settings::Flags::new(flags))
            .map_err(|e| e.to_string())
    })
    .as_ref()
    .map_err(Clone::clone)
}

/// Machine code of one module, shared by all its instances.
pub struct CompiledModule {
    code: CodeMemory,
    /// Per defined function: offset of its code, or `None` if it stays interpreted.
    funcs: Vec<Option<u32>>,
    /// Per module type: offset of the array wrapper and of the runtime trampoline.
    wrappers: Vec<u32>,
    trampolines: Vec<u32>,
    /// Offset of the wrapper that enters on-stack-replacement code (tiered execution).
    osr_wrapper: u32,
    /// Functions that failed to compile (they run in the interpreter), with the reason.
    pub skipped: Vec<(u32, String)>,
    /// Index of the first defined function in the module's function index space.
    first_defined: u32,
}

/// Where one defined function of a [`CompiledModule`] stands.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FuncStatus<'a> {
    /// It has machine code.
    Compiled,
    /// The JIT filter left it to the interpreter.
    LeftOut,
    /// Compilation failed, for this reason: it runs in the interpreter.
    Failed(&'a str),
}

impl CompiledModule {
    /// Whether defined function `def` got machine code, and why not if it did not: the JIT
    /// never fails a module for one function it cannot compile, so this is how callers (and
    /// tests) see that a function runs interpreted after all.
    pub fn func_status(&self, def: u32) -> FuncStatus<'_> {
        if self.funcs.get(def as usize).copied().flatten().is_some() {
            return FuncStatus::Compiled;
        }
        let index = self.first_defined + def;
        match self.skipped.iter().find(|(i, _)| *i == index) {
            Some((_, reason)) => FuncStatus::Failed(reason),
            None => FuncStatus::LeftOut,
        }
    }
}

impl std::fmt::Debug for CompiledModule {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CompiledModule")
            .field("funcs", &self.funcs.len())
            .field("skipped", &self.skipped)
            .finish()
    }
}

/// Machine code of one function compiled on its own: trap sites and direct call sites are
/// relative to its first byte, so that it can be placed anywhere ([`Layout::append`]).
struct FuncMachineCode {
    bytes: Vec<u8>,
    traps: Vec<(u32, u8)>,
    /// Direct calls: (offset of the rel32 field, callee function index, addend).
    calls: Vec<(u32, u32, i64)>,
}

/// Compiles `func` with the scratch context `cx`. Self-contained, so that the functions of a
/// module can be compiled on several threads and laid out afterwards.
fn compile_ir(
    func: Function,
    cx: &mut cranelift_codegen::Context,
) -> Result<FuncMachineCode, String> {
    let isa = isa()?;
    cx.clear();
    cx.func = func;
    let names = cx.func.params.user_named_funcs().clone();
    let compiled = cx
        .compile(&**isa, &mut ControlPlane::default())
        .map_err(|e| format!("{:?}", e.inner))?;
    // Only direct calls between functions of this module are expected.
    let mut calls = Vec::new();
    for r in compiled.buffer.relocs() {
        let callee = match (&r.kind, &r.target) {
            (
                cranelift_codegen::binemit::Reloc::X86CallPCRel4,
                cranelift_codegen::FinalizedRelocTarget::ExternalName(ir::ExternalName::User(name)),
            ) => names[*name].index,
            _ => return Err(format!("unsupported relocation {:?}", r.kind)),
        };
        calls.push((r.offset, callee, r.addend));
    }
    let traps = compiled
        .buffer
        .traps()
        .iter()
        .map(|t| (t.offset, t.code.as_raw().get()))
        .collect();
    Ok(FuncMachineCode {
        bytes: compiled.code_buffer().to_vec(),
        traps,
        calls,
    })
}

/// Machine code of a module (or of one tiered function) being put together: functions are
/// appended one after another, then direct calls are linked.
struct Layout {
    bytes: Vec<u8>,
    traps: Vec<(u32, u8)>,
    /// Direct calls to patch: (offset of the rel32 field, callee function index, addend).
    calls: Vec<(u32, u32, i64)>,
}

impl Layout {
    fn new() -> Layout {
        Layout {
            bytes: Vec::new(),
            traps: Vec::new(),
            calls: Vec::new(),
        }
    }

    /// Compiles `func` and appends it; returns its offset.
    fn add(&mut self, func: Function, cx: &mut cranelift_codegen::Context) -> Result<u32, String> {
        let code = compile_ir(func, cx)?;
        self.append(&code)
    }

    /// Appends compiled code at the next aligned offset, which it returns.
    fn append(&mut self, code: &FuncMachineCode) -> Result<u32, String> {
        let align = isa()?.function_alignment().preferred.max(16) as usize;
        while !self.bytes.len().is_multiple_of(align) {
            self.bytes.push(0xcc);
        }
        let start = self.bytes.len() as u32;
        self.bytes.extend_from_slice(&code.bytes);
        self.traps
            .extend(code.traps.iter().map(|&(at, trap)| (start + at, trap)));
        self.calls.extend(
            code.calls
                .iter()
                .map(|&(at, callee, addend)| (start + at, callee, addend)),
        );
        Ok(start)
    }

    /// Resolves the direct calls once every function has its place.
    fn link(&mut self, offsets: &[Option<u32>], num_imported: u32) -> Result<(), String> {
        for &(site, callee, addend) in &self.calls {
            let target = callee
                .checked_sub(num_imported)
                .and_then(|d| offsets.get(d as usize).copied().flatten())
                .ok_or("direct call to a function that was not compiled")?;
            let rel = target as i64 + addend - site as i64;
            let rel = i32::try_from(rel).map_err(|_| "direct call out of range")?;
            self.bytes[site as usize..site as usize + 4].copy_from_slice(&rel.to_le_bytes());
        }
        Ok(())
    }
}

/// Compiles the (already validated) bodies of a module.
pub fn compile_module(
    info: &ModuleInfo,
    bodies: &[(u32, FunctionBody<'_>)],
    options: &JitOptions,
) -> Result<CompiledModule, String> {
    match compile_with(info, bodies, options, true) {
        // Direct calls need every callee compiled; if one was not, go through references.
        Ok(m) if m.skipped.is_empty() => Ok(m),
        _ => compile_with(info, bodies, options, false),
    }
}

fn compile_with(
    info: &ModuleInfo,
    bodies: &[(u32, FunctionBody<'_>)],
    options: &JitOptions,
    direct_calls: bool,
) -> Result<CompiledModule, String> {
    let laid_out = lay_out_module(info, bodies, options, direct_calls)?;
    let code = CodeMemory::new(
        &laid_out.layout.bytes,
        signals::CodeInfo {
            traps: laid_out.layout.traps,
            funcs: laid_out.ranges,
            module_name: info.name.clone(),
            func_names: info.func_names.clone(),
        },
    )?;
    Ok(CompiledModule {
        code,
        funcs: laid_out.funcs,
        wrappers: laid_out.wrappers,
        trampolines: laid_out.trampolines,
        osr_wrapper: laid_out.osr_wrapper,
        skipped: laid_out.skipped,
        first_defined: info.num_imported_funcs,
    })
}

/// A module's machine code, linked, before it is mapped executable: the fields of
/// [`CompiledModule`] and what the trap handler learns about the code.
struct ModuleLayout {
    /// Code, sorted trap sites, and the direct calls it resolved.
    layout: Layout,
    /// (start offset, end offset, function index) of each compiled wasm function.
    ranges: Vec<(u32, u32, u32)>,
    funcs: Vec<Option<u32>>,
    wrappers: Vec<u32>,
    trampolines: Vec<u32>,
    osr_wrapper: u32,
    skipped: Vec<(u32, String)>,
}

fn lay_out_module(
    info: &ModuleInfo,
    bodies: &[(u32, FunctionBody<'_>)],
    options: &JitOptions,
    direct_calls: bool,
) -> Result<ModuleLayout, String> {
    let isa = isa()?;
    let wanted = |index: u32| {
        options
            .filter
            .is_none_or(|f| f(info.name.as_deref(), index))
    };
    let direct = if direct_calls && cfg!(target_arch = "x86_64") {
        (0..info.func_types.len() as u32)
            .map(|i| i >= info.num_imported_funcs && wanted(i))
            .collect()
    } else {
        Vec::new()
    };
    let env = translate::Env {
        info,
        isa: &**isa,
        bounds_checks: options.bounds_checks,
        direct,
        fuel: options.fuel,
        call_counter: None,
        osr_loop: None,
    };
    let chosen: Vec<_> = bodies.iter().filter(|(index, _)| wanted(*index)).collect();
    let threads = compile_threads(options, &chosen);
    // Functions are compiled independently on the worker threads, then laid out here in
    // their order, so that the result does not depend on which thread compiled what.
    let results = parallel::map_ordered(
        &chosen,
        threads,
        |(_, body)| body_size(body),
        || {
            (
                FunctionBuilderContext::new(),
                cranelift_codegen::Context::new(),
            )
        },
        |(fctx, cx), (index, body)| compile_one(&env, *index, body, options, fctx, cx),
    );
    let mut results = results.into_iter();
    let mut layout = Layout::new();
    let mut funcs = Vec::with_capacity(bodies.len());
    let mut ranges = Vec::new();
    let mut skipped = Vec::new();
    for (index, _) in bodies {
        if !wanted(*index) {
            funcs.push(None);
            continue;
        }
        match results.next().expect("one result per chosen function")? {
            Ok(code) => {
                let off = layout.append(&code)?;
                ranges.push((off, layout.bytes.len() as u32, *index));
                funcs.push(Some(off));
            }
            Err(e) => {
                skipped.push((*index, e));
                funcs.push(None);
            }
        }
    }
    let mut fctx = FunctionBuilderContext::new();
    let mut cx = cranelift_codegen::Context::new();
    let mut wrappers = Vec::with_capacity(info.types.len());
    let mut trampolines = Vec::with_capacity(info.types.len());
    for ty in &info.types {
        let mut func = Function::new();
        translate::build_array_wrapper(ty, env.isa, &mut func, &mut fctx);
        wrappers.push(layout.add(func, &mut cx)?);
        let mut func = Function::new();
        translate::build_host_trampoline(ty, env.isa, &mut func, &mut fctx);
        trampolines.push(layout.add(func, &mut cx)?);
    }
    let mut func = Function::new();
    translate::build_osr_wrapper(env.isa, &mut func, &mut fctx);
    let osr_wrapper = layout.add(func, &mut cx)?;
    layout.link(&funcs, info.num_imported_funcs)?;
    layout.traps.sort_unstable();
    Ok(ModuleLayout {
        layout,
        ranges,
        funcs,
        wrappers,
        trampolines,
        osr_wrapper,
        skipped,
    })
}

/// Below this much wasm code per thread, [`compile_threads`] uses fewer threads than cores:
/// starting a thread costs about as much as compiling a few small functions.
const MIN_BODY_BYTES_PER_THREAD: usize = 4096;

/// How many threads compile `chosen`: as configured, else one per core, but no more than
/// there is work for.
fn compile_threads(options: &JitOptions, chosen: &[&(u32, FunctionBody<'_>)]) -> usize {
    options.compile_threads.unwrap_or_else(|| {
        let bytes: usize = chosen.iter().map(|(_, body)| body_size(body)).sum();
        parallel::default_threads().min(1 + bytes / MIN_BODY_BYTES_PER_THREAD)
    })
}

fn body_size(body: &FunctionBody<'_>) -> usize {
    usize::try_from(body.range().end - body.range().start).unwrap_or(usize::MAX)
}

/// What compiling one function gives: its machine code, or why it stays interpreted (`Ok`
/// either way); `Err` only for a failure that fails the whole module.
type CompileOutcome = Result<Result<FuncMachineCode, String>, String>;

/// Translates and compiles defined function `index` on a worker thread, with that thread's
/// scratch contexts.
fn compile_one(
    env: &translate::Env<'_>,
    index: u32,
    body: &FunctionBody<'_>,
    options: &JitOptions,
    fctx: &mut FunctionBuilderContext,
    cx: &mut cranelift_codegen::Context,
) -> CompileOutcome {
    let mut func = Function::new();
    if let Err(e) = translate::translate_function(env, index, body, &mut func, fctx) {
        // A translation that stopped half-way leaves the builder context in use.
        *fctx = FunctionBuilderContext::new();
        return Ok(Err(e));
    }
    if let Some(dir) = &options.emit_clif {
        write_clif(dir, env.info, index, &func)?;
    }
    Ok(compile_ir(func, cx))
}

/// Writes `func`'s IR to `DIR/<index>[-<name>].clif`, the name (from the name section) made
/// safe for a file name.
fn write_clif(dir: &Path, info: &ModuleInfo, index: u32, func: &Function) -> Result<(), String> {
    let mut file = format!("{index}");
    if let Some(name) = info.func_name(index) {
        file.push('-');
        file.extend(name.chars().take(100).map(|c| {
            if c.is_ascii_alphanumeric() || "_-.".contains(c) {
                c
            } else {
                '_'
            }
        }));
    }
    let path = dir.join(format!("{file}.clif"));
    std::fs::write(&path, func.display().to_string())
        .map_err(|e| format!("cannot write {}: {e}", path.display()))
}

/// One linked instance: its VM context and the arrays the context points at.
struct InstanceJit {
    vmctx: Box<VMContext>,
    /// The function references `vmctx.func_refs` points at (module function index space).
    /// Cells: tiered execution updates them while compiled code may hold the pointer.
    func_refs: Box<[Cell<VMFuncRef>]>,
    /// Functions compiled one at a time by tiered execution and published in this instance.
    published: Vec<Arc<tiering::FuncCode>>,
    _tables: Box<[*const VMTableDefinition]>,
    _trampolines: Box<[*const u8]>,
    _builtins: Box<[*const u8]>,
    _type_ids: Box<[u32]>,
    module: Arc<CompiledModule>,
}

#[derive(Default)]
struct JitStoreState {
    instances: Vec<Option<InstanceJit>>,
    /// Per instance running under tiered execution: where its functions' code comes from.
    lazy: Vec<Option<Arc<tiering::LazyModule>>>,
    /// Tail-call adapters, for tail calls the interpreter hands back to compiled code.
    adapters: tail::Adapters,
}

// SAFETY: the raw pointers point into boxes owned by the same state or by the store that owns
// this state; they are only dereferenced by code running with the store borrowed mutably.
unsafe impl Send for JitStoreState {}

fn state(store: &mut StoreOpaque) -> &mut JitStoreState {
    if store
        .tier_state
        .as_ref()
        .is_none_or(|s| !s.is::<JitStoreState>())
    {
        store.tier_state = Some(Box::new(JitStoreState::default()));
    }
    store
        .tier_state
        .as_mut()
        .and_then(|s| s.downcast_mut())
        .expect("just set")
}

/// Creates the VM context of instance `id` (already instantiated in `store`) and publishes
/// its compiled functions in the store's function references.
pub fn link_instance(store: &mut StoreOpaque, id: InstanceId, module: &Arc<CompiledModule>) {
    let inst = store.instance(id);
    let info = inst.module.clone();
    let num_imported = info.num_imported_funcs as usize;
    let funcs = inst.funcs.clone();
    let tables: Box<[*const VMTableDefinition]> = inst
        .tables
        .iter()
        .map(|t| &*store.table(*t).vm as *const VMTableDefinition)
        .collect();
    let globals = inst.vm.globals.as_ptr();
    let memory = inst.vm.memory;
    let memories = inst.vm.memories.as_ptr();
    let trampolines: Box<[*const u8]> = module
        .trampolines
        .iter()
        .map(|off| module.code.at(*off))
        .collect();
    let builtins = builtins::table();
    let type_ids: Box<[u32]> = info.type_ids.iter().map(|id| id.0).collect();
    let mut vmctx = Box::new(VMContext {
        store_ctx: &mut *store.vm_store,
        memory,
        globals,
        func_refs: std::ptr::null(),
        tables: tables.as_ptr(),
        trampolines: trampolines.as_ptr(),
        builtins: builtins.as_ptr(),
        instance: id.0 as u64,
        memories,
        type_ids: type_ids.as_ptr(),
    });
    let vmctx_ptr: *mut VMContext = &mut *vmctx;
    let mut func_refs = Vec::with_capacity(funcs.len());
    for (i, fid) in funcs.iter().enumerate() {
        let type_index = info.func_types[i] as usize;
        let type_id = info.type_ids[type_index].0;
        let own = i
            .checked_sub(num_imported)
            .and_then(|d| module.funcs.get(d).copied().flatten());
        let r = if let Some(off) = own {
            VMFuncRef {
                code: module.code.at(off),
                vmctx: vmctx_ptr,
                type_id,
                func_id: fid.0,
            }
        } else {
            let existing = store.func_refs[fid.index()];
            if existing.code.is_null() {
                VMFuncRef {
                    code: trampolines[type_index],
                    vmctx: fid.0 as usize as *mut VMContext,
                    type_id,
                    func_id: fid.0,
                }
            } else {
                existing
            }
        };
        if own.is_some() {
            store.func_refs[fid.index()] = r;
        }
        func_refs.push(Cell::new(r));
    }
    let func_refs = func_refs.into_boxed_slice();
    vmctx.func_refs = func_refs.as_ptr().cast();
    let entry = InstanceJit {
        vmctx,
        func_refs,
        published: Vec::new(),
        _tables: tables,
        _trampolines: trampolines,
        _builtins: builtins,
        _type_ids: type_ids,
        module: module.clone(),
    };
    let state = state(store);
    if state.instances.len() <= id.index() {
        state.instances.resize_with(id.index() + 1, || None);
    }
    state.instances[id.index()] = Some(entry);
}

/// Calls `func` (any function of the store) from the host: compiled functions run as machine
/// code, other wasm functions through the store's interpreter hook. Arguments are in
/// `slots[..param_slots]`; results land in `slots[..result_slots]` (a v128 takes two slots,
/// see `wasmtier_runtime::slot_offsets`).
pub fn invoke(store: &mut StoreOpaque, func: FuncId, slots: &mut [u64]) -> Result<(), Trap> {
    let entity = store.func(func);
    let needed = entity.ty.param_slots().max(entity.ty.result_slots());
    assert!(slots.len() >= needed, "slots too short for the call");
    let (instance, index) = match &entity.kind {
        FuncKind::Host(cb) => {
            let cb = cb.clone();
            return cb(store, HostContext { caller: None }, slots);
        }
        &FuncKind::Wasm { instance, index } => (instance, index),
    };
    if store.func_refs[func.index()].code.is_null() {
        return match builtins::call_any(store, None, func, slots)? {
            Completion::Returned => Ok(()),
            Completion::TailCall(callee) => tail::call_handed_back(store, callee, slots),
        };
    }
    let fref = store.func_refs[func.index()];
    let type_index = store.instance(instance).module.func_types[index as usize] as usize;
    let wrapper = {
        let st = state(store);
        let inst = st.instances[instance.index()]
            .as_ref()
            .expect("compiled functions belong to linked instances");
        debug_assert!(std::ptr::eq(&*inst.vmctx, fref.vmctx));
        inst.module.code.at(inst.module.wrappers[type_index])
    };
    // A one-slot buffer at least, so that the wrapper never sees a dangling pointer.
    let mut spare = [0u64; 1];
    let values = if slots.is_empty() {
        spare.as_mut_ptr()
    } else {
        slots.as_mut_ptr()
    };
    // SAFETY: `wrapper` is the array wrapper for the function's type in the module that
    // compiled it, `fref.code`/`fref.vmctx` are that function's code and its live instance
    // context, and `values` has room for the slots of the params and of the results
    // (asserted above).
    unsafe { run_compiled(store, wrapper, fref.code, fref.vmctx, values) }
}

/// Runs compiled code from the host side: prepares the store context (stack limit, store,
/// interrupt flag, fuel), enters through `wrapper`, and turns a trap status into a `Trap`.
///
/// # Safety
/// `wrapper` must be a wrapper of registered code that can call `code` with the slot array
/// `values` (an array wrapper for `code`'s type, or the on-stack-replacement wrapper), `vmctx`
/// the live context of the instance `code` belongs to, and `values` large enough for the
/// callee's parameters and results.
unsafe fn run_compiled(
    store: &mut StoreOpaque,
    wrapper: *const u8,
    code: *const u8,
    vmctx: *mut VMContext,
    values: *mut u64,
) -> Result<(), Trap> {
    // Compiled functions without calls do not check the interrupt flag on entry (their
    // loops do): an interruption requested while nothing ran is raised here.
    if store.interrupt.swap(false, Ordering::Relaxed) {
        return Err(Trap::new(TrapCode::Interrupted));
    }
    // A nested entry (compiled -> interpreter -> compiled) gets its own budget from here;
    // the outer activation's limit is restored when it returns.
    let outer_limit = store.vm_store.stack_limit;
    store.vm_store.stack_limit = signals::stack_limit(store.limits.max_wasm_stack);
    store.vm_store.store = store;
    store.vm_store.interrupt = Arc::as_ptr(&store.interrupt).cast();
    let metered = store.fuel.is_some();
    if let Some(fuel) = store.fuel {
        store.vm_store.fuel = fuel.min(i64::MAX as u64) as i64;
    }
    // SAFETY: per this function's contract, with the store context prepared just above.
    let status = unsafe { signals::enter(wrapper, code, vmctx.cast(), values) };
    // No guard needed to restore the limit: nothing unwinds out of `enter` (compiled code
    // never unwinds, builtins catch every panic and make it pending), and a pending panic is
    // resumed below, after the restore.
    store.vm_store.stack_limit = outer_limit;
    if metered {
        store.fuel = Some(store.vm_store.fuel.max(0) as u64);
    }
    if status == 0 {
        return Ok(());
    }
    let frames = signals::take_trap_frames();
    let mut trap = match abi::decode_trap(status as u8) {
        TrapOutcome::Code(code) => {
            if code == TrapCode::Interrupted {
                // Whoever raises the trap clears the request.
                store.interrupt.store(false, Ordering::Relaxed);
            }
            Trap::new(code)
        }
        TrapOutcome::Pending => match builtins::take_pending() {
            Some(builtins::Pending::Trap(t)) => t,
            Some(builtins::Pending::Panic(p)) => std::panic::resume_unwind(p),
            None => Trap::host("compiled code trapped without a reason"),
        },
    };
    // Frames of callees outside compiled code (already on a pending trap) are inner ones.
    for frame in frames {
        trap.push_frame(frame);
    }
    Err(trap)
}

/// Test support: `wasm` parsed with every feature wasmtier implements, and its function
/// bodies as [`compile_module`] takes them.
#[cfg(test)]
pub(crate) fn parse_for_tests<'a>(
    wasm: &'a [u8],
    registry: &wasmtier_runtime::TypeRegistry,
) -> (ModuleInfo, Vec<(u32, FunctionBody<'a>)>) {
    let features = wasmtier_runtime::module::features();
    let parsed = wasmtier_runtime::module::parse_with_features(wasm, registry, features).unwrap();
    let bodies = parsed
        .bodies
        .iter()
        .map(|b| (b.func_index, b.body.clone()))
        .collect();
    (parsed.info, bodies)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::os::unix::process::ExitStatusExt;
    use wasmtier_runtime::memory::{VMMemoryDefinition, reservations};
    use wasmtier_runtime::{Extern, TypeRegistry};

    /// `wat` parsed with `registry` (every feature wasmtier implements on) and compiled with
    /// the default options.
    fn compile_wat(wat: &str, registry: &TypeRegistry) -> (ModuleInfo, CompiledModule) {
        let wasm = wat::parse_str(wat).unwrap();
        let (info, bodies) = parse_for_tests(&wasm, registry);
        let module = compile_module(&info, &bodies, &JitOptions::default()).unwrap();
        (info, module)
    }

    /// A store with one instance of `wat`, every function compiled, and export `name`.
    fn jit_store(wat: &str, name: &str) -> (StoreOpaque, FuncId) {
        let registry = Arc::new(TypeRegistry::default());
        let (info, module) = compile_wat(wat, &registry);
        let mut store = StoreOpaque::new(registry);
        let done =
            wasmtier_runtime::instantiate(&mut store, Arc::new(info), Arc::new(()), &[]).unwrap();
        link_instance(&mut store, done.instance, &Arc::new(module));
        let Some(Extern::Func(f)) = store.instance(done.instance).export(name) else {
            panic!("no function export {name}");
        };
        (store, f)
    }

    const LOAD: &str = r#"(module (memory 1) (func (export "load") (param i32) (result i32) (i32.load (local.get 0))))"#;

    /// 64 KiB of inaccessible address space that is no linear memory's.
    fn inaccessible_page() -> *mut u8 {
        // SAFETY: a fresh anonymous PROT_NONE mapping aliases nothing.
        let p = unsafe {
            libc::mmap(
                std::ptr::null_mut(),
                65536,
                libc::PROT_NONE,
                libc::MAP_PRIVATE | libc::MAP_ANONYMOUS,
                -1,
                0,
            )
        };
        assert_ne!(p, libc::MAP_FAILED);
        p.cast()
    }

    /// Makes instance 0's compiled code use `def` as memory 0 from its next entry on.
    fn redirect_memory(store: &mut StoreOpaque, def: &VMMemoryDefinition) {
        state(store).instances[0]
            .as_mut()
            .expect("linked")
            .vmctx
            .memory = def;
    }

    const CHILD_ENV: &str = "WASMTIER_JIT_FAULT_CHILD";

    /// The signal handler turns a fault at a heap-access trap site into a trap only if the
    /// address is in a linear memory's reservation: a fault elsewhere (here: compiled code
    /// given a memory base outside every reservation) goes to the previous handler and kills
    /// the process, as it would without ours.
    #[test]
    fn heap_faults_trap_only_inside_linear_memories() {
        // Inside a reservation: a trap, as for an access to a real memory's guard region.
        let (mut store, load) = jit_store(LOAD, "load");
        let page = inaccessible_page();
        let def = VMMemoryDefinition {
            base: page,
            length: 65536,
        };
        redirect_memory(&mut store, &def);
        let slot = reservations::register(page as usize, 65536).unwrap();
        let result = invoke(&mut store, load, &mut [16]);
        reservations::unregister(slot);
        assert_eq!(
            result.unwrap_err().code(),
            Some(TrapCode::MemoryOutOfBounds)
        );
        // SAFETY: the mapping made above, no longer used.
        unsafe { libc::munmap(page.cast(), 65536) };

        // Outside every reservation, in a child process (this test binary, running only the
        // test below).
        let out = std::process::Command::new(std::env::current_exe().unwrap())
            .args([
                "tests::child_heap_fault_outside_linear_memories",
                "--exact",
                "--ignored",
                "--nocapture",
                "--test-threads=1",
            ])
            .env(CHILD_ENV, "1")
            .output()
            .unwrap();
        assert_eq!(
            out.status.signal(),
            Some(libc::SIGSEGV),
            "the child was not killed by the fault: {}\n{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
    }

    #[test]
    #[ignore = "run in a child process by heap_faults_trap_only_inside_linear_memories"]
    fn child_heap_fault_outside_linear_memories() {
        if std::env::var_os(CHILD_ENV).is_none() {
            return;
        }
        let no_core = libc::rlimit {
            rlim_cur: 0,
            rlim_max: 0,
        };
        // SAFETY: `no_core` is a valid rlimit; lowering a limit of this process is harmless.
        unsafe { libc::setrlimit(libc::RLIMIT_CORE, &no_core) };
        let (mut store, load) = jit_store(LOAD, "load");
        let def = VMMemoryDefinition {
            base: inaccessible_page(),
            length: 65536,
        };
        redirect_memory(&mut store, &def);
        let result = invoke(&mut store, load, &mut [16]);
        // Only reached if the fault was turned into a trap.
        println!("the fault returned {result:?}");
    }

    #[test]
    fn wide_arithmetic_is_compiled() {
        let (_, module) = compile_wat(
            r#"(module
                (func (param i64 i64 i64 i64) (result i64 i64)
                  (i64.add128 (local.get 0) (local.get 1) (local.get 2) (local.get 3)))
                (func (param i64 i64) (result i64 i64)
                  (i64.mul_wide_s (local.get 0) (local.get 1))))"#,
            &TypeRegistry::default(),
        );
        assert!(module.skipped.is_empty(), "{:?}", module.skipped);
    }

    /// An on-stack-replacement entry finds its locals, and leaves its results, at their slot
    /// offsets, a v128 taking two slots (low half first), as the interpreter lays them out.
    #[test]
    fn osr_entry_reads_and_writes_v128_in_two_slots() {
        let wat = r#"(module
          (func (param i32 v128 f64) (result v128 i32 f64) (local v128 i64)
            (loop $l
              (local.set 3 (i32x4.add (local.get 3) (local.get 1)))
              (local.set 0 (i32.sub (local.get 0) (i32.const 1)))
              (br_if $l (local.get 0)))
            (local.get 3) (i32.wrap_i64 (local.get 4)) (local.get 2)))"#;
        let registry = Arc::new(TypeRegistry::default());
        let wasm = wat::parse_str(wat).unwrap();
        let (info, bodies) = parse_for_tests(&wasm, &registry);
        let options = JitOptions::default();
        let module = Arc::new(compile_module(&info, &bodies, &options).unwrap());
        let (index, body) = &bodies[0];
        let entry =
            tiering::compile_function(&info, *index, body, &options, None, Some(0)).unwrap();
        let mut store = StoreOpaque::new(registry);
        let done =
            wasmtier_runtime::instantiate(&mut store, Arc::new(info), Arc::new(()), &[]).unwrap();
        link_instance(&mut store, done.instance, &module);
        let vmctx: *mut VMContext = &mut *state(&mut store).instances[0]
            .as_mut()
            .expect("linked")
            .vmctx;
        let i32x4 = |l: [u32; 4]| {
            [
                l[0] as u64 | (l[1] as u64) << 32,
                l[2] as u64 | (l[3] as u64) << 32,
            ]
        };
        let (p1, l3) = (i32x4([1, 2, 3, 4]), i32x4([10, 20, 30, 40]));
        // Locals: i32, v128, f64, v128, i64.
        let mut slots = [3, p1[0], p1[1], 2.5f64.to_bits(), l3[0], l3[1], 7];
        // SAFETY: the module's on-stack-replacement wrapper, an entry compiled for the
        // module's function, its instance's live context, and the function's locals in
        // `slots`, which also has room for its results.
        let result = unsafe {
            run_compiled(
                &mut store,
                module.code.at(module.osr_wrapper),
                entry.entry(),
                vmctx,
                slots.as_mut_ptr(),
            )
        };
        result.unwrap();
        let sum = i32x4([13, 26, 39, 52]);
        assert_eq!(slots[..4], [sum[0], sum[1], 7, 2.5f64.to_bits()]);
    }

    #[test]
    fn multi_memory_is_compiled() {
        let (_, module) = compile_wat(
            r#"(module (memory 1) (memory $b 1)
                (func (param i32) (result i32)
                  (i32.store $b (local.get 0) (i32.load $b (local.get 0)))
                  (memory.copy 0 $b (i32.const 0) (i32.const 0) (i32.const 1))
                  (drop (memory.grow $b (i32.const 1)))
                  (memory.size $b)))"#,
            &TypeRegistry::default(),
        );
        assert!(module.skipped.is_empty(), "{:?}", module.skipped);
    }

    /// A module with many functions of different sizes that call each other directly, trap
    /// in several ways, and one function too big to compile (so that it is skipped).
    fn many_functions_wat() -> String {
        let mut wat = String::from("(module (memory 1) (table 4 funcref)\n");
        for i in 0..40 {
            let callee = (i * 7 + 3) % 40;
            let mut body = format!("(i32.div_s (local.get 0) (i32.const {i}))");
            for j in 0..(i % 9) * 5 {
                body = format!("(i32.add {body} (i32.load offset={j} (local.get 0)))");
            }
            wat.push_str(&format!(
                "(func (param i32) (result i32) (loop (br_if 0 (i32.eqz (local.get 0)))) \
                 (if (result i32) (i32.gt_u (local.get 0) (i32.const 1000)) \
                   (then (call {callee} (i32.sub (local.get 0) (i32.const 1)))) \
                   (else {body})))\n"
            ));
        }
        let huge = "(drop (i32.const 1))".repeat(translate::MAX_BODY_BYTES as usize / 3 + 1);
        wat.push_str(&format!("(func {huge}))"));
        wat
    }

    /// Functions compiled on one thread or on several are laid out the same: the same bytes,
    /// trap sites, function ranges and skipped functions, with the fallback to calls through
    /// references (a function was skipped) and with a filter.
    #[test]
    fn thread_count_does_not_change_the_code() {
        let wasm = wat::parse_str(many_functions_wat()).unwrap();
        let (info, bodies) = parse_for_tests(&wasm, &TypeRegistry::default());
        for (filter, direct_calls) in [
            (None, true),
            (None, false),
            (
                Some((|_, i| i % 5 != 3) as fn(Option<&str>, u32) -> bool),
                true,
            ),
        ] {
            let lay_out = |threads| {
                let options = JitOptions {
                    filter,
                    compile_threads: Some(threads),
                    ..JitOptions::default()
                };
                lay_out_module(&info, &bodies, &options, direct_calls).unwrap()
            };
            let one = lay_out(1);
            assert_eq!(one.skipped.len(), 1, "{:?}", one.skipped);
            assert!(one.funcs.iter().filter(|f| f.is_some()).count() >= 30);
            for threads in [2, 3, 16] {
                let many = lay_out(threads);
                assert!(one.layout.bytes == many.layout.bytes, "{threads} threads");
                assert_eq!(one.layout.traps, many.layout.traps);
                assert_eq!(one.layout.calls, many.layout.calls);
                assert_eq!(one.ranges, many.ranges);
                assert_eq!(one.funcs, many.funcs);
                assert_eq!(one.skipped, many.skipped);
                assert_eq!(
                    (
                        one.wrappers.clone(),
                        one.trampolines.clone(),
                        one.osr_wrapper
                    ),
                    (many.wrappers, many.trampolines, many.osr_wrapper)
                );
            }
        }
    }

    /// The compiled functions run, call each other and trap with the same results whatever
    /// the number of threads that compiled them.
    #[test]
    fn code_compiled_on_several_threads_runs_and_traps() {
        let wat = r#"(module
            (func $f (export "f") (param i32) (result i32)
              (if (result i32) (i32.eqz (local.get 0))
                (then (i32.div_u (i32.const 1) (local.get 0)))
                (else (i32.add (call $g (i32.sub (local.get 0) (i32.const 1))) (i32.const 2)))))
            (func $g (param i32) (result i32) (call $f (local.get 0))))"#;
        for threads in [1, 2] {
            let registry = Arc::new(TypeRegistry::default());
            let wasm = wat::parse_str(wat).unwrap();
            let (info, bodies) = parse_for_tests(&wasm, &registry);
            let options = JitOptions {
                compile_threads: Some(threads),
                ..JitOptions::default()
            };
            let module = compile_module(&info, &bodies, &options).unwrap();
            let mut store = StoreOpaque::new(registry);
            let done = wasmtier_runtime::instantiate(&mut store, Arc::new(info), Arc::new(()), &[])
                .unwrap();
            link_instance(&mut store, done.instance, &Arc::new(module));
            let Some(Extern::Func(f)) = store.instance(done.instance).export("f") else {
                panic!("no export f");
            };
            let mut slots = [0u64];
            let trap = invoke(&mut store, f, &mut slots).unwrap_err();
            assert_eq!(trap.code(), Some(TrapCode::IntegerDivideByZero));
            assert_eq!(trap.backtrace().len(), 1, "{threads} threads");
            // f(3) -> g(2) -> f(2) -> ... -> f(0), which traps: 7 frames.
            let mut slots = [3u64];
            let trap = invoke(&mut store, f, &mut slots).unwrap_err();
            assert_eq!(trap.backtrace().len(), 7, "{threads} threads");
        }
    }

    #[test]
    fn code_memory_is_registered_and_freed_with_the_module() {
        let before = signals::registered_ranges();
        let (_, module) = compile_wat(
            r#"(module (func (export "f") (param i32) (result i32) (i32.add (local.get 0) (i32.const 1))))"#,
            &TypeRegistry::default(),
        );
        assert!(module.skipped.is_empty());
        assert_eq!(module.funcs.len(), 1);
        assert_eq!(signals::registered_ranges(), before + 1);
        drop(module);
        assert_eq!(signals::registered_ranges(), before);
    }
}
