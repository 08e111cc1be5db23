//! `service create`'s flags into the `ServiceSpec` Docker's client sends (its
//! `ToService`): the same fields set, the same ones left out, the same defaults, so a
//! spec made here and one made by `docker service create` with the same flags are the
//! same JSON. A network the backend does not know (an overlay network, which the
//! engine cannot make yet) goes into the spec by name.

use std::collections::HashMap;

use bollard::models as m;
use clap::Args;

use super::service_flags::{
    kv_map, rollback_config, update_config, ServiceFlags, DEFAULT_MONITOR_NS,
};
use super::service_opts::{config, mount, network, placement_pref, publish, secret, ulimit, Ports};
use super::tagged_image;
use crate::cli::create_flags::read_env_file;
use crate::cli::Failure;

#[derive(Args, Debug, Default, Clone)]
pub struct CreateArgs {
    #[command(flatten)]
    pub flags: ServiceFlags,
    /// Service mode ("replicated", "global")
    #[arg(long, default_value = "replicated")]
    pub mode: String,
    /// Service name
    #[arg(long)]
    pub name: Option<String>,
    /// Service labels
    #[arg(short = 'l', long = "label")]
    pub labels: Vec<String>,
    /// Container labels
    #[arg(long = "container-label")]
    pub container_labels: Vec<String>,
    /// Set environment variables
    #[arg(short = 'e', long = "env")]
    pub env: Vec<String>,
    /// Read in a file of environment variables
    #[arg(long = "env-file")]
    pub env_file: Vec<std::path::PathBuf>,
    /// Attach a filesystem mount to the service
    #[arg(long = "mount", value_parser = mount)]
    pub mounts: Vec<m::Mount>,
    /// Placement constraints
    #[arg(long = "constraint")]
    pub constraints: Vec<String>,
    /// Add a placement preference
    #[arg(long = "placement-pref", value_parser = placement_pref)]
    pub placement_prefs: Vec<m::TaskSpecPlacementPreferences>,
    /// Network attachments
    #[arg(long = "network", value_parser = network)]
    pub networks: Vec<m::NetworkAttachmentConfig>,
    /// Specify secrets to expose to the service
    #[arg(long = "secret", value_parser = secret)]
    pub secrets: Vec<m::TaskSpecContainerSpecSecrets>,
    /// Specify configurations to expose to the service
    #[arg(long = "config", value_parser = config)]
    pub configs: Vec<m::TaskSpecContainerSpecConfigs>,
    /// Publish a port as a node port
    #[arg(short = 'p', long = "publish", value_parser = publish)]
    pub publish: Vec<Ports>,
    /// Set one or more supplementary user groups for the container
    #[arg(long = "group")]
    pub groups: Vec<String>,
    /// Set custom DNS servers
    #[arg(long)]
    pub dns: Vec<String>,
    /// Set DNS options
    #[arg(long = "dns-option")]
    pub dns_option: Vec<String>,
    /// Set custom DNS search domains
    #[arg(long = "dns-search")]
    pub dns_search: Vec<String>,
    /// Set one or more custom host-to-IP mappings (host:ip)
    #[arg(long = "host")]
    pub hosts: Vec<String>,
    /// Use an init inside each service container to forward signals and reap processes
    #[arg(long)]
    pub init: bool,
    /// Sysctl options
    #[arg(long = "sysctl")]
    pub sysctls: Vec<String>,
    /// Ulimit options
    #[arg(long = "ulimit", value_parser = ulimit)]
    pub ulimits: Vec<m::ResourcesUlimits>,
    /// IMAGE [COMMAND] [ARG...]
    #[arg(
        required = true,
        trailing_var_arg = true,
        allow_hyphen_values = true,
        value_name = "IMAGE [COMMAND] [ARG...]"
    )]
    pub args: Vec<String>,
}

/// What Docker's client asks the daemon while it makes a spec: network IDs by name,
/// and the IDs of the secrets and configs a service names.
pub trait Lookup {
    /// A network's ID; `None` for a network the backend does not know (its name then
    /// goes in the spec as it is).
    fn network_id(&self, name: &str) -> Option<String>;
    /// A secret's ID by its name; Docker's `secret not found: NAME` when there is none.
    fn secret_id(&self, name: &str) -> Result<String, Failure>;
    fn config_id(&self, name: &str) -> Result<String, Failure>;
}

/// Each reference by name to its ID, no two at one target (Docker's `ParseSecrets` and
/// `ParseConfigs` alike).
fn resolve<T: Clone>(
    refs: &[T],
    kind: &str,
    target: impl Fn(&T) -> Option<String>,
    name: impl Fn(&T) -> Option<String>,
    id: impl Fn(&str) -> Result<String, Failure>,
    set_id: impl Fn(&mut T, String),
) -> Result<Vec<T>, Failure> {
    let mut targets = std::collections::HashSet::new();
    let mut out = Vec::new();
    for r in refs {
        let target = target(r).unwrap_or_default();
        if !targets.insert(target.clone()) {
            return Err(format!("duplicate {kind} target for {target} not allowed").into());
        }
        let mut r = r.clone();
        let found = id(&name(&r).unwrap_or_default())?;
        set_id(&mut r, found);
        out.push(r);
    }
    Ok(out)
}

