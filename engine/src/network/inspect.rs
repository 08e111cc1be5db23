//! Docker-shaped `network inspect` output.

use serde_json::{json, Map, Value};

use super::store::Endpoint;
use super::types::Network;
use crate::error::Result;
use crate::Engine;

impl Engine {
    /// `network inspect` of one network: its record with the containers attached now,
    /// each by name.
    pub fn network_inspect_json(&self, net: &Network) -> Result<Value> {
        let eps = self.networks().endpoints(net)?;
        let containers = self.containers();
        let names = |id: &str| {
            containers
                .load(id)
                .map(|c| c.record.name)
                .unwrap_or_default()
        };
        Ok(inspect_json(net, &eps, &names))
    }
}

/// `names` maps container IDs to names (for the Containers section).
pub fn inspect_json(
    net: &Network,
    endpoints: &std::collections::BTreeMap<String, Endpoint>,
    names: &dyn Fn(&str) -> String,
) -> Value {
    let mut containers = Map::new();
    for (id, ep) in endpoints {
        containers.insert(
            id.clone(),
            json!({
                "Name": names(id),
                "EndpointID": format!("{:x}", u32::from(ep.ip)),
                "MacAddress": ep.mac,
                "IPv4Address": format!("{}/{}", ep.ip, net.subnet.prefix),
                "IPv6Address": "",
            }),
        );
    }
    let mut cfg = json!({"Subnet": net.subnet.to_string(), "Gateway": net.gateway.to_string()});
    if let Some(r) = net.ip_range {
        cfg["IPRange"] = Value::String(r.to_string());
    }
    let mut options = net.options.clone();
    options.insert("com.docker.network.bridge.name".into(), net.bridge.clone());
    json!({
        "Name": net.name,
        "Id": net.id,
        "Created": net.created,
        "Scope": net.scope(),
        "Driver": net.driver,
        "EnableIPv6": false,
        "IPAM": {"Driver": "default", "Options": {}, "Config": [cfg]},
        "Internal": net.internal,
        "Attachable": net.attachable,
        "Ingress": net.ingress,
        "ConfigFrom": {"Network": ""},
        "ConfigOnly": false,
        "Containers": containers,
        "Options": options,
        "Labels": net.labels,
    })
}
