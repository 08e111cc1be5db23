//! A container's records, in Docker's shapes so `inspect` is a serialisation, not a
//! translation: `config.json` (what the user asked for; changes only on rename) and
//! `state.json` (what is happening; rewritten atomically by the monitor and the CLI).

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::cgroups::Resources;
use crate::store::Digest;

/// Docker's `Config`: the process and its environment.
#[derive(Debug, Default, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct Config {
    pub hostname: String,
    pub domainname: String,
    pub user: String,
    pub attach_stdin: bool,
    pub attach_stdout: bool,
    pub attach_stderr: bool,
    pub exposed_ports: BTreeMap<String, serde_json::Value>,
    pub tty: bool,
    pub open_stdin: bool,
    pub stdin_once: bool,
    pub env: Vec<String>,
    pub cmd: Option<Vec<String>>,
    pub image: String,
    pub volumes: BTreeMap<String, serde_json::Value>,
    pub working_dir: String,
    pub entrypoint: Option<Vec<String>>,
    pub labels: BTreeMap<String, String>,
    pub stop_signal: Option<String>,
    pub stop_timeout: Option<i64>,
    pub healthcheck: Option<serde_json::Value>,
}

#[derive(Debug, Default, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct RestartPolicy {
    /// "no", "always", "on-failure", "unless-stopped".
    pub name: String,
    pub maximum_retry_count: i64,
}

impl RestartPolicy {
    pub fn parse(s: &str) -> Result<Self, String> {
        let (name, count) = match s.split_once(':') {
            Some((n, c)) => (n, Some(c)),
            None => (s, None),
        };
        let maximum_retry_count = match (name, count) {
            ("on-failure", Some(c)) => c
                .parse::<i64>()
                .ok()
                .filter(|n| *n >= 0)
                .ok_or_else(|| format!("invalid restart policy {s:?}: maximum retry count must be a non-negative integer"))?,
            (_, Some(_)) => {
                return Err(format!("invalid restart policy {s:?}: maximum retry count can only be used with 'on-failure'"))
            }
            _ => 0,
        };
        match name {
            "" | "no" | "always" | "on-failure" | "unless-stopped" => Ok(RestartPolicy {
                name: if name.is_empty() {
                    "no".into()
                } else {
                    name.into()
                },
                maximum_retry_count,
            }),
            _ => Err(format!("invalid restart policy '{s}'")),
        }
    }

    /// Whether a container that exited with `code` after `restart_count` restarts
    /// starts again (not counting a stop by hand, which the caller checks).
    pub fn restarts(&self, code: i32, restart_count: i64) -> bool {
        match self.name.as_str() {
            "always" | "unless-stopped" => true,
            "on-failure" => {
                code != 0
                    && (self.maximum_retry_count == 0 || restart_count < self.maximum_retry_count)
            }
            _ => false,
        }
    }
}

/// One `-v`/`--mount`/`--tmpfs`/image VOLUME, resolved at create time.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct MountPoint {
    /// "bind", "volume" or "tmpfs".
    #[serde(rename = "Type")]
    pub kind: String,
    /// Volume name (named and anonymous volumes).
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub name: String,
    /// Host path (bind) or volume data dir; empty for tmpfs.
    pub source: String,
    pub destination: String,
    #[serde(default)]
    pub driver: String,
    /// Mount options as given ("ro", "z", tmpfs "size=64m"...).
    pub mode: String,
    #[serde(rename = "RW")]
    pub rw: bool,
    pub propagation: String,
    /// True for volumes made for this container only (image VOLUME or `-v /path`). Kept
    /// in the volume's own record too, which is what `rm -v` consults.
    #[serde(default, skip_serializing)]
    pub anonymous: bool,
}

