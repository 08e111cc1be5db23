//! One container of a service as the engine's create body, as Docker Compose v2.29
//! makes it (`getCreateConfigs` and its helpers in `pkg/compose/create.go`): the
//! container's config (image, command, environment, labels, healthcheck, ...), its host
//! config (mounts, published ports, restart policy, resources, logging, namespaces,
//! links) and its first network endpoint.
//!
//! Berth's backend takes one endpoint at create, the network named by
//! `host_config.network_mode`; the service's further networks are for the orchestrator
//! to connect afterwards, in [`networks_in_order`], each with [`endpoint`] (as compose
//! does with engines older than API 1.44).
//!
//! Where compose asks the engine for the state of other containers, this module works
//! it out from the project: `network_mode`, `ipc` or `pid` of `service:X` and
//! `volumes_from: [X]` name X's first container (`PROJECT-X-1`, or X's
//! `container_name`); `links` name every replica X is scaled to. The names are what
//! compose gives those containers, so the engine resolves them as compose's ids.
//!
//! What compose writes into a container once it exists, secrets and configs from an
//! environment variable or inline `content`, is listed by [`file_injections`] for the
//! orchestrator to copy in (`archive_put`) before starting it.

mod files;
pub(crate) mod host;
mod mounts;
mod network;
#[cfg(test)]
mod tests;

use std::collections::HashMap;
use std::path::Path;

use bollard::models as m;

use super::labels;
use super::model::{self, Condition, Project, Service};

pub use files::{file_injections, FileInjection};
pub use network::{endpoint, networks_in_order};

/// What one container of a service is made from.
pub struct Spec<'a> {
    pub project: &'a model::Project,
    pub service_name: &'a str,
    pub service: &'a model::Service,
    /// The replica number, 1-based.
    pub number: u32,
    /// A `compose run` container: no restart policy, no network aliases but its name,
    /// and named `PROJECT-SERVICE-run-N` unless the service has a `container_name`
    /// (which `compose run` replaces with its `--name`, or clears).
    pub oneoff: bool,
    /// The image reference to create from (built or pulled already).
    pub image: String,
    /// The project directory (for the label, and relative paths).
    pub working_dir: &'a Path,
    /// The project's files, for the label (joined with `,`).
    pub config_files: &'a [String],
    /// [`crate::compose::hash::service_hash`] of the service.
    pub config_hash: &'a str,
}

/// A service setting the engine cannot be given, named with its service.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("service {service:?}: {message}")]
pub struct SpecError {
    pub service: String,
    pub message: String,
}

impl Spec<'_> {
    fn error(&self, message: impl Into<String>) -> SpecError {
        SpecError {
            service: self.service_name.to_string(),
            message: message.into(),
        }
    }

    fn project_name(&self) -> &str {
        self.project.name()
    }
}

/// A service container's name: the service's `container_name`, else
/// `PROJECT-SERVICE-NUMBER`.
pub fn container_name(project: &str, service: &str, number: u32, explicit: Option<&str>) -> String {
    match explicit.filter(|n| !n.is_empty()) {
        Some(name) => name.to_string(),
        None => format!("{project}-{service}-{number}"),
    }
}

/// The name compose gives a `compose run` container: `PROJECT-SERVICE-run-SLUG`, the
/// slug being the first 12 characters of the run's random id.
pub fn run_container_name(project: &str, service: &str, slug: &str) -> String {
    let short: String = slug.chars().take(12).collect();
    format!("{project}-{service}-run-{short}")
}

/// The name of the container `spec` describes.
fn own_name(spec: &Spec) -> String {
    let explicit = spec.service.container_name.as_deref();
    match explicit.filter(|n| !n.is_empty()) {
        Some(name) => name.to_string(),
        None if spec.oneoff => format!(
            "{}-{}-run-{}",
            spec.project_name(),
            spec.service_name,
            spec.number
        ),
        None => container_name(spec.project_name(), spec.service_name, spec.number, None),
    }
}

/// The first container of another service of the project, as `service:X` and
/// `volumes_from: [X]` mean it.
fn first_container_of(spec: &Spec, service: &str) -> Result<String, SpecError> {
    let other = spec
        .project
        .service(service)
        .ok_or_else(|| spec.error(format!("depends on undefined service {service:?}")))?;
    Ok(container_name(
        spec.project_name(),
        service,
        1,
        other.container_name.as_deref(),
    ))
}

