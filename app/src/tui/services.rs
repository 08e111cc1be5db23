//! What the services pane shows, as plain data made from the engine interface's swarm
//! models: a row per service (`service ls`'s columns and its stack), and for the
//! selected service its tasks as `service ps` lists them (the current task of a slot
//! first, older ones under it), its update status and how far it has converged. The
//! worker builds these with the clock it reads; the pane only draws them.

use std::collections::HashMap;

use bollard::models as m;
use chrono::{DateTime, Utc};

use crate::format::swarm::{
    current_state, display_image, error_column, mode_name, natural_cmp, parse_time, ports_column,
    pretty, published_ports, replicas, replicas_column, service_image, service_name, sort,
    task_name,
};
use crate::format::truncate::short_id;

/// The label `stack deploy` puts on a stack's services.
pub const STACK_LABEL: &str = "com.docker.stack.namespace";

/// The swarm as the pane sees it.
#[derive(Debug, Clone, Default, PartialEq)]
pub enum SwarmView {
    /// Not read yet (the pane has not been shown).
    #[default]
    Unknown,
    /// This node is in no swarm: not an error, a state to explain.
    Inactive,
    /// Reading the services failed for another reason.
    Failed(String),
    /// The services, in natural name order.
    Active(Vec<ServiceRow>),
}

/// One line of the services list: `service ls`'s columns and the stack it belongs to.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ServiceRow {
    pub id: String,
    pub name: String,
    /// Its stack (label `com.docker.stack.namespace`); empty for none.
    pub stack: String,
    /// `replicated` or `global`.
    pub mode: String,
    /// `2/3`: running tasks of the desired ones.
    pub replicas: String,
    pub running: u64,
    pub desired: u64,
    /// The replica count its spec asks for (None for a global service): what `+`
    /// and `-` start from.
    pub spec_replicas: Option<u64>,
    pub image: String,
    /// `*:4000->80/tcp`.
    pub ports: String,
    /// Its spec's env lines (the update form starts from them).
    pub env: Vec<String>,
}

/// A row of the selected service's task table.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TaskRow {
    pub id: String,
    /// `web.2`; an older task of the slot is shown ` \_ web.2`.
    pub name: String,
    /// Not the slot's newest task.
    pub older: bool,
    pub image: String,
    /// `Running`, `Shutdown`.
    pub desired: String,
    /// `Running 8 seconds ago`.
    pub current: String,
    /// The task's state in the engine's words (`running`, `failed`), for its colour.
    pub state: String,
    /// Quoted, cut to Docker's 30 columns.
    pub error: String,
    /// Its container, once it has one.
    pub container: Option<String>,
    /// The node it was given to (its hostname).
    pub node: String,
}

/// One node of the swarm as the pane shows it: `node ls`'s columns and the tasks that
/// run on it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct NodeRow {
    pub id: String,
    pub columns: crate::format::swarm::NodeColumns,
    /// Running tasks on it, of every service.
    pub tasks: u64,
}

/// The nodes, by hostname, with how many running tasks each has.
pub fn node_rows(nodes: &[m::Node], tasks: &[m::Task]) -> Vec<NodeRow> {
    let mut rows: Vec<NodeRow> = nodes
        .iter()
        .map(|n| {
            let id = n.id.clone().unwrap_or_default();
            let running = tasks
                .iter()
                .filter(|t| t.node_id.as_deref() == Some(id.as_str()))
                .filter(|t| t.status.as_ref().and_then(|s| s.state) == Some(m::TaskState::RUNNING))
                .count() as u64;
            NodeRow {
                columns: crate::format::swarm::node_columns(n),
                id,
                tasks: running,
            }
        })
        .collect();
    rows.sort_by(|a, b| natural_cmp(&a.columns.hostname, &b.columns.hostname));
    rows
}

/// Node ID to hostname, for the tasks' NODE column.
pub fn hostnames(nodes: &[NodeRow]) -> HashMap<String, String> {
    nodes
        .iter()
        .map(|n| (n.id.clone(), n.columns.hostname.clone()))
        .collect()
}

/// How far the service is from what its spec asks: tasks of the current spec that run.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Converge {
    pub running: u64,
    pub desired: u64,
}

impl Converge {
    pub fn done(&self) -> bool {
        self.running >= self.desired
    }
}

/// The selected service in full.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ServiceDetails {
    pub id: String,
    /// `updating, started 5 seconds ago: update in progress`; empty while the backend
    /// reports no update status.
    pub update: String,
    pub converge: Converge,
    /// Each slot's tasks, newest first (`service ps`'s order).
    pub tasks: Vec<TaskRow>,
}

