//! What a container uses and how it is limited: top, stats, update. The engine reads
//! the kernel and checks the limits; this module says it in Docker's models.

use std::collections::HashMap;

use berth_engine::container::model::RestartPolicy;
use berth_engine::container::stats::{ContainerStats, StatsDetail};
use berth_engine::container::update::UpdateOptions;
use berth_engine::Engine;
use bollard::models as m;

use super::containers::find;
use crate::backend::{BackendError, Result};

/// Go's zero `time.Time`, which Docker writes for a reading that was not taken.
const ZERO_TIME: &str = "0001-01-01T00:00:00Z";

pub fn top(e: &Engine, id: &str, ps_args: Option<String>) -> Result<m::ContainerTopResponse> {
    let c = find(e, id)?;
    let args: Vec<String> = ps_args
        .as_deref()
        .unwrap_or("")
        .split_whitespace()
        .map(str::to_string)
        .collect();
    let t = e.top_table(&c, &args)?;
    Ok(m::ContainerTopResponse {
        titles: Some(t.titles),
        processes: Some(t.rows),
    })
}

/// One stats reading; `previous` is the reading before it (for the `precpu_stats` Docker
/// computes rates from), `None` for the first.
pub fn stats_once(
    e: &Engine,
    id: &str,
    previous: Option<&m::ContainerStatsResponse>,
) -> Result<m::ContainerStatsResponse> {
    let c = find(e, id)?;
    let (s, detail) = e.container_stats_detail(&c)?;
    Ok(stats_response(&s, &detail, previous))
}

/// Docker's stats JSON from one reading. A container that is not running reads as
/// zeros, as Docker's does.
pub fn stats_response(
    s: &ContainerStats,
    d: &StatsDetail,
    previous: Option<&m::ContainerStatsResponse>,
) -> m::ContainerStatsResponse {
    let name = Some(format!("/{}", s.name));
    let id = Some(s.id.clone());
    let precpu = previous
        .and_then(|p| p.cpu_stats.clone())
        .unwrap_or_else(zero_cpu);
    let preread = previous
        .and_then(|p| p.read.clone())
        .unwrap_or_else(|| ZERO_TIME.to_string());
    if !s.running {
        return m::ContainerStatsResponse {
            name,
            id,
            os_type: Some("linux".into()),
            read: Some(ZERO_TIME.into()),
            preread: Some(preread),
            cpu_stats: Some(zero_cpu()),
            precpu_stats: Some(precpu),
            memory_stats: Some(m::ContainerMemoryStats::default()),
            pids_stats: Some(m::ContainerPidsStats::default()),
            blkio_stats: Some(m::ContainerBlkioStats::default()),
            storage_stats: Some(m::ContainerStorageStats::default()),
            num_procs: Some(0),
            networks: None,
        };
    }
    let cg = &d.cgroup;
    let read = chrono::DateTime::<chrono::Utc>::from(s.read_at)
        .to_rfc3339_opts(chrono::SecondsFormat::Nanos, true);
    let cpu = m::ContainerCpuStats {
        cpu_usage: Some(m::ContainerCpuUsage {
            total_usage: Some(s.cpu_usage_ns),
            percpu_usage: (!cg.cpu_percpu_ns.is_empty()).then(|| cg.cpu_percpu_ns.clone()),
            usage_in_kernelmode: Some(cg.cpu_system_ns),
            usage_in_usermode: Some(cg.cpu_user_ns),
        }),
        system_cpu_usage: Some(s.system_cpu_ns),
        online_cpus: Some(s.online_cpus),
        throttling_data: Some(m::ContainerThrottlingData {
            periods: Some(cg.cpu_throttling.periods),
            throttled_periods: Some(cg.cpu_throttling.throttled_periods),
            throttled_time: Some(cg.cpu_throttling.throttled_ns),
        }),
    };
    let memory = m::ContainerMemoryStats {
        usage: Some(s.memory_usage),
        max_usage: cg.memory_max_usage,
        stats: Some(cg.memory_stat.clone().into_iter().collect()),
        failcnt: cg.memory_failcnt,
        limit: Some(s.memory_limit),
        ..Default::default()
    };
    let entry = |major: u64, minor: u64, op: &str, value: u64| m::ContainerBlkioStatEntry {
        major: Some(major),
        minor: Some(minor),
        op: Some(op.to_string()),
        value: Some(value),
    };
    let io: Vec<m::ContainerBlkioStatEntry> = cg
        .io_devices
        .iter()
        .flat_map(|dev| {
            [
                entry(dev.major, dev.minor, "read", dev.read_bytes),
                entry(dev.major, dev.minor, "write", dev.write_bytes),
            ]
        })
        .collect();
    let networks: HashMap<String, m::ContainerNetworkStats> = d
        .interfaces
        .iter()
        .map(|i| {
            (
                i.name.clone(),
                m::ContainerNetworkStats {
                    rx_bytes: Some(i.rx_bytes),
                    rx_packets: Some(i.rx_packets),
                    rx_errors: Some(i.rx_errors),
                    rx_dropped: Some(i.rx_dropped),
                    tx_bytes: Some(i.tx_bytes),
                    tx_packets: Some(i.tx_packets),
                    tx_errors: Some(i.tx_errors),
                    tx_dropped: Some(i.tx_dropped),
                    ..Default::default()
                },
            )
        })
        .collect();
    m::ContainerStatsResponse {
        name,
        id,
        os_type: Some("linux".into()),
        read: Some(read),
        preread: Some(preread),
        cpu_stats: Some(cpu),
        precpu_stats: Some(precpu),
        memory_stats: Some(memory),
        pids_stats: Some(m::ContainerPidsStats {
            current: Some(s.pids),
            limit: cg.pids_limit,
        }),
        blkio_stats: Some(m::ContainerBlkioStats {
            io_service_bytes_recursive: Some(io),
            ..Default::default()
        }),
        storage_stats: Some(m::ContainerStorageStats::default()),
        num_procs: Some(0),
        networks: (!networks.is_empty()).then_some(networks),
    }
}

