//! v2 cpu controller: `cpu.weight` from `--cpu-shares`, `cpu.max` from `--cpus`, and CPU
//! time from `cpu.stat`, which every cgroup2 directory has even without the controller.

use std::path::Path;

use super::super::files::{keyed, read_opt, write};
use super::super::machine::{cfs_quota, shares_to_weight, CFS_PERIOD_US};
use super::super::{Resources, Stats, Throttling};
use crate::error::Result;

pub const WEIGHT: &str = "cpu.weight";
pub const MAX: &str = "cpu.max";
pub const STAT: &str = "cpu.stat";

pub fn apply(dir: &Path, res: &Resources) -> Result<()> {
    if let Some(shares) = res.cpu_shares.filter(|&s| s != 0) {
        write(&dir.join(WEIGHT), shares_to_weight(shares).to_string())?;
    }
    if let Some(nano) = res.nano_cpus.filter(|&n| n != 0) {
        // Quota and period in one write, so there is no moment with a mismatched pair.
        write(
            &dir.join(MAX),
            format!("{} {CFS_PERIOD_US}", cfs_quota(nano)),
        )?;
    }
    let period = res.cpu_period.filter(|&p| p != 0);
    let quota = res.cpu_quota.filter(|&q| q != 0);
    if period.is_some() || quota.is_some() {
        // cpu.max holds both: keep the half that was not given.
        let current = read_opt(&dir.join(MAX))?.unwrap_or_default();
        let mut parts = current.split_whitespace();
        let cur_quota = parts.next().unwrap_or("max").to_string();
        let cur_period = parts.next().unwrap_or("100000").to_string();
        let quota = match quota {
            Some(q) if q > 0 => q.to_string(),
            Some(_) => "max".to_string(),
            None => cur_quota,
        };
        let period = period.map_or(cur_period, |p| p.to_string());
        write(&dir.join(MAX), format!("{quota} {period}"))?;
    }
    Ok(())
}

pub fn stats(dir: &Path, st: &mut Stats) -> Result<()> {
    if let Some(stat) = read_opt(&dir.join(STAT))? {
        let ns = |key: &str| keyed(&stat, key).unwrap_or(0).saturating_mul(1000);
        st.cpu_usage_ns = ns("usage_usec");
        st.cpu_user_ns = ns("user_usec");
        st.cpu_system_ns = ns("system_usec");
        st.cpu_throttling = Throttling {
            periods: keyed(&stat, "nr_periods").unwrap_or(0),
            throttled_periods: keyed(&stat, "nr_throttled").unwrap_or(0),
            throttled_ns: ns("throttled_usec"),
        };
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use std::fs;

    use super::*;

    #[test]
    fn weight_and_max() {
        let tmp = tempfile::tempdir().unwrap();
        let d = tmp.path();
        apply(
            d,
            &Resources {
                cpu_shares: Some(1024),
                nano_cpus: Some(500_000_000),
                ..Default::default()
            },
        )
        .unwrap();
        assert_eq!(fs::read_to_string(d.join(WEIGHT)).unwrap(), "39");
        assert_eq!(fs::read_to_string(d.join(MAX)).unwrap(), "50000 100000");
        apply(
            d,
            &Resources {
                cpu_shares: Some(262_144),
                nano_cpus: Some(2_000_000_000),
                ..Default::default()
            },
        )
        .unwrap();
        assert_eq!(fs::read_to_string(d.join(WEIGHT)).unwrap(), "10000");
        assert_eq!(fs::read_to_string(d.join(MAX)).unwrap(), "200000 100000");
    }

    #[test]
    fn usage_from_cpu_stat() {
        let tmp = tempfile::tempdir().unwrap();
        let d = tmp.path();
        fs::write(
            d.join(STAT),
            "usage_usec 1500\nuser_usec 1000\nsystem_usec 500\nnr_periods 7\nnr_throttled 2\nthrottled_usec 30\n",
        )
        .unwrap();
        let mut st = Stats::default();
        stats(d, &mut st).unwrap();
        assert_eq!(st.cpu_usage_ns, 1_500_000);
        assert_eq!((st.cpu_user_ns, st.cpu_system_ns), (1_000_000, 500_000));
        assert_eq!(
            st.cpu_throttling,
            Throttling {
                periods: 7,
                throttled_periods: 2,
                throttled_ns: 30_000
            }
        );
    }
}
