//! Drawing: each pane draws itself from the App state; this module lays them out
//! (tabs on top, the current pane, a status line) and draws the help overlay.

mod anatomy;
mod containers;
mod details;
mod events;
mod forms;
mod health;
mod lists;
mod logs;
mod project;
mod services;
mod stats;

use std::time::Instant;

use ratatui::layout::{Constraint, Direction, Layout, Rect};
use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Clear, Paragraph, Tabs};
use ratatui::Frame;

use super::state::{App, Tab, TABS};
use super::theme::Theme;

/// The reference of the image on row `i` (its first tag, else its ID).
pub fn image_at(app: &App, i: usize) -> Option<String> {
    lists::images(app)
        .get(i)
        .map(|img| img.tags.first().cloned().unwrap_or_else(|| img.id.clone()))
}

pub fn events_count(app: &App) -> usize {
    events::events(app).len()
}

pub fn network_at(app: &App, i: usize) -> Option<String> {
    lists::networks(app).get(i).map(|n| n.name.clone())
}

pub fn volume_at(app: &App, i: usize) -> Option<String> {
    lists::volumes(app).get(i).map(|v| v.name.clone())
}

/// The rows of a list of `total` that `height` rows show with `selected` in view, as
/// ratatui scrolls a list drawn afresh: from the top, until the selection passes the
/// bottom. Panes build widgets for these rows only.
pub fn window(total: usize, selected: Option<usize>, height: usize) -> std::ops::Range<usize> {
    let h = height.max(1);
    let start = selected.map_or(0, |s| (s + 1).saturating_sub(h)).min(total);
    start..(start + h).min(total)
}

/// Note where list rows were drawn, for clicks: `rows[i]` is the list index shown on the
/// i-th row after `offset` (None for rows such as group headers), from `top` down.
pub fn register_rows(app: &App, area: Rect, top: u16, offset: usize, rows: &[Option<usize>]) {
    let mut hits = app.hits.borrow_mut();
    let inner_bottom = area.y + area.height.saturating_sub(1);
    for (k, idx) in rows.iter().skip(offset).enumerate() {
        let y = top + k as u16;
        if y >= inner_bottom {
            break;
        }
        if let Some(i) = idx {
            hits.push((
                Rect::new(area.x + 1, y, area.width.saturating_sub(2), 1),
                *i,
            ));
        }
    }
}

pub fn draw(f: &mut Frame, app: &App, now: Instant) {
    let t = &app.theme;
    app.hits.borrow_mut().clear();
    f.render_widget(Block::default().style(t.base()), f.area());
    let rows = Layout::default()
        .direction(Direction::Vertical)
        .constraints([
            Constraint::Length(1),
            Constraint::Min(3),
            Constraint::Length(1),
        ])
        .split(f.area());
    draw_tabs(f, app, rows[0]);
    let body = rows[1];
    match app.tab {
        Tab::Containers => {
            // A project's details are longer than a container's: they get more room.
            let left = if app.selected_project().is_some() {
                45
            } else {
                60
            };
            let cols = split(body, left);
            containers::draw(f, app, cols[0], now);
            details::container(f, app, cols[1]);
        }
        Tab::Images | Tab::Networks | Tab::Volumes => {
            let cols = split(body, 60);
            lists::draw(f, app, cols[0]);
            details::object(f, app, cols[1]);
        }
        Tab::Logs => {
            let cols = split(body, 25);
            containers::names(f, app, cols[0]);
            logs::draw(f, app, cols[1]);
        }
        Tab::Health => {
            let cols = split(body, 25);
            containers::names(f, app, cols[0]);
            health::draw(f, app, cols[1]);
        }
        Tab::Stats => {
            let cols = split(body, 100);
            stats::draw(f, app, cols[0]);
        }
        Tab::Anatomy => {
            let cols = split(body, 20);
            containers::names(f, app, cols[0]);
            anatomy::draw(f, app, cols[1]);
        }
        Tab::Events => events::draw(f, app, body),
        Tab::Services => services::draw(f, app, body),
    }
    draw_status(f, app, rows[2]);
    if app.help {
        draw_help(f, app);
    }
    if let Some(out) = &app.output {
        draw_output(f, app, out);
    }
    if let Some(p) = &app.picker {
        draw_picker(f, app, p);
    }
    if let Some(e) = &app.editor {
        forms::editor(f, app, e);
    }
    if let Some(x) = &app.form {
        forms::form(f, app, x);
    }
}

