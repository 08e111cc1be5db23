//! What the TUI shows, as plain data: a snapshot of the backend's containers, images,
//! networks, volumes, recent events, and the details of the selected container. The
//! worker (worker/) builds it off the UI thread from the engine interface's answers
//! (Docker's API models); the panes only read it, so tests can hand them fixtures.

use std::collections::HashMap;

use bollard::models as m;
use bollard::query_parameters as q;

use crate::backend::{Anatomy, Backend};

#[derive(Debug, Clone, Default, PartialEq)]
pub struct ContainerRow {
    pub id: String,
    pub name: String,
    pub image: String,
    /// Docker's STATUS wording ("Up 2 minutes (healthy)").
    pub status: String,
    /// running, exited, paused, created...
    pub state: String,
    /// starting, healthy, unhealthy; empty without a healthcheck.
    pub health: String,
    pub ports: String,
    /// The compose project it belongs to (label com.docker.compose.project), if any.
    pub project: String,
    /// Its compose service (label com.docker.compose.service), if any.
    pub service: String,
    pub networks: Vec<String>,
}

#[derive(Debug, Clone, Default, PartialEq)]
pub struct ImageRow {
    pub id: String,
    pub tags: Vec<String>,
    pub size: String,
    pub created: String,
}

#[derive(Debug, Clone, Default, PartialEq)]
pub struct NetworkRow {
    pub id: String,
    pub name: String,
    pub driver: String,
    pub subnet: String,
    pub gateway: String,
    pub internal: bool,
    pub containers: usize,
}

#[derive(Debug, Clone, Default, PartialEq)]
pub struct VolumeRow {
    pub name: String,
    pub driver: String,
    pub mountpoint: String,
}

/// One line of the health pane: a check's result, a status change or what was done
/// about it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct HealthEntry {
    /// RFC 3339.
    pub time: String,
    /// `check`, `status` or `action`.
    pub kind: String,
    pub exit_code: Option<i32>,
    /// The check's output, the new status, or what happened to the container.
    pub text: String,
}

/// The selected container, in full.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Details {
    pub id: String,
    /// `inspect`'s JSON, pretty-printed.
    pub inspect: String,
    pub env: Vec<String>,
    pub mounts: Vec<String>,
    pub restart_count: i64,
    /// The checks (State.Health.Log, kept across looks by the worker) with the status
    /// changes and restarts from the event stream, oldest first.
    pub health: Vec<HealthEntry>,
    /// `State.Error`: why it failed, or what a running container lost (a network).
    pub error: String,
}

/// The anatomy pane's content: the container taken apart, or why it cannot be.
#[derive(Debug, Clone, PartialEq)]
pub enum AnatomyView {
    Shown(Box<Anatomy>),
    /// The backend has no anatomy view (a remote Docker engine, say).
    Unavailable(String),
    /// It has one, and reading it failed.
    Failed {
        id: String,
        error: String,
    },
}

#[derive(Debug, Clone, Default, PartialEq)]
pub struct Snapshot {
    pub containers: Vec<ContainerRow>,
    pub images: Vec<ImageRow>,
    pub networks: Vec<NetworkRow>,
    pub volumes: Vec<VolumeRow>,
    /// The most recent events, oldest first.
    pub events: Vec<m::EventMessage>,
    pub details: Option<Details>,
    /// Sparkline series per container ID (every running one on the stats pane, else the
    /// selected one).
    pub stats: HashMap<String, super::stats::Series>,
    /// The selected container taken apart (only while the anatomy pane shows).
    pub anatomy: Option<AnatomyView>,
    /// The selected compose project's details (while its header is selected).
    pub project: Option<super::project::ProjectView>,
    /// The swarm's services (read while the services pane shows).
    pub swarm: super::services::SwarmView,
    /// The service selected in the services pane: its tasks, update and convergence.
    pub service: Option<super::services::ServiceDetails>,
    /// The swarm's nodes (read while the services pane shows).
    pub nodes: Vec<super::services::NodeRow>,
    /// Why the engine cannot be reached (its daemon stopped, say), while it cannot;
    /// the lists are then the last it gave.
    pub unreachable: Option<String>,
}

impl Snapshot {
    /// The anatomy, when the backend could read it.
    pub fn anatomy_shown(&self) -> Option<&Anatomy> {
        match &self.anatomy {
            Some(AnatomyView::Shown(a)) => Some(a),
            _ => None,
        }
    }
}

/// How many events the TUI keeps.
pub const EVENTS_KEPT: usize = 500;

/// A row of the containers pane from `container_list`'s summary.
pub fn container_row(c: &m::ContainerSummary) -> ContainerRow {
    let health = c
        .health
        .as_ref()
        .and_then(|h| h.status)
        .map(|s| s.to_string())
        .filter(|s| s != "none")
        .or_else(|| health_in_status(c.status.as_deref()?))
        .unwrap_or_default();
    let mut networks: Vec<String> = c
        .network_settings
        .as_ref()
        .and_then(|n| n.networks.as_ref())
        .map(|n| n.keys().cloned().collect())
        .unwrap_or_default();
    networks.sort();
    ContainerRow {
        id: c.id.clone().unwrap_or_default(),
        name: c
            .names
            .as_ref()
            .and_then(|n| n.first())
            .map(|n| n.trim_start_matches('/').to_string())
            .unwrap_or_default(),
        image: c.image.clone().unwrap_or_default(),
        status: c.status.clone().unwrap_or_default(),
        state: c.state.map(|s| s.to_string()).unwrap_or_default(),
        health,
        ports: crate::cli::ps::ports_text(c),
        project: label(c, crate::compose::labels::PROJECT),
        service: label(c, crate::compose::labels::SERVICE),
        networks,
    }
}

