//! Stores own all runtime state; `Caller` is a host function's view of the calling store.

use std::marker::PhantomData;

use wasmtier_runtime::{InstanceId, ResourceLimiter, StoreId, StoreOpaque};

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

    /// Installs `limiter`, which from now on decides whether this store's memories and
    /// tables may be created or grow (after the engine's limits allowed it): wasmtime's
    /// `Store::limiter`. The limiter is owned by the store; keep shared state in it (an
    /// `Arc`) to inspect it from outside.
    pub fn limiter(&mut self, limiter: impl ResourceLimiter + 'static) {
        self.inner.opaque.limiter = Some(Box::new(limiter));
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
/// with "interrupted" within a few hundred instructions, or up to about a million in the JIT,
/// which leaves the checks out of loops that run a small, fixed number of times. If nothing
/// is running, the next wasm execution in the store traps instead.
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

/// A shared borrow of a store, as [`AsContext`] hands it out. It only lets the embedding
/// API reach the store's internals; embedders cannot.
pub struct StoreContext<'a, T> {
    pub(crate) opaque: &'a StoreOpaque,
    _data: PhantomData<fn() -> T>,
}

/// An exclusive borrow of a store, as [`AsContextMut`] hands it out. It only lets the
/// embedding API reach the store's internals; embedders cannot. It is made only from a
/// `Store<T>` or a `Caller<T>`, so the store it wraps always holds a `T`.
///
/// A context is for passing to the API:
/// ```
/// use wasmtier::{AsContextMut, Engine, Memory, MemoryType, Store};
/// let mut store = Store::new(&Engine::default(), ());
/// let mut cx = store.as_context_mut();
/// let ty = MemoryType::new(1, None);
/// let memory = Memory::new(&mut cx, ty).unwrap();
/// assert_eq!(memory.size(&cx), 1);
/// ```
/// Its store is out of reach, so host code cannot, say, drop the memories that running
/// wasm uses:
/// ```compile_fail
/// use wasmtier::{AsContextMut, Engine, Store};
/// let mut store = Store::new(&Engine::default(), ());
/// let cx = store.as_context_mut();
/// let _ = cx.opaque;
/// ```
/// ```compile_fail
/// use wasmtier::{AsContextMut, Engine, Store};
/// let mut store = Store::new(&Engine::default(), ());
/// store.opaque_mut();
/// ```
/// And a context cannot be made up, with the wrong data type for example:
/// ```compile_fail
/// use wasmtier::{Engine, Store, StoreContextMut};
/// let mut store = Store::new(&Engine::default(), ());
/// let cx: StoreContextMut<'_, String> = StoreContextMut { opaque: todo!(), _data: Default::default() };
/// ```
pub struct StoreContextMut<'a, T> {
    pub(crate) opaque: &'a mut StoreOpaque,
    _data: PhantomData<fn() -> T>,
}

/// Read access to a store (implemented by `Store`, `Caller`, the context types and
/// references to them). Implementing it for another type means returning the context of a
/// real store, so it cannot be used to reach or fake a store's internals.
pub trait AsContext {
    type Data;
    fn as_context(&self) -> StoreContext<'_, Self::Data>;
}

/// Write access to a store; entering wasm needs it.
pub trait AsContextMut: AsContext {
    fn as_context_mut(&mut self) -> StoreContextMut<'_, Self::Data>;
}

/// The crate's own access to a store's internals through any context.
pub(crate) trait Opaque {
    fn opaque(&self) -> &StoreOpaque;
}

impl<S: AsContext + ?Sized> Opaque for S {
    fn opaque(&self) -> &StoreOpaque {
        self.as_context().opaque
    }
}

/// The crate's own exclusive access to a store's internals through any context.
pub(crate) trait OpaqueMut {
    fn opaque_mut(&mut self) -> &mut StoreOpaque;
}

impl<S: AsContextMut + ?Sized> OpaqueMut for S {
    fn opaque_mut(&mut self) -> &mut StoreOpaque {
        self.as_context_mut().opaque
    }
}

