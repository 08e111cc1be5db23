//! `push`: send an image's layers, config and a Docker v2 schema 2 manifest (gzip layers,
//! as Docker pushes) to a registry, three blobs at a time.
//!
//! Layers the store keeps uncompressed (imported, loaded, made by older versions) are
//! gzipped once on their first push; the gzip blob is kept and remembered by diff ID, so
//! later pushes send the same bytes without compressing again. Each blob is first asked for (HEAD) and
//! skipped when the registry has it; a blob we know another repository of the same
//! registry holds is mounted from there instead of uploaded.

use std::collections::HashMap;
use std::path::PathBuf;

use futures_util::stream::{FuturesUnordered, StreamExt};
use oci_client::errors::OciDistributionError;
use oci_client::Client;
use serde::Serialize;
use serde_json::json;
use tokio::sync::mpsc::{unbounded_channel, UnboundedSender};
use tokio_util::io::ReaderStream;

use super::client::{self, Caller, Op, CONCURRENCY};
use super::distribution::{self, Compressed, Distribution};
use super::{Credentials, PushEvent, Target};
use crate::error::{Error, IoContext, Result};
use crate::image::compress::decompress;
use crate::image::manifest::MT_DOCKER_MANIFEST;
use crate::image::staging::StagedBlob;
use crate::image::{ImageStore, LayerInfo};
use crate::store::{scratch, Digest, Paths};
use crate::Engine;

pub const MT_DOCKER_CONFIG: &str = "application/vnd.docker.container.image.v1+json";
pub const MT_DOCKER_LAYER_GZIP: &str = "application/vnd.docker.image.rootfs.diff.tar.gzip";

/// Read this much of a layer file per upload chunk.
const READ_CHUNK: usize = 256 * 1024;

/// A blob to send: its digest, size and where it is on disk.
#[derive(Debug, Clone)]
struct Blob {
    /// The layer's diff ID, which names it in events (as Docker's push names layers).
    id: Digest,
    digest: Digest,
    size: u64,
    path: PathBuf,
}

struct Session<'a> {
    client: Client,
    target: &'a Target,
    caller: Caller,
    /// What we know of blobs held elsewhere on registries (for mounts).
    dist: Distribution,
}

impl Session<'_> {
    fn err(&self, e: OciDistributionError) -> Error {
        client::translate(e, Op::Push, self.target, self.caller)
    }

    async fn exists(&self, d: &Digest) -> Result<bool> {
        self.client
            .blob_exists(&self.target.oci(), &d.to_string())
            .await
            .map_err(|e| self.err(e))
    }

    /// Compress a layer if need be, then send it. Returns its diff ID and gzip blob.
    async fn prepare_and_send(
        &self,
        l: LayerInfo,
        paths: Paths,
        tx: UnboundedSender<PushEvent>,
    ) -> Result<(Digest, Compressed)> {
        let c = blocking({
            let (paths, l, dist) = (paths.clone(), l.clone(), self.dist.clone());
            move || gzip_blob(&paths, &l, &dist)
        })
        .await?;
        let _ = tx.send(PushEvent::Waiting {
            layer: l.diff_id.clone(),
        });
        let b = Blob {
            id: l.diff_id.clone(),
            digest: c.digest.clone(),
            size: c.size,
            path: ImageStore::new(&paths).blobs().path(&c.digest),
        };
        self.layer(b, tx).await?;
        Ok((l.diff_id, c))
    }

    /// Send one layer blob unless the registry has it or can mount it.
    async fn layer(&self, b: Blob, tx: UnboundedSender<PushEvent>) -> Result<()> {
        let layer = b.id.clone();
        if self.exists(&b.digest).await? {
            let _ = tx.send(PushEvent::LayerAlreadyExists { layer });
            return Ok(());
        }
        let t = self.target;
        if let Some(from) = self.dist.source_on(&b.digest, &t.domain, &t.repository) {
            let mounted = self
                .client
                .mount_blob(&t.oci(), &t.sibling(&from), &b.digest.to_string())
                .await;
            // A refused mount (the source is gone, or not ours to read) is an upload.
            if mounted.is_ok() {
                let _ = tx.send(PushEvent::MountedFrom { layer, from });
                return Ok(());
            }
        }
        let file = tokio::fs::File::open(&b.path).await.ctx("open", &b.path)?;
        let (total, mut sent) = (b.size, 0u64);
        let progress = tx.clone();
        let name = layer.clone();
        let stream = ReaderStream::with_capacity(file, READ_CHUNK).map(move |chunk| {
            let chunk = chunk.map_err(OciDistributionError::IoError)?;
            sent += chunk.len() as u64;
            let _ = progress.send(PushEvent::Pushing {
                layer: name.clone(),
                current: sent,
                total,
            });
            Ok(chunk)
        });
        let _ = tx.send(PushEvent::Pushing {
            layer: layer.clone(),
            current: 0,
            total,
        });
        self.client
            .push_blob_stream(&t.oci(), stream, &b.digest.to_string(), Some(b.size))
            .await
            .map_err(|e| self.err(e))?;
        let _ = tx.send(PushEvent::Pushed { layer });
        Ok(())
    }
}