/// Docker's `HostConfig`: how the container is run. Lists Docker leaves `null` when
/// nobody set them are `null` here too; fields added later default, so records written
/// before them still load.
#[derive(Debug, Default, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct HostConfig {
    #[serde(with = "null_when_empty")]
    pub binds: Vec<String>,
    /// `--cidfile`: where the ID was written ("" when not asked).
    #[serde(rename = "ContainerIDFile")]
    pub container_id_file: String,
    pub network_mode: String,
    pub restart_policy: RestartPolicy,
    pub auto_remove: bool,
    pub readonly_rootfs: bool,
    pub tmpfs: BTreeMap<String, String>,
    pub init: bool,
    pub memory: i64,
    pub memory_swap: i64,
    /// `--memory-reservation`: the soft limit, bytes (0: none).
    pub memory_reservation: i64,
    pub nano_cpus: i64,
    pub cpu_shares: i64,
    /// `--cpu-period`/`--cpu-quota`: the CFS pair in microseconds (0: not set).
    pub cpu_period: i64,
    pub cpu_quota: i64,
    pub pids_limit: Option<i64>,
    pub cpuset_cpus: String,
    pub cpuset_mems: String,
    #[serde(with = "null_when_empty")]
    pub cap_add: Vec<String>,
    #[serde(with = "null_when_empty")]
    pub cap_drop: Vec<String>,
    pub privileged: bool,
    pub log_config: LogConfig,
    /// The cgroup parent the container's cgroup is made under (`--cgroup-parent`).
    pub cgroup_parent: String,
    /// `--dns`: nameservers for the container's resolv.conf.
    pub dns: Vec<String>,
    /// `--dns-search`, `--dns-option`: the resolv.conf's search and options lines.
    pub dns_search: Vec<String>,
    pub dns_options: Vec<String>,
    /// `--add-host host:ip`: extra /etc/hosts lines.
    #[serde(with = "null_when_empty")]
    pub extra_hosts: Vec<String>,
    /// `--link NAME[:ALIAS]` (legacy): /etc/hosts entries for other containers.
    #[serde(with = "null_when_empty")]
    pub links: Vec<String>,
    /// `--volumes-from CONTAINER[:ro|rw]`, as typed (the mounts are in the record).
    #[serde(with = "null_when_empty")]
    pub volumes_from: Vec<String>,
    /// `--group-add`: names (resolved in the container's /etc/group at start) or gids.
    #[serde(with = "null_when_empty")]
    pub group_add: Vec<String>,
    /// `--pid`: "" (own namespace), "host" or "container:NAME".
    pub pid_mode: String,
    /// `--ipc`: "private" (the default), "shareable", "host", "none" or "container:NAME".
    #[serde(default = "default_ipc_mode")]
    pub ipc_mode: String,
    /// `--uts`: "" or "host".
    #[serde(rename = "UTSMode")]
    pub uts_mode: String,
    /// `--shm-size`: bytes of the private /dev/shm.
    #[serde(default = "default_shm_size")]
    pub shm_size: i64,
    /// `--device`.
    pub devices: Vec<super::devices::DeviceMapping>,
    /// `--ulimit`.
    #[serde(with = "null_when_empty")]
    pub ulimits: Vec<super::ulimits::Ulimit>,
    /// `--oom-kill-disable`.
    pub oom_kill_disable: bool,
    /// `--oom-score-adj`.
    pub oom_score_adj: i64,
    /// `--sysctl`: namespaced kernel settings (Docker omits the key when empty).
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub sysctls: BTreeMap<String, String>,
    /// `-p`: container port (`80/tcp`) -> host bindings.
    pub port_bindings: crate::network::ports::PortMap,
    /// `-P`: publish every exposed port on a free host port.
    pub publish_all_ports: bool,
    /// `--health-on-failure`: none, kill, restart or stop.
    pub health_on_failure: String,
    /// `--security-opt`, as Docker records it (a seccomp profile by its content).
    #[serde(with = "null_when_empty")]
    pub security_opt: Vec<String>,
}

fn default_ipc_mode() -> String {
    "private".into()
}

fn default_shm_size() -> i64 {
    super::namespaces_mode::DEFAULT_SHM_SIZE
}

/// Docker's JSON has `null`, not `[]`, for a list nobody set.
mod null_when_empty {
    use serde::{Deserialize, Deserializer, Serialize, Serializer};

    pub fn serialize<T: Serialize, S: Serializer>(v: &[T], s: S) -> Result<S::Ok, S::Error> {
        if v.is_empty() {
            s.serialize_none()
        } else {
            v.serialize(s)
        }
    }

