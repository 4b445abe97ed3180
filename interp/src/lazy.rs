//! A module's interpreter code, translated lazily: every function body is validated when the
//! module is made (`module::parse_validated`, so an invalid module fails there, as the spec
//! demands), and translated to bytecode on its first call. The translation is shared by every instance of the module, in
//! every store and on every thread.
//!
//! # Where the state lives
//! [`ModuleCode`] has one pointer per defined function: null until the function is
//! translated, then the address of its [`CompiledFunc`], which the `ModuleCode` owns (a
//! `Box` turned into a raw pointer) and frees when it is dropped. Callers resolve a callee
//! with one `Acquire` load and a null check ([`ModuleCode::translated`],
//! [`ModuleCode::get_or_translate`]); the slow path translates under the module's lock.
//!
//! # Why this is thread-safe
//! - A pointer changes at most once, from null to a `CompiledFunc` that is fully built before
//!   the `Release` store that publishes it; a reader that sees the pointer (with `Acquire`)
//!   sees the whole function. After that the function is never written again (its
//!   [`Hotness`](crate::Hotness) counters are atomics) and never moved or freed until the
//!   `ModuleCode` is dropped, which no reader outlives: instances hold the `ModuleCode` in an
//!   `Arc`, and every `&CompiledFunc` handed out borrows from `&self`.
//! - A function is translated exactly once: translation runs with the module's lock held and
//!   only after checking the pointer again under the lock, so a second thread asking for the
//!   same function waits for the first and then finds the pointer set. (Functions of one
//!   module are translated one at a time; translating one takes microseconds.)
//! - A translation that fails (only the interpreter's own limits can fail after validation)
//!   is remembered, so the function fails the same way on every later call without being
//!   translated again.
//!
//! # Tiering
//! A function's [`Hotness`](crate::Hotness) counters live in its `CompiledFunc`: a function
//! that was never translated was never entered by the interpreter, so it has no counts to
//! report and cannot be hot. Everything that asks for counters of a function that may not be
//! translated yet either treats it as having none ([`ModuleCode::translated`]) or translates
//! it first ([`ModuleCode::get_or_translate`]).

use std::collections::HashMap;
use std::ops::Range;
use std::ptr;
use std::sync::atomic::{AtomicPtr, AtomicU32, Ordering};
use std::sync::{Arc, Mutex, PoisonError};

use wasmparser::{
    BinaryReader, FuncToValidate, FuncValidatorAllocations, FunctionBody, ValidatorResources,
    WasmFeatures,
};
use wasmtier_runtime::Trap;
use wasmtier_runtime::module::{ModuleError, ModuleInfo, PendingBody};

use crate::code::{Exit, Instr};
use crate::exec::Exec;
use crate::tier::Tiering;
use crate::translate::{self, CompiledFunc};

// `ModuleCode` shares its functions between threads through raw pointers, which would make
// it `Send` and `Sync` whatever `CompiledFunc` is: check that the functions may be shared.
const _: () = {
    const fn shareable<T: Send + Sync>() {}
    shareable::<CompiledFunc>();
};

/// Translated code of one module, shared by all its instances.
pub struct ModuleCode {
    /// Per defined function: its translation, or null while it has none. Each pointer is
    /// set at most once, from null to a `Box::into_raw` pointer that this value owns (see
    /// the module docs).
    funcs: Box<[AtomicPtr<CompiledFunc>]>,
    /// How many of `funcs` are set.
    translated: AtomicU32,
    /// What translating the rest takes; `None` when every function was translated up front.
    source: Option<Source>,
}

/// What translating a function later needs.
struct Source {
    info: Arc<ModuleInfo>,
    /// The module's function bodies: `wasm[0]` is byte `base` of the module binary.
    wasm: Arc<[u8]>,
    base: usize,
    /// Per defined function: its body's byte range in the module binary.
    bodies: Box<[Range<usize>]>,
    /// The module's validation context (shared by all its functions) and features, from
    /// which each translation makes a fresh `FuncValidator`: the translator validates again
    /// as it goes, because it reads operand-stack heights from the validator.
    resources: ValidatorResources,
    features: WasmFeatures,
    tiering: Option<Tiering>,
    state: Mutex<LazyState>,
}

/// What translations share; its lock is held while a function is translated.
#[derive(Default)]
struct LazyState {
    allocs: FuncValidatorAllocations,
    /// Functions whose translation failed, with the error.
    failed: HashMap<u32, ModuleError>,
}

impl Drop for ModuleCode {
    fn drop(&mut self) {
        for slot in self.funcs.iter_mut() {
            let func = std::mem::replace(slot.get_mut(), ptr::null_mut());
            if !func.is_null() {
                // SAFETY: a non-null pointer came from `Box::into_raw` (see `publish`) and is
                // owned by this value; `&mut self` means no reference to it is left.
                drop(unsafe { Box::from_raw(func) });
            }
        }
    }
}

