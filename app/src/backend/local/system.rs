//! System operations of the local backend: version, info, disk usage and the event
//! stream (the engine's journal, followed with inotify on a thread of its own).

use std::time::Duration;

use berth_engine::container::Status;
use berth_engine::events::filter::{parse_time, Filters};
use berth_engine::events::follow::Follower;
use berth_engine::events::{now_nanos, Event};
use berth_engine::Engine;
use bollard::models as m;
use bollard::query_parameters as q;
use tokio::sync::mpsc;

use super::convert::from_json;
use super::LocalBackend;
use crate::backend::{BackendError, Result, Stream};

/// The newest Engine API version Berth speaks, and the oldest it accepts.
pub const API_VERSION: &str = "1.45";
pub const MIN_API_VERSION: &str = "1.24";

fn kernel() -> String {
    nix::sys::utsname::uname()
        .map(|u| u.release().to_string_lossy().into_owned())
        .unwrap_or_default()
}

fn arch() -> &'static str {
    match std::env::consts::ARCH {
        "x86_64" => "amd64",
        "aarch64" => "arm64",
        other => other,
    }
}

pub fn version() -> m::SystemVersion {
    let v = env!("CARGO_PKG_VERSION").to_string();
    m::SystemVersion {
        platform: Some(m::SystemVersionPlatform {
            name: "Berth Engine".into(),
        }),
        components: Some(vec![m::SystemVersionComponents {
            name: "Engine".into(),
            version: v.clone(),
            details: Some(
                [
                    ("ApiVersion".to_string(), API_VERSION.to_string()),
                    ("MinAPIVersion".to_string(), MIN_API_VERSION.to_string()),
                    ("Os".to_string(), "linux".to_string()),
                    ("Arch".to_string(), arch().to_string()),
                    ("KernelVersion".to_string(), kernel()),
                ]
                .into_iter()
                .collect(),
            ),
        }]),
        version: Some(v),
        api_version: Some(API_VERSION.into()),
        min_api_version: Some(MIN_API_VERSION.into()),
        git_commit: Some(String::new()),
        go_version: Some("n/a (Rust)".into()),
        os: Some("linux".into()),
        arch: Some(arch().into()),
        kernel_version: Some(kernel()),
        experimental: Some(false),
        build_time: Some(String::new()),
    }
}

pub fn info(e: &Engine) -> Result<m::SystemInfo> {
    let cs = e.containers().list()?;
    let count = |s: Status| cs.iter().filter(|c| c.state.status == s).count() as i64;
    let running = count(Status::Running);
    let paused = count(Status::Paused);
    let unified = berth_engine::cgroups::detect(&e.config.cgroup_root)
        .map(|h| format!("{h:?}") == "Unified")
        .unwrap_or(false);
    let mem_total = std::fs::read_to_string("/proc/meminfo")
        .ok()
        .and_then(|t| {
            t.lines()
                .find(|l| l.starts_with("MemTotal:"))
                .and_then(|l| l.split_whitespace().nth(1)?.parse::<i64>().ok())
        })
        .map(|kb| kb * 1024);
    let host = nix::unistd::gethostname()
        .map(|h| h.to_string_lossy().into_owned())
        .unwrap_or_default();
    let root_id = berth_engine::store::root_id::root_id(&e.paths.root).unwrap_or_default();
    let v = serde_json::json!({
        "ID": root_id,
        "Containers": cs.len(),
        "ContainersRunning": running,
        "ContainersPaused": paused,
        "ContainersStopped": cs.len() as i64 - running - paused,
        "Images": e.images().list().map(|l| l.len()).unwrap_or(0),
        "Driver": "overlay",
        "DriverStatus": [["Backing Filesystem", "overlayfs"]],
        "DockerRootDir": e.paths.root,
        "Plugins": {"Volume": ["local"], "Network": ["bridge", "host", "null"], "Log": ["json-file", "local", "none"]},
        "MemoryLimit": true,
        "SwapLimit": true,
        "CpuCfsPeriod": true,
        "CpuCfsQuota": true,
        "CPUShares": true,
        "CPUSet": true,
        "PidsLimit": true,
        "OomKillDisable": !unified,
        "IPv4Forwarding": std::fs::read_to_string("/proc/sys/net/ipv4/ip_forward").map(|s| s.trim() == "1").unwrap_or(false),
        "Debug": false,
        "NFd": std::fs::read_dir("/proc/self/fd").map(|d| d.count()).unwrap_or(0),
        "NGoroutines": 0,
        "SystemTime": chrono::Local::now().to_rfc3339_opts(chrono::SecondsFormat::Nanos, true),
        "LoggingDriver": "json-file",
        "CgroupDriver": "cgroupfs",
        "CgroupVersion": if unified { "2" } else { "1" },
        "NEventsListener": 0,
        "KernelVersion": kernel(),
        "OperatingSystem": os_name(),
        "OSVersion": "",
        "OSType": "linux",
        "Architecture": std::env::consts::ARCH,
        "NCPU": std::thread::available_parallelism().map(|n| n.get()).unwrap_or(1),
        "MemTotal": mem_total.unwrap_or(0),
        "IndexServerAddress": "https://index.docker.io/v1/",
        "Name": host,
        "Labels": [],
        "ExperimentalBuild": false,
        "ServerVersion": env!("CARGO_PKG_VERSION"),
        "Runtimes": {"berth": {"path": "berth"}},
        "DefaultRuntime": "berth",
        "Swarm": swarm_info(e),
        "LiveRestoreEnabled": true,
        "Isolation": "",
        "InitBinary": "",
        "SecurityOptions": ["name=seccomp,profile=builtin"],
        "Warnings": [],
    });
    from_json(v)
}

