//! The flags `service create` and `service update` share (Docker's `addServiceFlags`),
//! each read into the value Docker's client puts in the spec: durations in
//! nanoseconds, CPUs in nano CPUs, sizes in bytes. A flag left out is `None`, which is
//! how `update` knows what to leave alone (Docker's `flags.Changed`).

use bollard::models as m;
use clap::Args;

use crate::format::duration::parse_duration;
use crate::format::size::parse_size;

#[derive(Args, Debug, Default, Clone)]
pub struct ServiceFlags {
    /// Exit immediately instead of waiting for the service to converge
    #[arg(short = 'd', long)]
    pub detach: bool,
    /// Suppress progress output
    #[arg(short = 'q', long)]
    pub quiet: bool,
    /// Working directory inside the container
    #[arg(short = 'w', long)]
    pub workdir: Option<String>,
    /// Username or UID (format: <name|uid>[:<group|gid>])
    #[arg(short = 'u', long)]
    pub user: Option<String>,
    /// Container hostname
    #[arg(long)]
    pub hostname: Option<String>,
    /// Overwrite the default ENTRYPOINT of the image
    #[arg(long, value_parser = shell_words, allow_hyphen_values = true)]
    pub entrypoint: Option<Words>,
    /// Add Linux capabilities
    #[arg(long = "cap-add")]
    pub cap_add: Vec<String>,
    /// Drop Linux capabilities
    #[arg(long = "cap-drop")]
    pub cap_drop: Vec<String>,
    /// Limit CPUs
    #[arg(long = "limit-cpu", value_parser = nano_cpus)]
    pub limit_cpu: Option<i64>,
    /// Limit Memory
    #[arg(long = "limit-memory", value_parser = mem_bytes)]
    pub limit_memory: Option<i64>,
    /// Limit maximum number of processes (default 0 = unlimited)
    #[arg(long = "limit-pids")]
    pub limit_pids: Option<i64>,
    /// Reserve CPUs
    #[arg(long = "reserve-cpu", value_parser = nano_cpus)]
    pub reserve_cpu: Option<i64>,
    /// Reserve Memory
    #[arg(long = "reserve-memory", value_parser = mem_bytes)]
    pub reserve_memory: Option<i64>,
    /// Time to wait before force killing a container (ns|us|ms|s|m|h) (default 10s)
    #[arg(long = "stop-grace-period", value_parser = duration_ns)]
    pub stop_grace_period: Option<i64>,
    /// Number of tasks
    #[arg(long, value_parser = go_uint)]
    pub replicas: Option<u64>,
    /// Maximum number of tasks per node (default 0 = unlimited)
    #[arg(long = "replicas-max-per-node", value_parser = go_uint)]
    pub replicas_max_per_node: Option<u64>,
    /// Restart when condition is met ("none", "on-failure", "any") (default "any")
    #[arg(long = "restart-condition", value_parser = restart_condition)]
    pub restart_condition: Option<m::TaskSpecRestartPolicyConditionEnum>,
    /// Delay between restart attempts (ns|us|ms|s|m|h) (default 5s)
    #[arg(long = "restart-delay", value_parser = duration_ns)]
    pub restart_delay: Option<i64>,
    /// Maximum number of restarts before giving up
    #[arg(long = "restart-max-attempts", value_parser = go_uint)]
    pub restart_max_attempts: Option<u64>,
    /// Window used to evaluate the restart policy (ns|us|ms|s|m|h)
    #[arg(long = "restart-window", value_parser = duration_ns)]
    pub restart_window: Option<i64>,
    #[command(flatten)]
    pub update: UpdateFlags,
    #[command(flatten)]
    pub rollback: RollbackFlags,
    /// Endpoint mode (vip or dnsrr) (default "vip")
    #[arg(long = "endpoint-mode", value_parser = endpoint_mode)]
    pub endpoint_mode: Option<m::EndpointSpecModeEnum>,
    /// Send registry authentication details to swarm agents
    #[arg(long = "with-registry-auth")]
    pub with_registry_auth: bool,
    /// Do not query the registry to resolve image digest and supported platforms
    #[arg(long = "no-resolve-image")]
    pub no_resolve_image: bool,
    /// Logging driver for service
    #[arg(long = "log-driver")]
    pub log_driver: Option<String>,
    /// Logging driver options
    #[arg(long = "log-opt")]
    pub log_opt: Vec<String>,
    /// Command to run to check health
    #[arg(long = "health-cmd")]
    pub health_cmd: Option<String>,
    /// Time between running the check (ms|s|m|h)
    #[arg(long = "health-interval", value_parser = positive_ns)]
    pub health_interval: Option<i64>,
    /// Maximum time to allow one check to run (ms|s|m|h)
    #[arg(long = "health-timeout", value_parser = positive_ns)]
    pub health_timeout: Option<i64>,
    /// Consecutive failures needed to report unhealthy
    #[arg(long = "health-retries")]
    pub health_retries: Option<i64>,
    /// Start period for the container to initialize before counting retries towards unstable (ms|s|m|h)
    #[arg(long = "health-start-period", value_parser = positive_ns)]
    pub health_start_period: Option<i64>,
    /// Time between running the check during the start period (ms|s|m|h)
    #[arg(long = "health-start-interval", value_parser = positive_ns)]
    pub health_start_interval: Option<i64>,
    /// Disable any container-specified HEALTHCHECK
    #[arg(long = "no-healthcheck")]
    pub no_healthcheck: bool,
    /// Allocate a pseudo-TTY
    #[arg(short = 't', long, num_args = 0..=1, require_equals = true, default_missing_value = "true")]
    pub tty: Option<bool>,
    /// Mount the container's root filesystem as read only
    #[arg(long = "read-only", num_args = 0..=1, require_equals = true, default_missing_value = "true")]
    pub read_only: Option<bool>,
    /// Signal to stop the container
    #[arg(long = "stop-signal")]
    pub stop_signal: Option<String>,
    /// Service container isolation mode
    #[arg(long)]
    pub isolation: Option<String>,
}

