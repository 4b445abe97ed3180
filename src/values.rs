//! Values crossing the embedding API.

use std::any::Any;

use wasmtier_runtime::{ExnId, ExternId, HeapType, StoreOpaque, ValType, raw_ref};

use crate::store::{Opaque, OpaqueMut, Stored};
use crate::{AsContext, AsContextMut, Func};

/// A WebAssembly value. Floats are kept as raw bits so that NaN payloads survive.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Val {
    I32(i32),
    I64(i64),
    /// `f32` bits.
    F32(u32),
    /// `f64` bits.
    F64(u64),
    /// A 128-bit vector; lane 0 is in the low bits (wasm's little-endian byte order).
    V128(u128),
    FuncRef(Option<Func>),
    ExternRef(Option<ExternRef>),
    /// An exception reference (exception-handling proposal).
    ExnRef(Option<ExnRef>),
    /// A reference of the GC hierarchy (`anyref` and its subtypes: `eqref`, `i31ref`,
    /// `structref`, `arrayref`, `nullref` and concrete struct and array types).
    AnyRef(Option<AnyRef>),
}

impl Val {
    pub fn ty(&self) -> ValType {
        match self {
            Val::I32(_) => ValType::I32,
            Val::I64(_) => ValType::I64,
            Val::F32(_) => ValType::F32,
            Val::F64(_) => ValType::F64,
            Val::V128(_) => ValType::V128,
            Val::FuncRef(_) => ValType::FUNCREF,
            Val::ExternRef(_) => ValType::EXTERNREF,
            Val::ExnRef(_) => ValType::EXNREF,
            Val::AnyRef(_) => ValType::ANYREF,
        }
    }

    /// The default (zero or null) value of a type. (A non-nullable reference type has no
    /// default; this gives its null.)
    pub fn default_for(ty: ValType) -> Val {
        match ty {
            ValType::I32 => Val::I32(0),
            ValType::I64 => Val::I64(0),
            ValType::F32 => Val::F32(0),
            ValType::F64 => Val::F64(0),
            ValType::V128 => Val::V128(0),
            ValType::Ref(r) if r.is_func() => Val::FuncRef(None),
            ValType::Ref(r) if r.heap.is_exn() => Val::ExnRef(None),
            ValType::Ref(r) if r.heap.is_any() => Val::AnyRef(None),
            ValType::Ref(_) => Val::ExternRef(None),
        }
    }

    /// The raw bits of this value for `store` (only a `v128` uses the high 64); a usage
    /// error if it is a reference to an object of another store.
    pub(crate) fn to_raw(self, store: &StoreOpaque) -> crate::Result<u128> {
        Ok(match self {
            Val::I32(v) => v as u32 as u128,
            Val::I64(v) => v as u64 as u128,
            Val::F32(v) => v as u128,
            Val::F64(v) => v as u128,
            Val::V128(v) => v,
            Val::FuncRef(f) => raw_ref::from_func(f.map(|f| f.0.get(store)).transpose()?) as u128,
            Val::ExternRef(e) => {
                raw_ref::from_extern(e.map(|e| e.0.get(store)).transpose()?) as u128
            }
            Val::ExnRef(e) => raw_ref::from_exn(e.map(|e| e.0.get(store)).transpose()?) as u128,
            Val::AnyRef(a) => a.map_or(raw_ref::NULL, |a| a.0) as u128,
        })
    }

    /// The raw bits of this value for a slot of type `ty` in `store`: a usage error if the
    /// type differs or the value refers to an object of another store.
    pub(crate) fn to_raw_checked(self, store: &StoreOpaque, ty: ValType) -> crate::Result<u128> {
        if !self.matches(store, ty)? {
            return Err(crate::Error::Usage(format!(
                "value of type {} where {ty} was expected",
                self.ty()
            )));
        }
        self.to_raw(store)
    }

    /// Whether this value is of type `ty` (for a reference: of a subtype), in `store`.
    fn matches(self, store: &StoreOpaque, ty: ValType) -> crate::Result<bool> {
        let ValType::Ref(expected) = ty else {
            return Ok(self.ty() == ty);
        };
        let heap = expected.heap;
        Ok(match self {
            Val::FuncRef(None) => expected.nullable && heap.is_func(),
            Val::FuncRef(Some(f)) => match heap {
                HeapType::Func => true,
                HeapType::Concrete(id) => store
                    .registry
                    .is_subtype(store.func(f.0.get(store)?).type_id, id),
                _ => false,
            },
            Val::ExternRef(None) => {
                expected.nullable && matches!(heap, HeapType::Extern | HeapType::NoExtern)
            }
            Val::ExternRef(Some(_)) => heap == HeapType::Extern,
            Val::ExnRef(None) => expected.nullable && heap.is_exn(),
            Val::ExnRef(Some(_)) => heap == HeapType::Exn,
            Val::AnyRef(None) => expected.nullable && heap.is_any(),
            // The only non-null GC values yet are i31s.
            Val::AnyRef(Some(a)) => {
                raw_ref::is_i31(a.0) && matches!(heap, HeapType::I31 | HeapType::Eq | HeapType::Any)
            }
            _ => false,
        })
    }

