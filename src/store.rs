//! Stores own all runtime state; `Caller` is a host function's view of the calling store.

use std::marker::PhantomData;

use wasmtier_runtime::{InstanceId, StoreOpaque};

use crate::{Engine, Extern};

struct StoreInner<T> {
    opaque: StoreOpaque,
    engine: Engine,
    data: T,
}

/// Owns instances, memories, tables, globals and the embedder's data `T`.
pub struct Store<T> {
    // Boxed so that the address of `data`, which host functions reach through a raw pointer
    // while wasm runs, never changes.
    inner: Box<StoreInner<T>>,
}

impl<T> Store<T> {
    pub fn new(engine: &Engine, data: T) -> Store<T> {
        let mut opaque = StoreOpaque::new(engine.inner.registry.clone());
        opaque.limits = engine.inner.config.limits;
        opaque.fuel = engine.inner.config.consume_fuel.then_some(0);
        Store {
            inner: Box::new(StoreInner {
                opaque,
                engine: engine.clone(),
                data,
            }),
        }
    }

    pub fn engine(&self) -> &Engine {
        &self.inner.engine
    }

    pub fn data(&self) -> &T {
        &self.inner.data
    }

    pub fn data_mut(&mut self) -> &mut T {
        &mut self.inner.data
    }

    pub fn into_data(self) -> T {
        self.inner.data
    }

    /// Sets the fuel left for wasm execution. Fails unless `Config::consume_fuel` is on.
    pub fn set_fuel(&mut self, fuel: u64) -> crate::Result<()> {
        match &mut self.inner.opaque.fuel {
            Some(left) => {
                *left = fuel;
                Ok(())
            }
            None => Err(fuel_disabled()),
        }
    }

    /// A handle that stops wasm running in this store from another thread.
    pub fn interrupt_handle(&self) -> InterruptHandle {
        InterruptHandle {
            flag: self.inner.opaque.interrupt.clone(),
        }
    }

    /// The fuel left. Fuel is charged in batches of up to 256 instructions, so after a call
    /// returns up to 255 units more than the instructions executed may be gone.
    pub fn get_fuel(&self) -> crate::Result<u64> {
        self.inner.opaque.fuel.ok_or_else(fuel_disabled)
    }
}

/// Stops the wasm code running in a store (see [`Store::interrupt_handle`]): the code traps
/// with "interrupted" within a few hundred instructions. If nothing is running, the next wasm
/// execution in the store traps instead.
#[derive(Debug, Clone)]
pub struct InterruptHandle {
    flag: std::sync::Arc<std::sync::atomic::AtomicBool>,
}

impl InterruptHandle {
    pub fn interrupt(&self) {
        self.flag.store(true, std::sync::atomic::Ordering::Relaxed);
    }
}

fn fuel_disabled() -> crate::Error {
    crate::Error::Usage("fuel is not enabled: use Config::consume_fuel(true)".into())
}

/// Read access to a store (implemented by `Store`, `Caller` and references to them).
pub trait AsContext {
    type Data;
    #[doc(hidden)]
    fn opaque(&self) -> &StoreOpaque;
}

/// Write access to a store; entering wasm needs it.
pub trait AsContextMut: AsContext {
    #[doc(hidden)]
    fn opaque_mut(&mut self) -> &mut StoreOpaque;
}

impl<T> AsContext for Store<T> {
    type Data = T;
    fn opaque(&self) -> &StoreOpaque {
        &self.inner.opaque
    }
}

impl<T> AsContextMut for Store<T> {
    fn opaque_mut(&mut self) -> &mut StoreOpaque {
        let inner = &mut *self.inner;
        // Host functions reach `T` through this pointer while wasm runs; it is refreshed on
        // every entry so that it is derived from the current borrow of the store.
        inner.opaque.host_data = (&mut inner.data as *mut T).cast();
        &mut inner.opaque
    }
}

impl<S: AsContext + ?Sized> AsContext for &S {
    type Data = S::Data;
    fn opaque(&self) -> &StoreOpaque {
        (**self).opaque()
    }
}

impl<S: AsContext + ?Sized> AsContext for &mut S {
    type Data = S::Data;
    fn opaque(&self) -> &StoreOpaque {
        (**self).opaque()
    }
}

impl<S: AsContextMut + ?Sized> AsContextMut for &mut S {
    fn opaque_mut(&mut self) -> &mut StoreOpaque {
        (**self).opaque_mut()
    }
}

/// What a host function sees of the store that called it.
pub struct Caller<'a, T> {
    pub(crate) store: &'a mut StoreOpaque,
    pub(crate) instance: Option<InstanceId>,
    pub(crate) _data: PhantomData<fn() -> T>,
}

impl<'a, T> Caller<'a, T> {
    /// # Safety
    /// `store.host_data` must point to the `T` of the `Store<T>` owning `store`.
    pub(crate) unsafe fn new(store: &'a mut StoreOpaque, instance: Option<InstanceId>) -> Self {
        Caller {
            store,
            instance,
            _data: PhantomData,
        }
    }

    pub fn data(&self) -> &T {
        // SAFETY: `Caller::new`'s contract: host_data points at this store's `T`, which is a
        // field disjoint from the `StoreOpaque` we borrow, and the `Store<T>` is mutably
        // borrowed for the whole call, so nothing else accesses `T` meanwhile.
        unsafe { &*(self.store.host_data as *const T) }
    }

    pub fn data_mut(&mut self) -> &mut T {
        // SAFETY: as in `data`; `&mut self` makes this the only reference handed out.
        unsafe { &mut *(self.store.host_data as *mut T) }
    }

    /// The store's interruption flag (`Store::interrupt_handle`): host calls that block
    /// poll it so that an interruption also ends a wait.
    pub(crate) fn interrupt_flag(&self) -> &std::sync::atomic::AtomicBool {
        &self.store.interrupt
    }

    /// An export of the calling instance (how WASI functions find the guest's memory).
    pub fn get_export(&self, name: &str) -> Option<Extern> {
        let instance = self.instance?;
        self.store
            .instance(instance)
            .export(name)
            .map(Extern::from_raw)
    }
}

impl<T> AsContext for Caller<'_, T> {
    type Data = T;
    fn opaque(&self) -> &StoreOpaque {
        self.store
    }
}

impl<T> AsContextMut for Caller<'_, T> {
    fn opaque_mut(&mut self) -> &mut StoreOpaque {
        self.store
    }
}
