//! The VM context: `#[repr(C)]` structures that compiled code reads directly, with the byte
//! offsets the JIT bakes into its code. The runtime owns and updates them (memory lengths,
//! table bases and lengths, the store's function-reference array); the JIT allocates one
//! [`VMContext`] per instance when it links the instance.
//!
//! Layout (all fields 8 bytes on 64-bit hosts):
//!
//! ```text
//! VMContext                        VMStoreContext (one per store, boxed in StoreOpaque)
//!   0  store_ctx  ------------->     0  func_refs      (indexed by FuncId)
//!   8  memory     (memory 0 def)     8  func_refs_len
//!  16  globals    (*const Cell)     16  stack_limit    (set on every host -> wasm entry)
//!  24  func_refs  (module fn idx)   24  store          (*mut StoreOpaque, set on entry)
//!  32  tables                        32  interrupt      (*const AtomicBool, set on entry)
//!  40  trampolines                   40  fuel           (i64, with fuel metering)
//!      (tables: *const VMTableDefinition per module table)
//!      (trampolines: per module type, a native-ABI stub that calls the runtime)
//!  48  builtins   (table of runtime entry points)
//!  56  instance   (InstanceId)
//! ```

use crate::store::{FuncId, StoreOpaque};
use crate::trap::Trap;

/// A way to run a function in some tier: arguments in `slots[..params]`, results written to
/// `slots[..results]` (the slice is as long as the longer list).
pub type TierCall = fn(&mut StoreOpaque, FuncId, &mut [u64]) -> Result<(), Trap>;

/// How one tier reaches the other, installed by the embedding layer when a store runs code
/// of more than one tier. The runtime never depends on a tier crate.
#[derive(Clone, Copy)]
pub struct TierHooks {
    /// Runs a function that has machine code (its [`VMFuncRef::code`] is non-null).
    pub call_compiled: TierCall,
    /// Runs a wasm function in the interpreter.
    pub call_interpreted: TierCall,
    /// Tiered execution: asks for machine code for a hot interpreted function.
    pub promote: Option<PromoteHook>,
    /// Tiered execution: moves a running interpreted activation to machine code.
    pub osr: Option<OsrHook>,
}

/// On-stack replacement: continues wasm function `f`, interpreted and standing at the header
/// of its loop number `loop_index` (counting every `loop` of its body in order) with an
/// empty operand stack, in machine code. `locals` holds its locals and receives its results
/// (it is as long as the longer of the two lists). `None`: no code for that entry (yet);
/// the interpreter goes on.
pub type OsrHook = fn(&mut StoreOpaque, FuncId, u32, &mut [u64]) -> Option<Result<(), Trap>>;

/// Asks the JIT for machine code for wasm function `f`, which the interpreter found hot.
pub type PromoteHook = fn(&mut StoreOpaque, FuncId) -> Promotion;

/// What a promotion request achieved.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Promotion {
    /// `f` has machine code in this store now: its function reference points at it.
    Ready,
    /// Compilation is queued or running; ask again later.
    Pending,
    /// `f` will never be compiled (compilation failed, or the JIT leaves it out).
    Never,
}

impl std::fmt::Debug for TierHooks {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("TierHooks")
    }
}

/// A callable function as compiled code sees it. `code` is null when the function has no
/// machine code (host functions, interpreted functions): callers then go through their
/// module's per-signature trampoline, passing `func_id` as the callee context.
#[repr(C)]
#[derive(Debug, Clone, Copy)]
pub struct VMFuncRef {
    pub code: *const u8,
    pub vmctx: *mut VMContext,
    pub type_id: u32,
    pub func_id: u32,
}

impl VMFuncRef {
    pub const OFFSET_CODE: i32 = 0;
    pub const OFFSET_VMCTX: i32 = 8;
    pub const OFFSET_TYPE_ID: i32 = 16;
    pub const OFFSET_FUNC_ID: i32 = 20;
    pub const SIZE: i64 = 24;

    pub fn uncompiled(type_id: u32, func_id: u32) -> VMFuncRef {
        VMFuncRef {
            code: std::ptr::null(),
            vmctx: std::ptr::null_mut(),
            type_id,
            func_id,
        }
    }
}

/// Where a table's elements currently are. Kept current by [`crate::TableEntity::grow`].
#[repr(C)]
#[derive(Debug)]
pub struct VMTableDefinition {
    pub base: *mut u64,
    pub length: u64,
}

impl VMTableDefinition {
    pub const OFFSET_BASE: i32 = 0;
    pub const OFFSET_LENGTH: i32 = 8;
}

