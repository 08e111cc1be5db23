//! v1 devices controller: which device nodes the container may open. Docker's default is
//! deny-all plus a short allow list; creating any node (`m`) stays allowed, as in Docker,
//! because opening it is what the list guards. `--privileged` allows everything.
//! `--device` adds its nodes' rules after the default list.
//! (cgroup v2 guards devices with an eBPF program instead; not done yet, see README.)

use std::path::Path;

use super::super::files::write;
use super::super::Resources;
use crate::error::Result;

/// Docker's (and runc's) default device allow list.
pub const DEFAULT_ALLOW: &[&str] = &[
    "c *:* m",
    "b *:* m",
    "c 1:3 rwm",    // null
    "c 1:5 rwm",    // zero
    "c 1:7 rwm",    // full
    "c 1:8 rwm",    // random
    "c 1:9 rwm",    // urandom
    "c 5:0 rwm",    // tty
    "c 5:1 rwm",    // console
    "c 5:2 rwm",    // ptmx
    "c 136:* rwm",  // pts
    "c 10:200 rwm", // tun
];

pub fn apply(dir: &Path, res: &Resources) -> Result<()> {
    if res.all_devices {
        return write(&dir.join("devices.allow"), "a");
    }
    write(&dir.join("devices.deny"), "a")?;
    for rule in DEFAULT_ALLOW {
        write(&dir.join("devices.allow"), *rule)?;
    }
    // `--device` nodes, after the defaults: the deny-all above would undo them.
    for rule in &res.device_rules {
        write(&dir.join("devices.allow"), rule)?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn device_rules_come_after_the_defaults() {
        let d = tempfile::tempdir().unwrap();
        let res = Resources {
            device_rules: vec!["c 1:3 rw".into()],
            ..Default::default()
        };
        apply(d.path(), &res).unwrap();
        // The fixture keeps the last write: the --device rule came after the defaults.
        assert_eq!(
            std::fs::read_to_string(d.path().join("devices.allow")).unwrap(),
            "c 1:3 rw"
        );
    }

    /// A fixture file holds the last value written to it.
    #[test]
    fn denies_all_then_allows_the_default_list() {
        let d = tempfile::tempdir().unwrap();
        std::fs::write(d.path().join("devices.deny"), "").unwrap();
        std::fs::write(d.path().join("devices.allow"), "").unwrap();
        apply(d.path(), &Resources::default()).unwrap();
        assert_eq!(
            std::fs::read_to_string(d.path().join("devices.deny"))
                .unwrap()
                .trim(),
            "a"
        );
        assert_eq!(
            std::fs::read_to_string(d.path().join("devices.allow"))
                .unwrap()
                .trim(),
            "c 10:200 rwm"
        );
        apply(
            d.path(),
            &Resources {
                all_devices: true,
                ..Default::default()
            },
        )
        .unwrap();
        assert_eq!(
            std::fs::read_to_string(d.path().join("devices.allow"))
                .unwrap()
                .trim(),
            "a"
        );
    }
}
