//! `berth export`: the container's whole root filesystem (image layers plus its changes,
//! without volumes, /proc, /sys or /dev contents) as one tar stream, running or not.

use std::fs;
use std::io::Write;
use std::path::Path;

use super::rootfs_view::{pipe_files, Access, Scope};
use super::tarwrite::{is_broken_pipe, TarWriter};
use super::Container;
use crate::error::{Error, Result};
use crate::Engine;

impl Engine {
    /// Write the tar to `out`. The tar is made inside the container's filesystem view (see
    /// `rootfs_view`) and streamed here through a pipe.
    pub fn export(&self, c: &Container, out: &mut dyn Write) -> Result<()> {
        let (mut r, w) = pipe_files()?;
        self.in_container_fs(
            c,
            Scope::RootfsOnly,
            Access::Read,
            move || {
                let root = Path::new("/");
                let write = || -> std::io::Result<()> {
                    let m = fs::symlink_metadata(root)?;
                    let mut t = TarWriter::new(w);
                    t.append_tree(root, Path::new(""), &m)?;
                    t.finish()?.flush()
                };
                match write() {
                    Err(e) if !is_broken_pipe(&e) => Err(format!("export: {e}")),
                    _ => Ok(()),
                }
            },
            move || {
                std::io::copy(&mut r, out)
                    .map(|_| ())
                    .map_err(|e| Error::Runtime(format!("writing the export: {e}")))?;
                out.flush()
                    .map_err(|e| Error::Runtime(format!("writing the export: {e}")))
            },
        )
    }
}
