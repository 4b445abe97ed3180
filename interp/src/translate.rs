//! wasm function body -> interpreter bytecode, validating as it goes.
//!
//! The validator tracks operand-stack heights and control frames for us; the translator keeps
//! only what it must patch later (forward branches) and applies peephole fusions.

use wasmparser::{
    BlockType, FuncValidator, FuncValidatorAllocations, Operator, ValidatorResources,
};
use wasmtier_runtime::module::{ModuleError, ModuleInfo, PendingBody};

use crate::code::{Instr, link};
use crate::ops::{LocalBinOp, Op, simple_ops};
use crate::tier::{Hotness, Tiering};

/// A translated function.
#[derive(Debug)]
pub struct CompiledFunc {
    /// The bytecode (for disassembly).
    pub ops: Box<[Op]>,
    /// The same instructions in threaded form, which is what runs.
    pub code: Box<[Instr]>,
    /// Index in the module's function index space.
    pub func_index: u32,
    pub num_params: u32,
    /// Parameters plus declared locals.
    pub num_locals: u32,
    pub num_results: u32,
    /// Slots a call needs: locals plus the deepest operand stack.
    pub frame_size: u32,
    /// Call and loop counters of tiered execution.
    pub hotness: Hotness,
}

struct Ctrl {
    /// The whole construct is unreachable code: nothing inside it is emitted.
    dead: bool,
    /// Position of the loop header (branch target of a loop).
    loop_start: Option<usize>,
    /// Branches to patch to this block's end.
    pending: Vec<usize>,
    /// The `if`'s jump to its `else` (or end), while unpatched.
    else_jump: Option<usize>,
}

struct Translator<'a> {
    info: &'a ModuleInfo,
    v: FuncValidator<ValidatorResources>,
    ops: Vec<Op>,
    ctrl: Vec<Ctrl>,
    num_results: u32,
    max_height: u32,
    /// Ops before this index may not be fused with later ones: a label lies in between.
    barrier: usize,
    /// Tiered execution: every loop header counts its iterations (`Op::TierLoop`).
    count_loops: bool,
    /// `loop` operators seen so far, reachable or not.
    loops_seen: u32,
}

fn invalid(e: wasmparser::BinaryReaderError) -> ModuleError {
    ModuleError::Invalid(format!("{} (at offset {:#x})", e.message(), e.offset()))
}

fn malformed(e: wasmparser::BinaryReaderError) -> ModuleError {
    ModuleError::Malformed(format!("{} (at offset {:#x})", e.message(), e.offset()))
}

/// Validates and translates one function body.
pub fn translate_function(
    info: &ModuleInfo,
    pending: PendingBody<'_>,
    allocs: FuncValidatorAllocations,
    tiering: Option<&Tiering>,
) -> Result<(CompiledFunc, FuncValidatorAllocations), ModuleError> {
    let ty = info.func_type(pending.func_index);
    let num_params = ty.params().len() as u32;
    let num_results = ty.results().len() as u32;
    let mut t = Translator {
        info,
        v: pending.validator.into_validator(allocs),
        ops: Vec::new(),
        ctrl: vec![Ctrl {
            dead: false,
            loop_start: None,
            pending: Vec::new(),
            else_jump: None,
        }],
        num_results,
        max_height: 0,
        barrier: 0,
        count_loops: tiering.is_some(),
        loops_seen: 0,
    };
    if tiering.is_some() {
        t.emit(Op::TierEntry);
    }
    let mut num_locals = num_params;
    let mut locals = pending.body.get_locals_reader().map_err(malformed)?;
    for _ in 0..locals.get_count() {
        let offset = locals.original_position();
        let (count, ty) = locals.read().map_err(malformed)?;
        t.v.define_locals(offset, count, ty).map_err(invalid)?;
        num_locals += count;
    }
    let mut reader = pending.body.get_operators_reader().map_err(malformed)?;
    while !reader.eof() {
        let (op, offset) = reader.read_with_offset().map_err(malformed)?;
        t.translate_op(op, offset)?;
    }
    reader.finish().map_err(malformed)?;
    let frame_size = num_locals
        .checked_add(t.max_height)
        .ok_or_else(|| ModuleError::Unsupported("function frame too large".into()))?;
    let code = link(&t.ops)?;
    let func = CompiledFunc {
        ops: t.ops.into_boxed_slice(),
        code,
        func_index: pending.func_index,
        num_params,
        num_locals,
        num_results,
        frame_size,
        hotness: Hotness::new(tiering),
    };
    Ok((func, t.v.into_allocations()))
}

