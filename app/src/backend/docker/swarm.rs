//! A Docker engine's swarm itself and its nodes: passed through to `/swarm` and
//! `/nodes`. Docker's refusals (not a manager, demoting the last manager) come back with
//! the daemon's words and the kind of its status.

use bollard::models as m;
use bollard::query_parameters as q;

use super::client::Connection;
use crate::backend::{BackendError, Result};

pub async fn init(conn: &Connection, req: m::SwarmInitRequest) -> Result<String> {
    let c = conn.client().await?;
    // The daemon answers with the new node's ID, JSON-quoted; bollard unquotes it.
    c.init_swarm(req).await.map_err(|e| conn.error(e))
}

pub async fn inspect(conn: &Connection) -> Result<m::Swarm> {
    let c = conn.client().await?;
    c.inspect_swarm().await.map_err(|e| conn.error(e))
}

pub async fn leave(conn: &Connection, force: bool) -> Result<()> {
    let c = conn.client().await?;
    c.leave_swarm(Some(q::LeaveSwarmOptions { force }))
        .await
        .map_err(|e| conn.error(e))
}

pub async fn node_list(conn: &Connection) -> Result<Vec<m::Node>> {
    let c = conn.client().await?;
    c.list_nodes(None).await.map_err(|e| conn.error(e))
}

pub async fn node_inspect(conn: &Connection, id: &str) -> Result<m::Node> {
    let c = conn.client().await?;
    c.inspect_node(id).await.map_err(|e| conn.error(e))
}

pub async fn node_remove(conn: &Connection, id: &str, force: bool) -> Result<()> {
    let c = conn.client().await?;
    c.delete_node(id, Some(q::DeleteNodeOptions { force }))
        .await
        .map_err(|e| conn.error(e))
}

/// The spec replaces the node's whole spec; `version` is the one read with it, so a
/// change made meanwhile makes the daemon refuse (`update out of sequence`).
pub async fn node_update(
    conn: &Connection,
    id: &str,
    version: u64,
    spec: m::NodeSpec,
) -> Result<()> {
    let version = i64::try_from(version)
        .map_err(|_| BackendError::invalid(format!("node version {version} is out of range")))?;
    let c = conn.client().await?;
    c.update_node(id, spec, q::UpdateNodeOptions { version })
        .await
        .map_err(|e| conn.error(e))
}
