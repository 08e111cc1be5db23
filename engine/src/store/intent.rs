//! Intents: how a multi-step operation that must never be left half done (a commit that
//! froze its container, a `network connect`, an `rm -f`) survives being killed. Before
//! its first step it writes `<run>/intents/<kind>.<id>` and holds an flock on it while it
//! runs; when it ends (or unwinds) it removes the file. A killed operation leaves the
//! file with nobody holding its lock, and the next berth command's sweep finishes or
//! undoes the operation by its kind (`Engine::repair_intents`).
//!
//! The file is locked before it gets its name (a link, which never replaces another
//! command's), so a sweep never mistakes a starting
//! operation for a dead one; and a sweep that wins the lock after the owner removed the
//! file sees that the name no longer points at the inode it locked.

use std::fs::{self, File, OpenOptions};
use std::os::fd::AsRawFd;
use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};

use super::ids::random_hex;
use super::Paths;
use crate::error::{Error, IoContext, Result};

const DIR: &str = "intents";

/// A running operation's intent; removed when dropped.
#[derive(Debug)]
pub struct Intent {
    /// None when the same operation on the same object was already declared (by a
    /// concurrent command, whose intent covers both).
    path: Option<PathBuf>,
    _file: File,
}

impl Intent {
    /// Declare `kind` on `id` (with optional `detail`, e.g. the network), before acting.
    pub fn begin(paths: &Paths, kind: &str, id: &str, detail: &str) -> Result<Intent> {
        let dir = paths.run.join(DIR);
        fs::create_dir_all(&dir).ctx("create directory", &dir)?;
        let tmp = dir.join(format!(".new-{}", random_hex(8)));
        let file = OpenOptions::new()
            .read(true)
            .write(true)
            .create_new(true)
            .open(&tmp)
            .ctx("create", &tmp)?;
        lock(&file, libc::LOCK_EX, &tmp)?;
        fs::write(&tmp, detail).ctx("write", &tmp)?;
        let path = dir.join(format!("{kind}.{id}"));
        // A link never replaces: a concurrent same intent keeps its file.
        let linked = fs::hard_link(&tmp, &path);
        let _ = fs::remove_file(&tmp);
        match linked {
            Ok(()) => Ok(Intent {
                path: Some(path),
                _file: file,
            }),
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => Ok(Intent {
                path: None,
                _file: file,
            }),
            Err(e) => Err(Error::io("create", &path, e)),
        }
    }
}

impl Drop for Intent {
    fn drop(&mut self) {
        // Unlink before the lock goes (when the file closes): a sweep that then wins the
        // lock finds the name gone.
        if let Some(p) = &self.path {
            let _ = fs::remove_file(p);
        }
    }
}

/// An operation whose process died: its kind, its object, the detail it wrote. The
/// sweep holds its lock until it is dropped, and its file goes with it.
#[derive(Debug)]
pub struct Orphan {
    pub kind: String,
    pub id: String,
    pub detail: String,
    path: PathBuf,
    _file: File,
    keep: bool,
}

impl Orphan {
    /// Leave the file for a later sweep (the repair could not be done now).
    pub fn keep(mut self) {
        self.keep = true;
    }
}

impl Drop for Orphan {
    fn drop(&mut self) {
        if !self.keep {
            let _ = fs::remove_file(&self.path);
        }
    }
}

/// The intents whose owner is gone, each locked for the caller. Cheap when none exist.
pub fn orphans(paths: &Paths) -> Vec<Orphan> {
    let dir = paths.run.join(DIR);
    let Ok(rd) = fs::read_dir(&dir) else {
        return Vec::new();
    };
    let mut out = Vec::new();
    for e in rd.flatten() {
        let name = e.file_name().to_string_lossy().into_owned();
        let path = e.path();
        if name.starts_with(".new-") {
            // A begin killed before its rename never acted; once unlocked it is litter.
            if let Ok(f) = File::open(&path) {
                if lock(&f, libc::LOCK_EX | libc::LOCK_NB, &path).is_ok() {
                    let _ = fs::remove_file(&path);
                }
            }
            continue;
        }
        let Some((kind, id)) = name.split_once('.') else {
            continue;
        };
        let Ok(file) = OpenOptions::new().read(true).write(true).open(&path) else {
            continue;
        };
        if lock(&file, libc::LOCK_EX | libc::LOCK_NB, &path).is_err() || !same_file(&path, &file) {
            continue;
        }
        let detail = fs::read_to_string(&path).unwrap_or_default();
        out.push(Orphan {
            kind: kind.to_string(),
            id: id.to_string(),
            detail,
            path,
            _file: file,
            keep: false,
        });
    }
    out
}

/// Whether `path` still names the file we hold open (it was not removed meanwhile).
fn same_file(path: &Path, f: &File) -> bool {
    match (fs::metadata(path), f.metadata()) {
        (Ok(a), Ok(b)) => a.ino() == b.ino() && a.dev() == b.dev(),
        _ => false,
    }
}

fn lock(f: &File, how: libc::c_int, path: &Path) -> Result<()> {
    loop {
        // SAFETY: flock on a descriptor we own.
        if unsafe { libc::flock(f.as_raw_fd(), how) } == 0 {
            return Ok(());
        }
        let err = std::io::Error::last_os_error();
        if err.kind() != std::io::ErrorKind::Interrupted {
            return Err(Error::io("lock", path, err));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn paths() -> (tempfile::TempDir, Paths) {
        let d = tempfile::tempdir().unwrap();
        let p = Paths::new(d.path().join("root"), d.path().join("run"));
        (d, p)
    }

    #[test]
    fn a_running_operation_is_no_orphan_and_leaves_nothing() {
        let (_d, p) = paths();
        let i = Intent::begin(&p, "commit", "abc", "x").unwrap();
        assert!(orphans(&p).is_empty());
        // The same intent declared again meanwhile leaves the first one's file alone.
        drop(Intent::begin(&p, "commit", "abc", "y").unwrap());
        assert_eq!(
            fs::read_to_string(p.run.join(DIR).join("commit.abc")).unwrap(),
            "x"
        );
        drop(i);
        assert!(orphans(&p).is_empty());
        assert_eq!(fs::read_dir(p.run.join(DIR)).unwrap().count(), 0);
    }

    /// What a killed process leaves: the file, and no lock on it.
    fn left_by_a_killed_process(p: &Paths, name: &str, detail: &str) -> PathBuf {
        let dir = p.run.join(DIR);
        fs::create_dir_all(&dir).unwrap();
        fs::write(dir.join(name), detail).unwrap();
        dir.join(name)
    }

    #[test]
    fn a_dead_operation_is_found_once_with_its_detail() {
        let (_d, p) = paths();
        let path = left_by_a_killed_process(&p, "connect.abc", "net1");
        let found = orphans(&p);
        assert_eq!(found.len(), 1);
        assert_eq!(
            (
                found[0].kind.as_str(),
                found[0].id.as_str(),
                found[0].detail.as_str()
            ),
            ("connect", "abc", "net1")
        );
        // While one sweep holds it, another does not see it.
        assert!(orphans(&p).is_empty());
        drop(found);
        assert!(!path.exists());
    }

    #[test]
    fn a_kept_orphan_comes_back_to_the_next_sweep() {
        let (_d, p) = paths();
        let path = left_by_a_killed_process(&p, "rm.abc", "");
        orphans(&p).pop().unwrap().keep();
        assert!(path.exists());
        assert_eq!(orphans(&p).len(), 1);
    }
}
