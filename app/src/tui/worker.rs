//! The worker: everything that touches the engine happens here, off the UI thread. It
//! keeps a snapshot fresh (at once when an event is journaled, else every second for
//! the clocks in "Up 2 minutes" and the log tail), keeps the selected container's
//! details, and runs lifecycle actions each on a thread of its own, so a 10-second stop
//! never holds up the picture.

use std::sync::mpsc::{Receiver, Sender, TryRecvError};
use std::time::{Duration, Instant};

use berth_engine::events::follow::Follower;
use berth_engine::Engine;

use super::data::{self, Snapshot, EVENTS_KEPT};
use super::logtail::LogTail;
use super::state::{Action, Request, Tab};
use super::stats::History;

pub enum Msg {
    Snapshot(Box<Snapshot>),
    /// An action finished: what to tell the user.
    Done(String),
    /// What a `:` command printed.
    Output(String),
    /// A file read for the editor (`new`: it did not exist).
    FileOpened {
        path: String,
        content: String,
        new: bool,
    },
    FileSaved {
        path: String,
        content: String,
    },
    /// New lines of the selected container's log (the logs pane shows).
    Logs {
        id: String,
        lines: Vec<super::logview::LogEntry>,
        reset: bool,
    },
}

const REFRESH: Duration = Duration::from_secs(1);
/// Changes all come with journaled events; this reload catches anything that did not
/// (a monitor killed with SIGKILL, say).
const FULL_RELOAD: Duration = Duration::from_secs(10);
/// How often requests from the UI are looked at while nothing else happens.
const TICK: Duration = Duration::from_millis(100);

pub fn spawn(engine: Engine, requests: Receiver<Request>, tx: Sender<Msg>) {
    std::thread::spawn(move || run(engine, requests, tx));
}

fn run(engine: Engine, requests: Receiver<Request>, tx: Sender<Msg>) {
    let (mut follower, history) = match Follower::start(&engine.paths, true) {
        Ok(f) => (Some(f.0), f.1),
        Err(_) => (None, Vec::new()),
    };
    let mut events = history;
    let cut = events.len().saturating_sub(EVENTS_KEPT);
    events.drain(..cut);
    let mut selected: Option<String> = None;
    let mut view = Tab::Containers;
    let mut history = History::default();
    let mut tail: Option<LogTail> = None;
    let mut last = Instant::now() - REFRESH;
    let mut lists: Option<(Snapshot, Vec<berth_engine::container::Container>)> = None;
    let mut last_full = Instant::now();
    loop {
        let mut dirty = last.elapsed() >= REFRESH;
        // Something other than the clock moved: reload the lists from the engine.
        let mut changed = false;
        loop {
            match requests.try_recv() {
                Ok(Request::Select(id)) => {
                    selected = id;
                    dirty = true;
                }
                Ok(Request::View(tab)) => {
                    view = tab;
                    dirty = true;
                    changed = true;
                }
                Ok(Request::Act(a, id, name)) => act(&engine, a, id, name, tx.clone()),
                Ok(Request::OpenFile(path)) => open_file(path, tx.clone()),
                Ok(Request::SaveFile { path, content }) => save_file(path, content, tx.clone()),
                Ok(Request::SaveLogs {
                    id,
                    name,
                    timestamps,
                }) => save_logs(&engine, id, name, timestamps, tx.clone()),
                Ok(Request::Command(words)) => command(&engine, words, false, tx.clone()),
                Ok(Request::Run(words)) => command(&engine, words, true, tx.clone()),
                // The event loop runs these itself: they need the terminal.
                Ok(Request::Terminal { .. }) => {}
                Err(TryRecvError::Empty) => break,
                Err(TryRecvError::Disconnected) => return,
            }
        }
        if view == Tab::Logs {
            if let Some(id) = selected.as_deref() {
                if tail.as_ref().is_none_or(|t| t.id != id) {
                    tail = Some(LogTail::new(id, engine.containers().log_path(id)));
                }
            }
            if let Some(t) = tail.as_mut() {
                if let Some(chunk) = t.poll() {
                    let msg = Msg::Logs {
                        id: t.id.clone(),
                        lines: chunk.lines,
                        reset: chunk.reset,
                    };
                    if tx.send(msg).is_err() {
                        return;
                    }
                }
            }
        }
        if let Some(f) = follower.as_mut() {
            let new = f.next(Some(TICK)).unwrap_or_default();
            if !new.is_empty() {
                events.extend(new);
                let cut = events.len().saturating_sub(EVENTS_KEPT);
                events.drain(..cut);
                dirty = true;
                changed = true;
            }
        } else {
            std::thread::sleep(TICK);
        }
        if !dirty {
            continue;
        }
        // A full reload when something happened (an event, a selection, a pane) or every
        // 10 s as a safety net; otherwise only the clocks in the wording move.
        if changed || lists.is_none() || last_full.elapsed() >= FULL_RELOAD {
            lists = Some(data::load_lists(&engine));
            last_full = Instant::now();
        } else if let Some((snap, records)) = lists.as_mut() {
            data::restamp(&mut snap.containers, records);
        }
        let mut snap = lists.as_ref().map(|l| l.0.clone()).unwrap_or_default();
        snap.events = events.clone();
        snap.details = selected
            .as_deref()
            .and_then(|id| data::load_details(&engine, id));
        // Stats for every running container while the stats pane shows, else only for
        // the selected one: a thousand idle containers cost nothing.
        if last.elapsed() >= REFRESH || view == Tab::Stats {
            sample_stats(&engine, &snap, view, selected.as_deref(), &mut history);
        }
        snap.stats = history.series();
        if view == Tab::Anatomy {
            snap.anatomy = selected.as_deref().and_then(|id| {
                let c = engine.containers().load(id).ok()?;
                engine.anatomy(&c).ok()
            });
        }
        last = Instant::now();
        if tx.send(Msg::Snapshot(Box::new(snap))).is_err() {
            return;
        }
    }
}

