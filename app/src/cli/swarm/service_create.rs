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

/// Docker's `ParseSecrets`: each secret by name to its ID, no two at one target.
pub fn resolve_secrets(
    refs: &[m::TaskSpecContainerSpecSecrets],
    lookup: &dyn Lookup,
) -> Result<Vec<m::TaskSpecContainerSpecSecrets>, Failure> {
    let mut targets = std::collections::HashSet::new();
    let mut out = Vec::new();
    for r in refs {
        let target = r
            .file
            .as_ref()
            .and_then(|f| f.name.clone())
            .unwrap_or_default();
        if !targets.insert(target.clone()) {
            return Err(format!("duplicate secret target for {target} not allowed").into());
        }
        let name = r.secret_name.clone().unwrap_or_default();
        let mut r = r.clone();
        r.secret_id = Some(lookup.secret_id(&name)?);
        out.push(r);
    }
    Ok(out)
}

/// Docker's `ParseConfigs`, as for secrets.
pub fn resolve_configs(
    refs: &[m::TaskSpecContainerSpecConfigs],
    lookup: &dyn Lookup,
) -> Result<Vec<m::TaskSpecContainerSpecConfigs>, Failure> {
    let mut targets = std::collections::HashSet::new();
    let mut out = Vec::new();
    for r in refs {
        let target = r
            .file
            .as_ref()
            .and_then(|f| f.name.clone())
            .unwrap_or_default();
        if !targets.insert(target.clone()) {
            return Err(format!("duplicate config target for {target} not allowed").into());
        }
        let name = r.config_name.clone().unwrap_or_default();
        let mut r = r.clone();
        r.config_id = Some(lookup.config_id(&name)?);
        out.push(r);
    }
    Ok(out)
}

/// The ports one `-p` publishes (a range publishes several).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Ports(pub Vec<m::EndpointPortConfig>);

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

