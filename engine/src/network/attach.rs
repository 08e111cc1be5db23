//! Putting a container on its networks: each network's bridge is made if needed and an
//! address reserved before the container is cloned (so /etc/hosts can name them), then
//! — while the container builds its root — a veth pair links the bridge to the
//! container's namespace, where the peer becomes `eth0`, `eth1`, ... with its address and
//! the default route. Nothing needs undoing when the container dies: its namespace takes
//! the veth pair with it; the reserved address is released by `release`.

use std::net::IpAddr;

use sha2::{Digest as _, Sha256};

use super::netlink::Netlink;
use super::store::{Endpoint, NetworkStore};
use super::types::Network;
use crate::container::ContainerRecord;
use crate::error::{Error, Result};

/// One network the container joins, with its reserved address.
#[derive(Debug, Clone)]
pub struct Attachment {
    pub network: Network,
    pub endpoint: Endpoint,
    /// The interface name inside the container (`eth0` for the first network).
    pub ifname: String,
}

/// Reserve an address on every network of the record, in join order.
pub fn reserve(store: &NetworkStore, rec: &ContainerRecord) -> Result<Vec<Attachment>> {
    let mut out = Vec::new();
    for (i, (name, cfg)) in rec.networks_in_order().into_iter().enumerate() {
        match reserve_one(store, rec, name, cfg, format!("eth{i}")) {
            Ok(a) => out.push(a),
            Err(e) => {
                release(store, rec);
                return Err(e);
            }
        }
    }
    Ok(out)
}

/// Reserve an address on one network, for interface `ifname` inside the container.
pub fn reserve_one(
    store: &NetworkStore,
    rec: &ContainerRecord,
    name: &str,
    cfg: &crate::container::model::EndpointConfig,
    ifname: String,
) -> Result<Attachment> {
    let network = if name == super::types::DEFAULT_NETWORK {
        store.ensure_default()?
    } else {
        store.get(name)?
    };
    // The bridge is made (and the subnet settled host-wide) before any address of the
    // subnet is handed out.
    let network = if store.manages_host() {
        store.claim_bridge(&network)?
    } else {
        network
    };
    let mac = cfg
        .mac_address
        .as_deref()
        .map(super::ipam::parse_mac)
        .transpose()
        .map_err(Error::invalid)?;
    let mut aliases = cfg.aliases.clone();
    if network.name != super::types::DEFAULT_NETWORK {
        // On user networks the container answers to its name and short ID too.
        aliases.extend([rec.name.clone(), rec.id[..12].to_string()]);
    }
    let endpoint = store.allocate(&network, &rec.id, cfg.ipv4_address, mac, &rec.name, aliases)?;
    Ok(Attachment {
        network,
        endpoint,
        ifname,
    })
}

/// Give back every address the container holds: on the networks its record names, and
/// on any other (a `network connect` killed before it wrote the record).
pub fn release(store: &NetworkStore, rec: &ContainerRecord) {
    for net in store.list().unwrap_or_default() {
        let held = store
            .endpoints(&net)
            .is_ok_and(|eps| eps.contains_key(&rec.id));
        if held {
            let _ = store.release(&net, &rec.id);
        }
    }
}

/// The host end's name, from the container ID and network: stable and unique.
pub(crate) fn veth_name(container: &str, network: &Network) -> String {
    let h = hex::encode(Sha256::digest(format!("{container}/{}", network.id)));
    format!("veth{}", &h[..7])
}

/// Wire the container (its init is `pid`) to each attachment. Runs in the monitor
/// between clone and go. On failure the caller kills the container, and with it the
/// namespace and whatever veth already reached it; a veth still on the host is removed here.
pub fn connect(pid: i32, container: &str, atts: &[Attachment]) -> std::result::Result<(), String> {
    if atts.is_empty() {
        return Ok(());
    }
    let mut host = Netlink::open().map_err(|e| e.to_string())?;
    let ns = std::path::PathBuf::from(format!("/proc/{pid}/ns/net"));
    let mut inside = Netlink::open_in_netns(&ns).map_err(|e| e.to_string())?;
    for (i, a) in atts.iter().enumerate() {
        // The first network carries the default route, unless it is internal.
        connect_one(&mut host, &mut inside, pid, container, a, i == 0)?;
    }
    Ok(())
}