/// A row of the services list from `service_list`'s answer (with status).
pub fn service_row(s: &m::Service) -> ServiceRow {
    let spec = s.spec.clone().unwrap_or_default();
    let status = s.service_status.clone().unwrap_or_default();
    let stack = spec
        .labels
        .as_ref()
        .and_then(|l| l.get(STACK_LABEL))
        .cloned()
        .unwrap_or_default();
    let env = spec
        .task_template
        .as_ref()
        .and_then(|t| t.container_spec.as_ref())
        .and_then(|c| c.env.clone())
        .unwrap_or_default();
    ServiceRow {
        id: s.id.clone().unwrap_or_default(),
        name: service_name(s),
        stack,
        mode: mode_name(&spec).to_string(),
        replicas: replicas_column(s),
        running: status.running_tasks.unwrap_or(0),
        desired: status.desired_tasks.unwrap_or(0),
        spec_replicas: replicas(&spec).filter(|_| mode_name(&spec) == "replicated"),
        image: display_image(&service_image(&spec)),
        ports: ports_column(&published_ports(s)),
        env,
    }
}

/// The services list, in natural name order.
pub fn service_rows(list: &[m::Service]) -> Vec<ServiceRow> {
    let mut rows: Vec<ServiceRow> = list.iter().map(service_row).collect();
    rows.sort_by(|a, b| natural_cmp(&a.name, &b.name));
    rows
}

/// `updating, started 5 seconds ago: message`, from the service's update status.
pub fn update_line(s: &m::Service, now: DateTime<Utc>) -> String {
    let Some(us) = s.update_status.as_ref().filter(|u| u.state.is_some()) else {
        return String::new();
    };
    let state = us.state.map(|x| x.to_string()).unwrap_or_default();
    let ago = |t: Option<&str>| {
        parse_time(t).map(|at| crate::format::human::time_ago(now - at).to_lowercase())
    };
    let mut out = state.replace('_', " ");
    let completed = us.state == Some(m::ServiceUpdateStatusStateEnum::COMPLETED);
    match (
        completed,
        ago(us.completed_at.as_deref()),
        ago(us.started_at.as_deref()),
    ) {
        (true, Some(at), _) => out.push_str(&format!(", completed {at}")),
        (_, _, Some(at)) => out.push_str(&format!(", started {at}")),
        _ => {}
    }
    if let Some(msg) = us.message.as_deref().filter(|m| !m.is_empty()) {
        out.push_str(&format!(": {msg}"));
    }
    out
}

/// Tasks that run the service's current spec, of those it wants: what `service update`
/// waits for. `current` are the tasks the engine says run the current spec (Docker's
/// `_up-to-date` filter: a Docker engine fills in defaults, so only it can tell).
pub fn converge(s: &m::Service, current: &[m::Task]) -> Converge {
    let running = current
        .iter()
        .filter(|t| {
            t.desired_state == Some(m::TaskState::RUNNING)
                && t.status.as_ref().and_then(|st| st.state) == Some(m::TaskState::RUNNING)
        })
        .count() as u64;
    let desired = s
        .service_status
        .as_ref()
        .and_then(|st| st.desired_tasks)
        .or_else(|| s.spec.as_ref().and_then(replicas))
        .unwrap_or(0);
    Converge { running, desired }
}

/// The selected service's details: its tasks in `service ps`'s order, at `now`;
/// `current` those of its current spec, `hosts` names the nodes.
pub fn details(
    s: &m::Service,
    tasks: Vec<m::Task>,
    current: &[m::Task],
    hosts: &HashMap<String, String>,
    now: DateTime<Utc>,
) -> ServiceDetails {
    let id = s.id.clone().unwrap_or_default();
    let names = HashMap::from([(id.clone(), service_name(s))]);
    let converge = converge(s, current);
    let mut named: Vec<(String, m::Task)> = tasks
        .into_iter()
        .map(|t| (task_name(&t, &names), t))
        .collect();
    sort(&mut named);
    let mut prev = String::new();
    let rows = named
        .iter()
        .map(|(name, t)| {
            let older = *name == prev;
            prev = name.clone();
            let status = t.status.clone().unwrap_or_default();
            TaskRow {
                id: short_id(t.id.as_deref().unwrap_or_default()).to_string(),
                name: if older {
                    format!(" \\_ {name}")
                } else {
                    name.clone()
                },
                older,
                image: display_image(
                    &t.spec
                        .as_ref()
                        .and_then(|sp| sp.container_spec.as_ref())
                        .and_then(|c| c.image.clone())
                        .unwrap_or_default(),
                ),
                desired: pretty(&t.desired_state.map(|x| x.to_string()).unwrap_or_default()),
                current: current_state(t, now),
                state: status.state.map(|x| x.to_string()).unwrap_or_default(),
                error: error_column(t, true),
                container: status
                    .container_status
                    .and_then(|c| c.container_id)
                    .filter(|c| !c.is_empty()),
                node: t
                    .node_id
                    .as_ref()
                    .map(|id| hosts.get(id).cloned().unwrap_or_else(|| id.clone()))
                    .unwrap_or_default(),
            }
        })
        .collect();
    ServiceDetails {
        id,
        update: update_line(s, now),
        converge,
        tasks: rows,
    }
}

#[cfg(test)]
pub mod fixtures;
#[cfg(test)]
mod tests;
