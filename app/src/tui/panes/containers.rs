//! The containers pane: a table grouped by compose project, colored by state, with the
//! stop countdown in place of the status while a stop runs.

use std::time::Instant;

use ratatui::layout::{Constraint, Rect};
use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Cell, List, ListItem, ListState, Row, Table, TableState};
use ratatui::Frame;

use super::block;
use crate::tui::state::App;

pub fn draw(f: &mut Frame, app: &App, area: Rect, now: Instant) {
    let t = &app.theme;
    let list = app.containers();
    // Every line of the table (project headers and containers), cheaply; only those in
    // view become widgets, so a thousand containers cost a screenful.
    let mut lines: Vec<Option<usize>> = Vec::with_capacity(list.len() + 8);
    let mut headers: Vec<&str> = Vec::new();
    let mut selected_row = None;
    let mut project: Option<&str> = None;
    for (i, c) in list.iter().enumerate() {
        if !c.project.is_empty() && project != Some(c.project.as_str()) {
            project = Some(c.project.as_str());
            lines.push(None);
            headers.push(c.project.as_str());
        } else if c.project.is_empty() && project.is_some() {
            project = None;
        }
        if i == app.selection() {
            selected_row = Some(lines.len());
        }
        lines.push(Some(i));
    }
    let height = area.height.saturating_sub(3) as usize;
    let shown = super::window(lines.len(), selected_row, height);
    // The project of a header line: count the headers before it.
    let header_before = lines[..shown.start].iter().filter(|l| l.is_none()).count();
    let mut header_at = header_before;
    let rows: Vec<Row> = lines[shown.clone()]
        .iter()
        .map(|line| match line {
            None => {
                let name = headers.get(header_at).copied().unwrap_or("");
                header_at += 1;
                Row::new(vec![Cell::from(Span::styled(
                    format!("▾ {name}"),
                    Style::default().fg(t.accent).add_modifier(Modifier::BOLD),
                ))])
            }
            Some(i) => {
                let c = list[*i];
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
        })
        .collect();
    let header = Row::new(vec!["NAME", "IMAGE", "STATUS", "PORTS"])
        .style(Style::default().fg(t.dim).add_modifier(Modifier::BOLD));
    let title = format!("Containers ({})", list.len());
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
    let mut state = TableState::default().with_selected(selected_row.map(|r| r - shown.start));
    f.render_stateful_widget(table, area, &mut state);
    // Below the border and the header.
    super::register_rows(app, area, area.y + 2, 0, &lines[shown]);
}

/// A narrow list of names (beside logs and health), colored by health or state.
pub fn names(f: &mut Frame, app: &App, area: Rect) {
    let t = &app.theme;
    let list = app.containers();
    let shown = super::window(
        list.len(),
        Some(app.selection()),
        area.height.saturating_sub(2) as usize,
    );
    let items: Vec<ListItem> = list[shown.clone()]
        .iter()
        .map(|c| {
            let color = if c.health.is_empty() {
                t.state(&c.state)
            } else {
                t.health(&c.health)
            };
            ListItem::new(Line::from(Span::styled(
                c.name.clone(),
                Style::default().fg(color),
            )))
        })
        .collect();
    let list_widget = List::new(items)
        .highlight_style(t.selected())
        .block(block("Containers", t));
    let mut state =
        ListState::default().with_selected(Some(app.selection().saturating_sub(shown.start)));
    f.render_stateful_widget(list_widget, area, &mut state);
    let rows: Vec<Option<usize>> = shown.map(Some).collect();
    super::register_rows(app, area, area.y + 1, 0, &rows);
}
