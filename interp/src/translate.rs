//! wasm function body -> interpreter bytecode, validating as it goes.
//!
//! The translator runs the wasm operand stack at translation time (`stack`), so it knows
//! the slot of every operand (see `ops.rs`). `local.get` and constants push no code: they
//! enter the stack as *pending* operands (`Operand::Local`, `Operand::Const`) that the
//! consuming op reads directly (a local's slot, or an immediate). An operand becomes a
//! temporary in its own slot ("materialized") only where an op needs it there: call
//! arguments, values that stay on the stack across a label, and pending reads of a local
//! that is about to be written. A `local.set` after an op redirects the op's result into
//! the local instead of copying it.
//!
//! Control flow keeps one invariant: at every label (block end, loop header, else), every
//! operand on the stack is a temporary in its own slot. Branches move the values they carry
//! into the target's slots on the taken path only, so a conditional branch leaves the
//! fall-through path's pending operands as they were.

use wasmparser::{
    BlockType, FuncValidator, FuncValidatorAllocations, Operator, ValidatorResources,
};
use wasmtier_runtime::module::{ModuleError, ModuleInfo, PendingBody};

use crate::code::{Instr, link};
use crate::ops::{
    BinOp, BinTrapOp, COPY_DST_64, COPY_SRC_64, CmpOp, LoadOp, MEMARG_64, Op, Slot, StoreOp, UnOp,
    UnTrapOp, WideOp,
};
use crate::tier::{Hotness, Tiering};

mod simd;

/// Frames address slots with 16 bits.
const MAX_SLOTS: u32 = 1 << 16;

/// Wide constants a function keeps in frame slots (see `CompiledFunc::num_frame_consts`);
/// any beyond are loaded by `Op::ConstPool`.
const MAX_FRAME_CONSTS: usize = 64;

/// A translated function.
#[derive(Debug)]
pub struct CompiledFunc {
    /// The bytecode (for disassembly).
    pub ops: Box<[Op]>,
    /// The same instructions in threaded form, which is what runs.
    pub code: Box<[Instr]>,
    /// 64-bit constants too wide for an immediate. The first `num_frame_consts` are copied
    /// into the frame on entry, to the slots right after the locals, where ops read them
    /// like locals (no instruction per use); the others are loaded by `Op::ConstPool`.
    pub consts: Box<[u64]>,
    pub num_frame_consts: u32,
    /// Index in the module's function index space.
    pub func_index: u32,
    /// Slots of the parameters (a `v128` takes two).
    pub num_params: u32,
    /// Slots of the parameters plus declared locals.
    pub num_locals: u32,
    /// Slots of the results.
    pub num_results: u32,
    /// Slots a call needs: locals, frame constants and the deepest operand stack.
    pub frame_size: u32,
    /// Fuel charged on entry: the function's wasm operators outside loops.
    pub entry_cost: u32,
    /// Call and loop counters of tiered execution.
    pub hotness: Hotness,
    /// The handlers of the function's `try_table`s, an inner one before the ones around
    /// it (see `Exec::catch`).
    pub handlers: Box<[TryHandler]>,
}

/// The catch clauses of one `try_table`, which apply to exceptions thrown (or coming back
/// from calls) at ops `start..end`: its body.
#[derive(Debug)]
pub struct TryHandler {
    pub start: u32,
    pub end: u32,
    pub clauses: Box<[CatchClause]>,
}

/// One catch clause: which exceptions it catches, where their values go and where
/// execution continues.
#[derive(Debug, Clone, Copy)]
pub struct CatchClause {
    /// The module tag index it catches, or `None` for `catch_all` and `catch_all_ref`.
    pub tag: Option<u32>,
    /// `catch_ref` or `catch_all_ref`: the exception reference follows the payload.
    pub with_ref: bool,
    /// The landing pad: an op that branches to the clause's label with the values in place.
    pub pad: u32,
    /// The first slot of the label's values (the payload, then the reference).
    pub base: Slot,
}

/// An operand on the translation-time stack.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Operand {
    /// In its own slot (the slot of its stack position).
    Temp,
    /// The current value of a local, not copied yet.
    Local(Slot),
    /// A constant (raw slot bits), not materialized yet.
    Const(u64),
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
    /// Stack height below the block's parameters.
    height: usize,
    params: usize,
    results: usize,
    /// A `try_table`: the first op of its body and its catch clauses.
    try_table: Option<(usize, Vec<CatchClause>)>,
}

/// Where a branch goes.
enum Target {
    Return,
    /// To control frame `index` (from the outermost), whose values start at slot `base`.
    Label {
        index: usize,
        keep: usize,
        base: Slot,
    },
}

/// The address of a memory access folded from the `i32.add` that computed it
/// (`Translator::take_address_sum`).
enum AddressSum {
    /// The sum of two slots.
    Slots(Slot, Slot),
    /// A slot plus a constant.
    Imm(Slot, u32),
    /// `a + (b << shift)`, offset 0.
    Shifted(Slot, Slot, u16),
}

/// The operand class of a binary operation (`Translator::binary_form`).
enum BinForm {
    Slots {
        dst: Slot,
        a: Slot,
        b: Slot,
    },
    /// The right operand is a constant.
    RightImm {
        dst: Slot,
        a: Slot,
        b: u32,
    },
    /// The left operand was a constant: the swapped operation takes it on the right.
    Swapped {
        dst: Slot,
        a: Slot,
        b: u32,
    },
    /// The left operand is a constant.
    LeftImm {
        dst: Slot,
        a: u32,
        b: Slot,
    },
}

struct Translator<'a> {
    info: &'a ModuleInfo,
    v: FuncValidator<ValidatorResources>,
    ops: Vec<Op>,
    consts: Vec<u64>,
    ctrl: Vec<Ctrl>,
    /// The operand stack, one entry per slot: a `v128` takes two consecutive entries (its
    /// low and high halves), which are always both temporaries, both the halves of one
    /// local, or both constants.
    stack: Vec<Operand>,
    local_slots: LocalSlots,
    /// Slots of the locals (parameters included).
    num_locals: u32,
    /// Constants kept in frame slots (the first entries of `consts`).
    num_frame_consts: usize,
    num_results: usize,
    max_height: usize,
    /// Ops before this index may not be fused with later ones: a label lies in between.
    barrier: usize,
    /// Tiered execution: every loop header counts its iterations (`Op::TierLoop`).
    count_loops: bool,
    /// `loop` operators seen so far, reachable or not.
    loops_seen: u32,
    /// Fuel of the regions being translated: the function body outside loops, then one
    /// entry per enclosing loop, with the index of its header op.
    costs: Vec<(u32, Option<usize>)>,
    /// The handlers of the `try_table`s translated so far.
    handlers: Vec<TryHandler>,
}

/// Where each local lives in the frame. Locals take one slot each, except `v128` ones,
/// which take two; only a function with a `v128` local needs a table.
enum LocalSlots {
    /// Local `i` is slot `i`.
    Dense,
    /// The slot of each local, and the first slot after them.
    Mapped(Vec<u32>, u32),
}

impl LocalSlots {
    fn new(params: &[wasmtier_runtime::ValType]) -> LocalSlots {
        let mut slots = LocalSlots::Dense;
        for (defined, ty) in params.iter().enumerate() {
            slots.add(defined as u32, 1, *ty == wasmtier_runtime::ValType::V128);
        }
        slots
    }

    /// Appends `count` locals (`v128`s if `wide`) after the `defined` ones so far.
    /// Validation bounds the number of locals (50,000), so nothing here overflows.
    fn add(&mut self, defined: u32, count: u32, wide: bool) {
        if let LocalSlots::Dense = self {
            if !wide {
                return;
            }
            *self = LocalSlots::Mapped((0..defined).collect(), defined);
        }
        if let LocalSlots::Mapped(map, end) = self {
            let width = if wide { 2 } else { 1 };
            for _ in 0..count {
                map.push(*end);
                *end += width;
            }
        }
    }

    /// The (first) slot of local `index`.
    fn slot(&self, index: u32) -> Slot {
        match self {
            LocalSlots::Dense => index as Slot,
            LocalSlots::Mapped(map, _) => map[index as usize] as Slot,
        }
    }
}

fn invalid(e: wasmparser::BinaryReaderError) -> ModuleError {
    ModuleError::Invalid(format!("{} (at offset {:#x})", e.message(), e.offset()))
}

fn malformed(e: wasmparser::BinaryReaderError) -> ModuleError {
    ModuleError::Malformed(format!("{} (at offset {:#x})", e.message(), e.offset()))
}

fn too_large(what: &str) -> ModuleError {
    ModuleError::Unsupported(format!(
        "function too large for the interpreter: {what} (the limit is 65535)"
    ))
}

