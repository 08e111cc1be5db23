//! v2 memory controller: `memory.max`, `memory.swap.max`, usage, page cache, OOM kills.
//!
//! v2 limits swap on its own (`memory.swap.max`), where Docker's `--memory-swap` is
//! memory plus swap, so the value written is `memory_swap - memory` (runc's conversion).

use std::path::Path;

use super::super::files::{keyed, keyed_all, read_limit_opt, read_opt, read_u64_opt, write};
use super::super::{Resources, Stats};
use crate::error::{Error, Result};

pub const MAX: &str = "memory.max";
pub const SWAP_MAX: &str = "memory.swap.max";
pub const CURRENT: &str = "memory.current";
pub const STAT: &str = "memory.stat";
pub const EVENTS: &str = "memory.events";

fn limit(v: i64) -> String {
    if v == -1 {
        "max".into()
    } else {
        v.to_string()
    }
}

/// `--memory-reservation`: v2's best-effort protection, as runc maps it.
pub const LOW: &str = "memory.low";

pub fn apply(dir: &Path, res: &Resources) -> Result<()> {
    apply_limits(dir, res)?;
    if let Some(r) = res.memory_reservation.filter(|&r| r != 0) {
        write(&dir.join(LOW), r.to_string())?;
    }
    Ok(())
}

fn apply_limits(dir: &Path, res: &Resources) -> Result<()> {
    let mem = res.memory.filter(|&m| m != 0);
    let swap_file = dir.join(SWAP_MAX);
    // Without swap accounting there is no memory.swap.max; Docker drops --memory-swap
    // with a warning then, and so do we.
    let swap = res.memory_swap.filter(|&s| s != 0 && swap_file.exists());
    // Work out the swap value before writing anything, so a bad combination changes nothing.
    let swap_value = match swap {
        None => None,
        Some(-1) => Some("max".to_string()),
        Some(s) => {
            let m = match mem {
                Some(m) if m > 0 => m as u64,
                Some(_) => return Err(no_memory_limit()),
                None => read_limit_opt(&dir.join(MAX))?
                    .flatten()
                    .ok_or_else(no_memory_limit)?,
            };
            if (s as u64) < m {
                return Err(Error::invalid(
                    "Minimum memoryswap limit should be larger than memory limit, see usage",
                ));
            }
            Some((s as u64 - m).to_string())
        }
    };
    if let Some(m) = mem {
        write(&dir.join(MAX), limit(m))?;
    }
    if let Some(v) = swap_value {
        write(&swap_file, v)?;
    }
    Ok(())
}

fn no_memory_limit() -> Error {
    Error::invalid("You should always set the Memory limit when using Memoryswap limit, see usage")
}

pub fn stats(dir: &Path, st: &mut Stats) -> Result<()> {
    st.memory_usage = read_u64_opt(&dir.join(CURRENT))?.unwrap_or(0);
    st.memory_limit = read_limit_opt(&dir.join(MAX))?.flatten();
    if let Some(stat) = read_opt(&dir.join(STAT))? {
        st.memory_stat = keyed_all(&stat);
        st.memory_inactive_file = keyed(&stat, "inactive_file").unwrap_or(0);
    }
    if let Some(events) = read_opt(&dir.join(EVENTS))? {
        st.oom_kills = keyed(&events, "oom_kill").unwrap_or(0);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use std::fs;

    use super::*;

    fn fixture() -> tempfile::TempDir {
        let tmp = tempfile::tempdir().unwrap();
        fs::write(tmp.path().join(MAX), "max\n").unwrap();
        fs::write(tmp.path().join(SWAP_MAX), "max\n").unwrap();
        tmp
    }
    fn read(dir: &Path, f: &str) -> String {
        fs::read_to_string(dir.join(f)).unwrap()
    }

    #[test]
    fn swap_is_written_as_swap_only() {
        let tmp = fixture();
        let d = tmp.path();
        apply(
            d,
            &Resources {
                memory: Some(64 << 20),
                memory_swap: Some(96 << 20),
                ..Default::default()
            },
        )
        .unwrap();
        assert_eq!(read(d, MAX), (64u64 << 20).to_string());
        assert_eq!(read(d, SWAP_MAX), (32u64 << 20).to_string());
        // memory == memory_swap: no swap at all.
        apply(
            d,
            &Resources {
                memory: Some(64 << 20),
                memory_swap: Some(64 << 20),
                ..Default::default()
            },
        )
        .unwrap();
        assert_eq!(read(d, SWAP_MAX), "0");
        apply(
            d,
            &Resources {
                memory: Some(-1),
                memory_swap: Some(-1),
                ..Default::default()
            },
        )
        .unwrap();
        assert_eq!(
            (read(d, MAX), read(d, SWAP_MAX)),
            ("max".into(), "max".into())
        );
    }

    #[test]
    fn swap_update_uses_current_memory_limit() {
        let tmp = fixture();
        let d = tmp.path();
        let swap_only = Resources {
            memory_swap: Some(100 << 20),
            ..Default::default()
        };
        assert!(matches!(
            apply(d, &swap_only),
            Err(Error::InvalidArgument(_))
        ));
        assert_eq!(read(d, SWAP_MAX), "max\n");
        fs::write(d.join(MAX), format!("{}\n", 60u64 << 20)).unwrap();
        apply(d, &swap_only).unwrap();
        assert_eq!(read(d, SWAP_MAX), (40u64 << 20).to_string());
        let too_small = Resources {
            memory_swap: Some(50 << 20),
            ..Default::default()
        };
        assert!(matches!(
            apply(d, &too_small),
            Err(Error::InvalidArgument(_))
        ));
    }

    #[test]
    fn no_swap_file_no_swap_limit() {
        let tmp = tempfile::tempdir().unwrap();
        let d = tmp.path();
        apply(
            d,
            &Resources {
                memory: Some(64 << 20),
                memory_swap: Some(128 << 20),
                ..Default::default()
            },
        )
        .unwrap();
        assert!(!d.join(SWAP_MAX).exists());
        assert_eq!(read(d, MAX), (64u64 << 20).to_string());
    }

    #[test]
    fn stats_from_fixture() {
        let tmp = fixture();
        let d = tmp.path();
        fs::write(d.join(CURRENT), "2097152\n").unwrap();
        fs::write(
            d.join(STAT),
            "anon 1048576\nfile 524288\nkernel 0\ninactive_file 4096\n",
        )
        .unwrap();
        fs::write(
            d.join(EVENTS),
            "low 0\nhigh 0\nmax 4\noom 2\noom_kill 1\noom_group_kill 0\n",
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
            (2097152, None, 4096, 1)
        );
        assert_eq!(st.memory_stat.get("file"), Some(&524288));
        fs::write(d.join(MAX), "67108864\n").unwrap();
        stats(d, &mut st).unwrap();
        assert_eq!(st.memory_limit, Some(67108864));
    }
}
