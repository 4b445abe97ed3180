//! The environment seam: everything that knows how compiled code reaches the runtime's
//! state, that is the layout of `VMContext`, `VMStoreContext`, `VMMemoryDefinition`,
//! `VMTableDefinition` and `VMFuncRef` (`wasmtier_runtime::vmctx`), of the 64-bit value slots
//! the runtime exchanges values in, and of the builtin table. The rest of the translator asks
//! this module for addresses, lengths, callees and checks and never uses an `OFFSET_*`
//! constant itself (the counterpart of wasmtime's `func_environ.rs`).
//!
//! Two levels:
//! - free functions for code without a translator (the stack limit of a function's
//!   signature, slot arrays, builtins and the tail-call hand-back fields that the wrappers
//!   and trampolines of `wrappers.rs` use);
//! - [`FuncEnvironment`], created in a wasm function's prologue, which loads the per-function
//!   pointers once (memory 0's definition and base, globals, store context, interrupt flag)
//!   and translates the VM-dependent parts of operators: bounds-checked memory addresses,
//!   globals, table elements, builtin calls, fuel, interruption, and the callee of `call`,
//!   `call_indirect` (with its function-reference checks) and `ref.func`.
//!
//! The methods emit the instructions the single-file translator emitted, in the same order;
//! since then only memory flags changed (`can_move` in [`vm_readonly`], which also covers
//! the interrupt flag's pointer).

use cranelift_codegen::ir::condcodes::IntCC;
use cranelift_codegen::ir::{self, Function, InstBuilder, MemFlagsData, Type, Value, types};
use cranelift_frontend::FunctionBuilder;
use wasmtier_runtime::MemoryType;
use wasmtier_runtime::memory::{GUARD_BYTES, VMMemoryDefinition};
use wasmtier_runtime::vmctx::{
    PTR_SIZE, SLOT_SIZE, VMContext, VMFuncRef, VMStoreContext, VMTableDefinition,
};

use super::{Env, index_arg, native_sig, user_trap};
use crate::abi::{self, Builtin, trap_code};

/// Flags for accesses to runtime state that may change while compiled code runs: lengths of
/// memories and tables, table elements, globals, fuel, the store's function-reference array,
/// and every field of a `VMFuncRef` (tiered execution publishes new code by rewriting
/// references between two calls, possibly while callers further up are still running).
/// Aligned and never trapping, but not `readonly`, so Cranelift reloads them after every call
/// or store that could have changed them.
fn vm_flags() -> MemFlagsData {
    MemFlagsData::trusted()
}

/// Flags for loads of values that are fixed before any code of the instance runs and stay
/// fixed as long as it can run: the fields of the `VMContext` itself (set by `link_instance`),
/// the pointer arrays they point at (table definitions, global cells, trampolines, builtins:
/// boxed slices that are never written after linking), and memory 0's base (a reservation
/// that never moves; only its length changes). `readonly` lets Cranelift merge such loads
/// across calls and stores. Never use it for anything in the list of [`vm_flags`].
///
/// Also `can_move`: every such load reads a live structure of the instance at a constant
/// offset, valid wherever in the function it executes (none depends on a check before it),
/// so Cranelift may treat it as a pure value: drop it if unused, place it where it is
/// needed, hoist it out of loops and load it again instead of keeping it live across the
/// whole function.
fn vm_readonly() -> MemFlagsData {
    MemFlagsData::trusted().with_readonly().with_can_move()
}

/// Sets `func`'s stack limit, which Cranelift checks in the prologue:
/// vmctx -> store context -> stack_limit.
pub(super) fn declare_stack_limit(func: &mut Function) {
    let gv_vmctx = func.create_global_value(ir::GlobalValueData::VMContext);
    let ro = func.dfg.mem_flags.insert_unchecked(vm_readonly());
    let rw = func.dfg.mem_flags.insert_unchecked(vm_flags());
    let gv_store = func.create_global_value(ir::GlobalValueData::Load {
        base: gv_vmctx,
        offset: VMContext::OFFSET_STORE_CTX.into(),
        global_type: types::I64,
        flags: ro,
    });
    let gv_limit = func.create_global_value(ir::GlobalValueData::Load {
        base: gv_store,
        offset: VMStoreContext::OFFSET_STACK_LIMIT.into(),
        global_type: types::I64,
        flags: rw,
    });
    func.stack_limit = Some(gv_limit);
}

