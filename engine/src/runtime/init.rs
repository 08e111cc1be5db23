//! The container side of the clone: the steps a fresh child takes to become the
//! container, in the order they must happen, then exec. Failures are written to the
//! error pipe as `<exit code> <message>` and the child exits; the monitor reports them.

use std::ffi::CString;
use std::os::fd::{AsRawFd, RawFd};
use std::path::Path;

use nix::sys::resource::{setrlimit, Resource};
use nix::unistd::{dup2, execve, sethostname, setsid, Gid, Uid};

use super::spec::{LaunchSpec, NetMode, NsMode, ProcessSpec};
use super::{caps, minit, mounts, user};

/// Exit code and message for the error pipe: 127 "not found", 126 "cannot execute" and
/// 125 for everything berth itself failed at, as Docker reports them.
pub struct Failure(pub i32, pub String);

impl From<String> for Failure {
    fn from(s: String) -> Self {
        Failure(125, s)
    }
}

/// The fds the child's stdio comes from (already opened by the monitor).
#[derive(Debug, Clone, Copy)]
pub struct ChildIo {
    pub stdin: RawFd,
    pub stdout: RawFd,
    pub stderr: RawFd,
    /// The pty slave when the container has a tty; it becomes the controlling terminal.
    pub tty: bool,
    /// For the container's own tty: the socket on which the init sends the monitor the
    /// pty master it makes inside the container (the stdio fds are unused then). -1 if none.
    pub pty_socket: RawFd,
}

/// Entry point of the cloned child. Never returns on success (the process is replaced).
pub fn container_main(spec: &LaunchSpec, io: ChildIo, sync_read: RawFd, err_write: RawFd) -> isize {
    let failure = match setup(spec, io, sync_read, err_write) {
        Ok(never) => match never {},
        Err(f) => f,
    };
    report(err_write, &failure);
    failure.0 as isize
}

pub fn report(err_write: RawFd, f: &Failure) {
    let msg = format!("{} {}", f.0, f.1);
    let _ = nix::unistd::write(
        unsafe { std::os::fd::BorrowedFd::borrow_raw(err_write) },
        msg.as_bytes(),
    );
}

/// A value that cannot exist: the Ok side of a function that only returns by failing.
pub enum Never {}

fn setup(
    spec: &LaunchSpec,
    io: ChildIo,
    sync_read: RawFd,
    err_write: RawFd,
) -> Result<Never, Failure> {
    // Die with the monitor: a container without its monitor has no one to log or reap it.
    // SAFETY: prctl with constant arguments.
    unsafe { libc::prctl(libc::PR_SET_PDEATHSIG, libc::SIGKILL) };
    reset_signals();
    // Build the whole container while the monitor moves us into the cgroup: on cgroup v1
    // that move waits for an RCU grace period, milliseconds better spent mounting. Only
    // the cgroup namespace and its view need the move to have happened.
    match &spec.net {
        NetMode::Private => bring_up_loopback()?,
        NetMode::Join(ns) => join_ns(ns, nix::sched::CloneFlags::CLONE_NEWNET, "network")?,
        NetMode::Host => {}
    }
    if let NsMode::Join(ns) = &spec.ipc {
        join_ns(ns, nix::sched::CloneFlags::CLONE_NEWIPC, "IPC")?;
    }
    mounts::make_private()?;
    mounts::mount_overlay(spec)?;
    mounts::mount_system(spec)?;
    let io = if io.pty_socket >= 0 {
        container_pty(spec, io.pty_socket)?
    } else {
        io
    };
    setup_stdio(io)?;
    mounts::mount_user(spec)?;
    mounts::remount_root_readonly(spec)?;
    let unified = mounts::host_is_unified();
    mounts::pivot(&spec.rootfs)?;
    // Kernel settings go in while /proc/sys is still writable (masking makes it
    // read-only), and only into the namespaces the container owns (checked at create).
    for (key, value) in &spec.sysctls {
        let path = crate::container::sysctls::proc_path(key);
        std::fs::write(&path, value).map_err(|e| format!("sysctl {key}={value} ({path}): {e}"))?;
    }
    std::fs::write("/proc/self/oom_score_adj", spec.oom_score_adj.to_string())
        .map_err(|e| format!("set oom_score_adj {}: {e}", spec.oom_score_adj))?;
    if spec.mask_paths {
        mounts::mask_and_protect()?;
    }
    // With the host's UTS namespace the names are the host's: never set them.
    if spec.uts == NsMode::Private {
        sethostname(&spec.hostname)
            .map_err(|e| format!("sethostname {:?}: {}", spec.hostname, e.desc()))?;
        if !spec.domainname.is_empty() {
            set_domainname(&spec.domainname)?;
        }
    }
    set_rlimits(&spec.ulimits)?;

    // The monitor moves us into the cgroup (and later the network) before saying go.
    let mut go = [0u8; 1];
    match nix::unistd::read(sync_read, &mut go) {
        Ok(1) => {}
        _ => {
            return Err(Failure(
                125,
                "monitor went away before the container started".into(),
            ))
        }
    }
    let _ = nix::unistd::close(sync_read);
    // A cgroup namespace rooted at the container's own cgroup (we are in it by now).
    if Path::new("/proc/self/ns/cgroup").exists() {
        nix::sched::unshare(nix::sched::CloneFlags::CLONE_NEWCGROUP)
            .map_err(|e| format!("unshare cgroup namespace: {}", e.desc()))?;
    }
    mounts::mount_cgroup(unified, spec.privileged)?;
    if spec.init {
        // PID 1 stays behind as a tiny init; its child goes on to exec the command.
        minit::fork_and_supervise(err_write, &spec.process)?;
    }
    exec_process(&spec.process)
}

