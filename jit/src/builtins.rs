//! Runtime entry points called from compiled code (through `VMContext::builtins`).
//!
//! Every builtin receives the calling instance's `VMContext`, reaches the store through the
//! store context's `store` pointer (set on every host -> wasm entry) and never unwinds into
//! compiled code: a trap or a panic is stashed in a thread-local and reported as a non-zero
//! status (`GROW_PENDING` for the two `grow`s, whose result is a value), on which the
//! compiled caller raises the `PENDING` trap. Compiled code checks the status of every
//! builtin: even those that cannot fail in wasm terms can panic.

use std::any::Any;
use std::cell::RefCell;
use std::panic::{AssertUnwindSafe, catch_unwind};

use wasmtier_runtime::vmctx::{Completion, VMContext};
use wasmtier_runtime::{
    FuncId, FuncKind, HostContext, InstanceId, SharedTypeId, StoreOpaque, Trap, TrapCode, span,
};

use crate::abi::{CALL_FUNC_TAIL_CALL, GROW_FAILED, GROW_PENDING, NUM_BUILTINS};

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
    STATUS_PENDING
}

/// The status of a builtin that failed: its trap (or panic) is pending.
const STATUS_PENDING: u32 = 1;

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

/// Calls any function of the store with arguments/results in `slots`. An interpreted
/// function may end with a tail call for the caller to make (`Completion::TailCall`).
pub(crate) fn call_any(
    store: &mut StoreOpaque,
    caller: Option<InstanceId>,
    f: FuncId,
    slots: &mut [u64],
) -> Result<Completion, Trap> {
    match &store.func(f).kind {
        FuncKind::Host(cb) => {
            let cb = cb.clone();
            cb(store, HostContext { caller }, slots).map(|()| Completion::Returned)
        }
        FuncKind::Wasm { .. } => {
            if let Some(call) = store.compiled_call(f) {
                call(store, f, slots).map(|()| Completion::Returned)
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
    let mut handed_back = false;
    // SAFETY: called by a trampoline of a live instance during an entry (see `with_store`);
    // `values` is the trampoline's slot array, sized for the callee's params and results.
    let status = unsafe {
        with_store(vmctx, |store, inst| {
            let f = FuncId(func as u32);
            // As many slots as the trampoline allocated: the array length of the type.
            let n = store.func(f).ty.array_len();
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
            if let Completion::TailCall(callee) = result? {
                crate::tail::prepare_handed_back_call(store, callee)?;
                handed_back = true;
            }
            Ok(())
        })
    };
    if status == 0 && handed_back {
        CALL_FUNC_TAIL_CALL
    } else {
        status
    }
}

fn memory(store: &mut StoreOpaque, inst: InstanceId, index: u32) -> &mut [u8] {
    let m = store.instance(inst).memories[index as usize];
    store.memory_mut(m).data_mut()
}

/// The return value of a `grow` builtin: the old size, [`GROW_FAILED`] (wasm's -1) if the
/// entity could not grow, or [`GROW_PENDING`] if `status` says a trap is pending.
fn grow_result(status: u32, old_size: Option<u64>) -> u64 {
    if status != 0 {
        GROW_PENDING
    } else {
        old_size.unwrap_or(GROW_FAILED)
    }
}

unsafe extern "C" fn memory_grow(vmctx: *mut VMContext, mem: u32, delta: u64) -> u64 {
    let mut result = None;
    // SAFETY: only compiled code calls builtins (through its instance's builtin table), and it
    // passes its own instance's context, which lives as long as the instance, during the
    // entry that set the store pointer: `with_store`'s contract.
    let status = unsafe {
        with_store(vmctx, |store, inst| {
            let m = store.instance(inst).memories[mem as usize];
            result = store.grow_memory(m, delta);
            Ok(())
        })
    };
    grow_result(status, result)
}

unsafe extern "C" fn memory_fill(
    vmctx: *mut VMContext,
    mem: u32,
    dst: u64,
    val: u32,
    len: u64,
) -> u32 {
    // SAFETY: only compiled code calls builtins (through its instance's builtin table), and it
    // passes its own instance's context, which lives as long as the instance, during the
    // entry that set the store pointer: `with_store`'s contract.
    unsafe {
        with_store(vmctx, |store, inst| {
            let data = memory(store, inst, mem);
            let r = span(dst, len, data.len()).ok_or_else(oob)?;
            data[r].fill(val as u8);
            Ok(())
        })
    }
}

unsafe extern "C" fn memory_copy(
    vmctx: *mut VMContext,
    dst_mem: u32,
    src_mem: u32,
    dst: u64,
    src: u64,
    len: u64,
) -> u32 {
    // SAFETY: only compiled code calls builtins (through its instance's builtin table), and it
    // passes its own instance's context, which lives as long as the instance, during the
    // entry that set the store pointer: `with_store`'s contract.
    unsafe {
        with_store(vmctx, |store, inst| {
            if dst_mem == src_mem {
                let data = memory(store, inst, dst_mem);
                let s = span(src, len, data.len()).ok_or_else(oob)?;
                let d = span(dst, len, data.len()).ok_or_else(oob)?;
                data.copy_within(s, d.start);
                return Ok(());
            }
            let from = memory(store, inst, src_mem);
            let s = span(src, len, from.len()).ok_or_else(oob)?;
            let from = from[s].as_ptr();
            let to = memory(store, inst, dst_mem);
            let d = span(dst, len, to.len()).ok_or_else(oob)?;
            // SAFETY: `from` points at `len` bytes of the source memory, a mapping of its own
            // that the borrow of the destination memory does not move or free (memories never
            // move, and nothing else runs meanwhile); two different memories never overlap.
            std::ptr::copy_nonoverlapping(from, to[d].as_mut_ptr(), len as usize);
            Ok(())
        })
    }
}

unsafe extern "C" fn memory_init(
    vmctx: *mut VMContext,
    mem: u32,
    seg: u32,
    dst: u64,
    src: u64,
    len: u64,
) -> u32 {
    // SAFETY: only compiled code calls builtins (through its instance's builtin table), and it
    // passes its own instance's context, which lives as long as the instance, during the
    // entry that set the store pointer: `with_store`'s contract.
    unsafe {
        with_store(vmctx, |store, inst| {
            let bytes = store.instance(inst).data_segments[seg as usize].clone();
            let s = span(src, len, bytes.len()).ok_or_else(oob)?;
            let data = memory(store, inst, mem);
            let d = span(dst, len, data.len()).ok_or_else(oob)?;
            data[d].copy_from_slice(&bytes[s]);
            Ok(())
        })
    }
}

unsafe extern "C" fn data_drop(vmctx: *mut VMContext, seg: u32) -> u32 {
    // SAFETY: only compiled code calls builtins (through its instance's builtin table), and it
    // passes its own instance's context, which lives as long as the instance, during the
    // entry that set the store pointer: `with_store`'s contract.
    unsafe {
        with_store(vmctx, |store, inst| {
            store.drop_data(inst, seg);
            Ok(())
        })
    }
}

unsafe extern "C" fn table_grow(vmctx: *mut VMContext, table: u32, init: u64, delta: u64) -> u64 {
    let mut result = None;
    // SAFETY: only compiled code calls builtins (through its instance's builtin table), and it
    // passes its own instance's context, which lives as long as the instance, during the
    // entry that set the store pointer: `with_store`'s contract.
    let status = unsafe {
        with_store(vmctx, |store, inst| {
            let t = store.instance(inst).tables[table as usize];
            result = store.grow_table(t, delta, init).map(u64::from);
            Ok(())
        })
    };
    grow_result(status, result)
}

unsafe extern "C" fn table_fill(
    vmctx: *mut VMContext,
    table: u32,
    index: u64,
    val: u64,
    len: u64,
) -> u32 {
    // SAFETY: only compiled code calls builtins (through its instance's builtin table), and it
    // passes its own instance's context, which lives as long as the instance, during the
    // entry that set the store pointer: `with_store`'s contract.
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
    dst: u64,
    src: u64,
    len: u64,
) -> u32 {
    // SAFETY: only compiled code calls builtins (through its instance's builtin table), and it
    // passes its own instance's context, which lives as long as the instance, during the
    // entry that set the store pointer: `with_store`'s contract.
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
    dst: u64,
    src: u64,
    len: u64,
) -> u32 {
    // SAFETY: only compiled code calls builtins (through its instance's builtin table), and it
    // passes its own instance's context, which lives as long as the instance, during the
    // entry that set the store pointer: `with_store`'s contract.
    unsafe {
        with_store(vmctx, |store, inst| {
            store
                .table_init(inst, table, seg, dst, src, len)
                .map_err(Trap::new)
        })
    }
}

unsafe extern "C" fn elem_drop(vmctx: *mut VMContext, seg: u32) -> u32 {
    // SAFETY: only compiled code calls builtins (through its instance's builtin table), and it
    // passes its own instance's context, which lives as long as the instance, during the
    // entry that set the store pointer: `with_store`'s contract.
    unsafe {
        with_store(vmctx, |store, inst| {
            store.drop_elem(inst, seg);
            Ok(())
        })
    }
}

unsafe extern "C" fn throw(vmctx: *mut VMContext, tag: u32, payload: u64) -> u32 {
    // SAFETY: as in `elem_drop`; `payload` is the compiled caller's slot array, which holds
    // the tag's payload (validation typed the operands by the tag's parameters).
    unsafe {
        with_store(vmctx, |store, inst| {
            let tag = store.instance(inst).tags[tag as usize];
            let n = store.tag(tag).ty.param_slots();
            let payload = std::slice::from_raw_parts(payload as *const u64, n).into();
            Err(Trap::exception(store.add_exception(tag, payload)))
        })
    }
}

unsafe extern "C" fn throw_ref(vmctx: *mut VMContext, exnref: u64) -> u32 {
    // SAFETY: as in `elem_drop`.
    unsafe {
        with_store(vmctx, |_, _| {
            Err(if exnref == wasmtier_runtime::raw_ref::NULL {
                Trap::new(TrapCode::NullExnRef)
            } else {
                Trap::exception(exnref)
            })
        })
    }
}

unsafe extern "C" fn check_subtype(vmctx: *mut VMContext, actual: u32, expected: u32) -> u32 {
    // SAFETY: as in `elem_drop`.
    unsafe {
        with_store(vmctx, |store, _| {
            if store
                .registry
                .is_subtype(SharedTypeId(actual), SharedTypeId(expected))
            {
                Ok(())
            } else {
                Err(Trap::new(TrapCode::IndirectCallTypeMismatch))
            }
        })
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
        throw as *const u8,
        throw_ref as *const u8,
        check_subtype as *const u8,
    ];
    Box::new(t)
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use wasmtier_runtime::TypeRegistry;

    use super::*;

    /// Every builtin reports its failure, also those that cannot trap in wasm terms
    /// (`memory.grow`, `table.grow`, `data.drop`, `elem.drop`): here a panic of the runtime,
    /// provoked by an instance id that does not exist in the store.
    #[test]
    fn failures_of_every_builtin_are_reported() {
        let mut store = StoreOpaque::new(Arc::new(TypeRegistry::default()));
        let store_ptr: *mut StoreOpaque = &mut store;
        store.vm_store.store = store_ptr;
        let mut vmctx = VMContext {
            store_ctx: &mut *store.vm_store,
            memory: std::ptr::null(),
            globals: std::ptr::null(),
            func_refs: std::ptr::null(),
            tables: std::ptr::null(),
            trampolines: std::ptr::null(),
            builtins: std::ptr::null(),
            instance: 99,
            memories: std::ptr::null(),
            type_ids: std::ptr::null(),
        };
        let vmctx: *mut VMContext = &mut vmctx;
        let panicked = || matches!(take_pending(), Some(Pending::Panic(_)));
        // SAFETY: `vmctx` is a context whose store context points at `store`, which is not
        // otherwise borrowed during the calls (the builtins' contract). The instance id is
        // invalid on purpose: the runtime panics when it looks the instance up, and the
        // builtins catch that.
        unsafe {
            assert_eq!(memory_grow(vmctx, 0, 1), GROW_PENDING);
            assert!(panicked());
            assert_eq!(table_grow(vmctx, 0, 0, 1), GROW_PENDING);
            assert!(panicked());
            assert_ne!(data_drop(vmctx, 0), 0);
            assert!(panicked());
            assert_ne!(elem_drop(vmctx, 0), 0);
            assert!(panicked());
            assert_ne!(memory_fill(vmctx, 0, 0, 0, 0), 0);
            assert!(panicked());
            // Types the registry does not know are no subtypes of each other: a trap.
            assert_ne!(check_subtype(vmctx, 1, 2), 0);
            assert!(matches!(take_pending(), Some(Pending::Trap(_))));
        }
        assert!(take_pending().is_none());
    }

    #[test]
    fn grow_results() {
        assert_eq!(grow_result(0, Some(3)), 3);
        assert_eq!(grow_result(0, Some(1 << 40)), 1 << 40);
        // -1 as an i64, and truncated to 32 bits, as an i32.
        assert_eq!(grow_result(0, None), u64::MAX);
        assert_eq!(grow_result(1, Some(3)), GROW_PENDING);
        assert_ne!(GROW_PENDING, GROW_FAILED);
    }
}
