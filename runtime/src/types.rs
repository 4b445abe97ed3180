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
    FuncRef,
    ExternRef,
}

impl ValType {
    pub fn is_ref(self) -> bool {
        matches!(self, ValType::FuncRef | ValType::ExternRef)
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

    pub(crate) fn from_wasmparser(ty: wasmparser::ValType) -> Result<ValType, String> {
        Ok(match ty {
            wasmparser::ValType::I32 => ValType::I32,
            wasmparser::ValType::I64 => ValType::I64,
            wasmparser::ValType::F32 => ValType::F32,
            wasmparser::ValType::F64 => ValType::F64,
            wasmparser::ValType::V128 => ValType::V128,
            wasmparser::ValType::Ref(r) => RefType::from_wasmparser(r)?.into(),
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
            ValType::FuncRef => "funcref",
            ValType::ExternRef => "externref",
        })
    }
}

/// A reference type: the element type of tables.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum RefType {
    FuncRef,
    ExternRef,
}

impl RefType {
    pub(crate) fn from_wasmparser(ty: wasmparser::RefType) -> Result<RefType, String> {
        if ty == wasmparser::RefType::FUNCREF {
            Ok(RefType::FuncRef)
        } else if ty == wasmparser::RefType::EXTERNREF {
            Ok(RefType::ExternRef)
        } else {
            Err(format!("unsupported reference type {ty}"))
        }
    }
}

impl From<RefType> for ValType {
    fn from(r: RefType) -> ValType {
        match r {
            RefType::FuncRef => ValType::FuncRef,
            RefType::ExternRef => ValType::ExternRef,
        }
    }
}

impl fmt::Display for RefType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        ValType::from(*self).fmt(f)
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

    pub(crate) fn from_wasmparser(ty: &wasmparser::FuncType) -> Result<FuncType, String> {
        let params = ty
            .params()
            .iter()
            .map(|t| ValType::from_wasmparser(*t))
            .collect::<Result<Vec<_>, _>>()?;
        let results = ty
            .results()
            .iter()
            .map(|t| ValType::from_wasmparser(*t))
            .collect::<Result<Vec<_>, _>>()?;
        Ok(FuncType::new(params, results))
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

/// An engine-wide identity of a function signature: two functions have the same
/// `SharedTypeId` exactly when their types are equal, so `call_indirect` compares integers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct SharedTypeId(pub u32);

/// Interns function types for one engine.
#[derive(Default)]
pub struct TypeRegistry {
    inner: Mutex<RegistryInner>,
}

#[derive(Default)]
struct RegistryInner {
    ids: HashMap<FuncType, SharedTypeId>,
    types: Vec<FuncType>,
}

impl TypeRegistry {
    pub fn intern(&self, ty: &FuncType) -> SharedTypeId {
        let mut inner = self.inner.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(id) = inner.ids.get(ty) {
            return *id;
        }
        let id = SharedTypeId(inner.types.len() as u32);
        inner.types.push(ty.clone());
        inner.ids.insert(ty.clone(), id);
        id
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
