//! The interpreter loop.
//!
//! State lives in locals the compiler can keep in registers: `pc` (next op), `sp` (one past
//! the top operand), `fp` (first local of the current frame) and the current memory's base and
//! length. Calls between wasm functions push a `Frame` on a side stack instead of recursing on
//! the host stack, so deep wasm recursion ends in a "call stack exhausted" trap, not a crash.
//!
//! Safety rests on three facts checked before the loop touches memory:
//! - every function was validated, so each op finds the operands it expects on the stack;
//! - entering a function checks that its whole frame (`frame_size`: locals plus the deepest
//!   operand stack the validator saw) fits below the end of the value stack;
//! - every linear-memory access is bounds-checked against the current length.

use std::cell::{Cell, RefCell};
use std::ptr;
use std::sync::Arc;

use wasmtier_runtime::memory::VMMemoryDefinition;
use wasmtier_runtime::module::ModuleInfo;
use wasmtier_runtime::{
    FrameInfo, FuncId, FuncKind, HostCallback, HostContext, InstanceId, MemoryId, StoreOpaque,
    TableId, Trap, TrapCode, WASM_PAGE_SIZE, raw_ref,
};

use crate::ModuleCode;
use crate::numeric;
use crate::ops::Op;
use crate::translate::CompiledFunc;

/// Host -> wasm entries nested through host functions beyond this trap as stack exhaustion,
/// bounding the host stack each nesting level uses.
const MAX_NESTED_ENTRIES: usize = 200;

thread_local! {
    /// Value stacks to reuse between calls: allocating a large stack per call would dominate
    /// short host -> wasm calls.
    static STACK_POOL: RefCell<Vec<Vec<u64>>> = const { RefCell::new(Vec::new()) };
    static NESTED_ENTRIES: Cell<usize> = const { Cell::new(0) };
}

fn take_stack(slots: usize) -> Vec<u64> {
    let pooled = STACK_POOL.with(|p| p.borrow_mut().pop());
    match pooled {
        Some(s) if s.len() == slots => s,
        _ => vec![0; slots],
    }
}

fn give_back_stack(stack: Vec<u64>) {
    STACK_POOL.with(|p| p.borrow_mut().push(stack));
}

/// Calls `func` with arguments in `slots[..params]`; results land in `slots[..results]`.
pub fn invoke(store: &mut StoreOpaque, func: FuncId, slots: &mut [u64]) -> Result<(), Trap> {
    let entity = store.func(func);
    let (num_params, num_results) = (entity.ty.params().len(), entity.ty.results().len());
    assert!(
        slots.len() >= num_params.max(num_results),
        "slots too short for the call"
    );
    match &entity.kind {
        FuncKind::Host(cb) => {
            let cb = cb.clone();
            cb(store, HostContext { caller: None }, slots)
        }
        &FuncKind::Wasm { instance, index } => {
            let depth = NESTED_ENTRIES.with(|d| d.get());
            if depth >= MAX_NESTED_ENTRIES {
                return Err(Trap::new(TrapCode::StackOverflow));
            }
            NESTED_ENTRIES.with(|d| d.set(depth + 1));
            let mut stack = take_stack(store.limits.max_stack_slots.max(16));
            stack[..num_params].copy_from_slice(&slots[..num_params]);
            let result = execute(store, &mut stack, instance, index);
            if result.is_ok() {
                slots[..num_results].copy_from_slice(&stack[..num_results]);
            }
            give_back_stack(stack);
            NESTED_ENTRIES.with(|d| d.set(depth));
            result
        }
    }
}

/// A suspended caller.
struct Frame {
    ret_pc: *const Op,
    fp: *mut u64,
    func: *const CompiledFunc,
    inst: InstanceId,
}

/// Raw views of the current instance, refreshed whenever execution crosses instances.
struct Ctx {
    inst: InstanceId,
    code: *const ModuleCode,
    module: *const ModuleInfo,
    funcs: *const FuncId,
    tables: *const TableId,
    memories: *const MemoryId,
    globals: *const *const Cell<u64>,
    mem: *const VMMemoryDefinition,
}

impl Ctx {
    fn new(store: &StoreOpaque, id: InstanceId) -> Ctx {
        let inst = store.instance(id);
        let code = inst
            .code
            .downcast_ref::<ModuleCode>()
            .expect("instances are created with interpreter code");
        Ctx {
            inst: id,
            code,
            module: &*inst.module,
            funcs: inst.funcs.as_ptr(),
            tables: inst.tables.as_ptr(),
            memories: inst.memories.as_ptr(),
            globals: inst.vm.globals.as_ptr(),
            mem: inst.vm.memory,
        }
    }
}

/// What a call resolves to.
enum Callee {
    Wasm {
        instance: InstanceId,
        index: u32,
    },
    Host {
        cb: Arc<HostCallback>,
        params: usize,
        results: usize,
    },
}

