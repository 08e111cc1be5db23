//! The TUI's one state struct and what keys do to it. Pure: keys go in, requests for
//! the worker come out, so the flows are tested without a terminal or an engine.

use std::collections::HashMap;
use std::time::{Duration, Instant};

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

use super::data::{ContainerRow, Snapshot};
use super::editor::{Editor, EditorOutcome};
use super::forms::{Form, FormOutcome};
use super::logview::LogView;
use super::theme::Theme;
use super::worker::Msg;

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
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Request {
    /// Run an action on a container (id, name).
    Act(Action, String, String),
    /// Keep the details of this container fresh.
    Select(Option<String>),
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
    /// Run a berth command for a key (network connect, rename, rm...): its first line of
    /// output goes to the status line.
    Run(Vec<String>),
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
}

/// What an interactive session runs in a container.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TermVerb {
    /// `berth exec -it ID sh`
    Exec,
    /// `berth attach ID`
    Attach,
}

/// A choice from a list, for `n`/`N` (network connect/disconnect).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Picker {
    pub title: String,
    pub items: Vec<String>,
    pub selected: usize,
    /// The command, the chosen item goes after it, then `tail`.
    pub head: Vec<String>,
    pub tail: Vec<String>,
}

/// A line of text being typed for a key (`R` rename).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Input {
    pub prompt: String,
    pub text: String,
    /// The command; the text goes last. Empty: the text is a file to edit.
    pub head: Vec<String>,
}

/// Docker's stop timeout: SIGKILL follows SIGTERM after this long (the countdown shown).
pub const STOP_TIMEOUT: Duration = Duration::from_secs(10);

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
    /// The containers' listed order and the filter it was made for.
    order: std::cell::RefCell<(Option<String>, Vec<usize>)>,
    /// The selection the worker was last told about (None: never told).
    told: Option<Option<String>>,
    /// Marked containers (space): lifecycle keys act on all of them.
    pub marked: std::collections::BTreeSet<String>,
    /// Rows the last frame drew that a click selects: (row's area, index in the list).
    /// Filled while drawing (hence the cell: drawing reads the state).
    pub hits: std::cell::RefCell<Vec<(ratatui::layout::Rect, usize)>>,
    pub quit: bool,
}

