//! The worker's side of the services pane: while it shows, the swarm's services (with
//! their task counts) and the selected service's tasks are read through the engine
//! interface at most once a `POLL`, so a converging service and an update show live;
//! anything the UI asked for reads them at once. A node outside any swarm is a state to
//! show, not an error. The service operations of the pane's keys and forms (scale,
//! update, roll back, remove) are here too: each reads the service's spec and version
//! and writes it back changed, as `service scale` and `service update` do.

use std::collections::HashMap;
use std::time::{Duration, Instant};

use bollard::models as m;

use super::{Tab, Worker};
use crate::backend::{Backend, BackendError, ErrorKind, Result};
use crate::format::swarm::{display_image, tagged_image};
use crate::tui::ops::ServiceVerb;
use crate::tui::services::{self, NodeRow, ServiceDetails, SwarmView};

/// How often the pane's data is read while nothing else asks for it.
const POLL: Duration = Duration::from_millis(950);

/// What was last read for the pane, and when.
#[derive(Default)]
pub struct SwarmCache {
    at: Option<Instant>,
    pub view: SwarmView,
    pub nodes: Vec<NodeRow>,
    pub details: Option<ServiceDetails>,
}

impl Worker {
    /// The services and the selected one's details: read again while the pane shows
    /// (at once when something changed, else once a `POLL`), the last ones otherwise.
    pub(super) async fn services(&mut self, changed: bool) -> &SwarmCache {
        let due = self.swarm.at.is_none_or(|at| at.elapsed() >= POLL);
        if self.view == Tab::Services && (changed || due) {
            self.swarm = read(&*self.backend, self.service.as_deref()).await;
        }
        &self.swarm
    }
}

async fn read(b: &dyn Backend, selected: Option<&str>) -> SwarmCache {
    let read = |view, nodes, details| SwarmCache {
        at: Some(Instant::now()),
        view,
        nodes,
        details,
    };
    let list = match b.service_list(HashMap::new(), true).await {
        Ok(list) => list,
        Err(e) if e.kind == ErrorKind::Unavailable => {
            return read(SwarmView::Inactive, Vec::new(), None)
        }
        Err(e) => return read(SwarmView::Failed(e.message), Vec::new(), None),
    };
    let view = SwarmView::Active(services::service_rows(&list));
    // The cluster: its nodes with the tasks that run on each (a worker node's engine
    // answers neither; the services above are what it can show).
    let running = HashMap::from([("desired-state".to_string(), vec!["running".to_string()])]);
    let nodes = match (b.node_list().await, b.task_list(running).await) {
        (Ok(nodes), Ok(tasks)) => services::node_rows(&nodes, &tasks),
        (Ok(nodes), Err(_)) => services::node_rows(&nodes, &[]),
        _ => Vec::new(),
    };
    let Some(s) = selected.and_then(|id| list.iter().find(|s| s.id.as_deref() == Some(id))) else {
        return read(view, nodes, None);
    };
    let id = s.id.clone().unwrap_or_default();
    let of_service = |up_to_date: bool| {
        let mut f = HashMap::from([("service".to_string(), vec![id.clone()])]);
        if up_to_date {
            f.insert("_up-to-date".to_string(), vec!["true".to_string()]);
        }
        f
    };
    // A service removed between the reads has no tasks to show: its row goes next.
    let mine = |list: Vec<m::Task>| -> Vec<m::Task> {
        list.into_iter().filter(|t| t.service_id == s.id).collect()
    };
    let tasks = mine(b.task_list(of_service(false)).await.unwrap_or_default());
    // Which tasks run the current spec is the engine's to say (Docker's
    // `_up-to-date`): a Docker engine fills in defaults, so specs do not compare.
    let current = mine(b.task_list(of_service(true)).await.unwrap_or_default());
    let hosts = services::hostnames(&nodes);
    let details = services::details(s, tasks, &current, &hosts, chrono::Utc::now());
    read(view, nodes, Some(details))
}

/// Carry out a service operation; the answer is what the status line says after its
/// name.
pub async fn perform(b: &dyn Backend, id: &str, verb: ServiceVerb) -> Result<String> {
    match verb {
        ServiceVerb::Remove => {
            b.service_remove(id).await?;
            Ok("removed".into())
        }
        ServiceVerb::Rollback => {
            let (spec, version) = spec_of(b, id).await?;
            write(
                b,
                id,
                version,
                spec,
                true,
                "rolling back to the previous spec",
            )
            .await
        }
        ServiceVerb::Scale(n) => {
            let (mut spec, version) = spec_of(b, id).await?;
            let Some(r) = spec.mode.as_mut().and_then(|m| m.replicated.as_mut()) else {
                return Err(BackendError::invalid(
                    "scale can only be used with replicated mode",
                ));
            };
            r.replicas = Some(n as i64);
            write(b, id, version, spec, false, &format!("scaled to {n}")).await
        }
        ServiceVerb::Update { image, env } => {
            let (mut spec, version) = spec_of(b, id).await?;
            let c = spec
                .task_template
                .get_or_insert_with(Default::default)
                .container_spec
                .get_or_insert_with(Default::default);
            let current = c.image.clone().unwrap_or_default();
            // The form shows the image as lists do (no digest): left as it was, the
            // service keeps the digest it is pinned to.
            if image != display_image(&current) {
                c.image = Some(tagged_image(&image));
            }
            c.env = (!env.is_empty()).then_some(env);
            write(b, id, version, spec, false, "rolling update started").await
        }
    }
}

/// The service's spec and the version it was read at: an update made meanwhile by
/// someone else then makes ours fail rather than silently undo theirs.
async fn spec_of(b: &dyn Backend, id: &str) -> Result<(m::ServiceSpec, u64)> {
    let s = b.service_inspect(id).await?;
    let version = s.version.as_ref().and_then(|v| v.index).unwrap_or(0);
    Ok((s.spec.unwrap_or_default(), version))
}

async fn write(
    b: &dyn Backend,
    id: &str,
    version: u64,
    spec: m::ServiceSpec,
    rollback: bool,
    said: &str,
) -> Result<String> {
    let r = b.service_update(id, version, spec, rollback).await?;
    Ok(match r.warnings.unwrap_or_default().first() {
        Some(w) => format!("{said} ({w})"),
        None => said.to_string(),
    })
}
