//! `State.Health` in Docker's shape, and how one check's result changes it (Docker's
//! rules: a pass makes the container healthy and resets the streak; a failure counts
//! toward `retries` unless the container is still starting within its start period).

use std::time::Duration;

use serde::{Deserialize, Serialize};

/// Docker keeps the last five results, each with at most 4096 bytes of output.
pub const MAX_LOG_ENTRIES: usize = 5;
pub const MAX_OUTPUT: usize = 4096;

pub const STARTING: &str = "starting";
pub const HEALTHY: &str = "healthy";
pub const UNHEALTHY: &str = "unhealthy";

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct HealthResult {
    pub start: String,
    pub end: String,
    pub exit_code: i32,
    pub output: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct Health {
    pub status: String,
    pub failing_streak: u32,
    pub log: Vec<HealthResult>,
}

impl Default for Health {
    fn default() -> Self {
        Health {
            status: STARTING.into(),
            failing_streak: 0,
            log: Vec::new(),
        }
    }
}

impl Health {
    /// A new run of the container: starting again, the streak forgotten, the log kept
    /// (it shows what led to a restart).
    pub fn restarted(&self) -> Health {
        Health {
            status: STARTING.into(),
            failing_streak: 0,
            log: self.log.clone(),
        }
    }

    /// Apply one result. `since_start` is how long after the container's start the check
    /// began. Returns the new status when it changed.
    pub fn apply(
        &mut self,
        r: HealthResult,
        since_start: Duration,
        start_period: Duration,
        retries: u32,
    ) -> Option<String> {
        let before = self.status.clone();
        if r.exit_code == 0 {
            self.failing_streak = 0;
            self.status = HEALTHY.into();
        } else {
            let grace = self.status == STARTING && since_start < start_period;
            if !grace {
                self.failing_streak += 1;
                if self.failing_streak >= retries {
                    self.status = UNHEALTHY.into();
                }
            }
        }
        self.log.push(r);
        if self.log.len() > MAX_LOG_ENTRIES {
            let extra = self.log.len() - MAX_LOG_ENTRIES;
            self.log.drain(..extra);
        }
        (self.status != before).then(|| self.status.clone())
    }
}

/// Output as Docker keeps it: the first 4096 bytes, as text.
pub fn cap_output(bytes: &[u8]) -> String {
    String::from_utf8_lossy(&bytes[..bytes.len().min(MAX_OUTPUT)]).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn r(code: i32) -> HealthResult {
        HealthResult {
            start: String::new(),
            end: String::new(),
            exit_code: code,
            output: String::new(),
        }
    }

    #[test]
    fn starting_healthy_then_unhealthy_after_exactly_retries_failures() {
        let mut h = Health::default();
        let t = Duration::from_secs(100);
        assert_eq!(
            h.apply(r(0), t, Duration::ZERO, 3).as_deref(),
            Some(HEALTHY)
        );
        assert_eq!(h.apply(r(1), t, Duration::ZERO, 3), None);
        assert_eq!(h.apply(r(1), t, Duration::ZERO, 3), None);
        assert_eq!(h.status, HEALTHY);
        assert_eq!(
            h.apply(r(1), t, Duration::ZERO, 3).as_deref(),
            Some(UNHEALTHY)
        );
        assert_eq!(h.failing_streak, 3);
        for _ in 0..4 {
            h.apply(r(2), t, Duration::ZERO, 3);
        }
        assert_eq!(h.log.len(), MAX_LOG_ENTRIES);
        assert_eq!(
            h.apply(r(0), t, Duration::ZERO, 3).as_deref(),
            Some(HEALTHY)
        );
        assert_eq!(h.failing_streak, 0);
        let again = h.restarted();
        assert_eq!((again.status.as_str(), again.log.len()), (STARTING, 5));
    }

    #[test]
    fn failures_in_the_start_period_do_not_count_until_a_pass() {
        let mut h = Health::default();
        let sp = Duration::from_secs(10);
        for _ in 0..5 {
            h.apply(r(1), Duration::from_secs(1), sp, 2);
        }
        assert_eq!((h.status.as_str(), h.failing_streak), (STARTING, 0));
        // After the start period they do.
        h.apply(r(1), Duration::from_secs(11), sp, 2);
        assert_eq!(
            h.apply(r(1), Duration::from_secs(12), sp, 2).as_deref(),
            Some(UNHEALTHY)
        );
        assert_eq!(cap_output(&[b'x'; 5000]).len(), MAX_OUTPUT);
    }
}