impl std::fmt::Debug for ModuleCode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ModuleCode")
            .field("funcs", &self.funcs.len())
            .field("translated", &self.num_translated())
            .field("lazy", &self.source.is_some())
            .finish()
    }
}

/// Validates and translates every function body of a module now.
///
/// With `tiering`, the code counts calls and loop iterations per function and asks for
/// machine code once a function is hot (the store's `TierHooks::promote`).
pub fn translate_module(
    info: &ModuleInfo,
    bodies: Vec<PendingBody<'_>>,
    tiering: Option<&Tiering>,
) -> Result<ModuleCode, ModuleError> {
    let mut allocs = FuncValidatorAllocations::default();
    let code = ModuleCode::empty(bodies.len(), None);
    for (def, body) in bodies.into_iter().enumerate() {
        let (func, reuse) = translate::translate_function(info, body, allocs, tiering)?;
        allocs = reuse;
        code.publish(def, func);
    }
    Ok(code)
}

/// Leaves translating each function body of a module to its first call
/// ([`ModuleCode::get_or_translate`]).
///
/// The bodies must have been validated (`module::parse_validated`), so that an invalid
/// module fails when it is made. (Translation validates each body again as it goes, so an
/// invalid body could not run anyway: its first call would fail.)
///
/// `binary` is the module binary the bodies were parsed from. Translation reads the bodies
/// again later: from `shared` when the caller keeps the whole binary in an `Arc` anyway,
/// otherwise from a copy of the part of `binary` that holds them.
pub fn lazy_module(
    info: Arc<ModuleInfo>,
    bodies: Vec<PendingBody<'_>>,
    binary: &[u8],
    shared: Option<Arc<[u8]>>,
    tiering: Option<&Tiering>,
) -> ModuleCode {
    let Some(first) = bodies.first() else {
        return ModuleCode::empty(0, None);
    };
    let resources = first.validator.resources.clone();
    let features = first.validator.features;
    let ranges: Box<[Range<usize>]> = bodies
        .iter()
        .map(|body| {
            let range = body.body.range();
            range.start as usize..range.end as usize
        })
        .collect();
    let (wasm, base) = match shared {
        Some(whole) => (whole, 0),
        None => {
            // Bodies come in binary order, all in the code section.
            let span = ranges[0].start..ranges[ranges.len() - 1].end;
            (Arc::from(&binary[span.clone()]), span.start)
        }
    };
    let source = Source {
        info,
        wasm,
        base,
        bodies: ranges,
        resources,
        features,
        tiering: tiering.copied(),
        state: Mutex::new(LazyState::default()),
    };
    ModuleCode::empty(source.bodies.len(), Some(source))
}

impl ModuleCode {
    fn empty(num_funcs: usize, source: Option<Source>) -> ModuleCode {
        ModuleCode {
            funcs: (0..num_funcs)
                .map(|_| AtomicPtr::new(ptr::null_mut()))
                .collect(),
            translated: AtomicU32::new(0),
            source,
        }
    }

    /// Makes `func` the translation of defined function `def`, which has none yet.
    fn publish(&self, def: usize, func: CompiledFunc) -> &CompiledFunc {
        let func = Box::into_raw(Box::new(func));
        let previous = self.funcs[def].swap(func, Ordering::Release);
        debug_assert!(previous.is_null(), "a function is translated once");
        self.translated.fetch_add(1, Ordering::Relaxed);
        // SAFETY: just allocated, and owned by `self` from now on (freed only in `drop`).
        unsafe { &*func }
    }

    /// Number of defined functions.
    pub fn num_funcs(&self) -> usize {
        self.funcs.len()
    }

    /// Number of defined functions translated so far.
    pub fn num_translated(&self) -> usize {
        self.translated.load(Ordering::Relaxed) as usize
    }

    /// Whether functions are translated on their first call (else all were translated when
    /// the module was made).
    pub fn is_lazy(&self) -> bool {
        self.source.is_some()
    }

    /// Defined function `def`'s translation if it has one already (translates nothing).
    #[inline(always)]
    pub fn translated(&self, def: u32) -> Option<&CompiledFunc> {
        let func = self.funcs.get(def as usize)?.load(Ordering::Acquire);
        // SAFETY: a non-null pointer is a complete `CompiledFunc` that `self` owns and
        // never frees or changes while borrowed (module docs); `Acquire` pairs with the
        // `Release` that published it.
        unsafe { func.as_ref() }
    }

