//! Network operations of the local backend: list with Docker's filters, inspect,
//! create, connect and disconnect (running and stopped containers alike), remove and
//! prune, in Docker's models and error kinds.
//!
//! `host` and `none` are modes of a container, not records; they are listed and
//! inspected as Docker shows its predefined networks of those names.

use std::collections::{BTreeMap, BTreeSet};
use std::net::Ipv4Addr;

use berth_engine::network::inspect::inspect_json;
use berth_engine::network::types::PREDEFINED;
use berth_engine::network::{Network, NetworkOptions};
use berth_engine::Engine;
use bollard::models as m;
use bollard::query_parameters as q;
use serde_json::{json, Value};

use super::containers;
use super::convert::from_json;
use super::filter_args::{rfc3339_nanos, FilterArgs};
use crate::backend::{BackendError, Result};

/// The modes listed as networks, with the IDs the CLI shows for them.
const MODES: [(&str, &str); 2] = [("host", "host"), ("none", "null")];

fn mode_id(i: usize) -> String {
    format!("{:0>64}", i + 1)
}

/// `host` or `none` by name or full ID (their IDs share any short prefix), as Docker's
/// inspect shows them.
fn mode_json(reference: &str) -> Option<Value> {
    MODES.iter().enumerate().find_map(|(i, (name, driver))| {
        let id = mode_id(i);
        (reference == *name || reference == id).then(|| {
            json!({
                "Name": name, "Id": id, "Created": "0001-01-01T00:00:00Z", "Scope": "local",
                "Driver": driver, "EnableIPv4": true, "EnableIPv6": false,
                "IPAM": {"Driver": "default", "Options": null, "Config": null},
                "Internal": false, "Attachable": false, "Ingress": false,
                "ConfigFrom": {"Network": ""}, "ConfigOnly": false,
                "Containers": {}, "Options": {}, "Labels": {},
            })
        })
    })
}

/// Docker's 404 for a network: `network x not found`.
fn network_error(reference: &str, err: berth_engine::Error) -> BackendError {
    if err.is_not_found() {
        BackendError::not_found(format!("network {reference} not found"))
    } else {
        err.into()
    }
}

/// A network record by name, ID or unique ID prefix (`bridge` is made on first use).
fn find(e: &Engine, reference: &str) -> Result<Network> {
    let nets = e.networks();
    let found = if reference == "bridge" {
        nets.ensure_default()
    } else {
        nets.get(reference)
    };
    found.map_err(|err| network_error(reference, err))
}

/// No container is attached to the network, nor names it in its record.
fn unused(e: &Engine, n: &Network, named: &BTreeSet<String>) -> Result<bool> {
    Ok(!named.contains(&n.name) && e.networks().endpoints(n)?.is_empty())
}

/// Networks some container (running or not) names.
fn named_by_containers(e: &Engine) -> Result<BTreeSet<String>> {
    Ok(e.containers()
        .list()?
        .into_iter()
        .flat_map(|c| c.record.endpoints_config.into_keys())
        .collect())
}

pub fn list(e: &Engine, opts: &q::ListNetworksOptions) -> Result<Vec<m::Network>> {
    let f = FilterArgs::parse(
        opts.filters.as_ref(),
        &["driver", "id", "label", "name", "scope", "type", "dangling"],
    )?;
    for t in f.values("type") {
        if t != "custom" && t != "builtin" {
            return Err(BackendError::invalid(format!(
                "invalid filter: 'type'='{t}'"
            )));
        }
    }
    let dangling = f.boolean("dangling")?;
    let nets = e.networks();
    nets.ensure_default()?;
    let named = named_by_containers(e)?;
    let mut docs = Vec::new();
    for n in nets.list()? {
        let builtin = PREDEFINED.contains(&n.name.as_str());
        let keep = f.any("driver", |d| n.driver == d)
            && f.any("id", |i| n.id.contains(i))
            && f.any("name", |s| n.name.contains(s))
            && f.any("scope", |s| s == n.scope())
            && f.any("type", |t| (t == "builtin") == builtin)
            && f.labels(&n.labels);
        if !keep {
            continue;
        }
        if let Some(d) = dangling {
            // Docker never counts its predefined networks as dangling.
            if d != (!builtin && unused(e, &n, &named)?) {
                continue;
            }
        }
        docs.push(inspect_json(&n, &BTreeMap::new(), &|_| String::new()));
    }
    for (i, (name, driver)) in MODES.iter().enumerate() {
        let keep = f.any("driver", |d| *driver == d)
            && f.any("id", |s| mode_id(i).contains(s))
            && f.any("name", |s| name.contains(s))
            && f.any("scope", |s| s == "local")
            && f.any("type", |t| t == "builtin")
            && !f.has("label")
            && dangling != Some(true);
        if let Some(doc) = mode_json(name).filter(|_| keep) {
            docs.push(doc);
        }
    }
    docs.sort_by(|a, b| a["Name"].as_str().cmp(&b["Name"].as_str()));
    docs.into_iter().map(from_json).collect()
}

