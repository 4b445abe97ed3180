//! Human-readable bytecode listings (`wasmtier inspect --bytecode`).

use std::fmt::Write;

use crate::translate::CompiledFunc;

pub fn disassemble(func: &CompiledFunc) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "func {}: slots: params={} locals={} results={} frame={} (a v128 takes 2); ops={}",
        func.func_index,
        func.num_params,
        func.num_locals,
        func.num_results,
        func.frame_size,
        func.ops.len()
    );
    for (i, op) in func.ops.iter().enumerate() {
        let mut op = *op;
        let target = op.branch_offset_mut().map(|off| i as i64 + *off as i64);
        match target {
            Some(t) => {
                let _ = writeln!(out, "  {i:5}: {op:?}  -> {t}");
            }
            None => {
                let _ = writeln!(out, "  {i:5}: {op:?}");
            }
        }
    }
    out
}
