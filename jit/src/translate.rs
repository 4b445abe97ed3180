//! wasm function body -> Cranelift IR.
//!
//! The translation keeps an operand stack of SSA values and a stack of control frames; locals
//! are frontend `Variable`s. Everything instance-specific (memory, globals, tables, calls,
//! runtime helpers) is reached through the `VMContext` passed as the first argument, at the
//! offsets in `wasmtier_runtime::vmctx`; see `abi.rs` for the calling convention.
//!
//! Code after an unconditional branch is unreachable: it is skipped (only its nesting is
//! tracked), since the validator already checked it.

use cranelift_codegen::ir::condcodes::{FloatCC, IntCC};
use cranelift_codegen::ir::{
    self, AbiParam, BlockArg, Function, InstBuilder, MemFlagsData, Signature, Type, Value, types,
};
use cranelift_codegen::isa::{CallConv, TargetIsa};
use cranelift_frontend::{FunctionBuilder, FunctionBuilderContext, Variable};
use wasmparser::{BlockType, FunctionBody, Operator};
use wasmtier_runtime::memory::{GUARD_BYTES, VMMemoryDefinition};
use wasmtier_runtime::module::ModuleInfo;
use wasmtier_runtime::vmctx::{
    PTR_SIZE, SLOT_SIZE, VMContext, VMFuncRef, VMStoreContext, VMTableDefinition,
};
use wasmtier_runtime::{FuncType, MemoryType, ValType};

use crate::abi::{self, Builtin, trap_code};

/// What the translator needs to know about the module and the configuration.
pub(crate) struct Env<'a> {
    pub info: &'a ModuleInfo,
    pub isa: &'a dyn TargetIsa,
    /// Check every memory access against the current length instead of relying on guards.
    pub bounds_checks: bool,
    /// Per function index: whether the function is compiled in this module, so that calls to
    /// it can be direct (`call rel32`, patched by the module's own linker) instead of going
    /// through the function reference. Empty when direct calls are off.
    pub direct: Vec<bool>,
    /// Meter fuel: every executed wasm operator costs one unit.
    pub fuel: bool,
    /// Address of a `u64` call counter the function bumps on entry (call statistics of
    /// tiered execution); it must outlive the code.
    pub call_counter: Option<usize>,
    /// On-stack replacement: translate an entry point at the header of the function's loop
    /// with this ordinal (counting every `loop` of the body in order, from 0) instead of the
    /// function's start. See [`osr_sig`].
    pub osr_loop: Option<u32>,
}

/// The signature of an on-stack-replacement entry: `(vmctx, caller_vmctx, values)`. The
/// function starts at a loop header with its locals read from the 64-bit slots at `values`,
/// and stores its results there (widened to 64 bits) instead of returning them.
pub(crate) fn osr_sig(call_conv: CallConv) -> Signature {
    let mut sig = Signature::new(call_conv);
    sig.params.push(AbiParam::special(
        types::I64,
        ir::ArgumentPurpose::VMContext,
    ));
    sig.params.extend([AbiParam::new(types::I64); 2]);
    sig
}

pub(crate) fn cl_type(t: ValType) -> Type {
    match t {
        ValType::I32 => types::I32,
        ValType::I64 | ValType::FuncRef | ValType::ExternRef => types::I64,
        ValType::F32 => types::F32,
        ValType::F64 => types::F64,
        ValType::V128 => types::I128,
    }
}

/// The native signature of a wasm function: `(callee_vmctx, caller_vmctx, params...) -> results`.
///
/// Always Cranelift's `Tail` convention: only between functions of that convention can
/// Cranelift emit `return_call`/`return_call_indirect` (its verifier and x64 backend insist),
/// and a wasm tail call may target any wasm function, so every one of them (and every stub
/// that stands in for one: host trampolines, tail-call adapters) uses it. On x86-64 it passes
/// arguments in the System V registers and keeps the same callee-saved registers; it differs
/// in that the callee pops its stack arguments and that more results come back in registers.
/// Runtime code enters it through the array wrappers (system convention).
pub(crate) fn native_sig(ty: &FuncType) -> Signature {
    wasm_convention_sig(ty.params(), ty.results())
}

/// `(callee_vmctx, caller_vmctx, params...) -> results` in the convention of wasm functions.
fn wasm_convention_sig(params: &[ValType], results: &[ValType]) -> Signature {
    let mut sig = Signature::new(CallConv::Tail);
    sig.params.push(AbiParam::special(
        types::I64,
        ir::ArgumentPurpose::VMContext,
    ));
    sig.params.push(AbiParam::new(types::I64));
    sig.params
        .extend(params.iter().map(|t| AbiParam::new(cl_type(*t))));
    sig.returns
        .extend(results.iter().map(|t| AbiParam::new(cl_type(*t))));
    sig
}

fn bargs(vals: &[Value]) -> Vec<BlockArg> {
    vals.iter().map(|v| BlockArg::Value(*v)).collect()
}

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
fn vm_readonly() -> MemFlagsData {
    MemFlagsData::trusted().with_readonly()
}

fn heap_flags() -> MemFlagsData {
    MemFlagsData::new()
        .with_endianness(ir::Endianness::Little)
        .with_trap_code(Some(ir::TrapCode::HEAP_OUT_OF_BOUNDS))
}