/// The container's name and its create body.
pub fn create_body(spec: &Spec) -> Result<(String, m::ContainerCreateBody), SpecError> {
    let s = spec.service;
    let name = own_name(spec);
    let words = |what: &str, c: &Option<model::ShellCommand>| {
        c.as_ref()
            .map(|c| c.to_vec())
            .transpose()
            .map_err(|e| spec.error(format!("{what}: {e}")))
    };
    let cmd = words("command", &s.command)?;
    let entrypoint = words("entrypoint", &s.entrypoint)?;
    let (network_mode, networking_config, links) = network::settings(spec, &name)?;
    let body = m::ContainerCreateBody {
        hostname: s.hostname.clone(),
        domainname: s.domainname.clone(),
        user: s.user.clone(),
        attach_stdin: Some(false),
        attach_stdout: Some(true),
        attach_stderr: Some(true),
        exposed_ports: non_empty(exposed_ports(s)),
        tty: Some(s.tty),
        open_stdin: Some(s.stdin_open),
        stdin_once: Some(false),
        env: non_empty(environment(s)),
        cmd,
        healthcheck: s.healthcheck.as_ref().map(healthcheck),
        image: Some(spec.image.clone()),
        working_dir: s.working_dir.clone(),
        entrypoint,
        network_disabled: (network_mode == "disabled").then_some(true),
        labels: Some(container_labels(spec)),
        stop_signal: s.stop_signal.clone(),
        stop_timeout: s.stop_grace_period.map(|d| d.nanos() / 1_000_000_000),
        host_config: Some(host::host_config(spec, network_mode, links)?),
        networking_config,
        ..Default::default()
    };
    Ok((name, body))
}

/// `None` for an empty list, so the body leaves the key out.
fn non_empty<T>(v: Vec<T>) -> Option<Vec<T>> {
    (!v.is_empty()).then_some(v)
}

/// `None` for an empty map.
fn non_empty_map<K, V>(v: HashMap<K, V>) -> Option<HashMap<K, V>> {
    (!v.is_empty()).then_some(v)
}

/// `KEY=VALUE`; a name without a value is passed bare, as compose passes it: the
/// engine then leaves the variable unset even if the image sets it.
fn environment(s: &Service) -> Vec<String> {
    s.environment
        .iter()
        .map(|(k, v)| match v {
            Some(v) => format!("{k}={v}"),
            None => k.clone(),
        })
        .collect()
}

/// The ports' `TARGET/PROTOCOL` and the `expose` entries as written, each once.
fn exposed_ports(s: &Service) -> Vec<String> {
    let mut ports: Vec<String> = s.expose.clone();
    ports.extend(
        s.ports
            .iter()
            .filter_map(|p| p.target.map(|t| format!("{t}/{}", p.protocol_or_default()))),
    );
    ports.sort();
    ports.dedup();
    ports
}

/// Docker's healthcheck: durations in nanoseconds, `disable` as the test `NONE`.
pub(crate) fn healthcheck(h: &model::Healthcheck) -> m::HealthConfig {
    let nanos = |d: Option<model::Duration>| d.map(|d| d.nanos());
    m::HealthConfig {
        test: if h.disable {
            Some(vec!["NONE".to_string()])
        } else {
            h.test.clone()
        },
        interval: nanos(h.interval),
        timeout: nanos(h.timeout),
        retries: h.retries.map(|r| i64::try_from(r).unwrap_or(i64::MAX)),
        start_period: nanos(h.start_period),
        start_interval: nanos(h.start_interval),
    }
}

/// The service's labels, then compose's own (which win): project, service, version,
/// working directory, files, one-off, configuration hash, replica number and
/// dependencies.
fn container_labels(spec: &Spec) -> HashMap<String, String> {
    let mut out: HashMap<String, String> = spec
        .service
        .labels
        .iter()
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect();
    let working_dir = spec.working_dir.to_string_lossy().into_owned();
    for (k, v) in [
        (labels::PROJECT, spec.project_name().to_string()),
        (labels::SERVICE, spec.service_name.to_string()),
        (labels::VERSION, labels::COMPOSE_VERSION.to_string()),
        (labels::WORKING_DIR, working_dir),
        (labels::CONFIG_FILES, spec.config_files.join(",")),
        (
            labels::ONEOFF,
            labels::oneoff_value(spec.oneoff).to_string(),
        ),
        (labels::CONFIG_HASH, spec.config_hash.to_string()),
        (labels::CONTAINER_NUMBER, spec.number.to_string()),
        (labels::DEPENDS_ON, depends_on_label(spec.service)),
    ] {
        out.insert(k.to_string(), v);
    }
    out
}

/// `SERVICE:CONDITION:RESTART` for each dependency, joined with `,` (empty when there
/// are none), as compose writes it; sorted by service here, where compose's order is
/// its map's.
pub fn depends_on_label(s: &Service) -> String {
    s.depends_on
        .iter()
        .map(|(name, d)| {
            let condition = match d.condition {
                Condition::ServiceStarted => "service_started",
                Condition::ServiceHealthy => "service_healthy",
                Condition::ServiceCompletedSuccessfully => "service_completed_successfully",
            };
            format!("{name}:{condition}:{}", d.restart)
        })
        .collect::<Vec<_>>()
        .join(",")
}

/// What `project` calls the network `key` on the engine: its `name`, which the loader
/// fills in (`PROJECT_KEY` unless given).
fn network_name(project: &Project, key: &str) -> String {
    project
        .networks
        .get(key)
        .and_then(|n| n.name.clone())
        .unwrap_or_else(|| format!("{}_{key}", project.name()))
}
