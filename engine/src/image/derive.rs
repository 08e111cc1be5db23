//! Images a build makes: a parent's layers plus at most one new layer, under a config the
//! builder edited (Env, Cmd, Labels...). Every build step ends here, so the parent chain
//! of a built image is the chain of its steps, as Docker's classic builder keeps it.

use std::fs::File;
use std::path::Path;

use serde_json::{json, Value};

use super::config;
use super::import::tag_keys;
use super::manifest::MT_LAYER_GZIP;
use super::records::StoredLayer;
use super::register::{NewImage, PendingBlob};
use super::staging::{StagedBlob, StagedLayer};
use super::{ImageRecord, ImageStore, LayerInfo};
use crate::error::{Error, IoContext, Result};

/// What a step adds to its parent.
pub struct Derivation<'a> {
    /// The whole new config, `rootfs` and `history` as the parent's (they are extended
    /// here).
    pub config: Value,
    /// An uncompressed layer tar, or None for a step that changes only the config.
    pub layer: Option<&'a Path>,
    /// `created_by` of the history entry, as Docker writes it.
    pub created_by: String,
    pub comment: Option<String>,
    /// `name:tag` references to point at the result.
    pub tags: Vec<String>,
}

/// A layer tar staged for registration: its record, its blob, and its unpacked tree
/// (None when the store already has that layer unpacked).
pub(super) struct NewLayer {
    pub diff_id: crate::store::Digest,
    pub stored: StoredLayer,
    pub blob: PendingBlob,
    pub staged: Option<StagedLayer>,
}

impl ImageStore {
    /// Stage an uncompressed layer tar (a commit's, a build step's) for `register`: its
    /// blob gzip-compressed, its tree unpacked.
    pub(super) fn stage_new_layer(&self, tar: &Path) -> Result<NewLayer> {
        let (blob, diff_id) = StagedBlob::write_gzip(
            &self.paths.tmp_dir(),
            File::open(tar).ctx("open", tar)?,
            tar,
        )?;
        let (size, staged) = self.stage_layer(
            File::open(tar).ctx("open", tar)?,
            &diff_id,
            &tar.display().to_string(),
        )?;
        let stored = StoredLayer {
            info: LayerInfo {
                diff_id: diff_id.clone(),
                blob: blob.digest.clone(),
                media_type: MT_LAYER_GZIP.into(),
                size: blob.size,
            },
            unpacked_size: size,
        };
        Ok(NewLayer {
            diff_id,
            stored,
            blob: PendingBlob::Staged(blob),
            staged,
        })
    }

    /// Register `parent` (None: scratch) plus the derivation as a new image.
    pub fn derive(&self, parent: Option<&ImageRecord>, d: Derivation<'_>) -> Result<ImageRecord> {
        let mut tags = Vec::new();
        for t in &d.tags {
            tags.extend(tag_keys(Some(t))?);
        }
        let created = config::now();
        let mut cfg = d.config;
        let mut layers = match parent {
            Some(p) => self.read_stored(&p.id)?.layers,
            None => Vec::new(),
        };
        let mut entry = json!({ "created": created, "created_by": d.created_by });
        if let Some(c) = &d.comment {
            entry["comment"] = json!(c);
        }
        let mut blobs = Vec::new();
        let mut staged_layers = Vec::new();
        match d.layer {
            Some(tar) => {
                let new = self.stage_new_layer(tar)?;
                config::push_layer(&mut cfg, &new.diff_id, entry);
                layers.push(new.stored);
                blobs.push(new.blob);
                staged_layers.extend(new.staged);
            }
            None => {
                entry["empty_layer"] = json!(true);
                config::push_history(&mut cfg, entry);
            }
        }
        if let Some(root) = cfg.as_object_mut() {
            root.insert("created".into(), json!(created));
        }
        let config = serde_json::to_vec(&cfg)
            .map_err(|e| Error::Runtime(format!("serialising config: {e}")))?;
        self.register(
            NewImage {
                config,
                manifest: None,
                layers,
                parent: parent.map(|p| p.id.clone()),
                tags,
            },
            blobs,
            staged_layers,
        )
    }

    /// Point `tags` at an image already in the store (a build whose last step was cached).
    pub fn tag_image(&self, img: &ImageRecord, tags: &[String]) -> Result<()> {
        for t in tags {
            self.tag(&img.id.to_string(), t)?;
        }
        Ok(())
    }
}
