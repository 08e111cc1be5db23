//! Images in and out of the local backend: `docker save` archives written to a stream,
//! archives loaded from one, root filesystem tars imported, and containers committed.
//! The engine does the work; here requests become its options and its answers Docker's.

use berth_engine::container::commit::CommitOptions;
use berth_engine::container::commit_changes::parse_changes;
use berth_engine::image::{ArchiveFormat, ConfigChanges};
use berth_engine::store::Digest;
use berth_engine::Engine;
use bollard::models as m;
use bollard::query_parameters as q;

use super::containers;
use super::images::{resolve, target_reference};
use crate::backend::{BackendError, LoadReport, Result};

/// The archive's bytes (`docker save` layout, or an OCI layout for berth's own
/// `save --format oci-archive`). Blocking; the caller streams the result. Every name
/// is resolved before the first byte, so a typo is Docker's 404 and not a broken
/// archive.
pub fn save(
    e: &Engine,
    names: &[String],
    format: ArchiveFormat,
    out: &mut dyn std::io::Write,
) -> Result<()> {
    if names.is_empty() {
        return Err(BackendError::invalid("no images given to save"));
    }
    for n in names {
        resolve(e, n)?;
    }
    Ok(e.images().save(names, out, format)?)
}

/// Docker's line for each image loaded: its tag, or its ID when it came without one.
fn loaded_line(name: &str) -> String {
    if name.parse::<Digest>().is_ok() {
        format!("Loaded image ID: {name}")
    } else {
        format!("Loaded image: {name}")
    }
}

pub fn load(e: &Engine, tar: &mut dyn std::io::Read) -> Result<LoadReport> {
    let names = e.images().load(tar)?;
    Ok(LoadReport {
        loaded: names.iter().map(|n| loaded_line(n)).collect(),
    })
}

fn parse_change_lines(lines: &[String], into: &mut ConfigChanges) -> Result<()> {
    let lines: Vec<String> = lines
        .iter()
        .flat_map(|l| l.lines())
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .map(str::to_string)
        .collect();
    Ok(parse_changes(&lines, into)?)
}

/// `POST /images/create?fromSrc=-`: the tar becomes a one-layer image; returns its ID.
pub fn import(
    e: &Engine,
    tar: &mut dyn std::io::Read,
    reference: Option<String>,
    changes: Vec<String>,
    message: Option<String>,
) -> Result<String> {
    let mut ch = ConfigChanges::default();
    parse_change_lines(&changes, &mut ch)?;
    let reference = reference.filter(|r| !r.is_empty());
    let message = message.filter(|m| !m.is_empty());
    let img = e
        .images()
        .import_from(tar, "-", reference.as_deref(), &ch, message.as_deref())?;
    Ok(img.id.to_string())
}

fn set(s: &Option<String>) -> Option<String> {
    s.clone().filter(|s| !s.is_empty())
}

fn set_list(l: &Option<Vec<String>>) -> Option<Vec<String>> {
    l.clone().filter(|l| !l.is_empty())
}

/// The config of `POST /commit` as changes over the container's own: what it sets
/// wins, what it leaves unset comes from the container (Docker's merge).
fn changes_from_config(c: &m::ContainerConfig) -> Result<ConfigChanges> {
    let healthcheck = match &c.healthcheck {
        Some(h) => Some(
            serde_json::to_value(h)
                .map_err(|e| BackendError::invalid(format!("Healthcheck: {e}")))?,
        ),
        None => None,
    };
    Ok(ConfigChanges {
        cmd: set_list(&c.cmd),
        entrypoint: set_list(&c.entrypoint),
        env: c.env.clone().unwrap_or_default(),
        working_dir: set(&c.working_dir),
        user: set(&c.user),
        exposed_ports: c.exposed_ports.clone().unwrap_or_default(),
        labels: c.labels.clone().unwrap_or_default().into_iter().collect(),
        volumes: c.volumes.clone().unwrap_or_default(),
        stop_signal: set(&c.stop_signal),
        healthcheck,
    })
}

/// `POST /commit?container=`: the container's changes become an image; its ID.
pub fn commit(
    e: &Engine,
    container: &str,
    opts: &q::CommitContainerOptions,
    config: m::ContainerConfig,
) -> Result<m::IdResponse> {
    let c = containers::find(e, container)?;
    let mut changes = changes_from_config(&config)?;
    if let Some(lines) = &opts.changes {
        parse_change_lines(std::slice::from_ref(lines), &mut changes)?;
    }
    let reference = match set(&opts.repo) {
        Some(repo) => Some(target_reference(
            &repo,
            opts.tag.as_deref().unwrap_or_default(),
        )?),
        None => None,
    };
    let o = CommitOptions {
        author: opts.author.clone().unwrap_or_default(),
        message: opts.comment.clone().unwrap_or_default(),
        changes,
        pause: opts.pause,
        reference,
    };
    let img = e.commit(&c, &o)?;
    Ok(m::IdResponse {
        id: img.id.to_string(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn load_lines_are_dockers() {
        assert_eq!(
            loaded_line("busybox:latest"),
            "Loaded image: busybox:latest"
        );
        let id = format!("sha256:{}", "a".repeat(64));
        assert_eq!(loaded_line(&id), format!("Loaded image ID: {id}"));
    }

    #[test]
    fn change_lines_may_come_joined_by_newlines() {
        let mut ch = ConfigChanges::default();
        parse_change_lines(
            &["CMD [\"sh\"]\nENV A=1".to_string(), " ".to_string()],
            &mut ch,
        )
        .unwrap();
        assert_eq!(ch.cmd, Some(vec!["sh".to_string()]));
        assert_eq!(ch.env, vec!["A=1".to_string()]);
        let err = parse_change_lines(&["FROM x".to_string()], &mut ch).unwrap_err();
        assert_eq!(err.kind, crate::backend::ErrorKind::InvalidArgument);
    }

    #[test]
    fn a_commit_config_sets_only_what_it_names() {
        let cfg = m::ContainerConfig {
            cmd: Some(vec!["top".into()]),
            entrypoint: Some(vec![]),
            working_dir: Some(String::new()),
            env: Some(vec!["A=2".into()]),
            exposed_ports: Some(vec!["80/tcp".into()]),
            ..Default::default()
        };
        let ch = changes_from_config(&cfg).unwrap();
        assert_eq!(ch.cmd, Some(vec!["top".to_string()]));
        assert_eq!(ch.entrypoint, None);
        assert_eq!(ch.working_dir, None);
        assert_eq!(ch.env, vec!["A=2".to_string()]);
        assert_eq!(ch.exposed_ports, vec!["80/tcp".to_string()]);
        assert_eq!(ch.healthcheck, None);
    }
}
