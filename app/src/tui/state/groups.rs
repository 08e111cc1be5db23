//! The lines of the container lists: each compose project as a group (a header line,
//! then its containers unless it is collapsed), then the containers of no project.
//! Groups come from the `com.docker.compose.project` label alone, so a project made by
//! any compose (or a `docker run --label`) groups alike. Built once per snapshot,
//! filter and collapse, not per frame: a frame only slices the lines it shows.

use std::collections::{BTreeSet, HashMap};

use crate::tui::data::ContainerRow;

/// One line of the list.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Line {
    /// A project's header: an index into [`Listing::groups`].
    Project(usize),
    /// A container: an index into the snapshot's containers.
    Container(usize),
}

/// A compose project as the list shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Group {
    pub name: String,
    /// Of all the project's containers (the filter does not change what it is).
    pub running: usize,
    pub total: usize,
    pub collapsed: bool,
    /// Its containers the filter lets through (snapshot indexes, in list order),
    /// listed or not.
    pub members: Vec<usize>,
}

/// What the container lists show.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Listing {
    pub lines: Vec<Line>,
    pub groups: Vec<Group>,
    /// Every container the filter lets through, in list order, those of collapsed
    /// projects too (marks and `K`/`p` on a header act on these).
    pub containers: Vec<usize>,
}

impl Listing {
    /// The line of a container, if it is shown.
    pub fn line_of_container(&self, i: usize) -> Option<usize> {
        self.lines.iter().position(|l| *l == Line::Container(i))
    }

    /// The line of a project's header.
    pub fn line_of_project(&self, name: &str) -> Option<usize> {
        self.lines
            .iter()
            .position(|l| matches!(l, Line::Project(g) if self.groups[*g].name == name))
    }

    pub fn group(&self, name: &str) -> Option<&Group> {
        self.groups.iter().find(|g| g.name == name)
    }
}

/// The lines for `containers`: the ones `shown` lets through, grouped by project (by
/// project name, each project's containers by name), projects first.
pub fn build(
    containers: &[ContainerRow],
    shown: impl Fn(&ContainerRow) -> bool,
    collapsed: &BTreeSet<String>,
) -> Listing {
    let mut counts: HashMap<&str, (usize, usize)> = HashMap::new();
    for c in containers.iter().filter(|c| !c.project.is_empty()) {
        let e = counts.entry(c.project.as_str()).or_default();
        e.1 += 1;
        if c.state == "running" {
            e.0 += 1;
        }
    }
    let mut order: Vec<usize> = (0..containers.len())
        .filter(|&i| shown(&containers[i]))
        .collect();
    order.sort_by(|&a, &b| {
        let (a, b) = (&containers[a], &containers[b]);
        (a.project.is_empty(), &a.project, &a.name).cmp(&(
            b.project.is_empty(),
            &b.project,
            &b.name,
        ))
    });
    let mut out = Listing {
        lines: Vec::with_capacity(order.len() + 8),
        containers: order.clone(),
        groups: Vec::new(),
    };
    for i in order {
        let c = &containers[i];
        if c.project.is_empty() {
            out.lines.push(Line::Container(i));
            continue;
        }
        if out.groups.last().is_none_or(|g| g.name != c.project) {
            let (running, total) = counts.get(c.project.as_str()).copied().unwrap_or_default();
            out.lines.push(Line::Project(out.groups.len()));
            out.groups.push(Group {
                name: c.project.clone(),
                running,
                total,
                collapsed: collapsed.contains(&c.project),
                members: Vec::new(),
            });
        }
        if let Some(g) = out.groups.last_mut() {
            g.members.push(i);
            if !g.collapsed {
                out.lines.push(Line::Container(i));
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(name: &str, project: &str, state: &str) -> ContainerRow {
        ContainerRow {
            id: name.into(),
            name: name.into(),
            state: state.into(),
            project: project.into(),
            ..Default::default()
        }
    }

    #[test]
    fn projects_group_first_with_their_counts_and_collapse() {
        let cs = vec![
            row("solo", "", "running"),
            row("cct-web-1", "cct", "running"),
            row("cct-db-1", "cct", "exited"),
            row("a-x-1", "a", "running"),
        ];
        let l = build(&cs, |_| true, &BTreeSet::new());
        assert_eq!(
            l.lines,
            [
                Line::Project(0),
                Line::Container(3),
                Line::Project(1),
                Line::Container(2),
                Line::Container(1),
                Line::Container(0),
            ]
        );
        assert_eq!((l.groups[1].running, l.groups[1].total), (1, 2));
        assert_eq!(l.line_of_project("cct"), Some(2));
        assert_eq!(l.line_of_container(0), Some(5));
        // Collapsed: the header stays, its containers are still the group's members.
        let l = build(&cs, |_| true, &BTreeSet::from(["cct".to_string()]));
        assert_eq!(
            l.lines,
            [
                Line::Project(0),
                Line::Container(3),
                Line::Project(1),
                Line::Container(0)
            ]
        );
        assert!(l.groups[1].collapsed);
        assert_eq!(l.groups[1].members, [2, 1]);
        assert_eq!(l.containers, [3, 2, 1, 0]);
        assert_eq!(l.line_of_container(1), None);
    }

    #[test]
    fn a_filter_keeps_a_header_only_for_projects_it_lets_through() {
        let cs = vec![
            row("cct-web-1", "cct", "running"),
            row("cct-db-1", "cct", "running"),
            row("other-1", "other", "running"),
        ];
        let l = build(&cs, |c| c.name.contains("web"), &BTreeSet::new());
        assert_eq!(l.lines, [Line::Project(0), Line::Container(0)]);
        // The counts are the project's, not the filter's.
        assert_eq!((l.groups[0].running, l.groups[0].total), (2, 2));
    }
}
