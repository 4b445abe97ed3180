//! wasmtier's runtime core: module metadata, the store and its entities (functions, memories,
//! tables, globals), instantiation, traps. Execution tiers (`wasmtier-interp`, `wasmtier-jit`)
//! build on this crate; it knows nothing about them.

// Every `unsafe` block and impl says why it is sound (CI runs clippy with -D warnings).
#![warn(clippy::undocumented_unsafe_blocks)]

pub mod const_expr;
pub mod instantiate;
pub mod memory;
pub mod module;
pub mod store;
pub mod trap;
pub mod types;
pub mod vmctx;

pub use instantiate::{Instantiated, InstantiationError, instantiate};
pub use memory::{LinearMemory, WASM_PAGE_SIZE};
pub use module::{ModuleError, ModuleInfo};
pub use store::*;
pub use trap::{FrameInfo, Trap, TrapCode, TrapKind};
pub use types::*;
