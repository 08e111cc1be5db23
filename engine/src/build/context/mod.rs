//! The build context: what a build may read, which files a COPY or ADD names, their checksum for the cache, and the tar a COPY or ADD puts into a step.
//!
//! A context is a directory seen through its `.dockerignore`: an excluded file does not
//! exist for the build (BuildKit never sends it), except that an excluded directory still
//! holds whatever an exception brings back below it. Symlinks inside the context are
//! never followed while walking a tree; a source that names one is followed, always
//! resolved inside the context (an absolute target or `..` stops at its root), as BuildKit
//! resolves COPY sources.

mod archive;
mod checksum;
mod clean;
mod copy_tar;
mod dockerignore;
mod ignore_pattern;
mod landing;
mod placement;
mod resolve;
mod sources;
mod walk;

#[cfg(test)]
mod tests;

use std::path::{Path, PathBuf};

use crate::error::{Error, IoContext, Result};

pub use archive::open_archive;
pub use clean::clean as clean_path;
pub use copy_tar::{write_copy_tar, CopyOpts};
pub use dockerignore::Ignore;
pub use placement::{placement, Placement};
pub use sources::{Kind, Source};

#[derive(Debug, Clone)]
pub struct Context {
    root: PathBuf,
    ignore: Ignore,
}

impl Context {
    /// The context at `root`, with `root/.dockerignore` if there is one.
    pub fn open(root: &Path) -> Result<Context> {
        let meta = std::fs::metadata(root).ctx("open build context", root)?;
        if !meta.is_dir() {
            return Err(Error::invalid(format!(
                "unable to prepare context: context must be a directory: {}",
                root.display()
            )));
        }
        let file = root.join(".dockerignore");
        let ignore = match std::fs::read_to_string(&file) {
            Ok(text) => Ignore::parse(&text)?,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ignore::none(),
            Err(e) => return Err(Error::io("read", file, e)),
        };
        Ok(Context::with_ignore(root, ignore))
    }

    /// The context at `root` with the given rules (a `-f` Dockerfile's own
    /// `Dockerfile.dockerignore`, or none).
    pub fn with_ignore(root: &Path, ignore: Ignore) -> Context {
        Context {
            root: root.to_path_buf(),
            ignore,
        }
    }

    pub fn root(&self) -> &Path {
        &self.root
    }

    pub fn ignore(&self) -> &Ignore {
        &self.ignore
    }

    /// The slash path of `path` (inside the root) relative to the root; `""` for the root.
    fn rel_of(&self, path: &Path) -> String {
        path.strip_prefix(&self.root)
            .map(|p| p.to_string_lossy().into_owned())
            .unwrap_or_default()
    }
}
