//! Pull, push and login over the local engine's registry client, each engine event
//! turned into the message Docker's daemon sends for it (`abc123def456: Pull complete`),
//! so the docker CLI's display and Berth's own draw them alike.

use berth_engine::image::registry::{Credentials, PullEvent, PushEvent};
use berth_engine::store::Digest;
use berth_engine::Engine;
use bollard::models as m;
use tokio::sync::mpsc;

use crate::backend::{BackendError, Result, Stream};

pub(super) fn creds(auth: Option<m::AuthConfig>) -> Option<Credentials> {
    let a = auth?;
    let username = a.username.unwrap_or_default();
    let password = a.password.unwrap_or_default();
    (!username.is_empty() || !password.is_empty()).then_some(Credentials { username, password })
}

/// Docker's short layer name: the digest's first 12 hex characters.
fn short(d: &Digest) -> String {
    d.hex().chars().take(12).collect()
}

fn pull_info(
    id: Option<String>,
    status: impl Into<String>,
    progress: Option<(u64, u64)>,
) -> m::CreateImageInfo {
    m::CreateImageInfo {
        id,
        status: Some(status.into()),
        progress_detail: Some(m::ProgressDetail {
            current: progress.map(|p| p.0 as i64),
            total: progress.map(|p| p.1 as i64),
        }),
        ..Default::default()
    }
}

pub fn pull(
    engine: Engine,
    reference: String,
    platform: Option<String>,
    auth: Option<m::AuthConfig>,
) -> Stream<m::CreateImageInfo> {
    let (tx, rx) = mpsc::unbounded_channel::<Result<m::CreateImageInfo>>();
    tokio::spawn(async move {
        let r = berth_engine::image::Reference::parse(&reference);
        let (repo, tag) = match &r {
            Ok(r) => (
                r.name.clone(),
                r.digest
                    .as_ref()
                    .map(|d| d.to_string())
                    .unwrap_or_else(|| r.tag_or_latest().to_string()),
            ),
            Err(_) => (reference.clone(), "latest".into()),
        };
        let shown = r
            .as_ref()
            .map(|r| r.to_string())
            .unwrap_or(reference.clone());
        let _ = tx.send(Ok(pull_info(
            Some(tag.clone()),
            format!("Pulling from {}", docker_path(&repo)),
            None,
        )));
        let mut started = std::collections::HashSet::new();
        let t2 = tx.clone();
        let mut on = move |ev: PullEvent| {
            let send = |i: m::CreateImageInfo| {
                let _ = t2.send(Ok(i));
            };
            match ev {
                PullEvent::Resolved { .. } => {}
                PullEvent::Waiting { layer } => {
                    if started.insert(layer.clone()) {
                        send(pull_info(Some(short(&layer)), "Pulling fs layer", None));
                    }
                    send(pull_info(Some(short(&layer)), "Waiting", None));
                }
                PullEvent::AlreadyExists { layer } => {
                    send(pull_info(Some(short(&layer)), "Already exists", None))
                }
                PullEvent::Downloading {
                    layer,
                    current,
                    total,
                } => {
                    if started.insert(layer.clone()) {
                        send(pull_info(Some(short(&layer)), "Pulling fs layer", None));
                    }
                    send(pull_info(
                        Some(short(&layer)),
                        "Downloading",
                        Some((current, total)),
                    ))
                }
                PullEvent::Verifying { layer } => {
                    send(pull_info(Some(short(&layer)), "Verifying Checksum", None))
                }
                PullEvent::DownloadComplete { layer } => {
                    send(pull_info(Some(short(&layer)), "Download complete", None))
                }
                PullEvent::Extracting { layer } => {
                    send(pull_info(Some(short(&layer)), "Extracting", None))
                }
                PullEvent::PullComplete { layer } => {
                    send(pull_info(Some(short(&layer)), "Pull complete", None))
                }
                PullEvent::Done { digest, new, .. } => {
                    send(pull_info(None, format!("Digest: {digest}"), None));
                    let status = if new {
                        format!("Status: Downloaded newer image for {shown}")
                    } else {
                        format!("Status: Image is up to date for {shown}")
                    };
                    send(pull_info(None, status, None));
                }
            }
        };
        if let Err(e) = engine
            .pull(&reference, platform.as_deref(), creds(auth), &mut on)
            .await
        {
            let _ = tx.send(Err(BackendError::from(e)));
        }
    });
    Box::pin(super::bridge::unbounded_stream(rx))
}

pub fn push(
    engine: Engine,
    reference: String,
    auth: Option<m::AuthConfig>,
) -> Stream<m::CreateImageInfo> {
    let (tx, rx) = mpsc::unbounded_channel::<Result<m::CreateImageInfo>>();
    tokio::spawn(async move {
        let repo = berth_engine::image::Reference::parse(&reference)
            .map(|r| r.name)
            .unwrap_or_else(|_| reference.clone());
        let _ = tx.send(Ok(pull_info(
            None,
            format!("The push refers to repository [{}]", docker_path(&repo)),
            None,
        )));
        let t2 = tx.clone();
        let mut on = move |ev: PushEvent| {
            let send = |i: m::CreateImageInfo| {
                let _ = t2.send(Ok(i));
            };
            match ev {
                PushEvent::Preparing { layer } => {
                    send(pull_info(Some(short(&layer)), "Preparing", None))
                }
                PushEvent::Waiting { layer } => {
                    send(pull_info(Some(short(&layer)), "Waiting", None))
                }
                PushEvent::Pushing {
                    layer,
                    current,
                    total,
                } => send(pull_info(
                    Some(short(&layer)),
                    "Pushing",
                    Some((current, total)),
                )),
                PushEvent::LayerAlreadyExists { layer } => {
                    send(pull_info(Some(short(&layer)), "Layer already exists", None))
                }
                PushEvent::MountedFrom { layer, from } => send(pull_info(
                    Some(short(&layer)),
                    format!("Mounted from {from}"),
                    None,
                )),
                PushEvent::Pushed { layer } => send(pull_info(Some(short(&layer)), "Pushed", None)),
                PushEvent::Done { tag, digest, size } => send(pull_info(
                    None,
                    format!("{tag}: digest: {digest} size: {size}"),
                    None,
                )),
            }
        };
        if let Err(e) = engine.push(&reference, creds(auth), &mut on).await {
            let _ = tx.send(Err(BackendError::from(e)));
        }
    });
    Box::pin(super::bridge::unbounded_stream(rx))
}

pub async fn login(engine: &Engine, auth: m::AuthConfig) -> Result<m::AuthResponse> {
    let server = auth
        .serveraddress
        .clone()
        .filter(|s| !s.is_empty())
        .unwrap_or_else(|| berth_engine::image::registry::HUB_AUTH_KEY.to_string());
    let c = creds(Some(auth))
        .ok_or_else(|| BackendError::invalid("a username and a password are needed"))?;
    engine.registry_login(&server, &c).await?;
    Ok(m::AuthResponse {
        status: "Login Succeeded".into(),
        identity_token: None,
    })
}

/// A repository as Docker's daemon names it in progress (`library/busybox` on Docker
/// Hub, `127.0.0.1:5000/team/app` elsewhere).
fn docker_path(repo: &str) -> String {
    let long = berth_engine::image::reference::docker_long_form(repo);
    long.strip_prefix("docker.io/")
        .map(str::to_string)
        .unwrap_or(long)
}
