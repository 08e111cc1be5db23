//! The routing mesh on one host: what the manager wants of the kernel for its services,
//! as plain data, and the driver that makes it so.
//! - Each service in `vip` endpoint mode has a virtual IP on each of its networks
//!   (reserved in the network's records, see `network::vips`). The host answers for it
//!   on the network's bridge (a /32 address), and an nftables rule spreads every new
//!   connection to it over the service's ready tasks on that network, round robin.
//! - Each port a service publishes through the mesh is redirected, for connections to
//!   any of the host's addresses, to the tasks' addresses on the `ingress` network.
//!
//! The kernel carries every packet: conntrack keeps a connection on the task it was
//! given, and replies go back through the same translation. No process of ours sits on
//! the data path. The whole table is rebuilt when the wanted state changes (a task
//! becomes ready or goes), in one atomic batch.

mod addresses;
mod ruleset;

use std::net::Ipv4Addr;

use crate::error::Result;
use crate::network::ports::Proto;
use crate::Engine;

pub use ruleset::ruleset;

/// A virtual IP and the tasks behind it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VipRoute {
    pub vip: Ipv4Addr,
    /// The bridge of the network the address is on (it answers ARP for it).
    pub bridge: String,
    /// The ready tasks' addresses on that network.
    pub tasks: Vec<Ipv4Addr>,
}

/// A port published on the host's addresses and the tasks that serve it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PortRoute {
    pub proto: Proto,
    pub published: u16,
    pub target: u16,
    /// The ready tasks' addresses on the ingress network.
    pub tasks: Vec<Ipv4Addr>,
}

/// One service's part of the mesh.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ServiceRoutes {
    pub service: String,
    pub vips: Vec<VipRoute>,
    pub ports: Vec<PortRoute>,
}

/// The whole mesh: every service's routes, in a stable order (so that the same state
/// gives the same ruleset, and an unchanged state is never applied again).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Mesh {
    pub services: Vec<ServiceRoutes>,
}

impl Mesh {
    fn vips(&self) -> impl Iterator<Item = &VipRoute> {
        self.services.iter().flat_map(|s| s.vips.iter())
    }
}

/// The mesh's nftables table for this engine's state root (beside its firewall table).
pub fn table(e: &Engine) -> Result<String> {
    Ok(format!("{}_mesh", e.networks().owner()?.table))
}

/// Make the kernel do what `mesh` says: the table, then the virtual IPs on the bridges
/// (the rules first, so that no connection reaches the host itself through a new VIP).
pub fn apply(e: &Engine, mesh: &Mesh) -> Result<()> {
    crate::network::firewall::run_nft(&ruleset(&table(e)?, mesh))?;
    addresses::sync(e, mesh)
}

/// Make sure the virtual IPs are on their bridges (a bridge removed when its last
/// container went is made again without them). Cheap: one address dump per bridge.
pub fn ensure_addresses(e: &Engine, mesh: &Mesh) -> Result<()> {
    addresses::sync(e, mesh)
}

/// Remove the mesh: its table (the addresses go with the swarm's bridges).
pub fn remove(e: &Engine) -> Result<()> {
    let t = table(e)?;
    let _ = crate::network::firewall::run_nft(&format!("table ip {t} {{}}\ndelete table ip {t}\n"));
    Ok(())
}
