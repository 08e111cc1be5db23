//! The reconciler: from the services (what should run), the tasks (what was asked
//! for) and the containers (what runs), the changes to the task records and the
//! container actions that close the gap. Pure: the manager loads, calls [`reconcile`]
//! inside one transaction, then carries out the actions through the engine interface.
//!
//! Docker's rules, on one node: one task per replica slot; a task whose container
//! ends or vanishes is failed and replaced by a new task in its slot per the restart
//! policy (condition, delay, attempts in a window); scaling down shuts the highest
//! slots; a drained node runs nothing; an update replaces tasks `parallelism` at a
//! time, `delay` apart, stop-first or start-first, and pauses or rolls back when the
//! tasks it starts fail (update.rs); each slot keeps the newest tasks up to the
//! history limit.

pub mod observe;
pub mod schedule;
mod slots;
mod update;

use std::collections::HashMap;

use berth_engine::swarm::cluster::node_takes_tasks;
use berth_engine::swarm::State;
use bollard::models as m;
use chrono::{DateTime, Utc};

pub use observe::Observed;
use observe::{is_done, see, set_status, wanted, Seen};

/// What the manager does to containers after the records are written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Action {
    /// Create (or adopt) and start the task's container.
    Start { task_id: String },
    /// Stop the task's container (its task was shut down or failed).
    Stop {
        container_id: String,
        grace: Option<i64>,
    },
    /// Remove a container whose task left the records.
    Remove { container_id: String },
}

pub(crate) fn rfc3339(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(chrono::SecondsFormat::Nanos, true)
}

pub(crate) fn parse_time(s: Option<&str>) -> Option<DateTime<Utc>> {
    DateTime::parse_from_rfc3339(s?)
        .ok()
        .map(|t| t.with_timezone(&Utc))
}

/// Bring the records one step toward the services; the container actions to take.
pub fn reconcile(
    st: &mut State,
    observed: &HashMap<String, Observed>,
    now: DateTime<Utc>,
) -> Vec<Action> {
    let mut actions = Vec::new();
    let Some(cluster) = st.cluster.clone() else {
        return actions;
    };
    let stamp = rfc3339(now);
    // The tasks of removed services go, containers and all.
    let gone: Vec<String> = st
        .tasks
        .iter()
        .filter(|(_, t)| t.desired_state == Some(m::TaskState::REMOVE))
        .map(|(id, _)| id.clone())
        .collect();
    for id in gone {
        if let Some(o) = observed.get(&id) {
            actions.push(Action::Remove {
                container_id: o.container_id.clone(),
            });
        }
        st.tasks.remove(&id);
    }
    // What the containers say about the tasks that should run.
    for (id, task) in st
        .tasks
        .iter_mut()
        .filter(|(_, t)| wanted(t) && !is_done(t))
    {
        let o = observed.get(id);
        match see(task, o) {
            Seen::Running => {
                let running =
                    task.status.as_ref().and_then(|s| s.state) == Some(m::TaskState::RUNNING);
                if !running {
                    set_status(task, m::TaskState::RUNNING, "started", None, &stamp);
                }
                if let (Some(o), Some(status)) = (o, task.status.as_mut()) {
                    status.container_status = Some(m::ContainerStatus {
                        container_id: Some(o.container_id.clone()),
                        pid: Some(o.pid),
                        exit_code: None,
                    });
                }
            }
            // The manager marks a task running once its container started; with a
            // healthcheck it is starting until healthy.
            Seen::Starting => {
                let running =
                    task.status.as_ref().and_then(|s| s.state) == Some(m::TaskState::RUNNING);
                if running {
                    set_status(task, m::TaskState::STARTING, "starting", None, &stamp);
                }
            }
            Seen::Unhealthy => {
                if let Some(o) = o {
                    actions.push(Action::Stop {
                        container_id: o.container_id.clone(),
                        grace: None,
                    });
                }
                task.desired_state = Some(m::TaskState::SHUTDOWN);
                set_status(
                    task,
                    m::TaskState::FAILED,
                    "finished",
                    Some("task: non-zero exit (137): dockerexec: unhealthy container".into()),
                    &stamp,
                );
            }
            Seen::Ended { state, err } => {
                task.desired_state = Some(m::TaskState::SHUTDOWN);
                set_status(task, state, "finished", err, &stamp);
                if let (Some(o), Some(status)) = (o, task.status.as_mut()) {
                    status.container_status = Some(m::ContainerStatus {
                        container_id: Some(o.container_id.clone()),
                        pid: Some(0),
                        exit_code: Some(o.exit_code),
                    });
                }
            }
            Seen::NotYet => {}
        }
    }
    let node_open = node_takes_tasks(&cluster.node);
    let services: Vec<_> = st.services.values().cloned().collect();
    for svc in &services {
        slots::service(st, svc, &cluster, node_open, observed, now, &mut actions);
    }
    slots::prune_history(st, &cluster, observed, &mut actions);
    actions
}

#[cfg(test)]
mod tests;
