//! Where a COPY, ADD or WORKDIR step writes: a container of the stage's image (so the
//! image's symlinks resolve inside its root), or, for a `FROM scratch` stage that has no
//! files yet, a staging directory under the state root's `tmp/`. Both end as a layer tar.

use std::fs::{self, File};
use std::io::{BufWriter, Read};
use std::path::{Path, PathBuf};

use super::step_container::StepContainer;
use crate::container::copy::{receive, ExtractPoint, Receive};
use crate::container::create::CreateOptions;
use crate::container::fs_job::mkdir_all;
use crate::container::tarwrite::TarWriter;
use crate::error::{Error, IoContext, Result};
use crate::image::ImageRecord;
use crate::store::FileLock;
use crate::Engine;

pub enum Target<'e> {
    Container(Box<StepContainer<'e>>),
    Staging { dir: PathBuf, _hold: FileLock },
}

impl<'e> Target<'e> {
    pub fn new(engine: &'e Engine, parent: Option<&ImageRecord>) -> Result<Self> {
        match parent {
            Some(p) => Ok(Target::Container(Box::new(StepContainer::create(
                engine,
                p,
                CreateOptions {
                    cmd: vec!["/".into()],
                    entrypoint: Some(Vec::new()),
                    network: Some("none".into()),
                    ..Default::default()
                },
            )?))),
            None => {
                let hold = crate::store::scratch::hold(&engine.paths)?;
                let dir = engine
                    .paths
                    .tmp_dir()
                    .join(format!("build-stage-{}", crate::store::ids::random_hex(8)));
                fs::create_dir_all(&dir).ctx("create", &dir)?;
                Ok(Target::Staging { dir, _hold: hold })
            }
        }
    }

    /// What `path` is, symlinks followed (inside the root).
    pub fn point(&self, engine: &Engine, path: &str) -> Result<ExtractPoint> {
        match self {
            Target::Container(s) => engine.extract_point(&s.c, path),
            Target::Staging { dir, .. } => Ok(match fs::metadata(inside(dir, path)) {
                Ok(m) if m.is_dir() => ExtractPoint::Directory,
                Ok(_) => ExtractPoint::NotDirectory,
                Err(_) => ExtractPoint::Missing,
            }),
        }
    }

    /// Make `dir` where missing (owned by `owner`) and unpack `tar` into it.
    pub fn put(
        &self,
        engine: &Engine,
        dir: &str,
        owner: (u32, u32),
        tar: &mut dyn Read,
    ) -> Result<()> {
        match self {
            Target::Container(s) => engine.put_into(&s.c, dir, owner, tar),
            Target::Staging { dir: root, .. } => {
                let at = inside(root, dir);
                mkdir_all(&at, owner).map_err(|e| Error::io("create", &at, e))?;
                receive(
                    tar,
                    &at.to_string_lossy(),
                    Receive::Raw { replace: true },
                    true,
                    &|p: &Path| format!("no such directory: {}", p.display()),
                )
                .map_err(Error::Runtime)
            }
        }
    }

    /// The step's changes as a layer tar (the caller removes the file).
    pub fn layer(&self) -> Result<(PathBuf, Option<FileLock>)> {
        match self {
            Target::Container(s) => {
                let (p, h) = s.layer()?;
                Ok((p, Some(h)))
            }
            Target::Staging { dir, .. } => {
                let tar = dir.with_extension("tar");
                let f = File::create(&tar).ctx("create", &tar)?;
                let write = || -> std::io::Result<()> {
                    let m = fs::symlink_metadata(dir)?;
                    let mut t = TarWriter::new(BufWriter::new(f));
                    t.append_tree(dir, Path::new(""), &m)?;
                    t.finish()?.into_inner().map_err(|e| e.into_error())?;
                    Ok(())
                };
                write().map_err(|e| Error::io("write layer", &tar, e))?;
                Ok((tar, None))
            }
        }
    }
}

impl Drop for Target<'_> {
    fn drop(&mut self) {
        if let Target::Staging { dir, .. } = self {
            let _ = fs::remove_dir_all(&*dir);
            let _ = fs::remove_file(dir.with_extension("tar"));
        }
    }
}

fn inside(root: &Path, p: &str) -> PathBuf {
    root.join(p.trim_start_matches('/'))
}

/// A tar of the directory itself (`.`, mode 0755, owned by `owner`): a WORKDIR's put
/// that only makes the directory.
pub fn dir_tar(owner: (u32, u32)) -> Vec<u8> {
    let mut h = tar::Header::new_gnu();
    h.set_entry_type(tar::EntryType::Directory);
    h.set_mode(0o755);
    h.set_uid(owner.0 as u64);
    h.set_gid(owner.1 as u64);
    h.set_size(0);
    h.set_mtime(0);
    let mut b = tar::Builder::new(Vec::new());
    let made = b
        .append_data(&mut h, ".", std::io::empty())
        .and_then(|()| b.into_inner());
    made.unwrap_or_default()
}
