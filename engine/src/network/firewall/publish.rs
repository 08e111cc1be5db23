//! Published ports in the firewall: two nftables maps from the host side of a port to
//! the container's address and port, consulted for connections to the host's own
//! addresses (`fib daddr type local`) from outside and from the host itself.
//! - `publish_addr`: host address . protocol . port (ports published on one address);
//! - `publish_any`: protocol . port (ports published on every address).
//!
//! Starting or stopping a container adds or deletes its elements in one small batch,
//! without rebuilding the table (which would wait for the kernel to retire the old
//! chains, several times slower).

use crate::network::ports::active::Active;
use crate::network::ports::Mapping;

/// The two maps (with the elements in force) and the chains that consult them.
pub fn definitions(published: &[Active]) -> String {
    let (any, addr) = elements(published);
    let map = |name: &str, key: &str, elems: &[String]| {
        let body = if elems.is_empty() {
            String::new()
        } else {
            format!("\t\telements = {{ {} }}\n", elems.join(", "))
        };
        format!("\tmap {name} {{\n\t\ttype {key} : ipv4_addr . inet_service\n{body}\t}}\n")
    };
    map(
        "publish_addr",
        "ipv4_addr . inet_proto . inet_service",
        &addr,
    ) + &map("publish_any", "inet_proto . inet_service", &any)
        + "\tchain publish {\n\
           \t\tdnat ip addr . port to ip daddr . meta l4proto . th dport map @publish_addr\n\
           \t\tdnat ip addr . port to meta l4proto . th dport map @publish_any\n\t}\n\
           \tchain prerouting {\n\
           \t\ttype nat hook prerouting priority dstnat; policy accept;\n\
           \t\tfib daddr type local jump publish\n\t}\n\
           \tchain output {\n\
           \t\ttype nat hook output priority -100; policy accept;\n\
           \t\tfib daddr type local jump publish\n\t}\n"
}

/// The map key of a mapping (without the value).
fn key(m: &Mapping) -> String {
    if m.host_ip.is_unspecified() {
        format!("{} . {}", m.proto.as_str(), m.host_port)
    } else {
        format!("{} . {} . {}", m.host_ip, m.proto.as_str(), m.host_port)
    }
}

/// Elements for (`publish_any`, `publish_addr`).
fn elements(published: &[Active]) -> (Vec<String>, Vec<String>) {
    let (mut any, mut addr) = (Vec::new(), Vec::new());
    for a in published {
        for m in &a.mappings {
            let e = format!("{} : {} . {}", key(m), a.container_ip, m.container_port);
            if m.host_ip.is_unspecified() {
                any.push(e);
            } else {
                addr.push(e);
            }
        }
    }
    (any, addr)
}

/// A batch adding (or deleting) one container's elements.
pub fn change(table: &str, a: &Active, add: bool) -> String {
    let mut out = String::new();
    let (any, addr) = elements(std::slice::from_ref(a));
    let keys = |host_any: bool| -> Vec<String> {
        a.mappings
            .iter()
            .filter(|m| m.host_ip.is_unspecified() == host_any)
            .map(key)
            .collect()
    };
    for (map, elems, keys) in [
        ("publish_any", any, keys(true)),
        ("publish_addr", addr, keys(false)),
    ] {
        if elems.is_empty() {
            continue;
        }
        let list = if add { elems } else { keys };
        // `create` (not `add`) fails on a key already there, such as one a killed
        // monitor left pointing elsewhere: the caller then rebuilds from the records.
        let verb = if add { "create" } else { "delete" };
        out.push_str(&format!(
            "{verb} element ip {table} {map} {{ {} }}\n",
            list.join(", ")
        ));
    }
    out
}
