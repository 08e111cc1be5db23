//! Containers: records, lifecycle operations, the monitor, logs and the attach protocol.

pub mod attach;
pub mod create;
pub mod inspect;
pub mod launch;
pub mod lifecycle;
pub mod logfile;
pub mod model;
pub mod monitor;
pub mod procfs;
pub mod reap;
pub mod spec_parse;
pub mod start;
pub mod stdio;
pub mod store;

pub use model::{Container, ContainerRecord, State, Status};

/// Now, as Docker writes times in records: RFC 3339 UTC with nanoseconds.
pub fn now_rfc3339() -> String {
    chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Nanos, true)
}

/// Now, to the second (volume and image records).
pub fn now_rfc3339_secs() -> String {
    chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
}
