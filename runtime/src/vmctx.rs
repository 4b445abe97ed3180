//! The VM context: `#[repr(C)]` structures that compiled code reads directly, with the byte
//! offsets the JIT bakes into its code. The runtime owns and updates them (memory lengths,
//! table bases and lengths, the store's function-reference array); the JIT allocates one
//! [`VMContext`] per instance when it links the instance.
//!
//! Every offset and size here is derived from the Rust definitions (`offset_of!`,
//! `size_of`), never written by hand, so the JIT cannot drift from the layout; the tests pin
//! the layout below and check the width of every field against the loads the JIT emits.
//!
//! Layout on 64-bit hosts (every field 8 bytes unless marked):
//!
//! ```text
//! VMContext                        VMStoreContext (one per store, boxed in StoreOpaque)
//!   0  store_ctx  ------------->     0  func_refs      (indexed by FuncId)
//!   8  memory     (memory 0 def)     8  func_refs_len
//!  16  globals    (*const Cell)     16  stack_limit    (set on every host -> wasm entry)
//!  24  func_refs  (module fn idx)   24  store          (*mut StoreOpaque, set on entry)
//!  32  tables                        32  interrupt      (*const AtomicBool, set on entry)
//!  40  trampolines                   40  fuel           (i64, with fuel metering)
//!  48  builtins                      48  tail_code      (a tail call the interpreter
//!  56  instance   (InstanceId)       56  tail_vmctx      handed back, made by a host
//!  64  memories                      64  tail_adapter    trampoline; see `Completion`)
//!  72  type_ids                      72  tail_args
//!
//!  tables:      *const VMTableDefinition per module table
//!  trampolines: per module type, a native-ABI stub that calls the runtime
//!  builtins:    table of runtime entry points
//!  memories:    *const VMMemoryDefinition per memory, imported ones first
//!  type_ids:    u32 per module type: the engine-wide id `call_indirect` compares with a
//!               `VMFuncRef`'s (read here, not baked into the code, so that machine code
//!               does not depend on the engine that compiled it and can be cached)
//!
//! VMFuncRef (24 bytes)     VMTableDefinition        VMMemoryDefinition (memory.rs)
//!   0  code                  0  base                  0  base
//!   8  vmctx                 8  length                8  length
//!  16  type_id  (u32)
//!  20  func_id  (u32)
//! ```

use std::mem::{offset_of, size_of};

use crate::memory::VMMemoryDefinition;
use crate::store::{FuncId, StoreOpaque};
use crate::trap::Trap;

/// Byte offset of a field as the `i32` displacement Cranelift loads and stores take.
macro_rules! offset {
    ($ty:ty, $field:ident) => {
        offset_of!($ty, $field) as i32
    };
}

/// Size of one entry of the pointer arrays the VM context points at (`globals`, `tables`,
/// `trampolines`, `builtins`).
pub const PTR_SIZE: i32 = size_of::<*const u8>() as i32;

/// Size of one 64-bit value slot: a table element (raw reference), a global's cell, an entry
/// of the argument/result arrays the wrappers and trampolines exchange.
pub const SLOT_SIZE: i32 = size_of::<u64>() as i32;

/// A way to run a function in some tier: arguments in `slots[..params]`, results written to
/// `slots[..results]` (the slice is as long as the longer list).
pub type TierCall = fn(&mut StoreOpaque, FuncId, &mut [u64]) -> Result<(), Trap>;

/// How a call into the interpreter ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Completion {
    /// The function returned: its results are in the slots.
    Returned,
    /// The function's outermost activation ended with a tail call to this function, which
    /// has machine code; its arguments wait in [`StoreOpaque::tail_args`]. The caller makes
    /// that call in the interpreter's place, and its results are the call's results.
    ///
    /// This is how a chain of tail calls alternating between the interpreter and compiled
    /// code runs in constant host stack: the interpreter returns instead of calling the
    /// compiled function from inside its own activation, and compiled code continues the
    /// chain with a native tail call (see the JIT's host trampolines).
    TailCall(FuncId),
}

