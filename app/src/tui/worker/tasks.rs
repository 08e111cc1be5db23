//! The worker's one-off jobs, each a task of its own so the loop keeps going: lifecycle
//! actions through the engine interface, files for the editor, a saved log. Each ends
//! by telling the UI what happened.

use std::sync::mpsc::Sender;
use std::sync::Arc;

use bollard::query_parameters as q;
use futures_util::StreamExt;

use super::Msg;
use crate::backend::{Backend, ErrorKind, LogsQuery};
use crate::tui::state::Action;

/// A lifecycle action through the engine interface (a stop may take its full 10 s: a
/// task of its own).
pub fn act(b: &Arc<dyn Backend>, a: Action, id: String, name: String, tx: Sender<Msg>) {
    let b = b.clone();
    tokio::spawn(async move {
        let result = match a {
            Action::Start => b.container_start(&id).await,
            Action::Stop => b.container_stop(&id, None, None).await,
            Action::Restart => b.container_restart(&id, None, None).await,
            Action::Kill => b.container_kill(&id, "KILL").await,
            Action::Pause => b.container_pause(&id).await,
            Action::Unpause => b.container_unpause(&id).await,
            Action::Remove => {
                let opts = q::RemoveContainerOptions {
                    force: true,
                    ..Default::default()
                };
                b.container_remove(&id, opts).await
            }
        };
        let msg = match result {
            // Already started or stopped: what was asked holds.
            Ok(()) => format!("{} {name}: done", a.verb()),
            Err(e) if e.kind == ErrorKind::NotModified => format!("{} {name}: done", a.verb()),
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
pub fn save_logs(
    b: &Arc<dyn Backend>,
    id: String,
    name: String,
    timestamps: bool,
    tx: Sender<Msg>,
) {
    let b = b.clone();
    tokio::spawn(async move {
        let stamp = chrono::Local::now().format("%Y%m%d-%H%M%S");
        let out = std::env::current_dir()
            .unwrap_or_else(|_| std::env::temp_dir())
            .join(format!("{name}-{stamp}.log"));
        let q = LogsQuery {
            stdout: true,
            stderr: true,
            timestamps,
            ..Default::default()
        };
        let read = async {
            let mut text = Vec::new();
            let mut stream = b.container_logs(&id, q).await?;
            while let Some(chunk) = stream.next().await {
                text.extend_from_slice(&chunk?.into_bytes());
            }
            Ok::<_, crate::backend::BackendError>(text)
        };
        let result = match read.await {
            Err(e) => Err(e.to_string()),
            Ok(text) => {
                let lines = text.iter().filter(|b| **b == b'\n').count();
                tokio::fs::write(&out, text)
                    .await
                    .map(|_| lines)
                    .map_err(|e| format!("{}: {e}", out.display()))
            }
        };
        let _ = tx.send(Msg::Done(match result {
            Ok(n) => format!("saved {n} lines of {name}'s log to {}", out.display()),
            Err(e) => format!("save {name}'s log failed: {e}"),
        }));
    });
}
