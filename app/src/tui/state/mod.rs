//! The TUI's one state struct and what keys do to it (keys.rs; actions.rs for the keys
//! that act on containers and objects). Pure: keys go in, requests for
//! the worker come out, so the flows are tested without a terminal or an engine.

mod actions;
mod groups;
mod keys;
mod progress;
mod project_keys;
#[cfg(test)]
mod project_tests;
mod selection;
mod service_keys;
#[cfg(test)]
mod service_tests;
mod services;
#[cfg(test)]
mod tests;

use std::collections::{BTreeSet, HashMap};
use std::time::{Duration, Instant};

use super::data::{ContainerRow, Snapshot};
use super::editor::{Editor, EditorOutcome};
use super::forms::{Form, FormOutcome};
use super::logview::LogView;
use super::theme::Theme;
use super::worker::Msg;

pub use groups::{Group, Line, Listing};
pub use services::{ServiceLine, ServiceListing, ServicesState, Stack};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tab {
    Containers,
    Images,
    Networks,
    Volumes,
    Logs,
    Health,
    Stats,
    Anatomy,
    Events,
    Services,
}

/// In order: keys 1-9 then 0 pick them.
pub const TABS: [Tab; 10] = [
    Tab::Containers,
    Tab::Images,
    Tab::Networks,
    Tab::Volumes,
    Tab::Logs,
    Tab::Health,
    Tab::Stats,
    Tab::Anatomy,
    Tab::Events,
    Tab::Services,
];

impl Tab {
    pub fn title(self) -> &'static str {
        match self {
            Tab::Containers => "Containers",
            Tab::Images => "Images",
            Tab::Networks => "Networks",
            Tab::Volumes => "Volumes",
            Tab::Logs => "Logs",
            Tab::Health => "Health",
            Tab::Stats => "Stats",
            Tab::Anatomy => "Anatomy",
            Tab::Events => "Events",
            Tab::Services => "Services",
        }
    }
    /// For narrow terminals.
    pub fn short_title(self) -> &'static str {
        match self {
            Tab::Containers => "Ctrs",
            Tab::Images => "Imgs",
            Tab::Networks => "Nets",
            Tab::Volumes => "Vols",
            Tab::Logs => "Logs",
            Tab::Health => "Hlth",
            Tab::Stats => "Stats",
            Tab::Anatomy => "Anat",
            Tab::Events => "Evts",
            Tab::Services => "Svcs",
        }
    }
    fn index(self) -> usize {
        TABS.iter().position(|t| *t == self).unwrap_or(0)
    }
    /// The key that picks it ("1".."9", "0").
    pub fn key(self) -> char {
        let i = self.index() + 1;
        char::from_digit((i % 10) as u32, 10).unwrap_or('0')
    }
    /// Tabs about the selected container (its logs, health, stats, anatomy).
    pub fn per_container(self) -> bool {
        matches!(
            self,
            Tab::Containers | Tab::Logs | Tab::Health | Tab::Stats | Tab::Anatomy
        )
    }
    /// Where the tab keeps its selection: the container tabs share one, so the logs and
    /// health shown are those of the container picked in the list.
    fn slot(self) -> usize {
        if self.per_container() {
            0
        } else {
            self.index()
        }
    }
}

/// A lifecycle operation on a container.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    Start,
    Stop,
    Restart,
    Kill,
    Pause,
    Unpause,
    Remove,
}

impl Action {
    pub fn verb(self) -> &'static str {
        match self {
            Action::Start => "start",
            Action::Stop => "stop",
            Action::Restart => "restart",
            Action::Kill => "kill",
            Action::Pause => "pause",
            Action::Unpause => "unpause",
            Action::Remove => "remove",
        }
    }
}

