//! `berth commit`: a container's changes (an uncompressed OCI layer tar with `.wh.`
//! whiteouts) become a new image on top of the container's image, with config changes
//! and a history entry.

use std::path::Path;

use serde_json::{json, Map, Value};

use super::config::{self, ConfigChanges};
use super::import::tag_keys;
use super::register::NewImage;
use super::{ImageRecord, ImageStore};
use crate::error::{Error, Result};

impl ImageStore {
    /// Make an image from `parent` (or from nothing) plus the layer in `layer_tar`.
    /// The arguments mirror `docker commit`'s flags.
    #[allow(clippy::too_many_arguments)]
    pub fn create_from_layer(
        &self,
        parent: Option<&ImageRecord>,
        layer_tar: &Path,
        changes: ConfigChanges,
        comment: &str,
        author: &str,
        created_by: &str,
        tag: Option<&str>,
    ) -> Result<ImageRecord> {
        let tags = tag_keys(tag)?;
        let created = config::now();
        let (mut cfg, mut layers) = match parent {
            Some(p) => (self.config_json(p)?, self.read_stored(&p.id)?.layers),
            None => (config::empty(&created, &[]), Vec::new()),
        };

        let new = self.stage_new_layer(layer_tar)?;
        let diff_id = new.diff_id.clone();
        layers.push(new.stored);

        let mut entry = Map::new();
        entry.insert("created".into(), json!(created));
        for (k, v) in [
            ("author", author),
            ("created_by", created_by),
            ("comment", comment),
        ] {
            if !v.is_empty() {
                entry.insert(k.into(), json!(v));
            }
        }
        config::push_layer(&mut cfg, &diff_id, Value::Object(entry));
        changes.apply(&mut cfg);
        if let Some(root) = cfg.as_object_mut() {
            root.insert("created".into(), json!(created));
            if !author.is_empty() {
                root.insert("author".into(), json!(author));
            }
            if !comment.is_empty() {
                root.insert("comment".into(), json!(comment));
            }
        }
        let config = serde_json::to_vec(&cfg)
            .map_err(|e| Error::Runtime(format!("serialising config: {e}")))?;
        let img = NewImage {
            config,
            manifest: None,
            layers,
            parent: parent.map(|p| p.id.clone()),
            tags,
        };
        self.register(img, vec![new.blob], new.staged.into_iter().collect())
    }
}
