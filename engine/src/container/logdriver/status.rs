//! How a remote log driver is doing, kept in the container's run directory by its
//! shipper: `inspect` shows a failure or lost lines in `State.Error`, and a change
//! between delivering and failing is an event (`log_driver: failed`,
//! `log_driver: resumed`), so `events` and the TUI see it when it happens.

use std::path::PathBuf;

use serde::{Deserialize, Serialize};

use crate::container::ContainerRecord;
use crate::store::Paths;

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct DriverStatus {
    pub driver: String,
    /// The last delivery's error, while deliveries fail.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
    /// Lines sent.
    pub delivered: u64,
    /// Lines lost: buffers full, or the service still away when the container ended.
    pub dropped: u64,
}

impl DriverStatus {
    /// The words `inspect` shows, when there is something to say.
    pub fn describe(&self) -> Option<String> {
        let lost = (self.dropped > 0).then(|| format!("{} log lines dropped", self.dropped));
        match (&self.error, lost) {
            (Some(e), Some(l)) => Some(format!("log driver {}: {e} ({l})", self.driver)),
            (Some(e), None) => Some(format!("log driver {}: {e}", self.driver)),
            (None, Some(l)) => Some(format!("log driver {}: {l}", self.driver)),
            (None, None) => None,
        }
    }
}

fn path(paths: &Paths, id: &str) -> PathBuf {
    paths.container_run_dir(id).join("logdriver.json")
}

/// The status, if the container has a remote driver that has started.
pub fn read(paths: &Paths, id: &str) -> Option<DriverStatus> {
    let text = std::fs::read(path(paths, id)).ok()?;
    serde_json::from_slice(&text).ok()
}

/// Written whole and renamed into place, so a reader never sees half of it.
fn write(paths: &Paths, id: &str, s: &DriverStatus) {
    let p = path(paths, id);
    let tmp = p.with_extension("json.tmp");
    if let Ok(bytes) = serde_json::to_vec(s) {
        if std::fs::write(&tmp, bytes).is_ok() {
            let _ = std::fs::rename(&tmp, &p);
        }
    }
}

/// The shipper's side: keeps the file current and sends an event on each change
/// between delivering and failing (not on every retry).
pub struct Reporter {
    paths: Paths,
    record: ContainerRecord,
    status: DriverStatus,
}

impl Reporter {
    pub fn new(paths: Paths, record: ContainerRecord, driver: &str) -> Reporter {
        let id = record.id.clone();
        // A restarted shipper (a new monitor after `start`) goes on counting.
        let status = read(&paths, &id)
            .filter(|s| s.driver == driver)
            .unwrap_or_else(|| DriverStatus {
                driver: driver.to_string(),
                ..Default::default()
            });
        let r = Reporter {
            paths,
            record,
            status,
        };
        write(&r.paths, &r.record.id, &r.status);
        r
    }

    pub fn status(&self) -> &DriverStatus {
        &self.status
    }

    pub fn delivered(&mut self, lines: u64) {
        self.status.delivered += lines;
        if self.status.error.take().is_some() {
            self.event("log_driver: resumed", &[]);
        }
        write(&self.paths, &self.record.id, &self.status);
    }

    pub fn failed(&mut self, error: &str) {
        let first = self.status.error.is_none();
        self.status.error = Some(error.to_string());
        if first {
            self.event("log_driver: failed", &[("error", error.to_string())]);
        }
        write(&self.paths, &self.record.id, &self.status);
    }

    /// The total dropped so far (counted by the queue and the monitor's pipe).
    pub fn set_dropped(&mut self, total: u64) {
        if total != self.status.dropped {
            self.status.dropped = total;
            write(&self.paths, &self.record.id, &self.status);
        }
    }

    fn event(&mut self, action: &str, extra: &[(&str, String)]) {
        let mut attrs = vec![("driver", self.status.driver.clone())];
        attrs.extend(extra.iter().cloned());
        // Under its current name: the container may have been renamed.
        if let Ok(c) =
            crate::container::store::ContainerStore::new(&self.paths).load(&self.record.id)
        {
            self.record.name = c.record.name;
        }
        crate::events::container_event(&self.paths, &self.record, action, &attrs);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn inspect_words() {
        let mut s = DriverStatus {
            driver: "awslogs".into(),
            ..Default::default()
        };
        assert_eq!(s.describe(), None);
        s.dropped = 3;
        assert_eq!(
            s.describe().unwrap(),
            "log driver awslogs: 3 log lines dropped"
        );
        s.error = Some("PutLogEvents: connection refused".into());
        assert_eq!(
            s.describe().unwrap(),
            "log driver awslogs: PutLogEvents: connection refused (3 log lines dropped)"
        );
    }
}