    /// The value of type `ty` whose raw bits in `store` are `raw`.
    pub(crate) fn from_raw(store: &StoreOpaque, raw: u128, ty: ValType) -> Val {
        match ty {
            ValType::I32 => Val::I32(raw as u32 as i32),
            ValType::I64 => Val::I64(raw as i64),
            ValType::F32 => Val::F32(raw as u32),
            ValType::F64 => Val::F64(raw as u64),
            ValType::V128 => Val::V128(raw),
            ValType::Ref(r) if r.is_func() => {
                Val::FuncRef(raw_ref::to_func(raw as u64).map(|f| Func(Stored::new(store, f))))
            }
            ValType::Ref(r) if r.heap.is_exn() => {
                Val::ExnRef(raw_ref::to_exn(raw as u64).map(|e| ExnRef(Stored::new(store, e))))
            }
            ValType::Ref(r) if r.heap.is_any() => {
                Val::AnyRef(std::num::NonZeroU64::new(raw as u64).map(|raw| AnyRef(raw.get())))
            }
            ValType::Ref(_) => Val::ExternRef(
                raw_ref::to_extern(raw as u64).map(|e| ExternRef(Stored::new(store, e))),
            ),
        }
    }

    /// Writes raw bits (see [`Val::to_raw`]) to the value's slots, the start of `slots`:
    /// one slot, or two (low half first) for a `v128`.
    pub(crate) fn store_slots(raw: u128, ty: ValType, slots: &mut [u64]) {
        slots[0] = raw as u64;
        if ty == ValType::V128 {
            slots[1] = (raw >> 64) as u64;
        }
    }

    /// Reads raw bits from the value's slots, the start of `slots`.
    pub(crate) fn load_slots(ty: ValType, slots: &[u64]) -> u128 {
        if ty == ValType::V128 {
            slots[0] as u128 | (slots[1] as u128) << 64
        } else {
            slots[0] as u128
        }
    }

    pub fn v128(&self) -> Option<u128> {
        if let Val::V128(v) = self {
            Some(*v)
        } else {
            None
        }
    }

    pub fn i32(&self) -> Option<i32> {
        if let Val::I32(v) = self {
            Some(*v)
        } else {
            None
        }
    }

    pub fn i64(&self) -> Option<i64> {
        if let Val::I64(v) = self {
            Some(*v)
        } else {
            None
        }
    }

    pub fn f32(&self) -> Option<f32> {
        if let Val::F32(v) = self {
            Some(f32::from_bits(*v))
        } else {
            None
        }
    }

    pub fn f64(&self) -> Option<f64> {
        if let Val::F64(v) = self {
            Some(f64::from_bits(*v))
        } else {
            None
        }
    }
}

impl From<i32> for Val {
    fn from(v: i32) -> Val {
        Val::I32(v)
    }
}

impl From<i64> for Val {
    fn from(v: i64) -> Val {
        Val::I64(v)
    }
}

impl From<f32> for Val {
    fn from(v: f32) -> Val {
        Val::F32(v.to_bits())
    }
}

impl From<f64> for Val {
    fn from(v: f64) -> Val {
        Val::F64(v.to_bits())
    }
}

impl From<u128> for Val {
    fn from(v: u128) -> Val {
        Val::V128(v)
    }
}

impl std::fmt::Display for Val {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Val::I32(v) => write!(f, "{v}"),
            Val::I64(v) => write!(f, "{v}"),
            Val::F32(v) => write!(f, "{}", f32::from_bits(*v)),
            Val::F64(v) => write!(f, "{}", f64::from_bits(*v)),
            Val::V128(v) => write!(f, "{v:#034x}"),
            Val::FuncRef(None) | Val::ExternRef(None) | Val::ExnRef(None) | Val::AnyRef(None) => {
                f.write_str("null")
            }
            Val::AnyRef(Some(a)) => write!(f, "anyref({:#x})", a.0),
            Val::ExnRef(Some(e)) => write!(f, "exnref({})", e.0.index().0),
            Val::FuncRef(Some(func)) => write!(f, "funcref({})", func.0.index().0),
            Val::ExternRef(Some(e)) => write!(f, "externref({})", e.0.index().0),
        }
    }
}

