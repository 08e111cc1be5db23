//! `berth stats`: one reading of a container's resource use, with what is needed to turn
//! two readings into Docker's CPU %: the container's CPU time and the host's total CPU
//! time (Docker's `system_cpu_usage`) taken together. Plain data, so the TUI can keep a
//! history of readings and draw sparklines from it; the wording is the CLI's.

use std::fs;
use std::time::SystemTime;

use super::Container;
use crate::cgroups;
use crate::error::Result;
use crate::Engine;

#[derive(Debug, Clone, PartialEq)]
pub struct ContainerStats {
    pub id: String,
    pub name: String,
    /// False for a container that is not running: every counter is zero.
    pub running: bool,
    pub read_at: SystemTime,
    /// The cgroup's CPU time, nanoseconds.
    pub cpu_usage_ns: u64,
    /// The host's CPU time over all CPUs since boot, nanoseconds (from /proc/stat).
    pub system_cpu_ns: u64,
    pub online_cpus: u32,
    pub memory_usage: u64,
    /// Inactive page cache in the usage; Docker's CLI shows usage without it.
    pub memory_inactive_file: u64,
    /// The cgroup's limit, or the machine's memory when there is none.
    pub memory_limit: u64,
    pub net_rx_bytes: u64,
    pub net_tx_bytes: u64,
    pub block_read_bytes: u64,
    pub block_write_bytes: u64,
    pub pids: u64,
}

impl ContainerStats {
    /// Memory as `docker stats` shows it: usage minus inactive page cache.
    pub fn memory_used(&self) -> u64 {
        self.memory_usage.saturating_sub(self.memory_inactive_file)
    }

    pub fn memory_percent(&self) -> f64 {
        if self.memory_limit == 0 {
            return 0.0;
        }
        self.memory_used() as f64 / self.memory_limit as f64 * 100.0
    }

    /// CPU % since the `earlier` reading of the same container.
    pub fn cpu_percent_since(&self, earlier: &ContainerStats) -> f64 {
        cpu_percent(
            earlier.cpu_usage_ns,
            self.cpu_usage_ns,
            earlier.system_cpu_ns,
            self.system_cpu_ns,
            self.online_cpus,
        )
    }
}

/// Docker's formula: the container's share of all CPU time that passed, scaled by the
/// number of CPUs, so one busy CPU is 100% and a machine's worth is N × 100%.
pub fn cpu_percent(prev_cpu: u64, cpu: u64, prev_system: u64, system: u64, cpus: u32) -> f64 {
    let cpu_delta = cpu.saturating_sub(prev_cpu) as f64;
    let system_delta = system.saturating_sub(prev_system) as f64;
    if cpu_delta <= 0.0 || system_delta <= 0.0 {
        return 0.0;
    }
    cpu_delta / system_delta * f64::from(cpus) * 100.0
}

/// What Docker's stats API passes on beyond [`ContainerStats`]: the cgroup's reading in
/// full and each network interface's counters. Empty for a container not running.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct StatsDetail {
    pub cgroup: cgroups::Stats,
    /// The container's interfaces but loopback, as /proc/net/dev lists them.
    pub interfaces: Vec<NetInterface>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct NetInterface {
    pub name: String,
    pub rx_bytes: u64,
    pub rx_packets: u64,
    pub rx_errors: u64,
    pub rx_dropped: u64,
    pub tx_bytes: u64,
    pub tx_packets: u64,
    pub tx_errors: u64,
    pub tx_dropped: u64,
}

impl Engine {
    pub fn container_stats(&self, c: &Container) -> Result<ContainerStats> {
        Ok(self.container_stats_detail(c)?.0)
    }

    /// One reading with the detail behind it (see [`StatsDetail`]).
    pub fn container_stats_detail(&self, c: &Container) -> Result<(ContainerStats, StatsDetail)> {
        let c = self.containers().load(c.id())?;
        let mut s = ContainerStats {
            id: c.id().to_string(),
            name: c.name().to_string(),
            running: false,
            read_at: SystemTime::now(),
            cpu_usage_ns: 0,
            system_cpu_ns: system_cpu_ns(),
            online_cpus: online_cpus(),
            memory_usage: 0,
            memory_inactive_file: 0,
            memory_limit: 0,
            net_rx_bytes: 0,
            net_tx_bytes: 0,
            block_read_bytes: 0,
            block_write_bytes: 0,
            pids: 0,
        };
        if !c.state.status.is_live() || c.state.pid <= 0 {
            return Ok((s, StatsDetail::default()));
        }
        let cg = cgroups::open(
            &self.config.cgroup_root,
            &c.record.host_config.cgroup_parent,
            c.id(),
        )?;
        let st = cg.stats()?;
        let machine = machine_memory();
        s.running = true;
        s.cpu_usage_ns = st.cpu_usage_ns;
        s.memory_usage = st.memory_usage;
        s.memory_inactive_file = st.memory_inactive_file;
        s.memory_limit = match st.memory_limit {
            Some(l) if machine > 0 => l.min(machine),
            Some(l) => l,
            None => machine,
        };
        s.block_read_bytes = st.io_read_bytes;
        s.block_write_bytes = st.io_write_bytes;
        s.pids = st.pids_current;
        // /proc/PID/net/dev shows the network namespace of PID: the container's.
        let dev = fs::read_to_string(format!("/proc/{}/net/dev", c.state.pid)).unwrap_or_default();
        let interfaces = net_interfaces(&dev);
        s.net_rx_bytes = interfaces.iter().map(|i| i.rx_bytes).sum();
        s.net_tx_bytes = interfaces.iter().map(|i| i.tx_bytes).sum();
        Ok((
            s,
            StatsDetail {
                cgroup: st,
                interfaces,
            },
        ))
    }
}