    /// Defined function `def`'s translation, or null if it has none yet, without a bounds
    /// check: the fast path of the interpreter's direct calls.
    ///
    /// # Safety
    /// `def` must be below [`Self::num_funcs`] (validation guarantees the function indices
    /// of calls).
    #[inline(always)]
    pub(crate) unsafe fn translated_unchecked(&self, def: u32) -> *const CompiledFunc {
        // SAFETY: per the contract.
        unsafe { self.funcs.get_unchecked(def as usize) }.load(Ordering::Acquire)
    }

    /// Defined function `def`'s translation, translating it now if this is its first use.
    /// Fails when the translation fails (valid code beyond an interpreter limit), every time
    /// it is asked for.
    #[inline(always)]
    pub fn get_or_translate(&self, def: u32) -> Result<&CompiledFunc, ModuleError> {
        match self.translated(def) {
            Some(func) => Ok(func),
            None => self.translate(def),
        }
    }

    #[cold]
    #[inline(never)]
    fn translate(&self, def: u32) -> Result<&CompiledFunc, ModuleError> {
        if def as usize >= self.funcs.len() {
            return Err(ModuleError::Invalid(format!(
                "no defined function {def} (the module defines {})",
                self.funcs.len()
            )));
        }
        let Some(source) = &self.source else {
            // Not reached: eagerly translated modules have every function.
            return Err(ModuleError::Unsupported(format!(
                "defined function {def} was not translated"
            )));
        };
        // A panic while translating leaves nothing half done: the function stays
        // untranslated and the state valid, so a poisoned lock is used as it is.
        let mut state = source.state.lock().unwrap_or_else(PoisonError::into_inner);
        // Another thread may have translated it while this one waited for the lock.
        if let Some(func) = self.translated(def) {
            return Ok(func);
        }
        if let Some(e) = state.failed.get(&def) {
            return Err(e.clone());
        }
        let allocs = std::mem::take(&mut state.allocs);
        match translate::translate_function(
            &source.info,
            source.pending_body(def),
            allocs,
            source.tiering.as_ref(),
        ) {
            Ok((func, allocs)) => {
                state.allocs = allocs;
                Ok(self.publish(def as usize, func))
            }
            Err(e) => {
                state.failed.insert(def, e.clone());
                Err(e)
            }
        }
    }

    /// Listing of defined function `def`'s bytecode (translating it if needed), or the
    /// reason it has none: `None` if there is no such function.
    pub fn disassemble(&self, def: u32) -> Option<Result<String, ModuleError>> {
        if def as usize >= self.funcs.len() {
            return None;
        }
        Some(self.get_or_translate(def).map(crate::disasm::disassemble))
    }
}

impl Source {
    /// Defined function `def`'s body, as `module::parse` handed it over.
    fn pending_body(&self, def: u32) -> PendingBody<'_> {
        let range = self.bodies[def as usize].clone();
        let func_index = self.info.num_imported_funcs + def;
        let mut reader = BinaryReader::new(
            &self.wasm[range.start - self.base..range.end - self.base],
            range.start as u64,
        );
        reader.set_features(self.features);
        PendingBody {
            func_index,
            validator: FuncToValidate {
                resources: self.resources.clone(),
                index: func_index,
                ty: self.info.func_types[func_index as usize],
                features: self.features,
            },
            body: FunctionBody::new(reader),
        }
    }
}

/// The trap of a call to function `func_index` (module index space), whose translation
/// failed with `e`.
pub(crate) fn translation_trap(func_index: u32, e: &ModuleError) -> Trap {
    let reason = match e {
        ModuleError::Unsupported(m) => m.clone(),
        other => other.to_string(),
    };
    Trap::unsupported(format!(
        "function {func_index} cannot run in the interpreter: {reason}"
    ))
}

/// The slow path of the `call_internal` family and `return_call_internal` when the callee,
/// defined function `def`, is not translated yet: translates it and runs the instruction
/// again, or traps if the translation fails.
///
/// # Safety
/// Called from the `call_internal` handler with its registers.
#[cold]
#[inline(never)]
pub(crate) unsafe fn call_untranslated(
    pc: *const Instr,
    fp: *mut u64,
    mem: *mut u8,
    st: &mut Exec,
    def: u32,
) -> Exit {
    // SAFETY: `pc` is the current call instruction and `st.ctx` describes the current
    // instance, whose module code and metadata outlive the execution.
    unsafe {
        match (*st.ctx.code).get_or_translate(def) {
            Ok(_) => crate::handlers::next(pc, fp, mem, st),
            Err(e) => {
                let index = (*st.ctx.module).num_imported_funcs + def;
                st.raise_trap(translation_trap(index, &e))
            }
        }
    }
}
