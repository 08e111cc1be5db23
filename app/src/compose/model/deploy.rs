//! Resource limits and the `deploy` section: replicas, limits and reservations (with
//! device requests, which `gpus` uses too), restart and update policies, placement;
//! also `ulimits` and `blkio_config`.

use std::collections::BTreeMap;
use std::fmt;

use serde::de::{self, value::MapAccessDeserializer, Deserializer, MapAccess, Unexpected, Visitor};
use serde::{Deserialize, Serialize, Serializer};

use super::options;
use super::scalars::{self, is_default, DeviceCount};
use super::units::{parse_go_int, Bytes, Duration};

#[derive(Debug, Clone, PartialEq, Default, Deserialize, Serialize)]
#[serde(default, deny_unknown_fields)]
pub struct Deploy {
    /// `replicated` (the default) or `global`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub mode: Option<String>,
    #[serde(
        deserialize_with = "scalars::opt_int",
        skip_serializing_if = "Option::is_none"
    )]
    pub replicas: Option<u32>,
    #[serde(
        deserialize_with = "options::mapping",
        skip_serializing_if = "BTreeMap::is_empty"
    )]
    pub labels: BTreeMap<String, String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub update_config: Option<UpdateConfig>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rollback_config: Option<UpdateConfig>,
    #[serde(skip_serializing_if = "is_default")]
    pub resources: Resources,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub restart_policy: Option<RestartPolicy>,
    #[serde(skip_serializing_if = "is_default")]
    pub placement: Placement,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub endpoint_mode: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Default, Deserialize, Serialize)]
#[serde(default, deny_unknown_fields)]
pub struct UpdateConfig {
    #[serde(
        deserialize_with = "scalars::opt_int",
        skip_serializing_if = "Option::is_none"
    )]
    pub parallelism: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub delay: Option<Duration>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub failure_action: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub monitor: Option<Duration>,
    #[serde(
        deserialize_with = "scalars::opt_f32",
        serialize_with = "scalars::ser_opt_f32",
        skip_serializing_if = "Option::is_none"
    )]
    pub max_failure_ratio: Option<f32>,
    /// `stop-first` or `start-first`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub order: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Default, Deserialize, Serialize)]
#[serde(default, deny_unknown_fields)]
pub struct Resources {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub limits: Option<Resource>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reservations: Option<Resource>,
}

/// A limit or a reservation. The schema allows devices and generic resources only in
/// reservations; both sides share compose-go's one type.
#[derive(Debug, Clone, PartialEq, Default, Deserialize, Serialize)]
#[serde(default, deny_unknown_fields)]
pub struct Resource {
    #[serde(
        deserialize_with = "scalars::opt_f32",
        serialize_with = "scalars::ser_opt_f32",
        skip_serializing_if = "Option::is_none"
    )]
    pub cpus: Option<f32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub memory: Option<Bytes>,
    #[serde(
        deserialize_with = "scalars::opt_int",
        skip_serializing_if = "Option::is_none"
    )]
    pub pids: Option<i64>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub devices: Vec<DeviceRequest>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub generic_resources: Vec<GenericResource>,
}

/// A request for devices by driver and capability (`deploy...devices`, `gpus`).
#[derive(Debug, Clone, PartialEq, Eq, Default, Deserialize, Serialize)]
#[serde(default, deny_unknown_fields)]
pub struct DeviceRequest {
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub capabilities: Vec<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub driver: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub count: Option<DeviceCount>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub device_ids: Vec<String>,
    #[serde(
        deserialize_with = "options::mapping",
        skip_serializing_if = "BTreeMap::is_empty"
    )]
    pub options: BTreeMap<String, String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Default, Deserialize, Serialize)]
#[serde(default, deny_unknown_fields)]
pub struct GenericResource {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub discrete_resource_spec: Option<DiscreteResource>,
}

