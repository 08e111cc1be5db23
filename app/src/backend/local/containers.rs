//! Container operations of the local backend: each finds the container, calls the
//! engine, and answers in Docker's models and error kinds.

use berth_engine::container::summary::{command_line, status_text};
use berth_engine::container::Container;
use berth_engine::Engine;
use bollard::models as m;
use bollard::query_parameters as q;

use super::convert::from_json;
use super::filters::ContainerFilters;
use crate::backend::{BackendError, ErrorKind, Result};

/// A container by ID, ID prefix or name, or Docker's 404.
pub fn find(e: &Engine, reference: &str) -> Result<Container> {
    e.containers().find(reference).map_err(|err| {
        if err.is_not_found() {
            BackendError::not_found(format!("No such container: {reference}"))
        } else {
            err.into()
        }
    })
}

pub fn list(e: &Engine, opts: &q::ListContainersOptions) -> Result<Vec<m::ContainerSummary>> {
    let filters = ContainerFilters::parse(opts.filters.as_ref())?;
    let explicit_all = opts.all || filters.wants_stopped();
    let mut list: Vec<Container> = e
        .containers()
        .list()?
        .into_iter()
        .filter(|c| explicit_all || c.state.status.is_live())
        .collect();
    filters.retain(e, &mut list);
    if let Some(n) = opts.limit.filter(|n| *n > 0) {
        list.truncate(n as usize);
    }
    let image_sizes = if opts.size {
        e.images()
            .list()?
            .into_iter()
            .map(|i| (i.id.to_string(), i.size))
            .collect()
    } else {
        std::collections::HashMap::new()
    };
    Ok(list
        .iter()
        .map(|c| {
            let mut s = summary(e, c);
            if opts.size {
                let rw = berth_engine::util::du(
                    &berth_engine::container::launch::ContainerDirs::of(&e.paths, c.id()).upper,
                ) as i64;
                let image = image_sizes
                    .get(&c.record.image_id.to_string())
                    .copied()
                    .unwrap_or(0) as i64;
                s.size_rw = Some(rw);
                s.size_root_fs = Some(rw + image);
            }
            s
        })
        .collect())
}

/// One row of `GET /containers/json`.
fn summary(e: &Engine, c: &Container) -> m::ContainerSummary {
    let r = &c.record;
    let created = chrono::DateTime::parse_from_rfc3339(&r.created)
        .map(|t| t.timestamp())
        .unwrap_or(0);
    let published = berth_engine::network::ports::active::published(&e.paths, c);
    let mut ports: Vec<m::PortSummary> = published
        .iter()
        .map(|p| m::PortSummary {
            ip: Some(p.host_ip.to_string()),
            private_port: p.container_port,
            public_port: Some(p.host_port),
            typ: serde_json::from_value(serde_json::json!(p.proto.as_str())).ok(),
        })
        .collect();
    if c.state.status.is_live() {
        for key in r.config.exposed_ports.keys() {
            let (port, proto) = key.split_once('/').unwrap_or((key, "tcp"));
            let Ok(port) = port.parse::<u16>() else {
                continue;
            };
            if !ports.iter().any(|p| p.private_port == port) {
                ports.push(m::PortSummary {
                    ip: None,
                    private_port: port,
                    public_port: None,
                    typ: serde_json::from_value(serde_json::json!(proto)).ok(),
                });
            }
        }
    }
    let networks = from_json::<std::collections::HashMap<String, m::EndpointSettings>>(
        c.networks_json(&e.paths),
    )
    .ok();
    let mounts = from_json::<Vec<m::MountPoint>>(c.mounts_json()).ok();
    m::ContainerSummary {
        id: Some(r.id.clone()),
        names: Some(vec![format!("/{}", r.name)]),
        image: Some(r.config.image.clone()),
        image_id: Some(r.image_id.to_string()),
        command: Some(command_line(&r.path, &r.args)),
        created: Some(created),
        ports: Some(ports),
        labels: Some(r.config.labels.clone().into_iter().collect()),
        state: serde_json::from_value(serde_json::json!(c.state.status.as_str())).ok(),
        status: Some(status_text(c)),
        host_config: Some(m::ContainerSummaryHostConfig {
            network_mode: Some(r.host_config.network_mode.clone()),
            annotations: None,
        }),
        network_settings: Some(m::ContainerSummaryNetworkSettings { networks }),
        mounts,
        health: c.state.health.as_ref().map(|h| m::ContainerSummaryHealth {
            status: serde_json::from_value(serde_json::json!(h.status)).ok(),
            failing_streak: Some(h.failing_streak as i64),
        }),
        ..Default::default()
    }
}

pub fn create(
    e: &Engine,
    name: Option<String>,
    platform: Option<String>,
    body: m::ContainerCreateBody,
) -> Result<m::ContainerCreateResponse> {
    let opts = super::create_body::options_from_body(name, platform, body)?;
    let c = e.create(&opts)?;
    Ok(m::ContainerCreateResponse {
        id: c.id().to_string(),
        warnings: Vec::new(),
    })
}