/// Flags for an access to a runtime slot array with a value of type `ty`. The arrays are
/// only 8-aligned, so a v128 (two slots) is not aligned for a 16-byte access.
fn slot_flags(ty: Type) -> MemFlagsData {
    if ty.bytes() > SLOT_SIZE as u32 {
        MemFlagsData::new().with_notrap()
    } else {
        vm_flags()
    }
}

/// Loads a `ty` value from slot `i` of a runtime slot array (64-bit slots; a v128 takes
/// slots `i` and `i + 1`, low half first: see `wasmtier_runtime::slot_offsets`).
pub(super) fn load_slot(b: &mut FunctionBuilder<'_>, ty: Type, slots: Value, i: usize) -> Value {
    b.ins()
        .load(ty, slot_flags(ty), slots, i as i32 * SLOT_SIZE)
}

/// Stores `v` into slot `i` of a runtime slot array: widened to 64 bits, or for a v128
/// into slots `i` and `i + 1`.
pub(super) fn store_slot(b: &mut FunctionBuilder<'_>, v: Value, slots: Value, i: usize) {
    let w = widen(b, v);
    let flags = slot_flags(b.func.dfg.value_type(w));
    b.ins().store(flags, w, slots, i as i32 * SLOT_SIZE);
}

/// Allocates a slot array of `n` slots in the function's frame and returns its address.
pub(super) fn stack_slot_array(b: &mut FunctionBuilder<'_>, n: usize) -> Value {
    let slot = b.create_sized_stack_slot(ir::StackSlotData::new(
        ir::StackSlotKind::ExplicitSlot,
        n as u32 * SLOT_SIZE as u32,
        3,
    ));
    b.ins().stack_addr(types::I64, slot, 0)
}

/// Widens a value to a full 64-bit slot (upper bits zero), as the runtime stores values; a
/// v128 stays as it is.
fn widen(b: &mut FunctionBuilder<'_>, v: Value) -> Value {
    match b.func.dfg.value_type(v) {
        types::I32 => b.ins().uextend(types::I64, v),
        types::F32 => {
            let bits = b.ins().bitcast(types::I32, MemFlagsData::new(), v);
            b.ins().uextend(types::I64, bits)
        }
        _ => v,
    }
}

/// The address of `builtin`'s entry point, from the builtin table of `vmctx`.
pub(super) fn builtin_addr(b: &mut FunctionBuilder<'_>, vmctx: Value, builtin: Builtin) -> Value {
    let table = b
        .ins()
        .load(types::I64, vm_readonly(), vmctx, VMContext::OFFSET_BUILTINS);
    b.ins().load(
        types::I64,
        vm_readonly(),
        table,
        (builtin as i32) * PTR_SIZE,
    )
}

/// The store context (`VMStoreContext`) of `vmctx`'s store.
pub(super) fn store_ctx(b: &mut FunctionBuilder<'_>, vmctx: Value) -> Value {
    b.ins().load(
        types::I64,
        vm_readonly(),
        vmctx,
        VMContext::OFFSET_STORE_CTX,
    )
}

/// A tail call the interpreter handed back (`abi::CALL_FUNC_TAIL_CALL`): the adapter to
/// tail-call for the callee's type, and the callee's context.
pub(super) fn handed_back_tail_call(
    b: &mut FunctionBuilder<'_>,
    store_ctx: Value,
) -> (Value, Value) {
    let adapter = b.ins().load(
        types::I64,
        vm_flags(),
        store_ctx,
        VMStoreContext::OFFSET_TAIL_ADAPTER,
    );
    let callee = b.ins().load(
        types::I64,
        vm_flags(),
        store_ctx,
        VMStoreContext::OFFSET_TAIL_VMCTX,
    );
    (adapter, callee)
}

