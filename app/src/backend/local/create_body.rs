//! `POST /containers/create`'s body (Docker's Config + HostConfig + NetworkingConfig)
//! as the engine's create options. Structured values are written in the one syntax the
//! engine already validates (`-p`, `--mount`, `--ulimit`, ...), so a container made
//! through the API is checked exactly as one made by the CLI.

use std::time::Duration;

use berth_engine::container::create::CreateOptions;
use berth_engine::container::health::HealthFlags;
use bollard::models as m;

use crate::backend::{BackendError, Result};

pub fn options_from_body(
    name: Option<String>,
    platform: Option<String>,
    body: m::ContainerCreateBody,
) -> Result<CreateOptions> {
    let image = body
        .image
        .clone()
        .filter(|i| !i.is_empty())
        .ok_or_else(|| {
            BackendError::invalid("config cannot be empty in order to create a container")
        })?;
    let hc = body.host_config.clone().unwrap_or_default();
    let mut labels = body.labels.clone().unwrap_or_default();
    let health_on_failure = labels.remove(crate::backend::HEALTH_ON_FAILURE_LABEL);
    let mut o = CreateOptions {
        image,
        name: name.filter(|n| !n.is_empty()),
        platform: platform.filter(|p| !p.is_empty()),
        cmd: body.cmd.clone().unwrap_or_default(),
        entrypoint: body.entrypoint.clone(),
        env: body.env.clone().unwrap_or_default(),
        workdir: body.working_dir.clone().filter(|w| !w.is_empty()),
        user: body.user.clone().filter(|u| !u.is_empty()),
        hostname: body.hostname.clone().filter(|h| !h.is_empty()),
        domainname: body.domainname.clone().filter(|d| !d.is_empty()),
        labels: labels.into_iter().collect(),
        health_on_failure,
        tty: body.tty.unwrap_or(false),
        open_stdin: body.open_stdin.unwrap_or(false),
        stop_signal: body.stop_signal.clone().filter(|s| !s.is_empty()),
        stop_timeout: body.stop_timeout,
        health: health_flags(body.healthcheck.as_ref()),
        expose: body.exposed_ports.clone().unwrap_or_default(),
        ..Default::default()
    };
    o.attach = Some(berth_engine::container::run_options::AttachStreams {
        stdin: body.attach_stdin.unwrap_or(false),
        stdout: body.attach_stdout.unwrap_or(false),
        stderr: body.attach_stderr.unwrap_or(false),
    });
    // Binds, then the config's anonymous volumes for paths nothing else mounts (clients
    // list a bound path in both, as Docker's daemon expects).
    let binds = hc.binds.clone().unwrap_or_default();
    let mut taken: Vec<String> = binds.iter().map(|b| bind_target(b)).collect();
    taken.extend(hc.mounts.iter().flatten().filter_map(|m| m.target.clone()));
    taken.extend(hc.tmpfs.iter().flatten().map(|(k, _)| k.clone()));
    o.volumes = binds;
    for v in body.volumes.clone().unwrap_or_default() {
        if !taken
            .iter()
            .any(|t| t.trim_end_matches('/') == v.trim_end_matches('/'))
        {
            o.volumes.push(v);
        }
    }
    host_config(&mut o, hc)?;
    networking(&mut o, body.networking_config.as_ref());
    Ok(o)
}

/// The container path of a bind (`SRC:DST[:OPTS]`, or a bare path).
fn bind_target(b: &str) -> String {
    let parts: Vec<&str> = b.split(':').collect();
    match parts.as_slice() {
        [only] => only.to_string(),
        [_, dst, ..] => dst.to_string(),
        [] => String::new(),
    }
}

fn health_flags(h: Option<&m::HealthConfig>) -> HealthFlags {
    let Some(h) = h else {
        return HealthFlags::default();
    };
    let nanos = |n: Option<i64>| n.filter(|n| *n > 0).map(|n| Duration::from_nanos(n as u64));
    let test = h.test.clone().filter(|t| !t.is_empty());
    HealthFlags {
        none: test
            .as_deref()
            .is_some_and(|t| t.first().map(String::as_str) == Some("NONE")),
        test: test.filter(|t| t.first().map(String::as_str) != Some("NONE")),
        interval: nanos(h.interval),
        timeout: nanos(h.timeout),
        start_period: nanos(h.start_period),
        start_interval: nanos(h.start_interval),
        retries: h.retries.filter(|r| *r > 0).map(|r| r as u32),
        cmd: None,
    }
}