/// A call, or a tail call (`return_call*`), which replaces the caller's frame.
#[derive(Clone, Copy, PartialEq, Eq)]
enum CallKind {
    Normal,
    Tail,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum FrameKind {
    Block,
    Loop,
    If,
}

struct ControlFrame {
    kind: FrameKind,
    /// Where execution continues after `end` (block parameters = results).
    dest: ir::Block,
    /// For loops, the header that `br` jumps to.
    header: Option<ir::Block>,
    /// For `if`: the else block, and the parameter values to hand it.
    else_block: Option<ir::Block>,
    else_params: Vec<Value>,
    else_seen: bool,
    /// Whether the `if` itself was reachable (so its else arm is).
    head_reachable: bool,
    params: Vec<Type>,
    results: Vec<Type>,
    /// Operand stack height below the frame's parameters.
    height: usize,
    /// Whether some branch targets `dest`.
    dest_used: bool,
}

impl ControlFrame {
    fn br_arity(&self) -> usize {
        if self.kind == FrameKind::Loop {
            self.params.len()
        } else {
            self.results.len()
        }
    }
}

struct Translator<'a, 'b> {
    env: &'a Env<'a>,
    b: FunctionBuilder<'b>,
    stack: Vec<Value>,
    frames: Vec<ControlFrame>,
    locals: Vec<Variable>,
    reachable: bool,
    /// Nesting depth of blocks opened inside unreachable code.
    dead_depth: usize,
    vmctx: Value,
    mem_def: Option<Value>,
    mem_base: Option<Value>,
    globals: Option<Value>,
    /// Address of the store's interrupt flag.
    interrupt: Value,
    store_ctx: Value,
    /// Operators translated since fuel was last charged.
    fuel_pending: i64,
    /// `loop` operators seen so far (reachable or not).
    loops_seen: u32,
    /// On-stack replacement entry: the loop's ordinal, the block its header must be (the
    /// entry block jumps there), the slot array of locals and results, whether it was found.
    osr: Option<OsrEntry>,
}

struct OsrEntry {
    loop_index: u32,
    header: ir::Block,
    values: Value,
    found: bool,
}

/// Largest function body the JIT compiles, in bytes of wasm. Cranelift's memory grows with
/// a function's size (about 0.5 KB per byte of straight-line code), so a larger function
/// stays in the interpreter, which runs it with a footprint proportional to its bytecode.
/// The largest function of SQLite is 50 KB.
pub(crate) const MAX_BODY_BYTES: u64 = 256 << 10;

/// Most blocks, loops, ifs and `br_table` targets (together) in a function the JIT
/// compiles: each becomes a Cranelift block, at about 2 KB of compiler memory, so 50 000 cap
/// a function at roughly 100 MB. The largest function of SQLite has 1 442.
pub(crate) const MAX_CONTROL_ITEMS: usize = 50_000;

/// Translates defined function `func_index` into `func`.
pub(crate) fn translate_function(
    env: &Env<'_>,
    func_index: u32,
    body: &FunctionBody<'_>,
    func: &mut Function,
    fctx: &mut FunctionBuilderContext,
) -> Result<(), String> {
    let range = body.range();
    let body_bytes = range.end - range.start;
    if body_bytes > MAX_BODY_BYTES {
        return Err(format!(
            "its body of {body_bytes} bytes is over the JIT's limit of {MAX_BODY_BYTES}"
        ));
    }
    let info = env.info;
    let ty = info.func_type(func_index);
    let sig = match env.osr_loop {
        Some(_) => osr_sig(env.isa.default_call_conv()),
        None => native_sig(ty),
    };
    *func = Function::with_name_signature(ir::UserFuncName::user(0, func_index), sig);
    // Stack limit: vmctx -> store context -> stack_limit, checked in every prologue.
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

    let mut b = FunctionBuilder::new(func, fctx);
    let entry = b.create_block();
    b.append_block_params_for_function_params(entry);
    b.switch_to_block(entry);
    b.seal_block(entry);
    let params: Vec<Value> = b.block_params(entry).to_vec();
    let vmctx = params[0];

    let mut locals = Vec::new();
    let mut local_types = Vec::new();
    for (i, t) in ty.params().iter().enumerate() {
        let var = b.declare_var(cl_type(*t));
        if env.osr_loop.is_none() {
            b.def_var(var, params[2 + i]);
        }
        locals.push(var);
        local_types.push(cl_type(*t));
    }
    let mut reader = body.get_locals_reader().map_err(|e| e.to_string())?;
    for _ in 0..reader.get_count() {
        let (count, vt) = reader.read().map_err(|e| e.to_string())?;
        let vt = wasm_valtype(vt)?;
        let t = cl_type(vt);
        for _ in 0..count {
            let var = b.declare_var(t);
            if env.osr_loop.is_none() {
                let zero = zero_value(&mut b, t);
                b.def_var(var, zero);
            }
            locals.push(var);
            local_types.push(t);
        }
    }
    // On-stack replacement: every local comes from the interpreter's frame.
    let osr = env.osr_loop.map(|loop_index| {
        let values = params[2];
        for (i, (var, t)) in locals.iter().zip(&local_types).enumerate() {
            let v = b.ins().load(*t, vm_flags(), values, i as i32 * SLOT_SIZE);
            b.def_var(*var, v);
        }
        OsrEntry {
            loop_index,
            header: b.create_block(),
            values,
            found: false,
        }
    });

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
        // The counter is the interpreter's `AtomicU64`, which other threads running the same
        // module update at the same time: an atomic add (`lock add`), not a load and a store,
        // which would race with them. Only with call statistics on (`Config::count_calls`).
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

    let store_ctx = b.ins().load(
        types::I64,
        vm_readonly(),
        vmctx,
        VMContext::OFFSET_STORE_CTX,
    );
    let interrupt = b.ins().load(
        types::I64,
        vm_flags(),
        store_ctx,
        VMStoreContext::OFFSET_INTERRUPT,
    );

    let exit = b.create_block();
    let results: Vec<Type> = ty.results().iter().map(|t| cl_type(*t)).collect();
    for t in &results {
        b.append_block_param(exit, *t);
    }
    let mut t = Translator {
        env,
        b,
        stack: Vec::new(),
        frames: vec![ControlFrame {
            kind: FrameKind::Block,
            dest: exit,
            header: None,
            else_block: None,
            else_params: Vec::new(),
            else_seen: false,
            head_reachable: true,
            params: Vec::new(),
            results,
            height: 0,
            dest_used: false,
        }],
        locals,
        reachable: true,
        dead_depth: 0,
        vmctx,
        mem_def,
        mem_base,
        globals,
        interrupt,
        store_ctx,
        fuel_pending: 0,
        loops_seen: 0,
        osr,
    };
    t.interrupt_check();
    if let Some(header) = t.osr.as_ref().map(|o| o.header) {
        // Straight to the loop. The code before it is still translated (the translator
        // needs its control frames and operand stack), in a block nothing jumps to.
        t.b.ins().jump(header, &[]);
        let unreachable_start = t.b.create_block();
        t.b.seal_block(unreachable_start);
        t.b.switch_to_block(unreachable_start);
        for (var, ty) in t.locals.clone().into_iter().zip(local_types) {
            let zero = zero_value(&mut t.b, ty);
            t.b.def_var(var, zero);
        }
    }
    let mut ops = body.get_operators_reader().map_err(|e| e.to_string())?;
    let mut control_items = 0usize;
    while !ops.eof() {
        let op = ops.read().map_err(|e| e.to_string())?;
        control_items += match &op {
            Operator::Block { .. } | Operator::Loop { .. } | Operator::If { .. } => 1,
            Operator::BrTable { targets } => targets.len() as usize,
            _ => 0,
        };
        if control_items > MAX_CONTROL_ITEMS {
            return Err(format!(
                "it has more than {MAX_CONTROL_ITEMS} blocks and branch-table targets, \
                 the JIT's limit"
            ));
        }
        t.op(op)?;
        if t.frames.is_empty() {
            break;
        }
    }
    // The final `end` left us in the exit block (if it is reachable at all).
    if t.reachable {
        let vals = std::mem::take(&mut t.stack);
        t.emit_return(&vals);
    }
    if t.osr.as_ref().is_some_and(|o| !o.found) {
        return Err("the on-stack-replacement loop is not reachable".into());
    }
    t.b.seal_all_blocks();
    t.b.finalize(env.isa.frontend_config());
    Ok(())
}

fn wasm_valtype(t: wasmparser::ValType) -> Result<ValType, String> {
    Ok(match t {
        wasmparser::ValType::I32 => ValType::I32,
        wasmparser::ValType::I64 => ValType::I64,
        wasmparser::ValType::F32 => ValType::F32,
        wasmparser::ValType::F64 => ValType::F64,
        wasmparser::ValType::V128 => return Err("SIMD is not supported by the JIT".into()),
        wasmparser::ValType::Ref(r) if r.is_func_ref() => ValType::FuncRef,
        wasmparser::ValType::Ref(_) => ValType::ExternRef,
    })
}

fn zero_value(b: &mut FunctionBuilder<'_>, t: Type) -> Value {
    match t {
        types::F32 => b.ins().f32const(0.0),
        types::F64 => b.ins().f64const(0.0),
        t => b.ins().iconst(t, 0),
    }
}

impl Translator<'_, '_> {
    fn pop(&mut self) -> Value {
        self.stack
            .pop()
            .expect("validated: operand stack underflow")
    }

    fn pop2(&mut self) -> (Value, Value) {
        let b = self.pop();
        let a = self.pop();
        (a, b)
    }

    fn push(&mut self, v: Value) {
        self.stack.push(v);
    }

    fn peekn(&self, n: usize) -> &[Value] {
        &self.stack[self.stack.len() - n..]
    }

    fn block_sig(&self, bt: BlockType) -> Result<(Vec<Type>, Vec<Type>), String> {
        Ok(match bt {
            BlockType::Empty => (vec![], vec![]),
            BlockType::Type(t) => (vec![], vec![cl_type(wasm_valtype(t)?)]),
            BlockType::FuncType(i) => {
                let ft = &self.env.info.types[i as usize];
                (
                    ft.params().iter().map(|t| cl_type(*t)).collect(),
                    ft.results().iter().map(|t| cl_type(*t)).collect(),
                )
            }
        })
    }

    fn new_block_with(&mut self, tys: &[Type]) -> ir::Block {
        let block = self.b.create_block();
        for t in tys {
            self.b.append_block_param(block, *t);
        }
        block
    }

    fn user_trap(&mut self, code: u8) -> ir::TrapCode {
        ir::TrapCode::unwrap_user(code)
    }

    fn trap_if(&mut self, cond: Value, code: ir::TrapCode) {
        self.b.ins().trapnz(cond, code);
    }

    fn bool_to_i32(&mut self, v: Value) -> Value {
        self.b.ins().uextend(types::I32, v)
    }

    fn icmp(&mut self, cc: IntCC) {
        let (a, b) = self.pop2();
        let r = self.b.ins().icmp(cc, a, b);
        let r = self.bool_to_i32(r);
        self.push(r);
    }

    fn fcmp(&mut self, cc: FloatCC) {
        let (a, b) = self.pop2();
        let r = self.b.ins().fcmp(cc, a, b);
        let r = self.bool_to_i32(r);
        self.push(r);
    }

