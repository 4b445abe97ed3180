//! Fingerprints the sources that decide what machine code this crate generates, so that code
//! cached by one build of wasmtier is never run by another (`artifact`): the crate's own
//! sources, the runtime's (VM context layout, trap codes, memory reservations), the
//! workspace's `Cargo.lock` (the Cranelift version), the compiler and the build profile.
//! A rebuild that changes none of them keeps the fingerprint, so the cache survives it.

use std::hash::{DefaultHasher, Hash, Hasher};
use std::path::Path;

fn main() {
    let dir = std::env::var("CARGO_MANIFEST_DIR").expect("set by cargo");
    let dir = Path::new(&dir);
    let mut hasher = DefaultHasher::new();
    for input in ["src", "../runtime/src", "../Cargo.lock"] {
        let path = dir.join(input);
        println!("cargo::rerun-if-changed={}", path.display());
        hash_path(&path, &mut hasher);
    }
    for var in ["TARGET", "PROFILE", "OPT_LEVEL", "CARGO_CFG_TARGET_FEATURE"] {
        println!("cargo::rerun-if-env-changed={var}");
        std::env::var(var).ok().hash(&mut hasher);
    }
    let rustc = std::env::var("RUSTC").unwrap_or_else(|_| "rustc".into());
    let version = std::process::Command::new(rustc)
        .arg("-vV")
        .output()
        .map(|o| o.stdout)
        .unwrap_or_default();
    version.hash(&mut hasher);
    println!(
        "cargo::rustc-env=WASMTIER_JIT_BUILD_ID={:016x}",
        hasher.finish()
    );
}

/// Hashes a file's name and contents, or a directory's files in name order. A path that
/// does not exist (a crate built outside its workspace) hashes as nothing.
fn hash_path(path: &Path, hasher: &mut DefaultHasher) {
    if path.is_dir() {
        let mut entries: Vec<_> = std::fs::read_dir(path)
            .into_iter()
            .flatten()
            .flatten()
            .map(|e| e.path())
            .collect();
        entries.sort();
        for entry in entries {
            hash_path(&entry, hasher);
        }
    } else if let Ok(bytes) = std::fs::read(path) {
        path.file_name().hash(hasher);
        bytes.hash(hasher);
    }
}