/// Parameter and result counts of a block type.
fn block_arity(info: &ModuleInfo, bt: BlockType) -> (u32, u32) {
    match bt {
        BlockType::Empty => (0, 0),
        BlockType::Type(_) => (0, 1),
        BlockType::FuncType(idx) => {
            let ty = &info.types[idx as usize];
            (ty.params().len() as u32, ty.results().len() as u32)
        }
    }
}

/// Where a branch goes and how it adjusts the stack.
enum Branch {
    Return,
    Jump {
        target: BranchTarget,
        drop: u32,
        keep: u32,
    },
}

enum BranchTarget {
    /// Backwards to a known position.
    At(usize),
    /// Forwards to the end of control frame `depth`, patched later.
    EndOf(usize),
}

impl Translator<'_> {
    fn height(&self) -> u32 {
        self.v.operand_stack_height()
    }

    fn reachable(&self) -> bool {
        let live = self.ctrl.last().is_some_and(|c| !c.dead);
        live && self.v.get_control_frame(0).is_some_and(|f| !f.unreachable)
    }

    /// Appends `op`, fusing it with the previous ops where that pays. Returns the index of
    /// the op that now holds `op`'s effect (for patching branches).
    fn emit(&mut self, op: Op) -> usize {
        if let Op::LocalSet(local) = op
            && self.fuse_local_incr(local)
        {
            return self.ops.len() - 1;
        }
        if self.ops.len() > self.barrier {
            let prev = self.ops.len() - 1;
            match fuse(self.ops[prev], op) {
                Some(Fused::Replace(new)) => {
                    self.ops[prev] = new;
                    return self.fuse_backwards(prev);
                }
                Some(Fused::Split(first, second)) => {
                    self.ops[prev] = first;
                    self.ops.push(second);
                    return prev + 1;
                }
                None => {}
            }
        }
        self.ops.push(op);
        self.ops.len() - 1
    }

    /// After the last op (at `at`) became a fused op, fuses it with the ops before it while
    /// that pays (`local.get; i32.const; i32.add` -> `local.get; i32.add_const` ->
    /// `LocalAddConst`). Returns where the last op's effect ends up.
    fn fuse_backwards(&mut self, mut at: usize) -> usize {
        while at > self.barrier {
            match fuse(self.ops[at - 1], self.ops[at]) {
                Some(Fused::Replace(new)) => {
                    self.ops.pop();
                    self.ops[at - 1] = new;
                    at -= 1;
                }
                _ => break,
            }
        }
        at
    }

    /// `local.get l; i64.const c; i64.add; local.set l` (already fused up to the set) becomes
    /// one `LocalIncrI64`: the loop-counter idiom. (The i32 form goes through `LocalAddConst`
    /// in `fuse`.)
    fn fuse_local_incr(&mut self, local: u32) -> bool {
        let n = self.ops.len();
        if n < 2 || n - 2 < self.barrier {
            return false;
        }
        match self.ops[n - 2..] {
            [Op::LocalGet(l), Op::I64AddConst(c)]
                if l == local && i32::try_from(c as i64).is_ok() =>
            {
                self.ops.truncate(n - 2);
                self.ops.push(Op::LocalIncrI64(local, c as i64 as i32));
                true
            }
            _ => false,
        }
    }

    fn place_label(&mut self) {
        self.barrier = self.ops.len();
    }

    fn patch(&mut self, at: usize, target: usize) {
        let offset = target as i64 - at as i64;
        let slot = self.ops[at]
            .branch_offset_mut()
            .expect("patching a non-branch op");
        *slot = offset as i32;
    }

    /// Resolves a branch to relative depth `depth` taken at operand height `height`.
    fn branch(&self, depth: u32, height: u32) -> Branch {
        let depth = depth as usize;
        if depth + 1 == self.ctrl.len() {
            return Branch::Return;
        }
        let frame = self
            .v
            .get_control_frame(depth)
            .expect("validated branch depth");
        let (params, results) = block_arity(self.info, frame.block_type);
        let ctrl = &self.ctrl[self.ctrl.len() - 1 - depth];
        let (target, keep) = match ctrl.loop_start {
            Some(start) => (BranchTarget::At(start), params),
            None => (BranchTarget::EndOf(depth), results),
        };
        let drop = height - frame.height as u32 - keep; // validation guarantees no underflow
        Branch::Jump { target, drop, keep }
    }

    /// Emits `op` as a jump to `target`, registering forward jumps for patching.
    fn emit_jump(&mut self, op: Op, target: BranchTarget) {
        let at = self.emit(op);
        self.link(at, target);
    }

    fn link(&mut self, at: usize, target: BranchTarget) {
        match target {
            BranchTarget::At(pos) => self.patch(at, pos),
            BranchTarget::EndOf(depth) => {
                let idx = self.ctrl.len() - 1 - depth;
                self.ctrl[idx].pending.push(at);
            }
        }
    }

    fn emit_br(&mut self, depth: u32, height: u32) {
        match self.branch(depth, height) {
            Branch::Return => {
                self.emit(Op::Return {
                    results: self.num_results,
                });
            }
            Branch::Jump {
                target, drop: 0, ..
            } => self.emit_jump(Op::Br { offset: 0 }, target),
            Branch::Jump { target, drop, keep } => self.emit_jump(
                Op::BrAdjust {
                    offset: 0,
                    drop,
                    keep,
                },
                target,
            ),
        }
    }

    fn emit_br_if(&mut self, depth: u32, height: u32) {
        match self.branch(depth, height) {
            Branch::Jump {
                target, drop: 0, ..
            } => self.emit_jump(Op::BrIfNez { offset: 0 }, target),
            _ => {
                // Skip over the unconditional (adjusting) branch when the condition is zero.
                let skip = self.emit(Op::BrIfEqz { offset: 0 });
                self.emit_br(depth, height);
                self.place_label();
                let end = self.ops.len();
                self.patch(skip, end);
            }
        }
    }

    fn emit_br_table(
        &mut self,
        targets: &wasmparser::BrTable<'_>,
        height: u32,
    ) -> Result<(), ModuleError> {
        let depths = targets
            .targets()
            .collect::<Result<Vec<u32>, _>>()
            .map_err(malformed)?;
        self.emit(Op::BrTable {
            len: depths.len() as u32,
        });
        for depth in depths.into_iter().chain([targets.default()]) {
            // Entries are executed in place, so they are plain ops that are never fused.
            match self.branch(depth, height) {
                Branch::Return => self.ops.push(Op::Return {
                    results: self.num_results,
                }),
                Branch::Jump { target, drop, keep } => {
                    self.ops.push(Op::BrAdjust {
                        offset: 0,
                        drop,
                        keep,
                    });
                    let at = self.ops.len() - 1;
                    self.link(at, target);
                }
            }
        }
        self.place_label();
        Ok(())
    }

    fn translate_op(&mut self, op: Operator<'_>, offset: u64) -> Result<(), ModuleError> {
        let reachable = self.reachable();
        let height = self.height();
        self.v.op(offset, &op).map_err(invalid)?;
        self.max_height = self.max_height.max(self.height());

        match op {
            Operator::Block { .. } => self.ctrl.push(Ctrl {
                dead: !reachable,
                loop_start: None,
                pending: Vec::new(),
                else_jump: None,
            }),
            Operator::Loop { .. } => {
                self.place_label();
                let start = self.ops.len();
                if reachable && self.count_loops {
                    self.emit(Op::TierLoop {
                        loop_index: self.loops_seen,
                    });
                }
                self.loops_seen += 1;
                self.ctrl.push(Ctrl {
                    dead: !reachable,
                    loop_start: Some(start),
                    pending: Vec::new(),
                    else_jump: None,
                });
            }
            Operator::If { .. } => {
                let else_jump = reachable.then(|| self.emit(Op::BrIfEqz { offset: 0 }));
                self.ctrl.push(Ctrl {
                    dead: !reachable,
                    loop_start: None,
                    pending: Vec::new(),
                    else_jump,
                });
            }
            Operator::Else => {
                if reachable {
                    let at = self.emit(Op::Br { offset: 0 });
                    self.ctrl.last_mut().unwrap().pending.push(at);
                }
                self.place_label();
                if let Some(at) = self.ctrl.last_mut().unwrap().else_jump.take() {
                    let here = self.ops.len();
                    self.patch(at, here);
                }
            }
            Operator::End => {
                let ctrl = self.ctrl.pop().expect("validated end");
                if self.ctrl.is_empty() {
                    if reachable {
                        self.emit(Op::Return {
                            results: self.num_results,
                        });
                    }
                    return Ok(());
                }
                self.place_label();
                let here = self.ops.len();
                for at in ctrl.pending.into_iter().chain(ctrl.else_jump) {
                    self.patch(at, here);
                }
            }
            _ if !reachable => {}
            Operator::Br { relative_depth } => self.emit_br(relative_depth, height),
            Operator::BrIf { relative_depth } => self.emit_br_if(relative_depth, height - 1),
            Operator::BrTable { targets } => self.emit_br_table(&targets, height - 1)?,
            Operator::Return => {
                self.emit(Op::Return {
                    results: self.num_results,
                });
            }
            op => {
                if let Some(op) = self.simple(op) {
                    self.emit(op);
                }
            }
        }
        Ok(())
    }

    /// Ops that translate without control-flow bookkeeping. `None` means "emit nothing".
    fn simple(&self, op: Operator<'_>) -> Option<Op> {
        macro_rules! map_simple {
            ($($name:ident)*) => {
                match op {
                    $(Operator::$name => return Some(Op::$name),)*
                    _ => {}
                }
            };
        }
        simple_ops!(map_simple);
        let o = |m: wasmparser::MemArg| m.offset as u32;
        Some(match op {
            Operator::Unreachable => Op::Unreachable,
            Operator::Nop => return None,
            Operator::Drop => Op::Drop,
            Operator::Select | Operator::TypedSelect { .. } => Op::Select,
            Operator::LocalGet { local_index } => Op::LocalGet(local_index),
            Operator::LocalSet { local_index } => Op::LocalSet(local_index),
            Operator::LocalTee { local_index } => Op::LocalTee(local_index),
            Operator::GlobalGet { global_index } => Op::GlobalGet(global_index),
            Operator::GlobalSet { global_index } => Op::GlobalSet(global_index),
            Operator::I32Const { value } => Op::Const32(value as u32),
            Operator::I64Const { value } => Op::Const64(value as u64),
            Operator::F32Const { value } => Op::Const32(value.bits()),
            Operator::F64Const { value } => Op::Const64(value.bits()),
            // Values are kept zero-extended in 64-bit slots: these change no bits.
            Operator::I64ExtendI32U
            | Operator::I32ReinterpretF32
            | Operator::I64ReinterpretF64
            | Operator::F32ReinterpretI32
            | Operator::F64ReinterpretI64 => return None,
            Operator::I32Load { memarg } | Operator::F32Load { memarg } => {
                Op::I32Load { offset: o(memarg) }
            }
            Operator::I64Load { memarg } | Operator::F64Load { memarg } => {
                Op::I64Load { offset: o(memarg) }
            }
            Operator::I32Load8S { memarg } => Op::I32Load8S { offset: o(memarg) },
            Operator::I32Load8U { memarg } => Op::I32Load8U { offset: o(memarg) },
            Operator::I32Load16S { memarg } => Op::I32Load16S { offset: o(memarg) },
            Operator::I32Load16U { memarg } => Op::I32Load16U { offset: o(memarg) },
            Operator::I64Load8S { memarg } => Op::I64Load8S { offset: o(memarg) },
            Operator::I64Load8U { memarg } => Op::I64Load8U { offset: o(memarg) },
            Operator::I64Load16S { memarg } => Op::I64Load16S { offset: o(memarg) },
            Operator::I64Load16U { memarg } => Op::I64Load16U { offset: o(memarg) },
            Operator::I64Load32S { memarg } => Op::I64Load32S { offset: o(memarg) },
            Operator::I64Load32U { memarg } => Op::I64Load32U { offset: o(memarg) },
            Operator::I32Store { memarg } | Operator::F32Store { memarg } => {
                Op::I32Store { offset: o(memarg) }
            }
            Operator::I64Store { memarg } | Operator::F64Store { memarg } => {
                Op::I64Store { offset: o(memarg) }
            }
            Operator::I32Store8 { memarg } => Op::I32Store8 { offset: o(memarg) },
            Operator::I32Store16 { memarg } => Op::I32Store16 { offset: o(memarg) },
            Operator::I64Store8 { memarg } => Op::I64Store8 { offset: o(memarg) },
            Operator::I64Store16 { memarg } => Op::I64Store16 { offset: o(memarg) },
            Operator::I64Store32 { memarg } => Op::I64Store32 { offset: o(memarg) },
            Operator::MemorySize { .. } => Op::MemorySize,
            Operator::MemoryGrow { .. } => Op::MemoryGrow,
            Operator::MemoryFill { .. } => Op::MemoryFill,
            Operator::MemoryCopy { .. } => Op::MemoryCopy,
            Operator::MemoryInit { data_index, .. } => Op::MemoryInit { data: data_index },
            Operator::DataDrop { data_index } => Op::DataDrop { data: data_index },
            Operator::TableGet { table } => Op::TableGet { table },
            Operator::TableSet { table } => Op::TableSet { table },
            Operator::TableSize { table } => Op::TableSize { table },
            Operator::TableGrow { table } => Op::TableGrow { table },
            Operator::TableFill { table } => Op::TableFill { table },
            Operator::TableCopy {
                dst_table,
                src_table,
            } => Op::TableCopy {
                dst: dst_table,
                src: src_table,
            },
            Operator::TableInit { elem_index, table } => Op::TableInit {
                table,
                elem: elem_index,
            },
            Operator::ElemDrop { elem_index } => Op::ElemDrop { elem: elem_index },
            Operator::RefNull { .. } => Op::RefNull,
            Operator::RefIsNull => Op::RefIsNull,
            Operator::RefFunc { function_index } => Op::RefFunc {
                func: function_index,
            },
            Operator::Call { function_index } => {
                match function_index.checked_sub(self.info.num_imported_funcs) {
                    Some(def) => Op::CallInternal { def },
                    None => Op::CallFunc {
                        func: function_index,
                    },
                }
            }
            Operator::CallIndirect {
                type_index,
                table_index,
            } => Op::CallIndirect {
                type_index,
                table: table_index,
            },
            // The validator rejects everything else under wasmtier's feature set.
            other => unreachable!("validated operator {other:?} has no translation"),
        })
    }
}