/// What a tail-call adapter continues with: the callee's code and the slot array of its
/// arguments.
pub(super) fn tail_call_code_and_args(
    b: &mut FunctionBuilder<'_>,
    store_ctx: Value,
) -> (Value, Value) {
    let code = b.ins().load(
        types::I64,
        vm_flags(),
        store_ctx,
        VMStoreContext::OFFSET_TAIL_CODE,
    );
    let values = b.ins().load(
        types::I64,
        vm_flags(),
        store_ctx,
        VMStoreContext::OFFSET_TAIL_ARGS,
    );
    (code, values)
}

/// How a call reaches its callee.
#[derive(Clone, Copy)]
pub(super) enum Callee {
    /// A compiled function of this module: `call rel32`, linked by the module's layout.
    Direct(ir::FuncRef),
    /// Code loaded at run time, with the signature imported for it.
    Indirect(ir::SigRef, Value),
}

/// Emits a call of `callee` with `args` and returns its results.
pub(super) fn call(b: &mut FunctionBuilder<'_>, callee: Callee, args: &[Value]) -> Vec<Value> {
    let call = match callee {
        Callee::Direct(f) => b.ins().call(f, args),
        Callee::Indirect(sig, code) => b.ins().call_indirect(sig, code, args),
    };
    b.inst_results(call).to_vec()
}

/// Emits a tail call of `callee` with `args`, which replaces the caller's frame.
pub(super) fn return_call(b: &mut FunctionBuilder<'_>, callee: Callee, args: &[Value]) {
    match callee {
        Callee::Direct(f) => b.ins().return_call(f, args),
        Callee::Indirect(sig, code) => b.ins().return_call_indirect(sig, code, args),
    };
}

/// A wasm function's view of the VM: the pointers its prologue loads, and the translation of
/// everything that depends on the runtime's layout.
pub(super) struct FuncEnvironment<'a> {
    env: &'a Env<'a>,
    vmctx: Value,
    mem_def: Option<Value>,
    mem_base: Option<Value>,
    globals: Option<Value>,
    /// Address of the store's interrupt flag.
    interrupt: Value,
    store_ctx: Value,
}

impl<'a> FuncEnvironment<'a> {
    /// Emits the prologue's loads (and the call counter's increment) for a function whose
    /// context is `vmctx`.
    pub(super) fn new(env: &'a Env<'a>, b: &mut FunctionBuilder<'_>, vmctx: Value) -> Self {
        let info = env.info;
        let mem_def = if info.memories.is_empty() {
            None
        } else {
            Some(
                b.ins()
                    .load(types::I64, vm_readonly(), vmctx, VMContext::OFFSET_MEMORY),
            )
        };
        let mem_base = mem_def.map(|d| {
            b.ins().load(
                types::I64,
                vm_readonly(),
                d,
                VMMemoryDefinition::OFFSET_BASE,
            )
        });
        if let Some(counter) = env.call_counter {
            // The counter is the interpreter's `AtomicU64`, which other threads running the
            // same module update at the same time: an atomic add (`lock add`), not a load and
            // a store, which would race with them. Only with call statistics on
            // (`Config::count_calls`).
            let addr = b.ins().iconst(types::I64, counter as i64);
            let one = b.ins().iconst(types::I64, 1);
            b.ins().atomic_rmw(
                types::I64,
                MemFlagsData::trusted(),
                ir::AtomicRmwOp::Add,
                addr,
                one,
            );
        }
        let globals = if info.globals.is_empty() {
            None
        } else {
            Some(
                b.ins()
                    .load(types::I64, vm_readonly(), vmctx, VMContext::OFFSET_GLOBALS),
            )
        };
        let store_ctx = store_ctx(b, vmctx);
        // The runtime writes the pointer on every entry into compiled code, always the same
        // one (the store's flag, which lives as long as the store): for compiled code it
        // never changes, so it is loaded like the fields of the `VMContext`.
        let interrupt = b.ins().load(
            types::I64,
            vm_readonly(),
            store_ctx,
            VMStoreContext::OFFSET_INTERRUPT,
        );
        FuncEnvironment {
            env,
            vmctx,
            mem_def,
            mem_base,
            globals,
            interrupt,
            store_ctx,
        }
    }