fn split(area: Rect, left_percent: u16) -> std::rc::Rc<[Rect]> {
    Layout::default()
        .direction(Direction::Horizontal)
        .constraints([
            Constraint::Percentage(left_percent),
            Constraint::Percentage(100 - left_percent),
        ])
        .split(area)
}

pub fn block<'a>(title: &'a str, t: &Theme) -> Block<'a> {
    Block::default()
        .borders(Borders::ALL)
        .border_style(Style::default().fg(t.border))
        .title(Span::styled(
            format!(" {title} "),
            Style::default().fg(t.title).add_modifier(Modifier::BOLD),
        ))
        .style(t.base())
}

/// The tab labels that fit in `width` columns: "1 Containers", or "1 Ctrs" when the
/// full ones do not fit. Each takes its length plus 2 (padding) plus 1 (divider).
pub fn tab_labels(width: u16) -> Vec<String> {
    let full: Vec<String> = TABS
        .iter()
        .map(|tab| format!("{} {}", tab.key(), tab.title()))
        .collect();
    let need: usize = full.iter().map(|l| l.chars().count() + 3).sum();
    if need <= width as usize {
        return full;
    }
    TABS.iter()
        .map(|tab| format!("{} {}", tab.key(), tab.short_title()))
        .collect()
}

/// The title bar's right end: the context shown, and whether its engine answers.
fn context_label(app: &App) -> String {
    match &app.snap.unreachable {
        None => format!(" ⬢ {} ", app.context),
        Some(_) => format!(" ⬢ {} · unreachable ", app.context),
    }
}

/// Columns of the title bar the tabs may take (the context's label has the rest).
pub fn tabs_width(app: &App, width: u16) -> u16 {
    width.saturating_sub(context_label(app).chars().count() as u16)
}

fn draw_tabs(f: &mut Frame, app: &App, area: Rect) {
    let t = &app.theme;
    let label = context_label(app);
    let label_w = (label.chars().count() as u16).min(area.width);
    let style = if app.snap.unreachable.is_some() {
        Style::default()
            .fg(t.unhealthy)
            .add_modifier(Modifier::BOLD)
    } else {
        Style::default().fg(t.accent)
    };
    f.render_widget(
        Paragraph::new(Span::styled(label, style)).style(t.base()),
        Rect::new(area.x + area.width - label_w, area.y, label_w, 1),
    );
    let area = Rect::new(area.x, area.y, area.width - label_w, 1);
    let titles: Vec<Line> = tab_labels(area.width).into_iter().map(Line::from).collect();
    let sel = TABS.iter().position(|x| *x == app.tab).unwrap_or(0);
    let tabs = Tabs::new(titles)
        .select(sel)
        .style(Style::default().fg(t.dim).bg(t.bg))
        .highlight_style(t.selected())
        .divider(Span::styled("│", Style::default().fg(t.border)));
    f.render_widget(tabs, area);
}

