//! `create`: validate everything, then write the container's records in one step.
//! Nothing is made before validation passes; a failure after that removes what was made.

use std::collections::BTreeMap;

use super::model::{Config, ContainerRecord, HostConfig, MountPoint, RestartPolicy};
use super::spec_parse;
use crate::error::{Error, Result};
use crate::store::{ids, names, FileLock};
use crate::volume::VolumeStore;
use crate::Engine;

/// What `run`/`create` flags ask for, already parsed by the CLI.
#[derive(Debug, Default, Clone)]
pub struct CreateOptions {
    pub image: String,
    pub name: Option<String>,
    /// Arguments after the image name (replace the image's CMD).
    pub cmd: Vec<String>,
    /// `--entrypoint` (one word) or the API's list; `Some(vec![])` clears the image's.
    pub entrypoint: Option<Vec<String>>,
    pub env: Vec<String>,
    pub workdir: Option<String>,
    pub user: Option<String>,
    pub hostname: Option<String>,
    pub labels: BTreeMap<String, String>,
    pub tty: bool,
    pub open_stdin: bool,
    pub restart: Option<String>,
    pub auto_remove: bool,
    pub memory: Option<i64>,
    pub memory_swap: Option<i64>,
    pub nano_cpus: Option<i64>,
    pub cpu_shares: Option<i64>,
    pub pids_limit: Option<i64>,
    pub cpuset_cpus: Option<String>,
    pub read_only: bool,
    pub tmpfs: Vec<String>,
    pub volumes: Vec<String>,
    pub mounts: Vec<String>,
    pub init: bool,
    pub stop_signal: Option<String>,
    pub stop_timeout: Option<i64>,
    pub network: Option<String>,
    /// `--ip`, `--network-alias`, `--mac-address` for that network.
    pub ip: Option<String>,
    pub network_aliases: Vec<String>,
    pub mac_address: Option<String>,
    pub dns: Vec<String>,
    pub add_hosts: Vec<String>,
    pub links: Vec<String>,
    pub cap_add: Vec<String>,
    pub cap_drop: Vec<String>,
    pub privileged: bool,
    /// `--security-opt`, as typed.
    pub security_opt: Vec<String>,
    pub cgroup_parent: Option<String>,
    /// `--health-*`, `--no-healthcheck`, `--health-on-failure`.
    pub health: super::health::HealthFlags,
    pub health_on_failure: Option<String>,
    /// `-p`, `-P`, `--expose`.
    pub publish: Vec<String>,
    pub publish_all: bool,
    pub expose: Vec<String>,
    /// `--memory-reservation`, `--cpu-period`, `--cpu-quota` (as `update` takes them).
    pub memory_reservation: Option<i64>,
    pub cpu_period: Option<i64>,
    pub cpu_quota: Option<i64>,
    /// The flags checked in `create_host`, as typed (sizes already in bytes).
    pub ulimits: Vec<String>,
    pub devices: Vec<String>,
    pub log_driver: Option<String>,
    pub log_opts: Vec<String>,
    pub pid: Option<String>,
    pub ipc: Option<String>,
    pub uts: Option<String>,
    pub shm_size: Option<i64>,
    pub pull: Option<String>,
    pub platform: Option<String>,
    pub dns_search: Vec<String>,
    pub dns_options: Vec<String>,
    pub group_add: Vec<String>,
    pub sysctls: Vec<String>,
    pub oom_kill_disable: bool,
    pub oom_score_adj: Option<i64>,
    pub volumes_from: Vec<String>,
    pub domainname: Option<String>,
    /// `--cidfile`: recorded only (the CLI writes the file).
    pub cidfile: Option<String>,
    /// `-a/--attach` (and `run -d`, which attaches nothing); `None` is Docker's default
    /// for a foreground container: stdout and stderr, and stdin with `-i`.
    pub attach: Option<super::run_options::AttachStreams>,
}

/// The hostname and environment, refused before anything is made (a long hostname
/// would otherwise fail the start, deep in sethostname).
fn validate_identity(o: &CreateOptions) -> Result<()> {
    if let Some(h) = &o.hostname {
        if h.len() > 64 {
            return Err(Error::invalid(format!(
                "invalid hostname {h:?}: it is {} characters long, the limit is 64",
                h.len()
            )));
        }
    }
    if let Some(e) = o.env.iter().find(|e| e.starts_with('=') || e.is_empty()) {
        return Err(Error::invalid(format!("invalid environment variable: {e}")));
    }
    Ok(())
}