fn resolve(store: &StoreOpaque, f: FuncId) -> Callee {
    let entity = store.func(f);
    match &entity.kind {
        &FuncKind::Wasm { instance, index } => Callee::Wasm { instance, index },
        FuncKind::Host(cb) => Callee::Host {
            cb: cb.clone(),
            params: entity.ty.params().len(),
            results: entity.ty.results().len(),
        },
    }
}

/// Adds the wasm frames (innermost first) to a trap's backtrace.
fn add_backtrace(
    store: &StoreOpaque,
    mut trap: Trap,
    ctx_inst: InstanceId,
    func: *const CompiledFunc,
    frames: &[Frame],
) -> Trap {
    let mut push = |inst: InstanceId, f: *const CompiledFunc| {
        // SAFETY: frame function pointers point into `ModuleCode`s kept alive by the store's
        // instances, which outlive this call.
        let index = unsafe { (*f).func_index };
        let module = &store.instance(inst).module;
        trap.push_frame(FrameInfo {
            func_index: index,
            func_name: module.func_name(index).map(str::to_string),
            module_name: module.name.clone(),
        });
    };
    push(ctx_inst, func);
    // Each frame records its caller's function and instance.
    for frame in frames.iter().rev() {
        push(frame.inst, frame.func);
    }
    trap
}

#[inline(always)]
fn i32v(x: u64) -> i32 {
    x as u32 as i32
}
#[inline(always)]
fn u32v(x: u64) -> u32 {
    x as u32
}
#[inline(always)]
fn i64v(x: u64) -> i64 {
    x as i64
}
#[inline(always)]
fn u64v(x: u64) -> u64 {
    x
}
#[inline(always)]
fn f32v(x: u64) -> f32 {
    f32::from_bits(x as u32)
}
#[inline(always)]
fn f64v(x: u64) -> f64 {
    f64::from_bits(x)
}
#[inline(always)]
fn from_i32(v: i32) -> u64 {
    v as u32 as u64
}
#[inline(always)]
fn from_u32(v: u32) -> u64 {
    v as u64
}
#[inline(always)]
fn from_i64(v: i64) -> u64 {
    v as u64
}
#[inline(always)]
fn from_u64(v: u64) -> u64 {
    v
}
#[inline(always)]
fn from_f32(v: f32) -> u64 {
    v.to_bits() as u64
}
#[inline(always)]
fn from_f64(v: f64) -> u64 {
    v.to_bits()
}
#[inline(always)]
fn from_bool(b: bool) -> u64 {
    b as u64
}

