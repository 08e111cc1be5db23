//! Sparkline series from the engine's cgroup stats: the worker feeds each reading of a
//! container in, the stats pane draws the series out. Rates (CPU %, network and block
//! bytes per second) come from two readings in a row, as `docker stats` computes them.

use std::collections::{HashMap, VecDeque};

use berth_engine::container::stats::ContainerStats;

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
    readings: HashMap<String, VecDeque<ContainerStats>>,
}

impl History {
    pub fn push(&mut self, s: ContainerStats) {
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

fn series_of(q: &VecDeque<ContainerStats>) -> Option<Series> {
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
        let secs = b
            .read_at
            .duration_since(a.read_at)
            .map(|d| d.as_secs_f64())
            .unwrap_or(0.0);
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
    use std::time::{Duration, SystemTime};

    fn reading(t: u64, cpu_ns: u64, sys_ns: u64, rx: u64) -> ContainerStats {
        ContainerStats {
            id: "c1".into(),
            name: "web".into(),
            running: true,
            read_at: SystemTime::UNIX_EPOCH + Duration::from_secs(t),
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
            h.push(reading(t, t * 1000, t * 10_000, t));
        }
        assert_eq!(h.series()["c1"].cpu.len(), KEPT);
        h.push(reading(101, 5, 10, 0));
        assert!(h.series()["c1"].cpu.is_empty());
        h.retain(|_| false);
        assert!(h.series().is_empty());
    }
}