    /// The function's own `VMContext`.
    pub(super) fn vmctx(&self) -> Value {
        self.vmctx
    }

    /// Traps with "interrupted" if the store's interrupt flag is set.
    pub(super) fn interrupt_check(&self, b: &mut FunctionBuilder<'_>) {
        // An atomic load: another thread sets the flag, so the load must not be merged with
        // an earlier one (a plain load in a loop without stores would be).
        let flag = b
            .ins()
            .atomic_load(types::I8, MemFlagsData::trusted(), self.interrupt);
        b.ins().trapnz(flag, user_trap(trap_code::INTERRUPTED));
    }

    /// Subtracts `n` from the store's fuel, trapping with "out of fuel" if that leaves less
    /// than zero.
    pub(super) fn charge_fuel(&self, b: &mut FunctionBuilder<'_>, n: i64) {
        let off = VMStoreContext::OFFSET_FUEL;
        let fuel = b.ins().load(types::I64, vm_flags(), self.store_ctx, off);
        let left = b.ins().iadd_imm_s(fuel, -n);
        let out = b.ins().icmp_imm_s(IntCC::SignedLessThan, left, 0);
        b.ins().trapnz(out, user_trap(trap_code::OUT_OF_FUEL));
        b.ins().store(vm_flags(), left, self.store_ctx, off);
    }

    // ---- builtins ----

    /// Calls `builtin` with this function's context and `args`; returns its result, if any.
    pub(super) fn call_builtin(
        &self,
        b: &mut FunctionBuilder<'_>,
        builtin: Builtin,
        args: &[Value],
    ) -> Option<Value> {
        let sig = builtin.signature(self.env.isa.default_call_conv());
        let sigref = b.import_signature(sig);
        let f = builtin_addr(b, self.vmctx, builtin);
        let mut all = vec![self.vmctx];
        all.extend_from_slice(args);
        let call = b.ins().call_indirect(sigref, f, &all);
        b.inst_results(call).first().copied()
    }

    /// Calls a builtin that returns a trap status (0 = ok) and traps if it failed.
    pub(super) fn call_builtin_checked(
        &self,
        b: &mut FunctionBuilder<'_>,
        builtin: Builtin,
        args: &[Value],
    ) {
        let status = self.call_builtin(b, builtin, args).expect("status");
        b.ins().trapnz(status, user_trap(trap_code::PENDING));
    }

    /// Calls `memory.grow`'s or `table.grow`'s builtin, which returns the wasm result (old
    /// size, or -1) as an i64, or [`abi::GROW_PENDING`] if it failed abnormally (a panic in
    /// the runtime): traps then, else returns the result, truncated unless `is64`.
    pub(super) fn call_grow_builtin(
        &self,
        b: &mut FunctionBuilder<'_>,
        builtin: Builtin,
        args: &[Value],
        is64: bool,
    ) -> Value {
        let r = self.call_builtin(b, builtin, args).expect("result");
        let pending = b
            .ins()
            .icmp_imm_u(IntCC::Equal, r, abi::GROW_PENDING as i64);
        b.ins().trapnz(pending, user_trap(trap_code::PENDING));
        if is64 {
            r
        } else {
            b.ins().ireduce(types::I32, r)
        }
    }

    // ---- memories ----

