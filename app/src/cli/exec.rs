//! `exec`: run a process in a running container (setns), with a pty for `-t`.

use std::os::fd::AsRawFd;

use berth_engine::cgroups;
use berth_engine::container::monitor::cgroups_root;
use berth_engine::container::Status;
use berth_engine::runtime::caps;
use berth_engine::runtime::exec::spawn_exec;
use berth_engine::runtime::init::ChildIo;
use berth_engine::runtime::pty::{self, RawMode};
use berth_engine::runtime::spec::ProcessSpec;
use berth_engine::Engine;
use clap::Args;
use nix::sys::wait::waitpid;

use super::create_flags::read_env_file;
use super::{CliResult, Failure};

#[derive(Args, Debug)]
pub struct ExecArgs {
    /// Detached mode: run command in the background
    #[arg(short = 'd', long)]
    detach: bool,
    /// Keep STDIN open even if not attached
    #[arg(short = 'i', long)]
    interactive: bool,
    /// Allocate a pseudo-TTY
    #[arg(short = 't', long)]
    tty: bool,
    /// Set environment variables
    #[arg(short = 'e', long = "env")]
    env: Vec<String>,
    /// Read in a file of environment variables
    #[arg(long = "env-file")]
    env_file: Vec<std::path::PathBuf>,
    /// Username or UID (format: "<name|uid>[:<group|gid>]")
    #[arg(short = 'u', long)]
    user: Option<String>,
    /// Working directory inside the container
    #[arg(short = 'w', long)]
    workdir: Option<String>,
    /// Give extended privileges to the command
    #[arg(long)]
    privileged: bool,
    #[arg(
        required = true,
        num_args = 2..,
        trailing_var_arg = true,
        value_name = "CONTAINER COMMAND [ARG...]"
    )]
    args: Vec<String>,
}

/// The exec'd process's exit code, as ours.
fn wait_code(pid: nix::unistd::Pid) -> u8 {
    berth_engine::container::reap::wait_exit(pid).clamp(0, 255) as u8
}

