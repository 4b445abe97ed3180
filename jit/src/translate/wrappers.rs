//! Code that is no wasm function: the per-signature array wrappers through which the runtime
//! enters compiled code, the wrapper of on-stack-replacement entries, the trampolines that
//! make functions without machine code callable with the native signature, and the
//! tail-call adapters. Everything they read from the VM goes through the free functions of
//! the environment ([`env`]).

use cranelift_codegen::ir::condcodes::IntCC;
use cranelift_codegen::ir::{self, AbiParam, Function, InstBuilder, Signature, types};
use cranelift_codegen::isa::TargetIsa;
use cranelift_frontend::{FunctionBuilder, FunctionBuilderContext};
use wasmtier_runtime::{FuncType, ValType, slot_offsets};

use super::{cl_type, env, native_sig, osr_sig, wasm_convention_sig};
use crate::abi::{self, Builtin, trap_code};

/// Builds the array-call wrapper for wasm type `ty`:
/// `extern "sysv" fn(code, callee_vmctx, values: *mut u64)` loads the arguments from `values`,
/// calls `code` with the native signature and stores the results back into `values` (each
/// value at its slot offset: a v128 takes two slots).
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
    let p = entry_params(&mut b);
    let (code, vmctx, values) = (p[0], p[1], p[2]);
    let mut args = vec![vmctx, vmctx];
    args.extend(load_values(&mut b, ty.params(), values));
    let sigref = b.import_signature(native_sig(ty));
    let call = b.ins().call_indirect(sigref, code, &args);
    let results = b.inst_results(call).to_vec();
    store_values(&mut b, ty.results(), &results, values);
    b.ins().return_(&[]);
    b.finalize(isa.frontend_config());
}

/// Loads values of types `tys` from the slot array `values`, each at its slot offset.
fn load_values(b: &mut FunctionBuilder<'_>, tys: &[ValType], values: ir::Value) -> Vec<ir::Value> {
    slot_offsets(tys)
        .map(|(at, t)| env::load_slot(b, cl_type(t), values, at))
        .collect()
}

/// Stores `vals`, of types `tys`, into the slot array `values`, each at its slot offset.
fn store_values(
    b: &mut FunctionBuilder<'_>,
    tys: &[ValType],
    vals: &[ir::Value],
    values: ir::Value,
) {
    for ((at, _), v) in slot_offsets(tys).zip(vals) {
        env::store_slot(b, *v, values, at);
    }
}

/// Creates, enters and seals the entry block, with the function's parameters, and returns
/// them.
fn entry_params(b: &mut FunctionBuilder<'_>) -> Vec<ir::Value> {
    let entry = b.create_block();
    b.append_block_params_for_function_params(entry);
    b.switch_to_block(entry);
    b.seal_block(entry);
    b.block_params(entry).to_vec()
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
    let p = entry_params(&mut b);
    let (code, vmctx, values) = (p[0], p[1], p[2]);
    let sigref = b.import_signature(osr_sig(cc));
    b.ins().call_indirect(sigref, code, &[vmctx, vmctx, values]);
    b.ins().return_(&[]);
    b.finalize(isa.frontend_config());
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
    let p = entry_params(&mut b);
    let (func_id, caller) = (p[0], p[1]);
    let values = env::stack_slot_array(&mut b, ty.array_len());
    store_values(&mut b, ty.params(), &p[2..], values);
    let sigref = b.import_signature(Builtin::CallFunc.signature(cc));
    let f = env::builtin_addr(&mut b, caller, Builtin::CallFunc);
    let call = b.ins().call_indirect(sigref, f, &[caller, func_id, values]);
    let status = b.inst_results(call)[0];
    let tail = b.create_block();
    let returned = b.create_block();
    let is_tail = b
        .ins()
        .icmp_imm_u(IntCC::Equal, status, abi::CALL_FUNC_TAIL_CALL as i64);
    b.ins().brif(is_tail, tail, &[], returned, &[]);
    b.switch_to_block(tail);
    b.seal_block(tail);
    make_handed_back_tail_call(&mut b, ty, caller);
    b.switch_to_block(returned);
    b.seal_block(returned);
    b.ins()
        .trapnz(status, ir::TrapCode::unwrap_user(trap_code::PENDING));
    let results = load_values(&mut b, ty.results(), values);
    b.ins().return_(&results);
    b.finalize(isa.frontend_config());
}

/// The interpreted callee handed back a tail call: make it from here, as a tail call
/// through the adapter for the callee's type (which the runtime put in the store context
/// with the callee and its arguments). The adapter's signature depends only on the
/// results, which validation made the same as this type's.
fn make_handed_back_tail_call(b: &mut FunctionBuilder<'_>, ty: &FuncType, caller: ir::Value) {
    let store_ctx = env::store_ctx(b, caller);
    let (adapter, callee) = env::handed_back_tail_call(b, store_ctx);
    let adapter_ref = b.import_signature(tail_adapter_sig(ty));
    b.ins()
        .return_call_indirect(adapter_ref, adapter, &[callee, caller]);
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
    let p = entry_params(&mut b);
    let (vmctx, caller) = (p[0], p[1]);
    let store_ctx = env::store_ctx(&mut b, vmctx);
    let (code, values) = env::tail_call_code_and_args(&mut b, store_ctx);
    let mut args = vec![vmctx, caller];
    args.extend(load_values(&mut b, ty.params(), values));
    let sigref = b.import_signature(native_sig(ty));
    b.ins().return_call_indirect(sigref, code, &args);
    b.finalize(isa.frontend_config());
}
