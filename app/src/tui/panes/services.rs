//! The services pane: the swarm's services on top (NAME, MODE, REPLICAS running/desired,
//! IMAGE, PORTS; stacks as foldable groups), the selected service below (its update
//! status, how far it has converged, its tasks with their history as `service ps` shows
//! them, each on its node), the cluster's nodes beside them (state, availability,
//! manager status, running tasks), the keys on its bottom border. Outside a swarm it
//! says how to start one.

use ratatui::layout::{Constraint, Direction, Layout, Rect};
use ratatui::style::{Color, Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Cell, Paragraph, Row, Table, TableState, Wrap};
use ratatui::Frame;

use super::block;
use crate::tui::services::{NodeRow, ServiceRow, SwarmView, TaskRow};
use crate::tui::state::{App, ServiceLine, Stack};
use crate::tui::theme::Theme;

/// The keys, on the details' bottom border.
const SERVICE_KEYS: &str =
    " +/- scale · S replicas · u update · B roll back · d remove · Enter tasks ";
const TASK_KEYS: &str = " Enter its container · l its logs · Esc back to the services ";

pub fn draw(f: &mut Frame, app: &App, area: Rect) {
    let t = &app.theme;
    let rows = match &app.snap.swarm {
        SwarmView::Active(rows) => rows,
        other => {
            let text = match other {
                SwarmView::Inactive => NO_SWARM.to_string(),
                SwarmView::Failed(e) => format!("The services cannot be read: {e}"),
                _ => "Reading the swarm...".to_string(),
            };
            let p = Paragraph::new(text)
                .style(Style::default().fg(t.fg))
                .wrap(Wrap { trim: false })
                .block(block("Services", t));
            f.render_widget(p, area);
            return;
        }
    };
    let listing = app.service_listing();
    // The list takes what it needs, up to 45% of the pane; the selected service the rest.
    let want = listing.lines.len().min(usize::from(u16::MAX - 3)) as u16 + 3;
    let most = (u32::from(area.height) * 45 / 100) as u16;
    let list_height = want.clamp(5, most.max(5));
    let parts = Layout::default()
        .direction(Direction::Vertical)
        .constraints([Constraint::Length(list_height), Constraint::Min(3)])
        .split(area);
    // The cluster's nodes beside the services; the selected service's tasks below.
    let top = if app.snap.nodes.is_empty() {
        parts[0]
    } else {
        let cols = Layout::default()
            .direction(Direction::Horizontal)
            .constraints([Constraint::Min(60), Constraint::Length(NODES_WIDTH)])
            .split(parts[0]);
        nodes(f, app, cols[1], &app.snap.nodes);
        cols[0]
    };
    list(f, app, top, rows, &listing);
    let below = parts[1];
    match (app.selected_service(), app.selected_stack()) {
        (Some(s), _) => details(f, app, below, s),
        (None, Some(stack)) => stack_summary(f, app, below, &stack),
        (None, None) => {
            let p = Paragraph::new("No service yet: `:service create --name web IMAGE` makes one.")
                .style(Style::default().fg(t.dim))
                .block(block("Tasks", t));
            f.render_widget(p, below);
        }
    }
}

/// The nodes box's width: hostname, status, availability, manager status, tasks.
const NODES_WIDTH: u16 = 44;

/// The swarm's nodes as `node ls` names them, with their running tasks: where the
/// tasks went, and which nodes take none (drained, down).
fn nodes(f: &mut Frame, app: &App, area: Rect, list: &[NodeRow]) {
    let t = &app.theme;
    let rows: Vec<Row> = list
        .iter()
        .map(|n| {
            let c = &n.columns;
            let status = if c.status == "Ready" {
                t.running
            } else {
                t.unhealthy
            };
            let availability = if c.availability == "Active" {
                t.fg
            } else {
                t.paused
            };
            Row::new(vec![
                Cell::from(c.hostname.clone()),
                Cell::from(Span::styled(c.status.clone(), Style::default().fg(status))),
                Cell::from(Span::styled(
                    c.availability.clone(),
                    Style::default().fg(availability),
                )),
                Cell::from(Span::styled(
                    c.manager.clone(),
                    Style::default().fg(t.accent),
                )),
                Cell::from(n.tasks.to_string()),
            ])
        })
        .collect();
    let header = Row::new(vec!["HOSTNAME", "STATUS", "AVAIL", "MANAGER", "TASKS"])
        .style(Style::default().fg(t.dim).add_modifier(Modifier::BOLD));
    let title = format!("Nodes ({})", list.len());
    let table = Table::new(
        rows,
        [
            Constraint::Fill(1),
            Constraint::Length(6),
            Constraint::Length(6),
            Constraint::Length(9),
            Constraint::Length(5),
        ],
    )
    .header(header)
    .style(Style::default().fg(t.fg))
    .block(block(&title, t));
    f.render_widget(table, area);
}

