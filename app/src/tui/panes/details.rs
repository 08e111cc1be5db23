//! The details area: the selected item's facts, then (for containers) env, mounts and
//! the inspect document.

use ratatui::layout::Rect;
use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Wrap};
use ratatui::Frame;

use super::block;
use crate::tui::state::{App, Tab};
use crate::tui::theme::Theme;

fn field<'a>(t: &Theme, k: &'a str, v: String) -> Line<'a> {
    Line::from(vec![
        Span::styled(format!("{k:<10}"), Style::default().fg(t.dim)),
        Span::styled(v, Style::default().fg(t.fg)),
    ])
}

fn heading<'a>(t: &Theme, s: &'a str) -> Line<'a> {
    Line::from(Span::styled(
        s,
        Style::default().fg(t.title).add_modifier(Modifier::BOLD),
    ))
}

pub fn container(f: &mut Frame, app: &App, area: Rect) {
    let t = &app.theme;
    if let Some(g) = app.selected_project() {
        return super::project::draw(f, app, area, &g);
    }
    let mut lines = Vec::new();
    if let Some(c) = app.selected_container() {
        lines.push(field(t, "ID", c.id.chars().take(12).collect()));
        lines.push(field(t, "Name", c.name.clone()));
        lines.push(field(t, "Image", c.image.clone()));
        lines.push(Line::from(vec![
            Span::styled(format!("{:<10}", "State"), Style::default().fg(t.dim)),
            Span::styled(c.state.clone(), Style::default().fg(t.state(&c.state))),
        ]));
        if !c.health.is_empty() {
            lines.push(Line::from(vec![
                Span::styled(format!("{:<10}", "Health"), Style::default().fg(t.dim)),
                Span::styled(c.health.clone(), Style::default().fg(t.health(&c.health))),
            ]));
        }
        lines.push(field(t, "Ports", c.ports.clone()));
        lines.push(field(t, "Networks", c.networks.join(", ")));
        let details = app.snap.details.as_ref().filter(|d| d.id == c.id);
        // RestartCount is inspect's, not the list's: shown once the details are in.
        let restarts = details.map(|d| d.restart_count.to_string());
        lines.push(field(t, "Restarts", restarts.unwrap_or_default()));
        if let Some(d) = details {
            if !d.error.is_empty() {
                lines.push(Line::from(vec![
                    Span::styled(format!("{:<10}", "Problem"), Style::default().fg(t.dim)),
                    Span::styled(d.error.clone(), Style::default().fg(t.state("dead"))),
                ]));
            }
            lines.push(Line::default());
            lines.push(heading(t, "Env"));
            for e in &d.env {
                lines.push(Line::from(Span::styled(
                    format!("  {e}"),
                    Style::default().fg(t.fg),
                )));
            }
            if !d.mounts.is_empty() {
                lines.push(heading(t, "Mounts"));
                for m in &d.mounts {
                    lines.push(Line::from(Span::styled(
                        format!("  {m}"),
                        Style::default().fg(t.fg),
                    )));
                }
            }
            lines.push(heading(t, "Inspect"));
            for l in d.inspect.lines() {
                lines.push(Line::from(Span::styled(
                    l.to_string(),
                    Style::default().fg(t.dim),
                )));
            }
        }
    } else {
        lines.push(Line::from(Span::styled(
            "No container selected",
            Style::default().fg(t.dim),
        )));
    }
    f.render_widget(
        Paragraph::new(lines)
            .wrap(Wrap { trim: false })
            .scroll((app.scroll, 0))
            .block(block("Details (PgUp/PgDn scroll)", t)),
        area,
    );
}

