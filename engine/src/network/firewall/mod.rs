//! The firewall: one nftables table per state root (named by `owner::Owner`), rebuilt whole from the list of
//! networks whenever a network appears or goes (netavark's approach: the ruleset is a
//! value, built by a pure function, applied in one atomic batch). It gives
//! - egress: traffic from a non-internal network to anywhere else is masqueraded;
//! - isolation: a network's bridge forwards only to itself, never to another network;
//! - `--internal`: nothing enters or leaves the network's bridge except between its own
//!   containers.
//!
//! The driver applies the batch with `nft -f -`. It runs only when a network's bridge is
//! first made or a network is removed, not for every container; a netlink driver can
//! replace it behind `apply` without changing the ruleset.

use std::io::Write;
use std::process::{Command, Stdio};

mod publish;

use super::ports::active::Active;
use super::types::Network;
use crate::error::{Error, Result};

fn quote(s: &str) -> String {
    format!("\"{}\"", s.replace('"', ""))
}

/// The whole table for these networks and published ports. Deleting and re-adding it
/// in one batch makes the change atomic: packets see either the old rules or the new ones.
pub fn ruleset(table: &str, nets: &[Network], published: &[Active]) -> String {
    let mut forward = vec![
        "type filter hook forward priority filter; policy accept;".to_string(),
        "ct state established,related accept".to_string(),
    ];
    let mut post = vec!["type nat hook postrouting priority srcnat; policy accept;".to_string()];
    // Bridges answer 127.0.0.1 on the host side (route_localnet, which the redirect of
    // 127.0.0.1 needs); nothing from a bridge may reach the host's loopback services.
    let mut input = vec!["type filter hook input priority filter; policy accept;".to_string()];
    let bridges: Vec<&str> = nets.iter().map(|n| n.bridge.as_str()).collect();
    for n in nets {
        let b = quote(&n.bridge);
        // (Replies to redirected connections from 127.0.0.1 are let through: conntrack
        // turns their destination back into 127.0.0.1 before this hook.)
        input.push(format!(
            "iifname {b} ip daddr 127.0.0.0/8 ct status & dnat != dnat drop"
        ));
        forward.push(format!("iifname {b} oifname {b} accept"));
        let others: Vec<String> = bridges
            .iter()
            .filter(|o| **o != n.bridge)
            .map(|o| quote(o))
            .collect();
        if !others.is_empty() {
            forward.push(format!(
                "iifname {b} oifname {{ {} }} drop",
                others.join(", ")
            ));
        }
        if n.internal {
            forward.push(format!("iifname {b} drop"));
            forward.push(format!("oifname {b} drop"));
        } else {
            // From outside, only published ports reach a container.
            forward.push(format!("oifname {b} ct status dnat accept"));
            forward.push(format!("oifname {b} drop"));
            post.push(format!("ip saddr {} oifname != {b} masquerade", n.subnet));
            // Redirected connections from the host's loopback, or from a container to
            // a port its own network publishes, must come back through the host.
            post.push(format!("oifname {b} ip saddr 127.0.0.0/8 masquerade"));
            post.push(format!(
                "oifname {b} ip saddr {} ct status dnat masquerade",
                n.subnet
            ));
        }
    }
    let chain = |name: &str, rules: &[String]| {
        let body: Vec<String> = rules.iter().map(|r| format!("\t\t{r}")).collect();
        format!("\tchain {name} {{\n{}\n\t}}\n", body.join("\n"))
    };
    let mut chains =
        chain("input", &input) + &chain("forward", &forward) + &chain("postrouting", &post);
    chains += &publish::definitions(published);
    format!("table ip {table} {{}}\ndelete table ip {table}\ntable ip {table} {{\n{chains}}}\n")
}

/// Apply a batch with `nft -f -` (the mesh's table goes through here too).
pub fn run_nft(batch: &str) -> Result<()> {
    nft(batch)
}

fn nft(batch: &str) -> Result<()> {
    let mut child = Command::new("nft")
        .args(["-f", "-"])
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| Error::Runtime(format!("run nft (install the nftables package): {e}")))?;
    if let Some(mut stdin) = child.stdin.take() {
        stdin
            .write_all(batch.as_bytes())
            .map_err(|e| Error::Runtime(format!("write the ruleset to nft: {e}")))?;
    }
    let out = child
        .wait_with_output()
        .map_err(|e| Error::Runtime(format!("wait for nft: {e}")))?;
    if !out.status.success() {
        return Err(Error::Runtime(format!(
            "nft refused berth's ruleset: {}",
            String::from_utf8_lossy(&out.stderr).trim()
        )));
    }
    Ok(())
}

