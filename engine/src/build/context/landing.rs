//! What a COPY puts where: every file its sources bring, named as it lands relative to
//! the directory the copy is extracted into. Docker's rules: a directory source brings
//! its contents, never itself (its own mode and owner do not reach the destination
//! directory: moby/buildkit#1941, #790), a file source brings itself under its base name
//! (or the destination's name), and symlinks inside a tree stay links.

use std::fs::{self, Metadata};
use std::path::PathBuf;

use super::placement::Placement;
use super::sources::{Kind, Source};
use super::walk::Go;
use super::Context;
use crate::error::{Error, IoContext, Result};

pub struct Landing {
    /// Relative slash path under the extraction directory.
    pub name: String,
    pub path: PathBuf,
    pub meta: Metadata,
    pub kind: Kind,
}

/// Call `f` for everything `sources` bring, source after source, each tree in name order.
pub fn for_each_landing(
    ctx: &Context,
    sources: &[Source],
    placement: &Placement,
    f: &mut dyn FnMut(&Landing) -> Result<()>,
) -> Result<()> {
    for src in sources {
        match src.kind {
            Kind::Dir => {
                if let Placement::AsFile(name) = placement {
                    return Err(Error::invalid(format!(
                        "cannot copy directory {} to file {name}",
                        src.rel
                    )));
                }
                ctx.walk(&src.path, &mut |e| -> Result<Go> {
                    f(&Landing {
                        name: e.rel.clone(),
                        path: e.path.clone(),
                        meta: e.meta.clone(),
                        kind: e.kind,
                    })?;
                    Ok(true)
                })?;
            }
            Kind::File | Kind::Symlink => {
                let meta = fs::symlink_metadata(&src.path).ctx("stat", &src.path)?;
                let name = match placement {
                    Placement::AsFile(name) => name.clone(),
                    Placement::IntoDir => base_name(&src.rel).to_string(),
                };
                f(&Landing {
                    name,
                    path: src.path.clone(),
                    meta,
                    kind: src.kind,
                })?;
            }
        }
    }
    Ok(())
}

fn base_name(rel: &str) -> &str {
    rel.rsplit('/').next().unwrap_or(rel)
}