/// The build started from the images pane: BuildKit's live view of its steps (or a
/// foreign backend's classic text), and how it ended.
fn build_view(f: &mut Frame, app: &App, view: &crate::tui::state::BuildView, area: Rect) {
    let t = &app.theme;
    let width = area.width.saturating_sub(2) as usize;
    let mut lines: Vec<Line> = if view.classic.is_empty() {
        view.steps
            .live_lines(width, view.outcome.is_some())
            .into_iter()
            .map(Line::from)
            .collect()
    } else {
        view.classic.iter().map(|l| Line::from(l.clone())).collect()
    };
    match &view.outcome {
        Some(Ok(id)) => lines.push(Line::styled(
            format!("built {id} (Esc closes)"),
            ratatui::style::Style::default().fg(t.healthy),
        )),
        Some(Err(e)) => {
            if let Some(s) = view.steps.failing() {
                lines.push(Line::from(format!(" > {} {}:", s.label, s.text)));
                lines.extend(s.tail.iter().map(|l| Line::from(l.clone())));
            }
            lines.push(Line::styled(
                format!("ERROR: {e} (Esc closes)"),
                ratatui::style::Style::default().fg(t.unhealthy),
            ));
        }
        None => {}
    }
    newest(f, app, &view.title, lines, area);
}

/// `lines` in a block titled `title`, scrolled so the newest ones are in view.
fn newest(f: &mut Frame, app: &App, title: &str, lines: Vec<Line>, area: Rect) {
    let room = area.height.saturating_sub(2) as usize;
    let skip = lines.len().saturating_sub(room);
    let lines: Vec<Line> = lines.into_iter().skip(skip).collect();
    f.render_widget(Paragraph::new(lines).block(block(title, &app.theme)), area);
}

/// A pull or push: a row per layer with its status and bar, then how it ended.
fn transfer_view(f: &mut Frame, app: &App, view: &crate::tui::state::TransferView, area: Rect) {
    let t = &app.theme;
    let mut lines: Vec<Line> = view.view.text().into_iter().map(Line::from).collect();
    match &view.outcome {
        Some(Ok(())) => lines.push(Line::styled(
            "done (Esc closes)",
            ratatui::style::Style::default().fg(t.healthy),
        )),
        Some(Err(e)) => lines.push(Line::styled(
            format!("ERROR: {e} (Esc closes)"),
            ratatui::style::Style::default().fg(t.unhealthy),
        )),
        None => {}
    }
    newest(f, app, &view.title, lines, area);
}

/// Images, networks and volumes.
pub fn object(f: &mut Frame, app: &App, area: Rect) {
    let t = &app.theme;
    if let (Tab::Images, Some(view)) = (app.tab, app.build.as_ref()) {
        return build_view(f, app, view, area);
    }
    if let (Tab::Images, Some(view)) = (app.tab, app.transfer.as_ref()) {
        return transfer_view(f, app, view, area);
    }
    let i = app.selection();
    let s = &app.snap;
    let lines: Vec<Line> = match app.tab {
        Tab::Images => super::lists::images(app)
            .get(i)
            .map(|img| {
                vec![
                    field(t, "ID", img.id.clone()),
                    field(t, "Tags", img.tags.join(", ")),
                    field(t, "Size", img.size.clone()),
                    field(t, "Created", img.created.clone()),
                ]
            })
            .unwrap_or_default(),
        Tab::Networks => super::lists::networks(app)
            .get(i)
            .map(|n| {
                vec![
                    field(t, "ID", n.id.chars().take(12).collect()),
                    field(t, "Name", n.name.clone()),
                    field(t, "Driver", n.driver.clone()),
                    field(t, "Subnet", n.subnet.clone()),
                    field(t, "Gateway", n.gateway.clone()),
                    field(t, "Internal", n.internal.to_string()),
                    field(t, "Attached", n.containers.to_string()),
                ]
            })
            .unwrap_or_default(),
        _ => super::lists::volumes(app)
            .get(i)
            .map(|v| {
                vec![
                    field(t, "Name", v.name.clone()),
                    field(t, "Driver", v.driver.clone()),
                    field(t, "Path", v.mountpoint.clone()),
                ]
            })
            .unwrap_or_default(),
    };
    let _ = s;
    f.render_widget(
        Paragraph::new(lines)
            .wrap(Wrap { trim: false })
            .block(block("Details", t)),
        area,
    );
}
