//! wasmtier: a WebAssembly runtime with a bytecode interpreter and (optionally) a Cranelift JIT.
//!
//! The embedding API follows wasmtime's shape:
//!
//! ```
//! use wasmtier::{Engine, Linker, Module, Store};
//!
//! let engine = Engine::default();
//! let module = Module::new(&engine, r#"(module (func (export "add") (param i32 i32) (result i32)
//!     local.get 0 local.get 1 i32.add))"#).unwrap();
//! let mut store = Store::new(&engine, ());
//! let instance = Linker::new(&engine).instantiate(&mut store, &module).unwrap();
//! let add = instance.get_typed_func::<(i32, i32), i32>(&store, "add").unwrap();
//! assert_eq!(add.call(&mut store, (2, 3)).unwrap(), 5);
//! ```

#![warn(clippy::undocumented_unsafe_blocks)]

mod cache;
mod engine;
mod error;
mod externals;
mod func;
mod instance;
mod linker;
mod module;
mod store;
mod tiering;
mod values;
pub mod wasi;

pub use cache::CacheStatus;
pub use engine::{Config, DEFAULT_TIER_THRESHOLD, Engine, LOOP_ITERATIONS_PER_CALL, Tier};
pub use error::Error;
pub use externals::{Extern, Global, Memory, Table, Tag};
pub use func::{Func, IntoFunc, TypedFunc, WasmParams, WasmResults, WasmRet, WasmTy};
pub use instance::Instance;
pub use linker::Linker;
pub use module::{ExportType, ExternType, ImportType, Module};
pub use store::{
    AsContext, AsContextMut, Caller, InterruptHandle, Store, StoreContext, StoreContextMut,
};
pub use tiering::{FuncStats, FuncTier, TierStats};
pub use values::{AnyRef, ExnRef, ExternRef, Val};
pub use wasmtier_runtime::{
    FrameInfo, FuncType, GlobalType, HeapType, Limits, MemoryType, RefType, ResourceLimiter,
    TableType, Trap, TrapCode, TrapKind, ValType, WASM_PAGE_SIZE,
};

/// Result type of the embedding API.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Facts about the interpreter's dispatch, for wasmtier's own tests; not a stable API.
#[doc(hidden)]
pub mod interp_dispatch {
    pub use wasmtier_interp::{TAIL_DISPATCH, host_stack_releases};
}
