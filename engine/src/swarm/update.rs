//! A service's rolling update as the records keep it: Docker's `UpdateStatus` (what
//! `service inspect` shows and the CLI's progress follows) and the progress the manager
//! needs between its rounds. Swarmkit's updater holds that progress in memory; here
//! it is in the service's record, so a manager killed mid-update carries on where it
//! was, without starting a slot twice or forgetting a failure.
//!
//! The transitions are swarmkit's, with its words: an update starts `updating` ("update
//! in progress"), ends `completed` ("update completed"), stops `paused` on failure,
//! or goes back to the previous spec as `rollback_started` and ends
//! `rollback_completed` ("rollback completed"); a failure while rolling back pauses it
//! (`rollback_paused`).

use std::collections::BTreeMap;

use bollard_stubs::models as m;
use serde::{Deserialize, Serialize};

use super::store::ServiceRecord;

type U = m::ServiceUpdateStatusStateEnum;

/// One task the update started, in the slot it replaced.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct UpdatedTask {
    pub slot: i64,
    /// When the manager first saw it up (running, and healthy if it has a healthcheck):
    /// the monitor period runs from here.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub up_at: Option<String>,
    /// When its slot's work was over (up, or ended first): the update's delay runs
    /// from here before the worker that held the slot takes another.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub settled_at: Option<String>,
    /// Counted once as a failure of the update.
    #[serde(default)]
    pub failed: bool,
}

/// The progress of the update (or rollback) in flight.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct UpdateProgress {
    /// Slots that were out of date when it started: the failure ratio's denominator.
    pub dirty_slots: u64,
    /// The tasks it started, by task ID.
    #[serde(default)]
    pub tasks: BTreeMap<String, UpdatedTask>,
}

impl UpdateProgress {
    pub fn failures(&self) -> u64 {
        self.tasks.values().filter(|t| t.failed).count() as u64
    }
}

/// Whether an update or a rollback is under way (not paused, not over).
pub fn in_flight(r: &ServiceRecord) -> bool {
    matches!(state(r), Some(U::UPDATING | U::ROLLBACK_STARTED))
}

pub fn rolling_back(r: &ServiceRecord) -> bool {
    matches!(
        state(r),
        Some(U::ROLLBACK_STARTED | U::ROLLBACK_PAUSED | U::ROLLBACK_COMPLETED)
    )
}

pub fn paused(r: &ServiceRecord) -> bool {
    matches!(state(r), Some(U::PAUSED | U::ROLLBACK_PAUSED))
}

pub fn state(r: &ServiceRecord) -> Option<U> {
    r.service
        .update_status
        .as_ref()
        .and_then(|s| s.state)
        .filter(|s| *s != U::EMPTY)
}

/// A new spec from `service update`: whatever update was under way or paused is over,
/// and the manager starts a new one if tasks are out of date (Docker clears the status
/// the same way, which is also how a paused update is resumed).
pub fn reset(r: &mut ServiceRecord) {
    r.service.update_status = None;
    r.update = None;
}

/// Tasks are out of date and no update runs: start one.
pub fn begin(r: &mut ServiceRecord, dirty_slots: u64, now: &str) {
    r.service.update_status = Some(m::ServiceUpdateStatus {
        state: Some(U::UPDATING),
        started_at: Some(now.to_string()),
        completed_at: None,
        message: Some("update in progress".into()),
    });
    r.update = Some(UpdateProgress {
        dirty_slots,
        tasks: BTreeMap::new(),
    });
}

/// `service rollback`: the previous spec comes back (and the current one becomes the
/// previous, so a second rollback undoes the first), rolled out per the rollback config.
/// False when there is no previous spec.
pub fn request_rollback(r: &mut ServiceRecord, now: &str) -> bool {
    let Some(previous) = r.previous_spec.take() else {
        return false;
    };
    r.previous_spec = r.service.spec.replace(previous);
    r.service.update_status = Some(m::ServiceUpdateStatus {
        state: Some(U::ROLLBACK_STARTED),
        started_at: Some(now.to_string()),
        completed_at: None,
        message: Some("manually requested rollback".into()),
    });
    r.update = None;
    true
}

/// A failure beyond the ratio with `pause`: the update stops where it is.
pub fn pause(r: &mut ServiceRecord, task_id: &str) {
    let rolling_back = state(r) == Some(U::ROLLBACK_STARTED);
    let status = r.service.update_status.get_or_insert_with(Default::default);
    status.state = Some(if rolling_back {
        U::ROLLBACK_PAUSED
    } else {
        U::PAUSED
    });
    status.message = Some(format!(
        "update paused due to failure or early termination of task {task_id}"
    ));
}

