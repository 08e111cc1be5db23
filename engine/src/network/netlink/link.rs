//! Creating, changing and deleting links: bridges, veth pairs, and the per-link settings
//! (master, up/down, MTU, MAC, name, namespace) a container's network needs.

use std::fs::File;
use std::os::fd::AsRawFd;
use std::path::Path;

use netlink_packet_core::{NLM_F_CREATE, NLM_F_EXCL};
use netlink_packet_route::link::{
    InfoData, InfoKind, InfoVeth, LinkAttribute, LinkFlags, LinkInfo as KernelLinkInfo, LinkMessage,
};
use netlink_packet_route::RouteNetlinkMessage;
use nix::errno::Errno;

use super::error::{NetlinkError, Result};
use super::socket::Netlink;

/// IFNAMSIZ less the terminating NUL.
const MAX_NAME_LEN: usize = 15;

/// Rejects names the kernel would refuse (with a bare EINVAL) or that would be unsafe as
/// path components under /sys/class/net.
pub(crate) fn check_name(op: &'static str, name: &str) -> Result<()> {
    let reason = if name.is_empty() {
        "interface name is empty"
    } else if name.len() > MAX_NAME_LEN {
        "interface name is longer than 15 bytes"
    } else if name == "." || name == ".." {
        "interface name cannot be . or .."
    } else if name
        .chars()
        .any(|c| c == '/' || c == ':' || c.is_whitespace())
    {
        "interface name cannot contain '/', ':' or whitespace"
    } else {
        return Ok(());
    };
    Err(NetlinkError::invalid(op, name, reason))
}

impl Netlink {
    /// Creates a bridge called `name` and returns its index. An existing bridge of that
    /// name is reused, so setting a network up twice is harmless; an existing interface
    /// of another kind is an error, never silently adopted.
    pub fn create_bridge(&mut self, name: &str) -> Result<u32> {
        const OP: &str = "create bridge";
        check_name(OP, name)?;
        if let Some(index) = self.existing_of_kind(OP, name, "bridge")? {
            return Ok(index);
        }
        let message = new_link(name, InfoKind::Bridge, None);
        match self.ack(message, NLM_F_CREATE | NLM_F_EXCL) {
            Ok(()) => {}
            // Someone created it between our look-up and our request: judge it again.
            Err(f) if f.errno() == Some(Errno::EEXIST) => {
                if let Some(index) = self.existing_of_kind(OP, name, "bridge")? {
                    return Ok(index);
                }
                return Err(f.context(OP, name));
            }
            Err(f) => return Err(f.context(OP, name)),
        }
        self.created_index(OP, name)
    }

    /// Creates a veth pair and returns the indexes of (`host`, `peer`). Both ends start
    /// in this namespace; move `peer` with [`Netlink::move_to_netns_pid`]. Either name
    /// being taken is an error: a veth is per container and never reused.
    pub fn create_veth(&mut self, host: &str, peer: &str) -> Result<(u32, u32)> {
        const OP: &str = "create veth";
        check_name(OP, host)?;
        check_name(OP, peer)?;
        if host == peer {
            return Err(NetlinkError::invalid(
                OP,
                host,
                "both ends have the same name",
            ));
        }
        let mut peer_message = LinkMessage::default();
        peer_message
            .attributes
            .push(LinkAttribute::IfName(peer.to_string()));
        let message = new_link(host, InfoKind::Veth, Some(peer_message));
        self.ack(message, NLM_F_CREATE | NLM_F_EXCL)
            .map_err(|f| f.context(OP, format!("{host} (peer {peer})")))?;
        let host_index = self.created_index(OP, host)?;
        let peer_index = self.created_index(OP, peer)?;
        Ok((host_index, peer_index))
    }

    /// Creates a veth pair whose `peer` end is born in the network namespace of process
    /// `pid` (named there, e.g. `eth0`). Returns the host end's index. Unlike creating
    /// both ends here and moving one, this skips the move's RCU grace period (~10 ms).
    pub fn create_veth_into(&mut self, host: &str, peer: &str, pid: i32) -> Result<u32> {
        const OP: &str = "create veth";
        check_name(OP, host)?;
        check_name(OP, peer)?;
        let mut peer_message = LinkMessage::default();
        peer_message
            .attributes
            .push(LinkAttribute::IfName(peer.to_string()));
        peer_message
            .attributes
            .push(LinkAttribute::NetNsPid(pid as u32));
        let message = new_link(host, InfoKind::Veth, Some(peer_message));
        self.ack(message, NLM_F_CREATE | NLM_F_EXCL)
            .map_err(|f| f.context(OP, format!("{host} (peer {peer} in the netns of {pid})")))?;
        self.created_index(OP, host)
    }

