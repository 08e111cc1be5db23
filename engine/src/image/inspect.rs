//! `image inspect`: an image as Docker's API shows it, from its record and its raw
//! config. The CLI prints it and the engine interface turns it into Docker's model, so
//! both answer alike.

use serde_json::{json, Value};

use super::{docker_container_config, ImageRecord, ImageStore};
use crate::error::Result;

impl ImageStore {
    pub fn inspect_json(&self, img: &ImageRecord) -> Result<Value> {
        let cfg = self.config_json(img)?;
        let repo_digests = self.repo_digests(&img.id)?;
        let text = |k: &str| cfg.get(k).cloned().unwrap_or(Value::String(String::new()));
        Ok(json!({
            "Id": img.id.to_string(),
            "RepoTags": img.repo_tags,
            "RepoDigests": repo_digests,
            "Parent": img.parent.as_ref().map(|p| p.to_string()).unwrap_or_default(),
            "Comment": text("comment"),
            "Created": img.created.clone().unwrap_or_default(),
            "Author": text("author"),
            "Config": docker_container_config(cfg.get("config").unwrap_or(&Value::Null)),
            "Architecture": cfg.get("architecture").cloned().unwrap_or(Value::Null),
            "Os": cfg.get("os").cloned().unwrap_or(Value::Null),
            "Size": img.size,
            "RootFS": {
                "Type": "layers",
                "Layers": img.layers.iter().map(|l| l.diff_id.to_string()).collect::<Vec<_>>(),
            },
            "Metadata": {"LastTagTime": "0001-01-01T00:00:00Z"},
        }))
    }
}
