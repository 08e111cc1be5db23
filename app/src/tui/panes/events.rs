//! The events pane: the newest events last, from Docker's event messages (type, action,
//! the actor's name), as `berth events` prints them.

use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;
use ratatui::Frame;

use bollard::models::EventMessage;

use super::block;
use crate::tui::state::App;

/// An event's type ("container", "network").
fn kind(e: &EventMessage) -> String {
    e.typ.map(|t| t.to_string()).unwrap_or_default()
}

fn action(e: &EventMessage) -> &str {
    e.action.as_deref().unwrap_or_default()
}

/// The actor's ID and its `name` attribute.
fn actor(e: &EventMessage) -> (&str, &str) {
    let a = e.actor.as_ref();
    let id = a.and_then(|a| a.id.as_deref()).unwrap_or_default();
    let name = a
        .and_then(|a| a.attributes.as_ref()?.get("name"))
        .map(String::as_str)
        .unwrap_or_default();
    (id, name)
}

/// The events the filter lets through (type, action, name or ID), oldest first.
pub fn events(app: &App) -> Vec<&EventMessage> {
    app.snap
        .events
        .iter()
        .filter(|e| {
            let (id, name) = actor(e);
            app.matches(&format!("{} {} {id} {name}", kind(e), action(e)))
        })
        .collect()
}

pub fn draw(f: &mut Frame, app: &App, area: Rect) {
    let t = &app.theme;
    let room = area.height.saturating_sub(2) as usize;
    let ev = events(app);
    let start = ev.len().saturating_sub(room);
    let lines: Vec<Line> = ev[start..]
        .iter()
        .map(|e| {
            let time = chrono::DateTime::from_timestamp(e.time.unwrap_or(0), 0)
                .map(|d| {
                    d.with_timezone(&chrono::Local)
                        .format("%H:%M:%S")
                        .to_string()
                })
                .unwrap_or_default();
            let name = actor(e).1.to_string();
            let action = action(e);
            let color = if action.contains("unhealthy") || action == "die" || action == "kill" {
                t.exited
            } else if action.contains("healthy") || action == "start" {
                t.running
            } else {
                t.fg
            };
            Line::from(vec![
                Span::styled(format!("{time} "), Style::default().fg(t.dim)),
                Span::styled(format!("{:<9} ", kind(e)), Style::default().fg(t.accent)),
                Span::styled(format!("{action:<28} "), Style::default().fg(color)),
                Span::styled(name, Style::default().fg(t.fg)),
            ])
        })
        .collect();
    let title = if app.filter.is_empty() {
        "Events".to_string()
    } else {
        format!("Events ({} of {})", ev.len(), app.snap.events.len())
    };
    f.render_widget(Paragraph::new(lines).block(block(&title, t)), area);
}
