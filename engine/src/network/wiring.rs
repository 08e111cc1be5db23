//! Whether a running container is still wired to its networks. A bridge deleted under
//! running containers (by hand, by another tool) takes nothing else with it: the
//! host ends of their veths stay, without a master, and the containers keep their
//! addresses but reach nothing. Noticed here (inspect's `State.Error`, the TUI's
//! details), repaired by `NetworkStore::claim_bridge` — which a restart or a
//! `network connect` to the same network runs — by making the bridge again and
//! putting the veths back on it.

use super::attach::veth_name;
use super::netlink::{LinkInfo, Netlink};
use super::types::Network;
use super::NetworkStore;
use crate::container::Container;
use crate::error::Result;

/// What is wrong with one network of a running container.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Fault {
    /// The network's bridge is gone.
    BridgeGone,
    /// The bridge is there but the container's veth is not on it.
    Detached,
    /// The container's veth is gone (its interface with it).
    VethGone,
}

/// A network a running container has lost, in words for inspect and the TUI.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LostNetwork {
    pub network: String,
    pub fault: Fault,
}

impl LostNetwork {
    pub fn describe(&self, container: &str, bridge: &str) -> String {
        let what = match self.fault {
            Fault::BridgeGone => format!("its bridge {bridge} is gone"),
            Fault::Detached => format!("its interface is no longer on bridge {bridge}"),
            Fault::VethGone => "its interface is gone".to_string(),
        };
        format!(
            "network {} lost: {what}; `berth network connect {} {container}` or a restart repairs it",
            self.network, self.network
        )
    }
}

/// The faults of a running container's networks (nothing for stopped containers or
/// those without networks of their own).
pub fn check(store: &NetworkStore, c: &Container) -> Result<Vec<(Network, Fault)>> {
    if !c.state.status.is_live() || c.record.endpoints_config.is_empty() {
        return Ok(Vec::new());
    }
    let mode = c.record.host_config.network_mode.as_str();
    if mode == "host" || mode == "none" || mode.starts_with("container:") {
        return Ok(Vec::new());
    }
    let links = Netlink::open()?.links()?;
    let mut out = Vec::new();
    for name in c.record.endpoints_config.keys() {
        let Ok(net) = store.get(name) else {
            continue;
        };
        if let Some(f) = fault(&links, &net, c.id()) {
            out.push((net, f));
        }
    }
    Ok(out)
}

fn fault(links: &[LinkInfo], net: &Network, container: &str) -> Option<Fault> {
    let bridge = links.iter().find(|l| l.name == net.bridge);
    let veth = veth_name(container, net);
    let Some(v) = links.iter().find(|l| l.name == veth) else {
        return Some(Fault::VethGone);
    };
    match bridge {
        None => Some(Fault::BridgeGone),
        Some(b) if v.master != Some(b.index) => Some(Fault::Detached),
        Some(_) => None,
    }
}

/// Put the veths of `net`'s endpoints that lost their bridge back on it (after the
/// bridge was made again).
pub(crate) fn reattach(nl: &mut Netlink, store: &NetworkStore, net: &Network, bridge: u32) {
    let Ok(eps) = store.endpoints(net) else {
        return;
    };
    for id in eps.keys() {
        if let Ok(Some(v)) = nl.link_by_name(&veth_name(id, net)) {
            if v.master != Some(bridge) {
                let _ = nl.set_master(v.index, bridge);
                let _ = nl.set_up(v.index);
            }
        }
    }
}
