//! The `docker save` layout: `manifest.json` lists each image's config, tags and layer
//! files (`<id>/layer.tar` in the legacy form, `blobs/sha256/<hex>` since docker 25).
//! When the archive also carries an OCI index (docker 25+), the OCI manifest of each image
//! is kept too, so the image's repo digest survives a save/load round trip.

use serde::Deserialize;

use super::extract::ArchiveDir;
use super::{oci, ImagePlan};
use crate::error::{Error, Result};
use crate::image::reference::Reference;

#[derive(Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
struct Entry {
    config: String,
    #[serde(default)]
    repo_tags: Option<Vec<String>>,
    layers: Vec<String>,
}

pub fn plan(a: &ArchiveDir) -> Result<Vec<ImagePlan>> {
    let bytes = a.read("manifest.json")?;
    let entries: Vec<Entry> = serde_json::from_slice(&bytes)
        .map_err(|e| Error::invalid(format!("image archive: manifest.json: {e}")))?;
    // Manifests from the OCI index, if any, to pair with the entries by config digest.
    let oci_images = if a.has("index.json") && a.has("oci-layout") {
        oci::images(a).unwrap_or_default()
    } else {
        Vec::new()
    };
    let mut plans = Vec::new();
    for e in entries {
        let config_digest = a.file(&e.config)?.digest.clone();
        let mut tags = Vec::new();
        for t in e.repo_tags.unwrap_or_default() {
            let r = Reference::parse(&t).map_err(|err| {
                Error::invalid(format!("image archive: manifest.json: tag {t:?}: {err}"))
            })?;
            tags.push(r.key());
        }
        let layer_digests: Vec<_> = e
            .layers
            .iter()
            .map(|l| a.file(l).map(|f| f.digest.clone()))
            .collect::<Result<_>>()?;
        let manifest = oci_images
            .iter()
            .find(|m| m.config_digest == config_digest && m.layer_digests == layer_digests)
            .map(|m| m.manifest.clone());
        plans.push(ImagePlan {
            config: e.config,
            manifest,
            layers: e.layers,
            tags,
        });
    }
    Ok(plans)
}
