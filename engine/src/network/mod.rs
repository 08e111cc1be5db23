//! Container networking. `netlink` is the kernel-facing driver for links, addresses and
//! routes; bridges, IPAM, the firewall and DNS build on it.

pub mod netlink;
