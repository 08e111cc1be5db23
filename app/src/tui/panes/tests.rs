//! Snapshot tests of every pane, drawn on ratatui's TestBackend from fixture data (no
//! engine, no terminal), and checked with insta.

use std::time::{Duration, Instant};

use bollard::models as m;
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use ratatui::backend::TestBackend;
use ratatui::Terminal;

use crate::tui::data::*;
use crate::tui::state::{App, Request, Tab};
use crate::tui::theme::Theme;

fn fixture() -> Snapshot {
    let row = |id: &str, name: &str, state: &str, status: &str, health: &str, project: &str| {
        ContainerRow {
            id: id.into(),
            name: name.into(),
            image: "demo/busybox:latest".into(),
            status: status.into(),
            state: state.into(),
            health: health.into(),
            ports: if name == "web" {
                "127.0.0.1:8080->8080/tcp".into()
            } else {
                String::new()
            },
            project: project.into(),
            service: if project.is_empty() {
                String::new()
            } else {
                name.into()
            },
            networks: vec!["demo".into()],
        }
    };
    let ev = |action: &str, name: &str| m::EventMessage {
        typ: Some(m::EventMessageTypeEnum::CONTAINER),
        action: Some(action.into()),
        actor: Some(m::EventActor {
            id: Some("c1".into()),
            attributes: Some([("name".to_string(), name.to_string())].into()),
        }),
        // A fixed time, so the snapshot does not depend on the clock's zone.
        time: Some(0),
        time_nano: Some(0),
        ..Default::default()
    };
    let entry = |kind: &str, code: Option<i32>, text: &str| HealthEntry {
        time: "2026-11-25T10:00:00.000Z".into(),
        kind: kind.into(),
        exit_code: code,
        text: text.into(),
    };
    Snapshot {
        containers: vec![
            row(
                "c1",
                "web",
                "running",
                "Up 2 minutes (healthy)",
                "healthy",
                "",
            ),
            row("c2", "db", "exited", "Exited (0) 1 minute ago", "", "shop"),
            row("c3", "api", "paused", "Up 5 minutes (Paused)", "", "shop"),
        ],
        images: vec![ImageRow {
            id: "sha256:0123456789abcdef".into(),
            tags: vec!["demo/busybox:latest".into()],
            size: "2.1MB".into(),
            created: "2026-11-25T09:00:00Z".into(),
        }],
        networks: vec![NetworkRow {
            id: "abcdef0123456789".into(),
            name: "demo".into(),
            driver: "bridge".into(),
            subnet: "172.18.0.0/16".into(),
            gateway: "172.18.0.1".into(),
            internal: false,
            containers: 3,
        }],
        volumes: vec![VolumeRow {
            name: "data".into(),
            driver: "local".into(),
            mountpoint: "/var/lib/berth/volumes/data/_data".into(),
        }],
        events: vec![
            ev("start", "web"),
            ev("health_status: unhealthy", "web"),
            ev("restart", "web"),
        ],
        details: Some(Details {
            id: "c1".into(),
            inspect: "{\n  \"Id\": \"c1\"\n}".into(),
            env: vec!["PATH=/bin".into()],
            mounts: vec!["volume data -> /data".into()],
            restart_count: 1,
            health: vec![
                entry("check", Some(0), "ok"),
                entry("check", Some(1), ""),
                entry("status", None, "unhealthy"),
                entry(
                    "action",
                    None,
                    "unhealthy after 3 failures, restarted by autoheal",
                ),
            ],
            error: String::new(),
        }),
        stats: [("c1".to_string(), series())].into(),
        anatomy: Some(AnatomyView::Shown(Box::new(anatomy()))),
        project: None,
        swarm: crate::tui::services::SwarmView::Inactive,
        service: None,
        nodes: Vec::new(),
        unreachable: None,
    }
}

