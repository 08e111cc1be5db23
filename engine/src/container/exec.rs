//! `exec` as Docker's API splits it: create (a record of what to run), start (a helper
//! runs it) and inspect (running, PID, exit code). The helper is this binary
//! re-executed (`berth __exec ID`), so a multi-threaded caller (the API server, the TUI)
//! never forks; the helper is single-threaded and forks the process into the
//! container. Records live under the run root: they end with the machine, as Docker's.

use std::os::fd::{AsRawFd, OwnedFd};
use std::os::unix::process::CommandExt;
use std::path::PathBuf;
use std::process::{Child, Command};

use serde::{Deserialize, Serialize};

use super::{Container, Status};
use crate::error::{Error, IoContext, Result};
use crate::store::Paths;
use crate::Engine;

/// What `exec create` asked for, and how the run went.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct ExecRecord {
    pub id: String,
    pub container_id: String,
    #[serde(flatten)]
    pub asked: ExecOptions,
    /// Set by the helper.
    pub running: bool,
    pub started: bool,
    pub exit_code: Option<i32>,
    /// The helper's PID while it runs (its stdin is the exec's pty, if any).
    pub pid: i32,
}

/// What to run, for `exec_create`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct ExecOptions {
    pub cmd: Vec<String>,
    /// Added to the container's environment.
    pub env: Vec<String>,
    pub user: Option<String>,
    pub workdir: Option<String>,
    pub tty: bool,
    pub privileged: bool,
    pub attach_stdin: bool,
    pub attach_stdout: bool,
    pub attach_stderr: bool,
    pub detach_keys: String,
    /// Rows and columns of the terminal at create, if the client said.
    #[serde(default)]
    pub console: Option<(u16, u16)>,
}

fn dir(paths: &Paths) -> PathBuf {
    paths.run.join("exec")
}

fn path(paths: &Paths, id: &str) -> Result<PathBuf> {
    if id.is_empty() || !id.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Err(Error::not_found("exec instance", id));
    }
    Ok(dir(paths).join(format!("{id}.json")))
}

pub fn load(paths: &Paths, id: &str) -> Result<ExecRecord> {
    let p = path(paths, id)?;
    let text = match std::fs::read(&p) {
        Ok(t) => t,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            return Err(Error::not_found("exec instance", id))
        }
        Err(e) => return Err(Error::io("read exec record", &p, e)),
    };
    serde_json::from_slice(&text).map_err(|e| Error::Corrupt {
        path: p,
        reason: e.to_string(),
    })
}

fn save(paths: &Paths, r: &ExecRecord) -> Result<()> {
    let d = dir(paths);
    std::fs::create_dir_all(&d).ctx("create directory", &d)?;
    let text = serde_json::to_vec(r).map_err(|e| Error::Runtime(e.to_string()))?;
    crate::store::atomic::write_atomic_volatile(&path(paths, &r.id)?, &text)
}

fn running_container(c: &Container) -> Result<()> {
    match c.state.status {
        Status::Running => Ok(()),
        Status::Paused => Err(Error::Conflict(format!(
            "Container {} is paused, unpause the container before exec",
            c.id()
        ))),
        _ => Err(Error::Conflict(format!(
            "Container {} is not running",
            c.id()
        ))),
    }
}

/// The exec's events name its command line, as Docker's do.
fn event(paths: &Paths, c: &Container, r: &ExecRecord, action: &str, code: Option<i32>) {
    let mut attrs = vec![("execID", r.id.clone())];
    if let Some(c) = code {
        attrs.push(("exitCode", c.to_string()));
    }
    let action = match action {
        "exec_die" => action.to_string(),
        a => format!("{a}: {}", r.asked.cmd.join(" ")),
    };
    crate::events::container_event(paths, &c.record, &action, &attrs);
}

/// The descriptors the exec'd process gets (a pty slave three times for a tty).
pub struct ExecIo {
    pub stdin: OwnedFd,
    pub stdout: OwnedFd,
    pub stderr: OwnedFd,
}

impl Engine {
    pub fn exec_create(&self, c: &Container, o: ExecOptions) -> Result<ExecRecord> {
        running_container(c)?;
        if o.cmd.is_empty() {
            return Err(Error::invalid("No exec command specified"));
        }
        let r = ExecRecord {
            id: crate::store::ids::random_hex(32),
            container_id: c.id().to_string(),
            asked: ExecOptions {
                user: o.user.filter(|u| !u.is_empty()),
                workdir: o.workdir.filter(|w| !w.is_empty()),
                ..o
            },
            ..Default::default()
        };
        save(&self.paths, &r)?;
        event(&self.paths, c, &r, "exec_create", None);
        Ok(r)
    }

