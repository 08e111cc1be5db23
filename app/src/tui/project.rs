//! A compose project's details, for its header in the containers pane, as plain data:
//! where its files are, its networks, each service with what its start waited for and
//! its containers with their addresses and the names the embedded DNS answers for them,
//! and its `config`. Built by the worker from the project's containers (found by label),
//! their inspect documents and the network list; the panes only read it.

use bollard::models as m;

use super::data::NetworkRow;
use crate::compose::labeled::{self, Dependency, LabeledProject};
use crate::compose::labels;
use crate::compose::run::state::Existing;

#[derive(Debug, Clone, PartialEq)]
pub struct ProjectView {
    pub name: String,
    pub working_dir: String,
    pub config_files: Vec<String>,
    pub networks: Vec<NetView>,
    pub services: Vec<ServiceView>,
    /// `berth compose config`'s YAML, or why it cannot be shown.
    pub config: Result<String, String>,
    /// Containers listed without their inspect document (a large project: only so many
    /// are looked at each time).
    pub not_inspected: usize,
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct NetView {
    pub name: String,
    pub driver: String,
    pub subnet: String,
    pub gateway: String,
    /// Whether the embedded DNS serves it (every network but the default bridge, host
    /// and none, as in Docker).
    pub dns: bool,
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ServiceView {
    pub name: String,
    /// What its start waited for (its containers' `depends_on` label).
    pub depends_on: Vec<Dependency>,
    pub containers: Vec<MemberView>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct MemberView {
    pub id: String,
    pub name: String,
    pub state: String,
    /// starting, healthy, unhealthy; empty without a healthcheck.
    pub health: String,
    pub hostname: String,
    pub endpoints: Vec<EndpointView>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct EndpointView {
    pub network: String,
    /// Empty while the container holds no address there (it is not running).
    pub ip: String,
    /// The aliases its endpoint was created with (compose: the container's name and
    /// the service's, then the service's own aliases).
    pub aliases: Vec<String>,
    /// What the embedded DNS answers for it there (inspect's `DNSNames`: the engine's
    /// DNS reads the same endpoint record). None: no endpoint now.
    pub dns_names: Option<Vec<String>>,
}

/// Whether the embedded DNS serves a network of this name and driver.
pub fn dns_serves(name: &str, driver: &str) -> bool {
    !matches!(name, "bridge" | "host" | "none") && !matches!(driver, "host" | "null")
}

fn endpoints(doc: &m::ContainerInspectResponse) -> Vec<EndpointView> {
    let mut out: Vec<EndpointView> = doc
        .network_settings
        .as_ref()
        .and_then(|n| n.networks.as_ref())
        .map(|nets| {
            nets.iter()
                .map(|(name, ep)| EndpointView {
                    network: name.clone(),
                    ip: ep.ip_address.clone().unwrap_or_default(),
                    aliases: ep.aliases.clone().unwrap_or_default(),
                    dns_names: ep.dns_names.clone(),
                })
                .collect()
        })
        .unwrap_or_default();
    out.sort_by(|a, b| a.network.cmp(&b.network));
    out
}

fn member(c: &Existing, doc: Option<&m::ContainerInspectResponse>) -> MemberView {
    let state = doc.and_then(|d| d.state.as_ref());
    MemberView {
        id: c.id.clone(),
        name: c.name.clone(),
        state: c.state.clone(),
        health: state
            .and_then(|s| s.health.as_ref())
            .and_then(|h| h.status)
            .map(|s| s.to_string())
            .filter(|s| s != "none" && !s.is_empty())
            .unwrap_or_default(),
        hostname: doc
            .and_then(|d| d.config.as_ref())
            .and_then(|c| c.hostname.clone())
            .unwrap_or_default(),
        endpoints: doc.map(endpoints).unwrap_or_default(),
    }
}

/// The details of project `name` from its containers (by service, then number), the
/// inspect documents of those looked at, the engine's networks and its config text.
pub fn project_view(
    name: &str,
    containers: &[Existing],
    docs: &[m::ContainerInspectResponse],
    networks: &[NetworkRow],
    config: Result<String, String>,
) -> ProjectView {
    let files = labeled::project_of(containers);
    let mut services: Vec<ServiceView> = Vec::new();
    for c in containers {
        if services.last().is_none_or(|s| s.name != c.service) {
            let label = c.labels.get(labels::DEPENDS_ON).map_or("", String::as_str);
            services.push(ServiceView {
                name: c.service.clone(),
                depends_on: labeled::dependencies(label),
                containers: Vec::new(),
            });
        }
        let doc = docs.iter().find(|d| d.id.as_deref() == Some(c.id.as_str()));
        if let Some(s) = services.last_mut() {
            s.containers.push(member(c, doc));
        }
    }
    // In start order: each level of the dependency graph after the one it waits for.
    let set = labeled::services_of(containers).into_iter().collect();
    let rank: std::collections::HashMap<String, usize> = labeled::graph(containers)
        .levels(&set)
        .into_iter()
        .enumerate()
        .flat_map(|(i, level)| level.into_iter().map(move |s| (s, i)))
        .collect();
    services.sort_by_key(|s| rank.get(&s.name).copied().unwrap_or(usize::MAX));
    let mut used: Vec<String> = services
        .iter()
        .flat_map(|s| &s.containers)
        .flat_map(|c| &c.endpoints)
        .map(|e| e.network.clone())
        .collect();
    used.sort();
    used.dedup();
    let networks = used
        .into_iter()
        .map(|n| {
            let row = networks.iter().find(|r| r.name == n);
            let driver = row.map(|r| r.driver.clone()).unwrap_or_default();
            NetView {
                dns: dns_serves(&n, &driver),
                subnet: row.map(|r| r.subnet.clone()).unwrap_or_default(),
                gateway: row.map(|r| r.gateway.clone()).unwrap_or_default(),
                driver,
                name: n,
            }
        })
        .collect();
    let (working_dir, config_files) = match files {
        Some(LabeledProject {
            working_dir,
            config_files,
            ..
        }) => (
            working_dir.display().to_string(),
            config_files
                .iter()
                .map(|p| p.display().to_string())
                .collect(),
        ),
        None => Default::default(),
    };
    ProjectView {
        name: name.to_string(),
        working_dir,
        config_files,
        networks,
        services,
        config,
        not_inspected: containers
            .iter()
            .filter(|c| !docs.iter().any(|d| d.id.as_deref() == Some(c.id.as_str())))
            .count(),
    }
}

#[cfg(test)]
pub(crate) mod tests;
