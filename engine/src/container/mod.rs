//! Containers: records, lifecycle operations, the monitor, logs and the attach protocol,
//! and the filesystem and inspection commands (diff, export, commit, cp, top, stats).

pub mod anatomy;
pub mod attach;
pub mod commit;
pub mod commit_changes;
pub mod copy;
pub mod copy_plan;
pub mod create;
pub mod create_host;
pub mod devices;
pub mod diff;
pub mod dns_config;
pub mod env;
pub mod exec;
pub mod export;
pub mod fs_job;
pub mod health;
pub mod inspect;
pub mod inspect_keys;
pub mod launch;
pub mod lifecycle;
pub mod limits;
pub mod links;
pub mod log_config;
pub mod logdriver;
pub mod logfile;
pub mod logread;
pub mod model;
pub mod monitor;
pub mod namespaces_mode;
pub mod overlay_tree;
pub mod path_stat;
pub mod procfs;
pub mod reap;
pub mod recover;
pub mod rootfs_view;
pub mod run_options;
pub mod security_opt;
pub mod shm;
pub mod spec_parse;
pub mod start;
pub mod stats;
pub mod stdio;
pub mod store;
pub mod summary;
pub mod sysctls;
pub mod tarwrite;
pub mod top;
pub mod ulimits;
mod unfinished;
pub mod update;

pub use model::{Container, ContainerRecord, State, Status};

/// Now, as Docker writes times in records: RFC 3339 UTC with nanoseconds.
pub fn now_rfc3339() -> String {
    chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Nanos, true)
}

/// Now, to the second (volume and image records).
pub fn now_rfc3339_secs() -> String {
    chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
}