    /// The `VMMemoryDefinition` of memory `memory` (memory 0's is loaded on entry).
    fn memory_def(&self, b: &mut FunctionBuilder<'_>, memory: u32) -> Value {
        if memory == 0 {
            return self.mem_def.expect("validated: memory exists");
        }
        // The array and the definitions never move while the instance lives.
        let defs = b.ins().load(
            types::I64,
            vm_readonly(),
            self.vmctx,
            VMContext::OFFSET_MEMORIES,
        );
        b.ins()
            .load(types::I64, vm_readonly(), defs, memory as i32 * PTR_SIZE)
    }

    /// The current length of memory `memory` in bytes, as an i64.
    pub(super) fn memory_length(&self, b: &mut FunctionBuilder<'_>, memory: u32) -> Value {
        let def = self.memory_def(b, memory);
        b.ins().load(
            types::I64,
            vm_flags(),
            def,
            VMMemoryDefinition::OFFSET_LENGTH,
        )
    }

    /// Effective address of a `size`-byte access at `index + offset` of the memory
    /// `memarg` names, with a bounds check unless the guard region covers it; returned as a
    /// base value and the immediate offset to add to it.
    pub(super) fn mem_addr(
        &self,
        b: &mut FunctionBuilder<'_>,
        memarg: &wasmparser::MemArg,
        index: Value,
        size: u32,
    ) -> (Value, i32) {
        let memory = match memarg.target {
            wasmparser::MemArgTarget::Memory(memory) => memory,
            wasmparser::MemArgTarget::Array(_) => unreachable!("validated without GC"),
        };
        let offset = memarg.offset;
        let def = self.memory_def(b, memory);
        let base = if memory == 0 {
            self.mem_base.expect("validated: memory exists")
        } else {
            // A memory's reservation never moves: only its length changes.
            b.ins().load(
                types::I64,
                vm_readonly(),
                def,
                VMMemoryDefinition::OFFSET_BASE,
            )
        };
        let ty = self.env.info.memories[memory as usize];
        let idx = index_arg(b, index, ty.memory64);
        // (With a 64-bit offset, `offset + size` can overflow: no such access is in bounds.)
        let end = offset.saturating_add(size as u64);
        if ty.memory64 {
            self.bounds_check_64(b, def, idx, end);
        } else if self.needs_bounds_check(ty, end) {
            let len = b.ins().load(
                types::I64,
                vm_flags(),
                def,
                VMMemoryDefinition::OFFSET_LENGTH,
            );
            let last = b.ins().iadd_imm_s(idx, end as i64);
            let oob = b.ins().icmp(IntCC::UnsignedGreaterThan, last, len);
            b.ins().trapnz(oob, ir::TrapCode::HEAP_OUT_OF_BOUNDS);
        }
        let addr = b.ins().iadd(base, idx);
        if offset <= i32::MAX as u64 {
            (addr, offset as i32)
        } else {
            (b.ins().iadd_imm_s(addr, offset as i64), 0)
        }
    }

    /// Whether an access to a 32-bit memory of type `ty` ending `end` bytes after its index
    /// needs an explicit check. Guard pages cover 32-bit memories of 64 KiB pages only: with
    /// smaller pages the memory's end is not on a host page boundary, and the bytes after it
    /// are accessible.
    fn needs_bounds_check(&self, ty: MemoryType, end: u64) -> bool {
        let small_pages = ty.page_size_log2 != MemoryType::DEFAULT_PAGE_SIZE_LOG2;
        self.env.bounds_checks || small_pages || end > GUARD_BYTES as u64
    }

    /// The bounds check of a 64-bit memory (which has no guard region at all): traps unless
    /// `idx + end` is at most the length, also if it wraps around 2^64.
    fn bounds_check_64(&self, b: &mut FunctionBuilder<'_>, def: Value, idx: Value, end: u64) {
        let len = b.ins().load(
            types::I64,
            vm_flags(),
            def,
            VMMemoryDefinition::OFFSET_LENGTH,
        );
        let end = b.ins().iconst(types::I64, end as i64);
        let last = b
            .ins()
            .uadd_overflow_trap(idx, end, ir::TrapCode::HEAP_OUT_OF_BOUNDS);
        let oob = b.ins().icmp(IntCC::UnsignedGreaterThan, last, len);
        b.ins().trapnz(oob, ir::TrapCode::HEAP_OUT_OF_BOUNDS);
    }

