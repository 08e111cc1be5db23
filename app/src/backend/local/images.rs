//! Image operations of the local backend. (Being filled in: see the session's helper.)

use berth_engine::Engine;
use bollard::models as m;
use bollard::query_parameters as q;

use crate::backend::{BackendError, ByteStream, LoadReport, Result};

fn todo<T>() -> Result<T> {
    Err(BackendError::unsupported(
        "image operations are not wired to the local backend yet",
    ))
}

pub fn list(_e: &Engine, _opts: &q::ListImagesOptions) -> Result<Vec<m::ImageSummary>> {
    todo()
}
pub fn inspect(_e: &Engine, _name: &str) -> Result<m::ImageInspect> {
    todo()
}
pub fn history(_e: &Engine, _name: &str) -> Result<Vec<m::ImageHistoryResponseItem>> {
    todo()
}
pub fn tag(_e: &Engine, _name: &str, _repo: &str, _tag: &str) -> Result<()> {
    todo()
}
pub fn remove(
    _e: &Engine,
    _name: &str,
    _force: bool,
    _no_prune: bool,
) -> Result<Vec<m::ImageDeleteResponseItem>> {
    todo()
}
pub fn prune(_e: &Engine, _opts: &q::PruneImagesOptions) -> Result<m::ImagePruneResponse> {
    todo()
}
/// The archive's bytes (`docker save` layout). Blocking; the caller streams the result.
pub fn save(_e: &Engine, _names: &[String], _out: &mut dyn std::io::Write) -> Result<()> {
    todo()
}
pub fn load(_e: &Engine, _tar: &mut dyn std::io::Read) -> Result<LoadReport> {
    todo()
}
pub fn import(
    _e: &Engine,
    _tar: &mut dyn std::io::Read,
    _reference: Option<String>,
    _changes: Vec<String>,
    _message: Option<String>,
) -> Result<String> {
    todo()
}
pub fn commit(
    _e: &Engine,
    _container: &str,
    _opts: &q::CommitContainerOptions,
    _config: m::ContainerConfig,
) -> Result<m::IdResponse> {
    todo()
}
#[allow(dead_code)]
fn _unused(_b: ByteStream) {}
