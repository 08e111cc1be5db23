//! The keys of Docker 20.10's container inspect that Berth has no record field for:
//! settings Berth never changes from Docker's defaults (shown with Docker's values and
//! types, `null` where Docker has `null`), and values derived at inspect time (masked
//! paths, overlay dirs, endpoint and sandbox IDs).

use serde_json::{json, Map, Value};
use sha2::{Digest, Sha256};

use super::model::Container;
use crate::runtime::mounts::{MASKED_PATHS, READONLY_PATHS};

/// Insert `(key, value)` pairs that `obj` does not have yet.
fn add_missing(obj: &mut Value, pairs: Vec<(&str, Value)>) {
    if let Some(o) = obj.as_object_mut() {
        for (k, v) in pairs {
            o.entry(k.to_string()).or_insert(v);
        }
    }
}

/// HostConfig keys beyond the record's fields.
pub fn host_config(c: &Container, hc: &mut Value) {
    let h = &c.record.host_config;
    let unconfined = super::security_opt::parse(&h.security_opt)
        .map(|s| s.unconfined_system_paths)
        .unwrap_or(false);
    // What the launch masks: nothing for --privileged or systempaths=unconfined.
    let (masked, readonly) = if h.privileged || unconfined {
        (Value::Null, Value::Null)
    } else {
        (json!(MASKED_PATHS), json!(READONLY_PATHS))
    };
    add_missing(
        hc,
        vec![
            ("VolumeDriver", json!("")),
            // Every container gets a cgroup namespace of its own, on v1 as on v2.
            ("CgroupnsMode", json!("private")),
            ("UsernsMode", json!("")),
            ("Cgroup", json!("")),
            ("Runtime", json!("berth")),
            ("ConsoleSize", json!([0, 0])),
            ("Isolation", json!("")),
            ("BlkioWeight", json!(0)),
            ("BlkioWeightDevice", json!([])),
            ("BlkioDeviceReadBps", Value::Null),
            ("BlkioDeviceWriteBps", Value::Null),
            ("BlkioDeviceReadIOps", Value::Null),
            ("BlkioDeviceWriteIOps", Value::Null),
            ("CpuRealtimePeriod", json!(0)),
            ("CpuRealtimeRuntime", json!(0)),
            ("DeviceCgroupRules", Value::Null),
            ("DeviceRequests", Value::Null),
            ("KernelMemory", json!(0)),
            ("KernelMemoryTCP", json!(0)),
            ("MemorySwappiness", Value::Null),
            ("CpuCount", json!(0)),
            ("CpuPercent", json!(0)),
            ("IOMaximumIOps", json!(0)),
            ("IOMaximumBandwidth", json!(0)),
            ("MaskedPaths", masked),
            ("ReadonlyPaths", readonly),
        ],
    );
}

/// Config keys beyond the record's fields.
pub fn config(cfg: &mut Value) {
    add_missing(cfg, vec![("OnBuild", Value::Null)]);
}

/// A stable 64-hex ID for something Berth has no ID of its own for.
fn derived_id(what: &str, parts: &[&str]) -> String {
    hex::encode(Sha256::digest(format!("{what}/{}", parts.join("/"))))
}

/// The endpoint's ID on a network while the container is attached there ("" when not).
pub fn endpoint_id(container: &str, network_id: &str, attached: bool) -> String {
    if attached {
        derived_id("endpoint", &[container, network_id])
    } else {
        String::new()
    }
}

/// Per-network keys beyond those Berth fills.
pub fn network_endpoint(ep: &mut Value, endpoint_id: String) {
    add_missing(
        ep,
        vec![
            ("Links", Value::Null),
            ("EndpointID", json!(endpoint_id)),
            ("IPv6Gateway", json!("")),
            ("GlobalIPv6Address", json!("")),
            ("GlobalIPv6PrefixLen", json!(0)),
            ("DriverOpts", Value::Null),
        ],
    );
}

/// Top-level NetworkSettings keys; the address keys are the first network's, as Docker
/// shows the default bridge's.
pub fn network_settings(c: &Container, ns: &mut Value, first: Option<&Map<String, Value>>) {
    let live = c.state.status.is_live() && c.state.pid > 0;
    let sandbox = if live {
        derived_id("sandbox", &[c.id(), &c.state.pid.to_string()])
    } else {
        String::new()
    };
    let get = |k: &str, default: Value| first.and_then(|f| f.get(k).cloned()).unwrap_or(default);
    add_missing(
        ns,
        vec![
            ("SandboxID", json!(sandbox)),
            ("HairpinMode", json!(false)),
            ("LinkLocalIPv6Address", json!("")),
            ("LinkLocalIPv6PrefixLen", json!(0)),
            ("SecondaryIPAddresses", Value::Null),
            ("SecondaryIPv6Addresses", Value::Null),
            ("EndpointID", get("EndpointID", json!(""))),
            ("GlobalIPv6Address", json!("")),
            ("GlobalIPv6PrefixLen", json!(0)),
            ("IPPrefixLen", get("IPPrefixLen", json!(0))),
            ("IPv6Gateway", json!("")),
        ],
    );
}

/// Docker's `LowerDir`: the image's layers, top-most first, colon-separated ("" for an
/// image without layers).
pub fn lower_dir(dirs: &[std::path::PathBuf]) -> String {
    dirs.iter()
        .rev()
        .map(|d| d.display().to_string())
        .collect::<Vec<_>>()
        .join(":")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn missing_keys_only() {
        let mut v = json!({"CgroupnsMode": "host"});
        add_missing(
            &mut v,
            vec![("CgroupnsMode", json!("private")), ("X", json!(1))],
        );
        assert_eq!(v, json!({"CgroupnsMode": "host", "X": 1}));
    }

    #[test]
    fn lower_dirs_are_top_most_first() {
        let dirs = vec!["/l/a".into(), "/l/b".into()];
        assert_eq!(lower_dir(&dirs), "/l/b:/l/a");
        assert_eq!(lower_dir(&[]), "");
    }

    #[test]
    fn ids_are_stable_and_empty_when_detached() {
        let a = endpoint_id("c1", "n1", true);
        assert_eq!(a.len(), 64);
        assert_eq!(a, endpoint_id("c1", "n1", true));
        assert_ne!(a, endpoint_id("c1", "n2", true));
        assert_eq!(endpoint_id("c1", "n1", false), "");
    }
}
