//! The worker: everything that touches the engine happens here, off the UI thread, on a
//! tokio runtime of its own. One loop selects over the UI's requests, the event journal
//! (followed with inotify), a one-second clock (for "Up 2 minutes" and stats) and, while
//! the logs pane shows, a 100 ms log tick; it keeps a snapshot fresh and sends it to the
//! UI. Lifecycle actions, `:` commands and file reads and writes run as tasks of their
//! own (tasks.rs), so a 10-second stop never holds up the picture.

mod tasks;

use std::sync::mpsc::Sender;
use std::time::{Duration, Instant};

use berth_engine::container::Container;
use berth_engine::events::follow::Follower;
use berth_engine::events::Event;
use berth_engine::Engine;
use tokio::sync::mpsc::{unbounded_channel, UnboundedReceiver, UnboundedSender};

use super::data::{self, Snapshot, EVENTS_KEPT};
use super::logtail::LogTail;
use super::state::{Request, Tab};
use super::stats::History;

pub use tasks::berth_command;

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

/// The UI's ends of the worker: requests go in, messages come out.
pub struct Handle {
    pub requests: UnboundedSender<Request>,
    pub messages: std::sync::mpsc::Receiver<Msg>,
}

const REFRESH: Duration = Duration::from_secs(1);
/// Changes all come with journaled events; this reload catches anything that did not
/// (a monitor killed with SIGKILL, say).
const FULL_RELOAD: Duration = Duration::from_secs(10);
const LOG_TICK: Duration = Duration::from_millis(100);

/// Start the worker on a thread with a single-threaded tokio runtime.
pub fn spawn(engine: Engine) -> Handle {
    let (requests, rx) = unbounded_channel();
    let (tx, messages) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        match tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
        {
            Ok(rt) => rt.block_on(run(engine, rx, tx)),
            Err(e) => {
                let _ = tx.send(Msg::Done(format!("the TUI's worker cannot start: {e}")));
            }
        }
    });
    Handle { requests, messages }
}

/// What the loop keeps between snapshots.
struct Worker {
    engine: Engine,
    tx: Sender<Msg>,
    events: Vec<Event>,
    selected: Option<String>,
    view: Tab,
    history: History,
    tail: Option<LogTail>,
    /// The last lists read from the engine and the container records behind them.
    lists: Option<(Snapshot, Vec<Container>)>,
    last_full: Instant,
    last_stats: Instant,
    /// The last snapshot sent.
    sent: Option<Snapshot>,
}

async fn run(engine: Engine, mut requests: UnboundedReceiver<Request>, tx: Sender<Msg>) {
    let (events, mut journal) = follow_journal(&engine);
    let mut w = Worker {
        engine,
        tx,
        events,
        selected: None,
        view: Tab::Containers,
        history: History::default(),
        tail: None,
        lists: None,
        last_full: Instant::now(),
        last_stats: Instant::now() - REFRESH,
        sent: None,
    };
    let mut clock = tokio::time::interval(REFRESH);
    let mut log_tick = tokio::time::interval(LOG_TICK);
    log_tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Skip);
    loop {
        // Something other than the clock moved: reload the lists from the engine.
        let mut changed = false;
        tokio::select! {
            r = requests.recv() => match r {
                None => return,
                Some(r) => changed |= w.handle(r),
            },
            Some(new) = journal.recv() => {
                w.add_events(new);
                changed = true;
            }
            _ = clock.tick() => {
                // A monitor killed while the TUI watches: record the exit and apply the
                // restart policy now, as the next berth command would (its events
                // reload the lists). Off the loop: a restart takes a while.
                let engine = w.engine.clone();
                tokio::task::spawn_blocking(move || engine.recover_crashed());
            }
            _ = log_tick.tick(), if w.view == Tab::Logs => {
                if !w.poll_log() {
                    return;
                }
                continue;
            }
        }
        // Whatever else is already waiting joins this snapshot.
        while let Ok(r) = requests.try_recv() {
            changed |= w.handle(r);
        }
        while let Ok(new) = journal.try_recv() {
            w.add_events(new);
            changed = true;
        }
        let snap = w.snapshot(changed);
        // Nothing new (the clocks in the wording did not move): no message, no frame.
        if w.sent.as_ref() == Some(&snap) {
            continue;
        }
        w.sent = Some(snap.clone());
        if w.tx.send(Msg::Snapshot(Box::new(snap))).is_err() {
            return;
        }
    }
}

