//! A service's place on its networks, as the swarm's allocator gives it:
//! - the networks its spec names, resolved to swarm-scoped networks and stored by ID
//!   (as Docker stores them), with Docker's refusals for local or ingress networks;
//! - the `ingress` network added when it publishes a port through the routing mesh;
//! - in `vip` endpoint mode, one virtual IP on each, reserved in the network's records
//!   and reported in the service's `Endpoint.VirtualIPs`; `dnsrr` mode has none.

use std::collections::BTreeSet;

use bollard_stubs::models as m;

use super::store::State;
use crate::error::{Error, Result};
use crate::network::{Network, NetworkStore};

/// Whether the service publishes a port through the mesh (the default mode).
pub fn publishes_through_ingress(spec: &m::ServiceSpec) -> bool {
    spec.endpoint_spec
        .as_ref()
        .and_then(|e| e.ports.as_ref())
        .is_some_and(|ports| {
            ports
                .iter()
                .any(|p| p.publish_mode != Some(m::EndpointPortConfigPublishModeEnum::HOST))
        })
}

fn dnsrr(spec: &m::ServiceSpec) -> bool {
    spec.endpoint_spec.as_ref().and_then(|e| e.mode) == Some(m::EndpointSpecModeEnum::DNSRR)
}

/// Resolve the networks the spec names (by name, ID or ID prefix) to IDs, and refuse
/// what Docker refuses. Docker's older place for them (`Networks` beside the task
/// template) moves into the template.
pub fn resolve_networks(nets: &NetworkStore, spec: &mut m::ServiceSpec) -> Result<()> {
    if dnsrr(spec) && publishes_through_ingress(spec) {
        return Err(Error::invalid(
            "rpc error: code = InvalidArgument desc = EndpointSpec: port published with ingress mode can't be used with dnsrr mode",
        ));
    }
    let older = spec.networks.take().filter(|n| !n.is_empty());
    let template = spec.task_template.get_or_insert_with(Default::default);
    if template.networks.as_ref().is_none_or(|n| n.is_empty()) {
        template.networks = older;
    }
    let mut seen = BTreeSet::new();
    for a in template.networks.iter_mut().flatten() {
        let target = a.target.clone().unwrap_or_default();
        let net = nets.get(&target).map_err(|_| Error::NotFound {
            kind: "network",
            name: target.clone(),
        })?;
        if !net.is_swarm() {
            return Err(Error::invalid(format!(
                "rpc error: code = InvalidArgument desc = The network {} cannot be used with services. Only networks scoped to the swarm can be used, such as those created with the overlay driver.",
                net.name
            )));
        }
        if net.ingress {
            return Err(Error::invalid(format!(
                "rpc error: code = InvalidArgument desc = service cannot be explicitly attached to the ingress network \"{}\"",
                net.name
            )));
        }
        if !seen.insert(net.id.clone()) {
            return Err(Error::invalid(format!(
                "rpc error: code = InvalidArgument desc = network {} is attached more than once",
                net.name
            )));
        }
        a.target = Some(net.id);
    }
    Ok(())
}

/// The swarm's ingress network, if it has one.
pub fn ingress(nets: &NetworkStore) -> Result<Option<Network>> {
    Ok(nets.list()?.into_iter().find(|n| n.ingress))
}

/// The networks a service's tasks join, by ID, with the names its VIP (or, in dnsrr
/// mode, each task) answers to there: the spec's networks with the service's name and
/// aliases, then ingress (no names) when it publishes through the mesh.
pub fn attachments(
    nets: &NetworkStore,
    spec: &m::ServiceSpec,
) -> Result<Vec<(Network, Vec<String>)>> {
    let name = spec.name.clone().unwrap_or_default();
    let mut out = Vec::new();
    let listed = spec
        .task_template
        .as_ref()
        .and_then(|t| t.networks.clone())
        .unwrap_or_default();
    for a in listed {
        let Ok(net) = nets.get(a.target.as_deref().unwrap_or_default()) else {
            continue;
        };
        let mut names = vec![name.clone()];
        names.extend(a.aliases.unwrap_or_default());
        out.push((net, names));
    }
    if publishes_through_ingress(spec) {
        if let Some(net) = ingress(nets)? {
            out.push((net, Vec::new()));
        }
    }
    Ok(out)
}

/// Reserve the service's virtual IPs for its current spec and give back those on
/// networks it left (all of them in dnsrr mode); record them in its endpoint.
pub fn assign_vips(nets: &NetworkStore, state: &mut State, service_id: &str) -> Result<()> {
    let Some(record) = state.services.get_mut(service_id) else {
        return Ok(());
    };
    let spec = record.service.spec.clone().unwrap_or_default();
    let name = spec.name.clone().unwrap_or_default();
    let wanted = if dnsrr(&spec) {
        Vec::new()
    } else {
        attachments(nets, &spec)?
    };
    let mut vips = Vec::new();
    for (net, names) in &wanted {
        let v = nets.reserve_vip(net, service_id, &name, names.clone())?;
        vips.push(m::ServiceEndpointVirtualIps {
            network_id: Some(net.id.clone()),
            addr: Some(format!("{}/{}", v.ip, net.subnet.prefix)),
        });
    }
    for net in nets.list()? {
        if !wanted.iter().any(|(w, _)| w.id == net.id) {
            nets.release_vip(&net, service_id)?;
        }
    }
    let endpoint = record.service.endpoint.get_or_insert_with(Default::default);
    endpoint.virtual_ips = Some(vips).filter(|v| !v.is_empty());
    Ok(())
}

/// Give back every virtual IP of services that are no longer in the records (removed,
/// or their removal interrupted by a crash before this step).
pub fn release_orphan_vips(nets: &NetworkStore, state: &State) -> Result<()> {
    for net in nets.list()? {
        for service in nets.vips(&net)?.keys() {
            if !state.services.contains_key(service) {
                nets.release_vip(&net, service)?;
            }
        }
    }
    Ok(())
}
