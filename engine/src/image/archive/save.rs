//! `berth save`: images to a tar stream. `ArchiveFormat::Docker` writes the combined
//! layout docker 25+ writes (OCI layout plus `manifest.json` and `repositories`), which
//! both docker and podman load; `ArchiveFormat::Oci` writes a pure OCI layout whose index
//! names each tag in a `org.opencontainers.image.ref.name` annotation. Blobs are written
//! exactly as stored, so IDs and digests survive the round trip.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::io::{self, Read, Write};

use serde_json::{json, Value};

use super::oci::{ANNOTATION_CONTAINERD_NAME, ANNOTATION_REF_NAME};
use crate::error::{Error, Result};
use crate::image::manifest::{media_type_of, MT_INDEX};
use crate::image::records::StoredImage;
use crate::image::reference::{docker_long_form, repository_of, Reference};
use crate::image::resolve::Lookup;
use crate::image::{ArchiveFormat, ImageStore};
use crate::store::Digest;

/// An image to save and the tags to save it under.
struct Selected {
    image: StoredImage,
    tags: Vec<String>,
}

fn write_err(e: io::Error) -> Error {
    Error::Runtime(format!("writing image archive: {e}"))
}

fn header(size: u64, dir: bool) -> tar::Header {
    let mut h = tar::Header::new_ustar();
    h.set_size(size);
    h.set_mode(if dir { 0o755 } else { 0o644 });
    h.set_entry_type(if dir {
        tar::EntryType::Directory
    } else {
        tar::EntryType::Regular
    });
    h.set_mtime(0);
    h
}

fn add_bytes<W: Write>(b: &mut tar::Builder<W>, name: &str, bytes: &[u8]) -> Result<()> {
    b.append_data(&mut header(bytes.len() as u64, false), name, bytes)
        .map_err(write_err)
}

fn to_json(v: &Value) -> Vec<u8> {
    serde_json::to_vec(v).unwrap_or_default()
}

