//! Networks and endpoints as plain data (serde), written to the state root. Drivers
//! (netlink for links and addresses, later nftables for the firewall) act on these.

use std::collections::BTreeMap;
use std::net::Ipv4Addr;

use serde::{Deserialize, Serialize};

/// An IPv4 subnet, `a.b.c.d/len`, always stored with its host bits cleared.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Subnet {
    pub addr: Ipv4Addr,
    pub prefix: u8,
}

impl Subnet {
    pub fn parse(s: &str) -> Result<Subnet, String> {
        let (a, p) = s
            .split_once('/')
            .ok_or_else(|| format!("invalid subnet {s:?}: expected a.b.c.d/len"))?;
        let addr: Ipv4Addr = a
            .parse()
            .map_err(|_| format!("invalid subnet {s:?}: {a:?} is not an IPv4 address"))?;
        let prefix: u8 = p
            .parse()
            .ok()
            .filter(|p| *p <= 30)
            .ok_or_else(|| format!("invalid subnet {s:?}: the prefix length must be 0..=30"))?;
        Ok(Subnet {
            addr: Ipv4Addr::from(u32::from(addr) & Self::mask_of(prefix)),
            prefix,
        })
    }

    fn mask_of(prefix: u8) -> u32 {
        if prefix == 0 {
            0
        } else {
            u32::MAX << (32 - prefix)
        }
    }

    pub fn mask(&self) -> u32 {
        Self::mask_of(self.prefix)
    }

    pub fn contains(&self, ip: Ipv4Addr) -> bool {
        u32::from(ip) & self.mask() == u32::from(self.addr)
    }

    /// True when the two ranges share any address.
    pub fn overlaps(&self, other: &Subnet) -> bool {
        let m = self.mask() & other.mask();
        u32::from(self.addr) & m == u32::from(other.addr) & m
    }

    pub fn first_host(&self) -> Ipv4Addr {
        Ipv4Addr::from(u32::from(self.addr) + 1)
    }

    pub fn broadcast(&self) -> Ipv4Addr {
        Ipv4Addr::from(u32::from(self.addr) | !self.mask())
    }
}

impl std::fmt::Display for Subnet {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}/{}", self.addr, self.prefix)
    }
}

/// A network: Docker's fields, plus the bridge interface that carries it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Network {
    pub id: String,
    pub name: String,
    pub driver: String,
    pub created: String,
    pub subnet: Subnet,
    /// Whether berth chose the subnet (no `--subnet`, `--gateway` or `--ip-range`): such
    /// a subnet is chosen again if it is taken on the host when the bridge is made.
    #[serde(default)]
    pub subnet_auto: bool,
    pub gateway: Ipv4Addr,
    /// `--ip-range`: where container addresses come from (within the subnet).
    pub ip_range: Option<Subnet>,
    pub internal: bool,
    pub labels: BTreeMap<String, String>,
    pub options: BTreeMap<String, String>,
    /// The Linux bridge, e.g. `berth0` for the default network, `br-<short id>` otherwise.
    pub bridge: String,
    /// A swarm network (`--driver overlay`) that plain containers may join too (tasks
    /// of services always may).
    #[serde(default)]
    pub attachable: bool,
    /// The swarm's `ingress` network: where the routing mesh reaches the tasks of
    /// services that publish ports. No container joins it by hand.
    #[serde(default)]
    pub ingress: bool,
}

/// The driver of swarm-scoped networks. On one host an overlay needs no tunnel: it is
/// a bridge like any other, scoped to the swarm (it goes when the swarm goes).
pub const OVERLAY: &str = "overlay";

impl Network {
    pub fn short_id(&self) -> &str {
        &self.id[..12]
    }

    /// Whether the network belongs to the swarm (made by or for it, removed with it).
    pub fn is_swarm(&self) -> bool {
        self.driver == OVERLAY
    }

    /// Whether a container may join: any container joins a local network; a swarm
    /// network takes the tasks of services (labelled by the manager as Docker's swarm
    /// executor labels them), and other containers only when it is attachable. Docker's
    /// refusal otherwise.
    pub fn may_join(&self, labels: &BTreeMap<String, String>) -> Result<(), String> {
        let task = labels.contains_key(crate::swarm::labels::TASK_ID);
        if !self.is_swarm() || task || (self.attachable && !self.ingress) {
            return Ok(());
        }
        Err(format!(
            "Could not attach to network {0}: rpc error: code = PermissionDenied desc = network {0} not manually attachable",
            self.name
        ))
    }

    /// Docker's scope: `swarm` for overlay networks, `local` for bridges.
    pub fn scope(&self) -> &'static str {
        if self.is_swarm() {
            "swarm"
        } else {
            "local"
        }
    }
}

/// Names Docker reserves for its predefined networks.
pub const DEFAULT_NETWORK: &str = "bridge";
pub const PREDEFINED: &[&str] = &["bridge", "host", "none"];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn subnets_parse_normalise_and_overlap() {
        let s = Subnet::parse("172.18.5.9/16").unwrap();
        assert_eq!(s.to_string(), "172.18.0.0/16");
        assert!(s.contains("172.18.255.1".parse().unwrap()));
        assert!(!s.contains("172.19.0.1".parse().unwrap()));
        assert_eq!(s.first_host().to_string(), "172.18.0.1");
        assert_eq!(s.broadcast().to_string(), "172.18.255.255");
        assert!(s.overlaps(&Subnet::parse("172.18.3.0/24").unwrap()));
        assert!(!s.overlaps(&Subnet::parse("172.19.0.0/24").unwrap()));
        assert!(Subnet::parse("10.0.0.0/31").is_err());
        assert!(Subnet::parse("10.0.0/8").is_err());
        assert!(Subnet::parse("10.0.0.0").is_err());
    }
}