fn series() -> crate::tui::stats::Series {
    crate::tui::stats::Series {
        name: "web".into(),
        cpu: vec![100, 400, 2500, 900, 300, 5000, 1200],
        memory: vec![
            1 << 20,
            2 << 20,
            3 << 20,
            3 << 20,
            2 << 20,
            4 << 20,
            4 << 20,
        ],
        memory_limit: 64 << 20,
        net_rx: vec![0, 100, 2000, 500, 0, 0, 800],
        net_tx: vec![0, 50, 1000, 200, 0, 0, 400],
        block_read: vec![0; 7],
        block_write: vec![0, 0, 4096, 0, 0, 0, 0],
        pids: 2,
        net_total: (3400, 1650),
        block_total: (0, 4096),
    }
}

fn anatomy() -> crate::backend::Anatomy {
    crate::backend::Anatomy {
        id: "c1".into(),
        ..crate::format::anatomy::sample()
    }
}

fn log_lines() -> Vec<crate::tui::logview::LogEntry> {
    let l = |stderr: bool, text: &str| crate::tui::logview::LogEntry {
        stderr,
        time: "2026-11-25T10:00:00.000000000Z".into(),
        text: text.into(),
        ..Default::default()
    };
    vec![
        l(false, "listening on 8080"),
        l(false, "GET /healthy 200"),
        l(true, "oops: GET /missing 404"),
        l(false, "GET / 200"),
    ]
}

fn app_on(tab: Tab) -> App {
    let mut app = App::new(Theme::built_in("dark").unwrap());
    app.update(fixture());
    app.tab = tab;
    // web (ungrouped, listed after the shop project's header, api and db) is the fourth
    // line.
    app.selected[0] = 3;
    app.logs.append("c1", log_lines(), true);
    app
}

pub(super) fn render(app: &App) -> String {
    let mut term = Terminal::new(TestBackend::new(100, 20)).unwrap();
    term.draw(|f| super::draw(f, app, Instant::now())).unwrap();
    let buf = term.backend().buffer().clone();
    let mut out = String::new();
    for y in 0..buf.area.height {
        for x in 0..buf.area.width {
            out.push_str(buf[(x, y)].symbol());
        }
        out.push('\n');
    }
    out
}

#[test]
fn containers_pane() {
    insta::assert_snapshot!(render(&app_on(Tab::Containers)));
}

/// A Docker engine whose daemon stopped: the title bar names the context and says it is
/// unreachable, the status line says why, and the lists stay what it last said.
#[test]
fn containers_pane_on_an_unreachable_engine() {
    let mut app = app_on(Tab::Containers);
    app.context = "far".into();
    let mut snap = app.snap.clone();
    snap.unreachable = Some(
        "Cannot connect to the Docker daemon at unix:///run/far.sock. Is the docker daemon running?"
            .into(),
    );
    app.update(snap);
    insta::assert_snapshot!(render(&app));
}

/// `C`: the contexts to show, the one shown selected; Enter asks to switch.
#[test]
fn context_picker() {
    let dir = tempfile::tempdir().unwrap();
    // The docker CLI's store, in a config dir of the test's own.
    let store = crate::context::ContextStore::at(dir.path());
    store
        .create(
            "far",
            "a remote engine",
            "tcp://far:2375",
            false,
            &Default::default(),
        )
        .unwrap();
    let mut app = app_on(Tab::Containers);
    app.contexts = store;
    app.on_key(KeyEvent::new(KeyCode::Char('C'), KeyModifiers::NONE));
    let p = app.picker.clone().expect("a picker");
    assert_eq!(p.items, ["local", "default", "far"]);
    assert!(p.labels[2].contains("tcp://far:2375"), "{:?}", p.labels);
    assert_eq!(p.selected, 0);
    insta::assert_snapshot!(render(&app));
    app.on_key(KeyEvent::new(KeyCode::Char('G'), KeyModifiers::NONE));
    let reqs = app.on_key(KeyEvent::new(KeyCode::Enter, KeyModifiers::NONE));
    assert_eq!(reqs, [Request::SwitchContext("far".into())]);
    // The TUI on the other engine keeps the pane and theme, not the old engine's rows.
    let app = app.switched_to("far".into());
    assert_eq!(app.context, "far");
    assert!(app.snap.containers.is_empty());
}

#[test]
fn images_pane() {
    insta::assert_snapshot!(render(&app_on(Tab::Images)));
}

#[test]
fn networks_pane() {
    insta::assert_snapshot!(render(&app_on(Tab::Networks)));
}

