//! The events pane: the newest events last, as `berth events` prints them.

use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;
use ratatui::Frame;

use super::block;
use crate::tui::state::App;

/// The events the filter lets through (type, action, name or ID), oldest first.
pub fn events(app: &App) -> Vec<&berth_engine::events::Event> {
    app.snap
        .events
        .iter()
        .filter(|e| {
            app.matches(&format!(
                "{} {} {} {}",
                e.kind,
                e.action,
                e.actor.id,
                e.actor
                    .attributes
                    .get("name")
                    .map(String::as_str)
                    .unwrap_or("")
            ))
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
            let time = chrono::DateTime::from_timestamp(e.time, 0)
                .map(|d| {
                    d.with_timezone(&chrono::Local)
                        .format("%H:%M:%S")
                        .to_string()
                })
                .unwrap_or_default();
            let name = e.actor.attributes.get("name").cloned().unwrap_or_default();
            let color = if e.action.contains("unhealthy") || e.action == "die" || e.action == "kill"
            {
                t.exited
            } else if e.action.contains("healthy") || e.action == "start" {
                t.running
            } else {
                t.fg
            };
            Line::from(vec![
                Span::styled(format!("{time} "), Style::default().fg(t.dim)),
                Span::styled(format!("{:<9} ", e.kind), Style::default().fg(t.accent)),
                Span::styled(format!("{:<28} ", e.action), Style::default().fg(color)),
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
