//! WORKDIR: relative paths join the previous one; the directory is made when the image
//! lacks it (owned by the stage's USER when that is numeric, as BuildKit does), which
//! makes a layer; otherwise only the config changes.

use serde_json::json;

use super::builder::Builder;
use super::dockerfile::Instruction;
use super::run_mounts::absolute;
use super::state::StageState;
use super::target::{dir_tar, Target};
use crate::container::copy::ExtractPoint;
use crate::error::Result;

impl Builder<'_> {
    pub(super) fn workdir_step(
        &self,
        n: usize,
        ins: &Instruction,
        dir: &str,
        state: &mut StageState,
    ) -> Result<()> {
        let dir = state
            .expand(dir, self.plan.escape)
            .map_err(|e| self.at(ins, e))?;
        let path = absolute(&state.workdir(), &dir);
        let mut next = state.clone();
        next.set("WorkingDir", json!(path));
        let created_by = format!("WORKDIR {path}");
        let mut key = self.key(state);
        key.part("WORKDIR").part(&path).part(&state.user());
        let key = key.finish();
        if self.cached(n, &key, state)? {
            return Ok(());
        }
        // A named USER counts as root here: its numbers are in the image's passwd.
        let owner = super::owner::numeric(&state.user()).unwrap_or((0, 0));
        let config = next.config;
        let engine = self.engine;
        let target = Target::new(engine, state.image.as_ref())?;
        if target.point(engine, &path)? == ExtractPoint::Directory {
            return self.commit(&key, state, config, None, created_by);
        }
        target.put(engine, &path, owner, &mut dir_tar(owner).as_slice())?;
        let (tar, _hold) = target.layer()?;
        let made = self.commit(&key, state, config, Some(&tar), created_by);
        let _ = std::fs::remove_file(&tar);
        made
    }
}
