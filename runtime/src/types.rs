//! Value and entity types as the runtime sees them, converted once from wasmparser's types.

use std::collections::HashMap;
use std::fmt;
use std::sync::{Arc, Mutex};

/// A WebAssembly value type.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ValType {
    I32,
    I64,
    F32,
    F64,
    V128,
    Ref(RefType),
}

impl ValType {
    /// `funcref`, short for `(ref null func)`.
    pub const FUNCREF: ValType = ValType::Ref(RefType::FUNCREF);
    /// `externref`, short for `(ref null extern)`.
    pub const EXTERNREF: ValType = ValType::Ref(RefType::EXTERNREF);
    /// `exnref`, short for `(ref null exn)`.
    pub const EXNREF: ValType = ValType::Ref(RefType::EXNREF);

    pub fn is_ref(self) -> bool {
        matches!(self, ValType::Ref(_))
    }

    /// How many 64-bit slots a value of this type takes wherever values are laid out as
    /// slots (interpreter frames, the array calling convention, call arguments): two for a
    /// `v128` (low half first), one for every other type.
    pub const fn slots(self) -> usize {
        match self {
            ValType::V128 => 2,
            _ => 1,
        }
    }

    /// Whether a value of type `self` may be used where `expected` is asked for (import
    /// matching, host values): equal types, or reference subtyping.
    pub fn matches(self, expected: ValType) -> bool {
        match (self, expected) {
            (ValType::Ref(actual), ValType::Ref(expected)) => actual.matches(expected),
            (actual, expected) => actual == expected,
        }
    }

    /// Converts a type of the module whose types have the engine-wide ids `type_ids` (by
    /// module type index).
    pub(crate) fn from_wasmparser(
        ty: wasmparser::ValType,
        type_ids: &[SharedTypeId],
    ) -> Result<ValType, String> {
        Ok(match ty {
            wasmparser::ValType::I32 => ValType::I32,
            wasmparser::ValType::I64 => ValType::I64,
            wasmparser::ValType::F32 => ValType::F32,
            wasmparser::ValType::F64 => ValType::F64,
            wasmparser::ValType::V128 => ValType::V128,
            wasmparser::ValType::Ref(r) => ValType::Ref(RefType::from_wasmparser(r, type_ids)?),
        })
    }
}

impl fmt::Display for ValType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            ValType::I32 => "i32",
            ValType::I64 => "i64",
            ValType::F32 => "f32",
            ValType::F64 => "f64",
            ValType::V128 => "v128",
            ValType::Ref(r) => return r.fmt(f),
        })
    }
}

/// What a reference points at: a heap type of the function-references proposal (Wasm 3.0).
/// Every reference is one 64-bit slot whatever its heap type (see `store::raw_ref`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum HeapType {
    /// Any function.
    Func,
    /// No function: the bottom type of functions, whose only value is null.
    NoFunc,
    /// Any host (external) value.
    Extern,
    /// No host value: the bottom type of external references.
    NoExtern,
    /// Any exception (the exception-handling proposal's `exn`).
    Exn,
    /// No exception: the bottom type of exception references.
    NoExn,
    /// A function of one type, by its engine-wide id.
    Concrete(SharedTypeId),
}

impl HeapType {
    /// Whether `self` is `expected` or a subtype of it.
    pub fn matches(self, expected: HeapType) -> bool {
        use HeapType::*;
        match (self, expected) {
            (a, b) if a == b => true,
            (NoFunc, Func | Concrete(_)) | (Concrete(_), Func) => true,
            (NoExtern, Extern) => true,
            (NoExn, Exn) => true,
            _ => false,
        }
    }

    /// Whether references of this type point at functions (as opposed to host values).
    pub fn is_func(self) -> bool {
        matches!(
            self,
            HeapType::Func | HeapType::NoFunc | HeapType::Concrete(_)
        )
    }

    /// Whether references of this type point at exceptions.
    pub fn is_exn(self) -> bool {
        matches!(self, HeapType::Exn | HeapType::NoExn)
    }

    fn from_wasmparser(
        ty: wasmparser::HeapType,
        type_ids: &[SharedTypeId],
    ) -> Result<HeapType, String> {
        use wasmparser::AbstractHeapType as A;
        match ty {
            wasmparser::HeapType::Abstract { shared: false, ty } => match ty {
                A::Func => Ok(HeapType::Func),
                A::NoFunc => Ok(HeapType::NoFunc),
                A::Extern => Ok(HeapType::Extern),
                A::NoExtern => Ok(HeapType::NoExtern),
                A::Exn => Ok(HeapType::Exn),
                A::NoExn => Ok(HeapType::NoExn),
                other => Err(format!("unsupported heap type {other:?}")),
            },
            wasmparser::HeapType::Concrete(wasmparser::UnpackedIndex::Module(index))
            | wasmparser::HeapType::Exact(wasmparser::UnpackedIndex::Module(index)) => type_ids
                .get(index as usize)
                .map(|id| HeapType::Concrete(*id))
                .ok_or_else(|| format!("unknown type {index}")),
            other => Err(format!("unsupported heap type {other:?}")),
        }
    }
}

