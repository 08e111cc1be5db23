//! The anatomy pane, for teaching: the selected container taken apart as the kernel
//! sees it (namespaces next to the host's, PIDs inside and outside, cgroup limits and
//! usage, overlay directories, veth pairs, privileges, mounts), each fact with one
//! phrase saying what it means. The words are format::anatomy's, shared with
//! `berth anatomy`.

use ratatui::layout::Rect;
use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Wrap};
use ratatui::Frame;

use super::block;
use crate::format::anatomy::explain;
use crate::tui::data::AnatomyView;
use crate::tui::state::App;

pub fn draw(f: &mut Frame, app: &App, area: Rect) {
    let t = &app.theme;
    let sel = app.selected_container();
    let view = app.snap.anatomy.as_ref();
    let anatomy = app
        .snap
        .anatomy_shown()
        .filter(|a| sel.is_some_and(|c| c.id == a.id));
    let mut lines = Vec::new();
    let width = area.width.saturating_sub(2) as usize;
    let title = match (sel, anatomy) {
        (None, _) => {
            let what = match app.selected_project() {
                Some(g) => format!(
                    "{} is a compose project: select one of its containers to take it apart",
                    g.name
                ),
                None => "No container selected".to_string(),
            };
            lines.push(Line::from(Span::styled(what, Style::default().fg(t.dim))));
            "Anatomy".to_string()
        }
        // A backend without the view (a remote Docker engine) says so: nothing failed.
        (Some(c), None) if matches!(view, Some(AnatomyView::Unavailable(_))) => {
            let why = match view {
                Some(AnatomyView::Unavailable(why)) => why.as_str(),
                _ => "",
            };
            lines.push(Line::from(Span::styled(
                format!("Unavailable on this backend: {why}"),
                Style::default().fg(t.dim),
            )));
            lines.push(Line::from(Span::styled(
                "The anatomy view reads the kernel's side of a container (/proc, /sys, \
                 netlink), which only Berth's own engine can show.",
                Style::default().fg(t.dim),
            )));
            format!("Anatomy: {}", c.name)
        }
        (Some(c), None) if matches!(view, Some(AnatomyView::Failed { id, .. }) if *id == c.id) => {
            let error = match view {
                Some(AnatomyView::Failed { error, .. }) => error.as_str(),
                _ => "",
            };
            lines.push(Line::from(Span::styled(
                format!("cannot take {} apart: {error}", c.name),
                Style::default().fg(t.state("dead")),
            )));
            format!("Anatomy: {}", c.name)
        }
        (Some(c), None) => {
            lines.push(Line::from(Span::styled(
                "reading /proc, /sys and netlink…",
                Style::default().fg(t.dim),
            )));
            format!("Anatomy: {}", c.name)
        }
        (Some(c), Some(a)) => {
            if a.running {
                lines.push(Line::from(vec![
                    Span::styled(format!("{} ", c.name), Style::default().fg(t.accent)),
                    Span::styled(
                        format!("is PID {} on the host", a.pid),
                        Style::default().fg(t.fg),
                    ),
                ]));
            } else {
                lines.push(Line::from(Span::styled(
                    format!(
                        "{} is not running: no processes, namespaces or cgroup",
                        c.name
                    ),
                    Style::default().fg(t.dim),
                )));
            }
            for sec in explain(a) {
                lines.push(Line::default());
                lines.push(Line::from(vec![
                    Span::styled(
                        sec.title,
                        Style::default().fg(t.title).add_modifier(Modifier::BOLD),
                    ),
                    Span::styled(format!("  {}", sec.lead), Style::default().fg(t.dim)),
                ]));
                let lw = sec.label_width();
                for fact in sec.facts {
                    let pad = lw - fact.label.chars().count();
                    let head = format!("  {}{}  ", fact.label, " ".repeat(pad));
                    let used = head.chars().count() + fact.value.chars().count();
                    let fits = used + 2 + fact.meaning.chars().count() <= width;
                    let mut spans = vec![
                        Span::styled(head.clone(), Style::default().fg(t.accent)),
                        Span::styled(fact.value, Style::default().fg(t.fg)),
                    ];
                    if fits && !fact.meaning.is_empty() {
                        spans.push(Span::styled(
                            format!("  {}", fact.meaning),
                            Style::default().fg(t.dim),
                        ));
                    }
                    lines.push(Line::from(spans));
                    // A meaning that does not fit goes under its value, not wrapped into it.
                    if !fits && !fact.meaning.is_empty() {
                        lines.push(Line::from(Span::styled(
                            format!("{}↳ {}", " ".repeat(head.chars().count()), fact.meaning),
                            Style::default().fg(t.dim),
                        )));
                    }
                }
            }
            format!("Anatomy: {} (PgUp/PgDn scroll)", c.name)
        }
    };
    f.render_widget(
        Paragraph::new(lines)
            .wrap(Wrap { trim: false })
            .scroll((app.scroll, 0))
            .block(block(&title, t)),
        area,
    );
}
