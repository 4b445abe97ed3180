//! The `spectest` host module that the official test scripts import from.

use wasmtier::{
    Global, GlobalType, Linker, Memory, MemoryType, RefType, Store, Table, TableType, Val, ValType,
};

/// Defines the `spectest` module in `linker`, creating its memory, table and globals in
/// `store`. The print functions print nothing: the suite only needs them to exist and to
/// have the right types, and printing would drown the test output.
pub fn define_spectest(linker: &mut Linker<()>, store: &mut Store<()>) -> wasmtier::Result<()> {
    linker
        .func_wrap("spectest", "print", || {})?
        .func_wrap("spectest", "print_i32", |_: i32| {})?
        .func_wrap("spectest", "print_i64", |_: i64| {})?
        .func_wrap("spectest", "print_f32", |_: f32| {})?
        .func_wrap("spectest", "print_f64", |_: f64| {})?
        .func_wrap("spectest", "print_i32_f32", |_: i32, _: f32| {})?
        .func_wrap("spectest", "print_f64_f64", |_: f64, _: f64| {})?;

    let globals = [
        ("global_i32", ValType::I32, Val::I32(666)),
        ("global_i64", ValType::I64, Val::I64(666)),
        ("global_f32", ValType::F32, Val::from(666.6f32)),
        ("global_f64", ValType::F64, Val::from(666.6f64)),
    ];
    for (name, content, value) in globals {
        let ty = GlobalType {
            content,
            mutable: false,
        };
        let global = Global::new(&mut *store, ty, value)?;
        linker.define(&*store, "spectest", name, global)?;
    }

    let table_ty = TableType::new(RefType::FUNCREF, 10, Some(20));
    let table = Table::new(&mut *store, table_ty, Val::FuncRef(None))?;
    linker.define(&*store, "spectest", "table", table)?;

    let memory_ty = MemoryType::new(1, Some(2));
    let memory = Memory::new(&mut *store, memory_ty)?;
    linker.define(&*store, "spectest", "memory", memory)?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use wasmtier::{Engine, Extern, FuncType};

    fn setup() -> (Linker<()>, Store<()>) {
        let engine = Engine::default();
        let mut store = Store::new(&engine, ());
        let mut linker = Linker::new(&engine);
        define_spectest(&mut linker, &mut store).expect("spectest defines cleanly");
        (linker, store)
    }

    #[test]
    fn print_functions_have_spec_types() {
        let (linker, mut store) = setup();
        let cases = [
            ("print", vec![]),
            ("print_i32", vec![ValType::I32]),
            ("print_i64", vec![ValType::I64]),
            ("print_f32", vec![ValType::F32]),
            ("print_f64", vec![ValType::F64]),
            ("print_i32_f32", vec![ValType::I32, ValType::F32]),
            ("print_f64_f64", vec![ValType::F64, ValType::F64]),
        ];
        for (name, params) in cases {
            let func = linker
                .get(&mut store, "spectest", name)
                .and_then(Extern::into_func)
                .unwrap_or_else(|| panic!("spectest.{name} missing"));
            assert_eq!(func.ty(&store), FuncType::new(params, []), "{name}");
        }
    }

    #[test]
    fn globals_are_immutable_with_spec_values() {
        let (linker, mut store) = setup();
        let expect = [
            ("global_i32", Val::I32(666)),
            ("global_i64", Val::I64(666)),
            ("global_f32", Val::F32(666.6f32.to_bits())),
            ("global_f64", Val::F64(666.6f64.to_bits())),
        ];
        for (name, value) in expect {
            let global = linker
                .get(&mut store, "spectest", name)
                .and_then(Extern::into_global)
                .unwrap_or_else(|| panic!("spectest.{name} missing"));
            assert!(!global.ty(&store).mutable, "{name}");
            assert_eq!(global.get(&store), value, "{name}");
        }
    }

    #[test]
    fn table_and_memory_limits() {
        let (linker, mut store) = setup();
        let table = linker
            .get(&mut store, "spectest", "table")
            .and_then(Extern::into_table)
            .expect("table");
        let ty = table.ty(&store);
        assert_eq!(ty.element, RefType::FUNCREF);
        assert_eq!((ty.limits.min, ty.limits.max), (10, Some(20)));
        assert_eq!(table.size(&store), 10);

        let memory = linker
            .get(&mut store, "spectest", "memory")
            .and_then(Extern::into_memory)
            .expect("memory");
        let ty = memory.ty(&store);
        assert_eq!((ty.limits.min, ty.limits.max), (1, Some(2)));
        assert_eq!(memory.size(&store), 1);
    }
}
