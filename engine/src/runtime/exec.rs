//! `exec`: start another process inside a running container by joining its namespaces
//! and cgroup (setns), then forking once more so the process lands in its PID namespace.
//! Must be called from a single-threaded process (the CLI); the TUI re-executes the CLI.

use std::fs::File;
use std::os::fd::{AsFd, AsRawFd};

use nix::sched::{setns, CloneFlags};
use nix::sys::wait::{waitpid, WaitStatus};
use nix::unistd::{fork, ForkResult, Pid};

use super::init::{exec_process, report, ChildIo, Failure};
use super::spec::ProcessSpec;

/// Namespaces joined, in order: the mount namespace last but one because it changes what
/// `/proc` paths mean; cgroup last so it is rooted at the cgroup we already joined.
const NAMESPACES: &[(&str, CloneFlags)] = &[
    ("ipc", CloneFlags::CLONE_NEWIPC),
    ("uts", CloneFlags::CLONE_NEWUTS),
    ("net", CloneFlags::CLONE_NEWNET),
    ("pid", CloneFlags::CLONE_NEWPID),
    ("mnt", CloneFlags::CLONE_NEWNS),
    ("cgroup", CloneFlags::CLONE_NEWCGROUP),
];

/// Fork a helper that joins the container of `init_pid` and runs `p` in it. Returns the
/// helper's PID: it exits with the process's exit code (immediately when `detach`).
/// `join_cgroup` runs in the helper before it joins the namespaces.
pub fn spawn_exec(
    init_pid: i32,
    p: &ProcessSpec,
    io: ChildIo,
    detach: bool,
    join_cgroup: impl FnOnce(i32) -> Result<(), String>,
) -> Result<Pid, Failure> {
    // Open every namespace first: after joining the mount namespace, /proc/<pid> would
    // name a process of the container's PID namespace instead.
    let mut files = Vec::new();
    for (name, flag) in NAMESPACES {
        let path = format!("/proc/{init_pid}/ns/{name}");
        match File::open(&path) {
            Ok(f) => files.push((f, *flag, *name)),
            Err(e) if *name == "cgroup" && e.kind() == std::io::ErrorKind::NotFound => {}
            Err(e) => {
                return Err(Failure(
                    125,
                    format!("open {path}: {e} (is the container running?)"),
                ))
            }
        }
    }
    let (err_r, err_w) = nix::unistd::pipe2(nix::fcntl::OFlag::O_CLOEXEC)
        .map_err(|e| Failure(125, format!("pipe: {}", e.desc())))?;

    // SAFETY: the caller is single-threaded (documented contract of this module).
    match unsafe { fork() }.map_err(|e| Failure(125, format!("fork: {}", e.desc())))? {
        ForkResult::Parent { child } => {
            drop(err_w);
            let mut msg = Vec::new();
            let mut buf = [0u8; 4096];
            while let Ok(n) = nix::unistd::read(err_r.as_raw_fd(), &mut buf) {
                if n == 0 {
                    break;
                }
                msg.extend_from_slice(&buf[..n]);
            }
            if msg.is_empty() {
                return Ok(child);
            }
            let _ = waitpid(child, None);
            let text = String::from_utf8_lossy(&msg);
            let (code, m) = text.split_once(' ').unwrap_or(("126", &text));
            // Docker reports an exec'd command that cannot start as 126, a missing one
            // included (127 is `run`'s code for that, not exec's).
            let code = match code.parse().unwrap_or(126) {
                127 => 126,
                c => c,
            };
            Err(Failure(code, m.to_string()))
        }
        ForkResult::Child => {
            drop(err_r);
            let code = match helper(files, p, io, detach, err_w.as_raw_fd(), join_cgroup) {
                Ok(code) => code,
                Err(f) => {
                    report(err_w.as_raw_fd(), &f);
                    f.0
                }
            };
            // SAFETY: leave without running the parent's atexit handlers or destructors.
            unsafe { libc::_exit(code) }
        }
    }
}

fn helper(
    files: Vec<(File, CloneFlags, &str)>,
    p: &ProcessSpec,
    io: ChildIo,
    detach: bool,
    err_w: i32,
    join_cgroup: impl FnOnce(i32) -> Result<(), String>,
) -> Result<i32, Failure> {
    join_cgroup(std::process::id() as i32).map_err(|e| Failure(125, e))?;
    for (f, flag, name) in &files {
        setns(f.as_fd(), *flag)
            .map_err(|e| Failure(125, format!("join {name} namespace: {}", e.desc())))?;
    }
    drop(files);
    // SAFETY: still single-threaded.
    match unsafe { fork() }.map_err(|e| Failure(125, format!("fork: {}", e.desc())))? {
        ForkResult::Child => {
            let f = match stdio(io).and_then(|_| exec_process(p)) {
                Ok(never) => match never {},
                Err(f) => f,
            };
            report(err_w, &f);
            // SAFETY: as above.
            unsafe { libc::_exit(f.0) }
        }
        ForkResult::Parent { child } => {
            let _ = nix::unistd::close(err_w);
            if detach {
                return Ok(0);
            }
            loop {
                match waitpid(child, None) {
                    Ok(WaitStatus::Exited(_, c)) => return Ok(c),
                    Ok(WaitStatus::Signaled(_, s, _)) => return Ok(128 + s as i32),
                    Ok(_) => continue,
                    Err(nix::errno::Errno::EINTR) => continue,
                    Err(e) => return Err(Failure(125, format!("wait: {}", e.desc()))),
                }
            }
        }
    }
}

fn stdio(io: ChildIo) -> Result<(), Failure> {
    nix::unistd::setsid().map_err(|e| format!("setsid: {}", e.desc()))?;
    if io.tty {
        // SAFETY: TIOCSCTTY on the pty slave we were handed.
        unsafe { libc::ioctl(io.stdin, libc::TIOCSCTTY, 0) };
    }
    for (from, to) in [(io.stdin, 0), (io.stdout, 1), (io.stderr, 2)] {
        if from != to {
            nix::unistd::dup2(from, to).map_err(|e| format!("dup2: {}", e.desc()))?;
        }
    }
    Ok(())
}
