//! Network operations of the local backend. (Being filled in: see the session's helper.)

use berth_engine::Engine;
use bollard::models as m;
use bollard::query_parameters as q;

use crate::backend::{BackendError, Result};

fn todo<T>() -> Result<T> {
    Err(BackendError::unsupported(
        "network operations are not wired to the local backend yet",
    ))
}

pub fn list(_e: &Engine, _opts: &q::ListNetworksOptions) -> Result<Vec<m::Network>> {
    todo()
}
pub fn inspect(_e: &Engine, _id: &str) -> Result<m::Network> {
    todo()
}
pub fn create(_e: &Engine, _req: m::NetworkCreateRequest) -> Result<m::NetworkCreateResponse> {
    todo()
}
pub fn connect(_e: &Engine, _id: &str, _req: m::NetworkConnectRequest) -> Result<()> {
    todo()
}
pub fn disconnect(_e: &Engine, _id: &str, _req: m::NetworkDisconnectRequest) -> Result<()> {
    todo()
}
pub fn remove(_e: &Engine, _id: &str) -> Result<()> {
    todo()
}
pub fn prune(_e: &Engine, _opts: &q::PruneNetworksOptions) -> Result<m::NetworkPruneResponse> {
    todo()
}
