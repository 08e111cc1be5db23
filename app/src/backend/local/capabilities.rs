//! The optional capabilities of the engine interface that only Berth's own engine has:
//! the anatomy view (read from /proc, /sys and netlink), the housekeeping that notices
//! monitors killed while a front end watches, and the removal of leftover links.

use berth_engine::Engine;

use super::containers;
use crate::backend::{Anatomy, Result};

pub fn anatomy(e: &Engine, id: &str) -> Result<Anatomy> {
    let c = containers::find(e, id)?;
    Ok(e.anatomy(&c)?)
}

/// A container whose monitor is gone (killed with SIGKILL, say) is recorded as exited
/// and its restart policy applied, as the next CLI call would; the events it writes
/// tell every watcher.
pub fn housekeeping(e: &Engine) -> Result<()> {
    e.recover_crashed()?;
    Ok(())
}

/// Bridges and veths of this root that no container uses any more.
pub fn prune_leftovers(e: &Engine) -> Result<Vec<String>> {
    let gc = e.network_gc()?;
    Ok(gc.bridges.into_iter().chain(gc.veths).collect())
}
