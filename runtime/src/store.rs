//! The store: every runtime entity (functions, instances, memories, tables, globals, extern
//! references) lives here, addressed by small integer ids. Handles in the public API are ids.

use std::any::Any;
use std::cell::Cell;
use std::sync::Arc;
use std::sync::atomic::AtomicBool;

use crate::memory::{LinearMemory, MAX_PAGES_32, VMMemoryDefinition};
use crate::module::ModuleInfo;
use crate::trap::{Trap, TrapCode};
use crate::types::{FuncType, GlobalType, MemoryType, SharedTypeId, TableType, TypeRegistry};
use crate::vmctx::{TierCall, TierHooks, VMFuncRef, VMStoreContext, VMTableDefinition};

macro_rules! id_type {
    ($($(#[$doc:meta])* $name:ident),*) => {$(
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub struct $name(pub u32);
        impl $name {
            pub fn index(self) -> usize {
                self.0 as usize
            }
        }
    )*};
}

id_type!(
    /// A function in the store (wasm or host).
    FuncId,
    InstanceId,
    MemoryId,
    TableId,
    GlobalId,
    /// An `externref` value's payload.
    ExternId,
    /// An exception tag (exception-handling proposal).
    TagId,
    /// An exception: what an `exnref` points at.
    ExnId
);

/// Identifies a store among all stores of the process (never reused).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct StoreId(u64);

impl StoreId {
    fn fresh() -> StoreId {
        static NEXT: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(1);
        StoreId(NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed))
    }
}

/// Raw encoding of a reference in a 64-bit value slot: 0 is null, otherwise id + 1.
pub mod raw_ref {
    use super::{ExnId, ExternId, FuncId};

    pub const NULL: u64 = 0;

    pub fn from_func(f: Option<FuncId>) -> u64 {
        f.map_or(NULL, |f| f.0 as u64 + 1)
    }

    pub fn to_func(raw: u64) -> Option<FuncId> {
        if raw == NULL {
            None
        } else {
            Some(FuncId((raw - 1) as u32))
        }
    }

    pub fn from_extern(e: Option<ExternId>) -> u64 {
        e.map_or(NULL, |e| e.0 as u64 + 1)
    }

    pub fn to_extern(raw: u64) -> Option<ExternId> {
        if raw == NULL {
            None
        } else {
            Some(ExternId((raw - 1) as u32))
        }
    }

    pub fn from_exn(e: Option<ExnId>) -> u64 {
        e.map_or(NULL, |e| e.0 as u64 + 1)
    }

    pub fn to_exn(raw: u64) -> Option<ExnId> {
        if raw == NULL {
            None
        } else {
            Some(ExnId((raw - 1) as u32))
        }
    }

    /// `ref.i31`: the low 31 bits of `v`, shifted left by one with the low bit set. An
    /// `i31ref` is odd, so it is neither null (0) nor, later, a GC heap object (even).
    pub fn from_i31(v: u32) -> u64 {
        ((v as u64 & 0x7fff_ffff) << 1) | 1
    }

    /// Whether a non-null reference of the `any` hierarchy is an `i31ref`.
    pub fn is_i31(raw: u64) -> bool {
        raw & 1 == 1
    }

    /// `i31.get_s` of an `i31ref` (not null): its 31 bits, sign-extended.
    pub fn i31_get_s(raw: u64) -> i32 {
        (raw as u32 as i32) >> 1
    }

    /// `i31.get_u` of an `i31ref` (not null): its 31 bits, zero-extended.
    pub fn i31_get_u(raw: u64) -> u32 {
        (raw as u32) >> 1
    }
}

/// An exception tag: its identity is its `TagId` (`catch` compares tags, not types); its type
/// is a function type without results whose parameters are the payload.
#[derive(Debug, Clone)]
pub struct TagEntity {
    pub ty: FuncType,
    pub type_id: SharedTypeId,
}

/// A thrown exception: its tag and its payload, as slots (a `v128` takes two, low half
/// first). Exceptions live as long as their store: there is no collector yet.
#[derive(Debug, Clone)]
pub struct ExnEntity {
    pub tag: TagId,
    pub payload: Box<[u64]>,
}

