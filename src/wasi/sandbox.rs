//! Path resolution confined to a directory capability (a preopen or a directory opened from one).
//!
//! A guest path is never joined onto a host path string. It is walked one component at a
//! time from the directory's descriptor with `openat(O_NOFOLLOW)`, keeping the chain of
//! directories entered so far:
//! - `..` pops one directory; popping the starting one would leave the capability, so it
//!   fails with `ENOTCAPABLE`;
//! - absolute paths (and absolute symlink targets) are refused with `ENOTCAPABLE`;
//! - symlinks are read with `readlinkat` and their target's components are walked in place
//!   of the link (so `..` inside a link is confined the same way), at most `MAX_SYMLINKS`
//!   times, after which the walk fails with `ELOOP` (this also ends symlink loops).
//!
//! The result is the directory that holds the last component plus that component's name.
//! Callers operate on it with `*at` calls that do not follow a symlink there
//! (`O_NOFOLLOW`, `AT_SYMLINK_NOFOLLOW`), so a symlink swapped in after the walk is never
//! followed by the host either.

use std::collections::VecDeque;
use std::os::fd::{AsFd, OwnedFd};

use rustix::fs::{Mode, OFlags};

use super::errno::{Errno, WasiResult};
use super::mem::MAX_PATH;

/// Same limit as Linux's own symlink resolution.
const MAX_SYMLINKS: u32 = 40;

/// A resolved path: the directory holding the final component, and its name (`.` when the
/// path names a directory reached by `..` or `.`, e.g. `a/..`).
pub(crate) struct Resolved {
    pub dir: OwnedFd,
    pub name: String,
    /// The path ended in `/` (or `/.`), or a symlink followed in the last position had a
    /// target ending so: the name must be a directory. The name itself never carries the
    /// slash (the host would follow a symlink there); callers apply Linux's rules for it.
    pub must_dir: bool,
}

/// Resolves `path` beneath `base`. With `follow_last`, a symlink in the last position is
/// followed too (still confined); otherwise the link itself is the result. With
/// `slash_follows`, a trailing slash also makes the last symlink be followed (as path
/// lookups do on Linux: `open("link/")`, `stat("link/")`); `unlink`, `rmdir` and `rename`
/// pass false, since Linux looks at the link itself there.
pub(crate) fn resolve(
    base: &OwnedFd,
    path: &str,
    follow_last: bool,
    slash_follows: bool,
) -> WasiResult<Resolved> {
    if path.is_empty() {
        return Err(Errno::Noent.into());
    }
    if path.len() > MAX_PATH {
        return Err(Errno::Nametoolong.into());
    }
    if path.starts_with('/') {
        return Err(Errno::Notcapable.into());
    }
    if path.contains('\0') {
        return Err(Errno::Inval.into());
    }
    let mut must_dir = path.ends_with('/') || path.ends_with("/.");
    let follow_last = follow_last || (must_dir && slash_follows);
    let mut stack: Vec<OwnedFd> = vec![base.try_clone()?];
    let mut pending: VecDeque<String> = components(path).collect();
    let mut links = 0u32;
    loop {
        let Some(comp) = pending.pop_front() else {
            return Ok(Resolved {
                dir: pop(&mut stack)?,
                name: ".".into(),
                must_dir,
            });
        };
        let last = pending.is_empty();
        if comp == ".." {
            if stack.len() == 1 {
                return Err(Errno::Notcapable.into());
            }
            stack.pop();
            continue;
        }
        let cur = stack.last().ok_or(Errno::Io)?;
        // A symlink in the last position is the result itself unless asked to follow it.
        if !last || follow_last {
            match rustix::fs::readlinkat(cur.as_fd(), comp.as_str(), Vec::new()) {
                Ok(target) => {
                    links += 1;
                    if links > MAX_SYMLINKS {
                        return Err(Errno::Loop.into());
                    }
                    let target = target.into_string().map_err(|_| Errno::Ilseq)?;
                    if target.starts_with('/') {
                        return Err(Errno::Notcapable.into());
                    }
                    if target.is_empty() {
                        return Err(Errno::Noent.into());
                    }
                    if last && (target.ends_with('/') || target.ends_with("/.")) {
                        must_dir = true;
                    }
                    for (i, c) in components(&target).enumerate() {
                        pending.insert(i, c);
                    }
                    continue;
                }
                // Not a symlink, or nothing there (yet): the component itself is the answer.
                Err(rustix::io::Errno::INVAL) | Err(rustix::io::Errno::NOENT) => {}
                Err(e) => return Err(e.into()),
            }
        }
        if last {
            return Ok(Resolved {
                dir: pop(&mut stack)?,
                name: comp,
                must_dir,
            });
        }
        let next = rustix::fs::openat(
            cur.as_fd(),
            comp.as_str(),
            OFlags::PATH | OFlags::DIRECTORY | OFlags::NOFOLLOW | OFlags::CLOEXEC,
            Mode::empty(),
        )?;
        stack.push(next);
    }
}

