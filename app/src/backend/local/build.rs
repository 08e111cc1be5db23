//! `image_build` over the local engine: the context tar is unpacked under the state
//! root's `tmp/` (inside that directory only, as `cp` unpacks), the engine builds from
//! it on a blocking thread, and each of its events becomes Docker's classic progress
//! message (`Step 2/5 : RUN make`, ` ---> Using cache`, output, ` ---> 1a2b3c4d5e6f`)
//! with the structured event alongside for Berth's own front ends.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use berth_engine::build::{BuildEvent, BuildOptions};
use berth_engine::container::copy::{receive, Receive};
use berth_engine::image::registry::auth_key;
use berth_engine::Engine;
use bollard::models as m;
use tokio::sync::mpsc;

use crate::backend::{BackendError, BuildRequest, ByteStream, Result, Stream, BUILD_EVENT_ID};

pub fn stream(engine: Engine, req: BuildRequest, context: ByteStream) -> Stream<m::BuildInfo> {
    let (tx, rx) = mpsc::channel::<Result<m::BuildInfo>>(64);
    let reader =
        tokio_util::io::StreamReader::new(futures_util::TryStreamExt::map_err(context, |e| {
            std::io::Error::other(e.message)
        }));
    let mut sync = tokio_util::io::SyncIoBridge::new(reader);
    // Base images the build lacks are pulled on this runtime, from the blocking thread
    // the build runs on, with the credentials the client sent for their registry.
    let handle = tokio::runtime::Handle::current();
    let puller = engine.clone();
    let auths: BTreeMap<String, m::AuthConfig> = req
        .registry_auths
        .iter()
        .map(|(server, a)| (auth_key(server), a.clone()))
        .collect();
    let fetch = berth_engine::build::Fetch(std::sync::Arc::new(move |reference: &str| {
        let key = auth_key(&crate::client_auth::server_of(reference));
        let creds = super::registry::creds(auths.get(&key).cloned());
        handle
            .block_on(puller.pull(reference, None, creds, &mut |_| {}))
            .map(|_| ())
    }));
    tokio::task::spawn_blocking(move || {
        let send = |m: m::BuildInfo| tx.blocking_send(Ok(m)).is_ok();
        let result = build(&engine, &req, fetch, &mut sync, &send);
        if let Err(e) = result {
            let _ = tx.blocking_send(Ok(error_message(&e.message)));
        }
    });
    Box::pin(super::bridge::tokio_stream_from(rx))
}

/// Docker's message for a failed build, as the classic builder sends it.
fn error_message(msg: &str) -> m::BuildInfo {
    m::BuildInfo {
        error_detail: Some(m::ErrorDetail {
            code: None,
            message: Some(msg.to_string()),
        }),
        ..Default::default()
    }
}

fn text(s: impl Into<String>) -> m::BuildInfo {
    m::BuildInfo {
        stream: Some(s.into()),
        ..Default::default()
    }
}

fn build(
    engine: &Engine,
    req: &BuildRequest,
    fetch: berth_engine::build::Fetch,
    context: &mut dyn std::io::Read,
    send: &(dyn Fn(m::BuildInfo) -> bool + Sync),
) -> Result<()> {
    let _hold = berth_engine::store::scratch::hold(&engine.paths)?;
    let dir = Staged::new(engine)?;
    receive(
        context,
        &dir.0.to_string_lossy(),
        Receive::Raw { replace: true },
        false,
        &|p: &Path| format!("no such directory: {}", p.display()),
    )
    .map_err(|e| BackendError::invalid(format!("reading the build context: {e}")))?;
    let opts = BuildOptions {
        dockerfile: req.dockerfile.clone(),
        tags: req.tags.clone(),
        build_args: req.build_args.clone(),
        target: req.target.clone(),
        no_cache: req.no_cache,
        pull: req.pull,
        labels: req.labels.clone(),
        network: req.network.clone(),
        secrets: req.secrets.clone(),
        platform: req.platform.clone(),
        fetch: Some(fetch),
    };
    let mut classic = Classic::default();
    let quiet = req.quiet;
    let mut emit = |ev: BuildEvent| {
        if !quiet {
            for line in classic.lines(&ev) {
                send(text(line));
            }
        }
        if let Ok(json) = serde_json::to_string(&ev) {
            send(m::BuildInfo {
                id: Some(BUILD_EVENT_ID.into()),
                status: Some(json),
                ..Default::default()
            });
        }
    };
    let img = engine.build(&dir.0, &opts, &mut emit)?;
    send(m::BuildInfo {
        aux: Some(m::ImageId {
            id: Some(img.id.to_string()),
        }),
        ..Default::default()
    });
    if quiet {
        send(text(format!("{}\n", img.id)));
    } else {
        send(text(format!(
            "Successfully built {}\n",
            &img.id.hex()[..12]
        )));
        for t in &req.tags {
            send(text(format!("Successfully tagged {}\n", long_tag(t))));
        }
    }
    Ok(())
}

/// The context's directory under `tmp/`, removed when dropped.
struct Staged(PathBuf);

impl Staged {
    fn new(engine: &Engine) -> Result<Self> {
        let dir = engine.paths.tmp_dir().join(format!(
            "build-context-{}",
            berth_engine::store::ids::random_hex(8)
        ));
        std::fs::create_dir_all(&dir)
            .map_err(|e| BackendError::internal(format!("create {}: {e}", dir.display())))?;
        Ok(Staged(dir))
    }
}

impl Drop for Staged {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// `name` as Docker's classic builder prints it after "Successfully tagged".
fn long_tag(t: &str) -> String {
    if t.contains(':') && !t.rsplit(':').next().unwrap_or("").contains('/') {
        t.to_string()
    } else {
        format!("{t}:latest")
    }
}

/// Docker's classic builder's text for each event.
#[derive(Default)]
struct Classic {
    total: usize,
    step: usize,
}

impl Classic {
    fn lines(&mut self, ev: &BuildEvent) -> Vec<String> {
        match ev {
            BuildEvent::Plan { instructions } => {
                self.total = *instructions;
                Vec::new()
            }
            BuildEvent::Step { text, .. } => {
                self.step += 1;
                vec![format!("Step {}/{} : {text}\n", self.step, self.total)]
            }
            BuildEvent::Cached { .. } => vec![" ---> Using cache\n".into()],
            BuildEvent::Container { id, .. } => {
                vec![format!(" ---> Running in {}\n", &id[..id.len().min(12)])]
            }
            BuildEvent::Output { data, .. } => vec![String::from_utf8_lossy(data).into_owned()],
            BuildEvent::Done { image, .. } => {
                let hex = image.strip_prefix("sha256:").unwrap_or(image);
                if hex.is_empty() {
                    Vec::new()
                } else {
                    vec![format!(" ---> {}\n", &hex[..hex.len().min(12)])]
                }
            }
            BuildEvent::Warning { message } => vec![format!("[Warning] {message}\n")],
            BuildEvent::Built { .. } => Vec::new(),
        }
    }
}
