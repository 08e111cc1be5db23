//! Healthchecks, run by the container's monitor (no daemon): the check's settings
//! (config), the state it leads to (state), one check in flight (probe), the longer
//! history the TUI shows (history), and what to do when a container turns unhealthy
//! (policy: `--health-on-failure` and the built-in autoheal).

pub mod config;
pub mod history;
pub mod policy;
pub mod probe;
pub mod runner;
pub mod state;

pub use config::{HealthConfig, HealthFlags};
pub use state::{Health, HealthResult};
