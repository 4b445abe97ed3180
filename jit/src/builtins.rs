//! Runtime entry points called from compiled code (through `VMContext::builtins`).
//!
//! Every builtin receives the calling instance's `VMContext`, reaches the store through the
//! store context's `store` pointer (set on every host -> wasm entry) and never unwinds into
//! compiled code: a trap or a panic is stashed in a thread-local and reported as a non-zero
//! status, on which the compiled caller raises the `PENDING` trap.

use std::any::Any;
use std::cell::RefCell;
use std::panic::{AssertUnwindSafe, catch_unwind};

use wasmtier_runtime::vmctx::VMContext;
use wasmtier_runtime::{
    FuncId, FuncKind, HostContext, InstanceId, StoreOpaque, Trap, TrapCode, span,
};

use crate::abi::NUM_BUILTINS;

/// Why the innermost compiled code stopped abnormally, waiting to be picked up by its entry.
pub(crate) enum Pending {
    Trap(Trap),
    Panic(Box<dyn Any + Send>),
}

thread_local! {
    static PENDING: RefCell<Option<Pending>> = const { RefCell::new(None) };
}

pub(crate) fn take_pending() -> Option<Pending> {
    PENDING.with(|p| p.borrow_mut().take())
}

fn stash(p: Pending) -> u32 {
    PENDING.with(|slot| *slot.borrow_mut() = Some(p));
    1
}

/// Runs `f` with the store and instance of `vmctx`, turning errors and panics into a status.
///
/// # Safety
/// `vmctx` must be the context of a live instance whose store context points at the store
/// that is currently running compiled code on this thread.
unsafe fn with_store(
    vmctx: *mut VMContext,
    f: impl FnOnce(&mut StoreOpaque, InstanceId) -> Result<(), Trap>,
) -> u32 {
    // SAFETY: per this function's contract the pointers are valid; the store is borrowed
    // mutably by the entry that started the compiled code, which does not touch it until the
    // compiled code returns, so this is the only live reference while `f` runs.
    let (store, inst) = unsafe {
        let store = &mut *(*(*vmctx).store_ctx).store;
        (store, InstanceId((*vmctx).instance as u32))
    };
    match catch_unwind(AssertUnwindSafe(|| f(store, inst))) {
        Ok(Ok(())) => 0,
        Ok(Err(trap)) => stash(Pending::Trap(trap)),
        Err(panic) => stash(Pending::Panic(panic)),
    }
}

fn oob() -> Trap {
    Trap::new(TrapCode::MemoryOutOfBounds)
}

fn table_oob() -> Trap {
    Trap::new(TrapCode::TableOutOfBounds)
}

/// Calls any function of the store with arguments/results in `values`.
pub(crate) fn call_any(
    store: &mut StoreOpaque,
    caller: Option<InstanceId>,
    f: FuncId,
    slots: &mut [u64],
) -> Result<(), Trap> {
    match &store.func(f).kind {
        FuncKind::Host(cb) => {
            let cb = cb.clone();
            cb(store, HostContext { caller }, slots)
        }
        FuncKind::Wasm { .. } => {
            if let Some(call) = store.compiled_call(f) {
                call(store, f, slots)
            } else if let Some(hooks) = store.tier_hooks {
                (hooks.call_interpreted)(store, f, slots)
            } else {
                Err(Trap::host(
                    "no interpreter is available to run this function",
                ))
            }
        }
    }
}

unsafe extern "C" fn call_func(vmctx: *mut VMContext, func: u64, values: *mut u64) -> u32 {
    // SAFETY: called by a trampoline of a live instance during an entry (see `with_store`);
    // `values` is the trampoline's slot array, sized for the callee's params and results.
    unsafe {
        with_store(vmctx, |store, inst| {
            let f = FuncId(func as u32);
            let ty = &store.func(f).ty;
            let n = ty.params().len().max(ty.results().len()).max(1);
            let slots = std::slice::from_raw_parts_mut(values, n);
            // The callee (host, interpreter, nested entry) sees and charges the store's fuel.
            let metered = store.fuel.is_some();
            if metered {
                store.fuel = Some(store.vm_store.fuel.max(0) as u64);
            }
            let result = call_any(store, Some(inst), f, slots);
            if let Some(fuel) = store.fuel.filter(|_| metered) {
                store.vm_store.fuel = fuel.min(i64::MAX as u64) as i64;
            }
            result
        })
    }
}

fn memory0(store: &mut StoreOpaque, inst: InstanceId) -> &mut [u8] {
    let m = store.instance(inst).memories[0];
    store.memory_mut(m).data_mut()
}