/// The monitor ignores SIGTERM, SIGINT, SIGHUP and SIGPIPE; ignored dispositions survive
/// exec, so the container would ignore them too. Give it the defaults back.
fn reset_signals() {
    for sig in 1..=64 {
        if sig == libc::SIGKILL || sig == libc::SIGSTOP {
            continue;
        }
        // SAFETY: resetting dispositions in a single-threaded child before exec.
        unsafe { libc::signal(sig, libc::SIG_DFL) };
    }
    let _ = nix::sys::signal::SigSet::empty().thread_set_mask();
}

/// Make the container's terminal in its own devpts (so `tty` names it and /dev/console
/// is it, as in Docker), send the master to the monitor, and use the slave as stdio.
fn container_pty(spec: &LaunchSpec, sock: RawFd) -> Result<ChildIo, Failure> {
    let pts = spec.rootfs.join("dev/pts/ptmx");
    let p = super::pty::open_in(&pts, 24, 80)?;
    if let Some(n) = super::pty::number(p.master.as_raw_fd()) {
        let console = spec.rootfs.join("dev/console");
        let slave_path = spec.rootfs.join(format!("dev/pts/{n}"));
        if std::fs::File::create(&console).is_ok() {
            let _ = nix::mount::mount(
                Some(&slave_path),
                &console,
                None::<&str>,
                nix::mount::MsFlags::MS_BIND,
                None::<&str>,
            );
        }
    }
    super::fdpass::send_fd(sock, p.master.as_raw_fd())?;
    let _ = nix::unistd::close(sock);
    drop(p.master);
    // The slave stays open (as fds 0-2 after setup_stdio); leak the OwnedFd on purpose.
    let s = std::os::fd::IntoRawFd::into_raw_fd(p.slave);
    Ok(ChildIo {
        stdin: s,
        stdout: s,
        stderr: s,
        tty: true,
        pty_socket: -1,
    })
}

fn setup_stdio(io: ChildIo) -> Result<(), Failure> {
    setsid().map_err(|e| format!("setsid: {}", e.desc()))?;
    if io.tty {
        // SAFETY: TIOCSCTTY on the pty slave we were handed.
        if unsafe { libc::ioctl(io.stdin, libc::TIOCSCTTY, 0) } < 0 {
            return Err(format!(
                "set controlling terminal: {}",
                std::io::Error::last_os_error()
            )
            .into());
        }
    }
    for (from, to) in [(io.stdin, 0), (io.stdout, 1), (io.stderr, 2)] {
        if from != to {
            dup2(from, to).map_err(|e| format!("dup2 stdio: {}", e.desc()))?;
        }
    }
    Ok(())
}

/// `--network container:NAME`, `--ipc container:NAME`: enter that container's namespace.
fn join_ns(ns: &Path, kind: nix::sched::CloneFlags, what: &str) -> Result<(), Failure> {
    let f = std::fs::File::open(ns).map_err(|e| {
        format!(
            "open {}: {e} (is the container whose {what} namespace we join running?)",
            ns.display()
        )
    })?;
    nix::sched::setns(f, kind)
        .map_err(|e| format!("join {what} namespace {}: {}", ns.display(), e.desc()))?;
    Ok(())
}