impl Engine {
    /// Check `--network` and the per-network flags; the result is stored in the record.
    fn endpoint_config(
        &self,
        network: &str,
        o: &CreateOptions,
    ) -> Result<std::collections::BTreeMap<String, super::model::EndpointConfig>> {
        let per_net = o.ip.is_some() || o.mac_address.is_some() || !o.network_aliases.is_empty();
        let mut out = std::collections::BTreeMap::new();
        match network {
            "none" | "host" => {
                if per_net {
                    return Err(Error::invalid(format!(
                        "--ip, --network-alias and --mac-address need a network; --network {network} has none"
                    )));
                }
                return Ok(out);
            }
            _ if network.starts_with("container:") => {
                let target = &network["container:".len()..];
                self.containers().find(target).map_err(|_| {
                    Error::not_found(
                        "container",
                        format!("{target} (named in --network {network})"),
                    )
                })?;
                let conflicting = per_net
                    || o.hostname.is_some()
                    || !o.dns.is_empty()
                    || !o.add_hosts.is_empty()
                    || !o.links.is_empty()
                    || !o.publish.is_empty()
                    || o.publish_all;
                if conflicting {
                    return Err(Error::invalid(format!(
                        "conflicting options: --network {network} shares that container's network, so --ip, --network-alias, --mac-address, --hostname, --dns, --add-host, --link and -p/-P cannot be set"
                    )));
                }
                return Ok(out);
            }
            _ => {}
        }
        let name = if network == "default" {
            "bridge"
        } else {
            network
        };
        let net = if name == "bridge" {
            self.networks().ensure_default()?
        } else {
            self.networks().get_to_join(name)?
        };
        net.may_join(&o.labels).map_err(Error::Forbidden)?;
        let ip = match &o.ip {
            Some(s) => {
                if net.name == "bridge" {
                    return Err(Error::invalid(
                        "user specified IP address is supported on user defined networks only",
                    ));
                }
                let ip: std::net::Ipv4Addr = s.parse().map_err(|_| {
                    Error::invalid(format!("invalid --ip {s:?}: not an IPv4 address"))
                })?;
                if !net.subnet.contains(ip) {
                    return Err(Error::invalid(format!(
                        "invalid --ip {ip}: not in network {}'s subnet {}",
                        net.name, net.subnet
                    )));
                }
                Some(ip)
            }
            None => None,
        };
        if let Some(m) = &o.mac_address {
            crate::network::ipam::parse_mac(m).map_err(Error::invalid)?;
        }
        if net.name == "bridge" && !o.network_aliases.is_empty() {
            return Err(Error::invalid(
                "network-scoped aliases are only supported for user-defined networks",
            ));
        }
        out.insert(
            net.name.clone(),
            super::model::EndpointConfig {
                ipv4_address: ip,
                aliases: o.network_aliases.clone(),
                mac_address: o.mac_address.clone(),
                order: 0,
            },
        );
        Ok(out)
    }

