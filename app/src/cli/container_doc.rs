//! `inspect` of a container, printed from the interface's `ContainerInspectResponse` as
//! Docker's daemon prints its `ContainerJSON`: Go's field order, `null` where Go has
//! `null`, map keys sorted.
//!
//! Which fields print `null` and which are left out follows what Berth has always printed
//! (so templates and scripts see the same values); where that differs from Docker's
//! `omitempty`, the table says so.
//!
//! The top-level address keys of `NetworkSettings` (`IPAddress`, `Gateway`, ...) left
//! Docker's models in API 1.52, but tutorials read `{{.NetworkSettings.IPAddress}}`.
//! Docker's daemon still fills them for older clients from the container's network; the
//! CLI does the same here from the model's `Networks`, so any backend shows them.

use serde_json::{json, Map, Value};

use super::go_json::Inner::{ListOf, Map as GoMap, MapOf, Plain, Struct};
use super::go_json::{always, omit_empty, shape, Field};
use bollard::models as m;

const CONTAINER: &[Field] = &[
    always("Id", Plain),
    always("Created", Plain),
    always("Path", Plain),
    always("Args", Plain),
    always("State", Struct(STATE)),
    always("Image", Plain),
    always("ResolvConfPath", Plain),
    always("HostnamePath", Plain),
    always("HostsPath", Plain),
    always("LogPath", Plain),
    always("Name", Plain),
    always("RestartCount", Plain),
    always("Driver", Plain),
    always("Platform", Plain),
    omit_empty("ImageManifestDescriptor", Plain),
    always("MountLabel", Plain),
    always("ProcessLabel", Plain),
    always("AppArmorProfile", Plain),
    always("ExecIDs", Plain),
    always("HostConfig", Struct(HOST_CONFIG)),
    always("GraphDriver", Struct(GRAPH_DRIVER)),
    omit_empty("Storage", Plain),
    omit_empty("SizeRw", Plain),
    omit_empty("SizeRootFs", Plain),
    always("Mounts", ListOf(MOUNT)),
    always("Config", Struct(CONFIG)),
    always("NetworkSettings", Struct(NETWORK_SETTINGS)),
];

const STATE: &[Field] = &[
    always("Status", Plain),
    always("Running", Plain),
    always("Paused", Plain),
    always("Restarting", Plain),
    always("OOMKilled", Plain),
    always("Dead", Plain),
    always("Pid", Plain),
    always("ExitCode", Plain),
    always("Error", Plain),
    always("StartedAt", Plain),
    always("FinishedAt", Plain),
    // Docker leaves it out without a healthcheck; Berth has always printed `null`.
    always("Health", Struct(HEALTH)),
];

const HEALTH: &[Field] = &[
    always("Status", Plain),
    always("FailingStreak", Plain),
    always("Log", ListOf(HEALTH_LOG)),
];

const HEALTH_LOG: &[Field] = &[
    always("Start", Plain),
    always("End", Plain),
    always("ExitCode", Plain),
    always("Output", Plain),
];

/// Go's `HostConfig`: its own fields, then the embedded `Resources`, then the rest.
const HOST_CONFIG: &[Field] = &[
    always("Binds", Plain),
    always("ContainerIDFile", Plain),
    always("LogConfig", Struct(LOG_CONFIG)),
    always("NetworkMode", Plain),
    always("PortBindings", GoMap),
    always("RestartPolicy", Struct(RESTART_POLICY)),
    always("AutoRemove", Plain),
    always("VolumeDriver", Plain),
    always("VolumesFrom", Plain),
    always("ConsoleSize", Plain),
    omit_empty("Annotations", GoMap),
    always("CapAdd", Plain),
    always("CapDrop", Plain),
    always("CgroupnsMode", Plain),
    always("Dns", Plain),
    always("DnsOptions", Plain),
    always("DnsSearch", Plain),
    always("ExtraHosts", Plain),
    always("GroupAdd", Plain),
    always("IpcMode", Plain),
    always("Cgroup", Plain),
    always("Links", Plain),
    always("OomScoreAdj", Plain),
    always("PidMode", Plain),
    always("Privileged", Plain),
    always("PublishAllPorts", Plain),
    always("ReadonlyRootfs", Plain),
    always("SecurityOpt", Plain),
    omit_empty("StorageOpt", GoMap),
    omit_empty("Tmpfs", GoMap),
    always("UTSMode", Plain),
    always("UsernsMode", Plain),
    always("ShmSize", Plain),
    omit_empty("Sysctls", GoMap),
    omit_empty("Runtime", Plain),
    always("Isolation", Plain),
    // Resources.
    always("CpuShares", Plain),
    always("Memory", Plain),
    always("NanoCpus", Plain),
    always("CgroupParent", Plain),
    always("BlkioWeight", Plain),
    always("BlkioWeightDevice", Plain),
    always("BlkioDeviceReadBps", Plain),
    always("BlkioDeviceWriteBps", Plain),
    always("BlkioDeviceReadIOps", Plain),
    always("BlkioDeviceWriteIOps", Plain),
    always("CpuPeriod", Plain),
    always("CpuQuota", Plain),
    always("CpuRealtimePeriod", Plain),
    always("CpuRealtimeRuntime", Plain),
    always("CpusetCpus", Plain),
    always("CpusetMems", Plain),
    always("Devices", Plain),
    always("DeviceCgroupRules", Plain),
    always("DeviceRequests", Plain),
    always("MemoryReservation", Plain),
    always("MemorySwap", Plain),
    always("MemorySwappiness", Plain),
    always("OomKillDisable", Plain),
    always("PidsLimit", Plain),
    always("Ulimits", Plain),
    always("CpuCount", Plain),
    always("CpuPercent", Plain),
    always("IOMaximumIOps", Plain),
    always("IOMaximumBandwidth", Plain),
    // After Resources.
    omit_empty("Mounts", Plain),
    always("MaskedPaths", Plain),
    always("ReadonlyPaths", Plain),
    omit_empty("Init", Plain),
];

