//! `run`/`create`'s options as Docker's create request: Config, HostConfig and
//! NetworkingConfig, the body every backend takes. Docker's CLI does the same split
//! (`-v` into Binds or anonymous Volumes, `-p` into PortBindings, `--mount` into Mounts),
//! so the values any daemon checks arrive in the shapes it expects. The local backend
//! reads the body back into the same options (`backend/local/create_body.rs`); the tests
//! below check that the round trip keeps every flag.

use std::collections::HashMap;

use berth_engine::container::create::CreateOptions;
use berth_engine::container::model::RestartPolicy;
use berth_engine::network::ports::spec::{parse_expose, parse_publish, PortMap};
use bollard::models as m;

use crate::backend::HEALTH_ON_FAILURE_LABEL;

/// What `container_create` takes: the name and platform go in the query.
#[derive(Debug, Clone)]
pub struct CreateRequest {
    pub name: Option<String>,
    pub platform: Option<String>,
    pub body: m::ContainerCreateBody,
}

/// Why a request could not be made.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RequestError {
    /// A flag's value that Docker's CLI refuses itself (its syntax).
    Flag(String),
    /// A value Docker's body has no room for, which Docker's daemon refuses with these
    /// words (`--restart bogus`): shown as the daemon's answer, as Docker shows it.
    Refused(String),
}

impl From<String> for RequestError {
    fn from(m: String) -> Self {
        RequestError::Flag(m)
    }
}

impl std::fmt::Display for RequestError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            RequestError::Flag(m) | RequestError::Refused(m) => f.write_str(m),
        }
    }
}

fn flag_err(flag: &str, value: &str, why: impl std::fmt::Display) -> String {
    format!("invalid argument {value:?} for \"{flag}\" flag: {why}")
}

fn nonempty<T>(v: Vec<T>) -> Option<Vec<T>> {
    (!v.is_empty()).then_some(v)
}

pub fn request(o: &CreateOptions) -> Result<CreateRequest, RequestError> {
    // Docker's CLI refuses this pair itself: the body has one test, NONE or a command.
    if o.health.none && (o.health.cmd.is_some() || o.health.test.is_some()) {
        return Err(RequestError::Flag(
            "--no-healthcheck conflicts with --health-* options".into(),
        ));
    }
    let mut labels: HashMap<String, String> = o.labels.clone().into_iter().collect();
    if let Some(f) = &o.health_on_failure {
        labels.insert(HEALTH_ON_FAILURE_LABEL.into(), f.clone());
    }
    let (binds, anonymous): (Vec<String>, Vec<String>) =
        o.volumes.iter().cloned().partition(|v| v.contains(':'));
    let mut exposed = Vec::new();
    for e in &o.expose {
        for key in parse_expose(e)? {
            if !exposed.contains(&key) {
                exposed.push(key);
            }
        }
    }
    let attach = o
        .attach
        .unwrap_or(berth_engine::container::run_options::AttachStreams {
            stdin: o.open_stdin,
            stdout: true,
            stderr: true,
        });
    let body = m::ContainerCreateBody {
        image: Some(o.image.clone()),
        cmd: nonempty(o.cmd.clone()),
        entrypoint: o.entrypoint.clone(),
        env: nonempty(o.env.clone()),
        working_dir: o.workdir.clone(),
        user: o.user.clone(),
        hostname: o.hostname.clone(),
        domainname: o.domainname.clone(),
        labels: (!labels.is_empty()).then_some(labels),
        tty: Some(o.tty),
        open_stdin: Some(o.open_stdin),
        stdin_once: Some(o.open_stdin && attach.stdin),
        attach_stdin: Some(attach.stdin),
        attach_stdout: Some(attach.stdout),
        attach_stderr: Some(attach.stderr),
        stop_signal: o.stop_signal.clone(),
        stop_timeout: o.stop_timeout,
        healthcheck: healthcheck(o),
        exposed_ports: nonempty(exposed),
        volumes: nonempty(anonymous),
        host_config: Some(host_config(o, binds)?),
        networking_config: networking(o),
        ..Default::default()
    };
    Ok(CreateRequest {
        name: o.name.clone(),
        platform: o.platform.clone(),
        body,
    })
}