/// Context a host function is called with.
#[derive(Debug, Clone, Copy)]
pub struct HostContext {
    /// The instance whose code made the call, if the call came from wasm.
    pub caller: Option<InstanceId>,
}

/// A type-erased host function. `slots` holds the arguments on entry and receives the
/// results (it is as long as the longer of the two lists).
pub type HostCallback =
    dyn Fn(&mut StoreOpaque, HostContext, &mut [u64]) -> Result<(), Trap> + Send + Sync;

#[derive(Clone)]
pub enum FuncKind {
    /// A function defined by a module: `index` in that module's function index space.
    Wasm {
        instance: InstanceId,
        index: u32,
    },
    Host(Arc<HostCallback>),
}

#[derive(Clone)]
pub struct FuncEntity {
    pub ty: FuncType,
    pub type_id: SharedTypeId,
    pub kind: FuncKind,
}

#[derive(Debug)]
pub struct TableEntity {
    pub ty: TableType,
    pub elements: Vec<u64>,
    pub max: u64,
    /// Base and length of `elements` for compiled code; `grow` keeps it current. Boxed so
    /// that its address is stable.
    pub vm: Box<VMTableDefinition>,
}

impl TableEntity {
    pub fn size(&self) -> u32 {
        self.elements.len() as u32
    }

    /// Grows by `delta` elements set to `init` (limits are checked by
    /// `StoreOpaque::grow_table`, the only caller): returns the old size or `None`.
    fn grow(&mut self, delta: u64, init: u64) -> Option<u32> {
        let old = self.elements.len() as u64;
        let new = old.checked_add(delta)?;
        if new > self.max {
            return None;
        }
        self.elements.try_reserve(delta as usize).ok()?;
        self.elements.resize(new as usize, init);
        self.sync_vm();
        Some(old as u32)
    }

    /// Updates `vm` after `elements` may have moved or changed length.
    pub fn sync_vm(&mut self) {
        self.vm.base = self.elements.as_mut_ptr();
        self.vm.length = self.elements.len() as u64;
    }

    pub fn get(&self, index: u32) -> Result<u64, Trap> {
        self.elements
            .get(index as usize)
            .copied()
            .ok_or(Trap::new(TrapCode::TableOutOfBounds))
    }

    pub fn set(&mut self, index: u32, value: u64) -> Result<(), Trap> {
        let slot = self
            .elements
            .get_mut(index as usize)
            .ok_or(Trap::new(TrapCode::TableOutOfBounds))?;
        *slot = value;
        Ok(())
    }
}

#[derive(Debug)]
pub struct GlobalEntity {
    pub ty: GlobalType,
    /// The value's raw bits (floats as bits, references as raw refs). Boxed so that its address
    /// is stable: the tiers read and write it through the pointers in `InstanceEntity::vm`.
    pub value: Box<GlobalCell>,
}

/// A global's storage: 16 bytes, 16-aligned, so that a `v128` fits; every other type uses
/// the low 8 bytes. The tiers address it by a pointer to `lo` (`VMInstance::globals`) and
/// read a `v128` as the 16 bytes there, little-endian.
#[derive(Debug, Default)]
#[repr(C, align(16))]
pub struct GlobalCell {
    pub lo: Cell<u64>,
    pub hi: Cell<u64>,
}

impl GlobalCell {
    /// The raw bits of a non-`v128` value.
    pub fn get(&self) -> u64 {
        self.lo.get()
    }

    pub fn set(&self, raw: u64) {
        self.lo.set(raw)
    }

    pub fn get_v128(&self) -> u128 {
        self.lo.get() as u128 | (self.hi.get() as u128) << 64
    }

    pub fn set_v128(&self, value: u128) {
        self.lo.set(value as u64);
        self.hi.set((value >> 64) as u64);
    }
}

/// An instantiated module.
pub struct InstanceEntity {
    pub module: Arc<ModuleInfo>,
    /// Tier artifacts for this module's code (the interpreter's translated functions, ...).
    pub code: Arc<dyn Any + Send + Sync>,
    pub funcs: Vec<FuncId>,
    pub tables: Vec<TableId>,
    pub memories: Vec<MemoryId>,
    pub globals: Vec<GlobalId>,
    /// Every tag of the instance (imported ones first).
    pub tags: Vec<TagId>,
    /// Element segments as raw references; a dropped segment is empty.
    pub elem_segments: Vec<Arc<[u64]>>,
    /// Data segments; a dropped segment is empty.
    pub data_segments: Vec<Arc<[u8]>>,
    /// Direct pointers for the execution tiers.
    pub vm: VMInstance,
}