/// One `-p`/`--publish`: `published=8080,target=80,protocol=udp,mode=host`, or
/// `[PUBLISHED:]TARGET[/PROTOCOL]` with ranges (`8000-8001:80-81`).
pub fn publish(value: &str) -> Result<Ports, String> {
    let long = value.split(',').any(|f| {
        f.split_once('=')
            .is_some_and(|(k, v)| !k.is_empty() && !v.is_empty())
    });
    if long {
        let mut p = m::EndpointPortConfig {
            protocol: Some(m::EndpointPortConfigProtocolEnum::TCP),
            publish_mode: Some(m::EndpointPortConfigPublishModeEnum::INGRESS),
            ..Default::default()
        };
        for field in value.split(',') {
            let lower = field.to_ascii_lowercase();
            let (key, val) = lower
                .split_once('=')
                .filter(|(k, _)| !k.is_empty())
                .ok_or_else(|| format!("invalid field: {field}"))?;
            match key {
                "protocol" => {
                    p.protocol = Some(match val {
                        "tcp" => m::EndpointPortConfigProtocolEnum::TCP,
                        "udp" => m::EndpointPortConfigProtocolEnum::UDP,
                        "sctp" => m::EndpointPortConfigProtocolEnum::SCTP,
                        _ => return Err(format!("invalid protocol value '{val}'")),
                    })
                }
                "mode" => {
                    p.publish_mode = Some(match val {
                        "ingress" => m::EndpointPortConfigPublishModeEnum::INGRESS,
                        "host" => m::EndpointPortConfigPublishModeEnum::HOST,
                        _ => {
                            return Err(format!(
                        "invalid publish mode value ({val}): must be either 'ingress' or 'host'"
                    ))
                        }
                    })
                }
                "target" => {
                    let n: u16 = val.parse().map_err(|_| {
                        format!(
                            "invalid target port ({val}): value must be an integer: invalid syntax"
                        )
                    })?;
                    p.target_port = Some(i64::from(n));
                }
                "published" => {
                    let n: u16 = val.parse().map_err(|_| {
                        format!("invalid published port ({val}): value must be an integer: invalid syntax")
                    })?;
                    p.published_port = (n != 0).then_some(i64::from(n));
                }
                _ => return Err(format!("invalid field key: {key}")),
            }
        }
        if p.target_port.unwrap_or(0) == 0 {
            return Err("missing mandatory field 'target'".into());
        }
        return Ok(Ports(vec![p]));
    }
    let (ports, proto) = match value.rsplit_once('/') {
        Some((p, proto)) => (p, proto.to_ascii_lowercase()),
        None => (value, "tcp".to_string()),
    };
    let protocol = match proto.as_str() {
        "tcp" => m::EndpointPortConfigProtocolEnum::TCP,
        "udp" => m::EndpointPortConfigProtocolEnum::UDP,
        "sctp" => m::EndpointPortConfigProtocolEnum::SCTP,
        _ => return Err(format!("invalid proto: {proto}")),
    };
    let parts: Vec<&str> = ports.split(':').collect();
    let (published, target) = match parts.as_slice() {
        [t] => (None, *t),
        [p, t] => (Some(*p).filter(|p| !p.is_empty()), *t),
        _ => return Err("hostip is not supported".into()),
    };
    let range = |s: &str| -> Result<(u16, u16), String> {
        let bad = || format!("invalid port range {s:?}");
        match s.split_once('-') {
            Some((a, b)) => {
                let (a, b) = (a.parse().map_err(|_| bad())?, b.parse().map_err(|_| bad())?);
                if a > b {
                    return Err(bad());
                }
                Ok((a, b))
            }
            None => {
                let a = s
                    .parse()
                    .map_err(|_| format!("invalid containerPort: {s}"))?;
                Ok((a, a))
            }
        }
    };
    let (t0, t1) = range(target)?;
    let published = published.map(range).transpose()?;
    if let Some((p0, p1)) = published {
        if p1 - p0 != t1 - t0 && t0 != t1 {
            return Err(format!(
                "invalid ranges specified for container and host Ports: {target} and {}",
                published
                    .map(|(a, b)| format!("{a}-{b}"))
                    .unwrap_or_default()
            ));
        }
    }
    let mut out = Vec::new();
    for (i, t) in (t0..=t1).enumerate() {
        let publish_ports: Vec<Option<u16>> = match published {
            None => vec![None],
            // One target, a range published: every port of the range to it.
            Some((p0, p1)) if t0 == t1 => (p0..=p1).map(Some).collect(),
            Some((p0, _)) => vec![Some(p0 + i as u16)],
        };
        for p in publish_ports {
            out.push(m::EndpointPortConfig {
                protocol: Some(protocol),
                target_port: Some(i64::from(t)),
                published_port: p.filter(|p| *p != 0).map(i64::from),
                publish_mode: Some(m::EndpointPortConfigPublishModeEnum::INGRESS),
                ..Default::default()
            });
        }
    }
    Ok(Ports(out))
}

/// Docker's `SecretOpt`: `NAME` or `source=NAME[,target=PATH][,uid=][,gid=][,mode=]`,
/// mode 0444 owned by root by default (its ID is looked up later, by name).
pub fn secret(value: &str) -> Result<m::TaskSpecContainerSpecSecrets, String> {
    let r = file_ref(value, "secret")?;
    Ok(m::TaskSpecContainerSpecSecrets {
        file: Some(m::TaskSpecContainerSpecFile {
            name: Some(r.target),
            uid: Some(r.uid),
            gid: Some(r.gid),
            mode: Some(r.mode),
        }),
        secret_id: None,
        secret_name: Some(r.source),
    })
}

/// Docker's `ConfigOpt`, the same syntax as a secret's.
pub fn config(value: &str) -> Result<m::TaskSpecContainerSpecConfigs, String> {
    let r = file_ref(value, "config")?;
    Ok(m::TaskSpecContainerSpecConfigs {
        file: Some(m::TaskSpecContainerSpecFile1 {
            name: Some(r.target),
            uid: Some(r.uid),
            gid: Some(r.gid),
            mode: Some(r.mode),
        }),
        config_name: Some(r.source),
        ..Default::default()
    })
}

struct FileRef {
    source: String,
    target: String,
    uid: String,
    gid: String,
    mode: u32,
}