/// Every interface but loopback from a /proc/net/dev text.
pub fn net_interfaces(net_dev: &str) -> Vec<NetInterface> {
    net_dev
        .lines()
        .skip(2)
        .filter_map(|line| {
            let (name, rest) = line.split_once(':')?;
            let name = name.trim();
            if name == "lo" {
                return None;
            }
            let f: Vec<u64> = rest
                .split_whitespace()
                .map(|v| v.parse().unwrap_or(0))
                .collect();
            let at = |i: usize| f.get(i).copied().unwrap_or(0);
            Some(NetInterface {
                name: name.to_string(),
                rx_bytes: at(0),
                rx_packets: at(1),
                rx_errors: at(2),
                rx_dropped: at(3),
                tx_bytes: at(8),
                tx_packets: at(9),
                tx_errors: at(10),
                tx_dropped: at(11),
            })
        })
        .collect()
}

/// Received and transmitted bytes summed over every interface but loopback.
pub fn net_bytes(net_dev: &str) -> (u64, u64) {
    net_interfaces(net_dev)
        .iter()
        .fold((0, 0), |(rx, tx), i| (rx + i.rx_bytes, tx + i.tx_bytes))
}

/// The host's CPU time since boot over all CPUs, as Docker's daemon reads it: the first
/// seven fields of /proc/stat's `cpu` line, in nanoseconds.
pub fn system_cpu_ns() -> u64 {
    let text = fs::read_to_string("/proc/stat").unwrap_or_default();
    // SAFETY: sysconf has no preconditions.
    let hz = unsafe { libc::sysconf(libc::_SC_CLK_TCK) }.max(1) as u64;
    system_cpu_from(&text, hz)
}

fn system_cpu_from(proc_stat: &str, hz: u64) -> u64 {
    let Some(line) = proc_stat.lines().find(|l| l.starts_with("cpu ")) else {
        return 0;
    };
    let ticks: u64 = line
        .split_whitespace()
        .skip(1)
        .take(7)
        .filter_map(|v| v.parse::<u64>().ok())
        .sum();
    ticks.saturating_mul(1_000_000_000) / hz.max(1)
}

fn online_cpus() -> u32 {
    // SAFETY: sysconf has no preconditions.
    unsafe { libc::sysconf(libc::_SC_NPROCESSORS_ONLN) }.max(1) as u32
}

/// MemTotal in bytes.
pub fn machine_memory() -> u64 {
    fs::read_to_string("/proc/meminfo")
        .unwrap_or_default()
        .lines()
        .find_map(|l| l.strip_prefix("MemTotal:"))
        .and_then(|v| v.split_whitespace().next())
        .and_then(|v| v.parse::<u64>().ok())
        .map(|kb| kb * 1024)
        .unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cpu_percent_is_dockers() {
        // Half a CPU-second used while 4 CPUs passed 1 s each (4 s of system time): 50%.
        assert_eq!(cpu_percent(0, 500_000_000, 0, 4_000_000_000, 4), 50.0);
        // Two busy CPUs out of four: 200%.
        assert_eq!(cpu_percent(1, 2_000_000_001, 10, 4_000_000_010, 4), 200.0);
        assert_eq!(cpu_percent(5, 5, 0, 100, 4), 0.0);
        assert_eq!(cpu_percent(5, 9, 100, 100, 4), 0.0);
        assert_eq!(cpu_percent(9, 5, 0, 100, 4), 0.0);
    }

    #[test]
    fn net_dev_sums_all_but_loopback() {
        let dev = "Inter-|   Receive                                                |  Transmit\n \
 face |bytes    packets errs drop fifo frame compressed multicast|bytes    packets errs drop fifo colls carrier compressed\n    \
lo:     100       1    0    0    0     0          0         0      100       1    0    0    0     0       0          0\n  \
eth0:    1500      10    0    0    0     0          0         0      700       5    0    0    0     0       0          0\n  \
eth1:      10       1    0    0    0     0          0         0       20       1    0    0    0     0       0          0\n";
        assert_eq!(net_bytes(dev), (1510, 720));
        let ifs = net_interfaces(dev);
        assert_eq!(ifs.len(), 2);
        assert_eq!(
            (ifs[0].name.as_str(), ifs[0].rx_packets, ifs[0].tx_packets),
            ("eth0", 10, 5)
        );
    }

    #[test]
    fn system_cpu_uses_seven_fields() {
        let stat = "cpu  1 2 3 4 5 6 7 100 100 100\ncpu0 1 1 1 1 1 1 1 0 0 0\n";
        assert_eq!(system_cpu_from(stat, 100), 28 * 10_000_000);
    }

    #[test]
    fn memory_shown_without_cache() {
        let s = ContainerStats {
            id: String::new(),
            name: String::new(),
            running: true,
            read_at: SystemTime::now(),
            cpu_usage_ns: 0,
            system_cpu_ns: 0,
            online_cpus: 1,
            memory_usage: 300,
            memory_inactive_file: 100,
            memory_limit: 1000,
            net_rx_bytes: 0,
            net_tx_bytes: 0,
            block_read_bytes: 0,
            block_write_bytes: 0,
            pids: 1,
        };
        assert_eq!(s.memory_used(), 200);
        assert_eq!(s.memory_percent(), 20.0);
    }
}
