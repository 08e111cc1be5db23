//! `berth export`: the container's whole root filesystem (image layers plus its changes,
//! without volumes, /proc, /sys or /dev contents) as one tar stream, running or not.

use std::io::Write;

use super::fs_job::FsJob;
use super::Container;
use crate::error::{Error, Result};
use crate::Engine;

impl Engine {
    /// Write the tar to `out`. The tar is made inside the container's filesystem view (see
    /// `rootfs_view`) and streamed here through a pipe.
    pub fn export(&self, c: &Container, out: &mut dyn Write) -> Result<()> {
        self.in_container_fs(c, FsJob::Export, move |mut r| {
            std::io::copy(&mut r, out)
                .map(|_| ())
                .map_err(|e| Error::Runtime(format!("writing the export: {e}")))?;
            out.flush()
                .map_err(|e| Error::Runtime(format!("writing the export: {e}")))
        })
    }
}
