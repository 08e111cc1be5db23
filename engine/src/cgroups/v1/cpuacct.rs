//! v1 cpuacct controller: CPU time used, in nanoseconds.

use std::path::Path;

use super::super::files::read_u64_opt;
use super::super::Stats;
use crate::error::Result;

pub const USAGE: &str = "cpuacct.usage";

pub fn stats(dir: &Path, st: &mut Stats) -> Result<()> {
    st.cpu_usage_ns = read_u64_opt(&dir.join(USAGE))?.unwrap_or(0);
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
    }
}
