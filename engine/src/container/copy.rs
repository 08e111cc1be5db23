//! `berth cp`, both ways, running or stopped. One side writes the source as a tar stream
//! (entries under the source's base name), the other unpacks it where Docker's rules say
//! (`copy_plan`). The container's side always runs in a child whose root is the
//! container's root (`rootfs_view`), so its symlinks cannot lead out of it; the host's
//! side refuses to write through symlinks that arrive in the stream.

use std::ffi::OsStr;
use std::fs::{self, File};
use std::io::{self, Read, Write};
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use super::copy_plan::{place, wants_contents, DestInfo, Placement, Top};
use super::fs_job::FsJob;
use super::path_stat::{self, absolute, go_mode, PathStat};
use super::tarwrite::{is_broken_pipe, TarWriter};
use super::Container;
use crate::error::{Error, Result};
use crate::Engine;

#[derive(Debug, Clone, Copy, Default)]
pub struct CopyOptions {
    /// `-a`: keep the source's uid/gid (otherwise files belong to root at the destination).
    pub archive: bool,
    /// `-L`: copy what a source symlink points at, not the link.
    pub follow_link: bool,
}

/// Where a copy out of a container goes on the host.
pub enum CopyOut<'a> {
    Path(PathBuf),
    /// `-`: the tar stream itself.
    Stream(&'a mut dyn Write),
}

/// What a copy into a container takes from the host.
pub enum CopyIn<'a> {
    Path(PathBuf),
    /// `-`: a tar stream, unpacked into the destination directory as is.
    Stream(&'a mut dyn Read),
}

/// How the receiving side names entries.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Receive {
    /// A stream from [`send`]: placed by Docker's rules.
    FromSource { contents: bool },
    /// A user's tar: unpacked into the destination directory unchanged. `replace`: an
    /// entry may replace a directory with a non-directory or the other way round
    /// (Docker's archive PUT without `noOverwriteDirNonDir`).
    Raw { replace: bool },
}

/// Docker's archive PUT options.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ExtractOptions {
    /// `copyUIDGID`: keep the tar's owners; otherwise root owns what is written.
    pub copy_uid_gid: bool,
    /// `noOverwriteDirNonDir`: refuse to replace a directory with a non-directory or
    /// the other way round.
    pub no_overwrite_dir_non_dir: bool,
}

/// What Docker's archive PUT finds at its destination, symlinks followed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExtractPoint {
    Directory,
    NotDirectory,
    Missing,
}

impl Engine {
    pub fn copy_from_container(
        &self,
        c: &Container,
        src: &str,
        out: CopyOut<'_>,
        o: &CopyOptions,
    ) -> Result<()> {
        let src = absolute(src);
        let contents = wants_contents(&src);
        let job = FsJob::Send {
            name: top_name(&src).to_string_lossy().into_owned(),
            path: src,
            follow_link: o.follow_link,
            container: c.name().to_string(),
        };
        self.in_container_fs(c, job, move |mut r| match out {
            CopyOut::Stream(to) => io::copy(&mut r, to)
                .map(|_| ())
                .map_err(|e| Error::Runtime(format!("writing the archive: {e}"))),
            CopyOut::Path(dest) => receive(
                r,
                &dest.to_string_lossy(),
                Receive::FromSource { contents },
                o.archive,
                &|p: &Path| format!("no such directory: {}", p.display()),
            )
            .map_err(Error::Runtime),
        })
    }

