//! `<root>/tmp`, where loads, imports, layer unpacks and commits stage their files, and
//! how a killed one's leftovers go. Every operation that stages there holds a shared
//! lock (`<root>/tmp.lock`) for as long as its files exist; the sweep takes the lock
//! exclusively without waiting, and when it can, no operation is staging: whatever
//! `tmp/` holds was left by a killed one and goes. (Hundreds of MB of a commit's layer,
//! say, are gone by the next command instead of staying until an image prune.)

use std::fs;
use std::path::PathBuf;

use super::{FileLock, Paths};
use crate::error::Result;

/// Hold while files of this operation are in `tmp/`.
pub fn hold(paths: &Paths) -> Result<FileLock> {
    let dir = paths.tmp_dir();
    fs::create_dir_all(&dir).map_err(|e| crate::Error::io("create directory", &dir, e))?;
    FileLock::shared(&paths.tmp_lock())
}

/// Remove what killed operations left in `tmp/`, if no operation is staging now.
/// Returns what was removed.
pub fn sweep(paths: &Paths) -> Result<Vec<PathBuf>> {
    let dir = paths.tmp_dir();
    let mut gone = Vec::new();
    let Ok(mut rd) = fs::read_dir(&dir) else {
        return Ok(gone);
    };
    // The common case, an empty tmp/, costs one readdir and takes no lock.
    let Some(first) = rd.next() else {
        return Ok(gone);
    };
    let Some(_lock) = FileLock::try_exclusive(&paths.tmp_lock())? else {
        return Ok(gone);
    };
    for e in std::iter::once(first).chain(rd).flatten() {
        let p = e.path();
        let removed = if e.file_type().is_ok_and(|t| t.is_dir()) {
            fs::remove_dir_all(&p)
        } else {
            fs::remove_file(&p)
        };
        if removed.is_ok() {
            gone.push(p);
        }
    }
    Ok(gone)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn leftovers_go_unless_an_operation_is_staging() {
        let d = tempfile::tempdir().unwrap();
        let p = Paths::new(d.path().join("root"), d.path().join("run"));
        p.ensure().unwrap();
        fs::write(p.tmp_dir().join("commit-x.tar"), "layer").unwrap();
        fs::create_dir(p.tmp_dir().join("archive-y")).unwrap();
        {
            let _staging = hold(&p).unwrap();
            assert!(sweep(&p).unwrap().is_empty());
            assert!(p.tmp_dir().join("commit-x.tar").exists());
        }
        assert_eq!(sweep(&p).unwrap().len(), 2);
        assert_eq!(fs::read_dir(p.tmp_dir()).unwrap().count(), 0);
        assert!(sweep(&p).unwrap().is_empty());
    }
}
