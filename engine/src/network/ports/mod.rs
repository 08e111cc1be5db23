//! Published ports: parsing `-p`/`--expose` (spec), holding the host ports while a
//! container runs (hold), and the record of which ports are in force (active), which
//! the firewall turns into redirect rules.

pub mod active;
pub mod hold;
pub mod spec;

pub use spec::{Mapping, PortBinding, PortMap, Proto};