#[test]
fn volumes_pane() {
    insta::assert_snapshot!(render(&app_on(Tab::Volumes)));
}

#[test]
fn logs_pane() {
    insta::assert_snapshot!(render(&app_on(Tab::Logs)));
}

#[test]
fn logs_pane_paused_with_timestamps_and_a_search() {
    let mut app = app_on(Tab::Logs);
    let key = |c| KeyEvent::new(KeyCode::Char(c), KeyModifiers::NONE);
    for k in ['t', '/', 'g', 'e', 't', '\n'] {
        if k == '\n' {
            app.on_key(KeyEvent::new(KeyCode::Enter, KeyModifiers::NONE));
        } else {
            app.on_key(key(k));
        }
    }
    // N: back to the previous match, which pauses the view there.
    app.on_key(key('N'));
    assert!(!app.logs.following());
    insta::assert_snapshot!(render(&app));
}

#[test]
fn stats_pane() {
    insta::assert_snapshot!(render(&app_on(Tab::Stats)));
}

#[test]
fn anatomy_pane() {
    let mut term = Terminal::new(TestBackend::new(140, 40)).unwrap();
    let app = app_on(Tab::Anatomy);
    term.draw(|f| super::draw(f, &app, Instant::now())).unwrap();
    let buf = term.backend().buffer().clone();
    let text: String = (0..buf.area.height)
        .map(|y| {
            let mut l: String = (0..buf.area.width).map(|x| buf[(x, y)].symbol()).collect();
            l.push('\n');
            l
        })
        .collect();
    insta::assert_snapshot!(text);
}

/// A backend without the anatomy capability (the trait's default answer): the pane says
/// the view is unavailable there, not that something failed.
#[test]
fn anatomy_pane_on_a_backend_without_it() {
    let mut app = app_on(Tab::Anatomy);
    let answer = Err(crate::backend::BackendError::unsupported(
        "the anatomy view is not available on this backend",
    ));
    app.snap.anatomy = Some(crate::tui::worker::anatomy_view("c1", answer));
    let text = render(&app);
    assert!(text.contains("Unavailable on this backend"), "{text}");
    assert!(!text.contains("cannot take"), "{text}");
    // Any other error is one.
    let answer = Err(crate::backend::BackendError::internal("no /proc"));
    app.snap.anatomy = Some(crate::tui::worker::anatomy_view("c1", answer));
    assert!(render(&app).contains("cannot take web apart: no /proc"));
}

#[test]
fn a_click_selects_the_row_under_it() {
    let mut app = app_on(Tab::Containers);
    render(&app);
    // Row 0 tabs, 1 border, 2 header, 3 "▾ shop", 4 api, 5 db, 6 web.
    let r = app.click(5, 5);
    assert_eq!(
        r,
        vec![crate::tui::state::Request::Select(Some("c2".into()))]
    );
    assert_eq!(app.selected_container().unwrap().name, "db");
    // The project's header selects the project.
    use crate::tui::state::Request;
    assert_eq!(
        app.click(5, 3),
        vec![
            Request::Select(None),
            Request::SelectProject(Some("shop".into()))
        ]
    );
    assert_eq!(app.selected_project().unwrap().name, "shop");
    assert!(app.selected_container().is_none());
}

#[test]
fn run_form_over_the_images_pane() {
    let mut app = app_on(Tab::Images);
    app.on_key(KeyEvent::new(KeyCode::Enter, KeyModifiers::NONE));
    for c in "web".chars() {
        app.on_key(KeyEvent::new(KeyCode::Char(c), KeyModifiers::NONE));
    }
    let mut term = Terminal::new(TestBackend::new(100, 40)).unwrap();
    term.draw(|f| super::draw(f, &app, Instant::now())).unwrap();
    insta::assert_snapshot!(buffer_text(&term));
}

#[test]
fn network_form_names_its_mistake() {
    let mut app = app_on(Tab::Networks);
    app.on_key(KeyEvent::new(KeyCode::Char('c'), KeyModifiers::NONE));
    app.on_key(KeyEvent::new(KeyCode::Char('s'), KeyModifiers::CONTROL));
    let mut term = Terminal::new(TestBackend::new(100, 24)).unwrap();
    term.draw(|f| super::draw(f, &app, Instant::now())).unwrap();
    let text = buffer_text(&term);
    assert!(text.contains("Name: required"), "{text}");
    insta::assert_snapshot!(text);
}