async fn blocking<T: Send + 'static>(f: impl FnOnce() -> Result<T> + Send + 'static) -> Result<T> {
    tokio::task::spawn_blocking(f)
        .await
        .map_err(|e| Error::Runtime(format!("background task failed: {e}")))?
}

fn is_gzip(media_type: &str) -> bool {
    media_type.ends_with("gzip")
}

/// The gzip blob of a layer: its own blob if it is gzip, the one made on an earlier push,
/// or a new one compressed now from its tar. Blocking.
fn gzip_blob(paths: &Paths, l: &LayerInfo, dist: &Distribution) -> Result<Compressed> {
    let store = ImageStore::new(paths);
    let blobs = store.blobs();
    if is_gzip(&l.media_type) && blobs.exists(&l.blob) {
        return Ok(Compressed {
            digest: l.blob.clone(),
            size: l.size,
        });
    }
    if let Some(c) = dist.gzip.get(&l.diff_id) {
        if blobs.exists(&c.digest) {
            return Ok(c.clone());
        }
    }
    let _staging = scratch::hold(paths)?;
    let tar = decompress(blobs.open(&l.blob)?).ctx("read blob", blobs.path(&l.blob))?;
    let (staged, _) = StagedBlob::write_gzip(&paths.tmp_dir(), tar, &blobs.path(&l.blob))?;
    let c = Compressed {
        digest: staged.digest.clone(),
        size: staged.size,
    };
    staged.install(&blobs)?;
    // A cache: losing it costs a compression next time, never the push.
    let _ = distribution::record_gzip(&store, &l.diff_id, c.clone());
    Ok(c)
}

/// Docker's manifest bytes: v2 schema 2, indented with three spaces as Docker writes it.
fn manifest(config: &[u8], layers: &[Compressed]) -> Result<Vec<u8>> {
    let m = json!({
        "schemaVersion": 2,
        "mediaType": MT_DOCKER_MANIFEST,
        "config": {
            "mediaType": MT_DOCKER_CONFIG,
            "size": config.len(),
            "digest": Digest::of(config).to_string(),
        },
        "layers": layers.iter().map(|l| json!({
            "mediaType": MT_DOCKER_LAYER_GZIP,
            "size": l.size,
            "digest": l.digest.to_string(),
        })).collect::<Vec<_>>(),
    });
    let mut buf = Vec::new();
    let fmt = serde_json::ser::PrettyFormatter::with_indent(b"   ");
    let mut ser = serde_json::Serializer::with_formatter(&mut buf, fmt);
    m.serialize(&mut ser)
        .map_err(|e| Error::Runtime(format!("serialising manifest: {e}")))?;
    Ok(buf)
}

