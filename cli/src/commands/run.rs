//! `wasmtier run [--tier T] [--dir D] [--env K=V] [--fuel N] [--invoke NAME] FILE [ARGS...]`.

use wasmtier::wasi::{self, WasiCtx};
use wasmtier::{ExternType, FuncType, Linker, Module, Store, Val};

use crate::args::RunArgs;
use crate::commands;
use crate::failure::Failure;
use crate::output;
use crate::values::{format_val, parse_val};

/// What `run` calls when no `--invoke` is given: the WASI command entry point.
const DEFAULT_ENTRY: &str = "_start";

pub fn run(args: RunArgs) -> Result<(), Failure> {
    let mut config = commands::config(args.tier.tier);
    if args.fuel.is_some() {
        config.consume_fuel(true);
    }
    let engine = commands::engine_from(&config)?;
    let module = commands::load_module(&engine, &args.file)?;

    // Everything that can be checked statically is checked before instantiation, so that a bad
    // command line never runs the module's start function.
    let misplaced_option = args.args.iter().any(|a| a.starts_with("--"));
    let name = entry_name(&module, args.invoke.as_deref(), misplaced_option)?;
    let ty = exported_func_type(&module, name)?;
    // A WASI command (`_start` taking no parameters, run without --invoke) gets ARGS as its
    // argv; a function called with --invoke gets them as its parameters.
    let is_command = args.invoke.is_none() && ty.params().is_empty();
    let program = args.file.display().to_string();
    let (argv, params) = if is_command {
        let argv = std::iter::once(program).chain(args.args.iter().cloned());
        (argv.collect(), Vec::new())
    } else {
        (vec![program], parse_args(&ty, &args.args)?)
    };

    let ctx = crate::wasi::build(crate::wasi::WasiOptions {
        argv,
        dirs: &args.dirs,
        envs: &args.envs,
        inherit_env: args.inherit_env,
    })?;
    let mut store = Store::new(&engine, ctx);
    if let Some(fuel) = args.fuel {
        store.set_fuel(fuel)?;
    }
    // Every run gets WASI preview1; other imports fail as "unknown import".
    let mut linker = Linker::new(&engine);
    wasi::add_to_linker(&mut linker, |cx: &mut WasiCtx| cx)?;
    let instance = linker.instantiate(&mut store, &module)?;
    let func = instance
        .get_func(&store, name)
        .ok_or_else(|| Failure::error(format!("unknown export function `{name}`")))?;

    let mut results: Vec<Val> = ty.results().iter().map(|t| Val::default_for(*t)).collect();
    func.call(&mut store, &params, &mut results)?;
    for result in &results {
        output::line(format_val(result))?;
    }
    Ok(())
}

/// `misplaced_option`: an argument after FILE looks like an option, which would explain why
/// `--invoke` seems to be missing.
fn entry_name<'a>(
    module: &Module,
    invoke: Option<&'a str>,
    misplaced_option: bool,
) -> Result<&'a str, Failure> {
    match invoke {
        Some(name) => Ok(name),
        None if module.exports().any(|e| e.name == DEFAULT_ENTRY) => Ok(DEFAULT_ENTRY),
        None => Err(Failure::error(format!(
            "no --invoke given and module has no `{DEFAULT_ENTRY}` export{}",
            if misplaced_option {
                " (options must come before the function arguments)"
            } else {
                ""
            }
        ))),
    }
}

fn exported_func_type(module: &Module, name: &str) -> Result<FuncType, Failure> {
    match module.exports().find(|e| e.name == name) {
        Some(export) => match export.ty {
            ExternType::Func(ty) => Ok(ty),
            _ => Err(Failure::error(format!("export `{name}` is not a function"))),
        },
        None => Err(Failure::error(format!(
            "unknown export function `{name}`{}",
            available_funcs(module)
        ))),
    }
}

/// A hint listing the exported functions, since a typo is the likely cause.
fn available_funcs(module: &Module) -> String {
    let names: Vec<String> = module
        .exports()
        .filter(|e| matches!(e.ty, ExternType::Func(_)))
        .map(|e| format!("`{}`", e.name))
        .collect();
    if names.is_empty() {
        " (the module exports no functions)".to_string()
    } else {
        format!(" (exported functions: {})", names.join(", "))
    }
}

fn parse_args(ty: &FuncType, args: &[String]) -> Result<Vec<Val>, Failure> {
    let params = ty.params();
    if params.len() != args.len() {
        return Err(Failure::error(format!(
            "function of type {ty} expects {} argument{}, got {}",
            params.len(),
            if params.len() == 1 { "" } else { "s" },
            args.len()
        )));
    }
    params
        .iter()
        .zip(args)
        .enumerate()
        .map(|(i, (ty, text))| {
            parse_val(text, *ty)
                .map_err(|e| Failure::error(format!("argument {} (of type {ty}): {e}", i + 1)))
        })
        .collect()
}
