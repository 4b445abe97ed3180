//! wasmtier's interpreter tier: each validated function is translated into a compact bytecode
//! (`ops`) on its first call (`lazy`), which an operand-stack interpreter (`exec`) runs over
//! 64-bit slots.

// Every `unsafe` block and impl says why it is sound (CI runs clippy with -D warnings).
#![warn(clippy::undocumented_unsafe_blocks)]

mod code;
mod disasm;
mod exec;
mod handlers;
mod lazy;
mod numeric;
pub mod ops;
#[cfg(feature = "op-profile")]
mod profile;
pub mod simd;
mod tier;
mod translate;

pub use exec::{host_stack_releases, invoke, invoke_tail};
pub use handlers::TAIL_DISPATCH;
pub use lazy::{ModuleCode, lazy_module, translate_module};
pub use tier::{Hotness, Tiering};
pub use translate::CompiledFunc;