/// A non-null `externref`: an opaque handle to a host value owned by the store. Valid in
/// its own store only (see [`crate::Memory`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct ExternRef(pub(crate) Stored<ExternId>);

impl ExternRef {
    pub fn new(mut store: impl AsContextMut, value: impl Any + Send + Sync) -> ExternRef {
        let store = store.opaque_mut();
        let id = store.add_extern(Box::new(value));
        ExternRef(Stored::new(store, id))
    }

    /// The host value this reference was created with.
    pub fn data<'a>(&self, store: &'a impl AsContext) -> &'a (dyn Any + Send + Sync) {
        let store = store.opaque();
        store.extern_value(self.0.expect(store))
    }
}

/// A non-null reference of the GC hierarchy (`anyref`), as its raw 64-bit slot: so far
/// always an `i31ref` (`ref.i31`; odd slots), since wasmtier has no GC heap yet (whose
/// objects will be even slots of their store).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct AnyRef(pub(crate) u64);

impl AnyRef {
    /// The `i31ref` of the low 31 bits of `value` (what `ref.i31` makes).
    pub fn from_i31(value: u32) -> AnyRef {
        AnyRef(raw_ref::from_i31(value))
    }

    /// The 31-bit value of an `i31ref`, sign-extended (`i31.get_s`); `None` for another
    /// reference.
    pub fn i31_get_s(&self) -> Option<i32> {
        raw_ref::is_i31(self.0).then(|| raw_ref::i31_get_s(self.0))
    }

    /// The 31-bit value of an `i31ref`, zero-extended (`i31.get_u`); `None` for another
    /// reference.
    pub fn i31_get_u(&self) -> Option<u32> {
        raw_ref::is_i31(self.0).then(|| raw_ref::i31_get_u(self.0))
    }
}

/// A reference to a wasm exception (exception-handling proposal): what `catch_ref` hands
/// to wasm, and what an uncaught exception carries to the host ([`ExnRef::from_trap`]).
/// A handle, valid in its own store only. Exceptions live as long as their store.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct ExnRef(pub(crate) Stored<ExnId>);

impl ExnRef {
    /// A new exception of `tag` with `payload` (typed by the tag's parameters), for a host
    /// function to throw ([`ExnRef::throw`]) or to hand to wasm.
    pub fn new(
        mut store: impl AsContextMut,
        tag: crate::Tag,
        payload: &[Val],
    ) -> crate::Result<ExnRef> {
        let store = store.opaque_mut();
        let tag = tag.0.get(store)?;
        let ty = store.tag(tag).ty.clone();
        let mut slots = vec![0u64; ty.param_slots()];
        crate::func::raw_vals("payload value", ty.params(), payload, store, &mut slots)?;
        let raw = store.add_exception(tag, slots.into());
        let id = raw_ref::to_exn(raw).expect("a new exception is not null");
        Ok(ExnRef(Stored::new(store, id)))
    }

    /// The trap a host function returns to throw this exception into the wasm that called
    /// it: a `try_table` there catches it as if a `throw` had been at the call. Valid in
    /// this exception's store only.
    pub fn throw(&self, store: impl AsContext) -> crate::Trap {
        let store = store.opaque();
        crate::Trap::exception(raw_ref::from_exn(Some(self.0.expect(store))))
    }

    /// The exception an uncaught-exception trap of this store carries.
    pub fn from_trap(store: impl AsContext, trap: &crate::Trap) -> Option<ExnRef> {
        let store = store.opaque();
        let raw = trap.exnref()?;
        store.exception(raw)?;
        Some(ExnRef(Stored::new(store, raw_ref::to_exn(raw)?)))
    }

    /// The exception's tag.
    pub fn tag(&self, store: impl AsContext) -> crate::Tag {
        let store = store.opaque();
        let raw = raw_ref::from_exn(Some(self.0.expect(store)));
        let tag = store.exception(raw).expect("a live exception").tag;
        crate::Tag(Stored::new(store, tag))
    }

    /// The exception's payload, typed by its tag's parameters.
    pub fn payload(&self, store: impl AsContext) -> Vec<Val> {
        let store = store.opaque();
        let raw = raw_ref::from_exn(Some(self.0.expect(store)));
        let exn = store.exception(raw).expect("a live exception");
        let ty = &store.tag(exn.tag).ty;
        wasmtier_runtime::slot_offsets(ty.params())
            .map(|(at, t)| Val::from_raw(store, Val::load_slots(t, &exn.payload[at..]), t))
            .collect()
    }
}