    pub fn create(&self, o: &CreateOptions) -> Result<super::Container> {
        // 1. Validate everything that needs no lock.
        if let Some(n) = &o.name {
            super::limits::check_name(n)?;
        }
        let restart = match &o.restart {
            Some(r) => RestartPolicy::parse(r).map_err(Error::invalid)?,
            None => RestartPolicy {
                name: "no".into(),
                maximum_retry_count: 0,
            },
        };
        if o.auto_remove && restart.name != "no" {
            return Err(Error::invalid(
                "conflicting options: cannot specify both --restart and --rm",
            ));
        }
        validate_identity(o)?;
        if let Some(sig) = &o.stop_signal {
            crate::signals::parse(sig)?;
        }
        let network = o.network.clone().unwrap_or_else(|| "default".into());
        let endpoints_config = self.endpoint_config(&network, o)?;
        let extras = self.check_host_extras(o, &network)?;
        for d in &o.dns {
            d.parse::<std::net::IpAddr>()
                .map_err(|_| Error::invalid(format!("invalid --dns {d:?}: not an IP address")))?;
        }
        for l in &o.links {
            let name = l.split_once(':').map(|(n, _)| n).unwrap_or(l);
            self.containers().find(name).map_err(|_| {
                Error::invalid(format!("invalid --link {l:?}: no such container {name}"))
            })?;
        }
        for h in &o.add_hosts {
            let ok = h.split_once(':').is_some_and(|(name, ip)| {
                !name.is_empty() && (ip == "host-gateway" || ip.parse::<std::net::IpAddr>().is_ok())
            });
            if !ok {
                return Err(Error::invalid(format!(
                    "invalid --add-host {h:?}: expected HOST:IP"
                )));
            }
        }
        let caps = crate::runtime::caps::compute(&o.cap_add, &o.cap_drop, o.privileged)
            .map_err(Error::invalid)?;
        let security = super::security_opt::prepare(&o.security_opt, &caps)?;
        if let Some(f) = &o.health_on_failure {
            super::health::policy::parse_on_failure(f).map_err(Error::invalid)?;
        }
        let mut port_bindings = crate::network::ports::PortMap::new();
        for p in &o.publish {
            crate::network::ports::spec::parse_publish(p, &mut port_bindings)
                .map_err(Error::invalid)?;
        }
        let mut exposed: Vec<String> = Vec::new();
        for e in &o.expose {
            exposed.extend(crate::network::ports::spec::parse_expose(e).map_err(Error::invalid)?);
        }
        // A fixed host port that is already taken fails here, before anything is made.
        if !port_bindings.is_empty() && !matches!(network.as_str(), "host" | "none") {
            crate::network::ports::hold::check_available(&port_bindings).map_err(|e| {
                let holder = |m: &crate::network::ports::Mapping| {
                    let id = crate::network::ports::active::owner(&self.paths, m)?;
                    Some(
                        self.containers()
                            .load(&id)
                            .map(|c| c.record.name)
                            .unwrap_or(id),
                    )
                };
                Error::Conflict(format!(
                    "driver failed programming external connectivity: {}",
                    e.describe(holder)
                ))
            })?;
        }
        let found = self.images().resolve(&o.image);
        if let Some(e) = super::create_host::pull_refusal(extras.pull, &o.image, found.is_ok()) {
            return Err(e);
        }
        // The client pulls (as Docker's CLI does); the create itself only looks.
        let img = found.map_err(|e| match e {
            Error::NotFound { .. } => Error::not_found("image", o.image.clone()),
            e => e,
        })?;
        let defaults = self.images().run_defaults(&img)?;
        let healthcheck = o
            .health
            .merge(defaults.healthcheck.as_ref())
            .map_err(Error::invalid)?;

        let mut mounts: Vec<MountPoint> = Vec::new();
        for v in &o.volumes {
            mounts.push(spec_parse::parse_volume_flag(v)?);
        }
        for m in &o.mounts {
            mounts.push(spec_parse::parse_mount_flag(m)?);
        }
        for t in &o.tmpfs {
            mounts.push(spec_parse::parse_tmpfs_flag(t)?);
        }
        for m in &extras.inherited_mounts {
            if !mounts.iter().any(|have| have.destination == m.destination) {
                mounts.push(m.clone());
            }
        }
        for dest in defaults.volumes.keys() {
            if !mounts.iter().any(|m| &m.destination == dest) {
                mounts.push(spec_parse::parse_volume_flag(dest)?);
            }
        }
        let mut seen = std::collections::HashSet::new();
        for m in &mounts {
            if !seen.insert(m.destination.clone()) {
                return Err(Error::invalid(format!(
                    "duplicate mount point: {}",
                    m.destination
                )));
            }
        }

        let entrypoint: Option<Vec<String>> = match &o.entrypoint {
            Some(e) if e.is_empty() || e == &[String::new()] => None,
            Some(e) => Some(e.clone()),
            None => defaults.entrypoint.clone(),
        };
        // Docker drops the image's CMD when --entrypoint is given.
        let cmd: Option<Vec<String>> = if !o.cmd.is_empty() {
            Some(o.cmd.clone())
        } else if o.entrypoint.is_some() {
            None
        } else {
            defaults.cmd.clone()
        };
        let mut argv: Vec<String> = entrypoint.clone().unwrap_or_default();
        argv.extend(cmd.clone().unwrap_or_default());
        if argv.is_empty() {
            return Err(Error::invalid(format!(
                "no command specified for image {}: give one after the image name",
                o.image
            )));
        }

        let id = ids::new_container_id();
        let mut labels = defaults.labels.clone();
        labels.extend(o.labels.clone());
        let config = Config {
            // On the host's network a container keeps the host's name, as on Docker.
            hostname: match (&o.hostname, network.as_str()) {
                (Some(h), _) => h.clone(),
                (None, _) if network == "host" || extras.uts_mode == "host" => {
                    nix::unistd::gethostname()
                        .map(|h| h.to_string_lossy().into_owned())
                        .unwrap_or_else(|_| id[..12].to_string())
                }
                (None, _) => id[..12].to_string(),
            },
            domainname: o.domainname.clone().unwrap_or_default(),
            user: o.user.clone().unwrap_or(defaults.user.clone()),
            attach_stdin: o.attach.map_or(o.open_stdin, |a| a.stdin),
            attach_stdout: o.attach.is_none_or(|a| a.stdout),
            attach_stderr: o.attach.is_none_or(|a| a.stderr),
            exposed_ports: {
                // Docker's ExposedPorts: the image's, --expose and every published port.
                let mut e = defaults.exposed_ports.clone();
                for k in exposed.iter().chain(port_bindings.keys()) {
                    e.insert(k.clone(), serde_json::json!({}));
                }
                e
            },
            tty: o.tty,
            open_stdin: o.open_stdin,
            // Docker closes stdin after the first client only when one attaches to it.
            stdin_once: o.open_stdin && o.attach.is_none_or(|a| a.stdin),
            env: super::env::merge_image_env(&defaults.env, &o.env),
            cmd,
            image: o.image.clone(),
            volumes: defaults.volumes.clone(),
            working_dir: o.workdir.clone().unwrap_or(defaults.working_dir.clone()),
            entrypoint,
            labels,
            stop_signal: o.stop_signal.clone().or(defaults.stop_signal.clone()),
            stop_timeout: o.stop_timeout,
            healthcheck,
        };
        let mut host_config = HostConfig {
            binds: o.volumes.clone(),
            network_mode: if network == "default" {
                "bridge".into()
            } else {
                network
            },
            restart_policy: restart,
            auto_remove: o.auto_remove,
            readonly_rootfs: o.read_only,
            tmpfs: o
                .tmpfs
                .iter()
                .map(|t| {
                    t.split_once(':')
                        .map(|(a, b)| (a.into(), b.into()))
                        .unwrap_or((t.clone(), String::new()))
                })
                .collect(),
            init: o.init,
            memory: o.memory.unwrap_or(0),
            // `-m` alone allows as much swap again (memory+swap = twice the memory), as
            // Docker's daemon sets it.
            memory_swap: match (o.memory, o.memory_swap) {
                (Some(m), None | Some(0)) if m > 0 => 2 * m,
                (_, s) => s.unwrap_or(0),
            },
            memory_reservation: o.memory_reservation.unwrap_or(0),
            cpu_period: o.cpu_period.unwrap_or(0),
            cpu_quota: o.cpu_quota.unwrap_or(0),
            container_id_file: o.cidfile.clone().unwrap_or_default(),
            nano_cpus: o.nano_cpus.unwrap_or(0),
            cpu_shares: o.cpu_shares.unwrap_or(0),
            pids_limit: super::limits::pids_limit(o.pids_limit, false),
            cpuset_cpus: o.cpuset_cpus.clone().unwrap_or_default(),
            cap_add: o.cap_add.clone(),
            cap_drop: o.cap_drop.clone(),
            privileged: o.privileged,
            security_opt: security.record,
            dns: o.dns.clone(),
            extra_hosts: o.add_hosts.clone(),
            links: o.links.clone(),
            port_bindings,
            publish_all_ports: o.publish_all,
            health_on_failure: o.health_on_failure.clone().unwrap_or_default(),
            cgroup_parent: o
                .cgroup_parent
                .clone()
                .unwrap_or_else(|| self.config.cgroup_parent.clone()),
            ..Default::default()
        };
        extras.fill(&mut host_config);
        // Every limit, in Docker's words, now rather than at the first start.
        super::limits::check_host_config(&host_config, &crate::cgroups::Machine::probe(), false)?;

        // 2. Under the global lock: the name, the anonymous volumes, the record.
        let _lock = FileLock::exclusive(&self.paths.global_lock())?;
        let name = match &o.name {
            Some(n) => {
                let n = n.strip_prefix('/').unwrap_or(n).to_string();
                if let Some(other) = self.containers().name_in_use(&n)? {
                    return Err(Error::Conflict(format!(
                        "Conflict. The container name \"/{n}\" is already in use by container \"{other}\". You have to remove (or rename) that container to be able to reuse that name."
                    )));
                }
                n
            }
            None => {
                let mut attempt = 0;
                loop {
                    let n = names::generate(attempt);
                    if self.containers().name_in_use(&n)?.is_none() {
                        break n;
                    }
                    attempt += 1;
                }
            }
        };
        let volumes = VolumeStore::new(&self.paths);
        let mut made = Vec::new();
        for m in mounts.iter_mut().filter(|m| m.kind == "volume") {
            if m.name.is_empty() {
                m.name = crate::store::ids::random_hex(32);
            }
            let existed = volumes.get(&m.name).is_ok();
            let v = volumes.create_locked(&m.name, m.anonymous)?;
            if !existed {
                made.push(v.name.clone());
            }
            m.source = v.mountpoint;
        }
        let record = ContainerRecord {
            id: id.clone(),
            name,
            created: super::now_rfc3339(),
            path: argv[0].clone(),
            args: argv[1..].to_vec(),
            image_id: img.id.clone(),
            config,
            host_config,
            mounts,
            endpoints_config,
        };
        if let Err(e) = self.containers().insert(&record) {
            for v in made {
                let _ = volumes.remove(&v, &[]);
            }
            return Err(e);
        }
        crate::events::container_event(&self.paths, &record, "create", &[]);
        Ok(super::Container {
            record,
            state: Default::default(),
        })
    }
}
