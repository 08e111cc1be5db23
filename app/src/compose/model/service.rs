//! One service, every key of the compose spec's `service` definition. Fields are in
//! compose-go's order, which is the order `compose config` prints them in; empty ones
//! are left out, as compose leaves them out.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::build::Build;
use super::command::ShellCommand;
use super::deploy::{Blkio, Deploy, DeviceRequest, Ulimit};
use super::lifecycle::{Dependency, Develop, Extends, Healthcheck, Logging, ServiceHook};
use super::mounts::{DeviceMapping, EnvFile, FileReference, ServiceVolume};
use super::options::{self, hosts};
use super::ports::{Port, ServiceNetwork};
use super::scalars::{self, is_false};
use super::units::{Bytes, Duration};

#[derive(Debug, Clone, PartialEq, Default, Deserialize, Serialize)]
#[serde(default, deny_unknown_fields)]
pub struct Service {
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub profiles: Vec<String>,
    #[serde(
        deserialize_with = "options::mapping",
        skip_serializing_if = "BTreeMap::is_empty"
    )]
    pub annotations: BTreeMap<String, String>,
    #[serde(
        deserialize_with = "scalars::opt_bool",
        skip_serializing_if = "Option::is_none"
    )]
    pub attach: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub build: Option<Build>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub develop: Option<Develop>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub blkio_config: Option<Blkio>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub cap_add: Vec<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub cap_drop: Vec<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cgroup_parent: Option<String>,
    /// `host` or `private`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cgroup: Option<String>,
    #[serde(
        deserialize_with = "scalars::opt_int",
        skip_serializing_if = "Option::is_none"
    )]
    pub cpu_count: Option<i64>,
    #[serde(
        deserialize_with = "scalars::opt_f32",
        serialize_with = "scalars::ser_opt_f32",
        skip_serializing_if = "Option::is_none"
    )]
    pub cpu_percent: Option<f32>,
    #[serde(
        deserialize_with = "scalars::opt_int",
        skip_serializing_if = "Option::is_none"
    )]
    pub cpu_period: Option<i64>,
    #[serde(
        deserialize_with = "scalars::opt_int",
        skip_serializing_if = "Option::is_none"
    )]
    pub cpu_quota: Option<i64>,
    #[serde(
        deserialize_with = "scalars::opt_int",
        skip_serializing_if = "Option::is_none"
    )]
    pub cpu_rt_period: Option<i64>,
    #[serde(
        deserialize_with = "scalars::opt_int",
        skip_serializing_if = "Option::is_none"
    )]
    pub cpu_rt_runtime: Option<i64>,
    #[serde(
        deserialize_with = "scalars::opt_f32",
        serialize_with = "scalars::ser_opt_f32",
        skip_serializing_if = "Option::is_none"
    )]
    pub cpus: Option<f32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cpuset: Option<String>,
    #[serde(
        deserialize_with = "scalars::opt_int",
        skip_serializing_if = "Option::is_none"
    )]
    pub cpu_shares: Option<i64>,
    /// None: the image's CMD. An empty list clears it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub command: Option<ShellCommand>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub configs: Vec<FileReference>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub container_name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub credential_spec: Option<CredentialSpec>,
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub depends_on: BTreeMap<String, Dependency>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub deploy: Option<Deploy>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub device_cgroup_rules: Vec<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub devices: Vec<DeviceMapping>,
    #[serde(
        deserialize_with = "options::string_list",
        skip_serializing_if = "Vec::is_empty"
    )]
    pub dns: Vec<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub dns_opt: Vec<String>,
    #[serde(
        deserialize_with = "options::string_list",
        skip_serializing_if = "Vec::is_empty"
    )]
    pub dns_search: Vec<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub domainname: Option<String>,
    /// None: the image's ENTRYPOINT. An empty list clears it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub entrypoint: Option<ShellCommand>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub provider: Option<Provider>,
    /// None: a name to take from the environment (`environment: [HOME]`).
    #[serde(
        deserialize_with = "options::mapping_with_equals",
        skip_serializing_if = "BTreeMap::is_empty"
    )]
    pub environment: BTreeMap<String, Option<String>>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub env_file: Vec<EnvFile>,
    #[serde(
        deserialize_with = "options::scalar_list",
        skip_serializing_if = "Vec::is_empty"
    )]
    pub expose: Vec<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub extends: Option<Extends>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub external_links: Vec<String>,
    #[serde(with = "hosts", skip_serializing_if = "BTreeMap::is_empty")]
    pub extra_hosts: BTreeMap<String, Vec<String>>,
    #[serde(
        deserialize_with = "options::scalar_list",
        skip_serializing_if = "Vec::is_empty"
    )]
    pub group_add: Vec<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub gpus: Vec<DeviceRequest>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub hostname: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub healthcheck: Option<Healthcheck>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub image: Option<String>,
    #[serde(
        deserialize_with = "scalars::opt_bool",
        skip_serializing_if = "Option::is_none"
    )]
    pub init: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ipc: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub isolation: Option<String>,
    #[serde(
        deserialize_with = "options::mapping",
        skip_serializing_if = "BTreeMap::is_empty"
    )]
    pub labels: BTreeMap<String, String>,
    #[serde(
        deserialize_with = "options::string_list",
        skip_serializing_if = "Vec::is_empty"
    )]
    pub label_file: Vec<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub links: Vec<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub logging: Option<Logging>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub mem_limit: Option<Bytes>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub mem_reservation: Option<Bytes>,
    /// -1: unlimited swap.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub memswap_limit: Option<Bytes>,
    /// A percentage; compose-go types (and prints) it as a byte size.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub mem_swappiness: Option<Bytes>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub mac_address: Option<String>,
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub models: BTreeMap<String, Option<ServiceModel>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub network_mode: Option<String>,
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub networks: BTreeMap<String, Option<ServiceNetwork>>,
    #[serde(deserialize_with = "scalars::bool", skip_serializing_if = "is_false")]
    pub oom_kill_disable: bool,
    #[serde(
        deserialize_with = "scalars::opt_int",
        skip_serializing_if = "Option::is_none"
    )]
    pub oom_score_adj: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub pid: Option<String>,
    /// -1: unlimited.
    #[serde(
        deserialize_with = "scalars::opt_int",
        skip_serializing_if = "Option::is_none"
    )]
    pub pids_limit: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub platform: Option<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub ports: Vec<Port>,
    #[serde(deserialize_with = "scalars::bool", skip_serializing_if = "is_false")]
    pub privileged: bool,
    /// `always`, `never`, `missing`, `build`, `daily`, `every_12h`, ...
    #[serde(skip_serializing_if = "Option::is_none")]
    pub pull_policy: Option<String>,
    /// In the schema but not in compose-go's model, so never printed.
    #[serde(skip_serializing)]
    pub pull_refresh_after: Option<String>,
    #[serde(deserialize_with = "scalars::bool", skip_serializing_if = "is_false")]
    pub read_only: bool,
    /// `no`, `always`, `on-failure[:N]` or `unless-stopped`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub restart: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub runtime: Option<String>,
    #[serde(
        deserialize_with = "scalars::opt_int",
        skip_serializing_if = "Option::is_none"
    )]
    pub scale: Option<u32>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub secrets: Vec<FileReference>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub security_opt: Vec<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub shm_size: Option<Bytes>,
    #[serde(deserialize_with = "scalars::bool", skip_serializing_if = "is_false")]
    pub stdin_open: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub stop_grace_period: Option<Duration>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub stop_signal: Option<String>,
    #[serde(
        deserialize_with = "options::options",
        skip_serializing_if = "BTreeMap::is_empty"
    )]
    pub storage_opt: BTreeMap<String, String>,
    #[serde(
        deserialize_with = "options::mapping",
        skip_serializing_if = "BTreeMap::is_empty"
    )]
    pub sysctls: BTreeMap<String, String>,
    #[serde(
        deserialize_with = "options::string_list",
        skip_serializing_if = "Vec::is_empty"
    )]
    pub tmpfs: Vec<String>,
    #[serde(deserialize_with = "scalars::bool", skip_serializing_if = "is_false")]
    pub tty: bool,
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub ulimits: BTreeMap<String, Ulimit>,
    #[serde(skip_serializing_if = "is_false")]
    pub use_api_socket: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub user: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub userns_mode: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub uts: Option<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub volumes: Vec<ServiceVolume>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub volumes_from: Vec<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub working_dir: Option<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub pre_start: Vec<ServiceHook>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub post_start: Vec<ServiceHook>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub pre_stop: Vec<ServiceHook>,
}

