//! wasm function body -> Cranelift IR.
//!
//! The translation keeps an operand stack of SSA values and a stack of control frames; locals
//! are frontend `Variable`s. See `abi.rs` for the calling convention.
//!
//! Code after an unconditional branch is unreachable: it is skipped (only its nesting is
//! tracked), since the validator already checked it.
//!
//! **Structure.** This module is the translator's core: the [`Translator`] state (operand
//! stack, control frames, locals, reachability, fuel accounting, the on-stack-replacement
//! entry), the function prologue and epilogue, and [`Translator::op`], which skips
//! unreachable code, counts fuel and hands each operator to the module of its group:
//! - `control`: blocks, loops, `if`/`else`, `end`, branches, `return`;
//! - `calls`: `call`, `call_indirect`, `return_call*`;
//! - `variables`: `drop`, `select`, locals, globals;
//! - `memory`: loads, stores, `memory.*`, `data.drop`;
//! - `table`: `table.*`, `elem.drop`, `ref.*`;
//! - `simd`: every SIMD and relaxed-SIMD operator (`v128` is an `I8X16`; see its doc);
//! - `numeric`: constants, comparisons, arithmetic, conversions; also the fallback that
//!   reports an unsupported operator.
//!
//! Everything instance-specific (memory, globals, tables, callees, builtins, fuel, the
//! interrupt flag, the stack limit, value slots) is reached through the `env` module, the
//! only one that knows the layout of the VM structures (`wasmtier_runtime::vmctx`); the
//! operator groups ask its [`env::FuncEnvironment`] (the translator's `vm`) and never use an
//! offset themselves. `wrappers` builds the code that is no wasm function (array wrappers,
//! the on-stack-replacement wrapper, host trampolines, tail-call adapters).
//!
//! [`Env`] is what the caller configures for a whole module (module info, ISA, options);
//! [`env::FuncEnvironment`] is one function's view of the VM, created in its prologue.
//!
//! **Dispatch.** `Translator::op` matches on wasmparser's `Operator` and routes whole groups
//! to `*_op` methods, each of which matches again within its group; numeric operators are the
//! fallback arm. (A `VisitOperator` implementation would be the other choice; matching on
//! `Operator` keeps the body loop's limits and unreachable-code skipping in one place.) Each
//! group returns [`unsupported`] for an operator it does not know, so a dispatch mistake is an
//! error, not a panic. A new group is one more module with a
//! `fn group_op(&mut self, op: Operator) -> Result<(), String>` on `Translator` and one more
//! arm before the fallback. The SIMD arm's guard, `simd::is_simd`, is generated from the
//! operators wasmparser's `for_each_visit_simd_operator!` names (those of its
//! `VisitSimdOperator`), so it cannot miss one; their memory accesses go through
//! `FuncEnvironment::mem_addr` like every other load and store.
//!
//! **Slots.** Where values are laid out as 64-bit slots (the array calling convention, the
//! `call_func` builtin's values, the locals and results of an on-stack-replacement entry), a
//! `v128` takes two consecutive slots, low half first, and each value sits at the sum of the
//! widths before it (`wasmtier_runtime::slot_offsets`).
//!
//! The split changed no generated code: every helper emits the instructions of the former
//! single-file translator in the same order (the `--emit-clif` output is byte-identical).

mod calls;
mod control;
mod env;
mod memory;
mod numeric;
mod simd;
mod table;
mod variables;
mod wrappers;

use cranelift_codegen::ir::{
    self, AbiParam, BlockArg, Function, InstBuilder, Signature, Type, Value, types,
};
use cranelift_codegen::isa::{CallConv, TargetIsa};
use cranelift_frontend::{FunctionBuilder, FunctionBuilderContext, Variable};
use wasmparser::{BlockType, FunctionBody, Operator};
use wasmtier_runtime::module::ModuleInfo;
use wasmtier_runtime::{FuncType, ValType, slot_offsets};

use crate::abi;
use env::FuncEnvironment;

pub(crate) use wrappers::{
    build_array_wrapper, build_host_trampoline, build_osr_wrapper, build_tail_adapter,
};

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
        ValType::I64 | ValType::Ref(_) => types::I64,
        ValType::F32 => types::F32,
        ValType::F64 => types::F64,
        // Every v128 on the operand stack, in locals, block parameters and signatures is an
        // I8X16; each SIMD operator bitcasts it to the lane type it works on (a no-op in
        // machine code).
        ValType::V128 => types::I8X16,
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
    /// For a loop without interruption checks (`control::CountedLoop`): the product of its
    /// iteration count and those of the unchecked loops around it (up to the nearest checked
    /// one), and the number of operators in the outermost of those loops.
    unchecked: Option<(u64, u64)>,
}

