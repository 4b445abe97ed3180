//! Memories, tables and globals as seen from the host.

use wasmtier_runtime::{
    self as rt, GlobalId, GlobalType, LinearMemory, MemoryId, MemoryType, TableId, TableType,
};

use crate::{AsContext, AsContextMut, Error, Func, Result, Val};

/// Anything that can be imported or exported.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Extern {
    Func(Func),
    Table(Table),
    Memory(Memory),
    Global(Global),
}

impl Extern {
    pub(crate) fn from_raw(e: rt::Extern) -> Extern {
        match e {
            rt::Extern::Func(f) => Extern::Func(Func(f)),
            rt::Extern::Table(t) => Extern::Table(Table(t)),
            rt::Extern::Memory(m) => Extern::Memory(Memory(m)),
            rt::Extern::Global(g) => Extern::Global(Global(g)),
        }
    }

    pub(crate) fn to_raw(self) -> rt::Extern {
        match self {
            Extern::Func(f) => rt::Extern::Func(f.0),
            Extern::Table(t) => rt::Extern::Table(t.0),
            Extern::Memory(m) => rt::Extern::Memory(m.0),
            Extern::Global(g) => rt::Extern::Global(g.0),
        }
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

/// A linear memory.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Memory(pub(crate) MemoryId);

impl Memory {
    pub fn new(mut store: impl AsContextMut, ty: MemoryType) -> Result<Memory> {
        let store = store.opaque_mut();
        let memory = LinearMemory::new(ty, store.limits.max_memory_pages)
            .map_err(|e| Error::Resource(e.to_string()))?;
        Ok(Memory(store.add_memory(memory)))
    }

    pub fn ty(&self, store: impl AsContext) -> MemoryType {
        store.opaque().memory(self.0).ty()
    }

    /// Current size in 64 KiB pages.
    pub fn size(&self, store: impl AsContext) -> u64 {
        store.opaque().memory(self.0).pages()
    }

    pub fn data<'a, S: AsContext>(&self, store: &'a S) -> &'a [u8] {
        store.opaque().memory(self.0).data()
    }

    pub fn data_mut<'a, S: AsContextMut>(&self, store: &'a mut S) -> &'a mut [u8] {
        store.opaque_mut().memory_mut(self.0).data_mut()
    }

    /// Grows by `delta` pages, returning the old size.
    pub fn grow(&self, mut store: impl AsContextMut, delta: u64) -> Result<u64> {
        store
            .opaque_mut()
            .memory_mut(self.0)
            .grow(delta)
            .ok_or_else(|| Error::Resource("failed to grow memory".into()))
    }

    /// Copies `buf.len()` bytes at `offset` out of the memory.
    pub fn read(&self, store: impl AsContext, offset: usize, buf: &mut [u8]) -> Result<()> {
        let data = store.opaque().memory(self.0).data();
        let src = offset
            .checked_add(buf.len())
            .and_then(|end| data.get(offset..end))
            .ok_or_else(|| Error::Usage("out of bounds memory access".into()))?;
        buf.copy_from_slice(src);
        Ok(())
    }

    /// Copies `buf` into the memory at `offset`.
    pub fn write(&self, mut store: impl AsContextMut, offset: usize, buf: &[u8]) -> Result<()> {
        let data = store.opaque_mut().memory_mut(self.0).data_mut();
        let dst = offset
            .checked_add(buf.len())
            .and_then(|end| data.get_mut(offset..end))
            .ok_or_else(|| Error::Usage("out of bounds memory access".into()))?;
        dst.copy_from_slice(buf);
        Ok(())
    }
}

/// A table of references.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Table(pub(crate) TableId);

impl Table {
    pub fn new(mut store: impl AsContextMut, ty: TableType, init: Val) -> Result<Table> {
        let store = store.opaque_mut();
        check_ref(store, ty.element.into(), init)?;
        let id = store
            .add_table(ty, init.to_raw())
            .map_err(Error::Resource)?;
        Ok(Table(id))
    }

    pub fn ty(&self, store: impl AsContext) -> TableType {
        store.opaque().table(self.0).ty
    }

    pub fn size(&self, store: impl AsContext) -> u32 {
        store.opaque().table(self.0).size()
    }

    pub fn get(&self, store: impl AsContext, index: u32) -> Option<Val> {
        let table = store.opaque().table(self.0);
        let raw = table.elements.get(index as usize)?;
        Some(Val::from_raw(*raw, table.ty.element.into()))
    }

    pub fn set(&self, mut store: impl AsContextMut, index: u32, value: Val) -> Result<()> {
        let store = store.opaque_mut();
        check_ref(store, store.table(self.0).ty.element.into(), value)?;
        store
            .table_mut(self.0)
            .set(index, value.to_raw())
            .map_err(Error::Trap)
    }

    /// Grows by `delta` elements set to `init`, returning the old size.
    pub fn grow(&self, mut store: impl AsContextMut, delta: u32, init: Val) -> Result<u32> {
        let store = store.opaque_mut();
        check_ref(store, store.table(self.0).ty.element.into(), init)?;
        store
            .table_mut(self.0)
            .grow(delta, init.to_raw())
            .ok_or_else(|| Error::Resource("failed to grow table".into()))
    }
}

fn check_ref(store: &rt::StoreOpaque, ty: rt::ValType, v: Val) -> Result<()> {
    if v.ty() != ty || !store.raw_fits(ty, v.to_raw()) {
        return Err(Error::Usage(format!(
            "value of type {} where {ty} was expected",
            v.ty()
        )));
    }
    Ok(())
}

/// A global variable.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Global(pub(crate) GlobalId);

impl Global {
    pub fn new(mut store: impl AsContextMut, ty: GlobalType, value: Val) -> Result<Global> {
        let store = store.opaque_mut();
        check_ref(store, ty.content, value)?;
        Ok(Global(store.add_global(ty, value.to_raw())))
    }

    pub fn ty(&self, store: impl AsContext) -> GlobalType {
        store.opaque().global(self.0).ty
    }

    pub fn get(&self, store: impl AsContext) -> Val {
        let g = store.opaque().global(self.0);
        Val::from_raw(g.value.get(), g.ty.content)
    }

    pub fn set(&self, mut store: impl AsContextMut, value: Val) -> Result<()> {
        let store = store.opaque_mut();
        let ty = store.global(self.0).ty;
        if !ty.mutable {
            return Err(Error::Usage("cannot set an immutable global".into()));
        }
        check_ref(store, ty.content, value)?;
        store.global(self.0).value.set(value.to_raw());
        Ok(())
    }
}
