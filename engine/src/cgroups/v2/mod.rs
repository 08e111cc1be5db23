//! The cgroup v2 manager: one directory, `<root>/<parent>/<name>`, whose controllers are
//! delegated from the root down through `cgroup.subtree_control` of every ancestor.
//!
//! pids files are identical on v1 and v2, so `super::v1::pids` serves both.

pub mod cpu;
pub mod cpuset;
pub mod freezer;
pub mod io;
pub mod memory;

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use super::files::{
    self, join_errors, kill_until_empty, mkdir_tracked, read_opt, read_pids_tree, rmdir_tree,
};
use super::machine::Machine;
use super::v1::{pids, remove_parents};
use super::{required_controllers, CgroupManager, Resources, Stats, FREEZE_TIMEOUT, KILL_TIMEOUT};
use crate::error::{Error, Result};

/// The controllers a container's cgroup gets when the root offers them. All of them, not
/// only those the limits need: stats read memory.current, io.stat and pids.current even
/// without limits, and a later `update` can add a limit without re-delegating.
pub const CONTROLLERS: [&str; 5] = ["cpuset", "cpu", "io", "memory", "pids"];

#[derive(Debug, Clone)]
pub struct V2Manager {
    root: PathBuf,
    parent: PathBuf,
    path: PathBuf,
    machine: Machine,
}

fn words(s: Option<String>) -> BTreeSet<String> {
    s.unwrap_or_default()
        .split_whitespace()
        .map(str::to_string)
        .collect()
}

impl V2Manager {
    pub fn new(root: &Path, parent: &str, name: &str) -> Self {
        V2Manager {
            root: root.to_path_buf(),
            parent: PathBuf::from(parent),
            path: root.join(parent).join(name),
            machine: Machine::probe(),
        }
    }

    /// Validate against `machine` instead of this host (tests).
    pub fn with_machine(mut self, machine: Machine) -> Self {
        self.machine = machine;
        self
    }

    /// The controllers the root offers, after checking it has every one `res` needs.
    fn available(&self, res: &Resources) -> Result<BTreeSet<String>> {
        let file = self.root.join("cgroup.controllers");
        let avail = words(read_opt(&file)?);
        for (ctrl, what) in required_controllers(res) {
            if !avail.contains(ctrl) {
                return Err(Error::invalid(format!(
                    "{what} is not supported: the {ctrl} controller is not available in {}",
                    file.display()
                )));
            }
        }
        Ok(avail)
    }

    /// Enable `wanted` in `dir`'s `cgroup.subtree_control`. One write when it works; when
    /// it does not (a controller may refuse, e.g. cpu with realtime tasks below), one write
    /// per controller, failing only for those the limits need.
    fn delegate(&self, dir: &Path, wanted: &[&str], needed: &[&str]) -> Result<()> {
        let file = dir.join("cgroup.subtree_control");
        let on = words(read_opt(&file)?);
        let missing: Vec<&str> = wanted
            .iter()
            .copied()
            .filter(|c| !on.contains(*c))
            .collect();
        if missing.is_empty() {
            return Ok(());
        }
        let all = missing
            .iter()
            .map(|c| format!("+{c}"))
            .collect::<Vec<_>>()
            .join(" ");
        if files::write(&file, all).is_ok() {
            return Ok(());
        }
        for c in missing {
            match files::write(&file, format!("+{c}")) {
                Err(e) if needed.contains(&c) => return Err(e),
                _ => {}
            }
        }
        Ok(())
    }

    fn make_dirs(&self, res: &Resources, created: &mut Vec<PathBuf>) -> Result<()> {
        let avail = self.available(res)?;
        let wanted: Vec<&str> = CONTROLLERS
            .iter()
            .copied()
            .filter(|c| avail.contains(*c))
            .collect();
        let needed: Vec<&str> = required_controllers(res)
            .into_iter()
            .map(|(c, _)| c)
            .collect();
        // Top-down: a controller can be enabled in a cgroup's subtree_control only once
        // its parent has enabled it.
        let mut cur = self.root.clone();
        self.delegate(&cur, &wanted, &needed)?;
        for comp in self.parent.components() {
            cur.push(comp);
            mkdir_tracked(&cur, created)?;
            self.delegate(&cur, &wanted, &needed)?;
        }
        mkdir_tracked(&self.path, created)
    }

    fn apply(&self, res: &Resources) -> Result<()> {
        let d = &self.path;
        cpuset::apply(d, res)?;
        memory::apply(d, res)?;
        cpu::apply(d, res)?;
        pids::apply(d, res)
    }
}

impl CgroupManager for V2Manager {
    fn create(&self, res: &Resources) -> Result<()> {
        let mut created = Vec::new();
        let result = self
            .make_dirs(res, &mut created)
            .and_then(|()| self.apply(res));
        if result.is_err() {
            files::rollback(&created);
            remove_parents(&self.root, &self.parent);
        }
        result
    }

    fn update(&self, res: &Resources) -> Result<()> {
        if !self.path.is_dir() {
            return Err(Error::not_found("cgroup", self.path.display().to_string()));
        }
        self.available(res)?;
        self.apply(res)
    }

    fn add_task(&self, pid: i32) -> Result<()> {
        files::write(&self.path.join("cgroup.procs"), pid.to_string())
    }

    fn procs(&self) -> Result<Vec<i32>> {
        read_pids_tree(&self.path)
    }

    fn freeze(&self) -> Result<()> {
        freezer::freeze(&self.path, FREEZE_TIMEOUT)
    }

    fn thaw(&self) -> Result<()> {
        freezer::thaw(&self.path, FREEZE_TIMEOUT)
    }

    fn is_frozen(&self) -> Result<bool> {
        freezer::is_frozen(&self.path)
    }

    fn stats(&self) -> Result<Stats> {
        let d = &self.path;
        let mut st = Stats::default();
        memory::stats(d, &mut st)?;
        cpu::stats(d, &mut st)?;
        io::stats(d, &mut st)?;
        if !pids::stats(d, &mut st)? {
            // No pids controller delegated (a hybrid host's empty v2 tree): count.
            st.pids_current = self.procs()?.len() as u64;
        }
        Ok(st)
    }

    fn kill_all(&self) -> Result<()> {
        if !self.path.is_dir() {
            return Ok(());
        }
        // cgroup.kill (Linux 5.14) kills every task at once, forks in flight included, and
        // works on frozen tasks; the pid loop below then only waits for them to go.
        let kill = self.path.join("cgroup.kill");
        if kill.exists() {
            files::write(&kill, "1")?;
        }
        if freezer::freeze_requested(&self.path)? {
            freezer::thaw(&self.path, FREEZE_TIMEOUT)?;
        }
        kill_until_empty(&self.path, KILL_TIMEOUT, || self.procs())
    }

    fn destroy(&self) -> Result<()> {
        let mut errors = Vec::new();
        if let Err(e) = rmdir_tree(&self.path) {
            errors.push(e);
        } else {
            remove_parents(&self.root, &self.parent);
        }
        join_errors(&format!("removing cgroup {}", self.path.display()), errors)
    }

    fn paths(&self) -> Vec<PathBuf> {
        vec![self.path.clone()]
    }
}

#[cfg(test)]
mod tests;