fn file_ref(value: &str, kind: &str) -> Result<FileRef, String> {
    let mut r = FileRef {
        source: String::new(),
        target: String::new(),
        uid: "0".into(),
        gid: "0".into(),
        mode: 0o444,
    };
    let fields: Vec<&str> = value.split(',').collect();
    if fields.len() == 1 && !value.contains('=') {
        r.source = value.to_string();
        r.target = value.to_string();
        return Ok(r);
    }
    for field in fields {
        let (key, val) = field
            .split_once('=')
            .filter(|(k, _)| !k.is_empty())
            .ok_or_else(|| format!("invalid field '{field}' must be a key=value pair"))?;
        match key.to_ascii_lowercase().as_str() {
            "source" | "src" => r.source = val.to_string(),
            "target" => r.target = val.to_string(),
            "uid" => r.uid = val.to_string(),
            "gid" => r.gid = val.to_string(),
            "mode" => {
                let mode = super::service_flags::go_uint(val)
                    .map_err(|e| format!("invalid mode specified: {e}"))?;
                r.mode = mode as u32;
            }
            _ => return Err(format!("invalid field in {kind} request: {key}")),
        }
    }
    if r.source.is_empty() {
        return Err("source is required".into());
    }
    if r.target.is_empty() {
        r.target = r.source.clone();
    }
    Ok(r)
}

/// `--network NAME` or `name=NAME,alias=A,driver-opt=K=V` (Docker's `NetworkOpt`).
pub fn network(value: &str) -> Result<m::NetworkAttachmentConfig, String> {
    let mut n = m::NetworkAttachmentConfig::default();
    if !value.contains('=') {
        n.target = Some(value.to_string());
        return Ok(n);
    }
    for field in value.split(',') {
        let (key, val) = field
            .split_once('=')
            .ok_or_else(|| format!("invalid field '{field}' must be a key=value pair"))?;
        match key.to_ascii_lowercase().as_str() {
            "name" => n.target = Some(val.to_string()),
            "alias" => n.aliases.get_or_insert_with(Vec::new).push(val.to_string()),
            "driver-opt" => {
                let (k, v) = val.split_once('=').ok_or_else(|| {
                    format!("invalid key value pair format in driver options: {val}")
                })?;
                n.driver_opts
                    .get_or_insert_with(HashMap::new)
                    .insert(k.to_string(), v.to_string());
            }
            _ => return Err(format!("invalid field key {key}")),
        }
    }
    if n.target.as_deref().unwrap_or_default().is_empty() {
        return Err("network name/id is not specified".into());
    }
    Ok(n)
}

/// `--placement-pref spread=node.labels.zone`.
pub fn placement_pref(value: &str) -> Result<m::TaskSpecPlacementPreferences, String> {
    let (strategy, arg) = value
        .split_once('=')
        .filter(|(s, _)| !s.is_empty())
        .ok_or_else(|| {
            "placement preference must be of the format \"<strategy>=<arg>\"".to_string()
        })?;
    if strategy != "spread" {
        return Err(format!(
            "unsupported placement preference {strategy} (only spread is supported)"
        ));
    }
    Ok(m::TaskSpecPlacementPreferences {
        spread: Some(m::TaskSpecPlacementSpread {
            spread_descriptor: Some(arg.to_string()),
        }),
    })
}

/// `--mount`, read as `run --mount` reads it (Docker's `MountOpt` serves both).
pub fn mount(value: &str) -> Result<m::Mount, String> {
    crate::cli::create_request::mount(value)
}

/// `--ulimit nofile=100:200`.
pub fn ulimit(value: &str) -> Result<m::ResourcesUlimits, String> {
    let u = berth_engine::container::ulimits::parse(value).map_err(|e| e.to_string())?;
    Ok(m::ResourcesUlimits {
        name: Some(u.name),
        soft: Some(u.soft),
        hard: Some(u.hard),
    })
}

/// The verify wait after a service converges: its update monitor, else swarmkit's 5 s.
pub fn monitor_of(spec: Option<&m::ServiceSpec>) -> i64 {
    spec.and_then(|s| s.update_config.as_ref())
        .and_then(|u| u.monitor)
        .filter(|n| *n != 0)
        .unwrap_or(DEFAULT_MONITOR_NS)
}
