//! The project's shared resources: top-level `networks`, `volumes`, `secrets`,
//! `configs` and `models`. `external` is a boolean here: the canonical step has turned
//! the old `external: {name: x}` into `external: true` and `name: x`.

use std::collections::BTreeMap;

use serde::{Deserialize, Deserializer, Serialize};

use super::options;
use super::scalars::{self, is_default, is_false};

/// A mapping of named resources where a null value (`networks: {front: }`) is a
/// resource with every setting at its default.
pub(crate) fn named<'de, D, T>(d: D) -> Result<BTreeMap<String, T>, D::Error>
where
    D: Deserializer<'de>,
    T: Deserialize<'de> + Default,
{
    let m = BTreeMap::<String, Option<T>>::deserialize(d)?;
    Ok(m.into_iter()
        .map(|(k, v)| (k, v.unwrap_or_default()))
        .collect())
}

#[derive(Debug, Clone, PartialEq, Eq, Default, Deserialize, Serialize)]
#[serde(default, deny_unknown_fields)]
pub struct Network {
    /// The engine's name for it; the loader fills in `PROJECT_KEY` when none is given.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub driver: Option<String>,
    #[serde(
        deserialize_with = "options::options",
        skip_serializing_if = "BTreeMap::is_empty"
    )]
    pub driver_opts: BTreeMap<String, String>,
    #[serde(skip_serializing_if = "is_default")]
    pub ipam: Ipam,
    #[serde(deserialize_with = "scalars::bool", skip_serializing_if = "is_false")]
    pub external: bool,
    #[serde(deserialize_with = "scalars::bool", skip_serializing_if = "is_false")]
    pub internal: bool,
    #[serde(deserialize_with = "scalars::bool", skip_serializing_if = "is_false")]
    pub attachable: bool,
    #[serde(
        deserialize_with = "options::mapping",
        skip_serializing_if = "BTreeMap::is_empty"
    )]
    pub labels: BTreeMap<String, String>,
    #[serde(
        deserialize_with = "scalars::opt_bool",
        skip_serializing_if = "Option::is_none"
    )]
    pub enable_ipv4: Option<bool>,
    #[serde(
        deserialize_with = "scalars::opt_bool",
        skip_serializing_if = "Option::is_none"
    )]
    pub enable_ipv6: Option<bool>,
}

#[derive(Debug, Clone, PartialEq, Eq, Default, Deserialize, Serialize)]
#[serde(default, deny_unknown_fields)]
pub struct Ipam {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub driver: Option<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub config: Vec<IpamPool>,
    #[serde(
        deserialize_with = "options::options",
        skip_serializing_if = "BTreeMap::is_empty"
    )]
    pub options: BTreeMap<String, String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Default, Deserialize, Serialize)]
#[serde(default, deny_unknown_fields)]
pub struct IpamPool {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub subnet: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub gateway: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ip_range: Option<String>,
    #[serde(
        deserialize_with = "options::mapping",
        skip_serializing_if = "BTreeMap::is_empty"
    )]
    pub aux_addresses: BTreeMap<String, String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Default, Deserialize, Serialize)]
#[serde(default, deny_unknown_fields)]
pub struct Volume {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub driver: Option<String>,
    #[serde(
        deserialize_with = "options::options",
        skip_serializing_if = "BTreeMap::is_empty"
    )]
    pub driver_opts: BTreeMap<String, String>,
    #[serde(deserialize_with = "scalars::bool", skip_serializing_if = "is_false")]
    pub external: bool,
    #[serde(
        deserialize_with = "options::mapping",
        skip_serializing_if = "BTreeMap::is_empty"
    )]
    pub labels: BTreeMap<String, String>,
}

/// A top-level secret: from a `file`, an `environment` variable, or `external`.
#[derive(Debug, Clone, PartialEq, Eq, Default, Deserialize, Serialize)]
#[serde(default, deny_unknown_fields)]
pub struct Secret {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub file: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub environment: Option<String>,
    #[serde(deserialize_with = "scalars::bool", skip_serializing_if = "is_false")]
    pub external: bool,
    #[serde(
        deserialize_with = "options::mapping",
        skip_serializing_if = "BTreeMap::is_empty"
    )]
    pub labels: BTreeMap<String, String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub driver: Option<String>,
    #[serde(
        deserialize_with = "options::options",
        skip_serializing_if = "BTreeMap::is_empty"
    )]
    pub driver_opts: BTreeMap<String, String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub template_driver: Option<String>,
}

/// A top-level config: like a secret, or inline `content`.
#[derive(Debug, Clone, PartialEq, Eq, Default, Deserialize, Serialize)]
#[serde(default, deny_unknown_fields)]
pub struct Config {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub file: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub environment: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub content: Option<String>,
    #[serde(deserialize_with = "scalars::bool", skip_serializing_if = "is_false")]
    pub external: bool,
    #[serde(
        deserialize_with = "options::mapping",
        skip_serializing_if = "BTreeMap::is_empty"
    )]
    pub labels: BTreeMap<String, String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub template_driver: Option<String>,
}

/// A top-level AI model, run by the engine's model runner.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Model {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    pub model: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub context_size: Option<i64>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub runtime_flags: Vec<String>,
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[derive(Deserialize, Serialize)]
    struct Top {
        #[serde(deserialize_with = "named")]
        networks: BTreeMap<String, Network>,
    }

    #[test]
    fn networks_null_ipam_external() {
        let t: Top = serde_json::from_value(json!({"networks": {
            "front": null,
            "back": {
                "driver": "bridge", "internal": "true", "enable_ipv6": true,
                "driver_opts": {"com.docker.network.bridge.name": "br0", "mtu": 1400},
                "ipam": {"config": [{"subnet": "172.28.0.0/16", "aux_addresses": {"host1": "172.28.1.5"}}]}
            },
            "ext": {"external": true, "name": "shared"}
        }}))
        .unwrap();
        assert_eq!(t.networks["front"], Network::default());
        let back = &t.networks["back"];
        assert!(back.internal);
        assert_eq!(back.driver_opts["mtu"], "1400");
        assert_eq!(back.ipam.config[0].subnet.as_deref(), Some("172.28.0.0/16"));
        assert!(t.networks["ext"].external);
        let out = serde_json::to_value(&t).unwrap();
        assert_eq!(out["networks"]["front"], json!({}));
        assert_eq!(
            out["networks"]["ext"],
            json!({"name": "shared", "external": true})
        );
        let e = serde_json::from_value::<Network>(json!({"external": {"name": "x"}})).unwrap_err();
        assert!(e.to_string().starts_with("invalid type: map"), "{e}");
    }

    #[test]
    fn secrets_configs_models() {
        let s: Secret = serde_json::from_value(json!({"file": "./tok.txt"})).unwrap();
        assert_eq!(s.file.as_deref(), Some("./tok.txt"));
        assert!(serde_json::from_value::<Secret>(json!({"content": "x"})).is_err());
        let c: Config =
            serde_json::from_value(json!({"content": "hello", "external": false})).unwrap();
        assert_eq!(
            serde_json::to_value(&c).unwrap(),
            json!({"content": "hello"})
        );
        let m: Model =
            serde_json::from_value(json!({"model": "ai/smollm2", "context_size": 2048})).unwrap();
        assert_eq!(m.context_size, Some(2048));
        assert!(serde_json::from_value::<Model>(json!({"name": "x"})).is_err());
    }
}