/// What the pane says outside a swarm: a state to explain, not an error.
pub const NO_SWARM: &str = "This node is not in a swarm: no services to show.\n\n\
`swarm init` starts one (`:swarm init` here, or `berth swarm init` in a shell); then \
`berth service create --name web --replicas 2 IMAGE` makes a service, and its replicas, \
tasks and updates show here.";

/// The colour of `running/desired`: all running, some, none.
fn count_colour(t: &Theme, running: u64, desired: u64) -> Color {
    match (running, desired) {
        (r, d) if r >= d => t.running,
        (0, _) => t.exited,
        _ => t.paused,
    }
}

fn list(
    f: &mut Frame,
    app: &App,
    area: Rect,
    rows: &[ServiceRow],
    l: &crate::tui::state::ServiceListing,
) {
    let t = &app.theme;
    let selected = app.selection();
    let height = area.height.saturating_sub(3) as usize;
    let shown = super::window(l.lines.len(), Some(selected), height);
    let table_rows: Vec<Row> = l.lines[shown.clone()]
        .iter()
        .map(|line| match *line {
            ServiceLine::Stack(g) => stack_row(t, &l.stacks[g]),
            ServiceLine::Service(i) => service_row(t, &rows[i]),
        })
        .collect();
    let header = Row::new(vec!["NAME", "MODE", "REPLICAS", "IMAGE", "PORTS"])
        .style(Style::default().fg(t.dim).add_modifier(Modifier::BOLD));
    let title = format!("Services ({})", rows.len());
    let table = Table::new(
        table_rows,
        [
            Constraint::Fill(3),
            Constraint::Length(10),
            Constraint::Length(10),
            Constraint::Fill(3),
            Constraint::Fill(3),
        ],
    )
    .header(header)
    .style(Style::default().fg(t.fg))
    .row_highlight_style(if app.services.task.is_some() {
        Style::default().add_modifier(Modifier::BOLD)
    } else {
        t.selected()
    })
    .block(block(&title, t));
    let mut state = TableState::default().with_selected(Some(selected.saturating_sub(shown.start)));
    f.render_stateful_widget(table, area, &mut state);
    let hits: Vec<Option<usize>> = shown.map(Some).collect();
    super::register_rows(app, area, area.y + 2, 0, &hits);
}

fn stack_row<'a>(t: &Theme, s: &Stack) -> Row<'a> {
    let fold = if s.collapsed { "▸" } else { "▾" };
    Row::new(vec![
        Cell::from(Span::styled(
            format!("{fold} {}", s.name),
            Style::default().fg(t.accent).add_modifier(Modifier::BOLD),
        )),
        Cell::from(Span::styled("stack", Style::default().fg(t.dim))),
        Cell::from(Span::styled(
            format!("{}/{}", s.running, s.desired),
            Style::default().fg(count_colour(t, s.running, s.desired)),
        )),
        Cell::from(Span::styled(
            services_word(s.services),
            Style::default().fg(t.dim),
        )),
        Cell::from(""),
    ])
}

fn service_row<'a>(t: &Theme, s: &ServiceRow) -> Row<'a> {
    let indent = if s.stack.is_empty() { "" } else { "  " };
    Row::new(vec![
        Cell::from(format!("{indent}{}", s.name)),
        Cell::from(s.mode.clone()),
        Cell::from(Span::styled(
            s.replicas.clone(),
            Style::default().fg(count_colour(t, s.running, s.desired)),
        )),
        Cell::from(s.image.clone()),
        Cell::from(s.ports.clone()),
    ])
}

/// The colour of a task's state.
fn task_colour(t: &Theme, state: &str) -> Color {
    match state {
        "running" => t.running,
        "failed" | "rejected" | "orphaned" => t.unhealthy,
        "complete" | "shutdown" | "remove" => t.dim,
        _ => t.starting,
    }
}

/// A bar of `width` cells, filled `done` of `total`.
fn bar(done: u64, total: u64, width: usize) -> String {
    let filled = if total == 0 {
        width
    } else {
        (done.min(total) as usize * width) / total as usize
    };
    format!("{}{}", "█".repeat(filled), "░".repeat(width - filled))
}

