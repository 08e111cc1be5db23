//! Disk usage for `system df`: per image, the bytes of its unpacked layers and how many of
//! them it shares with other images; overall, the unpacked layers and the stored blobs.

use std::collections::HashMap;
use std::fs;

use super::ImageStore;
use crate::error::Result;
use crate::store::Digest;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImageUsage {
    pub id: Digest,
    pub repo_tags: Vec<String>,
    /// Unpacked bytes of all its layers.
    pub size: u64,
    /// The part of `size` in layers other images have too.
    pub shared_size: u64,
    /// What deleting only this image would free (of unpacked layers).
    pub unique_size: u64,
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DiskUsage {
    pub images: Vec<ImageUsage>,
    /// Unpacked layers, each counted once.
    pub layers_size: u64,
    /// Bytes under `blobs/` (layer blobs, configs, manifests).
    pub blobs_size: u64,
}

impl DiskUsage {
    pub fn total(&self) -> u64 {
        self.layers_size + self.blobs_size
    }
}

impl ImageStore {
    pub fn disk_usage(&self) -> Result<DiskUsage> {
        let images = self.all_stored()?;
        let idx = self.tag_index()?;
        let mut users: HashMap<&Digest, (usize, u64)> = HashMap::new();
        for i in &images {
            for l in &i.layers {
                let e = users.entry(&l.info.diff_id).or_insert((0, l.unpacked_size));
                e.0 += 1;
            }
        }
        let mut out = DiskUsage {
            layers_size: users.values().map(|(_, s)| s).sum(),
            ..Default::default()
        };
        for i in &images {
            let size = i.size();
            let shared: u64 = i
                .layers
                .iter()
                .filter(|l| users.get(&l.info.diff_id).is_some_and(|u| u.0 > 1))
                .map(|l| l.unpacked_size)
                .sum();
            out.images.push(ImageUsage {
                id: i.id.clone(),
                repo_tags: idx.tags_of(&i.id),
                size,
                shared_size: shared,
                unique_size: size - shared,
            });
        }
        if let Ok(rd) = fs::read_dir(self.paths.blobs_dir()) {
            out.blobs_size = rd
                .filter_map(|e| e.ok()?.metadata().ok())
                .filter(|m| m.is_file())
                .map(|m| m.len())
                .sum();
        }
        Ok(out)
    }
}