/// Raw views of an instance's state that both tiers read on their fast paths. The pointees
/// are boxed in the store and live as long as it; they never move.
pub struct VMInstance {
    /// Memory 0, or null if the instance has no memory.
    pub memory: *const VMMemoryDefinition,
    /// Every memory of the instance (imported ones first).
    pub memories: Box<[*const VMMemoryDefinition]>,
    /// Every global of the instance (imported ones first).
    pub globals: Box<[*const Cell<u64>]>,
}

impl InstanceEntity {
    pub fn export(&self, name: &str) -> Option<Extern> {
        let e = self.module.export(name)?;
        let i = e.index as usize;
        Some(match e.kind {
            crate::module::ExternKind::Func => Extern::Func(self.funcs[i]),
            crate::module::ExternKind::Table => Extern::Table(self.tables[i]),
            crate::module::ExternKind::Memory => Extern::Memory(self.memories[i]),
            crate::module::ExternKind::Global => Extern::Global(self.globals[i]),
            crate::module::ExternKind::Tag => Extern::Tag(self.tags[i]),
        })
    }
}

/// Something an import can be satisfied with, or an export yields.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Extern {
    Func(FuncId),
    Table(TableId),
    Memory(MemoryId),
    Global(GlobalId),
    Tag(TagId),
}

/// Decides, for one store, whether memories and tables may be created or grow: wasmtime's
/// `ResourceLimiter` model. It is consulted after the store's own limits
/// ([`StoreLimits`]) allowed the change, for every creation (instantiation and host API)
/// and every growth (`memory.grow`, `table.grow`, host API) in every tier.
pub trait ResourceLimiter: Send {
    /// A memory grows from `current` to `desired` bytes (creation starts at 0); `maximum`
    /// is the memory type's maximum in bytes. `false` refuses: `memory.grow` returns -1,
    /// creation fails.
    fn memory_growing(&mut self, current: u64, desired: u64, maximum: Option<u64>) -> bool;
    /// A table grows from `current` to `desired` elements (creation starts at 0);
    /// `maximum` is the table type's maximum. `false` refuses: `table.grow` returns -1,
    /// creation fails.
    fn table_growing(&mut self, current: u64, desired: u64, maximum: Option<u64>) -> bool;
}

/// Store-wide limits on what guests may allocate.
#[derive(Debug, Clone, Copy)]
pub struct StoreLimits {
    /// Maximum pages of any one memory.
    pub max_memory_pages: u64,
    /// Maximum elements of any one table.
    pub max_table_elements: u64,
    /// Maximum elements of all the store's tables together (tables are 8 bytes an element).
    pub max_table_elements_total: u64,
    /// Maximum number of instances, tables and memories in the store (wasmtime's defaults).
    pub max_instances: usize,
    pub max_tables: usize,
    pub max_memories: usize,
    /// Size of the wasm value stack in 64-bit slots (locals and operands of all frames).
    pub max_stack_slots: usize,
    /// Maximum nesting of interpreted wasm calls; deeper recursion traps with "call stack
    /// exhausted".
    pub max_call_depth: usize,
    /// Most bytes of native stack compiled wasm code may use per entry from the host;
    /// deeper recursion traps with "call stack exhausted".
    pub max_wasm_stack: usize,
}

impl Default for StoreLimits {
    fn default() -> Self {
        StoreLimits {
            max_memory_pages: MAX_PAGES_32,
            max_table_elements: 10_000_000,
            max_table_elements_total: 100_000_000,
            max_instances: 10_000,
            max_tables: 10_000,
            max_memories: 10_000,
            max_stack_slots: 1 << 20,
            max_call_depth: 20_000,
            max_wasm_stack: 16 << 20,
        }
    }
}

