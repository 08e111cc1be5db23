//! The monitor's side of healthchecks: run the checks on schedule, record each result
//! in State.Health (atomically, with the rest of the state) and in the health history,
//! announce status changes as events, and act when the container turns unhealthy
//! (`--health-on-failure`, autoheal). Acting never blocks the loop: a stop sends the
//! stop signal and leaves SIGKILL to a deadline the loop watches.

use std::time::{Duration, Instant};

use nix::sys::signal::{kill, Signal};
use nix::unistd::Pid;

use super::Monitor;
use crate::container::health::history::{self, Entry};
use crate::container::health::policy::{self, Action};
use crate::container::health::runner::Runner;
use crate::container::health::state::UNHEALTHY;
use crate::container::model::Status;
use crate::container::now_rfc3339;

/// Why the monitor restarts the container regardless of its restart policy.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ForcedRestart {
    Autoheal,
    OnFailure,
}

impl Monitor {
    /// A new run of the container: its checks start over, its status is `starting`.
    pub(super) fn health_begin(&mut self) {
        self.health = Runner::new(&self.record);
        let has = self.health.is_some();
        let _ = self.store.update_state(&self.record.id, |s| {
            s.health = has.then(|| s.health.take().unwrap_or_default().restarted());
            Ok(())
        });
    }

    /// The run is over: a check in flight goes with it.
    pub(super) fn health_end(&mut self) {
        self.health = None;
        self.kill_at = None;
    }

    /// Descriptors the loop polls for the check in flight.
    pub(super) fn health_fds(&self) -> [i32; 2] {
        self.health.as_ref().map_or([-1, -1], |r| r.fds())
    }

    /// Milliseconds until the health side needs the loop (None: never on its own).
    pub(super) fn health_timeout(&self, now: Instant) -> Option<i32> {
        let kill = self.kill_at.map(|t| {
            t.saturating_duration_since(now)
                .as_millis()
                .min(i32::MAX as u128) as i32
        });
        let check = self.health.as_ref().map(|r| r.timeout_ms(now));
        match (kill, check) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        }
    }

    /// Called on every turn of the loop while the container runs.
    pub(super) fn health_step(&mut self, pid: Pid) {
        let now = Instant::now();
        if self.kill_at.is_some_and(|t| now >= t) {
            self.kill_at = None;
            let _ = kill(pid, Signal::SIGKILL);
            self.event("kill", &[("signal", "9".into())]);
        }
        // No check starts in a frozen container (it would freeze too).
        let paused = self.health.as_ref().is_some_and(|r| r.due(now))
            && self
                .store
                .load_raw_state(&self.record.id)
                .is_ok_and(|s| s.status == Status::Paused);
        if paused {
            if let Some(r) = self.health.as_mut() {
                r.postpone(now);
            }
            return;
        }
        let cg = &self.cgroup;
        let Some(runner) = self.health.as_mut() else {
            return;
        };
        let join = |p: i32| cg.add_task(p).map_err(|e| e.to_string());
        let Some((result, began)) = runner.step(now, pid.as_raw(), join) else {
            return;
        };
        let cfg = runner.cfg.clone();
        let dir = self.paths.container_dir(&self.record.id);
        history::append(
            &dir,
            &Entry {
                time: result.end.clone(),
                kind: "check".into(),
                exit_code: Some(result.exit_code),
                text: result.output.clone(),
            },
        );
        let mut changed = None;
        let mut streak = 0;
        let _ = self.store.update_state(&self.record.id, |s| {
            let h = s.health.get_or_insert_with(Default::default);
            changed = h.apply(result, began, cfg.start_period, cfg.retries);
            streak = h.failing_streak;
            Ok(())
        });
        let Some(status) = changed else { return };
        self.event(&format!("health_status: {status}"), &[]);
        history::append(
            &dir,
            &Entry {
                time: now_rfc3339(),
                kind: "status".into(),
                exit_code: None,
                text: status.clone(),
            },
        );
        if status == UNHEALTHY {
            self.on_unhealthy(pid, streak);
        }
    }

    fn on_unhealthy(&mut self, pid: Pid, streak: u32) {
        let since_start = self
            .health
            .as_ref()
            .map_or(Duration::ZERO, |r| r.started.elapsed());
        let on_failure = policy::parse_on_failure(&self.record.host_config.health_on_failure)
            .ok()
            .flatten();
        let Some((action, by_autoheal)) = policy::decide(
            on_failure,
            &self.config.autoheal,
            &self.record.config.labels,
            since_start,
        ) else {
            return;
        };
        let why = format!("unhealthy after {streak} failures");
        let text = match (action, by_autoheal) {
            (Action::Restart, true) => format!("{why}, restarted by autoheal"),
            (Action::Restart, false) => format!("{why}, restarted (--health-on-failure restart)"),
            (Action::Stop, _) => format!("{why}, stopped (--health-on-failure stop)"),
            (Action::Kill, _) => format!("{why}, killed (--health-on-failure kill)"),
        };
        history::append(
            &self.paths.container_dir(&self.record.id),
            &Entry {
                time: now_rfc3339(),
                kind: "action".into(),
                exit_code: None,
                text: text.clone(),
            },
        );
        // The kill event says why, so a front end that sees only events (the TUI over
        // the engine interface, `berth events`) can tell an autoheal restart apart.
        match action {
            Action::Kill => {
                let _ = kill(pid, Signal::SIGKILL);
                self.event("kill", &[("signal", "9".into()), ("reason", text)]);
            }
            Action::Stop => {
                let _ = self.store.update_state(&self.record.id, |s| {
                    s.manually_stopped = true;
                    Ok(())
                });
                self.begin_stop(pid, text);
            }
            Action::Restart => {
                self.forced_restart = Some(if by_autoheal {
                    ForcedRestart::Autoheal
                } else {
                    ForcedRestart::OnFailure
                });
                self.begin_stop(pid, text);
            }
        }
    }

    /// The stop signal now, SIGKILL at the stop timeout (checked by `health_step`).
    fn begin_stop(&mut self, pid: Pid, reason: String) {
        let sig = self
            .record
            .config
            .stop_signal
            .as_deref()
            .and_then(|s| crate::signals::parse(s).ok())
            .unwrap_or(Signal::SIGTERM);
        let secs = self.record.config.stop_timeout.unwrap_or(10).max(0) as u64;
        let _ = kill(pid, sig);
        self.event(
            "kill",
            &[("signal", (sig as i32).to_string()), ("reason", reason)],
        );
        self.kill_at = Some(Instant::now() + Duration::from_secs(secs));
    }
}
