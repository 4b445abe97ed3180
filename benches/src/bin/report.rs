//! A quick side-by-side pass over every workload in every engine this build has:
//! `cargo run -p wasmtier-benches --release --bin report` (add `--features peers` for wasmi
//! and wasmtime). Prints the tables and writes `target/bench-report/report.md` and SVG charts.
//! Arguments, if any, are name filters: only the rows (workloads, modules, programs) whose name
//! contains one of them are measured, e.g. `report coremark bzip2`.
//! See `benches/README.md` for what each table measures.

use std::time::{Duration, Instant};

use wasmtier_benches::contenders::{
    self, Contender, Reps, check_output, time_calls, time_first_result, time_startup,
    time_wasi_first_result, time_wasi_runs, time_wasi_startup,
};
use wasmtier_benches::report::Table;
use wasmtier_benches::{PROGRAMS, STARTUP_MODULES, WORKLOADS};

/// Steady state: calls of milliseconds, so up to 50 of them in 0.4 s per cell.
const STEADY: Reps = Reps {
    min: 3,
    max: 50,
    budget: Duration::from_millis(400),
};
/// Startup and time to first result of the small wat workloads.
const SMALL_STARTUP: Reps = Reps {
    min: 3,
    max: 15,
    budget: Duration::from_millis(200),
};
/// Startup of the real modules: the JITs take up to seconds on SQLite, so three samples
/// there, more on small modules.
const MODULE_STARTUP: Reps = Reps {
    min: 3,
    max: 15,
    budget: Duration::from_millis(300),
};
/// Whole runs of the WASI programs (module compiled once).
const PROGRAM_RUNS: Reps = Reps {
    min: 3,
    max: 20,
    budget: Duration::from_millis(400),
};
/// Bytes to output of the WASI programs: each sample compiles again.
const PROGRAM_FIRST_RESULT: Reps = Reps {
    min: 3,
    max: 3,
    budget: Duration::ZERO,
};

fn main() {
    let args: Vec<String> = std::env::args().collect();
    if let [_, flag, contender, program] = &args[..]
        && flag == "--child-peak-rss"
    {
        child_peak_rss(contender, program);
        return;
    }
    if let Some(option) = args[1..].iter().find(|a| a.starts_with('-')) {
        eprintln!("error: unknown option `{option}`; usage: report [NAME-FILTER...]");
        std::process::exit(2);
    }
    let filter = Filter(args[1..].to_vec());
    let started = Instant::now();
    let machine = machine(&filter);
    eprintln!("{machine}");
    let contenders = contenders::all();
    let columns: Vec<String> = contenders.iter().map(|c| c.name()).collect();

    let (steady, startup, first) = measure_workloads(&contenders, &columns, &filter);
    let (modules, per_mb) = measure_module_startup(&contenders, &columns, &filter);
    let (programs, program_first) = measure_programs(&contenders, &columns, &filter);
    let memory = measure_memory(&columns, &filter);

    let tables = [
        (&steady, "report.svg"),
        (&startup, "startup.svg"),
        (&first, "first_result.svg"),
        (&modules, "module_startup.svg"),
        (&per_mb, "startup_per_mb.svg"),
        (&programs, "programs.svg"),
        (&program_first, "program_first_result.svg"),
    ];
    // With a filter, tables without a matching row are left out.
    let tables: Vec<_> = tables
        .into_iter()
        .filter(|(table, _)| !table.rows.is_empty())
        .collect();
    for (table, _) in &tables {
        println!("{}", table.text());
    }
    print!("{memory}");
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../target/bench-report");
    let written = std::fs::create_dir_all(&dir).and_then(|_| {
        let mut md = format!("## wasmtier benchmark report\n\n{machine}\n\n");
        for (table, _) in &tables {
            md.push_str(&table.markdown());
            md.push('\n');
        }
        md.push_str(&memory);
        std::fs::write(dir.join("report.md"), md)?;
        for (table, file) in &tables {
            std::fs::write(dir.join(file), table.svg())?;
        }
        Ok(())
    });
    match written {
        Ok(()) => eprintln!(
            "wrote {}/report.md and {} SVG charts in {:.0} s",
            dir.display(),
            tables.len(),
            started.elapsed().as_secs_f64()
        ),
        Err(e) => {
            eprintln!("error: writing the report to {}: {e}", dir.display());
            std::process::exit(1);
        }
    }
}

/// The name filters given on the command line: a row is measured if its name contains one of
/// them, or if there are none.
struct Filter(Vec<String>);

impl Filter {
    fn selects(&self, name: &str) -> bool {
        self.0.is_empty() || self.0.iter().any(|f| name.contains(f.as_str()))
    }
}

