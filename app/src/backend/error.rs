//! The engine interface's one error type. Each kind is one of the Docker Engine API's
//! answers, so the API server maps it to an HTTP status and the CLI to an exit code, and
//! nothing in between looks at message text.

pub type Result<T, E = BackendError> = std::result::Result<T, E>;

/// What went wrong, as the Docker Engine API classifies it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ErrorKind {
    /// 404: no such container, image, network, volume or exec.
    NotFound,
    /// 409: a name in use, a container running when it must not be, ...
    Conflict,
    /// 400: a malformed body, a bad option value.
    InvalidArgument,
    /// 304: the container was already started or stopped.
    NotModified,
    /// 501 at the API: the backend cannot do this (or not yet).
    Unsupported,
    /// 403: not allowed on that object (a swarm network that is not attachable).
    Forbidden,
    /// 503: the host is not in the state this needs (not a swarm manager).
    Unavailable,
    /// 500: anything else (I/O, the kernel refused).
    Internal,
    /// The engine itself cannot be reached (its daemon stopped, the network is down):
    /// no answer at all, as opposed to an answer that refuses. A front end says the
    /// backend is away and tries again; the API (a gateway) answers 502.
    Unreachable,
}

#[derive(Debug, Clone, thiserror::Error)]
#[error("{message}")]
pub struct BackendError {
    pub kind: ErrorKind,
    pub message: String,
}

impl BackendError {
    pub fn new(kind: ErrorKind, message: impl Into<String>) -> Self {
        BackendError {
            kind,
            message: message.into(),
        }
    }
    pub fn not_found(message: impl Into<String>) -> Self {
        Self::new(ErrorKind::NotFound, message)
    }
    pub fn conflict(message: impl Into<String>) -> Self {
        Self::new(ErrorKind::Conflict, message)
    }
    pub fn invalid(message: impl Into<String>) -> Self {
        Self::new(ErrorKind::InvalidArgument, message)
    }
    pub fn not_modified() -> Self {
        Self::new(ErrorKind::NotModified, "")
    }
    pub fn unsupported(message: impl Into<String>) -> Self {
        Self::new(ErrorKind::Unsupported, message)
    }
    pub fn internal(message: impl Into<String>) -> Self {
        Self::new(ErrorKind::Internal, message)
    }
    pub fn is_not_found(&self) -> bool {
        self.kind == ErrorKind::NotFound
    }
}

impl From<berth_engine::Error> for BackendError {
    fn from(e: berth_engine::Error) -> Self {
        use berth_engine::Error as E;
        let kind = match &e {
            E::NotFound { .. } | E::NetworkNotFound(_) | E::Missing(_) => ErrorKind::NotFound,
            E::Io { source, .. } if source.kind() == std::io::ErrorKind::NotFound => {
                ErrorKind::Internal
            }
            E::Conflict(_) => ErrorKind::Conflict,
            E::Unavailable(_) => ErrorKind::Unavailable,
            E::Forbidden(_) => ErrorKind::Forbidden,
            E::InvalidArgument(_) | E::InvalidFlag { .. } | E::UnsafeLayer { .. } => {
                ErrorKind::InvalidArgument
            }
            E::Io { .. } | E::Sys(_) | E::Corrupt { .. } | E::Runtime(_) => ErrorKind::Internal,
        };
        BackendError::new(kind, e.to_string())
    }
}

/// A task that panicked or was cancelled inside the backend.
impl From<tokio::task::JoinError> for BackendError {
    fn from(e: tokio::task::JoinError) -> Self {
        BackendError::internal(format!("backend task failed: {e}"))
    }
}