/// Docker's `ParseSecrets`: each secret by name to its ID, no two at one target.
pub fn resolve_secrets(
    refs: &[m::TaskSpecContainerSpecSecrets],
    lookup: &dyn Lookup,
) -> Result<Vec<m::TaskSpecContainerSpecSecrets>, Failure> {
    resolve(
        refs,
        "secret",
        |r| r.file.as_ref().and_then(|f| f.name.clone()),
        |r| r.secret_name.clone(),
        |n| lookup.secret_id(n),
        |r, id| r.secret_id = Some(id),
    )
}

/// Docker's `ParseConfigs`, as for secrets.
pub fn resolve_configs(
    refs: &[m::TaskSpecContainerSpecConfigs],
    lookup: &dyn Lookup,
) -> Result<Vec<m::TaskSpecContainerSpecConfigs>, Failure> {
    resolve(
        refs,
        "config",
        |r| r.file.as_ref().and_then(|f| f.name.clone()),
        |r| r.config_name.clone(),
        |n| lookup.config_id(n),
        |r, id| r.config_id = Some(id),
    )
}

fn nonempty<T>(v: Vec<T>) -> Option<Vec<T>> {
    (!v.is_empty()).then_some(v)
}

fn nonempty_map(v: HashMap<String, String>) -> Option<HashMap<String, String>> {
    (!v.is_empty()).then_some(v)
}

impl CreateArgs {
    /// The spec Docker's client would send, networks, secrets and configs by ID.
    pub fn spec(&self, lookup: &dyn Lookup) -> Result<m::ServiceSpec, Failure> {
        let f = &self.flags;
        let env = make_env(&self.env_file, &self.env)?;
        let health = f.health_config().map_err(Failure::from)?;
        let mode = self.service_mode()?;
        let mut networks: Vec<m::NetworkAttachmentConfig> = self
            .networks
            .iter()
            .cloned()
            .map(|mut n| {
                let target = n.target.clone().unwrap_or_default();
                n.target = Some(lookup.network_id(&target).unwrap_or(target));
                n
            })
            .collect();
        networks.sort_by(|a, b| a.target.cmp(&b.target));
        let (cap_add, cap_drop) = effective_caps(&f.cap_add, &f.cap_drop);
        let image = self.args.first().cloned().unwrap_or_default();
        let container = m::TaskSpecContainerSpec {
            image: Some(tagged_image(&image)),
            labels: nonempty_map(kv_map(&self.container_labels)),
            command: f.entrypoint.clone().map(|w| w.0).and_then(nonempty),
            args: nonempty(self.args[1.min(self.args.len())..].to_vec()),
            hostname: f.hostname.clone().filter(|h| !h.is_empty()),
            env: nonempty(env),
            dir: f.workdir.clone().filter(|h| !h.is_empty()),
            user: f.user.clone().filter(|h| !h.is_empty()),
            groups: nonempty(self.groups.clone()),
            tty: f.tty.filter(|t| *t),
            read_only: f.read_only.filter(|t| *t),
            mounts: nonempty(self.mounts.clone()),
            stop_signal: f.stop_signal.clone().filter(|s| !s.is_empty()),
            stop_grace_period: f.stop_grace_period,
            health_check: health,
            hosts: nonempty(swarm_hosts(&self.hosts)),
            dns_config: Some(m::TaskSpecContainerSpecDnsConfig {
                nameservers: nonempty(self.dns.clone()),
                search: nonempty(self.dns_search.clone()),
                options: nonempty(self.dns_option.clone()),
            }),
            secrets: nonempty(resolve_secrets(&self.secrets, lookup)?),
            configs: nonempty(resolve_configs(&self.configs, lookup)?),
            isolation: f
                .isolation
                .as_deref()
                .filter(|i| !i.is_empty())
                .and_then(|i| i.parse().ok()),
            init: Some(self.init),
            sysctls: nonempty_map(kv_map(&self.sysctls)),
            capability_add: nonempty(cap_add),
            capability_drop: nonempty(cap_drop),
            ulimits: nonempty(self.ulimits.clone()),
            ..Default::default()
        };
        let nonzero = |v: Option<i64>| v.filter(|n| *n != 0);
        let task = m::TaskSpec {
            container_spec: Some(container),
            resources: Some(m::TaskSpecResources {
                limits: Some(m::Limit {
                    nano_cpus: nonzero(f.limit_cpu),
                    memory_bytes: nonzero(f.limit_memory),
                    pids: nonzero(f.limit_pids),
                }),
                reservations: Some(m::ResourceObject {
                    nano_cpus: nonzero(f.reserve_cpu),
                    memory_bytes: nonzero(f.reserve_memory),
                    ..Default::default()
                }),
                ..Default::default()
            }),
            restart_policy: f.restart_policy(None),
            placement: Some(m::TaskSpecPlacement {
                constraints: nonempty(self.constraints.clone()),
                preferences: nonempty(self.placement_prefs.clone()),
                max_replicas: f.replicas_max_per_node.filter(|n| *n > 0).map(|n| n as i64),
                ..Default::default()
            }),
            networks: nonempty(networks),
            log_driver: f.log_driver(),
            force_update: Some(0),
            ..Default::default()
        };
        let ports: Vec<m::EndpointPortConfig> =
            self.publish.iter().flat_map(|p| p.0.clone()).collect();
        Ok(m::ServiceSpec {
            name: self.name.clone().filter(|n| !n.is_empty()),
            labels: Some(kv_map(&self.labels)),
            task_template: Some(task),
            mode: Some(mode),
            update_config: update_config(None, &f.update.policy()),
            rollback_config: rollback_config(None, &f.rollback.policy()),
            endpoint_spec: Some(m::EndpointSpec {
                mode: Some(f.endpoint_mode.unwrap_or(m::EndpointSpecModeEnum::VIP)),
                ports: nonempty(ports),
            }),
            ..Default::default()
        })
    }