    // ---- globals ----

    fn global_addr(&self, b: &mut FunctionBuilder<'_>, index: u32) -> Value {
        let globals = self.globals.expect("validated: global exists");
        b.ins()
            .load(types::I64, vm_readonly(), globals, index as i32 * PTR_SIZE)
    }

    /// Reads global `index`, of type `ty`.
    pub(super) fn global_get(&self, b: &mut FunctionBuilder<'_>, index: u32, ty: Type) -> Value {
        let addr = self.global_addr(b, index);
        b.ins().load(ty, vm_flags(), addr, 0)
    }

    /// Writes `v` to global `index`.
    pub(super) fn global_set(&self, b: &mut FunctionBuilder<'_>, index: u32, v: Value) {
        let addr = self.global_addr(b, index);
        // Keep the upper bits of the global's first 64 bits zero for narrower types (the
        // runtime reads them as a u64); a v128 fills the whole 16-byte, 16-aligned cell.
        let wide = widen(b, v);
        b.ins().store(vm_flags(), wide, addr, 0);
    }

    // ---- tables and function references ----

    fn table_def(&self, b: &mut FunctionBuilder<'_>, table: u32) -> Value {
        let tables = b.ins().load(
            types::I64,
            vm_readonly(),
            self.vmctx,
            VMContext::OFFSET_TABLES,
        );
        b.ins()
            .load(types::I64, vm_readonly(), tables, table as i32 * PTR_SIZE)
    }

    /// The current length of `table` in elements, as an i64.
    pub(super) fn table_length(&self, b: &mut FunctionBuilder<'_>, table: u32) -> Value {
        let def = self.table_def(b, table);
        b.ins().load(
            types::I64,
            vm_flags(),
            def,
            VMTableDefinition::OFFSET_LENGTH,
        )
    }

    /// Address of element `index` of `table`, trapping with `oob` if out of bounds.
    fn table_elem_addr(
        &self,
        b: &mut FunctionBuilder<'_>,
        table: u32,
        index: Value,
        oob: ir::TrapCode,
    ) -> Value {
        let def = self.table_def(b, table);
        let len = b.ins().load(
            types::I64,
            vm_flags(),
            def,
            VMTableDefinition::OFFSET_LENGTH,
        );
        let idx = index_arg(b, index, self.env.info.tables[table as usize].table64);
        let bad = b.ins().icmp(IntCC::UnsignedGreaterThanOrEqual, idx, len);
        b.ins().trapnz(bad, oob);
        let base = b
            .ins()
            .load(types::I64, vm_flags(), def, VMTableDefinition::OFFSET_BASE);
        let off = b.ins().ishl_imm_u(idx, SLOT_SIZE.ilog2() as i64);
        b.ins().iadd(base, off)
    }

    /// Reads element `index` of `table` (a raw reference), trapping if out of bounds.
    pub(super) fn table_get(&self, b: &mut FunctionBuilder<'_>, table: u32, index: Value) -> Value {
        let code = user_trap(trap_code::TABLE_OUT_OF_BOUNDS);
        let addr = self.table_elem_addr(b, table, index, code);
        b.ins().load(types::I64, vm_flags(), addr, 0)
    }

    /// Writes `v` to element `index` of `table`, trapping if out of bounds.
    pub(super) fn table_set(
        &self,
        b: &mut FunctionBuilder<'_>,
        table: u32,
        index: Value,
        v: Value,
    ) {
        let code = user_trap(trap_code::TABLE_OUT_OF_BOUNDS);
        let addr = self.table_elem_addr(b, table, index, code);
        b.ins().store(vm_flags(), v, addr, 0);
    }

