//! `--device HOST[:CONTAINER][:PERMS]`: a host device node made in the container and
//! allowed by its device cgroup, recorded as Docker's `HostConfig.Devices`.
//!
//! The host node is looked at twice: at create, so a missing or non-device path is
//! refused before anything is made, and at every start (its numbers are what the
//! container gets, and the host may have renumbered it since).

use std::os::unix::fs::{FileTypeExt, MetadataExt};
use std::path::Path;

use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct DeviceMapping {
    pub path_on_host: String,
    pub path_in_container: String,
    /// Some of `r`, `w`, `m`, as the device cgroup takes them.
    pub cgroup_permissions: String,
}

/// A host device node as the container gets it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeviceNode {
    /// Absolute path inside the container.
    pub path: String,
    pub block: bool,
    pub major: u64,
    pub minor: u64,
    pub mode: u32,
    pub uid: u32,
    pub gid: u32,
    pub permissions: String,
}

impl DeviceNode {
    /// The device cgroup rule allowing this node (`c 1:3 rw`).
    pub fn cgroup_rule(&self) -> String {
        format!(
            "{} {}:{} {}",
            if self.block { 'b' } else { 'c' },
            self.major,
            self.minor,
            self.permissions
        )
    }
}

const FLAG: &str = "--device";

fn valid_permissions(p: &str) -> bool {
    !p.is_empty() && p.len() <= 3 && p.chars().all(|c| matches!(c, 'r' | 'w' | 'm'))
}

/// Parse one `--device` value (Docker's forms: `HOST`, `HOST:CONTAINER`, `HOST:PERMS`,
/// `HOST:CONTAINER:PERMS`). The host path is checked by [`stat`], not here.
pub fn parse(s: &str) -> Result<DeviceMapping> {
    let bad = |why: &str| Error::flag(FLAG, s, why);
    let parts: Vec<&str> = s.split(':').collect();
    let (host, container, perms) = match parts[..] {
        [h] => (h, h, "rwm"),
        [h, p] if valid_permissions(p) => (h, h, p),
        [h, c] => (h, c, "rwm"),
        [h, c, p] => {
            if !valid_permissions(p) {
                return Err(bad("permissions must be some of r, w and m"));
            }
            (h, if c.is_empty() { h } else { c }, p)
        }
        _ => return Err(bad("expected HOST[:CONTAINER][:PERMISSIONS]")),
    };
    if !host.starts_with('/') || !container.starts_with('/') {
        return Err(bad("device paths must be absolute"));
    }
    Ok(DeviceMapping {
        path_on_host: host.to_string(),
        path_in_container: container.to_string(),
        cgroup_permissions: perms.to_string(),
    })
}

/// The host node of `m`, which must be a character or block device (symlinks such as
/// `/dev/stdout` are followed, as Docker does).
pub fn stat(m: &DeviceMapping) -> Result<DeviceNode> {
    let host = Path::new(&m.path_on_host);
    let meta = std::fs::metadata(host).map_err(|e| {
        Error::flag(
            FLAG,
            &m.path_on_host,
            format!("error gathering device information: {e}"),
        )
    })?;
    let ft = meta.file_type();
    if !ft.is_char_device() && !ft.is_block_device() {
        return Err(Error::flag(
            FLAG,
            &m.path_on_host,
            "not a character or block device",
        ));
    }
    let rdev = meta.rdev();
    Ok(DeviceNode {
        path: m.path_in_container.clone(),
        block: ft.is_block_device(),
        major: nix::sys::stat::major(rdev),
        minor: nix::sys::stat::minor(rdev),
        mode: meta.mode() & 0o7777,
        uid: meta.uid(),
        gid: meta.gid(),
        permissions: m.cgroup_permissions.clone(),
    })
}

/// Parse and check every `--device`.
pub fn parse_all(values: &[String]) -> Result<Vec<DeviceMapping>> {
    values
        .iter()
        .map(|v| {
            let m = parse(v)?;
            stat(&m)?;
            Ok(m)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dockers_forms() {
        let m = parse("/dev/null").unwrap();
        assert_eq!(
            (m.path_in_container.as_str(), m.cgroup_permissions.as_str()),
            ("/dev/null", "rwm")
        );
        let m = parse("/dev/null:/dev/mynull").unwrap();
        assert_eq!(m.path_in_container, "/dev/mynull");
        let m = parse("/dev/null:r").unwrap();
        assert_eq!(
            (m.path_in_container.as_str(), m.cgroup_permissions.as_str()),
            ("/dev/null", "r")
        );
        let m = parse("/dev/null:/dev/x:rw").unwrap();
        assert_eq!(m.cgroup_permissions, "rw");
    }

    #[test]
    fn refusals_name_the_flag() {
        for v in [
            "/dev/null:/dev/x:rwx",
            "dev/null",
            "/dev/null:rel",
            "/a:/b:r:w",
        ] {
            let msg = parse(v).unwrap_err().to_string();
            assert!(msg.contains("\"--device\" flag"), "{v}: {msg}");
        }
        let msg = parse_all(&["/no/such/dev".into()]).unwrap_err().to_string();
        assert!(
            msg.contains("--device") && msg.contains("/no/such/dev"),
            "{msg}"
        );
        let msg = parse_all(&["/etc/hostname".into()])
            .unwrap_err()
            .to_string();
        assert!(msg.contains("not a character or block device"), "{msg}");
    }

    #[test]
    fn the_host_node_gives_the_rule() {
        let n = stat(&parse("/dev/null:/dev/mynull:rw").unwrap()).unwrap();
        assert_eq!((n.major, n.minor, n.block), (1, 3, false));
        assert_eq!(n.cgroup_rule(), "c 1:3 rw");
        assert_eq!(n.path, "/dev/mynull");
    }
}
