//! WASI preview1 (`wasi_snapshot_preview1`) on wasmtier's host-function API.
//!
//! ```no_run
//! use wasmtier::wasi::{WasiCtx, WasiCtxBuilder, add_to_linker};
//! use wasmtier::{Engine, Linker, Module, Store};
//!
//! # fn main() -> wasmtier::Result<()> {
//! let engine = Engine::default();
//! let module = Module::from_file(&engine, "prog.wasm")?;
//! let mut linker = Linker::new(&engine);
//! add_to_linker(&mut linker, |cx: &mut WasiCtx| cx)?;
//! let wasi = WasiCtxBuilder::new()
//!     .arg("prog.wasm")
//!     .inherit_stdio()
//!     .preopened_dir(".", ".")?
//!     .build();
//! let mut store = Store::new(&engine, wasi);
//! let instance = linker.instantiate(&mut store, &module)?;
//! instance.get_typed_func::<(), ()>(&store, "_start")?.call(&mut store, ())?;
//! # Ok(())
//! # }
//! ```
//!
//! Layout: `ctx` (state and builder), `fdtable` (descriptors), `sandbox` (path resolution
//! confined to preopens), `errno`, `mem` (checked guest memory access), one module per call
//! group (`args_env`, `sched`, `fd`, `dir`, `path`) and `linker` (the import definitions).

mod args_env;
mod block;
mod ctx;
mod dir;
mod errno;
mod fd;
mod fdtable;
mod host;
mod linker;
mod mem;
mod path;
mod pipe;
mod rights;
mod sandbox;
mod sched;
mod sock;
mod stat;
#[cfg(test)]
mod testenv;

pub use ctx::{WasiCtx, WasiCtxBuilder};
pub use errno::Errno;
pub use linker::add_to_linker;
pub use pipe::{ReadPipe, WritePipe};
