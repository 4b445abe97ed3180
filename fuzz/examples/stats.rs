//! Prints how far differential runs get on the given inputs (files or directories):
//! `cargo run --release --example stats -- fuzz/corpus/differential`.
use std::collections::BTreeMap;

fn main() {
    let mut files = Vec::new();
    for arg in std::env::args().skip(1) {
        let p = std::path::PathBuf::from(arg);
        if p.is_dir() {
            for e in std::fs::read_dir(&p).unwrap() {
                files.push(e.unwrap().path());
            }
        } else {
            files.push(p);
        }
    }
    let mut stopped: BTreeMap<String, usize> = BTreeMap::new();
    let (mut calls, mut diverged) = (0, 0);
    for f in &files {
        let Ok(data) = std::fs::read(f) else { continue };
        match wasmtier_fuzz::run_differential(&data) {
            Ok(r) => {
                if std::env::var_os("STATS_PER_FILE").is_some() {
                    println!("{} {} {:?}", r.calls_compared, f.display(), r.stopped);
                }
                calls += r.calls_compared;
                let key = r
                    .stopped
                    .map(|s| s.chars().take(40).collect())
                    .unwrap_or_else(|| "completed".into());
                *stopped.entry(key).or_default() += 1;
            }
            Err(e) => {
                diverged += 1;
                println!("DIVERGENCE in {}:\n{e}", f.display());
            }
        }
    }
    println!(
        "{} inputs, {calls} calls compared, {diverged} divergences",
        files.len()
    );
    for (k, v) in stopped {
        println!("{v:6}  {k}");
    }
}
