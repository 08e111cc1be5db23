//! A compose project's details, beside the list when its header is selected, written
//! for teaching: where its files are, its networks and who answers names on them, each
//! service in start order with what its start waited for, each container with its
//! addresses and the names the embedded DNS answers for it there, then the project's
//! `config` as `berth compose config` prints it.

use ratatui::layout::Rect;
use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Wrap};
use ratatui::Frame;

use super::block;
use crate::compose::graph::{condition_name, Condition};
use crate::compose::labeled::Dependency;
use crate::compose::log_prefix;
use crate::tui::project::{MemberView, ProjectView};
use crate::tui::state::{App, Group};
use crate::tui::theme::Theme;

fn field(t: &Theme, k: &str, v: String) -> Line<'static> {
    Line::from(vec![
        Span::styled(format!("{k:<10}"), Style::default().fg(t.dim)),
        Span::styled(v, Style::default().fg(t.fg)),
    ])
}

fn heading(t: &Theme, s: &str) -> Line<'static> {
    Line::from(Span::styled(
        s.to_string(),
        Style::default().fg(t.title).add_modifier(Modifier::BOLD),
    ))
}

fn dim(t: &Theme, s: String) -> Line<'static> {
    Line::from(Span::styled(s, Style::default().fg(t.dim)))
}

/// What a dependency's condition waited for, in words, then compose's own name.
fn waited(d: &Dependency) -> String {
    let what = match d.condition {
        Condition::ServiceStarted => "started",
        Condition::ServiceHealthy => "healthy",
        Condition::ServiceCompletedSuccessfully => "exited 0",
    };
    let restart = if d.restart { ", restarts with it" } else { "" };
    format!(
        "{} {what} ({}){restart}",
        d.service,
        condition_name(d.condition)
    )
}

pub fn draw(f: &mut Frame, app: &App, area: Rect, g: &Group) {
    let t = &app.theme;
    let (_, count, colour) = super::containers::project_label(app, g);
    let mut lines = vec![
        field(t, "Project", g.name.clone()),
        Line::from(vec![
            Span::styled(format!("{:<10}", "Status"), Style::default().fg(t.dim)),
            Span::styled(count, Style::default().fg(colour)),
        ]),
        field(
            t,
            "Keys",
            "u up · s start · x stop · r restart · d down · Enter fold".into(),
        ),
    ];
    match app.snap.project.as_ref().filter(|p| p.name == g.name) {
        Some(p) => body(t, p, &mut lines),
        None => lines.push(dim(t, "reading its details…".into())),
    }
    f.render_widget(
        Paragraph::new(lines)
            .wrap(Wrap { trim: false })
            .scroll((app.scroll, 0))
            .block(block("Project (PgUp/PgDn scroll)", t)),
        area,
    );
}

