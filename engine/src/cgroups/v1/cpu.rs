//! v1 cpu controller: `--cpu-shares` and `--cpus` (CFS quota over a 100 ms period), and
//! how often the quota throttled the container.

use std::path::Path;

use super::super::files::{keyed, read_opt, write};
use super::super::machine::{cfs_quota, CFS_PERIOD_US};
use super::super::{Resources, Stats, Throttling};
use crate::error::Result;

pub const SHARES: &str = "cpu.shares";
pub const PERIOD: &str = "cpu.cfs_period_us";
pub const QUOTA: &str = "cpu.cfs_quota_us";
pub const STAT: &str = "cpu.stat";

pub fn apply(dir: &Path, res: &Resources) -> Result<()> {
    if let Some(shares) = res.cpu_shares.filter(|&s| s != 0) {
        write(&dir.join(SHARES), shares.to_string())?;
    }
    if let Some(nano) = res.nano_cpus.filter(|&n| n != 0) {
        // Period before quota: the kernel checks quota against the period in force.
        write(&dir.join(PERIOD), CFS_PERIOD_US.to_string())?;
        write(&dir.join(QUOTA), cfs_quota(nano).to_string())?;
    }
    // `--cpu-period`/`--cpu-quota` as given; validation keeps them apart from --cpus.
    if let Some(period) = res.cpu_period.filter(|&p| p != 0) {
        write(&dir.join(PERIOD), period.to_string())?;
    }
    if let Some(quota) = res.cpu_quota.filter(|&q| q != 0) {
        write(&dir.join(QUOTA), quota.to_string())?;
    }
    Ok(())
}

pub fn stats(dir: &Path, st: &mut Stats) -> Result<()> {
    if let Some(text) = read_opt(&dir.join(STAT))? {
        st.cpu_throttling = Throttling {
            periods: keyed(&text, "nr_periods").unwrap_or(0),
            throttled_periods: keyed(&text, "nr_throttled").unwrap_or(0),
            throttled_ns: keyed(&text, "throttled_time").unwrap_or(0),
        };
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use std::fs;

    use super::*;

    #[test]
    fn throttling_from_cpu_stat() {
        let tmp = tempfile::tempdir().unwrap();
        let mut st = Stats::default();
        stats(tmp.path(), &mut st).unwrap();
        assert_eq!(st.cpu_throttling, Throttling::default());
        fs::write(
            tmp.path().join(STAT),
            "nr_periods 10\nnr_throttled 3\nthrottled_time 4000\n",
        )
        .unwrap();
        stats(tmp.path(), &mut st).unwrap();
        assert_eq!(
            st.cpu_throttling,
            Throttling {
                periods: 10,
                throttled_periods: 3,
                throttled_ns: 4000
            }
        );
    }

    #[test]
    fn cpus_and_shares() {
        let tmp = tempfile::tempdir().unwrap();
        let d = tmp.path();
        let res = Resources {
            nano_cpus: Some(1_500_000_000),
            cpu_shares: Some(512),
            ..Default::default()
        };
        apply(d, &res).unwrap();
        assert_eq!(fs::read_to_string(d.join(PERIOD)).unwrap(), "100000");
        assert_eq!(fs::read_to_string(d.join(QUOTA)).unwrap(), "150000");
        assert_eq!(fs::read_to_string(d.join(SHARES)).unwrap(), "512");
    }

    #[test]
    fn period_and_quota_as_given() {
        let tmp = tempfile::tempdir().unwrap();
        let d = tmp.path();
        let res = Resources {
            cpu_period: Some(50_000),
            cpu_quota: Some(25_000),
            ..Default::default()
        };
        apply(d, &res).unwrap();
        assert_eq!(fs::read_to_string(d.join(PERIOD)).unwrap(), "50000");
        assert_eq!(fs::read_to_string(d.join(QUOTA)).unwrap(), "25000");
    }

    #[test]
    fn unset_writes_nothing() {
        let tmp = tempfile::tempdir().unwrap();
        apply(
            tmp.path(),
            &Resources {
                nano_cpus: Some(0),
                ..Default::default()
            },
        )
        .unwrap();
        assert_eq!(fs::read_dir(tmp.path()).unwrap().count(), 0);
    }
}
