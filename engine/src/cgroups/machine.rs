//! What the host offers to limits (its CPUs and memory nodes) and the conversions from
//! Docker's units to the cgroup files'. The limits themselves are checked, in Docker's
//! words, by `container::limits` before anything is written.

use std::collections::BTreeSet;
use std::fs;

/// Docker's floor for `-m` (`linuxMinMemory`): below it a container cannot even start.
pub const MIN_MEMORY: i64 = 6 * 1024 * 1024;
/// The kernel's range for v1 `cpu.shares`.
pub const MIN_CPU_SHARES: u64 = 2;
pub const MAX_CPU_SHARES: u64 = 262_144;
/// The CFS period Docker uses for `--cpus`, in microseconds.
pub const CFS_PERIOD_US: u64 = 100_000;

/// What the host offers, against which limits are checked. Probed once per manager;
/// tests build one by hand so that validation does not depend on the machine.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Machine {
    /// CPUs this process may run on (Docker's `sysinfo.NumCPU`, the affinity mask).
    pub ncpus: u32,
    /// Online CPU ids, for `--cpuset-cpus`.
    pub cpus: BTreeSet<u32>,
    /// Online memory nodes, for `--cpuset-mems`.
    pub mems: BTreeSet<u32>,
}

impl Machine {
    pub fn probe() -> Self {
        let online = |path: &str, fallback: &str| {
            fs::read_to_string(path)
                .ok()
                .and_then(|s| parse_list(s.trim()))
                .unwrap_or_else(|| parse_list(fallback).unwrap_or_default())
        };
        let cpus = online("/sys/devices/system/cpu/online", "0");
        // Machines without NUMA have no node directory; they have node 0.
        let mems = online("/sys/devices/system/node/online", "0");
        let ncpus = affinity_count().unwrap_or(cpus.len() as u32).max(1);
        Machine { ncpus, cpus, mems }
    }

    /// A machine with CPUs `0..ncpus` and one memory node, for tests.
    pub fn with_cpus(ncpus: u32) -> Self {
        Machine {
            ncpus,
            cpus: (0..ncpus).collect(),
            mems: [0].into(),
        }
    }
}

fn affinity_count() -> Option<u32> {
    use nix::sched::{sched_getaffinity, CpuSet};
    let set = sched_getaffinity(nix::unistd::Pid::from_raw(0)).ok()?;
    let n = (0..CpuSet::count())
        .filter(|&i| set.is_set(i).unwrap_or(false))
        .count();
    Some(n as u32)
}

/// Parse a kernel CPU/node list ("0-3,6,8-9"). `None` when malformed; "" is the empty set.
pub fn parse_list(s: &str) -> Option<BTreeSet<u32>> {
    let mut out = BTreeSet::new();
    if s.trim().is_empty() {
        return Some(out);
    }
    for part in s.trim().split(',') {
        match part.split_once('-') {
            Some((a, b)) => {
                let (a, b): (u32, u32) = (a.trim().parse().ok()?, b.trim().parse().ok()?);
                if a > b {
                    return None;
                }
                out.extend(a..=b);
            }
            None => {
                out.insert(part.trim().parse().ok()?);
            }
        }
    }
    Some(out)
}

pub(crate) fn fmt_list(set: &BTreeSet<u32>) -> String {
    let mut parts = Vec::new();
    let mut it = set.iter().copied().peekable();
    while let Some(start) = it.next() {
        let mut end = start;
        while it.peek() == Some(&(end + 1)) {
            end = it.next().unwrap_or(end);
        }
        parts.push(if start == end {
            start.to_string()
        } else {
            format!("{start}-{end}")
        });
    }
    parts.join(",")
}

/// `--cpus` as a CFS quota over [`CFS_PERIOD_US`].
pub fn cfs_quota(nano_cpus: i64) -> u64 {
    (nano_cpus as u64) * CFS_PERIOD_US / 1_000_000_000
}

/// v1 `cpu.shares` to v2 `cpu.weight` (the conversion runc, crun and systemd agree on):
/// maps [2, 262144] onto [1, 10000].
pub fn shares_to_weight(shares: u64) -> u64 {
    1 + ((shares.clamp(MIN_CPU_SHARES, MAX_CPU_SHARES) - 2) * 9999) / 262_142
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lists_parse_and_format() {
        assert_eq!(parse_list("0-2,5"), Some([0, 1, 2, 5].into()));
        assert_eq!(parse_list(""), Some(BTreeSet::new()));
        assert_eq!(parse_list("3-1"), None);
        assert_eq!(parse_list("a"), None);
        assert_eq!(fmt_list(&[0, 1, 2, 5, 7, 8].into()), "0-2,5,7-8");
    }

    #[test]
    fn conversions() {
        assert_eq!(cfs_quota(1_500_000_000), 150_000);
        assert_eq!(cfs_quota(10_000_000), 1_000);
        assert_eq!(shares_to_weight(2), 1);
        assert_eq!(shares_to_weight(1024), 39);
        assert_eq!(shares_to_weight(262_144), 10_000);
    }
}
