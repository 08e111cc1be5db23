//! The one check of a container's limits and name, in Docker's words, made by the
//! engine's `create` and `update` before anything is written: the CLI, the API and the
//! TUI send values (front ends only parse their syntax: "512m" to bytes, "1.5" to nano
//! CPUs) and all get the same message for the same bad value.
//!
//! Docker's daemon words (moby `daemon/daemon_unix.go`, `verifyPlatformContainerResources`):
//! - memory: "Minimum memory limit allowed is 6MB"; swap below the memory: "Minimum
//!   memoryswap limit should be larger than memory limit, see usage"; swap without a
//!   memory limit: "You should always set the Memory limit when using Memoryswap limit,
//!   see usage"; the reservation: "Minimum memory reservation allowed is 6MB", "Minimum
//!   memory limit can not be less than memory reservation limit, see usage";
//! - CPUs: "Range of CPUs is from 0.01 to N.00, as there are only N CPUs available"; the
//!   CFS pair: "CPU cfs period can not be less than 1ms (i.e. 1000) or larger than 1s
//!   (i.e. 1000000)", "CPU cfs quota can not be less than 1ms (i.e. 1000)", and their
//!   conflicts with `--cpus`; cpusets: "Invalid value X for cpuset cpus", "Requested CPUs
//!   are not available - requested X, available: Y";
//! - pids: never refused; zero or less means unlimited ([`pids_limit`]);
//! - names: "Invalid container name (X), only [a-zA-Z0-9][a-zA-Z0-9_.-] are allowed".
//!
//! Berth's own rules where Docker leaves it to the kernel: negative memory values other
//! than -1, and CPU shares outside the kernel's 2..262144.

use std::collections::BTreeSet;

use super::model::HostConfig;
use crate::cgroups::machine::{fmt_list, parse_list, MAX_CPU_SHARES, MIN_CPU_SHARES, MIN_MEMORY};
use crate::cgroups::{Machine, Resources};
use crate::error::{Error, Result};

/// A container name: Docker's `[a-zA-Z0-9][a-zA-Z0-9_.-]+` (a leading `/` is allowed,
/// as Docker stores names with one).
pub fn check_name(name: &str) -> Result<()> {
    let n = name.strip_prefix('/').unwrap_or(name);
    if crate::store::names::is_valid_object_name(n, 2) {
        Ok(())
    } else {
        Err(Error::invalid(format!(
            "Invalid container name ({name}), only [a-zA-Z0-9][a-zA-Z0-9_.-] are allowed"
        )))
    }
}

/// `--pids-limit` as Docker's API server takes it: zero or less is "unlimited", which on
/// create is no limit at all and on update is -1 (the kernel's "max"); a positive value
/// is the limit.
pub fn pids_limit(asked: Option<i64>, update: bool) -> Option<i64> {
    match asked {
        Some(p) if p > 0 => Some(p),
        Some(_) if update => Some(-1),
        _ => None,
    }
}

/// Check the limits of a container's host config as they were asked: zero is "not set",
/// and a negative value is refused here rather than read as "none" later (the cgroup
/// view, `HostConfig::resources`, keeps only what it can write).
pub fn check_host_config(hc: &HostConfig, m: &Machine, update: bool) -> Result<()> {
    let set = |v: i64| (v != 0).then_some(v);
    if hc.cpu_shares < 0 {
        return Err(shares_error(hc.cpu_shares));
    }
    let asked = Resources {
        memory: set(hc.memory),
        memory_swap: set(hc.memory_swap),
        memory_reservation: set(hc.memory_reservation),
        nano_cpus: set(hc.nano_cpus),
        cpu_period: set(hc.cpu_period),
        cpu_quota: set(hc.cpu_quota),
        cpu_shares: set(hc.cpu_shares).map(|v| v as u64),
        ..hc.resources()
    };
    check(&asked, m, update)
}

fn shares_error(shares: impl std::fmt::Display) -> Error {
    Error::invalid(format!(
        "Invalid CPU shares {shares}: the range is {MIN_CPU_SHARES} to {MAX_CPU_SHARES}"
    ))
}