impl Engine {
    /// `docker push`: send the image tagged `reference` (`latest` when no tag is given)
    /// and return the manifest digest the registry now has for it. Progress goes to `on`.
    pub async fn push(
        &self,
        reference: &str,
        creds: Option<Credentials>,
        on: &mut (dyn FnMut(PushEvent) + Send),
    ) -> Result<Digest> {
        let target = Target::parse(reference, &self.config)?;
        if target.reference.digest.is_some() {
            return Err(Error::invalid(format!(
                "cannot push a digest reference: {reference}"
            )));
        }
        let tag = target.reference.tag_or_latest().to_string();
        let key = target.reference.key();
        let paths = self.paths.clone();
        let (img, config, dist) = blocking({
            let paths = paths.clone();
            move || {
                let store = ImageStore::new(&paths);
                // The tag itself, as Docker pushes a tag (not an ID or a prefix).
                let id = store
                    .tag_index()?
                    .tags
                    .get(&key)
                    .cloned()
                    .ok_or_else(|| Error::not_found("image", key.clone()))?;
                let img = store.read_stored(&id)?;
                let config = store.blobs().read(&id)?;
                Ok((img, config, Distribution::read(&paths)))
            }
        })
        .await?;
        let oci = client::client(&target);
        let auth = client::registry_auth(creds.as_ref());
        // Who we are is settled once, before the blobs go in parallel.
        let caller = client::authenticate(&oci, &target, &auth, Op::Push, creds.is_some()).await?;
        let s = Session {
            client: oci,
            target: &target,
            caller,
            dist,
        };

        // Each layer (once per diff ID) is compressed if need be, then sent; three at a
        // time, so a compression overlaps the uploads of the others.
        let infos: Vec<LayerInfo> = img.layers.iter().map(|l| l.info.clone()).collect();
        let mut unique: Vec<LayerInfo> = Vec::new();
        for l in &infos {
            if !unique.iter().any(|u| u.diff_id == l.diff_id) {
                on(PushEvent::Preparing {
                    layer: l.diff_id.clone(),
                });
                unique.push(l.clone());
            }
        }
        let (tx, mut rx) = unbounded_channel();
        let mut queue = unique.into_iter();
        let mut running = FuturesUnordered::new();
        let mut gz: HashMap<Digest, Compressed> = HashMap::new();
        let result: Result<()> = async {
            loop {
                while running.len() < CONCURRENCY {
                    let Some(l) = queue.next() else { break };
                    running.push(s.prepare_and_send(l, paths.clone(), tx.clone()));
                }
                if running.is_empty() {
                    return Ok(());
                }
                tokio::select! {
                    Some(ev) = rx.recv() => on(ev),
                    Some(res) = running.next() => {
                        let (diff_id, c) = res?;
                        gz.insert(diff_id, c);
                    }
                }
            }
        }
        .await;
        drop(running);
        drop(tx);
        while let Ok(ev) = rx.try_recv() {
            on(ev);
        }
        result?;
        let gz: Vec<Compressed> = infos.iter().map(|l| gz[&l.diff_id].clone()).collect();

        let config_digest = img.id.clone();
        if !s.exists(&config_digest).await? {
            s.client
                .push_blob(&target.oci(), config.clone(), &config_digest.to_string())
                .await
                .map_err(|e| s.err(e))?;
        }
        let manifest = manifest(&config, &gz)?;
        let digest = Digest::of(&manifest);
        let size = manifest.len() as u64;
        let content_type = reqwest::header::HeaderValue::from_static(MT_DOCKER_MANIFEST);
        s.client
            .push_manifest_raw(&target.oci(), manifest, content_type)
            .await
            .map_err(|e| s.err(e))?;

        let repo = format!("{}/{}", target.domain, target.repository);
        let repo_digest = format!("{}@{digest}", target.familiar_name());
        let mut sent: Vec<Digest> = gz.iter().map(|c| c.digest.clone()).collect();
        sent.push(config_digest);
        let (event_id, event_name) = (target.familiar_string(), target.familiar_name().to_string());
        let id = img.id.clone();
        blocking(move || {
            let store = ImageStore::new(&paths);
            store.add_repo_digest(&id, &repo_digest)?;
            let _ = distribution::record_sources(&store, &repo, &sent);
            crate::events::object_event(
                &paths,
                "image",
                "push",
                &event_id,
                &[("name", event_name)],
            );
            Ok(())
        })
        .await?;
        on(PushEvent::Done {
            tag,
            digest: digest.clone(),
            size,
        });
        Ok(digest)
    }
}
