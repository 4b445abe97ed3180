//! Control operators: `nop`, `unreachable`, `block`, `loop`, `if`, `else`, `end`, `br`,
//! `br_if`, `br_on_null`, `br_on_non_null`, `br_table`, `return`, and the exception
//! handling proposal's `throw` and `throw_ref` (`try_table` is not translated: a function
//! with one is left to the interpreter, which catches).
//!
//! Every wasm block becomes a Cranelift block for its continuation (`dest`, whose parameters
//! are the block's results); a loop also gets a header block, which its branches target and
//! which checks for interruption. Branches pass the top operands as block arguments. A
//! block's continuation is only switched to if something reaches it (`dest_used`); otherwise
//! the code after the block is unreachable.

use cranelift_codegen::ir::{self, InstBuilder, Value};
use wasmparser::{BlockType, BrTable, Operator};

use super::{ControlFrame, FrameKind, Translator, bargs, unsupported, user_trap};
use crate::abi::{Builtin, trap_code};

impl Translator<'_, '_> {
    /// `throw`: the payload goes to a slot array for the builtin, which makes the exception
    /// pending; it leaves compiled code like a trap (see `TrapKind::Exception`).
    fn throw(&mut self, tag_index: u32) {
        let params = self.env.info.tag_type(tag_index).params().to_vec();
        let n = params.len();
        let slots = super::env::stack_slot_array(
            &mut self.b,
            wasmtier_runtime::total_slots(&params).max(1),
        );
        let values = self.peekn(n).to_vec();
        self.stack.truncate(self.stack.len() - n);
        for ((at, _), v) in wasmtier_runtime::slot_offsets(&params).zip(values) {
            super::env::store_slot(&mut self.b, v, slots, at);
        }
        let tag = self.b.ins().iconst(ir::types::I32, tag_index as i64);
        self.throw_builtin(Builtin::Throw, &[tag, slots]);
    }

    /// Calls `throw`'s or `throw_ref`'s builtin, which always fails, and raises what it made
    /// pending.
    fn throw_builtin(&mut self, builtin: Builtin, args: &[Value]) {
        self.vm.call_builtin(&mut self.b, builtin, args);
        self.b.ins().trap(user_trap(trap_code::PENDING));
        self.reachable = false;
    }

    /// Translates a control operator; `loop_index` is the ordinal a `loop` has among the
    /// function's loops.
    pub(super) fn control_op(&mut self, op: Operator<'_>, loop_index: u32) -> Result<(), String> {
        use Operator as O;
        match op {
            O::Nop => {}
            O::Unreachable => {
                let code = user_trap(trap_code::UNREACHABLE);
                self.b.ins().trap(code);
                self.reachable = false;
            }
            O::Throw { tag_index } => self.throw(tag_index),
            O::ThrowRef => {
                let exnref = self.pop();
                self.throw_builtin(Builtin::ThrowRef, &[exnref]);
            }
            O::Block { blockty } => self.block(blockty)?,
            O::Loop { blockty } => self.loop_(blockty, loop_index)?,
            O::If { blockty } => self.if_(blockty)?,
            O::Else => self.else_(),
            O::End => self.end(),
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
            O::BrOnNull { relative_depth } => {
                // The reference stays on the stack on the fall-through path only.
                let reference = self.pop();
                let (target, args) = self.branch_target(relative_depth);
                let next = self.b.create_block();
                self.b
                    .ins()
                    .brif(reference, next, &[], target, &bargs(&args));
                self.b.switch_to_block(next);
                self.stack.push(reference);
            }
            O::BrOnNonNull { relative_depth } => {
                // The reference goes along with the branch, and is dropped otherwise.
                let reference = *self.stack.last().expect("validated operand stack");
                let (target, args) = self.branch_target(relative_depth);
                let next = self.b.create_block();
                self.b
                    .ins()
                    .brif(reference, target, &bargs(&args), next, &[]);
                self.b.switch_to_block(next);
                self.pop();
            }
            O::BrTable { targets } => self.br_table(targets)?,
            O::Return => {
                let n = self.frames[0].results.len();
                let args = self.peekn(n).to_vec();
                self.emit_return(&args);
                self.reachable = false;
            }
            other => return Err(unsupported(&other)),
        }
        Ok(())
    }

    fn block(&mut self, blockty: BlockType) -> Result<(), String> {
        let (params, results) = self.block_sig(blockty)?;
        let dest = self.new_block_with(&results);
        let height = self.stack.len() - params.len();
        let frame = ControlFrame::new(FrameKind::Block, dest, params, results, height);
        self.frames.push(frame);
        Ok(())
    }

    fn loop_(&mut self, blockty: BlockType, loop_index: u32) -> Result<(), String> {
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
        self.vm.interrupt_check(&mut self.b);
        let hp = self.b.block_params(header).to_vec();
        let height = self.stack.len();
        self.stack.extend(hp);
        let mut frame = ControlFrame::new(FrameKind::Loop, dest, params, results, height);
        frame.header = Some(header);
        self.frames.push(frame);
        Ok(())
    }

    fn if_(&mut self, blockty: BlockType) -> Result<(), String> {
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
        let mut frame = ControlFrame::new(FrameKind::If, dest, params, results, height);
        frame.else_block = Some(else_block);
        frame.else_params = else_params;
        self.frames.push(frame);
        Ok(())
    }

    fn else_(&mut self) {
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

    fn end(&mut self) {
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
            // (If this was the function's outermost frame, nothing reaches the function's
            // end, and `translate_function` emits no return.)
            self.reachable = false;
        }
    }

    fn br_table(&mut self, targets: BrTable<'_>) -> Result<(), String> {
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
        Ok(())
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
}
