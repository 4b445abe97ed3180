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
    /// `anyref`, short for `(ref null any)`.
    pub const ANYREF: ValType = ValType::Ref(RefType::ANYREF);

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

    /// [`ValType::matches`], with the declared supertypes of concrete types in `registry`.
    pub fn matches_in(self, expected: ValType, registry: &TypeRegistry) -> bool {
        match (self, expected) {
            (ValType::Ref(actual), ValType::Ref(expected)) => actual.matches_in(expected, registry),
            (actual, expected) => actual == expected,
        }
    }

    /// Converts a type of the module whose types have the heap types `type_heaps` (by
    /// module type index).
    pub(crate) fn from_wasmparser(
        ty: wasmparser::ValType,
        type_heaps: &[HeapType],
    ) -> Result<ValType, String> {
        Ok(match ty {
            wasmparser::ValType::I32 => ValType::I32,
            wasmparser::ValType::I64 => ValType::I64,
            wasmparser::ValType::F32 => ValType::F32,
            wasmparser::ValType::F64 => ValType::F64,
            wasmparser::ValType::V128 => ValType::V128,
            wasmparser::ValType::Ref(r) => ValType::Ref(RefType::from_wasmparser(r, type_heaps)?),
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

/// What a reference points at: a heap type of the function-references and GC proposals
/// (Wasm 3.0). Every reference is one 64-bit slot whatever its heap type (see
/// `store::raw_ref`).
///
/// There are three hierarchies, each with a top and a bottom: functions (`func` ...
/// `nofunc`), host values (`extern` ... `noextern`), exceptions (`exn` ... `noexn`), and
/// the GC hierarchy `any` :> `eq` :> (`i31`, `struct`, `array`) :> `none`. Concrete types
/// name a type of the engine's [`TypeRegistry`]: a function, struct or array type, each
/// below its abstract kind and above its hierarchy's bottom; between concrete types,
/// subtyping follows the declared supertypes ([`TypeRegistry::is_subtype`]).
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
    /// Any GC value (`any`): the top of the GC hierarchy.
    Any,
    /// Any value that `ref.eq` compares (`eq`).
    Eq,
    /// An unboxed 31-bit integer (`i31`).
    I31,
    /// Any struct (`struct`).
    Struct,
    /// Any array (`array`).
    Array,
    /// No GC value (`none`): the bottom of the GC hierarchy, whose only value is null.
    None,
    /// A function of one type, by its engine-wide id.
    Concrete(SharedTypeId),
    /// A struct of one type, by its engine-wide id.
    ConcreteStruct(SharedTypeId),
    /// An array of one type, by its engine-wide id.
    ConcreteArray(SharedTypeId),
}

impl HeapType {
    /// Whether `self` is `expected` or a subtype of it, as far as that follows from the heap
    /// types alone: two different concrete types are not related here (their declared
    /// supertypes are in the registry: see [`HeapType::matches_in`]).
    pub fn matches(self, expected: HeapType) -> bool {
        use HeapType::*;
        match (self, expected) {
            (a, b) if a == b => true,
            (NoFunc, Func | Concrete(_)) | (Concrete(_), Func) => true,
            (NoExtern, Extern) => true,
            (NoExn, Exn) => true,
            (None, b) => b.is_any(),
            (_, Any) => self.is_any(),
            (I31 | Struct | Array | ConcreteStruct(_) | ConcreteArray(_), Eq) => true,
            (ConcreteStruct(_), Struct) | (ConcreteArray(_), Array) => true,
            _ => false,
        }
    }

    /// [`HeapType::matches`], with the declared supertypes of concrete types in `registry`
    /// (the registry the types come from).
    pub fn matches_in(self, expected: HeapType, registry: &TypeRegistry) -> bool {
        use HeapType::*;
        match (self, expected) {
            (Concrete(a), Concrete(b))
            | (ConcreteStruct(a), ConcreteStruct(b))
            | (ConcreteArray(a), ConcreteArray(b)) => registry.is_subtype(a, b),
            _ => self.matches(expected),
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

    /// Whether references of this type point at host values.
    pub fn is_extern(self) -> bool {
        matches!(self, HeapType::Extern | HeapType::NoExtern)
    }

    /// Whether this type is in the GC hierarchy (below `any`).
    pub fn is_any(self) -> bool {
        matches!(
            self,
            HeapType::Any
                | HeapType::Eq
                | HeapType::I31
                | HeapType::Struct
                | HeapType::Array
                | HeapType::None
                | HeapType::ConcreteStruct(_)
                | HeapType::ConcreteArray(_)
        )
    }

    /// The heap type of a module's type index, given the heap types of the module's types
    /// (see [`ModuleInfo::type_heaps`](crate::module::ModuleInfo::type_heaps)).
    fn from_wasmparser(
        ty: wasmparser::HeapType,
        type_heaps: &[HeapType],
    ) -> Result<HeapType, String> {
        use wasmparser::AbstractHeapType as A;
        match ty {
            wasmparser::HeapType::Abstract { shared: false, ty } => Ok(match ty {
                A::Func => HeapType::Func,
                A::NoFunc => HeapType::NoFunc,
                A::Extern => HeapType::Extern,
                A::NoExtern => HeapType::NoExtern,
                A::Exn => HeapType::Exn,
                A::NoExn => HeapType::NoExn,
                A::Any => HeapType::Any,
                A::Eq => HeapType::Eq,
                A::I31 => HeapType::I31,
                A::Struct => HeapType::Struct,
                A::Array => HeapType::Array,
                A::None => HeapType::None,
                other => return Err(format!("unsupported heap type {other:?}")),
            }),
            wasmparser::HeapType::Concrete(wasmparser::UnpackedIndex::Module(index))
            | wasmparser::HeapType::Exact(wasmparser::UnpackedIndex::Module(index)) => type_heaps
                .get(index as usize)
                .copied()
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
            HeapType::Any => f.write_str("any"),
            HeapType::Eq => f.write_str("eq"),
            HeapType::I31 => f.write_str("i31"),
            HeapType::Struct => f.write_str("struct"),
            HeapType::Array => f.write_str("array"),
            HeapType::None => f.write_str("none"),
            HeapType::Concrete(id) | HeapType::ConcreteStruct(id) | HeapType::ConcreteArray(id) => {
                write!(f, "(type #{})", id.0)
            }
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
    /// `anyref`, short for `(ref null any)`.
    pub const ANYREF: RefType = RefType::new(true, HeapType::Any);

    pub const fn new(nullable: bool, heap: HeapType) -> RefType {
        RefType { nullable, heap }
    }

    /// Whether `self` is `expected` or a subtype of it.
    pub fn matches(self, expected: RefType) -> bool {
        (expected.nullable || !self.nullable) && self.heap.matches(expected.heap)
    }

    /// [`RefType::matches`], with the declared supertypes of concrete types in `registry`.
    pub fn matches_in(self, expected: RefType, registry: &TypeRegistry) -> bool {
        (expected.nullable || !self.nullable) && self.heap.matches_in(expected.heap, registry)
    }

    /// Whether references of this type point at functions (as opposed to host values).
    pub fn is_func(self) -> bool {
        self.heap.is_func()
    }

    pub(crate) fn from_wasmparser(
        ty: wasmparser::RefType,
        type_heaps: &[HeapType],
    ) -> Result<RefType, String> {
        Ok(RefType::new(
            ty.is_nullable(),
            HeapType::from_wasmparser(ty.heap_type(), type_heaps)?,
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
            (true, HeapType::Any) => f.write_str("anyref"),
            (true, HeapType::Eq) => f.write_str("eqref"),
            (true, HeapType::I31) => f.write_str("i31ref"),
            (true, HeapType::Struct) => f.write_str("structref"),
            (true, HeapType::Array) => f.write_str("arrayref"),
            (true, HeapType::None) => f.write_str("nullref"),
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

/// An engine-wide identity of a defined (function, struct or array) type: two types have
/// the same `SharedTypeId` exactly when they are equivalent (the same structure and
/// subtyping declaration, in equivalent recursion groups), so `call_indirect` compares
/// integers, and falls back to the declared supertypes only when they differ.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct SharedTypeId(pub u32);

/// What a struct field or array element holds: a value, or a packed integer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum StorageType {
    I8,
    I16,
    Val(ValType),
}

/// A struct field or the elements of an array.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct FieldType {
    pub storage: StorageType,
    pub mutable: bool,
}

/// The structure of a defined type.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum CompositeType {
    Func(FuncType),
    Struct(Arc<[FieldType]>),
    Array(FieldType),
}

/// A defined type with its subtyping declaration (`sub`, `sub final`; a plain type
/// definition is final and has no supertype).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct SubType {
    pub is_final: bool,
    pub supertype: Option<SharedTypeId>,
    pub composite: CompositeType,
}

impl SubType {
    /// The concrete heap type that names this type, whose id is `id`.
    pub fn heap_type(&self, id: SharedTypeId) -> HeapType {
        match self.composite {
            CompositeType::Func(_) => HeapType::Concrete(id),
            CompositeType::Struct(_) => HeapType::ConcreteStruct(id),
            CompositeType::Array(_) => HeapType::ConcreteArray(id),
        }
    }
}

impl HeapType {
    /// The engine-wide id of a concrete heap type.
    pub fn concrete_id(self) -> Option<SharedTypeId> {
        match self {
            HeapType::Concrete(id) | HeapType::ConcreteStruct(id) | HeapType::ConcreteArray(id) => {
                Some(id)
            }
            _ => None,
        }
    }
}

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

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
enum GroupStorage {
    I8,
    I16,
    Val(GroupValType),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
struct GroupField {
    storage: GroupStorage,
    mutable: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
enum GroupComposite {
    Func {
        params: Vec<GroupValType>,
        results: Vec<GroupValType>,
    },
    Struct(Vec<GroupField>),
    Array(GroupField),
}

/// A type of a recursion group being interned, with its subtyping declaration.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
struct GroupSubType {
    is_final: bool,
    supertypes: Vec<GroupRef>,
    composite: GroupComposite,
}

impl GroupSubType {
    /// A function type that refers only to types outside its group (as every host-made type
    /// does), final and without supertype: the meaning of a plain `(type (func ...))`.
    fn plain(ty: &FuncType) -> GroupSubType {
        let plain = |tys: &[ValType]| tys.iter().map(|t| GroupValType::Plain(*t)).collect();
        GroupSubType {
            is_final: true,
            supertypes: Vec::new(),
            composite: GroupComposite::Func {
                params: plain(ty.params()),
                results: plain(ty.results()),
            },
        }
    }
}

/// The types of `group` once its first type has the id `base`.
fn resolve_group(group: &[GroupSubType], base: u32) -> Vec<SubType> {
    let heap = |index: u32| {
        let id = SharedTypeId(base + index);
        match group[index as usize].composite {
            GroupComposite::Func { .. } => HeapType::Concrete(id),
            GroupComposite::Struct(_) => HeapType::ConcreteStruct(id),
            GroupComposite::Array(_) => HeapType::ConcreteArray(id),
        }
    };
    let val = |t: &GroupValType| match *t {
        GroupValType::Plain(t) => t,
        GroupValType::Local { nullable, index } => {
            ValType::Ref(RefType::new(nullable, heap(index)))
        }
    };
    let field = |f: &GroupField| FieldType {
        storage: match &f.storage {
            GroupStorage::I8 => StorageType::I8,
            GroupStorage::I16 => StorageType::I16,
            GroupStorage::Val(t) => StorageType::Val(val(t)),
        },
        mutable: f.mutable,
    };
    group
        .iter()
        .map(|ty| SubType {
            is_final: ty.is_final,
            supertype: ty.supertypes.first().map(|s| match *s {
                GroupRef::Engine(id) => id,
                GroupRef::Local(i) => SharedTypeId(base + i),
            }),
            composite: match &ty.composite {
                GroupComposite::Func { params, results } => CompositeType::Func(FuncType::new(
                    params.iter().map(val),
                    results.iter().map(val),
                )),
                GroupComposite::Struct(fields) => {
                    CompositeType::Struct(fields.iter().map(field).collect())
                }
                GroupComposite::Array(f) => CompositeType::Array(field(f)),
            },
        })
        .collect()
}

/// Interns the defined types of one engine, one recursion group at a time, and answers
/// subtyping questions about them (the engine's supertype table).
#[derive(Default)]
pub struct TypeRegistry {
    inner: Mutex<RegistryInner>,
}

#[derive(Default)]
struct RegistryInner {
    /// The id of each interned group's first type; its other types follow in order.
    groups: HashMap<Vec<GroupSubType>, SharedTypeId>,
    /// Every type by id.
    types: Vec<SubType>,
    /// The function type of each type (the empty signature for a struct or array type,
    /// which no function has: validation sees to that), so that `get` need not match.
    func_types: Vec<FuncType>,
}

impl TypeRegistry {
    /// The id of a function type that names no type of its own group: a host function's
    /// type, or a plain `(type (func ...))` of a module.
    pub fn intern(&self, ty: &FuncType) -> SharedTypeId {
        self.intern_group(vec![GroupSubType::plain(ty)])
    }

    /// Interns a module's recursion group whose first type has module index `first`;
    /// `type_heaps` are the heap types of the module's earlier types. Returns the ids of the
    /// group's types, in order.
    pub(crate) fn intern_rec_group(
        &self,
        group: &wasmparser::RecGroup,
        first: u32,
        type_heaps: &[HeapType],
    ) -> Result<Vec<SharedTypeId>, String> {
        let group_ref = |index: wasmparser::UnpackedIndex| -> Result<GroupRef, String> {
            match index {
                wasmparser::UnpackedIndex::Module(i) if i >= first => {
                    Ok(GroupRef::Local(i - first))
                }
                wasmparser::UnpackedIndex::Module(i) => type_heaps
                    .get(i as usize)
                    .and_then(|h| h.concrete_id())
                    .map(GroupRef::Engine)
                    .ok_or_else(|| format!("unknown type {i}")),
                wasmparser::UnpackedIndex::RecGroup(i) => Ok(GroupRef::Local(i)),
                wasmparser::UnpackedIndex::Id(_) => Err("unexpected canonical type id".into()),
            }
        };
        let val_type = |ty: &wasmparser::ValType| -> Result<GroupValType, String> {
            if let wasmparser::ValType::Ref(r) = ty
                && let wasmparser::HeapType::Concrete(index) = r.heap_type()
                && let GroupRef::Local(index) = group_ref(index)?
            {
                return Ok(GroupValType::Local {
                    nullable: r.is_nullable(),
                    index,
                });
            }
            ValType::from_wasmparser(*ty, type_heaps).map(GroupValType::Plain)
        };
        let field = |f: &wasmparser::FieldType| -> Result<GroupField, String> {
            Ok(GroupField {
                storage: match f.element_type {
                    wasmparser::StorageType::I8 => GroupStorage::I8,
                    wasmparser::StorageType::I16 => GroupStorage::I16,
                    wasmparser::StorageType::Val(t) => GroupStorage::Val(val_type(&t)?),
                },
                mutable: f.mutable,
            })
        };
        let mut key = Vec::new();
        for sub in group.types() {
            let composite = &sub.composite_type;
            if composite.shared
                || composite.descriptor_idx.is_some()
                || composite.describes_idx.is_some()
            {
                return Err("shared and descriptor types are not supported".into());
            }
            let composite = match &composite.inner {
                wasmparser::CompositeInnerType::Func(func) => GroupComposite::Func {
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
                },
                wasmparser::CompositeInnerType::Struct(s) => {
                    GroupComposite::Struct(s.fields.iter().map(field).collect::<Result<_, _>>()?)
                }
                wasmparser::CompositeInnerType::Array(a) => GroupComposite::Array(field(&a.0)?),
                wasmparser::CompositeInnerType::Cont(_) => {
                    return Err("continuation types are not supported".into());
                }
            };
            key.push(GroupSubType {
                is_final: sub.is_final,
                supertypes: sub
                    .supertype_idxs
                    .iter()
                    .map(|s| group_ref(s.unpack()))
                    .collect::<Result<_, _>>()?,
                composite,
            });
        }
        let count = key.len() as u32;
        let base = self.intern_group(key);
        Ok((base.0..base.0 + count).map(SharedTypeId).collect())
    }

    fn intern_group(&self, key: Vec<GroupSubType>) -> SharedTypeId {
        let mut inner = self.inner.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(base) = inner.groups.get(&key) {
            return *base;
        }
        let base = SharedTypeId(inner.types.len() as u32);
        for ty in resolve_group(&key, base.0) {
            let func = match &ty.composite {
                CompositeType::Func(f) => f.clone(),
                _ => FuncType::new([], []),
            };
            inner.func_types.push(func);
            inner.types.push(ty);
        }
        inner.groups.insert(key, base);
        base
    }

    /// The function type `id`; for a struct or array type, the empty signature.
    pub fn get(&self, id: SharedTypeId) -> FuncType {
        let inner = self.inner.lock().unwrap_or_else(|e| e.into_inner());
        inner.func_types[id.0 as usize].clone()
    }

    /// Type `id` with its subtyping declaration.
    pub fn get_sub(&self, id: SharedTypeId) -> SubType {
        let inner = self.inner.lock().unwrap_or_else(|e| e.into_inner());
        inner.types[id.0 as usize].clone()
    }

    /// Whether type `sub` is type `sup` or declares it as a (transitive) supertype: the
    /// slow path of the run-time type checks (`call_indirect`), after the ids differ.
    pub fn is_subtype(&self, sub: SharedTypeId, sup: SharedTypeId) -> bool {
        if sub == sup {
            return true;
        }
        let inner = self.inner.lock().unwrap_or_else(|e| e.into_inner());
        // A supertype is interned before its subtypes (in an earlier group, or earlier in
        // the same one, as validation demands), so the chain descends in id and ends.
        let mut at = sub;
        while let Some(next) = inner.types.get(at.0 as usize).and_then(|t| t.supertype) {
            if next == sup {
                return true;
            }
            if next >= at {
                return false;
            }
            at = next;
        }
        false
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