/// `--update-*`.
#[derive(Args, Debug, Default, Clone)]
pub struct UpdateFlags {
    /// Maximum number of tasks updated simultaneously (0 to update all at once) (default 1)
    #[arg(id = "update-parallelism", long = "update-parallelism", value_parser = go_uint)]
    pub parallelism: Option<u64>,
    /// Delay between updates (ns|us|ms|s|m|h) (default 0s)
    #[arg(id = "update-delay", long = "update-delay", value_parser = duration_ns)]
    pub delay: Option<i64>,
    /// Duration after each task update to monitor for failure (ns|us|ms|s|m|h) (default 5s)
    #[arg(id = "update-monitor", long = "update-monitor", value_parser = duration_ns)]
    pub monitor: Option<i64>,
    /// Action on update failure ("pause", "continue", "rollback") (default "pause")
    #[arg(id = "update-failure-action", long = "update-failure-action", value_parser = ["pause", "continue", "rollback"])]
    pub failure_action: Option<String>,
    /// Failure rate to tolerate during an update (default 0)
    #[arg(id = "update-max-failure-ratio", long = "update-max-failure-ratio")]
    pub max_failure_ratio: Option<f32>,
    /// Update order ("start-first", "stop-first") (default "stop-first")
    #[arg(id = "update-order", long = "update-order", value_parser = ["start-first", "stop-first"])]
    pub order: Option<String>,
}

/// `--rollback-*`.
#[derive(Args, Debug, Default, Clone)]
pub struct RollbackFlags {
    /// Maximum number of tasks rolled back simultaneously (0 to roll back all at once) (default 1)
    #[arg(id = "rollback-parallelism", long = "rollback-parallelism", value_parser = go_uint)]
    pub parallelism: Option<u64>,
    /// Delay between task rollbacks (ns|us|ms|s|m|h) (default 0s)
    #[arg(id = "rollback-delay", long = "rollback-delay", value_parser = duration_ns)]
    pub delay: Option<i64>,
    /// Duration after each task rollback to monitor for failure (ns|us|ms|s|m|h) (default 5s)
    #[arg(id = "rollback-monitor", long = "rollback-monitor", value_parser = duration_ns)]
    pub monitor: Option<i64>,
    /// Action on rollback failure ("pause", "continue") (default "pause")
    #[arg(id = "rollback-failure-action", long = "rollback-failure-action", value_parser = ["pause", "continue"])]
    pub failure_action: Option<String>,
    /// Failure rate to tolerate during a rollback (default 0)
    #[arg(id = "rollback-max-failure-ratio", long = "rollback-max-failure-ratio")]
    pub max_failure_ratio: Option<f32>,
    /// Rollback order ("start-first", "stop-first") (default "stop-first")
    #[arg(id = "rollback-order", long = "rollback-order", value_parser = ["start-first", "stop-first"])]
    pub order: Option<String>,
}

