//! Snapshot tests of a compose project in the panes: its header in the list (open and
//! folded), its details, its merged log with each service's colour, and its stats line.

use std::time::Instant;

use ratatui::backend::TestBackend;
use ratatui::Terminal;

use super::tests::buffer_text;
use crate::tui::data::*;
use crate::tui::logview::LogEntry;
use crate::tui::state::{App, Tab};
use crate::tui::theme::Theme;

fn row(id: &str, name: &str, service: &str, state: &str, status: &str) -> ContainerRow {
    ContainerRow {
        id: id.into(),
        name: name.into(),
        image: "busybox".into(),
        status: status.into(),
        state: state.into(),
        health: if service == "db" {
            "healthy".into()
        } else {
            String::new()
        },
        project: if service.is_empty() {
            String::new()
        } else {
            "cct".into()
        },
        service: service.into(),
        networks: vec!["cct_default".into()],
        ..Default::default()
    }
}

/// The project of `tui::project::tests::fixture` on the engine, and a container of no
/// project below it.
fn app_on(tab: Tab) -> App {
    let mut app = App::new(Theme::built_in("dark").unwrap());
    app.update(Snapshot {
        containers: vec![
            row("db1", "cct-db-1", "db", "running", "Up 3 minutes (healthy)"),
            row("web1", "cct-web-1", "web", "running", "Up 2 minutes"),
            row(
                "web2",
                "cct-web-2",
                "web",
                "exited",
                "Exited (0) 1 minute ago",
            ),
            row("solo", "solo", "", "running", "Up 1 hour"),
        ],
        project: Some(crate::tui::project::tests::fixture()),
        ..Default::default()
    });
    app.tab = tab;
    app
}

fn draw(app: &App, w: u16, h: u16) -> Terminal<TestBackend> {
    let mut term = Terminal::new(TestBackend::new(w, h)).unwrap();
    term.draw(|f| super::draw(f, app, Instant::now())).unwrap();
    term
}

#[test]
fn project_details() {
    let app = app_on(Tab::Containers);
    assert_eq!(app.selected_project().unwrap().name, "cct");
    insta::assert_snapshot!(buffer_text(&draw(&app, 140, 44)));
}

#[test]
fn project_folded() {
    let mut app = app_on(Tab::Containers);
    app.on_key(crossterm::event::KeyEvent::new(
        crossterm::event::KeyCode::Char('z'),
        crossterm::event::KeyModifiers::NONE,
    ));
    let text = buffer_text(&draw(&app, 100, 12));
    assert!(text.contains("▸ cct"), "{text}");
    assert!(!text.contains("cct-web-1"), "{text}");
    insta::assert_snapshot!(text);
}

#[test]
fn project_merged_log() {
    let mut app = app_on(Tab::Logs);
    let line = |prefix: &str, colour: usize, text: &str| LogEntry {
        time: "2026-11-25T10:00:00.000000000Z".into(),
        text: text.into(),
        prefix: prefix.into(),
        colour,
        ..Default::default()
    };
    app.logs.append(
        &crate::tui::worker::project_log_key("cct"),
        vec![
            line("db-1   | ", 0, "database system is ready"),
            line("web-1  | ", 1, "listening on 8080"),
            line("web-2  | ", 1, "listening on 8080"),
        ],
        true,
    );
    let term = draw(&app, 100, 12);
    let text = buffer_text(&term);
    insta::assert_snapshot!(text);
    // Each service's prefix in its own colour from the theme, as compose up paints it.
    let buf = term.backend().buffer();
    let palette = app.theme.service_palette();
    let y = (0..12)
        .find(|&y| {
            (0..100)
                .map(|x| buf[(x, y)].symbol())
                .collect::<String>()
                .contains("db-1   |")
        })
        .unwrap();
    let x = (0..100).find(|&x| buf[(x, y)].symbol() == "d").unwrap();
    assert_eq!(buf[(x, y)].fg, palette[0]);
    assert_eq!(buf[(x, y + 1)].fg, palette[1]);
}

#[test]
fn a_project_whose_files_are_gone_says_so() {
    let mut app = app_on(Tab::Containers);
    if let Some(p) = app.snap.project.as_mut() {
        p.config = Err("the project's files are gone: /srv/cct/compose.yaml".into());
    }
    let text = buffer_text(&draw(&app, 140, 60));
    assert!(
        text.contains("cannot show it: the project's files are gone: /srv/cct/compose.yaml"),
        "{text}"
    );
}

#[test]
fn a_project_s_stats_line_sums_its_containers() {
    let mut app = app_on(Tab::Stats);
    let series = |cpu: u64, mem: u64| crate::tui::stats::Series {
        name: String::new(),
        cpu: vec![cpu],
        memory: vec![mem << 20],
        ..Default::default()
    };
    app.snap.stats.insert("db1".into(), series(1000, 3));
    app.snap.stats.insert("web1".into(), series(2500, 5));
    let text = buffer_text(&draw(&app, 100, 12));
    let header = text.lines().find(|l| l.contains("▾ cct")).unwrap();
    assert!(
        header.contains("35.00%") && header.contains("8MiB"),
        "{header}"
    );
    assert!(
        text.contains("the sum of its containers is on its line"),
        "{text}"
    );
}

/// A project's header selected on every pane draws at any size, down to one cell.
#[test]
fn every_pane_survives_tiny_terminals_on_a_project() {
    for (w, h) in [(1, 1), (2, 3), (10, 4), (25, 6), (40, 10), (79, 23)] {
        for tab in crate::tui::state::TABS {
            let app = app_on(tab);
            draw(&app, w, h);
        }
    }
}
