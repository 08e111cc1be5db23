//! `exec` through the interface: the engine records the exec and re-executes a helper
//! to run it (this process may be multi-threaded, so it never forks). The helper's
//! stdio are pipes, or a pty opened in the container's own devpts; this side turns
//! them into the interface's duplex and ends it once the helper has recorded the exit.

use std::os::fd::OwnedFd;
use std::process::Child;

use berth_engine::container::exec::{self, ExecIo, ExecOptions};
use bollard::models as m;
use bytes::Bytes;
use tokio::io::AsyncReadExt;
use tokio::sync::mpsc;

use super::{containers, LocalBackend};
use crate::backend::streams::LogOutput;
use crate::backend::{BackendError, Duplex, ExecStarted, Result};

mod pty_io;

fn io_err(what: &str) -> impl Fn(std::io::Error) -> BackendError + '_ {
    move |e| BackendError::internal(format!("{what}: {e}"))
}

pub fn create(b: &LocalBackend, reference: &str, cfg: m::ExecConfig) -> Result<m::IdResponse> {
    let e = &b.engine;
    let c = containers::find(e, reference)?;
    let console = cfg.console_size.as_deref().and_then(|s| match s {
        [h, w] => Some((*h as u16, *w as u16)),
        _ => None,
    });
    let r = e.exec_create(
        &c,
        ExecOptions {
            cmd: cfg.cmd.unwrap_or_default(),
            env: cfg.env.unwrap_or_default(),
            user: cfg.user,
            workdir: cfg.working_dir,
            tty: cfg.tty.unwrap_or(false),
            privileged: cfg.privileged.unwrap_or(false),
            attach_stdin: cfg.attach_stdin.unwrap_or(false),
            attach_stdout: cfg.attach_stdout.unwrap_or(false),
            attach_stderr: cfg.attach_stderr.unwrap_or(false),
            detach_keys: cfg.detach_keys.unwrap_or_default(),
            console,
        },
    )?;
    Ok(m::IdResponse { id: r.id })
}

pub fn inspect(b: &LocalBackend, id: &str) -> Result<m::ExecInspectResponse> {
    let r = exec::load(&b.engine.paths, id).map_err(not_found(id))?;
    let (entry, args) = r
        .asked
        .cmd
        .split_first()
        .map(|(a, b)| (a.clone(), b.to_vec()))
        .unwrap_or_default();
    Ok(m::ExecInspectResponse {
        can_remove: Some(false),
        detach_keys: Some(r.asked.detach_keys.clone()),
        id: Some(r.id.clone()),
        running: Some(r.running),
        exit_code: r.exit_code.map(i64::from),
        process_config: Some(m::ProcessConfig {
            privileged: Some(r.asked.privileged),
            user: Some(r.asked.user.clone().unwrap_or_default()),
            tty: Some(r.asked.tty),
            entrypoint: Some(entry),
            arguments: Some(args),
        }),
        open_stdin: Some(r.asked.attach_stdin),
        open_stderr: Some(r.asked.attach_stderr),
        open_stdout: Some(r.asked.attach_stdout),
        container_id: Some(r.container_id.clone()),
        pid: Some(r.pid as i64),
    })
}

/// Docker's words for an unknown exec.
fn not_found(id: &str) -> impl Fn(berth_engine::Error) -> BackendError + '_ {
    move |e| {
        if e.is_not_found() {
            BackendError::not_found(format!("No such exec instance: {id}"))
        } else {
            e.into()
        }
    }
}

pub fn resize(b: &LocalBackend, id: &str, h: u16, w: u16) -> Result<()> {
    b.engine.exec_resize(id, h, w).map_err(not_found(id))
}

fn null() -> Result<OwnedFd> {
    std::fs::OpenOptions::new()
        .read(true)
        .write(true)
        .open("/dev/null")
        .map(OwnedFd::from)
        .map_err(io_err("open /dev/null"))
}

fn pipe() -> Result<(OwnedFd, OwnedFd)> {
    nix::unistd::pipe2(nix::fcntl::OFlag::O_CLOEXEC)
        .map_err(|e| BackendError::internal(format!("pipe: {}", e.desc())))
}

/// Reap the helper off the runtime; resolves once it has recorded the exit.
fn reap(child: Child) -> tokio::task::JoinHandle<()> {
    tokio::task::spawn_blocking(move || {
        let mut child = child;
        let _ = child.wait();
    })
}

