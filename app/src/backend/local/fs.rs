//! A container's filesystem through the interface: changes against the image, export,
//! and the archive endpoints (stat, get, put). (Being filled in by a helper.)

use berth_engine::Engine;
use bollard::models as m;

use crate::backend::{BackendError, PathStat, Result};

fn todo<T>() -> Result<T> {
    Err(BackendError::unsupported(
        "not wired to the local backend yet",
    ))
}

pub fn changes(_e: &Engine, _id: &str) -> Result<Vec<m::FilesystemChange>> {
    todo()
}
/// Write the container's filesystem as a tar to `out` (blocking; the caller streams it).
pub fn export(_e: &Engine, _id: &str, _out: &mut dyn std::io::Write) -> Result<()> {
    todo()
}
pub fn archive_stat(_e: &Engine, _id: &str, _path: &str) -> Result<PathStat> {
    todo()
}
/// The stat of `path`, checked before any byte is streamed (so a missing path is a 404).
pub fn archive_get_stat(e: &Engine, id: &str, path: &str) -> Result<PathStat> {
    archive_stat(e, id, path)
}
/// Write `path` (a file or a directory) as a tar to `out`, as `docker cp` reads it.
pub fn archive_get(
    _e: &Engine,
    _id: &str,
    _path: &str,
    _out: &mut dyn std::io::Write,
) -> Result<()> {
    todo()
}
pub fn archive_put(
    _e: &Engine,
    _id: &str,
    _path: &str,
    _no_overwrite_dir_non_dir: bool,
    _copy_uid_gid: bool,
    _tar: &mut dyn std::io::Read,
) -> Result<()> {
    todo()
}