/// What the UI asks of the worker.
#[derive(Debug, Clone, PartialEq)]
pub enum Request {
    /// Run an action on a container (id, name).
    Act(Action, String, String),
    /// An operation on a container's name or networks, an image, a network or a volume,
    /// typed as the engine interface takes it; its outcome goes to the status line.
    Do(Op),
    /// Show a document over the panes (what `i` and `H` ask for).
    Show(Show),
    /// Keep the details of this container fresh.
    Select(Option<String>),
    /// A compose project's header is selected (None: none is): keep its details and
    /// merged log fresh.
    SelectProject(Option<String>),
    /// A service is selected in the services pane (its ID): keep its tasks fresh.
    SelectService(Option<String>),
    /// Hand the terminal to a shell in this container (the event loop does it).
    Terminal {
        id: String,
        name: String,
        verb: TermVerb,
        /// Hand the whole terminal over (and take it back after) instead of a pane.
        handover: bool,
    },
    /// Run a berth command line (`:` verbs) and show what it printed.
    Command(Vec<String>),
    /// The pane now shown: the worker samples stats or reads the anatomy only for it.
    View(Tab),
    /// Read a file for the editor (a new one if it does not exist).
    OpenFile(String),
    /// Write the editor's text to its file.
    SaveFile { path: String, content: String },
    /// Write the container's whole log to a file.
    SaveLogs {
        id: String,
        name: String,
        timestamps: bool,
    },
    /// Show another engine: the context of this name (the event loop does it).
    SwitchContext(String),
}

pub use super::ops::{ComposeVerb, Op, ServiceVerb, Show};

/// The selected container's ID and the selected project header's name.
type Focus = (Option<String>, Option<String>);

/// What an interactive session runs in a container.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TermVerb {
    /// `berth exec -it ID sh`
    Exec,
    /// `berth attach ID`
    Attach,
}

/// What the chosen item of a picker is for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PickFor {
    /// `n`: the network to connect this container (id, name) to.
    Connect { id: String, name: String },
    /// `N`: the network to disconnect it from.
    Disconnect { id: String, name: String },
    /// `C`: the context to show.
    Context,
}

/// A choice from a list: a network for `n`/`N`, a context for `C`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Picker {
    pub title: String,
    pub items: Vec<String>,
    /// What is shown for each item (empty: the items themselves).
    pub labels: Vec<String>,
    pub selected: usize,
    pub then: PickFor,
}

/// What the text typed at a prompt is for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum InputFor {
    /// `R`: the container's new name.
    Rename { id: String, name: String },
    /// `c`: the image (repository[:tag]) a container is committed to.
    Commit { id: String, name: String },
    /// `t`: another name for an image.
    Tag { image: String },
    /// `F`: a file to edit.
    EditFile,
    /// `P`: an image to pull.
    Pull,
}

/// A line of text being typed for a key (`R` rename).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Input {
    pub prompt: String,
    pub text: String,
    pub then: InputFor,
}

/// Docker's stop timeout: SIGKILL follows SIGTERM after this long (the countdown shown).
pub const STOP_TIMEOUT: Duration = Duration::from_secs(10);

/// A build followed in the images pane: its steps, or (from a backend that sends only
/// Docker's classic text) that text, and how it ended.
#[derive(Debug, Clone, Default)]
pub struct BuildView {
    pub title: String,
    pub steps: crate::format::build_steps::BuildSteps,
    pub classic: Vec<String>,
    /// The image ID, or the error.
    pub outcome: Option<Result<String, String>>,
}

/// A pull or push followed in the images pane: its layer rows and how it ended.
#[derive(Debug, Clone, Default)]
pub struct TransferView {
    pub title: String,
    pub view: crate::format::transfer::Transfer,
    pub outcome: Option<Result<(), String>>,
}

