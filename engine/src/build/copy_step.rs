//! COPY and ADD: sources from the context (or another stage or image with `--from`, or a
//! heredoc), placed by Docker's rules (`context::placement`), unpacked into the step's
//! container inside its root, so a symlink in the image cannot lead a file out of it.
//! ADD also unpacks local tar archives of any compression; a URL is refused.

use std::fs::File;
use std::io::{Read, Write};
use std::path::Path;

use super::builder::Builder;
use super::context::{self, open_archive, write_copy_tar, CopyOpts, Placement, Source};
use super::dockerfile::{CopySpec, Instruction};
use super::owner::{numeric, resolve_owner};
use super::run_mounts::absolute;
use super::state::StageState;
use super::target::Target;
use crate::container::copy::ExtractPoint;
use crate::error::{Error, Result};
use crate::image::ImageRecord;

/// Where a COPY's files come from.
enum From {
    Context(Vec<Source>),
    Image(ImageRecord, Vec<String>),
    Heredocs(Vec<(String, String)>),
}

impl Builder<'_> {
    pub(super) fn copy_step(
        &self,
        n: usize,
        ins: &Instruction,
        spec: &CopySpec,
        add: bool,
        state: &mut StageState,
    ) -> Result<()> {
        let esc = self.plan.escape;
        let what = if add { "ADD" } else { "COPY" };
        let expand = |w: &str| state.expand(w, esc).map_err(|e| self.at(ins, e));
        let dest_raw = expand(&spec.dest)?;
        let dest = absolute(&state.workdir(), &dest_raw);
        let dest_dir_syntax =
            dest_raw.ends_with('/') || dest_raw == "." || dest_raw.ends_with("/.");
        let chmod = match &spec.chmod {
            Some(m) => Some(u32::from_str_radix(&expand(m)?, 8).map_err(|_| {
                self.at(ins, Error::invalid(format!("invalid chmod parameter: {m}")))
            })?),
            None => None,
        };
        let chown = match &spec.chown {
            Some(c) => Some(expand(c)?),
            None => None,
        };
        let mut sources = Vec::new();
        for s in &spec.sources {
            sources.push(expand(s)?);
        }
        let from = self.copy_sources(ins, spec, add, &sources, state)?;

        let mut key = self.key(state);
        key.part(what)
            .part(&dest)
            .part(&dest_dir_syntax.to_string());
        key.part(chown.as_deref().unwrap_or(""))
            .part(&format!("{chmod:?}"));
        match &from {
            From::Context(found) => {
                key.part(&self.ctx.checksum(found)?.to_string());
            }
            From::Image(img, paths) => {
                key.part(&img.id.to_string());
                for p in paths {
                    key.part(p);
                }
            }
            From::Heredocs(files) => {
                for (name, body) in files {
                    key.part(name).part(body);
                }
            }
        }
        let key = key.finish();
        if self.cached(n, &key, state)? {
            return Ok(());
        }
        let created_by = format!("{} # buildkit", ins.text);
        let target = Target::new(self.engine, state.image.as_ref())?;
        let owner = match (&chown, &target) {
            (Some(c), Target::Container(step)) => {
                resolve_owner(self.engine, &step.c, c).map_err(|e| self.at(ins, e))?
            }
            (Some(c), Target::Staging { .. }) => numeric(c).map_err(|e| self.at(ins, e))?,
            (None, _) => (0, 0),
        };
        let opts = CopyOpts {
            chown: chown.as_ref().map(|_| owner),
            chmod,
        };
        let engine = self.engine;
        let dest_is_dir =
            || -> Result<bool> { Ok(target.point(engine, &dest)? == ExtractPoint::Directory) };
        let dest_arg = if dest_dir_syntax {
            format!("{}/", dest.trim_end_matches('/'))
        } else {
            dest.clone()
        };
        match &from {
            From::Context(found) => {
                let mut plain = Vec::new();
                let mut archives = Vec::new();
                for s in found {
                    if add && s.kind == context::Kind::File && open_archive(&s.path)?.is_some() {
                        archives.push(s.clone());
                    } else {
                        plain.push(s.clone());
                    }
                }
                if !plain.is_empty() {
                    let first_dir = plain[0].kind == context::Kind::Dir;
                    let into_existing =
                        plain.len() == 1 && !first_dir && !dest_dir_syntax && dest_is_dir()?;
                    let (dir, placement) =
                        context::placement(&dest_arg, found.len(), first_dir, into_existing)
                            .map_err(|e| self.at(ins, e))?;
                    let ctx = &self.ctx;
                    let mut produce =
                        |w: &mut dyn Write| write_copy_tar(&plain, ctx, &placement, &opts, w);
                    put_piped(engine, &target, &dir, owner, &mut produce)?;
                }
                for a in archives {
                    if let Some(mut r) = open_archive(&a.path)? {
                        target.put(engine, &dest, owner, &mut r)?;
                    }
                }
            }
            From::Image(img, paths) => {
                let src = Target::new(engine, Some(img))?;
                let Target::Container(src) = &src else {
                    return Err(Error::Runtime("--from image without files".into()));
                };
                for p in paths {
                    let stat = engine.stat_path(&src.c, p)?.ok_or_else(|| {
                        self.at(
                            ins,
                            Error::invalid(format!("{what} --from: \"{p}\": not found")),
                        )
                    })?;
                    let is_dir = stat.mode & crate::container::path_stat::go_mode::DIR != 0;
                    let into_existing =
                        paths.len() == 1 && !is_dir && !dest_dir_syntax && dest_is_dir()?;
                    let (dir, placement) =
                        context::placement(&dest_arg, paths.len(), is_dir, into_existing)
                            .map_err(|e| self.at(ins, e))?;
                    let name = match (&placement, is_dir) {
                        (_, true) => ".".to_string(),
                        (Placement::AsFile(f), false) => f.clone(),
                        (Placement::IntoDir, false) => Path::new(p)
                            .file_name()
                            .map(|f| f.to_string_lossy().into_owned())
                            .unwrap_or_else(|| ".".into()),
                    };
                    engine.send_path(&src.c, p, &name, |mut r| {
                        let mut r = retar(&mut r, &opts)?;
                        target.put(engine, &dir, owner, &mut r)
                    })?;
                }
            }
            From::Heredocs(files) => {
                let (dir, as_file) = if files.len() == 1 && !dest_dir_syntax && !dest_is_dir()? {
                    let (d, f) = split_file(&dest);
                    (d, Some(f))
                } else {
                    (dest.clone(), None)
                };
                let mut produce =
                    |w: &mut dyn Write| heredoc_tar(files, as_file.as_deref(), &opts, w);
                put_piped(engine, &target, &dir, owner, &mut produce)?;
            }
        }
        let (tar, _hold) = target.layer()?;
        let config = state.config.clone();
        let made = self.commit(&key, state, config, Some(&tar), created_by);
        let _ = std::fs::remove_file(&tar);
        made
    }

    /// What a `--from=` names: an earlier stage's result, else an image of the store.
    pub(super) fn stage_or_image(&self, ins: &Instruction, f: &str) -> Result<ImageRecord> {
        match self.plan.stage_named(f, self.plan.stages.len()) {
            Some(i) => self
                .built()
                .get(&i)
                .and_then(|s| s.image.clone())
                .ok_or_else(|| {
                    self.at(
                        ins,
                        Error::invalid(format!("--from={f}: that stage has no files")),
                    )
                }),
            None => self.engine.images().resolve(f).map_err(|_| {
                self.at(
                    ins,
                    Error::invalid(format!("--from={f}: no stage or image of that name")),
                )
            }),
        }
    }

    /// Resolve a COPY's sources to what they name.
    fn copy_sources(
        &self,
        ins: &Instruction,
        spec: &CopySpec,
        add: bool,
        sources: &[String],
        state: &StageState,
    ) -> Result<From> {
        if !spec.heredocs.is_empty() {
            let mut files = Vec::new();
            for h in &spec.heredocs {
                let body = if h.expand {
                    state.expand_heredoc(&h.content, self.plan.escape)?
                } else {
                    h.content.clone()
                };
                files.push((h.name.clone(), body));
            }
            return Ok(From::Heredocs(files));
        }
        if let Some(f) = &spec.from {
            let f = state.expand(f, self.plan.escape)?;
            let img = self.stage_or_image(ins, &f)?;
            for s in sources {
                if s.contains(['*', '?', '[']) {
                    return Err(self.at(
                        ins,
                        Error::invalid(format!(
                            "--from={f}: wildcards in sources are not supported yet ({s})"
                        )),
                    ));
                }
            }
            return Ok(From::Image(img, sources.to_vec()));
        }
        let mut found = Vec::new();
        for s in sources {
            if add
                && (s.starts_with("http://") || s.starts_with("https://") || s.starts_with("git@"))
            {
                return Err(self.at(
                    ins,
                    Error::invalid(format!(
                        "ADD {s}: fetching a URL needs network access, which builds here do not have; download it into the context and COPY it"
                    )),
                ));
            }
            found.extend(self.ctx.matches(s).map_err(|e| self.at(ins, e))?);
        }
        Ok(From::Context(found))
    }
}

