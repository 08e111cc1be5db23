//! `berth diff`: what a container changed in its filesystem, read from its upper dir
//! against the image layers, in Docker's terms: `A` added, `C` changed, `D` deleted.
//! Parents of a change are listed as changed, as Docker does; entries come in the order
//! of a walk that visits names sorted (Docker's order).

use std::fs;
use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};

use super::launch::ContainerDirs;
use super::overlay_tree::{
    is_opaque, is_runtime_placeholder, is_whiteout, sorted_entries, LowerView,
};
use super::Container;
use crate::error::{IoContext, Result};
use crate::Engine;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ChangeKind {
    Added,
    Changed,
    Deleted,
}

impl ChangeKind {
    /// Docker's letter.
    pub fn letter(self) -> char {
        match self {
            ChangeKind::Added => 'A',
            ChangeKind::Changed => 'C',
            ChangeKind::Deleted => 'D',
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Change {
    pub kind: ChangeKind,
    /// Absolute in-container path.
    pub path: String,
}

impl Engine {
    pub fn diff(&self, c: &Container) -> Result<Vec<Change>> {
        let img = self.images().resolve(&c.record.image_id.to_string())?;
        let lower = LowerView::new(self.images().layer_dirs(&img)?);
        let upper = ContainerDirs::of(&self.paths, c.id()).upper;
        changes(&upper, &lower)
    }
}

/// The changes an upper dir makes over `lower`, sorted as Docker lists them.
pub fn changes(upper: &Path, lower: &LowerView) -> Result<Vec<Change>> {
    let mut out = Vec::new();
    if upper.is_dir() {
        walk(upper, Path::new(""), lower, false, &mut out)?;
    }
    out.sort_by(|a, b| {
        Path::new(&a.1)
            .components()
            .cmp(Path::new(&b.1).components())
    });
    Ok(out
        .into_iter()
        .map(|(kind, rel)| Change {
            kind,
            path: format!("/{}", rel.display()),
        })
        .collect())
}

/// Walk directory `rel` of the upper dir. `hidden` is true under an opaque directory,
/// where nothing of the lower layers counts. Returns whether anything inside was reported,
/// and whether runtime placeholders were skipped (their creation touched the directory).
fn walk(
    upper: &Path,
    rel: &Path,
    lower: &LowerView,
    hidden: bool,
    out: &mut Vec<(ChangeKind, PathBuf)>,
) -> Result<(bool, bool)> {
    let dir = upper.join(rel);
    let names = sorted_entries(&dir).ctx("read directory", &dir)?;
    let mut reported = false;
    let mut skipped = false;
    for name in names {
        let path = rel.join(&name);
        let host = upper.join(&path);
        let m = fs::symlink_metadata(&host).ctx("lstat", &host)?;
        let below = if hidden { None } else { lower.lookup(&path) };
        if is_whiteout(&m) {
            // A whiteout over nothing (left behind by a create-then-delete) hides nothing.
            if below.is_some() {
                out.push((ChangeKind::Deleted, path));
                reported = true;
            }
            continue;
        }
        if below.is_none() && is_runtime_placeholder(&path, &m) && is_empty(&host, &m) {
            skipped = true;
            continue;
        }
        let kind = if m.is_dir() {
            let opaque = is_opaque(&host);
            let (inner, inner_skipped) = walk(upper, &path, lower, hidden || opaque, out)?;
            match &below {
                None => Some(ChangeKind::Added),
                Some(l) => {
                    if opaque && l.is_dir() {
                        // Everything the image had here and the upper dir does not
                        // bring back is gone.
                        for gone in lower.children(&path) {
                            if fs::symlink_metadata(host.join(&gone)).is_err() {
                                out.push((ChangeKind::Deleted, path.join(gone)));
                            }
                        }
                    }
                    let touched = l.mode() != m.mode()
                        || l.uid() != m.uid()
                        || l.gid() != m.gid()
                        || (!inner_skipped
                            && (l.mtime(), l.mtime_nsec()) != (m.mtime(), m.mtime_nsec()));
                    (inner || opaque || touched).then_some(ChangeKind::Changed)
                }
            }
        } else {
            Some(if below.is_some() {
                ChangeKind::Changed
            } else {
                ChangeKind::Added
            })
        };
        if let Some(k) = kind {
            out.push((k, path));
            reported = true;
        }
    }
    Ok((reported, skipped))
}

fn is_empty(p: &Path, m: &fs::Metadata) -> bool {
    if m.is_dir() {
        fs::read_dir(p)
            .map(|mut d| d.next().is_none())
            .unwrap_or(false)
    } else {
        m.len() == 0
    }
}

/// Docker's `diff` lines: `C /etc`.
pub fn format_changes(changes: &[Change]) -> String {
    changes
        .iter()
        .map(|c| format!("{} {}\n", c.kind.letter(), c.path))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::container::overlay_tree::tests::whiteout;
    use crate::container::overlay_tree::OPAQUE_XATTR;

    fn lines(upper: &Path, lower: &LowerView) -> Vec<String> {
        changes(upper, lower)
            .unwrap()
            .into_iter()
            .map(|c| format!("{} {}", c.kind.letter(), c.path))
            .collect()
    }

    #[test]
    fn classifies_added_changed_deleted_with_parents() {
        let d = tempfile::tempdir().unwrap();
        let (l1, up) = (d.path().join("l1"), d.path().join("up"));
        for p in ["etc", "bin", "tmp", "proc"] {
            fs::create_dir_all(l1.join(p)).unwrap();
        }
        fs::write(l1.join("etc/passwd"), "root").unwrap();
        fs::write(l1.join("bin/ls"), "x").unwrap();
        fs::create_dir_all(up.join("etc")).unwrap();
        fs::create_dir_all(up.join("tmp/new")).unwrap();
        fs::create_dir_all(up.join("bin")).unwrap();
        fs::create_dir_all(up.join("sys")).unwrap(); // runtime mount point: not a change
        fs::write(up.join("etc/passwd"), "root\napp").unwrap();
        fs::write(up.join("etc/hosts"), "").unwrap(); // runtime mount point too
        fs::write(up.join("tmp/new/f"), "f").unwrap();
        fs::write(up.join("a-file"), "a").unwrap();
        whiteout(&up.join("bin/ls"));
        whiteout(&up.join("bin/never-there"));
        let lower = LowerView::new(vec![l1]);
        assert_eq!(
            lines(&up, &lower),
            vec![
                "A /a-file",
                "C /bin",
                "D /bin/ls",
                "C /etc",
                "C /etc/passwd",
                "C /tmp",
                "A /tmp/new",
                "A /tmp/new/f",
            ]
        );
    }

    #[test]
    fn opaque_directory_deletes_what_it_hides() {
        let d = tempfile::tempdir().unwrap();
        let (l1, up) = (d.path().join("l1"), d.path().join("up"));
        fs::create_dir_all(l1.join("data")).unwrap();
        fs::write(l1.join("data/old"), "o").unwrap();
        fs::write(l1.join("data/kept"), "k").unwrap();
        fs::create_dir_all(up.join("data")).unwrap();
        fs::write(up.join("data/kept"), "again").unwrap();
        if xattr::set(up.join("data"), OPAQUE_XATTR, b"y").is_err() {
            return; // no trusted xattrs here
        }
        let lower = LowerView::new(vec![l1]);
        assert_eq!(
            lines(&up, &lower),
            vec!["C /data", "A /data/kept", "D /data/old"]
        );
    }

    #[test]
    fn missing_upper_means_no_changes() {
        let d = tempfile::tempdir().unwrap();
        let lower = LowerView::new(vec![]);
        assert!(changes(&d.path().join("nope"), &lower).unwrap().is_empty());
    }
}