#[derive(Debug, Clone, PartialEq, Eq, Default, Deserialize, Serialize)]
#[serde(default, deny_unknown_fields)]
pub struct DiscreteResource {
    pub kind: String,
    #[serde(deserialize_with = "scalars::opt_int")]
    pub value: Option<i64>,
}

#[derive(Debug, Clone, PartialEq, Eq, Default, Deserialize, Serialize)]
#[serde(default, deny_unknown_fields)]
pub struct RestartPolicy {
    /// `none`, `on-failure` or `any`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub condition: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub delay: Option<Duration>,
    #[serde(
        deserialize_with = "scalars::opt_int",
        skip_serializing_if = "Option::is_none"
    )]
    pub max_attempts: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub window: Option<Duration>,
}

#[derive(Debug, Clone, PartialEq, Eq, Default, Deserialize, Serialize)]
#[serde(default, deny_unknown_fields)]
pub struct Placement {
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub constraints: Vec<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub preferences: Vec<PlacementPreference>,
    #[serde(
        deserialize_with = "scalars::opt_int",
        skip_serializing_if = "Option::is_none"
    )]
    pub max_replicas_per_node: Option<u64>,
}

#[derive(Debug, Clone, PartialEq, Eq, Default, Deserialize, Serialize)]
#[serde(default, deny_unknown_fields)]
pub struct PlacementPreference {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub spread: Option<String>,
}

/// One `ulimits` entry: a single value for both limits (`nofile: 65535`), or a pair.
/// Each is printed back as written, as compose prints it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Ulimit {
    Single(i64),
    Pair { soft: i64, hard: i64 },
}

impl Ulimit {
    pub fn soft(self) -> i64 {
        match self {
            Ulimit::Single(n) | Ulimit::Pair { soft: n, .. } => n,
        }
    }

    pub fn hard(self) -> i64 {
        match self {
            Ulimit::Single(n) | Ulimit::Pair { hard: n, .. } => n,
        }
    }
}

#[derive(Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
struct UlimitPair {
    #[serde(deserialize_with = "int")]
    soft: i64,
    #[serde(deserialize_with = "int")]
    hard: i64,
}

fn int<'de, D: Deserializer<'de>>(d: D) -> Result<i64, D::Error> {
    scalars::opt_int(d)?.ok_or_else(|| de::Error::invalid_type(Unexpected::Unit, &"an integer"))
}

impl<'de> Deserialize<'de> for Ulimit {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Ulimit, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Ulimit;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("an integer or a mapping with soft and hard")
            }
            fn visit_i64<E: de::Error>(self, n: i64) -> Result<Ulimit, E> {
                Ok(Ulimit::Single(n))
            }
            fn visit_u64<E: de::Error>(self, n: u64) -> Result<Ulimit, E> {
                i64::try_from(n)
                    .map(Ulimit::Single)
                    .map_err(|_| E::invalid_value(Unexpected::Unsigned(n), &self))
            }
            fn visit_str<E: de::Error>(self, s: &str) -> Result<Ulimit, E> {
                parse_go_int(s)
                    .map(Ulimit::Single)
                    .ok_or_else(|| E::invalid_type(Unexpected::Str(s), &self))
            }
            fn visit_map<A: MapAccess<'de>>(self, a: A) -> Result<Ulimit, A::Error> {
                let p = UlimitPair::deserialize(MapAccessDeserializer::new(a))?;
                Ok(Ulimit::Pair {
                    soft: p.soft,
                    hard: p.hard,
                })
            }
        }
        d.deserialize_any(V)
    }
}

impl Serialize for Ulimit {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match *self {
            Ulimit::Single(n) => s.serialize_i64(n),
            Ulimit::Pair { soft, hard } => UlimitPair { soft, hard }.serialize(s),
        }
    }
}

