//! Networking: networks and endpoints as plain data, address management, and the
//! drivers that make them real (netlink for bridges, veths and addresses).

pub mod attach;
mod bridge;
pub mod connect;
pub mod dns;
pub mod firewall;
pub mod gc;
pub mod host;
pub mod inspect;

pub mod ipam;
pub mod netlink;
pub mod owner;
pub mod ports;

pub mod store;
pub mod subnets;
pub mod types;
pub mod vips;
pub mod wiring;

pub use store::{Endpoint, NetworkOptions, NetworkStore};
pub use types::Network;
