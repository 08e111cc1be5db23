//! `pull`: resolve the reference to one platform's manifest, fetch and check the config,
//! download the layer blobs the store lacks (three at a time) into `tmp/` while hashing
//! them, unpack new layers in order (each checked against the config's diff ID), then
//! register the image in one step.
//!
//! Every temp file has an owner that removes it when dropped, so an error, or the caller
//! dropping the future, leaves nothing: downloads stop with the future, and an unpack
//! running on the blocking pool fails at its next read and removes its half layer. A
//! killed process leaves files that the `tmp/` sweep removes, since the pull holds the
//! staging lock while they exist.

use std::collections::{HashMap, HashSet};
use std::fs::File;
use std::io::Read;
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

use futures_util::stream::{FuturesUnordered, StreamExt};
use serde_json::Value;
use tokio::sync::mpsc::unbounded_channel;
use tokio::task::JoinHandle;

use super::client::{self, Op, CONCURRENCY};
use super::fetch::{descriptors, is_list, parse_json, Descriptor, Session, TempBlob};
use super::platform::Platform;
use super::{distribution, Credentials, PullEvent, Target};
use crate::error::{Error, IoContext, Result};
use crate::image::pull_register::PulledImage;
use crate::image::records::StoredLayer;
use crate::image::register::PendingBlob;
use crate::image::staging::StagedLayer;
use crate::image::{config, ImageRecord, ImageStore, LayerInfo};
use crate::store::{scratch, Digest, Paths};
use crate::Engine;

/// What the store already has, learned before downloading.
struct Known {
    /// Blobs present in the store.
    blobs: HashSet<Digest>,
    /// Unpacked sizes of layers present on disk, by diff ID.
    sizes: HashMap<Digest, u64>,
}

fn known(store: &ImageStore, layers: &[Descriptor], diff_ids: &[Digest]) -> Result<Known> {
    let blobs = store.blobs();
    let present = layers
        .iter()
        .filter(|l| blobs.exists(&l.digest))
        .map(|l| l.digest.clone())
        .collect();
    let mut sizes = HashMap::new();
    for img in store.all_stored()? {
        for l in img.layers {
            if diff_ids.contains(&l.info.diff_id) && store.layer_path(&l.info.diff_id).is_dir() {
                sizes.insert(l.info.diff_id, l.unpacked_size);
            }
        }
    }
    Ok(Known {
        blobs: present,
        sizes,
    })
}

/// Run blocking work off the runtime's threads.
async fn blocking<T: Send + 'static>(f: impl FnOnce() -> Result<T> + Send + 'static) -> Result<T> {
    tokio::task::spawn_blocking(f)
        .await
        .map_err(|e| Error::Runtime(format!("background task failed: {e}")))?
}

/// An unpack running on the blocking pool: the unpacked size, and the staged layer when
/// it was new to the store.
type Extraction = JoinHandle<Result<(u64, Option<StagedLayer>)>>;

/// Set when the pull ends or its future is dropped: an unpack still running on the
/// blocking pool (which cannot be aborted) then fails at its next read and removes its
/// half layer, instead of finishing work nobody will register.
#[derive(Debug, Default)]
struct CancelOnDrop(Arc<AtomicBool>);

impl Drop for CancelOnDrop {
    fn drop(&mut self) {
        self.0.store(true, Ordering::SeqCst);
    }
}

/// A reader that fails once `cancelled` is set.
struct Cancellable<R> {
    inner: R,
    cancelled: Arc<AtomicBool>,
}

impl<R: Read> Read for Cancellable<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        if self.cancelled.load(Ordering::Relaxed) {
            // Not `Interrupted`: readers retry that kind.
            return Err(std::io::Error::other("pull cancelled"));
        }
        self.inner.read(buf)
    }
}

/// Unpack (or, for a layer already on disk, measure) a layer blob under `tmp/`.
fn extract(
    paths: Paths,
    src: PathBuf,
    diff_id: Digest,
    blob: Digest,
    cancelled: Arc<AtomicBool>,
) -> Extraction {
    tokio::task::spawn_blocking(move || {
        let _staging = scratch::hold(&paths)?;
        let inner = File::open(&src).ctx("open", &src)?;
        let f = Cancellable { inner, cancelled };
        let name = format!("{diff_id} (blob {blob})");
        ImageStore::new(&paths).stage_layer(f, &diff_id, &name)
    })
}