    /// Run a created exec: the helper is spawned with `io` as its stdio and returned (the
    /// caller may wait for it; its exit code is the process's).
    pub fn exec_start(&self, id: &str, io: ExecIo) -> Result<Child> {
        let r = load(&self.paths, id)?;
        if r.started {
            return Err(Error::Conflict(format!(
                "Error: Exec command {id} has already run"
            )));
        }
        let c = self.containers().load(&r.container_id)?;
        running_container(&c)?;
        let mut cmd = Command::new(&self.monitor_exe);
        cmd.arg("--root")
            .arg(&self.paths.root)
            .arg("--run-root")
            .arg(&self.paths.run)
            .arg("__exec")
            .envs(self.config.to_env())
            .arg(id)
            .stdin(std::process::Stdio::from(io.stdin))
            .stdout(std::process::Stdio::from(io.stdout))
            .stderr(std::process::Stdio::from(io.stderr));
        // SAFETY: setsid is async-signal-safe: the helper must not share our session
        // (a terminal's hangup would reach it).
        unsafe {
            cmd.pre_exec(|| {
                libc::setsid();
                Ok(())
            });
        }
        cmd.spawn()
            .map_err(|e| Error::io("start exec helper", &self.monitor_exe, e))
    }

    /// Set an exec's terminal size, from any process: the helper's stdin is the pty.
    pub fn exec_resize(&self, id: &str, rows: u16, cols: u16) -> Result<()> {
        let r = load(&self.paths, id)?;
        if !r.running || r.pid <= 0 {
            return Err(Error::Conflict(format!("Exec {id} is not running")));
        }
        if !r.asked.tty {
            return Ok(());
        }
        let p = format!("/proc/{}/fd/0", r.pid);
        let f = std::fs::OpenOptions::new()
            .read(true)
            .write(true)
            .open(&p)
            .ctx("open exec terminal", &p)?;
        crate::runtime::pty::set_size(f.as_raw_fd(), rows, cols);
        Ok(())
    }
}

/// `berth __exec ID`: run the exec in its container with our stdio, record the run and
/// its end, and exit with the process's code. A process that cannot start says why on
/// stderr and exits 126 or 127, as Docker's exec does.
///
/// `config` is this process's own, read once at its entry from what it inherited.
pub fn helper_entry(config: crate::Config, id: &str) -> i32 {
    let paths = config.paths();
    let engine = Engine::with_config(std::sync::Arc::new(config));
    let fail = |code: i32, msg: &str| {
        eprintln!("OCI runtime exec failed: {msg}");
        code
    };
    let mut r = match load(&paths, id) {
        Ok(r) => r,
        Err(e) => return fail(125, &e.to_string()),
    };
    let c = match engine.containers().load(&r.container_id) {
        Ok(c) => c,
        Err(e) => return fail(125, &e.to_string()),
    };
    let p = match process_spec(&c, &r) {
        Ok(p) => p,
        Err(e) => return fail(125, &e),
    };
    r.started = true;
    r.running = true;
    r.pid = std::process::id() as i32;
    let _ = save(&paths, &r);
    event(&paths, &c, &r, "exec_start", None);
    let io = crate::runtime::init::ChildIo {
        pty_socket: -1,
        stdin: 0,
        stdout: 1,
        stderr: 2,
        tty: r.asked.tty,
    };
    let cg = crate::cgroups::open(
        &engine.config.cgroup_root,
        &c.record.host_config.cgroup_parent,
        c.id(),
    );
    let join = |pid: i32| match &cg {
        Ok(cg) => cg.add_task(pid).map_err(|e| e.to_string()),
        Err(e) => Err(e.to_string()),
    };
    let code = match crate::runtime::exec::spawn_exec(c.state.pid, &p, io, false, join) {
        Ok(helper) => super::reap::wait_exit(helper),
        Err(f) => fail(f.0, &f.1),
    };
    r.running = false;
    r.exit_code = Some(code);
    let _ = save(&paths, &r);
    event(&paths, &c, &r, "exec_die", Some(code));
    code
}

/// The container's process settings with the exec's over them.
fn process_spec(
    c: &Container,
    r: &ExecRecord,
) -> std::result::Result<crate::runtime::spec::ProcessSpec, String> {
    let rec = &c.record;
    let mut p = crate::runtime::spec::ProcessSpec::exec_in(rec, r.asked.cmd.clone())?;
    p.env = rec.config.env.clone();
    p.env.extend(r.asked.env.iter().cloned());
    if let Some(w) = &r.asked.workdir {
        p.cwd = w.clone();
    }
    if let Some(u) = &r.asked.user {
        p.user = u.clone();
    }
    p.tty = r.asked.tty;
    if r.asked.privileged {
        p.caps = crate::runtime::caps::compute(
            &rec.host_config.cap_add,
            &rec.host_config.cap_drop,
            true,
        )?;
        p.seccomp = crate::runtime::seccomp::Seccomp::Unconfined;
    }
    Ok(p)
}

/// Forget the exec records of a removed container.
pub fn forget_container(paths: &Paths, container_id: &str) {
    let Ok(rd) = std::fs::read_dir(dir(paths)) else {
        return;
    };
    for e in rd.flatten() {
        let p = e.path();
        let belongs = std::fs::read(&p)
            .ok()
            .and_then(|t| serde_json::from_slice::<ExecRecord>(&t).ok())
            .is_some_and(|r| r.container_id == container_id);
        if belongs {
            let _ = std::fs::remove_file(p);
        }
    }
}
