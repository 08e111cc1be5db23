//! The registry side of a pull: manifests (and which of them are lists), the config, and
//! layer blobs streamed into `tmp/` while hashed, each checked against its digest.

use std::path::PathBuf;

use futures_util::stream::StreamExt;
use oci_client::secrets::RegistryAuth;
use oci_client::Client;
use serde_json::Value;
use sha2::{Digest as _, Sha256};
use tokio::io::AsyncWriteExt;
use tokio::sync::mpsc::UnboundedSender;

use super::client::{self, Caller, Op};
use super::{PullEvent, Target};
use crate::error::{Error, IoContext, Result};
use crate::image::manifest::{MT_DOCKER_LIST, MT_DOCKER_MANIFEST, MT_INDEX, MT_MANIFEST};
use crate::store::ids::random_hex;
use crate::store::Digest;

/// Manifest types a pull accepts, lists first.
const ACCEPT: &[&str] = &[MT_DOCKER_LIST, MT_INDEX, MT_DOCKER_MANIFEST, MT_MANIFEST];

/// Layer media types a pull unpacks (the compression itself is told by magic bytes).
const LAYER_TYPES: &[&str] = &[
    "application/vnd.docker.image.rootfs.diff.tar.gzip",
    "application/vnd.docker.image.rootfs.foreign.diff.tar.gzip",
    "application/vnd.oci.image.layer.v1.tar",
    "application/vnd.oci.image.layer.v1.tar+gzip",
    "application/vnd.oci.image.layer.v1.tar+zstd",
    "application/vnd.oci.image.layer.nondistributable.v1.tar",
    "application/vnd.oci.image.layer.nondistributable.v1.tar+gzip",
    "application/vnd.oci.image.layer.nondistributable.v1.tar+zstd",
];

/// The largest config a pull reads into memory (Docker's limit too).
const MAX_CONFIG: u64 = 8 * 1024 * 1024;

/// Report download progress at most every this many bytes.
const PROGRESS_STEP: u64 = 512 * 1024;

/// A blob named in a manifest.
#[derive(Debug, Clone)]
pub(super) struct Descriptor {
    pub media_type: String,
    pub digest: Digest,
    pub size: u64,
}

/// One registry conversation: the client, what we present, and how its errors read.
pub(super) struct Session<'a> {
    pub client: Client,
    pub auth: RegistryAuth,
    pub target: &'a Target,
    pub caller: Caller,
}

