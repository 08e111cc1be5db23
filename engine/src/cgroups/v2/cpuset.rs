//! v2 cpuset controller: `--cpuset-cpus` and `--cpuset-mems`. Unlike v1, an empty
//! `cpuset.cpus` means "the parent's", so new cgroups need no copying.

// The file names and values are the same as v1's; only v1 needs the parent copying.
pub use super::super::v1::cpuset::{apply, CPUS, MEMS};

#[cfg(test)]
mod tests {
    use std::fs;

    use super::*;
    use crate::cgroups::Resources;

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
