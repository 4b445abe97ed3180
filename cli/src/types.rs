//! WAT-like rendering of import and export types for `wasmtier inspect`.

use wasmtier::{ExternType, GlobalType, Limits, MemoryType, TableType};

pub fn describe(ty: &ExternType) -> String {
    match ty {
        ExternType::Func(f) => f.to_string(),
        ExternType::Table(t) => describe_table(t),
        ExternType::Memory(m) => describe_memory(m),
        ExternType::Global(g) => describe_global(g),
        ExternType::Tag(t) => t.to_string().replacen("(func", "(tag", 1),
    }
}

fn limits(l: &Limits) -> String {
    match l.max {
        Some(max) => format!("{} {max}", l.min),
        None => l.min.to_string(),
    }
}

fn describe_table(t: &TableType) -> String {
    let index = if t.table64 { "i64 " } else { "" };
    format!("(table {index}{} {})", limits(&t.limits), t.element)
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
