//! Functions: calling wasm from the host, and host functions callable from wasm.

use std::marker::PhantomData;
use std::sync::Arc;

use wasmtier_runtime::{
    FuncId, FuncType, HostCallback, HostContext, StoreOpaque, Trap, ValType, slot_offsets,
};

use crate::store::{Opaque, OpaqueMut, Stored};
use crate::{AsContext, AsContextMut, Caller, Error, Result, Store, Val};

/// A function of a store (wasm or host). A cheap handle, valid in its own store only: using
/// it with another store panics, or fails where the method returns a `Result`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Func(pub(crate) Stored<FuncId>);

impl Func {
    /// A host function with a dynamic signature.
    pub fn new<T>(
        mut store: impl AsContextMut<Data = T>,
        ty: FuncType,
        f: impl Fn(Caller<'_, T>, &[Val], &mut [Val]) -> Result<(), Trap> + Send + Sync + 'static,
    ) -> Func {
        let callback = dynamic_host_callback::<T>(ty.clone(), f);
        let store = store.opaque_mut();
        let id = store.add_host_func(ty, callback);
        Func(Stored::new(store, id))
    }

    /// A host function from a Rust closure with typed parameters and results.
    pub fn wrap<T, Params, Results>(
        mut store: impl AsContextMut<Data = T>,
        f: impl IntoFunc<T, Params, Results>,
    ) -> Func {
        let (ty, callback) = f.into_host_callback();
        let store = store.opaque_mut();
        let id = store.add_host_func(ty, callback);
        Func(Stored::new(store, id))
    }

    pub fn ty(&self, store: impl AsContext) -> FuncType {
        let store = store.opaque();
        store.func(self.0.expect(store)).ty.clone()
    }

    /// Calls the function. `results` must have room for exactly the function's results.
    pub fn call(
        &self,
        mut store: impl AsContextMut,
        params: &[Val],
        results: &mut [Val],
    ) -> Result<()> {
        let opaque = store.opaque_mut();
        let id = self.0.get(opaque)?;
        let ty = opaque.func(id).ty.clone();
        if results.len() != ty.results().len() {
            return Err(Error::Usage(format!(
                "expected room for {} results, got {}",
                ty.results().len(),
                results.len()
            )));
        }
        let mut slots = vec![0u64; ty.array_len()];
        raw_vals("argument", ty.params(), params, opaque, &mut slots)?;
        crate::instance::invoke(opaque, id, &mut slots)?;
        read_vals(opaque, ty.results(), &slots, results);
        Ok(())
    }

    /// A typed view of the function; fails if the signature does not match.
    pub fn typed<Params: WasmParams, Results: WasmResults>(
        &self,
        store: impl AsContext,
    ) -> Result<TypedFunc<Params, Results>> {
        let store = store.opaque();
        let ty = store.func(self.0.get(store)?).ty.clone();
        if !Params::matches(ty.params()) || !Results::matches(ty.results()) {
            return Err(Error::Usage(format!(
                "type mismatch: function has type {ty}"
            )));
        }
        Ok(TypedFunc {
            func: *self,
            _marker: PhantomData,
        })
    }
}

/// Checks `given` against the types `expected` and writes their raw bits to `slots`.
pub(crate) fn raw_vals(
    what: &str,
    expected: &[ValType],
    given: &[Val],
    store: &StoreOpaque,
    slots: &mut [u64],
) -> Result<()> {
    if expected.len() != given.len() {
        return Err(Error::Usage(format!(
            "expected {} {what}s, got {}",
            expected.len(),
            given.len()
        )));
    }
    for (i, ((at, ty), v)) in slot_offsets(expected).zip(given).enumerate() {
        let raw = v
            .to_raw_checked(store, ty)
            .map_err(|e| Error::Usage(format!("{what} {i}: {e}")))?;
        Val::store_slots(raw, ty, &mut slots[at..]);
    }
    Ok(())
}

/// Reads values of types `tys` from their slots.
fn read_vals(store: &StoreOpaque, tys: &[ValType], slots: &[u64], out: &mut [Val]) {
    for (v, (at, ty)) in out.iter_mut().zip(slot_offsets(tys)) {
        *v = Val::from_raw(store, Val::load_slots(ty, &slots[at..]), ty);
    }
}

pub(crate) fn dynamic_host_callback<T>(
    ty: FuncType,
    f: impl Fn(Caller<'_, T>, &[Val], &mut [Val]) -> Result<(), Trap> + Send + Sync + 'static,
) -> Arc<HostCallback> {
    Arc::new(
        move |store: &mut StoreOpaque, cx: HostContext, slots: &mut [u64]| {
            let mut params: Vec<Val> = ty.params().iter().map(|t| Val::default_for(*t)).collect();
            read_vals(store, ty.params(), slots, &mut params);
            let mut results: Vec<Val> = ty.results().iter().map(|t| Val::default_for(*t)).collect();
            // SAFETY: host functions are only created in a store through a context of that
            // store (whose data is a `T`: contexts are made only by `Store<T>`/`Caller<T>`);
            // store ids on every handle keep the function from being called or referenced
            // from another store; and wasm is only entered through
            // `Store<T>::as_context_mut`, which sets `host_data` to that store's `T`.
            let caller = unsafe { Caller::new(&mut *store, cx.caller) };
            f(caller, &params, &mut results)?;
            for (i, (v, (at, t))) in results.iter().zip(slot_offsets(ty.results())).enumerate() {
                let raw = v
                    .to_raw_checked(store, t)
                    .map_err(|e| Trap::host(format!("host function result {i}: {e}")))?;
                Val::store_slots(raw, t, &mut slots[at..]);
            }
            Ok(())
        },
    )
}

/// A function with a statically known signature.
pub struct TypedFunc<Params, Results> {
    func: Func,
    _marker: PhantomData<fn(Params) -> Results>,
}

impl<Params, Results> Clone for TypedFunc<Params, Results> {
    fn clone(&self) -> Self {
        *self
    }
}

impl<Params, Results> Copy for TypedFunc<Params, Results> {}

impl<Params, Results> std::fmt::Debug for TypedFunc<Params, Results> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TypedFunc")
            .field("func", &self.func)
            .finish()
    }
}

