//! The registry client: `pull`, `push` and `login` against a Docker or OCI distribution
//! registry, and Docker's auth file (`~/.docker/config.json`) for credentials.
//!
//! Speaking HTTP is `oci-client`'s (token and basic auth, manifests, blob streams,
//! uploads, cross-repository mounts); the login check alone goes through `reqwest`
//! directly, because `oci-client` accepts basic credentials without ever trying them.
//! What arrives is checked and staged under `<root>/tmp` exactly as `load` does, then
//! registered in one step (`pull_register.rs`): a failed or interrupted pull leaves no
//! half-registered image and no temp file.
//!
//! These functions are async and run on the caller's runtime (Berth's backend awaits
//! them); file work goes to `spawn_blocking`, never a nested runtime.

mod auth_file;
mod challenge;
mod client;
mod distribution;
mod fetch;
mod login;
mod platform;
mod pull;
mod push;
mod target;
#[cfg(test)]
mod tests;

pub use auth_file::{auth_key, docker_config_path, AuthFile, HUB_AUTH_KEY};
pub use target::Target;
// The TLS provider and the full text of a reqwest error, shared with the awslogs driver.
pub(crate) use client::{request_error, tls_provider};

use crate::store::Digest;

/// What a registry is told who we are: a user name and a password (or access token).
#[derive(Clone, PartialEq, Eq)]
pub struct Credentials {
    pub username: String,
    pub password: String,
}

impl std::fmt::Debug for Credentials {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Credentials")
            .field("username", &self.username)
            .finish_non_exhaustive()
    }
}

/// Progress of a pull, in the order Docker prints it. Layers are named by their blob
/// digest (Docker shows its short form).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PullEvent {
    /// The reference resolved to this manifest (for a manifest list or index, the
    /// list's digest: Docker's `Digest: sha256:...`).
    Resolved {
        digest: Digest,
    },
    Waiting {
        layer: Digest,
    },
    /// The store has this blob already: nothing to download.
    AlreadyExists {
        layer: Digest,
    },
    Downloading {
        layer: Digest,
        current: u64,
        total: u64,
    },
    Verifying {
        layer: Digest,
    },
    DownloadComplete {
        layer: Digest,
    },
    Extracting {
        layer: Digest,
    },
    PullComplete {
        layer: Digest,
    },
    /// The image is registered: the resolved manifest digest, the image ID, and whether
    /// the image is new to the store (Docker's `Downloaded newer image` vs `Image is up
    /// to date`).
    Done {
        digest: Digest,
        id: Digest,
        new: bool,
    },
}

/// Progress of a push. Layers are named by their diff ID, as Docker's push names them
/// (the blob sent may be a gzip made of it).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PushEvent {
    Preparing {
        layer: Digest,
    },
    Waiting {
        layer: Digest,
    },
    Pushing {
        layer: Digest,
        current: u64,
        total: u64,
    },
    /// The registry has this blob in the repository already.
    LayerAlreadyExists {
        layer: Digest,
    },
    /// The registry copied the blob from another repository of its own (`from`, the
    /// repository path) instead of receiving it again.
    MountedFrom {
        layer: Digest,
        from: String,
    },
    Pushed {
        layer: Digest,
    },
    /// The manifest is in: Docker's `TAG: digest: sha256:... size: N`.
    Done {
        tag: String,
        digest: Digest,
        size: u64,
    },
}