/// Store-wide state compiled code reads.
#[repr(C)]
#[derive(Debug)]
pub struct VMStoreContext {
    pub func_refs: *const VMFuncRef,
    pub func_refs_len: u64,
    pub stack_limit: usize,
    pub store: *mut StoreOpaque,
    /// The store's interrupt flag (an `AtomicBool`), polled at loop headers and function
    /// entries; set on every entry.
    pub interrupt: *const u8,
    /// Fuel left while compiled code runs with fuel metering (copied from and back to
    /// `StoreOpaque::fuel` around compiled code); negative never stays.
    pub fuel: i64,
}

impl VMStoreContext {
    pub const OFFSET_FUNC_REFS: i32 = 0;
    pub const OFFSET_FUNC_REFS_LEN: i32 = 8;
    pub const OFFSET_STACK_LIMIT: i32 = 16;
    pub const OFFSET_STORE: i32 = 24;
    pub const OFFSET_INTERRUPT: i32 = 32;
    pub const OFFSET_FUEL: i32 = 40;

    pub fn new() -> VMStoreContext {
        VMStoreContext {
            func_refs: std::ptr::null(),
            func_refs_len: 0,
            stack_limit: 0,
            store: std::ptr::null_mut(),
            interrupt: std::ptr::null(),
            fuel: 0,
        }
    }
}

impl Default for VMStoreContext {
    fn default() -> Self {
        Self::new()
    }
}

/// One instance's context, passed to every compiled function as its first argument.
#[repr(C)]
#[derive(Debug)]
pub struct VMContext {
    pub store_ctx: *mut VMStoreContext,
    /// Memory 0's definition, or null.
    pub memory: *const crate::memory::VMMemoryDefinition,
    pub globals: *const *const std::cell::Cell<u64>,
    pub func_refs: *const VMFuncRef,
    pub tables: *const *const VMTableDefinition,
    pub trampolines: *const *const u8,
    pub builtins: *const *const u8,
    pub instance: u64,
}

impl VMContext {
    pub const OFFSET_STORE_CTX: i32 = 0;
    pub const OFFSET_MEMORY: i32 = 8;
    pub const OFFSET_GLOBALS: i32 = 16;
    pub const OFFSET_FUNC_REFS: i32 = 24;
    pub const OFFSET_TABLES: i32 = 32;
    pub const OFFSET_TRAMPOLINES: i32 = 40;
    pub const OFFSET_BUILTINS: i32 = 48;
    pub const OFFSET_INSTANCE: i32 = 56;
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::mem::offset_of;

    #[test]
    fn offsets_match_layout() {
        assert_eq!(offset_of!(VMFuncRef, vmctx) as i32, VMFuncRef::OFFSET_VMCTX);
        assert_eq!(
            offset_of!(VMFuncRef, type_id) as i32,
            VMFuncRef::OFFSET_TYPE_ID
        );
        assert_eq!(
            offset_of!(VMFuncRef, func_id) as i32,
            VMFuncRef::OFFSET_FUNC_ID
        );
        assert_eq!(std::mem::size_of::<VMFuncRef>() as i64, VMFuncRef::SIZE);
        assert_eq!(
            offset_of!(VMTableDefinition, length) as i32,
            VMTableDefinition::OFFSET_LENGTH
        );
        assert_eq!(
            offset_of!(VMStoreContext, stack_limit) as i32,
            VMStoreContext::OFFSET_STACK_LIMIT
        );
        assert_eq!(
            offset_of!(VMStoreContext, store) as i32,
            VMStoreContext::OFFSET_STORE
        );
        assert_eq!(
            offset_of!(VMContext, memory) as i32,
            VMContext::OFFSET_MEMORY
        );
        assert_eq!(
            offset_of!(VMContext, globals) as i32,
            VMContext::OFFSET_GLOBALS
        );
        assert_eq!(
            offset_of!(VMContext, func_refs) as i32,
            VMContext::OFFSET_FUNC_REFS
        );
        assert_eq!(
            offset_of!(VMContext, tables) as i32,
            VMContext::OFFSET_TABLES
        );
        assert_eq!(
            offset_of!(VMContext, trampolines) as i32,
            VMContext::OFFSET_TRAMPOLINES
        );
        assert_eq!(
            offset_of!(VMContext, builtins) as i32,
            VMContext::OFFSET_BUILTINS
        );
        assert_eq!(
            offset_of!(VMContext, instance) as i32,
            VMContext::OFFSET_INSTANCE
        );
    }
}
