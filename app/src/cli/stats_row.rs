//! One row of `docker stats` computed from Docker's stats model, as Docker's CLI computes
//! it (`cli/command/container/stats_helpers.go`): CPU % from the reading and the one
//! before it, memory without the inactive page cache, network and block I/O summed.

use bollard::models as m;
use serde_json::{json, Value};

use crate::format::human::{bytes_size, human_size_with_precision};
use crate::format::truncate::short_id;

/// The container's share of all CPU time that passed, scaled by its CPUs (one busy CPU
/// is 100%).
pub fn cpu_percent(s: &m::ContainerStatsResponse) -> f64 {
    let total = |c: &Option<m::ContainerCpuStats>| {
        c.as_ref()
            .and_then(|c| c.cpu_usage.as_ref())
            .and_then(|u| u.total_usage)
            .unwrap_or(0)
    };
    let system =
        |c: &Option<m::ContainerCpuStats>| c.as_ref().and_then(|c| c.system_cpu_usage).unwrap_or(0);
    let cpu_delta = total(&s.cpu_stats) as f64 - total(&s.precpu_stats) as f64;
    let system_delta = system(&s.cpu_stats) as f64 - system(&s.precpu_stats) as f64;
    let cpus = s
        .cpu_stats
        .as_ref()
        .and_then(|c| {
            c.online_cpus.map(u64::from).or_else(|| {
                c.cpu_usage
                    .as_ref()
                    .and_then(|u| u.percpu_usage.as_ref())
                    .map(|p| p.len() as u64)
            })
        })
        .unwrap_or(0) as f64;
    if system_delta > 0.0 && cpu_delta > 0.0 {
        cpu_delta / system_delta * cpus * 100.0
    } else {
        0.0
    }
}

/// Memory in use without the inactive file cache (`total_inactive_file` on cgroup v1,
/// `inactive_file` on v2), and the limit.
pub fn memory(s: &m::ContainerStatsResponse) -> (u64, u64) {
    let Some(mem) = &s.memory_stats else {
        return (0, 0);
    };
    let usage = mem.usage.unwrap_or(0);
    let stats = mem.stats.clone().unwrap_or_default();
    let used = match stats.get("total_inactive_file") {
        Some(&v) if v < usage => usage - v,
        Some(_) => usage,
        None => match stats.get("inactive_file") {
            Some(&v) if v < usage => usage - v,
            _ => usage,
        },
    };
    (used, mem.limit.unwrap_or(0))
}

fn network(s: &m::ContainerStatsResponse) -> (u64, u64) {
    s.networks
        .iter()
        .flatten()
        .fold((0, 0), |(rx, tx), (_, n)| {
            (rx + n.rx_bytes.unwrap_or(0), tx + n.tx_bytes.unwrap_or(0))
        })
}

fn block_io(s: &m::ContainerStatsResponse) -> (u64, u64) {
    let entries = s
        .blkio_stats
        .as_ref()
        .and_then(|b| b.io_service_bytes_recursive.clone())
        .unwrap_or_default();
    entries.iter().fold((0, 0), |(r, w), e| {
        let v = e.value.unwrap_or(0);
        match e.op.as_deref().map(str::to_ascii_lowercase).as_deref() {
            Some("read") => (r + v, w),
            Some("write") => (r, w + v),
            _ => (r, w),
        }
    })
}

fn io_pair((a, b): (u64, u64)) -> String {
    format!(
        "{} / {}",
        human_size_with_precision(a as f64, 3),
        human_size_with_precision(b as f64, 3)
    )
}

/// One row, Docker's field names and wording; `label` is the container as the user named
/// it (or its ID when none was named).
pub fn row(label: &str, s: &m::ContainerStatsResponse, no_trunc: bool) -> Value {
    let full = s.id.clone().unwrap_or_default();
    let id = if no_trunc {
        full.as_str()
    } else {
        short_id(&full)
    };
    let name = s.name.as_deref().unwrap_or_default();
    let (used, limit) = memory(s);
    let mem_perc = if limit == 0 {
        0.0
    } else {
        used as f64 / limit as f64 * 100.0
    };
    let pids = s.pids_stats.as_ref().and_then(|p| p.current).unwrap_or(0);
    json!({
        "Container": label,
        "ID": id,
        "Name": name.strip_prefix('/').unwrap_or(name),
        "CPUPerc": format!("{:.2}%", cpu_percent(s)),
        "MemUsage": format!("{} / {}", bytes_size(used), bytes_size(limit)),
        "MemPerc": format!("{mem_perc:.2}%"),
        "NetIO": io_pair(network(s)),
        "BlockIO": io_pair(block_io(s)),
        "PIDs": pids.to_string(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rows_use_dockers_formulas_and_units() {
        let s: m::ContainerStatsResponse = serde_json::from_value(json!({
            "id": "0123456789abcdef0123", "name": "/web",
            "cpu_stats": {"cpu_usage": {"total_usage": 3_000}, "system_cpu_usage": 20_000,
                          "online_cpus": 2},
            "precpu_stats": {"cpu_usage": {"total_usage": 1_000}, "system_cpu_usage": 10_000},
            "memory_stats": {"usage": 3 * 1024 * 1024 / 2 + 4096, "limit": 1u64 << 30,
                             "stats": {"total_inactive_file": 4096}},
            "networks": {"eth0": {"rx_bytes": 1234, "tx_bytes": 656}},
            "blkio_stats": {"io_service_bytes_recursive": [
                {"major": 8, "minor": 0, "op": "read", "value": 0},
                {"major": 8, "minor": 0, "op": "write", "value": 4_096_000}]},
            "pids_stats": {"current": 3},
        }))
        .expect("model");
        let r = row("web", &s, false);
        assert_eq!(r["ID"], "0123456789ab");
        assert_eq!(r["Name"], "web");
        assert_eq!(r["CPUPerc"], "40.00%");
        assert_eq!(r["MemUsage"], "1.5MiB / 1GiB");
        assert_eq!(r["MemPerc"], "0.15%");
        assert_eq!(r["NetIO"], "1.23kB / 656B");
        assert_eq!(r["BlockIO"], "0B / 4.1MB");
        assert_eq!(r["PIDs"], "3");
    }

    #[test]
    fn a_stopped_container_reads_as_zeros() {
        let s = m::ContainerStatsResponse {
            id: Some("abc".into()),
            name: Some("/x".into()),
            ..Default::default()
        };
        let r = row("x", &s, false);
        assert_eq!(r["CPUPerc"], "0.00%");
        assert_eq!(r["MemUsage"], "0B / 0B");
        assert_eq!(r["MemPerc"], "0.00%");
    }
}
