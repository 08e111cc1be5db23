//! `--init`: PID 1 stays a tiny init that forwards signals to the command and reaps every
//! zombie, so a container whose command ignores SIGTERM or leaks children still behaves.

use nix::sys::signal::{kill, SigSet, Signal};
use nix::sys::wait::{waitpid, WaitPidFlag, WaitStatus};
use nix::unistd::{fork, ForkResult, Pid};

use super::init::Failure;

/// Returns in the child (which goes on to exec); the parent never returns. The parent
/// closes `err_write`, the start-error pipe, so the monitor sees EOF once the child execs.
pub fn fork_and_supervise(err_write: std::os::fd::RawFd) -> Result<(), Failure> {
    // Block everything first so no signal is lost between fork and the wait loop.
    let all = SigSet::all();
    all.thread_block()
        .map_err(|e| format!("block signals: {}", e.desc()))?;
    // SAFETY: single-threaded process (a fresh clone of the single-threaded monitor).
    match unsafe { fork() }.map_err(|e| format!("fork init child: {}", e.desc()))? {
        ForkResult::Child => {
            all.thread_unblock()
                .map_err(|e| format!("unblock signals: {}", e.desc()))?;
            Ok(())
        }
        ForkResult::Parent { child } => {
            let _ = nix::unistd::close(err_write);
            super::proctitle::set("berth-init");

            supervise(child, &all)
        }
    }
}

fn supervise(child: Pid, set: &SigSet) -> ! {
    loop {
        let sig = match set.wait() {
            Ok(s) => s,
            Err(_) => continue,
        };
        if sig == Signal::SIGCHLD {
            loop {
                match waitpid(None, Some(WaitPidFlag::WNOHANG)) {
                    Ok(WaitStatus::Exited(pid, code)) if pid == child => std::process::exit(code),
                    Ok(WaitStatus::Signaled(pid, s, _)) if pid == child => {
                        std::process::exit(128 + s as i32)
                    }
                    Ok(WaitStatus::StillAlive) | Err(_) => break,
                    Ok(_) => continue,
                }
            }
        } else {
            let _ = kill(child, sig);
        }
    }
}