    pub fn copy_to_container(
        &self,
        c: &Container,
        src: CopyIn<'_>,
        dest: &str,
        o: &CopyOptions,
    ) -> Result<()> {
        let dest = absolute(dest);
        let mode = match &src {
            CopyIn::Path(p) => {
                // Checked before anything happens in the container, as Docker's client does.
                let m = if o.follow_link {
                    fs::metadata(p)
                } else {
                    fs::symlink_metadata(p)
                };
                if let Err(e) = m {
                    return Err(Error::Runtime(format!(
                        "lstat {}: {}",
                        p.display(),
                        io_message(&e)
                    )));
                }
                Receive::FromSource {
                    contents: wants_contents(&p.to_string_lossy()),
                }
            }
            CopyIn::Stream(_) => Receive::Raw { replace: false },
        };
        let job = FsJob::Receive {
            dest,
            mode,
            archive: o.archive,
            container: c.name().to_string(),
        };
        self.in_container_fs(c, job, move |mut w| {
            let sent = match src {
                CopyIn::Path(p) => send(w, &p.to_string_lossy(), o.follow_link, &|p: &str| {
                    format!("lstat {p}: no such file or directory")
                }),
                CopyIn::Stream(from) => match io::copy(from, &mut w) {
                    Err(e) if !is_broken_pipe(&e) => Err(format!("reading the archive: {e}")),
                    _ => Ok(()),
                },
            };
            sent.map_err(Error::Runtime)
        })
    }

    /// Docker's archive HEAD: what `path` is in the container (running or not), or
    /// None when there is nothing there. A final symlink is not followed unless the
    /// path ends in `/`.
    pub fn stat_path(&self, c: &Container, path: &str) -> Result<Option<PathStat>> {
        self.stat_job(c, path, false)
    }

    /// Docker's archive PUT checks its destination with symlinks followed.
    pub fn extract_point(&self, c: &Container, path: &str) -> Result<ExtractPoint> {
        Ok(match self.stat_job(c, path, true)? {
            None => ExtractPoint::Missing,
            Some(s) if s.mode & go_mode::DIR != 0 => ExtractPoint::Directory,
            Some(_) => ExtractPoint::NotDirectory,
        })
    }

    fn stat_job(&self, c: &Container, path: &str, follow: bool) -> Result<Option<PathStat>> {
        let job = FsJob::Stat {
            path: absolute(path),
            follow,
        };
        self.in_container_fs(c, job, |r| {
            serde_json::from_reader(r)
                .map_err(|e| Error::Runtime(format!("reading a path's stat: {e}")))
        })
    }

    /// Docker's archive GET: `path` as a tar written to `out`, entries under the base
    /// name of the path as asked (`x/.` gives `./...`, `/` gives `/...`), which is what
    /// Docker's client renames when it places them.
    pub fn archive_path(&self, c: &Container, path: &str, out: &mut dyn Write) -> Result<()> {
        let path = absolute(path);
        let job = FsJob::Send {
            name: path_stat::base_name(&path),
            path,
            follow_link: false,
            container: c.name().to_string(),
        };
        self.in_container_fs(c, job, move |mut r| {
            io::copy(&mut r, out)
                .map(|_| ())
                .map_err(|e| Error::Runtime(format!("writing the archive: {e}")))
        })
    }

    /// Docker's archive PUT: unpack `tar` as it is into the existing directory `dir`
    /// (check it with [`Engine::extract_point`] first). Entries never leave the
    /// container's root: the unpacking runs inside it and refuses to write through
    /// symlinks that arrive in the stream.
    pub fn extract_to_dir(
        &self,
        c: &Container,
        dir: &str,
        o: &ExtractOptions,
        tar: &mut dyn Read,
    ) -> Result<()> {
        let job = FsJob::Receive {
            dest: absolute(dir),
            mode: Receive::Raw {
                replace: !o.no_overwrite_dir_non_dir,
            },
            archive: o.copy_uid_gid,
            container: c.name().to_string(),
        };
        self.in_container_fs(c, job, move |mut w| match io::copy(tar, &mut w) {
            Err(e) if !is_broken_pipe(&e) => {
                Err(Error::Runtime(format!("reading the archive: {e}")))
            }
            _ => Ok(()),
        })
    }
}

impl Engine {
    /// A build step's COPY: make `dir` where missing (owned by `owner`) and unpack
    /// `tar` into it, owners as the tar says, inside the container's root.
    pub fn put_into(
        &self,
        c: &Container,
        dir: &str,
        owner: (u32, u32),
        tar: &mut dyn Read,
    ) -> Result<()> {
        let job = FsJob::Put {
            dir: absolute(dir),
            owner,
        };
        self.in_container_fs(c, job, move |mut w| match io::copy(tar, &mut w) {
            Err(e) if !is_broken_pipe(&e) => {
                Err(Error::Runtime(format!("reading the archive: {e}")))
            }
            _ => Ok(()),
        })
    }

