//! Seeing a container's merged root filesystem, running or not, without mounting anything
//! on the host: a forked child enters a view of the filesystem (the container's own mount
//! namespace when it runs, a private namespace with the overlay mounted when it does not),
//! makes it its root, and does the work there, while this process streams data to or
//! from it through a pipe. Because the child's root *is* the container's root, every
//! symlink and `..` it follows resolves inside the container.
//!
//! The child runs Rust code after fork, which is only safe in a single-threaded process
//! (the CLI); from any other (the API server, the TUI) the work is re-executed as
//! `berth __fs` instead (see `fs_job`).

use std::fs::File;
use std::io::Write;
use std::os::fd::{AsFd, OwnedFd};
use std::path::{Path, PathBuf};

use nix::mount::{mount, umount2, MntFlags, MsFlags};
use nix::sched::{setns, unshare, CloneFlags};
use nix::sys::wait::{waitpid, WaitStatus};
use nix::unistd::{chdir, chroot, fork, ForkResult};

use super::fs_job::FsJob;
use super::launch::ContainerDirs;
use super::start::{single_threaded, MonitorLaunch};
use super::Container;
use crate::error::{Error, IoContext, Result};
use crate::runtime::paths::secure_join;
use crate::Engine;

/// How much of the container's filesystem the child sees.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scope {
    /// The image layers and the container's own changes, nothing mounted on top (export).
    RootfsOnly,
    /// As the container sees it: volumes and bind mounts too (cp).
    WithMounts,
}

/// Whether the child may change the filesystem.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Access {
    Read,
    Write,
}

/// Everything the child needs, prepared before fork so the child allocates little and
/// fails only on system calls.
enum Plan {
    Running {
        mnt_ns: File,
        /// Mount points to detach for `RootfsOnly`, innermost first.
        detach: Vec<PathBuf>,
    },
    Stopped {
        target: PathBuf,
        overlay_opts: String,
        readonly: bool,
        binds: Vec<Bind>,
    },
}

struct Bind {
    source: PathBuf,
    dest: String,
    readonly: bool,
}

impl Engine {
    /// Run `job` with the container's root filesystem as its root, and `parent` in this
    /// process at the same time on the other end of the job's stream. A single-threaded
    /// process forks the job; any other re-executes berth for it (`fs_job`). The job's
    /// failure message wins over the parent's own error (a parent's broken pipe is
    /// usually the job's failure).
    pub fn in_container_fs<T>(
        &self,
        c: &Container,
        job: FsJob,
        parent: impl FnOnce(File) -> Result<T>,
    ) -> Result<T> {
        if self.monitor_launch == MonitorLaunch::Fork && single_threaded() {
            self.fork_fs_job(c, job, parent)
        } else {
            self.exec_fs_job(c.id(), job, parent)
        }
    }

    /// In `berth __fs`: make this process's root the container's view.
    pub(crate) fn enter_view(
        &self,
        c: &Container,
        scope: Scope,
        access: Access,
    ) -> Result<(), String> {
        let plan = self
            .plan_view(c, scope, access)
            .map_err(|e| e.to_string())?;
        enter(plan)
    }

