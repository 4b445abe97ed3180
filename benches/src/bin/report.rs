//! A quick side-by-side pass over every workload in every engine this build has:
//! `cargo run -p wasmtier-benches --release --bin report` (add `--features peers` for wasmi
//! and wasmtime). Prints a table and writes `target/bench-report/report.md` and `.svg`.

use std::time::{Duration, Instant};

use wasmtier::Tier;
use wasmtier_benches::contenders::{self, time_calls, time_startup};
use wasmtier_benches::programs::{PROGRAMS, ProgramRunner};
use wasmtier_benches::report::Table;
use wasmtier_benches::{Runner, TIERS, WORKLOADS};

/// Time spent measuring each cell of the steady-state table.
const CELL_BUDGET: Duration = Duration::from_millis(400);

fn main() {
    let args: Vec<String> = std::env::args().collect();
    if let [_, flag, tier, program] = &args[..]
        && flag == "--child-peak-rss"
    {
        child_peak_rss(tier, program);
        return;
    }
    let contenders = contenders::all();
    let columns: Vec<String> = contenders.iter().map(|c| c.name()).collect();
    let mut steady = Table {
        title: "Steady state (one call)".into(),
        columns: columns.clone(),
        rows: vec![],
    };
    let mut startup = Table {
        title: "Startup (compile + instantiate)".into(),
        columns,
        rows: vec![],
    };
    for workload in WORKLOADS {
        let input = workload.bench_input;
        let expected = (workload.reference)(input);
        let label = format!("{}({input})", workload.name);
        eprintln!("measuring {label} ...");
        let calls = contenders
            .iter()
            .map(|c| {
                c.prepare(workload)
                    .and_then(|mut p| time_calls(&mut p, input, expected, CELL_BUDGET))
            })
            .collect();
        steady.rows.push((label, calls));
        let starts = contenders
            .iter()
            .map(|c| time_startup(c.as_ref(), workload))
            .collect();
        startup.rows.push((workload.name.to_string(), starts));
    }
    let (programs, memory) = measure_programs();
    print!(
        "{}\n{}\n{}\n{}",
        steady.text(),
        startup.text(),
        programs.text(),
        memory
    );
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../target/bench-report");
    let written = std::fs::create_dir_all(&dir).and_then(|_| {
        let md = format!(
            "{}\n{}\n{}\n{memory}",
            steady.markdown(),
            startup.markdown(),
            programs.markdown()
        );
        std::fs::write(dir.join("report.md"), md)?;
        std::fs::write(dir.join("report.svg"), steady.svg())?;
        std::fs::write(dir.join("startup.svg"), startup.svg())?;
        std::fs::write(dir.join("programs.svg"), programs.svg())
    });
    match written {
        Ok(()) => eprintln!(
            "wrote {}/report.md, report.svg, startup.svg and programs.svg",
            dir.display()
        ),
        Err(e) => {
            eprintln!("error: writing the report to {}: {e}", dir.display());
            std::process::exit(1);
        }
    }
}

/// The tiers of this build, for the WASI programs (peers would need their own WASI).
fn available_tiers() -> Vec<Tier> {
    TIERS
        .iter()
        .copied()
        .filter(|t| Runner::engine(*t).is_ok())
        .collect()
}

/// Times each C program per tier (a whole run: instantiate, `_start`, output check) and
/// measures each run's peak resident memory in a child process of its own.
fn measure_programs() -> (Table, String) {
    let tiers = available_tiers();
    let mut table = Table {
        title: "WASI programs (one whole run)".into(),
        columns: tiers.iter().map(|t| format!("wasmtier-{t}")).collect(),
        rows: vec![],
    };
    let mut memory = String::from("### Peak RSS per run (MiB, whole process)\n\n| program |");
    for t in &tiers {
        memory.push_str(&format!(" {t} |"));
    }
    memory.push_str("\n|---|");
    memory.push_str(&"---|".repeat(tiers.len()));
    memory.push('\n');
    for program in PROGRAMS {
        eprintln!("measuring {} ...", program.name);
        let cells = tiers.iter().map(|t| time_program(*t, program)).collect();
        table
            .rows
            .push((format!("{}({})", program.name, program.bench_arg), cells));
        memory.push_str(&format!("| {} |", program.name));
        for t in &tiers {
            memory.push_str(&format!(" {} |", peak_rss_of_child(*t, program.name)));
        }
        memory.push('\n');
    }
    (table, memory)
}

fn time_program(
    tier: Tier,
    program: &wasmtier_benches::programs::Program,
) -> Result<Duration, String> {
    let engine = Runner::engine(tier).map_err(|e| e.to_string())?;
    let runner = ProgramRunner::new(&engine, program).map_err(|e| e.to_string())?;
    let mut samples = Vec::new();
    let start = Instant::now();
    while samples.len() < 3 || (start.elapsed() < CELL_BUDGET && samples.len() < 20) {
        let t = Instant::now();
        let out = runner.run(program.bench_arg).map_err(|e| e.to_string())?;
        samples.push(t.elapsed());
        if out != program.bench_output {
            return Err(format!("wrong output {out:?}"));
        }
    }
    samples.sort();
    Ok(samples[samples.len() / 2])
}

/// Runs `report --child-peak-rss TIER PROGRAM` and returns its peak RSS in MiB as text.
fn peak_rss_of_child(tier: Tier, program: &str) -> String {
    let Ok(exe) = std::env::current_exe() else {
        return "n/a".into();
    };
    let output = std::process::Command::new(exe)
        .args(["--child-peak-rss", &tier.to_string(), program])
        .output();
    match output {
        Ok(o) if o.status.success() => String::from_utf8_lossy(&o.stdout).trim().to_string(),
        Ok(o) => format!("failed: {}", String::from_utf8_lossy(&o.stderr).trim()),
        Err(e) => format!("failed: {e}"),
    }
}

/// In the child: run the program once, then print this process's peak RSS in MiB.
fn child_peak_rss(tier: &str, name: &str) {
    let run = || -> Result<(), String> {
        let tier: Tier = tier.parse()?;
        let program = PROGRAMS
            .iter()
            .find(|p| p.name == name)
            .ok_or("unknown program")?;
        let engine = Runner::engine(tier).map_err(|e| e.to_string())?;
        let runner = ProgramRunner::new(&engine, program).map_err(|e| e.to_string())?;
        let out = runner.run(program.bench_arg).map_err(|e| e.to_string())?;
        if out != program.bench_output {
            return Err(format!("wrong output {out:?}"));
        }
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
