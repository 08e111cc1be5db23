//! Running a project through the engine interface, as Docker Compose v2 does: what the
//! project has now (found by labels alone), bringing it up (networks, volumes, images,
//! containers converged by config hash, started in dependency order with their
//! conditions) and taking it down. Front ends get progress as data and draw it.

pub mod down;
pub mod images;
pub mod progress;
pub mod state;
pub mod up;
pub mod wait;

use crate::backend::BackendError;

/// What a compose operation can fail with; the CLI turns it into a line and a code.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ComposeError {
    #[error("{0}")]
    Backend(String),
    #[error("{0}")]
    Spec(String),
    /// A dependency's condition failed (`dependency failed to start: ...`), with the end
    /// of its log.
    #[error("{message}")]
    Dependency { message: String, log: Vec<String> },
    #[error("{0}")]
    Invalid(String),
}

impl From<BackendError> for ComposeError {
    fn from(e: BackendError) -> Self {
        ComposeError::Backend(e.message)
    }
}

pub type Result<T> = std::result::Result<T, ComposeError>;