/// The meaningful components: empty ones (`a//b`, trailing `/`) and `.` change nothing.
fn components(path: &str) -> impl Iterator<Item = String> + '_ {
    path.split('/')
        .filter(|c| !c.is_empty() && *c != ".")
        .map(str::to_string)
}

fn pop(stack: &mut Vec<OwnedFd>) -> WasiResult<OwnedFd> {
    // The stack always holds at least the base: `..` never pops the last entry.
    stack.pop().ok_or(Errno::Io.into())
}

#[cfg(test)]
mod tests {
    use super::*;
    use rustix::fs::AtFlags;
    use std::os::unix::fs::symlink;
    use std::path::PathBuf;

    /// ROOT/base (the capability) with ROOT/secret outside it.
    fn fixture(name: &str) -> (PathBuf, OwnedFd) {
        let root =
            std::env::temp_dir().join(format!("wasmtier-sandbox-{}-{name}", std::process::id()));
        let _ = std::fs::remove_dir_all(&root);
        std::fs::create_dir_all(root.join("base/a/b")).unwrap();
        std::fs::write(root.join("secret"), "x").unwrap();
        std::fs::write(root.join("base/a/file"), "y").unwrap();
        let fd = rustix::fs::open(
            root.join("base"),
            OFlags::RDONLY | OFlags::DIRECTORY | OFlags::CLOEXEC,
            Mode::empty(),
        )
        .unwrap();
        (root, fd)
    }

    fn err(base: &OwnedFd, path: &str, follow: bool) -> Errno {
        match resolve(base, path, follow, true) {
            Ok(r) => panic!("{path} resolved to {:?}", r.name),
            Err(crate::wasi::errno::WasiError::Errno(e)) => e,
            Err(e) => panic!("{path}: {e:?}"),
        }
    }

    #[test]
    fn names_inside_resolve_to_their_parent() {
        let (_root, base) = fixture("inside");
        let r = resolve(&base, "a/b/../file", true, true).unwrap();
        assert_eq!(r.name, "file");
        assert!(rustix::fs::statat(&r.dir, "file", AtFlags::empty()).is_ok());
        assert_eq!(resolve(&base, ".", true, true).unwrap().name, ".");
        assert_eq!(resolve(&base, "a/..", true, true).unwrap().name, ".");
        assert_eq!(resolve(&base, "a//b/", true, true).unwrap().name, "b");
    }

    #[test]
    fn leaving_the_base_is_not_capable() {
        let (root, base) = fixture("escape");
        assert_eq!(err(&base, "..", true), Errno::Notcapable);
        assert_eq!(err(&base, "../secret", true), Errno::Notcapable);
        assert_eq!(err(&base, "a/../../secret", false), Errno::Notcapable);
        assert_eq!(err(&base, "/etc/passwd", true), Errno::Notcapable);
        symlink(root.join("secret"), root.join("base/abs")).unwrap();
        symlink("a/../..", root.join("base/up")).unwrap();
        assert_eq!(err(&base, "abs", true), Errno::Notcapable);
        assert_eq!(err(&base, "up/secret", false), Errno::Notcapable);
        // Not following the last component yields the link itself, which is harmless.
        assert_eq!(resolve(&base, "abs", false, true).unwrap().name, "abs");
    }

    #[test]
    fn symlink_loops_end_in_eloop() {
        let (root, base) = fixture("loop");
        symlink("l2", root.join("base/l1")).unwrap();
        symlink("l1", root.join("base/l2")).unwrap();
        symlink("self/x", root.join("base/self")).unwrap();
        assert_eq!(err(&base, "l1", true), Errno::Loop);
        assert_eq!(err(&base, "self", true), Errno::Loop);
    }

    #[test]
    fn malformed_paths() {
        let (_root, base) = fixture("malformed");
        assert_eq!(err(&base, "", true), Errno::Noent);
        assert_eq!(err(&base, "a\0b", true), Errno::Inval);
        assert_eq!(err(&base, &"a/".repeat(3000), true), Errno::Nametoolong);
        assert_eq!(err(&base, "a/file/x", true), Errno::Notdir);
    }
}
