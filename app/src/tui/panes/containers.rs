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
    let mut rows = Vec::new();
    let mut index_of_row = Vec::new();
    let mut selected_row = None;
    let mut project: Option<&str> = None;
    for (i, c) in list.iter().enumerate() {
        if !c.project.is_empty() && project != Some(c.project.as_str()) {
            project = Some(c.project.as_str());
            rows.push(Row::new(vec![Cell::from(Span::styled(
                format!("▾ {}", c.project),
                Style::default().fg(t.accent).add_modifier(Modifier::BOLD),
            ))]));
            index_of_row.push(None);
        } else if c.project.is_empty() && project.is_some() {
            project = None;
        }
        if i == app.selection() {
            selected_row = Some(rows.len());
        }
        let status = app
            .stop_countdown(&c.id, now)
            .unwrap_or_else(|| c.status.clone());
        let indent = if c.project.is_empty() { "" } else { "  " };
        index_of_row.push(Some(i));
        let mark = if app.marked.contains(&c.id) {
            "● "
        } else {
            ""
        };
        rows.push(Row::new(vec![
            Cell::from(format!("{indent}{mark}{}", c.name)),
            Cell::from(c.image.clone()),
            Cell::from(Span::styled(status, Style::default().fg(t.state(&c.state)))),
            Cell::from(c.ports.clone()),
        ]));
    }
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
    let mut state = TableState::default().with_selected(selected_row);
    f.render_stateful_widget(table, area, &mut state);
    // Below the border and the header.
    super::register_rows(app, area, area.y + 2, state.offset(), &index_of_row);
}

/// A narrow list of names (beside logs and health), colored by health or state.
pub fn names(f: &mut Frame, app: &App, area: Rect) {
    let t = &app.theme;
    let items: Vec<ListItem> = app
        .containers()
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
    let list = List::new(items)
        .highlight_style(t.selected())
        .block(block("Containers", t));
    let mut state = ListState::default().with_selected(Some(app.selection()));
    f.render_stateful_widget(list, area, &mut state);
    let rows: Vec<Option<usize>> = (0..app.containers().len()).map(Some).collect();
    super::register_rows(app, area, area.y + 1, state.offset(), &rows);
}