impl<T> AsContext for Store<T> {
    type Data = T;
    fn as_context(&self) -> StoreContext<'_, T> {
        StoreContext {
            opaque: &self.inner.opaque,
            _data: PhantomData,
        }
    }
}

impl<T> AsContextMut for Store<T> {
    fn as_context_mut(&mut self) -> StoreContextMut<'_, T> {
        let inner = &mut *self.inner;
        // Host functions reach `T` through this pointer while wasm runs; it is refreshed on
        // every entry so that it is derived from the current borrow of the store.
        inner.opaque.host_data = (&mut inner.data as *mut T).cast();
        StoreContextMut {
            opaque: &mut inner.opaque,
            _data: PhantomData,
        }
    }
}

impl<T> AsContext for StoreContext<'_, T> {
    type Data = T;
    fn as_context(&self) -> StoreContext<'_, T> {
        StoreContext {
            opaque: self.opaque,
            _data: PhantomData,
        }
    }
}

impl<T> AsContext for StoreContextMut<'_, T> {
    type Data = T;
    fn as_context(&self) -> StoreContext<'_, T> {
        StoreContext {
            opaque: self.opaque,
            _data: PhantomData,
        }
    }
}

impl<T> AsContextMut for StoreContextMut<'_, T> {
    fn as_context_mut(&mut self) -> StoreContextMut<'_, T> {
        StoreContextMut {
            opaque: self.opaque,
            _data: PhantomData,
        }
    }
}

impl<S: AsContext + ?Sized> AsContext for &S {
    type Data = S::Data;
    fn as_context(&self) -> StoreContext<'_, S::Data> {
        (**self).as_context()
    }
}

impl<S: AsContext + ?Sized> AsContext for &mut S {
    type Data = S::Data;
    fn as_context(&self) -> StoreContext<'_, S::Data> {
        (**self).as_context()
    }
}

impl<S: AsContextMut + ?Sized> AsContextMut for &mut S {
    fn as_context_mut(&mut self) -> StoreContextMut<'_, S::Data> {
        (**self).as_context_mut()
    }
}

/// A handle to entity `I` of one store: the store's id travels with the index, so that
/// using the handle with another store is caught instead of silently naming that store's
/// entity of the same index (which could have another type).
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) struct Stored<I> {
    store: StoreId,
    index: I,
}

impl<I: Copy> Stored<I> {
    pub(crate) fn new(store: &StoreOpaque, index: I) -> Stored<I> {
        Stored {
            store: store.id(),
            index,
        }
    }

    /// The index in `store`, or a usage error if the handle belongs to another store.
    pub(crate) fn get(self, store: &StoreOpaque) -> crate::Result<I> {
        if self.store == store.id() {
            Ok(self.index)
        } else {
            Err(wrong_store())
        }
    }

    /// The index in `store`; panics (as wasmtime does) if the handle belongs to another
    /// store, for accessors that return no `Result`.
    pub(crate) fn expect(self, store: &StoreOpaque) -> I {
        assert!(self.store == store.id(), "{}", wrong_store());
        self.index
    }

    /// The index, for display only.
    pub(crate) fn index(self) -> I {
        self.index
    }
}

impl<I: std::fmt::Debug> std::fmt::Debug for Stored<I> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.index.fmt(f)
    }
}

pub(crate) fn wrong_store() -> crate::Error {
    crate::Error::Usage("object used with the wrong store".into())
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
        let store = &*self.store;
        store
            .instance(instance)
            .export(name)
            .map(|e| Extern::from_raw(store, e))
    }
}

impl<T> AsContext for Caller<'_, T> {
    type Data = T;
    fn as_context(&self) -> StoreContext<'_, T> {
        StoreContext {
            opaque: self.store,
            _data: PhantomData,
        }
    }
}

impl<T> AsContextMut for Caller<'_, T> {
    fn as_context_mut(&mut self) -> StoreContextMut<'_, T> {
        StoreContextMut {
            opaque: self.store,
            _data: PhantomData,
        }
    }
}
