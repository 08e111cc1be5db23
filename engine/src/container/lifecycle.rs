//! Lifecycle operations on existing containers: stop, kill, restart, pause, unpause,
//! rename, wait and remove. Each reads the record fresh, checks the state allows the
//! operation, acts, and lets the monitor record the outcome.

use std::time::{Duration, Instant};

use nix::sys::signal::{kill, Signal};
use nix::unistd::Pid;

use super::model::Status;
use super::Container;
use crate::cgroups;
use crate::error::{Error, Result};
use crate::store::FileLock;
use crate::Engine;

impl Engine {
    fn not_running(c: &Container) -> Error {
        Error::Conflict(format!("Container {} is not running", c.id()))
    }

    /// Wait until the monitor has recorded that the container is no longer live.
    fn await_exit_recorded(&self, id: &str, limit: Duration) -> Result<Container> {
        let until = Instant::now() + limit;
        loop {
            let c = self.containers().load(id)?;
            if !c.state.status.is_live() || Instant::now() >= until {
                return Ok(c);
            }
            std::thread::sleep(Duration::from_millis(5));
        }
    }

    fn mark_manual_stop(&self, id: &str) -> Result<()> {
        self.containers().update_state(id, |s| {
            s.manually_stopped = true;
            Ok(())
        })
    }

    fn thaw_if_paused(&self, c: &Container) {
        if c.state.status == Status::Paused {
            if let Ok(cg) = cgroups::open(
                &self.config.cgroup_root,
                &c.record.host_config.cgroup_parent,
                c.id(),
            ) {
                let _ = cg.thaw();
            }
            let _ = self.containers().update_state(c.id(), |s| {
                if s.status == Status::Paused {
                    s.status = Status::Running;
                }
                Ok(())
            });
        }
    }

    /// SIGTERM (or the stop signal), then SIGKILL after the timeout (10 s by default).
    pub fn stop(&self, c: &Container, timeout: Option<i64>) -> Result<()> {
        let c = self.containers().load(c.id())?;
        if !c.state.status.is_live() {
            return Ok(());
        }
        self.mark_manual_stop(c.id())?;
        let pid = c.state.pid;
        if pid > 0 {
            let sig = match &c.record.config.stop_signal {
                Some(s) => crate::signals::parse(s)?,
                None => Signal::SIGTERM,
            };
            let secs = timeout.or(c.record.config.stop_timeout).unwrap_or(10);
            let _ = kill(Pid::from_raw(pid), sig);
            crate::events::container_event(
                &self.paths,
                &c.record,
                "kill",
                &[("signal", (sig as i32).to_string())],
            );
            self.thaw_if_paused(&c);
            let gone =
                secs > 0 && super::reap::wait_for_exit(pid, Duration::from_secs(secs as u64));
            if !gone {
                let _ = kill(Pid::from_raw(pid), Signal::SIGKILL);
                crate::events::container_event(
                    &self.paths,
                    &c.record,
                    "kill",
                    &[("signal", "9".into())],
                );
                super::reap::wait_for_exit(pid, Duration::from_secs(10));
            }
        }
        self.await_exit_recorded(c.id(), Duration::from_secs(10))?;
        crate::events::container_event(&self.paths, &c.record, "stop", &[]);
        Ok(())
    }

    /// Send a signal to the container's main process (SIGKILL by default).
    pub fn kill(&self, c: &Container, signal: Option<&str>) -> Result<()> {
        let c = self.containers().load(c.id())?;
        if !c.state.status.is_live() || c.state.pid <= 0 {
            return Err(Self::not_running(&c));
        }
        let sig = match signal {
            Some(s) => crate::signals::parse(s)?,
            None => Signal::SIGKILL,
        };
        if sig == Signal::SIGKILL {
            self.mark_manual_stop(c.id())?;
        }
        kill(Pid::from_raw(c.state.pid), sig)
            .map_err(|e| Error::sys(format!("kill {}", c.short_id()), e))?;
        crate::events::container_event(
            &self.paths,
            &c.record,
            "kill",
            &[("signal", (sig as i32).to_string())],
        );
        if sig == Signal::SIGKILL {
            self.thaw_if_paused(&c);
            self.await_exit_recorded(c.id(), Duration::from_secs(10))?;
        }
        Ok(())
    }

    pub fn restart(
        &self,
        c: &Container,
        timeout: Option<i64>,
    ) -> std::result::Result<(), super::start::StartError> {
        let err = |e: Error| super::start::StartError {
            code: 125,
            message: e.to_string(),
        };
        self.stop(c, timeout).map_err(err)?;
        let c = self.containers().load(c.id()).map_err(err)?;
        self.start(&c, false)?;
        crate::events::container_event(&self.paths, &c.record, "restart", &[]);
        Ok(())
    }

    pub fn pause(&self, c: &Container) -> Result<()> {
        let c = self.containers().load(c.id())?;
        match c.state.status {
            Status::Running => {}
            Status::Paused => {
                return Err(Error::Conflict(format!(
                    "Container {} is already paused",
                    c.id()
                )))
            }
            _ => return Err(Self::not_running(&c)),
        }
        let cg = cgroups::open(
            &self.config.cgroup_root,
            &c.record.host_config.cgroup_parent,
            c.id(),
        )?;
        cg.freeze()?;
        self.containers().update_state(c.id(), |s| {
            s.status = Status::Paused;
            Ok(())
        })?;
        crate::events::container_event(&self.paths, &c.record, "pause", &[]);
        Ok(())
    }

