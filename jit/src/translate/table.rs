//! Table and reference operators: `table.get`/`set`/`size`/`grow`/`fill`/`copy`/`init`,
//! `elem.drop`, `ref.null`, `ref.is_null`, `ref.as_non_null` and `ref.func`. Element addresses and the
//! encoding of function references (store-wide id + 1, 0 = null) come from the environment;
//! the bulk operators call builtins.

use cranelift_codegen::ir::condcodes::IntCC;
use cranelift_codegen::ir::{InstBuilder, types};
use wasmparser::Operator;

use super::{Translator, unsupported, user_trap};
use crate::abi::{Builtin, trap_code};

impl Translator<'_, '_> {
    /// Translates a table or reference operator.
    pub(super) fn table_op(&mut self, op: Operator<'_>) -> Result<(), String> {
        use Operator as O;
        match op {
            O::TableGet { table } => {
                let index = self.pop();
                let v = self.vm.table_get(&mut self.b, table, index);
                self.push(v);
            }
            O::TableSet { table } => {
                let v = self.pop();
                let index = self.pop();
                self.vm.table_set(&mut self.b, table, index, v);
            }
            O::TableSize { table } => self.table_size(table),
            O::TableGrow { table } => self.table_grow(table),
            O::TableFill { table } => self.table_fill(table),
            O::TableCopy {
                dst_table,
                src_table,
            } => self.table_copy(dst_table, src_table),
            O::TableInit { elem_index, table } => self.table_init(elem_index, table),
            O::ElemDrop { elem_index } => {
                let e = self.iconst32(elem_index);
                self.vm
                    .call_builtin_checked(&mut self.b, Builtin::ElemDrop, &[e]);
            }
            O::RefNull { .. } => {
                let v = self.b.ins().iconst(types::I64, 0);
                self.push(v);
            }
            O::RefIsNull => {
                let a = self.pop();
                let r = self.b.ins().icmp_imm_s(IntCC::Equal, a, 0);
                let r = self.bool_to_i32(r);
                self.push(r);
            }
            O::RefAsNonNull => {
                let a = *self.stack.last().expect("validated operand stack");
                self.b.ins().trapz(a, user_trap(trap_code::NULL_REFERENCE));
            }
            O::RefFunc { function_index } => {
                let raw = self.vm.ref_func(&mut self.b, function_index);
                self.push(raw);
            }
            // References are 64-bit slots that are equal exactly when the references are.
            O::RefEq => {
                let b = self.pop();
                let a = self.pop();
                let r = self.b.ins().icmp(IntCC::Equal, a, b);
                let r = self.bool_to_i32(r);
                self.push(r);
            }
            // An i31ref is odd: `(v & 0x7fff_ffff) << 1 | 1` (`raw_ref::from_i31`).
            O::RefI31 => {
                let a = self.pop();
                let a = self.b.ins().uextend(types::I64, a);
                let a = self.b.ins().band_imm_u(a, 0x7fff_ffff);
                let a = self.b.ins().ishl_imm_u(a, 1);
                let r = self.b.ins().bor_imm_u(a, 1);
                self.push(r);
            }
            O::I31GetS | O::I31GetU => {
                let a = self.pop();
                self.b.ins().trapz(a, user_trap(trap_code::NULL_I31_REF));
                let a = self.b.ins().ireduce(types::I32, a);
                let r = if matches!(op, O::I31GetS) {
                    self.b.ins().sshr_imm_u(a, 1)
                } else {
                    self.b.ins().ushr_imm_u(a, 1)
                };
                self.push(r);
            }
            other => return Err(unsupported(&other)),
        }
        Ok(())
    }

    fn table64(&self, table: u32) -> bool {
        self.env.info.tables[table as usize].table64
    }

    fn table_size(&mut self, table: u32) {
        let len = self.vm.table_length(&mut self.b, table);
        let len = if self.table64(table) {
            len
        } else {
            self.b.ins().ireduce(types::I32, len)
        };
        self.push(len);
    }

    fn table_grow(&mut self, table: u32) {
        let is64 = self.table64(table);
        let n = self.pop();
        let n = self.index_arg(n, is64);
        let init = self.pop();
        let t = self.iconst32(table);
        let r = self
            .vm
            .call_grow_builtin(&mut self.b, Builtin::TableGrow, &[t, init, n], is64);
        self.push(r);
    }

    fn table_fill(&mut self, table: u32) {
        let is64 = self.table64(table);
        let n = self.pop();
        let (i, v) = self.pop2();
        let (i, n) = (self.index_arg(i, is64), self.index_arg(n, is64));
        let t = self.iconst32(table);
        self.vm
            .call_builtin_checked(&mut self.b, Builtin::TableFill, &[t, i, v, n]);
    }

    fn table_copy(&mut self, dst_table: u32, src_table: u32) {
        let (dst64, src64) = (self.table64(dst_table), self.table64(src_table));
        let n = self.pop();
        let (d, s) = self.pop2();
        // The length is an i64 only if both tables are 64-bit.
        let n = self.index_arg(n, dst64 && src64);
        let (d, s) = (self.index_arg(d, dst64), self.index_arg(s, src64));
        let dt = self.iconst32(dst_table);
        let st = self.iconst32(src_table);
        self.vm
            .call_builtin_checked(&mut self.b, Builtin::TableCopy, &[dt, st, d, s, n]);
    }

    fn table_init(&mut self, elem_index: u32, table: u32) {
        let is64 = self.table64(table);
        let n = self.pop();
        let (d, s) = self.pop2();
        // Only the destination is a table index; segment offset and length are i32.
        let d = self.index_arg(d, is64);
        let (s, n) = (self.index_arg(s, false), self.index_arg(n, false));
        let t = self.iconst32(table);
        let e = self.iconst32(elem_index);
        self.vm
            .call_builtin_checked(&mut self.b, Builtin::TableInit, &[t, e, d, s, n]);
    }
}