fn sample_stats(
    engine: &Engine,
    snap: &Snapshot,
    view: Tab,
    selected: Option<&str>,
    history: &mut History,
) {
    let running: Vec<&str> = snap
        .containers
        .iter()
        .filter(|c| c.state == "running")
        .map(|c| c.id.as_str())
        .filter(|id| view == Tab::Stats || Some(*id) == selected)
        .collect();
    history.retain(|id| {
        snap.containers
            .iter()
            .any(|c| c.id == id && c.state == "running")
    });
    for id in running {
        if let Ok(c) = engine.containers().load(id) {
            if let Ok(s) = engine.container_stats(&c) {
                history.push(s);
            }
        }
    }
}

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
fn command(engine: &Engine, words: Vec<String>, brief: bool, tx: Sender<Msg>) {
    let mut cmd = berth_command(engine);
    cmd.args(&words)
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped());
    std::thread::spawn(move || {
        let text = match cmd.spawn() {
            Err(e) => format!("berth {}: {e}", words.join(" ")),
            Ok(child) => {
                // A pidfd, not the PID: the watchdog must never signal a reused PID.
                if let Some(pidfd) = berth_engine::container::reap::pidfd_open(child.id() as i32) {
                    std::thread::spawn(move || {
                        std::thread::sleep(COMMAND_LIMIT);
                        use std::os::fd::AsRawFd;
                        // SAFETY: pidfd_send_signal(2) on a pidfd we own.
                        unsafe {
                            libc::syscall(
                                libc::SYS_pidfd_send_signal,
                                pidfd.as_raw_fd(),
                                libc::SIGTERM,
                                std::ptr::null::<libc::siginfo_t>(),
                                0,
                            )
                        };
                    });
                }
                match child.wait_with_output() {
                    Ok(o) => format!(
                        "$ berth {}\n{}{}",
                        words.join(" "),
                        String::from_utf8_lossy(&o.stdout),
                        String::from_utf8_lossy(&o.stderr)
                    ),
                    Err(e) => e.to_string(),
                }
            }
        };
        let msg = if brief {
            // The command's last line says what happened (its error, or the name it
            // acted on).
            let last = text.lines().skip(1).filter(|l| !l.trim().is_empty()).last();
            // Only the verb: a long command line would push the answer off the line.
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

/// `F`: read a file for the editor, refusing what an editor of configuration files
/// should not open.
fn open_file(path: String, tx: Sender<Msg>) {
    std::thread::spawn(move || {
        let msg = match std::fs::metadata(&path) {
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Msg::FileOpened {
                path,
                content: String::new(),
                new: true,
            },
            Err(e) => Msg::Done(format!("{path}: {e}")),
            Ok(m) if m.is_dir() => Msg::Done(format!("{path}: a directory, not a file")),
            Ok(m) if m.len() > super::editor::MOST_BYTES => Msg::Done(format!(
                "{path}: {} bytes, more than the editor opens (1 MiB)",
                m.len()
            )),
            Ok(_) => match std::fs::read(&path) {
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
fn save_file(path: String, content: String, tx: Sender<Msg>) {
    std::thread::spawn(move || {
        let p = std::path::Path::new(&path);
        let tmp = p.with_file_name(format!(
            ".{}.berth-tmp",
            p.file_name()
                .map(|n| n.to_string_lossy())
                .unwrap_or_default()
        ));
        let result = std::fs::write(&tmp, &content)
            .and_then(|_| {
                if let Ok(m) = std::fs::metadata(p) {
                    std::fs::set_permissions(&tmp, m.permissions())?;
                }
                std::fs::rename(&tmp, p)
            })
            .map_err(|e| {
                let _ = std::fs::remove_file(&tmp);
                format!("save {path}: {e}")
            });
        let _ = tx.send(match result {
            Ok(()) => Msg::FileSaved { path, content },
            Err(e) => Msg::Done(e),
        });
    });
}

/// `S` on the logs pane: the container's whole log, as `berth logs [-t]` prints it, into
/// a file in the current directory.
fn save_logs(engine: &Engine, id: String, name: String, timestamps: bool, tx: Sender<Msg>) {
    let path = engine.containers().log_path(&id);
    std::thread::spawn(move || {
        let stamp = chrono::Local::now().format("%Y%m%d-%H%M%S");
        let out = std::env::current_dir()
            .unwrap_or_else(|_| std::env::temp_dir())
            .join(format!("{name}-{stamp}.log"));
        let result = berth_engine::container::logfile::read_all(&path)
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

fn act(engine: &Engine, a: Action, id: String, name: String, tx: Sender<Msg>) {
    let engine = engine.clone();
    std::thread::spawn(move || {
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