impl Engine {
    /// `docker pull`: fetch `reference` (for the host's platform, or `platform` as
    /// `os/arch[/variant]`) and register it, tagged unless pulled by digest. Progress
    /// goes to `on`. Nothing is registered unless every blob and layer checked out.
    pub async fn pull(
        &self,
        reference: &str,
        platform: Option<&str>,
        creds: Option<Credentials>,
        on: &mut (dyn FnMut(PullEvent) + Send),
    ) -> Result<ImageRecord> {
        let target = Target::parse(reference, &self.config)?;
        let want = Platform::parse(platform)?;
        let oci = client::client(&target);
        let auth = client::registry_auth(creds.as_ref());
        // A token registry's token first, so that a refusal reads as Docker's.
        let caller = client::authenticate(&oci, &target, &auth, Op::Pull, creds.is_some()).await?;
        let s = Session {
            client: oci,
            auth,
            target: &target,
            caller,
        };

        // The manifest: through a list or index to this platform's, if need be.
        let (top, top_digest) = s.manifest(&target.oci()).await?;
        let top_json = parse_json(&top, "manifest")?;
        let manifest = if is_list(&top_json) {
            let d = want.select(&top_json)?;
            s.manifest(&target.oci_at(&d)).await?.0
        } else {
            top
        };
        on(PullEvent::Resolved {
            digest: top_digest.clone(),
        });
        let m = parse_json(&manifest, "manifest")?;
        let (config_desc, layers) = descriptors(&m)?;

        let config = s.small_blob(&config_desc).await?;
        let cfg = config::parse(&config, &config_desc.digest.to_string())?;
        if platform.is_some() {
            check_platform(&cfg, &want, &target)?;
        }
        let diff_ids = config::diff_ids(&cfg, &config_desc.digest.to_string())?;
        if diff_ids.len() != layers.len() {
            return Err(Error::Runtime(format!(
                "manifest of {} lists {} layers but its config {} has {} diff IDs",
                target.familiar_string(),
                layers.len(),
                config_desc.digest,
                diff_ids.len()
            )));
        }

        let paths = self.paths.clone();
        // Held while this pull has files in tmp/ (declared first: dropped last).
        let _staging = blocking({
            let paths = paths.clone();
            move || {
                paths.ensure()?;
                scratch::hold(&paths)
            }
        })
        .await?;
        let known = blocking({
            let (paths, layers, diff_ids) = (paths.clone(), layers.clone(), diff_ids.clone());
            move || known(&ImageStore::new(&paths), &layers, &diff_ids)
        })
        .await?;

        let got = self.transfer(&s, &layers, &diff_ids, &known, on).await?;

        let repo_digest = format!("{}@{top_digest}", target.familiar_name());
        let tag = target
            .reference
            .digest
            .is_none()
            .then(|| target.reference.key());
        let stored_layers: Vec<StoredLayer> = layers
            .iter()
            .zip(&diff_ids)
            .zip(&got.sizes)
            .map(|((l, diff_id), size)| StoredLayer {
                info: LayerInfo {
                    diff_id: diff_id.clone(),
                    blob: l.digest.clone(),
                    media_type: l.media_type.clone(),
                    size: l.size,
                },
                unpacked_size: *size,
            })
            .collect();
        let pending: Vec<PendingBlob> = got
            .blobs
            .iter()
            .map(|(d, b)| PendingBlob::File(b.path.clone(), d.clone()))
            .collect();
        let repo = format!("{}/{}", target.domain, target.repository);
        let blob_digests: Vec<Digest> = layers.iter().map(|l| l.digest.clone()).collect();
        let (event_id, event_name) = (target.familiar_string(), target.familiar_name().to_string());
        let pulled = PulledImage {
            config,
            manifest,
            layers: stored_layers,
            blobs: pending,
            staged: got.staged,
            tag,
            repo_digest,
        };
        let (rec, new) = blocking(move || {
            let store = ImageStore::new(&paths);
            let out = store.register_pulled(pulled)?;
            // A cache for later pushes: never a reason to fail the pull.
            let _ = distribution::record_sources(&store, &repo, &blob_digests);
            crate::events::object_event(
                &paths,
                "image",
                "pull",
                &event_id,
                &[("name", event_name)],
            );
            Ok(out)
        })
        .await?;
        // The downloaded files were renamed into the store; their owners find them gone.
        drop(got.blobs);
        on(PullEvent::Done {
            digest: top_digest,
            id: rec.id.clone(),
            new,
        });
        Ok(rec)
    }