enum Fused {
    Replace(Op),
    Split(Op, Op),
}

/// Peephole fusion of `prev; op` into fewer or cheaper ops.
fn fuse(prev: Op, op: Op) -> Option<Fused> {
    use Fused::*;
    Some(match (prev, op) {
        (Op::LocalGet(a), Op::LocalGet(b)) => Replace(Op::LocalGet2(a, b)),
        (Op::Const32(c), Op::I32Add) => Replace(Op::I32AddConst(c as i32)),
        (Op::Const32(c), Op::I32Sub) => Replace(Op::I32AddConst((c as i32).wrapping_neg())),
        (Op::LocalGet(b), op) if LocalBinOp::of(op).is_some() => {
            Replace(Op::LocalBin(LocalBinOp::of(op)?, b))
        }
        (Op::LocalGet2(a, b), op) if LocalBinOp::of(op).is_some() => {
            Replace(Op::LocalBin2(LocalBinOp::of(op)?, a, b))
        }
        (Op::LocalBin(op, b), Op::LocalSet(d)) => Replace(Op::LocalBinSet(op, b, d)),
        (Op::LocalGet(local), Op::I32Load { offset }) => {
            Replace(Op::I32LoadLocal { local, offset })
        }
        (Op::LocalGet(local), Op::I32Load8U { offset }) => {
            Replace(Op::I32Load8ULocal { local, offset })
        }
        (Op::LocalGet(l), Op::I32AddConst(c)) => Replace(Op::LocalAddConst(l, c)),
        (Op::LocalAddConst(l, c), Op::LocalSet(d)) if l == d => Replace(Op::LocalIncrI32(l, c)),
        (Op::LocalGet2(x, local), Op::I32Load { offset }) => {
            Split(Op::LocalGet(x), Op::I32LoadLocal { local, offset })
        }
        (Op::LocalGet2(x, l), Op::I32AddConst(c)) => {
            Split(Op::LocalGet(x), Op::LocalAddConst(l, c))
        }
        (prev, Op::LocalSet(d)) if LocalBinOp::of(prev).is_some() => {
            Replace(Op::BinSet(LocalBinOp::of(prev)?, d))
        }
        (Op::LocalBin2(op, a, b), Op::BrIfNez { offset }) if a <= 0xffff && b <= 0xffff => {
            Replace(Op::BrIfLocalBin2Nez { op, a, b, offset })
        }
        (Op::LocalBin2(op, a, b), Op::BrIfEqz { offset }) if a <= 0xffff && b <= 0xffff => {
            Replace(Op::BrIfLocalBin2Eqz { op, a, b, offset })
        }
        (Op::LocalBin2(op, a, b), Op::LocalSet(d)) if b <= 0xffff && d <= 0xffff => {
            Replace(Op::LocalBin2Set(op, a, b, d))
        }
        // `local.tee` keeps the value: store it, then read it back (which may fuse further).
        (Op::LocalBin2(op, a, b), Op::LocalTee(d)) if b <= 0xffff && d <= 0xffff => {
            Split(Op::LocalBin2Set(op, a, b, d), Op::LocalGet(d))
        }
        (Op::LocalGet(l), Op::BrIfNez { offset }) => Replace(Op::BrIfLocalNez { local: l, offset }),
        (Op::I32Eqz, Op::BrIfNez { offset }) => Replace(Op::BrIfEqz { offset }),
        (Op::I32Eqz, Op::BrIfEqz { offset }) => Replace(Op::BrIfNez { offset }),
        (Op::I32LtS, Op::BrIfNez { offset }) | (Op::I32GeS, Op::BrIfEqz { offset }) => {
            Replace(Op::BrIfI32LtS { offset })
        }
        (Op::I32GeS, Op::BrIfNez { offset }) | (Op::I32LtS, Op::BrIfEqz { offset }) => {
            Replace(Op::BrIfI32GeS { offset })
        }
        (Op::I32LtU, Op::BrIfNez { offset }) | (Op::I32GeU, Op::BrIfEqz { offset }) => {
            Replace(Op::BrIfI32LtU { offset })
        }
        (Op::I32GeU, Op::BrIfNez { offset }) | (Op::I32LtU, Op::BrIfEqz { offset }) => {
            Replace(Op::BrIfI32GeU { offset })
        }
        (Op::I32Eq, Op::BrIfNez { offset }) | (Op::I32Ne, Op::BrIfEqz { offset }) => {
            Replace(Op::BrIfI32Eq { offset })
        }
        (Op::I32Ne, Op::BrIfNez { offset }) | (Op::I32Eq, Op::BrIfEqz { offset }) => {
            Replace(Op::BrIfI32Ne { offset })
        }
        (Op::LocalGet(a), Op::LocalSet(b)) => Replace(Op::LocalCopy(a, b)),
        (Op::Const32(c), Op::LocalSet(l)) => Replace(Op::LocalSetConst(l, c)),
        (Op::Const64(c), Op::LocalSet(l)) if c <= u32::MAX as u64 => {
            Replace(Op::LocalSetConst(l, c as u32))
        }
        (Op::Const32(c), Op::I32DivU) if c != 0 => Replace(Op::I32DivUConst(c)),
        (Op::Const32(c), Op::I32RemU) if c != 0 => Replace(Op::I32RemUConst(c)),
        (Op::Const32(c), Op::I32DivS) if c != 0 && c as i32 != -1 => Replace(Op::I32DivSConst(c)),
        (Op::Const32(c), Op::I32RemS) if c != 0 && c as i32 != -1 => Replace(Op::I32RemSConst(c)),
        (Op::Const64(c), Op::I64DivU) if c != 0 => Replace(Op::I64DivUConst(c)),
        (Op::Const64(c), Op::I64RemU) if c != 0 => Replace(Op::I64RemUConst(c)),
        (Op::Const64(c), Op::I64DivS) if c != 0 && c as i64 != -1 => Replace(Op::I64DivSConst(c)),
        (Op::Const64(c), Op::I64RemS) if c != 0 && c as i64 != -1 => Replace(Op::I64RemSConst(c)),
        (Op::LocalGet2(x, a), Op::LocalSet(b)) => Split(Op::LocalGet(x), Op::LocalCopy(a, b)),
        (Op::LocalSet(a), Op::LocalGet(b)) if a == b => Replace(Op::LocalTee(a)),
        (Op::Const32(c), Op::I32Mul) => Replace(Op::I32MulConst(c)),
        (Op::Const32(c), Op::I32And) => Replace(Op::I32AndConst(c)),
        (Op::Const32(c), Op::I32Or) => Replace(Op::I32OrConst(c)),
        (Op::Const32(c), Op::I32Xor) => Replace(Op::I32XorConst(c)),
        (Op::Const32(c), Op::I32Shl) => Replace(Op::I32ShlConst(c)),
        (Op::Const32(c), Op::I32ShrS) => Replace(Op::I32ShrSConst(c)),
        (Op::Const32(c), Op::I32ShrU) => Replace(Op::I32ShrUConst(c)),
        (Op::Const32(c), Op::I32Eq) => Replace(Op::I32EqConst(c)),
        (Op::Const32(c), Op::I32Ne) => Replace(Op::I32NeConst(c)),
        (Op::Const32(c), Op::I32LtS) => Replace(Op::I32LtSConst(c)),
        (Op::Const32(c), Op::I32LtU) => Replace(Op::I32LtUConst(c)),
        (Op::Const32(c), Op::I32GtS) => Replace(Op::I32GtSConst(c)),
        (Op::Const32(c), Op::I32GtU) => Replace(Op::I32GtUConst(c)),
        (Op::Const32(c), Op::I32LeS) => Replace(Op::I32LeSConst(c)),
        (Op::Const32(c), Op::I32LeU) => Replace(Op::I32LeUConst(c)),
        (Op::Const32(c), Op::I32GeS) => Replace(Op::I32GeSConst(c)),
        (Op::Const32(c), Op::I32GeU) => Replace(Op::I32GeUConst(c)),
        (Op::Const64(c), Op::I64Add) => Replace(Op::I64AddConst(c)),
        (Op::Const64(c), Op::I64Mul) => Replace(Op::I64MulConst(c)),
        (Op::Const64(c), Op::I64And) => Replace(Op::I64AndConst(c)),
        (Op::Const64(c), Op::I64Or) => Replace(Op::I64OrConst(c)),
        (Op::Const64(c), Op::I64Xor) => Replace(Op::I64XorConst(c)),
        (Op::Const64(c), Op::I64Shl) => Replace(Op::I64ShlConst(c)),
        (Op::Const64(c), Op::I64ShrS) => Replace(Op::I64ShrSConst(c)),
        (Op::Const64(c), Op::I64ShrU) => Replace(Op::I64ShrUConst(c)),
        (Op::Const64(c), Op::I64Sub) => Replace(Op::I64AddConst(c.wrapping_neg())),
        (Op::I32GtS, Op::BrIfNez { offset }) | (Op::I32LeS, Op::BrIfEqz { offset }) => {
            Replace(Op::BrIfI32GtS { offset })
        }
        (Op::I32GtU, Op::BrIfNez { offset }) | (Op::I32LeU, Op::BrIfEqz { offset }) => {
            Replace(Op::BrIfI32GtU { offset })
        }
        (Op::I32LeS, Op::BrIfNez { offset }) | (Op::I32GtS, Op::BrIfEqz { offset }) => {
            Replace(Op::BrIfI32LeS { offset })
        }
        (Op::I32LeU, Op::BrIfNez { offset }) | (Op::I32GtU, Op::BrIfEqz { offset }) => {
            Replace(Op::BrIfI32LeU { offset })
        }
        (Op::I32LtSConst(c), Op::BrIfNez { offset })
        | (Op::I32GeSConst(c), Op::BrIfEqz { offset }) => {
            Replace(Op::BrIfI32LtSConst { c, offset })
        }
        (Op::I32LtUConst(c), Op::BrIfNez { offset })
        | (Op::I32GeUConst(c), Op::BrIfEqz { offset }) => {
            Replace(Op::BrIfI32LtUConst { c, offset })
        }
        (Op::I32GtSConst(c), Op::BrIfNez { offset })
        | (Op::I32LeSConst(c), Op::BrIfEqz { offset }) => {
            Replace(Op::BrIfI32GtSConst { c, offset })
        }
        (Op::I32GtUConst(c), Op::BrIfNez { offset })
        | (Op::I32LeUConst(c), Op::BrIfEqz { offset }) => {
            Replace(Op::BrIfI32GtUConst { c, offset })
        }
        (Op::I32LeSConst(c), Op::BrIfNez { offset })
        | (Op::I32GtSConst(c), Op::BrIfEqz { offset }) => {
            Replace(Op::BrIfI32LeSConst { c, offset })
        }
        (Op::I32LeUConst(c), Op::BrIfNez { offset })
        | (Op::I32GtUConst(c), Op::BrIfEqz { offset }) => {
            Replace(Op::BrIfI32LeUConst { c, offset })
        }
        (Op::I32GeSConst(c), Op::BrIfNez { offset })
        | (Op::I32LtSConst(c), Op::BrIfEqz { offset }) => {
            Replace(Op::BrIfI32GeSConst { c, offset })
        }
        (Op::I32GeUConst(c), Op::BrIfNez { offset })
        | (Op::I32LtUConst(c), Op::BrIfEqz { offset }) => {
            Replace(Op::BrIfI32GeUConst { c, offset })
        }
        (Op::I32EqConst(c), Op::BrIfNez { offset })
        | (Op::I32NeConst(c), Op::BrIfEqz { offset }) => Replace(Op::BrIfI32EqConst { c, offset }),
        (Op::I32NeConst(c), Op::BrIfNez { offset })
        | (Op::I32EqConst(c), Op::BrIfEqz { offset }) => Replace(Op::BrIfI32NeConst { c, offset }),
        (Op::I64Eqz, Op::BrIfNez { offset }) => Replace(Op::BrIfI64Eqz { offset }),
        (Op::I64Eqz, Op::BrIfEqz { offset }) => Replace(Op::BrIfI64Nez { offset }),
        _ => return None,
    })
}