/// Install the table for `nets` (replacing any previous one), and turn on IPv4
/// forwarding when some network needs egress, as Docker does.
pub fn apply(table: &str, nets: &[Network], published: &[Active]) -> Result<()> {
    // Rules first: forwarding is only turned on once isolation is in place.
    nft(&ruleset(table, nets, published))?;
    if nets.iter().any(|n| !n.internal) {
        let _ = std::fs::write("/proc/sys/net/ipv4/ip_forward", "1");
    }
    Ok(())
}

/// Start (`add`) or stop redirecting one container's published ports, leaving the
/// rest of the table as it is. Fails when the table is missing or an element clashes;
/// the caller then rebuilds the whole table.
pub fn change_ports(table: &str, a: &Active, add: bool) -> Result<()> {
    let batch = publish::change(table, a, add);
    if batch.is_empty() {
        return Ok(());
    }
    nft(&batch)
}

/// Remove the table entirely (no networks left, or a test cleaning up).
pub fn remove(table: &str) -> Result<()> {
    nft(&format!("table ip {table} {{}}\ndelete table ip {table}\n"))
}

#[cfg(test)]
mod tests {
    use super::super::types::Subnet;
    use super::*;

    fn net(name: &str, bridge: &str, subnet: &str, internal: bool) -> Network {
        let subnet = Subnet::parse(subnet).unwrap();
        Network {
            id: "0".repeat(64),
            name: name.into(),
            driver: "bridge".into(),
            created: String::new(),
            subnet,
            gateway: subnet.first_host(),
            ip_range: None,
            subnet_auto: false,
            internal,
            labels: Default::default(),
            options: Default::default(),
            bridge: bridge.into(),
            attachable: false,
            ingress: false,
        }
    }

    #[test]
    fn ruleset_isolates_masquerades_and_seals_internal_networks() {
        let nets = [
            net("bridge", "berth0", "172.17.0.0/16", false),
            net("back", "br-b", "10.9.0.0/24", true),
        ];
        let r = ruleset("berth", &nets, &[]);
        // The filter and NAT rules; the published-port maps follow (tested below).
        let end = r.find("\tmap publish_addr").unwrap();
        assert_eq!(
            format!("{}}}\n", &r[..end]),
            "table ip berth {}\ndelete table ip berth\ntable ip berth {\n\tchain input {\n\
             \t\ttype filter hook input priority filter; policy accept;\n\
             \t\tiifname \"berth0\" ip daddr 127.0.0.0/8 ct status & dnat != dnat drop\n\
             \t\tiifname \"br-b\" ip daddr 127.0.0.0/8 ct status & dnat != dnat drop\n\
             \t}\n\tchain forward {\n\
             \t\ttype filter hook forward priority filter; policy accept;\n\
             \t\tct state established,related accept\n\
             \t\tiifname \"berth0\" oifname \"berth0\" accept\n\
             \t\tiifname \"berth0\" oifname { \"br-b\" } drop\n\
             \t\toifname \"berth0\" ct status dnat accept\n\
             \t\toifname \"berth0\" drop\n\
             \t\tiifname \"br-b\" oifname \"br-b\" accept\n\
             \t\tiifname \"br-b\" oifname { \"berth0\" } drop\n\
             \t\tiifname \"br-b\" drop\n\
             \t\toifname \"br-b\" drop\n\
             \t}\n\tchain postrouting {\n\
             \t\ttype nat hook postrouting priority srcnat; policy accept;\n\
             \t\tip saddr 172.17.0.0/16 oifname != \"berth0\" masquerade\n\
             \t\toifname \"berth0\" ip saddr 127.0.0.0/8 masquerade\n\
             \t\toifname \"berth0\" ip saddr 172.17.0.0/16 ct status dnat masquerade\n\
             \t}\n}\n"
        );
    }

