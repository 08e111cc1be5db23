//! Container records on disk: `containers/<id>/{config.json,state.json,lock}`.
//! Names are unique under the global lock; a container directory is made under a temp
//! name and renamed into place, so a crash never leaves a half-made container listed.

use std::fs;
use std::path::PathBuf;

use super::model::{Container, ContainerRecord, State, Status};
use super::procfs;
use crate::error::{Error, IoContext, Result};
use crate::store::atomic::{sync_dir, write_atomic_volatile};
use crate::store::{read_json, write_json_atomic, FileLock, Paths};

#[derive(Debug, Clone)]
pub struct ContainerStore {
    paths: Paths,
}

impl ContainerStore {
    pub fn new(paths: &Paths) -> Self {
        ContainerStore {
            paths: paths.clone(),
        }
    }

    pub fn paths(&self) -> &Paths {
        &self.paths
    }

    fn config_path(&self, id: &str) -> PathBuf {
        self.paths.container_dir(id).join("config.json")
    }
    fn state_path(&self, id: &str) -> PathBuf {
        self.paths.container_dir(id).join("state.json")
    }
    pub fn log_path(&self, id: &str) -> PathBuf {
        self.paths.container_dir(id).join(format!("{id}-json.log"))
    }

    /// Lock one container's records for a read-modify-write.
    pub fn lock(&self, id: &str) -> Result<FileLock> {
        FileLock::exclusive(&self.paths.container_dir(id).join("lock"))
    }

    /// Every container ID with a complete record. Temp dirs (`.new-*`) of creates that
    /// died midway are skipped here and swept by `sweep_incomplete`.
    pub fn ids(&self) -> Result<Vec<String>> {
        let dir = self.paths.containers_dir();
        let mut ids = Vec::new();
        let rd = match fs::read_dir(&dir) {
            Ok(rd) => rd,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(ids),
            Err(e) => return Err(Error::io("list", dir, e)),
        };
        for entry in rd {
            let entry = entry.ctx("list", &dir)?;
            let name = entry.file_name().to_string_lossy().into_owned();
            if name.len() == 64 && !name.starts_with('.') {
                ids.push(name);
            }
        }
        Ok(ids)
    }

    pub fn load(&self, id: &str) -> Result<Container> {
        let record: ContainerRecord = read_json(&self.config_path(id))?;
        let state = self.read_state(id)?;
        let mut c = Container { record, state };
        reconcile_in_memory(&mut c);
        Ok(c)
    }

    /// All containers, newest first, as `ps -a` lists them.
    pub fn list(&self) -> Result<Vec<Container>> {
        let mut out = Vec::new();
        for id in self.ids()? {
            match self.load(&id) {
                Ok(c) => out.push(c),
                // Removed between listing and reading: not an error for a listing.
                Err(e) if e.is_not_found() => {}
                Err(e) => return Err(e),
            }
        }
        out.sort_by(|a, b| b.record.created.cmp(&a.record.created));
        Ok(out)
    }

    /// Find by full ID, name (with or without a leading `/`), or unique ID prefix.
    pub fn find(&self, reference: &str) -> Result<Container> {
        let r = reference.strip_prefix('/').unwrap_or(reference);
        if r.is_empty() {
            return Err(Error::invalid("container name or ID must not be empty"));
        }
        // A whole ID is looked up directly, without reading every record: front ends
        // that hold IDs (the TUI, API clients) ask this way all the time.
        if r.len() == 64 && r.bytes().all(|b| b.is_ascii_hexdigit()) {
            match self.load(r) {
                Ok(c) => return Ok(c),
                Err(e) if !e.is_not_found() => return Err(e),
                Err(_) => {}
            }
        }
        let all = self.list()?;
        if let Some(c) = all.iter().find(|c| c.record.id == r || c.record.name == r) {
            return Ok(c.clone());
        }
        let matches: Vec<&Container> = all.iter().filter(|c| c.record.id.starts_with(r)).collect();
        match matches.len() {
            1 => Ok(matches[0].clone()),
            0 => Err(Error::not_found("container", reference)),
            _ => Err(Error::Conflict(format!(
                "multiple IDs found with provided prefix: {reference}"
            ))),
        }
    }

    /// Write a new container's records. Caller holds the global lock and has checked the name.
    pub fn insert(&self, record: &ContainerRecord) -> Result<()> {
        let final_dir = self.paths.container_dir(&record.id);
        let tmp_dir = self
            .paths
            .containers_dir()
            .join(format!(".new-{}", record.id));
        fs::create_dir_all(&tmp_dir).ctx("create directory", &tmp_dir)?;
        let write = || -> Result<()> {
            // No state.json yet: a missing state reads as "created". A `--rm` container
            // is gone by the next boot anyway, so its record need not wait for the disk.
            let config = tmp_dir.join("config.json");
            if record.host_config.auto_remove {
                let bytes = serde_json::to_vec_pretty(record).map_err(|e| Error::Corrupt {
                    path: config.clone(),
                    reason: e.to_string(),
                })?;
                write_atomic_volatile(&config, &bytes)?;
                fs::rename(&tmp_dir, &final_dir).ctx("rename into place", &final_dir)?;
            } else {
                write_json_atomic(&config, record)?;
                fs::rename(&tmp_dir, &final_dir).ctx("rename into place", &final_dir)?;
                sync_dir(&self.paths.containers_dir());
            }
            Ok(())
        };
        write().inspect_err(|_| {
            let _ = fs::remove_dir_all(&tmp_dir);
        })
    }

