//! The OCI image layout: `oci-layout`, `index.json` and `blobs/<alg>/<hex>`. Tags come from
//! the index descriptors' annotations: containerd's `io.containerd.image.name` (a full
//! name, written by docker 25+), else `org.opencontainers.image.ref.name` when it is a
//! full reference. A ref.name that is only a tag (`latest`) names no repository, so such
//! an image loads untagged, as with Docker.

use std::collections::HashMap;

use oci_spec::image::{Descriptor, ImageIndex, ImageManifest, MediaType};

use super::extract::ArchiveDir;
use super::ImagePlan;
use crate::error::{Error, Result};
use crate::image::config::host_arch;
use crate::image::manifest::{MT_DOCKER_LIST, MT_DOCKER_MANIFEST, MT_INDEX};
use crate::image::reference::Reference;
use crate::store::Digest;

pub const ANNOTATION_REF_NAME: &str = "org.opencontainers.image.ref.name";
pub const ANNOTATION_CONTAINERD_NAME: &str = "io.containerd.image.name";
const MAX_DEPTH: usize = 4;

/// An image manifest found through the index.
#[derive(Debug, Clone)]
pub struct OciImage {
    pub manifest: String,
    pub config: String,
    pub config_digest: Digest,
    pub layers: Vec<String>,
    pub layer_digests: Vec<Digest>,
    pub tags: Vec<String>,
}

fn bad(msg: String) -> Error {
    Error::invalid(format!("image archive: {msg}"))
}

/// The archive entry a descriptor points at. Only sha256 is supported (as everywhere).
fn entry_of(d: &Descriptor) -> Result<(String, Digest)> {
    let dg = d.digest();
    let digest: Digest = dg
        .to_string()
        .parse()
        .map_err(|_| bad(format!("unsupported digest {dg}")))?;
    Ok((format!("blobs/sha256/{}", digest.hex()), digest))
}

fn tag_of(d: &Descriptor) -> Result<Option<String>> {
    let Some(ann) = d.annotations() else {
        return Ok(None);
    };
    let name = match (
        ann.get(ANNOTATION_CONTAINERD_NAME),
        ann.get(ANNOTATION_REF_NAME),
    ) {
        (Some(n), _) => n,
        (None, Some(r)) if r.contains(':') || r.contains('/') => r,
        _ => return Ok(None),
    };
    let r =
        Reference::parse(name).map_err(|e| bad(format!("index.json: image name {name:?}: {e}")))?;
    Ok(Some(r.key()))
}

fn is_index(mt: &MediaType) -> bool {
    matches!(mt, MediaType::ImageIndex)
        || mt.to_string() == MT_INDEX
        || mt.to_string() == MT_DOCKER_LIST
}

fn is_manifest(mt: &MediaType) -> bool {
    matches!(mt, MediaType::ImageManifest) || mt.to_string() == MT_DOCKER_MANIFEST
}

/// Every image the index names, with tags merged per manifest.
pub fn images(a: &ArchiveDir) -> Result<Vec<OciImage>> {
    let index = ImageIndex::from_reader(a.open("index.json")?)
        .map_err(|e| bad(format!("index.json: {e}")))?;
    let mut out: Vec<OciImage> = Vec::new();
    let mut seen: HashMap<String, usize> = HashMap::new();
    for d in index.manifests() {
        let tag = tag_of(d)?;
        let Some(img) = resolve(a, d, 0)? else {
            continue;
        };
        let slot = *seen.entry(img.manifest.clone()).or_insert_with(|| {
            out.push(img);
            out.len() - 1
        });
        if let Some(t) = tag {
            if !out[slot].tags.contains(&t) {
                out[slot].tags.push(t);
            }
        }
    }
    Ok(out)
}

/// Follow a descriptor to an image manifest: through nested indexes (picking this host's
/// platform, skipping attestations), ignoring artifacts that are not images.
fn resolve(a: &ArchiveDir, d: &Descriptor, depth: usize) -> Result<Option<OciImage>> {
    if depth > MAX_DEPTH {
        return Err(bad("index.json: indexes nested too deep".into()));
    }
    let (entry, _) = entry_of(d)?;
    if is_index(d.media_type()) {
        let nested =
            ImageIndex::from_reader(a.open(&entry)?).map_err(|e| bad(format!("{entry}: {e}")))?;
        let candidates: Vec<&Descriptor> = nested
            .manifests()
            .iter()
            .filter(|m| !matches!(m.platform(), Some(p) if p.os().to_string() == "unknown"))
            .collect();
        let pick = candidates
            .iter()
            .find(|m| {
                m.platform()
                    .as_ref()
                    .is_some_and(|p| p.architecture().to_string() == host_arch())
            })
            .or(candidates.first());
        return match pick {
            Some(m) => resolve(a, m, depth + 1),
            None => Ok(None),
        };
    }
    if !is_manifest(d.media_type()) {
        return Ok(None);
    }
    let m =
        ImageManifest::from_reader(a.open(&entry)?).map_err(|e| bad(format!("{entry}: {e}")))?;
    let (config, config_digest) = entry_of(m.config())?;
    let mut layers = Vec::new();
    let mut layer_digests = Vec::new();
    for l in m.layers() {
        let (e, dg) = entry_of(l)?;
        let f = a.file(&e)?;
        if f.size != l.size() {
            return Err(bad(format!(
                "{e}: {} bytes, but the manifest says {}",
                f.size,
                l.size()
            )));
        }
        layers.push(e);
        layer_digests.push(dg);
    }
    Ok(Some(OciImage {
        manifest: entry,
        config,
        config_digest,
        layers,
        layer_digests,
        tags: Vec::new(),
    }))
}

pub fn plan(a: &ArchiveDir) -> Result<Vec<ImagePlan>> {
    Ok(images(a)?
        .into_iter()
        .map(|i| ImagePlan {
            config: i.config,
            manifest: Some(i.manifest),
            layers: i.layers,
            tags: i.tags,
        })
        .collect())
}
