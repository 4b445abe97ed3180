//! `wasmtier run [--tier T] [--dir D] [--env K=V] [--fuel N] [--invoke NAME] FILE [ARGS...]`.

use std::io::Write;

use wasmtier::wasi::{self, WasiCtx};
use wasmtier::{
    CacheStatus, Config, ExternType, FuncTier, FuncType, Linker, Module, Store, Tier, Val,
};

use crate::args::RunArgs;
use crate::commands;
use crate::failure::Failure;
use crate::output;
use crate::values::{format_val, parse_val};

/// What `run` calls when no `--invoke` is given: the WASI command entry point.
const DEFAULT_ENTRY: &str = "_start";

pub fn run(args: RunArgs) -> Result<(), Failure> {
    let mut config = commands::config(&args.tier, &args.wasm);
    if args.fuel.is_some() {
        config.consume_fuel(true);
    }
    if let Some(pages) = args.max_memory_pages {
        config.max_memory_pages(pages);
    }
    if let Some(elements) = args.max_table_elements {
        config.max_table_elements(elements);
    }
    if let Some(elements) = args.max_table_elements_total {
        config.max_table_elements_total(elements);
    }
    if let Some(depth) = args.max_call_depth {
        config.max_call_depth(usize::try_from(depth).unwrap_or(usize::MAX));
    }
    if let Some(bytes) = args.max_wasm_stack {
        config.max_wasm_stack(usize::try_from(bytes).unwrap_or(usize::MAX));
    }
    // Statistics should count every call, also those of compiled code.
    config.count_calls(args.stats);
    if let Some(dir) = &args.emit_clif {
        config.jit_emit_clif(clif_dir(dir, args.tier.tier)?);
    }
    let bytes = commands::read_file(&args.file)?;
    // A precompiled module (from `wasmtier compile`) is machine code for the JIT.
    let precompiled = Module::is_precompiled(&bytes);
    if precompiled {
        if args.tier.tier == Tier::Auto {
            return Err(Failure::error(format!(
                "{} is a precompiled module, which runs with --tier=jit, not --tier=auto",
                args.file.display()
            )));
        }
        config.tier(Tier::Jit);
    } else if args.tier.tier == Tier::Jit
        && !args.no_cache
        && let Some(dir) = args.cache_dir.clone().or_else(Config::default_cache_dir)
    {
        config.cache_dir(dir);
        if let Some(max) = args.cache_max_size {
            config.cache_max_bytes(max);
        }
    }
    let engine = commands::engine_from(&config)?;
    let module = if precompiled {
        // SAFETY: running a precompiled module trusts its machine code, as running any
        // native program does; the user asked to run this file. Damage is detected.
        unsafe { Module::deserialize(&engine, &bytes) }
            .map_err(|e| Failure::error(format!("{}: {e}", args.file.display())))?
    } else {
        commands::module_from_bytes(&engine, &args.file, &bytes)?
    };

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
        tcplisten: &args.tcplisten,
    })?;
    let mut store = Store::new(&engine, ctx);
    if let Some(fuel) = args.fuel {
        store.set_fuel(fuel)?;
    }
    // The clock starts before instantiation, so that a start function that never returns
    // is stopped too.
    if let Some(timeout) = args.timeout {
        let handle = store.interrupt_handle();
        // Detached: if the guest finishes first, the process exits without waiting for it.
        std::thread::spawn(move || {
            std::thread::sleep(timeout);
            handle.interrupt();
        });
    }
    // Every run gets WASI preview1; other imports fail as "unknown import".
    let mut linker = Linker::new(&engine);
    wasi::add_to_linker(&mut linker, |cx: &mut WasiCtx| cx)?;
    let instance = linker.instantiate(&mut store, &module)?;
    let func = instance
        .get_func(&store, name)
        .ok_or_else(|| Failure::error(format!("unknown export function `{name}`")))?;

    let mut results: Vec<Val> = ty.results().iter().map(|t| Val::default_for(*t)).collect();
    let outcome = func.call(&mut store, &params, &mut results);
    // Statistics also after a trap or `proc_exit`: that is when they explain the most.
    if args.stats {
        print_stats(&module, &args);
    }
    outcome?;
    for result in &results {
        output::line(format_val(result))?;
    }
    Ok(())
}

/// `--emit-clif DIR`: the directory, created if missing. Only `--tier=jit` compiles the whole
/// module up front, where the IR is written; elsewhere the option would silently do nothing.
fn clif_dir(dir: &std::path::Path, tier: Tier) -> Result<&std::path::Path, Failure> {
    if tier != Tier::Jit {
        return Err(Failure::error(format!(
            "--emit-clif needs --tier=jit (got --tier={tier})"
        )));
    }
    std::fs::create_dir_all(dir).map_err(|e| {
        Failure::error(format!(
            "cannot create the --emit-clif directory {}: {e}",
            dir.display()
        ))
    })?;
    Ok(dir)
}

