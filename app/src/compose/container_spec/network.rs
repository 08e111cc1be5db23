//! Networking: the network mode, the first network's endpoint, the networks to connect
//! afterwards, links, and namespaces shared with another service's container.

use std::collections::HashMap;

use bollard::models as m;

use super::{container_name, first_container_of, network_name, Spec, SpecError};
use crate::compose::model::{networks_by_priority, Project, Service, ServiceNetwork};

/// The service's networks in the order compose connects them: highest `priority`
/// first, then by key. Each is the project-level key (`default`, `back`) and the
/// service's settings for it. The first is the one the container is created on.
pub fn networks_in_order(service: &Service) -> Vec<(String, Option<&ServiceNetwork>)> {
    networks_by_priority(&service.networks)
        .into_iter()
        .map(|key| {
            let net = service.networks.get(key).and_then(Option::as_ref);
            (key.to_string(), net)
        })
        .collect()
}

/// The engine's name for the network `key` and the container's endpoint on it:
/// aliases as compose gives them (the container's name, the service's, then the
/// service's own aliases for that network), the fixed addresses, MAC address, driver
/// options and gateway priority asked for.
pub fn endpoint(
    project: &Project,
    service_name: &str,
    container_name: &str,
    key: &str,
    net: Option<&ServiceNetwork>,
) -> (String, m::EndpointSettings) {
    let mut aliases = vec![container_name.to_string(), service_name.to_string()];
    let mut ep = m::EndpointSettings::default();
    if let Some(net) = net {
        aliases.extend(net.aliases.iter().cloned());
        let ipam = m::EndpointIpamConfig {
            ipv4_address: net.ipv4_address.clone(),
            ipv6_address: net.ipv6_address.clone(),
            link_local_ips: super::non_empty(net.link_local_ips.clone()),
        };
        if ipam != m::EndpointIpamConfig::default() {
            ep.ipam_config = Some(ipam);
        }
        ep.mac_address = net.mac_address.clone();
        ep.driver_opts = super::non_empty_map(
            net.driver_opts
                .iter()
                .map(|(k, v)| (k.clone(), v.clone()))
                .collect(),
        );
        ep.gw_priority = net.gw_priority;
    }
    ep.aliases = Some(aliases);
    (network_name(project, key), ep)
}

/// The host config's network mode, the one endpoint to create the container with, and
/// the links (which compose sets on that endpoint too).
pub(super) fn settings(
    spec: &Spec,
    name: &str,
) -> Result<(String, Option<m::NetworkingConfig>, Vec<String>), SpecError> {
    let s = spec.service;
    let links = links(spec);
    if let Some(mode) = s.network_mode.as_deref().filter(|v| !v.is_empty()) {
        return Ok((shared(spec, mode)?, None, links));
    }
    if spec.project.networks.is_empty() {
        return Ok(("none".into(), None, links));
    }
    let (key, net) = networks_in_order(s)
        .into_iter()
        .next()
        .unwrap_or_else(|| ("default".to_string(), None));
    if !spec.project.networks.contains_key(&key) {
        return Err(spec.error(format!("refers to undefined network {key}")));
    }
    let (network, mut ep) = endpoint(spec.project, spec.service_name, name, &key, net);
    if spec.oneoff {
        // `compose run` gives the service's aliases only with --use-aliases.
        ep.aliases = Some(vec![name.to_string()]);
    }
    // The service-level mac_address goes to the first endpoint, where engines from API
    // 1.44 take it; it may not contradict that network's own.
    if let Some(mac) = s.mac_address.as_deref().filter(|v| !v.is_empty()) {
        match ep.mac_address.as_deref().filter(|v| !v.is_empty()) {
            Some(own) if own != mac => {
                return Err(spec.error(format!(
                    "the service-level mac_address should have the same value as network {key}"
                )))
            }
            _ => ep.mac_address = Some(mac.to_string()),
        }
    }
    ep.links = super::non_empty(links.clone());
    let config = m::NetworkingConfig {
        endpoints_config: Some(HashMap::from([(network.clone(), ep)])),
    };
    Ok((network, Some(config), links))
}

/// `service:X` as `container:` X's first container; any other mode as written.
pub(super) fn shared(spec: &Spec, mode: &str) -> Result<String, SpecError> {
    match mode.strip_prefix("service:") {
        Some(other) => Ok(format!("container:{}", first_container_of(spec, other)?)),
        None => Ok(mode.to_string()),
    }
}

/// Compose's links: for `X[:ALIAS]`, each container of X as `ALIAS` (or `X`), as
/// `X-N` and as `PROJECT-X-N`, N being this container's number (as compose writes
/// them); then `external_links` as `CONTAINER:ALIAS`. X's containers are the replicas
/// the project scales it to.
fn links(spec: &Spec) -> Vec<String> {
    let project = spec.project_name();
    let mut out = Vec::new();
    for raw in &spec.service.links {
        let mut parts = raw.split(':');
        let service = parts.next().unwrap_or_default();
        let alias = parts.next().unwrap_or(service);
        let Some(linked) = spec.project.service(service) else {
            continue;
        };
        let n = spec.number;
        for i in 1..=linked.replicas() {
            let c = container_name(project, service, i, linked.container_name.as_deref());
            out.push(format!("{c}:{alias}"));
            out.push(format!("{c}:{service}-{n}"));
            out.push(format!("{c}:{project}-{service}-{n}"));
        }
    }
    for raw in &spec.service.external_links {
        let mut parts = raw.split(':');
        let container = parts.next().unwrap_or_default();
        let alias = parts.next().unwrap_or(container);
        out.push(format!("{container}:{alias}"));
    }
    out
}
