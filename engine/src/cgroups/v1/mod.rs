//! The cgroup v1 manager: one directory per v1 hierarchy
//! (`<root>/<controller>/<parent>/<name>`), and on a hybrid host one more in the v2 tree.
//! Hierarchies Berth sets no limit in (`name=systemd`, `net_cls`...) get the directory
//! too: the container's cgroup namespace must be rooted at its own cgroup in every one
//! (see `mounts.rs` for why).
//!
//! On hybrid hosts the v2 tree (`<root>/unified`) has no controllers, but runc and systemd
//! still place containers there: it is what `/proc/PID/cgroup`'s `0::` line shows and what
//! tools that only read v2 see, so a container in it is visible as a unit. It costs one
//! `mkdir` and one `rmdir`, so we do the same.

pub mod blkio;
pub mod cpu;
pub mod cpuacct;
pub mod cpuset;
pub mod devices;
pub mod freezer;
pub mod memory;
pub mod pids;

use std::path::{Path, PathBuf};

use super::files::{
    self, join_errors, kill_until_empty, mkdir_tracked, read_pids_tree, rmdir_if_empty, rmdir_tree,
};
use super::machine::Machine;
use super::mounts::{v1_mounts, V1Mounts};
use super::{required_controllers, CgroupManager, Resources, Stats, FREEZE_TIMEOUT, KILL_TIMEOUT};
use crate::error::{Error, Result};

#[derive(Debug, Clone)]
pub struct V1Manager {
    root: PathBuf,
    /// `<parent>/<name>`, relative to each controller's mount.
    rel: PathBuf,
    parent: PathBuf,
    mounts: V1Mounts,
    /// The cgroup2 mount of a hybrid host.
    unified: Option<PathBuf>,
    machine: Machine,
}

impl V1Manager {
    /// The manager for `<parent>/<name>` in the v1 hierarchies under `root`; `unified` is
    /// the hybrid host's cgroup2 mount, if the cgroup should be made there too.
    pub fn new(root: &Path, parent: &str, name: &str, unified: Option<PathBuf>) -> Result<Self> {
        let mounts = v1_mounts(root)?;
        if mounts.is_empty() {
            return Err(Error::Runtime(format!(
                "no cgroup v1 controllers are mounted under {}",
                root.display()
            )));
        }
        Ok(V1Manager {
            root: root.to_path_buf(),
            rel: Path::new(parent).join(name),
            parent: PathBuf::from(parent),
            mounts,
            unified,
            machine: Machine::probe(),
        })
    }

    /// Validate against `machine` instead of this host (tests).
    pub fn with_machine(mut self, machine: Machine) -> Self {
        self.machine = machine;
        self
    }

    /// This cgroup's directory in `controller`'s hierarchy, if that controller is mounted.
    pub fn controller_path(&self, controller: &str) -> Option<PathBuf> {
        self.mounts
            .controllers
            .get(controller)
            .map(|m| m.join(&self.rel))
    }

    /// Each v1 hierarchy's mount once (co-mounted controllers share one), then the v2
    /// mount.
    fn mount_dirs(&self) -> Vec<PathBuf> {
        let mut out = self.mounts.hierarchies.clone();
        out.extend(self.unified.iter().cloned());
        out
    }

    fn check_controllers(&self, res: &Resources) -> Result<()> {
        for (ctrl, what) in required_controllers(res) {
            if !self.mounts.controllers.contains_key(ctrl) {
                return Err(Error::invalid(format!(
                    "{what} is not supported: the {ctrl} cgroup controller is not mounted under {}",
                    self.root.display()
                )));
            }
        }
        Ok(())
    }

    fn apply(&self, res: &Resources) -> Result<()> {
        let at = |c: &str| self.controller_path(c);
        if let Some(d) = at("cpuset") {
            cpuset::apply(&d, res)?;
        }
        if let Some(d) = at("memory") {
            memory::apply(&d, res)?;
        }
        if let Some(d) = at("cpu") {
            cpu::apply(&d, res)?;
        }
        if let Some(d) = at("pids") {
            pids::apply(&d, res)?;
        }
        Ok(())
    }

    /// The device list is set once, at create: `update` carries no device settings, and
    /// rewriting the list (deny-all first) would cut a running container off its
    /// `--device` nodes, or a `--privileged` one off everything.
    fn apply_devices(&self, res: &Resources) -> Result<()> {
        match self.controller_path("devices") {
            Some(d) => devices::apply(&d, res),
            None => Ok(()),
        }
    }

    fn make_dirs(&self, created: &mut Vec<PathBuf>) -> Result<()> {
        let cpuset = self.mounts.controllers.get("cpuset");
        for m in self.mount_dirs() {
            let leaf = m.join(&self.rel);
            mkdir_tracked(&leaf, created)?;
            if Some(&m) == cpuset {
                // Top-down: each level copies from the one above it.
                let mut cur = m.clone();
                for comp in self.rel.components() {
                    cur.push(comp);
                    cpuset::inherit(&cur)?;
                }
            }
        }
        Ok(())
    }

