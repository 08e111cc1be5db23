//! Where a layer entry may be written. Every entry name is split into components and each
//! parent is checked with lstat as it is walked, so no entry can leave the layer root:
//! not by `..`, not by an absolute name, and not by writing through a symlink that an
//! earlier entry planted (`evil -> /etc` then `evil/passwd`).

use std::ffi::{OsStr, OsString};
use std::fs;
use std::io;
use std::os::unix::ffi::OsStrExt;
use std::os::unix::fs::DirBuilderExt;
use std::path::{Path, PathBuf};

/// Split an entry name into its components, refusing absolute names and `..`.
/// `.` and empty components (`./a//b/`) are dropped; an empty result is the root itself.
pub fn clean(raw: &[u8]) -> Result<Vec<OsString>, String> {
    if raw.first() == Some(&b'/') {
        return Err("absolute path".into());
    }
    let mut out = Vec::new();
    for c in raw.split(|&b| b == b'/') {
        match c {
            b"" | b"." => {}
            b".." => return Err("path contains a \"..\" component".into()),
            c => out.push(OsStr::from_bytes(c).to_os_string()),
        }
    }
    Ok(out)
}

fn rel(root: &Path, p: &Path) -> String {
    p.strip_prefix(root).unwrap_or(p).display().to_string()
}

/// Walk `parents` below `root`, creating missing directories (0755, like Docker) and
/// refusing any component that is a symlink or not a directory. Returns the parent path.
pub fn ensure_parents(root: &Path, parents: &[OsString]) -> Result<PathBuf, String> {
    let mut p = root.to_path_buf();
    for c in parents {
        p.push(c);
        match fs::symlink_metadata(&p) {
            Ok(m) if m.file_type().is_symlink() => {
                return Err(format!(
                    "parent {:?} is a symlink: refusing to write through it",
                    rel(root, &p)
                ));
            }
            Ok(m) if m.is_dir() => {}
            Ok(_) => return Err(format!("parent {:?} is not a directory", rel(root, &p))),
            Err(e) if e.kind() == io::ErrorKind::NotFound => {
                fs::DirBuilder::new()
                    .mode(0o755)
                    .create(&p)
                    .map_err(|e| format!("create directory {:?}: {e}", rel(root, &p)))?;
            }
            Err(e) => return Err(format!("lstat {:?}: {e}", rel(root, &p))),
        }
    }
    Ok(p)
}

/// Remove whatever stands at `target` so a new entry can take its place (a later entry
/// wins, as in tar). An existing directory is kept when `keep_dir` (a directory entry
/// over a directory only updates its metadata). Never follows a symlink: removing one
/// removes the link. Returns true when a directory was kept.
pub fn clear(root: &Path, target: &Path, keep_dir: bool) -> Result<bool, String> {
    match fs::symlink_metadata(target) {
        Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(false),
        Err(e) => Err(format!("lstat {:?}: {e}", rel(root, target))),
        Ok(m) if m.is_dir() && keep_dir => Ok(true),
        Ok(m) if m.is_dir() => {
            fs::remove_dir_all(target)
                .map_err(|e| format!("replace directory {:?}: {e}", rel(root, target)))?;
            Ok(false)
        }
        Ok(_) => {
            fs::remove_file(target).map_err(|e| format!("replace {:?}: {e}", rel(root, target)))?;
            Ok(false)
        }
    }
}

/// The existing file a hard link entry points at. The name must be relative, free of
/// `..`, reach its target without passing through a symlink, and name something this
/// layer already holds: a hard link can never reach outside the layer.
pub fn hardlink_source(root: &Path, raw: &[u8]) -> Result<PathBuf, String> {
    let shown = String::from_utf8_lossy(raw);
    let comps = clean(raw).map_err(|why| format!("hard link target {shown:?}: {why}"))?;
    let Some((last, parents)) = comps.split_last() else {
        return Err("hard link to the layer root".into());
    };
    let mut p = root.to_path_buf();
    for c in parents {
        p.push(c);
        match fs::symlink_metadata(&p) {
            Ok(m) if m.file_type().is_symlink() => {
                return Err(format!(
                    "hard link target {shown:?} goes through symlink {:?}",
                    rel(root, &p)
                ));
            }
            Ok(m) if m.is_dir() => {}
            _ => return Err(format!("hard link target {shown:?} is not in this layer")),
        }
    }
    p.push(last);
    match fs::symlink_metadata(&p) {
        Ok(m) if m.is_dir() => Err(format!("hard link target {shown:?} is a directory")),
        Ok(_) => Ok(p),
        Err(_) => Err(format!("hard link target {shown:?} is not in this layer")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn clean_splits_and_refuses() {
        assert_eq!(
            clean(b"./a//b/").unwrap(),
            vec![OsString::from("a"), OsString::from("b")]
        );
        assert!(clean(b"./").unwrap().is_empty());
        assert!(clean(b"/etc/passwd").unwrap_err().contains("absolute"));
        assert!(clean(b"a/../../b").unwrap_err().contains(".."));
        assert_eq!(clean(b"a/..b").unwrap().len(), 2);
    }
}
