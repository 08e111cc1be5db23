//! A service's rolling update (or rollback), one round at a time, as swarmkit's updater
//! runs it: `parallelism` workers each take an out-of-date slot, replace its task, wait
//! for the new one to come up (or end), then wait `delay` before taking the next slot.
//! A task the update started that fails or ends within `monitor` of coming up is a
//! failure; beyond `max_failure_ratio` of the slots the update pauses or rolls back,
//! per its failure action. Once every slot is done and `monitor` has passed, the
//! update is complete. What a round needs to know of the rounds before is in the
//! service's record ([`berth_engine::swarm::update`]).
//!
//! Stop-first (the default) is strict: the new task is made `ready`, not running, and
//! the slots step (slots.rs) starts it only once the old task's container is seen
//! stopped, since stops run in the background and take their grace period. Start-first
//! starts the new task at once and stops the old one when the new one is up.

use std::collections::{BTreeSet, HashMap};

use berth_engine::swarm::update::{self as record, UpdateProgress, UpdatedTask};
use berth_engine::swarm::{Cluster, State};
use bollard::models as m;
use chrono::{DateTime, Duration, Utc};

use super::observe::{holds_slot, wanted, Observed};
use super::slots::{new_task, shut_down, slot_of, state_of, when};
use super::{parse_time, rfc3339, Action};

/// Docker's monitor when the config gives none: 5 s.
const DEFAULT_MONITOR_NS: i64 = 5_000_000_000;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum OnFailure {
    Pause,
    Continue,
    Rollback,
}

/// The update config in force (the rollback config while rolling back), with
/// swarmkit's defaults filled in.
#[derive(Debug, Clone, Copy, PartialEq)]
struct Policy {
    /// 0: all slots at once.
    parallelism: u64,
    delay: Duration,
    monitor: Duration,
    on_failure: OnFailure,
    max_failure_ratio: f64,
    start_first: bool,
}

fn policy(spec: &m::ServiceSpec, rolling_back: bool) -> Policy {
    use m::ServiceSpecRollbackConfigFailureActionEnum as RF;
    use m::ServiceSpecUpdateConfigFailureActionEnum as UF;
    // The rollback config, read as an update config (the same fields; it cannot say
    // `rollback`).
    let config = if rolling_back {
        spec.rollback_config
            .as_ref()
            .map(|r| m::ServiceSpecUpdateConfig {
                parallelism: r.parallelism,
                delay: r.delay,
                failure_action: r.failure_action.map(|a| match a {
                    RF::CONTINUE => UF::CONTINUE,
                    RF::PAUSE | RF::EMPTY => UF::PAUSE,
                }),
                monitor: r.monitor,
                max_failure_ratio: r.max_failure_ratio,
                order: r.order.map(|o| match o {
                    m::ServiceSpecRollbackConfigOrderEnum::START_FIRST => {
                        m::ServiceSpecUpdateConfigOrderEnum::START_FIRST
                    }
                    _ => m::ServiceSpecUpdateConfigOrderEnum::STOP_FIRST,
                }),
            })
    } else {
        spec.update_config.clone()
    };
    let c = config.unwrap_or_default();
    Policy {
        // Swarmkit's default is one at a time; an explicit 0 means all at once.
        parallelism: c.parallelism.map_or(1, |p| p.max(0) as u64),
        delay: Duration::nanoseconds(c.delay.unwrap_or(0).max(0)),
        monitor: Duration::nanoseconds(c.monitor.unwrap_or(DEFAULT_MONITOR_NS).max(0)),
        on_failure: match c.failure_action {
            Some(UF::CONTINUE) => OnFailure::Continue,
            Some(UF::ROLLBACK) => OnFailure::Rollback,
            _ => OnFailure::Pause,
        },
        max_failure_ratio: c.max_failure_ratio.unwrap_or(0.0),
        start_first: c.order == Some(m::ServiceSpecUpdateConfigOrderEnum::START_FIRST),
    }
}

