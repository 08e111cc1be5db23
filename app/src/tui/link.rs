//! Which engine the TUI shows, and the switch to another: Berth's own (the `local`
//! context) or a Docker engine (a context, or `-H`/`DOCKER_HOST` given directly). A link
//! is the engine interface the worker uses, the berth command line that `:` commands
//! and whole-terminal sessions run with (pointed at the same engine), and the name the
//! title bar shows.

use std::sync::Arc;

use berth_engine::{Config, Engine};

use super::worker::BerthExe;
use crate::backend::docker::DockerBackend;
use crate::backend::local::{LocalBackend, Threads};
use crate::backend::Backend;
use crate::context::tls::TlsFlags;
use crate::context::{self, ContextStore, Target};

pub struct Link {
    pub backend: Arc<dyn Backend>,
    pub berth: BerthExe,
    /// The context's name, or the host when it was given directly.
    pub name: String,
}

/// Makes links: keeps Berth's own engine once opened (a switch back to `local` finds it
/// as it was), and the settings to open it with when the TUI started elsewhere.
pub struct Links {
    config: Config,
    local: Option<Engine>,
    /// The TLS flags berth was started with: they apply to `default` and to a host
    /// given directly, as on the command line.
    tls_flags: TlsFlags,
}

impl Links {
    /// `local`: Berth's engine, when it is already open.
    pub fn new(config: Config, local: Option<Engine>, tls_flags: TlsFlags) -> Links {
        Links {
            config,
            local: local.map(prepared),
            tls_flags,
        }
    }

    /// A link to what `target` names.
    pub fn open(&mut self, target: &Target) -> Result<Link, String> {
        match target {
            Target::Local => self.local(),
            Target::Docker { host, context, .. } => {
                let endpoint = target
                    .endpoint()?
                    .ok_or_else(|| format!("no Docker engine at {host:?}"))?;
                // The children name the same context (or host), so a later
                // `context use` elsewhere does not move them.
                let (mut args, name) = match context {
                    Some(c) => (vec!["--context".into(), c.clone()], c.clone()),
                    None => (vec!["--host".into(), host.clone()], host.clone()),
                };
                args.extend(self.tls_flags.args());
                let backend = DockerBackend::new(endpoint).map_err(|e| e.to_string())?;
                Ok(Link {
                    backend: Arc::new(backend),
                    berth: BerthExe {
                        exe: this_exe(),
                        args,
                    },
                    name,
                })
            }
        }
    }

    /// A link to the context called `name` (`local` included), resolved as `--context
    /// NAME` would be.
    pub fn open_context(&mut self, name: &str) -> Result<Link, String> {
        let store = ContextStore::open();
        let choice =
            context::Choice::from_env(None, Some(name.to_string()), &self.tls_flags, store.dir());
        let target = context::resolve(&choice, &store)?;
        self.open(&target)
    }

    fn local(&mut self) -> Result<Link, String> {
        let engine = match &self.local {
            Some(e) => e.clone(),
            None => {
                let e = Engine::open_with(self.config.clone()).map_err(|e| {
                    format!(
                        "cannot open the state root {}: {e}",
                        self.config.root.display()
                    )
                })?;
                let e = prepared(e);
                self.local = Some(e.clone());
                e
            }
        };
        Ok(local_link(engine))
    }
}

/// Berth's engine as the TUI runs it. Leftovers of crashed runs go before the first
/// picture (DESIGN: engine start); the TUI is multi-threaded, so monitors are
/// re-executed, never forked from it.
fn prepared(e: Engine) -> Engine {
    let _ = e.network_gc();
    Engine {
        monitor_launch: berth_engine::container::start::MonitorLaunch::Exec,
        ..e
    }
}

/// The link to an open engine of Berth's.
fn local_link(engine: Engine) -> Link {
    let berth = BerthExe {
        exe: engine.monitor_exe.clone(),
        // `--context local` keeps a DOCKER_HOST in the environment from taking the
        // children elsewhere.
        args: vec![
            "--context".into(),
            context::LOCAL.into(),
            "--root".into(),
            engine.paths.root.display().to_string(),
            "--run-root".into(),
            engine.paths.run.display().to_string(),
        ],
    };
    Link {
        backend: Arc::new(LocalBackend::new(engine, Threads::Pool)),
        berth,
        name: context::LOCAL.into(),
    }
}

/// The TUI's wiring over an open engine of Berth's: the engine interface the worker
/// uses and the berth command line for its children (tests and screenshots drive the
/// worker with these).
pub fn connect(engine: Engine) -> (Arc<dyn Backend>, BerthExe) {
    let l = local_link(prepared(engine));
    (l.backend, l.berth)
}

/// This very binary, for children that talk to a Docker engine.
fn this_exe() -> std::path::PathBuf {
    std::env::current_exe().unwrap_or_else(|_| "berth".into())
}

/// The contexts a user can switch to, with where each leads: `local` first, then
/// Docker's `default`, then the stored ones by name.
pub fn contexts(store: &ContextStore) -> Result<Vec<(String, String)>, String> {
    let default_host = std::env::var("DOCKER_HOST")
        .ok()
        .filter(|h| !h.trim().is_empty())
        .unwrap_or_else(|| context::SYSTEM_SOCKET.to_string());
    let mut found = vec![
        (context::LOCAL.to_string(), "berth's own engine".to_string()),
        (context::DEFAULT.to_string(), default_host),
    ];
    let mut stored: Vec<(String, String)> = store
        .list()?
        .into_iter()
        .filter(|m| m.name != context::LOCAL && m.name != context::DEFAULT)
        .map(|m| {
            let host = m.docker_endpoint().map(|d| d.host).unwrap_or_default();
            (m.name, host)
        })
        .collect();
    stored.sort();
    found.extend(stored);
    Ok(found)
}