fn body(t: &Theme, p: &ProjectView, lines: &mut Vec<Line<'static>>) {
    lines.push(field(t, "Dir", p.working_dir.clone()));
    lines.push(field(t, "Files", p.config_files.join(", ")));
    lines.push(Line::default());
    lines.push(heading(t, "Networks"));
    for n in &p.networks {
        let mut text = format!("  {}", n.name);
        if !n.subnet.is_empty() {
            text.push_str(&format!("  {}  gateway {}", n.subnet, n.gateway));
        }
        lines.push(Line::from(Span::styled(text, Style::default().fg(t.fg))));
        lines.push(dim(
            t,
            if n.dns && !n.gateway.is_empty() {
                format!(
                    "    its embedded DNS listens on {}:53 and answers the names below to \
                     containers on this network",
                    n.gateway
                )
            } else if n.dns {
                "    its embedded DNS answers the names below to containers on it".into()
            } else {
                "    no embedded DNS here: containers find each other by address only".into()
            },
        ));
    }
    if p.networks.is_empty() {
        lines.push(dim(t, "  none (its containers share no network)".into()));
    }
    lines.push(Line::default());
    lines.push(heading(t, "Services, in start order"));
    let palette = t.service_palette();
    let order = log_prefix::service_order(p.services.iter().map(|s| s.name.as_str()));
    for s in &p.services {
        let colour = palette[log_prefix::colour_index(&order, &s.name) % palette.len()];
        let mut spans = vec![Span::styled(
            format!("  {}", s.name),
            Style::default().fg(colour).add_modifier(Modifier::BOLD),
        )];
        let waits = if s.depends_on.is_empty() {
            "  started without waiting".to_string()
        } else {
            let all: Vec<String> = s.depends_on.iter().map(waited).collect();
            format!("  started after {}", all.join(", "))
        };
        spans.push(Span::styled(waits, Style::default().fg(t.dim)));
        lines.push(Line::from(spans));
        for c in &s.containers {
            member(t, p, &s.name, c, lines);
        }
    }
    if p.not_inspected > 0 {
        lines.push(dim(
            t,
            format!(
                "  ({} more containers, not looked at: only so many are inspected)",
                p.not_inspected
            ),
        ));
    }
    lines.push(Line::default());
    lines.push(heading(t, "Config (berth compose config)"));
    match &p.config {
        Ok(text) => {
            for l in text.lines() {
                lines.push(Line::from(Span::styled(
                    format!("  {l}"),
                    Style::default().fg(t.fg),
                )));
            }
        }
        Err(e) => lines.push(Line::from(Span::styled(
            format!("  cannot show it: {e}"),
            Style::default().fg(t.exited),
        ))),
    }
}

/// Where a DNS name comes from, for teaching: compose gives each container its name
/// and its service's as aliases, the engine adds the name and the short ID (which is
/// also the hostname unless one is set).
fn origin(c: &MemberView, service: &str, name: &str) -> &'static str {
    let short: String = c.id.chars().take(12).collect();
    match name {
        n if n == c.name => "container",
        n if n == service => "service",
        n if n == short && n == c.hostname => "short ID, hostname",
        n if n == short => "short ID",
        n if n == c.hostname => "hostname",
        _ => "alias",
    }
}

fn member(
    t: &Theme,
    p: &ProjectView,
    service: &str,
    c: &MemberView,
    lines: &mut Vec<Line<'static>>,
) {
    let mut spans = vec![
        Span::styled(format!("    {}  ", c.name), Style::default().fg(t.fg)),
        Span::styled(c.state.clone(), Style::default().fg(t.state(&c.state))),
    ];
    if !c.health.is_empty() {
        spans.push(Span::styled(
            format!("  {}", c.health),
            Style::default().fg(t.health(&c.health)),
        ));
    }
    lines.push(Line::from(spans));
    for e in &c.endpoints {
        let addr = if e.ip.is_empty() {
            "no address (not running)".to_string()
        } else {
            e.ip.clone()
        };
        lines.push(Line::from(Span::styled(
            format!("      {}  {addr}", e.network),
            Style::default().fg(t.fg),
        )));
        let served = p.networks.iter().any(|n| n.name == e.network && n.dns);
        let names = match &e.dns_names {
            _ if !served => "no embedded DNS on this network".to_string(),
            _ if e.ip.is_empty() => "the DNS answers nothing for it while it is stopped".into(),
            Some(n) if !n.is_empty() => {
                // The engine adds the container's name, which compose gave as an
                // alias already: each name once.
                let mut seen: Vec<&String> = Vec::new();
                let shown: Vec<String> = n
                    .iter()
                    .filter(|d| {
                        let new = !seen.contains(d);
                        seen.push(d);
                        new
                    })
                    .map(|d| format!("{d} ({})", origin(c, service, d)))
                    .collect();
                format!("DNS names  {}", shown.join(", "))
            }
            _ => "the DNS answers no name for it here".into(),
        };
        lines.push(dim(t, format!("        {names}")));
    }
}