    /// A path of the container as a tar whose entries are named under `name` (a
    /// directory's contents under `.`), read by `read` (COPY --from).
    pub fn send_path<T>(
        &self,
        c: &Container,
        path: &str,
        name: &str,
        read: impl FnOnce(File) -> Result<T>,
    ) -> Result<T> {
        let job = FsJob::Send {
            path: absolute(path),
            name: name.to_string(),
            follow_link: true,
            container: c.name().to_string(),
        };
        self.in_container_fs(c, job, read)
    }
}

/// The name `cp` gives a source in its stream: its base name (`rootfs` for `/`).
fn top_name(src: &str) -> &OsStr {
    Path::new(src)
        .file_name()
        .unwrap_or_else(|| OsStr::new("rootfs"))
}

/// "no such file or directory", as Go words errno messages.
fn io_message(e: &io::Error) -> String {
    match e.raw_os_error() {
        Some(n) => nix::errno::Errno::from_raw(n).desc().to_lowercase(),
        None => e.to_string(),
    }
}

/// Write `src` (and what is below it) as a tar to `w`, entries under its base name.
/// A reader that stops early is not an error here: it reports its own.
pub fn send(
    w: impl Write,
    src: &str,
    follow: bool,
    not_found: &dyn Fn(&str) -> String,
) -> Result<(), String> {
    send_as(w, src, Path::new(top_name(src)), follow, not_found)
}

/// [`send`] with the entries under `name`; `.` and `/` are written literally (see
/// [`TarWriter::literal_top`]).
pub fn send_as(
    w: impl Write,
    src: &str,
    name: &Path,
    follow: bool,
    not_found: &dyn Fn(&str) -> String,
) -> Result<(), String> {
    let path = Path::new(src);
    let meta = if follow {
        fs::metadata(path)
    } else {
        fs::symlink_metadata(path)
    };
    let m = match meta {
        Ok(m) => m,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Err(not_found(src)),
        Err(e) => return Err(format!("{src}: {e}")),
    };
    if (src.ends_with('/') || wants_contents(src)) && !m.is_dir() {
        return Err(format!("{src}: not a directory"));
    }
    let literal = matches!(name.to_str(), Some("." | "/"));
    let write = || -> io::Result<()> {
        let mut t = TarWriter::new(w);
        if literal {
            t = t.literal_top(&name.to_string_lossy());
            t.append_tree(path, Path::new("."), &m)?;
        } else {
            t.append_tree(path, name, &m)?;
        }
        t.finish()?.flush()
    };
    match write() {
        Err(e) if !is_broken_pipe(&e) => Err(format!("copying {src}: {e}")),
        _ => Ok(()),
    }
}

/// Resolve a destination that may not exist yet: its existing part with symlinks
/// followed (inside the container this is the container's root), the new name kept.
fn resolve_dest(dest: &str) -> PathBuf {
    let p = Path::new(dest);
    if let Ok(c) = fs::canonicalize(p) {
        return c;
    }
    match (p.parent(), p.file_name()) {
        (Some(parent), Some(name)) => {
            let parent = if parent.as_os_str().is_empty() {
                Path::new(".")
            } else {
                parent
            };
            fs::canonicalize(parent)
                .unwrap_or_else(|_| parent.to_path_buf())
                .join(name)
        }
        _ => p.to_path_buf(),
    }
}

/// Unpack the tar `r` at `dest` by `mode`. `missing` words the error for a destination
/// directory that does not exist.
pub fn receive(
    r: impl Read,
    dest: &str,
    mode: Receive,
    archive: bool,
    missing: &dyn Fn(&Path) -> String,
) -> Result<(), String> {
    receive_rebased(r, dest, mode, archive, missing, None)
}

