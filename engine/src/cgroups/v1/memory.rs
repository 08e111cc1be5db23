//! v1 memory controller: `-m` and `--memory-swap`, usage, page cache and OOM kills.

use std::path::Path;

use super::super::files::{keyed, keyed_all, read_opt, read_u64_opt, write};
use super::super::{Resources, Stats};
use crate::error::Result;

pub const LIMIT: &str = "memory.limit_in_bytes";
pub const MEMSW_LIMIT: &str = "memory.memsw.limit_in_bytes";
pub const USAGE: &str = "memory.usage_in_bytes";
pub const STAT: &str = "memory.stat";
pub const OOM_CONTROL: &str = "memory.oom_control";
pub const MAX_USAGE: &str = "memory.max_usage_in_bytes";
pub const FAILCNT: &str = "memory.failcnt";

/// v1 reports "no limit" as the largest page-aligned counter (9223372036854771712 with
/// 4 KiB pages, a little less with 64 KiB pages); anything this large is unlimited.
const UNLIMITED: u64 = 1 << 62;

pub const SOFT_LIMIT: &str = "memory.soft_limit_in_bytes";

pub fn apply(dir: &Path, res: &Resources) -> Result<()> {
    if let Some(r) = res.memory_reservation.filter(|&r| r != 0) {
        write(&dir.join(SOFT_LIMIT), r.to_string())?;
    }
    if res.oom_kill_disable {
        // oom_control takes "1" to disable the killer (its other lines are read-only).
        write(&dir.join(OOM_CONTROL), "1")?;
    }
    apply_limits(dir, res)
}

fn apply_limits(dir: &Path, res: &Resources) -> Result<()> {
    // 0 means "not given" (Docker's API); -1 means unlimited and is written as is.
    let mem = res.memory.filter(|&m| m != 0);
    let memsw = dir.join(MEMSW_LIMIT);
    // Without swap accounting the memsw file does not exist; Docker then drops
    // --memory-swap with a warning, and so do we.
    let swap = res.memory_swap.filter(|&s| s != 0 && memsw.exists());
    let limit = dir.join(LIMIT);
    match (mem, swap) {
        (None, None) => Ok(()),
        (Some(m), None) => write(&limit, m.to_string()),
        (None, Some(s)) => write(&memsw, s.to_string()),
        (Some(m), Some(s)) => {
            // The kernel rejects any write that would leave memory > memory+swap, so when
            // the new memsw is above the current memory limit it must go first (raising
            // both), otherwise memory must go first (lowering both).
            let current = read_u64_opt(&limit)?.unwrap_or(u64::MAX);
            if s == -1 || current < s as u64 {
                write(&memsw, s.to_string())?;
                write(&limit, m.to_string())
            } else {
                write(&limit, m.to_string())?;
                write(&memsw, s.to_string())
            }
        }
    }
}

pub fn stats(dir: &Path, st: &mut Stats) -> Result<()> {
    st.memory_usage = read_u64_opt(&dir.join(USAGE))?.unwrap_or(0);
    st.memory_limit = read_u64_opt(&dir.join(LIMIT))?.filter(|&l| l < UNLIMITED);
    st.memory_max_usage = read_u64_opt(&dir.join(MAX_USAGE))?;
    st.memory_failcnt = read_u64_opt(&dir.join(FAILCNT))?;
    if let Some(stat) = read_opt(&dir.join(STAT))? {
        st.memory_stat = keyed_all(&stat);
        st.memory_inactive_file = keyed(&stat, "total_inactive_file").unwrap_or(0);
    }
    // `oom_kill` appeared in oom_control in Linux 4.13; older kernels count nothing.
    if let Some(oom) = read_opt(&dir.join(OOM_CONTROL))? {
        st.oom_kills = keyed(&oom, "oom_kill").unwrap_or(0);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use std::fs;

    use super::*;

    fn fixture(memsw: bool) -> tempfile::TempDir {
        let tmp = tempfile::tempdir().unwrap();
        fs::write(tmp.path().join(LIMIT), "9223372036854771712\n").unwrap();
        if memsw {
            fs::write(tmp.path().join(MEMSW_LIMIT), "9223372036854771712\n").unwrap();
        }
        tmp
    }
    fn read(dir: &Path, f: &str) -> String {
        fs::read_to_string(dir.join(f)).unwrap()
    }

    #[test]
    fn reservation_is_the_soft_limit() {
        let tmp = fixture(false);
        let res = Resources {
            memory_reservation: Some(32 << 20),
            ..Default::default()
        };
        apply(tmp.path(), &res).unwrap();
        assert_eq!(read(tmp.path(), SOFT_LIMIT), (32u64 << 20).to_string());
    }

    #[test]
    fn oom_kill_disable_writes_oom_control() {
        let tmp = fixture(false);
        apply(tmp.path(), &Resources::default()).unwrap();
        assert!(!tmp.path().join(OOM_CONTROL).exists());
        let res = Resources {
            oom_kill_disable: true,
            ..Default::default()
        };
        apply(tmp.path(), &res).unwrap();
        assert_eq!(read(tmp.path(), OOM_CONTROL), "1");
    }

    #[test]
    fn memory_and_swap() {
        let tmp = fixture(true);
        let res = Resources {
            memory: Some(64 << 20),
            memory_swap: Some(128 << 20),
            ..Default::default()
        };
        apply(tmp.path(), &res).unwrap();
        assert_eq!(read(tmp.path(), LIMIT), (64u64 << 20).to_string());
        assert_eq!(read(tmp.path(), MEMSW_LIMIT), (128u64 << 20).to_string());
    }

    #[test]
    fn swap_ignored_without_swap_accounting() {
        let tmp = fixture(false);
        let res = Resources {
            memory: Some(64 << 20),
            memory_swap: Some(-1),
            ..Default::default()
        };
        apply(tmp.path(), &res).unwrap();
        assert_eq!(read(tmp.path(), LIMIT), (64u64 << 20).to_string());
        assert!(!tmp.path().join(MEMSW_LIMIT).exists());
    }

    #[test]
    fn zero_leaves_the_files_alone() {
        let tmp = fixture(true);
        apply(
            tmp.path(),
            &Resources {
                memory: Some(0),
                memory_swap: Some(0),
                ..Default::default()
            },
        )
        .unwrap();
        assert_eq!(read(tmp.path(), LIMIT), "9223372036854771712\n");
    }

    #[test]
    fn stats_from_fixture() {
        let tmp = fixture(true);
        let d = tmp.path();
        fs::write(d.join(USAGE), "1048576\n").unwrap();
        fs::write(
            d.join(STAT),
            "cache 4096\nrss 8192\ntotal_cache 4096\ntotal_inactive_file 1024\n",
        )
        .unwrap();
        fs::write(d.join(MAX_USAGE), "2097152\n").unwrap();
        fs::write(
            d.join(OOM_CONTROL),
            "oom_kill_disable 0\nunder_oom 0\noom_kill 2\n",
        )
        .unwrap();
        let mut st = Stats::default();
        stats(d, &mut st).unwrap();
        assert_eq!(
            (
                st.memory_usage,
                st.memory_limit,
                st.memory_inactive_file,
                st.oom_kills
            ),
            (1048576, None, 1024, 2)
        );
        assert_eq!(st.memory_stat.get("rss"), Some(&8192));
        assert_eq!(
            (st.memory_max_usage, st.memory_failcnt),
            (Some(2097152), None)
        );
        fs::write(d.join(LIMIT), "67108864\n").unwrap();
        stats(d, &mut st).unwrap();
        assert_eq!(st.memory_limit, Some(67108864));
    }
}
