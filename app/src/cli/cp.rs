//! `berth cp` through the engine interface, as Docker's client does it: the backend
//! only stats paths and moves tar streams in and out of the container
//! (`archive_stat`/`archive_get`/`archive_put`); where things land on the host, and
//! under which name a source goes into the container, is decided here by Docker's
//! rules (`copy_plan`). Unpacking on the host refuses `..`, absolute names and writing
//! through symlinks that arrive in the stream (`copy::receive`).

use std::ffi::OsStr;
use std::io::{Read, Write};
use std::path::Path;

use berth_engine::container::copy::{receive_rebased, send, send_as, Receive};
use berth_engine::container::copy_plan::{place, wants_contents, DestInfo, Top};
use berth_engine::container::path_stat::go_mode;
use bytes::Bytes;
use clap::Args;
use futures_util::StreamExt;

use super::door::{read_stream, Door};
use super::{CliResult, Failure};
use crate::backend::{BackendError, ByteStream, PathStat};

#[derive(Args, Debug)]
pub struct CpArgs {
    /// Archive mode (copy all uid/gid information)
    #[arg(short = 'a', long)]
    archive: bool,
    /// Always follow symbol link in SRC_PATH
    #[arg(short = 'L', long = "follow-link")]
    follow_link: bool,
    /// Suppress progress output during copy (berth prints none)
    #[arg(short = 'q', long)]
    quiet: bool,
    /// CONTAINER:SRC_PATH, SRC_PATH or - (a tar stream on stdin)
    src: String,
    /// CONTAINER:DEST_PATH, DEST_PATH or - (a tar stream on stdout)
    dest: String,
}

/// One side of `cp`: `NAME:PATH` names a container path; a path starting with `/` or `.`
/// is local even with a colon in it, as Docker reads it.
#[derive(Debug, PartialEq, Eq)]
enum Side<'a> {
    Local(&'a str),
    Container(&'a str, &'a str),
}

fn side(arg: &str) -> Side<'_> {
    if arg.starts_with('/') || arg.starts_with('.') {
        return Side::Local(arg);
    }
    match arg.split_once(':') {
        Some((c, p)) if !c.is_empty() => Side::Container(c, p),
        _ => Side::Local(arg),
    }
}

pub fn cp(door: &Door, a: CpArgs) -> CliResult {
    let _ = a.quiet;
    match (side(&a.src), side(&a.dest)) {
        (Side::Container(..), Side::Container(..)) => {
            Err("copying between containers is not supported".into())
        }
        (Side::Local(_), Side::Local(_)) => {
            Err("must specify at least one container source".into())
        }
        (Side::Container(name, path), Side::Local(dest)) => {
            if path.is_empty() {
                return Err(format!("Error: path for container {name} must not be empty").into());
            }
            copy_out(door, name, &absolute(path), dest, &a)
        }
        (Side::Local(src), Side::Container(name, path)) => {
            if path.is_empty() {
                return Err(format!("Error: path for container {name} must not be empty").into());
            }
            copy_in(door, src, name, &absolute(path), &a)
        }
    }
}

/// A container path as the daemon takes it: relative ones start at `/`.
fn absolute(p: &str) -> String {
    if p.starts_with('/') {
        p.to_string()
    } else {
        format!("/{p}")
    }
}

fn is_symlink(s: &PathStat) -> bool {
    s.mode & go_mode::SYMLINK != 0
}

/// Where a symlink at `path` points, as an absolute container path.
fn link_target(path: &str, s: &PathStat) -> String {
    if s.link_target.starts_with('/') {
        return s.link_target.clone();
    }
    let dir = Path::new(path).parent().unwrap_or(Path::new("/"));
    dir.join(&s.link_target).to_string_lossy().into_owned()
}

fn base_name(path: &str) -> String {
    Path::new(path)
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default()
}

fn copy_out(door: &Door, name: &str, path: &str, dest: &str, a: &CpArgs) -> CliResult {
    let b = door.backend();
    let mut src = path.to_string();
    // `-L`: ask for the link's target, and place it under the link's own name.
    let mut rebase = None;
    if a.follow_link {
        if let Ok(s) = door.call(b.archive_stat(name, path)) {
            if is_symlink(&s) {
                src = link_target(path, &s);
                rebase = Some((base_name(&src), base_name(path)));
            }
        }
    }
    // The daemon names a whole root `/...` and a directory's contents `./...`; the
    // host side places entries under a name, so give them one.
    if rebase.is_none() && src == "/" {
        rebase = Some(("/".to_string(), "rootfs".to_string()));
    } else if rebase.is_none() && wants_contents(&src) {
        rebase = Some((".".to_string(), "contents".to_string()));
    }
    let (_, stream) = door.call(b.archive_get(name, &src))?;
    let mut reader = StreamReader {
        door,
        stream,
        chunk: Bytes::new(),
    };
    if dest == "-" {
        let mut stdout = std::io::stdout().lock();
        std::io::copy(&mut reader, &mut stdout)
            .and_then(|_| stdout.flush())
            .map_err(|e| format!("writing to stdout: {e}"))?;
        return Ok(0);
    }
    let rebase = rebase
        .as_ref()
        .map(|(from, to)| (OsStr::new(from.as_str()), OsStr::new(to.as_str())));
    receive_rebased(
        reader,
        dest,
        Receive::FromSource {
            contents: wants_contents(path),
        },
        a.archive,
        &|p: &Path| format!("no such directory: {}", p.display()),
        rebase,
    )
    .map_err(Failure::from)?;
    Ok(0)
}