    /// Download what is missing and unpack in order, reporting as Docker does.
    async fn transfer(
        &self,
        s: &Session<'_>,
        layers: &[Descriptor],
        diff_ids: &[Digest],
        known: &Known,
        on: &mut (dyn FnMut(PullEvent) + Send),
    ) -> Result<Transferred> {
        let n = layers.len();
        let tmp = self.paths.tmp_dir();
        let store_blobs = ImageStore::new(&self.paths).blobs();

        // Which layers need their blob downloaded (once per blob) or extracting.
        let mut to_fetch: Vec<Descriptor> = Vec::new();
        let mut needs_extract = vec![false; n];
        for (i, l) in layers.iter().enumerate() {
            let have_blob = known.blobs.contains(&l.digest);
            let have_layer = known.sizes.contains_key(&diff_ids[i]);
            if have_blob {
                on(PullEvent::AlreadyExists {
                    layer: l.digest.clone(),
                });
                needs_extract[i] = !have_layer;
            } else {
                if !to_fetch.iter().any(|f| f.digest == l.digest) {
                    on(PullEvent::Waiting {
                        layer: l.digest.clone(),
                    });
                    to_fetch.push(l.clone());
                }
                needs_extract[i] = true;
            }
        }

        let cancel = CancelOnDrop::default();
        let (tx, mut rx) = unbounded_channel();
        let mut queue = to_fetch.into_iter();
        let mut running = FuturesUnordered::new();
        let mut out = Transferred {
            blobs: HashMap::new(),
            staged: Vec::new(),
            sizes: vec![0; n],
        };
        let mut staged_ids: HashMap<Digest, u64> = HashMap::new();
        let mut next = 0;
        let mut extracting: Option<Extraction> = None;

        let result: Result<()> = async {
            loop {
                while running.len() < CONCURRENCY {
                    let Some(d) = queue.next() else { break };
                    let (tmp, tx) = (tmp.clone(), tx.clone());
                    let digest = d.digest.clone();
                    running.push(async move { (digest, s.download(d, tmp, tx).await) });
                }
                // Layers in order: the next one starts once its blob is at hand.
                while extracting.is_none() && next < n {
                    let (l, diff_id) = (&layers[next], &diff_ids[next]);
                    if !needs_extract[next] {
                        out.sizes[next] = known.sizes.get(diff_id).copied().unwrap_or(0);
                        next += 1;
                        continue;
                    }
                    if let Some(size) = staged_ids.get(diff_id) {
                        out.sizes[next] = *size;
                        next += 1;
                        continue;
                    }
                    let src = match out.blobs.get(&l.digest) {
                        Some(b) => b.path.clone(),
                        None if known.blobs.contains(&l.digest) => store_blobs.path(&l.digest),
                        None => break,
                    };
                    on(PullEvent::Extracting {
                        layer: l.digest.clone(),
                    });
                    extracting = Some(extract(
                        self.paths.clone(),
                        src,
                        diff_id.clone(),
                        l.digest.clone(),
                        cancel.0.clone(),
                    ));
                }
                if next == n && running.is_empty() {
                    return Ok(());
                }
                tokio::select! {
                    Some(ev) = rx.recv() => on(ev),
                    Some((digest, res)) = running.next(), if !running.is_empty() => {
                        out.blobs.insert(digest, res?);
                    }
                    res = async { extracting.as_mut().expect("guarded").await }, if extracting.is_some() => {
                        extracting = None;
                        let (size, staged) = res
                            .map_err(|e| Error::Runtime(format!("background task failed: {e}")))??;
                        out.sizes[next] = size;
                        staged_ids.insert(diff_ids[next].clone(), size);
                        out.staged.extend(staged);
                        on(PullEvent::PullComplete { layer: layers[next].digest.clone() });
                        next += 1;
                    }
                }
            }
        }
        .await;
        drop(tx);
        while let Ok(ev) = rx.try_recv() {
            on(ev);
        }
        if let Err(e) = result {
            // Downloads stop when `running` goes; an unpack in progress cannot be
            // stopped, so wait for it, and its staged layer goes with it.
            drop(running);
            drop(cancel);
            if let Some(h) = extracting {
                let _ = h.await;
            }
            return Err(e);
        }
        Ok(out)
    }
}

/// What the transfer produced, for registering.
struct Transferred {
    /// Downloaded blobs, by digest.
    blobs: HashMap<Digest, TempBlob>,
    /// Layers new to the store, unpacked.
    staged: Vec<StagedLayer>,
    /// Unpacked size of each layer, in manifest order.
    sizes: Vec<u64>,
}

/// A single-platform image pulled with `--platform` must be of that platform.
fn check_platform(cfg: &Value, want: &Platform, t: &Target) -> Result<()> {
    let (os, arch) = (
        cfg["os"].as_str().unwrap_or(""),
        cfg["architecture"].as_str().unwrap_or(""),
    );
    let variant = cfg["variant"].as_str();
    if want.matches(os, arch, variant) {
        return Ok(());
    }
    let actual = match variant {
        Some(v) => format!("{os}/{arch}/{v}"),
        None => format!("{os}/{arch}"),
    };
    Err(Error::Runtime(format!(
        "image with reference {} was found but does not match the specified platform: wanted {want}, actual: {actual}",
        t.familiar_string()
    )))
}