/// `cpu_stats` before any reading: zero counters, as Docker sends them.
fn zero_cpu() -> m::ContainerCpuStats {
    m::ContainerCpuStats {
        cpu_usage: Some(m::ContainerCpuUsage {
            total_usage: Some(0),
            percpu_usage: None,
            usage_in_kernelmode: Some(0),
            usage_in_usermode: Some(0),
        }),
        system_cpu_usage: None,
        online_cpus: None,
        throttling_data: Some(m::ContainerThrottlingData {
            periods: Some(0),
            throttled_periods: Some(0),
            throttled_time: Some(0),
        }),
    }
}

pub fn update(
    e: &Engine,
    id: &str,
    body: m::ContainerUpdateBody,
) -> Result<m::ContainerUpdateResponse> {
    let c = find(e, id)?;
    let opts = update_options(body)?;
    e.update(&c, &opts)?;
    Ok(m::ContainerUpdateResponse {
        warnings: Some(Vec::new()),
    })
}

/// The engine's options from Docker's update body. Docker's client sends every limit,
/// zero for "leave as it is", and a restart policy with an empty name for the same;
/// `PidsLimit` 0 means unlimited. Settings Berth cannot change are refused rather than
/// dropped.
pub fn update_options(b: m::ContainerUpdateBody) -> Result<UpdateOptions> {
    let given = |v: Option<i64>| v.filter(|&v| v != 0);
    let mut refused = Vec::new();
    let mut refuse = |set: bool, field: &str| {
        if set {
            refused.push(field.to_string());
        }
    };
    refuse(b.blkio_weight.is_some_and(|w| w != 0), "BlkioWeight");
    refuse(
        b.blkio_weight_device
            .as_ref()
            .is_some_and(|v| !v.is_empty()),
        "BlkioWeightDevice",
    );
    for (list, field) in [
        (&b.blkio_device_read_bps, "BlkioDeviceReadBps"),
        (&b.blkio_device_write_bps, "BlkioDeviceWriteBps"),
        (&b.blkio_device_read_iops, "BlkioDeviceReadIOps"),
        (&b.blkio_device_write_iops, "BlkioDeviceWriteIOps"),
    ] {
        refuse(list.as_ref().is_some_and(|v| !v.is_empty()), field);
    }
    refuse(given(b.cpu_realtime_period).is_some(), "CpuRealtimePeriod");
    refuse(
        given(b.cpu_realtime_runtime).is_some(),
        "CpuRealtimeRuntime",
    );
    refuse(b.devices.as_ref().is_some_and(|v| !v.is_empty()), "Devices");
    refuse(
        b.device_cgroup_rules
            .as_ref()
            .is_some_and(|v| !v.is_empty()),
        "DeviceCgroupRules",
    );
    refuse(
        b.device_requests.as_ref().is_some_and(|v| !v.is_empty()),
        "DeviceRequests",
    );
    refuse(
        b.memory_swappiness.is_some_and(|v| v != -1),
        "MemorySwappiness",
    );
    refuse(b.oom_kill_disable == Some(true), "OomKillDisable");
    refuse(b.ulimits.as_ref().is_some_and(|v| !v.is_empty()), "Ulimits");
    refuse(given(b.io_maximum_iops).is_some(), "IOMaximumIOps");
    refuse(
        given(b.io_maximum_bandwidth).is_some(),
        "IOMaximumBandwidth",
    );
    if !refused.is_empty() {
        return Err(BackendError::unsupported(format!(
            "berth cannot update {} of a container",
            refused.join(", ")
        )));
    }
    let restart = match b.restart_policy {
        Some(r) => {
            let name = r.name.map(|n| n.to_string()).unwrap_or_default();
            match (name.as_str(), r.maximum_retry_count.unwrap_or(0)) {
                ("", _) => None,
                (name, 0) => Some(RestartPolicy::parse(name)),
                (name, n) => Some(RestartPolicy::parse(&format!("{name}:{n}"))),
            }
            .transpose()
            .map_err(BackendError::invalid)?
        }
        None => None,
    };
    Ok(UpdateOptions {
        memory: given(b.memory),
        memory_swap: given(b.memory_swap),
        memory_reservation: given(b.memory_reservation),
        nano_cpus: given(b.nano_cpus),
        cpu_shares: given(b.cpu_shares),
        cpu_period: given(b.cpu_period),
        cpu_quota: given(b.cpu_quota),
        cpuset_cpus: b.cpuset_cpus.filter(|s| !s.is_empty()),
        cpuset_mems: b.cpuset_mems.filter(|s| !s.is_empty()),
        // Zero or less is "unlimited": the engine's `limits::pids_limit` says so.
        pids_limit: b.pids_limit,
        restart,
    })
}

