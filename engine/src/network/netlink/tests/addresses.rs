//! Addresses and routes on links inside a test namespace.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

use super::fixture::{self, stdout, TestNetns};
use crate::network::netlink::Via;

#[test]
fn netlink_addresses_add_idempotently_and_delete() {
    fixture::require();
    let ns = TestNetns::new();
    let mut nl = ns.netlink();
    let bridge = nl.create_bridge("berth0").expect("create bridge");
    let v4 = IpAddr::V4(Ipv4Addr::new(10, 252, 0, 1));
    let v6: IpAddr = IpAddr::V6(Ipv6Addr::new(0xfd00, 0xbe, 0, 0, 0, 0, 0, 1));
    nl.add_address(bridge, v4, 16).expect("add v4");
    nl.add_address(bridge, v4, 16)
        .expect("add v4 again is fine");
    nl.add_address(bridge, v6, 64).expect("add v6");

    let addresses = nl.addresses(bridge).expect("list");
    assert_eq!(addresses.iter().filter(|a| **a == (v4, 16)).count(), 1);
    assert!(addresses.contains(&(v6, 64)), "{addresses:?}");
    let shown = stdout(&ns, &["ip", "-4", "addr", "show", "dev", "berth0"]);
    assert!(
        shown.contains("10.252.0.1/16 brd 10.252.255.255"),
        "{shown}"
    );

    nl.del_address(bridge, v4, 16).expect("delete v4");
    nl.del_address(bridge, v4, 16)
        .expect("delete v4 again is fine");
    assert!(!nl.addresses(bridge).expect("list").contains(&(v4, 16)));

    let err = nl.add_address(999_999, v4, 16).expect_err("no such link");
    assert_eq!(
        err.to_string(),
        "add address 10.252.0.1/16 to #999999: No such device"
    );
}

#[test]
fn netlink_routes_add_replace_and_delete() {
    fixture::require();
    let ns = TestNetns::new();
    let mut nl = ns.netlink();
    let bridge = nl.create_bridge("berth0").expect("create bridge");
    nl.add_address(bridge, IpAddr::V4(Ipv4Addr::new(10, 253, 0, 1)), 24)
        .expect("address");
    nl.set_up(bridge).expect("up");

    let dest = IpAddr::V4(Ipv4Addr::new(10, 254, 0, 0));
    nl.add_route(dest, 16, Via::Device(bridge))
        .expect("on-link route");
    let gw = IpAddr::V4(Ipv4Addr::new(10, 253, 0, 9));
    nl.add_route(dest, 16, Via::Gateway(gw))
        .expect("replacing a route is fine");
    nl.add_default_route(gw).expect("default route");
    nl.add_default_route(gw).expect("default route again");
    let routes = stdout(&ns, &["ip", "-4", "route"]);
    assert!(
        routes.contains("default via 10.253.0.9 dev berth0"),
        "{routes}"
    );
    assert!(
        routes.contains("10.254.0.0/16 via 10.253.0.9 dev berth0"),
        "{routes}"
    );

    nl.del_route(dest, 16).expect("delete route");
    nl.del_route(dest, 16).expect("delete it again is fine");
    let routes = stdout(&ns, &["ip", "-4", "route"]);
    assert!(!routes.contains("10.254.0.0/16"), "{routes}");
}