/// A way to run a function that may end with a tail call the caller has to make
/// (arguments and results in `slots` as for [`TierCall`]).
pub type TierTailCall = fn(&mut StoreOpaque, FuncId, &mut [u64]) -> Result<Completion, Trap>;

/// How one tier reaches the other, installed by the embedding layer when a store runs code
/// of more than one tier. The runtime never depends on a tier crate.
#[derive(Clone, Copy)]
pub struct TierHooks {
    /// Runs a function that has machine code (its [`VMFuncRef::code`] is non-null). It
    /// always returns: tail calls out of compiled code never come back as a request.
    pub call_compiled: TierCall,
    /// Runs a wasm function in the interpreter; a tail call to a compiled function at its
    /// outermost activation comes back as [`Completion::TailCall`].
    pub call_interpreted: TierTailCall,
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
    pub const OFFSET_CODE: i32 = offset!(VMFuncRef, code);
    pub const OFFSET_VMCTX: i32 = offset!(VMFuncRef, vmctx);
    pub const OFFSET_TYPE_ID: i32 = offset!(VMFuncRef, type_id);
    pub const OFFSET_FUNC_ID: i32 = offset!(VMFuncRef, func_id);
    /// Stride of the function-reference arrays.
    pub const SIZE: i64 = size_of::<VMFuncRef>() as i64;

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
    pub const OFFSET_BASE: i32 = offset!(VMTableDefinition, base);
    pub const OFFSET_LENGTH: i32 = offset!(VMTableDefinition, length);
}

// Defined in `memory.rs`; its offsets live here with the rest of the layout.
impl VMMemoryDefinition {
    pub const OFFSET_BASE: i32 = offset!(VMMemoryDefinition, base);
    pub const OFFSET_LENGTH: i32 = offset!(VMMemoryDefinition, length);
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
    /// A tail call the interpreter handed back to compiled code ([`Completion::TailCall`]),
    /// set by the runtime just before a host trampoline makes it: the callee's code and
    /// context, the tail-call adapter for its type (which loads the arguments and jumps to
    /// the code), and the arguments (64-bit slots).
    pub tail_code: *const u8,
    pub tail_vmctx: *mut VMContext,
    pub tail_adapter: *const u8,
    pub tail_args: *const u64,
}

impl VMStoreContext {
    pub const OFFSET_FUNC_REFS: i32 = offset!(VMStoreContext, func_refs);
    pub const OFFSET_FUNC_REFS_LEN: i32 = offset!(VMStoreContext, func_refs_len);
    pub const OFFSET_STACK_LIMIT: i32 = offset!(VMStoreContext, stack_limit);
    pub const OFFSET_STORE: i32 = offset!(VMStoreContext, store);
    pub const OFFSET_INTERRUPT: i32 = offset!(VMStoreContext, interrupt);
    pub const OFFSET_FUEL: i32 = offset!(VMStoreContext, fuel);
    pub const OFFSET_TAIL_CODE: i32 = offset!(VMStoreContext, tail_code);
    pub const OFFSET_TAIL_VMCTX: i32 = offset!(VMStoreContext, tail_vmctx);
    pub const OFFSET_TAIL_ADAPTER: i32 = offset!(VMStoreContext, tail_adapter);
    pub const OFFSET_TAIL_ARGS: i32 = offset!(VMStoreContext, tail_args);

