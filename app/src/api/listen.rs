//! Where `berth system service` listens: a unix socket (the default, under the run
//! root, mode 0660 and an optional group) or a TCP port on loopback. Every accepted
//! connection is counted while it lives (upgraded attach and exec sessions included),
//! so the idle timer only runs when nobody is connected.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::pin::Pin;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::task::{Context, Poll};

use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::{TcpListener, TcpStream, UnixListener, UnixStream};

/// A parsed `[URI]` argument.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Address {
    Unix(PathBuf),
    Tcp(SocketAddr),
}

impl Address {
    /// `unix:///path`, `unix://path`, `tcp://127.0.0.1:2375`. A TCP address that is not
    /// loopback is refused: the API gives root on this host to whoever reaches it.
    pub fn parse(uri: &str) -> Result<Address, String> {
        if let Some(path) = uri.strip_prefix("unix://") {
            if path.is_empty() {
                return Err(format!("invalid address {uri:?}: the socket path is empty"));
            }
            return Ok(Address::Unix(PathBuf::from(path)));
        }
        if let Some(hostport) = uri.strip_prefix("tcp://") {
            let addr: SocketAddr = hostport
                .trim_end_matches('/')
                .parse()
                .map_err(|_| format!("invalid address {uri:?}: expected tcp://127.0.0.1:PORT"))?;
            if !addr.ip().is_loopback() {
                return Err(format!(
                    "refusing to listen on {addr}: the API gives root on this host to anyone who reaches it; use a loopback address (127.0.0.1 or [::1]) or a unix socket"
                ));
            }
            return Ok(Address::Tcp(addr));
        }
        Err(format!(
            "invalid address {uri:?}: use unix:///PATH or tcp://127.0.0.1:PORT"
        ))
    }

    pub fn default_for(run_root: &Path) -> Address {
        Address::Unix(run_root.join("berth.sock"))
    }
}

/// How many connections are open now.
#[derive(Debug, Clone, Default)]
pub struct Connections(Arc<AtomicUsize>);

impl Connections {
    pub fn open(&self) -> usize {
        self.0.load(Ordering::SeqCst)
    }
    fn enter(&self) -> Guard {
        self.0.fetch_add(1, Ordering::SeqCst);
        Guard(self.0.clone())
    }
}

struct Guard(Arc<AtomicUsize>);

impl Drop for Guard {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::SeqCst);
    }
}

/// An accepted connection that counts itself until dropped.
pub struct Counted<S> {
    inner: S,
    _guard: Guard,
}

impl<S: AsyncRead + Unpin> AsyncRead for Counted<S> {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.get_mut().inner).poll_read(cx, buf)
    }
}

impl<S: AsyncWrite + Unpin> AsyncWrite for Counted<S> {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<std::io::Result<usize>> {
        Pin::new(&mut self.get_mut().inner).poll_write(cx, buf)
    }
    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.get_mut().inner).poll_flush(cx)
    }
    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.get_mut().inner).poll_shutdown(cx)
    }
}

pub struct CountingUnix {
    pub listener: UnixListener,
    pub conns: Connections,
}

impl axum::serve::Listener for CountingUnix {
    type Io = Counted<UnixStream>;
    type Addr = tokio::net::unix::SocketAddr;

    async fn accept(&mut self) -> (Self::Io, Self::Addr) {
        loop {
            match self.listener.accept().await {
                Ok((s, a)) => {
                    return (
                        Counted {
                            inner: s,
                            _guard: self.conns.enter(),
                        },
                        a,
                    )
                }
                // Out of descriptors and the like: wait a moment rather than spin.
                Err(_) => tokio::time::sleep(std::time::Duration::from_millis(50)).await,
            }
        }
    }

    fn local_addr(&self) -> std::io::Result<Self::Addr> {
        self.listener.local_addr()
    }
}

pub struct CountingTcp {
    pub listener: TcpListener,
    pub conns: Connections,
}

impl axum::serve::Listener for CountingTcp {
    type Io = Counted<TcpStream>;
    type Addr = SocketAddr;

    async fn accept(&mut self) -> (Self::Io, Self::Addr) {
        loop {
            match self.listener.accept().await {
                Ok((s, a)) => {
                    let _ = s.set_nodelay(true);
                    return (
                        Counted {
                            inner: s,
                            _guard: self.conns.enter(),
                        },
                        a,
                    );
                }
                Err(_) => tokio::time::sleep(std::time::Duration::from_millis(50)).await,
            }
        }
    }

    fn local_addr(&self) -> std::io::Result<Self::Addr> {
        self.listener.local_addr()
    }
}

/// A `--group` by name or number.
pub fn group_id(g: &str) -> Result<nix::unistd::Gid, String> {
    match g.parse::<u32>() {
        Ok(n) => Ok(nix::unistd::Gid::from_raw(n)),
        Err(_) => Ok(nix::unistd::Group::from_name(g)
            .map_err(|e| format!("--group {g}: {e}"))?
            .ok_or_else(|| format!("--group {g}: no such group"))?
            .gid),
    }
}

/// Bind a unix socket: a stale socket file from a dead server is replaced, a live one
/// is not; the socket is made 0660, owned by `group` when given. The group is resolved
/// first, and a socket that cannot be given its mode or group is removed again.
pub fn bind_unix(path: &Path, group: Option<&str>) -> Result<UnixListener, String> {
    let gid = group.map(group_id).transpose()?;
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir).map_err(|e| format!("create {}: {e}", dir.display()))?;
    }
    if path.exists() {
        if std::os::unix::net::UnixStream::connect(path).is_ok() {
            return Err(format!(
                "{} is in use: another berth system service (or a Docker daemon) is listening there",
                path.display()
            ));
        }
        std::fs::remove_file(path).map_err(|e| format!("remove stale {}: {e}", path.display()))?;
    }
    let listener =
        UnixListener::bind(path).map_err(|e| format!("listen on {}: {e}", path.display()))?;
    let restrict = || -> Result<(), String> {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o660))
            .map_err(|e| format!("chmod {}: {e}", path.display()))?;
        if let Some(gid) = gid {
            nix::unistd::chown(path, None, Some(gid))
                .map_err(|e| format!("chown {} to group {gid}: {e}", path.display()))?;
        }
        Ok(())
    };
    if let Err(e) = restrict() {
        let _ = std::fs::remove_file(path);
        return Err(e);
    }
    Ok(listener)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn addresses_parse_and_only_loopback_tcp_is_allowed() {
        assert_eq!(
            Address::parse("unix:///run/x.sock"),
            Ok(Address::Unix("/run/x.sock".into()))
        );
        assert!(matches!(
            Address::parse("tcp://127.0.0.1:2375"),
            Ok(Address::Tcp(_))
        ));
        assert!(matches!(
            Address::parse("tcp://[::1]:2375"),
            Ok(Address::Tcp(_))
        ));
        assert!(Address::parse("tcp://0.0.0.0:2375")
            .unwrap_err()
            .contains("refusing"));
        assert!(Address::parse("tcp://10.0.0.1:2375").is_err());
        assert!(Address::parse("http://x").is_err());
        assert!(Address::parse("unix://").is_err());
    }
}