fn host_config(o: &mut CreateOptions, hc: m::HostConfig) -> Result<()> {
    let positive = |v: Option<i64>| v.filter(|v| *v != 0);
    o.memory = positive(hc.memory);
    o.memory_swap = positive(hc.memory_swap);
    o.memory_reservation = positive(hc.memory_reservation);
    o.nano_cpus = positive(hc.nano_cpus);
    o.cpu_shares = positive(hc.cpu_shares);
    o.cpu_period = positive(hc.cpu_period);
    o.cpu_quota = positive(hc.cpu_quota);
    // Zero or less is "no limit": the engine's `limits::pids_limit` says so.
    o.pids_limit = hc.pids_limit;
    o.cpuset_cpus = hc.cpuset_cpus.filter(|c| !c.is_empty());
    o.shm_size = positive(hc.shm_size);
    o.oom_kill_disable = hc.oom_kill_disable.unwrap_or(false);
    o.oom_score_adj = positive(hc.oom_score_adj);
    o.read_only = hc.readonly_rootfs.unwrap_or(false);
    o.init = hc.init.unwrap_or(false);
    o.auto_remove = hc.auto_remove.unwrap_or(false);
    o.privileged = hc.privileged.unwrap_or(false);
    o.publish_all = hc.publish_all_ports.unwrap_or(false);
    o.cap_add = hc.cap_add.unwrap_or_default();
    o.cap_drop = hc.cap_drop.unwrap_or_default();
    o.security_opt = hc.security_opt.unwrap_or_default();
    o.dns = hc.dns.unwrap_or_default();
    o.dns_search = hc.dns_search.unwrap_or_default();
    o.dns_options = hc.dns_options.unwrap_or_default();
    o.add_hosts = hc.extra_hosts.unwrap_or_default();
    o.links = hc.links.unwrap_or_default();
    o.group_add = hc.group_add.unwrap_or_default();
    o.volumes_from = hc.volumes_from.unwrap_or_default();
    o.cgroup_parent = hc.cgroup_parent.filter(|c| !c.is_empty());
    o.pid = hc.pid_mode.filter(|p| !p.is_empty());
    o.ipc = hc.ipc_mode.filter(|p| !p.is_empty());
    o.uts = hc.uts_mode.filter(|p| !p.is_empty());
    o.cidfile = hc.container_id_file.filter(|c| !c.is_empty());
    o.network = hc.network_mode.filter(|n| !n.is_empty() && n != "default");
    o.restart = hc.restart_policy.and_then(|r| {
        let name = r.name.map(|n| n.to_string()).unwrap_or_default();
        match (name.as_str(), r.maximum_retry_count.unwrap_or(0)) {
            ("" | "no", _) => None,
            ("on-failure", n) if n > 0 => Some(format!("on-failure:{n}")),
            (name, _) => Some(name.to_string()),
        }
    });
    o.tmpfs = sorted(hc.tmpfs.unwrap_or_default())
        .into_iter()
        .map(|(path, opts)| {
            if opts.is_empty() {
                path
            } else {
                format!("{path}:{opts}")
            }
        })
        .collect();
    o.sysctls = sorted(hc.sysctls.unwrap_or_default())
        .into_iter()
        .map(|(k, v)| format!("{k}={v}"))
        .collect();
    o.ulimits = hc
        .ulimits
        .unwrap_or_default()
        .into_iter()
        .map(|u| {
            format!(
                "{}={}:{}",
                u.name.unwrap_or_default(),
                u.soft.unwrap_or(0),
                u.hard.unwrap_or(0)
            )
        })
        .collect();
    o.devices = hc
        .devices
        .unwrap_or_default()
        .into_iter()
        .map(|d| {
            let host = d.path_on_host.unwrap_or_default();
            let inside = d
                .path_in_container
                .filter(|p| !p.is_empty())
                .unwrap_or(host.clone());
            let perms = d
                .cgroup_permissions
                .filter(|p| !p.is_empty())
                .unwrap_or("rwm".into());
            format!("{host}:{inside}:{perms}")
        })
        .collect();
    if let Some(log) = hc.log_config {
        o.log_driver = log.typ.filter(|t| !t.is_empty());
        o.log_opts = sorted(log.config.unwrap_or_default())
            .into_iter()
            .map(|(k, v)| format!("{k}={v}"))
            .collect();
    }
    for (port, bindings) in sorted(hc.port_bindings.unwrap_or_default()) {
        for b in bindings.unwrap_or_default() {
            let ip = b.host_ip.unwrap_or_default();
            let host_port = b.host_port.unwrap_or_default();
            let ip = if ip.contains(':') {
                format!("[{ip}]")
            } else {
                ip
            };
            o.publish.push(if ip.is_empty() {
                format!("{host_port}:{port}")
            } else {
                format!("{ip}:{host_port}:{port}")
            });
        }
    }
    for mount in hc.mounts.unwrap_or_default() {
        o.mounts.push(mount_flag(mount)?);
    }
    Ok(())
}