/// Write a tar with `produce` on a thread while the target unpacks it.
fn put_piped(
    engine: &crate::Engine,
    target: &Target<'_>,
    dir: &str,
    owner: (u32, u32),
    produce: &mut (dyn FnMut(&mut dyn Write) -> Result<()> + Send),
) -> Result<()> {
    let (r, w) = nix::unistd::pipe().map_err(|e| Error::Runtime(format!("pipe: {e}")))?;
    let (mut r, mut w) = (File::from(r), File::from(w));
    std::thread::scope(|s| {
        let writer = s.spawn(move || {
            let made = produce(&mut w);
            drop(w);
            made
        });
        let put = target.put(engine, dir, owner, &mut r);
        drop(r);
        let wrote = writer
            .join()
            .unwrap_or_else(|_| Err(Error::Runtime("the COPY writer panicked".into())));
        put.and(wrote)
    })
}

/// A tar from another image, its entries re-owned and re-moded as COPY asks.
fn retar<'a>(r: &'a mut dyn Read, o: &CopyOpts) -> Result<Box<dyn Read + 'a>> {
    if o.chown.is_none() && o.chmod.is_none() {
        return Ok(Box::new(r));
    }
    let mut out = Vec::new();
    {
        let mut b = tar::Builder::new(&mut out);
        let mut a = tar::Archive::new(r);
        for e in a
            .entries()
            .map_err(|e| Error::Runtime(format!("reading --from files: {e}")))?
        {
            let mut e = e.map_err(|e| Error::Runtime(format!("reading --from files: {e}")))?;
            let mut h = e.header().clone();
            if let Some((u, g)) = o.chown {
                h.set_uid(u as u64);
                h.set_gid(g as u64);
            }
            if let Some(m) = o.chmod {
                if matches!(
                    h.entry_type(),
                    tar::EntryType::Regular | tar::EntryType::Directory
                ) {
                    h.set_mode(m);
                }
            }
            let mut data = Vec::new();
            e.read_to_end(&mut data)
                .map_err(|e| Error::Runtime(format!("reading --from files: {e}")))?;
            h.set_cksum();
            b.append(&h, data.as_slice())
                .map_err(|e| Error::Runtime(format!("writing --from files: {e}")))?;
        }
        b.finish()
            .map_err(|e| Error::Runtime(format!("writing --from files: {e}")))?;
    }
    Ok(Box::new(std::io::Cursor::new(out)))
}