impl ControlFrame {
    /// A frame without loop header or else arm (the callers add theirs).
    fn new(
        kind: FrameKind,
        dest: ir::Block,
        params: Vec<Type>,
        results: Vec<Type>,
        height: usize,
    ) -> Self {
        ControlFrame {
            kind,
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
            unchecked: None,
        }
    }

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
    /// The function's view of the VM (the environment seam).
    vm: FuncEnvironment<'a>,
    b: FunctionBuilder<'b>,
    stack: Vec<Value>,
    frames: Vec<ControlFrame>,
    locals: Vec<Variable>,
    reachable: bool,
    /// Nesting depth of blocks opened inside unreachable code.
    dead_depth: usize,
    /// Operators translated since fuel was last charged.
    fuel_pending: i64,
    /// `loop` operators seen so far (reachable or not).
    loops_seen: u32,
    /// On-stack replacement entry: the loop's ordinal, the block its header must be (the
    /// entry block jumps there), the slot array of locals and results, whether it was found.
    osr: Option<OsrEntry>,
    /// The shape of the `loop` being translated, if it is a counted loop (found by looking
    /// ahead in its body), which may go without interruption checks.
    next_loop: Option<control::CountedLoop>,
}

struct OsrEntry {
    loop_index: u32,
    header: ir::Block,
    values: Value,
    /// The function's result types, which say where each result goes in `values`.
    results: Vec<ValType>,
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
    let ty = env.info.func_type(func_index);
    let sig = match env.osr_loop {
        Some(_) => osr_sig(env.isa.default_call_conv()),
        None => native_sig(ty),
    };
    *func = Function::with_name_signature(ir::UserFuncName::user(0, func_index), sig);
    env::declare_stack_limit(func);

    let mut b = FunctionBuilder::new(func, fctx);
    let entry = b.create_block();
    b.append_block_params_for_function_params(entry);
    b.switch_to_block(entry);
    b.seal_block(entry);
    let params: Vec<Value> = b.block_params(entry).to_vec();
    let vmctx = params[0];
    let (locals, local_types) = declare_locals(env, ty, body, &mut b, &params)?;
    // On-stack replacement: every local comes from the interpreter's frame, laid out as
    // slots (a v128 takes two).
    let osr = env.osr_loop.map(|loop_index| {
        let values = params[2];
        for ((at, t), var) in slot_offsets(&local_types).zip(&locals) {
            let v = env::load_slot(&mut b, cl_type(t), values, at);
            b.def_var(*var, v);
        }
        OsrEntry {
            loop_index,
            header: b.create_block(),
            values,
            results: ty.results().to_vec(),
            found: false,
        }
    });
    let vm = FuncEnvironment::new(env, &mut b, vmctx);