/// Check every limit in `res`. `update` relaxes the rule that a swap limit needs a memory
/// limit in the same request, because on update the memory limit may already be set.
pub fn check(res: &Resources, m: &Machine, update: bool) -> Result<()> {
    if let Some(mem) = res.memory {
        // Docker's one word for anything under the floor, negative values too (-1 is
        // berth's "unlimited", which `update` writes).
        if mem != 0 && mem != -1 && mem < MIN_MEMORY {
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
            return Err(shares_error(shares));
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

#[cfg(test)]
mod tests {
    use super::*;

    fn try_limits(res: Resources) -> Result<()> {
        check(&res, &Machine::with_cpus(2), false)
    }
    fn msg(res: Resources) -> String {
        match try_limits(res) {
            Err(Error::InvalidArgument(m)) => m,
            other => panic!("expected InvalidArgument, got {other:?}"),
        }
    }

    #[test]
    fn negative_values_in_a_host_config_are_refused_not_dropped() {
        let m = Machine::with_cpus(2);
        let hc = |f: fn(&mut HostConfig)| {
            let mut hc = HostConfig::default();
            f(&mut hc);
            check_host_config(&hc, &m, false).map_err(|e| e.to_string())
        };
        assert_eq!(
            hc(|h| h.nano_cpus = -1_000_000_000).unwrap_err(),
            "Range of CPUs is from 0.01 to 2.00, as there are only 2 CPUs available"
        );
        assert_eq!(
            hc(|h| h.cpu_shares = -5).unwrap_err(),
            "Invalid CPU shares -5: the range is 2 to 262144"
        );
        assert_eq!(
            hc(|h| h.memory = -5).unwrap_err(),
            "Minimum memory limit allowed is 6MB"
        );
        assert!(hc(|h| h.cpu_period = -5).is_err());
        assert!(hc(|h| h.memory_swap = -1).is_ok());
        assert!(hc(|_| {}).is_ok());
    }

    #[test]
    fn names_follow_dockers_pattern() {
        assert!(check_name("web_1.a-b").is_ok());
        assert!(check_name("/web").is_ok());
        for bad in ["-web", "we b", "a", "", "_x"] {
            assert_eq!(
                check_name(bad).unwrap_err().to_string(),
                format!(
                    "Invalid container name ({bad}), only [a-zA-Z0-9][a-zA-Z0-9_.-] are allowed"
                )
            );
        }
    }

    #[test]
    fn pids_zero_or_less_is_unlimited() {
        assert_eq!(pids_limit(Some(50), false), Some(50));
        assert_eq!(pids_limit(Some(0), false), None);
        assert_eq!(pids_limit(Some(-1), false), None);
        assert_eq!(pids_limit(None, false), None);
        assert_eq!(pids_limit(Some(0), true), Some(-1));
        assert_eq!(pids_limit(Some(-7), true), Some(-1));
        assert_eq!(pids_limit(None, true), None);
        try_limits(Resources {
            pids_limit: Some(-1),
            ..Default::default()
        })
        .unwrap();
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
        try_limits(Resources {
            memory: Some(6 << 20),
            memory_swap: Some(-1),
            ..Default::default()
        })
        .unwrap();
        try_limits(Resources {
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
        check(&swap_only, &Machine::with_cpus(2), true).unwrap();
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
        try_limits(Resources {
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
        try_limits(Resources {
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
        try_limits(Resources {
            cpuset_cpus: Some("0,1".into()),
            cpuset_mems: Some("0".into()),
            ..Default::default()
        })
        .unwrap();
    }

    #[test]
    fn reservation_and_cfs_pair_follow_dockers_rules() {
        let updating = |res: Resources| match check(&res, &Machine::with_cpus(2), true) {
            Ok(()) => String::new(),
            Err(e) => e.to_string(),
        };
        assert_eq!(
            updating(Resources {
                memory_reservation: Some(1 << 20),
                ..Default::default()
            }),
            "Minimum memory reservation allowed is 6MB"
        );
        assert_eq!(
            updating(Resources {
                memory: Some(64 << 20),
                memory_reservation: Some(128 << 20),
                ..Default::default()
            }),
            "Minimum memory limit can not be less than memory reservation limit, see usage"
        );
        assert_eq!(
            updating(Resources {
                cpu_period: Some(500),
                ..Default::default()
            }),
            "CPU cfs period can not be less than 1ms (i.e. 1000) or larger than 1s (i.e. 1000000)"
        );
        assert_eq!(
            updating(Resources {
                cpu_quota: Some(10),
                ..Default::default()
            }),
            "CPU cfs quota can not be less than 1ms (i.e. 1000)"
        );
        assert_eq!(
            updating(Resources {
                nano_cpus: Some(1_000_000_000),
                cpu_quota: Some(50_000),
                ..Default::default()
            }),
            "Conflicting options: Nano CPUs and CPU Quota cannot both be set"
        );
        assert_eq!(
            updating(Resources {
                cpu_period: Some(50_000),
                cpu_quota: Some(-1),
                ..Default::default()
            }),
            ""
        );
    }
}