impl<Params: WasmParams, Results: WasmResults> TypedFunc<Params, Results> {
    pub fn func(&self) -> Func {
        self.func
    }

    pub fn call(&self, mut store: impl AsContextMut, params: Params) -> Result<Results> {
        let opaque = store.opaque_mut();
        // The signature was checked in `Func::typed` against the function's own store; the
        // store check makes sure this is that store.
        let id = self.func.0.get(opaque)?;
        let mut slots = vec![0u64; Params::SLOTS.max(Results::SLOTS)];
        params.store_raw(&mut slots);
        crate::instance::invoke(opaque, id, &mut slots)?;
        Ok(Results::load_raw(&slots))
    }
}

/// A Rust type that is a wasm value type. `u128` is a `v128` (lane 0 in the low bits).
pub trait WasmTy: Copy + Send + Sync + 'static {
    const TY: ValType;
    /// Writes the value to the start of `slots` (the value's slots in a slot array).
    fn store(self, slots: &mut [u64]);
    /// Reads the value from the start of `slots`.
    fn load(slots: &[u64]) -> Self;
}

macro_rules! wasm_ty {
    ($t:ty, $vt:ident, |$v:ident| $to:expr, |$r:ident| $from:expr) => {
        impl WasmTy for $t {
            const TY: ValType = ValType::$vt;
            fn store(self, slots: &mut [u64]) {
                let $v = self;
                slots[0] = $to;
            }
            fn load(slots: &[u64]) -> Self {
                let $r = slots[0];
                $from
            }
        }
    };
}

wasm_ty!(i32, I32, |v| v as u32 as u64, |r| r as u32 as i32);
wasm_ty!(u32, I32, |v| v as u64, |r| r as u32);
wasm_ty!(i64, I64, |v| v as u64, |r| r as i64);
wasm_ty!(u64, I64, |v| v, |r| r);
wasm_ty!(f32, F32, |v| v.to_bits() as u64, |r| f32::from_bits(
    r as u32
));
wasm_ty!(f64, F64, |v| v.to_bits(), |r| f64::from_bits(r));

impl WasmTy for u128 {
    const TY: ValType = ValType::V128;
    fn store(self, slots: &mut [u64]) {
        slots[0] = self as u64;
        slots[1] = (self >> 64) as u64;
    }
    fn load(slots: &[u64]) -> Self {
        slots[0] as u128 | (slots[1] as u128) << 64
    }
}

/// A tuple of wasm values used as parameters.
pub trait WasmParams: Send + Sync + 'static {
    /// The slots the values take (see [`ValType::slots`]).
    const SLOTS: usize;
    fn matches(tys: &[ValType]) -> bool;
    fn types() -> Vec<ValType>;
    fn store_raw(self, slots: &mut [u64]);
    fn load_raw(slots: &[u64]) -> Self;
}

/// A tuple of wasm values used as results.
pub trait WasmResults: WasmParams {}
impl<T: WasmParams> WasmResults for T {}

impl<A: WasmTy> WasmParams for A {
    const SLOTS: usize = A::TY.slots();
    fn matches(tys: &[ValType]) -> bool {
        tys == [A::TY]
    }
    fn types() -> Vec<ValType> {
        vec![A::TY]
    }
    fn store_raw(self, slots: &mut [u64]) {
        self.store(slots);
    }
    fn load_raw(slots: &[u64]) -> Self {
        A::load(slots)
    }
}

