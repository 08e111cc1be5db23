//! Frame time of the TUI and the cost of keeping up with a flood of log lines.
//!
//! `cargo bench -p berth --bench frame`
//!
//! Frames are drawn into a 200×50 crossterm backend that writes to a sink, so each
//! measurement includes layout, widget drawing, ratatui's buffer diff and the escape
//! sequences of the changed cells: everything but the terminal itself. Each iteration
//! moves the selection, so every frame has something to redraw. A 60 Hz frame is
//! 16.7 ms; the TUI redraws at most a few times a second when idle.

use std::time::Instant;

use berth::tui::data::{ContainerRow, Snapshot};
use berth::tui::logtail::parse_line;
use berth::tui::logview::LogEntry;
use berth::tui::panes;
use berth::tui::state::{App, Tab};
use berth::tui::stats::Series;
use berth::tui::theme::Theme;
use criterion::{criterion_group, criterion_main, Criterion};
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use ratatui::backend::CrosstermBackend;
use ratatui::layout::Rect;
use ratatui::{Terminal, TerminalOptions, Viewport};

fn thousand() -> Snapshot {
    let mut s = Snapshot::default();
    for i in 0..1000 {
        let id = format!("{i:064x}");
        s.containers.push(ContainerRow {
            id: id.clone(),
            name: format!("svc-{i:04}"),
            image: "demo/busybox:latest".into(),
            status: "Up 3 hours (healthy)".into(),
            state: if i % 7 == 0 { "exited" } else { "running" }.into(),
            health: "healthy".into(),
            ports: format!("127.0.0.1:{}->80/tcp", 10000 + i),
            project: if i % 3 == 0 {
                format!("proj{}", i % 10)
            } else {
                String::new()
            },
            service: if i % 3 == 0 {
                format!("svc{}", i % 4)
            } else {
                String::new()
            },
            networks: vec!["demo".into()],
        });
        s.stats.insert(
            id,
            Series {
                name: format!("svc-{i:04}"),
                cpu: (0..60).map(|k| (k * 37 + i) % 5000).collect(),
                memory: (0..60).map(|k| ((k + i) % 40) << 20).collect(),
                memory_limit: 512 << 20,
                net_rx: (0..60).map(|k| (k * 101) % 9000).collect(),
                net_tx: (0..60).map(|k| (k * 57) % 9000).collect(),
                block_read: vec![0; 60],
                block_write: (0..60).map(|k| k * 10).collect(),
                pids: 3,
                net_total: (123_456, 654_321),
                block_total: (0, 4096),
            },
        );
    }
    s
}

fn app_on(tab: Tab) -> App {
    let mut app = App::new(Theme::built_in("dark").expect("theme"));
    app.update(thousand());
    app.tab = tab;
    app.selected[0] = 500;
    let lines: Vec<LogEntry> = (0..20_000)
        .map(|i| LogEntry {
            stderr: i % 10 == 0,
            time: "2026-11-25T12:00:00.000000000Z".into(),
            text: format!(
                "GET /api/items/{i} 200 {} bytes in 3ms from 10.0.0.{}",
                i * 7,
                i % 250
            ),
            ..Default::default()
        })
        .collect();
    let id = app.snap.containers[500].id.clone();
    app.logs.append(&id, lines, true);
    app.logs.search = "items/1".into();
    app
}

fn terminal() -> Terminal<CrosstermBackend<std::io::Sink>> {
    Terminal::with_options(
        CrosstermBackend::new(std::io::sink()),
        TerminalOptions {
            viewport: Viewport::Fixed(Rect::new(0, 0, 200, 50)),
        },
    )
    .expect("terminal")
}

fn frames(c: &mut Criterion) {
    let mut g = c.benchmark_group("frame 200x50, 1000 containers");
    for (label, tab) in [
        ("containers", Tab::Containers),
        ("stats", Tab::Stats),
        ("logs (20k lines kept, search on)", Tab::Logs),
        ("events", Tab::Events),
    ] {
        let mut app = app_on(tab);
        let mut term = terminal();
        let mut down = true;
        g.bench_function(label, |b| {
            b.iter(|| {
                // j and k in turn: the selection moves, the frame changes.
                let code = if down { KeyCode::Down } else { KeyCode::Up };
                down = !down;
                app.on_key(KeyEvent::new(code, KeyModifiers::NONE));
                term.draw(|f| panes::draw(f, &app, Instant::now()))
                    .expect("draw");
            })
        });
    }
    g.finish();
}

/// The worker's share of a container printing 100k lines a second: one tick (100 ms)
/// brings 10,000 new lines from the log stream (timestamps on) to split into time and
/// text, and the UI appends them.
fn log_flood(c: &mut Criterion) {
    let tick: Vec<String> = (0..10_000)
        .map(|i| format!("2026-11-25T12:00:00.123456789Z flood line {i} with some payload text\n"))
        .collect();
    let mut app = App::new(Theme::built_in("dark").expect("theme"));
    c.bench_function("log tick: parse+append 10k streamed lines", |b| {
        b.iter(|| {
            let lines: Vec<LogEntry> = tick.iter().map(|l| parse_line(l, false)).collect();
            app.logs.append("c", lines, false);
        })
    });
}

criterion_group!(benches, frames, log_flood);
criterion_main!(benches);