    let exit = b.create_block();
    let results: Vec<Type> = ty.results().iter().map(|t| cl_type(*t)).collect();
    for t in &results {
        b.append_block_param(exit, *t);
    }
    let mut t = Translator {
        env,
        vm,
        b,
        stack: Vec::new(),
        frames: vec![ControlFrame::new(
            FrameKind::Block,
            exit,
            Vec::new(),
            results,
            0,
        )],
        locals,
        reachable: true,
        dead_depth: 0,
        fuel_pending: 0,
        loops_seen: 0,
        osr,
        next_loop: None,
    };
    // A function that calls nothing needs no check on entry: it runs through its body once,
    // and each of its loops checks on its own. Recursion, direct or through other functions
    // and tail calls, passes through functions with calls, which do check. (Entries from the
    // runtime check the flag themselves: `run_compiled`.)
    if has_calls(body)? {
        t.vm.interrupt_check(&mut t.b);
    }
    if t.osr.is_some() {
        t.enter_osr_loop(local_types);
    }
    t.translate_body(body)?;
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

/// Whether `body` has an operator that calls a function (wasm or host).
fn has_calls(body: &FunctionBody<'_>) -> Result<bool, String> {
    let mut ops = body.get_operators_reader().map_err(|e| e.to_string())?;
    while !ops.eof() {
        use Operator as O;
        match ops.read().map_err(|e| e.to_string())? {
            O::Call { .. }
            | O::CallIndirect { .. }
            | O::CallRef { .. }
            | O::ReturnCall { .. }
            | O::ReturnCallIndirect { .. }
            | O::ReturnCallRef { .. } => return Ok(true),
            _ => {}
        }
    }
    Ok(false)
}

/// Declares the function's locals (parameters, then declared locals) as variables, defined
/// as the parameters and zero unless the function is an on-stack-replacement entry; returns
/// them with their wasm types.
fn declare_locals(
    env: &Env<'_>,
    ty: &FuncType,
    body: &FunctionBody<'_>,
    b: &mut FunctionBuilder<'_>,
    params: &[Value],
) -> Result<(Vec<Variable>, Vec<ValType>), String> {
    let mut locals = Vec::new();
    let mut local_types = Vec::new();
    for (i, t) in ty.params().iter().enumerate() {
        let var = b.declare_var(cl_type(*t));
        if env.osr_loop.is_none() {
            b.def_var(var, params[2 + i]);
        }
        locals.push(var);
        local_types.push(*t);
    }
    let mut reader = body.get_locals_reader().map_err(|e| e.to_string())?;
    for _ in 0..reader.get_count() {
        let (count, vt) = reader.read().map_err(|e| e.to_string())?;
        let vt = wasm_valtype(vt)?;
        let t = cl_type(vt);
        for _ in 0..count {
            let var = b.declare_var(t);
            if env.osr_loop.is_none() {
                let zero = zero_value(b, t);
                b.def_var(var, zero);
            }
            locals.push(var);
            local_types.push(vt);
        }
    }
    Ok((locals, local_types))
}

fn wasm_valtype(t: wasmparser::ValType) -> Result<ValType, String> {
    Ok(match t {
        wasmparser::ValType::I32 => ValType::I32,
        wasmparser::ValType::I64 => ValType::I64,
        wasmparser::ValType::F32 => ValType::F32,
        wasmparser::ValType::F64 => ValType::F64,
        wasmparser::ValType::V128 => ValType::V128,
        // Every reference is one 64-bit slot; its precise type does not matter here.
        wasmparser::ValType::Ref(r) if r.is_func_ref() => ValType::FUNCREF,
        wasmparser::ValType::Ref(_) => ValType::EXTERNREF,
    })
}

fn zero_value(b: &mut FunctionBuilder<'_>, t: Type) -> Value {
    match t {
        types::F32 => b.ins().f32const(0.0),
        types::F64 => b.ins().f64const(0.0),
        types::I8X16 => simd::v128_const(b, [0; 16]),
        t => b.ins().iconst(t, 0),
    }
}

impl Translator<'_, '_> {
    /// On-stack replacement: jumps straight to the loop. The code before it is still
    /// translated (the translator needs its control frames and operand stack), in a block
    /// nothing jumps to, where the locals are defined as zero.
    fn enter_osr_loop(&mut self, local_types: Vec<ValType>) {
        let header = self.osr.as_ref().expect("osr entry").header;
        self.b.ins().jump(header, &[]);
        let unreachable_start = self.b.create_block();
        self.b.seal_block(unreachable_start);
        self.b.switch_to_block(unreachable_start);
        for (var, ty) in self.locals.clone().into_iter().zip(local_types) {
            let zero = zero_value(&mut self.b, cl_type(ty));
            self.b.def_var(var, zero);
        }
    }

    /// Translates the operators of `body`, up to the function's final `end`.
    fn translate_body(&mut self, body: &FunctionBody<'_>) -> Result<(), String> {
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
            if matches!(op, Operator::Loop { .. }) && self.reachable {
                self.next_loop = control::counted_loop(ops.clone());
            }
            self.op(op)?;
            if self.frames.is_empty() {
                break;
            }
        }
        Ok(())
    }

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

    fn bool_to_i32(&mut self, v: Value) -> Value {
        self.b.ins().uextend(types::I32, v)
    }

    fn iconst32(&mut self, v: u32) -> Value {
        self.b.ins().iconst(types::I32, v as i64)
    }

    /// See [`index_arg`].
    fn index_arg(&mut self, v: Value, is64: bool) -> Value {
        index_arg(&mut self.b, v, is64)
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
        self.vm.charge_fuel(&mut self.b, n);
    }

    /// Returns `vals` from the function: as results, or into the slot array of an
    /// on-stack-replacement entry (laid out as slots, a v128 taking two).
    fn emit_return(&mut self, vals: &[Value]) {
        match self.osr.as_ref().map(|o| (o.values, o.results.clone())) {
            None => {
                self.b.ins().return_(vals);
            }
            Some((slots, results)) => {
                for ((at, _), v) in slot_offsets(&results).zip(vals) {
                    env::store_slot(&mut self.b, *v, slots, at);
                }
                self.b.ins().return_(&[]);
            }
        }
    }

    /// Whether `op`, met in unreachable code, is skipped; tracks the nesting of the blocks
    /// it opens, so that only the `else` or `end` of the enclosing reachable frame is
    /// translated.
    fn skip_unreachable(&mut self, op: &Operator<'_>) -> bool {
        use Operator as O;
        match op {
            O::Block { .. } | O::Loop { .. } | O::If { .. } => {
                self.dead_depth += 1;
                true
            }
            O::Else | O::End if self.dead_depth == 0 => false,
            O::End => {
                self.dead_depth -= 1;
                true
            }
            _ => true,
        }
    }

