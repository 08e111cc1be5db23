//! `open_in_netns` puts the socket in the target namespace and always brings the thread
//! back, and links can be moved by namespace file as well as by pid.

use std::path::Path;

use super::fixture::{self, inode, TestNetns};
use crate::network::netlink::Netlink;

const OWN: &str = "/proc/thread-self/ns/net";

#[test]
fn netlink_open_in_netns_returns_the_thread_home() {
    fixture::require();
    let home = inode(Path::new(OWN));
    let ns = TestNetns::new();
    let _nl = ns.netlink();
    assert_eq!(inode(Path::new(OWN)), home, "after success");

    let missing = Netlink::open_in_netns(Path::new("/run/netns/berthtest-missing"));
    let err = missing.err().map(|e| e.to_string()).unwrap_or_default();
    assert!(
        err.starts_with("open network namespace /run/netns/berthtest-missing:"),
        "{err}"
    );
    // A namespace file of the wrong type is refused by setns itself.
    let wrong = Netlink::open_in_netns(Path::new("/proc/thread-self/ns/uts"));
    let err = wrong.err().map(|e| e.to_string()).unwrap_or_default();
    assert!(
        err.starts_with("enter network namespace /proc/thread-self/ns/uts:"),
        "{err}"
    );
    assert_eq!(inode(Path::new(OWN)), home, "after failures");
}

#[test]
fn netlink_move_to_netns_path_hands_the_link_over() {
    fixture::require();
    let a = TestNetns::new();
    let b = TestNetns::new();
    let mut nl_a = a.netlink();
    let (_, peer) = nl_a.create_veth("vetha", "vethb").expect("create veth");
    nl_a.move_to_netns_path(peer, &b.path)
        .expect("move by path");
    assert_eq!(nl_a.link_index("vethb").expect("look up in a"), None);
    let mut nl_b = b.netlink();
    let moved = nl_b.link_by_name("vethb").expect("look up in b");
    assert_eq!(moved.and_then(|l| l.kind), Some("veth".to_string()));
}
