//! The state root's identity: 8 hex digits made once, on first use, and kept in
//! `<root>/root-id`. Everything a root creates on the host (bridges, firewall tables) is
//! named or marked by it, so several roots on one host can tell their objects apart.
//! It travels with the root (a moved root keeps its bridges' marks), and it is created
//! first-writer-wins: concurrent first commands on a fresh root agree on one ID.

use std::fs;
use std::path::Path;

use super::ids::random_hex;
use crate::error::{Error, IoContext, Result};

const FILE: &str = "root-id";

/// The root's ID, made now if it has none.
pub fn root_id(root: &Path) -> Result<String> {
    let path = root.join(FILE);
    match read(&path) {
        Ok(id) => return Ok(id),
        Err(Error::Io { source, .. }) if source.kind() == std::io::ErrorKind::NotFound => {}
        Err(e) => return Err(e),
    }
    fs::create_dir_all(root).ctx("create directory", root)?;
    // Write it whole under a temporary name, then link it into place: a link never
    // replaces an existing file, so the first writer's ID is the one everyone reads.
    let id = random_hex(4);
    let tmp = root.join(format!(".{FILE}.{id}"));
    fs::write(&tmp, format!("{id}\n")).ctx("write", &tmp)?;
    let linked = fs::hard_link(&tmp, &path);
    let _ = fs::remove_file(&tmp);
    match linked {
        Ok(()) => super::atomic::sync_dir(root),
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {}
        Err(e) => return Err(Error::io("create", &path, e)),
    }
    read(&path)
}

/// The ID of a root that already has one (another root's, read from the host registry).
pub fn existing_root_id(root: &Path) -> Option<String> {
    read(&root.join(FILE)).ok()
}

fn read(path: &Path) -> Result<String> {
    let text = fs::read_to_string(path).ctx("read", path)?;
    let id = text.trim();
    if id.len() == 8 && id.bytes().all(|b| b.is_ascii_hexdigit()) {
        Ok(id.to_ascii_lowercase())
    } else {
        Err(Error::Corrupt {
            path: path.to_path_buf(),
            reason: format!("expected 8 hex digits, found {id:?}"),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn made_once_and_kept() {
        let d = tempfile::tempdir().unwrap();
        let root = d.path().join("root");
        let id = root_id(&root).unwrap();
        assert_eq!(id.len(), 8);
        assert_eq!(root_id(&root).unwrap(), id);
        assert_eq!(existing_root_id(&root), Some(id));
        // No temporary file is left beside it.
        let names: Vec<_> = fs::read_dir(&root).unwrap().flatten().collect();
        assert_eq!(names.len(), 1);
    }

    #[test]
    fn concurrent_first_uses_agree() {
        let d = tempfile::tempdir().unwrap();
        let root = d.path().join("root");
        let ids: Vec<String> = std::thread::scope(|s| {
            let hs: Vec<_> = (0..8)
                .map(|_| s.spawn(|| root_id(&root).unwrap()))
                .collect();
            hs.into_iter().map(|h| h.join().unwrap()).collect()
        });
        assert!(ids.iter().all(|i| *i == ids[0]), "{ids:?}");
    }

    #[test]
    fn a_damaged_id_is_an_error_naming_the_file() {
        let d = tempfile::tempdir().unwrap();
        fs::write(d.path().join(FILE), "nope").unwrap();
        let e = root_id(d.path()).unwrap_err().to_string();
        assert!(e.contains("root-id") && e.contains("8 hex digits"), "{e}");
        assert_eq!(existing_root_id(d.path()), None);
    }
}
