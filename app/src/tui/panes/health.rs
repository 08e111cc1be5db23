//! The health pane: the selected container's healthcheck history, each check with its
//! exit code and output, status changes, and what autoheal or --health-on-failure did.

use ratatui::layout::Rect;
use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Wrap};
use ratatui::Frame;

use super::block;
use crate::tui::state::{App, Group};

/// A project's header: each of its containers' health (or state, without a check).
fn project(f: &mut Frame, app: &App, area: Rect, g: &Group) {
    let t = &app.theme;
    let mut lines = vec![Line::from(Span::styled(
        format!("{}: select a container for its checks", g.name),
        Style::default().fg(t.dim),
    ))];
    for c in g.members.iter().filter_map(|&i| app.snap.containers.get(i)) {
        let (word, colour) = if c.health.is_empty() {
            (format!("{} (no healthcheck)", c.state), t.state(&c.state))
        } else {
            (c.health.clone(), t.health(&c.health))
        };
        lines.push(Line::from(vec![
            Span::styled(format!("  {:<24} ", c.name), Style::default().fg(t.fg)),
            Span::styled(word, Style::default().fg(colour)),
        ]));
    }
    f.render_widget(
        Paragraph::new(lines).block(block(&format!("Health: {}", g.name), t)),
        area,
    );
}

pub fn draw(f: &mut Frame, app: &App, area: Rect) {
    let t = &app.theme;
    if let Some(g) = app.selected_project() {
        return project(f, app, area, &g);
    }
    let sel = app.selected_container();
    let name = sel.map(|c| c.name.clone()).unwrap_or_default();
    let history = app
        .snap
        .details
        .as_ref()
        .filter(|d| sel.is_some_and(|c| c.id == d.id))
        .map(|d| d.health.as_slice())
        .unwrap_or(&[]);
    let room = area.height.saturating_sub(3) as usize;
    let start = history.len().saturating_sub(room);
    let mut lines = vec![Line::from(match sel.map(|c| c.health.as_str()) {
        Some("") | None => Span::styled("no healthcheck", Style::default().fg(t.dim)),
        Some(h) => Span::styled(
            format!("status: {h}"),
            Style::default()
                .fg(t.health(h))
                .add_modifier(Modifier::BOLD),
        ),
    })];
    for e in &history[start..] {
        let time = e.time.get(11..19).unwrap_or(&e.time).to_string();
        let line = match e.kind.as_str() {
            "check" => {
                let code = e.exit_code.unwrap_or(-1);
                let color = if code == 0 { t.healthy } else { t.unhealthy };
                Line::from(vec![
                    Span::styled(format!("{time} "), Style::default().fg(t.dim)),
                    Span::styled(format!("check exit {code:<3}"), Style::default().fg(color)),
                    Span::styled(format!(" {}", e.text.trim_end()), Style::default().fg(t.fg)),
                ])
            }
            "status" => Line::from(vec![
                Span::styled(format!("{time} "), Style::default().fg(t.dim)),
                Span::styled(
                    format!("→ {}", e.text),
                    Style::default()
                        .fg(t.health(&e.text))
                        .add_modifier(Modifier::BOLD),
                ),
            ]),
            _ => Line::from(vec![
                Span::styled(format!("{time} "), Style::default().fg(t.dim)),
                Span::styled(
                    format!("⟳ {}", e.text),
                    Style::default().fg(t.accent).add_modifier(Modifier::BOLD),
                ),
            ]),
        };
        lines.push(line);
    }
    let title = format!("Health: {name}");
    f.render_widget(
        Paragraph::new(lines)
            .wrap(Wrap { trim: false })
            .block(block(&title, t)),
        area,
    );
}
