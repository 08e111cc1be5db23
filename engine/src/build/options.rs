//! What a build is asked to do: `docker build`'s flags, already parsed by a front end.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::Arc;

/// How a build gets a base image it lacks (or, with `--pull`, a fresh copy of one):
/// the backend's registry pull, called with the reference. Absent: a missing base image
/// is an error.
#[derive(Clone)]
pub struct Fetch(pub Arc<FetchFn>);

/// Pull one reference into the store.
pub type FetchFn = dyn Fn(&str) -> crate::Result<()> + Send + Sync;

impl std::fmt::Debug for Fetch {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Fetch")
    }
}

#[derive(Debug, Clone, Default)]
pub struct BuildOptions {
    /// The Dockerfile's path inside the context (`-f`), `Dockerfile` by default.
    pub dockerfile: String,
    /// `-t`, each `name[:tag]`.
    pub tags: Vec<String>,
    /// `--build-arg K=V`; a value of None takes nothing (the front end resolved `K`
    /// alone from its environment, or left it unset).
    pub build_args: BTreeMap<String, Option<String>>,
    /// `--target`.
    pub target: Option<String>,
    /// `--no-cache`.
    pub no_cache: bool,
    /// `--pull`: refresh base images from their registry before use.
    pub pull: bool,
    /// `--label K=V`, set on the final image.
    pub labels: BTreeMap<String, String>,
    /// `--network` for RUN steps: `default` (the default bridge), `none`, `host` or a
    /// network's name.
    pub network: Option<String>,
    /// `--secret id=ID,src=FILE`: the id and the host file.
    pub secrets: BTreeMap<String, PathBuf>,
    /// `--platform`, checked against the host's.
    pub platform: Option<String>,
    /// Pulls base images (see [`Fetch`]).
    pub fetch: Option<Fetch>,
}

impl BuildOptions {
    pub fn dockerfile_name(&self) -> &str {
        if self.dockerfile.is_empty() {
            "Dockerfile"
        } else {
            &self.dockerfile
        }
    }
}
