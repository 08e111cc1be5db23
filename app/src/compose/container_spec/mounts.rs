//! Volumes, secrets and configs as compose mounts them (`buildContainerVolumes`,
//! `buildMount`).
//!
//! Compose prefers the `Mounts` API, with one exception: a bind mount whose host path
//! is to be created when missing (`bind.create_host_path`, which the short syntax
//! sets) goes in `Binds` as `SRC:DST:OPTS`, since only that API creates the path
//! (moby/moby#43483). A long-syntax bind without a `bind` section, and every secret
//! and config file, is a mount whose source must exist.

use std::path::Path;

use bollard::models as m;

use super::files::file_mounts;
use super::{Spec, SpecError};
use crate::compose::model::{MountType, ServiceVolume};

/// One mount in the making, with the service volume it came from (none for secrets
/// and configs).
struct Entry<'a> {
    mount: m::Mount,
    volume: Option<&'a ServiceVolume>,
}

/// The binds and mounts of the service's volumes, file secrets and file configs. A
/// later volume on the same target replaces an earlier one; a secret or config on a
/// target a volume already has is left out, as compose leaves it.
pub(super) fn volumes(spec: &Spec) -> Result<(Vec<String>, Vec<m::Mount>), SpecError> {
    let mut entries: Vec<Entry> = Vec::new();
    for v in &spec.service.volumes {
        let e = Entry {
            mount: mount(spec, v)?,
            volume: Some(v),
        };
        put(&mut entries, e, true);
    }
    for f in file_mounts(spec)? {
        put(
            &mut entries,
            Entry {
                mount: f,
                volume: None,
            },
            false,
        );
    }
    let mut binds = Vec::new();
    let mut mounts = Vec::new();
    for e in entries {
        match (e.mount.typ, e.volume) {
            (Some(m::MountType::BIND), Some(v))
                if v.kind != MountType::Bind
                    || v.bind.as_ref().is_some_and(|b| b.create_host_path) =>
            {
                binds.push(bind_string(&e.mount, v));
            }
            _ => mounts.push(e.mount),
        }
    }
    Ok((binds, mounts))
}

/// Add `e`, or put it in the place of the entry with its target when `replace`.
fn put<'a>(entries: &mut Vec<Entry<'a>>, e: Entry<'a>, replace: bool) {
    match entries
        .iter_mut()
        .find(|x| x.mount.target == e.mount.target)
    {
        Some(old) if replace => *old = e,
        Some(_) => {}
        None => entries.push(e),
    }
}

/// A bind as the `-v` syntax writes it: `SRC:DST:rw|ro[,SELINUX][,PROPAGATION][,nocopy]`.
fn bind_string(mount: &m::Mount, v: &ServiceVolume) -> String {
    let mut options = vec![if v.read_only { "ro" } else { "rw" }.to_string()];
    if let Some(b) = &v.bind {
        options.extend(b.selinux.iter().filter(|s| !s.is_empty()).cloned());
        options.extend(b.propagation.iter().filter(|p| !p.is_empty()).cloned());
    }
    if v.volume.as_ref().is_some_and(|o| o.nocopy) {
        options.push("nocopy".into());
    }
    format!(
        "{}:{}:{}",
        mount.source.as_deref().unwrap_or_default(),
        mount.target.as_deref().unwrap_or_default(),
        options.join(",")
    )
}

/// One service volume as a mount: a bind's source absolute, a named volume's the
/// project volume's engine name (`cct_data` for `data`), the target cleaned as Go's
/// `path.Clean` cleans it.
fn mount(spec: &Spec, v: &ServiceVolume) -> Result<m::Mount, SpecError> {
    let target = v
        .target
        .as_deref()
        .filter(|t| !t.is_empty())
        .ok_or_else(|| spec.error("a volume has no target"))?;
    let project_volume = v
        .source
        .as_deref()
        .and_then(|s| spec.project.volumes.get(s).map(|pv| (s, pv)));
    let mut source = v.source.clone();
    if v.kind == MountType::Bind {
        source = source.map(|s| absolute(spec.working_dir, &s));
    }
    let mut kind = v.kind;
    let mut out = m::Mount::default();
    match v.kind {
        MountType::Bind => {
            if let Some(b) = &v.bind {
                out.bind_options = Some(m::MountBindOptions {
                    propagation: propagation(spec, b.propagation.as_deref())?,
                    ..Default::default()
                });
            }
        }
        MountType::Volume => {
            if let Some((key, pv)) = project_volume {
                let name = pv.name.clone().unwrap_or_else(|| match pv.external {
                    true => key.to_string(),
                    false => format!("{}_{key}", spec.project_name()),
                });
                source = Some(name);
                // A local volume over a host directory: compose binds it by name.
                if pv.driver_opts.get("o").map(String::as_str) == Some("bind") {
                    kind = MountType::Bind;
                    out.bind_options = Some(m::MountBindOptions::default());
                }
            }
            if kind == MountType::Volume {
                out.volume_options = v.volume.as_ref().map(|o| m::MountVolumeOptions {
                    no_copy: o.nocopy.then_some(true),
                    labels: super::non_empty_map(
                        o.labels
                            .iter()
                            .map(|(k, v)| (k.clone(), v.clone()))
                            .collect(),
                    ),
                    subpath: o.subpath.clone(),
                    ..Default::default()
                });
            }
        }
        MountType::Tmpfs => {
            out.tmpfs_options = v.tmpfs.as_ref().map(|t| m::MountTmpfsOptions {
                size_bytes: t.size.map(|s| s.0),
                // The number as written, as compose passes it.
                mode: t.mode.map(i64::from),
                ..Default::default()
            });
        }
        MountType::Image => {
            out.image_options = v.image.as_ref().map(|i| m::MountImageOptions {
                subpath: i.subpath.clone(),
            });
        }
        MountType::Npipe | MountType::Cluster => {}
    }
    out.typ = Some(mount_type(kind));
    out.source = source;
    out.target = Some(clean(target));
    out.read_only = v.read_only.then_some(true);
    out.consistency = v.consistency.clone();
    Ok(out)
}

fn mount_type(kind: MountType) -> m::MountType {
    match kind {
        MountType::Bind => m::MountType::BIND,
        MountType::Volume => m::MountType::VOLUME,
        MountType::Tmpfs => m::MountType::TMPFS,
        MountType::Npipe => m::MountType::NPIPE,
        MountType::Cluster => m::MountType::CLUSTER,
        MountType::Image => m::MountType::IMAGE,
    }
}

fn propagation(
    spec: &Spec,
    p: Option<&str>,
) -> Result<Option<m::MountBindOptionsPropagationEnum>, SpecError> {
    p.filter(|p| !p.is_empty())
        .map(|p| {
            p.parse()
                .map_err(|_| spec.error(format!("invalid bind propagation {p:?}")))
        })
        .transpose()
}

/// `path` against `dir` unless absolute (the loader has made bind sources absolute;
/// this is for a project typed by other means).
pub(super) fn absolute(dir: &Path, path: &str) -> String {
    if path.starts_with('/') || is_windows_abs(path) {
        path.to_string()
    } else {
        dir.join(path).to_string_lossy().into_owned()
    }
}

/// Go's `path.Clean`, the one the build context uses.
pub(super) use berth_engine::build::context::clean_path as clean;

pub(super) fn is_windows_abs(p: &str) -> bool {
    let b = p.as_bytes();
    p.starts_with("\\\\") || (b.len() > 2 && b[1] == b':' && b[2] == b'\\')
}
