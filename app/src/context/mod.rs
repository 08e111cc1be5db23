//! Contexts, as the docker CLI keeps them, so that both tools see the same ones: each
//! a named Docker endpoint in `~/.docker/contexts` (or `$DOCKER_CONFIG/contexts`), the
//! current one in `config.json`'s `currentContext`. Berth adds one of its own, `local`,
//! its own engine, which is what runs when nothing else is chosen; Docker's `default`
//! (`DOCKER_HOST`, else `/var/run/docker.sock`) is there too.
//!
//! Which engine a command talks to is chosen as the docker CLI chooses: `--host`,
//! else `--context`, else `DOCKER_HOST`, else `DOCKER_CONTEXT`, else the current context.
//! The TLS to speak comes with the choice (see `tls`).

pub mod store;
pub mod tls;

pub use store::{ContextStore, Meta};

use crate::backend::docker::{Endpoint, TlsSettings};

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
    /// A Docker engine at this host (`unix:///...`, `tcp://...`, `ssh://...`), reached
    /// through the context named (None: `-H` or `DOCKER_HOST` directly), with this TLS
    /// (for TCP; None: plain).
    Docker {
        host: String,
        context: Option<String>,
        tls: Option<TlsSettings>,
    },
}

impl Target {
    /// The Docker engine's endpoint (None: Berth's own engine).
    pub fn endpoint(&self) -> Result<Option<Endpoint>, String> {
        match self {
            Target::Local => Ok(None),
            Target::Docker { host, tls, .. } => Endpoint::parse(host, tls.clone()).map(Some),
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
    /// The TLS the global flags and the environment ask for, for a host given directly
    /// or through the `default` context (a stored context brings its own).
    pub tls: Option<TlsSettings>,
}

impl Choice {
    /// From the flags and this process's environment; `config_dir` holds the default
    /// TLS files (`$DOCKER_CONFIG` or `~/.docker`).
    pub fn from_env(
        host_flag: Option<String>,
        context_flag: Option<String>,
        tls_flags: &tls::TlsFlags,
        config_dir: &std::path::Path,
    ) -> Choice {
        let var = |n: &str| std::env::var(n).ok();
        let env = tls::TlsEnv::from_env(config_dir);
        Choice {
            host_flag,
            context_flag,
            docker_host: var("DOCKER_HOST"),
            docker_context: var("DOCKER_CONTEXT"),
            tls: tls::from_flags(tls_flags, &env, std::path::Path::exists),
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
        tls: choice.tls.clone(),
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
            tls: choice.tls.clone(),
        }),
        _ => {
            let meta = store.get(name)?;
            let docker = meta
                .docker_endpoint()
                .ok_or_else(|| format!("context {name:?} has no docker endpoint"))?;
            Ok(Target::Docker {
                host: docker.host.clone(),
                context: Some(name.to_string()),
                tls: tls::from_context(&store.docker_tls_dir(name), docker.skip_tls_verify),
            })
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn targets_become_endpoints_with_their_tls() {
        let docker = |host: &str, tls| Target::Docker {
            host: host.into(),
            context: None,
            tls,
        };
        let e = docker("unix:///a.sock", Some(TlsSettings::default())).endpoint();
        assert_eq!(e, Ok(Some(Endpoint::Unix("/a.sock".into()))));
        let e = docker("tcp://b:1", None).endpoint();
        assert_eq!(e, Ok(Some(Endpoint::Tcp("b:1".into()))));
        let e = docker("tcp://b:2376", Some(TlsSettings::default())).endpoint();
        assert!(matches!(e, Ok(Some(Endpoint::Tls { .. }))));
        let e = docker("ssh://me@far/sock", None).endpoint();
        assert!(e.is_err_and(|m| m.contains("extra path after the host")));
        assert_eq!(Target::Local.endpoint(), Ok(None));
    }

    fn store() -> (tempfile::TempDir, ContextStore) {
        let d = tempfile::tempdir().unwrap();
        let s = ContextStore::at(d.path());
        s.create(
            "far",
            "a remote engine",
            "tcp://far:2375",
            false,
            &Default::default(),
        )
        .unwrap();
        (d, s)
    }

    fn docker(host: &str, context: Option<&str>) -> Target {
        Target::Docker {
            host: host.into(),
            context: context.map(String::from),
            tls: None,
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

    #[test]
    fn tls_comes_from_the_flags_or_from_the_context() {
        let (d, s) = store();
        let flags_tls = TlsSettings {
            verify: true,
            ca: Some("/flags/ca.pem".into()),
            ..Default::default()
        };
        let mut c = Choice {
            host_flag: Some("tcp://h:2376".into()),
            tls: Some(flags_tls.clone()),
            ..Default::default()
        };
        let tls_of = |t: Result<Target, String>| match t {
            Ok(Target::Docker { tls, .. }) => tls,
            other => panic!("{other:?}"),
        };
        assert_eq!(tls_of(resolve(&c, &s)), Some(flags_tls.clone()));
        c.host_flag = None;
        c.context_flag = Some("default".into());
        assert_eq!(tls_of(resolve(&c, &s)), Some(flags_tls.clone()));
        // A stored context brings its own material; the flags play no part.
        c.context_flag = Some("far".into());
        assert_eq!(tls_of(resolve(&c, &s)), None);
        let material = store::TlsMaterial {
            ca: Some(b"ca".to_vec()),
            cert: Some(b"cert".to_vec()),
            key: Some(b"key".to_vec()),
        };
        s.create("secure", "", "tcp://far:2376", false, &material)
            .unwrap();
        c.context_flag = Some("secure".into());
        let got = tls_of(resolve(&c, &s)).unwrap();
        let dir = s.docker_tls_dir("secure");
        assert!(dir.starts_with(d.path()));
        assert_eq!(
            got,
            TlsSettings {
                verify: true,
                ca: Some(dir.join("ca.pem")),
                cert: Some(dir.join("cert.pem")),
                key: Some(dir.join("key.pem")),
            }
        );
    }
}