    /// Docker's `ToServiceMode`, for the modes Berth's swarm runs.
    fn service_mode(&self) -> Result<m::ServiceSpecMode, Failure> {
        let f = &self.flags;
        match self.mode.as_str() {
            "global" => {
                if f.replicas.is_some() {
                    return Err(
                        "replicas can only be used with replicated or replicated-job mode".into(),
                    );
                }
                if f.replicas_max_per_node.is_some_and(|n| n > 0) {
                    return Err("replicas-max-per-node can only be used with replicated or replicated-job mode".into());
                }
                Ok(m::ServiceSpecMode {
                    global: Some(HashMap::new()),
                    ..Default::default()
                })
            }
            "replicated" => Ok(m::ServiceSpecMode {
                replicated: Some(m::ServiceSpecModeReplicated {
                    replicas: f.replicas.map(|n| n as i64),
                }),
                ..Default::default()
            }),
            "replicated-job" | "global-job" => Err(format!(
                "mode {}: jobs are not run by Berth's swarm yet (replicated and global services are)",
                self.mode
            )
            .into()),
            other => {
                Err(format!("unknown mode: {other}, only replicated and global supported").into())
            }
        }
    }
}

/// The environment as Docker's `makeEnv` makes it: the files' variables, then `-e`'s,
/// a later value of a variable replacing the earlier one (and moving to the end).
pub fn make_env(files: &[std::path::PathBuf], env: &[String]) -> Result<Vec<String>, Failure> {
    let mut all = Vec::new();
    for f in files {
        all.extend(read_env_file(f).map_err(Failure::from)?);
    }
    for e in env {
        let (k, has_value) = match e.split_once('=') {
            Some((k, _)) => (k, true),
            None => (e.as_str(), false),
        };
        if k.is_empty() {
            return Err(format!("invalid environment variable: {e}").into());
        }
        // `KEY` alone takes berth's own value, when it has one (Docker's ValidateEnv).
        match (has_value, std::env::var(k)) {
            (false, Ok(v)) => all.push(format!("{k}={v}")),
            _ => all.push(e.clone()),
        }
    }
    let mut out: Vec<String> = Vec::new();
    for e in all {
        if out.contains(&e) {
            continue;
        }
        let key = e.split_once('=').map_or(e.as_str(), |(k, _)| k);
        let prefix = format!("{key}=");
        out.retain(|x| !x.starts_with(&prefix));
        out.push(e);
    }
    Ok(out)
}

/// `--host name:ip` as swarmkit keeps hosts: `ip name`.
pub fn swarm_hosts(hosts: &[String]) -> Vec<String> {
    hosts
        .iter()
        .filter_map(|h| h.split_once(':').map(|(name, ip)| format!("{ip} {name}")))
        .collect()
}

/// Docker's capability names: upper-case with `CAP_` (`ALL` as it is); one added
/// and dropped is added; sorted.
pub fn effective_caps(add: &[String], drop: &[String]) -> (Vec<String>, Vec<String>) {
    let norm = |c: &String| {
        let c = c.trim().to_ascii_uppercase();
        if c == "ALL" || c == "RESET" || c.starts_with("CAP_") {
            c
        } else {
            format!("CAP_{c}")
        }
    };
    let mut add: Vec<String> = add.iter().map(norm).collect();
    let mut drop: Vec<String> = drop.iter().map(norm).collect();
    if add.iter().any(|c| c == "ALL") {
        add = vec!["ALL".into()];
    }
    if drop.iter().any(|c| c == "ALL") {
        drop = vec!["ALL".into()];
    }
    drop.retain(|c| !add.contains(c) && c != "RESET");
    add.retain(|c| c != "RESET");
    add.sort();
    add.dedup();
    drop.sort();
    drop.dedup();
    (add, drop)
}

/// The verify wait after a service converges: its update monitor, else swarmkit's 5 s.
pub fn monitor_of(spec: Option<&m::ServiceSpec>) -> i64 {
    spec.and_then(|s| s.update_config.as_ref())
        .and_then(|u| u.monitor)
        .filter(|n| *n != 0)
        .unwrap_or(DEFAULT_MONITOR_NS)
}
