//! Tail calls the interpreter hands back to compiled code (`Completion::TailCall`).
//!
//! Compiled code reaches an interpreted function through a host trampoline, which calls the
//! `call_func` builtin, which runs the interpreter. When the interpreted activation ends
//! with a tail call to a compiled function, the interpreter does not make the call itself
//! (that would nest the compiled callee inside the interpreter's host frames, one level more
//! for every crossing of a chain of tail calls); it returns the request, and:
//!
//! - under `call_func`: [`prepare_handed_back_call`] writes the callee's code and context,
//!   the tail-call adapter for its type, and the arguments into the store context, and the
//!   builtin returns `CALL_FUNC_TAIL_CALL`; the trampoline tail-calls the adapter, which
//!   loads the arguments and tail-calls the callee. Trampoline and adapter replace their own
//!   frames, so the chain goes on in constant stack, native and host alike.
//! - where the host entered the interpreter ([`crate::invoke`]): [`call_handed_back`] runs
//!   the callee, which continues the chain in compiled code.
//!
//! Adapters depend only on the callee's type. They are made on first use, per store, since
//! only chains that cross tiers by tail calls need them.

use std::collections::HashMap;

use cranelift_codegen::ir::Function;
use cranelift_frontend::FunctionBuilderContext;
use wasmtier_runtime::{FuncId, FuncKind, FuncType, StoreOpaque, Trap};

use crate::codemem::CodeMemory;
use crate::{Layout, isa, signals, translate};

/// The adapters a store has made, by callee type.
#[derive(Default)]
pub(crate) struct Adapters {
    code: HashMap<FuncType, CodeMemory>,
}

impl Adapters {
    /// The adapter for callees of type `ty`, made now if this store has none yet.
    fn get_or_make(&mut self, ty: &FuncType) -> Result<*const u8, String> {
        if let Some(code) = self.code.get(ty) {
            return Ok(code.at(0));
        }
        let code = make_adapter(ty)?;
        let entry = code.at(0);
        self.code.insert(ty.clone(), code);
        Ok(entry)
    }
}

fn make_adapter(ty: &FuncType) -> Result<CodeMemory, String> {
    let isa = isa()?;
    let mut func = Function::new();
    translate::build_tail_adapter(ty, &**isa, &mut func, &mut FunctionBuilderContext::new());
    let mut layout = Layout {
        bytes: Vec::new(),
        traps: Vec::new(),
        calls: Vec::new(),
    };
    let start = layout.add(func, &mut cranelift_codegen::Context::new())?;
    debug_assert_eq!(start, 0);
    layout.traps.sort_unstable();
    CodeMemory::new(
        &layout.bytes,
        signals::CodeInfo {
            traps: layout.traps,
            // Not a wasm function: backtraces leave it out.
            funcs: Vec::new(),
            module_name: None,
            func_names: HashMap::new(),
        },
    )
}

/// Sets up the store context for the host trampoline that called `call_func` to tail-call
/// `callee` (a function with machine code) with the arguments in `store.tail_args`.
pub(crate) fn prepare_handed_back_call(
    store: &mut StoreOpaque,
    callee: FuncId,
) -> Result<(), Trap> {
    let fref = store.func_refs[callee.index()];
    debug_assert!(
        !fref.code.is_null(),
        "handed back for compiled functions only"
    );
    let ty = store.func(callee).ty.clone();
    debug_assert!(matches!(store.func(callee).kind, FuncKind::Wasm { .. }));
    let adapter = crate::state(store)
        .adapters
        .get_or_make(&ty)
        .map_err(|e| Trap::host(format!("making a tail-call adapter failed: {e}")))?;
    let ctx = &mut *store.vm_store;
    ctx.tail_code = fref.code;
    ctx.tail_vmctx = fref.vmctx;
    ctx.tail_adapter = adapter;
    // `tail_args` is not touched again before the adapter has read the arguments: no Rust
    // code runs between this builtin's return and the adapter's loads.
    ctx.tail_args = store.tail_args.as_ptr();
    Ok(())
}

/// Makes the tail call to `callee` (machine code) that the interpreter handed back to a
/// host entry, with the arguments in `store.tail_args`; its results land in `slots`.
pub(crate) fn call_handed_back(
    store: &mut StoreOpaque,
    callee: FuncId,
    slots: &mut [u64],
) -> Result<(), Trap> {
    let results = store.func(callee).ty.result_slots();
    // Taken out while the callee runs, which may hand back tail calls of its own.
    let mut args = std::mem::take(&mut store.tail_args);
    let outcome = crate::invoke(store, callee, &mut args);
    if outcome.is_ok() {
        slots[..results].copy_from_slice(&args[..results]);
    }
    store.tail_args = args;
    outcome
}
