//! berth-engine: everything that touches the kernel or the disk. The app asks; the engine
//! returns data and events, and never draws.

pub mod build;
pub mod cgroups;
pub mod config;
pub mod container;
mod engine;
pub mod error;
pub mod events;
pub mod image;
pub mod network;

pub mod runtime;
pub mod signals;
pub mod store;
pub mod swarm;
mod sweep;
pub mod util;
pub mod volume;

pub use config::Config;
pub use engine::Engine;
pub use error::{Error, Result};