fn healthcheck(o: &CreateOptions) -> Option<m::HealthConfig> {
    let h = &o.health;
    if h.is_empty() {
        return None;
    }
    let nanos = |d: Option<std::time::Duration>| d.map(|d| d.as_nanos() as i64);
    let test = if h.none {
        Some(vec!["NONE".to_string()])
    } else if let Some(t) = &h.test {
        Some(t.clone())
    } else {
        h.cmd
            .as_ref()
            .map(|c| vec!["CMD-SHELL".to_string(), c.clone()])
    };
    Some(m::HealthConfig {
        test,
        interval: nanos(h.interval),
        timeout: nanos(h.timeout),
        start_period: nanos(h.start_period),
        start_interval: nanos(h.start_interval),
        retries: h.retries.map(i64::from),
    })
}

fn host_config(o: &CreateOptions, binds: Vec<String>) -> Result<m::HostConfig, RequestError> {
    Ok(m::HostConfig {
        binds: nonempty(binds),
        container_id_file: o.cidfile.clone(),
        log_config: log_config(o)?,
        network_mode: o.network.clone(),
        port_bindings: port_bindings(&o.publish)?,
        restart_policy: restart_policy(o.restart.as_deref())?,
        auto_remove: Some(o.auto_remove),
        volumes_from: nonempty(o.volumes_from.clone()),
        mounts: nonempty(
            o.mounts
                .iter()
                .map(|s| mount(s))
                .collect::<Result<_, _>>()?,
        ),
        cap_add: nonempty(o.cap_add.clone()),
        cap_drop: nonempty(o.cap_drop.clone()),
        dns: nonempty(o.dns.clone()),
        dns_options: nonempty(o.dns_options.clone()),
        dns_search: nonempty(o.dns_search.clone()),
        extra_hosts: nonempty(o.add_hosts.clone()),
        group_add: nonempty(o.group_add.clone()),
        ipc_mode: o.ipc.clone(),
        links: nonempty(o.links.clone()),
        oom_score_adj: o.oom_score_adj,
        pid_mode: o.pid.clone(),
        privileged: Some(o.privileged),
        publish_all_ports: Some(o.publish_all),
        readonly_rootfs: Some(o.read_only),
        security_opt: nonempty(o.security_opt.clone()),
        tmpfs: pairs(&o.tmpfs, ':', "--tmpfs", true)?,
        uts_mode: o.uts.clone(),
        shm_size: o.shm_size,
        sysctls: pairs(&o.sysctls, '=', "--sysctl", false)?,
        init: o.init.then_some(true),
        cgroup_parent: o.cgroup_parent.clone(),
        memory: o.memory,
        memory_swap: o.memory_swap,
        memory_reservation: o.memory_reservation,
        nano_cpus: o.nano_cpus,
        cpu_shares: o.cpu_shares,
        cpu_period: o.cpu_period,
        cpu_quota: o.cpu_quota,
        cpuset_cpus: o.cpuset_cpus.clone(),
        pids_limit: o.pids_limit,
        oom_kill_disable: o.oom_kill_disable.then_some(true),
        ulimits: nonempty(
            o.ulimits
                .iter()
                .map(|u| ulimit(u))
                .collect::<Result<_, _>>()?,
        ),
        devices: nonempty(
            o.devices
                .iter()
                .map(|d| device(d))
                .collect::<Result<_, _>>()?,
        ),
        ..Default::default()
    })
}

/// `KEY=VALUE` (or `PATH:OPTS` for tmpfs, where the options may be left out) lines as
/// a map.
fn pairs(
    values: &[String],
    sep: char,
    flag: &str,
    value_optional: bool,
) -> Result<Option<HashMap<String, String>>, String> {
    let mut map = HashMap::new();
    for v in values {
        let (k, val) = match v.split_once(sep) {
            Some((k, val)) => (k, val),
            None if value_optional => (v.as_str(), ""),
            None => return Err(flag_err(flag, v, format!("expected KEY{sep}VALUE"))),
        };
        map.insert(k.to_string(), val.to_string());
    }
    Ok((!map.is_empty()).then_some(map))
}

