//! A small synchronous rtnetlink client: bridges, veth pairs, link settings, addresses and
//! routes, driven over one NETLINK_ROUTE socket without spawning `ip`.
//!
//! A [`Netlink`] handle works in the network namespace it was opened in
//! ([`Netlink::open`] for the current one, [`Netlink::open_in_netns`] for a container's).
//! Setup calls are idempotent where a retry is natural (an existing bridge, address or
//! route is fine; deleting a missing link is fine) and strict where reuse would be a bug
//! (a veth name that is taken, a bridge name held by another kind of device).

mod address;
mod error;
mod info;
mod link;
mod netns;
mod route;
mod socket;

#[cfg(test)]
mod tests;

pub use address::broadcast;
pub use error::{NetlinkError, Result};
pub use info::{format_mac, LinkInfo};
pub use route::Via;
pub use socket::Netlink;
