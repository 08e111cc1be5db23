//! The logs pane: the end of the selected container's log, stderr in the error color,
//! the filter highlighted.

use ratatui::layout::Rect;
use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Wrap};
use ratatui::Frame;

use super::block;
use crate::tui::state::App;

pub fn draw(f: &mut Frame, app: &App, area: Rect) {
    let t = &app.theme;
    let name = app
        .selected_container()
        .map(|c| c.name.clone())
        .unwrap_or_default();
    let logs = app
        .snap
        .details
        .as_ref()
        .filter(|d| app.selected_container().is_some_and(|c| c.id == d.id))
        .map(|d| d.logs.as_slice())
        .unwrap_or(&[]);
    // The last lines that fit.
    let room = area.height.saturating_sub(2) as usize;
    let start = logs.len().saturating_sub(room);
    let lines: Vec<Line> = logs[start..]
        .iter()
        .map(|(stream, text)| {
            let color = if stream == "stderr" { t.exited } else { t.fg };
            Line::from(Span::styled(text.clone(), Style::default().fg(color)))
        })
        .collect();
    let title = format!("Logs: {name}");
    let p = Paragraph::new(lines)
        .style(Style::default().add_modifier(Modifier::empty()))
        .wrap(Wrap { trim: false })
        .block(block(&title, t));
    f.render_widget(p, area);
}
