//! `berth load`: read an archive, check everything, then add it. A wrong digest or diff ID
//! anywhere fails the whole load before the store is touched.

use std::collections::HashMap;
use std::io::Read;

use super::extract::{claimed_hex, ArchiveDir};
use super::{docker, oci, ImagePlan};
use crate::error::{Error, Result};
use crate::image::compress::{decompress, detect, looks_like_tar, peek, Compression};
use crate::image::manifest::{MT_LAYER_GZIP, MT_LAYER_TAR};
use crate::image::records::StoredLayer;
use crate::image::register::{NewImage, PendingBlob};
use crate::image::staging::StagedLayer;
use crate::image::{config, ImageStore, LayerInfo};
use crate::store::Digest;

/// An image checked and ready to register.
struct Prepared {
    image: NewImage,
    blobs: Vec<PendingBlob>,
    diff_ids: Vec<Digest>,
}

impl ImageStore {
    /// Returns the `Loaded image: ...` names: the tags, or the image ID (`sha256:...`) of
    /// an image that came without one.
    pub fn load(&self, r: &mut dyn Read) -> Result<Vec<String>> {
        let loaded = self.load_unrecorded(r)?;
        for name in &loaded {
            crate::events::object_event(
                &self.paths,
                "image",
                "load",
                name,
                &[("name", name.clone())],
            );
        }
        Ok(loaded)
    }

    fn load_unrecorded(&self, r: &mut dyn Read) -> Result<Vec<String>> {
        self.paths.ensure()?;
        let _staging = crate::store::scratch::hold(&self.paths)?;
        let stream = decompress(r).map_err(|e| Error::invalid(format!("image archive: {e}")))?;
        let (block, stream) =
            peek(stream, 512).map_err(|e| Error::invalid(format!("image archive: {e}")))?;
        if !looks_like_tar(&block) {
            return Err(Error::invalid(
                "image archive: the input is not a tar archive (nor a gzip-compressed one)",
            ));
        }
        let archive = ArchiveDir::extract(stream, &self.paths.tmp_dir())?;
        let plans = if archive.has("manifest.json") {
            docker::plan(&archive)?
        } else if archive.has("index.json") {
            oci::plan(&archive)?
        } else {
            return Err(Error::invalid("image archive: neither manifest.json (docker save) nor index.json (OCI layout) found"));
        };
        if plans.is_empty() {
            return Err(Error::invalid("image archive: it holds no image"));
        }

        // Check everything first; layers new to this store are unpacked under tmp/ on the
        // way and installed only once every image checks out.
        let mut staged: HashMap<Digest, StagedLayer> = HashMap::new();
        let mut sizes: HashMap<Digest, u64> = HashMap::new();
        let mut prepared = Vec::new();
        for p in &plans {
            prepared.push(self.prepare(&archive, p, &mut staged, &mut sizes)?);
        }

        let mut names = Vec::new();
        for p in prepared {
            let layers: Vec<StagedLayer> =
                p.diff_ids.iter().filter_map(|d| staged.remove(d)).collect();
            let tags = p.image.tags.clone();
            let rec = self.register(p.image, p.blobs, layers)?;
            if tags.is_empty() {
                names.push(rec.id.to_string());
            } else {
                names.extend(tags);
            }
        }
        Ok(names)
    }

    fn prepare(
        &self,
        a: &ArchiveDir,
        plan: &ImagePlan,
        staged: &mut HashMap<Digest, StagedLayer>,
        sizes: &mut HashMap<Digest, u64>,
    ) -> Result<Prepared> {
        let config_file = a.file(&plan.config)?;
        if let Some(hex) = claimed_hex(&plan.config) {
            if hex != config_file.digest.hex() {
                return Err(Error::invalid(format!(
                    "image archive: config {:?} does not hash to its name",
                    plan.config
                )));
            }
        }
        let config_bytes = a.read(&plan.config)?;
        let cfg = config::parse(&config_bytes, &plan.config)?;
        let diff_ids = config::diff_ids(&cfg, &plan.config)?;
        if diff_ids.len() != plan.layers.len() {
            return Err(Error::invalid(format!(
                "image archive: config {:?} lists {} layers but the archive gives {}",
                plan.config,
                diff_ids.len(),
                plan.layers.len()
            )));
        }
        let manifest = match &plan.manifest {
            Some(m) => Some(a.read(m)?),
            None => None,
        };
        let media_types = manifest
            .as_deref()
            .map(layer_media_types)
            .unwrap_or_default();

        let mut layers = Vec::new();
        let mut blobs = Vec::new();
        for (i, (entry, diff_id)) in plan.layers.iter().zip(&diff_ids).enumerate() {
            let f = a.file(entry)?.clone();
            let name = format!("{diff_id} ({entry})");
            let size = match sizes.get(diff_id) {
                Some(s) => *s,
                None => {
                    let (size, layer) = self.stage_layer(a.open(entry)?, diff_id, &name)?;
                    if let Some(l) = layer {
                        staged.insert(diff_id.clone(), l);
                    }
                    sizes.insert(diff_id.clone(), size);
                    size
                }
            };
            let media_type = match media_types.get(i) {
                Some(mt) => mt.clone(),
                None => sniff_media_type(a, entry)?,
            };
            layers.push(StoredLayer {
                info: LayerInfo {
                    diff_id: diff_id.clone(),
                    blob: f.digest.clone(),
                    media_type,
                    size: f.size,
                },
                unpacked_size: size,
            });
            blobs.push(PendingBlob::File(f.path, f.digest));
        }
        let image = NewImage {
            config: config_bytes,
            manifest,
            layers,
            parent: None,
            tags: plan.tags.clone(),
        };
        Ok(Prepared {
            image,
            blobs,
            diff_ids,
        })
    }
}

fn layer_media_types(manifest: &[u8]) -> Vec<String> {
    let v: serde_json::Value = serde_json::from_slice(manifest).unwrap_or_default();
    v["layers"]
        .as_array()
        .map(|ls| {
            ls.iter()
                .map(|l| l["mediaType"].as_str().unwrap_or(MT_LAYER_TAR).to_string())
                .collect()
        })
        .unwrap_or_default()
}

/// A layer file's media type from its magic bytes (`docker save` archives carry none).
fn sniff_media_type(a: &ArchiveDir, entry: &str) -> Result<String> {
    let (head, _) = peek(a.open(entry)?, 6)
        .map_err(|e| Error::invalid(format!("image archive: {entry}: {e}")))?;
    match detect(&head) {
        Ok(Compression::Gzip) => Ok(MT_LAYER_GZIP.into()),
        Ok(Compression::None) => Ok(MT_LAYER_TAR.into()),
        // No media type carries these in a `docker save` manifest's layer list.
        Ok(c) => Err(Error::invalid(format!(
            "image archive: layer {entry}: {} compression is not supported",
            c.name()
        ))),
        Err(e) => Err(Error::invalid(format!("image archive: layer {entry}: {e}"))),
    }
}