/// Validates and translates one function body.
pub fn translate_function(
    info: &ModuleInfo,
    pending: PendingBody<'_>,
    allocs: FuncValidatorAllocations,
    tiering: Option<&Tiering>,
) -> Result<(CompiledFunc, FuncValidatorAllocations), ModuleError> {
    let ty = info.func_type(pending.func_index);
    let num_params = ty.param_slots() as u32;
    let num_results = ty.result_slots() as u32;
    let mut v = pending.validator.into_validator(allocs);
    let mut num_locals = num_params;
    let mut local_slots = LocalSlots::new(ty.params());
    let mut num_defined = ty.params().len() as u32;
    let mut locals = pending.body.get_locals_reader().map_err(malformed)?;
    for _ in 0..locals.get_count() {
        let offset = locals.original_position();
        let (count, ty) = locals.read().map_err(malformed)?;
        v.define_locals(offset, count, ty).map_err(invalid)?;
        let wide = ty == wasmparser::ValType::V128;
        local_slots.add(num_defined, count, wide);
        num_defined += count;
        let slots = if wide { 2 } else { 1 };
        num_locals = num_locals.saturating_add(count.saturating_mul(slots));
    }
    let consts = frame_constants(&pending.body)?;
    let mut t = Translator {
        info,
        v,
        ops: Vec::new(),
        num_frame_consts: consts.len(),
        consts,
        ctrl: vec![Ctrl {
            dead: false,
            loop_start: None,
            pending: Vec::new(),
            else_jump: None,
            height: 0,
            params: 0,
            results: num_results as usize,
            try_table: None,
        }],
        stack: Vec::new(),
        local_slots,
        num_locals,
        num_results: num_results as usize,
        max_height: 0,
        barrier: 0,
        count_loops: tiering.is_some(),
        loops_seen: 0,
        costs: vec![(0, None)],
        handlers: Vec::new(),
    };
    if tiering.is_some() {
        t.emit(Op::TierEntry);
    }
    let mut reader = pending.body.get_operators_reader().map_err(malformed)?;
    while !reader.eof() {
        let (op, offset) = reader.read_with_offset().map_err(malformed)?;
        t.translate_op(op, offset)?;
    }
    reader.finish().map_err(malformed)?;
    let frame_size = num_locals as u64 + t.num_frame_consts as u64 + t.max_height as u64;
    if frame_size > MAX_SLOTS as u64 - 1 {
        return Err(too_large(&format!(
            "{num_locals} locals and an operand stack of {} values",
            t.max_height
        )));
    }
    thread_jumps(&mut t.ops);
    verify(&t.ops, frame_size as u32)?;
    let code = link(&t.ops)?;
    let func = CompiledFunc {
        ops: t.ops.into_boxed_slice(),
        code,
        consts: t.consts.into_boxed_slice(),
        num_frame_consts: t.num_frame_consts as u32,
        func_index: pending.func_index,
        num_params,
        num_locals,
        num_results,
        frame_size: frame_size as u32,
        entry_cost: t.costs[0].0,
        hotness: Hotness::new(tiering),
        handlers: t.handlers.into_boxed_slice(),
    };
    Ok((func, t.v.into_allocations()))
}

/// Whether a constant needs more than an immediate field: neither 32 bits zero-extended
/// nor sign-extended.
fn is_wide(bits: u64) -> bool {
    bits > u32::MAX as u64 && !fits_imm(true, bits)
}

/// The distinct wide constants of a body, in order of appearance, at most
/// `MAX_FRAME_CONSTS`. A quick pass before translation, so that the operand stack's slots
/// can start after them.
fn frame_constants(body: &wasmparser::FunctionBody<'_>) -> Result<Vec<u64>, ModuleError> {
    let mut consts = Vec::new();
    let mut reader = body.get_operators_reader().map_err(malformed)?;
    while !reader.eof() && consts.len() < MAX_FRAME_CONSTS {
        let bits = match reader.read().map_err(malformed)? {
            Operator::I64Const { value } => value as u64,
            Operator::F64Const { value } => value.bits(),
            _ => continue,
        };
        if is_wide(bits) && !consts.contains(&bits) {
            consts.push(bits);
        }
    }
    Ok(consts)
}

/// Jump threading: a branch to a `Br` goes straight to that branch's target, and a `Br` to
/// a return becomes that return (which names absolute slots). Loop back edges (`BrLoop`)
/// are left in place, as they carry the loop's safepoint.
fn thread_jumps(ops: &mut [Op]) {
    for at in 0..ops.len() {
        let Some(offset) = ops[at].branch_offset_mut().map(|o| *o) else {
            continue;
        };
        let mut target = (at as i64 + offset as i64) as usize;
        // Bounded, so that a cycle of plain branches (an empty infinite loop has a
        // `BrLoop` in it, but be safe) cannot hang translation.
        for _ in 0..8 {
            match ops.get(target) {
                Some(&Op::Br { offset }) => target = (target as i64 + offset as i64) as usize,
                _ => break,
            }
        }
        if let (Op::Br { .. }, Some(&ret @ Op::Return { .. })) = (ops[at], ops.get(target)) {
            ops[at] = ret;
            continue;
        }
        if let Some(offset) = ops[at].branch_offset_mut() {
            *offset = (target as i64 - at as i64) as i32;
        }
    }
}

/// Checks the translation's output before anything runs it: every slot an op touches lies
/// in the frame, and every branch lands on an op of the function. The handlers access slots
/// and follow branches without checks, so a translator bug must end here, as an error,
/// rather than as a wild memory access.
fn verify(ops: &[Op], frame_size: u32) -> Result<(), ModuleError> {
    let bug =
        |what: String| ModuleError::Unsupported(format!("interpreter translation bug: {what}"));
    for (at, op) in ops.iter().enumerate() {
        let mut bad = None;
        op.for_each_slot_range(|first, count| {
            if first as u32 + count as u32 > frame_size {
                bad = Some((first, count));
            }
        });
        if let Some((first, count)) = bad {
            return Err(bug(format!(
                "op {at} ({op:?}) uses slots {first}..{} of a {frame_size}-slot frame",
                first as u32 + count as u32
            )));
        }
        let mut op = *op;
        if let Some(&mut offset) = op.branch_offset_mut() {
            let target = at as i64 + offset as i64;
            if target < 0 || target >= ops.len() as i64 {
                return Err(bug(format!(
                    "op {at} ({op:?}) branches outside the function"
                )));
            }
        }
        if let Op::BrTable { len, .. } = op
            && at as u64 + len as u64 + 1 >= ops.len() as u64
        {
            return Err(bug(format!("op {at}: br_table entries past the end")));
        }
    }
    match ops.last() {
        Some(
            Op::Return { .. }
            | Op::ReturnCallInternal { .. }
            | Op::ReturnCallFunc { .. }
            | Op::ReturnCallIndirect { .. }
            | Op::ReturnCallRef { .. }
            | Op::Br { .. }
            | Op::BrLoop { .. }
            | Op::Throw { .. }
            | Op::ThrowRef { .. }
            | Op::Unreachable,
        )
        | None => Ok(()),
        Some(op) => Err(bug(format!(
            "the code ends with {op:?}, which falls through"
        ))),
    }
}

/// The memory a load or store accesses (the GC proposal's array accesses, the other kind of
/// target, are not enabled).
fn memory_of(memarg: &wasmparser::MemArg) -> u32 {
    match memarg.target {
        wasmparser::MemArgTarget::Memory(index) => index,
        wasmparser::MemArgTarget::Array(_) => unreachable!("validated without GC"),
    }
}

/// A memory index as the bulk-memory ops hold it.
fn memory_index(memory: u32) -> Result<u16, ModuleError> {
    u16::try_from(memory).map_err(|_| too_large("memory index"))
}

/// Parameter and result counts of a block type.
/// The slots a block's parameters and results take.
fn block_arity(info: &ModuleInfo, bt: BlockType) -> (usize, usize) {
    match bt {
        BlockType::Empty => (0, 0),
        BlockType::Type(t) => (0, if t == wasmparser::ValType::V128 { 2 } else { 1 }),
        BlockType::FuncType(idx) => {
            let ty = &info.types[idx as usize];
            (ty.param_slots(), ty.result_slots())
        }
    }
}

/// Whether `bits` fits a 32-bit immediate of an operation with `wide` (64-bit) operands.
fn fits_imm(wide: bool, bits: u64) -> bool {
    if wide {
        bits as i64 == bits as i64 as i32 as i64
    } else {
        bits <= u32::MAX as u64
    }
}

/// The effective address of an access whose address operand is a constant, if it fits 32
/// bits (a larger one traps, which the general form reports).
fn constant_address(addr: Operand, offset: u32) -> Option<u32> {
    match addr {
        Operand::Const(base) => u32::try_from(base + offset as u64).ok(),
        _ => None,
    }
}

/// Whether a 32-bit immediate (as stored in `BinRI`) fits the 16 bits of `BrIfCmpImm`.
fn fits_i16(imm: u32) -> Option<i16> {
    i16::try_from(imm as i32).ok()
}

