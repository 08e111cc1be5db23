//! Images: the content-addressed image store, archives (`docker save` and OCI layout),
//! safe layer unpacking with whiteouts, and the image config a container starts from.
//!
//! STUB: the real implementation is being written in a separate change; this file fixes
//! the interface the container code uses.

use std::collections::BTreeMap;
use std::io::{Read, Write};
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::store::{Digest, Paths};

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

fn todo() -> Error {
    Error::Runtime("images: not implemented yet".into())
}

impl ImageStore {
    pub fn new(paths: &Paths) -> Self {
        ImageStore {
            paths: paths.clone(),
        }
    }
    pub fn list(&self) -> Result<Vec<ImageRecord>> {
        let _ = &self.paths;
        Err(todo())
    }
    /// `name[:tag]`, a full or short ID, or `sha256:...`.
    pub fn resolve(&self, _reference: &str) -> Result<ImageRecord> {
        Err(todo())
    }
    pub fn run_defaults(&self, _img: &ImageRecord) -> Result<RunDefaults> {
        Err(todo())
    }
    /// The raw config JSON (for `image inspect`).
    pub fn config_json(&self, _img: &ImageRecord) -> Result<serde_json::Value> {
        Err(todo())
    }
    /// Unpacked layer directories, lowest first, unpacking any not yet on disk.
    pub fn layer_dirs(&self, _img: &ImageRecord) -> Result<Vec<PathBuf>> {
        Err(todo())
    }
    pub fn import(&self, _src: &Path, _reference: Option<&str>) -> Result<ImageRecord> {
        Err(todo())
    }
    /// Returns the `Loaded image: ...` names.
    pub fn load(&self, _r: &mut dyn Read) -> Result<Vec<String>> {
        Err(todo())
    }
    pub fn save(&self, _refs: &[String], _out: &mut dyn Write, _fmt: ArchiveFormat) -> Result<()> {
        Err(todo())
    }
    pub fn tag(&self, _source: &str, _target: &str) -> Result<()> {
        Err(todo())
    }
    pub fn remove(
        &self,
        _reference: &str,
        _force: bool,
        _in_use: &dyn Fn(&Digest) -> bool,
    ) -> Result<Vec<RemoveAction>> {
        Err(todo())
    }
    pub fn prune(
        &self,
        _all: bool,
        _in_use: &dyn Fn(&Digest) -> bool,
    ) -> Result<Vec<RemoveAction>> {
        Err(todo())
    }
    pub fn history(&self, _img: &ImageRecord) -> Result<Vec<HistoryEntry>> {
        Err(todo())
    }
}
