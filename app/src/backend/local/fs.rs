//! A container's filesystem through the interface: changes against the image, export,
//! and the archive endpoints (stat, get, put). The engine does the work inside the
//! container's own view of its filesystem, running or not; this module says it in
//! Docker's models and errors.

use berth_engine::container::copy::{ExtractOptions, ExtractPoint};
use berth_engine::container::diff::ChangeKind;
use berth_engine::container::path_stat;
use berth_engine::Engine;
use bollard::models as m;

use super::containers::find;
use crate::backend::{BackendError, PathStat, Result};

pub fn changes(e: &Engine, id: &str) -> Result<Vec<m::FilesystemChange>> {
    let c = find(e, id)?;
    Ok(e.diff(&c)?
        .into_iter()
        .map(|ch| m::FilesystemChange {
            path: ch.path,
            kind: match ch.kind {
                ChangeKind::Changed => m::ChangeType::_0,
                ChangeKind::Added => m::ChangeType::_1,
                ChangeKind::Deleted => m::ChangeType::_2,
            },
        })
        .collect())
}

/// Write the container's filesystem as a tar to `out` (blocking; the caller streams it).
pub fn export(e: &Engine, id: &str, out: &mut dyn std::io::Write) -> Result<()> {
    let c = find(e, id)?;
    Ok(e.export(&c, out)?)
}

/// Docker's 404 for a path, naming the container as the caller did.
fn no_such_path(id: &str, path: &str) -> BackendError {
    BackendError::not_found(format!("Could not find the file {path} in container {id}"))
}

pub fn archive_stat(e: &Engine, id: &str, path: &str) -> Result<PathStat> {
    let c = find(e, id)?;
    let s = e
        .stat_path(&c, path)?
        .ok_or_else(|| no_such_path(id, path))?;
    Ok(PathStat {
        name: s.name,
        size: s.size,
        mode: s.mode,
        mtime: s.mtime,
        link_target: s.link_target,
    })
}

/// The stat of `path`, checked before any byte is streamed (so a missing path is a 404).
pub fn archive_get_stat(e: &Engine, id: &str, path: &str) -> Result<PathStat> {
    archive_stat(e, id, path)
}

/// Write `path` (a file or a directory) as a tar to `out`, as `docker cp` reads it.
pub fn archive_get(e: &Engine, id: &str, path: &str, out: &mut dyn std::io::Write) -> Result<()> {
    let c = find(e, id)?;
    Ok(e.archive_path(&c, path, out)?)
}

pub fn archive_put(
    e: &Engine,
    id: &str,
    path: &str,
    no_overwrite_dir_non_dir: bool,
    copy_uid_gid: bool,
    tar: &mut dyn std::io::Read,
) -> Result<()> {
    let c = find(e, id)?;
    match e.extract_point(&c, path)? {
        ExtractPoint::Directory => {}
        ExtractPoint::Missing => return Err(no_such_path(id, path)),
        ExtractPoint::NotDirectory => {
            return Err(BackendError::invalid("extraction point is not a directory"))
        }
    }
    if c.record.host_config.readonly_rootfs && !under_a_mount(&c, path) {
        return Err(BackendError::invalid(
            "container rootfs is marked read-only",
        ));
    }
    let o = ExtractOptions {
        copy_uid_gid,
        no_overwrite_dir_non_dir,
    };
    Ok(e.extract_to_dir(&c, path, &o, tar)?)
}

/// Whether `path` is at or below a volume or bind mount of the container (writable even
/// when its root filesystem is read-only).
fn under_a_mount(c: &berth_engine::container::Container, path: &str) -> bool {
    let abs = path_stat::absolute(path);
    let p = std::path::Path::new(&abs);
    c.record
        .mounts
        .iter()
        .any(|m| m.rw && p.starts_with(&m.destination))
}
