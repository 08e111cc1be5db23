//! RUN --mount: cache mounts (a directory under the state root that outlives builds,
//! `--no-cache` included), binds of the context (read-only as they are; `rw` or
//! `from=` another stage or image through a private copy, see `bind_copy`), secrets (a
//! private copy of the host file, never in a layer) and tmpfs. The mount points the runtime had to make
//! are taken out of the step's upper dir before it becomes a layer, so a mount leaves no
//! trace in the image.

use std::fs;
use std::os::unix::fs::{chown, PermissionsExt};
use std::path::{Path, PathBuf};

use super::bind_copy::BindCopy;
use super::builder::Builder;
use super::dockerfile::{Instruction, Run, RunMount, Sharing};
use super::state::StageState;
use super::step_container::StepContainer;
use crate::container::launch::ContainerDirs;
use crate::container::overlay_tree::LowerView;
use crate::error::{Error, IoContext, Result};
use crate::store::FileLock;
use crate::Engine;

/// What a RUN's mounts add to its container.
#[derive(Default)]
pub struct Mounts {
    /// `--mount` specs for the container.
    pub specs: Vec<String>,
    /// What the cache key must see (a bound context path's checksum, the targets).
    pub keys: Vec<String>,
    /// Targets, to remove the runtime's mount points from the layer.
    targets: Vec<String>,
    /// Locks of `sharing=locked`/`private` cache mounts and secret copies, held for
    /// the step.
    _locks: Vec<FileLock>,
    secrets: Vec<PathBuf>,
    /// Private copies bound instead of their sources, removed after the step.
    copies: Vec<BindCopy>,
}

impl Drop for Mounts {
    fn drop(&mut self) {
        for s in &self.secrets {
            let _ = fs::remove_file(s);
        }
    }
}

impl Builder<'_> {
    pub(super) fn run_mounts(
        &self,
        ins: &Instruction,
        run: &Run,
        state: &StageState,
    ) -> Result<Mounts> {
        let mut out = Mounts::default();
        let workdir = state.workdir();
        for m in &run.mounts {
            match m {
                RunMount::Cache {
                    target,
                    id,
                    sharing,
                    mode,
                    uid,
                    gid,
                    readonly,
                    from,
                    ..
                } => {
                    if from.is_some() {
                        return Err(self.at(ins, Error::invalid("RUN --mount=type=cache,from= is not supported")));
                    }
                    let target = absolute(&workdir, target);
                    let id = id.clone().unwrap_or_else(|| target.clone());
                    let dir = self.cache_mount_dir(&id, *mode, *uid, *gid)?;
                    if !matches!(sharing, Sharing::Shared) {
                        out._locks.push(FileLock::exclusive(&dir.with_extension("lock"))?);
                    }
                    let ro = if *readonly { ",readonly" } else { "" };
                    out.specs.push(format!(
                        "type=bind,source={},target={target}{ro}",
                        dir.display()
                    ));
                    out.keys.push(format!("cache:{target}"));
                    out.targets.push(target);
                }
                RunMount::Bind {
                    target,
                    source,
                    from,
                    readwrite,
                } => {
                    let target = absolute(&workdir, target);
                    let (host, key) = match from {
                        Some(f) => {
                            let f = state.expand(f, self.plan.escape)?;
                            let img = self.stage_or_image(ins, &f)?;
                            let path = absolute("/", source.as_deref().unwrap_or("/"));
                            let copy = self.bind_copy_of_image(ins, &img, &path, &f)?;
                            let host = copy.source.clone();
                            out.copies.push(copy);
                            (host, format!("bind:{target}:from:{}:{path}", img.id))
                        }
                        None => {
                            let source = source.clone().unwrap_or_else(|| ".".into());
                            let found = self.ctx.matches(&source)?;
                            let [one] = found.as_slice() else {
                                return Err(self.at(
                                    ins,
                                    Error::invalid(format!("bind source {source:?} must name one path of the context")),
                                ));
                            };
                            let key = format!("bind:{target}:{}", self.ctx.checksum(&found)?);
                            if *readwrite {
                                let copy = self.bind_copy_of_context(one)?;
                                let host = copy.source.clone();
                                out.copies.push(copy);
                                (host, key)
                            } else {
                                (one.path.clone(), key)
                            }
                        }
                    };
                    let ro = if *readwrite { "" } else { ",readonly" };
                    out.keys.push(format!("{key}{}", if *readwrite { ":rw" } else { "" }));
                    out.specs.push(format!(
                        "type=bind,source={},target={target}{ro}",
                        host.display()
                    ));
                    out.targets.push(target);
                }
                RunMount::Secret {
                    id,
                    target,
                    required,
                    mode,
                    uid,
                    gid,
                    ..
                } => {
                    let id = match (id, target) {
                        (Some(i), _) => i.clone(),
                        (None, Some(t)) => Path::new(t)
                            .file_name()
                            .map(|f| f.to_string_lossy().into_owned())
                            .unwrap_or_default(),
                        (None, None) => {
                            return Err(self.at(ins, Error::invalid("secret mount needs an id or a target")))
                        }
                    };
                    let Some(src) = self.opts.secrets.get(&id) else {
                        if *required {
                            return Err(self.at(
                                ins,
                                Error::invalid(format!("secret {id} not found: pass it with --secret id={id},src=FILE")),
                            ));
                        }
                        continue;
                    };
                    let target = target
                        .clone()
                        .map(|t| absolute(&workdir, &t))
                        .unwrap_or_else(|| format!("/run/secrets/{id}"));
                    let copy = self.secret_copy(src, mode.unwrap_or(0o400), *uid, *gid)?;
                    out.specs.push(format!(
                        "type=bind,source={},target={target},readonly",
                        copy.display()
                    ));
                    out.secrets.push(copy);
                    out.keys.push(format!("secret:{id}:{target}"));
                    out.targets.push(target);
                }
                RunMount::Tmpfs { target, size } => {
                    let target = absolute(&workdir, target);
                    let size = size.map(|s| format!(",tmpfs-size={s}")).unwrap_or_default();
                    out.specs.push(format!("type=tmpfs,target={target}{size}"));
                    out.keys.push(format!("tmpfs:{target}"));
                    out.targets.push(target);
                }
                RunMount::Ssh { .. } => {
                    return Err(self.at(ins, Error::invalid("RUN --mount=type=ssh is not supported: no SSH agent is forwarded into builds")))
                }
            }
        }
        Ok(out)
    }

    /// `<root>/build/cache-mounts/<sha of id>`, made on first use with the mode and
    /// owner asked (BuildKit's defaults: 0755, root).
    fn cache_mount_dir(
        &self,
        id: &str,
        mode: Option<u32>,
        uid: Option<u32>,
        gid: Option<u32>,
    ) -> Result<PathBuf> {
        let base = self.engine.paths.root.join("build").join("cache-mounts");
        fs::create_dir_all(&base).ctx("create", &base)?;
        let dir = base.join(crate::store::Digest::of(id.as_bytes()).hex());
        // Stages building at the same time may both make it: whoever loses uses it.
        match fs::create_dir(&dir) {
            Ok(()) => {
                fs::set_permissions(&dir, fs::Permissions::from_mode(mode.unwrap_or(0o755)))
                    .ctx("chmod", &dir)?;
                chown(&dir, Some(uid.unwrap_or(0)), Some(gid.unwrap_or(0))).ctx("chown", &dir)?;
            }
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {}
            Err(e) => return Err(Error::io("create", &dir, e)),
        }
        Ok(dir)
    }

    fn secret_copy(
        &self,
        src: &Path,
        mode: u32,
        uid: Option<u32>,
        gid: Option<u32>,
    ) -> Result<PathBuf> {
        let tmp = self.engine.paths.tmp_dir();
        let copy = tmp.join(format!("secret-{}", crate::store::ids::random_hex(12)));
        fs::copy(src, &copy)
            .map_err(|e| Error::invalid(format!("secret {}: {e}", src.display())))?;
        fs::set_permissions(&copy, fs::Permissions::from_mode(mode)).ctx("chmod", &copy)?;
        chown(&copy, Some(uid.unwrap_or(0)), Some(gid.unwrap_or(0))).ctx("chown", &copy)?;
        Ok(copy)
    }
}

