//! What the routing mesh should be, from the records and the task containers: each
//! service's virtual IPs and published ports, each with the addresses of the service's
//! tasks that are ready for connections (running, meant to run, and healthy when they
//! have a healthcheck). The engine's `swarm::mesh` makes the kernel do it.

use std::collections::HashMap;
use std::net::Ipv4Addr;

use berth_engine::network::ports::Proto;
use berth_engine::network::Network;
use berth_engine::swarm::mesh::{Mesh, PortRoute, ServiceRoutes, VipRoute};
use berth_engine::swarm::State;
use bollard::models as m;

/// A task container's place on the networks, as the manager last saw it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TaskNet {
    /// Running, and healthy if it has a healthcheck (a task still starting or
    /// unhealthy gets no connections).
    pub ready: bool,
    /// Its address on each network, by network ID.
    pub ips: HashMap<String, Ipv4Addr>,
}

impl TaskNet {
    /// From a container summary of the engine interface.
    pub fn of(c: &m::ContainerSummary) -> TaskNet {
        let running = c.state == Some(m::ContainerSummaryStateEnum::RUNNING);
        let health = c.health.as_ref().and_then(|h| h.status);
        let healthy = matches!(
            health,
            None | Some(m::ContainerSummaryHealthStatusEnum::HEALTHY)
                | Some(m::ContainerSummaryHealthStatusEnum::NONE)
                | Some(m::ContainerSummaryHealthStatusEnum::EMPTY)
        );
        let ips = c
            .network_settings
            .as_ref()
            .and_then(|n| n.networks.as_ref())
            .into_iter()
            .flatten()
            .filter_map(|(_, ep)| {
                let ip = ep.ip_address.as_deref()?.parse().ok()?;
                Some((ep.network_id.clone()?, ip))
            })
            .collect();
        TaskNet {
            ready: running && healthy,
            ips,
        }
    }
}

/// The ready tasks of a service, by task ID, in slot order (so the ruleset is stable).
fn ready_tasks<'a>(
    st: &'a State,
    service_id: &str,
    seen: &'a HashMap<String, TaskNet>,
) -> Vec<&'a TaskNet> {
    let mut tasks: Vec<&m::Task> = st
        .tasks
        .values()
        .filter(|t| t.service_id.as_deref() == Some(service_id))
        .filter(|t| t.desired_state == Some(m::TaskState::RUNNING))
        .filter(|t| t.status.as_ref().and_then(|s| s.state) == Some(m::TaskState::RUNNING))
        .collect();
    tasks.sort_by(|a, b| (a.slot, &a.id).cmp(&(b.slot, &b.id)));
    tasks
        .into_iter()
        .filter_map(|t| seen.get(t.id.as_deref()?))
        .filter(|n| n.ready)
        .collect()
}

fn addresses_on(tasks: &[&TaskNet], network: &str) -> Vec<Ipv4Addr> {
    tasks
        .iter()
        .filter_map(|t| t.ips.get(network).copied())
        .collect()
}

/// The mesh the records and containers call for.
pub fn wanted(st: &State, nets: &[Network], seen: &HashMap<String, TaskNet>) -> Mesh {
    let ingress = nets.iter().find(|n| n.ingress);
    let mut ids: Vec<&String> = st.services.keys().collect();
    ids.sort();
    let mut services = Vec::new();
    for id in ids {
        let s = &st.services[id].service;
        let tasks = ready_tasks(st, id, seen);
        let endpoint = s.endpoint.clone().unwrap_or_default();
        let vips = endpoint
            .virtual_ips
            .unwrap_or_default()
            .into_iter()
            .filter_map(|v| {
                let net = nets.iter().find(|n| Some(&n.id) == v.network_id.as_ref())?;
                let addr = v.addr?;
                let vip = addr.split('/').next()?.parse().ok()?;
                Some(VipRoute {
                    vip,
                    bridge: net.bridge.clone(),
                    tasks: addresses_on(&tasks, &net.id),
                })
            })
            .collect();
        let ports = endpoint
            .ports
            .unwrap_or_default()
            .into_iter()
            .filter(|p| p.publish_mode != Some(m::EndpointPortConfigPublishModeEnum::HOST))
            .filter_map(|p| {
                let proto = match p.protocol {
                    Some(m::EndpointPortConfigProtocolEnum::UDP) => Proto::Udp,
                    Some(m::EndpointPortConfigProtocolEnum::SCTP) => return None,
                    _ => Proto::Tcp,
                };
                Some(PortRoute {
                    proto,
                    published: u16::try_from(p.published_port?).ok()?,
                    target: u16::try_from(p.target_port?).ok()?,
                    tasks: ingress.map_or(Vec::new(), |n| addresses_on(&tasks, &n.id)),
                })
            })
            .collect();
        services.push(ServiceRoutes {
            service: s
                .spec
                .as_ref()
                .and_then(|sp| sp.name.clone())
                .unwrap_or_default(),
            vips,
            ports,
        });
    }
    Mesh { services }
}
