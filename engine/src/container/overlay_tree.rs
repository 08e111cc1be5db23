//! Reading overlayfs layers from the host without mounting them: what the image layers
//! under a container show at a path (honouring whiteouts and opaque directories of the
//! lower layers themselves), and how an upper dir marks deletions. `diff` and `commit`
//! read the container's upper dir this way, as Docker's overlay driver does.

use std::collections::BTreeSet;
use std::ffi::OsString;
use std::fs::{self, Metadata};
use std::os::unix::fs::{FileTypeExt, MetadataExt};
use std::path::{Path, PathBuf};

/// overlayfs marks a directory whose lower contents are hidden with this xattr = "y".
pub const OPAQUE_XATTR: &str = "trusted.overlay.opaque";

/// A whiteout: a character device 0/0 hides the same name in the layers below.
pub fn is_whiteout(m: &Metadata) -> bool {
    m.file_type().is_char_device() && m.rdev() == 0
}

/// Is the directory at `p` opaque (its lower layers' contents hidden)?
pub fn is_opaque(p: &Path) -> bool {
    matches!(xattr::get(p, OPAQUE_XATTR), Ok(Some(v)) if v == b"y")
}

/// Paths the runtime creates in the upper dir only to mount over them (Docker keeps these
/// in a separate "init" layer that neither `diff` nor `commit` shows). They are ignored
/// when the image does not have them and they are still empty.
const RUNTIME_DIRS: &[&str] = &["proc", "sys", "dev"];
const RUNTIME_FILES: &[&str] = &["etc/hostname", "etc/hosts", "etc/resolv.conf", ".dockerenv"];

/// Is `rel` (relative to the root) a mount point the runtime made, still untouched?
pub fn is_runtime_placeholder(rel: &Path, m: &Metadata) -> bool {
    let Some(s) = rel.to_str() else {
        return false;
    };
    (m.is_dir() && RUNTIME_DIRS.contains(&s))
        || (m.is_file() && m.len() == 0 && RUNTIME_FILES.contains(&s))
}

/// What one layer holds at a path.
enum Probe {
    Found(Metadata, bool),
    Whiteout,
    /// Not in this layer; `blocked` when this layer also hides every layer below
    /// (an opaque, deleted or non-directory ancestor).
    Missing {
        blocked: bool,
    },
}

/// The image layers under a container, top-most first.
pub struct LowerView {
    layers: Vec<PathBuf>,
}

impl LowerView {
    /// `lowest_first` as `ImageStore::layer_dirs` returns them.
    pub fn new(lowest_first: Vec<PathBuf>) -> Self {
        let mut layers = lowest_first;
        layers.reverse();
        LowerView { layers }
    }

    fn probe(layer: &Path, rel: &Path) -> Probe {
        let mut p = layer.to_path_buf();
        let mut blocked = false;
        let comps: Vec<_> = rel.components().collect();
        for (i, c) in comps.iter().enumerate() {
            p.push(c);
            let Ok(m) = fs::symlink_metadata(&p) else {
                return Probe::Missing { blocked };
            };
            if is_whiteout(&m) {
                return Probe::Whiteout;
            }
            if i + 1 == comps.len() {
                let opaque = m.is_dir() && is_opaque(&p);
                return Probe::Found(m, opaque);
            }
            if !m.is_dir() {
                return Probe::Missing { blocked: true };
            }
            blocked |= is_opaque(&p);
        }
        // The root itself.
        match fs::symlink_metadata(layer) {
            Ok(m) => Probe::Found(m, false),
            Err(_) => Probe::Missing { blocked: false },
        }
    }

    /// What the lower layers show at `rel`, or None when nothing (or a deletion) is there.
    pub fn lookup(&self, rel: &Path) -> Option<Metadata> {
        for layer in &self.layers {
            match Self::probe(layer, rel) {
                Probe::Found(m, _) => return Some(m),
                Probe::Whiteout | Probe::Missing { blocked: true } => return None,
                Probe::Missing { blocked: false } => {}
            }
        }
        None
    }

    /// The names the lower layers show inside directory `rel`.
    pub fn children(&self, rel: &Path) -> BTreeSet<OsString> {
        let mut seen = BTreeSet::new();
        let mut shown = BTreeSet::new();
        for layer in &self.layers {
            match Self::probe(layer, rel) {
                Probe::Found(m, opaque) if m.is_dir() => {
                    let dir = layer.join(rel);
                    if let Ok(rd) = fs::read_dir(&dir) {
                        for e in rd.flatten() {
                            let name = e.file_name();
                            if !seen.insert(name.clone()) {
                                continue;
                            }
                            let white = e.metadata().map(|m| is_whiteout(&m)).unwrap_or(false);
                            if !white {
                                shown.insert(name);
                            }
                        }
                    }
                    if opaque {
                        break;
                    }
                }
                Probe::Missing { blocked: false } => {}
                _ => break,
            }
        }
        shown
    }
}

/// Directory entries sorted by name, as Docker's walks visit them.
pub fn sorted_entries(dir: &Path) -> std::io::Result<Vec<OsString>> {
    let mut names: Vec<OsString> = fs::read_dir(dir)?
        .map(|e| e.map(|e| e.file_name()))
        .collect::<std::io::Result<_>>()?;
    names.sort();
    Ok(names)
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use nix::sys::stat::{makedev, mknod, Mode, SFlag};

    pub(crate) fn whiteout(p: &Path) {
        mknod(p, SFlag::S_IFCHR, Mode::empty(), makedev(0, 0)).unwrap();
    }

    #[test]
    fn lookup_honours_lower_whiteouts_and_opaque_dirs() {
        let d = tempfile::tempdir().unwrap();
        let (l1, l2) = (d.path().join("l1"), d.path().join("l2"));
        fs::create_dir_all(l1.join("etc/ssl")).unwrap();
        fs::write(l1.join("etc/ssl/cert"), "c").unwrap();
        fs::write(l1.join("etc/passwd"), "p").unwrap();
        fs::write(l1.join("etc/group"), "g").unwrap();
        fs::create_dir_all(l2.join("etc/ssl")).unwrap();
        fs::write(l2.join("etc/ssl/new"), "n").unwrap();
        if xattr::set(l2.join("etc/ssl"), OPAQUE_XATTR, b"y").is_err() {
            return; // no trusted xattrs (not root): nothing to test here
        }
        whiteout(&l2.join("etc/group"));
        let v = LowerView::new(vec![l1, l2]);
        assert!(v.lookup(Path::new("etc/passwd")).is_some());
        assert!(v.lookup(Path::new("etc/group")).is_none());
        assert!(v.lookup(Path::new("etc/ssl/cert")).is_none());
        assert!(v.lookup(Path::new("etc/ssl/new")).is_some());
        let names: Vec<_> = v.children(Path::new("etc")).into_iter().collect();
        assert_eq!(names, vec![OsString::from("passwd"), OsString::from("ssl")]);
        let ssl: Vec<_> = v.children(Path::new("etc/ssl")).into_iter().collect();
        assert_eq!(ssl, vec![OsString::from("new")]);
    }
}