/// `GET /networks/{id}` in full: Docker's `NetworkInspect`, with the containers attached
/// now (name, endpoint, MAC, `ip/prefix`). bollard's `Network` model has no
/// `Containers`, so `inspect` below answers with this minus that map.
pub fn inspect(e: &Engine, reference: &str) -> Result<m::NetworkInspect> {
    if let Some(doc) = mode_json(reference) {
        return from_json(doc);
    }
    let net = find(e, reference)?;
    from_json(e.network_inspect_json(&net)?)
}

/// What of a create request berth's bridge driver cannot give, refused before
/// anything is made.
fn unsupported_in(req: &m::NetworkCreateRequest) -> Option<String> {
    let driver = req.driver.as_deref().unwrap_or_default();
    match driver {
        "" | "bridge" | "overlay" => {}
        "macvlan" | "ipvlan" => {
            return Some(format!(
                "network driver {driver:?} is not supported by berth: only \"bridge\" is"
            ))
        }
        _ => return None,
    }
    if req.enable_ipv6 == Some(true) {
        return Some("IPv6 networks are not supported by berth".into());
    }
    if req.enable_ipv4 == Some(false) {
        return Some("networks without IPv4 are not supported by berth".into());
    }
    if req.config_only == Some(true) || req.config_from.is_some() {
        return Some("config-only networks are not supported by berth".into());
    }
    let scope = req.scope.as_deref().unwrap_or_default();
    let wanted = if driver == "overlay" {
        "swarm"
    } else {
        "local"
    };
    if !scope.is_empty() && scope != wanted {
        return Some(format!(
            "a {} network is {wanted}-scoped in berth, not {scope}-scoped",
            if driver.is_empty() { "bridge" } else { driver }
        ));
    }
    let ipam = req.ipam.as_ref()?;
    if ipam
        .driver
        .as_deref()
        .is_some_and(|d| !d.is_empty() && d != "default")
    {
        return Some("only the default IPAM driver is supported by berth".into());
    }
    let configs = ipam.config.as_deref().unwrap_or_default();
    if configs.len() > 1 {
        return Some("berth networks have one IPv4 subnet: give one IPAM config".into());
    }
    let c = configs.first()?;
    if [&c.subnet, &c.gateway, &c.ip_range]
        .iter()
        .any(|v| v.as_deref().is_some_and(|s| s.contains(':')))
    {
        return Some("IPv6 subnets are not supported by berth".into());
    }
    if c.auxiliary_addresses
        .as_ref()
        .is_some_and(|a| !a.is_empty())
    {
        return Some("auxiliary addresses are not supported by berth".into());
    }
    None
}

