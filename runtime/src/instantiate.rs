//! Instantiation in the order the spec demands: match imports, allocate entities, evaluate
//! global initializers, build the export view, run active element then data segments (a trap
//! there leaves earlier writes in place), and hand back the start function for the caller to run.

use std::any::Any;
use std::sync::Arc;

use crate::const_expr::ConstExpr;
use crate::module::{DataMode, ElementMode, ImportType, ModuleInfo};
use crate::store::{
    Extern, FuncEntity, FuncId, FuncKind, GlobalId, InstanceEntity, InstanceId, StoreOpaque,
    VMInstance, raw_ref,
};
use crate::trap::{Trap, TrapCode};

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum InstantiationError {
    /// An import is missing or has the wrong type (spec: "unlinkable").
    #[error("{0}")]
    Link(String),
    /// A memory or table could not be allocated.
    #[error("{0}")]
    Resource(String),
    /// Segment initialization trapped.
    #[error("{0}")]
    Trap(Trap),
}

pub struct Instantiated {
    pub instance: InstanceId,
    /// The start function, which the caller must run to finish instantiation.
    pub start: Option<FuncId>,
}

/// Checks that `provided` can satisfy every import of `module`, in order.
pub fn check_imports(
    store: &StoreOpaque,
    module: &ModuleInfo,
    provided: &[Extern],
) -> Result<(), InstantiationError> {
    if provided.len() != module.imports.len() {
        return Err(InstantiationError::Link(format!(
            "expected {} imports, got {}",
            module.imports.len(),
            provided.len()
        )));
    }
    for (import, ext) in module.imports.iter().zip(provided) {
        let ok = match (&import.ty, ext) {
            // The function's type may be a declared subtype of the import's.
            (ImportType::Func(ty), Extern::Func(f)) => store
                .registry
                .is_subtype(store.func(*f).type_id, module.type_ids[*ty as usize]),
            (ImportType::Table(expected), Extern::Table(t)) => {
                let table = store.table(*t);
                let mut actual = table.ty;
                actual.limits.min = table.size() as u64;
                actual.element == expected.element
                    && actual.table64 == expected.table64
                    && actual.limits.matches(&expected.limits)
            }
            (ImportType::Memory(expected), Extern::Memory(m)) => {
                let memory = store.memory(*m);
                let mut actual = memory.ty();
                actual.limits.min = memory.pages();
                actual.shared == expected.shared
                    && actual.memory64 == expected.memory64
                    && actual.page_size_log2 == expected.page_size_log2
                    && actual.limits.matches(&expected.limits)
            }
            (ImportType::Global(expected), Extern::Global(g)) => {
                // A mutable global's type must be equal (it is read and written); an
                // immutable one's may be a subtype.
                let actual = store.global_type(*g);
                actual.mutable == expected.mutable
                    && if expected.mutable {
                        actual.content == expected.content
                    } else {
                        actual.content.matches_in(expected.content, &store.registry)
                    }
            }
            (ImportType::Tag(ty), Extern::Tag(t)) => {
                store.tag(*t).type_id == module.type_ids[*ty as usize]
            }
            _ => false,
        };
        if !ok {
            return Err(InstantiationError::Link(format!(
                "incompatible import type for `{}::{}`",
                import.module, import.name
            )));
        }
    }
    Ok(())
}