fn set_domainname(name: &str) -> Result<(), Failure> {
    // SAFETY: a pointer and length of a live byte slice.
    let rc = unsafe { libc::setdomainname(name.as_ptr().cast(), name.len()) };
    if rc != 0 {
        return Err(format!(
            "setdomainname {name:?}: {}",
            std::io::Error::last_os_error()
        )
        .into());
    }
    Ok(())
}

/// `lo` comes up in every private network namespace (SIOCSIFFLAGS, no netlink needed).
fn bring_up_loopback() -> Result<(), Failure> {
    // SAFETY: plain socket/ioctl calls on a zeroed ifreq we own.
    unsafe {
        let fd = libc::socket(libc::AF_INET, libc::SOCK_DGRAM | libc::SOCK_CLOEXEC, 0);
        if fd < 0 {
            return Err(format!("socket: {}", std::io::Error::last_os_error()).into());
        }
        let mut req: libc::ifreq = std::mem::zeroed();
        for (i, b) in b"lo\0".iter().enumerate() {
            req.ifr_name[i] = *b as libc::c_char;
        }
        let ok = libc::ioctl(fd, libc::SIOCGIFFLAGS, &mut req) == 0 && {
            req.ifr_ifru.ifru_flags |= libc::IFF_UP as libc::c_short;
            libc::ioctl(fd, libc::SIOCSIFFLAGS, &req) == 0
        };
        let err = std::io::Error::last_os_error();
        libc::close(fd);
        if !ok {
            return Err(format!("bring up loopback: {err}").into());
        }
    }
    Ok(())
}

fn set_rlimits(ulimits: &[crate::container::ulimits::Ulimit]) -> Result<(), Failure> {
    // Docker containers see a high open-files limit; fall back to what we may set.
    const NOFILE: u64 = 1 << 20;
    if setrlimit(Resource::RLIMIT_NOFILE, NOFILE, NOFILE).is_err() {
        if let Ok((_, hard)) = nix::sys::resource::getrlimit(Resource::RLIMIT_NOFILE) {
            let _ = setrlimit(Resource::RLIMIT_NOFILE, hard, hard);
        }
    }
    // `--ulimit` after the defaults, so it wins; a limit the kernel refuses (above
    // nr_open, say) fails the start rather than running with something else.
    for u in ulimits {
        let Some(res) = u.resource() else {
            return Err(format!("unknown ulimit {:?} in the container's record", u.name).into());
        };
        let (soft, hard) = (
            crate::container::ulimits::Ulimit::kernel_value(u.soft),
            crate::container::ulimits::Ulimit::kernel_value(u.hard),
        );
        setrlimit(res, soft, hard)
            .map_err(|e| format!("setrlimit {}={soft}:{hard}: {}", u.name, e.desc()))?;
    }
    Ok(())
}

/// Become the container's user with only its capabilities (and set no_new_privs if
/// asked). The container's process does this before exec, and so does `--init`'s PID 1
/// after it forked the command: an init must not keep more privileges than what it
/// supervises.
pub fn drop_privileges(p: &ProcessSpec, u: &user::ExecUser) -> Result<(), Failure> {
    caps::limit_bounding(&p.caps)?;
    // Keep the permitted set through setuid so we can narrow it ourselves afterwards.
    // SAFETY: prctl with constant arguments.
    unsafe { libc::prctl(libc::PR_SET_KEEPCAPS, 1) };
    let gids: Vec<Gid> = u
        .additional_gids
        .iter()
        .map(|g| Gid::from_raw(*g))
        .collect();
    nix::unistd::setgroups(&gids).map_err(|e| format!("setgroups: {}", e.desc()))?;
    nix::unistd::setresgid(
        Gid::from_raw(u.gid),
        Gid::from_raw(u.gid),
        Gid::from_raw(u.gid),
    )
    .map_err(|e| format!("setgid {}: {}", u.gid, e.desc()))?;
    nix::unistd::setresuid(
        Uid::from_raw(u.uid),
        Uid::from_raw(u.uid),
        Uid::from_raw(u.uid),
    )
    .map_err(|e| format!("setuid {}: {}", u.uid, e.desc()))?;
    caps::apply_working_sets(&p.caps)?;
    if p.no_new_privs {
        // SAFETY: prctl with constant arguments.
        if unsafe { libc::prctl(libc::PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) } != 0 {
            return Err(format!("set no_new_privs: {}", std::io::Error::last_os_error()).into());
        }
    }
    Ok(())
}