    fn fork_fs_job<T>(
        &self,
        c: &Container,
        job: FsJob,
        parent: impl FnOnce(File) -> Result<T>,
    ) -> Result<T> {
        let plan = self.plan_view(c, job.scope(), job.access())?;
        let (data_r, data_w) = pipe_files()?;
        let (ours, theirs) = if job.reads() {
            (data_w, data_r)
        } else {
            (data_r, data_w)
        };
        let (err_r, err_w) = pipe()?;
        // Whatever sits in our stdout buffer must not be written twice.
        let _ = std::io::stdout().flush();
        // SAFETY: the process is single-threaded (checked by the caller).
        match unsafe { fork() }.map_err(|e| Error::sys("fork", e))? {
            ForkResult::Child => {
                drop(err_r);
                drop(ours);
                drop(parent);
                // SAFETY: prctl with constant arguments: die with the CLI.
                unsafe { libc::prctl(libc::PR_SET_PDEATHSIG, libc::SIGKILL) };
                let outcome = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                    enter(plan).and_then(|_| job.run(theirs))
                }));
                let code = match outcome {
                    Ok(Ok(())) => 0,
                    Ok(Err(msg)) => {
                        let mut f = File::from(err_w);
                        let _ = f.write_all(msg.as_bytes());
                        1
                    }
                    Err(_) => 2,
                };
                // SAFETY: leave without running the parent's destructors or atexit handlers.
                unsafe { libc::_exit(code) }
            }
            ForkResult::Parent { child: pid } => {
                drop(err_w);
                drop(theirs);
                drop(job);
                drop(plan);
                let result = parent(ours);
                let mut msg = String::new();
                let _ = std::io::Read::read_to_string(&mut File::from(err_r), &mut msg);
                let status = loop {
                    match waitpid(pid, None) {
                        Err(nix::errno::Errno::EINTR) => continue,
                        other => break other,
                    }
                };
                if !msg.is_empty() {
                    return Err(Error::Runtime(msg));
                }
                match status {
                    Ok(WaitStatus::Exited(_, 0)) => result,
                    Ok(s) => Err(Error::Runtime(format!(
                        "working in the filesystem of {} failed: {s:?}",
                        c.name()
                    ))),
                    Err(e) => Err(Error::sys("wait for filesystem helper", e)),
                }
            }
        }
    }

    fn plan_view(&self, c: &Container, scope: Scope, access: Access) -> Result<Plan> {
        let c = self.containers().load(c.id())?;
        if c.state.status.is_live() && c.state.pid > 0 {
            let ns = format!("/proc/{}/ns/mnt", c.state.pid);
            let mnt_ns = File::open(&ns).ctx("open mount namespace", &ns)?;
            let detach = match scope {
                Scope::WithMounts => Vec::new(),
                Scope::RootfsOnly => {
                    let info = format!("/proc/{}/mountinfo", c.state.pid);
                    mount_points(&std::fs::read_to_string(&info).ctx("read", &info)?)
                }
            };
            return Ok(Plan::Running { mnt_ns, detach });
        }
        let img = self.images().resolve(&c.record.image_id.to_string())?;
        // Top-most layer first, as overlayfs lists them.
        let mut lower: Vec<PathBuf> = self.images().layer_dirs(&img)?.into_iter().rev().collect();
        let dirs = ContainerDirs::of(&self.paths, c.id());
        let empty = self.paths.layers_dir().join("empty");
        let overlay_opts = match access {
            // A read-only view needs no work dir: the container's upper dir becomes the
            // top lower layer, so nothing under the container's directory is written or
            // locked (a `start` meanwhile is not refused).
            Access::Read => {
                if dirs.upper.is_dir() {
                    lower.insert(0, dirs.upper.clone());
                }
                // overlayfs without an upper dir wants at least two lower dirs.
                while lower.len() < 2 {
                    std::fs::create_dir_all(&empty).ctx("create directory", &empty)?;
                    lower.push(empty.clone());
                }
                format!("lowerdir={}", join_dirs(&lower))
            }
            Access::Write => {
                dirs.create()?;
                if lower.is_empty() {
                    std::fs::create_dir_all(&empty).ctx("create directory", &empty)?;
                    lower.push(empty);
                }
                format!(
                    "lowerdir={},upperdir={},workdir={}",
                    join_dirs(&lower),
                    dirs.upper.display(),
                    dirs.work.display()
                )
            }
        };
        std::fs::create_dir_all(&dirs.rootfs).ctx("create directory", &dirs.rootfs)?;
        let binds = match scope {
            Scope::RootfsOnly => Vec::new(),
            Scope::WithMounts => c
                .record
                .mounts
                .iter()
                .filter(|m| matches!(m.kind.as_str(), "bind" | "volume"))
                .filter(|m| Path::new(&m.source).exists())
                .map(|m| Bind {
                    source: PathBuf::from(&m.source),
                    dest: m.destination.clone(),
                    readonly: !m.rw,
                })
                .collect(),
        };
        Ok(Plan::Stopped {
            target: dirs.rootfs,
            overlay_opts,
            readonly: access == Access::Read,
            binds,
        })
    }
}

fn join_dirs(dirs: &[PathBuf]) -> String {
    dirs.iter()
        .map(|p| p.display().to_string())
        .collect::<Vec<_>>()
        .join(":")
}

pub(crate) fn pipe() -> Result<(OwnedFd, OwnedFd)> {
    nix::unistd::pipe2(nix::fcntl::OFlag::O_CLOEXEC).map_err(|e| Error::sys("pipe", e))
}

/// Mount points other than `/` from a mountinfo text, innermost (listed last) first.
pub fn mount_points(mountinfo: &str) -> Vec<PathBuf> {
    let mut out: Vec<PathBuf> = mountinfo
        .lines()
        .filter_map(|l| l.split(' ').nth(4))
        .filter(|p| *p != "/")
        .map(|p| PathBuf::from(unescape_octal(p)))
        .collect();
    out.reverse();
    out
}