pub fn create(e: &Engine, req: m::NetworkCreateRequest) -> Result<m::NetworkCreateResponse> {
    if let Some(why) = unsupported_in(&req) {
        return Err(BackendError::unsupported(why));
    }
    let driver = req.driver.clone().filter(|d| !d.is_empty());
    match driver.as_deref() {
        None | Some("bridge") => {}
        Some("overlay") => super::swarm::require_swarm(e)?,
        Some(d @ ("host" | "null")) => {
            return Err(BackendError::conflict(format!(
                "only one instance of \"{}\" network is allowed",
                if d == "null" { "none" } else { d }
            )))
        }
        Some(d) => return Err(BackendError::not_found(format!("plugin \"{d}\" not found"))),
    }
    let ipam = req
        .ipam
        .and_then(|i| i.config)
        .and_then(|c| c.into_iter().next())
        .unwrap_or_default();
    let nonempty = |s: Option<String>| s.filter(|s| !s.is_empty());
    if req.ingress == Some(true) && driver.as_deref() != Some("overlay") {
        return Err(BackendError::invalid(
            "an ingress network must use the overlay driver",
        ));
    }
    let n = e.networks().create(&NetworkOptions {
        name: req.name,
        driver: Some(driver.unwrap_or_else(|| "bridge".into())),
        attachable: req.attachable.unwrap_or(false),
        ingress: req.ingress.unwrap_or(false),
        subnet: nonempty(ipam.subnet),
        gateway: nonempty(ipam.gateway),
        ip_range: nonempty(ipam.ip_range),
        internal: req.internal.unwrap_or(false),
        labels: req.labels.unwrap_or_default().into_iter().collect(),
        options: req.options.unwrap_or_default().into_iter().collect(),
    })?;
    Ok(m::NetworkCreateResponse {
        id: n.id,
        warning: String::new(),
    })
}

/// Docker's refusal to join or leave a mode that is not a network.
fn mode_conflict(network: &str) -> Option<BackendError> {
    MODES.iter().any(|(n, _)| *n == network).then(|| {
        BackendError::conflict(format!(
            "container cannot be disconnected from {network} network or connected to {network} network"
        ))
    })
}

pub fn connect(e: &Engine, id: &str, req: m::NetworkConnectRequest) -> Result<()> {
    if let Some(err) = mode_conflict(id) {
        return Err(err);
    }
    let c = containers::find(e, &req.container)?;
    let ep = req.endpoint_config.unwrap_or_default();
    let nonempty = |s: &Option<String>| s.clone().filter(|s| !s.is_empty());
    if nonempty(&ep.mac_address).is_some() {
        return Err(BackendError::unsupported(
            "a MAC address on network connect is not supported by berth",
        ));
    }
    let ipam = ep.ipam_config.unwrap_or_default();
    if nonempty(&ipam.ipv6_address).is_some() {
        return Err(BackendError::unsupported(
            "IPv6 addresses are not supported by berth",
        ));
    }
    let ip = nonempty(&ipam.ipv4_address)
        .map(|s| {
            s.parse::<Ipv4Addr>()
                .map_err(|_| BackendError::invalid(format!("invalid IPv4 address: {s}")))
        })
        .transpose()?;
    let aliases = ep.aliases.unwrap_or_default();
    e.network_connect(id, &c, aliases, ip)
        .map_err(|err| network_error(id, err))
}

pub fn disconnect(e: &Engine, id: &str, req: m::NetworkDisconnectRequest) -> Result<()> {
    if let Some(err) = mode_conflict(id) {
        return Err(err);
    }
    let c = containers::find(e, &req.container)?;
    e.network_disconnect(id, &c, req.force.unwrap_or(false))
        .map_err(|err| network_error(id, err))
}

pub fn remove(e: &Engine, id: &str) -> Result<()> {
    if let Some(doc) = mode_json(id) {
        return Err(BackendError::conflict(format!(
            "{} is a pre-defined network and cannot be removed",
            doc["Name"].as_str().unwrap_or(id)
        )));
    }
    // Addresses a crashed container still holds do not keep a network alive.
    e.release_stale_endpoints()?;
    let net = find(e, id)?;
    if net.is_swarm() {
        remove_orphan_tasks(e, &net)?;
    }
    Ok(e.networks().remove(&net)?)
}

