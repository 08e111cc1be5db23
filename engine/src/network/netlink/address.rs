//! IP addresses on links: adding (with the IPv4 broadcast address `ip addr add ... brd +`
//! would compute), removing, and listing.

use std::net::{IpAddr, Ipv4Addr};

use netlink_packet_core::{NLM_F_CREATE, NLM_F_EXCL};
use netlink_packet_route::address::{AddressAttribute, AddressMessage};
use netlink_packet_route::{AddressFamily, RouteNetlinkMessage};
use nix::errno::Errno;

use super::error::{NetlinkError, Result};
use super::socket::Netlink;

/// The longest prefix valid for `addr`'s family.
pub(crate) fn max_prefix(addr: IpAddr) -> u8 {
    match addr {
        IpAddr::V4(_) => 32,
        IpAddr::V6(_) => 128,
    }
}

pub(crate) fn family(addr: IpAddr) -> AddressFamily {
    match addr {
        IpAddr::V4(_) => AddressFamily::Inet,
        IpAddr::V6(_) => AddressFamily::Inet6,
    }
}

/// The directed broadcast address of `addr/prefix`, or `None` for /31 and /32, which
/// have no room for one (RFC 3021).
pub fn broadcast(addr: Ipv4Addr, prefix: u8) -> Option<Ipv4Addr> {
    if prefix >= 31 {
        return None;
    }
    let host_bits = u32::MAX >> prefix;
    Some(Ipv4Addr::from(u32::from(addr) | host_bits))
}

impl Netlink {
    /// Adds `addr/prefix` to link `index`. An address that is already there is not an
    /// error, so setup can be retried after a partial failure.
    pub fn add_address(&mut self, index: u32, addr: IpAddr, prefix: u8) -> Result<()> {
        const OP: &str = "add address";
        let message = address_message(OP, index, addr, prefix)?;
        match self.ack(
            RouteNetlinkMessage::NewAddress(message),
            NLM_F_CREATE | NLM_F_EXCL,
        ) {
            Ok(()) => Ok(()),
            Err(f) if f.errno() == Some(Errno::EEXIST) => Ok(()),
            Err(f) => {
                let target = format!("{addr}/{prefix} to {}", self.describe(index));
                Err(f.context(OP, target))
            }
        }
    }

    /// Removes `addr/prefix` from link `index`; an address that is not there is not an
    /// error, so teardown can be repeated.
    pub fn del_address(&mut self, index: u32, addr: IpAddr, prefix: u8) -> Result<()> {
        const OP: &str = "delete address";
        let message = address_message(OP, index, addr, prefix)?;
        match self.ack(RouteNetlinkMessage::DelAddress(message), 0) {
            Ok(()) => Ok(()),
            Err(f) if f.errno() == Some(Errno::EADDRNOTAVAIL) => Ok(()),
            Err(f) => {
                let target = format!("{addr}/{prefix} from {}", self.describe(index));
                Err(f.context(OP, target))
            }
        }
    }

    /// The addresses on link `index`, IPv4 and IPv6, with their prefix lengths.
    pub fn addresses(&mut self, index: u32) -> Result<Vec<(IpAddr, u8)>> {
        let replies = match self.dump(RouteNetlinkMessage::GetAddress(AddressMessage::default())) {
            Ok(replies) => replies,
            Err(f) => return Err(f.context("list addresses of", self.describe(index))),
        };
        Ok(replies
            .iter()
            .filter_map(|reply| match reply {
                RouteNetlinkMessage::NewAddress(m) if m.header.index == index => address_of(m),
                _ => None,
            })
            .collect())
    }
}

/// An address message for `addr/prefix` on `index`. For IPv4 the local address is what
/// the interface owns (IFA_ADDRESS is the peer on point-to-point links), so both are set,
/// as `ip` does.
fn address_message(
    op: &'static str,
    index: u32,
    addr: IpAddr,
    prefix: u8,
) -> Result<AddressMessage> {
    if prefix > max_prefix(addr) {
        return Err(NetlinkError::invalid(
            op,
            format!("{addr}/{prefix}"),
            format!("prefix length is above {}", max_prefix(addr)),
        ));
    }
    let mut message = AddressMessage::default();
    message.header.family = family(addr);
    message.header.prefix_len = prefix;
    message.header.index = index;
    if let IpAddr::V4(v4) = addr {
        message.attributes.push(AddressAttribute::Local(addr));
        if let Some(brd) = broadcast(v4, prefix) {
            message.attributes.push(AddressAttribute::Broadcast(brd));
        }
    }
    message.attributes.push(AddressAttribute::Address(addr));
    Ok(message)
}

/// The interface's own address from a reply: IFA_LOCAL when present (IPv4), else
/// IFA_ADDRESS (IPv6 sends only that).
fn address_of(message: &AddressMessage) -> Option<(IpAddr, u8)> {
    let mut local = None;
    let mut address = None;
    for attribute in &message.attributes {
        match attribute {
            AddressAttribute::Local(ip) => local = Some(*ip),
            AddressAttribute::Address(ip) => address = Some(*ip),
            _ => {}
        }
    }
    local.or(address).map(|ip| (ip, message.header.prefix_len))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn netlink_broadcast_is_the_last_address_of_the_subnet() {
        let ip = Ipv4Addr::new(10, 88, 0, 1);
        assert_eq!(broadcast(ip, 16), Some(Ipv4Addr::new(10, 88, 255, 255)));
        assert_eq!(broadcast(ip, 24), Some(Ipv4Addr::new(10, 88, 0, 255)));
        assert_eq!(broadcast(ip, 0), Some(Ipv4Addr::BROADCAST));
        assert_eq!(broadcast(ip, 31), None);
        assert_eq!(broadcast(ip, 32), None);
    }

    #[test]
    fn netlink_ipv4_address_carries_local_broadcast_and_address() {
        let ip: IpAddr = "172.30.0.2"
            .parse()
            .unwrap_or(IpAddr::V4(Ipv4Addr::LOCALHOST));
        let message = address_message("t", 4, ip, 24).ok();
        let attributes = message.map(|m| m.attributes).unwrap_or_default();
        assert_eq!(
            attributes,
            vec![
                AddressAttribute::Local(ip),
                AddressAttribute::Broadcast(Ipv4Addr::new(172, 30, 0, 255)),
                AddressAttribute::Address(ip),
            ]
        );
    }

    #[test]
    fn netlink_prefix_longer_than_the_family_allows_is_rejected() {
        let err = address_message("add address", 1, IpAddr::V4(Ipv4Addr::LOCALHOST), 33)
            .err()
            .map(|e| e.to_string());
        assert_eq!(
            err.as_deref(),
            Some("add address 127.0.0.1/33: prefix length is above 32")
        );
    }
}
