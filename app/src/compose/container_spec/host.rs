//! The host config: mounts, published ports, restart policy, resources, logging,
//! security options and namespaces, as compose's `getCreateConfigs` and
//! `getDeployResources` fill Docker's `HostConfig`.

use std::collections::{BTreeMap, HashMap};

use bollard::models as m;

use super::{first_container_of, mounts, network, non_empty, non_empty_map, Spec, SpecError};
use crate::compose::model::{Blkio, DeviceRequest, Resource, Service};

fn map(m: &BTreeMap<String, String>) -> Option<HashMap<String, String>> {
    non_empty_map(m.iter().map(|(k, v)| (k.clone(), v.clone())).collect())
}

pub(super) fn host_config(
    spec: &Spec,
    network_mode: String,
    links: Vec<String>,
) -> Result<m::HostConfig, SpecError> {
    let s = spec.service;
    let (binds, mounts) = mounts::volumes(spec)?;
    let (security_opt, unconfined) = security_opts(spec)?;
    let namespace = |mode: &Option<String>| {
        mode.as_deref()
            .filter(|v| !v.is_empty())
            .map(|v| network::shared(spec, v))
            .transpose()
    };
    let volumes_from = s
        .volumes_from
        .iter()
        .map(|v| volumes_from(spec, v))
        .collect::<Result<Vec<_>, _>>()?;
    let mut hc = m::HostConfig {
        annotations: map(&s.annotations),
        binds: non_empty(binds),
        mounts: non_empty(mounts),
        cap_add: non_empty(s.cap_add.clone()),
        cap_drop: non_empty(s.cap_drop.clone()),
        network_mode: Some(network_mode),
        init: s.init,
        ipc_mode: namespace(&s.ipc)?,
        cgroupns_mode: s
            .cgroup
            .as_deref()
            .map(|c| {
                c.parse()
                    .map_err(|_| spec.error(format!("invalid cgroup {c:?}")))
            })
            .transpose()?,
        readonly_rootfs: Some(s.read_only),
        restart_policy: restart_policy(spec)?,
        shm_size: s.shm_size.map(|b| b.0),
        sysctls: map(&s.sysctls),
        port_bindings: port_bindings(spec)?,
        publish_all_ports: Some(false),
        volumes_from: non_empty(volumes_from),
        dns: non_empty(s.dns.clone()),
        dns_search: non_empty(s.dns_search.clone()),
        dns_options: non_empty(s.dns_opt.clone()),
        extra_hosts: non_empty(
            s.extra_hosts
                .iter()
                .flat_map(|(host, ips)| ips.iter().map(move |ip| format!("{host}:{ip}")))
                .collect(),
        ),
        security_opt: non_empty(security_opt),
        storage_opt: map(&s.storage_opt),
        userns_mode: s.userns_mode.clone(),
        uts_mode: s.uts.clone(),
        privileged: Some(s.privileged),
        pid_mode: namespace(&s.pid)?,
        tmpfs: non_empty_map(
            s.tmpfs
                .iter()
                .map(|t| match t.split_once(':') {
                    Some((path, opts)) => (path.to_string(), opts.to_string()),
                    None => (t.clone(), String::new()),
                })
                .collect(),
        ),
        isolation: s
            .isolation
            .as_deref()
            .map(|i| {
                i.parse()
                    .map_err(|_| spec.error(format!("invalid isolation {i:?}")))
            })
            .transpose()?,
        runtime: s.runtime.clone(),
        log_config: s.logging.as_ref().map(|l| m::HostConfigLogConfig {
            typ: l.driver.clone(),
            config: map(&l.options),
        }),
        group_add: non_empty(s.group_add.clone()),
        links: non_empty(links),
        oom_score_adj: s.oom_score_adj,
        ..Default::default()
    };
    if unconfined {
        hc.masked_paths = Some(Vec::new());
        hc.readonly_paths = Some(Vec::new());
    }
    resources(s, &mut hc);
    Ok(hc)
}

/// `X[:MODE]` as X's first container, `container:NAME[:MODE]` as `NAME[:MODE]`. The
/// access mode is kept (compose drops it, making a `:ro` share writable).
fn volumes_from(spec: &Spec, entry: &str) -> Result<String, SpecError> {
    let (source, mode) = match entry.strip_prefix("container:") {
        Some(rest) => {
            let (name, mode) = split_mode(rest);
            (name.to_string(), mode)
        }
        None => {
            let (service, mode) = split_mode(entry);
            (first_container_of(spec, service)?, mode)
        }
    };
    Ok(match mode {
        Some(mode) => format!("{source}:{mode}"),
        None => source,
    })
}

