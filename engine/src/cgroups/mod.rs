//! cgroups v1 and v2 behind one interface: create a container's cgroup with its limits,
//! place processes in it, freeze/thaw it, read its stats, and remove it.
//!
//! STUB: the real implementation is being written in a separate change; this file fixes
//! the interface the container runtime codes against.

mod files;
pub mod mounts;
pub mod validate;

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};

/// The limits Docker's run flags set. `None` leaves the kernel default.
#[derive(Debug, Default, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Resources {
    /// `-m`: bytes.
    pub memory: Option<i64>,
    /// `--memory-swap`: memory plus swap, bytes; -1 is unlimited swap.
    pub memory_swap: Option<i64>,
    /// `--cpus` in billionths of a CPU (Docker's NanoCpus).
    pub nano_cpus: Option<i64>,
    /// `--cpu-shares` (relative weight, v1 scale: 2..262144).
    pub cpu_shares: Option<u64>,
    /// `--pids-limit`; -1 or 0 is unlimited.
    pub pids_limit: Option<i64>,
    /// `--cpuset-cpus`, e.g. "0-1" or "0,1".
    pub cpuset_cpus: Option<String>,
    /// `--cpuset-mems`.
    pub cpuset_mems: Option<String>,
}

/// A point-in-time reading of a container's cgroup.
#[derive(Debug, Default, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Stats {
    pub memory_usage: u64,
    pub memory_limit: Option<u64>,
    pub memory_cache: u64,
    pub cpu_usage_ns: u64,
    pub pids_current: u64,
    pub pids_limit: Option<u64>,
    pub io_read_bytes: u64,
    pub io_write_bytes: u64,
    /// How many times the OOM killer has killed a process in this cgroup.
    pub oom_kills: u64,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Hierarchy {
    /// Only v1 controllers.
    Legacy,
    /// v1 controllers plus an (empty) v2 tree at `unified/`.
    Hybrid,
    /// Pure v2.
    Unified,
}

/// What the runtime needs from a container's cgroup, whichever version backs it.
pub trait CgroupManager: Send + Sync + std::fmt::Debug {
    /// Make the cgroup and apply `res`. On failure nothing is left behind.
    fn create(&self, res: &Resources) -> Result<()>;
    fn update(&self, res: &Resources) -> Result<()>;
    fn add_task(&self, pid: i32) -> Result<()>;
    fn procs(&self) -> Result<Vec<i32>>;
    fn freeze(&self) -> Result<()>;
    fn thaw(&self) -> Result<()>;
    fn is_frozen(&self) -> Result<bool>;
    fn stats(&self) -> Result<Stats>;
    /// Kill every process in the cgroup with SIGKILL (thawing first if frozen).
    fn kill_all(&self) -> Result<()>;
    /// Remove the cgroup directories. Missing ones are not an error.
    fn destroy(&self) -> Result<()>;
    /// Every directory that makes up this cgroup (one per v1 controller, one on v2).
    fn paths(&self) -> Vec<PathBuf>;
}

pub fn detect(_mount_root: &Path) -> Result<Hierarchy> {
    Err(Error::Runtime("cgroups: not implemented yet".into()))
}

/// The manager for cgroup `parent/name` under `mount_root` (normally `/sys/fs/cgroup`).
pub fn open(_mount_root: &Path, _parent: &str, _name: &str) -> Result<Box<dyn CgroupManager>> {
    Err(Error::Runtime("cgroups: not implemented yet".into()))
}
