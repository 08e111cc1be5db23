//! One service's slots: shut down what is beyond the replica count, let the update
//! step (update.rs) replace what is out of date, start what is missing (a new slot now,
//! a failed one per the restart policy, a stop-first update's new task once the old
//! one has stopped), and keep each slot's history to the limit.

use std::collections::{BTreeMap, HashMap};

use berth_engine::swarm::services::replicas;
use berth_engine::swarm::{Cluster, ServiceRecord, State};
use bollard::models as m;
use chrono::{DateTime, Duration, Utc};

use super::observe::{holds_slot, set_status, wanted, Observed};
use super::update::{self, Step};
use super::{parse_time, rfc3339, schedule, Action};

/// Docker's restart delay when the policy gives none: 5 s.
const DEFAULT_RESTART_DELAY_NS: i64 = 5_000_000_000;

pub(super) fn slot_of(t: &m::Task) -> i64 {
    t.slot.unwrap_or(0)
}

fn created(t: &m::Task) -> Option<DateTime<Utc>> {
    parse_time(t.created_at.as_deref())
}

pub(super) fn when(t: &m::Task) -> Option<DateTime<Utc>> {
    parse_time(t.status.as_ref().and_then(|s| s.timestamp.as_deref()))
}

pub(super) fn state_of(t: &m::Task) -> Option<m::TaskState> {
    t.status.as_ref().and_then(|s| s.state)
}

/// Shut a task down now (scale down, drain, update): its container is stopped.
pub(super) fn shut_down(
    task: &mut m::Task,
    observed: &HashMap<String, Observed>,
    grace: Option<i64>,
    stamp: &str,
    actions: &mut Vec<Action>,
) {
    task.desired_state = Some(m::TaskState::SHUTDOWN);
    set_status(task, m::TaskState::SHUTDOWN, "shutdown", None, stamp);
    if let Some(o) = task.id.as_ref().and_then(|id| observed.get(id)) {
        actions.push(Action::Stop {
            container_id: o.container_id.clone(),
            grace,
        });
    }
}

/// Whether a slot whose last task ended may get a new one now, per the restart policy.
fn may_restart(
    history: &[&m::Task],
    policy: Option<&m::TaskSpecRestartPolicy>,
    now: DateTime<Utc>,
) -> bool {
    let Some(last) = history.first() else {
        return true;
    };
    let ended = state_of(last);
    // Shut down on purpose (scale, drain, update): replaced at once.
    if ended == Some(m::TaskState::SHUTDOWN) {
        return true;
    }
    use m::TaskSpecRestartPolicyConditionEnum as C;
    match policy.and_then(|p| p.condition) {
        Some(C::NONE) => return false,
        Some(C::ON_FAILURE) if ended == Some(m::TaskState::COMPLETE) => return false,
        _ => {}
    }
    let delay = policy
        .and_then(|p| p.delay)
        .unwrap_or(DEFAULT_RESTART_DELAY_NS);
    if when(last).is_some_and(|t| now < t + Duration::nanoseconds(delay)) {
        return false;
    }
    let max = policy.and_then(|p| p.max_attempts).unwrap_or(0);
    if max > 0 {
        let window = policy.and_then(|p| p.window).unwrap_or(0);
        let attempts = history
            .iter()
            .filter(|t| state_of(t) != Some(m::TaskState::SHUTDOWN))
            .filter(|t| {
                window == 0 || when(t).is_some_and(|w| now - w <= Duration::nanoseconds(window))
            })
            .count() as i64;
        // The first run is not a restart: `max` restarts follow it at most.
        if attempts > max {
            return false;
        }
    }
    true
}

pub(super) fn new_task(
    svc: &ServiceRecord,
    cluster: &Cluster,
    slot: i64,
    version: m::ObjectVersion,
    stamp: &str,
) -> m::Task {
    let spec = svc.service.spec.as_ref();
    let global = spec
        .and_then(|s| s.mode.as_ref())
        .is_some_and(|m| m.global.is_some());
    m::Task {
        id: Some(berth_engine::swarm::ids::new_id()),
        version: Some(version),
        created_at: Some(stamp.to_string()),
        updated_at: Some(stamp.to_string()),
        spec: spec.and_then(|s| s.task_template.clone()),
        service_id: svc.service.id.clone(),
        slot: (!global).then_some(slot),
        node_id: cluster.node.id.clone(),
        desired_state: Some(m::TaskState::RUNNING),
        status: Some(m::TaskStatus {
            timestamp: Some(stamp.to_string()),
            state: Some(m::TaskState::PENDING),
            message: Some("pending task scheduling".into()),
            ..Default::default()
        }),
        ..Default::default()
    }
}

/// The reservations held by the tasks that run (what the scheduler has left).
fn reserved(st: &State) -> (i64, i64) {
    st.tasks
        .values()
        .filter(|t| wanted(t) && state_of(t) == Some(m::TaskState::RUNNING))
        .map(|t| schedule::reservation(t.spec.as_ref()))
        .fold((0, 0), |a, b| (a.0 + b.0, a.1 + b.1))
}

