//! One health check in flight: a process started inside the container the way `exec`
//! starts one (its namespaces, cgroup, user, environment and working directory), its
//! output collected through a pipe, its end seen through a pidfd. The monitor polls
//! both alongside the container's output, so a slow check never delays the logs, and
//! it kills a check that outlives its timeout, with everything the check started.

use std::os::fd::{AsRawFd, OwnedFd, RawFd};
use std::time::{Duration, Instant};

use nix::sys::signal::{kill, Signal};
use nix::unistd::Pid;

use super::config::go_duration;
use super::state::{cap_output, HealthResult, MAX_OUTPUT};
use crate::container::now_rfc3339;
use crate::container::reap::{pidfd_open, try_reap};
use crate::runtime::exec::spawn_exec;
use crate::runtime::init::ChildIo;
use crate::runtime::spec::ProcessSpec;

pub struct Probe {
    /// The exec helper: it waits for the check and exits with its code.
    helper: Pid,
    pidfd: Option<OwnedFd>,
    out: Option<OwnedFd>,
    output: Vec<u8>,
    pub started: Instant,
    start_stamp: String,
    timeout: Duration,
    timed_out: bool,
}

impl Probe {
    /// Start `spec` in the container whose init is `init_pid`; `join_cgroup` puts the
    /// helper in the container's cgroup first.
    pub fn spawn(
        init_pid: i32,
        spec: &ProcessSpec,
        timeout: Duration,
        join_cgroup: impl FnOnce(i32) -> Result<(), String>,
    ) -> Result<Probe, String> {
        let (r, w) =
            nix::unistd::pipe2(nix::fcntl::OFlag::O_CLOEXEC | nix::fcntl::OFlag::O_NONBLOCK)
                .map_err(|e| format!("pipe: {}", e.desc()))?;
        // The check's end is blocking; only our read end is not.
        // SAFETY: clearing O_NONBLOCK on a pipe end we own.
        unsafe { libc::fcntl(w.as_raw_fd(), libc::F_SETFL, 0) };
        let null = std::fs::File::open("/dev/null").map_err(|e| format!("/dev/null: {e}"))?;
        let io = ChildIo {
            stdin: null.as_raw_fd(),
            stdout: w.as_raw_fd(),
            stderr: w.as_raw_fd(),
            tty: false,
            pty_socket: -1,
        };
        let started = Instant::now();
        let start_stamp = now_rfc3339();
        let helper = spawn_exec(init_pid, spec, io, false, join_cgroup).map_err(|f| f.1)?;
        drop(w);
        Ok(Probe {
            helper,
            pidfd: pidfd_open(helper.as_raw()),
            out: Some(r),
            output: Vec::new(),
            started,
            start_stamp,
            timeout,
            timed_out: false,
        })
    }

    /// What to poll: the output pipe and the helper's pidfd (-1 for what is gone).
    pub fn fds(&self) -> [RawFd; 2] {
        [
            self.out.as_ref().map_or(-1, |f| f.as_raw_fd()),
            self.pidfd.as_ref().map_or(-1, |f| f.as_raw_fd()),
        ]
    }

    /// When the monitor must look again even if nothing happens: the timeout.
    pub fn deadline(&self) -> Instant {
        self.started + self.timeout
    }

    /// Read what the check wrote, enforce the timeout, and return the result once the
    /// check is over (output read to the end, helper reaped).
    pub fn poll(&mut self, now: Instant) -> Option<HealthResult> {
        self.read_output();
        if !self.timed_out && now >= self.deadline() {
            self.timed_out = true;
            self.kill_all();
        }
        let code = try_reap(self.helper)?;
        // The helper is gone; whatever is left in the pipe is the check's last words.
        self.read_output();
        self.out = None;
        self.pidfd = None;
        let (exit_code, output) = if self.timed_out {
            (
                -1,
                format!(
                    "Health check exceeded timeout ({})",
                    go_duration(self.timeout)
                ),
            )
        } else {
            (code, cap_output(&self.output))
        };
        Some(HealthResult {
            start: self.start_stamp.clone(),
            end: now_rfc3339(),
            exit_code,
            output,
        })
    }

    fn read_output(&mut self) {
        let Some(fd) = &self.out else { return };
        let mut buf = [0u8; 4096];
        loop {
            match nix::unistd::read(fd.as_raw_fd(), &mut buf) {
                Ok(0) => {
                    self.out = None;
                    return;
                }
                Ok(n) => {
                    // Keep the first MAX_OUTPUT bytes, drain the rest.
                    let room = MAX_OUTPUT.saturating_sub(self.output.len());
                    self.output.extend_from_slice(&buf[..n.min(room)]);
                }
                Err(nix::errno::Errno::EINTR) => continue,
                Err(_) => return,
            }
        }
    }

    /// Kill the check and everything it started: the check leads its own session and
    /// process group inside the container (exec makes it so), so the group goes at once.
    fn kill_all(&self) {
        let children = std::fs::read_to_string(format!("/proc/{0}/task/{0}/children", self.helper))
            .unwrap_or_default();
        for pid in children
            .split_whitespace()
            .filter_map(|p| p.parse::<i32>().ok())
        {
            let _ = kill(Pid::from_raw(-pid), Signal::SIGKILL);
            let _ = kill(Pid::from_raw(pid), Signal::SIGKILL);
        }
        let _ = kill(self.helper, Signal::SIGKILL);
    }
}

impl Drop for Probe {
    /// A probe dropped in flight (the container stopped) takes its processes along.
    fn drop(&mut self) {
        if self.pidfd.is_some() {
            self.kill_all();
            let _ = nix::sys::wait::waitpid(self.helper, None);
        }
    }
}