pub fn inspect(e: &Engine, reference: &str, size: bool) -> Result<m::ContainerInspectResponse> {
    let c = find(e, reference)?;
    let mut v = c.inspect_json(&e.paths);
    if size {
        let rw = berth_engine::util::du(
            &berth_engine::container::launch::ContainerDirs::of(&e.paths, c.id()).upper,
        );
        v["SizeRw"] = serde_json::json!(rw);
    }
    from_json(v)
}

/// Start; when an attach waits for this container, started attached and the stream
/// handed to it, so it sees the first byte.
pub fn start(e: &Engine, reference: &str, waiting: &super::attach::Waiting) -> Result<()> {
    let c = find(e, reference)?;
    if c.state.status.is_live() {
        return Err(BackendError::not_modified());
    }
    let attach = waiting.claim(c.id());
    let started = e.start(&c, attach).map_err(|s| {
        waiting.abandon(c.id());
        // Docker's daemon removes an auto-remove container whose start failed.
        if c.record.host_config.auto_remove {
            let _ = e.remove_stopped(c.id(), true);
        }
        BackendError::new(start_error_kind(s.code), s.message)
    })?;
    match started.stream {
        Some(stream) => waiting.hand_over(c.id(), stream),
        None => waiting.abandon(c.id()),
    }
    Ok(())
}

/// A start refused for the image's command (126, 127) is the caller's fault.
fn start_error_kind(code: i32) -> ErrorKind {
    match code {
        126 | 127 => ErrorKind::InvalidArgument,
        _ => ErrorKind::Internal,
    }
}

pub fn stop(
    e: &Engine,
    reference: &str,
    signal: Option<String>,
    timeout: Option<i64>,
) -> Result<()> {
    let mut c = find(e, reference)?;
    if !c.state.status.is_live() {
        return Err(BackendError::not_modified());
    }
    if let Some(sig) = signal.filter(|s| !s.is_empty()) {
        c.record.config.stop_signal = Some(sig);
    }
    Ok(e.stop(&c, timeout)?)
}

pub fn restart(
    e: &Engine,
    reference: &str,
    signal: Option<String>,
    timeout: Option<i64>,
) -> Result<()> {
    let mut c = find(e, reference)?;
    if let Some(sig) = signal.filter(|s| !s.is_empty()) {
        c.record.config.stop_signal = Some(sig);
    }
    e.restart(&c, timeout)
        .map_err(|s| BackendError::new(start_error_kind(s.code), s.message))
}

/// Docker's daemon words every kill failure `Cannot kill container: REF: why`.
pub fn kill(e: &Engine, reference: &str, signal: &str) -> Result<()> {
    let wrap = |err: BackendError| {
        BackendError::new(
            err.kind,
            format!("Cannot kill container: {reference}: {}", err.message),
        )
    };
    let c = find(e, reference).map_err(wrap)?;
    let signal = (!signal.is_empty()).then_some(signal);
    e.kill(&c, signal).map_err(|err| wrap(err.into()))
}

pub fn rename(e: &Engine, reference: &str, new_name: &str) -> Result<()> {
    let c = find(e, reference)?;
    e.rename(&c, new_name).map_err(|err| match err {
        berth_engine::Error::Conflict(msg) => {
            BackendError::conflict(format!("Error when allocating new name: {msg}"))
        }
        err => err.into(),
    })
}

pub fn remove(e: &Engine, reference: &str, opts: &q::RemoveContainerOptions) -> Result<()> {
    let c = find(e, reference)?;
    Ok(e.remove(&c, opts.force, opts.v)?)
}

pub fn prune(e: &Engine, opts: &q::PruneContainersOptions) -> Result<m::ContainerPruneResponse> {
    let filters = ContainerFilters::parse(opts.filters.as_ref())?;
    let mut stopped: Vec<Container> = e
        .containers()
        .list()?
        .into_iter()
        .filter(|c| !c.state.status.is_live())
        .collect();
    filters.retain(e, &mut stopped);
    let mut deleted = Vec::new();
    let mut reclaimed = 0u64;
    for c in stopped {
        let size = berth_engine::util::du(&e.paths.container_dir(c.id()));
        if e.remove_stopped(c.id(), false).is_ok() {
            reclaimed += size;
            deleted.push(c.id().to_string());
        }
    }
    Ok(m::ContainerPruneResponse {
        containers_deleted: Some(deleted),
        space_reclaimed: Some(reclaimed as i64),
    })
}

/// The exit code the journal recorded for a container, for a wait that finds it
/// already gone.
pub(super) fn last_exit_event(e: &Engine, id: &str) -> Option<i64> {
    let events =
        berth_engine::events::journal::read(&e.paths, |ev| ev.actor.id == id && ev.action == "die");
    events
        .last()
        .and_then(|ev| ev.actor.attributes.get("exitCode"))
        .and_then(|c| c.parse().ok())
}