    pub fn name_in_use(&self, name: &str) -> Result<Option<String>> {
        for id in self.ids()? {
            if let Ok(rec) = read_json::<ContainerRecord>(&self.config_path(&id)) {
                if rec.name == name {
                    return Ok(Some(id));
                }
            }
        }
        Ok(None)
    }

    pub fn save_record(&self, record: &ContainerRecord) -> Result<()> {
        write_json_atomic(&self.config_path(&record.id), record)
    }

    /// The live state is replaced atomically but not fsynced: after a power cut every
    /// container is dead anyway, and `read_state` copes with a lost update.
    pub fn save_state(&self, id: &str, state: &State) -> Result<()> {
        let bytes = serde_json::to_vec_pretty(state).map_err(|e| Error::Corrupt {
            path: self.state_path(id),
            reason: e.to_string(),
        })?;
        write_atomic_volatile(&self.state_path(id), &bytes)
    }

    /// A missing state means "created"; an unreadable one (a power cut before the data
    /// reached the disk) means the container is gone, and says so.
    fn read_state(&self, id: &str) -> Result<State> {
        match read_json(&self.state_path(id)) {
            Ok(s) => Ok(s),
            Err(e) if e.is_not_found() => Ok(State::default()),
            Err(Error::Corrupt { .. }) => Ok(State {
                status: Status::Exited,
                exit_code: 137,
                error: "the container's state was lost (machine crash?)".into(),
                ..State::default()
            }),
            Err(e) => Err(e),
        }
    }

    /// Read-modify-write the state under the container's lock.
    pub fn update_state<T>(&self, id: &str, f: impl FnOnce(&mut State) -> Result<T>) -> Result<T> {
        let _lock = self.lock(id)?;
        let mut state = self.read_state(id)?;
        let out = f(&mut state)?;
        self.save_state(id, &state)?;
        Ok(out)
    }

    /// Remove a container's directories (records, logs, upper layer). Unmounting and
    /// cgroup removal are the caller's job and must have happened first.
    pub fn delete_files(&self, id: &str) -> Result<()> {
        match self.hide(id)? {
            Some(doomed) => self.purge(id, &doomed),
            None => Ok(()),
        }
    }

    /// Step 1 of a removal: rename the directory to `.rm-<id>`. From here on the
    /// container is gone for every reader, and a crash leaves a `.rm-` dir that is swept
    /// later rather than a container missing half its files. `None` if already gone.
    pub fn hide(&self, id: &str) -> Result<Option<PathBuf>> {
        let dir = self.paths.container_dir(id);
        let doomed = self.paths.containers_dir().join(format!(".rm-{id}"));
        match fs::rename(&dir, &doomed) {
            Ok(()) => Ok(Some(doomed)),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
            Err(e) => Err(Error::io("remove container directory", dir, e)),
        }
    }

    /// Step 2: delete the hidden directory and the runtime files.
    pub fn purge(&self, id: &str, doomed: &std::path::Path) -> Result<()> {
        fs::remove_dir_all(doomed).ctx("remove container directory", doomed)?;
        // A shareable /dev/shm is a mount in the runtime dir: off first, or the removal
        // would empty it and stop at the mount point.
        super::shm::release(&self.paths, id);
        let _ = fs::remove_dir_all(self.paths.container_run_dir(id));
        Ok(())
    }

    /// Remove the leftovers of creates and removes that were interrupted.
    /// Creates write `.new-` dirs under the global lock, so when we can take it, any
    /// `.new-` dir belongs to a process that died. A `.rm-` dir is swept only when its
    /// rename is a minute old, so a removal in progress is not raced.
    pub fn sweep_incomplete(&self) -> Result<()> {
        let dir = self.paths.containers_dir();
        let Ok(rd) = fs::read_dir(&dir) else {
            return Ok(());
        };
        let mut leftovers = Vec::new();
        for entry in rd.flatten() {
            let name = entry.file_name().to_string_lossy().into_owned();
            if name.starts_with(".new-") || name.starts_with(".rm-") {
                leftovers.push((name, entry.path()));
            }
        }
        if leftovers.is_empty() {
            return Ok(());
        }
        let Some(_lock) = FileLock::try_exclusive(&self.paths.global_lock())? else {
            return Ok(());
        };
        let now = std::time::SystemTime::now();
        for (name, path) in leftovers {
            let stale = name.starts_with(".new-")
                || fs::symlink_metadata(&path)
                    .map(|m| {
                        let changed = std::time::UNIX_EPOCH
                            + std::time::Duration::from_secs(
                                std::os::unix::fs::MetadataExt::ctime(&m).max(0) as u64,
                            );
                        now.duration_since(changed).unwrap_or_default().as_secs() >= 60
                    })
                    .unwrap_or(false);
            if stale {
                let _ = fs::remove_dir_all(path);
            }
        }
        Ok(())
    }
}

/// A record that says "running" while its monitor is gone is a lie left by a crash: the
/// container died with its monitor (its init has PDEATHSIG=SIGKILL). Report it as exited
/// with 137 without writing; the next writer (`rm`, `start`) persists it.
fn reconcile_in_memory(c: &mut Container) {
    let s = &mut c.state;
    if s.status.is_live() && !procfs::process_matches(s.monitor_pid, s.monitor_start_time) {
        s.status = Status::Exited;
        if s.exit_code == 0 {
            s.exit_code = 137;
        }
        s.pid = 0;
        s.error = "berth monitor exited unexpectedly; the container was killed with it".into();
        if s.finished_at.is_none() {
            s.finished_at = Some(crate::container::now_rfc3339());
        }
    }
}

impl ContainerStore {
    /// The state as written, without the crash reconciliation `load` applies.
    pub fn load_raw_state(&self, id: &str) -> Result<State> {
        read_json(&self.state_path(id))
    }
}