/// A structured mount as the `--mount` flag writes it.
fn mount_flag(mount: m::Mount) -> Result<String> {
    let kind = mount
        .typ
        .map(|t| t.to_string())
        .unwrap_or_else(|| "volume".into());
    let mut parts = vec![format!("type={kind}")];
    if let Some(s) = mount.source.filter(|s| !s.is_empty()) {
        parts.push(format!("source={s}"));
    }
    let target = mount
        .target
        .filter(|t| !t.is_empty())
        .ok_or_else(|| BackendError::invalid("invalid mount config: Target must not be empty"))?;
    parts.push(format!("target={target}"));
    if mount.read_only == Some(true) {
        parts.push("readonly".into());
    }
    if let Some(b) = mount.bind_options {
        if let Some(p) = b.propagation {
            parts.push(format!("bind-propagation={p}"));
        }
    }
    if let Some(v) = mount.volume_options {
        if v.no_copy == Some(true) {
            parts.push("volume-nocopy".into());
        }
        for (k, val) in sorted(v.labels.unwrap_or_default()) {
            parts.push(format!("volume-label={k}={val}"));
        }
    }
    if let Some(t) = mount.tmpfs_options {
        if let Some(size) = t.size_bytes.filter(|s| *s > 0) {
            parts.push(format!("tmpfs-size={size}"));
        }
        if let Some(mode) = t.mode.filter(|m| *m > 0) {
            parts.push(format!("tmpfs-mode={mode:o}"));
        }
    }
    Ok(parts.join(","))
}

/// The endpoint settings of the container's own network (`--ip`, `--network-alias`,
/// `--mac-address`).
fn networking(o: &mut CreateOptions, nc: Option<&m::NetworkingConfig>) {
    let Some(eps) = nc.and_then(|n| n.endpoints_config.as_ref()) else {
        return;
    };
    let own = o.network.clone().unwrap_or_else(|| "bridge".into());
    let Some(ep) = eps
        .get(&own)
        .or_else(|| (eps.len() == 1).then(|| eps.values().next()).flatten())
    else {
        return;
    };
    if o.network.is_none() && eps.len() == 1 {
        if let Some(name) = eps.keys().next().filter(|n| n.as_str() != "bridge") {
            o.network = Some(name.clone());
        }
    }
    o.ip = ep
        .ipam_config
        .as_ref()
        .and_then(|i| i.ipv4_address.clone())
        .filter(|a| !a.is_empty());
    o.network_aliases = ep.aliases.clone().unwrap_or_default();
    o.mac_address = ep.mac_address.clone().filter(|m| !m.is_empty());
}

/// A map's entries in key order, so what the engine records does not depend on hashing.
fn sorted<V>(m: std::collections::HashMap<String, V>) -> Vec<(String, V)> {
    let mut v: Vec<_> = m.into_iter().collect();
    v.sort_by(|a, b| a.0.cmp(&b.0));
    v
}
