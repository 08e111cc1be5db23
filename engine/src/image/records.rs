//! Image records: `images/<config-hex>.json`, one per image, holding what the config blob
//! does not say (which blobs hold its layers, its manifest, its parent, unpacked sizes).
//! Tags are not stored here but in the tag index, so a tag moves in one atomic write.

use std::fs;
use std::io;

use serde::{Deserialize, Serialize};

use super::{ImageRecord, ImageStore, LayerInfo};
use crate::error::{Error, Result};
use crate::store::{read_json, write_json_atomic, Digest};

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct StoredLayer {
    #[serde(flatten)]
    pub info: LayerInfo,
    /// Bytes of file content once unpacked (what `images` and `history` show).
    pub unpacked_size: u64,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct StoredImage {
    pub id: Digest,
    pub manifest: Digest,
    pub layers: Vec<StoredLayer>,
    pub created: Option<String>,
    #[serde(default)]
    pub parent: Option<Digest>,
    /// `name@sha256:...` for each registry repository this image was pulled from or
    /// pushed to, the digest being the registry's manifest digest (Docker's RepoDigests).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub repo_digests: Vec<String>,
}

impl StoredImage {
    pub fn size(&self) -> u64 {
        self.layers.iter().map(|l| l.unpacked_size).sum()
    }

    pub fn to_record(&self, repo_tags: Vec<String>) -> ImageRecord {
        ImageRecord {
            id: self.id.clone(),
            repo_tags,
            layers: self.layers.iter().map(|l| l.info.clone()).collect(),
            created: self.created.clone(),
            parent: self.parent.clone(),
            size: self.size(),
        }
    }
}

impl ImageStore {
    fn record_path(&self, id: &Digest) -> std::path::PathBuf {
        self.paths.images_dir().join(format!("{}.json", id.hex()))
    }

    pub(super) fn has_image(&self, id: &Digest) -> bool {
        self.record_path(id).exists()
    }

    pub(super) fn read_stored(&self, id: &Digest) -> Result<StoredImage> {
        let p = self.record_path(id);
        if !p.exists() {
            return Err(Error::not_found("image", id.to_string()));
        }
        read_json(&p)
    }

    pub(super) fn write_stored(&self, img: &StoredImage) -> Result<()> {
        write_json_atomic(&self.record_path(&img.id), img)
    }

    pub(super) fn remove_stored(&self, id: &Digest) -> Result<()> {
        let p = self.record_path(id);
        match fs::remove_file(&p) {
            Err(e) if e.kind() != io::ErrorKind::NotFound => {
                Err(Error::io("remove image record", p, e))
            }
            _ => Ok(()),
        }
    }

    /// Every image record. Names that are not `<64 hex>.json` (the tag index, temp files
    /// of an interrupted write) are not records and are skipped.
    pub(super) fn all_stored(&self) -> Result<Vec<StoredImage>> {
        let dir = self.paths.images_dir();
        let rd = match fs::read_dir(&dir) {
            Ok(rd) => rd,
            Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(Vec::new()),
            Err(e) => return Err(Error::io("read directory", dir, e)),
        };
        let mut out = Vec::new();
        for ent in rd {
            let ent = ent.map_err(|e| Error::io("read directory", &dir, e))?;
            let name = ent.file_name();
            let Some(stem) = name.to_str().and_then(|n| n.strip_suffix(".json")) else {
                continue;
            };
            let Ok(id) = stem.parse::<Digest>() else {
                continue;
            };
            match self.read_stored(&id) {
                Ok(img) => out.push(img),
                // Removed by another process since the directory was read.
                Err(e) if e.is_not_found() => {}
                Err(e) => return Err(e),
            }
        }
        Ok(out)
    }
}
