//! Unpacked layers: `layers/<diffid-hex>/`, each unpacked once (staged under `tmp/`, then
//! renamed) and shared read-only by every image and container that has the layer.

use std::io::Read;
use std::path::PathBuf;

use super::compress::decompress;
use super::staging::{check_diff_id, StagedLayer};
use super::unpack;
use super::{ImageRecord, ImageStore, LayerInfo};
use crate::error::{Error, Result};
use crate::store::Digest;

impl ImageStore {
    /// Unpacked layer directories, lowest first, unpacking any not yet on disk.
    pub fn layer_dirs(&self, img: &ImageRecord) -> Result<Vec<PathBuf>> {
        img.layers.iter().map(|l| self.ensure_layer(l)).collect()
    }

    fn ensure_layer(&self, l: &LayerInfo) -> Result<PathBuf> {
        let dest = self.layer_path(&l.diff_id);
        if dest.is_dir() {
            return Ok(dest);
        }
        let blob = self.blobs().open(&l.blob)?;
        let _staging = crate::store::scratch::hold(&self.paths)?;
        let staged = StagedLayer::unpack(
            &self.paths.tmp_dir(),
            blob,
            &l.diff_id.to_string(),
            Some(&l.diff_id),
        )?;
        staged.install(&dest)?;
        Ok(dest)
    }

    /// Check a layer blob against its diff ID and learn its unpacked size. A layer not yet
    /// on disk is unpacked under `tmp/` on the way (one pass over the data) and returned
    /// for the caller to install once everything else checks out.
    pub(super) fn stage_layer(
        &self,
        blob: impl Read,
        diff_id: &Digest,
        name: &str,
    ) -> Result<(u64, Option<StagedLayer>)> {
        if self.layer_path(diff_id).is_dir() {
            let stream = decompress(blob).map_err(|e| Error::UnsafeLayer {
                layer: name.into(),
                reason: e.to_string(),
            })?;
            let m = unpack::measure(stream, name)?;
            check_diff_id(name, Some(diff_id), &m.diff_id)?;
            return Ok((m.size, None));
        }
        let staged = StagedLayer::unpack(&self.paths.tmp_dir(), blob, name, Some(diff_id))?;
        Ok((staged.unpacked.size, Some(staged)))
    }
}