impl App {
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
            marked: Default::default(),
            told: None,
            order: Default::default(),
            hits: Default::default(),
            quit: false,
        }
    }

    pub fn matches(&self, text: &str) -> bool {
        self.filter.is_empty() || text.to_lowercase().contains(&self.filter.to_lowercase())
    }

    /// Containers as listed: filtered, grouped by compose project (ungrouped last).
    pub fn containers(&self) -> Vec<&ContainerRow> {
        self.with_order(|order| order.iter().map(|&i| &self.snap.containers[i]).collect())
    }

    /// The listed order (indexes into the snapshot) for the current filter: sorted and
    /// filtered once per snapshot and filter, not on every call a frame makes.
    fn with_order<R>(&self, f: impl FnOnce(&[usize]) -> R) -> R {
        let mut cache = self.order.borrow_mut();
        if cache.0.as_deref() != Some(self.filter.as_str()) {
            let c = &self.snap.containers;
            let mut v: Vec<usize> = (0..c.len())
                .filter(|&i| {
                    let c = &c[i];
                    self.matches(&format!(
                        "{} {} {} {}",
                        c.name, c.image, c.status, c.project
                    ))
                })
                .collect();
            v.sort_by(|&a, &b| {
                let (a, b) = (&c[a], &c[b]);
                (a.project.is_empty(), &a.project, &a.name).cmp(&(
                    b.project.is_empty(),
                    &b.project,
                    &b.name,
                ))
            });
            *cache = (Some(self.filter.clone()), v);
        }
        f(&cache.1)
    }

    /// How many rows the current tab lists (after the filter).
    pub fn rows(&self) -> usize {
        let s = &self.snap;
        match self.tab {
            t if t.per_container() => self.with_order(|o| o.len()),
            Tab::Images => s
                .images
                .iter()
                .filter(|i| self.matches(&i.tags.join(" ")))
                .count(),
            Tab::Networks => s.networks.iter().filter(|n| self.matches(&n.name)).count(),
            Tab::Volumes => s.volumes.iter().filter(|v| self.matches(&v.name)).count(),
            Tab::Events => super::panes::events_count(self),
            _ => 0,
        }
    }

    pub fn selection(&self) -> usize {
        self.selected[self.tab.slot()]
    }

    pub fn selected_container(&self) -> Option<&ContainerRow> {
        if !self.tab.per_container() {
            return None;
        }
        let i = self.with_order(|o| o.get(self.selection()).copied())?;
        self.snap.containers.get(i)
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
        self.snap = snap;
        *self.order.get_mut() = (None, Vec::new());
        let keep = self.selection();
        self.select(keep);
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

    pub fn on_key(&mut self, k: KeyEvent) -> Vec<Request> {
        // The editor and forms take every key first (Ctrl-C included: it must not lose
        // an unsaved file).
        if let Some(e) = self.editor.as_mut() {
            match e.on_key(k) {
                EditorOutcome::Editing => {
                    if e.warned {
                        self.message = "unsaved changes: Ctrl-S saves, Esc again discards".into();
                    }
                }
                EditorOutcome::Close => {
                    self.editor = None;
                    self.message = "closed the editor".into();
                }
                EditorOutcome::Save(path, content) => {
                    self.busy += 1;
                    self.message = format!("saving {path}...");
                    return vec![Request::SaveFile { path, content }];
                }
            }
            return Vec::new();
        }
        if let Some(f) = self.form.as_mut() {
            match f.on_key(k) {
                FormOutcome::Editing => {}
                FormOutcome::Cancelled => self.form = None,
                FormOutcome::Submit(words) => {
                    self.form = None;
                    return self.run(words);
                }
            }
            return Vec::new();
        }
        if k.code == KeyCode::Char('c') && k.modifiers.contains(KeyModifiers::CONTROL) {
            self.quit = true;
            return Vec::new();
        }
        if let Some(reqs) = self.confirm.take() {
            if matches!(k.code, KeyCode::Char('y') | KeyCode::Char('Y')) {
                self.busy += reqs.len();
                self.message = "working...".into();
                return reqs;
            }
            self.message = "cancelled".into();
            return Vec::new();
        }
        if let Some(p) = self.picker.as_mut() {
            match k.code {
                KeyCode::Down | KeyCode::Char('j') => {
                    p.selected = (p.selected + 1).min(p.items.len().saturating_sub(1))
                }
                KeyCode::Up | KeyCode::Char('k') => p.selected = p.selected.saturating_sub(1),
                KeyCode::Enter => {
                    let p = self.picker.take().unwrap_or_else(|| unreachable!());
                    if let Some(item) = p.items.get(p.selected) {
                        let mut words = p.head.clone();
                        words.push(item.clone());
                        words.extend(p.tail.iter().cloned());
                        return self.run(words);
                    }
                }
                _ => self.picker = None,
            }
            return Vec::new();
        }
        if let Some(inp) = self.input.as_mut() {
            match k.code {
                KeyCode::Esc => self.input = None,
                KeyCode::Backspace => {
                    inp.text.pop();
                }
                KeyCode::Char(c) => inp.text.push(c),
                KeyCode::Enter => {
                    let inp = self.input.take().unwrap_or_else(|| unreachable!());
                    if inp.head.is_empty() && !inp.text.is_empty() {
                        // The file prompt (F): the worker reads it for the editor.
                        self.busy += 1;
                        return vec![Request::OpenFile(inp.text)];
                    }
                    if !inp.text.is_empty() {
                        let mut words = inp.head;
                        words.push(inp.text);
                        return self.run(words);
                    }
                }
                _ => {}
            }
            return Vec::new();
        }
        if self.help || self.output.is_some() {
            // Both may be longer than the screen: j/k and the page keys scroll them.
            match k.code {
                KeyCode::Down | KeyCode::Char('j') => self.scroll = self.scroll.saturating_add(1),
                KeyCode::Up | KeyCode::Char('k') => self.scroll = self.scroll.saturating_sub(1),
                KeyCode::PageDown => self.scroll = self.scroll.saturating_add(10),
                KeyCode::PageUp => self.scroll = self.scroll.saturating_sub(10),
                _ => {
                    self.help = false;
                    self.output = None;
                    self.scroll = 0;
                }
            }
            return Vec::new();
        }
        if let Some(line) = self.cmdline.as_mut() {
            match k.code {
                KeyCode::Esc => self.cmdline = None,
                KeyCode::Backspace => {
                    line.pop();
                }
                KeyCode::Char(c) => line.push(c),
                KeyCode::Enter => {
                    let text = self.cmdline.take().unwrap_or_default();
                    let words = split_words(&text);
                    let words: Vec<String> = match words.first().map(String::as_str) {
                        // `:berth ps` and `:docker ps` mean `:ps`.
                        Some("berth") | Some("docker") => words[1..].to_vec(),
                        _ => words,
                    };
                    if words.is_empty() {
                        return Vec::new();
                    }
                    self.busy += 1;
                    self.message = format!("berth {}...", words.join(" "));
                    return vec![Request::Command(words)];
                }
                _ => {}
            }
            return Vec::new();
        }
        if self.filtering {
            match k.code {
                KeyCode::Esc => {
                    self.filtering = false;
                    self.filter.clear();
                }
                KeyCode::Enter => self.filtering = false,
                KeyCode::Backspace => {
                    self.filter.pop();
                }
                KeyCode::Char(c) => self.filter.push(c),
                _ => {}
            }
            self.select(0);
            return self.selection_request();
        }
        if self.tab == Tab::Logs {
            if let Some(reqs) = self.logs_key(k) {
                return reqs;
            }
        }
        let before = self.selected_container().map(|c| c.id.clone());
        let tab_before = self.tab;
        let mut out = Vec::new();
        match k.code {
            KeyCode::Char('q') => self.quit = true,
            KeyCode::Char('?') => {
                self.help = true;
                self.scroll = 0;
            }
            KeyCode::Char(':') => self.cmdline = Some(String::new()),
            KeyCode::Char(c @ ('e' | 'E' | 'a' | 'A')) if self.tab.per_container() => {
                let verb = if c.eq_ignore_ascii_case(&'e') {
                    TermVerb::Exec
                } else {
                    TermVerb::Attach
                };
                if let Some(ctr) = self.selected_container().filter(|c| c.state == "running") {
                    out.push(Request::Terminal {
                        id: ctr.id.clone(),
                        name: ctr.name.clone(),
                        verb,
                        handover: c.is_ascii_uppercase(),
                    });
                } else {
                    self.message = "select a running container".into();
                }
            }
            KeyCode::Char('/') => {
                self.filtering = true;
                self.filter.clear();
            }
            // Esc clears the filter first, then the marks.
            KeyCode::Esc if !self.filter.is_empty() => self.filter.clear(),
            KeyCode::Esc => self.marked.clear(),
            KeyCode::Char(' ') if self.tab == Tab::Containers => {
                if let Some(id) = self.selected_container().map(|c| c.id.clone()) {
                    if !self.marked.remove(&id) {
                        self.marked.insert(id);
                    }
                    self.message = format!(
                        "{} marked: s x r K p d act on them all (Esc clears)",
                        self.marked.len()
                    );
                    self.select(self.selection() + 1);
                }
            }
            KeyCode::Tab | KeyCode::Right => self.tab = TABS[(self.tab.index() + 1) % TABS.len()],
            KeyCode::BackTab | KeyCode::Left => {
                self.tab = TABS[(self.tab.index() + TABS.len() - 1) % TABS.len()]
            }
            KeyCode::Char(c @ '0'..='9') => {
                self.tab = TABS[((c as usize) - ('0' as usize) + 9) % 10];
            }
            KeyCode::Down | KeyCode::Char('j') => self.select(self.selection() + 1),
            KeyCode::Up | KeyCode::Char('k') => self.select(self.selection().saturating_sub(1)),
            KeyCode::PageDown => self.scroll = self.scroll.saturating_add(10),
            KeyCode::PageUp => self.scroll = self.scroll.saturating_sub(10),
            KeyCode::Char('d') if k.modifiers.contains(KeyModifiers::CONTROL) => {
                self.scroll = self.scroll.saturating_add(10)
            }
            KeyCode::Char('u') if k.modifiers.contains(KeyModifiers::CONTROL) => {
                self.scroll = self.scroll.saturating_sub(10)
            }
            KeyCode::Home | KeyCode::Char('g') => self.select(0),
            KeyCode::End | KeyCode::Char('G') => self.select(usize::MAX),
            KeyCode::Enter if self.tab == Tab::Images => {
                if let Some(r) = super::panes::image_at(self, self.selection()) {
                    self.form = Some(Form::run(&r).themed(&self.theme));
                }
            }
            KeyCode::Char('T') => {
                self.theme = self.theme.next();
                self.message = format!("theme {}", self.theme.name);
            }
            KeyCode::Char(c) => {
                if let Some(a) = self.action_for(c) {
                    out.extend(self.ask(a));
                } else {
                    out.extend(self.object_key(c));
                }
            }
            _ => {}
        }
        if self.selected_container().map(|c| c.id.clone()) != before {
            self.scroll = 0;
            out.extend(self.selection_request());
        }
        if self.tab != tab_before {
            self.scroll = 0;
            out.push(Request::View(self.tab));
        }
        out
    }

    /// Keys of the logs pane; None for keys it leaves to the rest (moving in the list,
    /// switching panes).
    fn logs_key(&mut self, k: KeyEvent) -> Option<Vec<Request>> {
        let ctrl = k.modifiers.contains(KeyModifiers::CONTROL);
        let l = &mut self.logs;
        if l.searching {
            match k.code {
                KeyCode::Esc => {
                    l.searching = false;
                    l.search.clear();
                }
                KeyCode::Enter => l.searching = false,
                KeyCode::Backspace => {
                    l.search.pop();
                }
                KeyCode::Char(c) => l.search.push(c),
                _ => {}
            }
            return Some(Vec::new());
        }
        match k.code {
            KeyCode::Char('/') => {
                l.searching = true;
                l.search.clear();
            }
            KeyCode::Esc if !l.search.is_empty() => l.search.clear(),
            KeyCode::Char('f') | KeyCode::End => {
                if k.code == KeyCode::End && l.following() {
                    return Some(Vec::new());
                }
                l.toggle_follow();
                self.message = if self.logs.following() {
                    "following the log".into()
                } else {
                    "paused (f follows again)".into()
                };
            }
            KeyCode::Char('t') => l.timestamps = !l.timestamps,
            KeyCode::Char('w') => l.wrap = !l.wrap,
            KeyCode::Char('n') | KeyCode::Char('N') => {
                let forward = k.code == KeyCode::Char('n');
                if !l.jump(forward) {
                    self.message = if l.search.is_empty() {
                        "/ to search first".into()
                    } else {
                        format!("no more matches of {:?}", l.search)
                    };
                }
            }
            KeyCode::PageUp => l.scroll(-10),
            KeyCode::PageDown => l.scroll(10),
            KeyCode::Char('u') if ctrl => l.scroll(-10),
            KeyCode::Char('d') if ctrl => l.scroll(10),
            KeyCode::Char('S') => {
                let c = self.selected_container()?;
                let (id, name) = (c.id.clone(), c.name.clone());
                self.busy += 1;
                self.message = format!("saving {name}'s log...");
                return Some(vec![Request::SaveLogs {
                    id,
                    name,
                    timestamps: self.logs.timestamps,
                }]);
            }
            _ => return None,
        }
        Some(Vec::new())
    }

    /// A click at (column, row): select the list row drawn there.
    pub fn click(&mut self, column: u16, row: u16) -> Vec<Request> {
        let pos = ratatui::layout::Position { x: column, y: row };
        let hit = self
            .hits
            .borrow()
            .iter()
            .find(|(r, _)| r.contains(pos))
            .map(|(_, i)| *i);
        let Some(i) = hit else {
            return Vec::new();
        };
        let before = self.selected_container().map(|c| c.id.clone());
        self.select(i);
        if self.selected_container().map(|c| c.id.clone()) != before {
            self.scroll = 0;
            return self.selection_request();
        }
        Vec::new()
    }

    fn selection_request(&mut self) -> Vec<Request> {
        let id = self.selected_container().map(|c| c.id.clone());
        self.told = Some(id.clone());
        vec![Request::Select(id)]
    }

    /// A message from the worker; returns what to ask of it in turn (the selected
    /// container changes when the list does, and the worker must follow).
    pub fn receive(&mut self, m: Msg) -> Vec<Request> {
        match m {
            Msg::Snapshot(s) => {
                self.update(*s);
                let id = self.selected_container().map(|c| c.id.clone());
                // On panes that are not about a container the selection is remembered.
                if self.tab.per_container() && self.told.as_ref() != Some(&id) {
                    return self.selection_request();
                }
            }
            Msg::Done(text) => self.done(text),
            Msg::FileOpened { path, content, new } => self.file_opened(path, content, new),
            Msg::FileSaved { path, content } => self.file_saved(path, content),
            Msg::Logs { id, lines, reset } => self.logs.append(&id, lines, reset),
            Msg::Output(text) => {
                self.done(String::new());
                self.output = Some(text);
            }
        }
        Vec::new()
    }

    fn action_for(&self, c: char) -> Option<Action> {
        self.selected_container()?;
        match c {
            's' => Some(Action::Start),
            'x' => Some(Action::Stop),
            'r' => Some(Action::Restart),
            'K' => Some(Action::Kill),
            'p' => Some(Action::Pause),
            'd' => Some(Action::Remove),
            _ => None,
        }
    }

    /// The containers a lifecycle key acts on: the marked ones (in list order), else the
    /// selected one. (id, name, state)
    fn targets(&self) -> Vec<(String, String, String)> {
        let list = self.containers();
        let marked: Vec<_> = list
            .iter()
            .filter(|c| self.marked.contains(&c.id))
            .map(|c| (c.id.clone(), c.name.clone(), c.state.clone()))
            .collect();
        if !marked.is_empty() {
            return marked;
        }
        self.selected_container()
            .map(|c| vec![(c.id.clone(), c.name.clone(), c.state.clone())])
            .unwrap_or_default()
    }

    /// Remove and kill ask first; the rest go at once. `p` pauses each running one and
    /// unpauses each paused one.
    fn ask(&mut self, a: Action) -> Vec<Request> {
        let targets = self.targets();
        let Some(first) = targets.first() else {
            return Vec::new();
        };
        let what = if targets.len() == 1 {
            first.1.clone()
        } else {
            format!("{} containers", targets.len())
        };
        let reqs: Vec<Request> = targets
            .iter()
            .map(|(id, name, state)| {
                let a = match a {
                    Action::Pause if state == "paused" => Action::Unpause,
                    a => a,
                };
                Request::Act(a, id.clone(), name.clone())
            })
            .collect();
        if matches!(a, Action::Remove | Action::Kill) {
            self.message = format!("{} {what}? y/n", a.verb());
            if matches!(a, Action::Remove) {
                for (id, ..) in &targets {
                    self.stopping.remove(id);
                }
            }
            self.confirm = Some(reqs);
            return Vec::new();
        }
        if matches!(a, Action::Stop | Action::Restart) {
            for (id, ..) in &targets {
                self.stopping.insert(id.clone(), Instant::now());
            }
        }
        self.busy += reqs.len();
        self.message = format!("{} {what}...", a.verb());
        reqs
    }

    fn run(&mut self, words: Vec<String>) -> Vec<Request> {
        self.busy += 1;
        self.message = format!("berth {}...", words.join(" "));
        vec![Request::Run(words)]
    }

    fn confirm_run(&mut self, question: String, words: Vec<String>) -> Vec<Request> {
        self.message = format!("{question} y/n");
        self.confirm = Some(vec![Request::Run(words)]);
        Vec::new()
    }

    /// Keys on the selected container's networks and name, and on images, networks and
    /// volumes. They run berth's own commands (the same code as the CLI).
    fn object_key(&mut self, c: char) -> Vec<Request> {
        let s = |x: &str| x.to_string();
        match (self.tab, c) {
            (Tab::Containers, 'n' | 'N') => {
                let Some(ctr) = self.selected_container() else {
                    return Vec::new();
                };
                let (id, name, on) = (ctr.id.clone(), ctr.name.clone(), ctr.networks.clone());
                let items: Vec<String> = if c == 'n' {
                    self.snap
                        .networks
                        .iter()
                        .map(|n| n.name.clone())
                        .filter(|n| !on.contains(n) && n != "host" && n != "none")
                        .collect()
                } else {
                    on
                };
                if items.is_empty() {
                    self.message = format!("{name}: no network to choose");
                    return Vec::new();
                }
                let verb = if c == 'n' { "connect" } else { "disconnect" };
                self.picker = Some(Picker {
                    title: format!("{verb} {name} to/from"),
                    items,
                    selected: 0,
                    head: vec![s("network"), s(verb)],
                    tail: vec![id],
                });
                Vec::new()
            }
            (Tab::Containers, 'c') => {
                if let Some(ctr) = self.selected_container() {
                    self.input = Some(Input {
                        prompt: format!("commit {} as (repository[:tag])", ctr.name),
                        text: String::new(),
                        head: vec![s("commit"), ctr.id.clone()],
                    });
                }
                Vec::new()
            }
            (t, 'i') if t.per_container() => match self.selected_container() {
                Some(ctr) => {
                    let words = vec![s("inspect"), ctr.id.clone()];
                    self.busy += 1;
                    vec![Request::Command(words)]
                }
                None => Vec::new(),
            },
            (t, 'l') if t.per_container() => {
                self.tab = Tab::Logs;
                Vec::new()
            }
            (Tab::Images, 't') => match super::panes::image_at(self, self.selection()) {
                Some(r) => {
                    self.input = Some(Input {
                        prompt: format!("tag {r} as"),
                        text: String::new(),
                        head: vec![s("tag"), r],
                    });
                    Vec::new()
                }
                None => Vec::new(),
            },
            (_, 'F') => {
                self.input = Some(Input {
                    prompt: "edit file".into(),
                    text: "Dockerfile".into(),
                    head: Vec::new(),
                });
                Vec::new()
            }
            (Tab::Networks, 'c') => {
                self.form = Some(Form::network_create().themed(&self.theme));
                Vec::new()
            }
            (Tab::Volumes, 'c') => {
                self.form = Some(Form::volume_create().themed(&self.theme));
                Vec::new()
            }
            (Tab::Images, 'H') => match super::panes::image_at(self, self.selection()) {
                Some(r) => {
                    self.busy += 1;
                    vec![Request::Command(vec![s("history"), r])]
                }
                None => Vec::new(),
            },
            (Tab::Containers, 'R') => {
                if let Some(ctr) = self.selected_container() {
                    self.input = Some(Input {
                        prompt: format!("rename {} to", ctr.name),
                        text: String::new(),
                        head: vec![s("rename"), ctr.id.clone()],
                    });
                }
                Vec::new()
            }
            (Tab::Images, 'd') => match super::panes::image_at(self, self.selection()) {
                Some(r) => self.confirm_run(format!("remove image {r}?"), vec![s("rmi"), r]),
                None => Vec::new(),
            },
            (Tab::Networks, 'd') => match super::panes::network_at(self, self.selection()) {
                Some(n) => self.confirm_run(
                    format!("remove network {n}?"),
                    vec![s("network"), s("rm"), n],
                ),
                None => Vec::new(),
            },
            (Tab::Volumes, 'd') => match super::panes::volume_at(self, self.selection()) {
                Some(v) => {
                    self.confirm_run(format!("remove volume {v}?"), vec![s("volume"), s("rm"), v])
                }
                None => Vec::new(),
            },
            (Tab::Networks, 'P') => self.confirm_run(
                "remove every unused network?".into(),
                vec![s("network"), s("prune"), s("-f")],
            ),
            (Tab::Volumes, 'P') => self.confirm_run(
                "remove every unused volume?".into(),
                vec![s("volume"), s("prune"), s("-f")],
            ),
            _ => Vec::new(),
        }
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

#[cfg(test)]
mod tests {
    use super::*;
    use crossterm::event::KeyEvent;

    fn key(c: char) -> KeyEvent {
        KeyEvent::new(KeyCode::Char(c), KeyModifiers::NONE)
    }

    pub fn fixture() -> Snapshot {
        let row = |id: &str, name: &str, state: &str, project: &str| ContainerRow {
            id: id.into(),
            name: name.into(),
            image: "busybox".into(),
            status: if state == "running" {
                "Up 2 minutes".into()
            } else {
                "Exited (0) 1 minute ago".into()
            },
            state: state.into(),
            project: project.into(),
            ..Default::default()
        };
        Snapshot {
            containers: vec![
                row("c1", "web", "running", ""),
                row("c2", "db", "exited", "shop"),
                row("c3", "api", "running", "shop"),
            ],
            ..Default::default()
        }
    }

    #[test]
    fn containers_group_by_project_and_filter() {
        let mut app = App::new(Theme::built_in("dark").unwrap());
        app.update(fixture());
        let names: Vec<&str> = app.containers().iter().map(|c| c.name.as_str()).collect();
        assert_eq!(names, ["api", "db", "web"]);
        app.on_key(key('/'));
        for c in "we".chars() {
            app.on_key(key(c));
        }
        app.on_key(KeyEvent::new(KeyCode::Enter, KeyModifiers::NONE));
        assert_eq!(app.containers().len(), 1);
        assert_eq!(app.selected_container().unwrap().name, "web");
    }

    #[test]
    fn stop_runs_at_once_with_a_countdown_and_remove_asks_first() {
        let mut app = App::new(Theme::built_in("dark").unwrap());
        app.update(fixture());
        // api is first (project shop); stop it.
        let r = app.on_key(key('x'));
        assert_eq!(
            r,
            vec![Request::Act(Action::Stop, "c3".into(), "api".into())]
        );
        let t = app.stop_countdown("c3", Instant::now()).unwrap();
        assert!(t.starts_with("stopping… "), "{t}");
        // Remove: nothing until y.
        let r = app.on_key(key('j'));
        assert_eq!(r, vec![Request::Select(Some("c2".into()))]);
        assert!(app.on_key(key('d')).is_empty());
        assert!(app.message.contains("remove db? y/n"));
        assert_eq!(
            app.on_key(key('y')),
            vec![Request::Act(Action::Remove, "c2".into(), "db".into())]
        );
        // n cancels.
        app.on_key(key('K'));
        assert!(app.on_key(key('n')).is_empty());
        assert!(app.message.contains("cancelled"));
        // The countdown ends when the container stops.
        let mut s = fixture();
        s.containers[2].state = "exited".into();
        app.update(s);
        assert!(app.stop_countdown("c3", Instant::now()).is_none());
    }

    #[test]
    fn the_command_line_runs_berth_verbs_and_e_execs() {
        let mut app = App::new(Theme::built_in("dark").unwrap());
        app.update(fixture());
        app.on_key(key(':'));
        for c in "docker network create 'my net'".chars() {
            app.on_key(key(c));
        }
        let r = app.on_key(KeyEvent::new(KeyCode::Enter, KeyModifiers::NONE));
        assert_eq!(
            r,
            vec![Request::Command(vec![
                "network".into(),
                "create".into(),
                "my net".into()
            ])]
        );
        assert_eq!(
            app.on_key(key('e')),
            vec![Request::Terminal {
                id: "c3".into(),
                name: "api".into(),
                verb: TermVerb::Exec,
                handover: false
            }]
        );
        app.output = Some("done".into());
        assert!(
            app.on_key(key('x')).is_empty(),
            "a key first closes the output"
        );
        assert!(app.output.is_none());
    }

    #[test]
    fn network_picker_rename_and_object_removal() {
        let mut app = App::new(Theme::built_in("dark").unwrap());
        let mut s = fixture();
        s.containers[2].networks = vec!["bridge".into()];
        s.networks = ["bridge", "host", "back"]
            .iter()
            .map(|n| crate::tui::data::NetworkRow {
                name: n.to_string(),
                ..Default::default()
            })
            .collect();
        app.update(s);
        // api is selected (project shop first); connect it to the only choice, back.
        assert!(app.on_key(key('n')).is_empty());
        assert_eq!(app.picker.as_ref().unwrap().items, vec!["back".to_string()]);
        let r = app.on_key(KeyEvent::new(KeyCode::Enter, KeyModifiers::NONE));
        assert_eq!(
            r,
            vec![Request::Run(vec![
                "network".into(),
                "connect".into(),
                "back".into(),
                "c3".into()
            ])]
        );
        app.on_key(key('R'));
        for c in "edge".chars() {
            app.on_key(key(c));
        }
        let r = app.on_key(KeyEvent::new(KeyCode::Enter, KeyModifiers::NONE));
        assert_eq!(
            r,
            vec![Request::Run(vec![
                "rename".into(),
                "c3".into(),
                "edge".into()
            ])]
        );
        app.on_key(key('3'));
        app.on_key(key('j'));
        app.on_key(key('j'));
        assert!(app.on_key(key('d')).is_empty());
        assert!(
            app.message.contains("remove network back? y/n"),
            "{}",
            app.message
        );
        assert_eq!(
            app.on_key(key('y')),
            vec![Request::Run(vec![
                "network".into(),
                "rm".into(),
                "back".into()
            ])]
        );
    }

    #[test]
    fn marked_containers_act_together() {
        let mut app = App::new(Theme::built_in("dark").unwrap());
        app.update(fixture());
        // api (paused? no: running) and db marked with space; web stays unmarked.
        app.on_key(key(' '));
        app.on_key(key(' '));
        assert_eq!(app.marked.len(), 2);
        assert_eq!(app.selected_container().unwrap().name, "web");
        let r = app.on_key(key('s'));
        assert_eq!(
            r,
            vec![
                Request::Act(Action::Start, "c3".into(), "api".into()),
                Request::Act(Action::Start, "c2".into(), "db".into()),
            ]
        );
        assert!(app.on_key(key('d')).is_empty());
        assert!(
            app.message.contains("remove 2 containers? y/n"),
            "{}",
            app.message
        );
        assert_eq!(app.on_key(key('y')).len(), 2);
        // Esc clears the marks: keys act on the selection again.
        app.on_key(KeyEvent::new(KeyCode::Esc, KeyModifiers::NONE));
        assert!(app.marked.is_empty());
        assert_eq!(
            app.on_key(key('x')),
            vec![Request::Act(Action::Stop, "c1".into(), "web".into())]
        );
    }

    #[test]
    fn commit_tag_history_and_inspect_run_berth_verbs() {
        let mut app = App::new(Theme::built_in("dark").unwrap());
        let mut s = fixture();
        s.images = vec![crate::tui::data::ImageRow {
            id: "sha256:abc".into(),
            tags: vec!["demo/busybox:latest".into()],
            ..Default::default()
        }];
        app.update(s);
        app.on_key(key('c'));
        for c in "snap:1".chars() {
            app.on_key(key(c));
        }
        let r = app.on_key(KeyEvent::new(KeyCode::Enter, KeyModifiers::NONE));
        assert_eq!(
            r,
            vec![Request::Run(vec![
                "commit".into(),
                "c3".into(),
                "snap:1".into()
            ])]
        );
        assert_eq!(
            app.on_key(key('i')),
            vec![Request::Command(vec!["inspect".into(), "c3".into()])]
        );
        app.on_key(key('2'));
        assert_eq!(
            app.on_key(key('H')),
            vec![Request::Command(vec![
                "history".into(),
                "demo/busybox:latest".into()
            ])]
        );
        app.on_key(key('t'));
        for c in "mine:v2".chars() {
            app.on_key(key(c));
        }
        let r = app.on_key(KeyEvent::new(KeyCode::Enter, KeyModifiers::NONE));
        assert_eq!(
            r,
            vec![Request::Run(vec![
                "tag".into(),
                "demo/busybox:latest".into(),
                "mine:v2".into()
            ])]
        );
    }

    #[test]
    fn tabs_help_theme_and_quit() {
        let mut app = App::new(Theme::built_in("dark").unwrap());
        app.on_key(key('2'));
        assert_eq!(app.tab, Tab::Images);
        app.on_key(KeyEvent::new(KeyCode::BackTab, KeyModifiers::SHIFT));
        assert_eq!(app.tab, Tab::Containers);
        app.on_key(key('?'));
        assert!(app.help);
        app.on_key(key('z'));
        assert!(!app.help);
        app.on_key(key('T'));
        assert_eq!(app.theme.name, "light");
        app.on_key(key('q'));
        assert!(app.quit);
    }
}
