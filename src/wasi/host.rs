//! How a WASI call reaches the guest's memory and its `WasiCtx` from inside a host function.

use std::sync::atomic::AtomicBool;

use super::ctx::WasiCtx;
use super::errno::{Errno, WasiResult};
use crate::{Caller, Memory};

/// What every WASI call needs. The calls are written against this trait so that they are
/// compiled once, not once per embedder type `T`.
///
/// Guest memory and the context are borrowed one at a time (both live in the store), so a
/// call copies data between them through ordinary buffers.
pub(crate) trait Env {
    /// The guest's exported `memory`; `EFAULT` if it has none.
    fn mem(&mut self) -> WasiResult<&mut [u8]>;
    fn ctx(&mut self) -> &mut WasiCtx;
    /// The store's interruption flag: calls that wait check it between slices of waiting
    /// (see `block`).
    fn interrupt_flag(&self) -> &AtomicBool;
}

pub(crate) struct Host<'a, 'b, T, G> {
    caller: &'a mut Caller<'b, T>,
    memory: Option<Memory>,
    get: G,
}

impl<'a, 'b, T, G: Fn(&mut T) -> &mut WasiCtx> Host<'a, 'b, T, G> {
    pub fn new(caller: &'a mut Caller<'b, T>, get: G) -> Self {
        let memory = caller
            .get_export("memory")
            .and_then(crate::Extern::into_memory);
        Host {
            caller,
            memory,
            get,
        }
    }
}

impl<T, G: Fn(&mut T) -> &mut WasiCtx> Env for Host<'_, '_, T, G> {
    fn mem(&mut self) -> WasiResult<&mut [u8]> {
        let memory = self.memory.ok_or(Errno::Fault)?;
        Ok(memory.data_mut(&mut *self.caller))
    }

    fn ctx(&mut self) -> &mut WasiCtx {
        (self.get)(self.caller.data_mut())
    }

    fn interrupt_flag(&self) -> &AtomicBool {
        self.caller.interrupt_flag()
    }
}
