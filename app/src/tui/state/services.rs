//! The services pane's lines and what is selected in them: each stack (label
//! `com.docker.stack.namespace`) as a foldable group, like compose projects in the
//! containers pane, then the services of no stack; below, the selected service's tasks,
//! which Enter moves the keys into. The selection follows its service when new data
//! comes, and the worker is told of every change so it reads that service's tasks.

use std::collections::{BTreeSet, HashMap};

use super::*;
use crate::tui::services::{ServiceRow, SwarmView, TaskRow};

/// One line of the services list.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ServiceLine {
    /// A stack's header: an index into [`ServiceListing::stacks`].
    Stack(usize),
    /// A service: an index into the snapshot's service rows.
    Service(usize),
}

/// A stack as the list shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Stack {
    pub name: String,
    pub services: usize,
    /// Its services' running and desired tasks, summed.
    pub running: u64,
    pub desired: u64,
    pub collapsed: bool,
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ServiceListing {
    pub lines: Vec<ServiceLine>,
    pub stacks: Vec<Stack>,
}

/// What the services pane keeps across snapshots.
#[derive(Debug, Clone, Default)]
pub struct ServicesState {
    /// Stacks shown as their header only.
    pub collapsed: BTreeSet<String>,
    /// The selected row of the selected service's tasks, while the keys move there.
    pub task: Option<usize>,
    /// Replica counts `+` and `-` asked for that the data does not show yet: the next
    /// press counts from them, so three quick presses make three more.
    pub asked: HashMap<String, u64>,
    /// The service the worker was last told about (None: never told).
    told: Option<Option<String>>,
}

/// The lines for `rows` the filter lets through: stacks first (by name), each with its
/// services unless folded, then the services of no stack.
pub fn listing(
    rows: &[ServiceRow],
    shown: impl Fn(&ServiceRow) -> bool,
    collapsed: &BTreeSet<String>,
) -> ServiceListing {
    let mut order: Vec<usize> = (0..rows.len()).filter(|&i| shown(&rows[i])).collect();
    // Stable: within a stack, and among the rest, the rows' own (natural) order stays.
    order.sort_by_key(|&i| (rows[i].stack.is_empty(), rows[i].stack.clone()));
    let mut out = ServiceListing::default();
    for i in order {
        let r = &rows[i];
        if r.stack.is_empty() {
            out.lines.push(ServiceLine::Service(i));
            continue;
        }
        if out.stacks.last().is_none_or(|s| s.name != r.stack) {
            out.lines.push(ServiceLine::Stack(out.stacks.len()));
            out.stacks.push(Stack {
                name: r.stack.clone(),
                services: 0,
                running: 0,
                desired: 0,
                collapsed: collapsed.contains(&r.stack),
            });
        }
        if let Some(s) = out.stacks.last_mut() {
            s.services += 1;
            s.running += r.running;
            s.desired += r.desired;
            if !s.collapsed {
                out.lines.push(ServiceLine::Service(i));
            }
        }
    }
    out
}

/// What a line showed, to find it again in new data.
#[derive(PartialEq)]
enum Was {
    Service(String),
    Stack(String),
}

impl App {
    /// The services' rows (none outside a swarm).
    pub fn service_rows(&self) -> &[ServiceRow] {
        match &self.snap.swarm {
            SwarmView::Active(rows) => rows,
            _ => &[],
        }
    }

    /// The services pane's lines for the current filter and folded stacks (a swarm has
    /// few services: made when asked).
    pub fn service_listing(&self) -> ServiceListing {
        listing(
            self.service_rows(),
            |r| self.matches(&format!("{} {} {}", r.name, r.image, r.stack)),
            &self.services.collapsed,
        )
    }

    fn service_line(&self) -> Option<ServiceLine> {
        let i = self.selected[Tab::Services.slot()];
        self.service_listing().lines.get(i).copied()
    }

