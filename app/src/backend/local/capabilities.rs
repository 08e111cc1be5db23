//! The optional capabilities of the engine interface that only Berth's own engine has:
//! the anatomy view (read from /proc, /sys and netlink) and the housekeeping that notices
//! monitors killed while a front end watches.

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