#[cfg(test)]
mod tests {
    use std::time::{Duration, SystemTime};

    use berth_engine::cgroups;
    use berth_engine::container::stats::NetInterface;

    use super::*;

    fn reading(running: bool) -> (ContainerStats, StatsDetail) {
        let s = ContainerStats {
            id: "abc".into(),
            name: "web".into(),
            running,
            read_at: SystemTime::UNIX_EPOCH + Duration::from_secs(1_700_000_000),
            cpu_usage_ns: 2_000,
            system_cpu_ns: 40_000,
            online_cpus: 4,
            memory_usage: 10 << 20,
            memory_inactive_file: 2 << 20,
            memory_limit: 1 << 30,
            net_rx_bytes: 100,
            net_tx_bytes: 50,
            block_read_bytes: 4096,
            block_write_bytes: 8192,
            pids: 3,
        };
        let d = StatsDetail {
            cgroup: cgroups::Stats {
                memory_stat: [("total_inactive_file".to_string(), 2 << 20)]
                    .into_iter()
                    .collect(),
                io_devices: vec![cgroups::IoDevice {
                    major: 8,
                    minor: 0,
                    read_bytes: 4096,
                    write_bytes: 8192,
                }],
                pids_limit: Some(100),
                ..Default::default()
            },
            interfaces: vec![NetInterface {
                name: "eth0".into(),
                rx_bytes: 100,
                tx_bytes: 50,
                ..Default::default()
            }],
        };
        (s, d)
    }

