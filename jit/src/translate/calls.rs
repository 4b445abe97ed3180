//! Call operators: `call`, `call_indirect`, `call_ref` and their tail-call forms
//! (`return_call*`).
//!
//! The environment resolves the callee (a direct `call rel32` to a function compiled in this
//! module, the instance's function reference, or a checked table element) and emits the
//! call; this module moves the arguments and results between the operand stack and the call
//! and decides whether a tail call can be a real one.

use cranelift_codegen::ir::Value;
use wasmparser::Operator;

use super::env::{self, Callee};
use super::{Translator, native_sig, unsupported};

/// A call, or a tail call (`return_call*`), which replaces the caller's frame.
#[derive(Clone, Copy, PartialEq, Eq)]
enum CallKind {
    Normal,
    Tail,
}

impl Translator<'_, '_> {
    /// Translates a call operator.
    pub(super) fn call_op(&mut self, op: Operator<'_>) -> Result<(), String> {
        use Operator as O;
        match op {
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
            O::CallRef { type_index } => self.call_ref(type_index, CallKind::Normal),
            O::ReturnCallRef { type_index } => self.call_ref(type_index, CallKind::Tail),
            other => return Err(unsupported(&other)),
        }
        Ok(())
    }

    fn call(&mut self, func_index: u32, kind: CallKind) {
        let type_index = self.env.info.func_types[func_index as usize];
        if let Some(callee) = self.vm.direct_callee(&mut self.b, func_index) {
            // Same instance: the callee's context is ours.
            let vmctx = self.vm.vmctx();
            self.emit_call(type_index, callee, vmctx, kind);
            return;
        }
        let (code, callee) = self.vm.func_ref_callee(&mut self.b, func_index);
        self.call_code(type_index, code, callee, kind);
    }

    fn call_indirect(&mut self, type_index: u32, table: u32, kind: CallKind) {
        let index = self.pop();
        let (code, callee) = self
            .vm
            .indirect_callee(&mut self.b, type_index, table, index);
        self.call_code(type_index, code, callee, kind);
    }

    fn call_ref(&mut self, type_index: u32, kind: CallKind) {
        let raw = self.pop();
        let (code, callee) = self.vm.ref_callee(&mut self.b, type_index, raw);
        self.call_code(type_index, code, callee, kind);
    }

    /// Calls `code` with the native signature of type `type_index`.
    fn call_code(&mut self, type_index: u32, code: Value, callee_vmctx: Value, kind: CallKind) {
        let ty = &self.env.info.types[type_index as usize];
        let sigref = self.b.import_signature(native_sig(ty));
        self.emit_call(
            type_index,
            Callee::Indirect(sigref, code),
            callee_vmctx,
            kind,
        );
    }

    /// Calls `callee`, of type `type_index`, taking the arguments from the operand stack; a
    /// tail call (`return_call*`) replaces this function's frame.
    fn emit_call(&mut self, type_index: u32, callee: Callee, callee_vmctx: Value, kind: CallKind) {
        let n = self.env.info.types[type_index as usize].params().len();
        let mut args = vec![callee_vmctx, self.vm.vmctx()];
        args.extend_from_slice(self.peekn(n));
        self.stack.truncate(self.stack.len() - n);
        if kind == CallKind::Tail && self.tail_call_possible() {
            env::return_call(&mut self.b, callee, &args);
            self.reachable = false;
            return;
        }
        let results = env::call(&mut self.b, callee, &args);
        self.stack.extend(results);
        if kind == CallKind::Tail {
            self.finish_emulated_tail_call();
        }
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
}