/// Wire one attachment: bridge, veth pair with the peer born inside, address, route.
fn connect_one(
    host: &mut Netlink,
    inside: &mut Netlink,
    pid: i32,
    container: &str,
    a: &Attachment,
    default_route: bool,
) -> std::result::Result<(), String> {
    // The bridge was made when the address was reserved (`NetworkStore::claim_bridge`).
    let bridge = host
        .link_index(&a.network.bridge)
        .map_err(|e| e.to_string())?
        .ok_or_else(|| {
            format!(
                "bridge {} of network {} is gone",
                a.network.bridge, a.network.name
            )
        })?;
    let host_end = veth_name(container, &a.network);
    // A veth left over from a crash under the same name would make create fail.
    let _ = host.delete_link_by_name(&host_end);
    // The peer is born inside the container as eth0..: no move (and no RCU grace
    // period for it), no rename.
    let h = host
        .create_veth_into(&host_end, &a.ifname, pid)
        .map_err(|e| e.to_string())?;
    let wire = |host: &mut Netlink| -> std::result::Result<(), String> {
        host.set_master(h, bridge).map_err(|e| e.to_string())?;
        host.set_up(h).map_err(|e| e.to_string())
    };
    if let Err(e) = wire(host) {
        let _ = host.delete_link(h);
        return Err(e);
    }
    let idx = inside
        .link_index(&a.ifname)
        .map_err(|e| e.to_string())?
        .ok_or_else(|| format!("{} did not appear in the container's namespace", a.ifname))?;
    let mac = super::ipam::parse_mac(&a.endpoint.mac)?;
    inside.set_mac(idx, mac).map_err(|e| e.to_string())?;
    inside
        .add_address(idx, IpAddr::V4(a.endpoint.ip), a.network.subnet.prefix)
        .map_err(|e| e.to_string())?;
    inside.set_up(idx).map_err(|e| e.to_string())?;
    if default_route && !a.network.internal {
        inside
            .add_default_route(IpAddr::V4(a.network.gateway))
            .map_err(|e| e.to_string())?;
    }
    Ok(())
}

/// Let the container's packets come back out of the bridge port they entered by
/// (hairpin mode), so that it reaches its own published ports through the host's
/// address. Only containers that publish ports need it.
pub fn set_hairpin(container: &str, net: &Network) -> std::result::Result<(), String> {
    let path = format!(
        "/sys/class/net/{}/brport/hairpin_mode",
        veth_name(container, net)
    );
    std::fs::write(&path, "1").map_err(|e| format!("turn on hairpin mode ({path}): {e}"))
}

/// `network connect` on a running container (its init is `pid`).
pub fn connect_running(
    pid: i32,
    container: &str,
    a: &Attachment,
) -> std::result::Result<(), String> {
    let mut host = Netlink::open().map_err(|e| e.to_string())?;
    let ns = std::path::PathBuf::from(format!("/proc/{pid}/ns/net"));
    let mut inside = Netlink::open_in_netns(&ns).map_err(|e| e.to_string())?;
    // After disconnects the ethN names have gaps: take the first free one.
    let mut a = a.clone();
    for n in 0.. {
        let name = format!("eth{n}");
        if inside
            .link_index(&name)
            .map_err(|e| e.to_string())?
            .is_none()
        {
            a.ifname = name;
            break;
        }
    }
    connect_one(&mut host, &mut inside, pid, container, &a, false)
}

/// `network disconnect` on a running container: deleting the host end of the veth takes
/// the container's interface with it.
pub fn disconnect_running(container: &str, net: &Network) -> std::result::Result<(), String> {
    let mut host = Netlink::open().map_err(|e| e.to_string())?;
    host.delete_link_by_name(&veth_name(container, net))
        .map_err(|e| e.to_string())
}