/// How many of the most called functions `--stats` lists.
const TOP_FUNCTIONS: usize = 10;

/// `--stats`: the tiering summary, on stderr so that stdout stays the program's.
fn print_stats(module: &Module, args: &RunArgs) {
    let stats = module.tier_stats();
    let mut text = String::new();
    let tier = module.engine().tier();
    let tiers_up = module.engine().tiers_up();
    text.push_str(&format!("wasmtier stats (tier {tier}"));
    if tiers_up {
        let threshold = args
            .tier
            .tier_threshold
            .unwrap_or(wasmtier::DEFAULT_TIER_THRESHOLD);
        text.push_str(&format!(", threshold {threshold} calls"));
    } else if tier == Tier::Auto {
        text.push_str(", no JIT in this build or on this host: interpreter only");
    }
    text.push_str(")\n");
    if module.engine().tier() == Tier::Jit {
        let cache = match module.cache_status() {
            CacheStatus::Off => "off".to_string(),
            CacheStatus::Hit(path) => format!("hit, loaded {}", path.display()),
            CacheStatus::Stored(path) => format!("compiled, stored {}", path.display()),
            CacheStatus::Unavailable(why) => format!("compiled, not stored: {why}"),
            CacheStatus::Precompiled => "precompiled module, nothing compiled".to_string(),
        };
        text.push_str(&format!("  code cache: {cache}\n"));
    }
    let compiling = stats
        .funcs
        .iter()
        .filter(|f| f.tier == FuncTier::Compiling)
        .count();
    let (translated, defined) = module.translated_funcs();
    text.push_str(&format!(
        "  functions translated to bytecode: {translated} of {defined}\n"
    ));
    text.push_str(&format!(
        "  functions run only interpreted: {}\n",
        stats.interpreted_only()
    ));
    text.push_str(&format!(
        "  functions promoted to the JIT:  {}\n",
        stats.promoted()
    ));
    text.push_str(&format!(
        "  running calls moved to the JIT: {} (on-stack replacement at a hot loop)\n",
        stats.osr_entries()
    ));
    if compiling > 0 {
        text.push_str(&format!("  still compiling at exit:        {compiling}\n"));
    }
    text.push_str(&format!(
        "  CPU time spent compiling:       {:.3} ms\n",
        stats.compile_time().as_secs_f64() * 1e3
    ));
    for failed in stats.failed() {
        if let FuncTier::Failed(reason) = &failed.tier {
            text.push_str(&format!(
                "  compilation failed (stays interpreted): {}: {reason}\n",
                func_label(failed.index, failed.name.as_deref())
            ));
        }
    }
    let top = stats.top_by_calls(TOP_FUNCTIONS);
    if !top.is_empty() {
        text.push_str("  top functions by calls:\n");
        for f in top {
            let tier = match f.tier {
                FuncTier::Compiled => "jit",
                FuncTier::Compiling => "compiling",
                FuncTier::Failed(_) => "interp (failed)",
                FuncTier::Interpreted => "interp",
            };
            text.push_str(&format!(
                "    {:>12}  {:<16} {}\n",
                f.calls,
                tier,
                func_label(f.index, f.name.as_deref())
            ));
        }
    }
    // Best effort: a closed stderr must not turn a successful run into a failure.
    let _ = std::io::stderr().lock().write_all(text.as_bytes());
}

fn func_label(index: u32, name: Option<&str>) -> String {
    match name {
        Some(name) => name.to_string(),
        None => format!("<wasm function {index}>"),
    }
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

/// How many exported function names the hint for an unknown `--invoke` name lists.
const LISTED_EXPORTS: usize = 10;
/// Longest export name the hint prints in full (a module may export megabyte-long names).
const LISTED_NAME_CHARS: usize = 64;

/// A hint listing the first few exported functions, since a typo is the likely cause. It
/// stays short whatever the module holds: a few names, each cut and escaped, and a count of
/// the rest.
fn available_funcs(module: &Module) -> String {
    let mut funcs = module
        .exports()
        .filter(|e| matches!(e.ty, ExternType::Func(_)))
        .map(|e| e.name);
    let listed: Vec<String> = funcs
        .by_ref()
        .take(LISTED_EXPORTS)
        .map(|name| short_name(&name))
        .collect();
    let more = funcs.count();
    if listed.is_empty() {
        " (the module exports no functions)".to_string()
    } else if more == 0 {
        format!(" (exported functions: {})", listed.join(", "))
    } else {
        format!(
            " (exported functions: {}, and {more} more)",
            listed.join(", ")
        )
    }
}

/// An export name for a message: quoted, control characters escaped, cut to
/// `LISTED_NAME_CHARS` characters.
fn short_name(name: &str) -> String {
    let mut chars = name.chars();
    let head: String = chars.by_ref().take(LISTED_NAME_CHARS).collect();
    let cut = if chars.next().is_some() { "..." } else { "" };
    format!("`{}`{cut}", head.escape_debug())
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
