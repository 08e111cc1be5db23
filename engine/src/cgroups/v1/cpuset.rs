//! v1 cpuset controller: `--cpuset-cpus` and `--cpuset-mems`.
//!
//! A new v1 cpuset cgroup starts with empty `cpuset.cpus` and `cpuset.mems`, and the
//! kernel refuses to move a task into it (ENOSPC) until both are set. So every cgroup we
//! create on the way down, the shared parent included, first gets its parent's values.

use std::path::Path;

use super::super::files::{read, read_opt, write};
use super::super::Resources;
use crate::error::Result;

pub const CPUS: &str = "cpuset.cpus";
pub const MEMS: &str = "cpuset.mems";

/// Copy `cpuset.cpus` and `cpuset.mems` from the parent directory where they are empty.
pub fn inherit(dir: &Path) -> Result<()> {
    let Some(parent) = dir.parent() else {
        return Ok(());
    };
    for file in [CPUS, MEMS] {
        let own = read_opt(&dir.join(file))?.unwrap_or_default();
        if own.is_empty() {
            let value = read(&parent.join(file))?;
            write(&dir.join(file), value)?;
        }
    }
    Ok(())
}

pub fn apply(dir: &Path, res: &Resources) -> Result<()> {
    if let Some(cpus) = &res.cpuset_cpus {
        write(&dir.join(CPUS), cpus)?;
    }
    if let Some(mems) = &res.cpuset_mems {
        write(&dir.join(MEMS), mems)?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use std::fs;

    use super::*;

    #[test]
    fn inherit_fills_only_empty_files() {
        let tmp = tempfile::tempdir().unwrap();
        let (p, c) = (tmp.path(), tmp.path().join("child"));
        fs::write(p.join(CPUS), "0-3\n").unwrap();
        fs::write(p.join(MEMS), "0\n").unwrap();
        fs::create_dir(&c).unwrap();
        fs::write(c.join(CPUS), "\n").unwrap();
        fs::write(c.join(MEMS), "0\n").unwrap();
        inherit(&c).unwrap();
        assert_eq!(fs::read_to_string(c.join(CPUS)).unwrap(), "0-3");
        assert_eq!(fs::read_to_string(c.join(MEMS)).unwrap(), "0\n");
    }

    #[test]
    fn apply_writes_requested_sets() {
        let tmp = tempfile::tempdir().unwrap();
        let d = tmp.path();
        let res = Resources {
            cpuset_cpus: Some("0,2".into()),
            cpuset_mems: Some("0".into()),
            ..Default::default()
        };
        apply(d, &res).unwrap();
        assert_eq!(fs::read_to_string(d.join(CPUS)).unwrap(), "0,2");
        assert_eq!(fs::read_to_string(d.join(MEMS)).unwrap(), "0");
    }
}
