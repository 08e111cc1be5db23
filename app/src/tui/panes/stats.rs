//! The stats pane: `docker stats` as a table of every container, and for the selected
//! one a minute of CPU, memory, network and block-IO sparklines, all read from the
//! engine's cgroup stats by the worker.

use ratatui::layout::{Constraint, Direction, Layout, Rect};
use ratatui::style::{Modifier, Style};
use ratatui::text::Span;
use ratatui::widgets::{Cell, Paragraph, Row, Sparkline, Table, TableState};
use ratatui::Frame;

use super::block;
use crate::format::human::bytes_size;
use crate::tui::data::ContainerRow;
use crate::tui::state::{App, Group, Line as ListLine};

pub fn draw(f: &mut Frame, app: &App, area: Rect) {
    let cols = Layout::default()
        .direction(Direction::Horizontal)
        .constraints([Constraint::Percentage(50), Constraint::Percentage(50)])
        .split(area);
    table(f, app, cols[0]);
    charts(f, app, cols[1]);
}

fn rate(b: u64) -> String {
    format!("{}/s", bytes_size(b))
}

fn table(f: &mut Frame, app: &App, area: Rect) {
    let t = &app.theme;
    // NET I/O only where it fits beside a readable name.
    let wide = area.width >= 72;
    let selected = app.selection();
    let height = area.height.saturating_sub(3) as usize;
    let (rows, shown) = app.with_listing(|l| {
        let shown = super::window(l.lines.len(), Some(selected), height);
        let rows: Vec<Row> = l.lines[shown.clone()]
            .iter()
            .map(|line| match *line {
                ListLine::Project(g) => project_row(app, &l.groups[g]),
                ListLine::Container(i) => container_row(app, &app.snap.containers[i], wide),
            })
            .collect();
        (rows, shown)
    });
    let mut titles = vec!["NAME", "CPU %", "MEM"];
    let mut widths = vec![
        Constraint::Min(8),
        Constraint::Length(8),
        Constraint::Length(9),
    ];
    if wide {
        titles.push("NET I/O");
        widths.push(Constraint::Length(21));
    }
    titles.push("PIDS");
    widths.push(Constraint::Length(4));
    let header = Row::new(titles).style(Style::default().fg(t.dim).add_modifier(Modifier::BOLD));
    let table = Table::new(rows, widths)
        .header(header)
        .row_highlight_style(t.selected())
        .block(block("Stats", t));
    let mut state = TableState::default().with_selected(Some(selected.saturating_sub(shown.start)));
    f.render_stateful_widget(table, area, &mut state);
    let rows: Vec<Option<usize>> = shown.map(Some).collect();
    super::register_rows(app, area, area.y + 2, 0, &rows);
}

/// A project: its name and the sum of its containers' CPU and memory.
fn project_row<'a>(app: &App, g: &Group) -> Row<'a> {
    let (name, _, colour) = super::containers::project_label(app, g);
    let series: Vec<_> = g
        .members
        .iter()
        .filter_map(|&i| app.snap.containers.get(i))
        .filter_map(|c| app.snap.stats.get(&c.id))
        .collect();
    let name = Cell::from(Span::styled(
        name,
        Style::default().fg(colour).add_modifier(Modifier::BOLD),
    ));
    if series.is_empty() {
        return Row::new(vec![name, Cell::from("-"), Cell::from("-")]);
    }
    let cpu: f64 = series.iter().map(|s| s.cpu_percent()).sum();
    let mem: u64 = series.iter().map(|s| s.memory_used()).sum();
    Row::new(vec![
        name,
        Cell::from(format!("{cpu:.2}%")),
        Cell::from(bytes_size(mem)),
    ])
}

