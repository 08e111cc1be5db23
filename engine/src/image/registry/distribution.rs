//! What berth remembers about blobs it moved to and from registries, in
//! `images/distribution.json` (Docker keeps the same in its `v2metadata`):
//! - the gzip blob made for an uncompressed layer on a first push, by diff ID, so the next
//!   push of that layer anywhere sends the same blob without compressing it again;
//! - the repositories (`domain/path`) known to hold a blob, so a push to another
//!   repository of the same registry can ask for a cross-repository mount.
//!
//! It is a cache: a missing or unreadable file only costs a compression or an upload.
//! Updates are read-modify-write under the global lock and replaced atomically.

use std::collections::BTreeMap;
use std::path::PathBuf;

use serde::{Deserialize, Serialize};

use crate::error::Result;
use crate::image::ImageStore;
use crate::store::{read_json, write_json_atomic, Digest, Paths};

/// At most this many repositories are remembered per blob (the latest ones).
const MAX_SOURCES: usize = 8;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Compressed {
    pub digest: Digest,
    pub size: u64,
}

#[derive(Debug, Default, Clone, Serialize, Deserialize)]
pub struct Distribution {
    /// Diff ID -> the gzip blob berth made of it.
    #[serde(default)]
    pub gzip: BTreeMap<Digest, Compressed>,
    /// Blob -> repositories (`127.0.0.1:5000/team/app`) that hold it, oldest first.
    #[serde(default)]
    pub sources: BTreeMap<Digest, Vec<String>>,
}

fn path(paths: &Paths) -> PathBuf {
    paths.images_dir().join("distribution.json")
}

impl Distribution {
    pub fn read(paths: &Paths) -> Distribution {
        read_json(&path(paths)).unwrap_or_default()
    }

    /// A repository on `domain`, other than `except`, known to hold `blob`.
    pub fn source_on(&self, blob: &Digest, domain: &str, except: &str) -> Option<String> {
        let prefix = format!("{domain}/");
        self.sources.get(blob)?.iter().rev().find_map(|r| {
            r.strip_prefix(&prefix)
                .filter(|path| *path != except)
                .map(str::to_string)
        })
    }

    fn add_source(&mut self, blob: &Digest, repo: &str) {
        let list = self.sources.entry(blob.clone()).or_default();
        list.retain(|r| r != repo);
        list.push(repo.to_string());
        if list.len() > MAX_SOURCES {
            list.remove(0);
        }
    }
}

/// Change the file under the global lock. Blocking.
fn update(store: &ImageStore, f: impl FnOnce(&mut Distribution)) -> Result<()> {
    let _lock = store.lock()?;
    let mut d = Distribution::read(&store.paths);
    f(&mut d);
    write_json_atomic(&path(&store.paths), &d)
}

/// Remember that `repo` (`domain/path`) holds these blobs. Blocking.
pub fn record_sources(store: &ImageStore, repo: &str, blobs: &[Digest]) -> Result<()> {
    update(store, |d| {
        for b in blobs {
            d.add_source(b, repo);
        }
    })
}

/// Remember the gzip blob made for a layer. Blocking.
pub fn record_gzip(store: &ImageStore, diff_id: &Digest, c: Compressed) -> Result<()> {
    update(store, |d| {
        d.gzip.insert(diff_id.clone(), c);
    })
}
