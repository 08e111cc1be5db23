//! Drawing the forms (a box per field, the focused one in the accent color, the last
//! mistake under them) and the file editor (the body, with line numbers).

use ratatui::layout::Rect;
use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Clear, Paragraph};
use ratatui::Frame;

use super::block;
use crate::tui::editor::Editor;
use crate::tui::forms::Form;
use crate::tui::state::App;

pub fn form(f: &mut Frame, app: &App, form: &Form) {
    let t = &app.theme;
    let area = f.area();
    let heights: Vec<u16> = form
        .fields
        .iter()
        .map(|x| if x.multiline { 4 } else { 3 })
        .collect();
    let h = (heights.iter().sum::<u16>() + 4).min(area.height);
    let w = 72.min(area.width);
    let r = Rect::new(
        area.x + (area.width - w) / 2,
        area.y + (area.height - h) / 2,
        w,
        h,
    );
    f.render_widget(Clear, r);
    let outer = block(&form.title, t);
    let inner = outer.inner(r);
    f.render_widget(outer, r);
    let mut y = inner.y;
    for (i, (field, fh)) in form.fields.iter().zip(&heights).enumerate() {
        if y + fh > inner.y + inner.height.saturating_sub(2) {
            break;
        }
        let focused = i == form.focus;
        let color = if focused { t.accent } else { t.border };
        let b = Block::default()
            .borders(Borders::ALL)
            .border_style(Style::default().fg(color))
            .title(Span::styled(
                format!(" {} ", field.label),
                Style::default().fg(if focused { t.accent } else { t.title }),
            ))
            .style(t.base());
        let box_area = Rect::new(inner.x, y, inner.width, *fh);
        let text_area = b.inner(box_area);
        f.render_widget(b, box_area);
        f.render_widget(&field.text, text_area);
        y += fh;
    }
    let bottom = Rect::new(
        inner.x,
        inner.y + inner.height.saturating_sub(2),
        inner.width,
        2,
    );
    let mut lines = vec![Line::from(Span::styled(
        form.fields[form.focus].hint,
        Style::default().fg(t.dim),
    ))];
    lines.push(match &form.error {
        Some(e) => Line::from(Span::styled(
            e.clone(),
            Style::default()
                .fg(t.unhealthy)
                .add_modifier(Modifier::BOLD),
        )),
        None => Line::from(Span::styled(
            "Tab/↑↓ move · Enter next (last: run) · Ctrl-S run · Esc cancel",
            Style::default().fg(t.dim),
        )),
    });
    f.render_widget(Paragraph::new(lines).style(t.base()), bottom);
}

pub fn editor(f: &mut Frame, app: &App, e: &Editor) {
    let t = &app.theme;
    let area = super::body_area(f.area());
    let mut title = e.path.clone();
    if e.new {
        title.push_str(" (new)");
    }
    if e.dirty() {
        title.push_str(" [modified]");
    }
    title.push_str(" · Ctrl-S save · Esc close");
    f.render_widget(Clear, area);
    let outer = block(&title, t);
    let inner = outer.inner(area);
    f.render_widget(outer, area);
    f.render_widget(&e.text, inner);
}