/// What the destination in the container is, symlinks at its end followed as Docker's
/// client follows them: (the path to use, whether it exists, whether it is a directory).
fn container_dest(door: &Door, name: &str, path: &str) -> (String, DestInfo) {
    let b = door.backend();
    // Any error is taken as "not there yet", as Docker's client takes it: a missing
    // container or parent is reported by the put that follows.
    let stat = |p: &str| door.call(b.archive_stat(name, p)).ok();
    let mut path = path.to_string();
    let mut found = stat(&path);
    if let Some(s) = found.as_ref().filter(|s| is_symlink(s)) {
        path = link_target(&path, s);
        found = stat(&path);
    }
    let info = DestInfo {
        exists: found.is_some(),
        is_dir: found.is_some_and(|s| s.mode & go_mode::DIR != 0),
    };
    (path, info)
}

fn copy_in(door: &Door, src: &str, name: &str, path: &str, a: &CpArgs) -> CliResult {
    let b = door.backend();
    let (dest, info) = container_dest(door, name, path);
    if src == "-" {
        if !info.is_dir {
            return Err(format!("destination \"{name}:{path}\" must be a directory").into());
        }
        door.call(b.archive_put(name, &dest, true, a.archive, read_stream(std::io::stdin())))?;
        return Ok(0);
    }
    // The client's own check, as Docker's: its error is not the daemon's.
    let meta = if a.follow_link {
        std::fs::metadata(src)
    } else {
        std::fs::symlink_metadata(src)
    };
    let meta = meta.map_err(|e| {
        let why = match e.kind() {
            std::io::ErrorKind::NotFound => "no such file or directory".to_string(),
            std::io::ErrorKind::PermissionDenied => "permission denied".to_string(),
            _ => e.to_string(),
        };
        format!("lstat {src}: {why}")
    })?;
    // Keep the user's trailing `/` (it says "must be a directory").
    let mut shown = dest.clone();
    if path.ends_with('/') && !shown.ends_with('/') {
        shown.push('/');
    }
    let p = place(meta.is_dir(), wants_contents(src), &shown, &info)
        .map_err(|e| Failure::from(format!("Error response from daemon: {e}")))?;
    let dir = p.dir.to_string_lossy().into_owned();
    let (tar_r, tar_w) = std::io::pipe().map_err(|e| format!("pipe: {e}"))?;
    let (src_owned, follow) = (src.to_string(), a.follow_link);
    let not_found = |p: &str| format!("lstat {p}: no such file or directory");
    // The tar is written on a thread of its own while the backend reads it.
    let producer = std::thread::spawn(move || match p.top {
        Top::Keep => send(tar_w, &src_owned, follow, &not_found),
        Top::Rename(n) => send_as(tar_w, &src_owned, Path::new(&n), follow, &not_found),
        Top::Contents => send_as(tar_w, &src_owned, Path::new("."), follow, &not_found),
    });
    let put = door.call(b.archive_put(name, &dir, true, a.archive, read_stream(tar_r)));
    let made = producer
        .join()
        .unwrap_or_else(|_| Err("the archive writer failed".into()));
    put?;
    made.map_err(Failure::from)?;
    Ok(0)
}

/// The interface's byte stream as a blocking reader, each chunk awaited on the door's
/// runtime.
struct StreamReader<'a> {
    door: &'a Door,
    stream: ByteStream,
    chunk: Bytes,
}

impl Read for StreamReader<'_> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        while self.chunk.is_empty() {
            match self.door.block_on(self.stream.next()) {
                None => return Ok(0),
                Some(Ok(c)) => self.chunk = c,
                Some(Err(BackendError { message, .. })) => {
                    return Err(std::io::Error::other(message))
                }
            }
        }
        let n = buf.len().min(self.chunk.len());
        buf[..n].copy_from_slice(&self.chunk.split_to(n));
        Ok(n)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sides_read_as_docker_reads_them() {
        assert_eq!(side("web:/etc"), Side::Container("web", "/etc"));
        assert_eq!(side("web:"), Side::Container("web", ""));
        assert_eq!(side("file"), Side::Local("file"));
        assert_eq!(side("./a:b"), Side::Local("./a:b"));
        assert_eq!(side("/x:y"), Side::Local("/x:y"));
        assert_eq!(side("-"), Side::Local("-"));
        assert_eq!(side(":x"), Side::Local(":x"));
    }

    #[test]
    fn link_targets_resolve_from_the_links_directory() {
        let s = |t: &str| PathStat {
            name: "l".into(),
            size: 0,
            mode: go_mode::SYMLINK,
            mtime: String::new(),
            link_target: t.into(),
        };
        assert_eq!(link_target("/a/l", &s("/etc")), "/etc");
        assert_eq!(link_target("/a/l", &s("b/c")), "/a/b/c");
        assert_eq!(absolute("tmp"), "/tmp");
    }
}