pub(super) fn service(
    st: &mut State,
    svc: &ServiceRecord,
    cluster: &Cluster,
    node_open: bool,
    observed: &HashMap<String, Observed>,
    now: DateTime<Utc>,
    actions: &mut Vec<Action>,
) {
    let stamp = rfc3339(now);
    let Some(spec) = svc.service.spec.as_ref() else {
        return;
    };
    let id = svc.service.id.clone().unwrap_or_default();
    let want = if node_open {
        replicas(spec).unwrap_or(1)
    } else {
        0
    };
    let template = spec.task_template.clone();
    let grace = template
        .as_ref()
        .and_then(|t| t.container_spec.as_ref())
        .and_then(|c| c.stop_grace_period);
    let mine: Vec<String> = st
        .tasks
        .iter()
        .filter(|(_, t)| t.service_id.as_deref() == Some(id.as_str()))
        .map(|(tid, _)| tid.clone())
        .collect();
    // Beyond the replica count, or on a drained node: shut down.
    for tid in &mine {
        if let Some(t) = st.tasks.get_mut(tid) {
            if holds_slot(t) && slot_of(t) > want {
                shut_down(t, observed, grace, &stamp, actions);
            }
            if holds_slot(t) && !node_open {
                shut_down(t, observed, grace, &stamp, actions);
            }
        }
    }
    if update::step(st, &id, cluster, observed, now, actions) == Step::RolledBack {
        return;
    }
    // Fill the slots.
    let mut by_slot: BTreeMap<i64, Vec<&m::Task>> = BTreeMap::new();
    for t in st
        .tasks
        .values()
        .filter(|t| t.service_id.as_deref() == Some(id.as_str()))
    {
        by_slot.entry(slot_of(t)).or_default().push(t);
    }
    for list in by_slot.values_mut() {
        list.sort_by_key(|t| std::cmp::Reverse(created(t)));
    }
    let global = spec.mode.as_ref().is_some_and(|m| m.global.is_some());
    let slots: Vec<i64> = if global {
        vec![0]
    } else {
        (1..=want).collect()
    };
    let mut starts = Vec::new();
    let mut create = Vec::new();
    let mut promote = Vec::new();
    for slot in slots.into_iter().take(want.max(0) as usize) {
        let history = by_slot.get(&slot).cloned().unwrap_or_default();
        match history.iter().find(|t| holds_slot(t)) {
            // A stop-first update's new task: it starts only once no other task of the
            // slot has a running container (the old one's stop runs in the background).
            Some(t) if t.desired_state == Some(m::TaskState::READY) => {
                let stopping = history.iter().any(|o| {
                    o.id != t.id
                        && o.id
                            .as_deref()
                            .and_then(|id| observed.get(id))
                            .is_some_and(|c| c.running)
                });
                if !stopping {
                    promote.push(t.id.clone().unwrap_or_default());
                }
            }
            // Asked for but not running yet (a manager restart in between): start it.
            Some(t)
                if state_of(t) != Some(m::TaskState::RUNNING)
                    && !observed.contains_key(t.id.as_deref().unwrap_or_default()) =>
            {
                starts.push(t.id.clone().unwrap_or_default());
            }
            Some(_) => {}
            None => {
                if may_restart(
                    &history,
                    template.as_ref().and_then(|t| t.restart_policy.as_ref()),
                    now,
                ) {
                    create.push(slot);
                }
            }
        }
    }
    for tid in promote {
        if let Some(t) = st.tasks.get_mut(&tid) {
            t.desired_state = Some(m::TaskState::RUNNING);
            starts.push(tid);
        }
    }
    for slot in create {
        let version = st.next_version();
        let task = new_task(svc, cluster, slot, version, &stamp);
        starts.push(task.id.clone().unwrap_or_default());
        st.tasks.insert(task.id.clone().unwrap_or_default(), task);
    }
    // Place what can be placed; what cannot waits, saying why.
    for tid in starts {
        let held = reserved(st);
        let Some(t) = st.tasks.get_mut(&tid) else {
            continue;
        };
        let refusal = t
            .spec
            .as_ref()
            .and_then(|s| schedule::refusal(s, &cluster.node, held));
        match refusal {
            Some(why) => {
                let same = t.status.as_ref().and_then(|s| s.err.as_deref()) == Some(why.as_str());
                if !same {
                    set_status(
                        t,
                        m::TaskState::PENDING,
                        "pending task scheduling",
                        Some(why),
                        &stamp,
                    );
                }
            }
            None => {
                set_status(t, m::TaskState::STARTING, "starting", None, &stamp);
                actions.push(Action::Start { task_id: tid });
            }
        }
    }
}

/// Keep the newest tasks of each slot up to the history limit; the rest go, with their
/// containers.
pub(super) fn prune_history(
    st: &mut State,
    cluster: &Cluster,
    observed: &HashMap<String, Observed>,
    actions: &mut Vec<Action>,
) {
    let limit = cluster
        .swarm
        .spec
        .as_ref()
        .and_then(|s| s.orchestration.as_ref())
        .and_then(|o| o.task_history_retention_limit)
        .unwrap_or(berth_engine::swarm::cluster::TASK_HISTORY)
        .max(1) as usize;
    // (service, slot) to its tasks' (created, id).
    type Slot = (String, i64);
    type Made = (Option<DateTime<Utc>>, String);
    let mut by_slot: BTreeMap<Slot, Vec<Made>> = BTreeMap::new();
    for (id, t) in &st.tasks {
        let key = (t.service_id.clone().unwrap_or_default(), slot_of(t));
        by_slot
            .entry(key)
            .or_default()
            .push((created(t), id.clone()));
    }
    for mut list in by_slot.into_values() {
        list.sort_by_key(|t| std::cmp::Reverse(t.0));
        for (_, id) in list.into_iter().skip(limit) {
            let done = st
                .tasks
                .get(&id)
                .is_some_and(|t| !holds_slot(t) && !wanted(t));
            if done {
                st.tasks.remove(&id);
                if let Some(o) = observed.get(&id) {
                    actions.push(Action::Remove {
                        container_id: o.container_id.clone(),
                    });
                }
            }
        }
    }
}
