//! Instances: instantiating modules and reaching their exports.

use std::sync::Arc;

use wasmtier_runtime::{FuncId, InstanceId, StoreOpaque};

use crate::store::{Opaque, OpaqueMut, Stored};
use crate::{
    AsContext, AsContextMut, Error, Extern, Func, Global, Memory, Module, Result, Table, TypedFunc,
    WasmParams, WasmResults,
};

/// An instantiated module. A handle, valid in its own store only (see [`Memory`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Instance(pub(crate) Stored<InstanceId>);

impl Instance {
    /// Instantiates `module` with `imports` given in the module's import order.
    pub fn new(
        mut store: impl AsContextMut,
        module: &Module,
        imports: &[Extern],
    ) -> Result<Instance> {
        let store = store.opaque_mut();
        if !Arc::ptr_eq(&store.registry, &module.engine.inner.registry) {
            return Err(Error::Usage(
                "module and store belong to different engines".into(),
            ));
        }
        let raw = imports
            .iter()
            .map(|e| e.to_raw(store))
            .collect::<Result<Vec<_>>>()?;
        let code: Arc<dyn std::any::Any + Send + Sync> = module.code.clone();
        let first = store.instances().len();
        let result = wasmtier_runtime::instantiate(store, module.info.clone(), code, &raw);
        // Link even if segment initialization trapped: the instance exists, and tables may
        // already refer to its functions.
        #[cfg(feature = "jit")]
        if let Some(jit) = &module.jit
            && store.instances().len() > first
        {
            store.tier_hooks = Some(wasmtier_runtime::vmctx::TierHooks {
                call_compiled: wasmtier_jit::invoke,
                call_interpreted: wasmtier_interp::invoke_tail,
                promote: None,
                osr: None,
            });
            wasmtier_jit::link_instance(store, wasmtier_runtime::InstanceId(first as u32), jit);
        }
        // Tiered execution links the instance for compiled code when its first function
        // is promoted; until then it only needs the hooks.
        #[cfg(feature = "jit")]
        if let Some(lazy) = &module.lazy
            && store.instances().len() > first
        {
            store.tier_hooks = Some(wasmtier_runtime::vmctx::TierHooks {
                call_compiled: wasmtier_jit::invoke,
                call_interpreted: wasmtier_interp::invoke_tail,
                promote: Some(wasmtier_jit::tiering::promote),
                osr: Some(wasmtier_jit::tiering::enter_loop),
            });
            let id = wasmtier_runtime::InstanceId(first as u32);
            wasmtier_jit::tiering::register_instance(store, id, lazy);
        }
        #[cfg(not(feature = "jit"))]
        let _ = first;
        let done = result?;
        if let Some(start) = done.start {
            invoke(store, start, &mut [])?;
        }
        Ok(Instance(Stored::new(store, done.instance)))
    }

    pub fn get_export(&self, store: impl AsContext, name: &str) -> Option<Extern> {
        let store = store.opaque();
        store
            .instance(self.0.expect(store))
            .export(name)
            .map(|e| Extern::from_raw(store, e))
    }

    /// All exports in the module's order.
    pub fn exports(&self, store: impl AsContext) -> Vec<(String, Extern)> {
        let store = store.opaque();
        let inst = store.instance(self.0.expect(store));
        inst.module
            .exports
            .iter()
            .filter_map(|e| {
                let item = inst.export(&e.name)?;
                Some((e.name.clone(), Extern::from_raw(store, item)))
            })
            .collect()
    }

    pub fn get_func(&self, store: impl AsContext, name: &str) -> Option<Func> {
        self.get_export(store, name)?.into_func()
    }

    pub fn get_typed_func<Params: WasmParams, Results: WasmResults>(
        &self,
        store: impl AsContext,
        name: &str,
    ) -> Result<TypedFunc<Params, Results>> {
        let func = self
            .get_func(&store, name)
            .ok_or_else(|| Error::Usage(format!("unknown export function `{name}`")))?;
        func.typed(&store)
    }

    pub fn get_memory(&self, store: impl AsContext, name: &str) -> Option<Memory> {
        self.get_export(store, name)?.into_memory()
    }

    pub fn get_table(&self, store: impl AsContext, name: &str) -> Option<Table> {
        self.get_export(store, name)?.into_table()
    }

    pub fn get_global(&self, store: impl AsContext, name: &str) -> Option<Global> {
        self.get_export(store, name)?.into_global()
    }
}

/// Runs a function on raw slots in the engine's tier.
pub(crate) fn invoke(store: &mut StoreOpaque, func: FuncId, slots: &mut [u64]) -> Result<()> {
    // A store that runs JIT code has tier hooks; the JIT's entry handles every kind of
    // function (machine code, interpreted, host).
    #[cfg(feature = "jit")]
    if store.tier_hooks.is_some() {
        return wasmtier_jit::invoke(store, func, slots).map_err(Error::Trap);
    }
    wasmtier_interp::invoke(store, func, slots).map_err(Error::Trap)
}
