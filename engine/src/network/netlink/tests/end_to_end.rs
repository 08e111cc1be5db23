//! The whole container wiring, as the engine will do it: a bridge and a veth in one
//! namespace (the "host"), the veth's peer moved into a second one (the "container"),
//! renamed eth0, addressed and routed; then real pings prove packets flow both ways and
//! through the default route.

use std::net::{IpAddr, Ipv4Addr};

use super::fixture::{self, stdout, TestNetns};

#[test]
fn netlink_bridge_veth_and_route_carry_a_real_ping() {
    fixture::require();
    let host_ns = TestNetns::new();
    let container_ns = TestNetns::new();
    // A /24 per test run inside our own namespaces; nothing leaves them.
    let net = u8::try_from(fixture::unique() % 200).unwrap_or(0) + 20;
    let bridge_ip = IpAddr::V4(Ipv4Addr::new(10, 250, net, 1));
    let container_ip = IpAddr::V4(Ipv4Addr::new(10, 250, net, 2));
    // Only reachable from the container through its default route.
    let beyond_ip = IpAddr::V4(Ipv4Addr::new(10, 251, net, 1));
    let mac = [0x02, 0x42, 0x0a, 0xfa, net, 0x02];

    let mut host = host_ns.netlink();
    let bridge = host.create_bridge("berth0").expect("create bridge");
    let (host_end, peer_end) = host.create_veth("vethb1", "vethc1").expect("create veth");
    host.set_master(host_end, bridge)
        .expect("attach veth to bridge");
    host.add_address(bridge, bridge_ip, 24)
        .expect("bridge address");
    host.add_address(bridge, beyond_ip, 24)
        .expect("second bridge address");
    host.set_up(bridge).expect("bridge up");
    host.set_up(host_end).expect("veth up");

    let holder = container_ns.park_process();
    host.move_to_netns_pid(peer_end, holder.pid())
        .expect("move peer into the container namespace");
    assert_eq!(host.link_index("vethc1").expect("look up moved peer"), None);

    let mut container = container_ns.netlink();
    container.set_loopback_up().expect("lo up");
    let eth0 = container
        .link_index("vethc1")
        .expect("look up peer")
        .expect("peer arrived in the container namespace");
    container.rename(eth0, "eth0").expect("rename to eth0");
    container.set_mac(eth0, mac).expect("set mac");
    container
        .add_address(eth0, container_ip, 24)
        .expect("eth0 address");
    container.set_up(eth0).expect("eth0 up");
    container
        .add_default_route(bridge_ip)
        .expect("default route");

    let links = container.links().expect("container links");
    let eth0_info = links
        .iter()
        .find(|l| l.name == "eth0")
        .expect("eth0 listed");
    assert_eq!(eth0_info.index, eth0);
    assert_eq!(eth0_info.kind.as_deref(), Some("veth"));
    assert_eq!(eth0_info.mac, Some(mac));
    assert!(eth0_info.up);
    assert!(links.iter().any(|l| l.name == "lo" && l.up));
    // Besides ours, eth0 has the IPv6 link-local address the kernel adds on its own.
    let addresses = container.addresses(eth0).expect("eth0 addresses");
    assert!(addresses.contains(&(container_ip, 24)), "{addresses:?}");
    let routes = stdout(&container_ns, &["ip", "-4", "route", "show", "default"]);
    assert!(
        routes.contains(&format!("via {bridge_ip} dev eth0")),
        "{routes}"
    );

    assert!(
        container_ns.ping(&bridge_ip.to_string()),
        "container -> bridge"
    );
    assert!(
        host_ns.ping(&container_ip.to_string()),
        "bridge -> container"
    );
    assert!(
        container_ns.ping(&beyond_ip.to_string()),
        "via the default route"
    );
    assert!(container_ns.ping("127.0.0.1"), "loopback in the container");
    assert!(
        fixture::tcp_echo(&host_ns, bridge_ip, &container_ns),
        "tcp from container to bridge"
    );

    // Deleting the host end takes the container's eth0 with it.
    host.delete_link(host_end).expect("delete host end");
    assert_eq!(container.link_index("eth0").expect("look up eth0"), None);
}