    pub fn selected_service(&self) -> Option<&ServiceRow> {
        match self.service_line()? {
            ServiceLine::Service(i) => self.service_rows().get(i),
            ServiceLine::Stack(_) => None,
        }
    }

    pub fn selected_stack(&self) -> Option<Stack> {
        match self.service_line()? {
            ServiceLine::Stack(g) => self.service_listing().stacks.get(g).cloned(),
            ServiceLine::Service(_) => None,
        }
    }

    /// The selected service's tasks, once the worker has read them for it.
    pub fn service_tasks(&self) -> &[TaskRow] {
        match (&self.snap.service, self.selected_service()) {
            (Some(d), Some(s)) if d.id == s.id => &d.tasks,
            _ => &[],
        }
    }

    /// The task selected while the keys are in the task table.
    pub fn selected_task(&self) -> Option<&TaskRow> {
        self.service_tasks().get(self.services.task?)
    }

    /// New data: the selection stays on its service (or stack) wherever it moved, the
    /// task selection in range, and counts asked for go once the data shows them.
    pub(super) fn follow_services(&mut self, snap: &Snapshot) {
        let was = match self.service_line() {
            Some(ServiceLine::Service(i)) => self
                .service_rows()
                .get(i)
                .map(|r| Was::Service(r.id.clone())),
            Some(ServiceLine::Stack(g)) => self
                .service_listing()
                .stacks
                .get(g)
                .map(|s| Was::Stack(s.name.clone())),
            None => None,
        };
        let rows: &[ServiceRow] = match &snap.swarm {
            SwarmView::Active(rows) => rows,
            _ => &[],
        };
        self.services.asked.retain(|id, n| {
            rows.iter()
                .any(|r| &r.id == id && r.spec_replicas != Some(*n))
        });
        let new = listing(
            rows,
            |r| self.matches(&format!("{} {} {}", r.name, r.image, r.stack)),
            &self.services.collapsed,
        );
        let found = new.lines.iter().position(|l| match (l, &was) {
            (ServiceLine::Service(i), Some(Was::Service(id))) => rows[*i].id == *id,
            (ServiceLine::Stack(g), Some(Was::Stack(name))) => new.stacks[*g].name == *name,
            _ => false,
        });
        let slot = Tab::Services.slot();
        match found {
            Some(line) => self.selected[slot] = line,
            None => {
                self.selected[slot] = self.selected[slot].min(new.lines.len().saturating_sub(1));
                self.services.task = None;
            }
        }
    }

    /// After new data: the task selection stays in range.
    pub(super) fn clamp_task(&mut self) {
        let n = self.service_tasks().len();
        if let Some(t) = self.services.task.as_mut() {
            *t = (*t).min(n.saturating_sub(1));
        }
    }

    /// Tell the worker which service is selected, when that changed (only on the
    /// services pane: elsewhere it reads none).
    pub(super) fn service_selection_request(&mut self) -> Vec<Request> {
        if self.tab != Tab::Services {
            return Vec::new();
        }
        let id = self.selected_service().map(|s| s.id.clone());
        if self.services.told.as_ref() == Some(&id) {
            return Vec::new();
        }
        self.services.told = Some(id.clone());
        vec![Request::SelectService(id)]
    }

    /// Fold the selected stack (or the selected service's) to its header, or unfold
    /// it; the selection goes to the header.
    pub(super) fn fold_stack(&mut self) {
        let stack = match (self.selected_stack(), self.selected_service()) {
            (Some(s), _) => s.name,
            (None, Some(r)) if !r.stack.is_empty() => r.stack.clone(),
            _ => {
                self.message = "not in a stack".into();
                return;
            }
        };
        if !self.services.collapsed.remove(&stack) {
            self.services.collapsed.insert(stack.clone());
        }
        let l = self.service_listing();
        if let Some(line) = l
            .lines
            .iter()
            .position(|x| matches!(x, ServiceLine::Stack(g) if l.stacks[*g].name == stack))
        {
            self.selected[Tab::Services.slot()] = line;
        }
        self.services.task = None;
    }
}
