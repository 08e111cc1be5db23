//! Choosing a network's subnet, host-wide. A new subnet must not overlap this root's
//! networks, any address on the host's interfaces (docker0, the uplink, other roots'
//! bridges) or any other root's network records (`host::Host`). The choice is a pure
//! function over those lists; gathering them is the caller's.

use super::netlink::Netlink;
use super::types::{Network, Subnet};
use crate::error::{Error, Result};

/// An address range in use on one of the host's interfaces.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HostSubnet {
    pub subnet: Subnet,
    pub ifname: String,
    /// The interface's alias (berth marks its bridges `berth:<root id>`).
    pub alias: Option<String>,
}

/// The IPv4 subnets of the host's own interfaces.
pub fn host_subnets(nl: &mut Netlink) -> Result<Vec<HostSubnet>> {
    let mut out = Vec::new();
    let links = nl.links()?;
    for link in links {
        for (addr, prefix) in nl.addresses(link.index).unwrap_or_default() {
            if let std::net::IpAddr::V4(a) = addr {
                if let Ok(s) = Subnet::parse(&format!("{a}/{}", prefix.min(30))) {
                    out.push(HostSubnet {
                        subnet: s,
                        ifname: link.name.clone(),
                        alias: link.alias.clone(),
                    });
                }
            }
        }
    }
    Ok(out)
}

/// Docker's pools: 172.17/16 for the default bridge, then 172.18/16 ... 172.31/16, then
/// 192.168.0.0/20 chunks. The first that overlaps nothing in `taken` wins.
pub fn pick_subnet(taken: &[Subnet], default: bool) -> Result<Subnet> {
    let mut candidates: Vec<String> = Vec::new();
    if default {
        candidates.push("172.17.0.0/16".into());
    }
    candidates.extend((18..=31).map(|b| format!("172.{b}.0.0/16")));
    candidates.extend((0..16).map(|c| format!("192.168.{}.0/20", c * 16)));
    for c in candidates {
        let s = Subnet::parse(&c).map_err(Error::invalid)?;
        if !taken.iter().any(|t| t.overlaps(&s)) {
            return Ok(s);
        }
    }
    Err(Error::Conflict(
        "could not find an available, non-overlapping IPv4 address pool".into(),
    ))
}

/// Everything a new automatic subnet must avoid: this root's other networks, the host's
/// interfaces and the other roots' records.
pub fn taken(
    own: &[Network],
    except: Option<&str>,
    host: &[HostSubnet],
    foreign: &[super::host::ForeignSubnet],
) -> Vec<Subnet> {
    own.iter()
        .filter(|n| Some(n.id.as_str()) != except)
        .map(|n| n.subnet)
        .chain(host.iter().map(|h| h.subnet))
        .chain(foreign.iter().map(|f| f.subnet))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn subnets_in_use_are_skipped() {
        let taken = [
            Subnet::parse("172.17.0.1/16").unwrap(),
            Subnet::parse("172.18.3.0/24").unwrap(),
        ];
        assert_eq!(
            pick_subnet(&taken, true).unwrap().to_string(),
            "172.19.0.0/16"
        );
        assert_eq!(pick_subnet(&[], true).unwrap().to_string(), "172.17.0.0/16");
        assert_eq!(
            pick_subnet(&[], false).unwrap().to_string(),
            "172.18.0.0/16"
        );
        let all = [
            Subnet::parse("172.16.0.0/12").unwrap(),
            Subnet::parse("192.168.0.0/16").unwrap(),
        ];
        assert!(pick_subnet(&all, false).is_err());
    }
}
