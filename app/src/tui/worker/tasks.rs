//! The worker's one-off jobs, each a task of its own so the loop keeps going: lifecycle
//! actions (blocking engine calls, on tokio's blocking pool), berth commands (child
//! processes, stopped after a time limit), files for the editor, a saved log. Each ends
//! by telling the UI what happened.

use std::process::Stdio;
use std::sync::mpsc::Sender;
use std::time::Duration;

use berth_engine::Engine;
use tokio::io::AsyncReadExt;

use super::Msg;
use crate::tui::state::Action;

/// The berth binary (the one that runs monitors) with the TUI's state root: for `:`
/// commands, forms and sessions.
pub fn berth_command(engine: &Engine) -> std::process::Command {
    let mut cmd = std::process::Command::new(&engine.monitor_exe);
    cmd.arg("--root")
        .arg(&engine.paths.root)
        .arg("--run-root")
        .arg(&engine.paths.run);
    cmd
}

/// A command that keeps running (`logs -f`, `events`) is stopped after this long and
/// shows what it printed by then.
const COMMAND_LIMIT: Duration = Duration::from_secs(10);

/// Run berth with `words`; `brief`: one line for the status bar instead of a popup.
pub fn command(engine: &Engine, words: Vec<String>, brief: bool, tx: Sender<Msg>) {
    let mut cmd = tokio::process::Command::from(berth_command(engine));
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
        let msg = if brief {
            // The command's last line says what happened (its error, or the name it
            // acted on); only the verb is repeated, a long command line would push the
            // answer off the line.
            let last = text.lines().skip(1).filter(|l| !l.trim().is_empty()).last();
            let verb: Vec<&str> = words
                .iter()
                .take_while(|w| !w.starts_with('-'))
                .take(2)
                .map(String::as_str)
                .collect();
            Msg::Done(format!(
                "berth {}: {}",
                verb.join(" "),
                last.unwrap_or("done")
            ))
        } else {
            Msg::Output(text)
        };
        let _ = tx.send(msg);
    });
}

/// A lifecycle action: a blocking engine call (a stop may take its full 10 s).
pub fn act(engine: &Engine, a: Action, id: String, name: String, tx: Sender<Msg>) {
    let engine = engine.clone();
    tokio::task::spawn_blocking(move || {
        let result: Result<(), String> = (|| {
            let c = engine.containers().load(&id).map_err(|e| e.to_string())?;
            match a {
                Action::Start => engine.start(&c, false).map(|_| ()).map_err(|e| e.message),
                Action::Stop => engine.stop(&c, None).map_err(|e| e.to_string()),
                Action::Restart => engine.restart(&c, None).map_err(|e| e.message),
                Action::Kill => engine.kill(&c, None).map_err(|e| e.to_string()),
                Action::Pause => engine.pause(&c).map_err(|e| e.to_string()),
                Action::Unpause => engine.unpause(&c).map_err(|e| e.to_string()),
                Action::Remove => engine.remove(&c, true, false).map_err(|e| e.to_string()),
            }
        })();
        let msg = match result {
            Ok(()) => format!("{} {name}: done", a.verb()),
            Err(e) => format!("{} {name} failed: {e}", a.verb()),
        };
        let _ = tx.send(Msg::Done(msg));
    });
}

/// `F`: read a file for the editor, refusing what an editor of configuration files
/// should not open.
pub fn open_file(path: String, tx: Sender<Msg>) {
    tokio::spawn(async move {
        let msg = match tokio::fs::metadata(&path).await {
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Msg::FileOpened {
                path,
                content: String::new(),
                new: true,
            },
            Err(e) => Msg::Done(format!("{path}: {e}")),
            Ok(m) if m.is_dir() => Msg::Done(format!("{path}: a directory, not a file")),
            Ok(m) if m.len() > crate::tui::editor::MOST_BYTES => Msg::Done(format!(
                "{path}: {} bytes, more than the editor opens (1 MiB)",
                m.len()
            )),
            Ok(_) => match tokio::fs::read(&path).await {
                Err(e) => Msg::Done(format!("{path}: {e}")),
                Ok(bytes) => match String::from_utf8(bytes) {
                    Ok(content) => Msg::FileOpened {
                        path,
                        content,
                        new: false,
                    },
                    Err(_) => Msg::Done(format!("{path}: not UTF-8 text")),
                },
            },
        };
        let _ = tx.send(msg);
    });
}

/// Ctrl-S in the editor: write beside the file and rename over it, so a crash leaves
/// the old file or the new one, never half of one. The file keeps its permissions.
pub fn save_file(path: String, content: String, tx: Sender<Msg>) {
    tokio::spawn(async move {
        let p = std::path::Path::new(&path);
        let tmp = p.with_file_name(format!(
            ".{}.berth-tmp",
            p.file_name()
                .map(|n| n.to_string_lossy())
                .unwrap_or_default()
        ));
        let write = async {
            tokio::fs::write(&tmp, &content).await?;
            if let Ok(m) = tokio::fs::metadata(p).await {
                tokio::fs::set_permissions(&tmp, m.permissions()).await?;
            }
            tokio::fs::rename(&tmp, p).await
        };
        let msg = match write.await {
            Ok(()) => Msg::FileSaved { path, content },
            Err(e) => {
                let _ = tokio::fs::remove_file(&tmp).await;
                Msg::Done(format!("save {path}: {e}"))
            }
        };
        let _ = tx.send(msg);
    });
}

/// `S` on the logs pane: the container's whole log, as `berth logs [-t]` prints it, into
/// a file in the current directory.
pub fn save_logs(engine: &Engine, id: String, name: String, timestamps: bool, tx: Sender<Msg>) {
    let path = engine.containers().log_path(&id);
    tokio::task::spawn_blocking(move || {
        let stamp = chrono::Local::now().format("%Y%m%d-%H%M%S");
        let out = std::env::current_dir()
            .unwrap_or_else(|_| std::env::temp_dir())
            .join(format!("{name}-{stamp}.log"));
        let result = berth_engine::container::logfile::read_rotated(&path)
            .map_err(|e| e.to_string())
            .and_then(|lines| {
                let mut text = String::new();
                for l in &lines {
                    if timestamps {
                        text.push_str(&l.time);
                        text.push(' ');
                    }
                    text.push_str(&l.log);
                    if !l.log.ends_with('\n') {
                        text.push('\n');
                    }
                }
                std::fs::write(&out, text)
                    .map(|_| lines.len())
                    .map_err(|e| format!("{}: {e}", out.display()))
            });
        let _ = tx.send(Msg::Done(match result {
            Ok(n) => format!("saved {n} lines of {name}'s log to {}", out.display()),
            Err(e) => format!("save {name}'s log failed: {e}"),
        }));
    });
}
