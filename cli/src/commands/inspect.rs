//! `wasmtier inspect FILE` (imports and exports) and `wasmtier inspect --bytecode FILE [FUNC]`.

use std::collections::BTreeMap;

use wasmtier::{ExternType, Module};

use crate::args::InspectArgs;
use crate::commands;
use crate::failure::Failure;
use crate::output;
use crate::types::describe;

pub fn run(args: InspectArgs) -> Result<(), Failure> {
    // The bytecode shown is the interpreter's, so inspection always uses that tier.
    let engine = commands::engine(wasmtier::Tier::Interp, &args.wasm)?;
    let module = commands::load_module(&engine, &args.file)?;
    if !args.bytecode {
        return list_imports_and_exports(&module);
    }
    match args.func {
        Some(name) => disassemble_one(&module, &name),
        None => disassemble_all(&module),
    }
}

fn list_imports_and_exports(module: &Module) -> Result<(), Failure> {
    output::line("imports:")?;
    if module.imports().len() == 0 {
        output::line("  (none)")?;
    }
    for import in module.imports() {
        output::line(format_args!(
            "  {}::{}: {}",
            import.module,
            import.name,
            describe(&import.ty)
        ))?;
    }
    output::line("exports:")?;
    if module.exports().len() == 0 {
        output::line("  (none)")?;
    }
    for export in module.exports() {
        output::line(format_args!("  {}: {}", export.name, describe(&export.ty)))?;
    }
    Ok(())
}

fn disassemble_one(module: &Module, name: &str) -> Result<(), Failure> {
    let index = module.find_func(name).ok_or_else(|| {
        Failure::error(format!(
            "no function `{name}` in module (give an export name, a name-section name or an index below {})",
            module.num_funcs()
        ))
    })?;
    let listing = module.disassemble(index).ok_or_else(|| {
        Failure::error(format!(
            "function `{name}` (index {index}) is imported: it has no bytecode"
        ))
    })?;
    print_listing(index, &export_names(module), &listing)
}

fn disassemble_all(module: &Module) -> Result<(), Failure> {
    let names = export_names(module);
    // Imported functions come first in the index space and have no bytecode: skip them.
    for index in 0..module.num_funcs() {
        if let Some(listing) = module.disassemble(index) {
            print_listing(index, &names, &listing)?;
        }
    }
    Ok(())
}

fn print_listing(
    index: u32,
    names: &BTreeMap<u32, Vec<String>>,
    listing: &str,
) -> Result<(), Failure> {
    // The listing has its own header with the index; only the export names are added.
    if let Some(exported) = names.get(&index) {
        output::line(format_args!(";; export {}", exported.join(", ")))?;
    }
    output::line(listing.trim_end())?;
    output::line("")
}

/// Export names of each exported function, so listings can be matched with the source.
fn export_names(module: &Module) -> BTreeMap<u32, Vec<String>> {
    let mut names: BTreeMap<u32, Vec<String>> = BTreeMap::new();
    for export in module.exports() {
        if !matches!(export.ty, ExternType::Func(_)) {
            continue;
        }
        // `find_func` resolves export names first, so this yields the exported index.
        if let Some(index) = module.find_func(&export.name) {
            names
                .entry(index)
                .or_default()
                .push(format!("\"{}\"", export.name));
        }
    }
    names
}
