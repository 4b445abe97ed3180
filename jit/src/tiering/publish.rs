//! Getting machine code into a store: the interpreter's promotion and on-stack-replacement
//! hooks, and publication in the function references.

use std::sync::Arc;
use std::sync::atomic::Ordering;

use wasmtier_runtime::vmctx::{Promotion, VMContext, VMFuncRef};
use wasmtier_runtime::{FuncId, FuncKind, InstanceId, StoreOpaque, Trap};

use super::{FuncCode, LazyModule};
use crate::link_instance;

/// Enrolls instance `id` (instantiated from `module`) in tiered execution.
pub fn register_instance(store: &mut StoreOpaque, id: InstanceId, module: &Arc<LazyModule>) {
    let state = crate::state(store);
    if state.lazy.len() <= id.index() {
        state.lazy.resize_with(id.index() + 1, || None);
    }
    state.lazy[id.index()] = Some(module.clone());
}

/// `TierHooks::promote`: gets machine code for hot function `f` into `store`, compiling it
/// now (synchronous mode) or queueing it.
pub fn promote(store: &mut StoreOpaque, f: FuncId) -> Promotion {
    let FuncKind::Wasm { instance, index } = store.func(f).kind else {
        return Promotion::Never;
    };
    let Some(lazy) = crate::state(store)
        .lazy
        .get(instance.index())
        .cloned()
        .flatten()
    else {
        return Promotion::Never;
    };
    let def = (index - lazy.info.num_imported_funcs) as usize;
    let slot = &lazy.funcs[def];
    let result = match (slot.code.get(), &lazy.pool) {
        (Some(result), _) => result,
        (None, None) => {
            slot.queued.store(true, Ordering::Relaxed);
            lazy.compile(def)
        }
        (None, Some(pool)) => {
            if !slot.queued.swap(true, Ordering::Relaxed) {
                let job_module = lazy.clone();
                pool.submit(
                    lazy.bodies[def].len(),
                    Box::new(move || {
                        job_module.compile(def);
                        job_module.notify_ready(def);
                    }),
                );
            }
            return Promotion::Pending;
        }
    };
    match result {
        Ok(code) => {
            publish(store, instance, index, &lazy, code);
            Promotion::Ready
        }
        Err(_) => Promotion::Never,
    }
}

/// `TierHooks::osr`: continues interpreted function `f`, standing at the header of its loop
/// `loop_index` with its locals in `slots`, in machine code compiled for that entry, if
/// there is some; otherwise requests it (or compiles it now, in synchronous mode).
pub fn enter_loop(
    store: &mut StoreOpaque,
    f: FuncId,
    loop_index: u32,
    slots: &mut [u64],
) -> Option<Result<(), Trap>> {
    let FuncKind::Wasm { instance, index } = store.func(f).kind else {
        return None;
    };
    let lazy = crate::state(store)
        .lazy
        .get(instance.index())
        .cloned()
        .flatten()?;
    let def = (index - lazy.info.num_imported_funcs) as usize;
    let slot = lazy
        .osr
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .entry((def as u32, loop_index))
        .or_default()
        .clone();
    let code = match (slot.code.get(), &lazy.pool) {
        (Some(result), _) => result.as_ref().ok()?.clone(),
        (None, None) => {
            slot.queued.store(true, Ordering::Relaxed);
            lazy.compile_osr(&slot, def, loop_index)
                .as_ref()
                .ok()?
                .clone()
        }
        (None, Some(pool)) => {
            if !slot.queued.swap(true, Ordering::Relaxed) {
                let job_module = lazy.clone();
                let job_slot = slot.clone();
                pool.submit(
                    lazy.bodies[def].len(),
                    Box::new(move || {
                        job_module.compile_osr(&job_slot, def, loop_index);
                    }),
                );
            }
            return None;
        }
    };
    let Some(Ok(stubs)) = lazy.stubs.get() else {
        unreachable!("functions compile after their module's stubs");
    };
    let stubs = stubs.clone();
    let linked = crate::state(store)
        .instances
        .get(instance.index())
        .is_some_and(Option::is_some);
    if !linked {
        link_instance(store, instance, &stubs);
    }
    let jit = crate::state(store).instances[instance.index()]
        .as_mut()
        .expect("linked just above");
    let vmctx: *mut VMContext = &mut *jit.vmctx;
    // The activation's code must live as long as the activation: keep it with the instance.
    if !jit.published.iter().any(|c| Arc::ptr_eq(c, &code)) {
        jit.published.push(code.clone());
    }
    lazy.funcs[def].osr_entries.fetch_add(1, Ordering::Relaxed);
    let wrapper = stubs.code.at(stubs.osr_wrapper);
    // SAFETY: `wrapper` is the on-stack-replacement wrapper of registered code, `code` an
    // entry compiled for function `f` of this instance's module, `vmctx` the instance's live
    // context, and `slots` holds the function's locals and has room for its results (the
    // hook's contract).
    Some(unsafe { crate::run_compiled(store, wrapper, code.entry(), vmctx, slots.as_mut_ptr()) })
}

/// Points every reference to function `index` of `instance` at `code`.
fn publish(
    store: &mut StoreOpaque,
    instance: InstanceId,
    index: u32,
    lazy: &LazyModule,
    code: &Arc<FuncCode>,
) {
    let Some(Ok(stubs)) = lazy.stubs.get() else {
        unreachable!("functions compile after their module's stubs");
    };
    let linked = crate::state(store)
        .instances
        .get(instance.index())
        .is_some_and(Option::is_some);
    if !linked {
        link_instance(store, instance, stubs);
    }
    let fid = store.instance(instance).funcs[index as usize];
    let state = crate::state(store);
    let owner = state.instances[instance.index()]
        .as_mut()
        .expect("linked just above");
    let new_ref = VMFuncRef {
        code: code.entry(),
        vmctx: &mut *owner.vmctx,
        type_id: store_type_id(owner, index),
        func_id: fid.0,
    };
    owner.published.push(code.clone());
    owner.func_refs[index as usize].set(new_ref);
    // Other linked instances that import the function. Only instances that import
    // functions at all need a look, which keeps publication cheap for a lone instance.
    let importers: Vec<(usize, usize)> = store
        .instances()
        .iter()
        .enumerate()
        .filter(|(i, inst)| *i != instance.index() && inst.module.num_imported_funcs > 0)
        .flat_map(|(i, inst)| {
            let imported = &inst.funcs[..inst.module.num_imported_funcs as usize];
            imported
                .iter()
                .enumerate()
                .filter(move |(_, g)| **g == fid)
                .map(move |(j, _)| (i, j))
        })
        .collect();
    let state = crate::state(store);
    for (i, j) in importers {
        if let Some(Some(jit)) = state.instances.get(i) {
            jit.func_refs[j].set(new_ref);
        }
    }
    store.func_refs[fid.index()] = new_ref;
    store.sync_func_refs();
}

/// The type id a function reference of the instance's function `index` carries.
fn store_type_id(owner: &crate::InstanceJit, index: u32) -> u32 {
    owner.func_refs[index as usize].get().type_id
}