impl Session<'_> {
    pub(super) fn err(&self, e: oci_client::errors::OciDistributionError) -> Error {
        client::translate(e, Op::Pull, self.target, self.caller)
    }

    /// A manifest by tag or digest, as sent, with the digest it has.
    pub(super) async fn manifest(&self, r: &oci_client::Reference) -> Result<(Vec<u8>, Digest)> {
        let (body, digest) = self
            .client
            .pull_manifest_raw(r, &self.auth, ACCEPT)
            .await
            .map_err(|e| self.err(e))?;
        let got = Digest::of(&body);
        if digest.parse::<Digest>().ok().as_ref() != Some(&got) {
            return Err(Error::Runtime(format!(
                "manifest verification failed for digest {digest}"
            )));
        }
        Ok((body.to_vec(), got))
    }

    /// A small blob (the config) in memory, verified.
    pub(super) async fn small_blob(&self, d: &Descriptor) -> Result<Vec<u8>> {
        if d.size > MAX_CONFIG {
            return Err(Error::Runtime(format!(
                "image config {} is {} bytes, more than the {MAX_CONFIG} accepted",
                d.digest, d.size
            )));
        }
        let mut buf = Vec::new();
        let digest = d.digest.to_string();
        self.client
            .pull_blob(&self.target.oci(), digest.as_str(), &mut buf)
            .await
            .map_err(|e| self.err(e))?;
        if Digest::of(&buf) != d.digest {
            return Err(Error::Runtime(format!(
                "image config verification failed for digest {}",
                d.digest
            )));
        }
        Ok(buf)
    }

    /// Stream a blob into `tmp/`, hashing it; the file goes when the result is dropped.
    pub(super) async fn download(
        &self,
        d: Descriptor,
        tmp: PathBuf,
        tx: UnboundedSender<PullEvent>,
    ) -> Result<TempBlob> {
        let path = tmp.join(format!("blob-{}", random_hex(8)));
        let blob = TempBlob { path: path.clone() };
        let mut f = tokio::fs::File::create(&path).await.ctx("create", &path)?;
        let digest = d.digest.to_string();
        let mut s = self
            .client
            .pull_blob_stream(&self.target.oci(), digest.as_str())
            .await
            .map_err(|e| self.err(e))?;
        let total = s.content_length.unwrap_or(d.size);
        let layer = d.digest.clone();
        let _ = tx.send(PullEvent::Downloading {
            layer: layer.clone(),
            current: 0,
            total,
        });
        let mut hasher = Sha256::new();
        let (mut got, mut reported) = (0u64, 0u64);
        while let Some(chunk) = s.stream.next().await {
            let chunk = match chunk {
                Ok(c) => c,
                // oci-client's own check fails at the end of the stream: say it as Docker.
                Err(_) if got == d.size && Digest::from_hasher(hasher.clone()) != d.digest => {
                    return Err(verification_failed(&d.digest));
                }
                Err(e) => return Err(Error::Runtime(format!("error pulling {layer}: {e}"))),
            };
            hasher.update(&chunk);
            f.write_all(&chunk).await.ctx("write", &path)?;
            got += chunk.len() as u64;
            if got - reported >= PROGRESS_STEP || got == total {
                reported = got;
                let _ = tx.send(PullEvent::Downloading {
                    layer: layer.clone(),
                    current: got,
                    total,
                });
            }
        }
        f.flush().await.ctx("write", &path)?;
        drop(f);
        let _ = tx.send(PullEvent::Verifying {
            layer: layer.clone(),
        });
        if got != d.size || Digest::from_hasher(hasher) != d.digest {
            return Err(verification_failed(&d.digest));
        }
        let _ = tx.send(PullEvent::DownloadComplete { layer });
        Ok(blob)
    }
}

fn verification_failed(d: &Digest) -> Error {
    Error::Runtime(format!(
        "filesystem layer verification failed for digest {d}"
    ))
}

/// A downloaded blob in `tmp/`, removed when dropped (a no-op once it was installed).
#[derive(Debug)]
pub(super) struct TempBlob {
    pub path: PathBuf,
}

impl Drop for TempBlob {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.path);
    }
}

pub(super) fn parse_json(bytes: &[u8], what: &str) -> Result<Value> {
    serde_json::from_slice(bytes)
        .map_err(|e| Error::Runtime(format!("invalid {what} from the registry: {e}")))
}

/// A manifest list or an OCI index (by media type, or by shape when none is given).
pub(super) fn is_list(m: &Value) -> bool {
    match m["mediaType"].as_str() {
        Some(MT_DOCKER_LIST) | Some(MT_INDEX) => true,
        Some(_) => false,
        None => m["manifests"].is_array(),
    }
}

fn descriptor(v: &Value, what: &str) -> Result<Descriptor> {
    let bad = || {
        Error::Runtime(format!(
            "invalid manifest from the registry: bad {what} descriptor"
        ))
    };
    Ok(Descriptor {
        media_type: v["mediaType"].as_str().unwrap_or("").to_string(),
        digest: v["digest"]
            .as_str()
            .ok_or_else(bad)?
            .parse()
            .map_err(|_| bad())?,
        size: v["size"].as_u64().ok_or_else(bad)?,
    })
}

/// The config and the layers of an image manifest (Docker v2 schema 2 or OCI).
pub(super) fn descriptors(m: &Value) -> Result<(Descriptor, Vec<Descriptor>)> {
    if m["schemaVersion"].as_u64() == Some(1) {
        return Err(Error::Runtime(
            "support for Docker Image Format v1 and Docker Image manifest version 2, schema 1 has been removed".into(),
        ));
    }
    let config = descriptor(&m["config"], "config")?;
    let mut layers = Vec::new();
    for l in m["layers"].as_array().into_iter().flatten() {
        let d = descriptor(l, "layer")?;
        if !LAYER_TYPES.contains(&d.media_type.as_str()) {
            return Err(Error::Runtime(format!(
                "unsupported media type {} of layer {}",
                d.media_type, d.digest
            )));
        }
        layers.push(d);
    }
    Ok((config, layers))
}
