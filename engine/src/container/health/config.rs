//! A container's healthcheck, as Docker stores it (`Config.Healthcheck`: `Test`,
//! `Interval`, `Timeout`, `StartPeriod`, `StartInterval` in nanoseconds, `Retries`),
//! and the settings the monitor runs it with, Docker's defaults filled in.

use std::time::Duration;

use serde_json::{json, Value};

pub const DEFAULT_INTERVAL: Duration = Duration::from_secs(30);
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(30);
pub const DEFAULT_START_INTERVAL: Duration = Duration::from_secs(5);
pub const DEFAULT_RETRIES: u32 = 3;

/// What the monitor runs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HealthConfig {
    /// The command: `CMD` args as given, `CMD-SHELL` through `/bin/sh -c`.
    pub argv: Vec<String>,
    pub interval: Duration,
    pub timeout: Duration,
    pub start_period: Duration,
    pub start_interval: Duration,
    pub retries: u32,
}

fn dur(v: &Value, default: Duration) -> Duration {
    match v.as_i64() {
        Some(n) if n > 0 => Duration::from_nanos(n as u64),
        _ => default,
    }
}

impl HealthConfig {
    /// None when there is no check (`NONE`, no test, or none configured).
    pub fn from_json(h: Option<&Value>) -> Option<HealthConfig> {
        let h = h?;
        let test: Vec<String> = h["Test"]
            .as_array()?
            .iter()
            .filter_map(|v| v.as_str().map(String::from))
            .collect();
        let argv = match test.first().map(String::as_str) {
            Some("CMD") if test.len() > 1 => test[1..].to_vec(),
            Some("CMD-SHELL") if test.len() > 1 => {
                vec!["/bin/sh".into(), "-c".into(), test[1..].join(" ")]
            }
            _ => return None,
        };
        Some(HealthConfig {
            argv,
            interval: dur(&h["Interval"], DEFAULT_INTERVAL),
            timeout: dur(&h["Timeout"], DEFAULT_TIMEOUT),
            start_period: dur(&h["StartPeriod"], Duration::ZERO),
            start_interval: dur(&h["StartInterval"], DEFAULT_START_INTERVAL),
            retries: h["Retries"]
                .as_u64()
                .filter(|r| *r > 0)
                .map_or(DEFAULT_RETRIES, |r| r as u32),
        })
    }

    /// The wait before the next check: the start interval while in the start period.
    pub fn next_interval(&self, since_start: Duration) -> Duration {
        if !self.start_period.is_zero() && since_start < self.start_period {
            self.start_interval
        } else {
            self.interval
        }
    }
}

/// The `--health-*` flags of run/create.
#[derive(Debug, Default, Clone)]
pub struct HealthFlags {
    pub cmd: Option<String>,
    /// The whole test as the API gives it (`["CMD", "curl", ...]`); wins over `cmd`.
    pub test: Option<Vec<String>>,
    pub interval: Option<Duration>,
    pub timeout: Option<Duration>,
    pub start_period: Option<Duration>,
    pub start_interval: Option<Duration>,
    pub retries: Option<u32>,
    pub none: bool,
}

impl HealthFlags {
    pub fn is_empty(&self) -> bool {
        self.cmd.is_none()
            && self.test.is_none()
            && self.interval.is_none()
            && self.timeout.is_none()
            && self.start_period.is_none()
            && self.start_interval.is_none()
            && self.retries.is_none()
            && !self.none
    }