/// An update or rollback config's flags, whichever they came from.
pub struct UpdatePolicy<'a> {
    pub parallelism: Option<u64>,
    pub delay: Option<i64>,
    pub monitor: Option<i64>,
    pub failure_action: Option<&'a str>,
    pub max_failure_ratio: Option<f32>,
    pub order: Option<&'a str>,
}

impl UpdateFlags {
    pub fn policy(&self) -> UpdatePolicy<'_> {
        UpdatePolicy {
            parallelism: self.parallelism,
            delay: self.delay,
            monitor: self.monitor,
            failure_action: self.failure_action.as_deref(),
            max_failure_ratio: self.max_failure_ratio,
            order: self.order.as_deref(),
        }
    }
}

impl RollbackFlags {
    pub fn policy(&self) -> UpdatePolicy<'_> {
        UpdatePolicy {
            parallelism: self.parallelism,
            delay: self.delay,
            monitor: self.monitor,
            failure_action: self.failure_action.as_deref(),
            max_failure_ratio: self.max_failure_ratio,
            order: self.order.as_deref(),
        }
    }
}

/// swarmkit's defaults for an update (and a rollback): one task at a time, pause on
/// failure, 5 s of monitoring, the old task stopped first.
pub const DEFAULT_MONITOR_NS: i64 = 5_000_000_000;

/// The config as Docker's client makes it: untouched unless one of its flags was given,
/// then the existing config (or swarmkit's defaults) with the given values.
pub fn update_config(
    existing: Option<m::ServiceSpecUpdateConfig>,
    p: &UpdatePolicy,
) -> Option<m::ServiceSpecUpdateConfig> {
    if !p.any() {
        return existing;
    }
    let mut c = existing.unwrap_or(m::ServiceSpecUpdateConfig {
        parallelism: Some(1),
        delay: None,
        failure_action: Some(m::ServiceSpecUpdateConfigFailureActionEnum::PAUSE),
        monitor: Some(DEFAULT_MONITOR_NS),
        max_failure_ratio: Some(0.0),
        order: Some(m::ServiceSpecUpdateConfigOrderEnum::STOP_FIRST),
    });
    if let Some(n) = p.parallelism {
        c.parallelism = Some(n as i64);
    }
    if let Some(d) = p.delay {
        c.delay = (d != 0).then_some(d);
    }
    if let Some(d) = p.monitor {
        c.monitor = (d != 0).then_some(d);
    }
    if let Some(a) = p.failure_action {
        c.failure_action = a.parse().ok();
    }
    if let Some(r) = p.max_failure_ratio {
        c.max_failure_ratio = Some(f64::from(r));
    }
    if let Some(o) = p.order {
        c.order = o.parse().ok();
    }
    Some(c)
}

/// The same for the rollback config (its own model, the same fields).
pub fn rollback_config(
    existing: Option<m::ServiceSpecRollbackConfig>,
    p: &UpdatePolicy,
) -> Option<m::ServiceSpecRollbackConfig> {
    let as_update = existing.map(|c| m::ServiceSpecUpdateConfig {
        parallelism: c.parallelism,
        delay: c.delay,
        failure_action: c.failure_action.and_then(|a| a.to_string().parse().ok()),
        monitor: c.monitor,
        max_failure_ratio: c.max_failure_ratio,
        order: c.order.and_then(|o| o.to_string().parse().ok()),
    });
    update_config(as_update, p).map(|c| m::ServiceSpecRollbackConfig {
        parallelism: c.parallelism,
        delay: c.delay,
        failure_action: c.failure_action.and_then(|a| a.to_string().parse().ok()),
        monitor: c.monitor,
        max_failure_ratio: c.max_failure_ratio,
        order: c.order.and_then(|o| o.to_string().parse().ok()),
    })
}

impl UpdatePolicy<'_> {
    fn any(&self) -> bool {
        self.parallelism.is_some()
            || self.delay.is_some()
            || self.monitor.is_some()
            || self.failure_action.is_some()
            || self.max_failure_ratio.is_some()
            || self.order.is_some()
    }
}

