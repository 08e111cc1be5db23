//! Link creation, idempotency, name clashes, settings, and what `links()` reports.

use nix::errno::Errno;

use super::fixture::{self, TestNetns};
use crate::network::netlink::{LinkInfo, NetlinkError};

fn find<'a>(links: &'a [LinkInfo], name: &str) -> &'a LinkInfo {
    links
        .iter()
        .find(|l| l.name == name)
        .unwrap_or_else(|| panic!("{name} not listed in {links:?}"))
}

#[test]
fn netlink_create_bridge_twice_returns_the_same_bridge() {
    fixture::require();
    let ns = TestNetns::new();
    let mut nl = ns.netlink();
    let first = nl.create_bridge("berth0").expect("create bridge");
    let second = nl.create_bridge("berth0").expect("create bridge again");
    assert_eq!(first, second);
    assert_eq!(nl.link_index("berth0").expect("look up"), Some(first));
}

#[test]
fn netlink_bridge_name_held_by_a_veth_is_refused() {
    fixture::require();
    let ns = TestNetns::new();
    let mut nl = ns.netlink();
    nl.create_veth("vetha", "vethb").expect("create veth");
    let err = nl
        .create_bridge("vetha")
        .expect_err("a veth is not a bridge");
    assert!(matches!(err, NetlinkError::WrongKind { .. }), "{err:?}");
    assert!(err.is_exists());
    assert_eq!(err.to_string(), "create bridge vetha: exists as a veth");
    // The engine-level error classifies it as a conflict.
    let engine: crate::Error = err.into();
    assert!(matches!(engine, crate::Error::Conflict(_)), "{engine:?}");
}

#[test]
fn netlink_veth_name_clash_names_the_interface() {
    fixture::require();
    let ns = TestNetns::new();
    let mut nl = ns.netlink();
    nl.create_bridge("berth0").expect("create bridge");
    let err = nl
        .create_veth("berth0", "vethp")
        .expect_err("name taken by the bridge");
    assert_eq!(err.errno(), Some(Errno::EEXIST));
    assert_eq!(
        err.to_string(),
        "create veth berth0 (peer vethp): File exists"
    );
    assert_eq!(
        nl.link_index("vethp").expect("look up"),
        None,
        "no half pair"
    );
}

#[test]
fn netlink_delete_is_idempotent_and_takes_both_veth_ends() {
    fixture::require();
    let ns = TestNetns::new();
    let mut nl = ns.netlink();
    let (a, b) = nl.create_veth("vetha", "vethb").expect("create veth");
    nl.delete_link(b).expect("delete one end");
    assert_eq!(nl.link_by_index(a).expect("look up other end"), None);
    nl.delete_link(b).expect("deleting a missing link is fine");
    nl.delete_link(999_999)
        .expect("an index never used is fine");
    nl.delete_link_by_name("nothere")
        .expect("a missing name is fine");
}

#[test]
fn netlink_links_report_kinds_masters_and_settings() {
    fixture::require();
    let ns = TestNetns::new();
    let mut nl = ns.netlink();
    let bridge = nl.create_bridge("berth0").expect("create bridge");
    let (a, b) = nl.create_veth("vetha", "vethb").expect("create veth");
    nl.set_master(a, bridge).expect("set master");
    nl.set_mtu(a, 1400).expect("set mtu");
    nl.set_mac(b, [0x02, 0, 0, 0, 0, 0x0b]).expect("set mac");
    nl.set_alias(bridge, "berth:test").expect("set alias");
    nl.set_up(a).expect("up a");
    nl.set_up(b).expect("up b");

    let links = nl.links().expect("links");
    assert_eq!(find(&links, "lo").kind, None);
    assert_eq!(find(&links, "berth0").kind.as_deref(), Some("bridge"));
    assert_eq!(find(&links, "berth0").master, None);
    assert_eq!(find(&links, "berth0").alias.as_deref(), Some("berth:test"));
    assert_eq!(find(&links, "lo").alias, None);
    let va = find(&links, "vetha");
    assert_eq!((va.index, va.kind.as_deref()), (a, Some("veth")));
    assert_eq!(va.master, Some(bridge));
    assert_eq!(va.link, Some(b), "a veth names its peer");
    assert_eq!(va.mtu, 1400);
    assert!(va.up);
    let vb = find(&links, "vethb");
    assert_eq!(vb.mac, Some([0x02, 0, 0, 0, 0, 0x0b]));
    assert_eq!(vb.master, None);

    nl.set_down(a).expect("down a");
    nl.set_no_master(a).expect("release from bridge");
    let va = nl.link_by_index(a).expect("look up").expect("still there");
    assert!(!va.up);
    assert_eq!(va.master, None);

    // A rename onto a taken name names the link being renamed and the kernel's reason.
    let err = nl
        .rename(b, "berth0")
        .expect_err("name taken by the bridge");
    assert_eq!(err.to_string(), "rename vethb: File exists");
    nl.set_down(b).expect("down b");
    nl.rename(b, "eth0").expect("rename while down");
    assert_eq!(nl.link_index("eth0").expect("look up"), Some(b));
}

#[test]
fn netlink_errors_on_missing_links_name_the_operation() {
    fixture::require();
    let ns = TestNetns::new();
    let mut nl = ns.netlink();
    let err = nl.set_up(999_999).expect_err("no such link");
    assert!(err.is_not_found(), "{err:?}");
    assert_eq!(err.to_string(), "set up #999999: No such device");
    let err = nl
        .create_bridge("a-name-far-too-long")
        .expect_err("name too long");
    assert!(matches!(err, NetlinkError::Invalid { .. }), "{err:?}");
}
