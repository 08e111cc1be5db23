//! The typed operations of keys and forms (rename, network connect, removals, prunes,
//! the run, network and volume forms) and the documents `i` and `H` show, each a call
//! of the engine interface on a task of its own, ending with a word to the UI.

use std::sync::mpsc::Sender;
use std::sync::Arc;

use bollard::models as m;
use bollard::query_parameters as q;

use super::Msg;
use crate::backend::{Backend, Result};
use crate::tui::ops::{Op, Show};

/// An ID's first 12 characters (by character: a backend's IDs need not be hex).
fn short(id: &str) -> String {
    let id = id.strip_prefix("sha256:").unwrap_or(id);
    id.chars().take(12).collect()
}

/// Carry out `op`; the answer is what the status line says after the operation's name.
async fn perform(b: &dyn Backend, op: Op) -> Result<String> {
    let done = || "done".to_string();
    Ok(match op {
        Op::Rename { id, new_name, .. } => {
            b.container_rename(&id, &new_name).await?;
            done()
        }
        Op::Connect { network, id, .. } => {
            let req = m::NetworkConnectRequest {
                container: id,
                ..Default::default()
            };
            b.network_connect(&network, req).await?;
            done()
        }
        Op::Disconnect { network, id, .. } => {
            let req = m::NetworkDisconnectRequest {
                container: id,
                ..Default::default()
            };
            b.network_disconnect(&network, req).await?;
            done()
        }
        Op::Commit { id, repo, tag, .. } => {
            let opts = q::CommitContainerOptions {
                container: Some(id.clone()),
                repo: Some(repo),
                tag: Some(tag),
                pause: true,
                ..Default::default()
            };
            let made = b
                .image_commit(&id, opts, m::ContainerConfig::default())
                .await?;
            format!("image {}", short(&made.id))
        }
        Op::Tag { image, repo, tag } => {
            b.image_tag(&image, &repo, &tag).await?;
            done()
        }
        Op::RemoveImage(r) => {
            let gone = b.image_remove(&r, false, false).await?;
            format!("{} untagged or deleted", gone.len())
        }
        Op::RemoveNetwork(n) => {
            b.network_remove(&n).await?;
            done()
        }
        Op::RemoveVolume(v) => {
            b.volume_remove(&v, false).await?;
            done()
        }
        Op::PruneNetworks => {
            let r = b.network_prune(Default::default()).await?;
            format!("{} removed", r.networks_deleted.unwrap_or_default().len())
        }
        Op::PruneVolumes => {
            let r = b.volume_prune(Default::default()).await?;
            format!("{} removed", r.volumes_deleted.unwrap_or_default().len())
        }
        Op::Run { name, body } => {
            // `run -d`: create, then start; a start that fails leaves the container
            // created, as Docker's does.
            let made = b.container_create(name, None, *body).await?;
            b.container_start(&made.id).await?;
            format!("started {}", short(&made.id))
        }
        Op::CreateNetwork(req) => {
            let made = b.network_create(*req).await?;
            format!("network {}", short(&made.id))
        }
        // Builds, pulls, pushes and compose stream their progress; `run` never sends one
        // here.
        Op::Build { .. } | Op::Pull(_) | Op::Push(_) | Op::Compose { .. } => {
            return Err(crate::backend::BackendError::internal(
                "a build is not a one-answer operation",
            ))
        }
        Op::Service { id, verb, .. } => super::services::perform(b, &id, verb).await?,
        Op::CreateVolume(req) => {
            let made = b.volume_create(*req).await?;
            format!("volume {}", made.name)
        }
    })
}

pub fn run(b: &Arc<dyn Backend>, op: Op, tx: Sender<Msg>) {
    // A build streams its progress to the UI rather than ending in one word.
    if let Op::Build {
        context,
        dockerfile,
        tags,
        no_cache,
    } = op
    {
        return super::build::start(b, context, dockerfile, tags, no_cache, tx);
    }
    // So do pulls and pushes, and a compose project's operations tell their progress.
    let op = match op {
        Op::Pull(r) => return super::transfer::start(b, r, false, tx),
        Op::Push(r) => return super::transfer::start(b, r, true, tx),
        Op::Compose { project, verb } => return super::compose::run(b, project, verb, tx),
        op => op,
    };
    let b = b.clone();
    tokio::spawn(async move {
        let what = op.describe();
        let msg = match perform(&*b, op).await {
            Ok(said) => format!("{what}: {said}"),
            Err(e) => format!("{what} failed: {e}"),
        };
        let _ = tx.send(Msg::Done(msg));
    });
}

/// `berth history`'s table from the interface's history items.
fn history_table(image: &str, items: &[m::ImageHistoryResponseItem]) -> String {
    let now = chrono::Utc::now();
    let mut out = format!(
        "history of {image}\n{:<12}  {:<16}  {:<45}  {}\n",
        "IMAGE", "CREATED", "CREATED BY", "SIZE"
    );
    for h in items {
        let id = if h.id.starts_with("sha256:") {
            short(&h.id)
        } else {
            h.id.clone()
        };
        let ago = chrono::DateTime::from_timestamp(h.created, 0)
            .map(|t| crate::format::human::time_ago(now - t))
            .unwrap_or_default();
        let mut by = h.created_by.clone();
        if by.chars().count() > 45 {
            by = by.chars().take(44).collect::<String>() + "…";
        }
        let size = crate::format::human::human_size(h.size.max(0) as u64);
        out.push_str(&format!("{id:<12}  {ago:<16}  {by:<45}  {size}\n"));
    }
    out
}

async fn document(b: &dyn Backend, show: Show) -> String {
    match show {
        Show::Inspect { id } => match b.container_inspect(&id, false).await {
            // An array, as `docker inspect` prints it.
            Ok(doc) => format!(
                "inspect {}\n{}",
                short(&id),
                serde_json::to_string_pretty(&[doc]).unwrap_or_default()
            ),
            Err(e) => format!("inspect {}: {e}", short(&id)),
        },
        Show::History { image } => match b.image_history(&image).await {
            Ok(items) => history_table(&image, &items),
            Err(e) => format!("history of {image}: {e}"),
        },
    }
}

pub fn show(b: &Arc<dyn Backend>, what: Show, tx: Sender<Msg>) {
    let b = b.clone();
    tokio::spawn(async move {
        let _ = tx.send(Msg::Output(document(&*b, what).await));
    });
}
