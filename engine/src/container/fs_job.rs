//! The work done inside a container's filesystem view (`rootfs_view`), as plain data so
//! it can run in either of two places: a child forked from a single-threaded process
//! (the CLI), or `berth __fs ID JOB` re-executed from a multi-threaded one (the API
//! server, the TUI), where running Rust code after fork is not safe. Either way the job
//! reads or writes one data stream and reports failure as a message.

use std::fs::File;
use std::io::{self, Read, Write};
use std::os::fd::{AsFd, OwnedFd};
use std::path::Path;
use std::process::{Command, Stdio};

use serde::{Deserialize, Serialize};

use super::copy::{receive, send_as, Receive};
use super::path_stat;
use super::rootfs_view::{Access, Scope};
use super::tarwrite::{is_broken_pipe, TarWriter};
use crate::error::{Error, Result};
use crate::Engine;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum FsJob {
    /// The root filesystem without what is mounted on it, as a tar (`export`).
    Export,
    /// [`path_stat::stat`] of a path, written as JSON (`null` when it does not exist);
    /// `follow`: symlinks followed all the way.
    Stat { path: String, follow: bool },
    /// A path as a tar, its entries under `name` (`cp` out, the archive GET).
    Send {
        path: String,
        name: String,
        follow_link: bool,
        /// How the container is named in "Could not find the file" messages.
        container: String,
    },
    /// A tar read from the stream, unpacked at `dest` (`cp` in, the archive PUT).
    Receive {
        dest: String,
        mode: Receive,
        /// Keep the tar's owners (`cp -a`); otherwise root owns what is written.
        archive: bool,
        container: String,
    },
    /// A build step's tar: `dir` made first where missing (0755, owned by `owner`),
    /// then the stream unpacked into it with the tar's owners kept.
    Put { dir: String, owner: (u32, u32) },
}

impl FsJob {
    /// How much of the container's filesystem the job sees.
    pub fn scope(&self) -> Scope {
        match self {
            FsJob::Export => Scope::RootfsOnly,
            _ => Scope::WithMounts,
        }
    }

    pub fn access(&self) -> Access {
        match self {
            FsJob::Receive { .. } | FsJob::Put { .. } => Access::Write,
            _ => Access::Read,
        }
    }

    /// True when the job reads the stream (the caller writes it).
    pub fn reads(&self) -> bool {
        matches!(self, FsJob::Receive { .. } | FsJob::Put { .. })
    }

    /// Do the job; `data` is the stream's end that belongs to it. Must run inside the
    /// view.
    pub fn run(self, data: File) -> Result<(), String> {
        let not_found = |container: &str, p: &str| {
            format!("Could not find the file {p} in container {container}")
        };
        match self {
            FsJob::Export => export_root(data),
            FsJob::Stat { path, follow } => {
                let stat = match path_stat::stat(&path, follow) {
                    Ok(s) => Some(s),
                    Err(e) if e.kind() == io::ErrorKind::NotFound => None,
                    Err(e) => return Err(format!("stat {path}: {e}")),
                };
                serde_json::to_writer(data, &stat).map_err(|e| format!("stat {path}: {e}"))
            }
            FsJob::Send {
                path,
                name,
                follow_link,
                container,
            } => send_as(data, &path, Path::new(&name), follow_link, &|p| {
                not_found(&container, p)
            }),
            FsJob::Receive {
                dest,
                mode,
                archive,
                container,
            } => receive(data, &dest, mode, archive, &|p| {
                not_found(&container, &p.display().to_string())
            }),
            FsJob::Put { dir, owner } => {
                mkdir_all(Path::new(&dir), owner).map_err(|e| format!("mkdir {dir}: {e}"))?;
                receive(data, &dir, Receive::Raw { replace: true }, true, &|p| {
                    format!("no such directory: {}", p.display())
                })
            }
        }
    }
}

/// `mkdir -p` whose new directories get mode 0755 and `owner` (a COPY's destination).
pub fn mkdir_all(dir: &Path, owner: (u32, u32)) -> io::Result<()> {
    match std::fs::metadata(dir) {
        Ok(m) if m.is_dir() => return Ok(()),
        Ok(_) => {
            return Err(io::Error::new(
                io::ErrorKind::AlreadyExists,
                "exists and is not a directory",
            ))
        }
        Err(e) if e.kind() != io::ErrorKind::NotFound => return Err(e),
        Err(_) => {}
    }
    if let Some(parent) = dir.parent() {
        mkdir_all(parent, owner)?;
    }
    match std::fs::create_dir(dir) {
        Err(e) if e.kind() == io::ErrorKind::AlreadyExists => return Ok(()),
        r => r?,
    }
    std::os::unix::fs::chown(dir, Some(owner.0), Some(owner.1))?;
    std::fs::set_permissions(dir, std::os::unix::fs::PermissionsExt::from_mode(0o755))
}

/// Everything under `/` (the view's root) as a tar, names relative.
fn export_root(w: impl Write) -> Result<(), String> {
    let root = Path::new("/");
    let write = || -> io::Result<()> {
        let m = std::fs::symlink_metadata(root)?;
        let mut t = TarWriter::new(w);
        t.append_tree(root, Path::new(""), &m)?;
        t.finish()?.flush()
    };
    match write() {
        Err(e) if !is_broken_pipe(&e) => Err(format!("export: {e}")),
        _ => Ok(()),
    }
}

