//! cgroups v1 and v2 behind one interface: create a container's cgroup with its limits,
//! place processes in it, freeze/thaw it, read its stats, and remove it.
//!
//! [`detect`] tells the layout from the files under the mount root alone, and [`open`]
//! picks the manager: [`V1Manager`] for legacy and hybrid hosts (one directory per
//! controller, plus one in the empty v2 tree on hybrid), [`V2Manager`] for unified hosts.
//! Limits are checked with Docker's rules and wording by the engine before they reach a
//! manager (`container::limits`), and the per-controller files live one module per controller under
//! `v1/` and `v2/`, each tested against a fixture directory. README.md in this directory
//! says which parts are also tested against the running kernel.

pub mod confine;
mod files;
pub mod machine;
pub mod mounts;
pub mod v1;
pub mod v2;

#[cfg(test)]
mod real_tests;

use std::collections::BTreeMap;
use std::fs;
use std::path::{Component, Path, PathBuf};
use std::time::Duration;

use serde::{Deserialize, Serialize};

pub use machine::Machine;
pub use v1::V1Manager;
pub use v2::V2Manager;

use crate::error::{Error, IoContext, Result};

/// How long freezing may take before we give up and thaw again. A task in an
/// uninterruptible sleep (NFS, FUSE) can hold a freeze back.
pub const FREEZE_TIMEOUT: Duration = Duration::from_secs(5);
/// How long `kill_all` waits for the cgroup to empty after SIGKILL.
pub const KILL_TIMEOUT: Duration = Duration::from_secs(5);

/// The limits Docker's run flags set. `None` leaves the kernel default.
#[derive(Debug, Default, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Resources {
    /// `-m`: bytes.
    pub memory: Option<i64>,
    /// `--memory-swap`: memory plus swap, bytes; -1 is unlimited swap.
    pub memory_swap: Option<i64>,
    /// `--memory-reservation`: the soft limit, bytes.
    #[serde(default)]
    pub memory_reservation: Option<i64>,
    /// `--cpus` in billionths of a CPU (Docker's NanoCpus).
    pub nano_cpus: Option<i64>,
    /// `--cpu-period`: the CFS period in microseconds.
    #[serde(default)]
    pub cpu_period: Option<i64>,
    /// `--cpu-quota`: the CFS quota in microseconds per period; -1 is unlimited.
    #[serde(default)]
    pub cpu_quota: Option<i64>,
    /// `--cpu-shares` (relative weight, v1 scale: 2..262144).
    pub cpu_shares: Option<u64>,
    /// `--pids-limit`; -1 or 0 is unlimited.
    pub pids_limit: Option<i64>,
    /// `--cpuset-cpus`, e.g. "0-1" or "0,1".
    pub cpuset_cpus: Option<String>,
    /// `--cpuset-mems`.
    pub cpuset_mems: Option<String>,
    /// `--privileged`: every device may be used. Otherwise only Docker's short list
    /// (null, zero, full, random, urandom, tty, console, ptmx, pts, tun) may be opened.
    #[serde(default)]
    pub all_devices: bool,
    /// `--device`: device cgroup rules (`c 1:3 rwm`) allowed on top of the default list.
    #[serde(default)]
    pub device_rules: Vec<String>,
    /// `--oom-kill-disable`: the OOM killer leaves the cgroup alone (v1 only; cgroup v2
    /// has no such switch, and Docker drops the flag there too).
    #[serde(default)]
    pub oom_kill_disable: bool,
}

/// A point-in-time reading of a container's cgroup: the totals Berth shows, and the
/// detail Docker's stats API passes on.
#[derive(Debug, Default, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct Stats {
    pub memory_usage: u64,
    pub memory_limit: Option<u64>,
    /// Inactive page cache counted in the usage (v1 `total_inactive_file`, v2
    /// `inactive_file`): what Docker's CLI leaves out of the memory it shows.
    pub memory_inactive_file: u64,
    /// `memory.stat` as the kernel writes it (Docker's `memory_stats.stats`).
    pub memory_stat: BTreeMap<String, u64>,
    /// v1 only: the peak usage and how often the limit was hit.
    pub memory_max_usage: Option<u64>,
    pub memory_failcnt: Option<u64>,
    pub cpu_usage_ns: u64,
    /// CPU time in user and kernel mode, nanoseconds.
    pub cpu_user_ns: u64,
    pub cpu_system_ns: u64,
    /// v1 only: CPU time per CPU, nanoseconds.
    pub cpu_percpu_ns: Vec<u64>,
    pub cpu_throttling: Throttling,
    pub pids_current: u64,
    pub pids_limit: Option<u64>,
    pub io_read_bytes: u64,
    pub io_write_bytes: u64,
    /// The same bytes per block device.
    pub io_devices: Vec<IoDevice>,
    /// How many times the OOM killer has killed a process in this cgroup.
    pub oom_kills: u64,
}

