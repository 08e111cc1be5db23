//! A container's streams on this terminal: `run` in the foreground, `start -a` and
//! `attach`, all through the engine interface as Docker's CLI does them. The attach is
//! made and the wait registered before the start, so no output and no exit is missed;
//! the output is pumped until it ends (or the user detaches); the wait's status code is
//! the exit code.

use bollard::query_parameters as q;

use super::door::Door;
use super::pump::{pump, terminal_size, Ended, PumpOpts};
use super::{CliResult, Failure};
use crate::backend::BackendError;

/// What the session does and shows.
pub struct Session<'a> {
    pub id: &'a str,
    /// Start the container once attached (`run`, `start -a`); `attach` joins a running one.
    pub start: bool,
    /// Docker's wait condition: `removed` for a `--rm` container, else `next-exit` for
    /// a start, `not-running` for an attach.
    pub condition: &'static str,
    pub stdin: bool,
    pub stdout: bool,
    pub stderr: bool,
    pub tty: bool,
    pub sig_proxy: bool,
    pub detach_keys: Vec<u8>,
}

/// How a refused start is reported; `run` and `start` word it differently.
pub type StartWording = fn(BackendError) -> Failure;

/// The exit code Docker's CLI gives a start refused for the container's command: 127
/// when the program is not there, 126 when it cannot be run, else 125.
pub fn start_exit_code(message: &str) -> u8 {
    let m = message.to_ascii_lowercase();
    if m.contains("executable file not found") || m.contains("no such file or directory") {
        127
    } else if m.contains("permission denied") || m.contains("exec format error") {
        126
    } else {
        125
    }
}

pub fn run(door: &Door, s: Session, refused: StartWording) -> CliResult {
    let b = door.backend();
    let attach = q::AttachContainerOptions {
        stream: true,
        stdin: s.stdin,
        stdout: s.stdout,
        stderr: s.stderr,
        logs: false,
        detach_keys: None,
    };
    let duplex = door.call(b.container_attach(s.id, attach))?;
    let opts = PumpOpts {
        stdin: s.stdin,
        tty: s.tty,
        detach_keys: s.detach_keys.clone(),
        sig_proxy: s.sig_proxy,
    };
    let id = s.id;
    let resize = |rows, cols| async move {
        let _ = b.container_resize(id, rows, cols).await;
    };
    let signal = |name: &'static str| async move {
        let _ = b.container_kill(id, name).await;
    };
    door.block_on(async {
        // Polled first, so the wait has looked at the container before the start.
        let mut wait = std::pin::pin!(b.container_wait(id, s.condition));
        let session = async {
            if s.start {
                b.container_start(id).await.map_err(refused)?;
                if let (true, Some((rows, cols))) = (s.tty, terminal_size()) {
                    let _ = b.container_resize(id, rows, cols).await;
                }
            }
            Ok::<_, Failure>(pump(duplex, opts, resize, signal).await)
        };
        let mut session = std::pin::pin!(session);
        let mut status = None;
        let ended = loop {
            tokio::select! {
                biased;
                w = &mut wait, if status.is_none() => status = Some(w),
                e = &mut session => break e?,
            }
        };
        match ended {
            Ended::Detached => return Ok(0),
            Ended::Failed(message) => return Err(Failure { code: 125, message }),
            Ended::Finished => {}
        }
        let status = match status {
            Some(w) => w,
            None => wait.await,
        }?;
        Ok(status.status_code.clamp(0, 255) as u8)
    })
}