/// `blkio_config`: block IO weight and throttling per device.
#[derive(Debug, Clone, PartialEq, Eq, Default, Deserialize, Serialize)]
#[serde(default, deny_unknown_fields)]
pub struct Blkio {
    #[serde(
        deserialize_with = "scalars::opt_int",
        skip_serializing_if = "Option::is_none"
    )]
    pub weight: Option<u16>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub weight_device: Vec<WeightDevice>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub device_read_bps: Vec<ThrottleDevice>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub device_read_iops: Vec<ThrottleDevice>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub device_write_bps: Vec<ThrottleDevice>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub device_write_iops: Vec<ThrottleDevice>,
}

#[derive(Debug, Clone, PartialEq, Eq, Default, Deserialize, Serialize)]
#[serde(default, deny_unknown_fields)]
pub struct WeightDevice {
    pub path: String,
    #[serde(deserialize_with = "scalars::opt_int")]
    pub weight: Option<u16>,
}

/// A rate per second: bytes for the `_bps` lists, operations for `_iops` (compose-go
/// reads both as a byte size, so `1k` is 1024 either way).
#[derive(Debug, Clone, PartialEq, Eq, Default, Deserialize, Serialize)]
#[serde(default, deny_unknown_fields)]
pub struct ThrottleDevice {
    pub path: String,
    pub rate: Bytes,
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn deploy_section() {
        let d: Deploy = serde_json::from_value(json!({
            "replicas": "2",
            "resources": {
                "limits": {"cpus": "0.5", "memory": "512M", "pids": 100},
                "reservations": {"devices": [{"capabilities": ["gpu"], "count": "all", "driver": "nvidia"}]}
            },
            "restart_policy": {"condition": "on-failure", "delay": "5s", "max_attempts": 3, "window": "2m"},
            "update_config": {"parallelism": 2, "max_failure_ratio": 0.25, "order": "start-first"}
        }))
        .unwrap();
        assert_eq!(d.replicas, Some(2));
        let limits = d.resources.limits.clone().unwrap_or_default();
        assert_eq!(
            (limits.cpus, limits.memory),
            (Some(0.5), Some(Bytes(512 << 20)))
        );
        let res = d.resources.reservations.clone().unwrap_or_default();
        assert_eq!(res.devices[0].count, Some(DeviceCount::ALL));
        let out = serde_json::to_value(&d).unwrap();
        assert_eq!(
            out["resources"]["limits"],
            json!({"cpus": 0.5, "memory": "536870912", "pids": 100})
        );
        assert_eq!(out["restart_policy"]["window"], "2m0s");
        assert_eq!(out["update_config"]["max_failure_ratio"], 0.25);
        assert!(out.get("placement").is_none());
    }

    #[test]
    fn ulimits_single_or_pair() {
        let u: BTreeMap<String, Ulimit> = serde_json::from_value(
            json!({"nofile": {"soft": 1024, "hard": "4096"}, "nproc": 65535}),
        )
        .unwrap();
        assert_eq!(
            u["nofile"],
            Ulimit::Pair {
                soft: 1024,
                hard: 4096
            }
        );
        assert_eq!((u["nproc"].soft(), u["nproc"].hard()), (65535, 65535));
        assert_eq!(
            serde_json::to_value(&u).unwrap(),
            json!({"nofile": {"soft": 1024, "hard": 4096}, "nproc": 65535})
        );
        let e = serde_json::from_value::<Ulimit>(json!({"soft": 1})).unwrap_err();
        assert_eq!(e.to_string(), "missing field `hard`");
        let e =
            serde_json::from_value::<Ulimit>(json!({"soft": 1, "hard": 2, "x": 3})).unwrap_err();
        assert!(e.to_string().starts_with("unknown field `x`"), "{e}");
    }

    #[test]
    fn blkio() {
        let b: Blkio = serde_json::from_value(json!({
            "weight": 300, "device_read_bps": [{"path": "/dev/sda", "rate": "1mb"}]
        }))
        .unwrap();
        assert_eq!(b.device_read_bps[0].rate, Bytes(1 << 20));
    }
}
