//! v1 pids controller: `--pids-limit` and the current count. The v1 and v2 files are the
//! same, so v2 reuses this module.

use std::path::Path;

use super::super::files::{read_limit_opt, read_u64_opt, write};
use super::super::{Resources, Stats};
use crate::error::Result;

pub const MAX: &str = "pids.max";
pub const CURRENT: &str = "pids.current";

pub fn apply(dir: &Path, res: &Resources) -> Result<()> {
    if let Some(limit) = res.pids_limit {
        // Docker: 0 and -1 both mean unlimited.
        let value = if limit <= 0 {
            "max".to_string()
        } else {
            limit.to_string()
        };
        write(&dir.join(MAX), value)?;
    }
    Ok(())
}

/// Returns false when the pids files are absent (controller not enabled), so the caller
/// can count `cgroup.procs` instead.
pub fn stats(dir: &Path, st: &mut Stats) -> Result<bool> {
    let Some(current) = read_u64_opt(&dir.join(CURRENT))? else {
        return Ok(false);
    };
    st.pids_current = current;
    st.pids_limit = read_limit_opt(&dir.join(MAX))?.flatten();
    Ok(true)
}

#[cfg(test)]
mod tests {
    use std::fs;

    use super::*;

    #[test]
    fn limit_and_unlimited() {
        let tmp = tempfile::tempdir().unwrap();
        let d = tmp.path();
        apply(
            d,
            &Resources {
                pids_limit: Some(100),
                ..Default::default()
            },
        )
        .unwrap();
        assert_eq!(fs::read_to_string(d.join(MAX)).unwrap(), "100");
        apply(
            d,
            &Resources {
                pids_limit: Some(0),
                ..Default::default()
            },
        )
        .unwrap();
        assert_eq!(fs::read_to_string(d.join(MAX)).unwrap(), "max");
        apply(
            d,
            &Resources {
                pids_limit: Some(-1),
                ..Default::default()
            },
        )
        .unwrap();
        assert_eq!(fs::read_to_string(d.join(MAX)).unwrap(), "max");
    }

    #[test]
    fn stats_from_fixture() {
        let tmp = tempfile::tempdir().unwrap();
        let d = tmp.path();
        let mut st = Stats::default();
        assert!(!stats(d, &mut st).unwrap());
        fs::write(d.join(CURRENT), "3\n").unwrap();
        fs::write(d.join(MAX), "max\n").unwrap();
        assert!(stats(d, &mut st).unwrap());
        assert_eq!((st.pids_current, st.pids_limit), (3, None));
        fs::write(d.join(MAX), "50\n").unwrap();
        stats(d, &mut st).unwrap();
        assert_eq!(st.pids_limit, Some(50));
    }
}