/// Drop privileges with the seccomp filter in place, in the order the kernel allows.
/// Without no_new_privs only a process holding CAP_SYS_ADMIN may install a filter, so it
/// goes on first, while we are still root with every capability (as runc does when
/// NoNewPrivileges is false); the user switch and capability drop then run under it.
/// With no_new_privs it goes on last, so as few of our own calls as possible run under a
/// profile that might refuse them.
pub fn restrict(p: &ProcessSpec, u: &user::ExecUser) -> Result<(), Failure> {
    if !p.no_new_privs {
        super::seccomp::install(&p.seccomp, &p.caps)?;
    }
    drop_privileges(p, u)?;
    if p.no_new_privs {
        super::seccomp::install(&p.seccomp, &p.caps)?;
    }
    Ok(())
}

/// Switch user, drop capabilities, apply the seccomp filter (and no_new_privs if asked)
/// and exec. Used by the container's main process and by `exec` (after setns). The
/// caller is already inside the rootfs.
pub fn exec_process(p: &ProcessSpec) -> Result<Never, Failure> {
    let mut u = user::resolve(Path::new("/"), &p.user).map_err(|e| Failure(125, e))?;
    for g in &p.group_add {
        let gid = user::group_id(Path::new("/"), g).map_err(|e| Failure(125, e))?;
        if !u.additional_gids.contains(&gid) {
            u.additional_gids.push(gid);
        }
    }
    if p.create_cwd {
        mounts::ensure_cwd(&p.cwd)?;
    }
    let env = fill_env(&p.env, &u.home, p.tty);
    let program = find_program(p.args.first().map(String::as_str).unwrap_or(""), &env)?;

    restrict(p, &u)?;
    let cwd = if p.cwd.is_empty() { "/" } else { &p.cwd };
    nix::unistd::chdir(cwd).map_err(|e| {
        Failure(
            if p.create_cwd { 125 } else { 126 },
            format!("chdir to cwd (\"{cwd}\") set in config: {}", e.desc()),
        )
    })?;

    let cargs: Vec<CString> = p
        .args
        .iter()
        .map(|a| cstring(a))
        .collect::<Result<_, _>>()?;
    let cenv: Vec<CString> = env.iter().map(|a| cstring(a)).collect::<Result<_, _>>()?;
    let prog = cstring(&program)?;
    let err = match execve(&prog, &cargs, &cenv) {
        Err(e) => e,
        Ok(never) => match never {},
    };
    let name = p.args.first().cloned().unwrap_or_default();
    Err(match err {
        nix::errno::Errno::ENOENT => Failure(
            127,
            format!("exec: \"{name}\": stat {program}: no such file or directory"),
        ),
        nix::errno::Errno::EACCES => Failure(126, format!("exec: \"{name}\": permission denied")),
        e => Failure(126, format!("exec: \"{name}\": {}", e.desc())),
    })
}

fn cstring(s: &str) -> Result<CString, Failure> {
    CString::new(s).map_err(|_| Failure(125, format!("argument contains a NUL byte: {s:?}")))
}

fn fill_env(env: &[String], home: &str, tty: bool) -> Vec<String> {
    let mut out = env.to_vec();
    let has = |k: &str| {
        env.iter()
            .any(|e| e.split_once('=').map(|(n, _)| n) == Some(k))
    };
    if !has("PATH") {
        out.push("PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin".into());
    }
    if !has("HOSTNAME") {
        if let Ok(h) = nix::unistd::gethostname() {
            out.push(format!("HOSTNAME={}", h.to_string_lossy()));
        }
    }
    if !has("HOME") {
        out.push(format!("HOME={home}"));
    }
    if tty && !has("TERM") {
        out.push("TERM=xterm".into());
    }
    out
}

/// Look the program up in the container's PATH, as exec(3p) would.
fn find_program(name: &str, env: &[String]) -> Result<String, Failure> {
    if name.is_empty() {
        return Err(Failure(125, "no command specified".into()));
    }
    if name.contains('/') {
        return Ok(name.to_string());
    }
    let path = env
        .iter()
        .rev()
        .find_map(|e| e.strip_prefix("PATH="))
        .unwrap_or("/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin");
    for dir in path.split(':').filter(|d| !d.is_empty()) {
        let candidate = Path::new(dir).join(name);
        if let Ok(meta) = std::fs::metadata(&candidate) {
            use std::os::unix::fs::PermissionsExt;
            if meta.is_file() && meta.permissions().mode() & 0o111 != 0 {
                return Ok(candidate.to_string_lossy().into_owned());
            }
        }
    }
    Err(Failure(
        127,
        format!("exec: \"{name}\": executable file not found in $PATH"),
    ))
}