/// `Info.Swarm`: inactive, or this host as the swarm's one node, its manager and
/// leader, as Docker's daemon describes a single-node swarm.
fn swarm_info(e: &Engine) -> serde_json::Value {
    let inactive = serde_json::json!({
        "LocalNodeState": "inactive", "NodeID": "", "NodeAddr": "",
        "ControlAvailable": false, "Error": "", "RemoteManagers": null,
    });
    let (Ok(swarm), Ok(nodes)) = (super::swarm::inspect(e), super::swarm::nodes(e)) else {
        return inactive;
    };
    let Some(node) = nodes.first() else {
        return inactive;
    };
    let node_id = node.id.clone().unwrap_or_default();
    let addr = node
        .status
        .as_ref()
        .and_then(|s| s.addr.clone())
        .unwrap_or_default();
    let managers: Vec<serde_json::Value> = nodes
        .iter()
        .filter_map(|n| {
            let ms = n.manager_status.as_ref()?;
            Some(serde_json::json!({"NodeID": n.id, "Addr": ms.addr}))
        })
        .collect();
    serde_json::json!({
        "NodeID": node_id,
        "NodeAddr": addr,
        "LocalNodeState": "active",
        "ControlAvailable": true,
        "Error": "",
        "RemoteManagers": managers,
        "Nodes": nodes.len(),
        "Managers": managers.len(),
        "Cluster": {
            "ID": swarm.id,
            "Version": swarm.version,
            "CreatedAt": swarm.created_at,
            "UpdatedAt": swarm.updated_at,
            "Spec": swarm.spec,
            "TLSInfo": swarm.tls_info,
            "RootRotationInProgress": swarm.root_rotation_in_progress.unwrap_or(false),
            "DataPathPort": swarm.data_path_port.unwrap_or(4789),
            "DefaultAddrPool": swarm.default_addr_pool.clone().unwrap_or_else(|| vec!["10.0.0.0/8".into()]),
            "SubnetSize": swarm.subnet_size.unwrap_or(24),
        },
    })
}

/// `PRETTY_NAME` of /etc/os-release, as Docker's daemon reports the host.
fn os_name() -> String {
    std::fs::read_to_string("/etc/os-release")
        .ok()
        .and_then(|t| {
            t.lines()
                .find_map(|l| l.strip_prefix("PRETTY_NAME="))
                .map(|v| v.trim_matches('"').to_string())
        })
        .unwrap_or_else(|| "Linux".into())
}

/// `GET /system/df`: totals per kind, with the items Docker's older answer lists.
pub fn df(e: &Engine) -> Result<m::SystemDataUsageResponse> {
    let mut images = super::images::list(
        e,
        &q::ListImagesOptions {
            all: true,
            ..Default::default()
        },
        true,
    )?;
    shared_sizes(e, &mut images);
    let containers = super::containers::list(
        e,
        &q::ListContainersOptions {
            all: true,
            size: true,
            ..Default::default()
        },
    )?;
    let volumes = super::volumes::list(e, &q::ListVolumesOptions::default(), true)?
        .volumes
        .unwrap_or_default();
    let sum = |xs: &mut dyn Iterator<Item = i64>| xs.sum::<i64>();
    let image_total = sum(&mut images.iter().map(|i| i.size));
    let image_free = sum(&mut images.iter().filter(|i| i.containers == 0).map(|i| i.size));
    let c_total = sum(&mut containers.iter().map(|c| c.size_rw.unwrap_or(0)));
    let live = |c: &m::ContainerSummary| {
        matches!(
            c.state.map(|s| s.to_string()).as_deref(),
            Some("running" | "paused" | "restarting")
        )
    };
    let c_free = sum(&mut containers
        .iter()
        .filter(|c| !live(c))
        .map(|c| c.size_rw.unwrap_or(0)));
    let usage = |v: &m::Volume| {
        v.usage_data
            .as_ref()
            .map(|u| (u.size, u.ref_count))
            .unwrap_or((0, 0))
    };
    let v_total = sum(&mut volumes.iter().map(|v| usage(v).0));
    let v_free = sum(&mut volumes
        .iter()
        .filter(|v| usage(v).1 == 0)
        .map(|v| usage(v).0));
    // Each item as JSON (the usage models keep their lists untyped).
    fn items<T: serde::Serialize>(xs: &[T]) -> Option<Vec<serde_json::Value>> {
        Some(
            xs.iter()
                .filter_map(|x| serde_json::to_value(x).ok())
                .collect(),
        )
    }
    Ok(m::SystemDataUsageResponse {
        image_usage: Some(m::ImagesDiskUsage {
            active_count: Some(images.iter().filter(|i| i.containers > 0).count() as i64),
            total_count: Some(images.len() as i64),
            reclaimable: Some(image_free),
            total_size: Some(image_total),
            items: items(&images),
        }),
        container_usage: Some(m::ContainersDiskUsage {
            active_count: Some(containers.iter().filter(|c| live(c)).count() as i64),
            total_count: Some(containers.len() as i64),
            reclaimable: Some(c_free),
            total_size: Some(c_total),
            items: items(&containers),
        }),
        volume_usage: Some(m::VolumesDiskUsage {
            active_count: Some(volumes.iter().filter(|v| usage(v).1 > 0).count() as i64),
            total_count: Some(volumes.len() as i64),
            reclaimable: Some(v_free),
            total_size: Some(v_total),
            items: items(&volumes),
        }),
        build_cache_usage: None,
    })
}