fn split_mode(s: &str) -> (&str, Option<&str>) {
    match s.split_once(':') {
        Some((name, mode)) => (name, Some(mode)),
        None => (s, None),
    }
}

/// `restart`, overridden by `deploy.restart_policy` (`none`, `on-failure`, `any`), as
/// compose maps them; none for a `compose run` container.
fn restart_policy(spec: &Spec) -> Result<Option<m::RestartPolicy>, SpecError> {
    if spec.oneoff {
        return Ok(None);
    }
    let s = spec.service;
    let policy = |condition: &str, attempts: i64| -> Result<m::RestartPolicy, SpecError> {
        let name = match condition {
            "none" | "no" => m::RestartPolicyNameEnum::NO,
            "on-failure" => m::RestartPolicyNameEnum::ON_FAILURE,
            "unless-stopped" => m::RestartPolicyNameEnum::UNLESS_STOPPED,
            "any" | "always" => m::RestartPolicyNameEnum::ALWAYS,
            "" => m::RestartPolicyNameEnum::EMPTY,
            other => return Err(spec.error(format!("invalid restart policy {other:?}"))),
        };
        Ok(m::RestartPolicy {
            name: Some(name),
            maximum_retry_count: Some(attempts),
        })
    };
    let mut out = None;
    if let Some(restart) = s.restart.as_deref().filter(|r| !r.is_empty()) {
        let mut parts = restart.split(':');
        let condition = parts.next().unwrap_or_default();
        // As compose's Atoi with the error ignored: no number is 0.
        let attempts = parts.next().and_then(|n| n.parse().ok()).unwrap_or(0);
        out = Some(policy(condition, attempts)?);
    }
    if let Some(p) = s.deploy.as_ref().and_then(|d| d.restart_policy.as_ref()) {
        let attempts = p
            .max_attempts
            .map_or(0, |n| i64::try_from(n).unwrap_or(i64::MAX));
        out = Some(policy(
            p.condition.as_deref().unwrap_or_default(),
            attempts,
        )?);
    }
    Ok(out)
}

/// Each port's `TARGET/PROTOCOL` bound to its host address and published port. A
/// published range (`4000-4010`) is passed as it is: the engine picks a free port in
/// it, for each replica given the same range.
fn port_bindings(spec: &Spec) -> Result<Option<m::PortMap>, SpecError> {
    let mut out: m::PortMap = HashMap::new();
    for p in &spec.service.ports {
        let target = p.target.ok_or_else(|| spec.error("a port has no target"))?;
        let key = format!("{target}/{}", p.protocol_or_default());
        let binding = m::PortBinding {
            host_ip: Some(p.host_ip.clone().unwrap_or_default()),
            host_port: Some(p.published.clone().unwrap_or_default()),
        };
        out.entry(key)
            .or_insert_with(|| Some(Vec::new()))
            .get_or_insert_with(Vec::new)
            .push(binding);
    }
    Ok(non_empty_map(out))
}

/// Compose's handling of `security_opt` (docker/cli's): `systempaths=unconfined`
/// becomes empty masked and read-only path lists (true returned); a `seccomp` profile
/// file, relative to the project directory, is read and passed inline as compact JSON.
fn security_opts(spec: &Spec) -> Result<(Vec<String>, bool), SpecError> {
    let mut unconfined = false;
    let mut out = Vec::new();
    for opt in &spec.service.security_opt {
        if opt == "systempaths=unconfined" {
            unconfined = true;
            continue;
        }
        let (key, value) = match opt.split_once('=') {
            Some(kv) => kv,
            None if opt == "no-new-privileges" => (opt.as_str(), ""),
            None => opt
                .split_once(':')
                .ok_or_else(|| spec.error(format!("Invalid security-opt: {opt:?}")))?,
        };
        if key == "seccomp" && value != "unconfined" {
            let path = spec.working_dir.join(value);
            let fail =
                |e: String| spec.error(format!("opening seccomp profile ({value}) failed: {e}"));
            let text = std::fs::read_to_string(&path).map_err(|e| fail(e.to_string()))?;
            let json: serde_json::Value = serde_json::from_str(&text).map_err(|e| {
                spec.error(format!(
                    "compacting json for seccomp profile ({value}) failed: {e}"
                ))
            })?;
            out.push(format!("seccomp={json}"));
        } else {
            out.push(opt.clone());
        }
    }
    Ok((out, unconfined))
}

