//! The monitor's side of starting a container: clone into new namespaces, let the
//! caller place the child (cgroup, network) while it waits, say go, and learn through a
//! close-on-exec pipe whether the exec succeeded (EOF) or what failed (a message).

use std::os::fd::{AsRawFd, OwnedFd};
use std::os::unix::net::UnixStream;

use nix::sched::{clone, CloneFlags};
use nix::sys::signal::{kill, Signal};
use nix::sys::wait::waitpid;
use nix::unistd::{pipe2, Pid};

use super::fdpass::recv_fd;
use super::init::{container_main, ChildIo, Failure};
use super::spec::{LaunchSpec, NetMode, NsMode};

const STACK_SIZE: usize = 4 << 20;

fn flags(spec: &LaunchSpec) -> CloneFlags {
    let mut f = CloneFlags::CLONE_NEWNS;
    if spec.net == NetMode::Private {
        f |= CloneFlags::CLONE_NEWNET;
    }
    // Shared namespaces (host or another container's) are simply not made new; the
    // child joins another container's IPC namespace itself (setns), and its PID
    // namespace is entered around the clone (see `in_pid_ns`).
    if spec.uts == NsMode::Private {
        f |= CloneFlags::CLONE_NEWUTS;
    }
    if spec.ipc == NsMode::Private {
        f |= CloneFlags::CLONE_NEWIPC;
    }
    if spec.pid == NsMode::Private {
        f |= CloneFlags::CLONE_NEWPID;
    }
    f
}

/// Run `f` (the clone) with the monitor's children going into `target`'s PID namespace
/// (`--pid container:NAME`), then point the monitor's own children back at its own: a
/// process cannot setns itself into another PID namespace, only its future children.
fn in_pid_ns<T>(target: &NsMode, f: impl FnOnce() -> Result<T, Failure>) -> Result<T, Failure> {
    let NsMode::Join(path) = target else {
        return f();
    };
    let open = |p: &std::path::Path| {
        std::fs::File::open(p).map_err(|e| {
            Failure(
                125,
                format!(
                    "open {}: {e} (is the container whose PID namespace we join running?)",
                    p.display()
                ),
            )
        })
    };
    let own = open(std::path::Path::new("/proc/self/ns/pid"))?;
    let theirs = open(path)?;
    nix::sched::setns(theirs, CloneFlags::CLONE_NEWPID).map_err(|e| {
        Failure(
            125,
            format!("join PID namespace {}: {}", path.display(), e.desc()),
        )
    })?;
    let out = f();
    if let Err(e) = nix::sched::setns(own, CloneFlags::CLONE_NEWPID) {
        // Later starts by this monitor would land in the wrong namespace: stop here.
        return Err(Failure(
            125,
            format!("return to the monitor's PID namespace: {}", e.desc()),
        ));
    }
    out
}

fn cloexec_pipe() -> Result<(OwnedFd, OwnedFd), Failure> {
    pipe2(nix::fcntl::OFlag::O_CLOEXEC).map_err(|e| Failure(125, format!("pipe: {}", e.desc())))
}

/// A started init, and the master of its terminal when the container has one.
pub struct Spawned {
    pub pid: Pid,
    pub pty_master: Option<OwnedFd>,
}

/// Start the container's init. `place` runs in the monitor once the child exists and
/// before it may proceed; if it fails the child is killed and nothing runs. With a tty
/// (`spec.process.tty`) the init makes the pty inside the container and sends the master
/// back; `io`'s stdio fds are then unused.
pub fn spawn(
    spec: &LaunchSpec,
    mut io: ChildIo,
    place: impl FnOnce(Pid) -> Result<(), String>,
) -> Result<Spawned, Failure> {
    let (sync_r, sync_w) = cloexec_pipe()?;
    let (err_r, err_w) = cloexec_pipe()?;
    let (sync_raw, err_raw) = (sync_r.as_raw_fd(), err_w.as_raw_fd());
    let pty_pair = if spec.process.tty {
        Some(UnixStream::pair().map_err(|e| Failure(125, format!("socketpair: {e}")))?)
    } else {
        None
    };
    io.pty_socket = pty_pair
        .as_ref()
        .map(|(_, theirs)| theirs.as_raw_fd())
        .unwrap_or(-1);
    let mut stack = vec![0u8; STACK_SIZE];
    let cb = Box::new(move || container_main(spec, io, sync_raw, err_raw));
    // SAFETY: the monitor is single-threaded, so the child's copy of memory is consistent;
    // the child only runs `container_main`, which ends in exec or exit.
    let pid = in_pid_ns(&spec.pid, || {
        unsafe { clone(cb, &mut stack, flags(spec), Some(Signal::SIGCHLD as i32)) }
            .map_err(|e| Failure(125, format!("clone new namespaces: {}", e.desc())))
    })?;
    drop(sync_r);
    drop(err_w);
    let pty_sock = pty_pair.map(|(ours, _theirs)| ours);

    if let Err(msg) = place(pid) {
        let _ = kill(pid, Signal::SIGKILL);
        let _ = waitpid(pid, None);
        return Err(Failure(125, msg));
    }
    if nix::unistd::write(&sync_w, &[1]).is_err() {
        let _ = waitpid(pid, None);
        return Err(Failure(
            125,
            "container process died before it could start".into(),
        ));
    }
    drop(sync_w);
    // The pty master arrives before the exec; a failed setup closes the socket instead.
    let pty_master = pty_sock.as_ref().and_then(|s| recv_fd(s.as_raw_fd()));

    let mut msg = Vec::new();
    let mut buf = [0u8; 4096];
    loop {
        match nix::unistd::read(err_r.as_raw_fd(), &mut buf) {
            Ok(0) => break,
            Ok(n) => msg.extend_from_slice(&buf[..n]),
            Err(nix::errno::Errno::EINTR) => continue,
            Err(_) => break,
        }
    }
    if msg.is_empty() {
        if spec.process.tty && pty_master.is_none() {
            let _ = kill(pid, Signal::SIGKILL);
            let _ = waitpid(pid, None);
            return Err(Failure(
                125,
                "the container's terminal was not set up".into(),
            ));
        }
        return Ok(Spawned { pid, pty_master });
    }
    let _ = waitpid(pid, None);
    let text = String::from_utf8_lossy(&msg);
    let (code, message) = text.split_once(' ').unwrap_or(("125", &text));
    Err(Failure(code.parse().unwrap_or(125), message.to_string()))
}
