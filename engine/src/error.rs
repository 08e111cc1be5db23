//! The engine's error type. Each variant says what the user can do about it; I/O errors carry
//! the path and what was being done, so a message names the file at fault.

use std::path::PathBuf;

pub type Result<T, E = Error> = std::result::Result<T, E>;

#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("{op} {path}: {source}")]
    Io {
        op: &'static str,
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("{0}")]
    Sys(String),
    #[error("No such {kind}: {name}")]
    NotFound { kind: &'static str, name: String },
    /// Something another party (a registry) does not have, in that party's or Docker's
    /// own words rather than berth's "No such ...".
    #[error("{0}")]
    Missing(String),
    /// A network named for a container to join (`run --network`, `network connect`),
    /// in Docker's words for that case.
    #[error("network {0} not found")]
    NetworkNotFound(String),
    #[error("{0}")]
    Conflict(String),
    /// What this caller may not do to that object (join a swarm network that is not
    /// attachable), Docker's 403.
    #[error("{0}")]
    Forbidden(String),
    /// What needs a state this host is not in (swarm mode), Docker's 503.
    #[error("{0}")]
    Unavailable(String),
    #[error("{0}")]
    InvalidArgument(String),
    /// A `run`/`create` flag's value refused before anything is made; the message names
    /// the flag as Docker's does.
    #[error("invalid argument {value:?} for \"{flag}\" flag: {reason}")]
    InvalidFlag {
        flag: &'static str,
        value: String,
        reason: String,
    },
    #[error("invalid layer {layer}: {reason}")]
    UnsafeLayer { layer: String, reason: String },
    #[error("corrupt record {path}: {reason}")]
    Corrupt { path: PathBuf, reason: String },
    #[error("{0}")]
    Runtime(String),
}

impl Error {
    pub fn io(op: &'static str, path: impl Into<PathBuf>, source: std::io::Error) -> Self {
        Error::Io {
            op,
            path: path.into(),
            source,
        }
    }
    pub fn not_found(kind: &'static str, name: impl Into<String>) -> Self {
        Error::NotFound {
            kind,
            name: name.into(),
        }
    }
    pub fn invalid(msg: impl Into<String>) -> Self {
        Error::InvalidArgument(msg.into())
    }
    pub fn flag(flag: &'static str, value: impl Into<String>, reason: impl Into<String>) -> Self {
        Error::InvalidFlag {
            flag,
            value: value.into(),
            reason: reason.into(),
        }
    }
    pub fn sys(what: impl std::fmt::Display, errno: nix::errno::Errno) -> Self {
        Error::Sys(format!("{what}: {}", errno.desc()))
    }
    /// True when the error is "the thing does not exist" (for idempotent cleanup).
    pub fn is_not_found(&self) -> bool {
        matches!(
            self,
            Error::NotFound { .. } | Error::NetworkNotFound(_) | Error::Missing(_)
        ) || matches!(self, Error::Io { source, .. } if source.kind() == std::io::ErrorKind::NotFound)
    }
}

/// Attach a path and an operation to an `io::Result`.
pub trait IoContext<T> {
    fn ctx(self, op: &'static str, path: impl Into<PathBuf>) -> Result<T>;
}

impl<T> IoContext<T> for std::io::Result<T> {
    fn ctx(self, op: &'static str, path: impl Into<PathBuf>) -> Result<T> {
        self.map_err(|e| Error::io(op, path, e))
    }
}