fn log_config(o: &CreateOptions) -> Result<Option<m::HostConfigLogConfig>, String> {
    if o.log_driver.is_none() && o.log_opts.is_empty() {
        return Ok(None);
    }
    Ok(Some(m::HostConfigLogConfig {
        typ: o.log_driver.clone(),
        config: pairs(&o.log_opts, '=', "--log-opt", false)?,
    }))
}

fn port_bindings(publish: &[String]) -> Result<Option<m::PortMap>, String> {
    let mut parsed = PortMap::new();
    for p in publish {
        parse_publish(p, &mut parsed)?;
    }
    let map: m::PortMap = parsed
        .into_iter()
        .map(|(key, list)| {
            let list = list
                .into_iter()
                .map(|b| m::PortBinding {
                    host_ip: Some(b.host_ip),
                    host_port: Some(b.host_port),
                })
                .collect();
            (key, Some(list))
        })
        .collect();
    Ok((!map.is_empty()).then_some(map))
}

fn restart_policy(s: Option<&str>) -> Result<Option<m::RestartPolicy>, RequestError> {
    let Some(s) = s else { return Ok(None) };
    let p = RestartPolicy::parse(s).map_err(RequestError::Refused)?;
    let name = p
        .name
        .parse::<m::RestartPolicyNameEnum>()
        .map_err(|_| RequestError::Refused(format!("invalid restart policy '{s}'")))?;
    Ok(Some(m::RestartPolicy {
        name: Some(name),
        maximum_retry_count: (p.maximum_retry_count > 0).then_some(p.maximum_retry_count),
    }))
}

fn ulimit(s: &str) -> Result<m::ResourcesUlimits, String> {
    let u = berth_engine::container::ulimits::parse(s).map_err(|e| e.to_string())?;
    Ok(m::ResourcesUlimits {
        name: Some(u.name),
        soft: Some(u.soft),
        hard: Some(u.hard),
    })
}

fn device(s: &str) -> Result<m::DeviceMapping, String> {
    let d = berth_engine::container::devices::parse(s).map_err(|e| e.to_string())?;
    Ok(m::DeviceMapping {
        path_on_host: Some(d.path_on_host),
        path_in_container: Some(d.path_in_container),
        cgroup_permissions: Some(d.cgroup_permissions),
    })
}

/// One `--mount` value as Docker's Mount. The fields are only split here; what they
/// mean (a bind source that must exist, a size) is the backend's to check.
pub(super) fn mount(spec: &str) -> Result<m::Mount, String> {
    let bad = |why: String| format!("invalid --mount {spec:?}: {why}");
    let mut mt = m::Mount::default();
    let mut kind = "volume".to_string();
    for field in spec.split(',') {
        let (key, value) = match field.split_once('=') {
            Some((k, v)) => (k.trim().to_ascii_lowercase(), v.trim().to_string()),
            None if matches!(field, "readonly" | "ro") => (field.to_string(), "true".into()),
            None if field == "volume-nocopy" => (field.to_string(), "true".into()),
            None => {
                return Err(bad(format!(
                    "invalid field {field:?} must be a key=value pair"
                )))
            }
        };
        let truth = || matches!(value.as_str(), "1" | "true");
        match key.as_str() {
            "type" => kind = value,
            "source" | "src" => mt.source = Some(value),
            "target" | "destination" | "dst" => mt.target = Some(value),
            "readonly" | "ro" => mt.read_only = Some(truth()),
            "bind-propagation" => {
                let p = value
                    .parse()
                    .map_err(|_| bad(format!("invalid bind-propagation {value:?}")))?;
                mt.bind_options
                    .get_or_insert_with(Default::default)
                    .propagation = Some(p);
            }
            "volume-nocopy" => {
                mt.volume_options
                    .get_or_insert_with(Default::default)
                    .no_copy = Some(truth());
            }
            "volume-label" => {
                let (k, v) = value.split_once('=').unwrap_or((&value, ""));
                mt.volume_options
                    .get_or_insert_with(Default::default)
                    .labels
                    .get_or_insert_with(Default::default)
                    .insert(k.to_string(), v.to_string());
            }
            "tmpfs-size" => {
                let bytes = berth_engine::util::ram_in_bytes(&value)
                    .map_err(|e| bad(format!("tmpfs-size: {e}")))?;
                mt.tmpfs_options
                    .get_or_insert_with(Default::default)
                    .size_bytes = Some(bytes as i64);
            }
            "tmpfs-mode" => {
                let mode = i64::from_str_radix(&value, 8)
                    .map_err(|_| bad(format!("invalid value {value:?} for mode")))?;
                mt.tmpfs_options.get_or_insert_with(Default::default).mode = Some(mode);
            }
            k if k.starts_with("tmpfs-") => {
                return Err(bad(format!(
                    "unknown tmpfs option {k:?} (berth takes tmpfs-size and tmpfs-mode)"
                )))
            }
            other => return Err(bad(format!("unexpected key {other:?}"))),
        }
    }
    mt.typ = Some(
        kind.parse()
            .map_err(|_| bad(format!("unknown mount type {kind:?}")))?,
    );
    Ok(mt)
}

