//! `POST /containers/{id}/wait?condition=`, without holding a thread: between looks at
//! the container it sleeps until its process ends (a pidfd), an attach of this backend
//! hears the exit (`Exits`), or a while passes. So a CLI `run` can wait and pump the
//! container's output on one thread, as Docker's CLI registers its wait before the start.
//!
//! - `not-running` answers at once for a container that is not running;
//! - `next-exit` waits for an exit after the wait began;
//! - `removed` waits until the container is gone, and still reports how it exited.

use std::time::Duration;

use berth_engine::container::reap::pidfd_open;
use berth_engine::container::Status;
use bollard::models as m;
use tokio::io::unix::AsyncFd;

use super::{containers, LocalBackend};
use crate::backend::{BackendError, Result};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Condition {
    NotRunning,
    NextExit,
    Removed,
}

impl Condition {
    fn parse(s: &str) -> Result<Condition> {
        match s {
            "" | "not-running" => Ok(Condition::NotRunning),
            "next-exit" => Ok(Condition::NextExit),
            "removed" => Ok(Condition::Removed),
            other => Err(BackendError::invalid(format!(
                "invalid condition: \"{other}\""
            ))),
        }
    }
}

/// Longest sleep between looks when nothing wakes the wait sooner.
const IDLE_LOOK: Duration = Duration::from_millis(250);
/// Between looks once the process has ended and its monitor is recording the exit.
const RECORDING_LOOK: Duration = Duration::from_millis(5);

pub async fn wait(
    b: &LocalBackend,
    reference: &str,
    condition: &str,
) -> Result<m::ContainerWaitResponse> {
    let cond = Condition::parse(condition)?;
    let r = reference.to_string();
    let first = b.call(move |e| containers::find(e, &r)).await?;
    let id = first.id().to_string();
    let before = (first.state.finished_at.clone(), first.state.error.clone());
    let mut last_code = None;
    let mut current = Some(first);
    let mut ended_pid = 0;
    loop {
        // Taken before the look, so an exit heard meanwhile still wakes us.
        let posted = b.exits.next_post();
        let Some(c) = current.take() else {
            // Gone: a removal (ours to wait for, or someone's `rm`) after an exit.
            let code = last_code
                .or_else(|| b.exits.code(&id))
                .or_else(|| containers::last_exit_event(&b.engine, &id));
            return match (code, cond) {
                (Some(code), _) => Ok(done(code)),
                (None, Condition::Removed) => Ok(done(0)),
                (None, _) => Err(BackendError::not_found(format!("No such container: {id}"))),
            };
        };
        let stopped = !c.state.status.is_live() && c.state.status != Status::Restarting;
        if stopped && c.state.finished_at.is_some() {
            last_code = Some(c.state.exit_code as i64);
        }
        let answered = match cond {
            Condition::NotRunning => stopped,
            Condition::NextExit => {
                stopped && (c.state.finished_at.clone(), c.state.error.clone()) != before
            }
            Condition::Removed => false,
        };
        if answered {
            return Ok(done(c.state.exit_code as i64));
        }
        let pid = if c.state.status.is_live() {
            c.state.pid
        } else {
            0
        };
        let look = if pid > 0 && pid == ended_pid {
            RECORDING_LOOK
        } else {
            IDLE_LOOK
        };
        tokio::select! {
            _ = posted => {}
            ended = process_end(pid), if pid > 0 && pid != ended_pid => {
                if ended {
                    ended_pid = pid;
                }
            }
            _ = tokio::time::sleep(look) => {}
        }
        let i = id.clone();
        current = b
            .call(move |e| match e.containers().load(&i) {
                Ok(c) => Ok(Some(c)),
                Err(err) if err.is_not_found() => Ok(None),
                Err(err) => Err(err.into()),
            })
            .await?;
    }
}

fn done(code: i64) -> m::ContainerWaitResponse {
    m::ContainerWaitResponse {
        status_code: code,
        error: None,
    }
}

/// Resolves when the process ends (true), or never if it cannot be watched.
async fn process_end(pid: i32) -> bool {
    let Some(fd) = pidfd_open(pid) else {
        // Already gone.
        return true;
    };
    // SAFETY: the OwnedFd is moved into the AsyncFd, which owns it until dropped.
    match unsafe { AsyncFd::register(fd) } {
        Ok(fd) => fd.readable().await.is_ok(),
        Err(_) => std::future::pending().await,
    }
}
