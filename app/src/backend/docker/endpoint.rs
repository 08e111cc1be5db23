//! Where a Docker engine listens, as the docker CLI spells it (`-H`, `DOCKER_HOST`, a
//! context's host): `unix:///path`, `tcp://host:port` (with TLS when the flags, the
//! environment or the context ask for it) or `ssh://[user@]host[:port]`. What berth does
//! not reach (named pipes, inherited sockets) is refused here by name, before anything
//! is dialled.

use std::path::PathBuf;

use super::ssh::SshSpec;
use super::tls::TlsSettings;

/// The docker CLI's default socket, for a bare `unix://`.
pub const DEFAULT_UNIX_SOCKET: &str = "/var/run/docker.sock";
/// The docker CLI's port for TCP when the address has none (TLS or not: the docker
/// CLI fills in 2375 either way).
pub const DEFAULT_TCP_PORT: u16 = 2375;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Endpoint {
    Unix(PathBuf),
    /// Plain TCP to `host:port`, the port always present.
    Tcp(String),
    /// TCP with TLS to `addr` (`host:port`).
    Tls {
        addr: String,
        tls: TlsSettings,
    },
    /// `docker system dial-stdio` on a remote host, through the system's ssh.
    Ssh(SshSpec),
}

impl Endpoint {
    /// Parse one host value. `tls` is the TLS the flags, the environment or the
    /// context ask for; it applies to TCP only, as with the docker CLI (a local socket
    /// and ssh ignore it).
    pub fn parse(host: &str, tls: Option<TlsSettings>) -> Result<Endpoint, String> {
        let host = host.trim();
        let Some((scheme, rest)) = host.split_once("://") else {
            return Err(format!(
                "invalid Docker host {host:?}: expected unix:///path, tcp://host:port or ssh://[user@]host[:port]"
            ));
        };
        match scheme {
            "unix" => {
                let path = if rest.is_empty() {
                    DEFAULT_UNIX_SOCKET
                } else {
                    rest
                };
                if !path.starts_with('/') {
                    return Err(format!(
                        "invalid Docker host {host:?}: a unix socket path must be absolute"
                    ));
                }
                Ok(Endpoint::Unix(PathBuf::from(path)))
            }
            "tcp" | "http" => {
                let addr = tcp_address(host, rest)?;
                Ok(match tls {
                    Some(tls) => Endpoint::Tls { addr, tls },
                    None => Endpoint::Tcp(addr),
                })
            }
            "https" => Err(format!(
                "invalid Docker host {host:?}: write tcp://host:port and ask for TLS with --tlsverify (or --tls, DOCKER_TLS_VERIFY, a context's TLS material)"
            )),
            "ssh" => SshSpec::parse(host).map(Endpoint::Ssh),
            "npipe" | "fd" => Err(format!(
                "{scheme}:// Docker hosts are not supported by berth ({host})"
            )),
            _ => Err(format!(
                "invalid Docker host {host:?}: unknown scheme {scheme:?} (expected unix, tcp or ssh)"
            )),
        }
    }

    /// As the docker CLI names it in messages (`unix:///run/x.sock`, `tcp://h:2375`,
    /// `ssh://me@far:22`).
    pub fn url(&self) -> String {
        match self {
            Endpoint::Unix(p) => format!("unix://{}", p.display()),
            Endpoint::Tcp(a) | Endpoint::Tls { addr: a, .. } => format!("tcp://{a}"),
            Endpoint::Ssh(s) => {
                let user = s.user.as_ref().map(|u| format!("{u}@")).unwrap_or_default();
                let host = if s.host.contains(':') {
                    format!("[{}]", s.host)
                } else {
                    s.host.clone()
                };
                let port = s.port.map(|p| format!(":{p}")).unwrap_or_default();
                format!("ssh://{user}{host}{port}")
            }
        }
    }
}

