//! Adding an image to the store, the one path every import, load and commit ends in.
//! Everything is checked and staged before this point; here, under the global lock, the
//! content is installed first, then the record that names it, then the tags that name
//! the record. A crash in between leaves unreferenced content, never a reference to
//! missing content.

use std::path::PathBuf;

use super::records::{StoredImage, StoredLayer};
use super::staging::{install_file, StagedBlob, StagedLayer};
use super::{config, manifest, ImageRecord, ImageStore, LayerInfo};
use crate::error::Result;
use crate::store::Digest;

pub(super) struct NewImage {
    pub config: Vec<u8>,
    /// The manifest as received, when the source had one (its digest is the image's
    /// repo digest, so it is kept byte for byte); otherwise one is written.
    pub manifest: Option<Vec<u8>>,
    pub layers: Vec<StoredLayer>,
    pub parent: Option<Digest>,
    /// Tag index keys (`name:tag`) to point at the image.
    pub tags: Vec<String>,
}

/// A layer blob waiting to be installed.
pub(super) enum PendingBlob {
    Staged(StagedBlob),
    /// A verified file extracted from an archive (several images may share it).
    File(PathBuf, Digest),
}

impl ImageStore {
    pub(super) fn register(
        &self,
        img: NewImage,
        blobs: Vec<PendingBlob>,
        layers: Vec<StagedLayer>,
    ) -> Result<ImageRecord> {
        let id = Digest::of(&img.config);
        let cfg = config::parse(&img.config, &id.to_string())?;
        let created = cfg["created"].as_str().map(str::to_string);
        let infos: Vec<LayerInfo> = img.layers.iter().map(|l| l.info.clone()).collect();
        let manifest = match img.manifest {
            Some(m) => m,
            None => manifest::build(&img.config, &infos)?,
        };

        let _lock = self.lock()?;
        let store = self.blobs();
        for b in blobs {
            match b {
                PendingBlob::Staged(s) => s.install(&store)?,
                PendingBlob::File(path, digest) => install_file(&path, &digest, &store)?,
            }
        }
        for l in layers {
            let dest = self.layer_path(l.diff_id());
            l.install(&dest)?;
        }
        store.put_bytes(&img.config)?;
        let manifest_digest = store.put_bytes(&manifest)?;

        let stored = match self.read_stored(&id) {
            // Loading an image that is already here only adds tags.
            Ok(existing) => existing,
            Err(e) if e.is_not_found() => {
                let s = StoredImage {
                    id: id.clone(),
                    manifest: manifest_digest,
                    layers: img.layers,
                    created,
                    parent: img.parent,
                    repo_digests: Vec::new(),
                };
                self.write_stored(&s)?;
                s
            }
            Err(e) => return Err(e),
        };
        let mut idx = self.tag_index()?;
        if !img.tags.is_empty() {
            for t in img.tags {
                idx.tags.insert(t, id.clone());
            }
            self.save_tags(&idx)?;
        }
        Ok(stored.to_record(idx.tags_of(&id)))
    }
}