/// An update task's end that counts against the update: it failed, was rejected, or
/// exited on its own. A shutdown was asked for (scale down, drain) and does not count.
fn ended_early(t: &m::Task) -> bool {
    matches!(
        state_of(t),
        Some(
            m::TaskState::FAILED
                | m::TaskState::REJECTED
                | m::TaskState::COMPLETE
                | m::TaskState::ORPHANED
        )
    )
}

/// What the round did to the service.
#[derive(Debug, PartialEq, Eq)]
pub(super) enum Step {
    Going,
    /// Its spec went back to the previous one: the slots are left for the next round,
    /// which sees the restored spec.
    RolledBack,
}

/// One round of the service's update, if one is due or under way.
pub(super) fn step(
    st: &mut State,
    service_id: &str,
    cluster: &Cluster,
    observed: &HashMap<String, Observed>,
    now: DateTime<Utc>,
    actions: &mut Vec<Action>,
) -> Step {
    let Some(mut rec) = st.services.get(service_id).cloned() else {
        return Step::Going;
    };
    let Some(spec) = rec.service.spec.clone() else {
        return Step::Going;
    };
    let stamp = rfc3339(now);
    let template = spec.task_template.clone();
    let mine: Vec<String> = st
        .tasks
        .iter()
        .filter(|(_, t)| t.service_id.as_deref() == Some(service_id))
        .map(|(id, _)| id.clone())
        .collect();
    // Slots held by a task of an older spec.
    let dirty: BTreeSet<i64> = mine
        .iter()
        .filter_map(|id| st.tasks.get(id))
        .filter(|t| holds_slot(t) && t.spec != template)
        .map(slot_of)
        .collect();
    if record::state(&rec).is_none() && !dirty.is_empty() {
        record::begin(&mut rec, dirty.len() as u64, &stamp);
    }
    if !record::in_flight(&rec) {
        st.services.insert(service_id.to_string(), rec);
        return Step::Going;
    }
    let policy = policy(&spec, record::rolling_back(&rec));
    let mut progress = rec.update.take().unwrap_or_else(|| UpdateProgress {
        // A rollback just begun (by hand or by a failure): its own count.
        dirty_slots: dirty.len() as u64,
        ..Default::default()
    });
    let grace = template
        .as_ref()
        .and_then(|t| t.container_spec.as_ref())
        .and_then(|c| c.stop_grace_period);

    // Follow the tasks it started: up (start-first: the old task goes now), or ended.
    let mut failed_now = Vec::new();
    for (tid, ut) in progress.tasks.iter_mut() {
        let task = st.tasks.get(tid).cloned();
        let task = task.as_ref();
        let up = task.is_some_and(wanted) && observed.get(tid).is_some_and(Observed::up);
        if up && ut.up_at.is_none() {
            ut.up_at = Some(stamp.clone());
            ut.settled_at.get_or_insert_with(|| stamp.clone());
            let others: Vec<String> = mine
                .iter()
                .filter(|id| *id != tid)
                .filter(|id| {
                    st.tasks
                        .get(*id)
                        .is_some_and(|t| holds_slot(t) && slot_of(t) == ut.slot)
                })
                .cloned()
                .collect();
            for id in others {
                if let Some(t) = st.tasks.get_mut(&id) {
                    shut_down(t, observed, grace, &stamp, actions);
                }
            }
        }
        let gone = task.is_none_or(|t| !holds_slot(t));
        if gone {
            ut.settled_at.get_or_insert_with(|| stamp.clone());
        }
        if let Some(t) = task.filter(|t| ended_early(t) && !ut.failed) {
            let ended = when(t).unwrap_or(now);
            let within =
                parse_time(ut.up_at.as_deref()).is_none_or(|up| ended - up <= policy.monitor);
            if within {
                ut.failed = true;
                failed_now.push(tid.clone());
            }
        }
    }
    if policy.on_failure != OnFailure::Continue {
        let ratio = progress.failures() as f64 / progress.dirty_slots.max(1) as f64;
        if let Some(tid) = failed_now
            .first()
            .filter(|_| ratio > policy.max_failure_ratio)
        {
            rec.update = Some(progress);
            let step = if policy.on_failure == OnFailure::Rollback {
                record::fail_back(&mut rec, tid);
                if record::rolling_back(&rec) && !record::paused(&rec) {
                    // The spec changed under any client that read the old one.
                    rec.service.version = Some(st.next_version());
                    rec.service.updated_at = Some(stamp.clone());
                    Step::RolledBack
                } else {
                    Step::Going
                }
            } else {
                record::pause(&mut rec, tid);
                Step::Going
            };
            st.services.insert(service_id.to_string(), rec);
            return step;
        }
    }

    // Hand out-of-date slots to the workers that are free: a worker is busy while its
    // slot's new task is not up (or ended) and then for `delay`.
    let busy = progress
        .tasks
        .values()
        .filter(|ut| parse_time(ut.settled_at.as_deref()).is_none_or(|at| now < at + policy.delay))
        .count() as u64;
    let taken: BTreeSet<i64> = progress.tasks.values().map(|ut| ut.slot).collect();
    let waiting: Vec<i64> = dirty.difference(&taken).copied().collect();
    let free = match policy.parallelism {
        0 => waiting.len(),
        p => p.saturating_sub(busy) as usize,
    };
    for slot in waiting.iter().take(free) {
        if !policy.start_first {
            let holders: Vec<String> = mine
                .iter()
                .filter(|id| {
                    st.tasks
                        .get(*id)
                        .is_some_and(|t| holds_slot(t) && slot_of(t) == *slot)
                })
                .cloned()
                .collect();
            for id in holders {
                if let Some(t) = st.tasks.get_mut(&id) {
                    shut_down(t, observed, grace, &stamp, actions);
                }
            }
        }
        let version = st.next_version();
        let mut task = new_task(&rec, cluster, *slot, version, &stamp);
        if !policy.start_first {
            task.desired_state = Some(m::TaskState::READY);
        }
        let id = task.id.clone().unwrap_or_default();
        progress.tasks.insert(
            id.clone(),
            UpdatedTask {
                slot: *slot,
                ..Default::default()
            },
        );
        st.tasks.insert(id, task);
    }

    // Done: every slot taken and settled, the last delay over, then `monitor` without a
    // failure beyond the ratio.
    let all_taken = waiting.len() <= free;
    let last = progress
        .tasks
        .values()
        .map(|ut| parse_time(ut.settled_at.as_deref()))
        .try_fold(None::<DateTime<Utc>>, |max, at| {
            at.map(|at| max.max(Some(at)))
        });
    let done = match last {
        // Some task's slot is not over yet.
        None => false,
        Some(None) => true,
        Some(Some(at)) => now >= at + policy.delay + policy.monitor,
    };
    if all_taken && done {
        record::complete(&mut rec, &stamp);
    } else {
        rec.update = Some(progress);
    }
    st.services.insert(service_id.to_string(), rec);
    Step::Going
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn policies_default_as_swarmkit_and_rollbacks_read_their_own_config() {
        let mut spec = m::ServiceSpec::default();
        let p = policy(&spec, false);
        assert_eq!(p.parallelism, 1);
        assert_eq!(p.monitor, Duration::seconds(5));
        assert_eq!(p.on_failure, OnFailure::Pause);
        assert!(!p.start_first);
        spec.update_config = Some(m::ServiceSpecUpdateConfig {
            parallelism: Some(0),
            failure_action: Some(m::ServiceSpecUpdateConfigFailureActionEnum::ROLLBACK),
            order: Some(m::ServiceSpecUpdateConfigOrderEnum::START_FIRST),
            ..Default::default()
        });
        spec.rollback_config = Some(m::ServiceSpecRollbackConfig {
            parallelism: Some(3),
            delay: Some(1_000_000_000),
            failure_action: Some(m::ServiceSpecRollbackConfigFailureActionEnum::CONTINUE),
            ..Default::default()
        });
        let p = policy(&spec, false);
        assert_eq!(
            (p.parallelism, p.on_failure, p.start_first),
            (0, OnFailure::Rollback, true)
        );
        let r = policy(&spec, true);
        assert_eq!(
            (r.parallelism, r.delay, r.on_failure, r.start_first),
            (3, Duration::seconds(1), OnFailure::Continue, false)
        );
    }
}