    fn binop(&mut self, f: impl FnOnce(&mut FunctionBuilder<'_>, Value, Value) -> Value) {
        let (a, b) = self.pop2();
        let r = f(&mut self.b, a, b);
        self.push(r);
    }

    fn unop(&mut self, f: impl FnOnce(&mut FunctionBuilder<'_>, Value) -> Value) {
        let a = self.pop();
        let r = f(&mut self.b, a);
        self.push(r);
    }

    /// Jumps to the branch target of the frame `depth` levels out, passing the top values.
    fn branch_target(&mut self, depth: u32) -> (ir::Block, Vec<Value>) {
        let i = self.frames.len() - 1 - depth as usize;
        let arity = self.frames[i].br_arity();
        let args = self.peekn(arity).to_vec();
        let frame = &mut self.frames[i];
        let target = match frame.header {
            Some(h) => h,
            None => {
                frame.dest_used = true;
                frame.dest
            }
        };
        (target, args)
    }

    fn call_builtin(&mut self, builtin: Builtin, args: &[Value]) -> Option<Value> {
        let sig = builtin.signature(self.env.isa.default_call_conv());
        let sigref = self.b.import_signature(sig);
        let table = self.b.ins().load(
            types::I64,
            vm_readonly(),
            self.vmctx,
            VMContext::OFFSET_BUILTINS,
        );
        let f = self.b.ins().load(
            types::I64,
            vm_readonly(),
            table,
            (builtin as i32) * PTR_SIZE,
        );
        let mut all = vec![self.vmctx];
        all.extend_from_slice(args);
        let call = self.b.ins().call_indirect(sigref, f, &all);
        self.b.inst_results(call).first().copied()
    }

    /// Calls a builtin that returns a trap status (0 = ok) and traps if it failed.
    fn call_builtin_checked(&mut self, builtin: Builtin, args: &[Value]) {
        let status = self.call_builtin(builtin, args).expect("status");
        let code = self.user_trap(trap_code::PENDING);
        self.trap_if(status, code);
    }

    /// Calls `memory.grow`'s or `table.grow`'s builtin, which returns the wasm result (old
    /// size, or -1) as an i64, or [`abi::GROW_PENDING`] if it failed abnormally (a panic in
    /// the runtime): trap then, else push the result, truncated unless `is64`.
    fn call_grow_builtin(&mut self, builtin: Builtin, args: &[Value], is64: bool) {
        let r = self.call_builtin(builtin, args).expect("result");
        let pending = self
            .b
            .ins()
            .icmp_imm_u(IntCC::Equal, r, abi::GROW_PENDING as i64);
        let code = self.user_trap(trap_code::PENDING);
        self.trap_if(pending, code);
        let r = if is64 {
            r
        } else {
            self.b.ins().ireduce(types::I32, r)
        };
        self.push(r);
    }

    /// An address, length or table index operand as the i64 the builtins take: i64 already
    /// for 64-bit memories and tables, else an i32 to zero-extend.
    fn index_arg(&mut self, v: Value, is64: bool) -> Value {
        if is64 {
            v
        } else {
            self.b.ins().uextend(types::I64, v)
        }
    }

    fn memory64(&self, memory: u32) -> bool {
        self.env.info.memories[memory as usize].memory64
    }

    fn table64(&self, table: u32) -> bool {
        self.env.info.tables[table as usize].table64
    }

    /// Charges the operators translated since the last charge (fuel metering). Called before
    /// every control transfer, so exactly the operators executed are charged.
    fn fuel_flush(&mut self) {
        if !self.env.fuel || self.fuel_pending == 0 {
            return;
        }
        let n = std::mem::take(&mut self.fuel_pending);
        if !self.reachable {
            return;
        }
        let off = VMStoreContext::OFFSET_FUEL;
        let fuel = self
            .b
            .ins()
            .load(types::I64, vm_flags(), self.store_ctx, off);
        let left = self.b.ins().iadd_imm_s(fuel, -n);
        let out = self.b.ins().icmp_imm_s(IntCC::SignedLessThan, left, 0);
        let code = self.user_trap(trap_code::OUT_OF_FUEL);
        self.trap_if(out, code);
        self.b.ins().store(vm_flags(), left, self.store_ctx, off);
    }

    /// Traps with "interrupted" if the store's interrupt flag is set.
    /// Returns `vals` from the function: as results, or into the slot array of an
    /// on-stack-replacement entry.
    fn emit_return(&mut self, vals: &[Value]) {
        match self.osr.as_ref().map(|o| o.values) {
            None => {
                self.b.ins().return_(vals);
            }
            Some(slots) => {
                for (i, v) in vals.iter().enumerate() {
                    let w = widen(&mut self.b, *v);
                    self.b
                        .ins()
                        .store(vm_flags(), w, slots, i as i32 * SLOT_SIZE);
                }
                self.b.ins().return_(&[]);
            }
        }
    }

    fn interrupt_check(&mut self) {
        // An atomic load: another thread sets the flag, so the load must not be merged with
        // an earlier one (a plain load in a loop without stores would be).
        let flag = self
            .b
            .ins()
            .atomic_load(types::I8, MemFlagsData::trusted(), self.interrupt);
        let code = self.user_trap(trap_code::INTERRUPTED);
        self.trap_if(flag, code);
    }

    fn iconst32(&mut self, v: u32) -> Value {
        self.b.ins().iconst(types::I32, v as i64)
    }

    /// The `VMMemoryDefinition` of memory `memory` (memory 0's is loaded on entry).
    fn memory_def(&mut self, memory: u32) -> Value {
        if memory == 0 {
            return self.mem_def.expect("validated: memory exists");
        }
        // The array and the definitions never move while the instance lives.
        let defs = self.b.ins().load(
            types::I64,
            vm_readonly(),
            self.vmctx,
            VMContext::OFFSET_MEMORIES,
        );
        self.b
            .ins()
            .load(types::I64, vm_readonly(), defs, memory as i32 * PTR_SIZE)
    }

    /// Effective address of a `size`-byte access at `index + offset` of the memory
    /// `memarg` names, with a bounds check unless the guard region covers it.
    fn mem_addr(&mut self, memarg: &wasmparser::MemArg, index: Value, size: u32) -> (Value, i32) {
        let memory = match memarg.target {
            wasmparser::MemArgTarget::Memory(memory) => memory,
            wasmparser::MemArgTarget::Array(_) => unreachable!("validated without GC"),
        };
        let offset = memarg.offset;
        let def = self.memory_def(memory);
        let base = if memory == 0 {
            self.mem_base.expect("validated: memory exists")
        } else {
            // A memory's reservation never moves: only its length changes.
            self.b.ins().load(
                types::I64,
                vm_readonly(),
                def,
                VMMemoryDefinition::OFFSET_BASE,
            )
        };
        let ty = self.env.info.memories[memory as usize];
        let idx = self.index_arg(index, ty.memory64);
        // Guard pages cover 32-bit memories of 64 KiB pages only: with smaller pages the
        // memory's end is not on a host page boundary, and the bytes after it are
        // accessible; a 64-bit memory has no guard region at all.
        let small_pages = ty.page_size_log2 != MemoryType::DEFAULT_PAGE_SIZE_LOG2;
        // (With a 64-bit offset, `offset + size` can overflow: no such access is in bounds.)
        let end = offset.saturating_add(size as u64);
        if ty.memory64 {
            let len = self.b.ins().load(
                types::I64,
                vm_flags(),
                def,
                VMMemoryDefinition::OFFSET_LENGTH,
            );
            // `idx + end` may wrap around 2^64: trap then too.
            let end = self.b.ins().iconst(types::I64, end as i64);
            let last = self
                .b
                .ins()
                .uadd_overflow_trap(idx, end, ir::TrapCode::HEAP_OUT_OF_BOUNDS);
            let oob = self.b.ins().icmp(IntCC::UnsignedGreaterThan, last, len);
            self.trap_if(oob, ir::TrapCode::HEAP_OUT_OF_BOUNDS);
        } else if self.env.bounds_checks || small_pages || end > GUARD_BYTES as u64 {
            let len = self.b.ins().load(
                types::I64,
                vm_flags(),
                def,
                VMMemoryDefinition::OFFSET_LENGTH,
            );
            let last = self.b.ins().iadd_imm_s(idx, end as i64);
            let oob = self.b.ins().icmp(IntCC::UnsignedGreaterThan, last, len);
            self.trap_if(oob, ir::TrapCode::HEAP_OUT_OF_BOUNDS);
        }
        let addr = self.b.ins().iadd(base, idx);
        if offset <= i32::MAX as u64 {
            (addr, offset as i32)
        } else {
            (self.b.ins().iadd_imm_s(addr, offset as i64), 0)
        }
    }

    fn load(
        &mut self,
        memarg: &wasmparser::MemArg,
        ty: Type,
        size: u32,
        ext: Option<(Type, bool)>,
    ) {
        let index = self.pop();
        let (addr, off) = self.mem_addr(memarg, index, size);
        let v = match ext {
            None => self.b.ins().load(ty, heap_flags(), addr, off),
            Some((to, signed)) => {
                let narrow = self.b.ins().load(ty, heap_flags(), addr, off);
                if signed {
                    self.b.ins().sextend(to, narrow)
                } else {
                    self.b.ins().uextend(to, narrow)
                }
            }
        };
        self.push(v);
    }

    fn store(&mut self, memarg: &wasmparser::MemArg, narrow: Option<Type>) {
        let mut v = self.pop();
        let index = self.pop();
        let size = match narrow {
            Some(t) => {
                v = self.b.ins().ireduce(t, v);
                t.bytes()
            }
            None => self.b.func.dfg.value_type(v).bytes(),
        };
        let (addr, off) = self.mem_addr(memarg, index, size);
        self.b.ins().store(heap_flags(), v, addr, off);
    }

    fn global_addr(&mut self, index: u32) -> Value {
        let globals = self.globals.expect("validated: global exists");
        self.b
            .ins()
            .load(types::I64, vm_readonly(), globals, index as i32 * PTR_SIZE)
    }

    fn table_def(&mut self, table: u32) -> Value {
        let tables = self.b.ins().load(
            types::I64,
            vm_readonly(),
            self.vmctx,
            VMContext::OFFSET_TABLES,
        );
        self.b
            .ins()
            .load(types::I64, vm_readonly(), tables, table as i32 * PTR_SIZE)
    }

    /// Address of element `index` of `table`, trapping with `oob` if out of bounds.
    fn table_elem_addr(&mut self, table: u32, index: Value, oob: ir::TrapCode) -> Value {
        let def = self.table_def(table);
        let len = self.b.ins().load(
            types::I64,
            vm_flags(),
            def,
            VMTableDefinition::OFFSET_LENGTH,
        );
        let idx = self.index_arg(index, self.table64(table));
        let bad = self
            .b
            .ins()
            .icmp(IntCC::UnsignedGreaterThanOrEqual, idx, len);
        self.trap_if(bad, oob);
        let base = self
            .b
            .ins()
            .load(types::I64, vm_flags(), def, VMTableDefinition::OFFSET_BASE);
        let off = self.b.ins().ishl_imm_u(idx, SLOT_SIZE.ilog2() as i64);
        self.b.ins().iadd(base, off)
    }

    /// Whether a call in tail position can be a real tail call: not in an
    /// on-stack-replacement entry, whose signature (results stored through the slot array)
    /// is no wasm function's, so it calls and then returns the callee's results.
    fn tail_call_possible(&self) -> bool {
        self.osr.is_none()
    }

    /// Ends a `return_call*` that had to be an ordinary call: returns its results.
    fn finish_emulated_tail_call(&mut self) {
        let n = self.frames[0].results.len();
        let vals = self.peekn(n).to_vec();
        self.emit_return(&vals);
        self.reachable = false;
    }

    /// Calls `code` with the native signature of type `type_index`, taking the arguments
    /// from the operand stack; a tail call (`return_call*`) replaces this function's frame.
    fn do_call(&mut self, type_index: u32, code: Value, callee_vmctx: Value, kind: CallKind) {
        let ty = self.env.info.types[type_index as usize].clone();
        let sigref = self.b.import_signature(native_sig(&ty));
        let n = ty.params().len();
        let mut args = vec![callee_vmctx, self.vmctx];
        args.extend_from_slice(self.peekn(n));
        self.stack.truncate(self.stack.len() - n);
        if kind == CallKind::Tail && self.tail_call_possible() {
            self.b.ins().return_call_indirect(sigref, code, &args);
            self.reachable = false;
            return;
        }
        let call = self.b.ins().call_indirect(sigref, code, &args);
        let results = self.b.inst_results(call).to_vec();
        self.stack.extend(results);
        if kind == CallKind::Tail {
            self.finish_emulated_tail_call();
        }
    }

    fn call(&mut self, func_index: u32, kind: CallKind) {
        if self.env.direct.get(func_index as usize) == Some(&true) {
            let type_index = self.env.info.func_types[func_index as usize];
            let ty = self.env.info.types[type_index as usize].clone();
            let sigref = self.b.import_signature(native_sig(&ty));
            let name = self
                .b
                .func
                .declare_imported_user_function(ir::UserExternalName::new(0, func_index));
            let callee = self.b.import_function(ir::ExtFuncData {
                name: ir::ExternalName::User(name),
                signature: sigref,
                colocated: true,
                patchable: false,
            });
            let n = ty.params().len();
            // Same instance: the callee's context is ours.
            let mut args = vec![self.vmctx, self.vmctx];
            args.extend_from_slice(self.peekn(n));
            self.stack.truncate(self.stack.len() - n);
            if kind == CallKind::Tail && self.tail_call_possible() {
                self.b.ins().return_call(callee, &args);
                self.reachable = false;
                return;
            }
            let call = self.b.ins().call(callee, &args);
            let results = self.b.inst_results(call).to_vec();
            self.stack.extend(results);
            if kind == CallKind::Tail {
                self.finish_emulated_tail_call();
            }
            return;
        }
        let refs = self.b.ins().load(
            types::I64,
            vm_readonly(),
            self.vmctx,
            VMContext::OFFSET_FUNC_REFS,
        );
        // `refs` (the instance's own array) never moves, but its entries are rewritten when
        // tiered execution publishes code: load them afresh for every call.
        let off = func_index as i32 * VMFuncRef::SIZE as i32;
        let code = self
            .b
            .ins()
            .load(types::I64, vm_flags(), refs, off + VMFuncRef::OFFSET_CODE);
        let callee = self
            .b
            .ins()
            .load(types::I64, vm_flags(), refs, off + VMFuncRef::OFFSET_VMCTX);
        let type_index = self.env.info.func_types[func_index as usize];
        self.do_call(type_index, code, callee, kind);
    }

    fn call_indirect(&mut self, type_index: u32, table: u32, kind: CallKind) {
        let index = self.pop();
        let undefined = self.user_trap(trap_code::UNDEFINED_ELEMENT);
        let addr = self.table_elem_addr(table, index, undefined);
        let raw = self.b.ins().load(types::I64, vm_flags(), addr, 0);
        let uninit = self.user_trap(trap_code::UNINITIALIZED_ELEMENT);
        self.b.ins().trapz(raw, uninit);
        let fid = self.b.ins().iadd_imm_s(raw, -1);
        let store_ctx = self.store_ctx;
        // The element is a raw reference, trusted nowhere else: a stale or corrupted one must
        // not index past the store's function references (which grow, and move, as functions
        // are added; both pointer and length are reloaded here).
        let refs_len = self.b.ins().load(
            types::I64,
            vm_flags(),
            store_ctx,
            VMStoreContext::OFFSET_FUNC_REFS_LEN,
        );
        let bad_ref = self
            .b
            .ins()
            .icmp(IntCC::UnsignedGreaterThanOrEqual, fid, refs_len);
        let code = self.user_trap(trap_code::BAD_FUNC_REF);
        self.trap_if(bad_ref, code);
        let refs = self.b.ins().load(
            types::I64,
            vm_flags(),
            store_ctx,
            VMStoreContext::OFFSET_FUNC_REFS,
        );
        let off = self.b.ins().imul_imm_s(fid, VMFuncRef::SIZE);
        let fref = self.b.ins().iadd(refs, off);
        let tid = self
            .b
            .ins()
            .load(types::I32, vm_flags(), fref, VMFuncRef::OFFSET_TYPE_ID);
        // The engine's id for the type is read from the instance, not baked in, so that the
        // code does not depend on the engine that compiled it (cached code, `artifact`).
        let ids = self.b.ins().load(
            types::I64,
            vm_readonly(),
            self.vmctx,
            VMContext::OFFSET_TYPE_IDS,
        );
        let expected = self
            .b
            .ins()
            .load(types::I32, vm_readonly(), ids, type_index as i32 * 4);
        let mismatch = self.b.ins().icmp(IntCC::NotEqual, tid, expected);
        let code = self.user_trap(trap_code::INDIRECT_CALL_TYPE_MISMATCH);
        self.trap_if(mismatch, code);
        let code = self
            .b
            .ins()
            .load(types::I64, vm_flags(), fref, VMFuncRef::OFFSET_CODE);
        let callee = self
            .b
            .ins()
            .load(types::I64, vm_flags(), fref, VMFuncRef::OFFSET_VMCTX);
        // No machine code: go through this module's trampoline for the type, which hands the
        // call (with the function id as its context) to the runtime.
        let tramps = self.b.ins().load(
            types::I64,
            vm_readonly(),
            self.vmctx,
            VMContext::OFFSET_TRAMPOLINES,
        );
        let tramp = self.b.ins().load(
            types::I64,
            vm_readonly(),
            tramps,
            type_index as i32 * PTR_SIZE,
        );
        let code_is_null = self.b.ins().icmp_imm_s(IntCC::Equal, code, 0);
        let code = self.b.ins().select(code_is_null, tramp, code);
        let callee = self.b.ins().select(code_is_null, fid, callee);
        self.do_call(type_index, code, callee, kind);
    }

    fn op(&mut self, op: Operator<'_>) -> Result<(), String> {
        use Operator as O;
        let loop_index = self.loops_seen;
        if matches!(op, O::Loop { .. }) {
            self.loops_seen += 1;
        }
        if !self.reachable {
            match op {
                O::Block { .. } | O::Loop { .. } | O::If { .. } => {
                    self.dead_depth += 1;
                    return Ok(());
                }
                O::Else if self.dead_depth == 0 => {}
                O::End if self.dead_depth == 0 => {}
                O::End => {
                    self.dead_depth -= 1;
                    return Ok(());
                }
                _ => return Ok(()),
            }
        }
        if self.env.fuel {
            self.fuel_pending += 1;
            if matches!(
                op,
                O::Block { .. }
                    | O::Loop { .. }
                    | O::If { .. }
                    | O::Else
                    | O::End
                    | O::Br { .. }
                    | O::BrIf { .. }
                    | O::BrTable { .. }
                    | O::Return
                    | O::Call { .. }
                    | O::CallIndirect { .. }
                    | O::ReturnCall { .. }
                    | O::ReturnCallIndirect { .. }
            ) {
                self.fuel_flush();
            }
        }
        match op {
            // ---- control ----
            O::Nop => {}
            O::Unreachable => {
                let code = self.user_trap(trap_code::UNREACHABLE);
                self.b.ins().trap(code);
                self.reachable = false;
            }
            O::Block { blockty } => {
                let (params, results) = self.block_sig(blockty)?;
                let dest = self.new_block_with(&results);
                let height = self.stack.len() - params.len();
                self.frames.push(ControlFrame {
                    kind: FrameKind::Block,
                    dest,
                    header: None,
                    else_block: None,
                    else_params: Vec::new(),
                    else_seen: false,
                    head_reachable: true,
                    params,
                    results,
                    height,
                    dest_used: false,
                });
            }
            O::Loop { blockty } => {
                let (params, results) = self.block_sig(blockty)?;
                let header = match &mut self.osr {
                    Some(osr) if osr.loop_index == loop_index => {
                        // The interpreter enters here with only its locals: no operands
                        // below the loop, no loop parameters.
                        if !params.is_empty() || !self.stack.is_empty() {
                            return Err("the loop has operands: no on-stack replacement".into());
                        }
                        osr.found = true;
                        osr.header
                    }
                    _ => self.new_block_with(&params),
                };
                let dest = self.new_block_with(&results);
                let n = params.len();
                let args = self.peekn(n).to_vec();
                self.stack.truncate(self.stack.len() - n);
                self.b.ins().jump(header, &bargs(&args));
                self.b.switch_to_block(header);
                self.interrupt_check();
                let hp = self.b.block_params(header).to_vec();
                let height = self.stack.len();
                self.stack.extend(hp);
                self.frames.push(ControlFrame {
                    kind: FrameKind::Loop,
                    dest,
                    header: Some(header),
                    else_block: None,
                    else_params: Vec::new(),
                    else_seen: false,
                    head_reachable: true,
                    params,
                    results,
                    height,
                    dest_used: false,
                });
            }
            O::If { blockty } => {
                let cond = self.pop();
                let (params, results) = self.block_sig(blockty)?;
                let then_block = self.b.create_block();
                let else_block = self.b.create_block();
                let dest = self.new_block_with(&results);
                self.b.ins().brif(cond, then_block, &[], else_block, &[]);
                self.b.switch_to_block(then_block);
                let n = params.len();
                let else_params = self.peekn(n).to_vec();
                let height = self.stack.len() - n;
                self.frames.push(ControlFrame {
                    kind: FrameKind::If,
                    dest,
                    header: None,
                    else_block: Some(else_block),
                    else_params,
                    else_seen: false,
                    head_reachable: true,
                    params,
                    results,
                    height,
                    dest_used: false,
                });
            }
            O::Else => {
                let frame = self.frames.last_mut().expect("frame");
                if self.reachable {
                    let n = frame.results.len();
                    frame.dest_used = true;
                    let dest = frame.dest;
                    let args = self.peekn(n).to_vec();
                    self.b.ins().jump(dest, &bargs(&args));
                }
                let frame = self.frames.last_mut().expect("frame");
                frame.else_seen = true;
                let else_block = frame.else_block.take().expect("if frame");
                let params = std::mem::take(&mut frame.else_params);
                let height = frame.height;
                self.reachable = frame.head_reachable;
                self.stack.truncate(height);
                self.stack.extend(params);
                self.b.switch_to_block(else_block);
            }
            O::End => {
                let mut frame = self.frames.pop().expect("frame");
                if self.reachable {
                    let n = frame.results.len();
                    let args = self.peekn(n).to_vec();
                    self.b.ins().jump(frame.dest, &bargs(&args));
                    frame.dest_used = true;
                }
                if let Some(else_block) = frame.else_block.take() {
                    // `if` without `else`: the false arm passes the parameters through.
                    self.b.switch_to_block(else_block);
                    let params = std::mem::take(&mut frame.else_params);
                    self.b.ins().jump(frame.dest, &bargs(&params));
                    frame.dest_used = true;
                }
                self.stack.truncate(frame.height);
                if frame.dest_used {
                    self.b.switch_to_block(frame.dest);
                    let results = self.b.block_params(frame.dest).to_vec();
                    self.stack.extend(results);
                    self.reachable = true;
                } else {
                    self.reachable = false;
                }
                if self.frames.is_empty() && !self.reachable {
                    // Nothing reaches the function's end: `translate_function` emits no return.
                }
            }
            O::Br { relative_depth } => {
                let (target, args) = self.branch_target(relative_depth);
                self.b.ins().jump(target, &bargs(&args));
                self.reachable = false;
            }
            O::BrIf { relative_depth } => {
                let cond = self.pop();
                let (target, args) = self.branch_target(relative_depth);
                let next = self.b.create_block();
                self.b.ins().brif(cond, target, &bargs(&args), next, &[]);
                self.b.switch_to_block(next);
            }
            O::BrTable { targets } => {
                let index = self.pop();
                let mut calls = Vec::new();
                for t in targets.targets() {
                    let depth = t.map_err(|e| e.to_string())?;
                    let (block, args) = self.branch_target(depth);
                    calls.push(self.b.func.dfg.block_call(block, &bargs(&args)));
                }
                let (block, args) = self.branch_target(targets.default());
                let default = self.b.func.dfg.block_call(block, &bargs(&args));
                let jt = self
                    .b
                    .create_jump_table(ir::JumpTableData::new(default, &calls));
                self.b.ins().br_table(index, jt);
                self.reachable = false;
            }
            O::Return => {
                let n = self.frames[0].results.len();
                let args = self.peekn(n).to_vec();
                self.emit_return(&args);
                self.reachable = false;
            }
            O::Call { function_index } => self.call(function_index, CallKind::Normal),
            O::CallIndirect {
                type_index,
                table_index,
            } => self.call_indirect(type_index, table_index, CallKind::Normal),
            O::ReturnCall { function_index } => self.call(function_index, CallKind::Tail),
            O::ReturnCallIndirect {
                type_index,
                table_index,
            } => self.call_indirect(type_index, table_index, CallKind::Tail),

            // ---- parametric ----
            O::Drop => {
                self.pop();
            }
            O::Select | O::TypedSelect { .. } => {
                let c = self.pop();
                let (a, b) = self.pop2();
                let r = self.b.ins().select(c, a, b);
                self.push(r);
            }

            // ---- variables ----
            O::LocalGet { local_index } => {
                let v = self.b.use_var(self.locals[local_index as usize]);
                self.push(v);
            }
            O::LocalSet { local_index } => {
                let v = self.pop();
                self.b.def_var(self.locals[local_index as usize], v);
            }
            O::LocalTee { local_index } => {
                let v = *self.stack.last().expect("operand");
                self.b.def_var(self.locals[local_index as usize], v);
            }
            O::GlobalGet { global_index } => {
                let ty = cl_type(self.env.info.globals[global_index as usize].content);
                let addr = self.global_addr(global_index);
                let v = self.b.ins().load(ty, vm_flags(), addr, 0);
                self.push(v);
            }
            O::GlobalSet { global_index } => {
                let v = self.pop();
                let addr = self.global_addr(global_index);
                // Globals are 64-bit cells: keep the upper bits zero for narrower types.
                let ty = self.b.func.dfg.value_type(v);
                let wide = match ty {
                    types::I32 => self.b.ins().uextend(types::I64, v),
                    types::F32 => {
                        let bits = self.b.ins().bitcast(types::I32, MemFlagsData::new(), v);
                        self.b.ins().uextend(types::I64, bits)
                    }
                    _ => v,
                };
                self.b.ins().store(vm_flags(), wide, addr, 0);
            }

            // ---- memory ----
            O::I32Load { memarg } => self.load(&memarg, types::I32, 4, None),
            O::I64Load { memarg } => self.load(&memarg, types::I64, 8, None),
            O::F32Load { memarg } => self.load(&memarg, types::F32, 4, None),
            O::F64Load { memarg } => self.load(&memarg, types::F64, 8, None),
            O::I32Load8S { memarg } => self.load(&memarg, types::I8, 1, Some((types::I32, true))),
            O::I32Load8U { memarg } => self.load(&memarg, types::I8, 1, Some((types::I32, false))),
            O::I32Load16S { memarg } => self.load(&memarg, types::I16, 2, Some((types::I32, true))),
            O::I32Load16U { memarg } => {
                self.load(&memarg, types::I16, 2, Some((types::I32, false)))
            }
            O::I64Load8S { memarg } => self.load(&memarg, types::I8, 1, Some((types::I64, true))),
            O::I64Load8U { memarg } => self.load(&memarg, types::I8, 1, Some((types::I64, false))),
            O::I64Load16S { memarg } => self.load(&memarg, types::I16, 2, Some((types::I64, true))),
            O::I64Load16U { memarg } => {
                self.load(&memarg, types::I16, 2, Some((types::I64, false)))
            }
            O::I64Load32S { memarg } => self.load(&memarg, types::I32, 4, Some((types::I64, true))),
            O::I64Load32U { memarg } => {
                self.load(&memarg, types::I32, 4, Some((types::I64, false)))
            }
            O::I32Store { memarg }
            | O::I64Store { memarg }
            | O::F32Store { memarg }
            | O::F64Store { memarg } => self.store(&memarg, None),
            O::I32Store8 { memarg } | O::I64Store8 { memarg } => {
                self.store(&memarg, Some(types::I8))
            }
            O::I32Store16 { memarg } | O::I64Store16 { memarg } => {
                self.store(&memarg, Some(types::I16))
            }
            O::I64Store32 { memarg } => self.store(&memarg, Some(types::I32)),
            O::MemorySize { mem } => {
                let def = self.memory_def(mem);
                let len = self.b.ins().load(
                    types::I64,
                    vm_flags(),
                    def,
                    VMMemoryDefinition::OFFSET_LENGTH,
                );
                let log2 = self.env.info.memories[mem as usize].page_size_log2;
                let pages = self.b.ins().ushr_imm_u(len, log2 as i64);
                let pages = if self.memory64(mem) {
                    pages
                } else {
                    self.b.ins().ireduce(types::I32, pages)
                };
                self.push(pages);
            }
            O::MemoryGrow { mem } => {
                let is64 = self.memory64(mem);
                let delta = self.pop();
                let delta = self.index_arg(delta, is64);
                let mem = self.iconst32(mem);
                self.call_grow_builtin(Builtin::MemoryGrow, &[mem, delta], is64);
            }
            O::MemoryFill { mem } => {
                let is64 = self.memory64(mem);
                let n = self.pop();
                let (d, v) = self.pop2();
                let (d, n) = (self.index_arg(d, is64), self.index_arg(n, is64));
                let mem = self.iconst32(mem);
                self.call_builtin_checked(Builtin::MemoryFill, &[mem, d, v, n]);
            }
            O::MemoryCopy { dst_mem, src_mem } => {
                let (dst64, src64) = (self.memory64(dst_mem), self.memory64(src_mem));
                let n = self.pop();
                let (d, s) = self.pop2();
                // The length is an i64 only if both memories are 64-bit.
                let n = self.index_arg(n, dst64 && src64);
                let (d, s) = (self.index_arg(d, dst64), self.index_arg(s, src64));
                let (dst_mem, src_mem) = (self.iconst32(dst_mem), self.iconst32(src_mem));
                self.call_builtin_checked(Builtin::MemoryCopy, &[dst_mem, src_mem, d, s, n]);
            }
            O::MemoryInit { data_index, mem } => {
                let is64 = self.memory64(mem);
                let n = self.pop();
                let (d, s) = self.pop2();
                // Only the destination is an address; segment offset and length are i32.
                let d = self.index_arg(d, is64);
                let (s, n) = (self.index_arg(s, false), self.index_arg(n, false));
                let seg = self.iconst32(data_index);
                let mem = self.iconst32(mem);
                self.call_builtin_checked(Builtin::MemoryInit, &[mem, seg, d, s, n]);
            }
            O::DataDrop { data_index } => {
                let seg = self.iconst32(data_index);
                self.call_builtin_checked(Builtin::DataDrop, &[seg]);
            }

            // ---- tables and references ----
            O::TableGet { table } => {
                let index = self.pop();
                let code = self.user_trap(trap_code::TABLE_OUT_OF_BOUNDS);
                let addr = self.table_elem_addr(table, index, code);
                let v = self.b.ins().load(types::I64, vm_flags(), addr, 0);
                self.push(v);
            }
            O::TableSet { table } => {
                let v = self.pop();
                let index = self.pop();
                let code = self.user_trap(trap_code::TABLE_OUT_OF_BOUNDS);
                let addr = self.table_elem_addr(table, index, code);
                self.b.ins().store(vm_flags(), v, addr, 0);
            }
            O::TableSize { table } => {
                let def = self.table_def(table);
                let len = self.b.ins().load(
                    types::I64,
                    vm_flags(),
                    def,
                    VMTableDefinition::OFFSET_LENGTH,
                );
                let len = if self.table64(table) {
                    len
                } else {
                    self.b.ins().ireduce(types::I32, len)
                };
                self.push(len);
            }
            O::TableGrow { table } => {
                let is64 = self.table64(table);
                let n = self.pop();
                let n = self.index_arg(n, is64);
                let init = self.pop();
                let t = self.iconst32(table);
                self.call_grow_builtin(Builtin::TableGrow, &[t, init, n], is64);
            }
            O::TableFill { table } => {
                let is64 = self.table64(table);
                let n = self.pop();
                let (i, v) = self.pop2();
                let (i, n) = (self.index_arg(i, is64), self.index_arg(n, is64));
                let t = self.iconst32(table);
                self.call_builtin_checked(Builtin::TableFill, &[t, i, v, n]);
            }
            O::TableCopy {
                dst_table,
                src_table,
            } => {
                let (dst64, src64) = (self.table64(dst_table), self.table64(src_table));
                let n = self.pop();
                let (d, s) = self.pop2();
                // The length is an i64 only if both tables are 64-bit.
                let n = self.index_arg(n, dst64 && src64);
                let (d, s) = (self.index_arg(d, dst64), self.index_arg(s, src64));
                let dt = self.iconst32(dst_table);
                let st = self.iconst32(src_table);
                self.call_builtin_checked(Builtin::TableCopy, &[dt, st, d, s, n]);
            }
            O::TableInit { elem_index, table } => {
                let is64 = self.table64(table);
                let n = self.pop();
                let (d, s) = self.pop2();
                // Only the destination is a table index; segment offset and length are i32.
                let d = self.index_arg(d, is64);
                let (s, n) = (self.index_arg(s, false), self.index_arg(n, false));
                let t = self.iconst32(table);
                let e = self.iconst32(elem_index);
                self.call_builtin_checked(Builtin::TableInit, &[t, e, d, s, n]);
            }
            O::ElemDrop { elem_index } => {
                let e = self.iconst32(elem_index);
                self.call_builtin_checked(Builtin::ElemDrop, &[e]);
            }
            O::RefNull { .. } => {
                let v = self.b.ins().iconst(types::I64, 0);
                self.push(v);
            }
            O::RefIsNull => {
                let a = self.pop();
                let r = self.b.ins().icmp_imm_s(IntCC::Equal, a, 0);
                let r = self.bool_to_i32(r);
                self.push(r);
            }
            O::RefFunc { function_index } => {
                let refs = self.b.ins().load(
                    types::I64,
                    vm_readonly(),
                    self.vmctx,
                    VMContext::OFFSET_FUNC_REFS,
                );
                // Not `readonly`: publication rewrites the whole reference (with the same id).
                let id = self.b.ins().load(
                    types::I32,
                    vm_flags(),
                    refs,
                    function_index as i32 * VMFuncRef::SIZE as i32 + VMFuncRef::OFFSET_FUNC_ID,
                );
                let id = self.b.ins().uextend(types::I64, id);
                let raw = self.b.ins().iadd_imm_s(id, 1);
                self.push(raw);
            }

            // ---- constants ----
            O::I32Const { value } => {
                let v = self.b.ins().iconst(types::I32, value as u32 as i64);
                self.push(v);
            }
            O::I64Const { value } => {
                let v = self.b.ins().iconst(types::I64, value);
                self.push(v);
            }
            O::F32Const { value } => {
                let v = self
                    .b
                    .ins()
                    .f32const(ir::immediates::Ieee32::with_bits(value.bits()));
                self.push(v);
            }
            O::F64Const { value } => {
                let v = self
                    .b
                    .ins()
                    .f64const(ir::immediates::Ieee64::with_bits(value.bits()));
                self.push(v);
            }

            // ---- integer comparisons ----
            O::I32Eqz | O::I64Eqz => {
                let a = self.pop();
                let r = self.b.ins().icmp_imm_s(IntCC::Equal, a, 0);
                let r = self.bool_to_i32(r);
                self.push(r);
            }
            O::I32Eq | O::I64Eq => self.icmp(IntCC::Equal),
            O::I32Ne | O::I64Ne => self.icmp(IntCC::NotEqual),
            O::I32LtS | O::I64LtS => self.icmp(IntCC::SignedLessThan),
            O::I32LtU | O::I64LtU => self.icmp(IntCC::UnsignedLessThan),
            O::I32GtS | O::I64GtS => self.icmp(IntCC::SignedGreaterThan),
            O::I32GtU | O::I64GtU => self.icmp(IntCC::UnsignedGreaterThan),
            O::I32LeS | O::I64LeS => self.icmp(IntCC::SignedLessThanOrEqual),
            O::I32LeU | O::I64LeU => self.icmp(IntCC::UnsignedLessThanOrEqual),
            O::I32GeS | O::I64GeS => self.icmp(IntCC::SignedGreaterThanOrEqual),
            O::I32GeU | O::I64GeU => self.icmp(IntCC::UnsignedGreaterThanOrEqual),

            // ---- float comparisons ----
            O::F32Eq | O::F64Eq => self.fcmp(FloatCC::Equal),
            O::F32Ne | O::F64Ne => self.fcmp(FloatCC::NotEqual),
            O::F32Lt | O::F64Lt => self.fcmp(FloatCC::LessThan),
            O::F32Gt | O::F64Gt => self.fcmp(FloatCC::GreaterThan),
            O::F32Le | O::F64Le => self.fcmp(FloatCC::LessThanOrEqual),
            O::F32Ge | O::F64Ge => self.fcmp(FloatCC::GreaterThanOrEqual),

            // ---- integer arithmetic ----
            O::I32Clz | O::I64Clz => self.unop(|b, a| b.ins().clz(a)),
            O::I32Ctz | O::I64Ctz => self.unop(|b, a| b.ins().ctz(a)),
            O::I32Popcnt | O::I64Popcnt => self.unop(|b, a| b.ins().popcnt(a)),
            O::I32Add | O::I64Add => self.binop(|b, x, y| b.ins().iadd(x, y)),
            O::I32Sub | O::I64Sub => self.binop(|b, x, y| b.ins().isub(x, y)),
            O::I32Mul | O::I64Mul => self.binop(|b, x, y| b.ins().imul(x, y)),
            // Cranelift's division traps with INTEGER_DIVISION_BY_ZERO / INTEGER_OVERFLOW,
            // exactly wasm's traps; `srem` of MIN by -1 is 0 as wasm requires.
            O::I32DivS | O::I64DivS => self.binop(|b, x, y| b.ins().sdiv(x, y)),
            O::I32DivU | O::I64DivU => self.binop(|b, x, y| b.ins().udiv(x, y)),
            O::I32RemS | O::I64RemS => self.binop(|b, x, y| b.ins().srem(x, y)),
            O::I32RemU | O::I64RemU => self.binop(|b, x, y| b.ins().urem(x, y)),
            O::I32And | O::I64And => self.binop(|b, x, y| b.ins().band(x, y)),
            O::I32Or | O::I64Or => self.binop(|b, x, y| b.ins().bor(x, y)),
            O::I32Xor | O::I64Xor => self.binop(|b, x, y| b.ins().bxor(x, y)),
            // Shift and rotate amounts are taken modulo the bit width, as in wasm.
            O::I32Shl | O::I64Shl => self.binop(|b, x, y| b.ins().ishl(x, y)),
            O::I32ShrS | O::I64ShrS => self.binop(|b, x, y| b.ins().sshr(x, y)),
            O::I32ShrU | O::I64ShrU => self.binop(|b, x, y| b.ins().ushr(x, y)),
            O::I32Rotl | O::I64Rotl => self.binop(|b, x, y| b.ins().rotl(x, y)),
            O::I32Rotr | O::I64Rotr => self.binop(|b, x, y| b.ins().rotr(x, y)),

            // ---- float arithmetic ----
            O::F32Abs | O::F64Abs => self.unop(|b, a| b.ins().fabs(a)),
            O::F32Neg | O::F64Neg => self.unop(|b, a| b.ins().fneg(a)),
            O::F32Ceil | O::F64Ceil => self.unop(|b, a| b.ins().ceil(a)),
            O::F32Floor | O::F64Floor => self.unop(|b, a| b.ins().floor(a)),
            O::F32Trunc | O::F64Trunc => self.unop(|b, a| b.ins().trunc(a)),
            O::F32Nearest | O::F64Nearest => self.unop(|b, a| b.ins().nearest(a)),
            O::F32Sqrt | O::F64Sqrt => self.unop(|b, a| b.ins().sqrt(a)),
            O::F32Add | O::F64Add => self.binop(|b, x, y| b.ins().fadd(x, y)),
            O::F32Sub | O::F64Sub => self.binop(|b, x, y| b.ins().fsub(x, y)),
            O::F32Mul | O::F64Mul => self.binop(|b, x, y| b.ins().fmul(x, y)),
            O::F32Div | O::F64Div => self.binop(|b, x, y| b.ins().fdiv(x, y)),
            // Cranelift's fmin/fmax have wasm's semantics (NaN-propagating, -0 < +0).
            O::F32Min | O::F64Min => self.binop(|b, x, y| b.ins().fmin(x, y)),
            O::F32Max | O::F64Max => self.binop(|b, x, y| b.ins().fmax(x, y)),
            O::F32Copysign | O::F64Copysign => self.binop(|b, x, y| b.ins().fcopysign(x, y)),

            // ---- conversions ----
            O::I32WrapI64 => self.unop(|b, a| b.ins().ireduce(types::I32, a)),
            O::I64ExtendI32S => self.unop(|b, a| b.ins().sextend(types::I64, a)),
            O::I64ExtendI32U => self.unop(|b, a| b.ins().uextend(types::I64, a)),
            // Trapping conversions: NaN -> BAD_CONVERSION_TO_INTEGER, out of range ->
            // INTEGER_OVERFLOW, the same distinction wasm makes.
            O::I32TruncF32S | O::I32TruncF64S => {
                self.unop(|b, a| b.ins().fcvt_to_sint(types::I32, a))
            }
            O::I32TruncF32U | O::I32TruncF64U => {
                self.unop(|b, a| b.ins().fcvt_to_uint(types::I32, a))
            }
            O::I64TruncF32S | O::I64TruncF64S => {
                self.unop(|b, a| b.ins().fcvt_to_sint(types::I64, a))
            }
            O::I64TruncF32U | O::I64TruncF64U => {
                self.unop(|b, a| b.ins().fcvt_to_uint(types::I64, a))
            }
            O::I32TruncSatF32S | O::I32TruncSatF64S => {
                self.unop(|b, a| b.ins().fcvt_to_sint_sat(types::I32, a))
            }
            O::I32TruncSatF32U | O::I32TruncSatF64U => {
                self.unop(|b, a| b.ins().fcvt_to_uint_sat(types::I32, a))
            }
            O::I64TruncSatF32S | O::I64TruncSatF64S => {
                self.unop(|b, a| b.ins().fcvt_to_sint_sat(types::I64, a))
            }
            O::I64TruncSatF32U | O::I64TruncSatF64U => {
                self.unop(|b, a| b.ins().fcvt_to_uint_sat(types::I64, a))
            }
            O::F32ConvertI32S | O::F32ConvertI64S => {
                self.unop(|b, a| b.ins().fcvt_from_sint(types::F32, a))
            }
            O::F32ConvertI32U | O::F32ConvertI64U => {
                self.unop(|b, a| b.ins().fcvt_from_uint(types::F32, a))
            }
            O::F64ConvertI32S | O::F64ConvertI64S => {
                self.unop(|b, a| b.ins().fcvt_from_sint(types::F64, a))
            }
            O::F64ConvertI32U | O::F64ConvertI64U => {
                self.unop(|b, a| b.ins().fcvt_from_uint(types::F64, a))
            }
            O::F32DemoteF64 => self.unop(|b, a| b.ins().fdemote(types::F32, a)),
            O::F64PromoteF32 => self.unop(|b, a| b.ins().fpromote(types::F64, a)),
            O::I32ReinterpretF32 => {
                self.unop(|b, a| b.ins().bitcast(types::I32, MemFlagsData::new(), a))
            }
            O::I64ReinterpretF64 => {
                self.unop(|b, a| b.ins().bitcast(types::I64, MemFlagsData::new(), a))
            }
            O::F32ReinterpretI32 => {
                self.unop(|b, a| b.ins().bitcast(types::F32, MemFlagsData::new(), a))
            }
            O::F64ReinterpretI64 => {
                self.unop(|b, a| b.ins().bitcast(types::F64, MemFlagsData::new(), a))
            }
            O::I32Extend8S => self.unop(|b, a| {
                let n = b.ins().ireduce(types::I8, a);
                b.ins().sextend(types::I32, n)
            }),
            O::I32Extend16S => self.unop(|b, a| {
                let n = b.ins().ireduce(types::I16, a);
                b.ins().sextend(types::I32, n)
            }),
            O::I64Extend8S => self.unop(|b, a| {
                let n = b.ins().ireduce(types::I8, a);
                b.ins().sextend(types::I64, n)
            }),
            O::I64Extend16S => self.unop(|b, a| {
                let n = b.ins().ireduce(types::I16, a);
                b.ins().sextend(types::I64, n)
            }),
            O::I64Extend32S => self.unop(|b, a| {
                let n = b.ins().ireduce(types::I32, a);
                b.ins().sextend(types::I64, n)
            }),
            O::I64Add128 | O::I64Sub128 => {
                let (y_lo, y_hi) = self.pop2();
                let (x_lo, x_hi) = self.pop2();
                let x = self.b.ins().iconcat(x_lo, x_hi);
                let y = self.b.ins().iconcat(y_lo, y_hi);
                let r = if matches!(op, O::I64Add128) {
                    self.b.ins().iadd(x, y)
                } else {
                    self.b.ins().isub(x, y)
                };
                self.push_i128(r);
            }
            O::I64MulWideS | O::I64MulWideU => {
                let (x, y) = self.pop2();
                let (x, y) = if matches!(op, O::I64MulWideS) {
                    (
                        self.b.ins().sextend(types::I128, x),
                        self.b.ins().sextend(types::I128, y),
                    )
                } else {
                    (
                        self.b.ins().uextend(types::I128, x),
                        self.b.ins().uextend(types::I128, y),
                    )
                };
                let r = self.b.ins().imul(x, y);
                self.push_i128(r);
            }
            other => return Err(format!("the JIT does not support {other:?}")),
        }
        Ok(())
    }

    /// Pushes a 128-bit result as wide arithmetic returns it: low half, then high half.
    fn push_i128(&mut self, v: Value) {
        let (lo, hi) = self.b.ins().isplit(v);
        self.push(lo);
        self.push(hi);
    }
}

/// Builds the array-call wrapper for wasm type `ty`:
/// `extern "sysv" fn(code, callee_vmctx, values: *mut u64)` loads the arguments from `values`,
/// calls `code` with the native signature and stores the results back into `values`.
pub(crate) fn build_array_wrapper(
    ty: &FuncType,
    isa: &dyn TargetIsa,
    func: &mut Function,
    fctx: &mut FunctionBuilderContext,
) {
    let cc = isa.default_call_conv();
    let mut sig = Signature::new(cc);
    sig.params.extend([AbiParam::new(types::I64); 3]);
    *func = Function::with_name_signature(ir::UserFuncName::user(1, 0), sig);
    let mut b = FunctionBuilder::new(func, fctx);
    let entry = b.create_block();
    b.append_block_params_for_function_params(entry);
    b.switch_to_block(entry);
    b.seal_block(entry);
    let p = b.block_params(entry).to_vec();
    let (code, vmctx, values) = (p[0], p[1], p[2]);
    let mut args = vec![vmctx, vmctx];
    for (i, t) in ty.params().iter().enumerate() {
        let v = b
            .ins()
            .load(cl_type(*t), vm_flags(), values, i as i32 * SLOT_SIZE);
        args.push(v);
    }
    let sigref = b.import_signature(native_sig(ty));
    let call = b.ins().call_indirect(sigref, code, &args);
    let results = b.inst_results(call).to_vec();
    for (i, r) in results.into_iter().enumerate() {
        let w = widen(&mut b, r);
        b.ins().store(vm_flags(), w, values, i as i32 * SLOT_SIZE);
    }
    b.ins().return_(&[]);
    b.finalize(isa.frontend_config());
}

/// Builds the wrapper through which the runtime enters on-stack-replacement code:
/// `(code, vmctx, values)` calls `code(vmctx, vmctx, values)` (see [`osr_sig`]).
pub(crate) fn build_osr_wrapper(
    isa: &dyn TargetIsa,
    func: &mut Function,
    fctx: &mut FunctionBuilderContext,
) {
    let cc = isa.default_call_conv();
    let mut sig = Signature::new(cc);
    sig.params.extend([AbiParam::new(types::I64); 3]);
    *func = Function::with_name_signature(ir::UserFuncName::user(1, 1), sig);
    let mut b = FunctionBuilder::new(func, fctx);
    let entry = b.create_block();
    b.append_block_params_for_function_params(entry);
    b.switch_to_block(entry);
    b.seal_block(entry);
    let p = b.block_params(entry).to_vec();
    let (code, vmctx, values) = (p[0], p[1], p[2]);
    let sigref = b.import_signature(osr_sig(cc));
    b.ins().call_indirect(sigref, code, &[vmctx, vmctx, values]);
    b.ins().return_(&[]);
    b.finalize(isa.frontend_config());
}

/// Widens a value to a full 64-bit slot (upper bits zero), as the runtime stores values.
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

/// Builds the trampoline that makes a function without machine code callable with the
/// native signature of `ty`: the callee context is the function's id; the arguments are
/// spilled into a slot array and handed to the `call_func` builtin, which runs the function
/// (host callback or interpreter) and returns a trap status.
pub(crate) fn build_host_trampoline(
    ty: &FuncType,
    isa: &dyn TargetIsa,
    func: &mut Function,
    fctx: &mut FunctionBuilderContext,
) {
    let cc = isa.default_call_conv();
    *func = Function::with_name_signature(ir::UserFuncName::user(2, 0), native_sig(ty));
    let mut b = FunctionBuilder::new(func, fctx);
    let entry = b.create_block();
    b.append_block_params_for_function_params(entry);
    b.switch_to_block(entry);
    b.seal_block(entry);
    let p = b.block_params(entry).to_vec();
    let (func_id, caller) = (p[0], p[1]);
    let n = ty.params().len().max(ty.results().len()).max(1);
    let slot = b.create_sized_stack_slot(ir::StackSlotData::new(
        ir::StackSlotKind::ExplicitSlot,
        n as u32 * SLOT_SIZE as u32,
        3,
    ));
    let values = b.ins().stack_addr(types::I64, slot, 0);
    for (i, v) in p[2..].iter().enumerate() {
        let w = widen(&mut b, *v);
        b.ins().store(vm_flags(), w, values, i as i32 * SLOT_SIZE);
    }
    let sigref = b.import_signature(Builtin::CallFunc.signature(cc));
    let table = b.ins().load(
        types::I64,
        vm_readonly(),
        caller,
        VMContext::OFFSET_BUILTINS,
    );
    let f = b.ins().load(
        types::I64,
        vm_readonly(),
        table,
        Builtin::CallFunc as i32 * PTR_SIZE,
    );
    let call = b.ins().call_indirect(sigref, f, &[caller, func_id, values]);
    let status = b.inst_results(call)[0];
    // The interpreted callee handed back a tail call: make it from here, as a tail call
    // through the adapter for the callee's type (which the runtime put in the store context
    // with the callee and its arguments). The adapter's signature depends only on the
    // results, which validation made the same as this type's.
    let tail = b.create_block();
    let returned = b.create_block();
    let is_tail = b
        .ins()
        .icmp_imm_u(IntCC::Equal, status, abi::CALL_FUNC_TAIL_CALL as i64);
    b.ins().brif(is_tail, tail, &[], returned, &[]);
    b.switch_to_block(tail);
    b.seal_block(tail);
    let store_ctx = b.ins().load(
        types::I64,
        vm_readonly(),
        caller,
        VMContext::OFFSET_STORE_CTX,
    );
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
    let adapter_ref = b.import_signature(tail_adapter_sig(ty));
    b.ins()
        .return_call_indirect(adapter_ref, adapter, &[callee, caller]);
    b.switch_to_block(returned);
    b.seal_block(returned);
    b.ins()
        .trapnz(status, ir::TrapCode::unwrap_user(trap_code::PENDING));
    let mut results = Vec::new();
    for (i, t) in ty.results().iter().enumerate() {
        results.push(
            b.ins()
                .load(cl_type(*t), vm_flags(), values, i as i32 * SLOT_SIZE),
        );
    }
    b.ins().return_(&results);
    b.finalize(isa.frontend_config());
}

/// The signature of the tail-call adapter for a function type with `ty`'s results:
/// `(callee_vmctx, caller_vmctx) -> results`, in the convention of wasm functions.
fn tail_adapter_sig(ty: &FuncType) -> Signature {
    wasm_convention_sig(&[], ty.results())
}

/// Builds the tail-call adapter for wasm type `ty`: tail-called by a host trampoline when
/// the interpreter handed a tail call back, it loads the arguments from the store
/// context's `tail_args` slots and tail-calls `tail_code` with the native signature of
/// `ty`. Adapter and trampoline leave no frame behind, so the chain of tail calls goes on
/// in constant stack.
pub(crate) fn build_tail_adapter(
    ty: &FuncType,
    isa: &dyn TargetIsa,
    func: &mut Function,
    fctx: &mut FunctionBuilderContext,
) {
    *func = Function::with_name_signature(ir::UserFuncName::user(3, 0), tail_adapter_sig(ty));
    let mut b = FunctionBuilder::new(func, fctx);
    let entry = b.create_block();
    b.append_block_params_for_function_params(entry);
    b.switch_to_block(entry);
    b.seal_block(entry);
    let p = b.block_params(entry).to_vec();
    let (vmctx, caller) = (p[0], p[1]);
    let store_ctx = b.ins().load(
        types::I64,
        vm_readonly(),
        vmctx,
        VMContext::OFFSET_STORE_CTX,
    );
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
    let mut args = vec![vmctx, caller];
    for (i, t) in ty.params().iter().enumerate() {
        let v = b
            .ins()
            .load(cl_type(*t), vm_flags(), values, i as i32 * SLOT_SIZE);
        args.push(v);
    }
    let sigref = b.import_signature(native_sig(ty));
    b.ins().return_call_indirect(sigref, code, &args);
    b.finalize(isa.frontend_config());
}

#[allow(dead_code)]
fn _assert_abi_used() {
    let _ = abi::NUM_BUILTINS;
}
