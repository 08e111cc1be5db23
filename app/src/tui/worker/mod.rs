//! The worker: everything the TUI asks of a backend happens here, off the UI thread, on
//! a tokio runtime of its own, through the engine interface (`Backend`) only. One loop
//! selects over the UI's requests, the backend's event stream, a one-second clock (for
//! "Up 2 minutes", stats, the services pane and the backend's housekeeping) and, while the logs pane shows,
//! a 100 ms log tick; it keeps a snapshot fresh and sends it to the UI. Lifecycle
//! actions, typed operations, `:` commands and file reads and writes run as tasks of
//! their own (tasks.rs, ops.rs, command.rs), so a 10-second stop never holds up the
//! picture.

mod build;
mod command;
mod compose;
mod ops;
mod project;
mod project_logs;
mod services;
mod session;
mod tasks;
mod transfer;

use std::sync::mpsc::Sender;
use std::sync::Arc;
use std::time::{Duration, Instant};

use bollard::models as m;
use bollard::query_parameters as q;
use futures_util::StreamExt;
use tokio::sync::mpsc::{unbounded_channel, UnboundedReceiver, UnboundedSender};

use super::data::{self, AnatomyView, HealthEntry, Snapshot, EVENTS_KEPT};
use super::logtail::LogTail;
use super::state::{Request, Tab};
use super::stats::{History, Reading};
use crate::backend::{Anatomy, Backend, ErrorKind};

pub use build::BuildMsg;
pub use command::BerthExe;
pub use project_logs::view_key as project_log_key;
pub use transfer::TransferMsg;

pub enum Msg {
    Snapshot(Box<Snapshot>),
    /// An action finished: what to tell the user.
    Done(String),
    /// How an action that is still running goes (compose's progress), for the status
    /// line.
    Note(String),
    /// A compose operation began stopping this container (by name): its countdown to
    /// SIGKILL starts now, not when the key was pressed.
    Stopping(String),
    /// What a `:` command printed, or a document asked for (`i`, `H`).
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
    /// Progress of the build started from the images pane.
    Build(BuildMsg),
    /// Progress of a pull or push started from the images pane.
    Transfer(TransferMsg),
}

/// The UI's ends of the worker: requests go in, messages come out.
pub struct Handle {
    pub requests: UnboundedSender<Request>,
    pub messages: std::sync::mpsc::Receiver<Msg>,
    /// Embedded terminal sessions to run (`e`/`a`): the container, what to run in it,
    /// and the session's end of the pane.
    pub sessions: UnboundedSender<Session>,
}

/// An embedded terminal's session for the worker to run.
pub struct Session {
    pub id: String,
    pub verb: crate::tui::state::TermVerb,
    pub ends: crate::tui::term::TermEnds,
}

const REFRESH: Duration = Duration::from_secs(1);
/// Changes all come with events; this reload catches anything that did not.
const FULL_RELOAD: Duration = Duration::from_secs(10);
const LOG_TICK: Duration = Duration::from_millis(100);
/// The events pane starts with the last day's events (the newest `EVENTS_KEPT`).
const EVENTS_WINDOW: Duration = Duration::from_secs(24 * 3600);
/// Re-reading the container list for its clock wording ("Up 5 seconds") may take 1/this
/// of the time at most: the list is re-read every second while that is cheap (100
/// containers, some 5 ms) and less often as it grows (1,000: every 5 s), so idle CPU
/// stays near 1% at worst.
const RESTAMP_SHARE: u32 = 100;

/// Start the worker on a thread with a single-threaded tokio runtime. `berth` runs the
/// `:` commands.
pub fn spawn(backend: Arc<dyn Backend>, berth: BerthExe) -> Handle {
    let (requests, rx) = unbounded_channel();
    let (sessions, sessions_rx) = unbounded_channel();
    let (tx, messages) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        match tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
        {
            Ok(rt) => rt.block_on(run(backend, berth, rx, sessions_rx, tx)),
            Err(e) => {
                let _ = tx.send(Msg::Done(format!("the TUI's worker cannot start: {e}")));
            }
        }
    });
    Handle {
        requests,
        messages,
        sessions,
    }
}

/// What the loop keeps between snapshots.
struct Worker {
    backend: Arc<dyn Backend>,
    berth: BerthExe,
    tx: Sender<Msg>,
    events: Vec<m::EventMessage>,
    selected: Option<String>,
    /// The compose project whose header is selected.
    project: Option<String>,
    project_tail: Option<project_logs::ProjectTail>,
    projects: project::ProjectCache,
    /// The service selected in the services pane (its ID).
    service: Option<String>,
    swarm: services::SwarmCache,
    view: Tab,
    history: History,
    tail: Option<LogTail>,
    /// The health checks seen of the selected container (inspect has only the last 5).
    checks: (String, Vec<HealthEntry>),
    /// The last lists read from the backend.
    lists: Option<Snapshot>,
    last_full: Instant,
    last_restamp: Instant,
    restamp_every: Duration,
    last_stats: Instant,
    /// The backend's housekeeping, while one runs.
    housekeeping: Option<tokio::task::JoinHandle<()>>,
    /// The last snapshot sent.
    sent: Option<Snapshot>,
}

