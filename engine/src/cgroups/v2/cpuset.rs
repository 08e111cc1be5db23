//! v2 cpuset controller: `--cpuset-cpus` and `--cpuset-mems`. Unlike v1, an empty
//! `cpuset.cpus` means "the parent's", so new cgroups need no copying.

use std::path::Path;

use super::super::files::write;
use super::super::Resources;
use crate::error::Result;

pub const CPUS: &str = "cpuset.cpus";
pub const MEMS: &str = "cpuset.mems";

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
    fn writes_sets() {
        let tmp = tempfile::tempdir().unwrap();
        let d = tmp.path();
        apply(
            d,
            &Resources {
                cpuset_cpus: Some("1".into()),
                ..Default::default()
            },
        )
        .unwrap();
        assert_eq!(fs::read_to_string(d.join(CPUS)).unwrap(), "1");
        assert!(!d.join(MEMS).exists());
    }
}