/// The task containers on a swarm network whose service is gone are on their way out
/// (the manager removes them within a round): they go now, so that `stack rm`, which
/// removes the services and then at once the networks, works as on Docker.
fn remove_orphan_tasks(e: &Engine, net: &Network) -> Result<()> {
    use berth_engine::swarm::labels::{SERVICE_ID, TASK_ID};
    let services = berth_engine::swarm::SwarmStore::new(&e.paths)
        .load()?
        .services;
    for id in e.networks().endpoints(net)?.keys() {
        let Ok(c) = e.containers().load(id) else {
            continue;
        };
        let labels = &c.record.config.labels;
        let service = labels.get(SERVICE_ID);
        if labels.contains_key(TASK_ID) && service.is_none_or(|s| !services.contains_key(s)) {
            let opts = q::RemoveContainerOptions {
                force: true,
                ..Default::default()
            };
            match containers::remove(e, id, &opts) {
                Err(err) if !err.is_not_found() => return Err(err),
                _ => {}
            }
        }
    }
    Ok(())
}

/// Removes every user network no container uses or names; answers their names.
pub fn prune(e: &Engine, opts: &q::PruneNetworksOptions) -> Result<m::NetworkPruneResponse> {
    let f = FilterArgs::parse(opts.filters.as_ref(), &["until", "label", "label!"])?;
    let until = f.until(berth_engine::events::now_nanos())?;
    e.release_stale_endpoints()?;
    let named = named_by_containers(e)?;
    let nets = e.networks();
    let mut deleted = Vec::new();
    for n in nets.list()? {
        // The routing mesh's network stays while the swarm does (Docker's rule too).
        if PREDEFINED.contains(&n.name.as_str()) || n.ingress || !unused(e, &n, &named)? {
            continue;
        }
        let created = rfc3339_nanos(Some(&n.created));
        let old_enough = until.is_none_or(|u| created.is_some_and(|t| t < u));
        if old_enough && f.labels(&n.labels) && nets.remove(&n).is_ok() {
            deleted.push(n.name);
        }
    }
    Ok(m::NetworkPruneResponse {
        networks_deleted: Some(deleted),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn host_and_none_inspect_as_dockers_predefined_networks() {
        let host: m::NetworkInspect = from_json(mode_json("host").unwrap()).unwrap();
        assert_eq!(host.driver.as_deref(), Some("host"));
        assert_eq!(host.id, Some(mode_id(0)));
        let none = mode_json(&mode_id(1)).unwrap();
        assert_eq!(none["Name"], "none");
        assert_eq!(none["Driver"], "null");
        assert!(mode_json("bridge").is_none());
        assert!(mode_json(&mode_id(1)[..12]).is_none());
    }

    #[test]
    fn create_requests_berth_cannot_honour_are_refused_up_front() {
        let req = |f: &dyn Fn(&mut m::NetworkCreateRequest)| {
            let mut r = m::NetworkCreateRequest {
                name: "n".into(),
                ..Default::default()
            };
            f(&mut r);
            unsupported_in(&r)
        };
        assert_eq!(req(&|_| {}), None);
        assert_eq!(req(&|r| r.driver = Some("bridge".into())), None);
        assert_eq!(req(&|r| r.driver = Some("nosuch".into())), None);
        // Overlay networks are swarm-scoped bridges here; macvlan has no stand-in.
        assert_eq!(req(&|r| r.driver = Some("overlay".into())), None);
        assert!(req(&|r| r.driver = Some("macvlan".into())).is_some());
        assert!(req(&|r| {
            r.driver = Some("overlay".into());
            r.scope = Some("local".into());
        })
        .is_some());
        assert!(req(&|r| r.scope = Some("swarm".into())).is_some());
        assert!(req(&|r| r.enable_ipv6 = Some(true)).is_some());
        let v6 = m::Ipam {
            config: Some(vec![m::IpamConfig {
                subnet: Some("fd00::/64".into()),
                ..Default::default()
            }]),
            ..Default::default()
        };
        assert!(req(&|r| r.ipam = Some(v6.clone())).is_some());
        let v4 = m::Ipam {
            driver: Some("default".into()),
            config: Some(vec![m::IpamConfig {
                subnet: Some("10.9.0.0/24".into()),
                gateway: Some("10.9.0.1".into()),
                ..Default::default()
            }]),
            ..Default::default()
        };
        assert_eq!(req(&|r| r.ipam = Some(v4.clone())), None);
    }

    #[test]
    fn only_the_modes_are_refused_for_connect() {
        assert!(mode_conflict("host").is_some());
        assert!(mode_conflict("none").is_some());
        assert!(mode_conflict("bridge").is_none());
    }
}
