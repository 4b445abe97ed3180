//! Replays the committed seed inputs of both fuzz targets through the same checks the fuzz
//! targets run (stable toolchain, no libFuzzer needed): `cd fuzz && cargo test --release`.

use std::path::{Path, PathBuf};

fn inputs(target: &str) -> Vec<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("seeds")
        .join(target);
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("reading {}: {e}", dir.display()))
        .map(|e| e.expect("directory entry").path())
        .filter(|p| p.is_file())
        .collect();
    files.sort();
    assert!(!files.is_empty(), "no seeds in {}", dir.display());
    files
}

#[test]
fn differential_seeds() {
    let mut failures = Vec::new();
    for path in inputs("differential") {
        let data = std::fs::read(&path).unwrap();
        if let Err(divergence) = wasmtier_fuzz::run_differential(&data) {
            failures.push(format!("{}: {divergence}", path.display()));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

#[test]
fn validate_seeds() {
    let mut failures = Vec::new();
    for path in inputs("validate") {
        let data = std::fs::read(&path).unwrap();
        if let Err(mismatch) = wasmtier_fuzz::run_validate(&data) {
            failures.push(format!("{}: {mismatch}", path.display()));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}
