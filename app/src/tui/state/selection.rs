//! The container lists' lines and what is selected in them: a container, or a compose
//! project's header. The lines are made once per snapshot, filter and fold (groups.rs);
//! the selection follows what it was on when new data comes, and the worker is told of
//! every change.

use super::*;

/// What a line showed, to find it again in a new list.
enum Selected {
    Container(String),
    Project(String),
}

impl App {
    /// Containers as listed: filtered, grouped by compose project (ungrouped last),
    /// those of collapsed projects too.
    pub fn containers(&self) -> Vec<&ContainerRow> {
        self.with_listing(|l| {
            l.containers
                .iter()
                .map(|&i| &self.snap.containers[i])
                .collect()
        })
    }

    /// The container lists' lines for the current filter and collapsed projects: made
    /// once per snapshot, filter and collapse, not on every call a frame makes.
    pub fn with_listing<R>(&self, f: impl FnOnce(&Listing) -> R) -> R {
        let stale = self
            .listing
            .borrow()
            .as_ref()
            .is_none_or(|(filter, _)| *filter != self.filter);
        if stale {
            let listing = groups::build(
                &self.snap.containers,
                |c| {
                    self.matches(&format!(
                        "{} {} {} {}",
                        c.name, c.image, c.status, c.project
                    ))
                },
                &self.collapsed,
            );
            *self.listing.borrow_mut() = Some((self.filter.clone(), listing));
        }
        // Only read from here on: `f` may look at the listing again.
        let cache = self.listing.borrow();
        match cache.as_ref() {
            Some((_, l)) => f(l),
            None => f(&Listing::default()),
        }
    }

    /// The lines must be made again (new data, a project collapsed).
    pub(super) fn relist(&mut self) {
        *self.listing.get_mut() = None;
    }

    /// The line selected in the container lists (on a tab about containers).
    pub fn selected_line(&self) -> Option<Line> {
        if !self.tab.per_container() {
            return None;
        }
        self.with_listing(|l| l.lines.get(self.selection()).copied())
    }

    pub fn selected_container(&self) -> Option<&ContainerRow> {
        match self.selected_line()? {
            Line::Container(i) => self.snap.containers.get(i),
            Line::Project(_) => None,
        }
    }

    /// The compose project whose header is selected.
    pub fn selected_project(&self) -> Option<Group> {
        match self.selected_line()? {
            Line::Project(g) => self.with_listing(|l| l.groups.get(g).cloned()),
            Line::Container(_) => None,
        }
    }

    /// What the selection is about: a container, or a project's header.
    pub(super) fn focus(&self) -> Focus {
        (
            self.selected_container().map(|c| c.id.clone()),
            self.selected_project().map(|g| g.name),
        )
    }

    /// Replace the snapshot; the selection stays on what it was on (a container, a
    /// project), wherever the new list puts it, or on its line if that is gone.
    pub(super) fn take_snapshot(&mut self, snap: Snapshot) {
        let slot = Tab::Containers.slot();
        let was = self.with_listing(|l| l.lines.get(self.selected[slot]).copied());
        let was = match was {
            Some(Line::Container(i)) => self
                .snap
                .containers
                .get(i)
                .map(|c| Selected::Container(c.id.clone())),
            Some(Line::Project(g)) => {
                self.with_listing(|l| l.groups.get(g).map(|g| Selected::Project(g.name.clone())))
            }
            None => None,
        };
        self.snap = snap;
        self.relist();
        let now = self.with_listing(|l| match &was {
            Some(Selected::Project(project)) => l.line_of_project(project),
            Some(Selected::Container(id)) => (0..self.snap.containers.len())
                .find(|&i| &self.snap.containers[i].id == id)
                .and_then(|i| l.line_of_container(i)),
            None => None,
        });
        if let Some(line) = now {
            self.selected[slot] = line;
        }
        let keep = self.selection();
        self.select(keep);
    }

    /// Collapse or expand `project`; the selection goes to its header if it was on one
    /// of the containers hidden.
    pub fn toggle_project(&mut self, project: &str) {
        if !self.collapsed.remove(project) {
            self.collapsed.insert(project.to_string());
        }
        let on_member = self
            .selected_container()
            .is_some_and(|c| c.project == project);
        self.relist();
        if on_member || self.selected_project().is_some_and(|g| g.name == project) {
            if let Some(line) = self.with_listing(|l| l.line_of_project(project)) {
                self.selected[Tab::Containers.slot()] = line;
            }
        } else {
            let keep = self.selection();
            self.select(keep);
        }
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
        let before = self.focus();
        self.select(i);
        let mut out = Vec::new();
        if self.focus() != before {
            self.scroll = 0;
            out = self.selection_request();
        }
        out.extend(self.service_selection_request());
        out
    }

    /// Tell the worker what is selected: the container (None on a header), and the
    /// project header when that changed.
    pub(super) fn selection_request(&mut self) -> Vec<Request> {
        let (id, project) = self.focus();
        let mut out = vec![Request::Select(id.clone())];
        let told_project = self.told.as_ref().and_then(|t| t.1.clone());
        if told_project != project {
            out.push(Request::SelectProject(project.clone()));
        }
        self.told = Some((id, project));
        out
    }
}