    /// Fuel metering: counts `op`, and charges what was counted before a control transfer.
    fn count_fuel(&mut self, op: &Operator<'_>) {
        use Operator as O;
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
                | O::CallRef { .. }
                | O::ReturnCallRef { .. }
                | O::BrOnNull { .. }
                | O::BrOnNonNull { .. }
        ) {
            self.fuel_flush();
        }
    }

    /// Translates one operator: skips it in unreachable code, counts fuel, and dispatches it
    /// to its group's module.
    fn op(&mut self, op: Operator<'_>) -> Result<(), String> {
        use Operator as O;
        let loop_index = self.loops_seen;
        if matches!(op, O::Loop { .. }) {
            self.loops_seen += 1;
        }
        if !self.reachable && self.skip_unreachable(&op) {
            return Ok(());
        }
        if self.env.fuel {
            self.count_fuel(&op);
        }
        match op {
            O::Nop
            | O::Unreachable
            | O::Block { .. }
            | O::Loop { .. }
            | O::If { .. }
            | O::Else
            | O::End
            | O::Br { .. }
            | O::BrIf { .. }
            | O::BrTable { .. }
            | O::BrOnNull { .. }
            | O::BrOnNonNull { .. }
            | O::Throw { .. }
            | O::ThrowRef
            | O::Return => self.control_op(op, loop_index),
            O::Call { .. }
            | O::CallIndirect { .. }
            | O::ReturnCall { .. }
            | O::ReturnCallIndirect { .. }
            | O::CallRef { .. }
            | O::ReturnCallRef { .. } => self.call_op(op),
            O::Drop
            | O::Select
            | O::TypedSelect { .. }
            | O::LocalGet { .. }
            | O::LocalSet { .. }
            | O::LocalTee { .. }
            | O::GlobalGet { .. }
            | O::GlobalSet { .. } => self.variable_op(op),
            O::I32Load { .. }
            | O::I64Load { .. }
            | O::F32Load { .. }
            | O::F64Load { .. }
            | O::I32Load8S { .. }
            | O::I32Load8U { .. }
            | O::I32Load16S { .. }
            | O::I32Load16U { .. }
            | O::I64Load8S { .. }
            | O::I64Load8U { .. }
            | O::I64Load16S { .. }
            | O::I64Load16U { .. }
            | O::I64Load32S { .. }
            | O::I64Load32U { .. }
            | O::I32Store { .. }
            | O::I64Store { .. }
            | O::F32Store { .. }
            | O::F64Store { .. }
            | O::I32Store8 { .. }
            | O::I64Store8 { .. }
            | O::I32Store16 { .. }
            | O::I64Store16 { .. }
            | O::I64Store32 { .. }
            | O::MemorySize { .. }
            | O::MemoryGrow { .. }
            | O::MemoryFill { .. }
            | O::MemoryCopy { .. }
            | O::MemoryInit { .. }
            | O::DataDrop { .. } => self.memory_op(op),
            O::TableGet { .. }
            | O::TableSet { .. }
            | O::TableSize { .. }
            | O::TableGrow { .. }
            | O::TableFill { .. }
            | O::TableCopy { .. }
            | O::TableInit { .. }
            | O::ElemDrop { .. }
            | O::RefNull { .. }
            | O::RefIsNull
            | O::RefAsNonNull
            | O::RefFunc { .. }
            | O::RefEq
            | O::RefI31
            | O::I31GetS
            | O::I31GetU => self.table_op(op),
            op if simd::is_simd(&op) => self.simd_op(op),
            // Everything else: numeric, or unsupported.
            other => self.numeric_op(other),
        }
    }
}

/// The error for an operator the JIT does not translate.
fn unsupported(op: &Operator<'_>) -> String {
    format!("the JIT does not support {op:?}")
}

/// A Cranelift trap code for one of the runtime's trap codes (`abi::trap_code`).
fn user_trap(code: u8) -> ir::TrapCode {
    ir::TrapCode::unwrap_user(code)
}

/// An address, length or table index operand as the i64 the builtins take: i64 already for
/// 64-bit memories and tables, else an i32 to zero-extend.
fn index_arg(b: &mut FunctionBuilder<'_>, v: Value, is64: bool) -> Value {
    if is64 {
        v
    } else {
        b.ins().uextend(types::I64, v)
    }
}

#[allow(dead_code)]
fn _assert_abi_used() {
    let _ = abi::NUM_BUILTINS;
}