fn draw_status(f: &mut Frame, app: &App, area: Rect) {
    let t = &app.theme;
    let mut spans = Vec::new();
    if app.busy > 0 {
        // A spinner while operations run in the worker.
        const SPIN: [&str; 4] = ["◐", "◓", "◑", "◒"];
        let i = (Instant::now().elapsed().as_millis() / 150) as usize;
        spans.push(Span::styled(
            format!("{} ", SPIN[i % 4]),
            Style::default().fg(t.accent),
        ));
    }
    if let Some(inp) = &app.input {
        spans.push(Span::styled(
            format!("{}: {}▏", inp.prompt, inp.text),
            Style::default().fg(t.accent),
        ));
        f.render_widget(Paragraph::new(Line::from(spans)).style(t.base()), area);
        return;
    }
    if let Some(line) = &app.cmdline {
        spans.push(Span::styled(
            format!(":{line}▏"),
            Style::default().fg(t.accent),
        ));
        f.render_widget(Paragraph::new(Line::from(spans)).style(t.base()), area);
        return;
    }
    if app.filtering || !app.filter.is_empty() {
        spans.push(Span::styled(
            format!("/{}{} ", app.filter, if app.filtering { "▏" } else { "" }),
            Style::default().fg(t.accent),
        ));
    }
    // An engine that does not answer says so before anything else; the lists keep
    // what it last said.
    if let Some(why) = &app.snap.unreachable {
        spans.push(Span::styled(
            format!("{why} · showing what it last said · "),
            Style::default().fg(t.unhealthy),
        ));
    }
    spans.push(Span::styled(app.message.clone(), Style::default().fg(t.fg)));
    f.render_widget(Paragraph::new(Line::from(spans)).style(t.base()), area);
}

/// Every binding, for `?`.
pub const HELP: &[(&str, &str)] = &[
    ("1-9, 0, Tab, ←/→", "switch pane (or click its tab)"),
    (
        "j/k, ↑/↓, g/G",
        "move the selection (or click a row, or the wheel)",
    ),
    ("PgUp/PgDn, ^u/^d", "scroll the details, anatomy or log"),
    ("/", "filter the list (Enter keeps it, Esc clears)"),
    ("s", "start the container"),
    ("x", "stop (SIGTERM, SIGKILL after 10 s, with a countdown)"),
    ("r", "restart"),
    ("K", "kill (asks first)"),
    (
        "u s x r d",
        "a project's line: up, start, stop, restart, down (asks)",
    ),
    (
        "Enter, space, z",
        "fold / unfold a project (z works on its containers too)",
    ),
    ("p", "pause / unpause"),
    ("d", "remove (asks first)"),
    (
        "space, Esc",
        "mark / unmark (s x r K p d act on all marked); clear marks",
    ),
    (
        "e / E",
        "a shell in the container: in a pane (Ctrl-] leaves) / whole terminal",
    ),
    (
        "a / A",
        "attach: in a pane / whole terminal (Ctrl-P Ctrl-Q detaches)",
    ),
    ("c", "commit the container to an image"),
    ("i", "inspect (the full JSON)"),
    ("l", "its logs"),
    ("n / N", "connect to / disconnect from a network (pick it)"),
    ("R", "rename the container"),
    (
        "d, P",
        "images, networks, volumes: remove, prune (ask first)",
    ),
    (
        "images: Enter t H b",
        "run (a form), tag, history, build (a form)",
    ),
    ("nets, vols: c", "create (a form)"),
    ("F", "edit a file (Dockerfile, compose.yaml) in place"),
    (":", "run a berth command (:ps -a, :network create NAME...)"),
    (
        "logs: f",
        "follow / pause (a project: its services' merged log)",
    ),
    ("logs: / n N", "search, next / previous match"),
    (
        "logs: t w S",
        "timestamps, wrap, save the whole log to a file",
    ),
    (
        "services: + - S",
        "scale by one, or to a count typed in a form",
    ),
    (
        "services: u B d",
        "roll an update (image, env), roll back, remove (ask)",
    ),
    (
        "services: Enter",
        "its tasks (Enter: a task's container, l: its logs); a stack folds",
    ),
    (
        "C",
        "switch context: berth's own engine (local) or a Docker engine",
    ),
    ("T", "next theme"),
    ("?", "this help"),
    ("q, Ctrl-C", "quit"),
];