    /// The container's Healthcheck: the image's with the flags laid over it, as Docker
    /// merges them. `--no-healthcheck` gives `{"Test": ["NONE"]}`.
    pub fn merge(&self, image: Option<&Value>) -> Result<Option<Value>, String> {
        if self.none {
            if self.cmd.is_some() || self.test.is_some() {
                return Err("--no-healthcheck conflicts with --health-* options".into());
            }
            return Ok(Some(json!({"Test": ["NONE"]})));
        }
        if self.is_empty() {
            return Ok(image.cloned());
        }
        let mut h = image.cloned().unwrap_or_else(|| json!({}));
        if let Some(c) = &self.cmd {
            h["Test"] = json!(["CMD-SHELL", c]);
        }
        if let Some(t) = &self.test {
            h["Test"] = json!(t);
        }
        if h["Test"].is_null() {
            return Err("--health-* options need a health command: give --health-cmd, or use an image with a HEALTHCHECK".into());
        }
        let ns = |d: Duration| json!(d.as_nanos() as u64);
        if let Some(d) = self.interval {
            h["Interval"] = ns(d);
        }
        if let Some(d) = self.timeout {
            h["Timeout"] = ns(d);
        }
        if let Some(d) = self.start_period {
            h["StartPeriod"] = ns(d);
        }
        if let Some(d) = self.start_interval {
            h["StartInterval"] = ns(d);
        }
        if let Some(r) = self.retries {
            h["Retries"] = json!(r);
        }
        Ok(Some(h))
    }
}

/// Go's duration formatting for the whole seconds and milliseconds Docker prints
/// (`30s`, `1m30s`, `500ms`).
pub fn go_duration(d: Duration) -> String {
    let ms = d.as_millis();
    if ms < 1000 {
        return format!("{ms}ms");
    }
    let secs = d.as_secs_f64();
    let (h, m) = ((secs / 3600.0) as u64, ((secs % 3600.0) / 60.0) as u64);
    let s = secs % 60.0;
    let s = if s.fract() == 0.0 {
        format!("{}", s as u64)
    } else {
        format!("{s}")
    };
    match (h, m) {
        (0, 0) => format!("{s}s"),
        (0, m) => format!("{m}m{s}s"),
        (h, m) => format!("{h}h{m}m{s}s"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn docker_defaults_and_forms() {
        let h =
            HealthConfig::from_json(Some(&json!({"Test": ["CMD-SHELL", "test -f /ok"]}))).unwrap();
        assert_eq!(h.argv, ["/bin/sh", "-c", "test -f /ok"]);
        assert_eq!(
            (h.interval, h.timeout, h.retries),
            (DEFAULT_INTERVAL, DEFAULT_TIMEOUT, 3)
        );
        let h = HealthConfig::from_json(Some(
            &json!({"Test": ["CMD", "true"], "Interval": 100_000_000, "Retries": 5}),
        ))
        .unwrap();
        assert_eq!(
            (h.argv[0].as_str(), h.interval, h.retries),
            ("true", Duration::from_millis(100), 5)
        );
        assert!(HealthConfig::from_json(Some(&json!({"Test": ["NONE"]}))).is_none());
        assert!(HealthConfig::from_json(None).is_none());
        let sp = HealthConfig {
            start_period: Duration::from_secs(10),
            ..h.clone()
        };
        assert_eq!(
            sp.next_interval(Duration::from_secs(1)),
            DEFAULT_START_INTERVAL
        );
        assert_eq!(sp.next_interval(Duration::from_secs(11)), h.interval);
    }

    #[test]
    fn flags_lay_over_the_image() {
        let image = json!({"Test": ["CMD", "true"], "Interval": 5});
        let f = HealthFlags {
            retries: Some(2),
            ..Default::default()
        };
        let m = f.merge(Some(&image)).unwrap().unwrap();
        assert_eq!(
            (
                m["Test"][1].as_str(),
                m["Interval"].as_i64(),
                m["Retries"].as_i64()
            ),
            (Some("true"), Some(5), Some(2))
        );
        let none = HealthFlags {
            none: true,
            ..Default::default()
        };
        assert_eq!(
            none.merge(Some(&image)).unwrap().unwrap()["Test"][0],
            "NONE"
        );
        assert!(HealthFlags {
            retries: Some(2),
            ..Default::default()
        }
        .merge(None)
        .is_err());
        assert_eq!(go_duration(Duration::from_secs(30)), "30s");
        assert_eq!(go_duration(Duration::from_millis(1500)), "1.5s");
        assert_eq!(go_duration(Duration::from_secs(90)), "1m30s");
        assert_eq!(go_duration(Duration::from_millis(200)), "200ms");
    }
}