fn details(f: &mut Frame, app: &App, area: Rect, s: &ServiceRow) {
    let t = &app.theme;
    let focus = app.services.task.is_some();
    let keys = if focus { TASK_KEYS } else { SERVICE_KEYS };
    let title = format!("{} · tasks", s.name);
    let outer = block(&title, t).title_bottom(Span::styled(keys, Style::default().fg(t.dim)));
    let inner = outer.inner(area);
    f.render_widget(outer, area);
    let d = app.snap.service.as_ref().filter(|d| d.id == s.id);
    let Some(d) = d else {
        let p = Paragraph::new("reading its tasks...").style(Style::default().fg(t.dim));
        f.render_widget(p, inner);
        return;
    };
    let c = &d.converge;
    let (word, colour) = if c.done() {
        ("converged", t.running)
    } else {
        ("converging", t.starting)
    };
    let label = |x: &str| Span::styled(format!("{x:<9}"), Style::default().fg(t.title));
    let update = if d.update.is_empty() {
        Span::styled("none under way or recorded", Style::default().fg(t.dim))
    } else {
        Span::styled(d.update.clone(), Style::default().fg(t.fg))
    };
    let head = vec![
        Line::from(vec![
            label("Progress"),
            Span::styled(
                format!("{} ", bar(c.running, c.desired, 20)),
                Style::default().fg(colour),
            ),
            Span::styled(
                format!(
                    "{}/{} tasks of the current spec running · {word}",
                    c.running, c.desired
                ),
                Style::default().fg(colour),
            ),
        ]),
        Line::from(vec![label("Update"), update]),
    ];
    let parts = Layout::default()
        .direction(Direction::Vertical)
        .constraints([Constraint::Length(3), Constraint::Min(1)])
        .split(inner);
    f.render_widget(Paragraph::new(head).style(t.base()), parts[0]);
    tasks(f, app, parts[1], &d.tasks);
}

fn tasks(f: &mut Frame, app: &App, area: Rect, list: &[TaskRow]) {
    let t = &app.theme;
    let selected = app.services.task;
    let height = area.height.saturating_sub(1) as usize;
    let shown = super::window(list.len(), selected, height);
    let rows: Vec<Row> = list[shown.clone()]
        .iter()
        .map(|x| {
            let dim = if x.older { t.dim } else { t.fg };
            Row::new(vec![
                Cell::from(Span::styled(x.id.clone(), Style::default().fg(t.dim))),
                Cell::from(Span::styled(x.name.clone(), Style::default().fg(dim))),
                Cell::from(Span::styled(x.image.clone(), Style::default().fg(dim))),
                Cell::from(Span::styled(x.node.clone(), Style::default().fg(dim))),
                Cell::from(Span::styled(x.desired.clone(), Style::default().fg(dim))),
                Cell::from(Span::styled(
                    x.current.clone(),
                    Style::default().fg(task_colour(t, &x.state)),
                )),
                Cell::from(Span::styled(
                    x.error.clone(),
                    Style::default().fg(t.unhealthy),
                )),
            ])
        })
        .collect();
    let header = Row::new(vec![
        "ID",
        "NAME",
        "IMAGE",
        "NODE",
        "DESIRED STATE",
        "CURRENT STATE",
        "ERROR",
    ])
    .style(Style::default().fg(t.dim).add_modifier(Modifier::BOLD));
    let table = Table::new(
        rows,
        [
            Constraint::Length(12),
            Constraint::Fill(2),
            Constraint::Fill(2),
            Constraint::Fill(1),
            Constraint::Length(13),
            Constraint::Length(27),
            Constraint::Fill(4),
        ],
    )
    .header(header)
    .row_highlight_style(t.selected());
    let mut state =
        TableState::default().with_selected(selected.map(|s| s.saturating_sub(shown.start)));
    f.render_stateful_widget(table, area, &mut state);
}

fn stack_summary(f: &mut Frame, app: &App, area: Rect, s: &Stack) {
    let t = &app.theme;
    let title = format!("stack {}", s.name);
    let text = format!(
        "Stack {}: {}, {}/{} tasks running.\n\nEnter or space folds it to this line and back; \
         select one of its services for its tasks and keys.",
        s.name,
        services_word(s.services),
        s.running,
        s.desired
    );
    let p = Paragraph::new(text)
        .style(Style::default().fg(t.fg))
        .wrap(Wrap { trim: false })
        .block(block(&title, t));
    f.render_widget(p, area);
}

/// `1 service`, `3 services`.
fn services_word(n: usize) -> String {
    if n == 1 {
        "1 service".into()
    } else {
        format!("{n} services")
    }
}