pub struct App {
    pub tab: Tab,
    pub snap: Snapshot,
    /// Selected row per tab.
    pub selected: [usize; TABS.len()],
    pub filter: String,
    pub filtering: bool,
    /// What a y answers to the question in the status line.
    pub confirm: Option<Vec<Request>>,
    pub picker: Option<Picker>,
    pub input: Option<Input>,
    pub help: bool,
    /// How far the right-hand text (anatomy, details) is scrolled, in lines.
    pub scroll: u16,
    /// The `:` command line being typed.
    pub cmdline: Option<String>,
    /// What the last `:` command printed, shown until a key is pressed.
    pub output: Option<String>,
    pub message: String,
    /// Containers being stopped, and since when (for the countdown).
    pub stopping: HashMap<String, Instant>,
    /// Operations running in the worker.
    pub busy: usize,
    pub theme: Theme,
    pub logs: LogView,
    /// The open form (run, network create, volume create), if any.
    pub form: Option<Form>,
    /// The file being edited, if any.
    pub editor: Option<Editor>,
    /// The last file opened in the editor (the build form starts from it).
    pub last_file: Option<String>,
    /// The build started from the images pane, shown in place of the image's details.
    pub build: Option<BuildView>,
    /// The pull or push started from the images pane, shown likewise.
    pub transfer: Option<TransferView>,
    /// The container lists' lines and the filter they were made for (None: to be
    /// made again).
    listing: std::cell::RefCell<Option<(String, Listing)>>,
    /// Compose projects shown as their header only (kept across refreshes).
    pub collapsed: BTreeSet<String>,
    /// The services pane's folded stacks, task selection and asked replica counts.
    pub services: ServicesState,
    /// The selection the worker was last told about: the container and the project
    /// header (None: never told).
    told: Option<Focus>,
    /// Marked containers (space): lifecycle keys act on all of them.
    pub marked: std::collections::BTreeSet<String>,
    /// Rows the last frame drew that a click selects: (row's area, index in the list).
    /// Filled while drawing (hence the cell: drawing reads the state).
    pub hits: std::cell::RefCell<Vec<(ratatui::layout::Rect, usize)>>,
    /// The context shown (its name, or the Docker host given directly).
    pub context: String,
    /// Where the contexts to switch to are kept (the docker CLI's store).
    pub contexts: crate::context::ContextStore,
    pub quit: bool,
}

impl App {
    /// The same TUI on another engine (`C`): what was shown of the last one goes, the
    /// pane and theme stay.
    pub fn switched_to(self, context: String) -> App {
        let mut a = App::new(self.theme);
        a.tab = self.tab;
        a.contexts = self.contexts;
        a.message = format!(
            "showing {context} (`berth context use {context}` makes it the CLI's default too)"
        );
        a.context = context;
        a
    }

    pub fn new(theme: Theme) -> App {
        App {
            tab: Tab::Containers,
            snap: Snapshot::default(),
            selected: [0; TABS.len()],
            filter: String::new(),
            filtering: false,
            confirm: None,
            picker: None,
            input: None,
            help: false,
            scroll: 0,
            cmdline: None,
            output: None,
            message: "? for help".into(),
            stopping: HashMap::new(),
            busy: 0,
            theme,
            logs: LogView::new(),
            form: None,
            editor: None,
            last_file: None,
            build: None,
            transfer: None,
            marked: Default::default(),
            told: None,
            listing: Default::default(),
            collapsed: Default::default(),
            services: Default::default(),
            hits: Default::default(),
            context: crate::context::LOCAL.into(),
            contexts: crate::context::ContextStore::open(),
            quit: false,
        }
    }

    pub fn matches(&self, text: &str) -> bool {
        self.filter.is_empty() || text.to_lowercase().contains(&self.filter.to_lowercase())
    }

    /// How many rows the current tab lists (after the filter).
    pub fn rows(&self) -> usize {
        let s = &self.snap;
        match self.tab {
            t if t.per_container() => self.with_listing(|l| l.lines.len()),
            Tab::Images => s
                .images
                .iter()
                .filter(|i| self.matches(&i.tags.join(" ")))
                .count(),
            Tab::Networks => s.networks.iter().filter(|n| self.matches(&n.name)).count(),
            Tab::Volumes => s.volumes.iter().filter(|v| self.matches(&v.name)).count(),
            Tab::Events => super::panes::events_count(self),
            Tab::Services => self.service_listing().lines.len(),
            _ => 0,
        }
    }

    pub fn selection(&self) -> usize {
        self.selected[self.tab.slot()]
    }

