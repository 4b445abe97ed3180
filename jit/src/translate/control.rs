//! Control operators: `nop`, `unreachable`, `block`, `loop`, `if`, `else`, `end`, `br`,
//! `br_if`, `br_on_null`, `br_on_non_null`, `br_table`, `return`, and the exception
//! handling proposal's `throw` and `throw_ref` (`try_table` is not translated: a function
//! with one is left to the interpreter, which catches).
//!
//! Every wasm block becomes a Cranelift block for its continuation (`dest`, whose parameters
//! are the block's results); a loop also gets a header block, which its branches target and
//! which checks for interruption, unless the loop is a short counted loop
//! ([`CountedLoop`]). Branches pass the top operands as block arguments. A
//! block's continuation is only switched to if something reaches it (`dest_used`); otherwise
//! the code after the block is unreachable.

use cranelift_codegen::ir::{self, InstBuilder, Value};
use cranelift_frontend::FunctionBuilder;
use wasmparser::{BlockType, BrTable, Operator, OperatorsReader};

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
        let counted = self.next_loop.take();
        let unchecked = match counted {
            Some(c) if params.is_empty() && self.osr.is_none() => self.unchecked(&c),
            _ => None,
        };
        let n = params.len();
        let args = self.peekn(n).to_vec();
        self.stack.truncate(self.stack.len() - n);
        self.b.ins().jump(header, &bargs(&args));
        self.b.switch_to_block(header);
        if unchecked.is_none() {
            self.vm.interrupt_check(&mut self.b);
        }
        let hp = self.b.block_params(header).to_vec();
        let height = self.stack.len();
        self.stack.extend(hp);
        let mut frame = ControlFrame::new(FrameKind::Loop, dest, params, results, height);
        frame.header = Some(header);
        frame.unchecked = unchecked;
        self.frames.push(frame);
        Ok(())
    }

    /// Whether the counted loop `c`, entered now, may go without an interruption check,
    /// and if so its entry for [`ControlFrame::unchecked`](super::ControlFrame).
    ///
    /// Its counter must be a constant here (its only back edge is the final `br_if`, so
    /// every entry comes from here), which bounds its iterations. Between two checks, every
    /// operator of the outermost loop of a nest of unchecked loops runs at most as often as
    /// the product of the iteration counts of the unchecked loops around it: that product
    /// times the outermost loop's length stays under [`MAX_UNCHECKED_OPERATORS`]. Checked
    /// loops inside check themselves, and callees check on entry if they call anything, so
    /// an interruption still stops the code within a bounded number of operators.
    fn unchecked(&mut self, c: &CountedLoop) -> Option<(u64, u64)> {
        let var = self.locals[c.local as usize];
        let init = self.b.use_var(var);
        let n = c.iterations(iconst_value(&self.b, init)? as i32)?;
        if n > MAX_UNCHECKED_ITERATIONS {
            return None;
        }
        let outer = self.frames.iter().rev().find(|f| f.kind == FrameKind::Loop);
        let (product, ops) = match outer.and_then(|f| f.unchecked) {
            Some((product, ops)) => (product * n, ops),
            None => (n, c.ops as u64),
        };
        (product * ops <= MAX_UNCHECKED_OPERATORS).then_some((product, ops))
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

/// Most iterations of a loop without an interruption check ([`Translator::unchecked`]).
const MAX_UNCHECKED_ITERATIONS: u64 = 1 << 12;

/// Most operators a nest of loops without interruption checks may run between two checks
/// ([`Translator::unchecked`]): about a millisecond at most.
const MAX_UNCHECKED_OPERATORS: u64 = 1 << 20;

/// The value of `v` if it is an integer constant.
fn iconst_value(b: &FunctionBuilder<'_>, v: Value) -> Option<i64> {
    let inst = b.func.dfg.value_def(v).inst()?;
    match b.func.dfg.insts[inst] {
        ir::InstructionData::UnaryImm {
            opcode: ir::Opcode::Iconst,
            imm,
        } => Some(imm.bits()),
        _ => None,
    }
}

/// How a counted loop compares its counter with its bound.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum LoopCmp {
    Ne,
    LtS,
    LtU,
}

/// A loop (without parameters) whose only back edge is its last operator, a `br_if 0` on
/// `(local.tee $local (i32.add (local.get $local) (i32.const step))) <cmp> (i32.const
/// bound)`, with `$local` written nowhere else in the loop: the shape of `for (i = c; i !=
/// bound; i += step)` in compiled C.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) struct CountedLoop {
    local: u32,
    step: i32,
    bound: i32,
    cmp: LoopCmp,
    /// Operators in the loop's body.
    ops: usize,
}

