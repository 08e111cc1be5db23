//! Reading links: `LinkInfo`, the plain-data view of one interface, and the lookups by
//! name and index that every other operation starts from.

use netlink_packet_route::link::{
    LinkAttribute, LinkFlags, LinkInfo as KernelLinkInfo, LinkMessage,
};
use netlink_packet_route::RouteNetlinkMessage;
use nix::errno::Errno;

use super::error::Result;
use super::socket::Netlink;

/// One network interface as the kernel reports it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LinkInfo {
    pub index: u32,
    pub name: String,
    /// The driver kind (`bridge`, `veth`, `dummy`...); `None` for devices created by
    /// hardware drivers and for `lo`.
    pub kind: Option<String>,
    /// Index of the bridge (or bond) this interface is enslaved to.
    pub master: Option<u32>,
    /// For a veth, the peer's index (in the peer's namespace, which may not be this one).
    pub link: Option<u32>,
    pub mac: Option<[u8; 6]>,
    pub mtu: u32,
    /// Administratively up (IFF_UP).
    pub up: bool,
    /// The carrier is present (IFF_LOWER_UP): for a veth, both ends are up.
    pub lower_up: bool,
    /// The alias set with `set_alias` (`ip link ... alias`), if any.
    pub alias: Option<String>,
}

impl LinkInfo {
    /// Builds the plain view from a kernel link message; `None` without a name, which
    /// the kernel always sends, so such a message is not a link we can describe.
    pub(crate) fn from_message(message: &LinkMessage) -> Option<LinkInfo> {
        let mut info = LinkInfo {
            index: message.header.index,
            name: String::new(),
            kind: None,
            master: None,
            link: None,
            mac: None,
            mtu: 0,
            up: message.header.flags.contains(LinkFlags::Up),
            lower_up: message.header.flags.contains(LinkFlags::LowerUp),
            alias: None,
        };
        let mut named = false;
        for attribute in &message.attributes {
            match attribute {
                LinkAttribute::IfName(name) => {
                    info.name = name.clone();
                    named = true;
                }
                LinkAttribute::Controller(index) if *index != 0 => info.master = Some(*index),
                LinkAttribute::Link(index) if *index != 0 => info.link = Some(*index),
                LinkAttribute::Mtu(mtu) => info.mtu = *mtu,
                LinkAttribute::IfAlias(alias) => info.alias = Some(alias.clone()),
                LinkAttribute::Address(bytes) => info.mac = <[u8; 6]>::try_from(&bytes[..]).ok(),
                LinkAttribute::LinkInfo(infos) => {
                    for item in infos {
                        if let KernelLinkInfo::Kind(kind) = item {
                            info.kind = Some(kind.to_string());
                        }
                    }
                }
                _ => {}
            }
        }
        named.then_some(info)
    }
}

/// Formats a MAC address the way `ip link` prints it.
pub fn format_mac(mac: &[u8; 6]) -> String {
    mac.iter()
        .map(|b| format!("{b:02x}"))
        .collect::<Vec<_>>()
        .join(":")
}

impl Netlink {
    /// Every interface in this socket's namespace.
    pub fn links(&mut self) -> Result<Vec<LinkInfo>> {
        let replies = self
            .dump(RouteNetlinkMessage::GetLink(LinkMessage::default()))
            .map_err(|f| f.context("list links", "in namespace"))?;
        Ok(replies.iter().filter_map(link_of).collect())
    }

    /// The interface called `name`, if there is one.
    pub fn link_by_name(&mut self, name: &str) -> Result<Option<LinkInfo>> {
        super::link::check_name("look up link", name)?;
        let mut request = LinkMessage::default();
        request
            .attributes
            .push(LinkAttribute::IfName(name.to_string()));
        self.get_link(request, "look up link", name)
    }

    /// The interface with index `index`, if there is one.
    pub fn link_by_index(&mut self, index: u32) -> Result<Option<LinkInfo>> {
        let mut request = LinkMessage::default();
        request.header.index = index;
        self.get_link(request, "look up link", &format!("#{index}"))
    }

    /// The index of the interface called `name`, if there is one.
    pub fn link_index(&mut self, name: &str) -> Result<Option<u32>> {
        Ok(self.link_by_name(name)?.map(|l| l.index))
    }

    fn get_link(
        &mut self,
        request: LinkMessage,
        op: &'static str,
        target: &str,
    ) -> Result<Option<LinkInfo>> {
        match self.get(RouteNetlinkMessage::GetLink(request)) {
            Ok(replies) => Ok(replies.iter().find_map(link_of)),
            Err(f) if matches!(f.errno(), Some(Errno::ENODEV)) => Ok(None),
            Err(f) => Err(f.context(op, target)),
        }
    }

    /// A name for `index` in error messages: the interface's name when it can still be
    /// looked up, its index otherwise.
    pub(crate) fn describe(&mut self, index: u32) -> String {
        match self.link_by_index(index) {
            Ok(Some(link)) => link.name,
            _ => format!("#{index}"),
        }
    }
}

fn link_of(message: &RouteNetlinkMessage) -> Option<LinkInfo> {
    match message {
        RouteNetlinkMessage::NewLink(link) => LinkInfo::from_message(link),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use netlink_packet_route::link::{InfoKind, LinkHeader};

    use super::*;

    #[test]
    fn netlink_link_info_reads_kind_master_mac_and_flags() {
        let mut message = LinkMessage::default();
        message.header = LinkHeader {
            index: 7,
            flags: LinkFlags::Up | LinkFlags::Broadcast,
            ..LinkHeader::default()
        };
        message.attributes = vec![
            LinkAttribute::IfName("veth1".into()),
            LinkAttribute::Mtu(1500),
            LinkAttribute::Controller(3),
            LinkAttribute::Link(8),
            LinkAttribute::Address(vec![2, 0, 0, 0, 0, 1]),
            LinkAttribute::LinkInfo(vec![KernelLinkInfo::Kind(InfoKind::Veth)]),
        ];
        let info = LinkInfo::from_message(&message);
        assert_eq!(
            info,
            Some(LinkInfo {
                index: 7,
                name: "veth1".into(),
                kind: Some("veth".into()),
                master: Some(3),
                link: Some(8),
                mac: Some([2, 0, 0, 0, 0, 1]),
                mtu: 1500,
                up: true,
                lower_up: false,
                alias: None,
            })
        );
    }

    #[test]
    fn netlink_link_without_a_name_is_skipped() {
        assert_eq!(LinkInfo::from_message(&LinkMessage::default()), None);
    }

    #[test]
    fn netlink_mac_formats_like_ip_link() {
        assert_eq!(
            format_mac(&[0x02, 0x42, 0xac, 0x11, 0, 0x0a]),
            "02:42:ac:11:00:0a"
        );
    }
}
