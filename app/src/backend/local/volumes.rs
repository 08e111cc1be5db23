//! Volume operations of the local backend. (Being filled in: see the session's helper.)

use berth_engine::Engine;
use bollard::models as m;
use bollard::query_parameters as q;

use crate::backend::{BackendError, Result};

fn todo<T>() -> Result<T> {
    Err(BackendError::unsupported(
        "volume operations are not wired to the local backend yet",
    ))
}

pub fn list(_e: &Engine, _opts: &q::ListVolumesOptions) -> Result<m::VolumeListResponse> {
    todo()
}
pub fn inspect(_e: &Engine, _name: &str) -> Result<m::Volume> {
    todo()
}
pub fn create(_e: &Engine, _req: m::VolumeCreateRequest) -> Result<m::Volume> {
    todo()
}
pub fn remove(_e: &Engine, _name: &str, _force: bool) -> Result<()> {
    todo()
}
pub fn prune(_e: &Engine, _opts: &q::PruneVolumesOptions) -> Result<m::VolumePruneResponse> {
    todo()
}
