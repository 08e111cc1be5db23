//! What a service mounts or reads from the host: volumes (canonical long form, the
//! `src:dst:ro` strings already parsed), secret and config references, env files and
//! device mappings.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::options;
use super::scalars::{self, is_false, is_true, yes, FileMode};
use super::units::Bytes;

/// The kinds of mount the spec knows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Deserialize, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum MountType {
    Bind,
    Volume,
    Tmpfs,
    Npipe,
    Cluster,
    Image,
}

/// One entry of a service's `volumes`.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct ServiceVolume {
    #[serde(rename = "type")]
    pub kind: MountType,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub target: Option<String>,
    #[serde(
        default,
        deserialize_with = "scalars::bool",
        skip_serializing_if = "is_false"
    )]
    pub read_only: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub consistency: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub bind: Option<BindOptions>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub volume: Option<VolumeOptions>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tmpfs: Option<TmpfsOptions>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub image: Option<ImageOptions>,
}

impl ServiceVolume {
    /// Whether a missing host directory is created for a bind mount (the default).
    pub fn create_host_path(&self) -> bool {
        self.bind.as_ref().is_none_or(|b| b.create_host_path)
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct BindOptions {
    /// `z` (shared) or `Z` (private) relabeling.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub selinux: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub propagation: Option<String>,
    /// True unless written false; compose prints it only when false.
    #[serde(
        default = "yes",
        deserialize_with = "scalars::bool",
        skip_serializing_if = "is_true"
    )]
    pub create_host_path: bool,
    /// `enabled`, `disabled`, `writable` or `readonly`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub recursive: Option<String>,
}

impl Default for BindOptions {
    fn default() -> BindOptions {
        BindOptions {
            selinux: None,
            propagation: None,
            create_host_path: true,
            recursive: None,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Default, Deserialize, Serialize)]
#[serde(default, deny_unknown_fields)]
pub struct VolumeOptions {
    #[serde(
        deserialize_with = "options::mapping",
        skip_serializing_if = "BTreeMap::is_empty"
    )]
    pub labels: BTreeMap<String, String>,
    #[serde(deserialize_with = "scalars::bool", skip_serializing_if = "is_false")]
    pub nocopy: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub subpath: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Default, Deserialize, Serialize)]
#[serde(default, deny_unknown_fields)]
pub struct TmpfsOptions {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub size: Option<Bytes>,
    /// The mode as a number (compose passes the number written, not octal text).
    #[serde(
        deserialize_with = "scalars::opt_int",
        skip_serializing_if = "Option::is_none"
    )]
    pub mode: Option<u32>,
}

#[derive(Debug, Clone, PartialEq, Eq, Default, Deserialize, Serialize)]
#[serde(default, deny_unknown_fields)]
pub struct ImageOptions {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub subpath: Option<String>,
}

/// A service's use of a secret or config (`secrets: [{source: token}]`), also build
/// secrets.
#[derive(Debug, Clone, PartialEq, Eq, Default, Deserialize, Serialize)]
#[serde(default, deny_unknown_fields)]
pub struct FileReference {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub source: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub target: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub uid: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub gid: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub mode: Option<FileMode>,
}

/// One `env_file` entry.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct EnvFile {
    pub path: String,
    /// True unless written false; compose prints it only when false.
    #[serde(
        default = "yes",
        deserialize_with = "scalars::bool",
        skip_serializing_if = "is_true"
    )]
    pub required: bool,
    /// `raw` reads values without interpolation or quotes; None is compose's format.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub format: Option<String>,
}

/// One `devices` entry: a host device node made available in the container.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct DeviceMapping {
    pub source: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub target: Option<String>,
    /// cgroup permissions, `rwm` when the short form was written.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub permissions: Option<String>,
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn volumes_in_long_form() {
        let v: ServiceVolume = serde_json::from_value(json!({
            "type": "bind", "source": "./data", "target": "/data", "read_only": "true",
            "bind": {"propagation": "rshared", "selinux": "z"}
        }))
        .unwrap();
        assert_eq!(v.kind, MountType::Bind);
        assert!(v.read_only);
        assert!(v.create_host_path());
        assert_eq!(
            serde_json::to_value(&v).unwrap(),
            json!({"type": "bind", "source": "./data", "target": "/data", "read_only": true,
                   "bind": {"selinux": "z", "propagation": "rshared"}})
        );
        let v: ServiceVolume = serde_json::from_value(json!({
            "type": "bind", "source": "/x", "target": "/y", "bind": {"create_host_path": false}
        }))
        .unwrap();
        assert!(!v.create_host_path());
        assert_eq!(
            serde_json::to_value(&v).unwrap()["bind"],
            json!({"create_host_path": false})
        );
        let t: ServiceVolume = serde_json::from_value(json!({
            "type": "tmpfs", "target": "/tmp", "tmpfs": {"size": "1m", "mode": 1777}
        }))
        .unwrap();
        let opts = t.tmpfs.clone().unwrap_or_default();
        assert_eq!((opts.size, opts.mode), (Some(Bytes(1 << 20)), Some(1777)));
        let e = serde_json::from_value::<ServiceVolume>(json!({"type": "nfs", "target": "/x"}));
        assert!(e
            .unwrap_err()
            .to_string()
            .starts_with("unknown variant `nfs`"));
        let e = serde_json::from_value::<ServiceVolume>(json!({"target": "/x"}));
        assert_eq!(e.unwrap_err().to_string(), "missing field `type`");
    }

    #[test]
    fn env_files_secrets_devices() {
        let e: EnvFile = serde_json::from_value(json!({"path": ".env"})).unwrap();
        assert!(e.required);
        assert_eq!(serde_json::to_value(&e).unwrap(), json!({"path": ".env"}));
        let e: EnvFile =
            serde_json::from_value(json!({"path": ".env", "required": false, "format": "raw"}))
                .unwrap();
        assert_eq!(
            serde_json::to_value(&e).unwrap(),
            json!({"path": ".env", "required": false, "format": "raw"})
        );
        let s: FileReference =
            serde_json::from_value(json!({"source": "tok", "mode": "0400", "uid": "1000"}))
                .unwrap();
        assert_eq!(s.mode, Some(FileMode(0o400)));
        assert_eq!(serde_json::to_value(&s).unwrap()["mode"], "0400");
        let d: DeviceMapping =
            serde_json::from_value(json!({"source": "/dev/fuse", "permissions": "rwm"})).unwrap();
        assert_eq!(d.target, None);
    }
}