const LOG_CONFIG: &[Field] = &[always("Type", Plain), always("Config", GoMap)];

const RESTART_POLICY: &[Field] = &[always("Name", Plain), always("MaximumRetryCount", Plain)];

const GRAPH_DRIVER: &[Field] = &[always("Name", Plain), always("Data", GoMap)];

/// Go's `MountPoint` (`Type`, `Name` and `Driver` are `omitempty`).
const MOUNT: &[Field] = &[
    omit_empty("Type", Plain),
    omit_empty("Name", Plain),
    always("Source", Plain),
    always("Destination", Plain),
    omit_empty("Driver", Plain),
    always("Mode", Plain),
    always("RW", Plain),
    always("Propagation", Plain),
];

const CONFIG: &[Field] = &[
    always("Hostname", Plain),
    always("Domainname", Plain),
    always("User", Plain),
    always("AttachStdin", Plain),
    always("AttachStdout", Plain),
    always("AttachStderr", Plain),
    omit_empty("ExposedPorts", GoMap),
    always("Tty", Plain),
    always("OpenStdin", Plain),
    always("StdinOnce", Plain),
    always("Env", Plain),
    always("Cmd", Plain),
    // Docker leaves these out when unset; Berth has always printed `null`.
    always("Healthcheck", Plain),
    omit_empty("ArgsEscaped", Plain),
    always("Image", Plain),
    always("Volumes", GoMap),
    always("WorkingDir", Plain),
    always("Entrypoint", Plain),
    omit_empty("NetworkDisabled", Plain),
    always("OnBuild", Plain),
    always("Labels", GoMap),
    always("StopSignal", Plain),
    always("StopTimeout", Plain),
    omit_empty("Shell", Plain),
];

/// Docker's `NetworkSettings` as its daemon printed it before API 1.52: the base, the
/// default network's addresses, then every network.
const NETWORK_SETTINGS: &[Field] = &[
    always("Bridge", Plain),
    always("SandboxID", Plain),
    always("HairpinMode", Plain),
    always("LinkLocalIPv6Address", Plain),
    always("LinkLocalIPv6PrefixLen", Plain),
    always("Ports", GoMap),
    always("SandboxKey", Plain),
    always("SecondaryIPAddresses", Plain),
    always("SecondaryIPv6Addresses", Plain),
    always("EndpointID", Plain),
    always("Gateway", Plain),
    always("GlobalIPv6Address", Plain),
    always("GlobalIPv6PrefixLen", Plain),
    always("IPAddress", Plain),
    always("IPPrefixLen", Plain),
    always("IPv6Gateway", Plain),
    always("MacAddress", Plain),
    always("Networks", MapOf(ENDPOINT)),
];

/// Go's `EndpointSettings`. The addresses are left out when the model has none (the
/// `host` and `none` pseudo-networks, which Berth shows with three keys).
const ENDPOINT: &[Field] = &[
    always("IPAMConfig", Plain),
    always("Links", Plain),
    always("Aliases", Plain),
    always("MacAddress", Plain),
    always("DriverOpts", GoMap),
    omit_empty("GwPriority", Plain),
    omit_empty("NetworkID", Plain),
    omit_empty("EndpointID", Plain),
    omit_empty("Gateway", Plain),
    omit_empty("IPAddress", Plain),
    omit_empty("IPPrefixLen", Plain),
    omit_empty("IPv6Gateway", Plain),
    omit_empty("GlobalIPv6Address", Plain),
    omit_empty("GlobalIPv6PrefixLen", Plain),
    always("DNSNames", Plain),
];