    pub fn deserialize<'de, T: Deserialize<'de>, D: Deserializer<'de>>(
        d: D,
    ) -> Result<Vec<T>, D::Error> {
        Ok(Option::<Vec<T>>::deserialize(d)?.unwrap_or_default())
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct LogConfig {
    #[serde(rename = "Type")]
    pub kind: String,
    pub config: BTreeMap<String, String>,
}

impl Default for LogConfig {
    fn default() -> Self {
        LogConfig {
            kind: "json-file".into(),
            config: BTreeMap::new(),
        }
    }
}

impl HostConfig {
    pub fn resources(&self) -> Resources {
        let pos = |v: i64| (v > 0).then_some(v);
        Resources {
            memory: pos(self.memory),
            memory_swap: if self.memory_swap == 0 {
                None
            } else {
                Some(self.memory_swap)
            },
            memory_reservation: pos(self.memory_reservation),
            nano_cpus: pos(self.nano_cpus),
            cpu_period: pos(self.cpu_period),
            cpu_quota: (self.cpu_quota != 0).then_some(self.cpu_quota),
            cpu_shares: pos(self.cpu_shares).map(|v| v as u64),
            pids_limit: self.pids_limit,
            cpuset_cpus: Some(self.cpuset_cpus.clone()).filter(|s| !s.is_empty()),
            cpuset_mems: Some(self.cpuset_mems.clone()).filter(|s| !s.is_empty()),
            all_devices: self.privileged,
            // The nodes' numbers are the host's at the moment of the start; a device
            // that vanished since is reported by the launch, which looks at it too.
            device_rules: self
                .devices
                .iter()
                .filter_map(|d| super::devices::stat(d).ok())
                .map(|n| n.cgroup_rule())
                .collect(),
            oom_kill_disable: self.oom_kill_disable,
        }
    }
}

/// `config.json`: written once at create, rewritten only by rename.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ContainerRecord {
    pub id: String,
    pub name: String,
    /// RFC 3339 with nanoseconds.
    pub created: String,
    pub path: String,
    pub args: Vec<String>,
    pub image_id: Digest,
    pub config: Config,
    pub host_config: HostConfig,
    pub mounts: Vec<MountPoint>,
    /// Per network: the address, aliases and MAC asked for (Docker's
    /// NetworkingConfig.EndpointsConfig). Keys are network names.
    #[serde(default)]
    pub endpoints_config: BTreeMap<String, EndpointConfig>,
}

#[derive(Debug, Default, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase", default)]
pub struct EndpointConfig {
    #[serde(rename = "IPv4Address")]
    pub ipv4_address: Option<std::net::Ipv4Addr>,
    pub aliases: Vec<String>,
    pub mac_address: Option<String>,
    /// Join order: the first network is eth0 and carries the default route.
    #[serde(default, skip_serializing_if = "is_zero")]
    pub order: u32,
}

fn is_zero(n: &u32) -> bool {
    *n == 0
}

impl ContainerRecord {
    /// The container's networks in the order they were joined.
    pub fn networks_in_order(&self) -> Vec<(&String, &EndpointConfig)> {
        let mut v: Vec<_> = self.endpoints_config.iter().collect();
        v.sort_by_key(|(name, c)| (c.order, name.to_string()));
        v
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    #[default]
    Created,
    Running,
    Paused,
    Restarting,
    Removing,
    Exited,
    Dead,
}

impl Status {
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Created => "created",
            Status::Running => "running",
            Status::Paused => "paused",
            Status::Restarting => "restarting",
            Status::Removing => "removing",
            Status::Exited => "exited",
            Status::Dead => "dead",
        }
    }
    /// A status by Docker's name for it (`--filter status=...`).
    pub fn parse(s: &str) -> Option<Status> {
        [
            Status::Created,
            Status::Running,
            Status::Paused,
            Status::Restarting,
            Status::Removing,
            Status::Exited,
            Status::Dead,
        ]
        .into_iter()
        .find(|st| st.as_str() == s)
    }
    /// A process exists (or is about to, between restarts).
    pub fn is_live(self) -> bool {
        matches!(self, Status::Running | Status::Paused | Status::Restarting)
    }
}

/// `state.json`: the live state, owned by the monitor while it runs.
#[derive(Debug, Default, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct State {
    pub status: Status,
    /// Host PID of the container's init; 0 when not running.
    pub pid: i32,
    /// The monitor's PID and its start time (from /proc/PID/stat) so a reused PID is not
    /// mistaken for our monitor.
    pub monitor_pid: i32,
    pub monitor_start_time: u64,
    pub exit_code: i32,
    pub oom_killed: bool,
    pub error: String,
    pub started_at: Option<String>,
    pub finished_at: Option<String>,
    pub restart_count: i64,
    /// Set by `stop`/`kill` before signalling, so the monitor does not apply the restart
    /// policy to an exit the user asked for.
    pub manually_stopped: bool,
    /// Docker's State.Health, for containers with a healthcheck.
    pub health: Option<super::health::Health>,
}

/// What `inspect` shows: both records joined, Docker-shaped.
#[derive(Debug, Clone)]
pub struct Container {
    pub record: ContainerRecord,
    pub state: State,
}

impl Container {
    pub fn id(&self) -> &str {
        &self.record.id
    }
    pub fn name(&self) -> &str {
        &self.record.name
    }
    pub fn short_id(&self) -> &str {
        &self.record.id[..12]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn restart_policies_parse_like_docker() {
        assert_eq!(RestartPolicy::parse("always").unwrap().name, "always");
        let p = RestartPolicy::parse("on-failure:3").unwrap();
        assert_eq!((p.name.as_str(), p.maximum_retry_count), ("on-failure", 3));
        assert!(RestartPolicy::parse("always:3").is_err());
        assert!(RestartPolicy::parse("sometimes").is_err());
        assert!(RestartPolicy::parse("on-failure:x").is_err());
    }
}
