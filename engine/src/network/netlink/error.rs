//! The netlink driver's error type. Every kernel refusal carries the operation and the
//! interface (or address) it was about, so a message reads `create veth berth0a1b: File
//! exists` rather than a bare errno.

use std::path::PathBuf;

use nix::errno::Errno;

pub type Result<T, E = NetlinkError> = std::result::Result<T, E>;

#[derive(Debug, thiserror::Error)]
pub enum NetlinkError {
    /// The kernel answered a request with an error code.
    #[error("{op} {target}: {}", errno.desc())]
    Kernel {
        op: &'static str,
        target: String,
        errno: Errno,
    },
    /// The socket itself failed (open, bind, send, receive).
    #[error("netlink socket: {op}: {source}")]
    Socket {
        op: &'static str,
        #[source]
        source: std::io::Error,
    },
    /// Entering or leaving a network namespace failed.
    #[error("{op} {path}: {}", errno.desc())]
    Netns {
        op: &'static str,
        path: PathBuf,
        errno: Errno,
    },
    /// The kernel's reply could not be decoded or was not the expected kind.
    #[error("{op} {target}: unexpected netlink reply: {reason}")]
    Reply {
        op: &'static str,
        target: String,
        reason: String,
    },
    /// The request was rejected before reaching the kernel.
    #[error("{op} {target}: {reason}")]
    Invalid {
        op: &'static str,
        target: String,
        reason: String,
    },
    /// The name is taken by an interface of another kind.
    #[error("{op} {target}: exists as {existing}")]
    WrongKind {
        op: &'static str,
        target: String,
        existing: String,
    },
}

impl NetlinkError {
    /// The kernel's errno, when the kernel refused the request.
    pub fn errno(&self) -> Option<Errno> {
        match self {
            NetlinkError::Kernel { errno, .. } | NetlinkError::Netns { errno, .. } => Some(*errno),
            _ => None,
        }
    }

    /// True when the interface, address or route named does not exist.
    pub fn is_not_found(&self) -> bool {
        matches!(
            self.errno(),
            Some(Errno::ENODEV | Errno::ENOENT | Errno::ESRCH | Errno::EADDRNOTAVAIL)
        )
    }

    /// True when the object already exists (under this name, or as another kind).
    pub fn is_exists(&self) -> bool {
        matches!(self, NetlinkError::WrongKind { .. }) || self.errno() == Some(Errno::EEXIST)
    }

    pub(crate) fn kernel(op: &'static str, target: impl Into<String>, errno: Errno) -> Self {
        NetlinkError::Kernel {
            op,
            target: target.into(),
            errno,
        }
    }

    pub(crate) fn invalid(
        op: &'static str,
        target: impl Into<String>,
        reason: impl Into<String>,
    ) -> Self {
        NetlinkError::Invalid {
            op,
            target: target.into(),
            reason: reason.into(),
        }
    }
}

/// The engine sees netlink failures through its own error type: a missing interface is
/// `NotFound`, a name clash a `Conflict`, bad input `InvalidArgument`, the rest `Sys`.
impl From<NetlinkError> for crate::Error {
    fn from(e: NetlinkError) -> Self {
        let message = e.to_string();
        if e.is_exists() {
            crate::Error::Conflict(message)
        } else if matches!(e, NetlinkError::Invalid { .. }) {
            crate::Error::InvalidArgument(message)
        } else if e.is_not_found() {
            crate::Error::NotFound {
                kind: "network interface",
                name: message,
            }
        } else {
            crate::Error::Sys(message)
        }
    }
}