/// A failure beyond the ratio with `rollback`: back to the previous spec, which is
/// then forgotten (as swarmkit does: a rollback is not itself rolled back). A rollback
/// that fails pauses instead, and so does an update with no previous spec.
pub fn fail_back(r: &mut ServiceRecord, task_id: &str) {
    if state(r) == Some(U::ROLLBACK_STARTED) {
        let status = r.service.update_status.get_or_insert_with(Default::default);
        status.state = Some(U::ROLLBACK_PAUSED);
        status.message = Some(format!(
            "rollback paused due to failure or early termination of task {task_id}"
        ));
        return;
    }
    let Some(previous) = r.previous_spec.take() else {
        pause(r, task_id);
        return;
    };
    r.service.spec = Some(previous);
    let status = r.service.update_status.get_or_insert_with(Default::default);
    status.state = Some(U::ROLLBACK_STARTED);
    status.message = Some(format!(
        "update rolled back due to failure or early termination of task {task_id}"
    ));
    r.update = None;
}

/// Every slot is up to date and the monitor period passed without failure.
pub fn complete(r: &mut ServiceRecord, now: &str) {
    let rolling_back = state(r) == Some(U::ROLLBACK_STARTED);
    let status = r.service.update_status.get_or_insert_with(Default::default);
    if rolling_back {
        status.state = Some(U::ROLLBACK_COMPLETED);
        status.message = Some("rollback completed".into());
    } else {
        status.state = Some(U::COMPLETED);
        status.message = Some("update completed".into());
    }
    status.completed_at = Some(now.to_string());
    r.update = None;
}

#[cfg(test)]
mod tests {
    use super::*;

    fn record(image: &str, previous: Option<&str>) -> ServiceRecord {
        let spec = |i: &str| m::ServiceSpec {
            name: Some(i.into()),
            ..Default::default()
        };
        ServiceRecord {
            service: m::Service {
                spec: Some(spec(image)),
                ..Default::default()
            },
            previous_spec: previous.map(spec),
            update: None,
        }
    }

    fn name(s: &Option<m::ServiceSpec>) -> Option<&str> {
        s.as_ref()?.name.as_deref()
    }

    #[test]
    fn an_update_fails_back_once_and_a_failed_rollback_pauses() {
        let mut r = record("new", Some("old"));
        begin(&mut r, 3, "t1");
        assert!(in_flight(&r));
        fail_back(&mut r, "task1");
        assert_eq!(state(&r), Some(U::ROLLBACK_STARTED));
        assert_eq!(name(&r.service.spec), Some("old"));
        assert!(r.previous_spec.is_none());
        let status = r.service.update_status.clone().unwrap();
        assert_eq!(status.started_at.as_deref(), Some("t1"));
        assert_eq!(
            status.message.as_deref(),
            Some("update rolled back due to failure or early termination of task task1")
        );
        fail_back(&mut r, "task2");
        assert_eq!(state(&r), Some(U::ROLLBACK_PAUSED));
        assert!(paused(&r) && rolling_back(&r));
        // A new spec resumes.
        reset(&mut r);
        assert_eq!(state(&r), None);
    }

    #[test]
    fn pause_complete_and_a_manual_rollback_swap_specs() {
        let mut r = record("new", None);
        begin(&mut r, 1, "t1");
        fail_back(&mut r, "t");
        assert_eq!(state(&r), Some(U::PAUSED), "no previous spec: paused");
        let mut r = record("new", Some("old"));
        assert!(request_rollback(&mut r, "t2"));
        assert_eq!(name(&r.service.spec), Some("old"));
        assert_eq!(name(&r.previous_spec), Some("new"));
        complete(&mut r, "t3");
        let status = r.service.update_status.clone().unwrap();
        assert_eq!(status.state, Some(U::ROLLBACK_COMPLETED));
        assert_eq!(status.message.as_deref(), Some("rollback completed"));
        assert_eq!(status.completed_at.as_deref(), Some("t3"));
        let mut r = record("new", Some("old"));
        begin(&mut r, 1, "t1");
        pause(&mut r, "x");
        assert_eq!(
            r.service.update_status.unwrap().message.as_deref(),
            Some("update paused due to failure or early termination of task x")
        );
    }
}
