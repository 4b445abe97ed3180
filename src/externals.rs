//! Memories, tables and globals as seen from the host.

use wasmtier_runtime::{
    self as rt, FuncType, GlobalId, GlobalType, MemoryId, MemoryType, TableId, TableType, TagId,
};

use crate::store::{Opaque, OpaqueMut, Stored};
use crate::{AsContext, AsContextMut, Error, Func, Result, Val};

/// Anything that can be imported or exported.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Extern {
    Func(Func),
    Table(Table),
    Memory(Memory),
    Global(Global),
    Tag(Tag),
}

impl Extern {
    pub(crate) fn from_raw(store: &rt::StoreOpaque, e: rt::Extern) -> Extern {
        match e {
            rt::Extern::Func(f) => Extern::Func(Func(Stored::new(store, f))),
            rt::Extern::Table(t) => Extern::Table(Table(Stored::new(store, t))),
            rt::Extern::Memory(m) => Extern::Memory(Memory(Stored::new(store, m))),
            rt::Extern::Global(g) => Extern::Global(Global(Stored::new(store, g))),
            rt::Extern::Tag(t) => Extern::Tag(Tag(Stored::new(store, t))),
        }
    }

    /// The store's entity, or a usage error if this item belongs to another store.
    pub(crate) fn to_raw(self, store: &rt::StoreOpaque) -> Result<rt::Extern> {
        Ok(match self {
            Extern::Func(f) => rt::Extern::Func(f.0.get(store)?),
            Extern::Table(t) => rt::Extern::Table(t.0.get(store)?),
            Extern::Memory(m) => rt::Extern::Memory(m.0.get(store)?),
            Extern::Global(g) => rt::Extern::Global(g.0.get(store)?),
            Extern::Tag(t) => rt::Extern::Tag(t.0.get(store)?),
        })
    }

    pub fn into_func(self) -> Option<Func> {
        if let Extern::Func(f) = self {
            Some(f)
        } else {
            None
        }
    }

    pub fn into_memory(self) -> Option<Memory> {
        if let Extern::Memory(m) = self {
            Some(m)
        } else {
            None
        }
    }

    pub fn into_table(self) -> Option<Table> {
        if let Extern::Table(t) = self {
            Some(t)
        } else {
            None
        }
    }

    pub fn into_global(self) -> Option<Global> {
        if let Extern::Global(g) = self {
            Some(g)
        } else {
            None
        }
    }

    pub fn into_tag(self) -> Option<Tag> {
        if let Extern::Tag(t) = self {
            Some(t)
        } else {
            None
        }
    }
}

impl From<Tag> for Extern {
    fn from(t: Tag) -> Extern {
        Extern::Tag(t)
    }
}

/// An exception tag (exception-handling proposal). Its identity is what `catch` matches:
/// two tags of the same type are different tags. A handle, valid in its own store only.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Tag(pub(crate) Stored<TagId>);

impl Tag {
    /// A new tag whose payload has the types of `ty`'s parameters; `ty` must have no
    /// results.
    pub fn new(mut store: impl AsContextMut, ty: FuncType) -> Result<Tag> {
        if !ty.results().is_empty() {
            return Err(Error::Usage(format!(
                "a tag's type has no results, not {ty}"
            )));
        }
        let store = store.opaque_mut();
        let id = store.add_tag(ty);
        Ok(Tag(Stored::new(store, id)))
    }

    /// The tag's type: a function type whose parameters are the payload.
    pub fn ty(&self, store: impl AsContext) -> FuncType {
        let store = store.opaque();
        store.tag(self.0.expect(store)).ty.clone()
    }
}

impl From<Func> for Extern {
    fn from(f: Func) -> Extern {
        Extern::Func(f)
    }
}

impl From<Memory> for Extern {
    fn from(m: Memory) -> Extern {
        Extern::Memory(m)
    }
}

impl From<Table> for Extern {
    fn from(t: Table) -> Extern {
        Extern::Table(t)
    }
}

impl From<Global> for Extern {
    fn from(g: Global) -> Extern {
        Extern::Global(g)
    }
}

/// A linear memory. A handle, valid in its own store only: using it with another store
/// panics, or fails where the method returns a `Result`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Memory(pub(crate) Stored<MemoryId>);

impl Memory {
    /// A new memory of `ty.limits.min` pages, within the store's limits and limiter.
    pub fn new(mut store: impl AsContextMut, ty: MemoryType) -> Result<Memory> {
        let store = store.opaque_mut();
        let id = store.create_memory(ty).map_err(Error::Resource)?;
        Ok(Memory(Stored::new(store, id)))
    }

    pub fn ty(&self, store: impl AsContext) -> MemoryType {
        let store = store.opaque();
        store.memory(self.0.expect(store)).ty()
    }

    /// Current size in 64 KiB pages.
    pub fn size(&self, store: impl AsContext) -> u64 {
        let store = store.opaque();
        store.memory(self.0.expect(store)).pages()
    }

