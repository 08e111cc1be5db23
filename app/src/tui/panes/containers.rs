//! The containers pane: a table grouped by compose project (a header line per project,
//! with how many of its containers run, folded or not), colored by state, with the
//! stop countdown in place of the status while a stop runs.

use std::time::Instant;

use ratatui::layout::{Constraint, Rect};
use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Cell, List, ListItem, ListState, Row, Table, TableState};
use ratatui::Frame;

use super::block;
use crate::tui::data::ContainerRow;
use crate::tui::state::{App, Group, Line as ListLine};

pub fn draw(f: &mut Frame, app: &App, area: Rect, now: Instant) {
    let t = &app.theme;
    let height = area.height.saturating_sub(3) as usize;
    let selected = app.selection();
    // Only the lines in view become widgets, so a thousand containers cost a screenful.
    let (rows, shown, listed) = app.with_listing(|l| {
        let shown = super::window(l.lines.len(), Some(selected), height);
        let rows: Vec<Row> = l.lines[shown.clone()]
            .iter()
            .map(|line| match *line {
                ListLine::Project(g) => project_row(app, &l.groups[g]),
                ListLine::Container(i) => container_row(app, &app.snap.containers[i], now),
            })
            .collect();
        (rows, shown, l.containers.len())
    });
    let header = Row::new(vec!["NAME", "IMAGE", "STATUS", "PORTS"])
        .style(Style::default().fg(t.dim).add_modifier(Modifier::BOLD));
    let title = format!("Containers ({listed})");
    let table = Table::new(
        rows,
        [
            Constraint::Percentage(20),
            Constraint::Percentage(18),
            Constraint::Percentage(34),
            Constraint::Percentage(28),
        ],
    )
    .header(header)
    .row_highlight_style(t.selected())
    .block(block(&title, t));
    let mut state = TableState::default().with_selected(Some(selected.saturating_sub(shown.start)));
    f.render_stateful_widget(table, area, &mut state);
    // Below the border and the header.
    let lines: Vec<Option<usize>> = shown.map(Some).collect();
    super::register_rows(app, area, area.y + 2, 0, &lines);
}

/// `▾ cct` (`▸` when folded) and how many of its containers run, in the state colour
/// of the whole: all running, some, none.
pub fn project_label(app: &App, g: &Group) -> (String, String, ratatui::style::Color) {
    let t = &app.theme;
    let fold = if g.collapsed { "▸" } else { "▾" };
    let colour = match (g.running, g.total) {
        (r, n) if r == n => t.running,
        (0, _) => t.exited,
        _ => t.paused,
    };
    (
        format!("{fold} {}", g.name),
        format!("{}/{} running", g.running, g.total),
        colour,
    )
}

fn project_row<'a>(app: &App, g: &Group) -> Row<'a> {
    let t = &app.theme;
    let (name, count, colour) = project_label(app, g);
    Row::new(vec![
        Cell::from(Span::styled(
            name,
            Style::default().fg(t.accent).add_modifier(Modifier::BOLD),
        )),
        Cell::from(""),
        Cell::from(Span::styled(count, Style::default().fg(colour))),
        Cell::from(""),
    ])
}

fn container_row<'a>(app: &App, c: &ContainerRow, now: Instant) -> Row<'a> {
    let t = &app.theme;
    let status = app
        .stop_countdown(&c.id, now)
        .unwrap_or_else(|| c.status.clone());
    let indent = if c.project.is_empty() { "" } else { "  " };
    let mark = if app.marked.contains(&c.id) {
        "● "
    } else {
        ""
    };
    Row::new(vec![
        Cell::from(format!("{indent}{mark}{}", c.name)),
        Cell::from(c.image.clone()),
        Cell::from(Span::styled(status, Style::default().fg(t.state(&c.state)))),
        Cell::from(c.ports.clone()),
    ])
}

/// A narrow list of names (beside logs, health and anatomy), colored by health or
/// state, with the project headers.
pub fn names(f: &mut Frame, app: &App, area: Rect) {
    let t = &app.theme;
    let selected = app.selection();
    let (items, shown) = app.with_listing(|l| {
        let shown = super::window(
            l.lines.len(),
            Some(selected),
            area.height.saturating_sub(2) as usize,
        );
        let items: Vec<ListItem> = l.lines[shown.clone()]
            .iter()
            .map(|line| match *line {
                ListLine::Project(g) => {
                    let (name, _, colour) = project_label(app, &l.groups[g]);
                    ListItem::new(Line::from(Span::styled(
                        name,
                        Style::default().fg(colour).add_modifier(Modifier::BOLD),
                    )))
                }
                ListLine::Container(i) => {
                    let c = &app.snap.containers[i];
                    let color = if c.health.is_empty() {
                        t.state(&c.state)
                    } else {
                        t.health(&c.health)
                    };
                    let indent = if c.project.is_empty() { "" } else { "  " };
                    ListItem::new(Line::from(Span::styled(
                        format!("{indent}{}", c.name),
                        Style::default().fg(color),
                    )))
                }
            })
            .collect();
        (items, shown)
    });
    let list_widget = List::new(items)
        .highlight_style(t.selected())
        .block(block("Containers", t));
    let mut state = ListState::default().with_selected(Some(selected.saturating_sub(shown.start)));
    f.render_stateful_widget(list_widget, area, &mut state);
    let rows: Vec<Option<usize>> = shown.map(Some).collect();
    super::register_rows(app, area, area.y + 1, 0, &rows);
}