/// [`receive`] of a stream whose top entry is named `rebase.0` but stands for
/// `rebase.1`: a client that followed a symlink (`cp -L`) asks for the link's target
/// and places it under the link's name, as Docker's client rebases the archive.
pub fn receive_rebased(
    r: impl Read,
    dest: &str,
    mode: Receive,
    archive: bool,
    missing: &dyn Fn(&Path) -> String,
    rebase: Option<(&OsStr, &OsStr)>,
) -> Result<(), String> {
    let resolved = resolve_dest(dest);
    let info = match fs::metadata(&resolved) {
        Ok(m) => DestInfo {
            exists: true,
            is_dir: m.is_dir(),
        },
        Err(_) => DestInfo {
            exists: false,
            is_dir: false,
        },
    };
    // Keep the user's trailing `/` (it says "must be a directory").
    let mut shown = resolved.to_string_lossy().into_owned();
    if dest.ends_with('/') && !shown.ends_with('/') {
        shown.push('/');
    }
    let mut ar = tar::Archive::new(r);
    ar.set_preserve_permissions(true);
    ar.set_preserve_mtime(true);
    ar.set_preserve_ownerships(archive);
    ar.set_unpack_xattrs(false);
    let mut placement: Option<Placement> = None;
    let entries = ar.entries().map_err(|e| format!("reading archive: {e}"))?;
    for entry in entries {
        let mut e = entry.map_err(|e| format!("reading archive: {e}"))?;
        let mut name = e
            .path()
            .map_err(|err| format!("reading archive: {err}"))?
            .into_owned();
        if let Some((from, to)) = rebase {
            if let Ok(rest) = name.strip_prefix(from) {
                name = Path::new(to).join(rest);
            }
        }
        let kind = e.header().entry_type();
        if placement.is_none() {
            let p = match mode {
                Receive::Raw { .. } if info.is_dir => Placement {
                    dir: resolved.clone(),
                    top: Top::Keep,
                },
                Receive::Raw { .. } => {
                    return Err(format!("destination \"{dest}\" must be a directory"));
                }
                Receive::FromSource { contents } => place(kind.is_dir(), contents, &shown, &info)?,
            };
            if !p.dir.is_dir() {
                return Err(missing(&p.dir));
            }
            placement = Some(p);
        }
        let Some(p) = &placement else { continue };
        let Some(rel) = p.map(&name)? else { continue };
        let target = safe_target(&p.dir, &rel)?;
        clear_for(
            &target,
            kind.is_dir(),
            mode == Receive::Raw { replace: true },
        )?;
        if kind == tar::EntryType::Link {
            let link: PathBuf = e
                .link_name()
                .map_err(|err| format!("reading archive: {err}"))?
                .ok_or_else(|| format!("hard link {} without a target", name.display()))?
                .into_owned();
            let link = match rebase.map(|(from, to)| (link.strip_prefix(from), to)) {
                Some((Ok(rest), to)) => Path::new(to).join(rest),
                _ => link,
            };
            let Some(src_rel) = p.map(&link)? else {
                return Err(format!("hard link {} to a directory", name.display()));
            };
            let source = safe_target(&p.dir, &src_rel)?;
            fs::hard_link(&source, &target)
                .map_err(|err| format!("link {}: {err}", target.display()))?;
            continue;
        }
        e.unpack(&target)
            .map_err(|err| format!("write {}: {err}", target.display()))?;
    }
    if placement.is_none() {
        return Err("the archive is empty".into());
    }
    Ok(())
}

/// `dir/rel`, refusing when any parent below `dir` is a symlink or not a directory, so a
/// symlink that arrived earlier in the stream cannot redirect a later entry. Missing
/// parents are made (a stream from a user may omit them).
fn safe_target(dir: &Path, rel: &Path) -> Result<PathBuf, String> {
    let mut p = dir.to_path_buf();
    let comps: Vec<_> = rel.components().collect();
    for c in comps.iter().take(comps.len().saturating_sub(1)) {
        p.push(c);
        match fs::symlink_metadata(&p) {
            Ok(m) if m.is_dir() => {}
            Ok(_) => {
                return Err(format!(
                    "refusing to write through {}: not a directory",
                    p.display()
                ))
            }
            Err(_) => fs::create_dir(&p).map_err(|e| format!("create {}: {e}", p.display()))?,
        }
    }
    Ok(dir.join(rel))
}

