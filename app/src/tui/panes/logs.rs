//! The logs pane: the selected container's log as the worker streams it in, following
//! the end or paused, stderr in the error color, search matches highlighted, timestamps
//! and wrapping on request. Only the lines that fit are laid out, however many are kept.

use ratatui::layout::Rect;
use ratatui::style::{Color, Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Wrap};
use ratatui::Frame;

use super::block;
use crate::tui::logview::LogEntry;
use crate::tui::state::App;
use crate::tui::theme::Theme;

pub fn draw(f: &mut Frame, app: &App, area: Rect) {
    let t = &app.theme;
    let v = &app.logs;
    // A container's log, or a compose project's merged log (its header selected).
    let (name, key) = match (app.selected_container(), app.selected_project()) {
        (Some(c), _) => (c.name.clone(), c.id.clone()),
        (None, Some(g)) => (
            format!("{} (every service)", g.name),
            crate::tui::worker::project_log_key(&g.name),
        ),
        (None, None) => (String::new(), String::new()),
    };
    let mine = !key.is_empty() && key == v.id;
    let palette = t.service_palette();
    let height = area.height.saturating_sub(2) as usize;
    let width = area.width.saturating_sub(2) as usize;
    let lines: Vec<Line> = if mine {
        v.visible(height, width)
            .into_iter()
            .map(|e| line(t, app, &palette, e))
            .collect()
    } else {
        Vec::new()
    };
    let mut title = format!(
        "Logs: {name} · {}",
        if v.following() { "following" } else { "paused" }
    );
    if v.searching || !v.search.is_empty() {
        title.push_str(&format!(
            " · /{}{} ({} matches)",
            v.search,
            if v.searching { "▏" } else { "" },
            v.match_count()
        ));
    }
    title.push_str(" · f follow/pause  / search  n/N  t time  w wrap  S save");
    let mut p = Paragraph::new(lines).block(block(&title, t));
    if v.wrap {
        p = p.wrap(Wrap { trim: false });
    }
    f.render_widget(p, area);
}

fn line<'a>(t: &Theme, app: &App, palette: &[Color], e: &'a LogEntry) -> Line<'a> {
    let v = &app.logs;
    let color = if e.stderr { t.exited } else { t.fg };
    let mut spans = Vec::new();
    if v.timestamps {
        spans.push(Span::styled(
            format!("{} ", e.time),
            Style::default().fg(t.dim),
        ));
    }
    // A project's merged log: `web-1  | ` in its service's colour, as `compose up` does.
    if !e.prefix.is_empty() {
        let c = palette
            .get(e.colour % palette.len().max(1))
            .copied()
            .unwrap_or(t.fg);
        spans.push(Span::styled(e.prefix.as_str(), Style::default().fg(c)));
    }
    let base = Style::default().fg(color);
    if !v.matches(e) {
        spans.push(Span::styled(e.text.as_str(), base));
        return Line::from(spans);
    }
    let hit = Style::default()
        .fg(t.selected_fg)
        .bg(t.accent)
        .add_modifier(Modifier::BOLD);
    // Case-insensitive matches, cut on char boundaries of the original text.
    let lower = e.text.to_lowercase();
    let needle = v.search.to_lowercase();
    if lower.len() != e.text.len() {
        // Lowercasing changed byte lengths (some non-ASCII text): highlight the line.
        spans.push(Span::styled(e.text.as_str(), hit));
        return Line::from(spans);
    }
    let mut at = 0;
    while let Some(i) = lower[at..].find(&needle) {
        let start = at + i;
        let end = start + needle.len();
        if start > at {
            spans.push(Span::styled(&e.text[at..start], base));
        }
        spans.push(Span::styled(&e.text[start..end], hit));
        at = end;
    }
    if at < e.text.len() {
        spans.push(Span::styled(&e.text[at..], base));
    }
    Line::from(spans)
}