/// COPY <<EOF: each heredoc a file (mode 0644 unless --chmod).
fn heredoc_tar(
    files: &[(String, String)],
    as_file: Option<&str>,
    o: &CopyOpts,
    w: &mut dyn Write,
) -> Result<()> {
    let mut b = tar::Builder::new(w);
    for (name, body) in files {
        let mut h = tar::Header::new_gnu();
        h.set_size(body.len() as u64);
        h.set_mode(o.chmod.unwrap_or(0o644));
        let (u, g) = o.chown.unwrap_or((0, 0));
        h.set_uid(u as u64);
        h.set_gid(g as u64);
        h.set_mtime(0);
        h.set_entry_type(tar::EntryType::Regular);
        let path = as_file.unwrap_or(name);
        b.append_data(&mut h, path, body.as_bytes())
            .map_err(|e| Error::Runtime(format!("writing heredoc {name}: {e}")))?;
    }
    b.finish()
        .map_err(|e| Error::Runtime(format!("writing heredocs: {e}")))
}

/// `/a/b/c` → (`/a/b`, `c`).
pub(super) fn split_file(p: &str) -> (String, String) {
    let path = Path::new(p);
    let dir = path
        .parent()
        .map(|d| d.to_string_lossy().into_owned())
        .unwrap_or_else(|| "/".into());
    let file = path
        .file_name()
        .map(|f| f.to_string_lossy().into_owned())
        .unwrap_or_default();
    (if dir.is_empty() { "/".into() } else { dir }, file)
}