#[test]
fn editor_pane() {
    let mut app = app_on(Tab::Containers);
    app.file_opened(
        "compose.yaml".into(),
        "services:\n  web:\n    image: demo/busybox\n".into(),
        false,
    );
    app.on_key(KeyEvent::new(KeyCode::Char('#'), KeyModifiers::NONE));
    insta::assert_snapshot!(render(&app));
}

pub(super) fn buffer_text(term: &Terminal<TestBackend>) -> String {
    let buf = term.backend().buffer();
    (0..buf.area.height)
        .map(|y| {
            let mut l: String = (0..buf.area.width).map(|x| buf[(x, y)].symbol()).collect();
            l.push('\n');
            l
        })
        .collect()
}

#[test]
fn health_pane() {
    insta::assert_snapshot!(render(&app_on(Tab::Health)));
}

#[test]
fn events_pane() {
    insta::assert_snapshot!(render(&app_on(Tab::Events)).replace(
        &chrono::DateTime::from_timestamp(0, 0)
            .unwrap()
            .with_timezone(&chrono::Local)
            .format("%H:%M:%S")
            .to_string(),
        "HH:MM:SS"
    ));
}

#[test]
fn events_filter() {
    let mut app = app_on(Tab::Events);
    app.filter = "restart".into();
    let text = render(&app);
    assert!(text.contains("Events (1 of 3)"), "{text}");
    assert!(!text.contains("unhealthy"), "{text}");
}

/// Every pane, the help and a form draw at any size, down to a single cell, without a
/// panic (terminals get resized to anything).
#[test]
fn every_pane_survives_tiny_terminals() {
    for (w, h) in [(1, 1), (2, 3), (10, 4), (25, 6), (40, 10), (79, 23)] {
        for tab in crate::tui::state::TABS {
            let mut app = app_on(tab);
            let mut term = Terminal::new(TestBackend::new(w, h)).unwrap();
            term.draw(|f| super::draw(f, &app, Instant::now())).unwrap();
            app.help = true;
            term.draw(|f| super::draw(f, &app, Instant::now())).unwrap();
            app.help = false;
            app.form = Some(crate::tui::forms::Form::run("img").themed(&app.theme));
            term.draw(|f| super::draw(f, &app, Instant::now())).unwrap();
            app.form = None;
            app.file_opened("f".into(), "x\ny\n".into(), false);
            term.draw(|f| super::draw(f, &app, Instant::now())).unwrap();
        }
    }
}

/// The embedded terminal over the panes, with what its session printed.
#[test]
fn terminal_pane() {
    let app = app_on(Tab::Containers);
    let (t, ends) = crate::tui::term::EmbeddedTerm::new("exec web".into(), 16, 98);
    ends.show(b"hello from the pty\r\n");
    let mut term = Terminal::new(TestBackend::new(100, 20)).unwrap();
    term.draw(|f| {
        super::draw(f, &app, Instant::now());
        super::terminal(f, &app, &t);
    })
    .unwrap();
    insta::assert_snapshot!(buffer_text(&term));
}

/// Outside a swarm the pane says how to start one, not that something failed.
#[test]
fn services_pane_without_a_swarm() {
    let text = render(&app_on(Tab::Services));
    assert!(text.contains("`swarm init` starts one"), "{text}");
    insta::assert_snapshot!(text);
}

/// The services pane on the fixture swarm, `web` selected: its tasks with slot 2's
/// failed one under its replacement, the update under way, the progress of converging.
fn app_on_the_swarm() -> App {
    let mut app = app_on(Tab::Services);
    let (view, nodes, details) = crate::tui::services::fixtures::swarm();
    let mut snap = app.snap.clone();
    snap.swarm = view;
    snap.nodes = nodes;
    snap.service = Some(details);
    app.update(snap);
    app.on_key(KeyEvent::new(KeyCode::Char('G'), KeyModifiers::NONE));
    app
}