/// The body of the screen: between the tab line and the status line.
pub fn body_area(full: Rect) -> Rect {
    Rect::new(
        full.x,
        full.y + 1.min(full.height),
        full.width,
        full.height.saturating_sub(2),
    )
}

/// The embedded terminal over the body (between the tab line and the status line).
pub fn terminal(f: &mut Frame, app: &App, s: &crate::tui::term::EmbeddedTerm) {
    let t = &app.theme;
    let area = body_area(f.area());
    let title = match s.exit {
        None => format!("{} · Ctrl-] leaves", s.title),
        Some(code) => format!("{} · exited ({code}) · any key closes", s.title),
    };
    f.render_widget(Clear, area);
    if let Some(p) = s.screen() {
        let widget = tui_term::widget::PseudoTerminal::new(p.screen()).block(block(&title, t));
        f.render_widget(widget, area);
    }
}

/// The list of a picker (network connect/disconnect).
fn draw_picker(f: &mut Frame, app: &App, p: &crate::tui::state::Picker) {
    use ratatui::widgets::{List, ListItem, ListState};
    let t = &app.theme;
    let area = f.area();
    let w = 50.min(area.width.saturating_sub(4));
    let h = (p.items.len() as u16 + 2).min(area.height.saturating_sub(4));
    let r = Rect::new(
        area.x + (area.width - w) / 2,
        area.y + (area.height - h) / 2,
        w,
        h,
    );
    let shown = if p.labels.is_empty() {
        &p.items
    } else {
        &p.labels
    };
    let items: Vec<ListItem> = shown.iter().map(|i| ListItem::new(i.as_str())).collect();
    let list = List::new(items)
        .style(Style::default().fg(t.fg))
        .highlight_style(t.selected())
        .block(block(&p.title, t));
    f.render_widget(Clear, r);
    f.render_stateful_widget(
        list,
        r,
        &mut ListState::default().with_selected(Some(p.selected)),
    );
}

/// What a `:` command printed, over the panes until a key is pressed.
fn draw_output(f: &mut Frame, app: &App, text: &str) {
    let t = &app.theme;
    let area = f.area();
    let r = Rect::new(
        area.x + 2,
        area.y + 2,
        area.width.saturating_sub(4),
        area.height.saturating_sub(4),
    );
    let lines: Vec<Line> = text
        .lines()
        .map(|l| Line::from(Span::styled(l.to_string(), Style::default().fg(t.fg))))
        .collect();
    f.render_widget(Clear, r);
    f.render_widget(
        Paragraph::new(lines)
            .scroll((app.scroll, 0))
            .block(block("Output (j/k scroll, any other key closes)", t)),
        r,
    );
}

fn draw_help(f: &mut Frame, app: &App) {
    let t = &app.theme;
    let area = f.area();
    let w = 78.min(area.width.saturating_sub(4));
    let h = (HELP.len() as u16 + 2).min(area.height.saturating_sub(2));
    let r = Rect::new(
        area.x + (area.width - w) / 2,
        area.y + (area.height - h) / 2,
        w,
        h,
    );
    let lines: Vec<Line> = HELP
        .iter()
        .map(|(k, what)| {
            Line::from(vec![
                Span::styled(format!("{k:>18}  "), Style::default().fg(t.accent)),
                Span::styled(*what, Style::default().fg(t.fg)),
            ])
        })
        .collect();
    f.render_widget(Clear, r);
    let title = if HELP.len() as u16 + 2 > h {
        "Keys (j/k scroll, any other key closes)"
    } else {
        "Keys"
    };
    f.render_widget(
        Paragraph::new(lines)
            .scroll((app.scroll, 0))
            .block(block(title, t)),
        r,
    );
}

#[cfg(test)]
mod project_tests;
#[cfg(test)]
mod tests;