impl fmt::Display for HeapType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            HeapType::Func => f.write_str("func"),
            HeapType::NoFunc => f.write_str("nofunc"),
            HeapType::Extern => f.write_str("extern"),
            HeapType::NoExtern => f.write_str("noextern"),
            HeapType::Exn => f.write_str("exn"),
            HeapType::NoExn => f.write_str("noexn"),
            HeapType::Concrete(id) => write!(f, "(type #{})", id.0),
        }
    }
}

/// A reference type: a heap type, and whether null is a value of it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct RefType {
    pub nullable: bool,
    pub heap: HeapType,
}

impl RefType {
    /// `funcref`, short for `(ref null func)`.
    pub const FUNCREF: RefType = RefType::new(true, HeapType::Func);
    /// `externref`, short for `(ref null extern)`.
    pub const EXTERNREF: RefType = RefType::new(true, HeapType::Extern);
    /// `exnref`, short for `(ref null exn)`.
    pub const EXNREF: RefType = RefType::new(true, HeapType::Exn);

    pub const fn new(nullable: bool, heap: HeapType) -> RefType {
        RefType { nullable, heap }
    }

    /// Whether `self` is `expected` or a subtype of it.
    pub fn matches(self, expected: RefType) -> bool {
        (expected.nullable || !self.nullable) && self.heap.matches(expected.heap)
    }

    /// Whether references of this type point at functions (as opposed to host values).
    pub fn is_func(self) -> bool {
        self.heap.is_func()
    }

    pub(crate) fn from_wasmparser(
        ty: wasmparser::RefType,
        type_ids: &[SharedTypeId],
    ) -> Result<RefType, String> {
        Ok(RefType::new(
            ty.is_nullable(),
            HeapType::from_wasmparser(ty.heap_type(), type_ids)?,
        ))
    }
}

impl From<RefType> for ValType {
    fn from(r: RefType) -> ValType {
        ValType::Ref(r)
    }
}

impl fmt::Display for RefType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match (self.nullable, self.heap) {
            (true, HeapType::Func) => f.write_str("funcref"),
            (true, HeapType::Extern) => f.write_str("externref"),
            (true, HeapType::Exn) => f.write_str("exnref"),
            (true, heap) => write!(f, "(ref null {heap})"),
            (false, heap) => write!(f, "(ref {heap})"),
        }
    }
}

/// A function signature.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct FuncType {
    params: Arc<[ValType]>,
    results: Arc<[ValType]>,
}

impl FuncType {
    pub fn new(
        params: impl IntoIterator<Item = ValType>,
        results: impl IntoIterator<Item = ValType>,
    ) -> FuncType {
        FuncType {
            params: params.into_iter().collect(),
            results: results.into_iter().collect(),
        }
    }

    pub fn params(&self) -> &[ValType] {
        &self.params
    }

    pub fn results(&self) -> &[ValType] {
        &self.results
    }

    /// The slots the parameters take (see [`ValType::slots`]).
    pub fn param_slots(&self) -> usize {
        total_slots(&self.params)
    }

    /// The slots the results take (see [`ValType::slots`]).
    pub fn result_slots(&self) -> usize {
        total_slots(&self.results)
    }

    /// The length of a slot array that holds the parameters on the way in and the results
    /// on the way out (the array calling convention): at least 1.
    pub fn array_len(&self) -> usize {
        self.param_slots().max(self.result_slots()).max(1)
    }
}

/// The slots a sequence of values takes.
pub fn total_slots(tys: &[ValType]) -> usize {
    tys.iter().map(|t| t.slots()).sum()
}

/// Each value's first slot when `tys` are laid out as consecutive slots.
pub fn slot_offsets(tys: &[ValType]) -> impl Iterator<Item = (usize, ValType)> + '_ {
    tys.iter().scan(0, |next, &ty| {
        let at = *next;
        *next += ty.slots();
        Some((at, ty))
    })
}

impl fmt::Display for FuncType {
    /// Prints the signature in wasm text syntax, leaving out empty clauses: `(func (param i32))`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("(func")?;
        for (clause, tys) in [("param", &self.params), ("result", &self.results)] {
            if !tys.is_empty() {
                write!(f, " ({clause}")?;
                for ty in tys.iter() {
                    write!(f, " {ty}")?;
                }
                f.write_str(")")?;
            }
        }
        f.write_str(")")
    }
}

/// Limits of a memory (in 64 KiB pages) or a table (in elements).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Limits {
    pub min: u64,
    pub max: Option<u64>,
}