    /// Enslaves link `index` to the bridge `master`.
    pub fn set_master(&mut self, index: u32, master: u32) -> Result<()> {
        self.set_link("set master of", index, |m| {
            m.attributes.push(LinkAttribute::Controller(master))
        })
    }

    /// Releases link `index` from its bridge.
    pub fn set_no_master(&mut self, index: u32) -> Result<()> {
        self.set_link("release from master", index, |m| {
            m.attributes.push(LinkAttribute::Controller(0))
        })
    }

    /// Brings link `index` administratively up.
    pub fn set_up(&mut self, index: u32) -> Result<()> {
        self.set_link("set up", index, |m| {
            m.header.flags = LinkFlags::Up;
            m.header.change_mask = LinkFlags::Up;
        })
    }

    /// Brings link `index` administratively down.
    pub fn set_down(&mut self, index: u32) -> Result<()> {
        self.set_link("set down", index, |m| {
            m.header.flags = LinkFlags::empty();
            m.header.change_mask = LinkFlags::Up;
        })
    }

    /// Brings `lo` up: a fresh network namespace starts with its loopback down, and
    /// programs inside expect 127.0.0.1 to answer.
    pub fn set_loopback_up(&mut self) -> Result<()> {
        let index = self
            .link_index("lo")?
            .ok_or_else(|| NetlinkError::kernel("set up", "lo", Errno::ENODEV))?;
        self.set_up(index)
    }

    pub fn set_mtu(&mut self, index: u32, mtu: u32) -> Result<()> {
        self.set_link("set mtu of", index, |m| {
            m.attributes.push(LinkAttribute::Mtu(mtu))
        })
    }

    /// Sets the link's alias (`ip link set ... alias`): berth marks the links it makes
    /// with the firewall table of its state root, so cleanup can tell its own links from
    /// another root's or the host's.
    pub fn set_alias(&mut self, index: u32, alias: &str) -> Result<()> {
        let alias = alias.to_string();
        self.set_link("set alias of", index, |m| {
            m.attributes.push(LinkAttribute::IfAlias(alias))
        })
    }

    pub fn set_mac(&mut self, index: u32, mac: [u8; 6]) -> Result<()> {
        if mac[0] & 1 == 1 {
            let target = self.describe(index);
            return Err(NetlinkError::invalid(
                "set mac of",
                target,
                format!("{} is a multicast address", super::format_mac(&mac)),
            ));
        }
        self.set_link("set mac of", index, |m| {
            m.attributes.push(LinkAttribute::Address(mac.to_vec()))
        })
    }

    /// Renames link `index`. Kernels before 6.x refuse (EBUSY) to rename a link that is
    /// up, so rename before [`Netlink::set_up`].
    pub fn rename(&mut self, index: u32, new_name: &str) -> Result<()> {
        check_name("rename", new_name)?;
        let name = new_name.to_string();
        self.set_link("rename", index, |m| {
            m.attributes.push(LinkAttribute::IfName(name))
        })
    }

    /// Moves link `index` into the network namespace of process `pid`. The link leaves
    /// this socket's view: later calls must use a socket opened in that namespace.
    pub fn move_to_netns_pid(&mut self, index: u32, pid: i32) -> Result<()> {
        let pid = u32::try_from(pid).map_err(|_| {
            NetlinkError::invalid(
                "move to netns",
                format!("#{index}"),
                format!("bad pid {pid}"),
            )
        })?;
        self.set_link("move to netns of", index, |m| {
            m.attributes.push(LinkAttribute::NetNsPid(pid))
        })
    }

