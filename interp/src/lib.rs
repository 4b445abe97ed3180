//! wasmtier's interpreter tier.

use wasmtier_runtime::module::{ModuleError, ModuleInfo, PendingBody};
use wasmtier_runtime::{FuncId, StoreOpaque, Trap};

/// Translated code of one module.
pub struct ModuleCode {}

pub fn translate_module(
    _info: &ModuleInfo,
    _bodies: Vec<PendingBody<'_>>,
) -> Result<ModuleCode, ModuleError> {
    todo!()
}

/// Calls `func` with arguments in `slots[..params]`; results are written to `slots[..results]`.
pub fn invoke(_store: &mut StoreOpaque, _func: FuncId, _slots: &mut [u64]) -> Result<(), Trap> {
    todo!()
}

impl ModuleCode {
    /// Listing of defined function `defined_index`'s bytecode.
    pub fn disassemble(&self, _defined_index: u32) -> Option<String> {
        todo!()
    }
}