    fn select(&mut self, i: usize) {
        let n = self.rows();
        self.selected[self.tab.slot()] = if n == 0 { 0 } else { i.min(n - 1) };
    }

    /// New data from the worker; the selection stays on range.
    pub fn update(&mut self, snap: Snapshot) {
        // Marks of containers that are gone go with them.
        self.marked
            .retain(|id| snap.containers.iter().any(|c| &c.id == id));
        // A stop is over once the container no longer runs.
        self.stopping.retain(|id, _| {
            snap.containers
                .iter()
                .any(|c| &c.id == id && (c.state == "running" || c.state == "paused"))
        });
        self.follow_services(&snap);
        self.take_snapshot(snap);
        self.clamp_task();
    }

    /// The countdown to SIGKILL of a container being stopped ("stopping… 7s").
    pub fn stop_countdown(&self, id: &str, now: Instant) -> Option<String> {
        let since = self.stopping.get(id)?;
        let left = STOP_TIMEOUT.saturating_sub(now - *since);
        Some(format!("stopping… {}s", left.as_secs()))
    }

    /// The worker read a file for the editor.
    pub fn file_opened(&mut self, path: String, content: String, new: bool) {
        self.busy = self.busy.saturating_sub(1);
        self.message = if new {
            format!("{path}: a new file (Ctrl-S saves, Esc closes)")
        } else {
            format!("{path} (Ctrl-S saves, Esc closes)")
        };
        self.last_file = Some(path.clone());
        self.editor = Some(Editor::new(&path, &content, new, &self.theme));
    }

    /// The worker wrote the editor's file.
    pub fn file_saved(&mut self, path: String, content: String) {
        self.busy = self.busy.saturating_sub(1);
        if let Some(e) = self.editor.as_mut().filter(|e| e.path == path) {
            e.saved(&content);
        }
        self.message = format!("saved {path}");
    }

    /// The worker's answer to an action.
    pub fn done(&mut self, message: String) {
        self.busy = self.busy.saturating_sub(1);
        self.message = message;
    }

    /// A message from the worker; returns what to ask of it in turn (the selected
    /// container changes when the list does, and the worker must follow).
    pub fn receive(&mut self, m: Msg) -> Vec<Request> {
        match m {
            Msg::Snapshot(s) => {
                self.update(*s);
                if self.tab == Tab::Services {
                    return self.service_selection_request();
                }
                // On panes that are not about a container the selection is remembered.
                if self.tab.per_container() && self.told.as_ref() != Some(&self.focus()) {
                    return self.selection_request();
                }
            }
            Msg::Done(text) => self.done(text),
            Msg::Note(text) => self.message = text,
            Msg::Stopping(name) => {
                if let Some(c) = self.snap.containers.iter().find(|c| c.name == name) {
                    self.stopping.insert(c.id.clone(), Instant::now());
                }
            }
            Msg::FileOpened { path, content, new } => self.file_opened(path, content, new),
            Msg::FileSaved { path, content } => self.file_saved(path, content),
            Msg::Logs { id, lines, reset } => self.logs.append(&id, lines, reset),
            Msg::Output(text) => {
                self.done(String::new());
                self.output = Some(text);
            }
            Msg::Build(m) => self.build_progress(m),
            Msg::Transfer(m) => self.transfer_progress(m),
        }
        Vec::new()
    }
}

/// Split a command line into words: whitespace separates, single and double quotes
/// group.
pub fn split_words(s: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut cur = String::new();
    let mut quote: Option<char> = None;
    let mut started = false;
    for c in s.chars() {
        match (quote, c) {
            (Some(q), c) if c == q => quote = None,
            (Some(_), c) => cur.push(c),
            (None, '\'' | '"') => {
                quote = Some(c);
                started = true;
            }
            (None, c) if c.is_whitespace() => {
                if started {
                    out.push(std::mem::take(&mut cur));
                    started = false;
                }
            }
            (None, c) => {
                cur.push(c);
                started = true;
            }
        }
    }
    if started {
        out.push(cur);
    }
    out
}
