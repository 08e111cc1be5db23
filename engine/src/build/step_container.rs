//! The container a RUN, COPY, ADD or WORKDIR step works in: created from the stage's
//! current image, always removed afterwards (an `rm` intent covers it, so a build killed
//! mid-step leaves nothing for long: the next command's sweep removes it), and its upper
//! dir turned into the step's layer.

use std::fs::File;
use std::io::BufWriter;
use std::path::PathBuf;

use crate::container::commit::write_layer;
use crate::container::create::CreateOptions;
use crate::container::launch::ContainerDirs;
use crate::container::overlay_tree::LowerView;
use crate::container::Container;
use crate::error::{Error, IoContext, Result};
use crate::image::ImageRecord;
use crate::store::intent::Intent;
use crate::store::FileLock;
use crate::Engine;

/// The label every build container carries.
pub const BUILD_LABEL: &str = "io.berth.build";

pub struct StepContainer<'e> {
    engine: &'e Engine,
    pub c: Container,
    parent: ImageRecord,
    _intent: Option<Intent>,
}

impl<'e> StepContainer<'e> {
    pub fn create(engine: &'e Engine, parent: &ImageRecord, mut o: CreateOptions) -> Result<Self> {
        o.image = parent.id.to_string();
        o.labels.insert(BUILD_LABEL.into(), "step".into());
        let c = engine.create(&o)?;
        let intent = Intent::begin(&engine.paths, "rm", c.id(), "").ok();
        Ok(StepContainer {
            engine,
            c,
            parent: parent.clone(),
            _intent: intent,
        })
    }

    pub fn id(&self) -> &str {
        self.c.id()
    }

    /// The container's changes as an uncompressed layer tar under the state root's
    /// `tmp/`, held against the sweep by the returned lock; the caller removes the file.
    pub fn layer(&self) -> Result<(PathBuf, FileLock)> {
        let paths = &self.engine.paths;
        let images = self.engine.images();
        let lower = LowerView::new(images.layer_dirs(&self.parent)?);
        let upper = ContainerDirs::of(paths, self.c.id()).upper;
        let hold = crate::store::scratch::hold(paths)?;
        let tar = paths.tmp_dir().join(format!(
            "build-{}-{}.tar",
            self.c.short_id(),
            std::process::id()
        ));
        let f = File::create(&tar).ctx("create", &tar)?;
        if let Err(e) = write_layer(&upper, &lower, BufWriter::new(f)) {
            let _ = std::fs::remove_file(&tar);
            return Err(Error::io("write layer of", &tar, e));
        }
        Ok((tar, hold))
    }
}

impl Drop for StepContainer<'_> {
    fn drop(&mut self) {
        let _ = self.engine.remove(&self.c, true, true);
    }
}
