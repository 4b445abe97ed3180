//! A quick side-by-side pass over every workload in every engine this build has:
//! `cargo run -p wasmtier-benches --release --bin report` (add `--features peers` for wasmi
//! and wasmtime). Prints a table and writes `target/bench-report/report.md` and `.svg`.

use std::time::Duration;

use wasmtier_benches::WORKLOADS;
use wasmtier_benches::contenders::{self, time_calls, time_startup};
use wasmtier_benches::report::Table;

/// Time spent measuring each cell of the steady-state table.
const CELL_BUDGET: Duration = Duration::from_millis(400);

fn main() {
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
    print!("{}\n{}", steady.text(), startup.text());
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../target/bench-report");
    let written = std::fs::create_dir_all(&dir).and_then(|_| {
        let md = format!("{}\n{}", steady.markdown(), startup.markdown());
        std::fs::write(dir.join("report.md"), md)?;
        std::fs::write(dir.join("report.svg"), steady.svg())?;
        std::fs::write(dir.join("startup.svg"), startup.svg())
    });
    match written {
        Ok(()) => eprintln!(
            "wrote {}/report.md, report.svg and startup.svg",
            dir.display()
        ),
        Err(e) => {
            eprintln!("error: writing the report to {}: {e}", dir.display());
            std::process::exit(1);
        }
    }
}
