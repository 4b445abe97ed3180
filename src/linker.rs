//! Name-based import resolution.

use std::collections::HashMap;
use std::marker::PhantomData;
use std::sync::Arc;

use wasmtier_runtime::{FuncType, HostCallback, module};

use crate::func::IntoFunc;
use crate::store::{Opaque, OpaqueMut, Stored};
use crate::{
    AsContext, AsContextMut, Caller, Engine, Error, Extern, Func, Instance, Module, Result, Trap,
    Val,
};

#[derive(Clone)]
enum Definition {
    /// An entity that already lives in a store.
    Extern(Extern),
    /// A host function, created in a store when first needed by an instantiation.
    HostFunc(FuncType, Arc<HostCallback>),
}

/// Resolves a module's imports by `(module, name)` and instantiates it.
pub struct Linker<T> {
    engine: Engine,
    defs: HashMap<(String, String), Definition>,
    allow_shadowing: bool,
    _data: PhantomData<fn(T)>,
}

impl<T> Clone for Linker<T> {
    fn clone(&self) -> Self {
        Linker {
            engine: self.engine.clone(),
            defs: self.defs.clone(),
            allow_shadowing: self.allow_shadowing,
            _data: PhantomData,
        }
    }
}

impl<T> Linker<T> {
    pub fn new(engine: &Engine) -> Linker<T> {
        Linker {
            engine: engine.clone(),
            defs: HashMap::new(),
            allow_shadowing: false,
            _data: PhantomData,
        }
    }

    pub fn engine(&self) -> &Engine {
        &self.engine
    }

    /// Whether a later definition may replace an earlier one of the same name.
    pub fn allow_shadowing(&mut self, allow: bool) -> &mut Self {
        self.allow_shadowing = allow;
        self
    }

    fn insert(&mut self, module: &str, name: &str, def: Definition) -> Result<&mut Self> {
        let key = (module.to_string(), name.to_string());
        if !self.allow_shadowing && self.defs.contains_key(&key) {
            return Err(Error::Usage(format!(
                "`{module}::{name}` is already defined"
            )));
        }
        self.defs.insert(key, def);
        Ok(self)
    }

    /// Defines a host function from a typed Rust closure.
    pub fn func_wrap<Params, Results>(
        &mut self,
        module: &str,
        name: &str,
        f: impl IntoFunc<T, Params, Results>,
    ) -> Result<&mut Self> {
        let (ty, callback) = f.into_host_callback();
        self.insert(module, name, Definition::HostFunc(ty, callback))
    }

    /// Defines a host function with a dynamic signature.
    pub fn func_new(
        &mut self,
        module: &str,
        name: &str,
        ty: FuncType,
        f: impl Fn(Caller<'_, T>, &[Val], &mut [Val]) -> Result<(), Trap> + Send + Sync + 'static,
    ) -> Result<&mut Self>
    where
        T: 'static,
    {
        let callback = crate::func::dynamic_host_callback::<T>(ty.clone(), f);
        self.insert(module, name, Definition::HostFunc(ty, callback))
    }

    /// Defines an item that already lives in `store`; instances created from this linker
    /// must then live in that store too. Fails if `item` belongs to another store.
    pub fn define(
        &mut self,
        store: impl AsContext<Data = T>,
        module: &str,
        name: &str,
        item: impl Into<Extern>,
    ) -> Result<&mut Self> {
        let item = item.into();
        item.to_raw(store.opaque())?;
        self.insert(module, name, Definition::Extern(item))
    }

    /// Defines every export of `instance` under `module_name`.
    pub fn instance(
        &mut self,
        store: impl AsContext<Data = T>,
        module_name: &str,
        instance: Instance,
    ) -> Result<&mut Self> {
        for (name, item) in instance.exports(&store) {
            self.insert(module_name, &name, Definition::Extern(item))?;
        }
        Ok(self)
    }

    /// Looks up a definition, creating host functions in `store` as needed.
    pub fn get(
        &self,
        mut store: impl AsContextMut<Data = T>,
        module: &str,
        name: &str,
    ) -> Option<Extern> {
        match self.defs.get(&(module.to_string(), name.to_string()))? {
            Definition::Extern(e) => Some(*e),
            Definition::HostFunc(ty, callback) => {
                let store = store.opaque_mut();
                let id = store.add_host_func(ty.clone(), callback.clone());
                Some(Extern::Func(Func(Stored::new(store, id))))
            }
        }
    }

    /// Resolves `module`'s imports and instantiates it (running its start function).
    pub fn instantiate(
        &self,
        mut store: impl AsContextMut<Data = T>,
        module: &Module,
    ) -> Result<Instance> {
        let mut imports = Vec::with_capacity(module.info.imports.len());
        for import in &module.info.imports {
            let item = self
                .get(&mut store, &import.module, &import.name)
                .ok_or_else(|| {
                    Error::Link(format!(
                        "unknown import: `{}::{}` ({}) has not been defined",
                        import.module,
                        import.name,
                        import_kind(&import.ty)
                    ))
                })?;
            imports.push(item);
        }
        Instance::new(store, module, &imports)
    }
}

fn import_kind(ty: &module::ImportType) -> &'static str {
    match ty {
        module::ImportType::Func(_) => "function",
        module::ImportType::Table(_) => "table",
        module::ImportType::Memory(_) => "memory",
        module::ImportType::Global(_) => "global",
        module::ImportType::Tag(_) => "tag",
    }
}