/// The inspect document of one container.
pub fn document(c: &m::ContainerInspectResponse) -> Result<Value, String> {
    let mut v = serde_json::to_value(c).map_err(|e| format!("container inspect: {e}"))?;
    if let Some(ns) = v.get_mut("NetworkSettings").and_then(Value::as_object_mut) {
        add_default_network(ns);
    }
    Ok(shape(&v, CONTAINER))
}

/// The keys Docker's daemon fills for clients older than API 1.52: the first network's
/// addresses (networks in name order, as Berth attaches them), and the constants of a
/// bridge without IPv6 or hairpin NAT.
fn add_default_network(ns: &mut Map<String, Value>) {
    let first = ns
        .get("Networks")
        .and_then(Value::as_object)
        .and_then(|nets| nets.keys().min().and_then(|k| nets.get(k)))
        .cloned()
        .unwrap_or(Value::Null);
    let from_first = |key: &str, default: Value| {
        first
            .get(key)
            .filter(|v| !v.is_null())
            .cloned()
            .unwrap_or(default)
    };
    let pairs = [
        ("Bridge", json!("")),
        ("HairpinMode", json!(false)),
        ("LinkLocalIPv6Address", json!("")),
        ("LinkLocalIPv6PrefixLen", json!(0)),
        ("SecondaryIPAddresses", Value::Null),
        ("SecondaryIPv6Addresses", Value::Null),
        ("EndpointID", from_first("EndpointID", json!(""))),
        ("Gateway", from_first("Gateway", json!(""))),
        ("GlobalIPv6Address", json!("")),
        ("GlobalIPv6PrefixLen", json!(0)),
        ("IPAddress", from_first("IPAddress", json!(""))),
        ("IPPrefixLen", from_first("IPPrefixLen", json!(0))),
        ("IPv6Gateway", json!("")),
        ("MacAddress", from_first("MacAddress", json!(""))),
    ];
    for (k, x) in pairs {
        ns.entry(k.to_string()).or_insert(x);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn model(v: Value) -> m::ContainerInspectResponse {
        serde_json::from_value(v).expect("model")
    }

    #[test]
    fn the_default_network_keys_come_from_the_first_network() {
        let c = model(json!({
            "Id": "abc",
            "NetworkSettings": {
                "SandboxID": "s",
                "Ports": {"80/tcp": null},
                "Networks": {
                    "zeta": {"IPAddress": "10.0.0.9", "IPPrefixLen": 8},
                    "net1": {"IPAddress": "172.20.0.2", "Gateway": "172.20.0.1",
                             "IPPrefixLen": 16, "EndpointID": "e", "MacAddress": "m"},
                },
            },
        }));
        let doc = document(&c).expect("document");
        let ns = &doc["NetworkSettings"];
        assert_eq!(ns["IPAddress"], "172.20.0.2");
        assert_eq!(ns["Gateway"], "172.20.0.1");
        assert_eq!(ns["IPPrefixLen"], 16);
        assert_eq!(ns["EndpointID"], "e");
        assert_eq!(ns["HairpinMode"], false);
        assert_eq!(ns["SecondaryIPAddresses"], Value::Null);
        let keys: Vec<&String> = ns.as_object().expect("object").keys().collect();
        assert_eq!(keys.first().map(|k| k.as_str()), Some("Bridge"));
        assert_eq!(keys.last().map(|k| k.as_str()), Some("Networks"));
    }

    #[test]
    fn no_network_gives_empty_addresses_and_fields_keep_gos_order() {
        let c = model(json!({"Id": "abc", "Name": "/x", "NetworkSettings": {"Networks": {}}}));
        let doc = document(&c).expect("document");
        assert_eq!(doc["NetworkSettings"]["IPAddress"], "");
        assert_eq!(doc["NetworkSettings"]["IPPrefixLen"], 0);
        assert_eq!(doc["State"], Value::Null);
        let keys: Vec<&String> = doc.as_object().expect("object").keys().collect();
        let pos = |k: &str| keys.iter().position(|x| x.as_str() == k);
        assert!(pos("ExecIDs") < pos("HostConfig"));
        assert!(pos("HostConfig") < pos("Mounts"));
        assert_eq!(pos("SizeRw"), None);
    }
}
