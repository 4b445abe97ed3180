//! Parametric and variable operators: `drop`, `select`, `local.get`/`set`/`tee` (locals are
//! frontend `Variable`s) and `global.get`/`set` (global cells, through the environment).

use cranelift_codegen::ir::InstBuilder;
use wasmparser::Operator;

use super::{Translator, cl_type, unsupported};

impl Translator<'_, '_> {
    /// Translates a parametric or variable operator.
    pub(super) fn variable_op(&mut self, op: Operator<'_>) -> Result<(), String> {
        use Operator as O;
        match op {
            O::Drop => {
                self.pop();
            }
            O::Select | O::TypedSelect { .. } => {
                let c = self.pop();
                let (a, b) = self.pop2();
                let r = self.b.ins().select(c, a, b);
                self.push(r);
            }
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
                let v = self.vm.global_get(&mut self.b, global_index, ty);
                self.push(v);
            }
            O::GlobalSet { global_index } => {
                let v = self.pop();
                self.vm.global_set(&mut self.b, global_index, v);
            }
            other => return Err(unsupported(&other)),
        }
        Ok(())
    }
}