impl Engine {
    /// Run `job` in `berth __fs` (safe from any process) while `parent` works the other
    /// end of its stream. The helper's message, when it fails, wins over the parent's
    /// own error (a parent's broken pipe is usually the helper's failure).
    pub(crate) fn exec_fs_job<T>(
        &self,
        id: &str,
        job: FsJob,
        parent: impl FnOnce(File) -> Result<T>,
    ) -> Result<T> {
        let json = serde_json::to_string(&job)
            .map_err(|e| Error::Runtime(format!("encoding a filesystem job: {e}")))?;
        let reads = job.reads();
        let mut cmd = Command::new(&self.monitor_exe);
        cmd.arg("--root")
            .arg(&self.paths.root)
            .arg("--run-root")
            .arg(&self.paths.run)
            .arg("__fs")
            .envs(self.config.to_env())
            .arg(id)
            .arg(json)
            .stdin(if reads { Stdio::piped() } else { Stdio::null() })
            .stdout(if reads { Stdio::null() } else { Stdio::piped() })
            .stderr(Stdio::piped());
        let mut child = cmd
            .spawn()
            .map_err(|e| Error::io("start filesystem helper", &self.monitor_exe, e))?;
        let end: Option<OwnedFd> = if reads {
            child.stdin.take().map(OwnedFd::from)
        } else {
            child.stdout.take().map(OwnedFd::from)
        };
        let result = match end {
            Some(fd) => parent(File::from(fd)),
            None => Err(Error::Runtime("filesystem helper without a stream".into())),
        };
        let mut msg = String::new();
        if let Some(mut err) = child.stderr.take() {
            let _ = err.read_to_string(&mut msg);
        }
        let status = child
            .wait()
            .map_err(|e| Error::io("wait for filesystem helper", &self.monitor_exe, e))?;
        let msg = msg.trim_end();
        if !msg.is_empty() {
            return Err(Error::Runtime(msg.to_string()));
        }
        if !status.success() {
            return Err(Error::Runtime(format!(
                "working in the filesystem of {id} failed: {status}"
            )));
        }
        result
    }
}

/// `berth __fs ID JOB`: enter container `id`'s filesystem view and do the job on stdin
/// or stdout; a failure is a message on stderr and exit code 1.
///
/// `config` is this process's own, read once at its entry from what it inherited.
pub fn helper_entry(config: crate::Config, id: &str, job: &str) -> i32 {
    let run = || -> Result<(), String> {
        let job: FsJob =
            serde_json::from_str(job).map_err(|e| format!("invalid filesystem job: {e}"))?;
        let e = Engine::with_config(std::sync::Arc::new(config));
        let c = e.containers().load(id).map_err(|e| e.to_string())?;
        e.enter_view(&c, job.scope(), job.access())?;
        let fd = if job.reads() {
            io::stdin().as_fd().try_clone_to_owned()
        } else {
            io::stdout().as_fd().try_clone_to_owned()
        };
        let data = fd.map_err(|e| format!("filesystem helper stream: {e}"))?;
        job.run(File::from(data))
    };
    match run() {
        Ok(()) => 0,
        Err(msg) => {
            let _ = io::stderr().write_all(msg.as_bytes());
            1
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn jobs_see_what_they_need() {
        let send = FsJob::Send {
            path: "/etc".into(),
            name: "etc".into(),
            follow_link: false,
            container: "web".into(),
        };
        assert_eq!(
            (send.scope(), send.access(), send.reads()),
            (Scope::WithMounts, Access::Read, false)
        );
        assert_eq!(FsJob::Export.scope(), Scope::RootfsOnly);
        let recv = FsJob::Receive {
            dest: "/tmp".into(),
            mode: Receive::Raw { replace: false },
            archive: false,
            container: "web".into(),
        };
        assert_eq!((recv.access(), recv.reads()), (Access::Write, true));
        // The job crosses an exec as JSON.
        let back: FsJob = serde_json::from_str(&serde_json::to_string(&recv).unwrap()).unwrap();
        assert_eq!(back, recv);
    }

    #[test]
    fn stat_job_writes_null_for_a_missing_path() {
        let d = tempfile::tempdir().unwrap();
        let out = d.path().join("out");
        let job = FsJob::Stat {
            path: d.path().join("nope").to_string_lossy().into_owned(),
            follow: false,
        };
        job.run(File::create(&out).unwrap()).unwrap();
        assert_eq!(std::fs::read_to_string(&out).unwrap(), "null");
        let job = FsJob::Stat {
            path: d.path().to_string_lossy().into_owned(),
            follow: true,
        };
        job.run(File::create(&out).unwrap()).unwrap();
        let s: Option<path_stat::PathStat> =
            serde_json::from_str(&std::fs::read_to_string(&out).unwrap()).unwrap();
        assert_eq!(
            s.map(|s| s.mode & path_stat::go_mode::DIR),
            Some(path_stat::go_mode::DIR)
        );
    }
}
