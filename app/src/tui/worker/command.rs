//! The berth binary run as a child: for the `:` command line (whose output is shown
//! over the panes) and for the interactive sessions (`e`/`a` on a pty, `E`/`A` with the
//! whole terminal). Everything else the TUI does goes through the engine interface.

use std::path::PathBuf;
use std::process::Stdio;
use std::sync::mpsc::Sender;
use std::time::Duration;

use tokio::io::AsyncReadExt;

use super::Msg;

/// The berth binary and the arguments that point it at the engine the TUI shows (the
/// state roots of Berth's own, or the Docker engine's context or host), so a child berth
/// sees the same containers.
#[derive(Debug, Clone)]
pub struct BerthExe {
    pub exe: PathBuf,
    pub args: Vec<String>,
}

impl BerthExe {
    pub fn command(&self) -> std::process::Command {
        let mut cmd = std::process::Command::new(&self.exe);
        cmd.args(&self.args);
        cmd
    }
}

/// A command that keeps running (`logs -f`, `events`) is stopped after this long and
/// shows what it printed by then.
const COMMAND_LIMIT: Duration = Duration::from_secs(10);

/// Run berth with `words` (a `:` command) and show what it printed.
pub fn command(berth: &BerthExe, words: Vec<String>, tx: Sender<Msg>) {
    let mut cmd = tokio::process::Command::from(berth.command());
    cmd.args(&words)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .kill_on_drop(true);
    tokio::spawn(async move {
        let text = match cmd.spawn() {
            Err(e) => format!("berth {}: {e}", words.join(" ")),
            Ok(mut child) => {
                let mut out = child.stdout.take();
                let mut err = child.stderr.take();
                let read_out = async {
                    let mut b = Vec::new();
                    if let Some(o) = out.as_mut() {
                        let _ = o.read_to_end(&mut b).await;
                    }
                    b
                };
                let read_err = async {
                    let mut b = Vec::new();
                    if let Some(e) = err.as_mut() {
                        let _ = e.read_to_end(&mut b).await;
                    }
                    b
                };
                let wait = async {
                    if tokio::time::timeout(COMMAND_LIMIT, child.wait())
                        .await
                        .is_err()
                    {
                        // Still running: SIGTERM (it prints what it has and ends). The
                        // child is not reaped yet, so its PID is still its own.
                        if let Some(pid) = child.id() {
                            // SAFETY: kill(2) of our own unreaped child.
                            unsafe { libc::kill(pid as i32, libc::SIGTERM) };
                        }
                        let _ = child.wait().await;
                    }
                };
                let (o, e, ()) = tokio::join!(read_out, read_err, wait);
                format!(
                    "$ berth {}\n{}{}",
                    words.join(" "),
                    String::from_utf8_lossy(&o),
                    String::from_utf8_lossy(&e)
                )
            }
        };
        let _ = tx.send(Msg::Output(text));
    });
}
