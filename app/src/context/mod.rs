//! Contexts, as the docker CLI keeps them, so that both tools see the same ones: each
//! a named Docker endpoint in `~/.docker/contexts` (or `$DOCKER_CONFIG/contexts`), the
//! current one in `config.json`'s `currentContext`. Berth adds one of its own, `local`,
//! its own engine, which is what runs when nothing else is chosen; Docker's `default`
//! (`DOCKER_HOST`, else `/var/run/docker.sock`) is there too.
//!
//! Which engine a command talks to is chosen as the docker CLI chooses: `--host`,
//! else `--context`, else `DOCKER_HOST`, else `DOCKER_CONTEXT`, else the current context.

pub mod store;

pub use store::{ContextStore, Meta};

use crate::backend::docker::Endpoint;

/// Berth's own engine, as a context.
pub const LOCAL: &str = "local";
/// Docker's default context: `DOCKER_HOST`, else the system's socket.
pub const DEFAULT: &str = "default";
/// Where the docker CLI looks when nothing else is given.
pub const SYSTEM_SOCKET: &str = "unix:///var/run/docker.sock";

/// What a command talks to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Target {
    /// Berth's own engine.
    Local,
    /// A Docker engine at this host (`unix:///...`, `tcp://...`), reached through the
    /// context named (None: `-H` or `DOCKER_HOST` directly).
    Docker {
        host: String,
        context: Option<String>,
        skip_tls_verify: bool,
    },
}

impl Target {
    /// The Docker engine's endpoint (None: Berth's own engine). TLS is asked for by
    /// `DOCKER_TLS_VERIFY`, as the docker CLI reads it.
    pub fn endpoint(&self) -> Result<Option<Endpoint>, String> {
        match self {
            Target::Local => Ok(None),
            Target::Docker { host, .. } => {
                let tls = std::env::var("DOCKER_TLS_VERIFY").is_ok_and(|v| !v.is_empty());
                Endpoint::parse(host, tls).map(Some)
            }
        }
    }

    /// The context's name as `docker info` shows it: a host given directly (`-H`,
    /// `DOCKER_HOST`) is Docker's `default` context.
    pub fn context_name(&self) -> &str {
        match self {
            Target::Local => LOCAL,
            Target::Docker {
                context: Some(c), ..
            } => c,
            Target::Docker { .. } => DEFAULT,
        }
    }
}

/// The selection inputs, as the command line and environment give them (empty values
/// count as none).
#[derive(Debug, Clone, Default)]
pub struct Choice {
    pub host_flag: Option<String>,
    pub context_flag: Option<String>,
    pub docker_host: Option<String>,
    pub docker_context: Option<String>,
}

impl Choice {
    /// From the flags and this process's environment.
    pub fn from_env(host_flag: Option<String>, context_flag: Option<String>) -> Choice {
        let var = |n: &str| std::env::var(n).ok();
        Choice {
            host_flag,
            context_flag,
            docker_host: var("DOCKER_HOST"),
            docker_context: var("DOCKER_CONTEXT"),
        }
    }
}

fn given(v: &Option<String>) -> Option<&str> {
    v.as_deref().map(str::trim).filter(|s| !s.is_empty())
}

/// Resolve what `choice` selects against `store`.
pub fn resolve(choice: &Choice, store: &ContextStore) -> Result<Target, String> {
    if given(&choice.host_flag).is_some() && given(&choice.context_flag).is_some() {
        return Err("conflicting options: either specify --host or --context, not both".into());
    }
    let direct = |host: &str| Target::Docker {
        host: host.to_string(),
        context: None,
        skip_tls_verify: false,
    };
    if let Some(h) = given(&choice.host_flag) {
        return Ok(direct(h));
    }
    if let Some(c) = given(&choice.context_flag) {
        return named(c, choice, store);
    }
    if let Some(h) = given(&choice.docker_host) {
        return Ok(direct(h));
    }
    if let Some(c) = given(&choice.docker_context) {
        return named(c, choice, store);
    }
    match store.current()? {
        Some(c) => named(&c, choice, store),
        None => Ok(Target::Local),
    }
}

/// The target of the context called `name`.
fn named(name: &str, choice: &Choice, store: &ContextStore) -> Result<Target, String> {
    match name {
        LOCAL => Ok(Target::Local),
        DEFAULT => Ok(Target::Docker {
            host: given(&choice.docker_host)
                .unwrap_or(SYSTEM_SOCKET)
                .to_string(),
            context: Some(DEFAULT.into()),
            skip_tls_verify: false,
        }),
        _ => {
            let meta = store.get(name)?;
            let docker = meta
                .docker_endpoint()
                .ok_or_else(|| format!("context {name:?} has no docker endpoint"))?;
            Ok(Target::Docker {
                host: docker.host.clone(),
                context: Some(name.to_string()),
                skip_tls_verify: docker.skip_tls_verify,
            })
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn store() -> (tempfile::TempDir, ContextStore) {
        let d = tempfile::tempdir().unwrap();
        let s = ContextStore::at(d.path());
        s.create("far", "a remote engine", "tcp://far:2375", false)
            .unwrap();
        (d, s)
    }

    fn docker(host: &str, context: Option<&str>) -> Target {
        Target::Docker {
            host: host.into(),
            context: context.map(String::from),
            skip_tls_verify: false,
        }
    }

    #[test]
    fn the_docker_clis_order_of_precedence() {
        let (_d, s) = store();
        let mut c = Choice::default();
        assert_eq!(resolve(&c, &s), Ok(Target::Local));
        s.set_current(Some("far")).unwrap();
        assert_eq!(resolve(&c, &s), Ok(docker("tcp://far:2375", Some("far"))));
        c.docker_context = Some("local".into());
        assert_eq!(resolve(&c, &s), Ok(Target::Local));
        c.docker_host = Some("unix:///x.sock".into());
        assert_eq!(resolve(&c, &s), Ok(docker("unix:///x.sock", None)));
        c.context_flag = Some("default".into());
        assert_eq!(
            resolve(&c, &s),
            Ok(docker("unix:///x.sock", Some("default")))
        );
        c.host_flag = Some("tcp://h:1".into());
        assert!(resolve(&c, &s).unwrap_err().contains("not both"));
        c.context_flag = None;
        assert_eq!(resolve(&c, &s), Ok(docker("tcp://h:1", None)));
        let missing = Choice {
            context_flag: Some("nosuch".into()),
            ..Default::default()
        };
        assert!(resolve(&missing, &s).unwrap_err().contains("nosuch"));
    }
}
