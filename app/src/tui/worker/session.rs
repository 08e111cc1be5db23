//! `e`/`a`: an exec (a shell) or an attach in the embedded terminal, through the engine
//! interface, so it works on any backend. The output goes to the pane's screen, what the
//! user types to the session, a resize of the pane to the session's tty; the session's
//! exit code ends it. The pane closing (its channel gone) ends the session: an attach
//! detaches, an exec's shell loses its terminal.

use std::sync::Arc;

use bollard::models as m;
use bollard::query_parameters as q;
use futures_util::StreamExt;
use tokio::io::AsyncWriteExt;

use crate::backend::streams::LogOutput;
use crate::backend::{Backend, Duplex, ExecStarted};
use crate::tui::state::TermVerb;
use crate::tui::term::TermEnds;

/// Whose tty a resize goes to.
enum Tty {
    Exec(String),
    Container(String),
}

/// Run the session to its end and tell the pane its exit code; an error that stops it
/// is shown in the pane, as a terminal would show a client's error.
pub async fn run(backend: Arc<dyn Backend>, id: String, verb: TermVerb, mut ends: TermEnds) {
    let b = backend.as_ref();
    let code = match session(b, &id, verb, &mut ends).await {
        Ok(Some(code)) => code,
        // The pane was closed: nobody waits for a code.
        Ok(None) => return,
        Err(e) => {
            ends.show(format!("berth: {e}\r\n").as_bytes());
            1
        }
    };
    ends.end(code);
}

async fn session(
    b: &dyn Backend,
    id: &str,
    verb: TermVerb,
    ends: &mut TermEnds,
) -> Result<Option<i32>, String> {
    let (rows, cols) = *ends.size.borrow_and_update();
    let (duplex, tty) = open(b, id, verb, rows, cols).await?;
    let Duplex {
        mut output,
        mut input,
        tty: has_tty,
    } = duplex;
    loop {
        tokio::select! {
            chunk = output.next() => match chunk {
                None => break,
                Some(Err(e)) => return Err(e.message),
                Some(Ok(
                    LogOutput::StdOut { message }
                    | LogOutput::StdErr { message }
                    | LogOutput::Console { message },
                )) if has_tty => ends.show(&message),
                // No tty turns `\n` into `\r\n` on the way: the screen needs both.
                Some(Ok(
                    LogOutput::StdOut { message }
                    | LogOutput::StdErr { message }
                    | LogOutput::Console { message },
                )) => ends.show(&crlf(&message)),
                Some(Ok(LogOutput::StdIn { .. })) => {}
            },
            typed = ends.input.recv() => match typed {
                None => return Ok(None),
                Some(bytes) => {
                    let _ = input.write_all(&bytes).await;
                }
            },
            Ok(()) = ends.size.changed() => {
                let (rows, cols) = *ends.size.borrow_and_update();
                let _ = match &tty {
                    Tty::Exec(e) => b.exec_resize(e, rows, cols).await,
                    Tty::Container(c) => b.container_resize(c, rows, cols).await,
                };
            }
        }
    }
    let code = match &tty {
        Tty::Exec(e) => b
            .exec_inspect(e)
            .await
            .ok()
            .and_then(|i| i.exit_code)
            .unwrap_or(0),
        Tty::Container(c) => b
            .container_wait(c, "not-running")
            .await
            .map(|w| w.status_code)
            .unwrap_or(0),
    };
    Ok(Some(code.clamp(i32::MIN as i64, i32::MAX as i64) as i32))
}

/// Start the exec (a shell, as `berth exec -it ID sh`) or attach to the container.
async fn open(
    b: &dyn Backend,
    id: &str,
    verb: TermVerb,
    rows: u16,
    cols: u16,
) -> Result<(Duplex, Tty), String> {
    let size = Some(vec![rows as usize, cols as usize]);
    match verb {
        TermVerb::Exec => {
            let cfg = m::ExecConfig {
                attach_stdin: Some(true),
                attach_stdout: Some(true),
                attach_stderr: Some(true),
                tty: Some(true),
                console_size: size.clone(),
                env: Some(vec!["TERM=xterm-256color".into()]),
                cmd: Some(vec!["sh".into()]),
                ..Default::default()
            };
            let exec = b.exec_create(id, cfg).await.map_err(|e| e.message)?.id;
            let start = m::ExecStartConfig {
                detach: Some(false),
                tty: Some(true),
                console_size: size,
            };
            match b.exec_start(&exec, start).await.map_err(|e| e.message)? {
                ExecStarted::Attached(d) => Ok((d, Tty::Exec(exec))),
                ExecStarted::Detached => Err("the exec did not attach".into()),
            }
        }
        TermVerb::Attach => {
            let c = b
                .container_inspect(id, false)
                .await
                .map_err(|e| e.message)?;
            let state = c.state.unwrap_or_default();
            if state.running != Some(true) {
                return Err("You cannot attach to a stopped container, start it first".into());
            }
            let config = c.config.unwrap_or_default();
            let opts = q::AttachContainerOptions {
                stream: true,
                stdin: config.open_stdin == Some(true),
                stdout: true,
                stderr: true,
                logs: false,
                detach_keys: None,
            };
            let d = b.container_attach(id, opts).await.map_err(|e| e.message)?;
            if config.tty == Some(true) {
                let _ = b.container_resize(id, rows, cols).await;
            }
            Ok((d, Tty::Container(id.to_string())))
        }
    }
}

/// Line feeds as a terminal's line discipline would send them (`\r\n`).
fn crlf(bytes: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(bytes.len() + bytes.len() / 16);
    let mut prev = 0u8;
    for &b in bytes {
        if b == b'\n' && prev != b'\r' {
            out.push(b'\r');
        }
        out.push(b);
        prev = b;
    }
    out
}

#[cfg(test)]
mod tests {
    #[test]
    fn line_feeds_gain_carriage_returns_once() {
        assert_eq!(super::crlf(b"a\nb\r\nc"), b"a\r\nb\r\nc");
    }
}