/// Longest loop body [`counted_loop`] looks at, in operators.
const MAX_COUNTED_LOOP_OPS: usize = 4096;

impl CountedLoop {
    /// How many times the body runs when the counter starts at `init`, if that is finite
    /// without wrapping around.
    fn iterations(&self, init: i32) -> Option<u64> {
        let step = self.step;
        match self.cmp {
            LoopCmp::Ne => {
                // Runs until `init + n * step == bound`, exactly, for the smallest n >= 1.
                let (dist, mag) = if step > 0 {
                    (self.bound.wrapping_sub(init) as u32, step as u32)
                } else if step < 0 {
                    (init.wrapping_sub(self.bound) as u32, step.unsigned_abs())
                } else {
                    return None;
                };
                (dist != 0 && dist % mag == 0).then(|| (dist / mag) as u64)
            }
            LoopCmp::LtS => {
                // No overflow: after the first step (from `init`) the counter stays below
                // `bound`, so `counter + step` does not pass i32::MAX if `bound + step`
                // does not.
                let max = i32::MAX as i64;
                if step <= 0
                    || self.bound as i64 + step as i64 > max
                    || init as i64 + step as i64 > max
                {
                    return None;
                }
                let dist = (self.bound as i64 - init as i64).max(1) as u64;
                Some(dist.div_ceil(step as u64))
            }
            LoopCmp::LtU => {
                let max = u32::MAX as u64;
                if step <= 0
                    || self.bound as u32 as u64 + step as u64 > max
                    || init as u32 as u64 + step as u64 > max
                {
                    return None;
                }
                let dist = (self.bound as u32 as i64 - init as u32 as i64).max(1) as u64;
                Some(dist.div_ceil(step as u64))
            }
        }
    }
}