/// mountinfo writes space, tab, newline and backslash as `\ooo`.
fn unescape_octal(s: &str) -> String {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'\\' && i + 3 < b.len() {
            let digits = std::str::from_utf8(&b[i + 1..i + 4]).unwrap_or("");
            if let Ok(v) = u8::from_str_radix(digits, 8) {
                out.push(v);
                i += 4;
                continue;
            }
        }
        out.push(b[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

fn sys(what: impl std::fmt::Display) -> impl FnOnce(nix::errno::Errno) -> String {
    move |e| format!("{what}: {}", e.desc())
}

/// In the child: make the view this process's root. Mounts made here live in a private
/// mount namespace that dies with the child, so none can leak onto the host.
fn enter(plan: Plan) -> Result<(), String> {
    match plan {
        Plan::Running { mnt_ns, detach } => {
            // Joining a mount namespace also moves root and cwd to its root: the
            // container's root after its pivot_root.
            setns(mnt_ns.as_fd(), CloneFlags::CLONE_NEWNS)
                .map_err(sys("join the container's mount namespace"))?;
            drop(mnt_ns);
            if !detach.is_empty() {
                // Our own copy of the container's mounts, so detaching them here leaves
                // the container untouched; private first, so nothing propagates back.
                unshare(CloneFlags::CLONE_NEWNS).map_err(sys("unshare mount namespace"))?;
                make_private()?;
                for p in &detach {
                    // Already gone with a parent's detach: not an error.
                    let _ = umount2(p, MntFlags::MNT_DETACH);
                }
            }
            chdir("/").map_err(sys("chdir /"))
        }
        Plan::Stopped {
            target,
            overlay_opts,
            readonly,
            binds,
        } => {
            unshare(CloneFlags::CLONE_NEWNS).map_err(sys("unshare mount namespace"))?;
            make_private()?;
            let flags = if readonly {
                MsFlags::MS_RDONLY
            } else {
                MsFlags::empty()
            };
            mount(
                Some("overlay"),
                &target,
                Some("overlay"),
                flags,
                Some(overlay_opts.as_str()),
            )
            .map_err(sys(format!("mount overlay on {}", target.display())))?;
            for b in &binds {
                bind(&target, b, readonly)?;
            }
            chdir(&target).map_err(sys(format!("chdir {}", target.display())))?;
            chroot(".").map_err(sys(format!("chroot {}", target.display())))?;
            chdir("/").map_err(sys("chdir /"))
        }
    }
}

fn make_private() -> Result<(), String> {
    mount(
        None::<&str>,
        "/",
        None::<&str>,
        MsFlags::MS_REC | MsFlags::MS_PRIVATE,
        None::<&str>,
    )
    .map_err(sys("make / private"))
}

/// A volume or bind mount of a stopped container, at its destination resolved inside the
/// root. A destination that does not exist is skipped rather than created: the view must
/// not change the container's filesystem.
fn bind(root: &Path, b: &Bind, all_readonly: bool) -> Result<(), String> {
    let target = secure_join(root, &b.dest);
    let (Ok(src), Ok(dst)) = (std::fs::metadata(&b.source), std::fs::metadata(&target)) else {
        return Ok(());
    };
    if src.is_dir() != dst.is_dir() {
        return Ok(());
    }
    mount(
        Some(&b.source),
        &target,
        None::<&str>,
        MsFlags::MS_BIND | MsFlags::MS_REC,
        None::<&str>,
    )
    .map_err(sys(format!("bind {} on {}", b.source.display(), b.dest)))?;
    if b.readonly || all_readonly {
        mount(
            None::<&str>,
            &target,
            None::<&str>,
            MsFlags::MS_BIND | MsFlags::MS_REMOUNT | MsFlags::MS_RDONLY,
            None::<&str>,
        )
        .map_err(sys(format!("make {} read-only", b.dest)))?;
    }
    Ok(())
}

/// A pipe's two ends as files: (read, write).
pub fn pipe_files() -> Result<(File, File)> {
    let (r, w) = pipe()?;
    Ok((File::from(r), File::from(w)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mount_points_innermost_first_and_unescaped() {
        let info = "22 1 0:21 / / rw - overlay overlay rw\n\
                    23 22 0:22 / /proc rw - proc proc rw\n\
                    24 22 0:23 / /dev rw - tmpfs tmpfs rw\n\
                    25 24 0:24 / /dev/pts rw - devpts devpts rw\n\
                    26 22 8:1 /v /my\\040data rw - ext4 /dev/sda1 rw\n";
        assert_eq!(
            mount_points(info),
            vec![
                PathBuf::from("/my data"),
                PathBuf::from("/dev/pts"),
                PathBuf::from("/dev"),
                PathBuf::from("/proc"),
            ]
        );
    }
}
