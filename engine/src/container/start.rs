//! `start`: spawn the container's monitor (this binary re-executed, detached with setsid
//! and a double fork) and wait for its word on how the start went.

use std::io::Read;
use std::os::fd::{AsRawFd, FromRawFd};
use std::os::unix::net::UnixStream;
use std::os::unix::process::CommandExt;
use std::process::{Command, Stdio};
use std::sync::Arc;

use super::monitor::{self, Handshake};
use super::Container;
use crate::config::Config;
use crate::error::Error;
use crate::store::FileLock;
use crate::Engine;

/// The fd number the handshake socket has in the monitor.
const HANDSHAKE_FD: i32 = 3;

/// A started container; `stream` carries its output when the start asked to attach.
pub struct Started {
    pub pid: i32,
    pub stream: Option<UnixStream>,
}

/// Why a start failed, with the exit code Docker gives for it (125, 126, 127).
#[derive(Debug)]
pub struct StartError {
    pub code: i32,
    pub message: String,
}

impl Engine {
    /// Start a created or exited container. Starting a running one is a no-op.
    pub fn start(&self, c: &Container, attach: bool) -> std::result::Result<Started, StartError> {
        let fail = |e: Error| StartError {
            code: 125,
            message: e.to_string(),
        };
        let dir = self.paths.container_dir(c.id());
        // A start lock (not the state lock, which the monitor needs meanwhile) keeps two
        // concurrent starts from making two monitors.
        let _lock = FileLock::exclusive(&dir.join("start.lock")).map_err(fail)?;
        let current = self.containers().load(c.id()).map_err(fail)?;
        if current.state.status.is_live() {
            return Ok(Started {
                pid: current.state.pid,
                stream: None,
            });
        }
        // Persist a crashed record's truth before starting afresh.
        if current.state != self.containers().load_raw_state(c.id()).unwrap_or_default() {
            let _ = self.containers().save_state(c.id(), &current.state);
        }
        let (ours, theirs) =
            UnixStream::pair().map_err(|e| fail(Error::io("socketpair for", &dir, e)))?;
        if self.monitor_launch == MonitorLaunch::Fork && single_threaded() {
            self.fork_monitor(c.id(), attach, theirs).map_err(fail)?;
        } else {
            self.exec_monitor(c.id(), attach, theirs).map_err(fail)?;
        }
        let line =
            read_line(&ours).map_err(|e| fail(Error::io("read monitor handshake", &dir, e)))?;
        if let Some(pid) = line.strip_prefix("OK ") {
            let pid = pid.trim().parse().unwrap_or(0);
            return Ok(Started {
                pid,
                stream: attach.then_some(ours),
            });
        }
        let rest = line.strip_prefix("ERR ").unwrap_or(&line);
        let (code, msg) = rest.split_once(' ').unwrap_or(("125", rest));
        let message = if msg.trim().is_empty() {
            "the container's monitor exited without starting it".to_string()
        } else {
            msg.trim_end().to_string()
        };
        Err(StartError {
            code: code.parse().unwrap_or(125),
            message,
        })
    }

