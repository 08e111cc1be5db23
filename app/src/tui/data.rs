//! What the TUI shows, as plain data: a snapshot of the engine's containers, images,
//! networks, volumes, recent events, and the details of the selected container. The
//! worker (worker.rs) builds it off the UI thread; the panes only read it, so tests can
//! hand them fixtures.

use berth_engine::container::health::history::Entry as HealthEntry;
use berth_engine::container::Container;
use berth_engine::events::Event;
use berth_engine::Engine;

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
    pub networks: Vec<String>,
    pub restart_count: i64,
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

/// The selected container, in full.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Details {
    pub id: String,
    /// `inspect`'s JSON, pretty-printed.
    pub inspect: String,
    pub env: Vec<String>,
    pub mounts: Vec<String>,
    pub health: Vec<HealthEntry>,
    /// `State.Error`: why it failed, or what a running container lost (a network).
    pub error: String,
}

#[derive(Debug, Clone, Default, PartialEq)]
pub struct Snapshot {
    pub containers: Vec<ContainerRow>,
    pub images: Vec<ImageRow>,
    pub networks: Vec<NetworkRow>,
    pub volumes: Vec<VolumeRow>,
    /// The most recent events, oldest first.
    pub events: Vec<Event>,
    pub details: Option<Details>,
    /// Sparkline series per container ID (every running one on the stats pane, else the
    /// selected one).
    pub stats: std::collections::HashMap<String, super::stats::Series>,
    /// The selected container taken apart (only while the anatomy pane shows).
    pub anatomy: Option<berth_engine::container::anatomy::Anatomy>,
}

/// How many events the TUI keeps.
pub const EVENTS_KEPT: usize = 500;

/// Read the engine's lists (no events, no details), and the container records they
/// came from (for `restamp`).
pub fn load_lists(engine: &Engine) -> (Snapshot, Vec<Container>) {
    let mut s = Snapshot::default();
    let mut records = Vec::new();
    if let Ok(list) = engine.containers().list() {
        s.containers = list
            .iter()
            .map(|c| ContainerRow {
                id: c.id().to_string(),
                name: c.name().to_string(),
                image: c.record.config.image.clone(),
                status: berth_engine::container::summary::status_text(c),
                state: c.state.status.as_str().to_string(),
                health: c
                    .state
                    .health
                    .as_ref()
                    .map(|h| h.status.clone())
                    .unwrap_or_default(),
                ports: berth_engine::container::summary::ports_line(&engine.paths, c),
                project: c
                    .record
                    .config
                    .labels
                    .get("com.docker.compose.project")
                    .cloned()
                    .unwrap_or_default(),
                networks: c.record.endpoints_config.keys().cloned().collect(),
                restart_count: c.state.restart_count,
            })
            .collect();
        records = list;
    }
    if let Ok(list) = engine.images().list() {
        s.images = list
            .iter()
            .map(|i| ImageRow {
                id: i.id.to_string(),
                tags: i.repo_tags.clone(),
                size: crate::format::human::human_size(i.size),
                created: i.created.clone().unwrap_or_default(),
            })
            .collect();
    }
    if let Ok(list) = engine.networks().list() {
        s.networks = list
            .iter()
            .map(|n| NetworkRow {
                id: n.id.clone(),
                name: n.name.clone(),
                driver: n.driver.clone(),
                subnet: n.subnet.to_string(),
                gateway: n.gateway.to_string(),
                internal: n.internal,
                containers: engine.networks().endpoints(n).map(|e| e.len()).unwrap_or(0),
            })
            .collect();
    }
    if let Ok(list) = engine.volumes().list() {
        s.volumes = list
            .iter()
            .map(|v| VolumeRow {
                name: v.name.clone(),
                driver: v.driver.clone(),
                mountpoint: v.mountpoint.clone(),
            })
            .collect();
    }
    (s, records)
}

/// Bring the clock-dependent wording ("Up 2 minutes", "Exited (0) 5 seconds ago") up to
/// now without reading the disk: every other change comes with a journaled event and a
/// full reload. `rows` were made from `records`, in the same order.
pub fn restamp(rows: &mut [ContainerRow], records: &[Container]) {
    for (row, c) in rows.iter_mut().zip(records) {
        if row.id == c.id() {
            row.status = berth_engine::container::summary::status_text(c);
        }
    }
}

/// The details of one container, if it still exists.
pub fn load_details(engine: &Engine, id: &str) -> Option<Details> {
    let c = engine.containers().load(id).ok()?;
    let doc = c.inspect_json(&engine.paths);
    let error = doc["State"]["Error"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    let inspect = serde_json::to_string_pretty(&doc).unwrap_or_default();
    let dir = engine.paths.container_dir(id);
    Some(Details {
        id: id.to_string(),
        inspect,
        env: c.record.config.env.clone(),
        mounts: c
            .record
            .mounts
            .iter()
            .map(|m| format!("{} {} -> {}", m.kind, m.source, m.destination))
            .collect(),
        health: berth_engine::container::health::history::read(&dir),
        error,
    })
}
