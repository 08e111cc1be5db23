//! v1 cpuacct controller: CPU time used, in nanoseconds: in all, per CPU, and in user
//! and kernel mode.

use std::path::Path;

use super::super::files::{keyed, read_opt, read_u64_opt};
use super::super::Stats;
use crate::error::Result;

pub const USAGE: &str = "cpuacct.usage";
pub const USAGE_PERCPU: &str = "cpuacct.usage_percpu";
/// `user N` and `system N`, in USER_HZ ticks.
pub const STAT: &str = "cpuacct.stat";

pub fn stats(dir: &Path, st: &mut Stats) -> Result<()> {
    st.cpu_usage_ns = read_u64_opt(&dir.join(USAGE))?.unwrap_or(0);
    if let Some(text) = read_opt(&dir.join(USAGE_PERCPU))? {
        st.cpu_percpu_ns = text
            .split_whitespace()
            .filter_map(|v| v.parse().ok())
            .collect();
    }
    if let Some(text) = read_opt(&dir.join(STAT))? {
        // SAFETY: sysconf has no preconditions.
        let hz = unsafe { libc::sysconf(libc::_SC_CLK_TCK) }.max(1) as u64;
        let ns = |key: &str| keyed(&text, key).unwrap_or(0).saturating_mul(1_000_000_000) / hz;
        st.cpu_user_ns = ns("user");
        st.cpu_system_ns = ns("system");
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn usage_from_fixture() {
        let tmp = tempfile::tempdir().unwrap();
        let mut st = Stats::default();
        stats(tmp.path(), &mut st).unwrap();
        assert_eq!(st.cpu_usage_ns, 0);
        std::fs::write(tmp.path().join(USAGE), "123456789\n").unwrap();
        stats(tmp.path(), &mut st).unwrap();
        assert_eq!(st.cpu_usage_ns, 123456789);
        std::fs::write(tmp.path().join(USAGE_PERCPU), "100 23456689 \n").unwrap();
        std::fs::write(tmp.path().join(STAT), "user 0\nsystem 0\n").unwrap();
        stats(tmp.path(), &mut st).unwrap();
        assert_eq!(st.cpu_percpu_ns, vec![100, 23456689]);
        assert_eq!((st.cpu_user_ns, st.cpu_system_ns), (0, 0));
    }
}
