//! wasmtier's interpreter tier: each validated function is translated once into a compact
//! bytecode (`ops`), which an operand-stack interpreter (`exec`) runs over 64-bit slots.

// Every `unsafe` block and impl says why it is sound (CI runs clippy with -D warnings).
#![warn(clippy::undocumented_unsafe_blocks)]

mod code;
mod disasm;
mod exec;
mod handlers;
mod numeric;
pub mod ops;
mod tier;
mod translate;

use wasmparser::FuncValidatorAllocations;
use wasmtier_runtime::module::{ModuleError, ModuleInfo, PendingBody};

pub use exec::{host_stack_releases, invoke};
pub use handlers::TAIL_DISPATCH;
pub use tier::{Hotness, Tiering};
pub use translate::CompiledFunc;

/// Translated code of one module, shared by all its instances.
#[derive(Debug)]
pub struct ModuleCode {
    funcs: Box<[CompiledFunc]>,
}

/// Validates and translates every function body of a module.
///
/// With `tiering`, the code counts calls and loop iterations per function and asks for
/// machine code once a function is hot (the store's `TierHooks::promote`).
pub fn translate_module(
    info: &ModuleInfo,
    bodies: Vec<PendingBody<'_>>,
    tiering: Option<&Tiering>,
) -> Result<ModuleCode, ModuleError> {
    let mut allocs = FuncValidatorAllocations::default();
    let mut funcs = Vec::with_capacity(bodies.len());
    for body in bodies {
        let (func, reuse) = translate::translate_function(info, body, allocs, tiering)?;
        allocs = reuse;
        funcs.push(func);
    }
    Ok(ModuleCode {
        funcs: funcs.into_boxed_slice(),
    })
}

impl ModuleCode {
    /// The translated function for defined function `defined_index`.
    pub fn func(&self, defined_index: u32) -> Option<&CompiledFunc> {
        self.funcs.get(defined_index as usize)
    }

    /// Listing of defined function `defined_index`'s bytecode.
    pub fn disassemble(&self, defined_index: u32) -> Option<String> {
        self.func(defined_index).map(disasm::disassemble)
    }
}