/// All the state of a store except the embedder's data.
///
/// The entity lists are private: entities are only ever added (memories and tables grow
/// through [`StoreOpaque::grow_memory`] / [`StoreOpaque::grow_table`]), so the addresses
/// running code holds (memory bases, table and global definitions) stay valid for the
/// store's life. The embedding API never hands this type to embedders.
pub struct StoreOpaque {
    pub registry: Arc<TypeRegistry>,
    funcs: Vec<FuncEntity>,
    pub(crate) instances: Vec<InstanceEntity>,
    memories: Vec<LinearMemory>,
    tables: Vec<TableEntity>,
    globals: Vec<GlobalEntity>,
    externs: Vec<Box<dyn Any + Send + Sync>>,
    tags: Vec<TagEntity>,
    exceptions: Vec<ExnEntity>,
    pub limits: StoreLimits,
    /// The embedder's limiter, consulted on every creation and growth of a memory or table.
    pub limiter: Option<Box<dyn ResourceLimiter>>,
    /// Elements of all tables in the store, for `StoreLimits::max_table_elements_total`.
    table_elements_total: u64,
    /// Unique among all stores of the process: handles carry it, so that a handle used with
    /// another store is caught instead of naming that store's entity of the same index.
    id: StoreId,
    /// Fuel left, when fuel metering is on: every executed wasm instruction costs one unit,
    /// and running out traps with "all fuel consumed".
    pub fuel: Option<u64>,
    /// Set from any thread to stop the wasm running in this store with an "interrupted"
    /// trap at its next check; the tier that raises the trap clears it.
    pub interrupt: Arc<AtomicBool>,
    /// The embedder's data (`&mut T` of `Store<T>`), set by the API before each entry into wasm.
    pub host_data: *mut (),
    /// Store-wide state compiled code reads (boxed: its address is stable).
    pub vm_store: Box<VMStoreContext>,
    /// One entry per function (same index as `funcs`); `vm_store` points at it.
    pub func_refs: Vec<VMFuncRef>,
    /// Set when code of more than one tier runs in this store.
    pub tier_hooks: Option<TierHooks>,
    /// Arguments of the tail call an interpreted activation handed back to its caller
    /// ([`crate::vmctx::Completion::TailCall`]), laid out as slots (`FuncType::array_len`
    /// of them: a `v128` takes two). Reused from one such call to the next.
    pub tail_args: Vec<u64>,
    /// Per-store state of the JIT tier (its instances' VM contexts), owned by that tier.
    pub tier_state: Option<Box<dyn Any + Send>>,
}

// SAFETY: `host_data` is only dereferenced by host functions while the store is borrowed
// mutably by the thread running them; everything else in the store is Send.
unsafe impl Send for StoreOpaque {}

impl StoreOpaque {
    pub fn new(registry: Arc<TypeRegistry>) -> StoreOpaque {
        StoreOpaque {
            registry,
            funcs: Vec::new(),
            instances: Vec::new(),
            memories: Vec::new(),
            tables: Vec::new(),
            globals: Vec::new(),
            externs: Vec::new(),
            tags: Vec::new(),
            exceptions: Vec::new(),
            limits: StoreLimits::default(),
            limiter: None,
            table_elements_total: 0,
            id: StoreId::fresh(),
            fuel: None,
            interrupt: Arc::new(AtomicBool::new(false)),
            host_data: std::ptr::null_mut(),
            vm_store: Box::new(VMStoreContext::new()),
            func_refs: Vec::new(),
            tier_hooks: None,
            tail_args: Vec::new(),
            tier_state: None,
        }
    }

    /// This store's identity, carried by every handle the embedding API gives out.
    pub fn id(&self) -> StoreId {
        self.id
    }

    /// The hook that runs `f` as machine code, if `f` has been compiled.
    pub fn compiled_call(&self, f: FuncId) -> Option<TierCall> {
        let hooks = self.tier_hooks?;
        (!self.func_refs[f.index()].code.is_null()).then_some(hooks.call_compiled)
    }

    /// Re-points `vm_store` at `func_refs` after it may have moved.
    pub fn sync_func_refs(&mut self) {
        self.vm_store.func_refs = self.func_refs.as_ptr();
        self.vm_store.func_refs_len = self.func_refs.len() as u64;
    }

    pub fn func(&self, id: FuncId) -> &FuncEntity {
        &self.funcs[id.index()]
    }

    /// The function `id`, if it exists in this store (a reference read from a table is
    /// checked this way, like the JIT's bounds check against `func_refs_len`).
    pub fn get_func(&self, id: FuncId) -> Option<&FuncEntity> {
        self.funcs.get(id.index())
    }

