//! The engine facade: one value the CLI and the TUI hold, with a method per operation.

use std::path::PathBuf;

use crate::container::store::ContainerStore;
use crate::error::Result;
use crate::image::ImageStore;
use crate::store::Paths;

#[derive(Debug, Clone)]
pub struct Engine {
    pub paths: Paths,
    /// The cgroup parent new containers go under (`BERTH_CGROUP_PARENT`, default `berth`).
    pub cgroup_parent: String,
    /// The program re-executed as a container's monitor (normally this very binary).
    pub monitor_exe: PathBuf,
    /// Whether `start` forks or re-executes the monitor.
    pub monitor_launch: crate::container::start::MonitorLaunch,
}

impl Engine {
    pub fn new(paths: Paths) -> Engine {
        Engine {
            paths,
            cgroup_parent: std::env::var("BERTH_CGROUP_PARENT").unwrap_or_else(|_| "berth".into()),
            monitor_exe: PathBuf::from("/proc/self/exe"),
            monitor_launch: crate::container::start::MonitorLaunch::Exec,
        }
    }

    /// Open the state root, creating it on first use, and sweep interrupted operations.
    pub fn open(paths: Paths) -> Result<Engine> {
        paths.ensure()?;
        let e = Engine::new(paths);
        // Finish or undo what killed commands and monitors left (see `sweep`).
        e.sweep()?;
        Ok(e)
    }

    pub fn images(&self) -> ImageStore {
        ImageStore::new(&self.paths)
    }

    pub fn containers(&self) -> ContainerStore {
        ContainerStore::new(&self.paths)
    }

    pub fn networks(&self) -> crate::network::NetworkStore {
        crate::network::NetworkStore::new(&self.paths)
    }

    pub fn volumes(&self) -> crate::volume::VolumeStore {
        crate::volume::VolumeStore::new(&self.paths)
    }
}