macro_rules! wasm_params {
    ($($t:ident $i:tt),*) => {
        impl<$($t: WasmTy),*> WasmParams for ($($t,)*) {
            const SLOTS: usize = 0 $(+ $t::TY.slots())*;
            fn matches(tys: &[ValType]) -> bool {
                tys == [$($t::TY),*]
            }
            fn types() -> Vec<ValType> {
                vec![$($t::TY),*]
            }
            #[allow(unused_variables, unused_mut, unused_assignments)]
            fn store_raw(self, slots: &mut [u64]) {
                let mut at = 0;
                $(self.$i.store(&mut slots[at..]); at += $t::TY.slots();)*
            }
            #[allow(unused_variables, unused_mut, unused_assignments, clippy::unused_unit)]
            fn load_raw(slots: &[u64]) -> Self {
                let mut at = 0;
                ($({ let v = $t::load(&slots[at..]); at += $t::TY.slots(); v },)*)
            }
        }
    };
}

wasm_params!();
wasm_params!(A 0);
wasm_params!(A 0, B 1);
wasm_params!(A 0, B 1, C 2);
wasm_params!(A 0, B 1, C 2, D 3);
wasm_params!(A 0, B 1, C 2, D 3, E 4);
wasm_params!(A 0, B 1, C 2, D 3, E 4, F 5);
wasm_params!(A 0, B 1, C 2, D 3, E 4, F 5, G 6);
wasm_params!(A 0, B 1, C 2, D 3, E 4, F 5, G 6, H 7);
wasm_params!(A 0, B 1, C 2, D 3, E 4, F 5, G 6, H 7, I 8);
wasm_params!(A 0, B 1, C 2, D 3, E 4, F 5, G 6, H 7, I 8, J 9);

/// What a host closure may return: results, or results-or-trap.
pub trait WasmRet {
    type Results: WasmResults;
    fn into_result(self) -> Result<Self::Results, Trap>;
}

impl<R: WasmResults> WasmRet for R {
    type Results = R;
    fn into_result(self) -> Result<R, Trap> {
        Ok(self)
    }
}

impl<R: WasmResults> WasmRet for Result<R, Trap> {
    type Results = R;
    fn into_result(self) -> Result<R, Trap> {
        self
    }
}

/// A Rust closure usable as a host function: `Fn(A1, .., An) -> R` or
/// `Fn(Caller<T>, A1, .., An) -> R`, where R is results or `Result<results, Trap>`.
pub trait IntoFunc<T, Params, Results>: Send + Sync + 'static {
    #[doc(hidden)]
    fn into_host_callback(self) -> (FuncType, Arc<HostCallback>);
}

macro_rules! into_func {
    ($($t:ident $i:tt),*) => {
        impl<T, Cl, R, $($t: WasmTy),*> IntoFunc<T, ($($t,)*), R> for Cl
        where
            Cl: Fn($($t),*) -> R + Send + Sync + 'static,
            R: WasmRet,
        {
            fn into_host_callback(self) -> (FuncType, Arc<HostCallback>) {
                let ty = FuncType::new(vec![$($t::TY),*], R::Results::types());
                #[allow(non_snake_case)]
                let callback = move |_: &mut StoreOpaque, _: HostContext, slots: &mut [u64]| {
                    let ($($t,)*) = <($($t,)*)>::load_raw(slots);
                    let results = self($($t),*).into_result()?;
                    results.store_raw(slots);
                    Ok(())
                };
                (ty, Arc::new(callback))
            }
        }

        impl<T, Cl, R, $($t: WasmTy),*> IntoFunc<T, (Caller<'static, T>, $($t,)*), R> for Cl
        where
            Cl: Fn(Caller<'_, T>, $($t),*) -> R + Send + Sync + 'static,
            R: WasmRet,
            T: 'static,
        {
            fn into_host_callback(self) -> (FuncType, Arc<HostCallback>) {
                let ty = FuncType::new(vec![$($t::TY),*], R::Results::types());
                #[allow(non_snake_case)]
                let callback = move |store: &mut StoreOpaque, cx: HostContext, slots: &mut [u64]| {
                    let ($($t,)*) = <($($t,)*)>::load_raw(slots);
                    // SAFETY: see `dynamic_host_callback`: the store's `host_data` is its `T`.
                    let caller = unsafe { Caller::new(store, cx.caller) };
                    let results = self(caller, $($t),*).into_result()?;
                    results.store_raw(slots);
                    Ok(())
                };
                (ty, Arc::new(callback))
            }
        }
    };
}

into_func!();
into_func!(A 0);
into_func!(A 0, B 1);
into_func!(A 0, B 1, C 2);
into_func!(A 0, B 1, C 2, D 3);
into_func!(A 0, B 1, C 2, D 3, E 4);
into_func!(A 0, B 1, C 2, D 3, E 4, F 5);
into_func!(A 0, B 1, C 2, D 3, E 4, F 5, G 6);
into_func!(A 0, B 1, C 2, D 3, E 4, F 5, G 6, H 7);
into_func!(A 0, B 1, C 2, D 3, E 4, F 5, G 6, H 7, I 8);

#[allow(dead_code)]
fn _assert_store_usable<T>(_: &Store<T>) {}
