//! A small synchronous rtnetlink client: bridges, veth pairs, link settings, addresses and
//! routes, driven over one NETLINK_ROUTE socket without spawning `ip`.
//!
//! A [`Netlink`] handle works in the network namespace it was opened in
//! ([`Netlink::open`] for the current one, [`Netlink::open_in_netns`] for a container's).

mod error;
mod info;
mod link;
mod netns;
mod socket;

pub use error::{NetlinkError, Result};
pub use info::{format_mac, LinkInfo};
pub use socket::Netlink;