    pub fn unpause(&self, c: &Container) -> Result<()> {
        let c = self.containers().load(c.id())?;
        if c.state.status != Status::Paused {
            return Err(Error::Conflict(format!(
                "Container {} is not paused",
                c.id()
            )));
        }
        let cg = cgroups::open(
            &self.config.cgroup_root,
            &c.record.host_config.cgroup_parent,
            c.id(),
        )?;
        cg.thaw()?;
        self.containers().update_state(c.id(), |s| {
            s.status = Status::Running;
            Ok(())
        })?;
        crate::events::container_event(&self.paths, &c.record, "unpause", &[]);
        Ok(())
    }

    pub fn rename(&self, c: &Container, new_name: &str) -> Result<()> {
        super::limits::check_name(new_name)?;
        let new_name = new_name.strip_prefix('/').unwrap_or(new_name);
        let _lock = FileLock::exclusive(&self.paths.global_lock())?;
        if let Some(other) = self.containers().name_in_use(new_name)? {
            return Err(Error::Conflict(format!(
                "Conflict. The container name \"/{new_name}\" is already in use by container \"{other}\". You have to remove (or rename) that container to be able to reuse that name."
            )));
        }
        let mut rec = self.containers().load(c.id())?.record;
        let old = std::mem::replace(&mut rec.name, new_name.to_string());
        self.containers().save_record(&rec)?;
        self.networks()
            .rename_endpoints_locked(c.id(), &old, new_name)?;
        crate::events::container_event(
            &self.paths,
            &rec,
            "rename",
            &[("oldName", format!("/{old}"))],
        );
        Ok(())
    }

    /// Block until the container stops; returns its exit code.
    pub fn wait(&self, c: &Container) -> Result<i32> {
        loop {
            let cur = self.containers().load(c.id())?;
            let done = match cur.state.status {
                Status::Exited | Status::Dead => true,
                // A start that failed leaves "created" with the failure's exit code.
                Status::Created => !cur.state.error.is_empty(),
                _ => false,
            };
            if done {
                return Ok(cur.state.exit_code);
            }
            if cur.state.pid > 0 {
                super::reap::wait_for_exit(cur.state.pid, Duration::from_millis(500));
            }
            std::thread::sleep(Duration::from_millis(10));
        }
    }

    /// `rm [-f] [-v]`.
    pub fn remove(&self, c: &Container, force: bool, volumes: bool) -> Result<()> {
        let c = self.containers().load(c.id())?;
        // Killed midway, the next command finishes the removal (`finish_remove`).
        let detail = if volumes { "volumes" } else { "" };
        let _intent = crate::store::intent::Intent::begin(&self.paths, "rm", c.id(), detail)?;
        if c.state.status.is_live() {
            if !force {
                let what = if c.state.status == Status::Paused {
                    "paused"
                } else {
                    "running"
                };
                return Err(Error::Conflict(format!(
                    "cannot remove container \"/{}\": container is {what}: stop the container before removing or force remove",
                    c.name()
                )));
            }
            self.mark_manual_stop(c.id())?;
            if c.state.pid > 0 {
                let _ = kill(Pid::from_raw(c.state.pid), Signal::SIGKILL);
                self.thaw_if_paused(&c);
            }
            self.await_exit_recorded(c.id(), Duration::from_secs(10))?;
        }
        self.remove_stopped(c.id(), volumes)
    }

    /// Remove a container known not to run: cgroup leftovers, files, anonymous volumes.
    pub fn remove_stopped(&self, id: &str, volumes: bool) -> Result<()> {
        let c = match self.containers().load(id) {
            Ok(c) => c,
            Err(e) if e.is_not_found() => return Ok(()),
            Err(e) => return Err(e),
        };
        if let Ok(cg) = cgroups::open(
            &self.config.cgroup_root,
            &c.record.host_config.cgroup_parent,
            id,
        ) {
            let _ = cg.kill_all();
            let _ = cg.destroy();
        }
        // Addresses left reserved by a monitor that crashed go back to the pool.
        crate::network::attach::release(&self.networks(), &c.record);
        if let Some(doomed) = self.containers().hide(id)? {
            // Hidden is gone for every reader: the event goes out now, before the purge,
            // so a kill during the purge cannot lose it (the sweep that finishes the
            // purge writes it only if it is not in the journal yet).
            crate::events::container_event(&self.paths, &c.record, "destroy", &[]);
            self.containers().purge(id, &doomed)?;
        }
        if volumes {
            self.remove_anonymous_volumes(&c.record)?;
        }
        Ok(())
    }

    /// Remove the volumes made for this container only, unless another container uses
    /// them. The volume's own record says whether it was anonymous.
    pub fn remove_anonymous_volumes(&self, rec: &super::ContainerRecord) -> Result<()> {
        if !rec.mounts.iter().any(|m| m.kind == "volume") {
            return Ok(());
        }
        let vs = self.volumes();
        for m in rec.mounts.iter().filter(|m| m.kind == "volume") {
            let anonymous = vs.get(&m.name).map(|v| v.anonymous).unwrap_or(false);
            if anonymous && self.volume_users(&m.name)?.is_empty() {
                let _ = vs.remove(&m.name, &[]);
            }
        }
        Ok(())
    }

    /// IDs of the containers that mount volume `name`.
    pub fn volume_users(&self, name: &str) -> Result<Vec<String>> {
        Ok(self
            .containers()
            .list()?
            .into_iter()
            .filter(|c| {
                c.record
                    .mounts
                    .iter()
                    .any(|m| m.kind == "volume" && m.name == name)
            })
            // Full IDs, as Docker names the users of a volume in its errors.
            .map(|c| c.record.id)
            .collect())
    }
}
