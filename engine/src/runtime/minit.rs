//! `--init`: PID 1 stays a tiny init that forwards signals to the command and reaps every
//! zombie, so a container whose command ignores SIGTERM or leaks children still behaves.

use std::os::fd::AsRawFd;

use nix::sys::signal::{kill, SigSet, Signal};
use nix::sys::wait::{waitpid, WaitPidFlag, WaitStatus};
use nix::unistd::{fork, ForkResult, Pid};

use super::init::Failure;
use super::spec::ProcessSpec;

/// Returns in the child (which goes on to exec); the parent never returns. The parent
/// closes `err_write`, the start-error pipe, so the monitor sees EOF once the child execs.
/// The parent drops to the command's user, capabilities and seccomp filter (and
/// no_new_privs if asked) before the child may go on, as Docker's docker-init runs with
/// the container's: nothing in the container ever sees a more privileged PID 1.
pub fn fork_and_supervise(
    err_write: std::os::fd::RawFd,
    process: &ProcessSpec,
) -> Result<(), Failure> {
    // Block everything first so no signal is lost between fork and the wait loop.
    let all = SigSet::all();
    all.thread_block()
        .map_err(|e| format!("block signals: {}", e.desc()))?;
    // The child waits for EOF here: the parent closes its end once it is restricted.
    let (restricted_r, restricted_w) = nix::unistd::pipe2(nix::fcntl::OFlag::O_CLOEXEC)
        .map_err(|e| format!("pipe: {}", e.desc()))?;
    // SAFETY: single-threaded process (a fresh clone of the single-threaded monitor).
    match unsafe { fork() }.map_err(|e| format!("fork init child: {}", e.desc()))? {
        ForkResult::Child => {
            drop(restricted_w);
            let mut buf = [0u8; 1];
            while let Err(nix::errno::Errno::EINTR) =
                nix::unistd::read(restricted_r.as_raw_fd(), &mut buf)
            {}
            drop(restricted_r);
            all.thread_unblock()
                .map_err(|e| format!("unblock signals: {}", e.desc()))?;
            Ok(())
        }
        ForkResult::Parent { child } => {
            drop(restricted_r);
            let _ = nix::unistd::close(err_write);
            super::proctitle::set("berth-init");
            if let Err(f) = restrict(process) {
                // Nothing may run with more privileges than asked: take the command down.
                let _ = kill(child, Signal::SIGKILL);
                eprintln!("berth-init: {}", f.1);
                std::process::exit(f.0);
            }
            drop(restricted_w);
            supervise(child, &all)
        }
    }
}

fn restrict(p: &ProcessSpec) -> Result<(), Failure> {
    let u =
        super::user::resolve(std::path::Path::new("/"), &p.user).map_err(|e| Failure(125, e))?;
    super::init::restrict(p, &u)?;
    if u.uid != 0 {
        // The command loses its capabilities at execve as a non-root user (no file
        // capabilities, no ambient set); the init, which never execs, drops them here.
        super::caps::apply_working_sets(&[])?;
    }
    Ok(())
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
