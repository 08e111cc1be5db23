//! A network's bridge, made host-wide. The bridge is made when the network's first
//! container starts (or is connected), and at that moment, under the host lock, its
//! subnet is checked against every address on the host (docker0, the uplink, other
//! roots' bridges): a subnet berth chose that has since been taken is chosen again
//! (avoiding those and every root's records, see `subnets`); one the user asked for is
//! an error that says who has it. Then the bridge is made, marked as this root's, and
//! the root's firewall rebuilt to cover it.
//!
//! A bridge carrying another root's mark is never adopted, renamed or removed.

use std::net::IpAddr;

use sha2::{Digest as _, Sha256};

use super::netlink::{LinkInfo, Netlink};
use super::owner::Owner;
use super::subnets::{pick_subnet, taken, HostSubnet};
use super::types::Network;
use super::NetworkStore;
use crate::error::{Error, Result};
use crate::store::FileLock;

impl NetworkStore {
    /// Make sure `net`'s bridge exists, is this root's and is covered by its firewall.
    /// Returns the network as now recorded (its subnet may have been chosen anew).
    pub fn claim_bridge(&self, net: &Network) -> Result<Network> {
        let owner = self.owner()?;
        let mut nl = Netlink::open()?;
        // The common case, without the host lock: the bridge is there and covered.
        if let Some(l) = nl.link_by_name(&net.bridge)? {
            refuse_foreign(owner, &l)?;
            if owner.owns(l.alias.as_deref()) && self.firewall_covers(&net.bridge) {
                // Read again: whoever made the bridge may have chosen a new subnet
                // after the caller read the record.
                return self.get_by_id(&net.id);
            }
        }
        let _host = self.host.lock()?;
        self.host.register(owner)?;
        // Another process of this root may have settled it meanwhile.
        let mut net = self.get_by_id(&net.id)?;
        match nl.link_by_name(&net.bridge)? {
            Some(l) => refuse_foreign(owner, &l)?,
            None => net = self.settle_subnet(&mut nl, net)?,
        }
        let idx = ensure_bridge(&mut nl, &net, &owner.bridge_alias())?;
        // Containers still running on a bridge that was deleted under them get their
        // veths back on it (see `wiring`).
        super::wiring::reattach(&mut nl, self, &net, idx);
        self.refresh_firewall()?;
        Ok(net)
    }

    /// The bridge is about to be made: keep the subnet if nothing on the host uses it,
    /// else choose again (berth's own choice, nobody on it yet) or refuse.
    fn settle_subnet(&self, nl: &mut Netlink, mut net: Network) -> Result<Network> {
        let host = super::subnets::host_subnets(nl)?;
        let Some(clash) = host.iter().find(|h| h.subnet.overlaps(&net.subnet)) else {
            return Ok(net);
        };
        let _lock = FileLock::exclusive(&self.paths().global_lock())?;
        if !net.subnet_auto || !self.endpoints(&net)?.is_empty() {
            return Err(Error::Conflict(format!(
                "network {}'s subnet {} overlaps {}: remove one of them or choose another --subnet",
                net.name,
                net.subnet,
                describe(clash)
            )));
        }
        let foreign = self.host.foreign_subnets(self.owner()?);
        let own = self.list()?;
        let default = net.name == super::types::DEFAULT_NETWORK;
        net.subnet = pick_subnet(&taken(&own, Some(&net.id), &host, &foreign), default)?;
        net.gateway = net.subnet.first_host();
        self.rewrite_locked(&net)?;
        Ok(net)
    }
}

/// Who holds a subnet on the host, in words.
fn describe(h: &HostSubnet) -> String {
    match h.alias.as_deref() {
        Some(a) if a.starts_with("berth:") => format!(
            "{} on bridge {} of another berth state root ({a})",
            h.subnet, h.ifname
        ),
        _ => format!("{} on the host's interface {}", h.subnet, h.ifname),
    }
}

fn refuse_foreign(owner: &Owner, l: &LinkInfo) -> Result<()> {
    if owner.foreign(l.alias.as_deref()) || l.kind.as_deref() != Some("bridge") {
        return Err(Error::Conflict(format!(
            "the host already has an interface {} that is not this state root's ({}): \
             berth will not take it over",
            l.name,
            l.alias.as_deref().unwrap_or("no berth mark")
        )));
    }
    Ok(())
}

/// The bridge's own MAC: locally administered, unicast, stable for the network.
fn bridge_mac(net: &Network) -> [u8; 6] {
    let h = Sha256::digest(format!("bridge/{}", net.id));
    [0x02, 0x42, h[0], h[1], h[2], h[3]]
}

/// Make the network's bridge (or finish one a crash left half made): this root's mark,
/// a fixed MAC, the gateway address, up.
fn ensure_bridge(host: &mut Netlink, net: &Network, alias: &str) -> Result<u32> {
    let idx = host.create_bridge(&net.bridge)?;
    // The mark first: a bridge that exists is always recognisably this root's, so a
    // crash right after this point leaves nothing another root could mistake.
    host.set_alias(idx, alias)?;
    // A bridge without a MAC of its own takes the lowest of its ports' and changes it
    // as veths come and go, leaving the gateway's old MAC in every container's ARP
    // cache for seconds (DNS and egress time out). A fixed one, from the network ID,
    // as Docker gives docker0.
    host.set_mac(idx, bridge_mac(net))?;
    host.add_address(idx, IpAddr::V4(net.gateway), net.subnet.prefix)?;
    host.set_up(idx)?;
    // Published ports answer on the host's 127.0.0.1 too: the redirected packets leave
    // through the bridge with a loopback source, which the kernel only routes with
    // route_localnet (the firewall keeps the bridge itself away from 127.0.0.0/8).
    let _ = std::fs::write(
        format!("/proc/sys/net/ipv4/conf/{}/route_localnet", net.bridge),
        "1",
    );
    Ok(idx)
}

/// Delete the bridge named `name` if it carries this root's mark (best effort: the
/// network's record is already gone).
pub(crate) fn remove_if_ours(owner: &Owner, name: &str) {
    let Ok(mut nl) = Netlink::open() else {
        return;
    };
    if let Ok(Some(l)) = nl.link_by_name(name) {
        if owner.owns(l.alias.as_deref()) {
            let _ = nl.delete_link(l.index);
        }
    }
}
