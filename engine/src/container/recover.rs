//! Containers whose monitor was killed (SIGKILL, the OOM killer, a crash). The container
//! died with its monitor (its init has PDEATHSIG=SIGKILL), but nothing recorded the exit.
//! The first berth command that notices records it once — `Exited (137)` at the time it
//! noticed, a `die` event — frees what the run held (cgroup, addresses, port redirects),
//! and applies the restart policy as Docker's daemon does when it comes back after a
//! crash: `always`, `unless-stopped` (unless stopped by hand) and `on-failure` (137 is a
//! failure; within its retry count) start the container again; a `--rm` one is removed.
//!
//! A monitor's attach socket exists while it serves, so the candidates are found with
//! one directory listing and a stat per container, without reading every record.

use super::model::{Container, Status};
use super::procfs;
use crate::error::Result;
use crate::store::FileLock;
use crate::Engine;

/// What recovery did with one container.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Recovered {
    /// The exit was recorded; the policy keeps it down.
    Exited(String),
    /// The exit was recorded and the container started again.
    Restarted(String),
    /// A `--rm` container, removed.
    Removed(String),
}

impl Engine {
    /// Record the exits of containers whose monitor is gone and apply their restart
    /// policies. Cheap when every monitor is alive.
    pub fn recover_crashed(&self) -> Result<Vec<Recovered>> {
        let mut done = Vec::new();
        let dir = self.paths.run.join("containers");
        let Ok(rd) = std::fs::read_dir(&dir) else {
            return Ok(done);
        };
        for e in rd.flatten() {
            if !e.path().join("attach.sock").exists() {
                continue;
            }
            let id = e.file_name().to_string_lossy().into_owned();
            if let Some(c) = self.record_crash(&id)? {
                done.push(self.after_crash(c));
            }
        }
        Ok(done)
    }

    /// Persist the exit of a container whose monitor is gone. `Some` only for the one
    /// caller that recorded it (others find it recorded), so the policy runs once.
    fn record_crash(&self, id: &str) -> Result<Option<Container>> {
        let store = self.containers();
        let Ok(raw) = store.load_raw_state(id) else {
            return Ok(None);
        };
        if !raw.status.is_live() || procfs::process_matches(raw.monitor_pid, raw.monitor_start_time)
        {
            return Ok(None);
        }
        // A start holds this while its new monitor comes up; try again next time.
        let start_lock = self.paths.container_dir(id).join("start.lock");
        let Some(_start) = FileLock::try_exclusive(&start_lock)? else {
            return Ok(None);
        };
        let recorded = store.update_state(id, |s| {
            if !s.status.is_live() || procfs::process_matches(s.monitor_pid, s.monitor_start_time) {
                return Ok(false);
            }
            s.status = Status::Exited;
            if s.exit_code == 0 {
                s.exit_code = 137;
            }
            s.pid = 0;
            s.error = "berth monitor exited unexpectedly; the container was killed with it".into();
            s.finished_at = Some(super::now_rfc3339());
            Ok(true)
        })?;
        if !recorded {
            return Ok(None);
        }
        let _ = std::fs::remove_file(self.paths.container_run_dir(id).join("attach.sock"));
        let c = store.load(id)?;
        crate::events::container_event(
            &self.paths,
            &c.record,
            "die",
            &[("exitCode", c.state.exit_code.to_string())],
        );
        // What the dead monitor held: its cgroup (anything left in it), its addresses
        // and its port redirects.
        let parent = &c.record.host_config.cgroup_parent;
        if let Ok(cg) = crate::cgroups::open(&self.config.cgroup_root, parent, id) {
            let _ = cg.kill_all();
            let _ = cg.destroy();
        }
        let nets = self.networks();
        let _ = nets.unpublish_ports(id);
        crate::network::attach::release(&nets, &c.record);
        Ok(Some(c))
    }

    /// Apply the restart policy to a container whose crash was just recorded.
    fn after_crash(&self, c: Container) -> Recovered {
        let id = c.record.id.clone();
        if c.record.host_config.auto_remove {
            let _ = self.remove_stopped(&id, true);
            return Recovered::Removed(id);
        }
        if !restarts_after_crash(&c) {
            return Recovered::Exited(id);
        }
        match self.start(&c, false) {
            Ok(_) => {
                let _ = self.containers().update_state(&id, |s| {
                    s.restart_count += 1;
                    Ok(())
                });
                crate::events::container_event(&self.paths, &c.record, "restart", &[]);
                Recovered::Restarted(id)
            }
            Err(_) => Recovered::Exited(id),
        }
    }
}

/// Docker's policy after a crash: the exit counts as a failure (137).
fn restarts_after_crash(c: &Container) -> bool {
    !c.state.manually_stopped
        && c.record
            .host_config
            .restart_policy
            .restarts(c.state.exit_code, c.state.restart_count)
}
