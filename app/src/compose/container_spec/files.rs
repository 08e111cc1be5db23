//! Secrets and configs: the files compose bind-mounts read-only (`file` sources), and
//! the ones it writes into a container after create instead (`injectSecrets`,
//! `injectConfigs`: a secret from an `environment` variable, a config from one or from
//! inline `content`). Compose refuses external ones and drivers.

use bollard::models as m;

use super::mounts::{absolute, clean, is_windows_abs};
use super::{Spec, SpecError};
use crate::compose::model::FileReference;

/// A secret's or config's path in the container: its target (under `base` when
/// relative), else `base` + its source.
fn target(r: &FileReference, base: &str) -> String {
    match r.target.as_deref().filter(|t| !t.is_empty()) {
        Some(t) if t.starts_with('/') || is_windows_abs(t) => t.to_string(),
        Some(t) => format!("{base}{t}"),
        None => format!("{base}{}", r.source.as_deref().unwrap_or_default()),
    }
}

const SECRETS_DIR: &str = "/run/secrets/";
const CONFIGS_DIR: &str = "/";

/// Where a secret or config comes from, as compose sorts them.
enum Origin {
    File(String),
    /// Written into the container after create.
    Injected,
}

/// The read-only bind mounts of the secrets and configs read from files.
pub(super) fn file_mounts(spec: &Spec) -> Result<Vec<m::Mount>, SpecError> {
    let mut out = Vec::new();
    for (r, base, kind) in references(spec) {
        if let Origin::File(file) = origin(spec, r, kind)? {
            out.push(m::Mount {
                typ: Some(m::MountType::BIND),
                source: Some(absolute(spec.working_dir, &file)),
                target: Some(clean(&target(r, base))),
                read_only: Some(true),
                ..Default::default()
            });
        }
    }
    Ok(out)
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Kind {
    Secret,
    Config,
}

impl Kind {
    fn word(self) -> &'static str {
        match self {
            Kind::Secret => "secret",
            Kind::Config => "config",
        }
    }
}

fn references<'a>(spec: &Spec<'a>) -> Vec<(&'a FileReference, &'static str, Kind)> {
    let secrets = spec
        .service
        .secrets
        .iter()
        .map(|r| (r, SECRETS_DIR, Kind::Secret));
    let configs = spec
        .service
        .configs
        .iter()
        .map(|r| (r, CONFIGS_DIR, Kind::Config));
    secrets.chain(configs).collect()
}

/// Where the secret or config `r` refers to comes from; what compose refuses (external
/// ones, drivers) is an error.
fn origin(spec: &Spec, r: &FileReference, kind: Kind) -> Result<Origin, SpecError> {
    let key = r.source.as_deref().unwrap_or_default();
    let word = kind.word();
    let undefined = || spec.error(format!("refers to undefined {word} {key}"));
    let (name, file, external, driver, template_driver, injected) = match kind {
        Kind::Secret => {
            let s = spec.project.secrets.get(key).ok_or_else(undefined)?;
            (
                &s.name,
                &s.file,
                s.external,
                s.driver.is_some(),
                s.template_driver.is_some(),
                s.environment.is_some(),
            )
        }
        Kind::Config => {
            let c = spec.project.configs.get(key).ok_or_else(undefined)?;
            (
                &c.name,
                &c.file,
                c.external,
                false,
                c.template_driver.is_some(),
                c.environment.is_some() || c.content.is_some(),
            )
        }
    };
    let name = name.as_deref().unwrap_or(key);
    if external {
        return Err(spec.error(format!("unsupported external {word} {name}")));
    }
    if driver {
        return Err(spec.error(format!("Docker Compose does not support {word}s.*.driver")));
    }
    if template_driver {
        return Err(spec.error(format!(
            "Docker Compose does not support {word}s.*.template_driver"
        )));
    }
    if injected {
        return Ok(Origin::Injected);
    }
    match file {
        Some(f) if !f.is_empty() => Ok(Origin::File(f.clone())),
        _ => Err(spec.error(format!(
            "{word} {name} has no file, environment or content to read"
        ))),
    }
}

/// A file to write into the container after it is created and before it starts, as
/// compose writes secrets from an environment variable and configs from one or from
/// inline `content`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileInjection {
    /// The absolute path in the container.
    pub target: String,
    pub contents: Vec<u8>,
    /// The file's mode: the reference's `mode`, else 0444.
    pub mode: u32,
    /// Owner, when the reference names one (compose then copies with the ids).
    pub uid: Option<u32>,
    pub gid: Option<u32>,
}

/// The service's secrets and configs to copy in after create (`archive_put`), in the
/// service's order, secrets first. `lookup` reads the project's environment (the
/// loader's `Environment::get`): a variable a secret or config is read from must be
/// set. A config whose text is empty is skipped, as compose skips it.
pub fn file_injections(
    spec: &Spec,
    lookup: &dyn Fn(&str) -> Option<String>,
) -> Result<Vec<FileInjection>, SpecError> {
    let mut out = Vec::new();
    for (r, base, kind) in references(spec) {
        if !matches!(origin(spec, r, kind)?, Origin::Injected) {
            continue;
        }
        let key = r.source.as_deref().unwrap_or_default();
        let (name, variable, content) = match kind {
            Kind::Secret => {
                let s = spec.project.secrets.get(key);
                (
                    s.and_then(|s| s.name.clone()),
                    s.and_then(|s| s.environment.clone()),
                    None,
                )
            }
            Kind::Config => {
                let c = spec.project.configs.get(key);
                (
                    c.and_then(|c| c.name.clone()),
                    c.and_then(|c| c.environment.clone()),
                    c.and_then(|c| c.content.clone()),
                )
            }
        };
        let text = match variable.filter(|v| !v.is_empty()) {
            Some(var) => lookup(&var).ok_or_else(|| {
                let name = name.as_deref().unwrap_or(key);
                spec.error(format!(
                    "environment variable {var:?} required by file {name:?} is not set"
                ))
            })?,
            None => content.unwrap_or_default(),
        };
        if kind == Kind::Config && text.is_empty() {
            continue;
        }
        let id = |what: &str, v: &Option<String>| -> Result<Option<u32>, SpecError> {
            v.as_deref()
                .filter(|s| !s.is_empty())
                .map(|s| {
                    s.parse().map_err(|_| {
                        spec.error(format!("{} {key}: invalid {what} {s:?}", kind.word()))
                    })
                })
                .transpose()
        };
        out.push(FileInjection {
            target: target(r, base),
            contents: text.into_bytes(),
            mode: r.mode.map_or(0o444, |mode| mode.0),
            uid: id("uid", &r.uid)?,
            gid: id("gid", &r.gid)?,
        });
    }
    Ok(out)
}