#[test]
fn services_pane_with_a_swarm() {
    let mut term = Terminal::new(TestBackend::new(120, 24)).unwrap();
    term.draw(|f| super::draw(f, &app_on_the_swarm(), Instant::now()))
        .unwrap();
    let text = buffer_text(&term);
    for want in [
        "▾ shop",
        "t2oldaaaaaaa  \\_ web.2",
        "2/3 tasks of the current spec running · converging",
        "updating, started 10 seconds ago",
        "+/- scale",
        "core-1       Ready  Active Leader    2",
        "edge-2       Ready  Drain            0",
    ] {
        assert!(text.contains(want), "{want}: {text}");
    }
    // web's row: its mode, replicas running/desired, image and ports.
    assert!(
        text.lines().any(|l| {
            // The services box, without the nodes box beside it.
            let services = l.split("││").next().unwrap_or_default();
            let cols: Vec<&str> = services.trim_matches('│').split_whitespace().collect();
            cols == [
                "web",
                "replicated",
                "2/3",
                "busybox:latest",
                "*:4000->80/tcp",
            ]
        }),
        "{text}"
    );
    insta::assert_snapshot!(text);
}

/// The pane with services, tasks and the keys in the tasks draws at any size.
#[test]
fn the_services_pane_survives_tiny_terminals() {
    let mut app = app_on_the_swarm();
    for focus in [None, Some(2)] {
        app.services.task = focus;
        for (w, h) in [(1, 1), (2, 3), (10, 4), (25, 6), (40, 10), (79, 23)] {
            let mut term = Terminal::new(TestBackend::new(w, h)).unwrap();
            term.draw(|f| super::draw(f, &app, Instant::now())).unwrap();
        }
    }
}

#[test]
fn services_pane_with_a_folded_stack_and_the_tasks_focused() {
    let mut app = app_on_the_swarm();
    let key = |c| KeyEvent::new(c, KeyModifiers::NONE);
    // Fold shop (its line is the first), back to web, into its tasks, down to web.2.
    app.on_key(key(KeyCode::Char('g')));
    app.on_key(key(KeyCode::Enter));
    app.on_key(key(KeyCode::Char('G')));
    app.on_key(key(KeyCode::Enter));
    app.on_key(key(KeyCode::Char('j')));
    let mut term = Terminal::new(TestBackend::new(120, 24)).unwrap();
    term.draw(|f| super::draw(f, &app, Instant::now())).unwrap();
    insta::assert_snapshot!(buffer_text(&term));
}

#[test]
fn help_overlay() {
    let mut app = app_on(Tab::Containers);
    app.on_key(KeyEvent::new(KeyCode::Char('?'), KeyModifiers::NONE));
    insta::assert_snapshot!(render(&app));
}

#[test]
fn stop_countdown_and_filter() {
    let mut app = app_on(Tab::Containers);
    app.stopping
        .insert("c1".into(), Instant::now() - Duration::from_millis(2500));
    app.filter = "we".into();
    app.selected[0] = 0;
    let text = render(&app);
    assert!(text.contains("stopping… 7s"), "{text}");
    assert!(text.contains("/we"));
    assert!(!text.contains("db"));
}

/// A frame with a thousand containers must stay cheap (measured in the benchmark; here
/// only that it draws).
#[test]
fn a_thousand_containers_draw() {
    let mut app = App::new(Theme::built_in("dark").unwrap());
    let mut s = fixture();
    s.containers = (0..1000)
        .map(|i| ContainerRow {
            id: format!("c{i}"),
            name: format!("c{i:04}"),
            state: "running".into(),
            status: "Up 1 second".into(),
            ..Default::default()
        })
        .collect();
    app.update(s);
    assert!(render(&app).contains("Containers (1000)"));
    // Only the rows in view are built: the selection far down is still drawn, selected.
    app.selected[0] = 900;
    let text = render(&app);
    assert!(text.contains("c0900") && !text.contains("c0100"), "{text}");
    let reqs = app.click(3, 18);
    assert_eq!(
        app.selected_container().map(|c| c.name.as_str()),
        Some("c0900"),
        "the bottom row is the selected one: {reqs:?}"
    );
}
