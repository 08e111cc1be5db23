//! Routes in the main table: the container's default route through the bridge, and
//! on-link or gateway routes for anything more specific.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

use netlink_packet_core::{NLM_F_CREATE, NLM_F_REPLACE};
use netlink_packet_route::route::{
    RouteAddress, RouteAttribute, RouteHeader, RouteMessage, RouteProtocol, RouteScope, RouteType,
};
use netlink_packet_route::RouteNetlinkMessage;
use nix::errno::Errno;

use super::address::{family, max_prefix};
use super::error::{NetlinkError, Result};
use super::socket::Netlink;

/// Where a route sends its traffic.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Via {
    /// Through a router, which must be reachable on a connected subnet.
    Gateway(IpAddr),
    /// Directly out of link `index` (an on-link route).
    Device(u32),
}

impl Netlink {
    /// Adds (or replaces) the default route through `gateway`.
    pub fn add_default_route(&mut self, gateway: IpAddr) -> Result<()> {
        let any = match gateway {
            IpAddr::V4(_) => IpAddr::V4(Ipv4Addr::UNSPECIFIED),
            IpAddr::V6(_) => IpAddr::V6(Ipv6Addr::UNSPECIFIED),
        };
        self.add_route(any, 0, Via::Gateway(gateway))
    }

    /// Adds `dest/prefix` via a gateway or a device. An existing route to the same
    /// destination is replaced, as `ip route replace` does, so reapplying is harmless.
    pub fn add_route(&mut self, dest: IpAddr, prefix: u8, via: Via) -> Result<()> {
        const OP: &str = "add route";
        let message = route_message(OP, dest, prefix, Some(via))?;
        self.ack(
            RouteNetlinkMessage::NewRoute(message),
            NLM_F_CREATE | NLM_F_REPLACE,
        )
        .map_err(|f| f.context(OP, describe_route(dest, prefix, Some(via))))
    }

    /// Deletes the main-table route to `dest/prefix`; a missing route is not an error.
    pub fn del_route(&mut self, dest: IpAddr, prefix: u8) -> Result<()> {
        const OP: &str = "delete route";
        let message = route_message(OP, dest, prefix, None)?;
        match self.ack(RouteNetlinkMessage::DelRoute(message), 0) {
            Ok(()) => Ok(()),
            Err(f) if f.errno() == Some(Errno::ESRCH) => Ok(()),
            Err(f) => Err(f.context(OP, describe_route(dest, prefix, None))),
        }
    }
}

fn route_message(
    op: &'static str,
    dest: IpAddr,
    prefix: u8,
    via: Option<Via>,
) -> Result<RouteMessage> {
    if prefix > max_prefix(dest) {
        return Err(NetlinkError::invalid(
            op,
            describe_route(dest, prefix, via),
            format!("prefix length is above {}", max_prefix(dest)),
        ));
    }
    if let Some(Via::Gateway(gw)) = via {
        if family(gw) != family(dest) {
            return Err(NetlinkError::invalid(
                op,
                describe_route(dest, prefix, via),
                "gateway and destination are of different address families",
            ));
        }
    }
    let mut message = RouteMessage::default();
    message.header.address_family = family(dest);
    message.header.destination_prefix_length = prefix;
    message.header.table = RouteHeader::RT_TABLE_MAIN;
    // `ip route add` marks routes it adds as "boot"; the kernel's own are "kernel".
    message.header.protocol = RouteProtocol::Boot;
    message.header.kind = RouteType::Unicast;
    message.header.scope = match via {
        Some(Via::Device(_)) => RouteScope::Link,
        _ => RouteScope::Universe,
    };
    if prefix > 0 {
        message
            .attributes
            .push(RouteAttribute::Destination(route_address(dest)));
    }
    match via {
        Some(Via::Gateway(gw)) => message
            .attributes
            .push(RouteAttribute::Gateway(route_address(gw))),
        Some(Via::Device(index)) => message.attributes.push(RouteAttribute::Oif(index)),
        None => {}
    }
    Ok(message)
}

fn route_address(ip: IpAddr) -> RouteAddress {
    match ip {
        IpAddr::V4(v4) => RouteAddress::Inet(v4),
        IpAddr::V6(v6) => RouteAddress::Inet6(v6),
    }
}

fn describe_route(dest: IpAddr, prefix: u8, via: Option<Via>) -> String {
    let dest = if prefix == 0 {
        "default".to_string()
    } else {
        format!("{dest}/{prefix}")
    };
    match via {
        Some(Via::Gateway(gw)) => format!("{dest} via {gw}"),
        Some(Via::Device(index)) => format!("{dest} dev #{index}"),
        None => dest,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn netlink_default_route_has_no_destination_and_a_gateway() {
        let gw = IpAddr::V4(Ipv4Addr::new(10, 88, 0, 1));
        let message = route_message(
            "t",
            IpAddr::V4(Ipv4Addr::UNSPECIFIED),
            0,
            Some(Via::Gateway(gw)),
        );
        let message = message.ok().unwrap_or_default();
        assert_eq!(message.header.destination_prefix_length, 0);
        assert_eq!(message.header.table, RouteHeader::RT_TABLE_MAIN);
        assert_eq!(
            message.attributes,
            vec![RouteAttribute::Gateway(RouteAddress::Inet(Ipv4Addr::new(
                10, 88, 0, 1
            )))]
        );
    }

    #[test]
    fn netlink_route_with_mixed_families_is_rejected() {
        let err = route_message(
            "add route",
            IpAddr::V6(Ipv6Addr::UNSPECIFIED),
            0,
            Some(Via::Gateway(IpAddr::V4(Ipv4Addr::new(10, 0, 0, 1)))),
        )
        .err()
        .map(|e| e.to_string());
        assert_eq!(
            err.as_deref(),
            Some("add route default via 10.0.0.1: gateway and destination are of different address families")
        );
    }
}
