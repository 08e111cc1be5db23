//! The services pane's keys: `+`/`-` scale the selected service by one, `S` asks for a
//! replica count, `u` rolls an update (a form with the image and env lines), `B` rolls
//! back to the previous spec, `d` removes (both ask first, as removes do); Enter or
//! space folds a stack, Enter on a service moves the keys into its tasks, where Enter
//! jumps to a task's container, `l` to its logs and Esc back to the services.

use crossterm::event::{KeyCode, KeyEvent};

use super::*;
use crate::tui::services::{ServiceRow, SwarmView};

impl App {
    /// A key on the services pane; None for keys it leaves to the rest (switching
    /// panes, moving in the services list, help, `:`).
    pub(super) fn services_key(&mut self, k: KeyEvent) -> Option<Vec<Request>> {
        if self.services.task.is_some() {
            if let Some(reqs) = self.task_key(k) {
                return Some(reqs);
            }
        }
        let active = matches!(self.snap.swarm, SwarmView::Active(_));
        match k.code {
            KeyCode::Enter | KeyCode::Char(' ') if self.selected_stack().is_some() => {
                self.fold_stack()
            }
            KeyCode::Char('z') => self.fold_stack(),
            KeyCode::Enter => match self.selected_service() {
                Some(s) if self.service_tasks().is_empty() => {
                    self.message = format!("{} has no tasks to show yet", s.name)
                }
                Some(s) => {
                    self.message = format!(
                        "{}'s tasks: Enter its container, l its logs, Esc back",
                        s.name
                    );
                    self.services.task = Some(0);
                }
                None => {}
            },
            KeyCode::Char('+' | '-' | 'S' | 'u' | 'B' | 'd') if !active => {
                self.message = "not in a swarm: `:swarm init` starts one".into()
            }
            KeyCode::Char(c @ ('+' | '-')) => {
                let Some(s) = self.service_or_say() else {
                    return Some(Vec::new());
                };
                return Some(self.scale_by(&s, if c == '+' { 1 } else { -1 }));
            }
            KeyCode::Char('S') => {
                let Some(s) = self.service_or_say() else {
                    return Some(Vec::new());
                };
                match s.spec_replicas {
                    Some(n) => {
                        let n = self.services.asked.get(&s.id).copied().unwrap_or(n);
                        self.form = Some(Form::scale(&s.id, &s.name, n).themed(&self.theme));
                    }
                    None => self.message = format!("{} is global: it runs one task a node", s.name),
                }
            }
            KeyCode::Char('u') => {
                let Some(s) = self.service_or_say() else {
                    return Some(Vec::new());
                };
                self.form = Some(
                    Form::service_update(&s.id, &s.name, &s.image, &s.env).themed(&self.theme),
                );
            }
            KeyCode::Char('B') => {
                let Some(s) = self.service_or_say() else {
                    return Some(Vec::new());
                };
                let op = Op::Service {
                    id: s.id.clone(),
                    name: s.name.clone(),
                    verb: ServiceVerb::Rollback,
                };
                self.message = format!("roll {} back to its previous spec? y/n", s.name);
                self.confirm = Some(vec![Request::Do(op)]);
            }
            KeyCode::Char('d') => {
                let Some(s) = self.service_or_say() else {
                    return Some(Vec::new());
                };
                let op = Op::Service {
                    id: s.id.clone(),
                    name: s.name.clone(),
                    verb: ServiceVerb::Remove,
                };
                self.message = format!("remove service {} and its tasks? y/n", s.name);
                self.confirm = Some(vec![Request::Do(op)]);
            }
            _ => return None,
        }
        Some(Vec::new())
    }

    /// The selected service; on a stack's header, a word on what the keys need.
    fn service_or_say(&mut self) -> Option<ServiceRow> {
        let s = self.selected_service().cloned();
        if s.is_none() {
            self.message = "select a service (a stack's line folds with Enter)".into();
        }
        s
    }

    /// Keys while the task table has them; None for the rest.
    fn task_key(&mut self, k: KeyEvent) -> Option<Vec<Request>> {
        let n = self.service_tasks().len();
        let t = self.services.task.as_mut()?;
        match k.code {
            KeyCode::Down | KeyCode::Char('j') => *t = (*t + 1).min(n.saturating_sub(1)),
            KeyCode::Up | KeyCode::Char('k') => *t = t.saturating_sub(1),
            KeyCode::Home | KeyCode::Char('g') => *t = 0,
            KeyCode::End | KeyCode::Char('G') => *t = n.saturating_sub(1),
            KeyCode::Esc => {
                self.services.task = None;
                self.message = "? for help".into();
            }
            KeyCode::Enter => return Some(self.jump_to_task(Tab::Containers)),
            KeyCode::Char('l') => return Some(self.jump_to_task(Tab::Logs)),
            _ => return None,
        }
        Some(Vec::new())
    }

    /// `+`/`-`: ask for one replica more or less than last asked (or than the spec
    /// says), never below none.
    fn scale_by(&mut self, s: &ServiceRow, by: i64) -> Vec<Request> {
        let Some(spec) = s.spec_replicas else {
            self.message = format!("{} is global: it runs one task a node", s.name);
            return Vec::new();
        };
        let from = self.services.asked.get(&s.id).copied().unwrap_or(spec);
        let Some(n) = from.checked_add_signed(by) else {
            self.message = format!("{} already runs no replicas", s.name);
            return Vec::new();
        };
        self.services.asked.insert(s.id.clone(), n);
        self.start_op(Op::Service {
            id: s.id.clone(),
            name: s.name.clone(),
            verb: ServiceVerb::Scale(n),
        })
    }

    /// Enter (or `l`) on a task: its container, selected in the containers (or logs)
    /// pane. A filter that would hide it is cleared, a folded project unfolded.
    fn jump_to_task(&mut self, tab: Tab) -> Vec<Request> {
        let Some(t) = self.selected_task().cloned() else {
            return Vec::new();
        };
        let name = t.name.trim_start_matches(" \\_ ").to_string();
        let Some(id) = t.container else {
            self.message = format!("{name} has no container yet");
            return Vec::new();
        };
        let Some(i) = self.snap.containers.iter().position(|c| c.id == id) else {
            self.message = format!("{name}'s container is gone");
            return Vec::new();
        };
        let project = self.snap.containers[i].project.clone();
        if self.collapsed.contains(&project) {
            self.toggle_project(&project);
        }
        if self.with_listing(|l| l.line_of_container(i)).is_none() {
            self.filter.clear();
        }
        if let Some(line) = self.with_listing(|l| l.line_of_container(i)) {
            self.selected[Tab::Containers.slot()] = line;
        }
        self.tab = tab;
        self.scroll = 0;
        self.message = format!("{name}: {}", self.snap.containers[i].name);
        let mut out = vec![Request::View(tab)];
        out.extend(self.selection_request());
        out
    }
}