impl Mounts {
    /// Remove from the step's upper dir the mount points the runtime made (empty
    /// files and directories the image did not have), deepest first.
    pub fn remove_stubs(&self, engine: &Engine, step: &StepContainer<'_>) -> Result<()> {
        if self.targets.is_empty() {
            return Ok(());
        }
        let upper = ContainerDirs::of(&engine.paths, step.id()).upper;
        let images = engine.images();
        let parent = images.resolve(&step.c.record.image_id.to_string())?;
        let lower = LowerView::new(images.layer_dirs(&parent)?);
        for t in &self.targets {
            let mut rel = PathBuf::from(t.trim_start_matches('/'));
            loop {
                if rel.as_os_str().is_empty() || lower.lookup(&rel).is_some() {
                    break;
                }
                let p = upper.join(&rel);
                let Ok(m) = fs::symlink_metadata(&p) else {
                    break;
                };
                let removed = if m.is_dir() {
                    fs::remove_dir(&p).is_ok()
                } else if m.is_file() && m.len() == 0 {
                    fs::remove_file(&p).is_ok()
                } else {
                    false
                };
                if !removed {
                    break;
                }
                if !rel.pop() {
                    break;
                }
            }
        }
        Ok(())
    }
}

/// A path made absolute against the working directory.
pub fn absolute(workdir: &str, p: &str) -> String {
    if p.starts_with('/') {
        clean(p)
    } else {
        clean(&format!("{}/{p}", workdir.trim_end_matches('/')))
    }
}

/// Go's path.Clean for absolute slash paths.
fn clean(p: &str) -> String {
    let mut parts: Vec<&str> = Vec::new();
    for c in p.split('/') {
        match c {
            "" | "." => {}
            ".." => {
                parts.pop();
            }
            c => parts.push(c),
        }
    }
    format!("/{}", parts.join("/"))
}
