//! What the start of every berth command finishes or undoes, so that a command killed
//! at any point costs nothing lasting (the daemonless engine's stand-in for a daemon
//! coming back after a crash). Each step is one directory listing when there is
//! nothing to do:
//! - creates and removes interrupted between their renames (`sweep_incomplete`);
//! - containers whose monitor was killed (`recover_crashed`);
//! - operations killed midway, by their intents: a commit's frozen container is thawed,
//!   a half-done `network connect` rolled back, an interrupted `rm -f` finished;
//! - staging files in `tmp/` that no running operation holds (`store::scratch`);
//! - published ports of dead monitors, no longer redirected.

use crate::container::model::Status;
use crate::error::Result;
use crate::store::intent::{orphans, Orphan};
use crate::Engine;

impl Engine {
    /// Every step above, in an order where each finds what the one before left.
    pub fn sweep(&self) -> Result<()> {
        self.containers().sweep_incomplete()?;
        self.repair_intents()?;
        self.recover_crashed()?;
        crate::store::scratch::sweep(&self.paths)?;
        let (_, stale) = crate::network::ports::active::list_live(&self.paths);
        if stale {
            self.networks().refresh_firewall()?;
        }
        Ok(())
    }

    /// Finish or undo the operations whose process died.
    pub fn repair_intents(&self) -> Result<()> {
        for o in orphans(&self.paths) {
            let done = match o.kind.as_str() {
                "commit" => self.thaw_after_commit(&o),
                "connect" => self.undo_connect(&o),
                "rm" => self.finish_remove(&o),
                _ => Ok(()),
            };
            if done.is_err() {
                // Try again at the next command rather than lose the intent.
                o.keep();
            }
        }
        Ok(())
    }

    /// A commit froze the container and died: thaw it, as its unpause would have.
    fn thaw_after_commit(&self, o: &Orphan) -> Result<()> {
        match self.containers().load(&o.id) {
            Ok(c) if c.state.status == Status::Paused => self.unpause(&c),
            Ok(_) => Ok(()),
            Err(e) if e.is_not_found() => Ok(()),
            Err(e) => Err(e),
        }
    }
}
