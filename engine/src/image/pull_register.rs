//! The image store's side of a pull: registering an image whose blobs were downloaded and
//! verified and whose new layers were unpacked under `tmp/`, in the one step every image
//! goes through (`register`), and the repo digests (`name@sha256:...`) that say which
//! registry manifest an image is.

use super::records::StoredLayer;
use super::register::{NewImage, PendingBlob};
use super::staging::StagedLayer;
use super::{ImageRecord, ImageStore};
use crate::error::Result;
use crate::store::Digest;

/// A pulled image, checked and ready to register.
pub(super) struct PulledImage {
    pub config: Vec<u8>,
    /// The platform manifest exactly as the registry sent it.
    pub manifest: Vec<u8>,
    pub layers: Vec<StoredLayer>,
    /// Downloaded layer blobs, verified, still under `tmp/`.
    pub blobs: Vec<PendingBlob>,
    /// Layers new to the store, unpacked under `tmp/`.
    pub staged: Vec<StagedLayer>,
    /// The tag index key to point at the image (none for a pull by digest).
    pub tag: Option<String>,
    /// `name@sha256:...`: the repository and the digest the reference resolved to.
    pub repo_digest: String,
}

impl ImageStore {
    /// Register a pulled image. Returns it and whether it is new to the store.
    pub(super) fn register_pulled(&self, p: PulledImage) -> Result<(ImageRecord, bool)> {
        let id = Digest::of(&p.config);
        // Docker's "Downloaded newer image" when the tag now names another image (or
        // named none); "Image is up to date" when it already named this one.
        let new = match &p.tag {
            Some(t) => self.tag_index()?.tags.get(t) != Some(&id),
            None => !self.has_image(&id),
        };
        let img = NewImage {
            config: p.config,
            manifest: Some(p.manifest),
            layers: p.layers,
            parent: None,
            tags: p.tag.into_iter().collect(),
        };
        let rec = self.register(img, p.blobs, p.staged)?;
        self.add_repo_digest(&id, &p.repo_digest)?;
        Ok((rec, new))
    }

    /// Remember that `id` is `repo_digest` in a registry (after a pull or a push).
    pub(super) fn add_repo_digest(&self, id: &Digest, repo_digest: &str) -> Result<()> {
        let _lock = self.lock()?;
        let mut img = self.read_stored(id)?;
        if img.repo_digests.iter().any(|r| r == repo_digest) {
            return Ok(());
        }
        img.repo_digests.push(repo_digest.to_string());
        self.write_stored(&img)
    }

    /// The image's repo digests (`127.0.0.1:5000/team/app@sha256:...`), as Docker's
    /// `RepoDigests`.
    pub fn repo_digests(&self, id: &Digest) -> Result<Vec<String>> {
        Ok(self.read_stored(id)?.repo_digests)
    }
}
