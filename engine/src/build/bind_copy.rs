//! RUN --mount=type=bind sources that cannot be bound as they are: a path of another stage
//! or image (`from=`), and a context path bound writable (`rw`, whose writes BuildKit
//! throws away after the step). Each is copied into a private directory under the state
//! root's `tmp/`, held against the sweep and removed after the step, so nothing is mounted
//! on the host for it and a killed build leaves only a temp dir the next sweep removes.

use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};

use super::builder::Builder;
use super::context::{self, write_copy_tar, CopyOpts, Placement, Source};
use super::dockerfile::Instruction;
use super::target::Target;
use crate::container::copy::{receive, Receive};
use crate::container::path_stat::go_mode;
use crate::error::{Error, IoContext, Result};
use crate::image::ImageRecord;
use crate::store::FileLock;

/// A private copy to bind: `source` is the copied file or directory inside `dir`.
pub struct BindCopy {
    dir: PathBuf,
    pub source: PathBuf,
    _hold: FileLock,
}

impl Drop for BindCopy {
    fn drop(&mut self) {
        let _ = fs::remove_dir_all(&self.dir);
    }
}

/// The name a copied file takes in its directory (a directory's contents land in it).
const FILE_NAME: &str = "source";

impl Builder<'_> {
    fn bind_copy_dir(&self) -> Result<BindCopy> {
        let hold = crate::store::scratch::hold(&self.engine.paths)?;
        let dir = self
            .engine
            .paths
            .tmp_dir()
            .join(format!("build-bind-{}", crate::store::ids::random_hex(8)));
        fs::create_dir_all(&dir).ctx("create", &dir)?;
        Ok(BindCopy {
            source: dir.clone(),
            dir,
            _hold: hold,
        })
    }

    /// Unpack `tar` into the copy's directory.
    fn bind_copy_receive(copy: &BindCopy, tar: &mut dyn std::io::Read) -> Result<()> {
        receive(
            tar,
            &copy.dir.to_string_lossy(),
            Receive::Raw { replace: true },
            true,
            &|p: &Path| format!("no such directory: {}", p.display()),
        )
        .map_err(Error::Runtime)
    }

    /// `path` of `img` (a stage's result or an image; `from` names it in errors).
    pub(super) fn bind_copy_of_image(
        &self,
        ins: &Instruction,
        img: &ImageRecord,
        path: &str,
        from: &str,
    ) -> Result<BindCopy> {
        let src = Target::new(self.engine, Some(img))?;
        let Target::Container(src) = &src else {
            return Err(Error::Runtime(
                "--mount from= an image without files".into(),
            ));
        };
        let stat = self.engine.stat_path(&src.c, path)?.ok_or_else(|| {
            self.at(
                ins,
                Error::invalid(format!(
                    "RUN --mount=type=bind,from={from}: \"{path}\": not found"
                )),
            )
        })?;
        let mut copy = self.bind_copy_dir()?;
        let is_dir = stat.mode & go_mode::DIR != 0;
        let name = if is_dir { "." } else { FILE_NAME };
        self.engine.send_path(&src.c, path, name, |mut r| {
            Self::bind_copy_receive(&copy, &mut r)
        })?;
        if !is_dir {
            copy.source = copy.dir.join(FILE_NAME);
        }
        Ok(copy)
    }

    /// A context path, for a writable bind.
    pub(super) fn bind_copy_of_context(&self, src: &Source) -> Result<BindCopy> {
        let mut copy = self.bind_copy_dir()?;
        let is_dir = src.kind == context::Kind::Dir;
        let placement = if is_dir {
            Placement::IntoDir
        } else {
            Placement::AsFile(FILE_NAME.into())
        };
        // The tar is written on a thread while it is unpacked, as a COPY's is.
        let (r, w) = nix::unistd::pipe().map_err(|e| Error::Runtime(format!("pipe: {e}")))?;
        let (mut r, mut w) = (fs::File::from(r), fs::File::from(w));
        let sources = std::slice::from_ref(src);
        let ctx = &self.ctx;
        std::thread::scope(|s| {
            let writer = s.spawn(move || {
                let made = write_copy_tar(sources, ctx, &placement, &CopyOpts::default(), &mut w)
                    .and_then(|()| w.flush().ctx("write", ctx.root()));
                drop(w);
                made
            });
            let put = Self::bind_copy_receive(&copy, &mut r);
            drop(r);
            let wrote = writer
                .join()
                .unwrap_or_else(|_| Err(Error::Runtime("the bind copy writer panicked".into())));
            put.and(wrote)
        })?;
        if !is_dir {
            copy.source = copy.dir.join(FILE_NAME);
        }
        Ok(copy)
    }
}