    fn freezer(&self) -> Result<PathBuf> {
        self.controller_path("freezer").ok_or_else(|| {
            Error::Runtime(format!(
                "the freezer cgroup controller is not mounted under {}",
                self.root.display()
            ))
        })
    }
}

impl CgroupManager for V1Manager {
    fn create(&self, res: &Resources) -> Result<()> {
        self.check_controllers(res)?;
        let mut created = Vec::new();
        let result = self
            .make_dirs(&mut created)
            .and_then(|()| self.apply(res))
            .and_then(|()| self.apply_devices(res));
        if result.is_err() {
            files::rollback(&created);
            self.remove_empty_parents();
        }
        result
    }

    fn update(&self, res: &Resources) -> Result<()> {
        self.check_controllers(res)?;
        if !self.paths().iter().any(|p| p.is_dir()) {
            return Err(Error::not_found("cgroup", self.rel.display().to_string()));
        }
        self.apply(res)
    }

    fn add_task(&self, pid: i32) -> Result<()> {
        for dir in self.paths() {
            files::write(&dir.join("cgroup.procs"), pid.to_string())?;
        }
        Ok(())
    }

    /// The union over every hierarchy and the cgroups the container made below its own:
    /// a process half-moved by a failed `add_task` still shows up, so `kill_all` gets it
    /// too.
    fn procs(&self) -> Result<Vec<i32>> {
        let mut all = Vec::new();
        for dir in self.paths() {
            all.extend(read_pids_tree(&dir)?);
        }
        all.sort_unstable();
        all.dedup();
        Ok(all)
    }

    fn freeze(&self) -> Result<()> {
        freezer::freeze(&self.freezer()?, FREEZE_TIMEOUT)
    }

    fn thaw(&self) -> Result<()> {
        freezer::thaw(&self.freezer()?, FREEZE_TIMEOUT)
    }

    fn is_frozen(&self) -> Result<bool> {
        freezer::is_frozen(&self.freezer()?)
    }

    fn stats(&self) -> Result<Stats> {
        let mut st = Stats::default();
        if let Some(d) = self.controller_path("memory") {
            memory::stats(&d, &mut st)?;
        }
        if let Some(d) = self.controller_path("cpuacct") {
            cpuacct::stats(&d, &mut st)?;
        }
        if let Some(d) = self.controller_path("cpu") {
            cpu::stats(&d, &mut st)?;
        }
        if let Some(d) = self.controller_path("blkio") {
            blkio::stats(&d, &mut st)?;
        }
        let counted = match self.controller_path("pids") {
            Some(d) => pids::stats(&d, &mut st)?,
            None => false,
        };
        if !counted {
            st.pids_current = self.procs()?.len() as u64;
        }
        Ok(st)
    }

    fn kill_all(&self) -> Result<()> {
        // A task frozen by the v1 freezer does not act on SIGKILL until thawed.
        if let Some(fz) = self.controller_path("freezer").filter(|d| d.is_dir()) {
            if freezer::is_freezing_or_frozen(&fz)? {
                freezer::thaw(&fz, FREEZE_TIMEOUT)?;
            }
        }
        let what = self
            .paths()
            .into_iter()
            .next()
            .unwrap_or_else(|| self.rel.clone());
        kill_until_empty(&what, KILL_TIMEOUT, || self.procs())
    }

    fn destroy(&self) -> Result<()> {
        let mut errors = Vec::new();
        for dir in self.paths() {
            if let Err(e) = rmdir_tree(&dir) {
                errors.push(e);
            }
        }
        if errors.is_empty() {
            self.remove_empty_parents();
        }
        join_errors(&format!("removing cgroup {}", self.rel.display()), errors)
    }

    fn paths(&self) -> Vec<PathBuf> {
        self.mount_dirs()
            .iter()
            .map(|m| m.join(&self.rel))
            .collect()
    }
}

impl V1Manager {
    /// Remove `<parent>` (and its own parents, up to the mount) in each hierarchy when no
    /// other container's cgroup is left in it. Losing a race with a container being
    /// created is harmless: its `rmdir` fails with ENOTEMPTY and is ignored.
    fn remove_empty_parents(&self) {
        for m in self.mount_dirs() {
            remove_parents(&m, &self.parent);
        }
    }
}

/// `rmdir` `mount/parent`, then its parents up to (not including) `mount`, stopping at
/// the first that is not empty.
pub(crate) fn remove_parents(mount: &Path, parent: &Path) {
    let mut cur = mount.join(parent);
    while cur != mount && cur.starts_with(mount) {
        match rmdir_if_empty(&cur) {
            Ok(true) => {}
            _ => break,
        }
        if !cur.pop() {
            break;
        }
    }
}

#[cfg(test)]
mod tests;