    /// Every instance, in creation order (an `InstanceId` is an index).
    pub fn instances(&self) -> &[InstanceEntity] {
        &self.instances
    }

    /// The host value of an `externref`.
    pub fn extern_value(&self, id: ExternId) -> &(dyn Any + Send + Sync) {
        &*self.externs[id.index()]
    }

    pub fn instance(&self, id: InstanceId) -> &InstanceEntity {
        &self.instances[id.index()]
    }

    pub fn memory(&self, id: MemoryId) -> &LinearMemory {
        &self.memories[id.index()]
    }

    pub fn memory_mut(&mut self, id: MemoryId) -> &mut LinearMemory {
        &mut self.memories[id.index()]
    }

    pub fn table(&self, id: TableId) -> &TableEntity {
        &self.tables[id.index()]
    }

    pub fn table_mut(&mut self, id: TableId) -> &mut TableEntity {
        &mut self.tables[id.index()]
    }

    pub fn global(&self, id: GlobalId) -> &GlobalEntity {
        &self.globals[id.index()]
    }

    pub fn global_mut(&mut self, id: GlobalId) -> &mut GlobalEntity {
        &mut self.globals[id.index()]
    }

    pub fn add_host_func(&mut self, ty: FuncType, callback: Arc<HostCallback>) -> FuncId {
        let type_id = self.registry.intern(&ty);
        self.push_func(FuncEntity {
            ty,
            type_id,
            kind: FuncKind::Host(callback),
        })
    }

    pub(crate) fn push_func(&mut self, f: FuncEntity) -> FuncId {
        let id = FuncId(self.funcs.len() as u32);
        self.func_refs
            .push(VMFuncRef::uncompiled(f.type_id.0, id.0));
        self.funcs.push(f);
        self.sync_func_refs();
        id
    }

    fn add_memory(&mut self, memory: LinearMemory) -> MemoryId {
        self.memories.push(memory);
        MemoryId(self.memories.len() as u32 - 1)
    }

    /// Creates a table of `ty.limits.min` elements set to `init`, within the store's limits.
    pub fn add_table(&mut self, ty: TableType, init: u64) -> Result<TableId, String> {
        if self.tables.len() >= self.limits.max_tables {
            return Err(format!(
                "resource limit exceeded: table count too high at {}",
                self.limits.max_tables
            ));
        }
        let max = ty
            .limits
            .max
            .unwrap_or(u32::MAX as u64)
            .min(self.limits.max_table_elements);
        let min = ty.limits.min;
        if min > max {
            return Err(format!(
                "table minimum of {min} elements exceeds the limit of {max}"
            ));
        }
        self.admit_table_growth(0, min, ty.limits.max)
            .map_err(|e| format!("table minimum of {min} elements: {e}"))?;
        let elements = table_elements(min as usize, init)
            .ok_or_else(|| "out of memory allocating a table".to_string())?;
        self.table_elements_total += min;
        let mut table = TableEntity {
            ty,
            elements,
            max,
            vm: Box::new(VMTableDefinition {
                base: std::ptr::null_mut(),
                length: 0,
            }),
        };
        table.sync_vm();
        self.tables.push(table);
        Ok(TableId(self.tables.len() as u32 - 1))
    }

    /// `table.grow` and `Table::grow`: grows table `id` by `delta` elements set to `init`
    /// if its maximum, the store's limits and the embedder's limiter allow it. Returns the
    /// old size, or `None` (wasm gets -1).
    pub fn grow_table(&mut self, id: TableId, delta: u64, init: u64) -> Option<u32> {
        let table = &self.tables[id.index()];
        let old = table.elements.len() as u64;
        let maximum = table.ty.limits.max;
        if delta > 0 {
            let new = old.checked_add(delta)?;
            if new > table.max {
                return None;
            }
            self.admit_table_growth(old, new, maximum).ok()?;
        }
        let old = self.tables[id.index()].grow(delta, init)?;
        self.table_elements_total += delta;
        Some(old)
    }

