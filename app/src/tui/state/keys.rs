//! What keys do: the one entry point (`on_key`), which hands the keys of overlays
//! (editor, form, picker, prompt, command line, help) and of the logs pane to them.

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

use super::*;

impl App {
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
                FormOutcome::Submit(op) => {
                    self.form = None;
                    return self.start_op(*op);
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
                KeyCode::Home | KeyCode::Char('g') => p.selected = 0,
                KeyCode::End | KeyCode::Char('G') => p.selected = p.items.len().saturating_sub(1),
                KeyCode::Enter => {
                    let p = self.picker.take().unwrap_or_else(|| unreachable!());
                    if let Some(item) = p.items.get(p.selected).cloned() {
                        let network = item;
                        return match p.then {
                            PickFor::Connect { id, name } => {
                                self.start_op(Op::Connect { network, id, name })
                            }
                            PickFor::Disconnect { id, name } => {
                                self.start_op(Op::Disconnect { network, id, name })
                            }
                            PickFor::Context => {
                                self.message = format!("switching to {network}...");
                                vec![Request::SwitchContext(network)]
                            }
                        };
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
                    let text = inp.text.trim().to_string();
                    if text.is_empty() {
                        return Vec::new();
                    }
                    let op = match inp.then {
                        InputFor::EditFile => {
                            // The file prompt (F): the worker reads it for the editor.
                            self.busy += 1;
                            return vec![Request::OpenFile(inp.text)];
                        }
                        InputFor::Rename { id, name } => Op::Rename {
                            id,
                            name,
                            new_name: text,
                        },
                        InputFor::Commit { id, name } => {
                            let (repo, tag) = crate::tui::ops::split_reference(&text);
                            Op::Commit {
                                id,
                                name,
                                repo,
                                tag,
                            }
                        }
                        InputFor::Pull => Op::Pull(text),
                        InputFor::Tag { image } => {
                            let (repo, tag) = crate::tui::ops::split_reference(&text);
                            Op::Tag { image, repo, tag }
                        }
                    };
                    return self.start_op(op);
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
            let mut out = self.selection_request();
            out.extend(self.service_selection_request());
            return out;
        }
        if self.tab == Tab::Logs {
            if let Some(reqs) = self.logs_key(k) {
                return reqs;
            }
        }
        if self.tab == Tab::Services {
            if let Some(mut reqs) = self.services_key(k) {
                reqs.extend(self.service_selection_request());
                return reqs;
            }
        }
        let before = self.focus();
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
            // Esc clears the filter first, then a finished build's view, then the marks.
            KeyCode::Esc if !self.filter.is_empty() => self.filter.clear(),
            KeyCode::Esc
                if self.tab == Tab::Images
                    && self.build.as_ref().is_some_and(|b| b.outcome.is_some()) =>
            {
                self.build = None
            }
            KeyCode::Esc
                if self.tab == Tab::Images
                    && self.transfer.as_ref().is_some_and(|t| t.outcome.is_some()) =>
            {
                self.transfer = None
            }
            KeyCode::Esc => self.marked.clear(),
            // On a project's header, Enter and space fold it; z folds the selection's.
            KeyCode::Enter | KeyCode::Char(' ') if self.selected_project().is_some() => {
                self.fold_selected()
            }
            KeyCode::Char('z') if self.tab.per_container() => self.fold_selected(),
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
                if let Some(r) = crate::tui::panes::image_at(self, self.selection()) {
                    self.form = Some(Form::run(&r).themed(&self.theme));
                }
            }
            KeyCode::Char('C') => self.pick_context(),
            KeyCode::Char('T') => {
                self.theme = self.theme.next();
                self.message = format!("theme {}", self.theme.name);
            }
            KeyCode::Char(c) => {
                if let Some(reqs) = self.project_key(c) {
                    out.extend(reqs);
                } else if let Some(a) = self.action_for(c) {
                    out.extend(self.ask(a));
                } else {
                    out.extend(self.object_key(c));
                }
            }
            _ => {}
        }
        if self.focus() != before {
            self.scroll = 0;
            out.extend(self.selection_request());
        }
        if self.tab != tab_before {
            self.scroll = 0;
            out.push(Request::View(self.tab));
        }
        out.extend(self.service_selection_request());
        out
    }

    /// Keys of the logs pane; None for keys it leaves to the rest (moving in the list,
    /// switching panes).
    pub(super) fn logs_key(&mut self, k: KeyEvent) -> Option<Vec<Request>> {
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
}

impl App {
    /// `C`: the contexts to switch to, the one shown selected.
    fn pick_context(&mut self) {
        match crate::tui::link::contexts(&self.contexts) {
            Ok(found) => {
                let width = found.iter().map(|(n, _)| n.len()).max().unwrap_or(0);
                let labels = found
                    .iter()
                    .map(|(n, place)| format!("{n:width$}  {place}"))
                    .collect();
                let items: Vec<String> = found.into_iter().map(|(n, _)| n).collect();
                let selected = items.iter().position(|n| *n == self.context).unwrap_or(0);
                self.picker = Some(Picker {
                    title: "show the engine of context".into(),
                    items,
                    labels,
                    selected,
                    then: PickFor::Context,
                });
            }
            Err(e) => self.message = format!("contexts: {e}"),
        }
    }
}