    /// Moves link `index` into the network namespace at `ns_file` (`/proc/PID/ns/net` or
    /// a `/run/netns` bind mount), for namespaces that no process we know of holds.
    pub fn move_to_netns_path(&mut self, index: u32, ns_file: &Path) -> Result<()> {
        let file = File::open(ns_file).map_err(|e| NetlinkError::Netns {
            op: "open network namespace",
            path: ns_file.to_path_buf(),
            errno: e.raw_os_error().map_or(Errno::EIO, Errno::from_raw),
        })?;
        // The kernel reads the fd during the request; `file` outlives it.
        let fd = file.as_raw_fd();
        self.set_link("move to netns of", index, |m| {
            m.attributes.push(LinkAttribute::NetNsFd(fd))
        })
    }

    /// Deletes link `index`. Deleting either end of a veth removes both. A link that is
    /// already gone is not an error, so teardown can be repeated.
    pub fn delete_link(&mut self, index: u32) -> Result<()> {
        let mut message = LinkMessage::default();
        message.header.index = index;
        match self.ack(RouteNetlinkMessage::DelLink(message), 0) {
            Ok(()) => Ok(()),
            Err(f) if f.errno() == Some(Errno::ENODEV) => Ok(()),
            Err(f) => Err(f.context("delete link", self.describe(index))),
        }
    }

    /// Deletes the link called `name` if it exists.
    pub fn delete_link_by_name(&mut self, name: &str) -> Result<()> {
        match self.link_index(name)? {
            Some(index) => self.delete_link(index),
            None => Ok(()),
        }
    }

    /// Sends an RTM_SETLINK for `index` shaped by `fill`; on failure the error names the
    /// interface rather than its bare index.
    fn set_link(
        &mut self,
        op: &'static str,
        index: u32,
        fill: impl FnOnce(&mut LinkMessage),
    ) -> Result<()> {
        let mut message = LinkMessage::default();
        message.header.index = index;
        fill(&mut message);
        match self.ack(RouteNetlinkMessage::SetLink(message), 0) {
            Ok(()) => Ok(()),
            Err(f) => Err(f.context(op, self.describe(index))),
        }
    }

    /// The index of `name` if it exists with driver `kind`; an error if it exists as
    /// anything else.
    fn existing_of_kind(
        &mut self,
        op: &'static str,
        name: &str,
        kind: &str,
    ) -> Result<Option<u32>> {
        match self.link_by_name(name)? {
            None => Ok(None),
            Some(link) if link.kind.as_deref() == Some(kind) => Ok(Some(link.index)),
            Some(link) => Err(NetlinkError::WrongKind {
                op,
                target: name.to_string(),
                existing: match link.kind {
                    Some(kind) => format!("a {kind}"),
                    None => "a device of no kind".to_string(),
                },
            }),
        }
    }

    /// The index of a link we have just created; its absence means it was deleted under
    /// us, which is reported rather than assumed away.
    fn created_index(&mut self, op: &'static str, name: &str) -> Result<u32> {
        self.link_index(name)?
            .ok_or_else(|| NetlinkError::kernel(op, name, Errno::ENODEV))
    }
}

/// An RTM_NEWLINK for a virtual device of `kind`, with the veth peer when there is one.
fn new_link(name: &str, kind: InfoKind, veth_peer: Option<LinkMessage>) -> RouteNetlinkMessage {
    let mut info = vec![KernelLinkInfo::Kind(kind)];
    if let Some(peer) = veth_peer {
        info.push(KernelLinkInfo::Data(InfoData::Veth(InfoVeth::Peer(peer))));
    }
    let mut message = LinkMessage::default();
    message.attributes = vec![
        LinkAttribute::IfName(name.to_string()),
        LinkAttribute::LinkInfo(info),
    ];
    RouteNetlinkMessage::NewLink(message)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn netlink_names_the_kernel_would_refuse_are_rejected_early() {
        assert!(check_name("t", "eth0").is_ok());
        assert!(check_name("t", "berth-0123456789").is_err()); // 16 bytes
        assert!(check_name("t", "berth-012345678").is_ok()); // 15 bytes
        for bad in ["", ".", "..", "a/b", "a b", "a:b"] {
            let err = check_name("create bridge", bad).err();
            assert!(matches!(err, Some(NetlinkError::Invalid { .. })), "{bad:?}");
        }
    }

    #[test]
    fn netlink_invalid_name_error_names_operation_and_interface() {
        let err = check_name("create veth", "a/b")
            .err()
            .map(|e| e.to_string());
        assert_eq!(
            err.as_deref(),
            Some("create veth a/b: interface name cannot contain '/', ':' or whitespace")
        );
    }
}