    /// Asks the store's limits and the embedder's limiter whether a table may grow from
    /// `current` to `desired` elements.
    fn admit_table_growth(
        &mut self,
        current: u64,
        desired: u64,
        maximum: Option<u64>,
    ) -> Result<(), String> {
        let total = self.table_elements_total - current.min(self.table_elements_total);
        if total.saturating_add(desired) > self.limits.max_table_elements_total {
            return Err(format!(
                "resource limit exceeded: the store's tables would hold more than {} elements",
                self.limits.max_table_elements_total
            ));
        }
        if let Some(limiter) = &mut self.limiter
            && !limiter.table_growing(current, desired, maximum)
        {
            return Err("the store's resource limiter refused".into());
        }
        Ok(())
    }

    /// Creates a linear memory of `ty.limits.min` pages, within the store's limits.
    pub fn create_memory(&mut self, ty: MemoryType) -> Result<MemoryId, String> {
        if self.memories.len() >= self.limits.max_memories {
            return Err(format!(
                "resource limit exceeded: memory count too high at {}",
                self.limits.max_memories
            ));
        }
        let min = ty.limits.min;
        if let Some(limiter) = &mut self.limiter {
            let desired = min.saturating_mul(ty.page_size());
            let maximum = ty.limits.max.map(|m| m.saturating_mul(ty.page_size()));
            if !limiter.memory_growing(0, desired, maximum) {
                return Err(format!(
                    "memory minimum of {min} pages: the store's resource limiter refused"
                ));
            }
        }
        let memory =
            LinearMemory::new(ty, self.limits.max_memory_pages).map_err(|e| e.to_string())?;
        Ok(self.add_memory(memory))
    }

    /// `memory.grow` and `Memory::grow`: grows memory `id` by `delta` pages if its maximum,
    /// the store's limits and the embedder's limiter allow it. Returns the old size in
    /// pages, or `None` (wasm gets -1).
    pub fn grow_memory(&mut self, id: MemoryId, delta: u64) -> Option<u64> {
        let memory = &self.memories[id.index()];
        if delta > 0 {
            let page = memory.ty().page_size();
            let new = memory.pages().checked_add(delta)?;
            if new > memory.max_pages() {
                return None;
            }
            if let Some(limiter) = &mut self.limiter {
                let current = memory.pages() * page;
                let maximum = memory.ty().limits.max.map(|m| m.saturating_mul(page));
                if !limiter.memory_growing(current, new * page, maximum) {
                    return None;
                }
            }
        }
        self.memories[id.index()].grow(delta)
    }

    /// Counts an instance about to be created against the store's limit.
    pub fn admit_instance(&self) -> Result<(), String> {
        if self.instances.len() >= self.limits.max_instances {
            return Err(format!(
                "resource limit exceeded: instance count too high at {}",
                self.limits.max_instances
            ));
        }
        Ok(())
    }

    /// A global holding `value` (a `v128` global takes all 128 bits, the others the low 64).
    pub fn add_global(&mut self, ty: GlobalType, value: u128) -> GlobalId {
        let cell = GlobalCell::default();
        cell.set_v128(value);
        self.globals.push(GlobalEntity {
            ty,
            value: Box::new(cell),
        });
        GlobalId(self.globals.len() as u32 - 1)
    }

    /// A new tag of type `ty` (a function type without results).
    pub fn add_tag(&mut self, ty: FuncType) -> TagId {
        let type_id = self.registry.intern(&ty);
        self.add_tag_with_id(ty, type_id)
    }

    /// A new tag of type `ty`, whose engine-wide id is `type_id`.
    pub fn add_tag_with_id(&mut self, ty: FuncType, type_id: SharedTypeId) -> TagId {
        self.tags.push(TagEntity { ty, type_id });
        TagId(self.tags.len() as u32 - 1)
    }

    pub fn tag(&self, id: TagId) -> &TagEntity {
        &self.tags[id.index()]
    }

    /// A new exception of tag `tag` with `payload` (slots); returns its raw `exnref`.
    pub fn add_exception(&mut self, tag: TagId, payload: Box<[u64]>) -> u64 {
        self.exceptions.push(ExnEntity { tag, payload });
        raw_ref::from_exn(Some(ExnId(self.exceptions.len() as u32 - 1)))
    }

    /// The exception a raw `exnref` of this store names, if it does.
    pub fn exception(&self, raw: u64) -> Option<&ExnEntity> {
        self.exceptions.get(raw_ref::to_exn(raw)?.index())
    }