    #[test]
    fn stats_are_dockers_json() {
        let (s, d) = reading(true);
        let first = stats_response(&s, &d, None);
        let v = serde_json::to_value(&first).unwrap();
        assert_eq!(v["name"], "/web");
        assert_eq!(v["preread"], ZERO_TIME);
        assert_eq!(v["read"], "2023-11-14T22:13:20.000000000Z");
        assert_eq!(v["precpu_stats"]["cpu_usage"]["total_usage"], 0);
        assert_eq!(v["cpu_stats"]["cpu_usage"]["total_usage"], 2000);
        assert_eq!(v["cpu_stats"]["system_cpu_usage"], 40000);
        assert_eq!(v["cpu_stats"]["online_cpus"], 4);
        assert_eq!(v["memory_stats"]["usage"], 10 << 20);
        assert_eq!(v["memory_stats"]["stats"]["total_inactive_file"], 2 << 20);
        assert_eq!(v["networks"]["eth0"]["rx_bytes"], 100);
        assert_eq!(
            v["pids_stats"],
            serde_json::json!({"current": 3, "limit": 100})
        );
        let io = &v["blkio_stats"]["io_service_bytes_recursive"];
        assert_eq!(io[0]["op"], "read");
        assert_eq!(io[1]["value"], 8192);
        assert_eq!(v["num_procs"], 0);
        // The next reading carries this one's CPU counters.
        let second = stats_response(&s, &d, Some(&first));
        assert_eq!(second.precpu_stats, first.cpu_stats);
        assert_eq!(second.preread, first.read);
    }

    #[test]
    fn a_stopped_container_reads_as_zeros() {
        let (s, d) = reading(false);
        let v = serde_json::to_value(stats_response(&s, &d, None)).unwrap();
        assert_eq!(v["read"], ZERO_TIME);
        assert_eq!(v["id"], "abc");
        assert_eq!(v["cpu_stats"]["cpu_usage"]["total_usage"], 0);
        assert_eq!(v["memory_stats"], serde_json::json!({}));
        assert!(v.get("networks").is_none());
    }

    #[test]
    fn update_bodies_become_engine_options() {
        // What Docker's CLI sends for `update -m 64m --restart on-failure:3`.
        let body: m::ContainerUpdateBody = serde_json::from_value(serde_json::json!({
            "Memory": 67108864, "MemorySwap": 0, "CpuShares": 0, "NanoCpus": 0,
            "CpusetCpus": "", "BlkioWeight": 0,
            "RestartPolicy": {"Name": "on-failure", "MaximumRetryCount": 3}
        }))
        .unwrap();
        let o = update_options(body).unwrap();
        assert_eq!(o.memory, Some(64 << 20));
        assert_eq!(
            (o.memory_swap, o.cpu_shares, o.cpuset_cpus),
            (None, None, None)
        );
        assert_eq!(o.restart.map(|r| r.maximum_retry_count), Some(3));
        // No restart policy asked for: none changes.
        let body: m::ContainerUpdateBody = serde_json::from_value(serde_json::json!({
            "PidsLimit": 0, "RestartPolicy": {"Name": "", "MaximumRetryCount": 0}
        }))
        .unwrap();
        let o = update_options(body).unwrap();
        assert_eq!((o.restart, o.pids_limit), (None, Some(0)));
    }

    #[test]
    fn bad_or_unsupported_updates_are_refused() {
        let body: m::ContainerUpdateBody = serde_json::from_value(serde_json::json!({
            "RestartPolicy": {"Name": "always", "MaximumRetryCount": 2}
        }))
        .unwrap();
        let err = update_options(body).unwrap_err();
        assert_eq!(err.kind, crate::backend::ErrorKind::InvalidArgument);
        assert!(
            err.message.contains("only be used with 'on-failure'"),
            "{err}"
        );
        let body: m::ContainerUpdateBody =
            serde_json::from_value(serde_json::json!({"BlkioWeight": 300})).unwrap();
        let err = update_options(body).unwrap_err();
        assert_eq!(err.kind, crate::backend::ErrorKind::Unsupported);
        assert!(err.message.contains("BlkioWeight"), "{err}");
    }
}