/// The counted loop whose body `ops` reads (the operators after the `loop`), if it is one;
/// see [`CountedLoop`].
pub(super) fn counted_loop(mut ops: OperatorsReader<'_>) -> Option<CountedLoop> {
    use Operator as O;
    let mut body: Vec<Operator<'_>> = Vec::new();
    // Nesting depth inside the loop: 0 is the loop's own level.
    let mut depth = 0u32;
    let mut back_edges = 0;
    loop {
        if body.len() > MAX_COUNTED_LOOP_OPS {
            return None;
        }
        let op = ops.read().ok()?;
        match &op {
            O::Block { .. } | O::Loop { .. } | O::If { .. } => depth += 1,
            O::End if depth == 0 => break,
            O::End => depth -= 1,
            // Back edges: only the final `br_if` may be one.
            O::Br { relative_depth } | O::BrIf { relative_depth } if *relative_depth == depth => {
                back_edges += 1
            }
            O::BrTable { targets } => {
                let mut all = targets.targets().chain([Ok(targets.default())]);
                if all.any(|t| t.map_or(true, |t| t == depth)) {
                    return None;
                }
            }
            // Anything else that opens a block or names a label: not analysed.
            O::Try { .. }
            | O::TryTable { .. }
            | O::Catch { .. }
            | O::CatchAll
            | O::Delegate { .. }
            | O::Rethrow { .. }
            | O::BrOnNull { .. }
            | O::BrOnNonNull { .. }
            | O::BrOnCast { .. }
            | O::BrOnCastFail { .. }
            | O::BrOnCastDescEq { .. }
            | O::BrOnCastDescEqFail { .. } => return None,
            _ => {}
        }
        body.push(op);
    }
    let [
        O::LocalGet { local_index: get },
        O::I32Const { value: step },
        O::I32Add,
        O::LocalTee { local_index: tee },
        O::I32Const { value: bound },
        cmp,
        O::BrIf { relative_depth: 0 },
    ] = body.get(body.len().checked_sub(7)?..)?
    else {
        return None;
    };
    if get != tee || back_edges != 1 {
        return None;
    }
    let cmp = match cmp {
        O::I32Ne => LoopCmp::Ne,
        O::I32LtS => LoopCmp::LtS,
        O::I32LtU => LoopCmp::LtU,
        _ => return None,
    };
    let rest = &body[..body.len() - 7];
    for op in rest {
        // Another write of the counter.
        if let O::LocalSet { local_index } | O::LocalTee { local_index } = op
            && local_index == get
        {
            return None;
        }
    }
    Some(CountedLoop {
        local: *get,
        step: *step,
        bound: *bound,
        cmp,
        ops: body.len(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The counted loop that the first `loop` of the first function of `wat` is, if any.
    fn first_loop(wat: &str) -> Option<CountedLoop> {
        let wasm = wat::parse_str(wat).unwrap();
        let registry = wasmtier_runtime::TypeRegistry::default();
        let (_, bodies) = crate::parse_for_tests(&wasm, &registry);
        let mut ops = bodies[0].1.get_operators_reader().unwrap();
        while !matches!(ops.read().unwrap(), Operator::Loop { .. }) {}
        counted_loop(ops)
    }

    /// A function with a loop over `$i` whose body is `body`, closed by `tail`.
    fn with_loop(body: &str, tail: &str) -> String {
        format!(
            "(module (func (local $i i32) (local $x i32)
               (loop $l {body}
                 (br_if $l ({tail} (local.tee $i (i32.add (local.get $i) (i32.const 4)))
                                   (i32.const 64))))))"
        )
    }

    #[test]
    fn finds_counted_loops() {
        let c = first_loop(&with_loop("(local.set $x (i32.const 1))", "i32.ne")).unwrap();
        let want = CountedLoop {
            local: 0,
            step: 4,
            bound: 64,
            cmp: LoopCmp::Ne,
            ops: c.ops,
        };
        assert_eq!(c, want);
        let c = first_loop(&with_loop("", "i32.lt_s")).unwrap();
        assert_eq!(c.cmp, LoopCmp::LtS);
        let c = first_loop(&with_loop("(block (br_if 0 (local.get $x)))", "i32.lt_u")).unwrap();
        assert_eq!(c.cmp, LoopCmp::LtU);
        // Inner loops are part of the body.
        let inner = "(loop $in (br_if $in (local.get $x)))";
        assert!(first_loop(&with_loop(inner, "i32.ne")).is_some());
    }

    #[test]
    fn rejects_other_loops() {
        // Another back edge, directly, from a nested block, or from a branch table.
        assert!(first_loop(&with_loop("(br_if $l (local.get $x))", "i32.ne")).is_none());
        let nested = "(block (block (br_if $l (local.get $x))))";
        assert!(first_loop(&with_loop(nested, "i32.ne")).is_none());
        let table = "(block (br_table 0 $l (local.get $x)))";
        assert!(first_loop(&with_loop(table, "i32.ne")).is_none());
        // The counter written in the body, also in an inner loop.
        let set = "(local.set $i (i32.const 0))";
        assert!(first_loop(&with_loop(set, "i32.ne")).is_none());
        let inner = "(loop (local.set $i (i32.const 0)))";
        assert!(first_loop(&with_loop(inner, "i32.ne")).is_none());
        // Another comparison.
        assert!(first_loop(&with_loop("", "i32.gt_s")).is_none());
        // A loop that does not end with its back edge.
        let wat = "(module (func (local $i i32)
            (loop $l (br_if $l (local.tee $i (i32.add (local.get $i) (i32.const 1)))) nop)))";
        assert!(first_loop(wat).is_none());
    }

    #[test]
    fn counts_iterations() {
        let lp = |step, bound, cmp| CountedLoop {
            local: 0,
            step,
            bound,
            cmp,
            ops: 1,
        };
        use LoopCmp::*;
        assert_eq!(lp(1, 16, Ne).iterations(0), Some(16));
        assert_eq!(lp(4, 64, Ne).iterations(0), Some(16));
        assert_eq!(lp(-2, 0, Ne).iterations(10), Some(5));
        // Not a multiple of the step, or starting at the bound: wraps around.
        assert_eq!(lp(2, 15, Ne).iterations(0), None);
        assert_eq!(lp(1, 16, Ne).iterations(16), None);
        assert_eq!(lp(0, 16, Ne).iterations(0), None);
        // Wrapping distances count as such: from -1 to 1 by 1 is 2 iterations.
        assert_eq!(lp(1, 1, Ne).iterations(-1), Some(2));
        assert_eq!(lp(1, 0, Ne).iterations(1), Some(u32::MAX as u64));

        assert_eq!(lp(4, 28, LtS).iterations(0), Some(7));
        assert_eq!(lp(4, 28, LtS).iterations(-4), Some(8));
        // Already past the bound: the body runs once.
        assert_eq!(lp(1, 10, LtS).iterations(50), Some(1));
        // The counter could overflow and come back below the bound.
        assert_eq!(lp(2, 10, LtS).iterations(i32::MAX - 1), None);
        assert_eq!(lp(2, i32::MAX, LtS).iterations(0), None);
        assert_eq!(lp(-1, 10, LtS).iterations(0), None);

        assert_eq!(lp(1, 16, LtU).iterations(0), Some(16));
        assert_eq!(lp(1, 16, LtU).iterations(-1), None);
        assert_eq!(lp(1, 16, LtU).iterations(100), Some(1));
        assert_eq!(lp(3, -1, LtU).iterations(0), None);
    }
}
