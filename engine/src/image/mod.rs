//! Images: the content-addressed image store, archives (`docker save` and OCI layout),
//! safe layer unpacking with whiteouts, and the image config a container starts from.
//!
//! On disk (under the state root):
//! - `blobs/sha256/<hex>`: manifests, configs and layer blobs exactly as received (a layer
//!   blob may be gzip or plain tar);
//! - `images/<config-hex>.json`: one record per image (its layers, manifest, parent, sizes);
//! - `images/repositories.json`: the tag index, `name:tag` -> image ID, replaced atomically
//!   under the global lock so a tag always points at exactly one image;
//! - `layers/<diffid-hex>/`: each layer unpacked once, with whiteouts in overlayfs form,
//!   shared read-only as an overlay lower dir.
//!
//! The raw config blob is the source of truth for what a container starts from: Docker
//! configs carry fields (Healthcheck, OnBuild...) that the OCI config type drops.
//!
//! Locking: mutating methods take the global lock themselves, so callers must not hold it
//! when calling them. `in_use` callbacks are called before the lock is taken, so they may
//! take it.

mod archive;
mod commit;
pub(crate) mod compress;
mod config;
mod derive;
mod history;
mod import;
mod inspect;
mod layers;
mod manifest;
pub mod path_match;
mod pull_register;
mod records;
pub mod reference;
mod register;
pub mod registry;
mod remove;
mod resolve;
mod staging;
mod tags;
mod unpack;
mod usage;

#[cfg(test)]
mod tests;

use std::collections::BTreeMap;
use std::path::PathBuf;

use serde::{Deserialize, Serialize};

use crate::store::{BlobStore, Digest, FileLock, Paths};
use crate::Result;

pub use config::{
    docker_container_config, empty as empty_config, host_arch, now, ConfigChanges, DEFAULT_PATH,
};
pub use derive::Derivation;
pub use history::LayerStep;
pub use reference::Reference;
pub use usage::{DiskUsage, ImageUsage};

/// One layer of an image: the digest of its uncompressed tar (diff ID, which names its
/// unpacked directory) and of the blob as stored (maybe compressed).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LayerInfo {
    pub diff_id: Digest,
    pub blob: Digest,
    pub media_type: String,
    /// Size of the stored blob in bytes.
    pub size: u64,
}

/// The part of an image config that a container starts from (Docker's field names).
#[derive(Debug, Default, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct RunDefaults {
    pub user: String,
    pub env: Vec<String>,
    pub entrypoint: Option<Vec<String>>,
    pub cmd: Option<Vec<String>>,
    pub working_dir: String,
    pub labels: BTreeMap<String, String>,
    pub exposed_ports: BTreeMap<String, serde_json::Value>,
    pub volumes: BTreeMap<String, serde_json::Value>,
    pub stop_signal: Option<String>,
    pub healthcheck: Option<serde_json::Value>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ImageRecord {
    /// The image ID: the digest of its config blob.
    pub id: Digest,
    pub repo_tags: Vec<String>,
    pub layers: Vec<LayerInfo>,
    /// RFC 3339 creation time from the config.
    pub created: Option<String>,
    /// The image this one was committed or built from, if berth made it.
    pub parent: Option<Digest>,
    /// Sum of unpacked layer sizes in bytes.
    pub size: u64,
}

/// An entry of `berth history`.
#[derive(Debug, Clone, Serialize)]
pub struct HistoryEntry {
    pub id: Option<Digest>,
    pub created: Option<String>,
    pub created_by: String,
    pub size: u64,
    pub comment: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ArchiveFormat {
    /// `docker save` layout (manifest.json + repositories), with OCI index beside it.
    Docker,
    /// Pure OCI image layout (oci-layout + index.json + blobs/).
    Oci,
}

/// What `rmi` did, one line each: `Untagged: x` / `Deleted: sha256:...`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RemoveAction {
    Untagged(String),
    Deleted(Digest),
}

#[derive(Debug)]
pub struct ImageStore {
    paths: Paths,
}

impl ImageStore {
    pub fn new(paths: &Paths) -> Self {
        ImageStore {
            paths: paths.clone(),
        }
    }

    fn blobs(&self) -> BlobStore {
        BlobStore::new(self.paths.blobs_dir(), self.paths.tmp_dir())
    }

    fn layer_path(&self, diff_id: &Digest) -> PathBuf {
        self.paths.layers_dir().join(diff_id.hex())
    }

    /// Take the global lock, creating the state skeleton first so a fresh root works.
    fn lock(&self) -> Result<FileLock> {
        self.paths.ensure()?;
        FileLock::exclusive(&self.paths.global_lock())
    }
}
