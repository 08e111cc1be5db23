//! Following a source's symlinks without leaving the context, as BuildKit's `RootPath`
//! does: every link on the way is resolved with the context's root as `/`, so an
//! absolute target or a `..` stops at the root instead of reaching the host. A link or
//! target that `.dockerignore` excludes does not exist, as it would not in BuildKit's
//! copy of the context.

use std::collections::VecDeque;
use std::fs;
use std::path::PathBuf;

use super::sources::Kind;
use super::walk::kind_of;
use super::Context;
use crate::error::{Error, IoContext, Result};

/// Linux's limit on links followed in one lookup.
const MAX_LINKS: usize = 40;

impl Context {
    /// The file that the slash path `rel` (relative to the root, no `..` above it)
    /// names once its links are followed, and its kind (never `Symlink`); None when it
    /// does not exist for the build.
    pub(super) fn resolve(&self, rel: &str) -> Result<Option<(PathBuf, Kind)>> {
        let mut todo: VecDeque<String> = rel.split('/').map(str::to_string).collect();
        let mut done: Vec<String> = Vec::new();
        let mut links = 0;
        while let Some(part) = todo.pop_front() {
            match part.as_str() {
                "" | "." => continue,
                ".." => {
                    done.pop();
                    continue;
                }
                _ => done.push(part),
            }
            let cur = done.join("/");
            let path = self.root().join(&cur);
            let meta = match fs::symlink_metadata(&path) {
                Ok(m) => m,
                Err(e) if is_missing(&e) => return Ok(None),
                Err(e) => return Err(Error::io("stat", path, e)),
            };
            if !meta.file_type().is_symlink() {
                continue;
            }
            if self.ignore().excluded(&cur) {
                return Ok(None);
            }
            links += 1;
            if links > MAX_LINKS {
                return Err(Error::invalid(format!(
                    "build context: {rel}: too many levels of symbolic links"
                )));
            }
            let target = fs::read_link(&path).ctx("read link", &path)?;
            let Some(target) = target.to_str() else {
                return Err(Error::invalid(format!(
                    "build context: link target is not valid UTF-8: {}",
                    path.display()
                )));
            };
            done.pop();
            if target.starts_with('/') {
                done.clear();
            }
            for part in target.split('/').rev() {
                todo.push_front(part.to_string());
            }
        }
        let cur = done.join("/");
        let path = self.root().join(&cur);
        let meta = fs::symlink_metadata(&path).ctx("stat", &path)?;
        let Some(kind) = kind_of(&meta) else {
            return Err(Error::invalid(format!(
                "build context: {cur}: not a file, directory or symlink"
            )));
        };
        if !cur.is_empty() && !self.visible(&cur, kind)? {
            return Ok(None);
        }
        Ok(Some((path, kind)))
    }
}

/// Missing, or a file where a directory was expected on the way.
fn is_missing(e: &std::io::Error) -> bool {
    e.kind() == std::io::ErrorKind::NotFound || e.raw_os_error() == Some(libc::ENOTDIR)
}