pub fn run(engine: &Engine, a: ExecArgs) -> CliResult {
    if a.args.len() < 2 {
        return Err(
            "\"berth exec\" requires at least 2 arguments: CONTAINER COMMAND [ARG...]".into(),
        );
    }
    let c = engine.containers().find(&a.args[0])?;
    match c.state.status {
        Status::Running => {}
        Status::Paused => {
            return Err(format!(
            "Error response from daemon: Container {} is paused, unpause the container before exec",
            c.id()
        )
            .into())
        }
        _ => {
            return Err(format!(
                "Error response from daemon: Container {} is not running",
                c.id()
            )
            .into())
        }
    }
    let rec = &c.record;
    let mut env = rec.config.env.clone();
    for f in &a.env_file {
        env.extend(read_env_file(f)?);
    }
    env.extend(a.env.iter().cloned());
    // The container's own settings, with exec's flags over them.
    let mut p = ProcessSpec::exec_in(rec, a.args[1..].to_vec())?;
    p.env = env;
    if let Some(w) = &a.workdir {
        p.cwd = w.clone();
    }
    if let Some(u) = &a.user {
        p.user = u.clone();
    }
    p.tty = a.tty;
    if a.privileged {
        p.caps = caps::compute(&rec.host_config.cap_add, &rec.host_config.cap_drop, true)?;
        p.seccomp = berth_engine::runtime::seccomp::Seccomp::Unconfined;
    }
    // Docker's exec events: exec_create/exec_start name the command, exec_die the code.
    let exec_id = berth_engine::store::ids::random_hex(32);
    let cmdline = p.args.join(" ");
    let event = |action: String, code: Option<u8>| {
        let mut attrs = vec![("execID", exec_id.clone())];
        if let Some(c) = code {
            attrs.push(("exitCode", c.to_string()));
        }
        berth_engine::events::container_event(&engine.paths, rec, &action, &attrs);
    };
    event(format!("exec_create: {cmdline}"), None);
    event(format!("exec_start: {cmdline}"), None);
    let cg = cgroups::open(&cgroups_root(), &rec.host_config.cgroup_parent, c.id())?;
    let join = |pid: i32| cg.add_task(pid).map_err(|e| e.to_string());
    let fail = |f: berth_engine::runtime::init::Failure| Failure {
        code: f.0.clamp(1, 255) as u8,
        message: format!("berth: Error response from daemon: {}", f.1),
    };

    if a.detach {
        let null = std::fs::OpenOptions::new()
            .read(true)
            .write(true)
            .open("/dev/null")
            .map_err(|e| e.to_string())?;
        let fd = null.as_raw_fd();
        let io = ChildIo {
            pty_socket: -1,
            stdin: fd,
            stdout: fd,
            stderr: fd,
            tty: false,
        };
        let helper = spawn_exec(c.state.pid, &p, io, true, join).map_err(fail)?;
        let _ = waitpid(helper, None);
        return Ok(0);
    }
    if !a.tty {
        let io = ChildIo {
            pty_socket: -1,
            stdin: if a.interactive { 0 } else { null_fd()? },
            stdout: 1,
            stderr: 2,
            tty: false,
        };
        let helper = spawn_exec(c.state.pid, &p, io, false, join).map_err(fail)?;
        let code = wait_code(helper);
        event("exec_die".into(), Some(code));
        return Ok(code);
    }
    let (rows, cols) = pty::get_size(0)
        .or_else(|| pty::get_size(1))
        .unwrap_or((24, 80));
    // The pty comes from the container's own devpts, so it has a name inside.
    let ptmx = std::path::PathBuf::from(format!("/proc/{}/root/dev/pts/ptmx", c.state.pid));
    let pt = pty::open_in(&ptmx, rows, cols)?;
    let slave = pt.slave.as_raw_fd();
    let io = ChildIo {
        pty_socket: -1,
        stdin: slave,
        stdout: slave,
        stderr: slave,
        tty: true,
    };
    let helper = spawn_exec(c.state.pid, &p, io, false, join).map_err(fail)?;
    drop(pt.slave);
    let raw = if a.interactive {
        RawMode::enter(0)
    } else {
        None
    };
    pump(pt.master.as_raw_fd(), a.interactive);
    drop(raw);
    let code = wait_code(helper);
    event("exec_die".into(), Some(code));
    Ok(code)
}

fn null_fd() -> Result<i32, Failure> {
    let f = std::fs::File::open("/dev/null").map_err(|e| e.to_string())?;
    Ok(std::os::fd::IntoRawFd::into_raw_fd(f))
}

/// Copy between our terminal and the pty master until the process closes the pty.
fn pump(master: i32, stdin: bool) {
    let mut buf = vec![0u8; 32 * 1024];
    let mut stdin_open = stdin;
    let mut last = pty::get_size(0);
    loop {
        let mut fds = vec![libc::pollfd {
            fd: master,
            events: libc::POLLIN,
            revents: 0,
        }];
        if stdin_open {
            fds.push(libc::pollfd {
                fd: 0,
                events: libc::POLLIN,
                revents: 0,
            });
        }
        // SAFETY: valid pollfd array.
        let n = unsafe { libc::poll(fds.as_mut_ptr(), fds.len() as libc::nfds_t, 250) };
        let now = pty::get_size(0);
        if now != last {
            if let Some((r, c)) = now {
                pty::set_size(master, r, c);
            }
            last = now;
        }
        if n <= 0 {
            continue;
        }
        if fds[0].revents != 0 {
            match nix::unistd::read(master, &mut buf) {
                Ok(0) | Err(_) => return,
                Ok(n) => {
                    let _ = nix::unistd::write(std::io::stdout(), &buf[..n]);
                }
            }
        }
        if stdin_open && fds[1].revents != 0 {
            match nix::unistd::read(0, &mut buf) {
                Ok(0) | Err(_) => stdin_open = false,
                Ok(n) => {
                    let _ = nix::unistd::write(
                        unsafe { std::os::fd::BorrowedFd::borrow_raw(master) },
                        &buf[..n],
                    );
                }
            }
        }
    }
}
