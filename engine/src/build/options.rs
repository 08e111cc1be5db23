//! What a build is asked to do: `docker build`'s flags, already parsed by a front end.

use std::collections::BTreeMap;
use std::path::PathBuf;

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
