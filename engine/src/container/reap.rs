//! Waiting for the container's init: a pidfd to poll on, and its wait status turned into
//! Docker's exit code (128 + signal for a killed process).

use std::os::fd::{FromRawFd, OwnedFd, RawFd};

use nix::sys::wait::{waitpid, WaitPidFlag, WaitStatus};
use nix::unistd::Pid;

pub fn pidfd_open(pid: i32) -> Option<OwnedFd> {
    // SAFETY: pidfd_open(2) returns a new fd or -1.
    let fd = unsafe { libc::syscall(libc::SYS_pidfd_open, pid, 0) };
    (fd >= 0).then(|| unsafe { OwnedFd::from_raw_fd(fd as RawFd) })
}

fn status_code(ws: WaitStatus) -> Option<i32> {
    match ws {
        WaitStatus::Exited(_, c) => Some(c),
        WaitStatus::Signaled(_, s, _) => Some(128 + s as i32),
        _ => None,
    }
}

pub fn try_reap(pid: Pid) -> Option<i32> {
    waitpid(pid, Some(WaitPidFlag::WNOHANG))
        .ok()
        .and_then(status_code)
}

pub fn wait_exit(pid: Pid) -> i32 {
    loop {
        match waitpid(pid, None) {
            Ok(ws) => {
                if let Some(c) = status_code(ws) {
                    return c;
                }
            }
            Err(nix::errno::Errno::EINTR) => continue,
            Err(_) => return 137,
        }
    }
}

/// Wait up to `timeout` for any process (not only a child) to exit. True when it has
/// (or was already gone).
pub fn wait_for_exit(pid: i32, timeout: std::time::Duration) -> bool {
    let Some(fd) = pidfd_open(pid) else {
        return true;
    };
    let mut pfd = libc::pollfd {
        fd: std::os::fd::AsRawFd::as_raw_fd(&fd),
        events: libc::POLLIN,
        revents: 0,
    };
    let ms = timeout.as_millis().min(i32::MAX as u128) as i32;
    // SAFETY: one valid pollfd.
    unsafe { libc::poll(&mut pfd, 1, ms) > 0 }
}