/// The health a status line names: Docker engines before API 1.52 list no `Health`,
/// only `Up 5 minutes (healthy)`.
fn health_in_status(status: &str) -> Option<String> {
    let inner = status.strip_suffix(')')?.rsplit_once('(')?.1;
    let h = inner.strip_prefix("health: ").unwrap_or(inner);
    matches!(h, "healthy" | "unhealthy" | "starting").then(|| h.to_string())
}

fn label(c: &m::ContainerSummary, key: &str) -> String {
    c.labels
        .as_ref()
        .and_then(|l| l.get(key))
        .cloned()
        .unwrap_or_default()
}

/// The container rows only (every container, stopped ones too).
pub async fn load_containers(b: &dyn Backend) -> crate::backend::Result<Vec<ContainerRow>> {
    let opts = q::ListContainersOptions {
        all: true,
        ..Default::default()
    };
    let list = b.container_list(opts).await?;
    Ok(list.iter().map(container_row).collect())
}

/// Read the backend's lists (no events, no details). A list the backend cannot give
/// stays empty; an engine that cannot be reached gives nothing but the reason.
pub async fn load_lists(b: &dyn Backend) -> Snapshot {
    let containers = match load_containers(b).await {
        Ok(rows) => rows,
        Err(e) if e.kind == crate::backend::ErrorKind::Unreachable => {
            return Snapshot {
                unreachable: Some(e.message),
                ..Default::default()
            }
        }
        Err(_) => Vec::new(),
    };
    let mut s = Snapshot {
        containers,
        ..Default::default()
    };
    if let Ok(list) = b.image_list(Default::default()).await {
        s.images = list.iter().map(image_row).collect();
    }
    if let Ok(list) = b.network_list(Default::default()).await {
        s.networks = list
            .iter()
            .map(|n| {
                let mut row = network_row(n);
                // Counted from the containers' own endpoints: a network list need not
                // carry them (Docker's does not).
                row.containers = s
                    .containers
                    .iter()
                    .filter(|c| c.networks.contains(&row.name))
                    .count();
                row
            })
            .collect();
    }
    if let Ok(v) = b.volume_list(Default::default()).await {
        s.volumes = v
            .volumes
            .iter()
            .flatten()
            .map(|v| VolumeRow {
                name: v.name.clone(),
                driver: v.driver.clone(),
                mountpoint: v.mountpoint.clone(),
            })
            .collect();
    }
    s
}

fn image_row(i: &m::ImageSummary) -> ImageRow {
    ImageRow {
        id: i.id.clone(),
        tags: i.repo_tags.clone(),
        size: crate::format::human::human_size(i.size.max(0) as u64),
        created: chrono::DateTime::from_timestamp(i.created, 0)
            .map(|d| d.to_rfc3339_opts(chrono::SecondsFormat::Secs, true))
            .unwrap_or_default(),
    }
}

fn network_row(n: &m::Network) -> NetworkRow {
    let ipam = n
        .ipam
        .as_ref()
        .and_then(|i| i.config.as_ref())
        .and_then(|c| c.first());
    NetworkRow {
        id: n.id.clone().unwrap_or_default(),
        name: n.name.clone().unwrap_or_default(),
        driver: n.driver.clone().unwrap_or_default(),
        subnet: ipam.and_then(|c| c.subnet.clone()).unwrap_or_default(),
        gateway: ipam.and_then(|c| c.gateway.clone()).unwrap_or_default(),
        internal: n.internal.unwrap_or(false),
        containers: 0,
    }
}

/// The details of one container from `container_inspect`, if it still exists. `checks`
/// are the health results seen so far (the worker keeps them: inspect holds only the
/// last five); `events` supply the status changes and restarts.
pub fn details_of(
    doc: &m::ContainerInspectResponse,
    checks: &[HealthEntry],
    events: &[m::EventMessage],
) -> Details {
    let id = doc.id.clone().unwrap_or_default();
    let state = doc.state.as_ref();
    Details {
        inspect: serde_json::to_string_pretty(doc).unwrap_or_default(),
        env: doc
            .config
            .as_ref()
            .and_then(|c| c.env.clone())
            .unwrap_or_default(),
        mounts: doc
            .mounts
            .iter()
            .flatten()
            .map(|m| {
                format!(
                    "{} {} -> {}",
                    m.typ.as_deref().unwrap_or_default(),
                    m.source.as_deref().unwrap_or_default(),
                    m.destination.as_deref().unwrap_or_default()
                )
            })
            .collect(),
        restart_count: doc.restart_count.unwrap_or(0),
        health: super::health::history(&id, checks, events),
        error: state.and_then(|s| s.error.clone()).unwrap_or_default(),
        id,
    }
}

#[cfg(test)]
mod tests {
    use super::health_in_status;

    #[test]
    fn health_is_read_from_an_older_engines_status() {
        let h = |s| health_in_status(s);
        assert_eq!(h("Up 5 minutes (healthy)").as_deref(), Some("healthy"));
        assert_eq!(
            h("Up 1 second (health: starting)").as_deref(),
            Some("starting")
        );
        assert_eq!(h("Up 2 hours (unhealthy)").as_deref(), Some("unhealthy"));
        assert_eq!(h("Exited (0) 3 seconds ago"), None);
        assert_eq!(h("Up 5 minutes (Paused)"), None);
    }
}