/// Creates an instance of `module` in `store`. `code` holds the tiers' artifacts.
pub fn instantiate(
    store: &mut StoreOpaque,
    module: Arc<ModuleInfo>,
    code: Arc<dyn Any + Send + Sync>,
    imports: &[Extern],
) -> Result<Instantiated, InstantiationError> {
    check_imports(store, &module, imports)?;
    store
        .admit_instance()
        .map_err(InstantiationError::Resource)?;
    let id = InstanceId(store.instances.len() as u32);
    let mut inst = InstanceEntity {
        module: module.clone(),
        code,
        funcs: Vec::with_capacity(module.func_types.len()),
        tables: Vec::with_capacity(module.tables.len()),
        memories: Vec::with_capacity(module.memories.len()),
        globals: Vec::with_capacity(module.globals.len()),
        tags: Vec::with_capacity(module.tags.len()),
        elem_segments: Vec::with_capacity(module.elements.len()),
        data_segments: Vec::with_capacity(module.data.len()),
        vm: VMInstance {
            memory: std::ptr::null(),
            memories: Box::new([]),
            globals: Box::new([]),
        },
    };
    for ext in imports {
        match *ext {
            Extern::Func(f) => inst.funcs.push(f),
            Extern::Table(t) => inst.tables.push(t),
            Extern::Memory(m) => inst.memories.push(m),
            Extern::Global(g) => inst.globals.push(g),
            Extern::Tag(t) => inst.tags.push(t),
        }
    }
    for &ty in &module.tags[module.num_imported_tags as usize..] {
        let tag = store.add_tag_with_id(
            module.types[ty as usize].clone(),
            module.type_ids[ty as usize],
        );
        inst.tags.push(tag);
    }
    for index in module.num_imported_funcs..module.func_types.len() as u32 {
        let f = FuncEntity {
            ty: module.func_type(index).clone(),
            type_id: module.func_type_id(index),
            kind: FuncKind::Wasm {
                instance: id,
                index,
            },
        };
        inst.funcs.push(store.push_func(f));
    }
    let defined_tables = module.tables[module.num_imported_tables as usize..].iter();
    for (ty, init) in defined_tables.zip(&module.table_inits) {
        // A table's initializer may read imported globals only (defined globals come
        // after tables), which are in place.
        let init = init.as_ref().map_or(raw_ref::NULL, |init| {
            eval_const(store, &inst.funcs, &inst.globals, init) as u64
        });
        let table = store
            .add_table(*ty, init)
            .map_err(InstantiationError::Resource)?;
        inst.tables.push(table);
    }
    for ty in &module.memories[module.num_imported_memories as usize..] {
        let memory = store
            .create_memory(*ty)
            .map_err(InstantiationError::Resource)?;
        inst.memories.push(memory);
    }
    let defined_globals = module.globals[module.num_imported_globals as usize..].iter();
    for (ty, init) in defined_globals.zip(&module.global_inits) {
        let value = eval_const(store, &inst.funcs, &inst.globals, init);
        inst.globals.push(store.add_global(*ty, value));
    }
    for seg in &module.elements {
        let items: Arc<[u64]> = seg
            .items
            .iter()
            .map(|e| eval_const(store, &inst.funcs, &inst.globals, e) as u64)
            .collect();
        inst.elem_segments.push(items);
    }
    inst.data_segments = module.data.iter().map(|d| d.bytes.clone()).collect();
    let start = module.start.map(|s| inst.funcs[s as usize]);
    inst.vm = VMInstance {
        memory: inst
            .memories
            .first()
            .map_or(std::ptr::null(), |m| store.memory(*m).definition()),
        memories: inst
            .memories
            .iter()
            .map(|m| store.memory(*m).definition())
            .collect(),
        globals: inst
            .globals
            .iter()
            .map(|g| &store.global(*g).value.lo as *const _)
            .collect(),
    };

    // Segment initialization runs on the registered instance, as later traps must leave
    // earlier segments' effects (on possibly shared tables and memories) in place.
    store.instances.push(inst);
    init_segments(store, id).map_err(InstantiationError::Trap)?;
    Ok(Instantiated {
        instance: id,
        start,
    })
}

fn init_segments(store: &mut StoreOpaque, id: InstanceId) -> Result<(), Trap> {
    let module = store.instance(id).module.clone();
    for (index, seg) in module.elements.iter().enumerate() {
        match &seg.mode {
            // An active segment is `table.init` of the whole segment, then `elem.drop`.
            ElementMode::Active { table, offset } => {
                let inst = store.instance(id);
                let offset = eval_const(store, &inst.funcs, &inst.globals, offset);
                let offset = address(offset as u64, module.tables[*table as usize].table64);
                let len = inst.elem_segments[index].len() as u64;
                store.table_init(id, *table, index as u32, offset, 0, len)?;
                store.drop_elem(id, index as u32);
            }
            ElementMode::Declared => store.drop_elem(id, index as u32),
            ElementMode::Passive => {}
        }
    }
    for (index, seg) in module.data.iter().enumerate() {
        if let DataMode::Active { memory, offset } = &seg.mode {
            let inst = store.instance(id);
            let offset = eval_const(store, &inst.funcs, &inst.globals, offset);
            let offset = address(offset as u64, module.memories[*memory as usize].memory64);
            let memory = inst.memories[*memory as usize];
            let data = store.memory_mut(memory).data_mut();
            let dst = crate::store::span(offset, seg.bytes.len() as u64, data.len())
                .map(|range| &mut data[range])
                .ok_or(Trap::new(TrapCode::MemoryOutOfBounds))?;
            dst.copy_from_slice(&seg.bytes);
            store.drop_data(id, index as u32);
        }
    }
    Ok(())
}

/// A segment offset's value: an i64 for 64-bit memories and tables, else an i32 (whose raw
/// bits above 32 mean nothing).
fn address(raw: u64, is64: bool) -> u64 {
    if is64 { raw } else { raw as u32 as u64 }
}

/// Evaluates a (validated) constant expression to raw value bits, for every tier (segment
/// offsets, element items and global initializers are all evaluated here, at instantiation).
/// `globals` must hold the globals the expression may read (imported and earlier ones).
/// Only a `v128` uses the high 64 bits of the result.
pub fn eval_const(
    store: &StoreOpaque,
    funcs: &[FuncId],
    globals: &[GlobalId],
    expr: &ConstExpr,
) -> u128 {
    expr.eval(
        |g| store.global(globals[g as usize]).value.get_v128(),
        |f| raw_ref::from_func(Some(funcs[f as usize])),
    )
}