pub async fn start(b: &LocalBackend, id: &str, cfg: m::ExecStartConfig) -> Result<ExecStarted> {
    let r = exec::load(&b.engine.paths, id).map_err(not_found(id))?;
    if r.started {
        return Err(BackendError::conflict(format!(
            "Error: Exec command {id} has already run"
        )));
    }
    let c = containers::find(&b.engine, &r.container_id)?;
    let e = b.engine.clone();
    if cfg.detach.unwrap_or(false) {
        let io = ExecIo {
            stdin: null()?,
            stdout: null()?,
            stderr: null()?,
        };
        reap(e.exec_start(id, io)?);
        return Ok(ExecStarted::Detached);
    }
    let size = cfg
        .console_size
        .as_deref()
        .and_then(|s| match s {
            [h, w] => Some((*h as u16, *w as u16)),
            _ => None,
        })
        .or(r.asked.console)
        .unwrap_or((24, 80));
    if r.asked.tty {
        let ptmx = std::path::PathBuf::from(format!("/proc/{}/root/dev/pts/ptmx", c.state.pid));
        let pt = berth_engine::runtime::pty::open_in(&ptmx, size.0, size.1)
            .map_err(BackendError::internal)?;
        let dup = |fd: &OwnedFd| fd.try_clone().map_err(io_err("dup pty"));
        let io = ExecIo {
            stdin: dup(&pt.slave)?,
            stdout: dup(&pt.slave)?,
            stderr: pt.slave,
        };
        let done = reap(e.exec_start(id, io)?);
        return Ok(ExecStarted::Attached(pty_io::duplex(pt.master, done)?));
    }
    let (in_r, in_w) = if r.asked.attach_stdin {
        pipe().map(|(r, w)| (r, Some(w)))?
    } else {
        (null()?, None)
    };
    let (out_r, out_w) = pipe()?;
    let (err_r, err_w) = pipe()?;
    let io = ExecIo {
        stdin: in_r,
        stdout: out_w,
        stderr: err_w,
    };
    let done = reap(e.exec_start(id, io)?);
    Ok(ExecStarted::Attached(pipes_duplex(
        in_w, out_r, err_r, done,
    )?))
}

fn receiver(fd: OwnedFd) -> Result<tokio::net::unix::pipe::Receiver> {
    tokio::net::unix::pipe::Receiver::from_owned_fd(fd).map_err(io_err("exec output"))
}

/// Stdout and stderr pipes as one tagged stream, stdin as a writer.
fn pipes_duplex(
    stdin: Option<OwnedFd>,
    stdout: OwnedFd,
    stderr: OwnedFd,
    done: tokio::task::JoinHandle<()>,
) -> Result<Duplex> {
    let (tx, mut rx) = mpsc::channel::<Result<LogOutput>>(64);
    let pump = |mut pipe: tokio::net::unix::pipe::Receiver,
                err: bool,
                tx: mpsc::Sender<Result<LogOutput>>| async move {
        let mut buf = vec![0u8; 32 * 1024];
        loop {
            match pipe.read(&mut buf).await {
                Ok(0) | Err(_) => return,
                Ok(n) => {
                    let message = Bytes::copy_from_slice(&buf[..n]);
                    let out = if err {
                        LogOutput::StdErr { message }
                    } else {
                        LogOutput::StdOut { message }
                    };
                    if tx.send(Ok(out)).await.is_err() {
                        return;
                    }
                }
            }
        }
    };
    let a = tokio::spawn(pump(receiver(stdout)?, false, tx.clone()));
    let b = tokio::spawn(pump(receiver(stderr)?, true, tx.clone()));
    // The stream ends after both pipes and the helper's record of the exit.
    tokio::spawn(async move {
        let _ = a.await;
        let _ = b.await;
        let _ = done.await;
        drop(tx);
    });
    let input: std::pin::Pin<Box<dyn tokio::io::AsyncWrite + Send>> = match stdin {
        Some(fd) => Box::pin(
            tokio::net::unix::pipe::Sender::from_owned_fd(fd).map_err(io_err("exec stdin"))?,
        ),
        None => Box::pin(tokio::io::sink()),
    };
    Ok(Duplex {
        output: Box::pin(futures_util::stream::poll_fn(move |cx| rx.poll_recv(cx))),
        input,
        tty: false,
    })
}