impl ImageStore {
    pub fn save(&self, refs: &[String], out: &mut dyn Write, fmt: ArchiveFormat) -> Result<()> {
        // Resolve everything before writing a byte: a typo fails cleanly.
        let selected = self.select(refs)?;
        let mut b = tar::Builder::new(out);
        for dir in ["blobs/", "blobs/sha256/"] {
            b.append_data(&mut header(0, true), dir, io::empty())
                .map_err(write_err)?;
        }
        let blobs = self.blobs();
        let mut written: HashSet<Digest> = HashSet::new();
        let mut manifests: HashMap<Digest, Vec<u8>> = HashMap::new();
        for s in &selected {
            let img = &s.image;
            let mut all = vec![img.id.clone(), img.manifest.clone()];
            all.extend(img.layers.iter().map(|l| l.info.blob.clone()));
            for d in all {
                if !written.insert(d.clone()) {
                    continue;
                }
                let size = blobs.size(&d)?;
                let f: Box<dyn Read> = Box::new(blobs.open(&d)?);
                b.append_data(
                    &mut header(size, false),
                    format!("blobs/sha256/{}", d.hex()),
                    f,
                )
                .map_err(write_err)?;
            }
            manifests.insert(img.manifest.clone(), blobs.read(&img.manifest)?);
        }

        add_bytes(&mut b, "oci-layout", br#"{"imageLayoutVersion":"1.0.0"}"#)?;
        add_bytes(
            &mut b,
            "index.json",
            &to_json(&index(&selected, &manifests, fmt)),
        )?;
        if fmt == ArchiveFormat::Docker {
            add_bytes(
                &mut b,
                "manifest.json",
                &to_json(&docker_manifest(&selected)),
            )?;
            add_bytes(&mut b, "repositories", &to_json(&repositories(&selected)))?;
        }
        b.into_inner()
            .map_err(write_err)?
            .flush()
            .map_err(write_err)
    }

    /// The images `refs` name, each once, with the tags each reference selects: the tag
    /// written, every tag of a repository named without one, none for an ID.
    fn select(&self, refs: &[String]) -> Result<Vec<Selected>> {
        let idx = self.tag_index()?;
        let mut out: Vec<Selected> = Vec::new();
        let add = |out: &mut Vec<Selected>, image: StoredImage, tag: Option<String>| {
            let slot = match out.iter().position(|s| s.image.id == image.id) {
                Some(i) => i,
                None => {
                    out.push(Selected {
                        image,
                        tags: Vec::new(),
                    });
                    out.len() - 1
                }
            };
            if let Some(t) = tag {
                if !out[slot].tags.contains(&t) {
                    out[slot].tags.push(t);
                }
            }
        };
        for r in refs {
            if let Ok(parsed) = Reference::parse(r) {
                if parsed.tag.is_none() && parsed.digest.is_none() {
                    let repo_tags: Vec<(&String, &Digest)> = idx
                        .tags
                        .iter()
                        .filter(|(k, _)| repository_of(k) == parsed.name)
                        .collect();
                    if !repo_tags.is_empty() {
                        for (k, id) in repo_tags {
                            add(&mut out, self.read_stored(id)?, Some(k.clone()));
                        }
                        continue;
                    }
                }
            }
            let (image, how) = self.lookup(r)?;
            let tag = match how {
                Lookup::Tag(key) => Some(key),
                Lookup::Id => None,
            };
            add(&mut out, image, tag);
        }
        Ok(out)
    }
}

fn index(selected: &[Selected], manifests: &HashMap<Digest, Vec<u8>>, fmt: ArchiveFormat) -> Value {
    let mut descs = Vec::new();
    for s in selected {
        let bytes = manifests
            .get(&s.image.manifest)
            .map(Vec::as_slice)
            .unwrap_or_default();
        let desc = json!({
            "mediaType": media_type_of(bytes),
            "digest": s.image.manifest.to_string(),
            "size": bytes.len(),
        });
        if s.tags.is_empty() {
            descs.push(desc.clone());
        }
        for t in &s.tags {
            let mut d = desc.clone();
            let tag_only = t.rsplit_once(':').map_or("latest", |(_, tag)| tag);
            d["annotations"] = match fmt {
                ArchiveFormat::Docker => json!({
                    ANNOTATION_CONTAINERD_NAME: docker_long_form(t),
                    ANNOTATION_REF_NAME: tag_only,
                }),
                ArchiveFormat::Oci => json!({ ANNOTATION_REF_NAME: t }),
            };
            descs.push(d);
        }
    }
    json!({ "schemaVersion": 2, "mediaType": MT_INDEX, "manifests": descs })
}

fn docker_manifest(selected: &[Selected]) -> Value {
    let entries: Vec<Value> = selected
        .iter()
        .map(|s| {
            let layers: Vec<String> = s
                .image
                .layers
                .iter()
                .map(|l| format!("blobs/sha256/{}", l.info.blob.hex()))
                .collect();
            json!({
                "Config": format!("blobs/sha256/{}", s.image.id.hex()),
                "RepoTags": if s.tags.is_empty() { Value::Null } else { json!(s.tags) },
                "Layers": layers,
            })
        })
        .collect();
    Value::Array(entries)
}

/// The legacy `repositories` file: repository -> tag -> top layer.
fn repositories(selected: &[Selected]) -> Value {
    let mut repos: BTreeMap<String, BTreeMap<String, String>> = BTreeMap::new();
    for s in selected {
        let Some(top) = s.image.layers.last() else {
            continue;
        };
        for t in &s.tags {
            let repo = repository_of(t);
            let tag = t[repo.len()..].trim_start_matches(':');
            repos
                .entry(repo.to_string())
                .or_default()
                .insert(tag.to_string(), top.info.blob.hex().to_string());
        }
    }
    json!(repos)
}
