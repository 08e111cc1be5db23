//! The labels Docker Compose puts on what it creates (containers, networks, volumes)
//! and finds them by again: the names of compose v2's `pkg/api/labels.go`. A project's
//! containers are listed with a `label=com.docker.compose.project=NAME` filter; a
//! container's service, replica number and configuration hash come back from its
//! labels, so `up` can tell what to keep, recreate or remove.

/// The Docker Compose release whose behaviour Berth follows (container settings,
/// labels, the configuration hash). Written in the `com.docker.compose.version` label,
/// as compose writes its own version there: tools reading the label (compose itself,
/// Docker Desktop) see the version whose behaviour they can expect.
pub const COMPOSE_VERSION: &str = "2.29.0";

/// The project a container, network or volume belongs to.
pub const PROJECT: &str = "com.docker.compose.project";
/// The service a container runs.
pub const SERVICE: &str = "com.docker.compose.service";
/// The replica number of a container in its service, 1-based.
pub const CONTAINER_NUMBER: &str = "com.docker.compose.container-number";
/// `True` for a container of `compose run`, `False` otherwise.
pub const ONEOFF: &str = "com.docker.compose.oneoff";
/// The unique id of a `compose run` container.
pub const SLUG: &str = "com.docker.compose.slug";
/// The hash of the service's configuration the container was created from
/// ([`crate::compose::hash::service_hash`]).
pub const CONFIG_HASH: &str = "com.docker.compose.config-hash";
/// The project's working directory, absolute.
pub const WORKING_DIR: &str = "com.docker.compose.project.working_dir";
/// The project's compose files, absolute, joined with `,`.
pub const CONFIG_FILES: &str = "com.docker.compose.project.config_files";
/// The `--env-file` files, absolute, joined with `,` (set only when some were given).
pub const ENVIRONMENT_FILE: &str = "com.docker.compose.project.environment_file";
/// The compose version that created the resource ([`COMPOSE_VERSION`]).
pub const VERSION: &str = "com.docker.compose.version";
/// The service's dependencies, `SERVICE:CONDITION:RESTART` joined with `,`.
pub const DEPENDS_ON: &str = "com.docker.compose.depends_on";
/// The digest of the image a service was built into.
pub const IMAGE: &str = "com.docker.compose.image";
/// The project-level key of a network (`default`, not `myapp_default`).
pub const NETWORK: &str = "com.docker.compose.network";
/// The project-level key of a volume.
pub const VOLUME: &str = "com.docker.compose.volume";
/// On a container created to replace another: the replaced container's id.
pub const REPLACE: &str = "com.docker.compose.replace";

/// `true`/`false` as compose writes them in [`ONEOFF`].
pub fn oneoff_value(oneoff: bool) -> &'static str {
    if oneoff {
        "True"
    } else {
        "False"
    }
}

/// A list filter's `label` value selecting a project's resources:
/// `com.docker.compose.project=NAME`.
pub fn project_filter(project: &str) -> String {
    format!("{PROJECT}={project}")
}

/// A list filter's `label` value selecting a service's containers.
pub fn service_filter(service: &str) -> String {
    format!("{SERVICE}={service}")
}

/// A list filter's `label` value selecting one-off containers (`true`) or the others.
pub fn oneoff_filter(oneoff: bool) -> String {
    format!("{ONEOFF}={}", oneoff_value(oneoff))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_and_filters_as_compose_writes_them() {
        assert_eq!(project_filter("cct"), "com.docker.compose.project=cct");
        assert_eq!(service_filter("web"), "com.docker.compose.service=web");
        assert_eq!(oneoff_filter(false), "com.docker.compose.oneoff=False");
        assert_eq!(oneoff_filter(true), "com.docker.compose.oneoff=True");
        assert_eq!(WORKING_DIR, "com.docker.compose.project.working_dir");
        assert_eq!(CONTAINER_NUMBER, "com.docker.compose.container-number");
        let v: Vec<u32> = COMPOSE_VERSION
            .split('.')
            .map(|p| p.parse().unwrap_or(u32::MAX))
            .collect();
        assert_eq!(v, [2, 29, 0]);
    }
}