impl ServiceFlags {
    /// The restart policy as Docker's client makes it: untouched unless a
    /// `--restart-*` flag was given, then swarmkit's defaults (any, 5 s, no limit) or
    /// the existing policy, with the given values.
    pub fn restart_policy(
        &self,
        existing: Option<m::TaskSpecRestartPolicy>,
    ) -> Option<m::TaskSpecRestartPolicy> {
        let any = self.restart_condition.is_some()
            || self.restart_delay.is_some()
            || self.restart_max_attempts.is_some()
            || self.restart_window.is_some();
        if !any {
            return existing;
        }
        let mut p = existing.unwrap_or(m::TaskSpecRestartPolicy {
            condition: Some(m::TaskSpecRestartPolicyConditionEnum::ANY),
            delay: Some(5_000_000_000),
            max_attempts: Some(0),
            window: None,
        });
        if let Some(c) = self.restart_condition {
            p.condition = Some(c);
        }
        if let Some(d) = self.restart_delay {
            p.delay = Some(d);
        }
        if let Some(n) = self.restart_max_attempts {
            p.max_attempts = Some(n as i64);
        }
        if let Some(w) = self.restart_window {
            p.window = Some(w);
        }
        Some(p)
    }

    fn health_given(&self) -> bool {
        self.health_cmd.is_some()
            || self.health_interval.is_some()
            || self.health_timeout.is_some()
            || self.health_retries.is_some()
            || self.health_start_period.is_some()
            || self.health_start_interval.is_some()
    }

    /// `create`'s health check (Docker's `toHealthConfig`).
    pub fn health_config(&self) -> Result<Option<m::HealthConfig>, String> {
        let given = self.health_given();
        if self.no_healthcheck {
            if given {
                return Err("--no-healthcheck conflicts with --health-* options".into());
            }
            return Ok(Some(m::HealthConfig {
                test: Some(vec!["NONE".into()]),
                ..Default::default()
            }));
        }
        if !given {
            return Ok(None);
        }
        let nonzero = |v: Option<i64>| v.filter(|n| *n != 0);
        Ok(Some(m::HealthConfig {
            test: self
                .health_cmd
                .as_ref()
                .filter(|c| !c.is_empty())
                .map(|c| vec!["CMD-SHELL".to_string(), c.clone()]),
            interval: nonzero(self.health_interval),
            timeout: nonzero(self.health_timeout),
            retries: nonzero(self.health_retries),
            start_period: nonzero(self.health_start_period),
            start_interval: nonzero(self.health_start_interval),
        }))
    }

    /// `update`'s health check (Docker's `updateHealthcheck`): the given values on the
    /// existing check.
    pub fn update_health(
        &self,
        existing: Option<m::HealthConfig>,
    ) -> Result<Option<m::HealthConfig>, String> {
        if !self.no_healthcheck && !self.health_given() {
            return Ok(existing);
        }
        if self.no_healthcheck {
            if self.health_given() {
                return Err("--no-healthcheck conflicts with --health-* options".into());
            }
            return Ok(Some(m::HealthConfig {
                test: Some(vec!["NONE".into()]),
                ..Default::default()
            }));
        }
        let mut h = existing.unwrap_or_default();
        if h.test.as_ref().and_then(|t| t.first()).map(String::as_str) == Some("NONE") {
            h.test = None;
        }
        let set = |field: &mut Option<i64>, v: Option<i64>| {
            if let Some(v) = v {
                *field = (v != 0).then_some(v);
            }
        };
        set(&mut h.interval, self.health_interval);
        set(&mut h.timeout, self.health_timeout);
        set(&mut h.start_period, self.health_start_period);
        set(&mut h.retries, self.health_retries);
        if let Some(c) = &self.health_cmd {
            h.test = (!c.is_empty()).then(|| vec!["CMD-SHELL".to_string(), c.clone()]);
        }
        Ok(Some(h))
    }

    /// `--log-driver` with its `--log-opt`s.
    pub fn log_driver(&self) -> Option<m::TaskSpecLogDriver> {
        let name = self.log_driver.clone().filter(|n| !n.is_empty())?;
        Some(m::TaskSpecLogDriver {
            name: Some(name),
            options: Some(kv_map(&self.log_opt)),
        })
    }
}

/// `KEY=VALUE` strings as a map (`KEY` alone maps to "").
pub fn kv_map(items: &[String]) -> std::collections::HashMap<String, String> {
    items
        .iter()
        .map(|l| {
            let (k, v) = l.split_once('=').unwrap_or((l, ""));
            (k.to_string(), v.to_string())
        })
        .collect()
}

/// A shell-split value (`--entrypoint`, `--args`).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Words(pub Vec<String>);

