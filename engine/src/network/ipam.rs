//! Address management: the next free address of a network, as a pure function over the
//! addresses already handed out. The caller holds the network's lock while it picks
//! and records, so no address is ever handed out twice, even under parallel runs.

use std::collections::BTreeSet;
use std::net::Ipv4Addr;

use super::types::Network;

/// The lowest free host address in the network's `ip_range` (or subnet), skipping the
/// network and broadcast addresses and the gateway.
pub fn next_free(net: &Network, used: &BTreeSet<Ipv4Addr>) -> Option<Ipv4Addr> {
    let pool = net.ip_range.unwrap_or(net.subnet);
    let start = u32::from(pool.addr);
    let end = u32::from(pool.broadcast());
    (start..=end).map(Ipv4Addr::from).find(|ip| {
        net.subnet.contains(*ip)
            && *ip != net.subnet.addr
            && *ip != net.subnet.broadcast()
            && *ip != net.gateway
            && !used.contains(ip)
    })
}

/// Check a requested `--ip`: inside the subnet, not reserved, not taken.
pub fn check_requested(
    net: &Network,
    ip: Ipv4Addr,
    used: &BTreeSet<Ipv4Addr>,
) -> Result<(), String> {
    if !net.subnet.contains(ip) {
        return Err(format!(
            "address {ip} is not in network {}'s subnet {}",
            net.name, net.subnet
        ));
    }
    if ip == net.subnet.addr || ip == net.subnet.broadcast() || ip == net.gateway {
        return Err(format!("address {ip} is reserved in network {}", net.name));
    }
    if used.contains(&ip) {
        return Err(format!(
            "Address already in use: {ip} on network {}",
            net.name
        ));
    }
    Ok(())
}

/// A locally administered MAC derived from the address, as Docker does (02:42:a.b.c.d).
pub fn mac_for(ip: Ipv4Addr) -> [u8; 6] {
    let o = ip.octets();
    [0x02, 0x42, o[0], o[1], o[2], o[3]]
}

pub fn format_mac(mac: &[u8; 6]) -> String {
    mac.iter()
        .map(|b| format!("{b:02x}"))
        .collect::<Vec<_>>()
        .join(":")
}

pub fn parse_mac(s: &str) -> Result<[u8; 6], String> {
    let parts: Vec<&str> = s.split(':').collect();
    let bytes: Vec<u8> = parts
        .iter()
        .filter_map(|p| u8::from_str_radix(p, 16).ok())
        .collect();
    if parts.len() != 6 || bytes.len() != 6 || parts.iter().any(|p| p.len() != 2) {
        return Err(format!(
            "invalid MAC address {s:?}: expected six hex pairs like 02:42:ac:11:00:02"
        ));
    }
    if bytes[0] & 1 == 1 {
        return Err(format!(
            "invalid MAC address {s:?}: a multicast address cannot name an interface"
        ));
    }
    let mut mac = [0u8; 6];
    mac.copy_from_slice(&bytes);
    Ok(mac)
}

#[cfg(test)]
mod tests {
    use super::super::types::Subnet;
    use super::*;

    fn net(subnet: &str, range: Option<&str>) -> Network {
        let subnet = Subnet::parse(subnet).unwrap();
        Network {
            id: "a".repeat(64),
            name: "n".into(),
            driver: "bridge".into(),
            created: String::new(),
            subnet,
            gateway: subnet.first_host(),
            ip_range: range.map(|r| Subnet::parse(r).unwrap()),
            subnet_auto: false,
            internal: false,
            labels: Default::default(),
            options: Default::default(),
            bridge: "br-x".into(),
            attachable: false,
            ingress: false,
        }
    }

    #[test]
    fn hands_out_each_address_once_and_skips_reserved_ones() {
        let n = net("10.1.0.0/29", None);
        let mut used = BTreeSet::new();
        let mut got = Vec::new();
        while let Some(ip) = next_free(&n, &used) {
            used.insert(ip);
            got.push(ip.to_string());
        }
        // .0 network, .1 gateway, .7 broadcast are never handed out.
        assert_eq!(
            got,
            ["10.1.0.2", "10.1.0.3", "10.1.0.4", "10.1.0.5", "10.1.0.6"]
        );
        used.remove(&"10.1.0.4".parse().unwrap());
        assert_eq!(next_free(&n, &used), Some("10.1.0.4".parse().unwrap()));
    }

    #[test]
    fn ip_range_limits_the_pool() {
        let n = net("10.2.0.0/16", Some("10.2.5.0/30"));
        assert_eq!(
            next_free(&n, &BTreeSet::new()),
            Some("10.2.5.0".parse().unwrap())
        );
        let used: BTreeSet<Ipv4Addr> = ["10.2.5.0", "10.2.5.1", "10.2.5.2", "10.2.5.3"]
            .iter()
            .map(|s| s.parse().unwrap())
            .collect();
        assert_eq!(next_free(&n, &used), None);
    }

    #[test]
    fn requested_addresses_and_macs() {
        let n = net("10.3.0.0/24", None);
        let used: BTreeSet<Ipv4Addr> = ["10.3.0.9".parse().unwrap()].into();
        assert!(check_requested(&n, "10.3.0.10".parse().unwrap(), &used).is_ok());
        assert!(check_requested(&n, "10.3.0.9".parse().unwrap(), &used)
            .unwrap_err()
            .contains("in use"));
        assert!(check_requested(&n, "10.3.0.1".parse().unwrap(), &used)
            .unwrap_err()
            .contains("reserved"));
        assert!(check_requested(&n, "10.4.0.1".parse().unwrap(), &used).is_err());
        assert_eq!(
            format_mac(&mac_for("172.17.0.2".parse().unwrap())),
            "02:42:ac:11:00:02"
        );
        assert_eq!(
            parse_mac("02:42:ac:11:00:02").unwrap(),
            mac_for("172.17.0.2".parse().unwrap())
        );
        assert!(parse_mac("01:00:00:00:00:00").is_err());
        assert!(parse_mac("zz:00:00:00:00:00").is_err());
    }
}
