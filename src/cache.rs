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
//!
//! The cache has a size limit (`Config::cache_max_bytes`). Each hit sets its entry's
//! modification time to now, so the times order the entries by last use; after each store,
//! the least recently used entries are deleted until the cache is back under 90 % of the
//! limit (the slack spares the next stores a scan that deletes one file each). Deleting an
//! entry another process is reading is harmless on Unix (the reader keeps the open file),
//! and one deleted just before a read is a miss. Temporary files that a crashed writer
//! left behind are deleted once they are an hour old.

#[cfg(feature = "jit")]
use std::io::Write;
#[cfg(feature = "jit")]
use std::path::Path;
use std::path::PathBuf;
#[cfg(feature = "jit")]
use std::sync::atomic::{AtomicU64, Ordering};
#[cfg(feature = "jit")]
use std::time::{Duration, SystemTime};

/// The default size limit of the code cache: 1 GiB, as wasmtime's.
pub const DEFAULT_MAX_BYTES: u64 = 1 << 30;

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
/// Marks the entry at `path` as just used (its modification time is the eviction order).
/// Best effort: an entry that cannot be touched is merely evicted earlier.
pub(crate) fn touch(path: &Path) {
    if let Ok(file) = std::fs::File::options().append(true).open(path) {
        let _ = file.set_modified(SystemTime::now());
    }
}

#[cfg(feature = "jit")]
/// How old a temporary file must be to count as left behind by a writer that died.
const STALE_TMP_AGE: Duration = Duration::from_secs(3600);

#[cfg(feature = "jit")]
/// Deletes the least recently used entries of the cache in `dir` until the entries take at
/// most 90 % of `max_bytes`, if they take more than `max_bytes`; `keep` (the entry just
/// stored) is never deleted. Also deletes stale temporary files. Best effort: files that
/// cannot be read or deleted are skipped. Returns how many entries were deleted.
pub(crate) fn evict(dir: &Path, max_bytes: u64, keep: &Path) -> usize {
    let Ok(listing) = std::fs::read_dir(dir) else {
        return 0;
    };
    let now = SystemTime::now();
    let mut entries = Vec::new();
    let mut total = 0u64;
    for item in listing.flatten() {
        let path = item.path();
        let Ok(meta) = item.metadata() else { continue };
        if !meta.is_file() {
            continue;
        }
        let modified = meta.modified().unwrap_or(now);
        let name = item.file_name();
        let name = name.to_string_lossy();
        if name.starts_with('.') && name.ends_with(".tmp") {
            let age = now.duration_since(modified).unwrap_or_default();
            if age > STALE_TMP_AGE {
                let _ = std::fs::remove_file(&path);
            }
        } else if name.ends_with(".cwasm") {
            total += meta.len();
            entries.push((modified, meta.len(), path));
        }
    }
    if total <= max_bytes {
        return 0;
    }
    let target = max_bytes / 10 * 9;
    entries.sort_by_key(|(modified, _, _)| *modified);
    let mut deleted = 0;
    for (_, len, path) in entries {
        if total <= target {
            break;
        }
        if path != keep && std::fs::remove_file(&path).is_ok() {
            total -= len;
            deleted += 1;
        }
    }
    deleted
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

#[cfg(all(test, feature = "jit"))]
mod tests {
    use super::*;

    /// A scratch directory, removed on drop.
    struct Scratch(PathBuf);

    impl Scratch {
        fn new(name: &str) -> Scratch {
            let dir = std::env::temp_dir()
                .join(format!("wasmtier-cache-test-{name}-{}", std::process::id()));
            let _ = std::fs::remove_dir_all(&dir);
            std::fs::create_dir_all(&dir).unwrap();
            Scratch(dir)
        }

        /// An entry of `len` bytes last used `age_secs` ago.
        fn entry(&self, name: &str, len: usize, age_secs: u64) -> PathBuf {
            let path = self.0.join(name);
            std::fs::write(&path, vec![0u8; len]).unwrap();
            let when = SystemTime::now() - Duration::from_secs(age_secs);
            let file = std::fs::File::options().append(true).open(&path).unwrap();
            file.set_modified(when).unwrap();
            path
        }
    }

    impl Drop for Scratch {
        fn drop(&mut self) {
            let _ = std::fs::remove_dir_all(&self.0);
        }
    }

    #[test]
    fn eviction_deletes_least_recently_used_entries_down_to_90_percent() {
        let dir = Scratch::new("lru");
        let oldest = dir.entry("a.cwasm", 400, 300);
        let older = dir.entry("b.cwasm", 400, 200);
        let recent = dir.entry("c.cwasm", 400, 100);
        let kept = dir.entry("d.cwasm", 400, 400);
        // 1600 bytes over a limit of 1000: down to 900, oldest first, sparing `kept`.
        assert_eq!(evict(&dir.0, 1000, &kept), 2);
        assert!(!oldest.exists() && !older.exists());
        assert!(recent.exists() && kept.exists());
        // Under the limit: nothing to do.
        assert_eq!(evict(&dir.0, 1000, &kept), 0);
    }

    #[test]
    fn a_touched_entry_counts_as_recently_used() {
        let dir = Scratch::new("touch");
        let used = dir.entry("a.cwasm", 600, 300);
        let unused = dir.entry("b.cwasm", 600, 200);
        touch(&used);
        let new = dir.entry("c.cwasm", 100, 0);
        assert_eq!(evict(&dir.0, 1000, &new), 1);
        assert!(used.exists() && !unused.exists());
    }

    #[test]
    fn eviction_deletes_only_stale_temporary_files_and_leaves_other_files() {
        let dir = Scratch::new("tmp");
        let stale = dir.entry(".a.cwasm.1-0.tmp", 10, 7200);
        let fresh = dir.entry(".b.cwasm.1-1.tmp", 10, 10);
        let other = dir.entry("notes.txt", 5000, 9000);
        let entry = dir.entry("a.cwasm", 10, 0);
        assert_eq!(evict(&dir.0, 1000, &entry), 0);
        assert!(!stale.exists());
        assert!(fresh.exists() && other.exists() && entry.exists());
    }
}