/// Cores and load when the report started: other work on the machine skews every number.
fn machine(filter: &Filter) -> String {
    let cores = std::thread::available_parallelism().map_or(0, |n| n.get());
    let load = std::fs::read_to_string("/proc/loadavg")
        .ok()
        .and_then(|l| l.split_whitespace().next().map(str::to_string))
        .unwrap_or_else(|| "unknown".into());
    let only = if filter.0.is_empty() {
        String::new()
    } else {
        format!(
            " Only rows whose name contains one of: {}.",
            filter.0.join(", ")
        )
    };
    format!(
        "Machine: {cores} cores, load average {load} when the report started. \
         Times are medians of quick samples (see `benches/README.md`).{only}"
    )
}

/// Steady state, startup and time to first result of the small wat workloads.
fn measure_workloads(
    contenders: &[Box<dyn Contender>],
    columns: &[String],
    filter: &Filter,
) -> (Table, Table, Table) {
    let mut steady = Table::new(
        "Steady state (one call)",
        "workload",
        "Median time of one call of the exported function on an instance that has already \
         run it once (a checked warm-up call).",
        columns,
    );
    let mut startup = Table::new(
        "Startup of the small workloads (compile + instantiate)",
        "workload",
        "From the binary (text converted beforehand) to an instance: decode, validate, \
         compile for the engine's tier, instantiate. The engine is made beforehand.",
        columns,
    );
    let mut first = Table::new(
        "Time to first result (compile + instantiate + one call)",
        "workload",
        "From the binary to the checked result of one call with the benchmark input; each \
         sample starts from the binary again. For `auto`, whatever the background compiler \
         has not finished when the call returns is not waited for.",
        columns,
    );
    for workload in WORKLOADS.iter().filter(|w| filter.selects(w.name)) {
        let wasm = workload.wasm();
        let input = workload.bench_input;
        let expected = (workload.reference)(input);
        let label = format!("{}({input})", workload.name);
        eprintln!("measuring {label} ...");
        let calls = contenders
            .iter()
            .map(|c| {
                c.prepare(&wasm, workload)
                    .and_then(|mut p| time_calls(&mut p, input, expected, STEADY))
            })
            .collect();
        steady.rows.push((label.clone(), calls));
        let starts = contenders
            .iter()
            .map(|c| time_startup(c.as_ref(), &wasm, workload, SMALL_STARTUP))
            .collect();
        startup
            .rows
            .push((format!("{} ({} bytes)", workload.name, wasm.len()), starts));
        let firsts = contenders
            .iter()
            .map(|c| time_first_result(c.as_ref(), &wasm, workload, SMALL_STARTUP))
            .collect();
        first.rows.push((label, firsts));
    }
    (steady, startup, first)
}

/// Startup of the real modules, absolute and per MB of wasm.
fn measure_module_startup(
    contenders: &[Box<dyn Contender>],
    columns: &[String],
    filter: &Filter,
) -> (Table, Table) {
    let what = "decode + validate + compile for the engine's tier + instantiate with the \
                engine's WASI preview1 imports (memory and data segments set up, `_start` not \
                run). The engine and its WASI linker are made beforehand; each sample compiles \
                again. wasmi and wasmtier's `interp` and `auto` translate function bodies \
                lazily (their default), so their columns are decode + validate + \
                instantiate; wasmtime (cargo feature \
                `parallel-compilation` off) and wasmtier's `jit` compile on one thread, \
                wasmtime-pulley through Cranelift to Pulley bytecode.";
    let mut absolute = Table::new(
        "Startup of real modules",
        "module",
        &format!("Measured: {what}"),
        columns,
    );
    let mut per_mb = Table::new(
        "Startup per MB of wasm",
        "module",
        &format!(
            "The times above divided by the module's size in MB (10^6 bytes); the last row \
             divides the sum of the times by the sum of the sizes. Measured: {what}"
        ),
        columns,
    );
    let mut totals: Vec<Result<Duration, String>> = vec![Ok(Duration::ZERO); contenders.len()];
    let mut total_mb = 0.0;
    let files: Vec<_> = STARTUP_MODULES
        .iter()
        .filter(|f| filter.selects(f.name))
        .collect();
    for file in &files {
        eprintln!("measuring startup of {} ...", file.label());
        let cells: Vec<Result<Duration, String>> = contenders
            .iter()
            .map(|c| time_wasi_startup(c.as_ref(), file.wasm, &[file.name], MODULE_STARTUP))
            .collect();
        for (total, cell) in totals.iter_mut().zip(&cells) {
            *total = match (&*total, cell) {
                (Ok(t), Ok(d)) => Ok(*t + *d),
                (Err(e), _) | (_, Err(e)) => Err(e.clone()),
            };
        }
        total_mb += file.megabytes();
        per_mb.rows.push((
            file.label(),
            cells
                .iter()
                .map(|c| c.clone().map(|d| d.div_f64(file.megabytes())))
                .collect(),
        ));
        absolute.rows.push((file.label(), cells));
    }
    if files.is_empty() {
        return (absolute, per_mb);
    }
    per_mb.rows.push((
        format!("all {} modules ({total_mb:.2} MB)", files.len()),
        totals
            .into_iter()
            .map(|t| t.map(|d| d.div_f64(total_mb)))
            .collect(),
    ));
    (absolute, per_mb)
}