/// Limits and reservations, from the service's own keys, then `deploy.resources`
/// (which wins where it says something), devices, GPUs and ulimits.
fn resources(s: &Service, hc: &mut m::HostConfig) {
    hc.cgroup_parent = s.cgroup_parent.clone();
    hc.memory = s.mem_limit.map(|b| b.0);
    hc.memory_swap = s.memswap_limit.map(|b| b.0);
    hc.memory_swappiness = s.mem_swappiness.map(|b| b.0).filter(|v| *v != 0);
    hc.memory_reservation = s.mem_reservation.map(|b| b.0);
    hc.oom_kill_disable = Some(s.oom_kill_disable);
    hc.cpu_count = s.cpu_count;
    hc.cpu_period = s.cpu_period;
    hc.cpu_quota = s.cpu_quota;
    hc.cpu_realtime_period = s.cpu_rt_period;
    hc.cpu_realtime_runtime = s.cpu_rt_runtime;
    hc.cpu_shares = s.cpu_shares;
    hc.nano_cpus = s.cpus.and_then(nano_cpus);
    // As compose computes it, in float32.
    hc.cpu_percent = s
        .cpu_percent
        .map(|p| (p * 100.0) as i64)
        .filter(|p| *p != 0);
    hc.cpuset_cpus = s.cpuset.clone();
    hc.device_cgroup_rules = non_empty(s.device_cgroup_rules.clone());
    hc.pids_limit = s.pids_limit.filter(|p| *p != 0);
    if let Some(b) = &s.blkio_config {
        blkio(b, hc);
    }
    let mut requests = Vec::new();
    if let Some(d) = &s.deploy {
        if let Some(limits) = &d.resources.limits {
            limit(limits, hc);
        }
        if let Some(r) = &d.resources.reservations {
            if let Some(mem) = r.memory.filter(|b| b.0 != 0) {
                hc.memory_reservation = Some(mem.0);
            }
            requests.extend(r.devices.iter().map(|d| device_request(d, false)));
        }
    }
    requests.extend(s.gpus.iter().map(|d| device_request(d, true)));
    hc.device_requests = non_empty(requests);
    hc.devices = non_empty(
        s.devices
            .iter()
            .map(|d| m::DeviceMapping {
                path_on_host: Some(d.source.clone()),
                path_in_container: Some(d.target.clone().unwrap_or_else(|| d.source.clone())),
                cgroup_permissions: Some(d.permissions.clone().unwrap_or_else(|| "rwm".into())),
            })
            .collect(),
    );
    hc.ulimits = non_empty(
        s.ulimits
            .iter()
            .map(|(name, u)| m::ResourcesUlimits {
                name: Some(name.clone()),
                soft: Some(u.soft()),
                hard: Some(u.hard()),
            })
            .collect(),
    );
}

/// CPUs as nano-CPUs, multiplied in float32 as compose does; none for zero.
pub(crate) fn nano_cpus(cpus: f32) -> Option<i64> {
    Some((cpus * 1e9_f32) as i64).filter(|n| *n != 0)
}

fn limit(l: &Resource, hc: &mut m::HostConfig) {
    if let Some(mem) = l.memory.filter(|b| b.0 != 0) {
        hc.memory = Some(mem.0);
    }
    if let Some(n) = l.cpus.and_then(nano_cpus) {
        hc.nano_cpus = Some(n);
    }
    if let Some(p) = l.pids.filter(|p| *p > 0) {
        hc.pids_limit = Some(p);
    }
}

/// A device request; `gpus` entries always ask for the `gpu` capability.
fn device_request(d: &DeviceRequest, gpu: bool) -> m::DeviceRequest {
    let mut caps = d.capabilities.clone();
    if gpu {
        caps.push("gpu".into());
    }
    m::DeviceRequest {
        driver: d.driver.clone(),
        count: d.count.map(|c| c.0),
        device_ids: non_empty(d.device_ids.clone()),
        capabilities: Some(vec![caps]),
        options: map(&d.options),
    }
}

fn blkio(b: &Blkio, hc: &mut m::HostConfig) {
    let throttle = |list: &[crate::compose::model::ThrottleDevice]| {
        non_empty(
            list.iter()
                .map(|t| m::ThrottleDevice {
                    path: Some(t.path.clone()),
                    rate: Some(t.rate.0),
                })
                .collect(),
        )
    };
    hc.blkio_weight = b.weight;
    hc.blkio_weight_device = non_empty(
        b.weight_device
            .iter()
            .map(|w| m::ResourcesBlkioWeightDevice {
                path: Some(w.path.clone()),
                weight: w.weight.map(usize::from),
            })
            .collect(),
    );
    hc.blkio_device_read_bps = throttle(&b.device_read_bps);
    hc.blkio_device_read_iops = throttle(&b.device_read_iops);
    hc.blkio_device_write_bps = throttle(&b.device_write_bps);
    hc.blkio_device_write_iops = throttle(&b.device_write_iops);
}
