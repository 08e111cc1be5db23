//! Checking [`Resources`] before anything is written, with Docker's wording, so a bad flag
//! fails up front instead of leaving a half-configured cgroup behind.

use std::collections::BTreeSet;
use std::fs;

use super::Resources;
use crate::error::{Error, Result};

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

fn fmt_list(set: &BTreeSet<u32>) -> String {
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

/// Check every limit in `res`. `update` relaxes the rule that a swap limit needs a memory
/// limit in the same request, because on update the memory limit may already be set.
pub fn validate(res: &Resources, m: &Machine, update: bool) -> Result<()> {
    if let Some(mem) = res.memory {
        if mem < -1 {
            return Err(Error::invalid(format!(
                "Invalid memory limit {mem}: must be positive, 0 or -1"
            )));
        }
        if mem > 0 && mem < MIN_MEMORY {
            return Err(Error::invalid("Minimum memory limit allowed is 6MB"));
        }
    }
    if let Some(swap) = res.memory_swap {
        if swap < -1 {
            return Err(Error::invalid(format!(
                "Invalid memory swap limit {swap}: must be positive, 0 or -1"
            )));
        }
        let mem = res.memory.unwrap_or(0);
        if swap > 0 && (mem == -1 || (mem == 0 && !update)) {
            return Err(Error::invalid(
                "You should always set the Memory limit when using Memoryswap limit, see usage",
            ));
        }
        if swap > 0 && mem > 0 && swap < mem {
            return Err(Error::invalid(
                "Minimum memoryswap limit should be larger than memory limit, see usage",
            ));
        }
    }
    if let Some(r) = res.memory_reservation.filter(|&r| r != 0) {
        if r > 0 && r < MIN_MEMORY {
            return Err(Error::invalid("Minimum memory reservation allowed is 6MB"));
        }
        if res.memory.is_some_and(|m| m > 0 && m < r) {
            return Err(Error::invalid(
                "Minimum memory limit can not be less than memory reservation limit, see usage",
            ));
        }
    }
    let nano_set = res.nano_cpus.is_some_and(|n| n > 0);
    if nano_set && res.cpu_period.is_some_and(|p| p > 0) {
        return Err(Error::invalid(
            "Conflicting options: Nano CPUs and CPU Period cannot both be set",
        ));
    }
    if nano_set && res.cpu_quota.is_some_and(|q| q > 0) {
        return Err(Error::invalid(
            "Conflicting options: Nano CPUs and CPU Quota cannot both be set",
        ));
    }
    if let Some(p) = res.cpu_period.filter(|&p| p != 0) {
        if !(1000..=1_000_000).contains(&p) {
            return Err(Error::invalid(
                "CPU cfs period can not be less than 1ms (i.e. 1000) or larger than 1s (i.e. 1000000)",
            ));
        }
    }
    if res.cpu_quota.is_some_and(|q| q > 0 && q < 1000) {
        return Err(Error::invalid(
            "CPU cfs quota can not be less than 1ms (i.e. 1000)",
        ));
    }
    if let Some(nano) = res.nano_cpus {
        // Below 0.01 CPU the quota would be under the kernel's 1 ms minimum.
        let max = i64::from(m.ncpus) * 1_000_000_000;
        if nano < 0 || (nano > 0 && nano < 10_000_000) || nano > max {
            return Err(Error::invalid(format!(
                "Range of CPUs is from 0.01 to {n}.00, as there are only {n} CPUs available",
                n = m.ncpus
            )));
        }
    }
    if let Some(shares) = res.cpu_shares {
        if shares != 0 && !(MIN_CPU_SHARES..=MAX_CPU_SHARES).contains(&shares) {
            return Err(Error::invalid(format!(
                "Invalid CPU shares {shares}: the range is {MIN_CPU_SHARES} to {MAX_CPU_SHARES}"
            )));
        }
    }
    if let Some(cpus) = &res.cpuset_cpus {
        check_set(cpus, &m.cpus, "cpus", "CPUs")?;
    }
    if let Some(mems) = &res.cpuset_mems {
        check_set(mems, &m.mems, "mems", "memory nodes")?;
    }
    Ok(())
}

fn check_set(req: &str, avail: &BTreeSet<u32>, flag: &str, what: &str) -> Result<()> {
    let set = parse_list(req)
        .filter(|s| !s.is_empty())
        .ok_or_else(|| Error::invalid(format!("Invalid value {req} for cpuset {flag}")))?;
    if !set.is_subset(avail) {
        return Err(Error::invalid(format!(
            "Requested {what} are not available - requested {req}, available: {}",
            fmt_list(avail)
        )));
    }
    Ok(())
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

    fn check(res: Resources) -> Result<()> {
        validate(&res, &Machine::with_cpus(2), false)
    }
    fn msg(res: Resources) -> String {
        match check(res) {
            Err(Error::InvalidArgument(m)) => m,
            other => panic!("expected InvalidArgument, got {other:?}"),
        }
    }

    #[test]
    fn lists_parse_and_format() {
        assert_eq!(parse_list("0-2,5"), Some([0, 1, 2, 5].into()));
        assert_eq!(parse_list(""), Some(BTreeSet::new()));
        assert_eq!(parse_list("3-1"), None);
        assert_eq!(parse_list("a"), None);
        assert_eq!(fmt_list(&[0, 1, 2, 5, 7, 8].into()), "0-2,5,7-8");
    }

    #[test]
    fn memory_rules_use_docker_wording() {
        assert_eq!(
            msg(Resources {
                memory: Some(4 << 20),
                ..Default::default()
            }),
            "Minimum memory limit allowed is 6MB"
        );
        assert!(msg(Resources {
            memory: Some(64 << 20),
            memory_swap: Some(32 << 20),
            ..Default::default()
        })
        .starts_with("Minimum memoryswap limit should be larger than memory limit"));
        assert!(msg(Resources {
            memory_swap: Some(64 << 20),
            ..Default::default()
        })
        .starts_with("You should always set the Memory limit"));
        check(Resources {
            memory: Some(6 << 20),
            memory_swap: Some(-1),
            ..Default::default()
        })
        .unwrap();
        check(Resources {
            memory: Some(64 << 20),
            memory_swap: Some(64 << 20),
            ..Default::default()
        })
        .unwrap();
        // On update the memory limit may already be in place.
        let swap_only = Resources {
            memory_swap: Some(64 << 20),
            ..Default::default()
        };
        validate(&swap_only, &Machine::with_cpus(2), true).unwrap();
    }

    #[test]
    fn cpu_rules() {
        let m = msg(Resources {
            nano_cpus: Some(3_000_000_000),
            ..Default::default()
        });
        assert_eq!(
            m,
            "Range of CPUs is from 0.01 to 2.00, as there are only 2 CPUs available"
        );
        msg(Resources {
            nano_cpus: Some(1_000_000),
            ..Default::default()
        });
        check(Resources {
            nano_cpus: Some(2_000_000_000),
            ..Default::default()
        })
        .unwrap();
        assert!(msg(Resources {
            cpu_shares: Some(1),
            ..Default::default()
        })
        .contains("CPU shares"));
        msg(Resources {
            cpu_shares: Some(300_000),
            ..Default::default()
        });
        check(Resources {
            cpu_shares: Some(1024),
            ..Default::default()
        })
        .unwrap();
    }

    #[test]
    fn cpuset_rules() {
        assert_eq!(
            msg(Resources {
                cpuset_cpus: Some("1-3".into()),
                ..Default::default()
            }),
            "Requested CPUs are not available - requested 1-3, available: 0-1"
        );
        assert_eq!(
            msg(Resources {
                cpuset_cpus: Some("x".into()),
                ..Default::default()
            }),
            "Invalid value x for cpuset cpus"
        );
        assert!(msg(Resources {
            cpuset_mems: Some("1".into()),
            ..Default::default()
        })
        .contains("memory nodes"));
        check(Resources {
            cpuset_cpus: Some("0,1".into()),
            cpuset_mems: Some("0".into()),
            ..Default::default()
        })
        .unwrap();
    }

    #[test]
    fn conversions() {
        assert_eq!(cfs_quota(1_500_000_000), 150_000);
        assert_eq!(cfs_quota(10_000_000), 1_000);
        assert_eq!(shares_to_weight(2), 1);
        assert_eq!(shares_to_weight(1024), 39);
        assert_eq!(shares_to_weight(262_144), 10_000);
    }

    #[test]
    fn reservation_and_cfs_pair_follow_dockers_rules() {
        let check = |res: Resources| match validate(&res, &Machine::with_cpus(2), true) {
            Ok(()) => String::new(),
            Err(e) => e.to_string(),
        };
        assert_eq!(
            check(Resources {
                memory_reservation: Some(1 << 20),
                ..Default::default()
            }),
            "Minimum memory reservation allowed is 6MB"
        );
        assert_eq!(
            check(Resources {
                memory: Some(64 << 20),
                memory_reservation: Some(128 << 20),
                ..Default::default()
            }),
            "Minimum memory limit can not be less than memory reservation limit, see usage"
        );
        assert_eq!(
            check(Resources {
                cpu_period: Some(500),
                ..Default::default()
            }),
            "CPU cfs period can not be less than 1ms (i.e. 1000) or larger than 1s (i.e. 1000000)"
        );
        assert_eq!(
            check(Resources {
                cpu_quota: Some(10),
                ..Default::default()
            }),
            "CPU cfs quota can not be less than 1ms (i.e. 1000)"
        );
        assert_eq!(
            check(Resources {
                nano_cpus: Some(1_000_000_000),
                cpu_quota: Some(50_000),
                ..Default::default()
            }),
            "Conflicting options: Nano CPUs and CPU Quota cannot both be set"
        );
        assert_eq!(
            check(Resources {
                cpu_period: Some(50_000),
                cpu_quota: Some(-1),
                ..Default::default()
            }),
            ""
        );
    }
}
