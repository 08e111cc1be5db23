//! The layer cache: a step's key (its parent image, its instruction after substitution,
//! the build args it sees and, for COPY and ADD, the checksum of what it copies) names
//! the image the step made last time. The index is one small file per key under
//! `<root>/build/cache/`, so entries are added and pruned without a shared lock; an
//! entry whose image is gone is a miss.

use std::fs;
use std::path::PathBuf;

use sha2::{Digest as _, Sha256};

use crate::error::{IoContext, Result};
use crate::image::{ImageRecord, ImageStore};
use crate::store::{write_atomic, Digest, Paths};

/// The parts of a step's key, hashed in order with separators so no two lists of
/// parts hash alike.
#[derive(Debug, Default)]
pub struct StepKey {
    h: Sha256,
}

impl StepKey {
    pub fn new(parent: Option<&Digest>) -> Self {
        let mut k = StepKey { h: Sha256::new() };
        k.part(
            &parent
                .map(|d| d.to_string())
                .unwrap_or_else(|| "scratch".into()),
        );
        k
    }

    pub fn part(&mut self, s: &str) -> &mut Self {
        self.h.update((s.len() as u64).to_be_bytes());
        self.h.update(s.as_bytes());
        self
    }

    pub fn finish(self) -> String {
        hex::encode(self.h.finalize())
    }
}

pub struct BuildCache {
    dir: PathBuf,
}

impl BuildCache {
    pub fn new(paths: &Paths) -> Self {
        BuildCache {
            dir: paths.root.join("build").join("cache"),
        }
    }

    /// The image a step with this key made, if it is still in the store.
    pub fn lookup(&self, key: &str, images: &ImageStore) -> Option<ImageRecord> {
        let id = fs::read_to_string(self.dir.join(key)).ok()?;
        images.resolve(id.trim()).ok()
    }

    pub fn record(&self, key: &str, image: &Digest) -> Result<()> {
        fs::create_dir_all(&self.dir).ctx("create", &self.dir)?;
        write_atomic(&self.dir.join(key), image.to_string().as_bytes())
    }

    /// Forget every entry (`builder prune`); returns their keys (shortened, as
    /// BuildKit lists cache records).
    pub fn clear(&self) -> Result<Vec<String>> {
        let entries = match fs::read_dir(&self.dir) {
            Ok(e) => e,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
            Err(e) => return Err(crate::Error::io("read", &self.dir, e)),
        };
        let mut gone = Vec::new();
        for e in entries.flatten() {
            if fs::remove_file(e.path()).is_ok() {
                let name = e.file_name().to_string_lossy().into_owned();
                gone.push(name.chars().take(25).collect());
            }
        }
        gone.sort();
        Ok(gone)
    }
}

/// What `builder prune` removed.
#[derive(Debug, Default)]
pub struct PruneReport {
    /// Cache entries and cache mounts removed, and the step images deleted.
    pub removed: Vec<String>,
    pub reclaimed: u64,
}

impl crate::Engine {
    /// `builder prune`: forget the layer cache, delete the images build steps left that
    /// nothing uses, and (with `all`, or always for Docker's `--all`-less default, as
    /// BuildKit's cache mounts are cache too) empty the cache mounts.
    pub fn builder_prune(&self) -> Result<PruneReport> {
        let mut report = PruneReport::default();
        let cache = BuildCache::new(&self.paths);
        report.removed.extend(cache.clear()?);
        let mounts = self.paths.root.join("build").join("cache-mounts");
        if let Ok(entries) = fs::read_dir(&mounts) {
            for e in entries.flatten() {
                let p = e.path();
                if p.extension().is_some_and(|x| x == "lock") {
                    continue;
                }
                // A cache mount in use by a running build is held locked; skip it.
                let Ok(Some(_lock)) =
                    crate::store::FileLock::try_exclusive(&p.with_extension("lock"))
                else {
                    continue;
                };
                report.reclaimed += crate::util::du(&p);
                let _ = fs::remove_dir_all(&p);
                report
                    .removed
                    .push(e.file_name().to_string_lossy().into_owned());
            }
        }
        let users: std::collections::HashSet<Digest> = self
            .containers()
            .list()?
            .into_iter()
            .map(|c| c.record.image_id)
            .collect();
        let images = self.images();
        let before = images.disk_usage()?.total();
        for a in images.prune_intermediate(&|d| users.contains(d))? {
            if let crate::image::RemoveAction::Deleted(d) = a {
                report.removed.push(d.to_string());
            }
        }
        report.reclaimed += before.saturating_sub(images.disk_usage()?.total());
        Ok(report)
    }
}