/// `host[:port]` with the port filled in; a path after it is refused (Docker's API has
/// no base path).
fn tcp_address(host: &str, rest: &str) -> Result<String, String> {
    let rest = rest.strip_suffix('/').unwrap_or(rest);
    if rest.is_empty() || rest.contains('/') {
        return Err(format!(
            "invalid Docker host {host:?}: expected tcp://host:port"
        ));
    }
    // An IPv6 literal keeps its brackets; its colons are not a port separator.
    let has_port = match rest.rfind(']') {
        Some(close) => rest[close..].contains(':'),
        None => rest.contains(':'),
    };
    if !has_port {
        return Ok(format!("{rest}:{DEFAULT_TCP_PORT}"));
    }
    let port = rest.rsplit(':').next().unwrap_or_default();
    match port.parse::<u16>() {
        Ok(_) => Ok(rest.to_string()),
        Err(_) => Err(format!("invalid Docker host {host:?}: bad port {port:?}")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unix_sockets() {
        assert_eq!(
            Endpoint::parse("unix:///tmp/d.sock", None),
            Ok(Endpoint::Unix("/tmp/d.sock".into()))
        );
        assert_eq!(
            Endpoint::parse("unix://", None),
            Ok(Endpoint::Unix(DEFAULT_UNIX_SOCKET.into()))
        );
        assert!(Endpoint::parse("unix://relative.sock", None).is_err());
        // TLS does not apply to a local socket, as with the docker CLI.
        assert_eq!(
            Endpoint::parse("unix:///tmp/d.sock", Some(TlsSettings::default())),
            Ok(Endpoint::Unix("/tmp/d.sock".into()))
        );
    }

    #[test]
    fn tcp_addresses() {
        let tcp = |s| Endpoint::parse(s, None);
        assert_eq!(
            tcp("tcp://10.0.0.2:2376"),
            Ok(Endpoint::Tcp("10.0.0.2:2376".into()))
        );
        assert_eq!(tcp("tcp://dock"), Ok(Endpoint::Tcp("dock:2375".into())));
        assert_eq!(tcp("tcp://[::1]"), Ok(Endpoint::Tcp("[::1]:2375".into())));
        assert_eq!(tcp("tcp://[::1]:99/"), Ok(Endpoint::Tcp("[::1]:99".into())));
        assert!(tcp("tcp://h:port").is_err());
        assert!(tcp("tcp://").is_err());
        assert!(tcp("tcp://h:1/api").is_err());
        assert_eq!(
            tcp("tcp://h:1").map(|e| e.url()),
            Ok("tcp://h:1".to_string())
        );
    }

    #[test]
    fn tcp_with_tls() {
        let tls = TlsSettings {
            verify: true,
            ca: Some("/c/ca.pem".into()),
            ..Default::default()
        };
        let e = Endpoint::parse("tcp://far:2376", Some(tls.clone()));
        assert_eq!(
            e,
            Ok(Endpoint::Tls {
                addr: "far:2376".into(),
                tls
            })
        );
        assert_eq!(e.map(|e| e.url()), Ok("tcp://far:2376".to_string()));
        let e = Endpoint::parse("https://far:2376", None).unwrap_err();
        assert!(e.contains("--tlsverify"), "{e}");
    }

    #[test]
    fn ssh_hosts() {
        let e = Endpoint::parse("ssh://me@far:2222", Some(TlsSettings::default()));
        assert_eq!(
            e,
            Ok(Endpoint::Ssh(SshSpec {
                user: Some("me".into()),
                host: "far".into(),
                port: Some(2222)
            }))
        );
        assert_eq!(e.map(|e| e.url()), Ok("ssh://me@far:2222".to_string()));
        let e = Endpoint::parse("ssh://far/var/run/docker.sock", None).unwrap_err();
        assert!(e.contains("extra path after the host"), "{e}");
    }

    #[test]
    fn what_berth_does_not_reach_is_named() {
        let e = Endpoint::parse("npipe:////./pipe/docker_engine", None).unwrap_err();
        assert!(e.contains("not supported"), "{e}");
        assert!(Endpoint::parse("/var/run/docker.sock", None).is_err());
        assert!(Endpoint::parse("gopher://x", None).is_err());
    }
}