/// google/shlex's split, which Docker's `ShlexOpt` uses: spaces separate, quotes
/// group, a backslash escapes (not inside single quotes), `#` starts a comment.
pub fn shell_words(s: &str) -> Result<Words, String> {
    let mut out = Vec::new();
    let mut cur = String::new();
    let mut started = false;
    let mut chars = s.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            c if c.is_whitespace() => {
                if started {
                    out.push(std::mem::take(&mut cur));
                    started = false;
                }
            }
            '#' if !started => break,
            '\\' => {
                started = true;
                match chars.next() {
                    Some(n) => cur.push(n),
                    None => return Err("EOF found after escape character".into()),
                }
            }
            '\'' => {
                started = true;
                loop {
                    match chars.next() {
                        Some('\'') => break,
                        Some(n) => cur.push(n),
                        None => return Err("EOF found when expecting closing quote".into()),
                    }
                }
            }
            '"' => {
                started = true;
                loop {
                    match chars.next() {
                        Some('"') => break,
                        Some('\\') => match chars.next() {
                            Some(n) => cur.push(n),
                            None => return Err("EOF found after escape character".into()),
                        },
                        Some(n) => cur.push(n),
                        None => return Err("EOF found when expecting closing quote".into()),
                    }
                }
            }
            c => {
                started = true;
                cur.push(c);
            }
        }
    }
    if started {
        out.push(cur);
    }
    Ok(Words(out))
}

/// A Go duration (`time.ParseDuration`) in nanoseconds.
pub fn duration_ns(s: &str) -> Result<i64, String> {
    let d = parse_duration(s).map_err(|e| e.to_string())?;
    d.num_nanoseconds()
        .ok_or_else(|| format!("time: invalid duration \"{s}\""))
}

/// Docker's `PositiveDurationOpt`: a duration that is not negative.
pub fn positive_ns(s: &str) -> Result<i64, String> {
    let ns = duration_ns(s)?;
    if ns < 0 {
        return Err(format!("duration cannot be negative: {s}"));
    }
    Ok(ns)
}

/// Docker's `NanoCPUs`: a rational number of CPUs, in billionths.
pub fn nano_cpus(s: &str) -> Result<i64, String> {
    let v: f64 = s
        .parse()
        .ok()
        .filter(|v: &f64| v.is_finite())
        .ok_or_else(|| format!("failed to parse {s} as a rational number"))?;
    let nano = v * 1e9;
    if (nano - nano.round()).abs() > 1e-6 {
        return Err("value is too precise".into());
    }
    Ok(nano.round() as i64)
}

/// Docker's `MemBytes`: `50M`, `1g`, `512` (go-units `RAMInBytes`).
pub fn mem_bytes(s: &str) -> Result<i64, String> {
    parse_size(s).map_err(|e| e.to_string())
}

/// Go's `strconv.ParseUint(s, 0, 64)`: decimal, `0x` hex, `0o`/leading-0 octal, `0b`.
pub fn go_uint(s: &str) -> Result<u64, String> {
    let bad = || format!("strconv.ParseUint: parsing {s:?}: invalid syntax");
    let t = s.replace('_', "");
    let (digits, radix) = if let Some(h) = t.strip_prefix("0x").or(t.strip_prefix("0X")) {
        (h.to_string(), 16)
    } else if let Some(o) = t.strip_prefix("0o").or(t.strip_prefix("0O")) {
        (o.to_string(), 8)
    } else if let Some(b) = t.strip_prefix("0b").or(t.strip_prefix("0B")) {
        (b.to_string(), 2)
    } else if t.len() > 1 && t.starts_with('0') {
        (t[1..].to_string(), 8)
    } else {
        (t.clone(), 10)
    };
    if digits.is_empty() || digits.starts_with('+') || digits.starts_with('-') {
        return Err(bad());
    }
    u64::from_str_radix(&digits, radix).map_err(|_| bad())
}

fn restart_condition(s: &str) -> Result<m::TaskSpecRestartPolicyConditionEnum, String> {
    s.parse()
        .ok()
        .filter(|c| *c != m::TaskSpecRestartPolicyConditionEnum::EMPTY)
        .ok_or_else(|| format!("invalid RestartCondition: {s:?} (none, on-failure or any)"))
}

fn endpoint_mode(s: &str) -> Result<m::EndpointSpecModeEnum, String> {
    s.to_ascii_lowercase()
        .parse()
        .ok()
        .filter(|c| *c != m::EndpointSpecModeEnum::EMPTY)
        .ok_or_else(|| format!("invalid endpoint mode {s:?} (vip or dnsrr)"))
}