    pub fn new() -> VMStoreContext {
        VMStoreContext {
            func_refs: std::ptr::null(),
            func_refs_len: 0,
            stack_limit: 0,
            store: std::ptr::null_mut(),
            interrupt: std::ptr::null(),
            fuel: 0,
            tail_code: std::ptr::null(),
            tail_vmctx: std::ptr::null_mut(),
            tail_adapter: std::ptr::null(),
            tail_args: std::ptr::null(),
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
    /// Every memory's definition (memory 0's is also in `memory`).
    pub memories: *const *const crate::memory::VMMemoryDefinition,
    /// Per module type, its engine-wide `SharedTypeId` (`u32`).
    pub type_ids: *const u32,
}

impl VMContext {
    pub const OFFSET_STORE_CTX: i32 = offset!(VMContext, store_ctx);
    pub const OFFSET_MEMORY: i32 = offset!(VMContext, memory);
    pub const OFFSET_GLOBALS: i32 = offset!(VMContext, globals);
    pub const OFFSET_FUNC_REFS: i32 = offset!(VMContext, func_refs);
    pub const OFFSET_TABLES: i32 = offset!(VMContext, tables);
    pub const OFFSET_TRAMPOLINES: i32 = offset!(VMContext, trampolines);
    pub const OFFSET_BUILTINS: i32 = offset!(VMContext, builtins);
    pub const OFFSET_INSTANCE: i32 = offset!(VMContext, instance);
    pub const OFFSET_MEMORIES: i32 = offset!(VMContext, memories);
    pub const OFFSET_TYPE_IDS: i32 = offset!(VMContext, type_ids);
}

#[cfg(test)]
mod tests {
    use super::*;

    /// One field of a VM structure: the constant the JIT uses, the offset in the Rust
    /// definition, the offset the module docs promise, and the field's size next to the
    /// width the JIT accesses it with.
    struct Field {
        name: &'static str,
        constant: i32,
        actual: usize,
        documented: usize,
        size: usize,
        jit_width: usize,
    }

    /// The size of a field's type, from a projection that is never called.
    fn field_size<S, F>(_: fn(&S) -> &F) -> usize {
        size_of::<F>()
    }

    macro_rules! field {
        ($ty:ident . $field:ident, $constant:expr, $documented:expr, $jit_width:expr) => {
            Field {
                name: concat!(stringify!($ty), ".", stringify!($field)),
                constant: $constant,
                actual: offset_of!($ty, $field),
                documented: $documented,
                size: field_size(|s: &$ty| &s.$field),
                jit_width: $jit_width,
            }
        };
    }

    /// Checks every field of one structure: its constant, its documented place, the width
    /// the JIT uses, and that the fields tile the structure in order without gaps.
    fn check(fields: &[Field], size: usize, align: usize) {
        let mut end = 0;
        for f in fields {
            assert_eq!(f.constant as usize, f.actual, "{}: constant", f.name);
            assert_eq!(f.actual, f.documented, "{}: documented offset", f.name);
            assert_eq!(f.size, f.jit_width, "{}: width the JIT accesses", f.name);
            assert_eq!(f.actual, end, "{}: follows the previous field", f.name);
            end = f.actual + f.size;
        }
        assert_eq!(
            end.next_multiple_of(align),
            size,
            "{}: size",
            fields[0].name
        );
    }

    #[test]
    fn every_field_of_every_vm_struct() {
        // Pointers and `usize` are loaded as I64: the layout is for 64-bit hosts.
        assert_eq!(PTR_SIZE, 8);
        assert_eq!(SLOT_SIZE, 8);
        assert_eq!(size_of::<usize>(), 8);

        check(
            &[
                field!(VMFuncRef.code, VMFuncRef::OFFSET_CODE, 0, 8),
                field!(VMFuncRef.vmctx, VMFuncRef::OFFSET_VMCTX, 8, 8),
                field!(VMFuncRef.type_id, VMFuncRef::OFFSET_TYPE_ID, 16, 4),
                field!(VMFuncRef.func_id, VMFuncRef::OFFSET_FUNC_ID, 20, 4),
            ],
            VMFuncRef::SIZE as usize,
            std::mem::align_of::<VMFuncRef>(),
        );
        assert_eq!(VMFuncRef::SIZE, 24);

        check(
            &[
                field!(VMTableDefinition.base, VMTableDefinition::OFFSET_BASE, 0, 8),
                field!(
                    VMTableDefinition.length,
                    VMTableDefinition::OFFSET_LENGTH,
                    8,
                    8
                ),
            ],
            size_of::<VMTableDefinition>(),
            std::mem::align_of::<VMTableDefinition>(),
        );

        check(
            &[
                field!(
                    VMMemoryDefinition.base,
                    VMMemoryDefinition::OFFSET_BASE,
                    0,
                    8
                ),
                field!(
                    VMMemoryDefinition.length,
                    VMMemoryDefinition::OFFSET_LENGTH,
                    8,
                    8
                ),
            ],
            size_of::<VMMemoryDefinition>(),
            std::mem::align_of::<VMMemoryDefinition>(),
        );

        check(
            &[
                field!(
                    VMStoreContext.func_refs,
                    VMStoreContext::OFFSET_FUNC_REFS,
                    0,
                    8
                ),
                field!(
                    VMStoreContext.func_refs_len,
                    VMStoreContext::OFFSET_FUNC_REFS_LEN,
                    8,
                    8
                ),
                field!(
                    VMStoreContext.stack_limit,
                    VMStoreContext::OFFSET_STACK_LIMIT,
                    16,
                    8
                ),
                field!(VMStoreContext.store, VMStoreContext::OFFSET_STORE, 24, 8),
                field!(
                    VMStoreContext.interrupt,
                    VMStoreContext::OFFSET_INTERRUPT,
                    32,
                    8
                ),
                field!(VMStoreContext.fuel, VMStoreContext::OFFSET_FUEL, 40, 8),
                field!(
                    VMStoreContext.tail_code,
                    VMStoreContext::OFFSET_TAIL_CODE,
                    48,
                    8
                ),
                field!(
                    VMStoreContext.tail_vmctx,
                    VMStoreContext::OFFSET_TAIL_VMCTX,
                    56,
                    8
                ),
                field!(
                    VMStoreContext.tail_adapter,
                    VMStoreContext::OFFSET_TAIL_ADAPTER,
                    64,
                    8
                ),
                field!(
                    VMStoreContext.tail_args,
                    VMStoreContext::OFFSET_TAIL_ARGS,
                    72,
                    8
                ),
            ],
            size_of::<VMStoreContext>(),
            std::mem::align_of::<VMStoreContext>(),
        );

        check(
            &[
                field!(VMContext.store_ctx, VMContext::OFFSET_STORE_CTX, 0, 8),
                field!(VMContext.memory, VMContext::OFFSET_MEMORY, 8, 8),
                field!(VMContext.globals, VMContext::OFFSET_GLOBALS, 16, 8),
                field!(VMContext.func_refs, VMContext::OFFSET_FUNC_REFS, 24, 8),
                field!(VMContext.tables, VMContext::OFFSET_TABLES, 32, 8),
                field!(VMContext.trampolines, VMContext::OFFSET_TRAMPOLINES, 40, 8),
                field!(VMContext.builtins, VMContext::OFFSET_BUILTINS, 48, 8),
                field!(VMContext.instance, VMContext::OFFSET_INSTANCE, 56, 8),
                field!(VMContext.memories, VMContext::OFFSET_MEMORIES, 64, 8),
                field!(VMContext.type_ids, VMContext::OFFSET_TYPE_IDS, 72, 8),
            ],
            size_of::<VMContext>(),
            std::mem::align_of::<VMContext>(),
        );

        // What the pointer arrays hold, and the interrupt flag the JIT loads as one byte.
        assert_eq!(size_of::<crate::types::SharedTypeId>(), 4);
        assert_eq!(size_of::<*const std::cell::Cell<u64>>(), PTR_SIZE as usize);
        assert_eq!(size_of::<std::cell::Cell<u64>>(), SLOT_SIZE as usize);
        assert_eq!(size_of::<std::sync::atomic::AtomicBool>(), 1);
    }
}
