//! WAT-like rendering of import and export types for `wasmtier inspect`.

use wasmtier::{ExternType, FuncType, GlobalType, Limits, MemoryType, TableType, ValType};

pub fn describe(ty: &ExternType) -> String {
    match ty {
        ExternType::Func(f) => describe_func(f),
        ExternType::Table(t) => describe_table(t),
        ExternType::Memory(m) => describe_memory(m),
        ExternType::Global(g) => describe_global(g),
    }
}

/// Like WAT, empty `param`/`result` clauses are left out: `(func (param i32))`, `(func)`.
fn describe_func(f: &FuncType) -> String {
    let clause = |keyword: &str, tys: &[ValType]| {
        if tys.is_empty() {
            String::new()
        } else {
            let names: Vec<String> = tys.iter().map(ValType::to_string).collect();
            format!(" ({keyword} {})", names.join(" "))
        }
    };
    format!(
        "(func{}{})",
        clause("param", f.params()),
        clause("result", f.results())
    )
}

fn limits(l: &Limits) -> String {
    match l.max {
        Some(max) => format!("{} {max}", l.min),
        None => l.min.to_string(),
    }
}

fn describe_table(t: &TableType) -> String {
    format!("(table {} {})", limits(&t.limits), t.element)
}

fn describe_memory(m: &MemoryType) -> String {
    let index = if m.memory64 { "i64 " } else { "" };
    let shared = if m.shared { " shared" } else { "" };
    format!("(memory {index}{}{shared})", limits(&m.limits))
}

fn describe_global(g: &GlobalType) -> String {
    if g.mutable {
        format!("(global (mut {}))", g.content)
    } else {
        format!("(global {})", g.content)
    }
}
