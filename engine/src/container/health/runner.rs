//! The monitor's health loop, as data it polls: when the next check is due, the check
//! in flight, and what its fds are. Checks never pile up: the next one is scheduled an
//! interval after the previous one ended.

use std::os::fd::RawFd;
use std::time::{Duration, Instant};

use super::config::HealthConfig;
use super::probe::Probe;
use super::state::HealthResult;
use crate::container::model::ContainerRecord;
use crate::container::now_rfc3339;
use crate::runtime::spec::ProcessSpec;

pub struct Runner {
    pub cfg: HealthConfig,
    spec: ProcessSpec,
    probe: Option<Probe>,
    next: Instant,
    /// When this run of the container started.
    pub started: Instant,
}

impl Runner {
    /// None when the container has no healthcheck.
    pub fn new(rec: &ContainerRecord) -> Option<Runner> {
        let cfg = HealthConfig::from_json(rec.config.healthcheck.as_ref())?;
        let spec = ProcessSpec::exec_in(rec, cfg.argv.clone()).ok()?;
        let now = Instant::now();
        Some(Runner {
            next: now + cfg.next_interval(Duration::ZERO),
            cfg,
            spec,
            probe: None,
            started: now,
        })
    }

    pub fn fds(&self) -> [RawFd; 2] {
        self.probe.as_ref().map_or([-1, -1], |p| p.fds())
    }

    /// Milliseconds until the runner needs a look without any fd event.
    pub fn timeout_ms(&self, now: Instant) -> i32 {
        let at = match &self.probe {
            Some(p) => p.deadline(),
            None => self.next,
        };
        at.saturating_duration_since(now)
            .as_millis()
            .min(i32::MAX as u128) as i32
    }

    /// Start a due check, or collect the one in flight. Returns a finished result and
    /// how long after the container's start that check began.
    pub fn step(
        &mut self,
        now: Instant,
        init_pid: i32,
        join_cgroup: impl FnOnce(i32) -> Result<(), String>,
    ) -> Option<(HealthResult, Duration)> {
        if let Some(p) = &mut self.probe {
            let r = p.poll(now)?;
            let began = p.started.saturating_duration_since(self.started);
            self.probe = None;
            self.next = now + self.cfg.next_interval(now - self.started);
            return Some((r, began));
        }
        if now < self.next {
            return None;
        }
        match Probe::spawn(init_pid, &self.spec, self.cfg.timeout, join_cgroup) {
            Ok(p) => {
                self.probe = Some(p);
                None
            }
            Err(e) => {
                // A check that cannot even start is a failed check, as in Docker.
                self.next = now + self.cfg.next_interval(now - self.started);
                let stamp = now_rfc3339();
                Some((
                    HealthResult {
                        start: stamp.clone(),
                        end: stamp,
                        exit_code: -1,
                        output: e,
                    },
                    now - self.started,
                ))
            }
        }
    }
}

impl Runner {
    /// A check is due and none is in flight.
    pub fn due(&self, now: Instant) -> bool {
        self.probe.is_none() && now >= self.next
    }

    /// Skip this turn (the container is paused): look again in a second.
    pub fn postpone(&mut self, now: Instant) {
        self.next = now + Duration::from_secs(1);
    }
}