    pub fn add_extern(&mut self, value: Box<dyn Any + Send + Sync>) -> ExternId {
        self.externs.push(value);
        ExternId(self.externs.len() as u32 - 1)
    }

    /// `table.copy`: `n` elements from table `src` at `s` to table `dst` at `d` (module table
    /// indices of `inst`). Overlapping ranges copy as if through a temporary.
    pub fn table_copy(
        &mut self,
        inst: InstanceId,
        dst: u32,
        src: u32,
        d: u64,
        s: u64,
        n: u64,
    ) -> Result<(), TrapCode> {
        let tables = &self.instance(inst).tables;
        let (dst, src) = (tables[dst as usize], tables[src as usize]);
        let s = span(s, n, self.table(src).elements.len()).ok_or(TrapCode::TableOutOfBounds)?;
        let d = span(d, n, self.table(dst).elements.len()).ok_or(TrapCode::TableOutOfBounds)?;
        if src == dst {
            self.table_mut(dst).elements.copy_within(s, d.start);
        } else {
            let items = self.table(src).elements[s].to_vec();
            self.table_mut(dst).elements[d].copy_from_slice(&items);
        }
        Ok(())
    }

    /// `table.init`: `n` references of element segment `elem` from `s` into table `table` at
    /// `d` (module indices of `inst`). A dropped segment is empty.
    pub fn table_init(
        &mut self,
        inst: InstanceId,
        table: u32,
        elem: u32,
        d: u64,
        s: u64,
        n: u64,
    ) -> Result<(), TrapCode> {
        let instance = self.instance(inst);
        let items = instance.elem_segments[elem as usize].clone();
        let table = instance.tables[table as usize];
        let s = span(s, n, items.len()).ok_or(TrapCode::TableOutOfBounds)?;
        let elements = &mut self.table_mut(table).elements;
        let d = span(d, n, elements.len()).ok_or(TrapCode::TableOutOfBounds)?;
        elements[d].copy_from_slice(&items[s]);
        Ok(())
    }

    /// `data.drop`: data segment `seg` of `inst` becomes empty.
    pub fn drop_data(&mut self, inst: InstanceId, seg: u32) {
        self.instances[inst.index()].data_segments[seg as usize] = Arc::new([]);
    }

    /// `elem.drop`: element segment `seg` of `inst` becomes empty.
    pub fn drop_elem(&mut self, inst: InstanceId, seg: u32) {
        self.instances[inst.index()].elem_segments[seg as usize] = Arc::new([]);
    }

    /// The type of a global, for import matching.
    pub fn global_type(&self, id: GlobalId) -> GlobalType {
        self.global(id).ty
    }
}

/// A table's element vector of `len` elements set to `init`, or `None` if it cannot be
/// allocated. Null-initialised tables (the common case) come from zeroed memory, which the
/// allocator takes from the kernel untouched for large sizes: a declared size costs address
/// space, not memory, until elements are written.
fn table_elements(len: usize, init: u64) -> Option<Vec<u64>> {
    if init != raw_ref::NULL || len == 0 {
        let mut elements = Vec::new();
        elements.try_reserve_exact(len).ok()?;
        elements.resize(len, init);
        return Some(elements);
    }
    let layout = std::alloc::Layout::array::<u64>(len).ok()?;
    // SAFETY: `layout` has a non-zero size (len > 0, u64 is 8 bytes).
    let ptr = unsafe { std::alloc::alloc_zeroed(layout) }.cast::<u64>();
    if ptr.is_null() {
        return None;
    }
    // SAFETY: `ptr` was allocated by the global allocator with the layout of `len` u64s,
    // which is what a Vec<u64> of capacity `len` uses, and all `len` elements are
    // initialised (zero bits are a valid u64, the null reference).
    Some(unsafe { Vec::from_raw_parts(ptr, len, len) })
}

/// The index range `start..start + len`, if it lies within `size` elements (operands of
/// bulk operations, zero-extended from i32 or i64).
pub fn span(start: u64, len: u64, size: usize) -> Option<std::ops::Range<usize>> {
    let end = start.checked_add(len)?;
    (end <= size as u64).then_some(start as usize..end as usize)
}