impl Service {
    /// The image to run: the one named, or the name compose v2 tags a build with,
    /// `PROJECT-SERVICE`.
    pub fn image_or_default(&self, project: &str, name: &str) -> String {
        match &self.image {
            Some(image) => image.clone(),
            None => format!("{project}-{name}"),
        }
    }

    /// How many containers to run: `scale`, else `deploy.replicas`, else one.
    pub fn replicas(&self) -> u32 {
        self.scale
            .or_else(|| self.deploy.as_ref().and_then(|d| d.replicas))
            .unwrap_or(1)
    }
}

/// Windows credential spec for a managed service account.
#[derive(Debug, Clone, PartialEq, Eq, Default, Deserialize, Serialize)]
#[serde(default, deny_unknown_fields)]
pub struct CredentialSpec {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub config: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub file: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub registry: Option<String>,
}

/// A service managed by an external provider (a plugin) instead of a container.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Provider {
    #[serde(rename = "type")]
    pub kind: String,
    #[serde(
        default,
        deserialize_with = "options::multi_options",
        skip_serializing_if = "BTreeMap::is_empty"
    )]
    pub options: BTreeMap<String, Vec<String>>,
}

/// How a service sees a top-level model: the variables that name its endpoint and id.
#[derive(Debug, Clone, PartialEq, Eq, Default, Deserialize, Serialize)]
#[serde(default, deny_unknown_fields)]
pub struct ServiceModel {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub endpoint_var: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub model_var: Option<String>,
}