impl Translator<'_> {
    // ---- the operand stack ----

    /// The slot of stack position `i`. Positions past the 16-bit range wrap here; the
    /// frame-size check at the end rejects such functions.
    fn slot_at(&self, i: usize) -> Slot {
        (self.num_locals as usize + self.num_frame_consts + i) as Slot
    }

    /// The frame slot holding wide constant `bits`, if it has one.
    fn const_slot(&self, bits: u64) -> Option<Slot> {
        let i = self.consts[..self.num_frame_consts]
            .iter()
            .position(|&c| c == bits)?;
        Some((self.num_locals as usize + i) as Slot)
    }

    fn push(&mut self, operand: Operand) {
        self.stack.push(operand);
        self.max_height = self.max_height.max(self.stack.len());
    }

    /// Pushes a temporary; returns its slot.
    fn push_temp(&mut self) -> Slot {
        self.push(Operand::Temp);
        self.slot_at(self.stack.len() - 1)
    }

    /// Pushes a `v128` temporary (two slots); returns its first slot.
    fn push_v128_temp(&mut self) -> Slot {
        let slot = self.push_temp();
        self.push_temp();
        slot
    }

    /// Pops a `v128` operand; returns the first of the two consecutive slots it is read
    /// from (a pair of constants is written to its position's slots first).
    fn pop_v128(&mut self) -> Slot {
        let hi = self.pop();
        let lo = self.pop();
        match (lo.0, hi.0) {
            (Operand::Temp, Operand::Temp) => lo.1,
            (Operand::Local(l), Operand::Local(h)) if h == l.wrapping_add(1) => l,
            _ => {
                self.emit_move(lo.1, lo.0, lo.1);
                self.emit_move(hi.1, hi.0, hi.1);
                lo.1
            }
        }
    }

    /// Pops the top operand with the slot of its position.
    fn pop(&mut self) -> (Operand, Slot) {
        let operand = self.stack.pop().expect("validated operand stack");
        (operand, self.slot_at(self.stack.len()))
    }

    /// The slot to read a popped operand from: a constant is written to `slot` (its
    /// position's slot) first.
    fn read(&mut self, (operand, slot): (Operand, Slot)) -> Slot {
        match operand {
            Operand::Temp => slot,
            Operand::Local(l) => l,
            Operand::Const(bits) => match self.const_slot(bits) {
                Some(c) => c,
                None => {
                    self.emit_const(slot, bits);
                    slot
                }
            },
        }
    }

    /// Writes `bits` to `dst` with the shortest constant op.
    fn emit_const(&mut self, dst: Slot, bits: u64) {
        let op = if bits <= u32::MAX as u64 {
            Op::Const32 {
                dst,
                value: bits as u32,
            }
        } else if fits_imm(true, bits) {
            Op::Const64S {
                dst,
                value: bits as i64 as i32,
            }
        } else if let Some(src) = self.const_slot(bits) {
            Op::Copy { dst, src }
        } else {
            let index = match self.consts.iter().position(|&c| c == bits) {
                Some(i) => i,
                None => {
                    self.consts.push(bits);
                    self.consts.len() - 1
                }
            };
            Op::ConstPool {
                dst,
                index: index as u32,
            }
        };
        self.emit(op);
    }

    /// Writes the value of `operand` to `dst` (nothing if it is there already).
    fn emit_move(&mut self, dst: Slot, operand: Operand, slot: Slot) {
        match operand {
            Operand::Temp if slot == dst => {}
            Operand::Temp => {
                self.emit(Op::Copy { dst, src: slot });
            }
            Operand::Local(l) => {
                self.emit(Op::Copy { dst, src: l });
            }
            Operand::Const(bits) => self.emit_const(dst, bits),
        }
    }

    /// Makes stack position `i` a temporary in its own slot.
    fn materialize(&mut self, i: usize) {
        let operand = self.stack[i];
        if operand != Operand::Temp {
            let slot = self.slot_at(i);
            self.emit_move(slot, operand, slot);
            self.stack[i] = Operand::Temp;
        }
    }

    /// Makes the top `n` operands temporaries.
    /// Makes the top `n` operands temporaries; two adjacent pending locals take one op.
    fn materialize_top(&mut self, n: usize) {
        let mut i = self.stack.len() - n;
        while i < self.stack.len() {
            if let [Operand::Local(a), Operand::Local(b), ..] = self.stack[i..] {
                let dst = self.slot_at(i);
                self.emit(Op::Copy2 { dst, a, b });
                self.stack[i] = Operand::Temp;
                self.stack[i + 1] = Operand::Temp;
                i += 2;
            } else {
                self.materialize(i);
                i += 1;
            }
        }
    }

    fn materialize_all(&mut self) {
        self.materialize_top(self.stack.len());
    }

    /// Before local `l` is written: pending reads of it take its current value.
    fn detach_local(&mut self, l: Slot) {
        for i in 0..self.stack.len() {
            if self.stack[i] == Operand::Local(l) {
                self.materialize(i);
            }
        }
    }

    // ---- emitting ----

    fn emit(&mut self, op: Op) -> usize {
        if let Op::Copy { dst, src } = op
            && let Some(last) = self.last_fusable()
            && let Op::Copy { dst: dst_a, src: a } = *last
        {
            *last = Op::CopyTwo {
                dst_a,
                a,
                dst_b: dst,
                b: src,
            };
            return self.ops.len() - 1;
        }
        self.ops.push(op);
        self.ops.len() - 1
    }

    /// The last op, if no label separates it from what comes next.
    fn last_fusable(&mut self) -> Option<&mut Op> {
        if self.ops.len() > self.barrier {
            self.ops.last_mut()
        } else {
            None
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

    fn link_to(&mut self, at: usize, index: usize) {
        match self.ctrl[index].loop_start {
            // Without tiering, a back edge runs the loop header's safepoint itself and
            // skips the header op: one dispatch less per iteration. (Under tiering the
            // header also counts iterations, so every iteration passes it.)
            Some(start)
                if !self.count_loops
                    && matches!(self.ops.get(start), Some(Op::LoopHeader { .. })) =>
            {
                if let Some(back) = self.ops[at].back_edge() {
                    self.ops[at] = back;
                    self.patch(at, start + 1);
                } else {
                    self.patch(at, start);
                }
            }
            Some(start) => self.patch(at, start),
            None => self.ctrl[index].pending.push(at),
        }
    }

    /// Emits a jump taken when the i32 `cond` is non-zero (`when` true) or zero, fused with
    /// the comparison that produced it where possible. Returns the jump's index.
    fn emit_cond_jump(&mut self, cond: (Operand, Slot), when: bool, fresh: bool) -> usize {
        if fresh && let Some(at) = self.fuse_cond_jump(cond, when) {
            return at;
        }
        if cond.0 == Operand::Temp && fresh {
            let slot = cond.1;
            if let Some(last) = self.last_fusable() {
                let fused = match *last {
                    Op::Bin { op, dst, a, b } if dst == slot => CmpOp::branch_on(op).map(|c| {
                        let op = if when { c } else { c.negated() };
                        Op::BrIfCmp {
                            op,
                            a,
                            b,
                            offset: 0,
                        }
                    }),
                    Op::BinRI { op, dst, a, b } if dst == slot => {
                        match (CmpOp::branch_on(op), fits_i16(b)) {
                            (Some(c), Some(b)) => Some(Op::BrIfCmpImm {
                                op: if when { c } else { c.negated() },
                                a,
                                b,
                                offset: 0,
                            }),
                            _ => None,
                        }
                    }
                    Op::Un {
                        op: UnOp::I32Eqz,
                        dst,
                        a,
                    } if dst == slot => Some(if when {
                        Op::BrIfEqz { cond: a, offset: 0 }
                    } else {
                        Op::BrIfNez { cond: a, offset: 0 }
                    }),
                    Op::Un {
                        op: UnOp::I64Eqz,
                        dst,
                        a,
                    } if dst == slot => Some(Op::BrIfCmpImm {
                        op: if when { CmpOp::I64Eq } else { CmpOp::I64Ne },
                        a,
                        b: 0,
                        offset: 0,
                    }),
                    _ => None,
                };
                if let Some(fused) = fused {
                    *last = fused;
                    return self.ops.len() - 1;
                }
            }
        }
        let cond = self.read(cond);
        self.emit(if when {
            Op::BrIfNez { cond, offset: 0 }
        } else {
            Op::BrIfEqz { cond, offset: 0 }
        })
    }

    /// The conditional jumps that fuse with more than a comparison just emitted: a local
    /// incremented by `local.tee` before the test (`AddBrIf*`), and a comparison whose
    /// result `i32.eqz` negated (both ops go).
    fn fuse_cond_jump(&mut self, cond: (Operand, Slot), when: bool) -> Option<usize> {
        let last = *self.last_fusable()?;
        let fused = match (cond.0, last) {
            (
                Operand::Local(l),
                Op::BinRI {
                    op: BinOp::I32Add,
                    dst,
                    a,
                    b,
                },
            ) if dst == l && a == l => {
                let k = fits_i16(b)?;
                if when {
                    Op::AddBrIfNez {
                        slot: l,
                        k,
                        offset: 0,
                    }
                } else {
                    Op::AddBrIfEqz {
                        slot: l,
                        k,
                        offset: 0,
                    }
                }
            }
            (
                Operand::Temp,
                Op::Un {
                    op: UnOp::I32Eqz,
                    dst,
                    a,
                },
            ) if dst == cond.1 && a == cond.1 && self.ops.len() >= self.barrier + 2 => {
                // `when` the negation is non-zero: when the comparison does not hold.
                let holds = !when;
                match self.ops[self.ops.len() - 2] {
                    Op::Bin { op, dst, a, b } if dst == cond.1 => {
                        let c = CmpOp::branch_on(op)?;
                        Op::BrIfCmp {
                            op: if holds { c } else { c.negated() },
                            a,
                            b,
                            offset: 0,
                        }
                    }
                    Op::BinRI { op, dst, a, b } if dst == cond.1 => {
                        let c = CmpOp::branch_on(op)?;
                        Op::BrIfCmpImm {
                            op: if holds { c } else { c.negated() },
                            a,
                            b: fits_i16(b)?,
                            offset: 0,
                        }
                    }
                    _ => return None,
                }
            }
            _ => return None,
        };
        if matches!(fused, Op::BrIfCmp { .. } | Op::BrIfCmpImm { .. }) {
            self.ops.pop();
        }
        *self.ops.last_mut().expect("the fused op") = fused;
        Some(self.ops.len() - 1)
    }

    // ---- branches ----

    fn target(&self, depth: u32) -> Target {
        let index = self.ctrl.len() - 1 - depth as usize;
        if index == 0 {
            return Target::Return;
        }
        let ctrl = &self.ctrl[index];
        let keep = if ctrl.loop_start.is_some() {
            ctrl.params
        } else {
            ctrl.results
        };
        Target::Label {
            index,
            keep,
            base: self.slot_at(ctrl.height),
        }
    }

    /// Whether the top `keep` operands already are temporaries in the slots from `base`.
    fn in_place(&self, keep: usize, base: Slot) -> bool {
        let first = self.stack.len() - keep;
        self.slot_at(first) == base && self.stack[first..].iter().all(|o| *o == Operand::Temp)
    }

    /// Writes the top `keep` operands to the slots from `base`, leaving the stack as it is
    /// (the code runs on a branch's taken path only). Ascending order is safe: each
    /// destination lies below every source still to be read.
    fn emit_moves(&mut self, keep: usize, base: Slot) {
        let first = self.stack.len() - keep;
        if keep > 2 && self.stack[first..].iter().all(|o| *o == Operand::Temp) {
            let src = self.slot_at(first);
            if src != base {
                self.emit(Op::CopySpan {
                    dst: base,
                    src,
                    n: keep as u16,
                });
            }
            return;
        }
        for j in 0..keep {
            let operand = self.stack[first + j];
            let slot = self.slot_at(first + j);
            self.emit_move(base.wrapping_add(j as u16), operand, slot);
        }
    }

    /// Returns the top `num_results` operands, leaving the stack as it is.
    fn emit_return(&mut self) {
        let n = self.num_results;
        let first = self.stack.len() - n;
        let src = match n {
            0 => 0,
            1 => match self.stack[first] {
                Operand::Temp => self.slot_at(first),
                operand => self.read((operand, self.slot_at(first))),
            },
            _ => {
                let base = self.slot_at(first);
                self.emit_moves(n, base);
                base
            }
        };
        self.emit(Op::Return { src, n: n as u16 });
    }

    /// An unconditional branch to relative depth `depth`.
    fn emit_br(&mut self, depth: u32) {
        match self.target(depth) {
            Target::Return => self.emit_return(),
            Target::Label { index, keep, base } => {
                self.emit_moves(keep, base);
                let at = self.emit(Op::Br { offset: 0 });
                self.link_to(at, index);
            }
        }
    }

    fn translate_br_if(&mut self, depth: u32) {
        let mark = self.ops.len();
        let cond = self.pop();
        let fresh = self.ops.len() == mark;
        match self.target(depth) {
            Target::Label { index, keep, base } if self.in_place(keep, base) => {
                let at = self.emit_cond_jump(cond, true, fresh);
                self.link_to(at, index);
            }
            _ => {
                // Skip over the moves and the branch when the condition is zero.
                let skip = self.emit_cond_jump(cond, false, fresh);
                self.emit_br(depth);
                self.place_label();
                let here = self.ops.len();
                self.patch(skip, here);
            }
        }
    }

    /// `br_on_null` (`on_null`) or `br_on_non_null`: branches when the reference on top of
    /// the stack is null (not null). `br_on_null` leaves the reference out of the branch's
    /// values and keeps it otherwise; `br_on_non_null` takes it along and drops it
    /// otherwise.
    fn translate_br_on_null(&mut self, depth: u32, on_null: bool) {
        let top = self.pop();
        let reference = self.read(top);
        if !on_null {
            self.push(top.0);
        }
        let (taken, not_taken) = if on_null {
            (CmpOp::I64Eq, CmpOp::I64Ne)
        } else {
            (CmpOp::I64Ne, CmpOp::I64Eq)
        };
        let branch = |op| Op::BrIfCmpImm {
            op,
            a: reference,
            b: 0,
            offset: 0,
        };
        match self.target(depth) {
            Target::Label { index, keep, base } if self.in_place(keep, base) => {
                let at = self.emit(branch(taken));
                self.link_to(at, index);
            }
            _ => {
                let skip = self.emit(branch(not_taken));
                self.emit_br(depth);
                self.place_label();
                let here = self.ops.len();
                self.patch(skip, here);
            }
        }
        if on_null {
            self.push(top.0);
        } else {
            self.pop();
        }
    }

    fn translate_br_table(&mut self, targets: &wasmparser::BrTable<'_>) -> Result<(), ModuleError> {
        let depths = targets
            .targets()
            .chain([Ok(targets.default())])
            .collect::<Result<Vec<u32>, _>>()
            .map_err(malformed)?;
        let index = self.pop();
        let index_is_temp = index.0 == Operand::Temp;
        let index = self.read(index);
        // Every target takes the same number of values; make them temporaries, so that the
        // entries and their move stubs need no code that changes the stack's state.
        let keep = match self.target(depths[0]) {
            Target::Return => self.num_results,
            Target::Label { keep, .. } => keep,
        };
        self.materialize_top(keep);
        let len = depths.len() as u32 - 1;
        // A switch on `x + k`: the index is the temporary the add just wrote.
        let sum = match self.last_fusable() {
            Some(&mut Op::BinRI {
                op: BinOp::I32Add,
                dst,
                a,
                b,
            }) if dst == index && index_is_temp => fits_i16(b).map(|k| (a, k)),
            _ => None,
        };
        let table = match sum {
            Some((a, k)) => {
                self.ops.pop();
                Op::BrTableAdd { index: a, k, len }
            }
            None => Op::BrTable { index, len },
        };
        self.emit(table);
        // Each entry is one jump (see `Op::BrTableEntry`).
        let mut stubs = Vec::new();
        for &depth in &depths {
            let at = self.emit(Op::BrTableEntry { offset: 0 });
            match self.target(depth) {
                Target::Label { index, keep, base } if self.in_place(keep, base) => {
                    match self.ctrl[index].loop_start {
                        Some(start) => self.patch(at, start),
                        None => self.ctrl[index].pending.push(at),
                    }
                }
                _ => stubs.push((at, depth)),
            }
        }
        for (at, depth) in stubs {
            self.place_label();
            let here = self.ops.len();
            self.patch(at, here);
            self.emit_br(depth);
        }
        self.place_label();
        Ok(())
    }

    // ---- operators ----

    fn reachable(&self) -> bool {
        let live = self.ctrl.last().is_some_and(|c| !c.dead);
        live && self.v.get_control_frame(0).is_some_and(|f| !f.unreachable)
    }

    fn translate_op(&mut self, op: Operator<'_>, offset: u64) -> Result<(), ModuleError> {
        let reachable = self.reachable();
        // `drop` and `select` do not name their operands' type: ask the validator before
        // it pops them.
        let v128_operand = match op {
            Operator::Drop => self.operand_is_v128(0),
            Operator::Select => self.operand_is_v128(1),
            Operator::TypedSelect { ty } => ty == wasmparser::ValType::V128,
            _ => false,
        };
        self.v.op(offset, &op).map_err(invalid)?;
        if reachable && !matches!(op, Operator::End | Operator::Else) {
            self.costs.last_mut().expect("function region").0 += 1;
        }

        match op {
            Operator::Block { blockty } => self.enter_block(reachable, blockty, None),
            Operator::TryTable { try_table } => self.translate_try_table(reachable, &try_table),
            Operator::Loop { blockty } => {
                if reachable {
                    self.materialize_all();
                }
                self.place_label();
                let start = self.ops.len();
                let header = reachable.then(|| {
                    let osr = self.stack.is_empty();
                    self.emit(if self.count_loops {
                        Op::TierLoop {
                            loop_index: self.loops_seen,
                            cost: 0,
                            osr,
                        }
                    } else {
                        Op::LoopHeader { cost: 0 }
                    })
                });
                self.loops_seen += 1;
                self.costs.push((0, header));
                self.enter_block(reachable, blockty, Some(start));
            }
            Operator::If { blockty } => {
                let else_jump = if reachable {
                    let mark = self.ops.len();
                    let cond = self.pop();
                    self.materialize_all();
                    let fresh = self.ops.len() == mark;
                    Some(self.emit_cond_jump(cond, false, fresh))
                } else {
                    None
                };
                self.enter_block(reachable, blockty, None);
                self.ctrl.last_mut().expect("just pushed").else_jump = else_jump;
            }
            Operator::Else => {
                let ctrl = self.ctrl.last().expect("validated else");
                let (height, params, results) = (ctrl.height, ctrl.params, ctrl.results);
                if reachable {
                    self.materialize_top(results);
                    let at = self.emit(Op::Br { offset: 0 });
                    self.ctrl
                        .last_mut()
                        .expect("validated else")
                        .pending
                        .push(at);
                }
                self.place_label();
                if let Some(at) = self
                    .ctrl
                    .last_mut()
                    .expect("validated else")
                    .else_jump
                    .take()
                {
                    let here = self.ops.len();
                    self.patch(at, here);
                }
                self.reset_stack(height, params);
            }
            Operator::End => self.translate_end(reachable),
            _ if !reachable => {}
            Operator::Br { relative_depth } => self.emit_br(relative_depth),
            Operator::BrIf { relative_depth } => self.translate_br_if(relative_depth),
            Operator::BrOnNull { relative_depth } => {
                self.translate_br_on_null(relative_depth, true)
            }
            Operator::BrOnNonNull { relative_depth } => {
                self.translate_br_on_null(relative_depth, false)
            }
            Operator::BrTable { targets } => self.translate_br_table(&targets)?,
            Operator::Return => self.emit_return(),
            Operator::Drop if v128_operand => {
                self.pop_v128();
            }
            Operator::Select | Operator::TypedSelect { .. } if v128_operand => {
                let cond = self.pop();
                let cond = self.read(cond);
                let b = self.pop_v128();
                let a = self.pop_v128();
                let dst = self.push_v128_temp();
                self.emit(Op::V128Select { dst, cond, a, b });
            }
            op => self.translate_plain(op)?,
        }
        Ok(())
    }

    /// Whether the operand `depth` below the top of the validator's stack is a `v128`.
    fn operand_is_v128(&self, depth: usize) -> bool {
        self.v.get_operand_type(depth) == Some(Some(wasmparser::ValType::V128))
    }

    fn local_is_v128(&self, index: u32) -> bool {
        self.v.get_local_type(index) == Some(wasmparser::ValType::V128)
    }

    fn global_is_v128(&self, index: u32) -> bool {
        self.info.globals[index as usize].content == wasmtier_runtime::ValType::V128
    }

    fn enter_block(&mut self, reachable: bool, blockty: BlockType, loop_start: Option<usize>) {
        let (params, results) = block_arity(self.info, blockty);
        if reachable && loop_start.is_none() {
            self.materialize_all();
        }
        self.ctrl.push(Ctrl {
            dead: !reachable,
            loop_start,
            pending: Vec::new(),
            else_jump: None,
            // Dead code's operands come from the validator's polymorphic stack, not ours:
            // a block entered there must not claim the enclosing block's operands as its
            // parameters, or its `end` would truncate them away.
            height: if reachable {
                self.stack.len() - params
            } else {
                self.stack.len()
            },
            params,
            results,
            try_table: None,
        });
    }

    /// `try_table`: out-of-line landing pads for its catch clauses (skipped on entry), then
    /// a block whose body the clauses cover (see `Exec::catch`).
    fn translate_try_table(&mut self, reachable: bool, try_table: &wasmparser::TryTable) {
        if !reachable {
            self.enter_block(false, try_table.ty, None);
            return;
        }
        self.materialize_all();
        let skip = self.emit(Op::Br { offset: 0 });
        let mut clauses = Vec::with_capacity(try_table.catches.len());
        for catch in &try_table.catches {
            use wasmparser::Catch;
            let (tag, with_ref, label) = match *catch {
                Catch::One { tag, label } => (Some(tag), false, label),
                Catch::OneRef { tag, label } => (Some(tag), true, label),
                Catch::All { label } => (None, false, label),
                Catch::AllRef { label } => (None, true, label),
            };
            // The labels are those around the `try_table` (its own frame is not pushed yet).
            let (pad, base, height) = match self.target(label) {
                Target::Return => {
                    let height = self.stack.len();
                    let base = self.slot_at(height);
                    let n = self.num_results;
                    let pad = self.emit(Op::Return {
                        src: base,
                        n: n as u16,
                    });
                    (pad, base, height + n)
                }
                Target::Label { index, keep, base } => {
                    let pad = self.emit(Op::Br { offset: 0 });
                    self.link_to(pad, index);
                    (pad, base, self.ctrl[index].height + keep)
                }
            };
            // The frame holds the label's values even where its code never pushes them.
            self.max_height = self.max_height.max(height);
            clauses.push(CatchClause {
                tag,
                with_ref,
                pad: pad as u32,
                base,
            });
        }
        self.place_label();
        let here = self.ops.len();
        self.patch(skip, here);
        self.enter_block(true, try_table.ty, None);
        self.ctrl.last_mut().expect("just pushed").try_table = Some((here, clauses));
    }

    /// After a label: the stack holds `height` operands plus `n` temporaries.
    fn reset_stack(&mut self, height: usize, n: usize) {
        self.stack.truncate(height);
        for _ in 0..n {
            self.push(Operand::Temp);
        }
    }

    fn translate_end(&mut self, reachable: bool) {
        if self.ctrl.len() == 1 {
            self.ctrl.pop();
            if reachable {
                self.emit_return();
            }
            return;
        }
        let mut ctrl = self.ctrl.pop().expect("validated end");
        if let Some((start, clauses)) = ctrl.try_table.take() {
            self.handlers.push(TryHandler {
                start: start as u32,
                end: self.ops.len() as u32,
                clauses: clauses.into_boxed_slice(),
            });
        }
        if ctrl.loop_start.is_some() {
            let (cost, header) = self.costs.pop().expect("loop region");
            match header.map(|at| &mut self.ops[at]) {
                Some(Op::LoopHeader { cost: c }) | Some(Op::TierLoop { cost: c, .. }) => *c = cost,
                _ => {}
            }
        }
        if reachable {
            self.materialize_top(ctrl.results);
        }
        self.place_label();
        let here = self.ops.len();
        for at in ctrl.pending.into_iter().chain(ctrl.else_jump) {
            self.patch(at, here);
        }
        self.reset_stack(ctrl.height, ctrl.results);
    }

    fn unop(&mut self, op: UnOp) {
        let a = self.pop();
        let a = self.read(a);
        let dst = self.push_temp();
        self.emit(Op::Un { op, dst, a });
    }

    fn unop_trap(&mut self, op: UnTrapOp) {
        let a = self.pop();
        let a = self.read(a);
        let dst = self.push_temp();
        self.emit(Op::UnTrap { op, dst, a });
    }

    /// Pops a binary operation's operands and pushes its result: which operand class it
    /// takes (a constant operand becomes an immediate where it fits; with `swap`, a
    /// constant left operand becomes the right one of the swapped operation).
    fn binary_form(&mut self, wide: bool, swap: bool) -> BinForm {
        let b = self.pop();
        let a = self.pop();
        match (a.0, b.0) {
            (_, Operand::Const(c)) if fits_imm(wide, c) => {
                let a = self.read(a);
                let dst = self.push_temp();
                BinForm::RightImm {
                    dst,
                    a,
                    b: c as u32,
                }
            }
            (Operand::Const(c), _) if fits_imm(wide, c) => {
                let b = self.read(b);
                let dst = self.push_temp();
                if swap {
                    BinForm::Swapped {
                        dst,
                        a: b,
                        b: c as u32,
                    }
                } else {
                    BinForm::LeftImm {
                        dst,
                        a: c as u32,
                        b,
                    }
                }
            }
            _ => {
                let a = self.read(a);
                let b = self.read(b);
                let dst = self.push_temp();
                BinForm::Slots { dst, a, b }
            }
        }
    }

    fn binop(&mut self, op: BinOp) {
        let swapped = op.swapped();
        let new = match self.binary_form(op.wide(), swapped.is_some()) {
            BinForm::Slots { dst, a, b } => Op::Bin { op, dst, a, b },
            BinForm::RightImm { dst, a, b } => Op::BinRI { op, dst, a, b },
            BinForm::Swapped { dst, a, b } => Op::BinRI {
                op: swapped.unwrap_or(op),
                dst,
                a,
                b,
            },
            BinForm::LeftImm { dst, a, b } => Op::BinIR { op, dst, a, b },
        };
        let new = self.fuse_with_operand(new);
        self.emit(new);
    }

    /// Fuses binary op `op`, about to be emitted, with the op just emitted when that one
    /// computed an operand of `op` into the temporary that `op` consumes: the pairs that
    /// real programs run most (bit-field extracts, multiply-accumulate, scaled indices,
    /// sign extensions).
    /// A temporary operand sits in `op`'s own result slot (left) or the one after it
    /// (right); nothing else reads it, so the first op's write can go.
    fn fuse_with_operand(&mut self, op: Op) -> Op {
        let Some(&mut last) = self.last_fusable() else {
            return op;
        };
        let fused = match (last, op) {
            (
                Op::BinRI {
                    op: BinOp::I32ShrU,
                    dst: t,
                    a: x,
                    b: shift,
                },
                Op::BinRI {
                    op: BinOp::I32And,
                    dst,
                    a,
                    b: mask,
                },
            ) if t == a && a == dst && mask <= u16::MAX as u32 => Op::ShrUAnd {
                dst,
                a: x,
                shift: (shift % 32) as u16,
                mask: mask as u16,
            },
            (
                Op::Bin {
                    op: BinOp::I32Mul,
                    dst: t,
                    a: x,
                    b: y,
                },
                Op::Bin {
                    op: BinOp::I32Add,
                    dst,
                    a,
                    b,
                },
            ) if (t == a && a == dst) || (t == b && b == dst + 1) => Op::MulAdd {
                dst,
                a: x,
                b: y,
                c: if t == a { b } else { a },
            },
            (
                Op::BinRI {
                    op: BinOp::I32Shl,
                    dst: t,
                    a: x,
                    b: shift,
                },
                Op::Bin {
                    op: BinOp::I32Add,
                    dst,
                    a,
                    b,
                },
            ) if (t == a && a == dst) || (t == b && b == dst + 1) => Op::AddShl {
                dst,
                a: if t == a { b } else { a },
                b: x,
                shift: (shift % 32) as u16,
            },
            // A sign extension written as a pair of shifts (code built without the
            // sign-extension operators).
            (
                Op::BinRI {
                    op: BinOp::I32Shl,
                    dst: t,
                    a: x,
                    b: left,
                },
                Op::BinRI {
                    op: BinOp::I32ShrS,
                    dst,
                    a,
                    b: right,
                },
            ) if t == a && a == dst && left == right && (left == 16 || left == 24) => Op::Un {
                op: if left == 16 {
                    UnOp::I32Extend16S
                } else {
                    UnOp::I32Extend8S
                },
                dst,
                a: x,
            },
            _ => return op,
        };
        self.ops.pop();
        fused
    }

    fn binop_trap(&mut self, op: BinTrapOp) {
        let new = match self.binary_form(op.wide(), false) {
            BinForm::Slots { dst, a, b } => Op::BinTrap { op, dst, a, b },
            BinForm::RightImm { dst, a, b } => Op::BinTrapRI { op, dst, a, b },
            BinForm::Swapped { .. } => unreachable!("binary_form swaps only when asked to"),
            BinForm::LeftImm { dst, a, b } => Op::BinTrapIR { op, dst, a, b },
        };
        self.emit(new);
    }

    fn load(&mut self, op: LoadOp, memarg: wasmparser::MemArg) {
        if memory_of(&memarg) != 0 || self.memory64(memory_of(&memarg)) {
            let addr = self.pop();
            let addr = self.read(addr);
            let memarg = self.memarg(memarg);
            let dst = self.push_temp();
            self.emit(Op::LoadMem {
                op,
                dst,
                addr,
                memarg,
            });
            return;
        }
        let addr = self.pop();
        let offset = memarg.offset as u32;
        if let Some(abs) = constant_address(addr.0, offset) {
            let dst = self.push_temp();
            self.emit(Op::LoadAbs { op, dst, addr: abs });
            return;
        }
        if let Some(sum) = self.take_address_sum(addr, offset) {
            let dst = self.push_temp();
            self.emit(match sum {
                AddressSum::Slots(a, b) => Op::LoadAdd {
                    op,
                    dst,
                    a,
                    b,
                    offset: offset as u16,
                },
                AddressSum::Imm(a, k) => Op::LoadAddImm { op, dst, a, k },
                AddressSum::Shifted(a, b, shift) => Op::LoadAddShl {
                    op,
                    dst,
                    a,
                    b,
                    shift,
                },
            });
            return;
        }
        let addr = self.read(addr);
        let dst = self.push_temp();
        self.emit(Op::Load {
            op,
            dst,
            addr,
            offset,
        });
    }

    /// Folds the `i32.add` that computed a memory-0 address into the access: when the
    /// address is the temporary that the op just emitted wrote as a sum, that op is taken
    /// back and its operands returned. A sum of two slots leaves room for a 16-bit offset
    /// in the access, a sum with a constant or a shifted index for none.
    fn take_address_sum(&mut self, addr: (Operand, Slot), offset: u32) -> Option<AddressSum> {
        if addr.0 != Operand::Temp {
            return None;
        }
        let sum = match *self.last_fusable()? {
            Op::Bin {
                op: BinOp::I32Add,
                dst,
                a,
                b,
            } if dst == addr.1 && offset <= u16::MAX as u32 => AddressSum::Slots(a, b),
            Op::BinRI {
                op: BinOp::I32Add,
                dst,
                a,
                b,
            } if dst == addr.1 && offset == 0 => AddressSum::Imm(a, b),
            Op::AddShl { dst, a, b, shift } if dst == addr.1 && offset == 0 => {
                AddressSum::Shifted(a, b, shift)
            }
            _ => return None,
        };
        self.ops.pop();
        Some(sum)
    }

    fn store(&mut self, op: StoreOp, memarg: wasmparser::MemArg) {
        let value = self.pop();
        let addr = self.pop();
        if memory_of(&memarg) != 0 || self.memory64(memory_of(&memarg)) {
            let (addr, value) = (self.read(addr), self.read(value));
            let memarg = self.memarg(memarg);
            self.emit(Op::StoreMem {
                op,
                addr,
                value,
                memarg,
            });
            return;
        }
        let offset = memarg.offset as u32;
        if let Some(abs) = constant_address(addr.0, offset) {
            let value = self.read(value);
            self.emit(Op::StoreAbs {
                op,
                value,
                addr: abs,
            });
            return;
        }
        if matches!(value.0, Operand::Temp | Operand::Local(_))
            && let Some(sum) = self.take_address_sum(addr, offset)
        {
            let value = self.read(value);
            self.emit(match sum {
                AddressSum::Slots(a, b) => Op::StoreAdd {
                    op,
                    a,
                    b,
                    value,
                    offset: offset as u16,
                },
                AddressSum::Imm(a, k) => Op::StoreAddImm { op, a, k, value },
                AddressSum::Shifted(a, b, shift) => Op::StoreAddShl {
                    op,
                    a,
                    b,
                    value,
                    shift,
                },
            });
            return;
        }
        let addr = self.read(addr);
        if let Operand::Const(bits) = value.0 {
            // The low `bytes` bytes are stored: a constant whose low bytes are a
            // sign-extended 16-bit value needs no slot.
            let mask = u64::MAX >> (64 - 8 * op.bytes());
            let short = bits as i16;
            if short as i64 as u64 & mask == bits & mask {
                self.emit(Op::StoreImm {
                    op,
                    addr,
                    value: short,
                    offset,
                });
                return;
            }
        }
        let value = self.read(value);
        self.emit(Op::Store {
            op,
            addr,
            value,
            offset,
        });
    }

    /// Pops `n` operands that an op takes in consecutive slots; returns the first slot.
    fn pop_span(&mut self, n: usize) -> Slot {
        self.materialize_top(n);
        let base = self.slot_at(self.stack.len() - n);
        self.stack.truncate(self.stack.len() - n);
        base
    }

    /// `local.set` (`local.tee` with `tee`) of the local in slot `l`.
    fn local_set(&mut self, l: Slot, tee: bool) {
        let mark = self.ops.len();
        let value = self.pop();
        self.detach_local(l);
        let fresh = self.ops.len() == mark;
        match value.0 {
            Operand::Local(m) if m == l => {}
            Operand::Temp if fresh => {
                let redirected = match self.last_fusable().and_then(Op::result_slot_mut) {
                    Some(dst) if *dst == value.1 => {
                        *dst = l;
                        true
                    }
                    _ => false,
                };
                if !redirected {
                    self.emit_move(l, value.0, value.1);
                }
            }
            _ => self.emit_move(l, value.0, value.1),
        }
        if tee {
            self.push(Operand::Local(l));
        }
    }

    /// `local.set` (`local.tee` with `tee`) of the `v128` local in slots `l` and `l + 1`.
    fn local_set_v128(&mut self, l: Slot, tee: bool) {
        let mark = self.ops.len();
        let hi = self.pop();
        let lo = self.pop();
        self.detach_local(l);
        self.detach_local(l.wrapping_add(1));
        let fresh = self.ops.len() == mark;
        let redirected = fresh
            && (lo.0, hi.0) == (Operand::Temp, Operand::Temp)
            && match self.last_fusable().and_then(Op::v128_result_slot_mut) {
                Some(dst) if *dst == lo.1 => {
                    *dst = l;
                    true
                }
                _ => false,
            };
        if lo.0 != Operand::Local(l) && !redirected {
            self.emit_move(l, lo.0, lo.1);
            self.emit_move(l.wrapping_add(1), hi.0, hi.1);
        }
        if tee {
            self.push(Operand::Local(l));
            self.push(Operand::Local(l.wrapping_add(1)));
        }
    }

    /// A call whose arguments take `params` slots and results `results` slots.
    fn call(&mut self, params: usize, results: usize, op: impl FnOnce(Slot) -> Op) {
        let base = self.pop_span(params);
        let call = self.fuse_argument_copies(op(base), params);
        self.emit(call);
        for _ in 0..results {
            self.push(Operand::Temp);
        }
    }

    /// A direct call whose one or two arguments the op just emitted copied into place
    /// takes the copy over (calls with arguments from locals are most calls).
    fn fuse_argument_copies(&mut self, call: Op, params: usize) -> Op {
        let Op::CallInternal { base, def } = call else {
            return call;
        };
        let Some(&mut last) = self.last_fusable() else {
            return call;
        };
        // The two-argument form names the function with 16 bits.
        let def16 = u16::try_from(def).ok();
        let fused = match (params, last, def16) {
            (1, Op::Copy { dst, src }, _) if dst == base => {
                Op::CallInternalArg { base, a: src, def }
            }
            // A copy merged with the one before it: that one stays.
            (1, Op::CopyTwo { dst_a, a, dst_b, b }, _) if dst_b == base => {
                *self.ops.last_mut().expect("the copies") = Op::Copy { dst: dst_a, src: a };
                return Op::CallInternalArg { base, a: b, def };
            }
            (2, Op::Copy2 { dst, a, b }, Some(def)) if dst == base => {
                Op::CallInternalArgs2 { base, a, b, def }
            }
            // Sequential copies read `b` after writing `base`: equal to reading both
            // first unless `b` is `base`.
            (2, Op::CopyTwo { dst_a, a, dst_b, b }, Some(def))
                if dst_a == base && dst_b == base + 1 && b != base =>
            {
                Op::CallInternalArgs2 { base, a, b, def }
            }
            _ => return call,
        };
        self.ops.pop();
        fused
    }

    /// `call`, or with `tail` `return_call` (which leaves no results: what follows it is
    /// unreachable).
    fn call_direct(&mut self, function_index: u32, tail: bool) {
        let ty = self.info.func_type(function_index);
        let params = ty.param_slots();
        let results = if tail { 0 } else { ty.result_slots() };
        let internal = function_index.checked_sub(self.info.num_imported_funcs);
        self.call(params, results, |base| match (internal, tail) {
            (Some(def), false) => Op::CallInternal { base, def },
            (Some(def), true) => Op::ReturnCallInternal { base, def },
            (None, false) => Op::CallFunc {
                base,
                func: function_index,
            },
            (None, true) => Op::ReturnCallFunc {
                base,
                func: function_index,
            },
        });
    }

    /// `call_indirect`, or with `tail` `return_call_indirect`.
    fn call_indirect(
        &mut self,
        type_index: u32,
        table_index: u32,
        tail: bool,
    ) -> Result<(), ModuleError> {
        let table = u16::try_from(table_index).map_err(|_| too_large("table index"))?;
        if self.table64(table_index) {
            self.unop(UnOp::TableIndex64);
        }
        self.call_through(type_index, tail, |index| {
            if tail {
                Op::ReturnCallIndirect {
                    index,
                    table,
                    type_index,
                }
            } else {
                Op::CallIndirect {
                    index,
                    table,
                    type_index,
                }
            }
        });
        Ok(())
    }

    /// `call_ref`, or with `tail` `return_call_ref`, of a function of type `type_index`.
    fn call_ref(&mut self, type_index: u32, tail: bool) {
        self.call_through(type_index, tail, |index| {
            if tail {
                Op::ReturnCallRef { index }
            } else {
                Op::CallRef { index }
            }
        });
    }

    /// A call (a tail call with `tail`) of a function of type `type_index` through an
    /// operand above its arguments (a table element index, a function reference): `op`
    /// makes the call from that operand's slot, just after the arguments.
    fn call_through(&mut self, type_index: u32, tail: bool, op: impl FnOnce(Slot) -> Op) {
        let ty = &self.info.types[type_index as usize];
        let params = ty.param_slots();
        let results = if tail { 0 } else { ty.result_slots() };
        self.call(params + 1, results, |base| {
            op(base.wrapping_add(params as Slot))
        });
    }

    /// Puts the memory index and offset of an access to a memory other than memory 0 or to
    /// a 64-bit memory in the constant pool (see `Op::LoadMem`); returns the index of the
    /// first.
    fn memarg(&mut self, memarg: wasmparser::MemArg) -> u32 {
        let at = self.consts.len();
        let memory = memory_of(&memarg);
        let flag = if self.memory64(memory) { MEMARG_64 } else { 0 };
        self.consts.push(memory as u64 | flag);
        self.consts.push(memarg.offset);
        at as u32
    }

    fn memory64(&self, memory: u32) -> bool {
        self.info.memories[memory as usize].memory64
    }

    fn table64(&self, table: u32) -> bool {
        self.info.tables[table as usize].table64
    }

    /// Pops `n` operands into consecutive slots, as `pop_span`, and turns those at the
    /// `indices` (offsets from the first) from the i64s of a 64-bit table into the 32-bit
    /// indices the table ops read (`UnOp::TableIndex64`). Nothing is emitted for a 32-bit
    /// table.
    fn pop_table_operands(&mut self, n: usize, table64: bool, indices: &[Slot]) -> Slot {
        let base = self.pop_span(n);
        if table64 {
            self.narrow_table_indices(base, indices);
        }
        base
    }

    /// Turns the i64 table indices in the slots at `indices` from `base` into 32-bit ones, in
    /// place (see `pop_table_operands`).
    fn narrow_table_indices(&mut self, base: Slot, indices: &[Slot]) {
        for &i in indices {
            let slot = base + i;
            self.emit(Op::Un {
                op: UnOp::TableIndex64,
                dst: slot,
                a: slot,
            });
        }
    }

    /// A wide-arithmetic operation: its result's two halves replace its operands.
    fn wide(&mut self, op: WideOp) {
        let base = self.pop_span(op.operands() as usize);
        self.emit(Op::Wide { op, base });
        self.push(Operand::Temp);
        self.push(Operand::Temp);
    }

    /// Ops that translate without control-flow bookkeeping.
    fn translate_plain(&mut self, op: Operator<'_>) -> Result<(), ModuleError> {
        macro_rules! un {
            ($($name:ident)*) => {
                match op {
                    $(Operator::$name => return Ok(self.unop(UnOp::$name)),)*
                    _ => {}
                }
            };
        }
        un! {
            I32Eqz I64Eqz I32Clz I32Ctz I32Popcnt I64Clz I64Ctz I64Popcnt
            F32Abs F32Neg F32Ceil F32Floor F32Trunc F32Nearest F32Sqrt
            F64Abs F64Neg F64Ceil F64Floor F64Trunc F64Nearest F64Sqrt
            I32WrapI64 I64ExtendI32S F32ConvertI32S F32ConvertI32U F32ConvertI64S
            F32ConvertI64U F32DemoteF64 F64ConvertI32S F64ConvertI32U F64ConvertI64S
            F64ConvertI64U F64PromoteF32 I32Extend8S I32Extend16S I64Extend8S I64Extend16S
            I64Extend32S I32TruncSatF32S I32TruncSatF32U I32TruncSatF64S I32TruncSatF64U
            I64TruncSatF32S I64TruncSatF32U I64TruncSatF64S I64TruncSatF64U RefIsNull RefI31
        }
        macro_rules! un_trap {
            ($($name:ident)*) => {
                match op {
                    $(Operator::$name => return Ok(self.unop_trap(UnTrapOp::$name)),)*
                    _ => {}
                }
            };
        }
        un_trap! {
            I32TruncF32S I32TruncF32U I32TruncF64S I32TruncF64U
            I64TruncF32S I64TruncF32U I64TruncF64S I64TruncF64U I31GetS I31GetU
        }
        macro_rules! bin {
            ($($name:ident)*) => {
                match op {
                    $(Operator::$name => return Ok(self.binop(BinOp::$name)),)*
                    _ => {}
                }
            };
        }
        bin! {
            I32Add I32Sub I32Mul I32And I32Or I32Xor I32Shl I32ShrS I32ShrU I32Rotl I32Rotr
            I32Eq I32Ne I32LtS I32LtU I32GtS I32GtU I32LeS I32LeU I32GeS I32GeU
            I64Add I64Sub I64Mul I64And I64Or I64Xor I64Shl I64ShrS I64ShrU I64Rotl I64Rotr
            I64Eq I64Ne I64LtS I64LtU I64GtS I64GtU I64LeS I64LeU I64GeS I64GeU
            F32Add F32Sub F32Mul F32Div F32Min F32Max F32Copysign
            F32Eq F32Ne F32Lt F32Gt F32Le F32Ge
            F64Add F64Sub F64Mul F64Div F64Min F64Max F64Copysign
            F64Eq F64Ne F64Lt F64Gt F64Le F64Ge
        }
        macro_rules! bin_trap {
            ($($name:ident)*) => {
                match op {
                    $(Operator::$name => return Ok(self.binop_trap(BinTrapOp::$name)),)*
                    _ => {}
                }
            };
        }
        bin_trap! { I32DivS I32DivU I32RemS I32RemU I64DivS I64DivU I64RemS I64RemU }
        // References are 64-bit slots that are equal exactly when the references are.
        if let Operator::RefEq = op {
            self.binop(BinOp::I64Eq);
            return Ok(());
        }

        match op {
            Operator::Unreachable => {
                self.emit(Op::Unreachable);
            }
            Operator::Nop => {}
            Operator::Drop => {
                self.pop();
            }
            Operator::Select | Operator::TypedSelect { .. } => {
                let cond = self.pop();
                let b = self.pop();
                let a = self.pop();
                let (a, b, cond) = (self.read(a), self.read(b), self.read(cond));
                let dst = self.push_temp();
                self.emit(Op::Select { dst, cond, a, b });
            }
            Operator::LocalGet { local_index } => {
                let l = self.local_slots.slot(local_index);
                self.push(Operand::Local(l));
                if self.local_is_v128(local_index) {
                    self.push(Operand::Local(l.wrapping_add(1)));
                }
            }
            Operator::LocalSet { local_index } | Operator::LocalTee { local_index } => {
                let tee = matches!(op, Operator::LocalTee { .. });
                let l = self.local_slots.slot(local_index);
                if self.local_is_v128(local_index) {
                    self.local_set_v128(l, tee);
                } else {
                    self.local_set(l, tee);
                }
            }
            Operator::GlobalGet { global_index } if self.global_is_v128(global_index) => {
                let dst = self.push_v128_temp();
                self.emit(Op::V128GlobalGet {
                    dst,
                    global: global_index,
                });
            }
            Operator::GlobalSet { global_index } if self.global_is_v128(global_index) => {
                let src = self.pop_v128();
                self.emit(Op::V128GlobalSet {
                    src,
                    global: global_index,
                });
            }
            Operator::V128Const { value } => {
                let bits = value.i128() as u128;
                self.push(Operand::Const(bits as u64));
                self.push(Operand::Const((bits >> 64) as u64));
            }
            Operator::GlobalGet { global_index } => {
                let dst = self.push_temp();
                self.emit(Op::GlobalGet {
                    dst,
                    global: global_index,
                });
            }
            Operator::GlobalSet { global_index } => {
                let src = self.pop();
                let src = self.read(src);
                self.emit(Op::GlobalSet {
                    src,
                    global: global_index,
                });
            }
            Operator::I32Const { value } => self.push(Operand::Const(value as u32 as u64)),
            Operator::I64Const { value } => self.push(Operand::Const(value as u64)),
            Operator::F32Const { value } => self.push(Operand::Const(value.bits() as u64)),
            Operator::F64Const { value } => self.push(Operand::Const(value.bits())),
            // Values are kept zero-extended in 64-bit slots: these change no bits.
            Operator::I64ExtendI32U
            | Operator::I32ReinterpretF32
            | Operator::I64ReinterpretF64
            | Operator::F32ReinterpretI32
            | Operator::F64ReinterpretI64 => {}
            Operator::I32Load { memarg } | Operator::F32Load { memarg } => {
                self.load(LoadOp::I32Load, memarg)
            }
            Operator::I64Load { memarg } | Operator::F64Load { memarg } => {
                self.load(LoadOp::I64Load, memarg)
            }
            Operator::I32Load8S { memarg } => self.load(LoadOp::I32Load8S, memarg),
            Operator::I32Load8U { memarg } | Operator::I64Load8U { memarg } => {
                self.load(LoadOp::I32Load8U, memarg)
            }
            Operator::I32Load16S { memarg } => self.load(LoadOp::I32Load16S, memarg),
            Operator::I32Load16U { memarg } | Operator::I64Load16U { memarg } => {
                self.load(LoadOp::I32Load16U, memarg)
            }
            Operator::I64Load8S { memarg } => self.load(LoadOp::I64Load8S, memarg),
            Operator::I64Load16S { memarg } => self.load(LoadOp::I64Load16S, memarg),
            Operator::I64Load32S { memarg } => self.load(LoadOp::I64Load32S, memarg),
            Operator::I64Load32U { memarg } => self.load(LoadOp::I32Load, memarg),
            Operator::I32Store { memarg }
            | Operator::F32Store { memarg }
            | Operator::I64Store32 { memarg } => self.store(StoreOp::Store32, memarg),
            Operator::I64Store { memarg } | Operator::F64Store { memarg } => {
                self.store(StoreOp::Store64, memarg)
            }
            Operator::I32Store8 { memarg } | Operator::I64Store8 { memarg } => {
                self.store(StoreOp::Store8, memarg)
            }
            Operator::I32Store16 { memarg } | Operator::I64Store16 { memarg } => {
                self.store(StoreOp::Store16, memarg)
            }
            Operator::MemorySize { mem } => {
                let memory = memory_index(mem)?;
                let dst = self.push_temp();
                self.emit(Op::MemorySize { dst, memory });
            }
            Operator::MemoryGrow { mem } => {
                let memory = memory_index(mem)?;
                let delta = self.pop();
                let delta = self.read(delta);
                let dst = self.push_temp();
                self.emit(Op::MemoryGrow { dst, delta, memory });
            }
            Operator::I64Add128 => self.wide(WideOp::Add128),
            Operator::I64Sub128 => self.wide(WideOp::Sub128),
            Operator::I64MulWideS => self.wide(WideOp::MulWideS),
            Operator::I64MulWideU => self.wide(WideOp::MulWideU),
            Operator::MemoryFill { mem } => {
                let memory = memory_index(mem)?;
                let base = self.pop_span(3);
                self.emit(Op::MemoryFill {
                    base,
                    memory,
                    memory64: self.memory64(mem),
                });
            }
            Operator::MemoryCopy { dst_mem, src_mem } => {
                let (dst_memory, src_memory) = (memory_index(dst_mem)?, memory_index(src_mem)?);
                let base = self.pop_span(3);
                let dst_width = if self.memory64(dst_mem) {
                    COPY_DST_64
                } else {
                    0
                };
                let src_width = if self.memory64(src_mem) {
                    COPY_SRC_64
                } else {
                    0
                };
                self.emit(Op::MemoryCopy {
                    base,
                    dst_memory,
                    src_memory,
                    widths: dst_width | src_width,
                });
            }
            Operator::MemoryInit { data_index, mem } => {
                let memory = memory_index(mem)?;
                let base = self.pop_span(3);
                self.emit(Op::MemoryInit {
                    base,
                    memory,
                    data: data_index,
                });
            }
            Operator::DataDrop { data_index } => {
                self.emit(Op::DataDrop { data: data_index });
            }
            Operator::TableGet { table } if self.table64(table) => {
                let index = self.pop_table_operands(1, true, &[0]);
                let dst = self.push_temp();
                self.emit(Op::TableGet { dst, index, table });
            }
            Operator::TableGet { table } => {
                let index = self.pop();
                let index = self.read(index);
                let dst = self.push_temp();
                self.emit(Op::TableGet { dst, index, table });
            }
            Operator::TableSet { table } if self.table64(table) => {
                let index = self.pop_table_operands(2, true, &[0]);
                self.emit(Op::TableSet {
                    index,
                    value: index + 1,
                    table,
                });
            }
            Operator::TableSet { table } => {
                let value = self.pop();
                let index = self.pop();
                let (index, value) = (self.read(index), self.read(value));
                self.emit(Op::TableSet {
                    index,
                    value,
                    table,
                });
            }
            Operator::TableSize { table } => {
                let dst = self.push_temp();
                self.emit(Op::TableSize { dst, table });
            }
            Operator::TableGrow { table } => {
                let base = self.pop_span(2);
                self.push(Operand::Temp);
                self.emit(Op::TableGrow { base, table });
            }
            Operator::TableFill { table } => {
                // (index, value, length)
                let base = self.pop_table_operands(3, self.table64(table), &[0, 2]);
                self.emit(Op::TableFill { base, table });
            }
            Operator::TableCopy {
                dst_table,
                src_table,
            } => {
                let (dst, src) = match (u16::try_from(dst_table), u16::try_from(src_table)) {
                    (Ok(d), Ok(s)) => (d, s),
                    _ => return Err(too_large("table index in table.copy")),
                };
                // (destination, source, length): the length is an i64 if both tables are
                // 64-bit.
                let (dst64, src64) = (self.table64(dst_table), self.table64(src_table));
                let base = self.pop_span(3);
                let wide: &[Slot] = match (dst64, src64) {
                    (false, false) => &[],
                    (true, false) => &[0],
                    (false, true) => &[1],
                    (true, true) => &[0, 1, 2],
                };
                self.narrow_table_indices(base, wide);
                self.emit(Op::TableCopy { base, dst, src });
            }
            Operator::TableInit { elem_index, table } => {
                // (destination, source, length): only the destination is a table index.
                let base = self.pop_table_operands(3, self.table64(table), &[0]);
                let table = u16::try_from(table).map_err(|_| too_large("table index"))?;
                self.emit(Op::TableInit {
                    base,
                    table,
                    elem: elem_index,
                });
            }
            Operator::ElemDrop { elem_index } => {
                self.emit(Op::ElemDrop { elem: elem_index });
            }
            Operator::RefNull { .. } => self.push(Operand::Const(0)),
            Operator::RefFunc { function_index } => {
                let dst = self.push_temp();
                self.emit(Op::RefFunc {
                    dst,
                    func: function_index,
                });
            }
            Operator::Call { function_index } => self.call_direct(function_index, false),
            Operator::ReturnCall { function_index } => self.call_direct(function_index, true),
            Operator::CallIndirect {
                type_index,
                table_index,
            } => self.call_indirect(type_index, table_index, false)?,
            Operator::ReturnCallIndirect {
                type_index,
                table_index,
            } => self.call_indirect(type_index, table_index, true)?,
            Operator::CallRef { type_index } => self.call_ref(type_index, false),
            Operator::ReturnCallRef { type_index } => self.call_ref(type_index, true),
            Operator::Throw { tag_index } => {
                let n = self.info.tag_type(tag_index).param_slots();
                let base = self.pop_span(n);
                self.emit(Op::Throw {
                    base,
                    n: n as u16,
                    tag: tag_index,
                });
            }
            Operator::ThrowRef => {
                let top = self.pop();
                let a = self.read(top);
                self.emit(Op::ThrowRef { a });
            }
            Operator::RefAsNonNull => {
                let top = self.pop();
                let a = self.read(top);
                self.emit(Op::RefAsNonNull { a });
                self.push(top.0);
            }
            ref other if self.translate_simd(other)? => {}
            other => {
                return Err(ModuleError::Unsupported(format!(
                    "the interpreter does not run {other:?} yet"
                )));
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn verifier_rejects_slots_outside_the_frame() {
        let ret = Op::Return { src: 0, n: 1 };
        assert!(verify(&[Op::Copy { dst: 3, src: 0 }, ret], 4).is_ok());
        assert!(verify(&[Op::Copy { dst: 4, src: 0 }, ret], 4).is_err());
        assert!(
            verify(
                &[
                    Op::MemoryFill {
                        base: 2,
                        memory: 0,
                        memory64: false
                    },
                    ret
                ],
                4
            )
            .is_err()
        );
        assert!(verify(&[Op::Return { src: 3, n: 2 }], 4).is_err());
    }

    #[test]
    fn verifier_rejects_branches_outside_the_code() {
        let ret = Op::Return { src: 0, n: 0 };
        assert!(verify(&[Op::Br { offset: 1 }, ret], 1).is_ok());
        assert!(verify(&[Op::Br { offset: 2 }, ret], 1).is_err());
        assert!(verify(&[ret, Op::Br { offset: -2 }], 1).is_err());
        assert!(verify(&[Op::BrTable { index: 0, len: 1 }, ret], 1).is_err());
        assert!(verify(&[Op::Const32 { dst: 0, value: 1 }], 1).is_err());
    }
}