/// The journal so far, and a channel of what is appended from now on (read by a
/// blocking task: the follower waits in inotify).
fn follow_journal(engine: &Engine) -> (Vec<Event>, UnboundedReceiver<Vec<Event>>) {
    let (tx, rx) = unbounded_channel();
    let Ok((mut follower, mut history)) = Follower::start(&engine.paths, true) else {
        return (Vec::new(), rx);
    };
    let cut = history.len().saturating_sub(EVENTS_KEPT);
    history.drain(..cut);
    tokio::task::spawn_blocking(move || {
        // Wake now and then to notice that the TUI has gone.
        while !tx.is_closed() {
            match follower.next(Some(Duration::from_secs(1))) {
                Ok(new) if new.is_empty() => {}
                Ok(new) => {
                    if tx.send(new).is_err() {
                        return;
                    }
                }
                Err(_) => return,
            }
        }
    });
    (history, rx)
}

impl Worker {
    /// Act on one request; true when the lists must be read again.
    fn handle(&mut self, r: Request) -> bool {
        let tx = self.tx.clone();
        match r {
            Request::Select(id) => self.selected = id,
            Request::View(tab) => {
                self.view = tab;
                return true;
            }
            Request::Act(a, id, name) => tasks::act(&self.engine, a, id, name, tx),
            Request::OpenFile(path) => tasks::open_file(path, tx),
            Request::SaveFile { path, content } => tasks::save_file(path, content, tx),
            Request::SaveLogs {
                id,
                name,
                timestamps,
            } => tasks::save_logs(&self.engine, id, name, timestamps, tx),
            Request::Command(words) => tasks::command(&self.engine, words, false, tx),
            Request::Run(words) => tasks::command(&self.engine, words, true, tx),
            // The event loop runs these itself: they need the terminal.
            Request::Terminal { .. } => {}
        }
        false
    }

    fn add_events(&mut self, new: Vec<Event>) {
        self.events.extend(new);
        let cut = self.events.len().saturating_sub(EVENTS_KEPT);
        self.events.drain(..cut);
    }

    /// Send what the selected container's log gained; false once the UI has gone.
    fn poll_log(&mut self) -> bool {
        if let Some(id) = self.selected.as_deref() {
            if self.tail.as_ref().is_none_or(|t| t.id != id) {
                self.tail = Some(LogTail::new(id, self.engine.containers().log_path(id)));
            }
        }
        let Some(t) = self.tail.as_mut() else {
            return true;
        };
        let Some(chunk) = t.poll() else {
            return true;
        };
        self.tx
            .send(Msg::Logs {
                id: t.id.clone(),
                lines: chunk.lines,
                reset: chunk.reset,
            })
            .is_ok()
    }

    fn snapshot(&mut self, changed: bool) -> Snapshot {
        let engine = &self.engine;
        // A full reload when something happened (an event, a pane) or every 10 s as a
        // safety net; otherwise only the clocks in the wording move.
        if changed || self.lists.is_none() || self.last_full.elapsed() >= FULL_RELOAD {
            self.lists = Some(data::load_lists(engine));
            self.last_full = Instant::now();
        } else if let Some((snap, records)) = self.lists.as_mut() {
            data::restamp(&mut snap.containers, records);
        }
        let mut snap = self.lists.as_ref().map(|l| l.0.clone()).unwrap_or_default();
        snap.events = self.events.clone();
        snap.details = self
            .selected
            .as_deref()
            .and_then(|id| data::load_details(engine, id));
        // Stats once a second: for every running container while the stats pane shows,
        // else only for the selected one, so a thousand idle containers cost nothing.
        if self.last_stats.elapsed() >= REFRESH - Duration::from_millis(50) {
            sample_stats(
                engine,
                &snap,
                self.view,
                self.selected.as_deref(),
                &mut self.history,
            );
            self.last_stats = Instant::now();
        }
        snap.stats = self.history.series();
        if self.view == Tab::Anatomy {
            snap.anatomy = self.selected.as_deref().and_then(|id| {
                let c = engine.containers().load(id).ok()?;
                engine.anatomy(&c).ok()
            });
        }
        snap
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
