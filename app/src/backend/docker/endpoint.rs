//! Where a Docker engine listens, as the docker CLI spells it (`-H`, `DOCKER_HOST`):
//! `unix:///path` or `tcp://host:port`. What a later increment brings (ssh, TLS, named
//! pipes, inherited sockets) is refused here by name, before anything is dialled.

use std::path::PathBuf;

/// The docker CLI's default socket, for a bare `unix://`.
pub const DEFAULT_UNIX_SOCKET: &str = "/var/run/docker.sock";
/// The docker CLI's port for plain TCP when the address has none.
pub const DEFAULT_TCP_PORT: u16 = 2375;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Endpoint {
    Unix(PathBuf),
    /// `host:port`, the port always present.
    Tcp(String),
}

impl Endpoint {
    /// Parse one `-H` value. `tls_verify` is whether `DOCKER_TLS_VERIFY` asks for TLS.
    pub fn parse(host: &str, tls_verify: bool) -> Result<Endpoint, String> {
        let host = host.trim();
        let Some((scheme, rest)) = host.split_once("://") else {
            return Err(format!(
                "invalid Docker host {host:?}: expected unix:///path or tcp://host:port"
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
                if tls_verify {
                    return Err(format!(
                        "DOCKER_TLS_VERIFY is set: TLS connections to a Docker engine ({host}) are not supported by berth yet; unset it to connect without TLS"
                    ));
                }
                tcp_address(host, rest).map(Endpoint::Tcp)
            }
            "https" => Err(format!(
                "TLS connections to a Docker engine ({host}) are not supported by berth yet"
            )),
            "ssh" => Err(format!(
                "ssh connections to a Docker engine ({host}) are not supported by berth yet"
            )),
            "npipe" | "fd" => Err(format!(
                "{scheme}:// Docker hosts are not supported by berth ({host})"
            )),
            _ => Err(format!(
                "invalid Docker host {host:?}: unknown scheme {scheme:?} (expected unix or tcp)"
            )),
        }
    }

    /// As the docker CLI names it in messages (`unix:///run/x.sock`, `tcp://h:2375`).
    pub fn url(&self) -> String {
        match self {
            Endpoint::Unix(p) => format!("unix://{}", p.display()),
            Endpoint::Tcp(a) => format!("tcp://{a}"),
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
            Endpoint::parse("unix:///tmp/d.sock", false),
            Ok(Endpoint::Unix("/tmp/d.sock".into()))
        );
        assert_eq!(
            Endpoint::parse("unix://", false),
            Ok(Endpoint::Unix(DEFAULT_UNIX_SOCKET.into()))
        );
        assert!(Endpoint::parse("unix://relative.sock", false).is_err());
        // TLS does not apply to a local socket, as with the docker CLI.
        assert!(Endpoint::parse("unix:///tmp/d.sock", true).is_ok());
    }

    #[test]
    fn tcp_addresses() {
        let tcp = |s| Endpoint::parse(s, false);
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
    fn later_increments_are_named() {
        let e = Endpoint::parse("ssh://me@far", false).unwrap_err();
        assert!(e.contains("ssh") && e.contains("not supported"), "{e}");
        let e = Endpoint::parse("tcp://far:2376", true).unwrap_err();
        assert!(e.contains("DOCKER_TLS_VERIFY"), "{e}");
        assert!(Endpoint::parse("/var/run/docker.sock", false).is_err());
        assert!(Endpoint::parse("gopher://x", false).is_err());
    }
}