    /// Re-execute this binary as `berth __monitor ID` (safe from any process).
    fn exec_monitor(&self, id: &str, attach: bool, theirs: UnixStream) -> Result<(), Error> {
        let mut cmd = Command::new(&self.monitor_exe);
        cmd.arg("--root")
            .arg(&self.paths.root)
            .arg("--run-root")
            .arg(&self.paths.run)
            .arg("__monitor")
            .envs(self.config.to_env())
            .arg(id);
        if attach {
            cmd.arg("--attach");
        }
        cmd.stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null());
        let fd = theirs.as_raw_fd();
        // SAFETY: only async-signal-safe calls between fork and exec.
        unsafe {
            cmd.pre_exec(move || {
                if libc::setsid() < 0 {
                    return Err(std::io::Error::last_os_error());
                }
                if libc::dup2(fd, HANDSHAKE_FD) < 0 {
                    return Err(std::io::Error::last_os_error());
                }
                Ok(())
            });
        }
        let mut child = cmd
            .spawn()
            .map_err(|e| Error::io("start monitor", &self.monitor_exe, e))?;
        drop(theirs);
        // The first monitor process forks and exits at once; reap it.
        let _ = child.wait();
        Ok(())
    }

    /// Fork the monitor straight from this (single-threaded) process: no exec, no
    /// dynamic loading, a few milliseconds off every start.
    fn fork_monitor(&self, id: &str, attach: bool, theirs: UnixStream) -> Result<(), Error> {
        // SAFETY: the caller checked that this process is single-threaded.
        match unsafe { nix::unistd::fork() }.map_err(|e| Error::sys("fork monitor", e))? {
            nix::unistd::ForkResult::Parent { child } => {
                drop(theirs);
                let _ = nix::sys::wait::waitpid(child, None);
                Ok(())
            }
            nix::unistd::ForkResult::Child => {
                // Keep only the handshake socket (as fd 3) and /dev/null stdio: an fd
                // inherited from the CLI (a held lock, say) must not live on in the monitor.
                // SAFETY: plain fd syscalls in the forked child.
                unsafe {
                    libc::setsid();
                    libc::dup2(theirs.as_raw_fd(), HANDSHAKE_FD);
                    libc::syscall(libc::SYS_close_range, HANDSHAKE_FD as u32 + 1, u32::MAX, 0);
                    let null = libc::open(c"/dev/null".as_ptr(), libc::O_RDWR);
                    for fd in 0..3 {
                        libc::dup2(null, fd);
                    }
                    if null > 2 {
                        libc::close(null);
                    }
                }
                let code = detach_and_monitor(self.config.clone(), id, attach);
                // SAFETY: leave without running the CLI's destructors or atexit handlers.
                unsafe { libc::_exit(code) }
            }
        }
    }
}

/// How `start` launches a container's monitor.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MonitorLaunch {
    /// Re-execute the binary: always safe, also from a multi-threaded process (the TUI).
    Exec,
    /// Fork directly: faster, for the single-threaded CLI; falls back to Exec when the
    /// process turns out to have threads.
    Fork,
}

pub(crate) fn single_threaded() -> bool {
    std::fs::read_to_string("/proc/self/status")
        .map(|s| s.lines().any(|l| l.trim_end() == "Threads:\t1"))
        .unwrap_or(false)
}

/// Read one line byte by byte, so no frame that follows is consumed.
fn read_line(mut s: &UnixStream) -> std::io::Result<String> {
    let mut out = Vec::new();
    let mut b = [0u8; 1];
    loop {
        match s.read(&mut b)? {
            0 => break,
            _ if b[0] == b'\n' => break,
            _ => out.push(b[0]),
        }
    }
    Ok(String::from_utf8_lossy(&out).into_owned())
}

/// Entry point of the hidden `__monitor` subcommand: detach (fork, first child exits so
/// the CLI can reap it) and become the container's monitor.
///
/// `config` is this process's own, read once at its entry from the environment `start`
/// gave it.
pub fn monitor_entry(config: Config, id: &str, attach: bool) -> i32 {
    detach_and_monitor(Arc::new(config), id, attach)
}

/// Fork, let the first process go, and monitor `id` in the second.
fn detach_and_monitor(config: Arc<Config>, id: &str, attach: bool) -> i32 {
    // SAFETY: the CLI process is single-threaded when it dispatches here.
    match unsafe { nix::unistd::fork() } {
        Ok(nix::unistd::ForkResult::Parent { .. }) => return 0,
        Ok(nix::unistd::ForkResult::Child) => {}
        Err(_) => return 1,
    }
    // SAFETY: fd 3 was set up by `start` as our end of the handshake socketpair.
    let stream = unsafe { UnixStream::from_raw_fd(HANDSHAKE_FD) };
    crate::runtime::proctitle::set(&format!("berth-monitor {}", &id[..id.len().min(12)]));
    monitor::main(config, id, Handshake { stream, attach })
}