impl Limits {
    /// Import matching: `self` (the provided entity) is a subtype of `expected`.
    pub fn matches(&self, expected: &Limits) -> bool {
        if self.min < expected.min {
            return false;
        }
        match (self.max, expected.max) {
            (_, None) => true,
            (Some(actual), Some(expected)) => actual <= expected,
            (None, Some(_)) => false,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct MemoryType {
    /// In pages of `page_size()` bytes.
    pub limits: Limits,
    pub shared: bool,
    pub memory64: bool,
    /// Log2 of the page size: 16 (64 KiB, the default) or, with the custom-page-sizes
    /// proposal, 0 (one byte).
    pub page_size_log2: u8,
}

impl MemoryType {
    /// The page size of Wasm 1.0 and 2.0, as `page_size_log2`.
    pub const DEFAULT_PAGE_SIZE_LOG2: u8 = 16;

    /// A 32-bit, unshared memory of `min` (and at most `max`) 64 KiB pages.
    pub fn new(min: u64, max: Option<u64>) -> MemoryType {
        MemoryType {
            limits: Limits { min, max },
            shared: false,
            memory64: false,
            page_size_log2: Self::DEFAULT_PAGE_SIZE_LOG2,
        }
    }

    /// A 64-bit (memory64), unshared memory of `min` (and at most `max`) 64 KiB pages.
    pub fn new64(min: u64, max: Option<u64>) -> MemoryType {
        MemoryType {
            memory64: true,
            ..MemoryType::new(min, max)
        }
    }

    /// Bytes per page.
    pub fn page_size(&self) -> u64 {
        1 << self.page_size_log2
    }

    /// The most pages a 32-bit memory of this page size can have: 4 GiB worth, except that
    /// with one-byte pages the size must fit in 32 bits (2^32 - 1).
    pub fn max_pages_32(&self) -> u64 {
        match self.page_size_log2 {
            0 => u32::MAX as u64,
            log2 => 1 << (32 - log2 as u32),
        }
    }

    /// The most pages the memory's address type allows: [`MemoryType::max_pages_32`] for a
    /// 32-bit memory; for a 64-bit one, the whole 64-bit address space (2^48 pages of 64 KiB).
    pub fn max_pages(&self) -> u64 {
        if !self.memory64 {
            return self.max_pages_32();
        }
        match self.page_size_log2 {
            0 => u64::MAX,
            log2 => 1 << (64 - log2 as u32),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct TableType {
    pub element: RefType,
    pub limits: Limits,
    /// Indexed with i64 (memory64 proposal's 64-bit tables) instead of i32.
    pub table64: bool,
}

impl TableType {
    /// A 32-bit table of `element`s with `min` (and at most `max`) elements.
    pub fn new(element: RefType, min: u64, max: Option<u64>) -> TableType {
        TableType {
            element,
            limits: Limits { min, max },
            table64: false,
        }
    }

    /// A 64-bit (memory64) table of `element`s with `min` (and at most `max`) elements.
    pub fn new64(element: RefType, min: u64, max: Option<u64>) -> TableType {
        TableType {
            table64: true,
            ..TableType::new(element, min, max)
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct GlobalType {
    pub content: ValType,
    pub mutable: bool,
}

/// An engine-wide identity of a function type: two functions have the same
/// `SharedTypeId` exactly when their types are equivalent (the same structure, in
/// equivalent recursion groups), so `call_indirect` compares integers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct SharedTypeId(pub u32);

/// A reference from a type in a recursion group being interned to another type: one
/// outside the group by its engine-wide id, or one of the group's own (which have no id
/// yet) by its position in the group. Two groups are equivalent exactly when their
/// descriptions in these terms are equal (the spec's iso-recursive type equivalence).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
enum GroupRef {
    Engine(SharedTypeId),
    Local(u32),
}

/// A value type inside a recursion group being interned.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
enum GroupValType {
    /// A type that names no type of the group.
    Plain(ValType),
    /// A reference to one of the group's own types.
    Local { nullable: bool, index: u32 },
}

/// A function type of a recursion group being interned, with its subtyping declaration.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
struct GroupFuncType {
    is_final: bool,
    supertypes: Vec<GroupRef>,
    params: Vec<GroupValType>,
    results: Vec<GroupValType>,
}

impl GroupFuncType {
    /// A type that refers only to types outside its group (as every host-made type does),
    /// final and without supertype: the meaning of a plain `(type (func ...))`.
    fn plain(ty: &FuncType) -> GroupFuncType {
        let plain = |tys: &[ValType]| tys.iter().map(|t| GroupValType::Plain(*t)).collect();
        GroupFuncType {
            is_final: true,
            supertypes: Vec::new(),
            params: plain(ty.params()),
            results: plain(ty.results()),
        }
    }

    /// The function type once the group's first type has the id `base`.
    fn resolve(&self, base: u32) -> FuncType {
        let resolve = |tys: &[GroupValType]| -> Vec<ValType> {
            tys.iter()
                .map(|t| match *t {
                    GroupValType::Plain(t) => t,
                    GroupValType::Local { nullable, index } => ValType::Ref(RefType::new(
                        nullable,
                        HeapType::Concrete(SharedTypeId(base + index)),
                    )),
                })
                .collect()
        };
        FuncType::new(resolve(&self.params), resolve(&self.results))
    }
}

/// Interns the function types of one engine, one recursion group at a time.
#[derive(Default)]
pub struct TypeRegistry {
    inner: Mutex<RegistryInner>,
}

#[derive(Default)]
struct RegistryInner {
    /// The id of each interned group's first type; its other types follow in order.
    groups: HashMap<Vec<GroupFuncType>, SharedTypeId>,
    types: Vec<FuncType>,
}

impl TypeRegistry {
    /// The id of a function type that names no type of its own group: a host function's
    /// type, or a plain `(type (func ...))` of a module.
    pub fn intern(&self, ty: &FuncType) -> SharedTypeId {
        self.intern_group(vec![GroupFuncType::plain(ty)])
    }

    /// Interns a module's recursion group whose first type has module index `first`;
    /// `type_ids` are the ids of the module's earlier types. Returns the ids of the group's
    /// types, in order.
    pub(crate) fn intern_rec_group(
        &self,
        group: &wasmparser::RecGroup,
        first: u32,
        type_ids: &[SharedTypeId],
    ) -> Result<Vec<SharedTypeId>, String> {
        let group_ref = |index: wasmparser::UnpackedIndex| -> Result<GroupRef, String> {
            match index {
                wasmparser::UnpackedIndex::Module(i) if i >= first => {
                    Ok(GroupRef::Local(i - first))
                }
                wasmparser::UnpackedIndex::Module(i) => type_ids
                    .get(i as usize)
                    .map(|id| GroupRef::Engine(*id))
                    .ok_or_else(|| format!("unknown type {i}")),
                wasmparser::UnpackedIndex::RecGroup(i) => Ok(GroupRef::Local(i)),
                wasmparser::UnpackedIndex::Id(_) => Err("unexpected canonical type id".into()),
            }
        };
        let val_type = |ty: &wasmparser::ValType| -> Result<GroupValType, String> {
            if let wasmparser::ValType::Ref(r) = ty
                && let wasmparser::HeapType::Concrete(index) = r.heap_type()
            {
                return Ok(match group_ref(index)? {
                    GroupRef::Local(index) => GroupValType::Local {
                        nullable: r.is_nullable(),
                        index,
                    },
                    GroupRef::Engine(id) => GroupValType::Plain(ValType::Ref(RefType::new(
                        r.is_nullable(),
                        HeapType::Concrete(id),
                    ))),
                });
            }
            ValType::from_wasmparser(*ty, type_ids).map(GroupValType::Plain)
        };
        let mut key = Vec::new();
        for sub in group.types() {
            let wasmparser::CompositeInnerType::Func(func) = &sub.composite_type.inner else {
                return Err("GC struct and array types are not supported".into());
            };
            key.push(GroupFuncType {
                is_final: sub.is_final,
                supertypes: sub
                    .supertype_idxs
                    .iter()
                    .map(|s| group_ref(s.unpack()))
                    .collect::<Result<_, _>>()?,
                params: func
                    .params()
                    .iter()
                    .map(val_type)
                    .collect::<Result<_, _>>()?,
                results: func
                    .results()
                    .iter()
                    .map(val_type)
                    .collect::<Result<_, _>>()?,
            });
        }
        let count = key.len() as u32;
        let base = self.intern_group(key);
        Ok((base.0..base.0 + count).map(SharedTypeId).collect())
    }

    fn intern_group(&self, key: Vec<GroupFuncType>) -> SharedTypeId {
        let mut inner = self.inner.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(base) = inner.groups.get(&key) {
            return *base;
        }
        let base = SharedTypeId(inner.types.len() as u32);
        for ty in &key {
            let resolved = ty.resolve(base.0);
            inner.types.push(resolved);
        }
        inner.groups.insert(key, base);
        base
    }

    pub fn get(&self, id: SharedTypeId) -> FuncType {
        let inner = self.inner.lock().unwrap_or_else(|e| e.into_inner());
        inner.types[id.0 as usize].clone()
    }
}

impl fmt::Debug for TypeRegistry {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("TypeRegistry")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn func_type_display_omits_empty_clauses() {
        assert_eq!(FuncType::new([], []).to_string(), "(func)");
        assert_eq!(
            FuncType::new([ValType::I32, ValType::F64], [ValType::I64]).to_string(),
            "(func (param i32 f64) (result i64))"
        );
    }
}