/// Runs defined function `index` (module index space) of instance `inst` on `stack`, whose
/// first slots hold the arguments; the results replace them.
fn execute(
    store: &mut StoreOpaque,
    stack: &mut [u64],
    inst: InstanceId,
    index: u32,
) -> Result<(), Trap> {
    let max_depth = store.limits.max_call_depth;
    let mut ctx = Ctx::new(store, inst);
    let mut frames: Vec<Frame> = Vec::new();
    let stack_base = stack.as_mut_ptr();
    let stack_slots = stack.len();

    // SAFETY: see the module documentation. In short: `ctx` pointers stay valid because the
    // store only ever appends entities and keeps their boxed state in place; every stack
    // access lies inside a frame whose size was checked on entry; memory accesses are
    // bounds-checked against `mem_len`, which is reloaded whenever it may have changed.
    unsafe {
        let stack_end = stack_base.add(stack_slots);
        let num_imported = (*ctx.module).num_imported_funcs;
        let mut func: *const CompiledFunc = &(&(*ctx.code).funcs)[(index - num_imported) as usize];
        if (*func).frame_size as usize > stack_slots {
            return Err(Trap::new(TrapCode::StackOverflow));
        }
        let mut fp = stack_base;
        let np = (*func).num_params as usize;
        let nl = (*func).num_locals as usize;
        ptr::write_bytes(fp.add(np), 0, nl - np);
        let mut sp = fp.add(nl);
        let mut pc: *const Op = (*func).ops.as_ptr();
        let mut mem_base: *mut u8 = ptr::null_mut();
        let mut mem_len: usize = 0;

        macro_rules! reload_mem {
            () => {
                if !ctx.mem.is_null() {
                    mem_base = (*ctx.mem).base;
                    mem_len = (*ctx.mem).length;
                }
            };
        }
        reload_mem!();

        macro_rules! trap {
            ($code:expr) => {
                return Err(add_backtrace(
                    store,
                    Trap::new($code),
                    ctx.inst,
                    func,
                    &frames,
                ))
            };
        }
        macro_rules! pop {
            () => {{
                sp = sp.sub(1);
                *sp
            }};
        }
        macro_rules! push {
            ($v:expr) => {{
                *sp = $v;
                sp = sp.add(1);
            }};
        }
        macro_rules! top {
            () => {
                *sp.sub(1)
            };
        }
        macro_rules! next {
            () => {{
                pc = pc.add(1);
                continue;
            }};
        }
        macro_rules! unop {
            ($get:ident, $put:ident, |$a:ident| $e:expr) => {{
                let $a = $get(top!());
                top!() = $put($e);
                next!()
            }};
        }
        macro_rules! binop {
            ($get:ident, $put:ident, |$a:ident, $b:ident| $e:expr) => {{
                let $b = $get(pop!());
                let $a = $get(top!());
                top!() = $put($e);
                next!()
            }};
        }
        macro_rules! binop_trap {
            ($get:ident, $put:ident, |$a:ident, $b:ident| $e:expr) => {{
                let $b = $get(pop!());
                let $a = $get(top!());
                match $e {
                    Ok(v) => top!() = $put(v),
                    Err(code) => trap!(code),
                }
                next!()
            }};
        }
        macro_rules! unop_trap {
            ($get:ident, $put:ident, $f:expr) => {{
                match $f($get(top!())) {
                    Ok(v) => top!() = $put(v),
                    Err(code) => trap!(code),
                }
                next!()
            }};
        }
        macro_rules! addr {
            ($base:expr, $offset:expr, $len:expr) => {{
                let ea = $base as u32 as u64 + $offset as u64;
                if ea + $len as u64 > mem_len as u64 {
                    trap!(TrapCode::MemoryOutOfBounds);
                }
                ea as usize
            }};
        }
        macro_rules! load {
            ($offset:expr, $n:literal, $t:ty, |$v:ident| $conv:expr) => {{
                let ea = addr!(top!(), $offset, $n);
                let $v =
                    <$t>::from_le_bytes(ptr::read_unaligned(mem_base.add(ea) as *const [u8; $n]));
                top!() = $conv;
                next!()
            }};
        }
        macro_rules! store {
            ($offset:expr, $n:literal, |$v:ident| $conv:expr) => {{
                let $v = pop!();
                let ea = addr!(pop!(), $offset, $n);
                ptr::write_unaligned(mem_base.add(ea) as *mut [u8; $n], ($conv).to_le_bytes());
                next!()
            }};
        }
        macro_rules! branch {
            ($offset:expr) => {{
                pc = pc.offset($offset as isize);
                continue;
            }};
        }
        macro_rules! br_if_cmp {
            ($offset:expr, $get:ident, |$a:ident, $b:ident| $cond:expr) => {{
                let $b = $get(pop!());
                let $a = $get(pop!());
                if $cond {
                    branch!($offset)
                }
                next!()
            }};
        }
        // Enters wasm function `callee`; the caller's state is saved with `caller_inst`.
        macro_rules! enter {
            ($callee:expr, $caller_inst:expr) => {{
                let callee: *const CompiledFunc = $callee;
                let new_fp = sp.sub((*callee).num_params as usize);
                let room = stack_end.offset_from(new_fp) as usize;
                if frames.len() >= max_depth || room < (*callee).frame_size as usize {
                    trap!(TrapCode::StackOverflow);
                }
                let np = (*callee).num_params as usize;
                let nl = (*callee).num_locals as usize;
                ptr::write_bytes(new_fp.add(np), 0, nl - np);
                frames.push(Frame {
                    ret_pc: pc.add(1),
                    fp,
                    func,
                    inst: $caller_inst,
                });
                fp = new_fp;
                sp = fp.add(nl);
                func = callee;
                pc = (*callee).ops.as_ptr();
                continue;
            }};
        }
        macro_rules! call_func {
            ($f:expr) => {{
                match resolve(store, $f) {
                    Callee::Wasm { instance, index } => {
                        let caller_inst = ctx.inst;
                        if instance != ctx.inst {
                            ctx = Ctx::new(store, instance);
                            reload_mem!();
                        }
                        let def = index - (*ctx.module).num_imported_funcs;
                        enter!(&(&(*ctx.code).funcs)[def as usize], caller_inst)
                    }
                    Callee::Host {
                        cb,
                        params,
                        results,
                    } => {
                        let args = sp.sub(params);
                        let room = stack_end.offset_from(args) as usize;
                        if room < params.max(results) {
                            trap!(TrapCode::StackOverflow);
                        }
                        let slots = std::slice::from_raw_parts_mut(args, params.max(results));
                        if let Err(t) = cb(
                            store,
                            HostContext {
                                caller: Some(ctx.inst),
                            },
                            slots,
                        ) {
                            return Err(add_backtrace(store, t, ctx.inst, func, &frames));
                        }
                        sp = args.add(results);
                        reload_mem!();
                        next!()
                    }
                }
            }};
        }

        loop {
            match *pc {
                // ---- control ----
                Op::Unreachable => trap!(TrapCode::Unreachable),
                Op::Br { offset } => branch!(offset),
                Op::BrAdjust { offset, drop, keep } => {
                    let src = sp.sub(keep as usize);
                    let dst = src.sub(drop as usize);
                    ptr::copy(src, dst, keep as usize);
                    sp = dst.add(keep as usize);
                    branch!(offset)
                }
                Op::BrIfNez { offset } => {
                    if u32v(pop!()) != 0 {
                        branch!(offset)
                    }
                    next!()
                }
                Op::BrIfEqz { offset } => {
                    if u32v(pop!()) == 0 {
                        branch!(offset)
                    }
                    next!()
                }
                Op::BrTable { len } => {
                    let i = u32v(pop!()).min(len);
                    // The chosen entry is itself an op (a branch or a return): run it next.
                    pc = pc.add(1 + i as usize);
                    continue;
                }
                Op::Return { results } => {
                    let n = results as usize;
                    ptr::copy(sp.sub(n), fp, n);
                    sp = fp.add(n);
                    match frames.pop() {
                        None => return Ok(()),
                        Some(frame) => {
                            pc = frame.ret_pc;
                            fp = frame.fp;
                            func = frame.func;
                            if frame.inst != ctx.inst {
                                ctx = Ctx::new(store, frame.inst);
                            }
                            reload_mem!();
                            continue;
                        }
                    }
                }
                Op::CallInternal { def } => {
                    let caller_inst = ctx.inst;
                    enter!(&(&(*ctx.code).funcs)[def as usize], caller_inst)
                }
                Op::CallFunc { func: f } => call_func!(*ctx.funcs.add(f as usize)),
                Op::CallIndirect { type_index, table } => {
                    let i = u32v(pop!());
                    let t = store.table(*ctx.tables.add(table as usize));
                    let Some(&raw) = t.elements.get(i as usize) else {
                        trap!(TrapCode::UndefinedElement)
                    };
                    let Some(f) = raw_ref::to_func(raw) else {
                        trap!(TrapCode::UninitializedElement)
                    };
                    if store.func(f).type_id != (&(*ctx.module).type_ids)[type_index as usize] {
                        trap!(TrapCode::IndirectCallTypeMismatch);
                    }
                    call_func!(f)
                }

                // ---- parametric ----
                Op::Drop => {
                    sp = sp.sub(1);
                    next!()
                }
                Op::Select => {
                    let c = u32v(pop!());
                    let b = pop!();
                    if c == 0 {
                        top!() = b;
                    }
                    next!()
                }

                // ---- variables ----
                Op::LocalGet(l) => {
                    push!(*fp.add(l as usize));
                    next!()
                }
                Op::LocalSet(l) => {
                    *fp.add(l as usize) = pop!();
                    next!()
                }
                Op::LocalTee(l) => {
                    *fp.add(l as usize) = top!();
                    next!()
                }
                Op::GlobalGet(g) => {
                    push!((**ctx.globals.add(g as usize)).get());
                    next!()
                }
                Op::GlobalSet(g) => {
                    (**ctx.globals.add(g as usize)).set(pop!());
                    next!()
                }
                Op::Const32(v) => {
                    push!(v as u64);
                    next!()
                }
                Op::Const64(v) => {
                    push!(v);
                    next!()
                }

                // ---- memory ----
                Op::I32Load { offset } => load!(offset, 4, u32, |v| v as u64),
                Op::I64Load { offset } => load!(offset, 8, u64, |v| v),
                Op::I32Load8S { offset } => load!(offset, 1, i8, |v| from_i32(v as i32)),
                Op::I32Load8U { offset } => load!(offset, 1, u8, |v| v as u64),
                Op::I32Load16S { offset } => load!(offset, 2, i16, |v| from_i32(v as i32)),
                Op::I32Load16U { offset } => load!(offset, 2, u16, |v| v as u64),
                Op::I64Load8S { offset } => load!(offset, 1, i8, |v| v as i64 as u64),
                Op::I64Load8U { offset } => load!(offset, 1, u8, |v| v as u64),
                Op::I64Load16S { offset } => load!(offset, 2, i16, |v| v as i64 as u64),
                Op::I64Load16U { offset } => load!(offset, 2, u16, |v| v as u64),
                Op::I64Load32S { offset } => load!(offset, 4, i32, |v| v as i64 as u64),
                Op::I64Load32U { offset } => load!(offset, 4, u32, |v| v as u64),
                Op::I32Store { offset } => store!(offset, 4, |v| v as u32),
                Op::I64Store { offset } => store!(offset, 8, |v| v),
                Op::I32Store8 { offset } | Op::I64Store8 { offset } => {
                    store!(offset, 1, |v| v as u8)
                }
                Op::I32Store16 { offset } | Op::I64Store16 { offset } => {
                    store!(offset, 2, |v| v as u16)
                }
                Op::I64Store32 { offset } => store!(offset, 4, |v| v as u32),
                Op::MemorySize => {
                    push!((mem_len / WASM_PAGE_SIZE) as u64);
                    next!()
                }
                Op::MemoryGrow => {
                    let delta = u32v(top!());
                    let memory = store.memory_mut(*ctx.memories);
                    top!() = match memory.grow(delta as u64) {
                        Some(old) => old,
                        None => u32::MAX as u64,
                    };
                    reload_mem!();
                    next!()
                }
                Op::MemoryFill => {
                    let n = u32v(pop!());
                    let val = pop!() as u8;
                    let d = addr!(pop!(), 0, n);
                    ptr::write_bytes(mem_base.add(d), val, n as usize);
                    next!()
                }
                Op::MemoryCopy => {
                    let n = u32v(pop!());
                    let s = addr!(pop!(), 0, n);
                    let d = addr!(pop!(), 0, n);
                    ptr::copy(mem_base.add(s), mem_base.add(d), n as usize);
                    next!()
                }
                Op::MemoryInit { data } => {
                    let n = u32v(pop!());
                    let s = u32v(pop!()) as usize;
                    let d = u32v(pop!());
                    let seg = &store.instance(ctx.inst).data_segments[data as usize];
                    if s + n as usize > seg.len() {
                        trap!(TrapCode::MemoryOutOfBounds);
                    }
                    let d = addr!(d, 0, n);
                    ptr::copy_nonoverlapping(seg.as_ptr().add(s), mem_base.add(d), n as usize);
                    next!()
                }
                Op::DataDrop { data } => {
                    store.instances[ctx.inst.index()].data_segments[data as usize] = Arc::new([]);
                    next!()
                }

                // ---- tables and references ----
                Op::TableGet { table } => {
                    let i = u32v(top!());
                    match store.table(*ctx.tables.add(table as usize)).get(i) {
                        Ok(v) => top!() = v,
                        Err(_) => trap!(TrapCode::TableOutOfBounds),
                    }
                    next!()
                }
                Op::TableSet { table } => {
                    let v = pop!();
                    let i = u32v(pop!());
                    if store
                        .table_mut(*ctx.tables.add(table as usize))
                        .set(i, v)
                        .is_err()
                    {
                        trap!(TrapCode::TableOutOfBounds);
                    }
                    next!()
                }
                Op::TableSize { table } => {
                    push!(store.table(*ctx.tables.add(table as usize)).size() as u64);
                    next!()
                }
                Op::TableGrow { table } => {
                    let n = u32v(pop!());
                    let init = top!();
                    let t = store.table_mut(*ctx.tables.add(table as usize));
                    top!() = t.grow(n, init).map_or(u32::MAX as u64, |old| old as u64);
                    next!()
                }
                Op::TableFill { table } => {
                    let n = u32v(pop!()) as usize;
                    let v = pop!();
                    let i = u32v(pop!()) as usize;
                    let elements = &mut store.table_mut(*ctx.tables.add(table as usize)).elements;
                    match elements.get_mut(i..i + n) {
                        Some(range) => range.fill(v),
                        None => trap!(TrapCode::TableOutOfBounds),
                    }
                    next!()
                }
                Op::TableCopy { dst, src } => {
                    let n = u32v(pop!()) as usize;
                    let s = u32v(pop!()) as usize;
                    let d = u32v(pop!()) as usize;
                    let (dst, src) = (*ctx.tables.add(dst as usize), *ctx.tables.add(src as usize));
                    let src_len = store.table(src).elements.len();
                    let dst_len = store.table(dst).elements.len();
                    if s + n > src_len || d + n > dst_len {
                        trap!(TrapCode::TableOutOfBounds);
                    }
                    if src == dst {
                        store.table_mut(dst).elements.copy_within(s..s + n, d);
                    } else {
                        let items = store.table(src).elements[s..s + n].to_vec();
                        store.table_mut(dst).elements[d..d + n].copy_from_slice(&items);
                    }
                    next!()
                }
                Op::TableInit { table, elem } => {
                    let n = u32v(pop!()) as usize;
                    let s = u32v(pop!()) as usize;
                    let d = u32v(pop!()) as usize;
                    let seg = store.instance(ctx.inst).elem_segments[elem as usize].clone();
                    let elements = &mut store.table_mut(*ctx.tables.add(table as usize)).elements;
                    if s + n > seg.len() || d + n > elements.len() {
                        trap!(TrapCode::TableOutOfBounds);
                    }
                    elements[d..d + n].copy_from_slice(&seg[s..s + n]);
                    next!()
                }
                Op::ElemDrop { elem } => {
                    store.instances[ctx.inst.index()].elem_segments[elem as usize] = Arc::new([]);
                    next!()
                }
                Op::RefNull => {
                    push!(raw_ref::NULL);
                    next!()
                }
                Op::RefIsNull => unop!(u64v, from_bool, |a| a == raw_ref::NULL),
                Op::RefFunc { func: f } => {
                    push!(raw_ref::from_func(Some(*ctx.funcs.add(f as usize))));
                    next!()
                }

                // ---- fused ----
                Op::LocalGet2(a, b) => {
                    *sp = *fp.add(a as usize);
                    *sp.add(1) = *fp.add(b as usize);
                    sp = sp.add(2);
                    next!()
                }
                Op::I32AddConst(c) => unop!(i32v, from_i32, |a| a.wrapping_add(c)),
                Op::I32AddLocal(l) => {
                    let b = i32v(*fp.add(l as usize));
                    top!() = from_i32(i32v(top!()).wrapping_add(b));
                    next!()
                }
                Op::I32SubLocal(l) => {
                    let b = i32v(*fp.add(l as usize));
                    top!() = from_i32(i32v(top!()).wrapping_sub(b));
                    next!()
                }
                Op::LocalIncrI32(l, c) => {
                    let slot = fp.add(l as usize);
                    *slot = from_i32(i32v(*slot).wrapping_add(c));
                    next!()
                }
                Op::BrIfI32LtS { offset } => br_if_cmp!(offset, i32v, |a, b| a < b),
                Op::BrIfI32LtU { offset } => br_if_cmp!(offset, u32v, |a, b| a < b),
                Op::BrIfI32GeS { offset } => br_if_cmp!(offset, i32v, |a, b| a >= b),
                Op::BrIfI32GeU { offset } => br_if_cmp!(offset, u32v, |a, b| a >= b),
                Op::BrIfI32Eq { offset } => br_if_cmp!(offset, u32v, |a, b| a == b),
                Op::BrIfI32Ne { offset } => br_if_cmp!(offset, u32v, |a, b| a != b),
                Op::BrIfLocalNez { local, offset } => {
                    if u32v(*fp.add(local as usize)) != 0 {
                        branch!(offset)
                    }
                    next!()
                }

                // ---- i32 ----
                Op::I32Eqz => unop!(u32v, from_bool, |a| a == 0),
                Op::I32Eq => binop!(u32v, from_bool, |a, b| a == b),
                Op::I32Ne => binop!(u32v, from_bool, |a, b| a != b),
                Op::I32LtS => binop!(i32v, from_bool, |a, b| a < b),
                Op::I32LtU => binop!(u32v, from_bool, |a, b| a < b),
                Op::I32GtS => binop!(i32v, from_bool, |a, b| a > b),
                Op::I32GtU => binop!(u32v, from_bool, |a, b| a > b),
                Op::I32LeS => binop!(i32v, from_bool, |a, b| a <= b),
                Op::I32LeU => binop!(u32v, from_bool, |a, b| a <= b),
                Op::I32GeS => binop!(i32v, from_bool, |a, b| a >= b),
                Op::I32GeU => binop!(u32v, from_bool, |a, b| a >= b),
                Op::I32Clz => unop!(u32v, from_u32, |a| a.leading_zeros()),
                Op::I32Ctz => unop!(u32v, from_u32, |a| a.trailing_zeros()),
                Op::I32Popcnt => unop!(u32v, from_u32, |a| a.count_ones()),
                Op::I32Add => binop!(u32v, from_u32, |a, b| a.wrapping_add(b)),
                Op::I32Sub => binop!(u32v, from_u32, |a, b| a.wrapping_sub(b)),
                Op::I32Mul => binop!(u32v, from_u32, |a, b| a.wrapping_mul(b)),
                Op::I32DivS => binop_trap!(i32v, from_i32, |a, b| {
                    if b == 0 {
                        Err(TrapCode::IntegerDivideByZero)
                    } else if a == i32::MIN && b == -1 {
                        Err(TrapCode::IntegerOverflow)
                    } else {
                        Ok(a / b)
                    }
                }),
                Op::I32DivU => binop_trap!(u32v, from_u32, |a, b| {
                    a.checked_div(b).ok_or(TrapCode::IntegerDivideByZero)
                }),
                Op::I32RemS => binop_trap!(i32v, from_i32, |a, b| {
                    if b == 0 {
                        Err(TrapCode::IntegerDivideByZero)
                    } else {
                        Ok(a.wrapping_rem(b))
                    }
                }),
                Op::I32RemU => binop_trap!(u32v, from_u32, |a, b| {
                    a.checked_rem(b).ok_or(TrapCode::IntegerDivideByZero)
                }),
                Op::I32And => binop!(u32v, from_u32, |a, b| a & b),
                Op::I32Or => binop!(u32v, from_u32, |a, b| a | b),
                Op::I32Xor => binop!(u32v, from_u32, |a, b| a ^ b),
                Op::I32Shl => binop!(u32v, from_u32, |a, b| a.wrapping_shl(b)),
                Op::I32ShrS => binop!(i32v, from_i32, |a, b| a.wrapping_shr(b as u32)),
                Op::I32ShrU => binop!(u32v, from_u32, |a, b| a.wrapping_shr(b)),
                Op::I32Rotl => binop!(u32v, from_u32, |a, b| a.rotate_left(b % 32)),
                Op::I32Rotr => binop!(u32v, from_u32, |a, b| a.rotate_right(b % 32)),

                // ---- i64 ----
                Op::I64Eqz => unop!(u64v, from_bool, |a| a == 0),
                Op::I64Eq => binop!(u64v, from_bool, |a, b| a == b),
                Op::I64Ne => binop!(u64v, from_bool, |a, b| a != b),
                Op::I64LtS => binop!(i64v, from_bool, |a, b| a < b),
                Op::I64LtU => binop!(u64v, from_bool, |a, b| a < b),
                Op::I64GtS => binop!(i64v, from_bool, |a, b| a > b),
                Op::I64GtU => binop!(u64v, from_bool, |a, b| a > b),
                Op::I64LeS => binop!(i64v, from_bool, |a, b| a <= b),
                Op::I64LeU => binop!(u64v, from_bool, |a, b| a <= b),
                Op::I64GeS => binop!(i64v, from_bool, |a, b| a >= b),
                Op::I64GeU => binop!(u64v, from_bool, |a, b| a >= b),
                Op::I64Clz => unop!(u64v, from_u64, |a| a.leading_zeros() as u64),
                Op::I64Ctz => unop!(u64v, from_u64, |a| a.trailing_zeros() as u64),
                Op::I64Popcnt => unop!(u64v, from_u64, |a| a.count_ones() as u64),
                Op::I64Add => binop!(u64v, from_u64, |a, b| a.wrapping_add(b)),
                Op::I64Sub => binop!(u64v, from_u64, |a, b| a.wrapping_sub(b)),
                Op::I64Mul => binop!(u64v, from_u64, |a, b| a.wrapping_mul(b)),
                Op::I64DivS => binop_trap!(i64v, from_i64, |a, b| {
                    if b == 0 {
                        Err(TrapCode::IntegerDivideByZero)
                    } else if a == i64::MIN && b == -1 {
                        Err(TrapCode::IntegerOverflow)
                    } else {
                        Ok(a / b)
                    }
                }),
                Op::I64DivU => binop_trap!(u64v, from_u64, |a, b| {
                    a.checked_div(b).ok_or(TrapCode::IntegerDivideByZero)
                }),
                Op::I64RemS => binop_trap!(i64v, from_i64, |a, b| {
                    if b == 0 {
                        Err(TrapCode::IntegerDivideByZero)
                    } else {
                        Ok(a.wrapping_rem(b))
                    }
                }),
                Op::I64RemU => binop_trap!(u64v, from_u64, |a, b| {
                    a.checked_rem(b).ok_or(TrapCode::IntegerDivideByZero)
                }),
                Op::I64And => binop!(u64v, from_u64, |a, b| a & b),
                Op::I64Or => binop!(u64v, from_u64, |a, b| a | b),
                Op::I64Xor => binop!(u64v, from_u64, |a, b| a ^ b),
                Op::I64Shl => binop!(u64v, from_u64, |a, b| a.wrapping_shl(b as u32)),
                Op::I64ShrS => binop!(i64v, from_i64, |a, b| a.wrapping_shr(b as u32)),
                Op::I64ShrU => binop!(u64v, from_u64, |a, b| a.wrapping_shr(b as u32)),
                Op::I64Rotl => binop!(u64v, from_u64, |a, b| a.rotate_left((b % 64) as u32)),
                Op::I64Rotr => binop!(u64v, from_u64, |a, b| a.rotate_right((b % 64) as u32)),

                // ---- f32 ----
                Op::F32Eq => binop!(f32v, from_bool, |a, b| a == b),
                Op::F32Ne => binop!(f32v, from_bool, |a, b| a != b),
                Op::F32Lt => binop!(f32v, from_bool, |a, b| a < b),
                Op::F32Gt => binop!(f32v, from_bool, |a, b| a > b),
                Op::F32Le => binop!(f32v, from_bool, |a, b| a <= b),
                Op::F32Ge => binop!(f32v, from_bool, |a, b| a >= b),
                Op::F32Abs => unop!(u32v, from_u32, |a| a & 0x7fff_ffff),
                Op::F32Neg => unop!(u32v, from_u32, |a| a ^ 0x8000_0000),
                Op::F32Ceil => unop!(f32v, from_f32, |a| numeric::quiet_nan_or_f32(a, f32::ceil)),
                Op::F32Floor => unop!(f32v, from_f32, |a| numeric::quiet_nan_or_f32(a, f32::floor)),
                Op::F32Trunc => unop!(f32v, from_f32, |a| numeric::quiet_nan_or_f32(a, f32::trunc)),
                Op::F32Nearest => unop!(f32v, from_f32, |a| numeric::f32_nearest(a)),
                Op::F32Sqrt => unop!(f32v, from_f32, |a| a.sqrt()),
                Op::F32Add => binop!(f32v, from_f32, |a, b| a + b),
                Op::F32Sub => binop!(f32v, from_f32, |a, b| a - b),
                Op::F32Mul => binop!(f32v, from_f32, |a, b| a * b),
                Op::F32Div => binop!(f32v, from_f32, |a, b| a / b),
                Op::F32Min => binop!(f32v, from_f32, |a, b| numeric::f32_min(a, b)),
                Op::F32Max => binop!(f32v, from_f32, |a, b| numeric::f32_max(a, b)),
                Op::F32Copysign => {
                    binop!(u32v, from_u32, |a, b| (a & 0x7fff_ffff) | (b & 0x8000_0000))
                }

                // ---- f64 ----
                Op::F64Eq => binop!(f64v, from_bool, |a, b| a == b),
                Op::F64Ne => binop!(f64v, from_bool, |a, b| a != b),
                Op::F64Lt => binop!(f64v, from_bool, |a, b| a < b),
                Op::F64Gt => binop!(f64v, from_bool, |a, b| a > b),
                Op::F64Le => binop!(f64v, from_bool, |a, b| a <= b),
                Op::F64Ge => binop!(f64v, from_bool, |a, b| a >= b),
                Op::F64Abs => unop!(u64v, from_u64, |a| a & 0x7fff_ffff_ffff_ffff),
                Op::F64Neg => unop!(u64v, from_u64, |a| a ^ 0x8000_0000_0000_0000),
                Op::F64Ceil => unop!(f64v, from_f64, |a| numeric::quiet_nan_or_f64(a, f64::ceil)),
                Op::F64Floor => unop!(f64v, from_f64, |a| numeric::quiet_nan_or_f64(a, f64::floor)),
                Op::F64Trunc => unop!(f64v, from_f64, |a| numeric::quiet_nan_or_f64(a, f64::trunc)),
                Op::F64Nearest => unop!(f64v, from_f64, |a| numeric::f64_nearest(a)),
                Op::F64Sqrt => unop!(f64v, from_f64, |a| a.sqrt()),
                Op::F64Add => binop!(f64v, from_f64, |a, b| a + b),
                Op::F64Sub => binop!(f64v, from_f64, |a, b| a - b),
                Op::F64Mul => binop!(f64v, from_f64, |a, b| a * b),
                Op::F64Div => binop!(f64v, from_f64, |a, b| a / b),
                Op::F64Min => binop!(f64v, from_f64, |a, b| numeric::f64_min(a, b)),
                Op::F64Max => binop!(f64v, from_f64, |a, b| numeric::f64_max(a, b)),
                Op::F64Copysign => binop!(u64v, from_u64, |a, b| {
                    (a & 0x7fff_ffff_ffff_ffff) | (b & 0x8000_0000_0000_0000)
                }),

                // ---- conversions ----
                Op::I32WrapI64 => unop!(u64v, from_u32, |a| a as u32),
                Op::I32TruncF32S => unop_trap!(f32v, from_i32, numeric::i32_trunc_f32_s),
                Op::I32TruncF32U => unop_trap!(f32v, from_u32, numeric::i32_trunc_f32_u),
                Op::I32TruncF64S => unop_trap!(f64v, from_i32, numeric::i32_trunc_f64_s),
                Op::I32TruncF64U => unop_trap!(f64v, from_u32, numeric::i32_trunc_f64_u),
                Op::I64ExtendI32S => unop!(i32v, from_i64, |a| a as i64),
                Op::I64TruncF32S => unop_trap!(f32v, from_i64, numeric::i64_trunc_f32_s),
                Op::I64TruncF32U => unop_trap!(f32v, from_u64, numeric::i64_trunc_f32_u),
                Op::I64TruncF64S => unop_trap!(f64v, from_i64, numeric::i64_trunc_f64_s),
                Op::I64TruncF64U => unop_trap!(f64v, from_u64, numeric::i64_trunc_f64_u),
                Op::F32ConvertI32S => unop!(i32v, from_f32, |a| a as f32),
                Op::F32ConvertI32U => unop!(u32v, from_f32, |a| a as f32),
                Op::F32ConvertI64S => unop!(i64v, from_f32, |a| a as f32),
                Op::F32ConvertI64U => unop!(u64v, from_f32, |a| a as f32),
                Op::F32DemoteF64 => unop!(f64v, from_f32, |a| a as f32),
                Op::F64ConvertI32S => unop!(i32v, from_f64, |a| a as f64),
                Op::F64ConvertI32U => unop!(u32v, from_f64, |a| a as f64),
                Op::F64ConvertI64S => unop!(i64v, from_f64, |a| a as f64),
                Op::F64ConvertI64U => unop!(u64v, from_f64, |a| a as f64),
                Op::F64PromoteF32 => unop!(f32v, from_f64, |a| a as f64),
                Op::I32Extend8S => unop!(i32v, from_i32, |a| a as i8 as i32),
                Op::I32Extend16S => unop!(i32v, from_i32, |a| a as i16 as i32),
                Op::I64Extend8S => unop!(i64v, from_i64, |a| a as i8 as i64),
                Op::I64Extend16S => unop!(i64v, from_i64, |a| a as i16 as i64),
                Op::I64Extend32S => unop!(i64v, from_i64, |a| a as i32 as i64),
                // Rust's float-to-int `as` saturates and maps NaN to 0, as wasm specifies.
                Op::I32TruncSatF32S => unop!(f32v, from_i32, |a| a as i32),
                Op::I32TruncSatF32U => unop!(f32v, from_u32, |a| a as u32),
                Op::I32TruncSatF64S => unop!(f64v, from_i32, |a| a as i32),
                Op::I32TruncSatF64U => unop!(f64v, from_u32, |a| a as u32),
                Op::I64TruncSatF32S => unop!(f32v, from_i64, |a| a as i64),
                Op::I64TruncSatF32U => unop!(f32v, from_u64, |a| a as u64),
                Op::I64TruncSatF64S => unop!(f64v, from_i64, |a| a as i64),
                Op::I64TruncSatF64U => unop!(f64v, from_u64, |a| a as u64),
            }
        }
    }
}