/// CFS bandwidth control: periods, those throttled, and the time throttled.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Throttling {
    pub periods: u64,
    pub throttled_periods: u64,
    pub throttled_ns: u64,
}

#[derive(Debug, Default, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct IoDevice {
    pub major: u64,
    pub minor: u64,
    pub read_bytes: u64,
    pub write_bytes: u64,
}

impl Stats {
    /// Sum `io_devices` into the totals.
    pub(crate) fn total_io(&mut self) {
        self.io_read_bytes = self.io_devices.iter().map(|d| d.read_bytes).sum();
        self.io_write_bytes = self.io_devices.iter().map(|d| d.write_bytes).sum();
    }
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

/// Tell the layout of the cgroup filesystems under `mount_root` from its files alone:
/// a cgroup2 mount is recognised by its `cgroup.controllers`, v1 hierarchies by their
/// directory names. Only the root must exist; anything that is neither unified nor hybrid
/// is legacy (and [`open`] then reports missing controllers precisely).
pub fn detect(mount_root: &Path) -> Result<Hierarchy> {
    fs::metadata(mount_root).ctx("read cgroup root", mount_root)?;
    if mount_root.join("cgroup.controllers").is_file() {
        return Ok(Hierarchy::Unified);
    }
    let has_v1 = !mounts::from_scan(mount_root)?.is_empty();
    if has_v1 && mount_root.join("unified/cgroup.controllers").is_file() {
        return Ok(Hierarchy::Hybrid);
    }
    Ok(Hierarchy::Legacy)
}

/// The manager for cgroup `parent/name` under `mount_root` (normally `/sys/fs/cgroup`).
/// `parent` may have several components (`machine/berth`) and, as with Docker's
/// `--cgroup-parent`, a leading `/` (it is relative to each hierarchy's root either way);
/// "" puts the cgroup directly under the root. Nothing may climb out with `..`.
pub fn open(mount_root: &Path, parent: &str, name: &str) -> Result<Box<dyn CgroupManager>> {
    let parent = parent.trim_matches('/');
    check_rel("cgroup parent", parent, true)?;
    check_rel("cgroup name", name, false)?;
    Ok(match detect(mount_root)? {
        Hierarchy::Unified => Box::new(V2Manager::new(mount_root, parent, name)),
        Hierarchy::Hybrid => Box::new(V1Manager::new(
            mount_root,
            parent,
            name,
            Some(mount_root.join("unified")),
        )?),
        Hierarchy::Legacy => Box::new(V1Manager::new(mount_root, parent, name, None)?),
    })
}

fn check_rel(what: &str, s: &str, nested: bool) -> Result<()> {
    let ok = if nested {
        Path::new(s)
            .components()
            .all(|c| matches!(c, Component::Normal(_)))
    } else {
        !s.is_empty() && !s.contains('/') && s != "." && s != ".."
    };
    if ok {
        Ok(())
    } else {
        Err(Error::invalid(format!(
            "invalid {what} {s:?}: must be a relative path without \"..\""
        )))
    }
}

/// The controllers the limits in `res` need, with what to call the limit in an error.
pub(crate) fn required_controllers(res: &Resources) -> Vec<(&'static str, &'static str)> {
    let set = |v: Option<i64>| v.is_some_and(|v| v != 0);
    let mut out = Vec::new();
    if set(res.memory) || set(res.memory_swap) || set(res.memory_reservation) {
        out.push(("memory", "Memory limit"));
    }
    if set(res.nano_cpus)
        || set(res.cpu_period)
        || set(res.cpu_quota)
        || res.cpu_shares.is_some_and(|s| s != 0)
    {
        out.push(("cpu", "CPU limit"));
    }
    if res.cpuset_cpus.is_some() || res.cpuset_mems.is_some() {
        out.push(("cpuset", "Cpuset limit"));
    }
    if res.pids_limit.is_some() {
        out.push(("pids", "PIDs limit"));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tree(dirs: &[&str], files: &[&str]) -> tempfile::TempDir {
        let tmp = tempfile::tempdir().unwrap();
        for d in dirs {
            fs::create_dir_all(tmp.path().join(d)).unwrap();
        }
        for f in files {
            fs::write(tmp.path().join(f), "").unwrap();
        }
        tmp
    }

    #[test]
    fn detect_unified_hybrid_legacy() {
        let unified = tree(&[], &["cgroup.controllers", "cgroup.procs"]);
        assert_eq!(detect(unified.path()).unwrap(), Hierarchy::Unified);
        let hybrid = tree(
            &["cpu", "memory", "unified"],
            &["unified/cgroup.controllers"],
        );
        assert_eq!(detect(hybrid.path()).unwrap(), Hierarchy::Hybrid);
        let comounted = tree(
            &["cpu,cpuacct", "memory", "unified"],
            &["unified/cgroup.controllers"],
        );
        assert_eq!(detect(comounted.path()).unwrap(), Hierarchy::Hybrid);
        // An empty `unified/` directory is not a cgroup2 mount.
        let legacy = tree(&["cpu", "memory", "unified"], &[]);
        assert_eq!(detect(legacy.path()).unwrap(), Hierarchy::Legacy);
        assert_eq!(detect(tree(&[], &[]).path()).unwrap(), Hierarchy::Legacy);
        assert!(detect(&unified.path().join("missing"))
            .unwrap_err()
            .is_not_found());
    }

    #[test]
    fn open_picks_the_manager() {
        let unified = tree(&[], &["cgroup.controllers"]);
        let m = open(unified.path(), "berth", "c1").unwrap();
        assert_eq!(m.paths(), vec![unified.path().join("berth/c1")]);
        let hybrid = tree(
            &["cpu,cpuacct", "memory", "unified"],
            &["unified/cgroup.controllers"],
        );
        let m = open(hybrid.path(), "berth", "c1").unwrap();
        let h = hybrid.path();
        assert_eq!(
            m.paths(),
            vec![
                h.join("cpu,cpuacct/berth/c1"),
                h.join("memory/berth/c1"),
                h.join("unified/berth/c1")
            ]
        );
        let legacy = tree(&["memory"], &[]);
        assert_eq!(
            open(legacy.path(), "a/b", "c").unwrap().paths(),
            vec![legacy.path().join("memory/a/b/c")]
        );
        let nothing = tree(&[], &[]);
        assert!(open(nothing.path(), "berth", "c1")
            .unwrap_err()
            .to_string()
            .contains("no cgroup v1"));
    }

    #[test]
    fn open_checks_names() {
        let unified = tree(&[], &["cgroup.controllers"]);
        for (parent, name) in [
            ("..", "x"),
            ("a/../b", "x"),
            ("berth", ".."),
            ("berth", "a/b"),
            ("berth", ""),
        ] {
            let err = open(unified.path(), parent, name).unwrap_err();
            assert!(
                matches!(err, Error::InvalidArgument(_)),
                "{parent}/{name}: {err}"
            );
        }
        // Docker's `--cgroup-parent=/docker` is relative to the root too.
        let m = open(unified.path(), "/docker/", "x").unwrap();
        assert_eq!(m.paths(), vec![unified.path().join("docker/x")]);
        let m = open(unified.path(), "", "x").unwrap();
        assert_eq!(m.paths(), vec![unified.path().join("x")]);
    }

    #[test]
    fn required_controllers_follow_the_limits() {
        assert!(required_controllers(&Resources::default()).is_empty());
        let res = Resources {
            memory: Some(0),
            nano_cpus: Some(1),
            pids_limit: Some(-1),
            ..Default::default()
        };
        let names: Vec<_> = required_controllers(&res)
            .into_iter()
            .map(|(c, _)| c)
            .collect();
        assert_eq!(names, vec!["cpu", "pids"]);
    }
}