    #[test]
    fn published_ports_redirect_local_addresses_to_the_container() {
        use crate::network::ports::{Mapping, Proto};
        let nets = [net("bridge", "berth0", "172.17.0.0/16", false)];
        let m = |proto, ip: &str, host_port, container_port| Mapping {
            proto,
            host_ip: ip.parse().unwrap(),
            host_port,
            container_port,
        };
        let active = Active {
            container: "c".into(),
            monitor_pid: 1,
            monitor_start_time: 0,
            container_ip: "172.17.0.2".parse().unwrap(),
            bridge: "berth0".into(),
            mappings: vec![
                m(Proto::Tcp, "0.0.0.0", 8080, 80),
                m(Proto::Udp, "127.0.0.1", 5353, 53),
            ],
        };
        let r = ruleset("berth", &nets, std::slice::from_ref(&active));
        assert!(r.contains(
            "\tmap publish_addr {\n\t\ttype ipv4_addr . inet_proto . inet_service : ipv4_addr . inet_service\n\
             \t\telements = { 127.0.0.1 . udp . 5353 : 172.17.0.2 . 53 }\n\t}\n\
             \tmap publish_any {\n\t\ttype inet_proto . inet_service : ipv4_addr . inet_service\n\
             \t\telements = { tcp . 8080 : 172.17.0.2 . 80 }\n\t}\n"
        ), "{r}");
        assert!(r.contains("type nat hook prerouting priority dstnat; policy accept;\n\t\tfib daddr type local jump publish"), "{r}");
        assert!(r.contains("type nat hook output priority -100; policy accept;\n\t\tfib daddr type local jump publish"), "{r}");
        // Starting and stopping one container changes only its elements.
        assert_eq!(
            publish::change("berth", &active, true),
            "create element ip berth publish_any { tcp . 8080 : 172.17.0.2 . 80 }\n\
             create element ip berth publish_addr { 127.0.0.1 . udp . 5353 : 172.17.0.2 . 53 }\n"
        );
        assert_eq!(
            publish::change("berth", &active, false),
            "delete element ip berth publish_any { tcp . 8080 }\n\
             delete element ip berth publish_addr { 127.0.0.1 . udp . 5353 }\n"
        );
    }

    #[test]
    fn the_kernel_accepts_the_ruleset() {
        // SAFETY: geteuid has no preconditions.
        assert_eq!(unsafe { libc::geteuid() }, 0, "this test runs as root");
        assert!(
            Command::new("nft").arg("--version").output().is_ok(),
            "this test needs nft: apt-get install -y nftables"
        );
        let table = format!("berthtest{}", std::process::id());
        // The table goes even when an assertion fails.
        struct Gone(String);
        impl Drop for Gone {
            fn drop(&mut self) {
                let _ = remove(&self.0);
            }
        }
        let _gone = Gone(table.clone());
        let nets = [
            net("a", "bta0", "10.9.1.0/24", false),
            net("b", "btb0", "10.9.2.0/24", true),
        ];
        let published = [Active {
            container: "c".into(),
            monitor_pid: 1,
            monitor_start_time: 0,
            container_ip: "10.9.1.2".parse().unwrap(),
            bridge: "bta0".into(),
            mappings: vec![crate::network::ports::Mapping {
                proto: crate::network::ports::Proto::Tcp,
                host_ip: "127.0.0.1".parse().unwrap(),
                host_port: 18080,
                container_port: 80,
            }],
        }];
        nft(&ruleset(&table, &nets, &published)).unwrap();
        let listed = Command::new("nft")
            .args(["list", "table", "ip", &table])
            .output()
            .unwrap();
        let text = String::from_utf8_lossy(&listed.stdout);
        assert!(text.contains("masquerade"), "{text}");
        assert!(text.contains("oifname \"btb0\" drop"), "{text}");
        assert!(
            text.contains("127.0.0.1 . tcp . 18080 : 10.9.1.2 . 80"),
            "{text}"
        );
        // One more container's ports come and go without a rebuild.
        let mut other = published[0].clone();
        other.container_ip = "10.9.1.3".parse().unwrap();
        other.mappings[0].host_ip = std::net::Ipv4Addr::UNSPECIFIED;
        change_ports(&table, &other, true).unwrap();
        let list = || {
            let out = Command::new("nft")
                .args(["list", "table", "ip", &table])
                .output()
                .unwrap();
            String::from_utf8_lossy(&out.stdout).into_owned()
        };
        assert!(list().contains("tcp . 18080 : 10.9.1.3 . 80"), "{}", list());
        // Adding it twice is refused (the caller then rebuilds).
        assert!(change_ports(&table, &other, true).is_err());
        change_ports(&table, &other, false).unwrap();
        assert!(!list().contains("10.9.1.3"));
        // Applying again replaces, never duplicates.
        nft(&ruleset(&table, &nets, &published)).unwrap();
        let again = Command::new("nft")
            .args(["list", "table", "ip", &table])
            .output()
            .unwrap();
        assert_eq!(
            String::from_utf8_lossy(&again.stdout)
                .matches("10.9.1.2 . 80")
                .count(),
            1
        );
        remove(&table).unwrap();
        let gone = Command::new("nft")
            .args(["list", "table", "ip", &table])
            .output()
            .unwrap();
        assert!(!gone.status.success());
    }
}
