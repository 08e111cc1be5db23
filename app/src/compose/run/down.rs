//! `compose down`: the project's containers stopped in reverse dependency order (a level
//! at a time, each with its service's stop signal and grace period, which the container
//! carries) and removed, then its networks, and with `-v` its volumes, with `--rmi` its
//! images. Everything is found by the project's labels, so `down` works without the
//! files; with them, it knows the order and which containers are orphans.

use std::collections::{BTreeSet, HashMap};

use bollard::query_parameters as q;
use futures_util::future::join_all;

use super::progress::{Kind, Progress, Sink};
use super::state::{self, Existing};
use super::up::remove;
use super::Result;
use crate::backend::{Backend, ErrorKind};
use crate::compose::graph::Graph;
use crate::compose::labels;
use crate::compose::model::Project;

#[derive(Debug, Clone, Default)]
pub struct DownOptions {
    /// `-v`: named volumes of the project and anonymous ones of its containers.
    pub volumes: bool,
    /// `--rmi local|all`.
    pub rmi: Option<String>,
    pub remove_orphans: bool,
    /// `-t`: seconds each container gets to stop.
    pub timeout: Option<i64>,
    /// Only these services' containers (nothing else is removed then).
    pub services: Vec<String>,
}

pub async fn down(
    b: &dyn Backend,
    name: &str,
    project: Option<&Project>,
    opts: &DownOptions,
    sink: Sink<'_>,
) -> Result<()> {
    let all = state::containers(b, name).await?;
    let known = |c: &Existing| project.is_none_or(|p| p.services.contains_key(&c.service));
    let chosen = |c: &Existing| opts.services.is_empty() || opts.services.contains(&c.service);
    let (mine, orphans): (Vec<Existing>, Vec<Existing>) =
        all.into_iter().filter(chosen).partition(|c| known(c));
    if !orphans.is_empty() && !opts.remove_orphans {
        let names: Vec<&str> = orphans.iter().map(|c| c.name.as_str()).collect();
        sink(Progress::Warning(format!(
            "Found orphan containers ([{}]) for this project. If you removed or renamed this service in your compose file, you can run this command with the --remove-orphans flag to clean it up.",
            names.join(" ")
        )));
    }
    let services: BTreeSet<String> = mine.iter().map(|c| c.service.clone()).collect();
    let levels = match project {
        Some(p) => Graph::of(p).stop_levels(&services),
        None => vec![services.iter().cloned().collect()],
    };
    let mut gone = Vec::new();
    for level in levels {
        let batch: Vec<&Existing> = mine.iter().filter(|c| level.contains(&c.service)).collect();
        let runs = batch
            .iter()
            .map(|c| remove(b, c, opts.timeout, opts.volumes, sink));
        for r in join_all(runs).await {
            r?;
        }
        gone.extend(batch.into_iter().cloned());
    }
    if opts.remove_orphans {
        for c in &orphans {
            remove(b, c, opts.timeout, opts.volumes, sink).await?;
        }
    }
    if !opts.services.is_empty() {
        return Ok(());
    }
    remove_networks(b, name, project, sink).await?;
    if opts.volumes {
        remove_volumes(b, name, sink).await?;
    }
    if let Some(which) = &opts.rmi {
        remove_images(b, name, project, which, &gone, sink).await?;
    }
    Ok(())
}

fn project_filter(name: &str) -> HashMap<String, Vec<String>> {
    HashMap::from([(
        "label".to_string(),
        vec![format!("{}={name}", labels::PROJECT)],
    )])
}

/// The networks the project made (by label); external ones carry no project label.
async fn remove_networks(
    b: &dyn Backend,
    name: &str,
    project: Option<&Project>,
    sink: Sink<'_>,
) -> Result<()> {
    let nets = b
        .network_list(q::ListNetworksOptions {
            filters: Some(project_filter(name)),
        })
        .await?;
    let external: BTreeSet<String> = project
        .map(|p| {
            p.networks
                .values()
                .filter(|n| n.external)
                .filter_map(|n| n.name.clone())
                .collect()
        })
        .unwrap_or_default();
    for n in nets {
        let Some(net_name) = n.name else { continue };
        if external.contains(&net_name) {
            continue;
        }
        sink(Progress::status(Kind::Network, &net_name, "Removing"));
        match b.network_remove(&net_name).await {
            Ok(()) => {}
            Err(e) if e.kind == ErrorKind::NotFound => {}
            Err(e) => return Err(e.into()),
        }
        sink(Progress::status(Kind::Network, &net_name, "Removed"));
    }
    Ok(())
}

async fn remove_volumes(b: &dyn Backend, name: &str, sink: Sink<'_>) -> Result<()> {
    let vols = b
        .volume_list(q::ListVolumesOptions {
            filters: Some(project_filter(name)),
        })
        .await?;
    for v in vols.volumes.unwrap_or_default() {
        sink(Progress::status(Kind::Volume, &v.name, "Removing"));
        match b.volume_remove(&v.name, false).await {
            Ok(()) => {}
            Err(e) if e.kind == ErrorKind::NotFound => {}
            Err(e) => return Err(e.into()),
        }
        sink(Progress::status(Kind::Volume, &v.name, "Removed"));
    }
    Ok(())
}

/// `--rmi local`: the images the project built (no `image:` of their own); `all`: every
/// image its services used.
async fn remove_images(
    b: &dyn Backend,
    name: &str,
    project: Option<&Project>,
    which: &str,
    gone: &[Existing],
    sink: Sink<'_>,
) -> Result<()> {
    let mut images: BTreeSet<String> = BTreeSet::new();
    match project {
        Some(p) => {
            for (s, svc) in &p.services {
                if which == "all" || svc.image.is_none() {
                    images.insert(svc.image_or_default(name, s));
                }
            }
        }
        None if which == "all" => images.extend(gone.iter().map(|c| c.image.clone())),
        None => {}
    }
    for image in images {
        sink(Progress::status(Kind::Image, &image, "Removing"));
        match b.image_remove(&image, false, false).await {
            Ok(_) => sink(Progress::status(Kind::Image, &image, "Removed")),
            Err(e) if e.kind == ErrorKind::NotFound => {}
            Err(e) => return Err(e.into()),
        }
    }
    Ok(())
}
