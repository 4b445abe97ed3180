//! The on-disk code cache of `Tier::Jit` (`Config::cache_dir`): one file per module and key,
//! `DIR/<32 hex digits>.cwasm`, holding a precompiled module (`wasmtier_jit::artifact`).
//!
//! The file name is a hash of the module's bytes and of everything else the code depends on
//! (wasmtier build, CPU, configuration: `artifact::Key`); the file itself repeats the key and
//! the module's bytes, which are compared in full on a hit, so a hash collision is a miss,
//! never the wrong code. An entry that is damaged, truncated or does not match is ignored:
//! the module is compiled and the entry replaced.
//!
//! Entries are written to a temporary file in the same directory and renamed into place,
//! which is atomic: a reader sees a whole entry or none, and processes storing the same entry
//! at once each rename a whole file over the other's. Nothing here ever fails a module: when
//! the directory cannot be made, read or written, the module is compiled as without a cache
//! and [`CacheStatus::Unavailable`] says why.

#[cfg(feature = "jit")]
use std::io::Write;
#[cfg(feature = "jit")]
use std::path::Path;
use std::path::PathBuf;
#[cfg(feature = "jit")]
use std::sync::atomic::{AtomicU64, Ordering};

/// What the code cache did for a module (`Module::cache_status`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CacheStatus {
    /// No cache was involved: it is off (the default for embedders), the tier is not
    /// `Tier::Jit`, or a setting makes the code uncacheable (`Config::jit_filter`,
    /// `Config::jit_emit_clif`).
    Off,
    /// The machine code was loaded from this entry: nothing was compiled.
    Hit(PathBuf),
    /// The module was compiled and its code saved to this entry (new, or replacing one that
    /// was damaged or did not match).
    Stored(PathBuf),
    /// The module was compiled; the cache could not be used, for this reason (for example a
    /// directory that cannot be created or written).
    Unavailable(String),
    /// The module was loaded from a precompiled module (`Module::deserialize`).
    Precompiled,
}

/// The default cache directory: `$XDG_CACHE_HOME/wasmtier`, or `~/.cache/wasmtier` when
/// `XDG_CACHE_HOME` is unset, empty or relative (as the XDG spec says); `None` without a
/// home directory either.
pub fn default_dir() -> Option<PathBuf> {
    let base = match std::env::var_os("XDG_CACHE_HOME").map(PathBuf::from) {
        Some(dir) if dir.is_absolute() => dir,
        _ => {
            let home = PathBuf::from(std::env::var_os("HOME").filter(|h| !h.is_empty())?);
            home.join(".cache")
        }
    };
    Some(base.join("wasmtier"))
}

#[cfg(feature = "jit")]
/// The entry `name` (from `Key::cache_name`) of the cache in `dir`.
pub(crate) fn entry_path(dir: &Path, name: &str) -> PathBuf {
    dir.join(format!("{name}.cwasm"))
}

#[cfg(feature = "jit")]
/// The contents of an entry, or `None` if there is none (or it cannot be read).
pub(crate) fn read(path: &Path) -> Option<Vec<u8>> {
    std::fs::read(path).ok()
}

#[cfg(feature = "jit")]
/// Stores `bytes` as the entry at `path` (creating its directory): written to a temporary
/// file beside it, then renamed over it.
pub(crate) fn store(path: &Path, bytes: &[u8]) -> Result<(), String> {
    let dir = path.parent().ok_or("cache entry without a directory")?;
    std::fs::create_dir_all(dir)
        .map_err(|e| format!("cannot create cache directory {}: {e}", dir.display()))?;
    // Unique among this process's writers (the counter) and other processes' (the pid).
    static NEXT: AtomicU64 = AtomicU64::new(0);
    let tmp = dir.join(format!(
        ".{}.{}-{}.tmp",
        path.file_name()
            .map(|n| n.to_string_lossy())
            .unwrap_or_default(),
        std::process::id(),
        NEXT.fetch_add(1, Ordering::Relaxed)
    ));
    let written = std::fs::File::create_new(&tmp)
        .and_then(|mut file| file.write_all(bytes))
        .and_then(|()| std::fs::rename(&tmp, path));
    written.map_err(|e| {
        let _ = std::fs::remove_file(&tmp);
        format!("cannot write cache entry {}: {e}", path.display())
    })
}