/// Each image's `SharedSize`: the unpacked size of its layers that another image uses
/// too (clients subtract it when they count what removing images would free).
fn shared_sizes(e: &Engine, images: &mut [m::ImageSummary]) {
    let store = e.images();
    let dirs: Vec<Vec<std::path::PathBuf>> = images
        .iter()
        .map(|i| {
            store
                .resolve(&i.id)
                .and_then(|r| store.layer_dirs(&r))
                .unwrap_or_default()
        })
        .collect();
    let mut users: std::collections::HashMap<&std::path::Path, usize> = Default::default();
    for d in dirs.iter().flatten() {
        *users.entry(d.as_path()).or_default() += 1;
    }
    let mut sizes: std::collections::HashMap<&std::path::Path, i64> = Default::default();
    for (img, ds) in images.iter_mut().zip(&dirs) {
        img.shared_size = ds
            .iter()
            .filter(|d| users.get(d.as_path()).copied().unwrap_or(0) > 1)
            .map(|d| {
                *sizes
                    .entry(d.as_path())
                    .or_insert_with(|| berth_engine::util::du(d) as i64)
            })
            .sum();
    }
}

/// The event stream: the journal since `since` (when given), then new events as they
/// are written, until `until` passes or the reader goes away.
pub async fn events(b: LocalBackend, opts: q::EventsOptions) -> Result<Stream<m::EventMessage>> {
    let now = now_nanos();
    let time = |s: &Option<String>, what: &str| {
        s.as_deref()
            .filter(|s| !s.is_empty())
            .map(|s| parse_time(s, now))
            .transpose()
            .map_err(|e| BackendError::invalid(format!("{what}: {e}")))
    };
    let since = time(&opts.since, "since")?;
    let until = time(&opts.until, "until")?;
    let specs: Vec<String> = opts
        .filters
        .unwrap_or_default()
        .into_iter()
        .flat_map(|(k, vs)| vs.into_iter().map(move |v| format!("{k}={v}")))
        .collect();
    let filters = Filters::parse(&specs).map_err(BackendError::invalid)?;
    let (mut follower, history) = Follower::start(&b.engine.paths, since.is_some())?;
    let (tx, rx) = mpsc::channel::<Result<m::EventMessage>>(64);
    let wanted = move |e: &Event| {
        since.is_none_or(|s| e.time_nano >= s)
            && until.is_none_or(|u| e.time_nano <= u)
            && filters.matches(e)
    };
    std::thread::spawn(move || {
        let send = |e: &Event| {
            let msg = serde_json::to_value(e)
                .map_err(|x| BackendError::internal(x.to_string()))
                .and_then(from_json);
            tx.blocking_send(msg).is_ok()
        };
        for e in history.iter().filter(|e| wanted(e)) {
            if !send(e) {
                return;
            }
        }
        loop {
            let now = now_nanos();
            if until.is_some_and(|u| now > u) || tx.is_closed() {
                return;
            }
            // Wake at least each second to notice a reader that left.
            let mut wait = Duration::from_secs(1);
            if let Some(u) = until {
                wait = wait.min(Duration::from_nanos((u - now).max(0) as u64));
            }
            match follower.next(Some(wait)) {
                Ok(events) => {
                    for e in events.iter().filter(|e| wanted(e)) {
                        if !send(e) {
                            return;
                        }
                    }
                }
                Err(err) => {
                    let _ = tx.blocking_send(Err(err.into()));
                    return;
                }
            }
        }
    });
    let mut rx = rx;
    Ok(Box::pin(futures_util::stream::poll_fn(move |cx| {
        rx.poll_recv(cx)
    })))
}
