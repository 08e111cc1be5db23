//! Sparkline series from the engine interface's stats readings: the worker feeds each
//! one-shot reading of a container in, the stats pane draws the series out. Rates (CPU %,
//! network and block bytes per second) come from two readings in a row, computed as
//! `docker stats` computes them from Docker's stats model.

use std::collections::{HashMap, VecDeque};

use bollard::models as m;

/// The numbers of one stats reading the pane needs, taken from Docker's model.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Reading {
    pub id: String,
    pub name: String,
    /// Nanoseconds since the epoch.
    pub read_at: i64,
    pub cpu_usage_ns: u64,
    pub system_cpu_ns: u64,
    pub online_cpus: u32,
    pub memory_usage: u64,
    /// Page cache the kernel may drop, which Docker leaves out of MEM USAGE.
    pub memory_inactive_file: u64,
    pub memory_limit: u64,
    pub net_rx_bytes: u64,
    pub net_tx_bytes: u64,
    pub block_read_bytes: u64,
    pub block_write_bytes: u64,
    pub pids: u64,
}

impl Reading {
    /// `id`: the container asked about (a reading may leave its own out).
    pub fn of(id: &str, s: &m::ContainerStatsResponse) -> Reading {
        let cpu = s.cpu_stats.as_ref();
        let mem = s.memory_stats.as_ref();
        let stat = |k: &str| mem.and_then(|m| m.stats.as_ref()?.get(k).copied());
        let (rx, tx) = s
            .networks
            .iter()
            .flatten()
            .fold((0, 0), |(rx, tx), (_, n)| {
                (rx + n.rx_bytes.unwrap_or(0), tx + n.tx_bytes.unwrap_or(0))
            });
        let blk = |op: &str| {
            s.blkio_stats
                .as_ref()
                .and_then(|b| b.io_service_bytes_recursive.as_ref())
                .into_iter()
                .flatten()
                .filter(|e| e.op.as_deref().is_some_and(|o| o.eq_ignore_ascii_case(op)))
                .map(|e| e.value.unwrap_or(0))
                .sum()
        };
        let read_at = s
            .read
            .as_deref()
            .and_then(|t| chrono::DateTime::parse_from_rfc3339(t).ok())
            .and_then(|t| t.timestamp_nanos_opt())
            .unwrap_or(0);
        Reading {
            id: id.to_string(),
            name: s
                .name
                .as_deref()
                .unwrap_or_default()
                .trim_start_matches('/')
                .to_string(),
            read_at,
            cpu_usage_ns: cpu
                .and_then(|c| c.cpu_usage.as_ref()?.total_usage)
                .unwrap_or(0),
            system_cpu_ns: cpu.and_then(|c| c.system_cpu_usage).unwrap_or(0),
            online_cpus: cpu.and_then(|c| c.online_cpus).unwrap_or(0),
            memory_usage: mem.and_then(|m| m.usage).unwrap_or(0),
            // cgroup v1 names it total_inactive_file, v2 inactive_file (as the docker
            // CLI reads them).
            memory_inactive_file: stat("total_inactive_file")
                .or(stat("inactive_file"))
                .unwrap_or(0),
            memory_limit: mem.and_then(|m| m.limit).unwrap_or(0),
            net_rx_bytes: rx,
            net_tx_bytes: tx,
            block_read_bytes: blk("read"),
            block_write_bytes: blk("write"),
            pids: s.pids_stats.as_ref().and_then(|p| p.current).unwrap_or(0),
        }
    }

    /// Docker's MEM USAGE: usage without the inactive page cache.
    pub fn memory_used(&self) -> u64 {
        self.memory_usage.saturating_sub(self.memory_inactive_file)
    }

    /// Docker's CPU %: this container's share of the host's CPU time between two
    /// readings, times the CPUs online (100% is one whole CPU).
    pub fn cpu_percent_since(&self, prev: &Reading) -> f64 {
        let cpu = self.cpu_usage_ns.saturating_sub(prev.cpu_usage_ns) as f64;
        let system = self.system_cpu_ns.saturating_sub(prev.system_cpu_ns) as f64;
        if system <= 0.0 || cpu <= 0.0 {
            return 0.0;
        }
        cpu / system * self.online_cpus.max(1) as f64 * 100.0
    }
}

/// Readings kept per container: one a second, a minute's worth.
pub const KEPT: usize = 60;