    /// The raw reference to function `function_index` (`ref.func`): its store-wide id + 1.
    pub(super) fn ref_func(&self, b: &mut FunctionBuilder<'_>, function_index: u32) -> Value {
        let refs = b.ins().load(
            types::I64,
            vm_readonly(),
            self.vmctx,
            VMContext::OFFSET_FUNC_REFS,
        );
        // Not `readonly`: publication rewrites the whole reference (with the same id).
        let id = b.ins().load(
            types::I32,
            vm_flags(),
            refs,
            function_index as i32 * VMFuncRef::SIZE as i32 + VMFuncRef::OFFSET_FUNC_ID,
        );
        let id = b.ins().uextend(types::I64, id);
        b.ins().iadd_imm_s(id, 1)
    }

    // ---- callees ----

    /// The direct callee for a call of function `func_index`, if it is compiled in this
    /// module (same instance: its context is ours).
    pub(super) fn direct_callee(
        &self,
        b: &mut FunctionBuilder<'_>,
        func_index: u32,
    ) -> Option<Callee> {
        if self.env.direct.get(func_index as usize) != Some(&true) {
            return None;
        }
        let info = self.env.info;
        let ty = &info.types[info.func_types[func_index as usize] as usize];
        let sigref = b.import_signature(native_sig(ty));
        let name = b
            .func
            .declare_imported_user_function(ir::UserExternalName::new(0, func_index));
        let callee = b.import_function(ir::ExtFuncData {
            name: ir::ExternalName::User(name),
            signature: sigref,
            colocated: true,
            patchable: false,
        });
        Some(Callee::Direct(callee))
    }

    /// Code pointer and context of function `func_index`, from the instance's function
    /// references.
    pub(super) fn func_ref_callee(
        &self,
        b: &mut FunctionBuilder<'_>,
        func_index: u32,
    ) -> (Value, Value) {
        let refs = b.ins().load(
            types::I64,
            vm_readonly(),
            self.vmctx,
            VMContext::OFFSET_FUNC_REFS,
        );
        // `refs` (the instance's own array) never moves, but its entries are rewritten when
        // tiered execution publishes code: load them afresh for every call.
        let off = func_index as i32 * VMFuncRef::SIZE as i32;
        let code = b
            .ins()
            .load(types::I64, vm_flags(), refs, off + VMFuncRef::OFFSET_CODE);
        let callee = b
            .ins()
            .load(types::I64, vm_flags(), refs, off + VMFuncRef::OFFSET_VMCTX);
        (code, callee)
    }

    /// Code pointer and context of the callee of `call_indirect` through element `index` of
    /// `table`, with every check: bounds, null, a valid function id, the expected type.
    pub(super) fn indirect_callee(
        &self,
        b: &mut FunctionBuilder<'_>,
        type_index: u32,
        table: u32,
        index: Value,
    ) -> (Value, Value) {
        let undefined = user_trap(trap_code::UNDEFINED_ELEMENT);
        let addr = self.table_elem_addr(b, table, index, undefined);
        let raw = b.ins().load(types::I64, vm_flags(), addr, 0);
        b.ins()
            .trapz(raw, user_trap(trap_code::UNINITIALIZED_ELEMENT));
        let fid = b.ins().iadd_imm_s(raw, -1);
        let fref = self.checked_func_ref(b, fid);
        let tid = b
            .ins()
            .load(types::I32, vm_flags(), fref, VMFuncRef::OFFSET_TYPE_ID);
        // The engine's id for the type is read from the instance, not baked in, so that the
        // code does not depend on the engine that compiled it (cached code, `artifact`).
        let ids = b.ins().load(
            types::I64,
            vm_readonly(),
            self.vmctx,
            VMContext::OFFSET_TYPE_IDS,
        );
        let expected = b
            .ins()
            .load(types::I32, vm_readonly(), ids, type_index as i32 * 4);
        let mismatch = b.ins().icmp(IntCC::NotEqual, tid, expected);
        if self.env.info.type_final[type_index as usize] {
            // A final type has no subtypes: equal ids or a mismatch.
            b.ins()
                .trapnz(mismatch, user_trap(trap_code::INDIRECT_CALL_TYPE_MISMATCH));
        } else {
            // Other ids may be those of declared subtypes: the engine's supertype table
            // decides, out of line (the builtin traps on a mismatch).
            let slow = b.create_block();
            let done = b.create_block();
            b.set_cold_block(slow);
            b.ins().brif(mismatch, slow, &[], done, &[]);
            b.switch_to_block(slow);
            b.seal_block(slow);
            self.call_builtin_checked(b, Builtin::CheckSubtype, &[tid, expected]);
            b.ins().jump(done, &[]);
            b.switch_to_block(done);
            b.seal_block(done);
        }
        self.func_ref_code(b, type_index, fid, fref)
    }

