//! berth-engine: everything that touches the kernel or the disk. The app asks; the engine
//! returns data and events, and never draws.

pub mod cgroups;
pub mod error;
pub mod image;
pub mod store;

pub use error::{Error, Result};
