//! The embedded DNS server of user networks (what aardvark-dns is to netavark): one
//! small process per network, listening on the network's gateway address, port 53,
//! in the host's namespace. It answers container names, aliases and short IDs from the
//! network records, and forwards everything else to the host's nameservers.
//!
//! There is no daemon: whoever puts a container on a user network calls
//! [`ensure_server`]. The bound socket is the lock: if the address is taken, a server
//! already runs; otherwise the caller hands the freshly bound socket to a new server
//! process, so no query can arrive before the server listens. The server leaves when
//! its network is removed or has no containers left.

pub mod records;
pub mod server;
pub mod upstream;
pub mod wire;

use std::net::UdpSocket;
use std::os::fd::AsRawFd;
use std::os::unix::process::CommandExt;

use super::types::{Network, DEFAULT_NETWORK};
use crate::config::Config;
use crate::error::{Error, Result};

/// The fd the server finds its socket on.
pub const SOCKET_FD: i32 = 3;

/// Whether containers on `net` get the embedded server as their nameserver. Like
/// Docker, the default bridge has none (its containers use the host's nameservers).
pub fn serves(net: &Network) -> bool {
    net.name != DEFAULT_NETWORK
}

/// Make sure `net`'s server runs (its bridge must exist).
pub fn ensure_server(config: &Config, net: &Network) -> Result<()> {
    if !serves(net) {
        return Ok(());
    }
    let sock = match UdpSocket::bind((net.gateway, 53)) {
        Ok(s) => s,
        Err(e) if e.kind() == std::io::ErrorKind::AddrInUse => return Ok(()),
        Err(e) => {
            return Err(Error::Runtime(format!(
                "start the DNS server of network {}: bind {}:53: {e}",
                net.name, net.gateway
            )))
        }
    };
    spawn(config, net, &sock)
}

/// Start `berth __dns NETWORK-ID` with the socket as fd 3, in a session of its own.
/// It forks once and its first process exits at once, so no zombie is left to whoever
/// called us (a monitor, the CLI, the TUI).
/// It gets this process's settings as its environment (`Config::to_env`).
fn spawn(config: &Config, net: &Network, sock: &UdpSocket) -> Result<()> {
    let fd = sock.as_raw_fd();
    let mut cmd = config.helper_command("__dns");
    cmd.arg(&net.id);
    // SAFETY: only async-signal-safe calls between fork and exec.
    unsafe {
        cmd.pre_exec(move || {
            if libc::setsid() < 0 {
                return Err(std::io::Error::last_os_error());
            }
            // dup2 clears close-on-exec on the copy, but is a no-op when the socket
            // already is fd 3: then the flag is cleared by hand.
            let r = if fd == SOCKET_FD {
                libc::fcntl(fd, libc::F_SETFD, 0)
            } else {
                libc::dup2(fd, SOCKET_FD)
            };
            if r < 0 {
                return Err(std::io::Error::last_os_error());
            }
            Ok(())
        });
    }
    let mut child = cmd.spawn().map_err(|e| {
        Error::Runtime(format!("start the DNS server of network {}: {e}", net.name))
    })?;
    let _ = child.wait();
    Ok(())
}
