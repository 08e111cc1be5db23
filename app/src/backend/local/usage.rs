//! What a container uses and how it is limited: top, stats, update. (Being filled in by
//! a helper.)

use berth_engine::Engine;
use bollard::models as m;

use crate::backend::{BackendError, Result};

fn todo<T>() -> Result<T> {
    Err(BackendError::unsupported(
        "not wired to the local backend yet",
    ))
}

pub fn top(_e: &Engine, _id: &str, _ps_args: Option<String>) -> Result<m::ContainerTopResponse> {
    todo()
}
/// One stats reading; `previous` is the reading before it (for the `precpu_stats` Docker
/// computes rates from), `None` for the first.
pub fn stats_once(
    _e: &Engine,
    _id: &str,
    _previous: Option<&m::ContainerStatsResponse>,
) -> Result<m::ContainerStatsResponse> {
    todo()
}
pub fn update(
    _e: &Engine,
    _id: &str,
    _body: m::ContainerUpdateBody,
) -> Result<m::ContainerUpdateResponse> {
    todo()
}