unsafe extern "C" fn memory_grow(vmctx: *mut VMContext, delta: u32) -> u32 {
    let mut result = u32::MAX;
    // SAFETY: see `with_store`.
    unsafe {
        with_store(vmctx, |store, inst| {
            let m = store.instance(inst).memories[0];
            if let Some(old) = store.grow_memory(m, delta as u64) {
                result = old as u32;
            }
            Ok(())
        });
    }
    result
}

unsafe extern "C" fn memory_fill(vmctx: *mut VMContext, dst: u32, val: u32, len: u32) -> u32 {
    // SAFETY: see `with_store`.
    unsafe {
        with_store(vmctx, |store, inst| {
            let data = memory0(store, inst);
            let r = span(dst, len, data.len()).ok_or_else(oob)?;
            data[r].fill(val as u8);
            Ok(())
        })
    }
}

unsafe extern "C" fn memory_copy(vmctx: *mut VMContext, dst: u32, src: u32, len: u32) -> u32 {
    // SAFETY: see `with_store`.
    unsafe {
        with_store(vmctx, |store, inst| {
            let data = memory0(store, inst);
            let s = span(src, len, data.len()).ok_or_else(oob)?;
            let d = span(dst, len, data.len()).ok_or_else(oob)?;
            data.copy_within(s, d.start);
            Ok(())
        })
    }
}

unsafe extern "C" fn memory_init(
    vmctx: *mut VMContext,
    seg: u32,
    dst: u32,
    src: u32,
    len: u32,
) -> u32 {
    // SAFETY: see `with_store`.
    unsafe {
        with_store(vmctx, |store, inst| {
            let bytes = store.instance(inst).data_segments[seg as usize].clone();
            let s = span(src, len, bytes.len()).ok_or_else(oob)?;
            let data = memory0(store, inst);
            let d = span(dst, len, data.len()).ok_or_else(oob)?;
            data[d].copy_from_slice(&bytes[s]);
            Ok(())
        })
    }
}

unsafe extern "C" fn data_drop(vmctx: *mut VMContext, seg: u32) {
    // SAFETY: see `with_store`.
    unsafe {
        with_store(vmctx, |store, inst| {
            store.drop_data(inst, seg);
            Ok(())
        });
    }
}

unsafe extern "C" fn table_grow(vmctx: *mut VMContext, table: u32, init: u64, delta: u32) -> u32 {
    let mut result = u32::MAX;
    // SAFETY: see `with_store`.
    unsafe {
        with_store(vmctx, |store, inst| {
            let t = store.instance(inst).tables[table as usize];
            if let Some(old) = store.grow_table(t, delta, init) {
                result = old;
            }
            Ok(())
        });
    }
    result
}

unsafe extern "C" fn table_fill(
    vmctx: *mut VMContext,
    table: u32,
    index: u32,
    val: u64,
    len: u32,
) -> u32 {
    // SAFETY: see `with_store`.
    unsafe {
        with_store(vmctx, |store, inst| {
            let t = store.instance(inst).tables[table as usize];
            let elements = &mut store.table_mut(t).elements;
            let r = span(index, len, elements.len()).ok_or_else(table_oob)?;
            elements[r].fill(val);
            Ok(())
        })
    }
}

unsafe extern "C" fn table_copy(
    vmctx: *mut VMContext,
    dst_table: u32,
    src_table: u32,
    dst: u32,
    src: u32,
    len: u32,
) -> u32 {
    // SAFETY: see `with_store`.
    unsafe {
        with_store(vmctx, |store, inst| {
            store
                .table_copy(inst, dst_table, src_table, dst, src, len)
                .map_err(Trap::new)
        })
    }
}

unsafe extern "C" fn table_init(
    vmctx: *mut VMContext,
    table: u32,
    seg: u32,
    dst: u32,
    src: u32,
    len: u32,
) -> u32 {
    // SAFETY: see `with_store`.
    unsafe {
        with_store(vmctx, |store, inst| {
            store
                .table_init(inst, table, seg, dst, src, len)
                .map_err(Trap::new)
        })
    }
}

unsafe extern "C" fn elem_drop(vmctx: *mut VMContext, seg: u32) {
    // SAFETY: see `with_store`.
    unsafe {
        with_store(vmctx, |store, inst| {
            store.drop_elem(inst, seg);
            Ok(())
        });
    }
}

/// The builtin table, in `abi::Builtin` order.
pub(crate) fn table() -> Box<[*const u8]> {
    let t: [*const u8; NUM_BUILTINS] = [
        call_func as *const u8,
        memory_grow as *const u8,
        memory_fill as *const u8,
        memory_copy as *const u8,
        memory_init as *const u8,
        data_drop as *const u8,
        table_grow as *const u8,
        table_fill as *const u8,
        table_copy as *const u8,
        table_init as *const u8,
        elem_drop as *const u8,
    ];
    Box::new(t)
}