/// What the stats pane draws for one container.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Series {
    pub name: String,
    /// CPU % × 100 per reading (sparklines take integers).
    pub cpu: Vec<u64>,
    /// Memory used (without inactive page cache, as Docker shows it), bytes.
    pub memory: Vec<u64>,
    pub memory_limit: u64,
    /// Bytes per second.
    pub net_rx: Vec<u64>,
    pub net_tx: Vec<u64>,
    pub block_read: Vec<u64>,
    pub block_write: Vec<u64>,
    pub pids: u64,
    /// Totals since start, for the table.
    pub net_total: (u64, u64),
    pub block_total: (u64, u64),
}

impl Series {
    pub fn cpu_percent(&self) -> f64 {
        self.cpu.last().copied().unwrap_or(0) as f64 / 100.0
    }
    pub fn memory_used(&self) -> u64 {
        self.memory.last().copied().unwrap_or(0)
    }
}

/// The last readings of every container sampled.
#[derive(Debug, Default)]
pub struct History {
    readings: HashMap<String, VecDeque<Reading>>,
}

impl History {
    pub fn push(&mut self, s: Reading) {
        let q = self.readings.entry(s.id.clone()).or_default();
        // A restart zeroes the counters: start the series again.
        if q.back().is_some_and(|p| s.cpu_usage_ns < p.cpu_usage_ns) {
            q.clear();
        }
        q.push_back(s);
        while q.len() > KEPT + 1 {
            q.pop_front();
        }
    }

    /// Forget containers that are gone or no longer sampled.
    pub fn retain(&mut self, keep: impl Fn(&str) -> bool) {
        self.readings.retain(|id, _| keep(id));
    }

    pub fn series(&self) -> HashMap<String, Series> {
        self.readings
            .iter()
            .filter_map(|(id, q)| Some((id.clone(), series_of(q)?)))
            .collect()
    }
}

fn series_of(q: &VecDeque<Reading>) -> Option<Series> {
    let last = q.back()?;
    let mut s = Series {
        name: last.name.clone(),
        memory_limit: last.memory_limit,
        pids: last.pids,
        net_total: (last.net_rx_bytes, last.net_tx_bytes),
        block_total: (last.block_read_bytes, last.block_write_bytes),
        ..Default::default()
    };
    for (a, b) in q.iter().zip(q.iter().skip(1)) {
        let secs = b.read_at.saturating_sub(a.read_at) as f64 / 1e9;
        let rate = |x: u64, y: u64| {
            if secs <= 0.0 {
                0
            } else {
                (y.saturating_sub(x) as f64 / secs) as u64
            }
        };
        s.cpu.push((b.cpu_percent_since(a) * 100.0) as u64);
        s.memory.push(b.memory_used());
        s.net_rx.push(rate(a.net_rx_bytes, b.net_rx_bytes));
        s.net_tx.push(rate(a.net_tx_bytes, b.net_tx_bytes));
        s.block_read
            .push(rate(a.block_read_bytes, b.block_read_bytes));
        s.block_write
            .push(rate(a.block_write_bytes, b.block_write_bytes));
    }
    Some(s)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn reading(t: i64, cpu_ns: u64, sys_ns: u64, rx: u64) -> Reading {
        Reading {
            id: "c1".into(),
            name: "web".into(),
            read_at: t * 1_000_000_000,
            cpu_usage_ns: cpu_ns,
            system_cpu_ns: sys_ns,
            online_cpus: 2,
            memory_usage: 10 << 20,
            memory_inactive_file: 2 << 20,
            memory_limit: 64 << 20,
            net_rx_bytes: rx,
            net_tx_bytes: 0,
            block_read_bytes: 0,
            block_write_bytes: 0,
            pids: 3,
        }
    }

    #[test]
    fn rates_come_from_consecutive_readings() {
        let mut h = History::default();
        h.push(reading(0, 0, 0, 0));
        // Half a CPU-second of 2 CPU-seconds on 2 CPUs: 50%; 1000 bytes in 2 s.
        h.push(reading(2, 500_000_000, 2_000_000_000, 1000));
        let s = &h.series()["c1"];
        assert_eq!(s.cpu, [5000]);
        assert_eq!(s.cpu_percent(), 50.0);
        assert_eq!(s.net_rx, [500]);
        assert_eq!(s.memory_used(), 8 << 20);
        assert_eq!(s.pids, 3);
    }

    #[test]
    fn a_minute_is_kept_and_a_restart_starts_over() {
        let mut h = History::default();
        for t in 0..100 {
            h.push(reading(t, t as u64 * 1000, t as u64 * 10_000, t as u64));
        }
        assert_eq!(h.series()["c1"].cpu.len(), KEPT);
        h.push(reading(101, 5, 10, 0));
        assert!(h.series()["c1"].cpu.is_empty());
        h.retain(|_| false);
        assert!(h.series().is_empty());
    }
}