    /// `call_ref`'s callee: the code to call and the context to pass, as
    /// `indirect_callee`, for the function reference `raw` of type `type_index` (which
    /// validation checked; only null traps).
    pub(super) fn ref_callee(
        &self,
        b: &mut FunctionBuilder<'_>,
        type_index: u32,
        raw: Value,
    ) -> (Value, Value) {
        b.ins().trapz(raw, user_trap(trap_code::NULL_FUNC_REF));
        let fid = b.ins().iadd_imm_s(raw, -1);
        let fref = self.checked_func_ref(b, fid);
        self.func_ref_code(b, type_index, fid, fref)
    }

    /// The code to call and the context to pass for function `fid` of type `type_index`,
    /// whose `VMFuncRef` is at `fref`.
    fn func_ref_code(
        &self,
        b: &mut FunctionBuilder<'_>,
        type_index: u32,
        fid: Value,
        fref: Value,
    ) -> (Value, Value) {
        let code = b
            .ins()
            .load(types::I64, vm_flags(), fref, VMFuncRef::OFFSET_CODE);
        let callee = b
            .ins()
            .load(types::I64, vm_flags(), fref, VMFuncRef::OFFSET_VMCTX);
        // No machine code: go through this module's trampoline for the type, which hands the
        // call (with the function id as its context) to the runtime.
        let tramps = b.ins().load(
            types::I64,
            vm_readonly(),
            self.vmctx,
            VMContext::OFFSET_TRAMPOLINES,
        );
        let tramp = b.ins().load(
            types::I64,
            vm_readonly(),
            tramps,
            type_index as i32 * PTR_SIZE,
        );
        let code_is_null = b.ins().icmp_imm_s(IntCC::Equal, code, 0);
        let code = b.ins().select(code_is_null, tramp, code);
        let callee = b.ins().select(code_is_null, fid, callee);
        (code, callee)
    }

    /// The address of the store's `VMFuncRef` for function id `fid`, trapping if there is
    /// no such function.
    fn checked_func_ref(&self, b: &mut FunctionBuilder<'_>, fid: Value) -> Value {
        // The element is a raw reference, trusted nowhere else: a stale or corrupted one must
        // not index past the store's function references (which grow, and move, as functions
        // are added; both pointer and length are reloaded here).
        let refs_len = b.ins().load(
            types::I64,
            vm_flags(),
            self.store_ctx,
            VMStoreContext::OFFSET_FUNC_REFS_LEN,
        );
        let bad_ref = b
            .ins()
            .icmp(IntCC::UnsignedGreaterThanOrEqual, fid, refs_len);
        b.ins().trapnz(bad_ref, user_trap(trap_code::BAD_FUNC_REF));
        let refs = b.ins().load(
            types::I64,
            vm_flags(),
            self.store_ctx,
            VMStoreContext::OFFSET_FUNC_REFS,
        );
        let off = b.ins().imul_imm_s(fid, VMFuncRef::SIZE);
        b.ins().iadd(refs, off)
    }
}
