//! Where names the containers do not own are sent: the nameservers of the host's
//! resolv.conf (`Config::resolv_conf`, `BERTH_RESOLV_CONF`, names another file; tests point it at a fake
//! upstream on loopback). The embedded server runs in the host's namespace, so a
//! loopback resolver such as systemd-resolved's 127.0.0.53 works as it does for the host.

use std::net::{Ipv4Addr, SocketAddrV4};
use std::path::Path;

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Upstream {
    pub servers: Vec<SocketAddrV4>,
    /// Search domains: `web.corp.example` asked by a container whose resolv.conf
    /// searches `corp.example` is the container `web`.
    pub search: Vec<String>,
}

/// Read a resolv.conf. IPv6 nameservers are left out (the server forwards over IPv4).
pub fn parse(text: &str) -> Upstream {
    let mut u = Upstream::default();
    for line in text.lines() {
        let mut words = line.split_whitespace();
        match words.next() {
            Some("nameserver") => {
                if let Some(ip) = words.next().and_then(|w| w.parse::<Ipv4Addr>().ok()) {
                    u.servers.push(SocketAddrV4::new(ip, 53));
                }
            }
            Some("search") | Some("domain") => {
                u.search = words
                    .map(|w| w.trim_end_matches('.').to_ascii_lowercase())
                    .collect();
            }
            _ => {}
        }
    }
    u
}

/// Read the resolv.conf at `path` (`Config::resolv_conf`); a missing file has none.
pub fn load(path: &Path) -> Upstream {
    parse(&std::fs::read_to_string(path).unwrap_or_default())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nameservers_and_search_domains() {
        let u = parse(
            "# x\nnameserver 127.0.0.53\nnameserver ::1\nsearch Corp.example. lab\noptions edns0\n",
        );
        assert_eq!(u.servers, vec!["127.0.0.53:53".parse().unwrap()]);
        assert_eq!(u.search, vec!["corp.example", "lab"]);
    }
}
