//! What the manager sees of a task's container, folded into the task's status: a
//! running container makes its task running; one that ended, or vanished, or turned
//! unhealthy ends its task, as Docker words it (`task: non-zero exit (137)`).

use bollard::models as m;

/// A task's container as the engine reports it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Observed {
    pub container_id: String,
    pub running: bool,
    pub exit_code: i64,
    pub unhealthy: bool,
    /// Up, with a healthcheck that has not passed yet: the task is still starting
    /// (Docker reports a task running only once its container is healthy).
    pub starting: bool,
    pub pid: i64,
}

impl Observed {
    /// Running and, if it has a healthcheck, healthy: what a start-first update waits
    /// for before it stops the old task.
    pub fn up(&self) -> bool {
        self.running && !self.starting && !self.unhealthy
    }
}

/// A task that should be running: is it, and if not, how did it end?
pub enum Seen {
    Running,
    /// Up, its healthcheck not passed yet.
    Starting,
    /// Its container is up but unhealthy: stop it and fail the task.
    Unhealthy,
    Ended {
        state: m::TaskState,
        err: Option<String>,
    },
    /// Not started yet (no container expected so far).
    NotYet,
}

pub fn see(task: &m::Task, observed: Option<&Observed>) -> Seen {
    let state = task.status.as_ref().and_then(|s| s.state);
    match observed {
        Some(o) if o.running && o.unhealthy => Seen::Unhealthy,
        Some(o) if o.running && o.starting => Seen::Starting,
        Some(o) if o.running => Seen::Running,
        Some(o) if o.exit_code == 0 => Seen::Ended {
            state: m::TaskState::COMPLETE,
            err: None,
        },
        Some(o) => Seen::Ended {
            state: m::TaskState::FAILED,
            err: Some(format!("task: non-zero exit ({})", o.exit_code)),
        },
        // A task that ran and whose container is gone (`rm -f`). One still starting
        // has no container yet (or its manager died before making it): it is started
        // again, never failed for that.
        None if state == Some(m::TaskState::RUNNING) => Seen::Ended {
            state: m::TaskState::FAILED,
            err: Some("task: non-zero exit (137)".into()),
        },
        None => Seen::NotYet,
    }
}

/// Set a task's status (the time is when it changed).
pub fn set_status(
    task: &mut m::Task,
    state: m::TaskState,
    message: &str,
    err: Option<String>,
    now: &str,
) {
    let status = task.status.get_or_insert_with(Default::default);
    status.state = Some(state);
    status.message = Some(message.to_string());
    status.err = err;
    status.timestamp = Some(now.to_string());
    task.updated_at = Some(now.to_string());
}

/// Whether a task has ended for good (Docker's terminal states).
pub fn is_done(task: &m::Task) -> bool {
    matches!(
        task.status.as_ref().and_then(|s| s.state),
        Some(
            m::TaskState::COMPLETE
                | m::TaskState::FAILED
                | m::TaskState::REJECTED
                | m::TaskState::SHUTDOWN
                | m::TaskState::ORPHANED
                | m::TaskState::REMOVE
        )
    )
}

/// Whether the manager still means the task to run.
pub fn wanted(task: &m::Task) -> bool {
    task.desired_state == Some(m::TaskState::RUNNING)
}

/// Whether the task holds its slot: meant to run, or made ready to run once the task it
/// replaces has stopped (a stop-first update's new task, desired `ready`).
pub fn holds_slot(task: &m::Task) -> bool {
    matches!(
        task.desired_state,
        Some(m::TaskState::RUNNING | m::TaskState::READY)
    ) && !is_done(task)
}