/// The WASI programs: whole runs of a compiled module, and bytes to output.
fn measure_programs(
    contenders: &[Box<dyn Contender>],
    columns: &[String],
    filter: &Filter,
) -> (Table, Table) {
    let mut runs = Table::new(
        "WASI programs (one whole run)",
        "program",
        "Instantiate with WASI + `_start` + output check, in a fresh store each run; the \
         module is compiled once beforehand.",
        columns,
    );
    let mut first = Table::new(
        "WASI programs, time to first result (bytes to output)",
        "program",
        "Decode + validate + compile + instantiate + `_start` + output check, from the \
         binary each sample.",
        columns,
    );
    for program in PROGRAMS.iter().filter(|p| filter.selects(p.name)) {
        eprintln!("measuring {} ...", program.label());
        let argv = program.bench_argv();
        let cells = contenders
            .iter()
            .map(|c| {
                let module = c.compile_wasi(program.wasm)?;
                time_wasi_runs(module.as_ref(), &argv, program.bench_output, PROGRAM_RUNS)
            })
            .collect();
        runs.rows.push((program.label(), cells));
        let cells = contenders
            .iter()
            .map(|c| {
                time_wasi_first_result(
                    c.as_ref(),
                    program.wasm,
                    &argv,
                    program.bench_output,
                    PROGRAM_FIRST_RESULT,
                )
            })
            .collect();
        first.rows.push((program.label(), cells));
    }
    (runs, first)
}

/// Peak RSS of one run of each program in each contender, each in a child process of its own.
fn measure_memory(columns: &[String], filter: &Filter) -> String {
    let programs: Vec<_> = PROGRAMS.iter().filter(|p| filter.selects(p.name)).collect();
    if programs.is_empty() {
        return String::new();
    }
    let mut memory = String::from(
        "### Peak RSS per run (MiB, whole process)\n\nA child process compiles the program, \
         runs it once (output checked) and reports its peak resident set size (VmHWM), which \
         includes the report binary itself.\n\n| program |",
    );
    for c in columns {
        memory.push_str(&format!(" {c} |"));
    }
    memory.push_str("\n|---|");
    memory.push_str(&"---|".repeat(columns.len()));
    memory.push('\n');
    for program in programs {
        eprintln!("measuring peak RSS of {} ...", program.name);
        memory.push_str(&format!("| {} |", program.name));
        for c in columns {
            memory.push_str(&format!(" {} |", peak_rss_of_child(c, program.name)));
        }
        memory.push('\n');
    }
    memory
}

/// Runs `report --child-peak-rss CONTENDER PROGRAM` and returns its peak RSS in MiB as text.
fn peak_rss_of_child(contender: &str, program: &str) -> String {
    let Ok(exe) = std::env::current_exe() else {
        return "n/a".into();
    };
    let output = std::process::Command::new(exe)
        .args(["--child-peak-rss", contender, program])
        .output();
    match output {
        Ok(o) if o.status.success() => String::from_utf8_lossy(&o.stdout).trim().to_string(),
        Ok(o) => format!("failed: {}", String::from_utf8_lossy(&o.stderr).trim()),
        Err(e) => format!("failed: {e}"),
    }
}

/// In the child: run the program once, then print this process's peak RSS in MiB.
fn child_peak_rss(contender: &str, name: &str) {
    let run = || -> Result<(), String> {
        let program = PROGRAMS
            .iter()
            .find(|p| p.name == name)
            .ok_or("unknown program")?;
        let contender = contenders::by_name(contender)?;
        let module = contender.compile_wasi(program.wasm)?;
        let out = module.instantiate(&program.bench_argv())?()?;
        check_output(&out, program.bench_output)?;
        let status = std::fs::read_to_string("/proc/self/status").map_err(|e| e.to_string())?;
        let kib: f64 = status
            .lines()
            .find_map(|l| l.strip_prefix("VmHWM:"))
            .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
            .ok_or("no VmHWM in /proc/self/status")?;
        println!("{:.1}", kib / 1024.0);
        Ok(())
    };
    if let Err(e) = run() {
        eprintln!("{e}");
        std::process::exit(1);
    }
}
