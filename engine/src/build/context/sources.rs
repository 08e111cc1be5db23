//! Which files a COPY or ADD source names. A source is a path relative to the context
//! (a leading `/` or `./` changes nothing) that may not climb out of it, with Go's
//! `filepath.Match` wildcards matched against whole relative paths below the part of
//! the source that has none, as BuildKit resolves them: a `*` never crosses a `/`, a
//! matched directory is taken whole, and what `.dockerignore` excludes is not there.

use std::path::PathBuf;

use super::clean::clean;
use super::walk::{join, kind_of, sorted_names};
use super::Context;
use crate::error::{Error, Result};
use crate::image::path_match::path_match;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    File,
    Dir,
    /// Only inside a directory tree: a source itself is always followed.
    Symlink,
}

/// One file or directory a source pattern names.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Source {
    /// The slash path as named, relative to the root (`.` for the root): a file source
    /// lands under this base name, even when it is a link to another name.
    pub rel: String,
    /// The file itself, with every symlink of `rel` followed inside the context.
    pub path: PathBuf,
    pub kind: Kind,
}

impl Context {
    /// The sources `pattern` names, in name order.
    pub fn matches(&self, pattern: &str) -> Result<Vec<Source>> {
        let rel = context_rel(pattern)?;
        let not_found = |rel: &str| {
            let shown = if rel == "." { "" } else { rel };
            Error::invalid(format!("\"/{shown}\": not found"))
        };
        let segments: Vec<&str> = rel.split('/').collect();
        let Some(first_glob) = segments.iter().position(|s| has_wildcards(s)) else {
            let (path, kind) = self.resolve(&rel)?.ok_or_else(|| not_found(&rel))?;
            return Ok(vec![Source { rel, path, kind }]);
        };
        let base = segments[..first_glob].join("/");
        let glob = segments[first_glob..].join("/");
        let Some((base_path, Kind::Dir)) = self.resolve(&base)? else {
            return Err(not_found(&rel));
        };
        let found = GlobWalk {
            ctx: self,
            glob: &glob,
            depth: segments.len() - first_glob,
        }
        .run(&base_path)?;
        if found.is_empty() {
            return Err(not_found(&rel));
        }
        let base_root_rel = self.rel_of(&base_path);
        found
            .into_iter()
            .map(|m| {
                let named = join(&base, &m);
                let (path, kind) = self
                    .resolve(&join(&base_root_rel, &m))?
                    .ok_or_else(|| not_found(&named))?;
                Ok(Source {
                    rel: named,
                    path,
                    kind,
                })
            })
            .collect()
    }
}

/// The cleaned slash path of a source relative to the root (`.` for the root itself).
/// A leading `/` makes the path rooted at the context, where `..` stops; without one,
/// a `..` that climbs out is refused in Docker's words.
pub(super) fn context_rel(pattern: &str) -> Result<String> {
    if pattern.starts_with('/') {
        let rooted = clean(pattern);
        let rel = rooted.trim_start_matches('/');
        return Ok(if rel.is_empty() {
            ".".into()
        } else {
            rel.into()
        });
    }
    let rel = clean(pattern);
    if rel == ".." || rel.starts_with("../") {
        return Err(Error::invalid(format!(
            "forbidden path outside the build context: {pattern} ()"
        )));
    }
    Ok(rel)
}

/// BuildKit's test: an unescaped `*`, `?` or `[`.
fn has_wildcards(s: &str) -> bool {
    let mut chars = s.chars();
    while let Some(c) = chars.next() {
        match c {
            '\\' => {
                chars.next();
            }
            '*' | '?' | '[' => return true,
            _ => {}
        }
    }
    false
}

/// The paths below a directory that the wildcard part of a source matches.
struct GlobWalk<'a> {
    ctx: &'a Context,
    glob: &'a str,
    /// How many path segments the glob has: no deeper path can match, as nothing in Go's
    /// `Match` crosses a `/`.
    depth: usize,
}

impl GlobWalk<'_> {
    fn run(&self, base: &std::path::Path) -> Result<Vec<String>> {
        let mut found = Vec::new();
        self.dir(base, &self.ctx.rel_of(base), "", 1, &mut found)?;
        Ok(found)
    }

    fn dir(
        &self,
        dir: &std::path::Path,
        root_rel: &str,
        rel: &str,
        depth: usize,
        found: &mut Vec<String>,
    ) -> Result<()> {
        for name in sorted_names(dir)? {
            let path = dir.join(&name);
            let Ok(meta) = std::fs::symlink_metadata(&path) else {
                continue;
            };
            let Some(kind) = kind_of(&meta) else {
                continue;
            };
            let child_root_rel = join(root_rel, &name);
            if !self.ctx.visible(&child_root_rel, kind)? {
                continue;
            }
            let child_rel = join(rel, &name);
            if path_match(self.glob, &child_rel) {
                // A matched directory is a source whole; nothing below it matches again.
                found.push(child_rel);
            } else if kind == Kind::Dir && depth < self.depth {
                self.dir(&path, &child_root_rel, &child_rel, depth + 1, found)?;
            }
        }
        Ok(())
    }
}
