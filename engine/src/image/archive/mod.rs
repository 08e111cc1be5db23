//! Image archives: `docker save` tarballs (manifest.json), OCI image layouts (index.json),
//! and the combined form docker 25+ writes; any of them possibly gzip-compressed whole.
//! Loading extracts the archive to `tmp/`, reads a plan of images from it, verifies every
//! digest and diff ID, and only then adds anything to the store.

mod docker;
mod extract;
mod load;
mod oci;
mod save;

/// One image found in an archive, as archive entry names.
#[derive(Debug, Clone)]
pub(super) struct ImagePlan {
    pub config: String,
    /// The OCI/Docker manifest blob the archive carried for this image, if any.
    pub manifest: Option<String>,
    /// Layer blobs, lowest first.
    pub layers: Vec<String>,
    /// Tag index keys, already normalised.
    pub tags: Vec<String>,
}
