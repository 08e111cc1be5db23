//! Walking a directory of the context as the build sees it: entries in name order (Go's
//! `filepath.Walk` order, so digests and tars come out the same every time), symlinks
//! not followed, excluded entries left out. An excluded directory is read only when an
//! exception may bring something back below it, and it is reported only once something
//! below it is: BuildKit sends such a directory, but only with what it re-includes.

use std::fs::{self, Metadata};
use std::path::{Path, PathBuf};

use super::sources::Kind;
use super::Context;
use crate::error::{Error, IoContext, Result};

pub struct Entry {
    /// Slash path relative to the directory walked.
    pub rel: String,
    pub path: PathBuf,
    pub meta: Metadata,
    pub kind: Kind,
}

/// What a walk's callback says: go on, or stop the whole walk.
pub type Go = bool;

/// The kind of a file by its metadata, None for what a COPY does not carry (sockets,
/// fifos, devices: BuildKit's context sender leaves them behind too).
pub fn kind_of(meta: &Metadata) -> Option<Kind> {
    let t = meta.file_type();
    if t.is_symlink() {
        Some(Kind::Symlink)
    } else if t.is_dir() {
        Some(Kind::Dir)
    } else if t.is_file() {
        Some(Kind::File)
    } else {
        None
    }
}

/// The names in `dir`, sorted by their bytes.
pub fn sorted_names(dir: &Path) -> Result<Vec<String>> {
    let mut names = Vec::new();
    for entry in fs::read_dir(dir).ctx("read directory", dir)? {
        let entry = entry.ctx("read directory", dir)?;
        let name = entry.file_name();
        let Some(name) = name.to_str() else {
            return Err(Error::invalid(format!(
                "build context: file name is not valid UTF-8: {}",
                entry.path().display()
            )));
        };
        names.push(name.to_string());
    }
    names.sort_unstable();
    Ok(names)
}

/// `parent/name`, or `name` when the parent is the top (`""`).
pub fn join(parent: &str, name: &str) -> String {
    if parent.is_empty() || parent == "." {
        name.to_string()
    } else {
        format!("{parent}/{name}")
    }
}

impl Context {
    /// Call `f` for everything below the directory `dir` (a path inside the root), in
    /// pre-order; `f` returning false stops the walk. Returns false when stopped.
    pub(super) fn walk(&self, dir: &Path, f: &mut dyn FnMut(&Entry) -> Result<Go>) -> Result<Go> {
        let root_rel = self.rel_of(dir);
        let mut pending = Vec::new();
        self.walk_dir(dir, &root_rel, "", &mut pending, f)
    }

    fn walk_dir(
        &self,
        dir: &Path,
        root_rel: &str,
        rel: &str,
        pending: &mut Vec<Entry>,
        f: &mut dyn FnMut(&Entry) -> Result<Go>,
    ) -> Result<Go> {
        for name in sorted_names(dir)? {
            let path = dir.join(&name);
            let meta = match fs::symlink_metadata(&path) {
                Ok(m) => m,
                // Removed since the directory was read: it is not there to copy.
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => continue,
                Err(e) => return Err(Error::io("stat", path, e)),
            };
            let Some(kind) = kind_of(&meta) else {
                continue;
            };
            let child_root_rel = join(root_rel, &name);
            let entry = Entry {
                rel: join(rel, &name),
                path,
                meta,
                kind,
            };
            if self.ignore().excluded(&child_root_rel) {
                if kind == Kind::Dir && self.ignore().may_reinclude_below(&child_root_rel) {
                    let before = pending.len();
                    let (p, r) = (entry.path.clone(), entry.rel.clone());
                    pending.push(entry);
                    if !self.walk_dir(&p, &child_root_rel, &r, pending, f)? {
                        return Ok(false);
                    }
                    // Nothing below came back: the directory stays unseen.
                    if pending.len() == before + 1 {
                        pending.pop();
                    }
                }
                continue;
            }
            // The excluded directories above this entry exist after all.
            for p in pending.drain(..) {
                if !f(&p)? {
                    return Ok(false);
                }
            }
            if !f(&entry)? {
                return Ok(false);
            }
            if kind == Kind::Dir
                && !self.walk_dir(&entry.path, &child_root_rel, &entry.rel, pending, f)?
            {
                return Ok(false);
            }
        }
        Ok(true)
    }

    /// Whether the build sees the path `root_rel` of kind `kind`: it is not excluded, or
    /// it is a directory that an exception brings something back into.
    pub(super) fn visible(&self, root_rel: &str, kind: Kind) -> Result<bool> {
        if !self.ignore().excluded(root_rel) {
            return Ok(true);
        }
        if kind != Kind::Dir || !self.ignore().may_reinclude_below(root_rel) {
            return Ok(false);
        }
        let mut any = false;
        self.walk(&self.root().join(root_rel), &mut |_| {
            any = true;
            Ok(false)
        })?;
        Ok(any)
    }
}
