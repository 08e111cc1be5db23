//! How a service is reached: its published ports (canonical long form: one entry per
//! port, ranges already expanded) and its attachments to project networks.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::options;
use super::scalars;

/// One port, as compose-go's `ServicePortConfig`.
#[derive(Debug, Clone, PartialEq, Eq, Default, Deserialize, Serialize)]
#[serde(default, deny_unknown_fields)]
pub struct Port {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// `ingress` (the default the canonical form writes) or `host`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub mode: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub host_ip: Option<String>,
    #[serde(
        deserialize_with = "scalars::opt_int",
        skip_serializing_if = "Option::is_none"
    )]
    pub target: Option<u16>,
    /// The host port or range (`8080`, `8000-8010`); a string even when written as a
    /// number, as compose keeps and prints it.
    #[serde(
        deserialize_with = "scalars::opt_text",
        skip_serializing_if = "Option::is_none"
    )]
    pub published: Option<String>,
    /// `tcp` (the default the canonical form writes), `udp` or `sctp`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub protocol: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub app_protocol: Option<String>,
}

impl Port {
    /// The protocol, `tcp` when none is written.
    pub fn protocol_or_default(&self) -> &str {
        self.protocol.as_deref().unwrap_or("tcp")
    }
}

/// A service's attachment to one network (`networks: {front: {aliases: [web]}}`);
/// `networks: {front: null}` or the list form gives no settings (None in the map).
#[derive(Debug, Clone, PartialEq, Eq, Default, Deserialize, Serialize)]
#[serde(default, deny_unknown_fields)]
pub struct ServiceNetwork {
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub aliases: Vec<String>,
    #[serde(
        deserialize_with = "options::options",
        skip_serializing_if = "BTreeMap::is_empty"
    )]
    pub driver_opts: BTreeMap<String, String>,
    /// Which network gives the default gateway: the highest wins.
    #[serde(
        deserialize_with = "scalars::opt_int",
        skip_serializing_if = "Option::is_none"
    )]
    pub gw_priority: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub interface_name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ipv4_address: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ipv6_address: Option<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub link_local_ips: Vec<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub mac_address: Option<String>,
    /// The order networks are connected in: the highest first.
    #[serde(
        deserialize_with = "scalars::opt_int",
        skip_serializing_if = "Option::is_none"
    )]
    pub priority: Option<i64>,
}

/// Network names by connection order, as compose-go orders them: highest `priority`
/// first, then by name.
pub fn networks_by_priority(networks: &BTreeMap<String, Option<ServiceNetwork>>) -> Vec<&str> {
    let mut names: Vec<(&str, i64)> = networks
        .iter()
        .map(|(name, n)| {
            let priority = n.as_ref().and_then(|n| n.priority).unwrap_or(0);
            (name.as_str(), priority)
        })
        .collect();
    names.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(b.0)));
    names.into_iter().map(|(name, _)| name).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn published_is_a_string_target_a_number() {
        let p: Port = serde_json::from_value(json!({
            "target": "80", "published": 8080, "protocol": "tcp", "mode": "ingress", "host_ip": "127.0.0.1"
        }))
        .unwrap();
        assert_eq!(p.target, Some(80));
        assert_eq!(p.published.as_deref(), Some("8080"));
        assert_eq!(
            serde_json::to_string(&p).unwrap(),
            r#"{"mode":"ingress","host_ip":"127.0.0.1","target":80,"published":"8080","protocol":"tcp"}"#
        );
        assert_eq!(Port::default().protocol_or_default(), "tcp");
    }

    #[test]
    fn networks_sort_by_priority_then_name() {
        let nets: BTreeMap<String, Option<ServiceNetwork>> = serde_json::from_value(json!({
            "b": null,
            "a": {"aliases": ["x"]},
            "z": {"priority": 10},
        }))
        .unwrap();
        assert_eq!(networks_by_priority(&nets), ["z", "a", "b"]);
        assert_eq!(
            nets["a"].as_ref().map(|n| n.aliases.clone()),
            Some(vec!["x".to_string()])
        );
    }
}