/// Make room for an entry at `target` (a later entry replaces a file, as tar does); a
/// directory is replaced by a non-directory or the other way round only when `replace`
/// allows it.
fn clear_for(target: &Path, entry_is_dir: bool, replace: bool) -> Result<(), String> {
    let m = match fs::symlink_metadata(target) {
        Err(_) => return Ok(()),
        Ok(m) => m,
    };
    match (m.is_dir(), entry_is_dir) {
        (true, true) => Ok(()),
        (true, false) if replace => {
            fs::remove_dir_all(target).map_err(|e| format!("replace {}: {e}", target.display()))
        }
        (true, false) => Err(format!(
            "cannot overwrite directory {} with non-directory",
            target.display()
        )),
        (false, true) if !replace => Err(format!(
            "cannot overwrite non-directory {} with directory",
            target.display()
        )),
        (false, _) => {
            fs::remove_file(target).map_err(|e| format!("replace {}: {e}", target.display()))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn round_trip(src: &Path, dest: &Path, contents: bool) -> Result<(), String> {
        let mut buf = Vec::new();
        send(&mut buf, &src.to_string_lossy(), false, &|p| {
            format!("no {p}")
        })?;
        receive(
            &buf[..],
            &dest.to_string_lossy(),
            Receive::FromSource { contents },
            false,
            &|p| format!("missing {}", p.display()),
        )
    }

    #[test]
    fn files_and_directories_land_where_docker_puts_them() {
        let d = tempfile::tempdir().unwrap();
        let src = d.path().join("src");
        fs::create_dir_all(src.join("sub")).unwrap();
        fs::write(src.join("sub/f"), "x").unwrap();
        std::os::unix::fs::symlink("/etc", src.join("link")).unwrap();
        let out = d.path().join("out");
        fs::create_dir(&out).unwrap();
        round_trip(&src, &out, false).unwrap();
        assert_eq!(fs::read_to_string(out.join("src/sub/f")).unwrap(), "x");
        assert_eq!(
            fs::read_link(out.join("src/link")).unwrap(),
            Path::new("/etc")
        );
        round_trip(&src, &d.path().join("renamed"), false).unwrap();
        assert!(d.path().join("renamed/sub/f").is_file());
        let contents = d.path().join("contents");
        fs::create_dir(&contents).unwrap();
        round_trip(&src.join("."), &contents, true).unwrap();
        assert!(contents.join("sub/f").is_file());
        round_trip(&src.join("sub/f"), &d.path().join("g"), false).unwrap();
        assert_eq!(fs::read_to_string(d.path().join("g")).unwrap(), "x");
        let err = round_trip(&src.join("nope"), &out, false).unwrap_err();
        assert!(err.starts_with("no "), "{err}");
        let err = round_trip(&src.join("sub/f"), &d.path().join("x/y"), false).unwrap_err();
        assert!(err.starts_with("missing"), "{err}");
    }

    #[test]
    fn a_symlink_in_the_stream_cannot_redirect_later_entries() {
        let d = tempfile::tempdir().unwrap();
        let outside = d.path().join("outside");
        fs::create_dir(&outside).unwrap();
        let mut b = tar::Builder::new(Vec::new());
        let mut h = tar::Header::new_gnu();
        h.set_entry_type(tar::EntryType::Symlink);
        h.set_size(0);
        h.set_mode(0o777);
        b.append_link(&mut h, "top/esc", &outside).unwrap();
        let mut h = tar::Header::new_gnu();
        h.set_entry_type(tar::EntryType::Regular);
        h.set_size(1);
        h.set_mode(0o644);
        b.append_data(&mut h, "top/esc/pwned", &b"x"[..]).unwrap();
        let data = b.into_inner().unwrap();
        let dest = d.path().join("dest");
        fs::create_dir(&dest).unwrap();
        let err = receive(
            &data[..],
            &dest.to_string_lossy(),
            Receive::Raw { replace: false },
            false,
            &|_| String::new(),
        )
        .unwrap_err();
        assert!(err.contains("refusing"), "{err}");
        assert!(!outside.join("pwned").exists());
    }
}
