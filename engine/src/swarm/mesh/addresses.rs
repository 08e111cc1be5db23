//! The virtual IPs on the bridges: each as a /32 beside the bridge's gateway address,
//! so the host answers ARP for it and the mesh's rules see the connections. A /32 on
//! one of this root's swarm bridges that no service holds any more is taken off.

use std::collections::{BTreeMap, BTreeSet};
use std::net::{IpAddr, Ipv4Addr};

use super::Mesh;
use crate::error::Result;
use crate::network::netlink::Netlink;
use crate::Engine;

pub fn sync(e: &Engine, mesh: &Mesh) -> Result<()> {
    let mut wanted: BTreeMap<String, BTreeSet<Ipv4Addr>> = BTreeMap::new();
    // Every swarm bridge is looked at, so a VIP whose service went is removed.
    for n in e.networks().list()?.into_iter().filter(|n| n.is_swarm()) {
        wanted.entry(n.bridge).or_default();
    }
    for v in mesh.vips() {
        wanted.entry(v.bridge.clone()).or_default().insert(v.vip);
    }
    let mut nl = Netlink::open()?;
    for (bridge, vips) in wanted {
        // A bridge not made yet (no task on the network so far) gets its VIPs later.
        let Some(link) = nl.link_by_name(&bridge)? else {
            continue;
        };
        let have: BTreeSet<Ipv4Addr> = nl
            .addresses(link.index)?
            .into_iter()
            .filter_map(|(a, p)| match a {
                IpAddr::V4(v4) if p == 32 => Some(v4),
                _ => None,
            })
            .collect();
        for vip in vips.difference(&have) {
            nl.add_address(link.index, IpAddr::V4(*vip), 32)?;
        }
        for stale in have.difference(&vips) {
            nl.del_address(link.index, IpAddr::V4(*stale), 32)?;
        }
    }
    Ok(())
}