    pub fn data<'a, S: AsContext>(&self, store: &'a S) -> &'a [u8] {
        let store = store.opaque();
        store.memory(self.0.expect(store)).data()
    }

    pub fn data_mut<'a, S: AsContextMut>(&self, store: &'a mut S) -> &'a mut [u8] {
        let store = store.opaque_mut();
        let id = self.0.expect(store);
        store.memory_mut(id).data_mut()
    }

    /// Grows by `delta` pages, returning the old size.
    pub fn grow(&self, mut store: impl AsContextMut, delta: u64) -> Result<u64> {
        let store = store.opaque_mut();
        let id = self.0.get(store)?;
        store
            .grow_memory(id, delta)
            .ok_or_else(|| Error::Resource("failed to grow memory".into()))
    }

    /// Copies `buf.len()` bytes at `offset` out of the memory.
    pub fn read(&self, store: impl AsContext, offset: usize, buf: &mut [u8]) -> Result<()> {
        let store = store.opaque();
        let data = store.memory(self.0.get(store)?).data();
        let src = offset
            .checked_add(buf.len())
            .and_then(|end| data.get(offset..end))
            .ok_or_else(|| Error::Usage("out of bounds memory access".into()))?;
        buf.copy_from_slice(src);
        Ok(())
    }

    /// Copies `buf` into the memory at `offset`.
    pub fn write(&self, mut store: impl AsContextMut, offset: usize, buf: &[u8]) -> Result<()> {
        let store = store.opaque_mut();
        let id = self.0.get(store)?;
        let data = store.memory_mut(id).data_mut();
        let dst = offset
            .checked_add(buf.len())
            .and_then(|end| data.get_mut(offset..end))
            .ok_or_else(|| Error::Usage("out of bounds memory access".into()))?;
        dst.copy_from_slice(buf);
        Ok(())
    }
}

/// A table of references. A handle, valid in its own store only (see [`Memory`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Table(pub(crate) Stored<TableId>);

impl Table {
    /// A new table of `ty.limits.min` elements set to `init`, within the store's limits
    /// and limiter.
    pub fn new(mut store: impl AsContextMut, ty: TableType, init: Val) -> Result<Table> {
        let store = store.opaque_mut();
        let init = init.to_raw_checked(store, ty.element.into())? as u64;
        let id = store.add_table(ty, init).map_err(Error::Resource)?;
        Ok(Table(Stored::new(store, id)))
    }

    pub fn ty(&self, store: impl AsContext) -> TableType {
        let store = store.opaque();
        store.table(self.0.expect(store)).ty
    }

    pub fn size(&self, store: impl AsContext) -> u32 {
        let store = store.opaque();
        store.table(self.0.expect(store)).size()
    }

    pub fn get(&self, store: impl AsContext, index: u32) -> Option<Val> {
        let store = store.opaque();
        let table = store.table(self.0.expect(store));
        let raw = table.elements.get(index as usize)?;
        Some(Val::from_raw(store, *raw as u128, table.ty.element.into()))
    }

    pub fn set(&self, mut store: impl AsContextMut, index: u32, value: Val) -> Result<()> {
        let store = store.opaque_mut();
        let id = self.0.get(store)?;
        let raw = value.to_raw_checked(store, store.table(id).ty.element.into())? as u64;
        store.table_mut(id).set(index, raw).map_err(Error::Trap)
    }

    /// Grows by `delta` elements set to `init`, returning the old size.
    pub fn grow(&self, mut store: impl AsContextMut, delta: u32, init: Val) -> Result<u32> {
        let store = store.opaque_mut();
        let id = self.0.get(store)?;
        let init = init.to_raw_checked(store, store.table(id).ty.element.into())? as u64;
        store
            .grow_table(id, delta.into(), init)
            .ok_or_else(|| Error::Resource("failed to grow table".into()))
    }
}

/// A global variable. A handle, valid in its own store only (see [`Memory`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Global(pub(crate) Stored<GlobalId>);

impl Global {
    pub fn new(mut store: impl AsContextMut, ty: GlobalType, value: Val) -> Result<Global> {
        let store = store.opaque_mut();
        let raw = value.to_raw_checked(store, ty.content)?;
        let id = store.add_global(ty, raw);
        Ok(Global(Stored::new(store, id)))
    }

    pub fn ty(&self, store: impl AsContext) -> GlobalType {
        let store = store.opaque();
        store.global(self.0.expect(store)).ty
    }

    pub fn get(&self, store: impl AsContext) -> Val {
        let store = store.opaque();
        let g = store.global(self.0.expect(store));
        Val::from_raw(store, g.value.get_v128(), g.ty.content)
    }

    pub fn set(&self, mut store: impl AsContextMut, value: Val) -> Result<()> {
        let store = store.opaque_mut();
        let id = self.0.get(store)?;
        let ty = store.global(id).ty;
        if !ty.mutable {
            return Err(Error::Usage("cannot set an immutable global".into()));
        }
        let raw = value.to_raw_checked(store, ty.content)?;
        store.global(id).value.set_v128(raw);
        Ok(())
    }
}
