//! Linear-memory operators: loads, stores, `memory.size`, `memory.grow`, `memory.fill`,
//! `memory.copy`, `memory.init` and `data.drop`. Addresses and bounds checks come from the
//! environment ([`FuncEnvironment::mem_addr`](super::env::FuncEnvironment::mem_addr)); the
//! bulk operators call builtins.

use cranelift_codegen::ir::{self, InstBuilder, MemFlagsData, Type, types};
use wasmparser::Operator;

use super::{Translator, unsupported};
use crate::abi::Builtin;

/// Flags of wasm loads and stores: little-endian, and a fault is an out-of-bounds access.
pub(super) fn heap_flags() -> MemFlagsData {
    MemFlagsData::new()
        .with_endianness(ir::Endianness::Little)
        .with_trap_code(Some(ir::TrapCode::HEAP_OUT_OF_BOUNDS))
}

impl Translator<'_, '_> {
    /// Translates a memory operator.
    pub(super) fn memory_op(&mut self, op: Operator<'_>) -> Result<(), String> {
        use Operator as O;
        match op {
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
            O::MemorySize { mem } => self.memory_size(mem),
            O::MemoryGrow { mem } => self.memory_grow(mem),
            O::MemoryFill { mem } => self.memory_fill(mem),
            O::MemoryCopy { dst_mem, src_mem } => self.memory_copy(dst_mem, src_mem),
            O::MemoryInit { data_index, mem } => self.memory_init(data_index, mem),
            O::DataDrop { data_index } => {
                let seg = self.iconst32(data_index);
                self.vm
                    .call_builtin_checked(&mut self.b, Builtin::DataDrop, &[seg]);
            }
            other => return Err(unsupported(&other)),
        }
        Ok(())
    }

    fn memory64(&self, memory: u32) -> bool {
        self.env.info.memories[memory as usize].memory64
    }

    fn load(
        &mut self,
        memarg: &wasmparser::MemArg,
        ty: Type,
        size: u32,
        ext: Option<(Type, bool)>,
    ) {
        let index = self.pop();
        let (addr, off) = self.vm.mem_addr(&mut self.b, memarg, index, size);
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
        let (addr, off) = self.vm.mem_addr(&mut self.b, memarg, index, size);
        self.b.ins().store(heap_flags(), v, addr, off);
    }

    fn memory_size(&mut self, mem: u32) {
        let len = self.vm.memory_length(&mut self.b, mem);
        let log2 = self.env.info.memories[mem as usize].page_size_log2;
        let pages = self.b.ins().ushr_imm_u(len, log2 as i64);
        let pages = if self.memory64(mem) {
            pages
        } else {
            self.b.ins().ireduce(types::I32, pages)
        };
        self.push(pages);
    }

    fn memory_grow(&mut self, mem: u32) {
        let is64 = self.memory64(mem);
        let delta = self.pop();
        let delta = self.index_arg(delta, is64);
        let mem = self.iconst32(mem);
        let r = self
            .vm
            .call_grow_builtin(&mut self.b, Builtin::MemoryGrow, &[mem, delta], is64);
        self.push(r);
    }

    fn memory_fill(&mut self, mem: u32) {
        let is64 = self.memory64(mem);
        let n = self.pop();
        let (d, v) = self.pop2();
        let (d, n) = (self.index_arg(d, is64), self.index_arg(n, is64));
        let mem = self.iconst32(mem);
        self.vm
            .call_builtin_checked(&mut self.b, Builtin::MemoryFill, &[mem, d, v, n]);
    }

    fn memory_copy(&mut self, dst_mem: u32, src_mem: u32) {
        let (dst64, src64) = (self.memory64(dst_mem), self.memory64(src_mem));
        let n = self.pop();
        let (d, s) = self.pop2();
        // The length is an i64 only if both memories are 64-bit.
        let n = self.index_arg(n, dst64 && src64);
        let (d, s) = (self.index_arg(d, dst64), self.index_arg(s, src64));
        let (dst_mem, src_mem) = (self.iconst32(dst_mem), self.iconst32(src_mem));
        let args = [dst_mem, src_mem, d, s, n];
        self.vm
            .call_builtin_checked(&mut self.b, Builtin::MemoryCopy, &args);
    }

    fn memory_init(&mut self, data_index: u32, mem: u32) {
        let is64 = self.memory64(mem);
        let n = self.pop();
        let (d, s) = self.pop2();
        // Only the destination is an address; segment offset and length are i32.
        let d = self.index_arg(d, is64);
        let (s, n) = (self.index_arg(s, false), self.index_arg(n, false));
        let seg = self.iconst32(data_index);
        let mem = self.iconst32(mem);
        self.vm
            .call_builtin_checked(&mut self.b, Builtin::MemoryInit, &[mem, seg, d, s, n]);
    }
}