async fn run(
    backend: Arc<dyn Backend>,
    berth: BerthExe,
    mut requests: UnboundedReceiver<Request>,
    mut sessions: UnboundedReceiver<Session>,
    tx: Sender<Msg>,
) {
    let mut events = follow_events(backend.clone());
    let mut w = Worker {
        backend,
        berth,
        tx,
        events: Vec::new(),
        selected: None,
        project: None,
        project_tail: None,
        projects: Default::default(),
        service: None,
        swarm: Default::default(),
        view: Tab::Containers,
        history: History::default(),
        tail: None,
        checks: Default::default(),
        lists: None,
        last_full: Instant::now(),
        last_restamp: Instant::now(),
        restamp_every: REFRESH,
        last_stats: Instant::now() - REFRESH,
        housekeeping: None,
        sent: None,
    };
    let mut clock = tokio::time::interval(REFRESH);
    let mut log_tick = tokio::time::interval(LOG_TICK);
    log_tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Skip);
    loop {
        // Something other than the clock moved: reload the lists from the backend.
        let mut changed = false;
        tokio::select! {
            r = requests.recv() => match r {
                None => return,
                Some(r) => changed |= w.handle(r),
            },
            Some(e) = events.recv() => {
                w.add_event(e);
                changed = true;
            }
            Some(s) = sessions.recv() => {
                // A task of its own: the session lasts as long as the pane.
                tokio::spawn(session::run(w.backend.clone(), s.id, s.verb, s.ends));
                continue;
            }
            _ = clock.tick() => w.housekeep(),
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
        while let Ok(e) = events.try_recv() {
            w.add_event(e);
            changed = true;
        }
        let snap = w.snapshot(changed).await;
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

/// The backend's events of the last `EVENTS_WINDOW`, then the new ones as they come. A
/// stream that ends (the backend restarted, say) is asked for again from the newest
/// event seen.
fn follow_events(b: Arc<dyn Backend>) -> UnboundedReceiver<m::EventMessage> {
    let (tx, rx) = unbounded_channel();
    tokio::spawn(async move {
        let now = chrono::Utc::now().timestamp_nanos_opt().unwrap_or(0);
        let mut since = now - EVENTS_WINDOW.as_nanos() as i64;
        while !tx.is_closed() {
            let opts = q::EventsOptions {
                since: Some(format!(
                    "{}.{:09}",
                    since / 1_000_000_000,
                    since % 1_000_000_000
                )),
                ..Default::default()
            };
            if let Ok(mut stream) = b.events(opts).await {
                while let Some(Ok(e)) = stream.next().await {
                    if let Some(t) = e.time_nano {
                        since = since.max(t + 1);
                    }
                    if tx.send(e).is_err() {
                        return;
                    }
                }
            }
            tokio::time::sleep(Duration::from_secs(2)).await;
        }
    });
    rx
}

/// What the anatomy pane shows for a backend's answer.
pub fn anatomy_view(id: &str, answer: crate::backend::Result<Anatomy>) -> AnatomyView {
    match answer {
        Ok(a) => AnatomyView::Shown(Box::new(a)),
        Err(e) if e.kind == ErrorKind::Unsupported => AnatomyView::Unavailable(e.message),
        Err(e) => AnatomyView::Failed {
            id: id.to_string(),
            error: e.message,
        },
    }
}

impl Worker {
    /// Act on one request; true when the lists must be read again.
    fn handle(&mut self, r: Request) -> bool {
        let tx = self.tx.clone();
        match r {
            Request::Select(id) => self.selected = id,
            Request::SelectProject(p) => {
                if p.is_none() {
                    self.project_tail = None;
                }
                self.project = p;
                return true;
            }
            Request::SelectService(id) => {
                self.service = id;
                return true;
            }
            Request::View(tab) => {
                self.view = tab;
                return true;
            }
            Request::Act(a, id, name) => tasks::act(&self.backend, a, id, name, tx),
            Request::Do(op) => ops::run(&self.backend, op, tx),
            Request::Show(what) => ops::show(&self.backend, what, tx),
            Request::OpenFile(path) => tasks::open_file(path, tx),
            Request::SaveFile { path, content } => tasks::save_file(path, content, tx),
            Request::SaveLogs {
                id,
                name,
                timestamps,
            } => tasks::save_logs(&self.backend, id, name, timestamps, tx),
            Request::Command(words) => command::command(&self.berth, words, tx),
            // The event loop runs these itself: they need the terminal, or replace
            // this worker.
            Request::Terminal { .. } | Request::SwitchContext(_) => {}
        }
        false
    }

    /// A monitor killed while the TUI watches: the backend records the exit and applies
    /// the restart policy now, as the next berth command would (its events reload the
    /// lists). Off the loop, one at a time: a restart takes a while.
    fn housekeep(&mut self) {
        if self.housekeeping.as_ref().is_some_and(|h| !h.is_finished()) {
            return;
        }
        let b = self.backend.clone();
        self.housekeeping = Some(tokio::spawn(async move {
            let _ = b.housekeeping().await;
        }));
    }

    fn add_event(&mut self, e: m::EventMessage) {
        self.events.push(e);
        let cut = self.events.len().saturating_sub(EVENTS_KEPT);
        self.events.drain(..cut);
    }

    /// Send what the selected container's (or project's) log gained; false once the UI
    /// has gone.
    fn poll_log(&mut self) -> bool {
        if let Some(p) = self.project.clone() {
            return self.poll_project_log(&p);
        }
        if let Some(id) = self.selected.as_deref() {
            if self.tail.as_ref().is_none_or(|t| t.id != id) {
                self.tail = Some(LogTail::follow(self.backend.clone(), id));
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

    /// The selected container's log follow ended (it stopped) and it runs again: follow
    /// it on from where the view is.
    fn resume_log(&mut self, snap: &Snapshot) {
        let Some(t) = self.tail.as_mut() else {
            return;
        };
        let running = snap
            .containers
            .iter()
            .any(|c| c.id == t.id && c.state == "running");
        if running && t.ended() {
            t.resume(self.backend.clone());
        }
    }

    async fn snapshot(&mut self, changed: bool) -> Snapshot {
        let b = self.backend.clone();
        // A full reload when something happened (an event, a pane) or every 10 s as a
        // safety net; otherwise only the clocks in the wording move.
        // While the engine does not answer, every tick asks again, so the picture
        // recovers within a second of its return.
        let away = self.lists.as_ref().is_some_and(|l| l.unreachable.is_some());
        if changed || away || self.lists.is_none() || self.last_full.elapsed() >= FULL_RELOAD {
            let fresh = data::load_lists(&*b).await;
            self.lists = Some(match (fresh.unreachable, self.lists.take()) {
                // Away: the lists stay what the engine last said, marked as such.
                (Some(why), Some(old)) => Snapshot {
                    unreachable: Some(why),
                    ..old
                },
                (why, _) => Snapshot {
                    unreachable: why,
                    ..fresh
                },
            });
            self.last_full = Instant::now();
            self.last_restamp = Instant::now();
        } else if self.last_restamp.elapsed() >= self.restamp_every && self.seconds_shown() {
            let began = Instant::now();
            if let (Some(rows), Some(lists)) =
                (data::load_containers(&*b).await.ok(), self.lists.as_mut())
            {
                lists.containers = rows;
            }
            self.restamp_every = (began.elapsed() * RESTAMP_SHARE).clamp(REFRESH, FULL_RELOAD);
            self.last_restamp = Instant::now();
        }
        let mut snap = self.lists.clone().unwrap_or_default();
        if changed {
            self.resume_log(&snap);
            self.sync_project_log();
        }
        snap.events = self.events.clone();
        snap.details = self.details().await;
        snap.project = self.project_details(changed).await;
        let swarm = self.services(changed).await;
        (snap.swarm, snap.nodes, snap.service) = (
            swarm.view.clone(),
            swarm.nodes.clone(),
            swarm.details.clone(),
        );
        // Stats once a second: for every running container while the stats pane shows,
        // else only for the selected one, so a thousand idle containers cost nothing.
        if self.last_stats.elapsed() >= REFRESH - Duration::from_millis(50) {
            sample_stats(
                &*b,
                &snap,
                self.view,
                self.selected.as_deref(),
                &mut self.history,
            )
            .await;
            self.last_stats = Instant::now();
        }
        snap.stats = self.history.series();
        if self.view == Tab::Anatomy {
            if let Some(id) = self.selected.as_deref() {
                snap.anatomy = Some(anatomy_view(id, b.container_anatomy(id).await));
            }
        }
        snap
    }

    /// Whether a status counts seconds ("Up 5 seconds", "Exited (0) 30 seconds ago"):
    /// only then does the wording change faster than the 10-second full reload shows.
    fn seconds_shown(&self) -> bool {
        self.lists
            .as_ref()
            .is_some_and(|l| l.containers.iter().any(|c| c.status.contains("second")))
    }

    /// The selected container's inspect document, with the health checks seen so far.
    async fn details(&mut self) -> Option<data::Details> {
        let id = self.selected.clone()?;
        let doc = self.backend.container_inspect(&id, false).await.ok()?;
        if self.checks.0 != id {
            self.checks = (id.clone(), Vec::new());
        }
        super::health::keep_checks(&mut self.checks.1, super::health::checks_of(&doc));
        Some(data::details_of(&doc, &self.checks.1, &self.events))
    }
}

async fn sample_stats(
    b: &dyn Backend,
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
    // One reading each, all asked at once (each waits on the backend, not on us).
    let readings = futures_util::future::join_all(running.iter().map(|id| async move {
        let r = b.container_stats_now(id).await.ok()?;
        Some(Reading::of(id, &r))
    }))
    .await;
    for r in readings.into_iter().flatten() {
        history.push(r);
    }
}