/// The container's own network's endpoint: `--ip`, `--network-alias`, `--mac-address`.
fn networking(o: &CreateOptions) -> Option<m::NetworkingConfig> {
    if o.ip.is_none() && o.network_aliases.is_empty() && o.mac_address.is_none() {
        return None;
    }
    let endpoint = m::EndpointSettings {
        ipam_config: o.ip.as_ref().map(|ip| m::EndpointIpamConfig {
            ipv4_address: Some(ip.clone()),
            ..Default::default()
        }),
        aliases: nonempty(o.network_aliases.clone()),
        mac_address: o.mac_address.clone(),
        ..Default::default()
    };
    let network = o.network.clone().unwrap_or_else(|| "bridge".into());
    Some(m::NetworkingConfig {
        endpoints_config: Some(HashMap::from([(network, endpoint)])),
    })
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use berth_engine::container::health::HealthFlags;
    use berth_engine::container::run_options::AttachStreams;

    use super::*;
    use crate::backend::local::create_body::options_from_body;

    /// The options the local backend reads back from the request this module makes.
    fn round_trip(o: &CreateOptions) -> CreateOptions {
        let r = request(o).expect("request");
        options_from_body(r.name, r.platform, r.body).expect("options")
    }

    fn same(a: &CreateOptions, b: &CreateOptions) {
        assert_eq!(format!("{a:#?}"), format!("{b:#?}"));
    }

    #[test]
    fn the_least_options_come_back_as_they_went() {
        let o = CreateOptions {
            image: "busybox".into(),
            attach: Some(AttachStreams {
                stdin: false,
                stdout: true,
                stderr: true,
            }),
            ..Default::default()
        };
        same(&round_trip(&o), &o);
    }

    #[test]
    fn every_flag_comes_back_as_it_went() {
        let s = |v: &[&str]| v.iter().map(|x| x.to_string()).collect::<Vec<_>>();
        let mut o = CreateOptions {
            image: "busybox:1".into(),
            name: Some("web".into()),
            platform: Some("linux/amd64".into()),
            cmd: s(&["sh", "-c", "echo hi"]),
            entrypoint: Some(s(&["/bin/env"])),
            env: s(&["A=1", "B=two words"]),
            workdir: Some("/srv".into()),
            user: Some("1000:1000".into()),
            hostname: Some("box".into()),
            domainname: Some("example.test".into()),
            labels: [
                ("a".to_string(), "1".to_string()),
                ("autoheal".into(), "true".into()),
            ]
            .into_iter()
            .collect(),
            tty: true,
            open_stdin: true,
            restart: Some("on-failure:3".into()),
            auto_remove: true,
            memory: Some(64 << 20),
            memory_swap: Some(-1),
            nano_cpus: Some(1_500_000_000),
            cpu_shares: Some(512),
            pids_limit: Some(50),
            cpuset_cpus: Some("0".into()),
            read_only: true,
            tmpfs: s(&["/run:size=1m", "/tmp"]),
            volumes: s(&["data:/data", "/host:/in:ro", "/anon"]),
            mounts: s(&[
                "type=bind,source=/etc,target=/hostetc,readonly",
                "type=volume,source=v1,target=/v1",
                "type=tmpfs,target=/t,tmpfs-size=1048576,tmpfs-mode=1777",
            ]),
            init: true,
            stop_signal: Some("SIGINT".into()),
            stop_timeout: Some(3),
            network: Some("net1".into()),
            ip: Some("10.9.0.5".into()),
            network_aliases: s(&["db", "store"]),
            mac_address: Some("02:42:ac:11:00:09".into()),
            dns: s(&["10.0.0.53"]),
            add_hosts: s(&["gw:10.0.0.1"]),
            links: s(&["other:alias"]),
            cap_add: s(&["NET_ADMIN"]),
            cap_drop: s(&["CHOWN"]),
            privileged: true,
            security_opt: s(&["no-new-privileges"]),
            cgroup_parent: Some("mine".into()),
            health: HealthFlags {
                test: Some(s(&["CMD-SHELL", "true"])),
                interval: Some(Duration::from_secs(2)),
                timeout: Some(Duration::from_millis(500)),
                start_period: Some(Duration::from_secs(1)),
                start_interval: Some(Duration::from_millis(100)),
                retries: Some(4),
                ..Default::default()
            },
            health_on_failure: Some("restart".into()),
            publish: s(&["8080:80/tcp", "127.0.0.1:5353:53/udp"]),
            publish_all: true,
            expose: s(&["9000/tcp"]),
            memory_reservation: Some(32 << 20),
            cpu_period: Some(100_000),
            cpu_quota: Some(50_000),
            ulimits: s(&["nofile=1024:2048"]),
            devices: s(&["/dev/null:/dev/xnull:rw"]),
            log_driver: Some("json-file".into()),
            log_opts: s(&["max-file=2", "max-size=1m"]),
            pid: Some("host".into()),
            ipc: Some("shareable".into()),
            uts: Some("host".into()),
            shm_size: Some(1 << 20),
            dns_search: s(&["example.test"]),
            dns_options: s(&["ndots:2"]),
            group_add: s(&["audio"]),
            sysctls: s(&["net.ipv4.ip_forward=1"]),
            oom_kill_disable: true,
            oom_score_adj: Some(-100),
            volumes_from: s(&["other:ro"]),
            cidfile: Some("/tmp/cid".into()),
            attach: Some(AttachStreams {
                stdin: true,
                stdout: true,
                stderr: false,
            }),
            ..Default::default()
        };
        // Published ports come back sorted by their container port.
        let back = round_trip(&o);
        o.publish
            .sort_by_key(|p| p.rsplit(':').next().map(str::to_string));
        same(&back, &o);
    }

    #[test]
    fn a_health_command_becomes_a_shell_test() {
        let o = CreateOptions {
            image: "busybox".into(),
            health: HealthFlags {
                cmd: Some("wget -q localhost".into()),
                ..Default::default()
            },
            ..Default::default()
        };
        let test = request(&o).unwrap().body.healthcheck.unwrap().test.unwrap();
        assert_eq!(test, ["CMD-SHELL", "wget -q localhost"]);
    }

    #[test]
    fn bad_values_name_their_flag() {
        let bad = |f: &dyn Fn(&mut CreateOptions)| {
            let mut o = CreateOptions {
                image: "busybox".into(),
                ..Default::default()
            };
            f(&mut o);
            request(&o).unwrap_err().to_string()
        };
        assert!(bad(&|o| o.publish = vec!["x:y".into()]).contains("-p/--publish"));
        assert!(bad(&|o| o.mounts = vec!["type=bind,bogus".into()]).contains("--mount"));
        assert!(
            bad(&|o| o.mounts = vec!["type=nfs,target=/x".into()]).contains("unknown mount type")
        );
        assert!(bad(&|o| o.sysctls = vec!["kernel.x".into()]).contains("\"--sysctl\" flag"));
        let mut o = CreateOptions {
            image: "busybox".into(),
            restart: Some("sometimes".into()),
            ..Default::default()
        };
        assert_eq!(
            request(&o).unwrap_err(),
            RequestError::Refused("invalid restart policy 'sometimes'".into())
        );
        o.restart = Some("always".into());
        assert!(request(&o).is_ok());
        assert!(bad(&|o| o.ulimits = vec!["nofile=x".into()]).contains("nofile"));
        let conflict = bad(&|o| {
            o.health.none = true;
            o.health.cmd = Some("true".into());
        });
        assert!(conflict.contains("--no-healthcheck"), "{conflict}");
    }
}
