//! The engine facade: one value the CLI and the TUI hold, with a method per operation.

use std::path::PathBuf;
use std::sync::Arc;

use crate::config::Config;
use crate::container::store::ContainerStore;
use crate::error::Result;
use crate::image::ImageStore;
use crate::store::Paths;

#[derive(Debug, Clone)]
pub struct Engine {
    /// The state and runtime roots (the same as `config`'s).
    pub paths: Paths,
    /// The settings, read once (see [`Config`]).
    pub config: Arc<Config>,
    /// The program re-executed as a container's monitor (normally this very binary).
    pub monitor_exe: PathBuf,
    /// Whether `start` forks or re-executes the monitor.
    pub monitor_launch: crate::container::start::MonitorLaunch,
}

impl Engine {
    /// An engine over these settings, without touching the disk (re-executed helpers,
    /// which run under an engine that already opened the root).
    pub fn with_config(config: Arc<Config>) -> Engine {
        Engine {
            paths: config.paths(),
            config,
            monitor_exe: PathBuf::from("/proc/self/exe"),
            monitor_launch: crate::container::start::MonitorLaunch::Exec,
        }
    }

    /// Open the state root of `config`, creating it on first use, and sweep interrupted
    /// operations. The CLI reads its `Config` once and comes here.
    pub fn open_with(config: Config) -> Result<Engine> {
        let paths = config.paths();
        paths.ensure()?;
        let e = Engine::with_config(Arc::new(config));
        // Finish or undo what killed commands and monitors left (see `sweep`).
        e.sweep()?;
        Ok(e)
    }

    /// Open the roots of `paths` with the other settings read from the environment
    /// (`Config::from_env`): the short way for tests and embedders.
    pub fn open(paths: Paths) -> Result<Engine> {
        Engine::open_with(Config::from_env()?.with_paths(&paths))
    }

    pub fn images(&self) -> ImageStore {
        ImageStore::new(&self.paths)
    }

    pub fn containers(&self) -> ContainerStore {
        ContainerStore::new(&self.paths)
    }

    pub fn networks(&self) -> crate::network::NetworkStore {
        crate::network::NetworkStore::new(&self.paths, &self.config)
    }

    pub fn volumes(&self) -> crate::volume::VolumeStore {
        crate::volume::VolumeStore::new(&self.paths)
    }
}