fn container_row<'a>(app: &App, c: &ContainerRow, wide: bool) -> Row<'a> {
    let t = &app.theme;
    let indent = if c.project.is_empty() { "" } else { "  " };
    let name = Cell::from(Span::styled(
        format!("{indent}{}", c.name),
        Style::default().fg(t.state(&c.state)),
    ));
    match app.snap.stats.get(&c.id) {
        Some(s) => {
            let mut cells = vec![
                name,
                Cell::from(format!("{:.2}%", s.cpu_percent())),
                Cell::from(bytes_size(s.memory_used())),
            ];
            if wide {
                cells.push(Cell::from(format!(
                    "{} / {}",
                    bytes_size(s.net_total.0),
                    bytes_size(s.net_total.1)
                )));
            }
            cells.push(Cell::from(s.pids.to_string()));
            Row::new(cells)
        }
        None => Row::new(vec![name, Cell::from("-"), Cell::from("-")]),
    }
}

fn charts(f: &mut Frame, app: &App, area: Rect) {
    let t = &app.theme;
    let sel = app.selected_container();
    let series = sel.and_then(|c| app.snap.stats.get(&c.id));
    let Some(s) = series else {
        let why = match sel {
            Some(c) if c.state != "running" => format!("{} is not running", c.name),
            Some(_) => "reading its cgroup…".into(),
            None => match app.selected_project() {
                Some(g) => format!(
                    "{}: the sum of its containers is on its line; select one for its charts",
                    g.name
                ),
                None => "no container selected".into(),
            },
        };
        f.render_widget(
            Paragraph::new(Span::styled(why, Style::default().fg(t.dim))).block(block("Usage", t)),
            area,
        );
        return;
    };
    let rows = Layout::default()
        .direction(Direction::Vertical)
        .constraints([Constraint::Ratio(1, 4); 4])
        .split(area);
    let limit = if s.memory_limit > 0 {
        format!(" of {}", bytes_size(s.memory_limit))
    } else {
        String::new()
    };
    spark(
        f,
        app,
        rows[0],
        format!("CPU {:.2}%", s.cpu_percent()),
        &s.cpu,
        t.accent,
    );
    spark(
        f,
        app,
        rows[1],
        format!("Memory {}{limit}", bytes_size(s.memory_used())),
        &s.memory,
        t.running,
    );
    pair(f, app, rows[2], ("Net rx", &s.net_rx), ("tx", &s.net_tx));
    pair(
        f,
        app,
        rows[3],
        ("Block read", &s.block_read),
        ("write", &s.block_write),
    );
}

fn spark(
    f: &mut Frame,
    app: &App,
    area: Rect,
    title: String,
    data: &[u64],
    color: ratatui::style::Color,
) {
    let t = &app.theme;
    // The newest readings at the right edge.
    let room = area.width.saturating_sub(2) as usize;
    let start = data.len().saturating_sub(room);
    let w = Sparkline::default()
        .block(block(&title, t))
        .style(Style::default().fg(color).bg(t.bg))
        .data(&data[start..]);
    f.render_widget(w, area);
}

/// Two rates in one box: the first above, the second below.
fn pair(f: &mut Frame, app: &App, area: Rect, (a, da): (&str, &[u64]), (b, db): (&str, &[u64])) {
    let t = &app.theme;
    let title = format!(
        "{a} {}  {b} {}",
        rate(da.last().copied().unwrap_or(0)),
        rate(db.last().copied().unwrap_or(0))
    );
    let outer = block(&title, t);
    let inner = outer.inner(area);
    f.render_widget(outer, area);
    let halves = Layout::default()
        .direction(Direction::Vertical)
        .constraints([Constraint::Ratio(1, 2); 2])
        .split(inner);
    let room = inner.width as usize;
    for (i, (d, color)) in [(da, t.title), (db, t.paused)].into_iter().enumerate() {
        let start = d.len().saturating_sub(room);
        f.render_widget(
            Sparkline::default()
                .style(Style::default().fg(color).bg(t.bg))
                .data(&d[start..]),
            halves[i],
        );
    }
}
