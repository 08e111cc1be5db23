//! The TUI's main flows driven by keys against a real engine: the App state and the
//! worker of the real TUI, without a terminal. Keys go in as a user presses them; the
//! worker acts on real containers; the test reads what the panes would draw.

use std::sync::mpsc;
use std::time::{Duration, Instant};

use berth::tui::state::{App, Request, Tab, TermVerb};
use berth::tui::term::EmbeddedTerm;
use berth::tui::theme::Theme;
use berth::tui::worker;
use berth_engine::store::Paths;
use berth_engine::Engine;
use berth_tests::{berth_bin, Berth};
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

struct Tui {
    app: App,
    tx: tokio::sync::mpsc::UnboundedSender<Request>,
    rx: mpsc::Receiver<worker::Msg>,
}

impl Tui {
    fn key(&mut self, code: KeyCode) {
        let reqs = self.app.on_key(KeyEvent::new(code, KeyModifiers::NONE));
        for r in reqs {
            self.tx.send(r).unwrap();
        }
    }
    fn char(&mut self, c: char) {
        self.key(KeyCode::Char(c));
    }
    /// Apply the worker's messages until `done` holds (or fail after 20 s).
    fn until(&mut self, what: &str, done: impl Fn(&App) -> bool) {
        let end = Instant::now() + Duration::from_secs(20);
        while !done(&self.app) {
            assert!(
                Instant::now() < end,
                "timed out waiting for {what}: {}",
                self.app.message
            );
            if let Ok(m) = self.rx.recv_timeout(Duration::from_millis(100)) {
                for r in self.app.receive(m) {
                    self.tx.send(r).unwrap();
                }
            }
        }
    }
}

fn state_of<'a>(app: &'a App, name: &str) -> &'a str {
    app.snap
        .containers
        .iter()
        .find(|c| c.name == name)
        .map(|c| c.state.as_str())
        .unwrap_or("gone")
}

#[test]
fn keys_drive_a_real_engine() {
    let b = Berth::new();
    b.busybox_image("bb");
    for name in ["flow-a", "flow-b"] {
        b.ok(&[
            "create",
            "--name",
            name,
            "--network",
            "none",
            "bb",
            "sh",
            "-c",
            "trap 'exit 0' TERM; while true; do echo hello-$HOSTNAME; sleep 0.2; done",
        ]);
    }
    // The in-process engine reads the same settings the CLI gets (this test binary runs
    // this one test, so setting its environment races with nothing).
    for (k, v) in b.cmd().get_envs() {
        if let Some(v) = v {
            std::env::set_var(k, v);
        }
    }
    let engine = Engine::open(Paths::new(&b.root, &b.run_root)).unwrap();
    let engine = Engine {
        monitor_exe: berth_bin(),
        monitor_launch: berth_engine::container::start::MonitorLaunch::Exec,
        ..engine
    };
    // The TUI's own wiring: the engine as the engine interface, the worker over it.
    let (backend, berth) = berth::tui::connect(engine);
    let worker::Handle {
        requests: tx,
        messages: rx,
        sessions,
    } = worker::spawn(backend, berth);
    let mut t = Tui {
        app: App::new(Theme::built_in("dark").unwrap()),
        tx,
        rx,
    };
    t.until("both containers listed", |a| a.snap.containers.len() == 2);

    // Mark both (space moves down), start them together.
    t.char('g');
    t.char(' ');
    t.char(' ');
    assert_eq!(t.app.marked.len(), 2);
    t.char('s');
    t.until("both running", |a| {
        state_of(a, "flow-a") == "running" && state_of(a, "flow-b") == "running"
    });

    // Stop both: a countdown shows while they stop.
    t.char('x');
    assert!(t
        .app
        .stop_countdown(&t.app.snap.containers[0].id, Instant::now())
        .is_some());
    t.until("both exited", |a| {
        state_of(a, "flow-a") == "exited" && state_of(a, "flow-b") == "exited"
    });

    // Esc clears the marks; start flow-a alone and follow its log.
    t.key(KeyCode::Esc);
    t.char('g');
    t.char('s');
    t.until("flow-a running", |a| state_of(a, "flow-a") == "running");
    assert_eq!(state_of(&t.app, "flow-b"), "exited");
    t.char('5');
    assert_eq!(t.app.tab, Tab::Logs);
    t.until("its log lines", |a| {
        a.logs
            .visible(10, 80)
            .iter()
            .any(|l| l.text.starts_with("hello-"))
    });

    // Its anatomy: PID 1 inside is the engine's State.Pid.
    t.char('8');
    t.until("its anatomy", |a| {
        a.snap.anatomy_shown().is_some_and(|x| x.running)
    });
    let an = t.app.snap.anatomy_shown().cloned().unwrap();
    assert_eq!(an.name, "flow-a");
    assert_eq!(an.processes[0].pid_inside, 1);
    assert_eq!(an.pid.to_string(), b.inspect("flow-a", "{{.State.Pid}}"));

    // Stats: readings once a second, two make a rate.
    t.char('7');
    t.until("stats series", |a| {
        a.snap
            .stats
            .values()
            .any(|s| s.name == "flow-a" && !s.memory.is_empty())
    });

    // Pause and unpause with p.
    t.char('1');
    t.char('p');
    t.until("paused", |a| state_of(a, "flow-a") == "paused");
    t.char('p');
    t.until("running again", |a| state_of(a, "flow-a") == "running");

    // e: a shell in it, through the engine interface, in the embedded terminal; its
    // size follows the pane, and closing the pane hangs the shell up.
    let id = b.inspect("flow-a", "{{.Id}}");
    let shell = |t: &mut EmbeddedTerm| {
        let (term, ends) = EmbeddedTerm::new("exec flow-a".into(), 10, 60);
        *t = term;
        let s = worker::Session {
            id: id.clone(),
            verb: TermVerb::Exec,
            ends,
        };
        assert!(sessions.send(s).is_ok());
    };
    let (mut term, _) = EmbeddedTerm::new(String::new(), 2, 10);
    shell(&mut term);
    let shows = |t: &EmbeddedTerm, what: &str| {
        berth_tests::eventually(10, || {
            t.screen()
                .is_some_and(|p| p.screen().contents().contains(what))
        })
    };
    term.write(b"echo $((6*7))-$HOSTNAME\r");
    assert!(
        shows(&term, "42-"),
        "{:?}",
        term.screen().map(|p| p.screen().contents())
    );
    term.resize(12, 70);
    term.write(b"stty size\r");
    assert!(
        shows(&term, "12 70"),
        "{:?}",
        term.screen().map(|p| p.screen().contents())
    );
    let shells = || {
        b.ok(&["top", "flow-a"])
            .lines()
            .filter(|l| l.ends_with(" sh"))
            .count()
    };
    assert_eq!(shells(), 1);
    drop(term);
    assert!(
        berth_tests::eventually(10, || shells() == 0),
        "the shell outlived its pane"
    );
    // A shell that exits ends the session with its code.
    let (mut term, _) = EmbeddedTerm::new(String::new(), 2, 10);
    shell(&mut term);
    term.write(b"exit 3\r");
    assert!(berth_tests::eventually(10, || {
        term.take_fresh();
        term.exit == Some(3)
    }));

    // Remove asks first; y removes it (running: forced).
    t.char('d');
    assert!(
        t.app.message.contains("remove flow-a? y/n"),
        "{}",
        t.app.message
    );
    t.char('y');
    t.until("flow-a removed", |a| state_of(a, "flow-a") == "gone");
    assert_eq!(b.run(&["inspect", "flow-a"]).code, 1);

    // b on the images pane: a build from the file last edited, its steps shown live in
    // place of the image's details, the image tagged at the end.
    let ctx = b.dir.path().join("tui-ctx");
    std::fs::create_dir_all(&ctx).unwrap();
    std::fs::write(
        ctx.join("Dockerfile"),
        "FROM bb\nRUN echo built-in-the-tui > /mark\nCMD [\"cat\", \"/mark\"]\n",
    )
    .unwrap();
    t.app.last_file = Some(ctx.join("Dockerfile").display().to_string());
    t.char('2');
    assert_eq!(t.app.tab, Tab::Images);
    t.char('b');
    assert!(t.app.form.is_some(), "b opened no form: {}", t.app.message);
    for c in "tui-built:1".chars() {
        t.char(c);
    }
    let reqs = t
        .app
        .on_key(KeyEvent::new(KeyCode::Char('s'), KeyModifiers::CONTROL));
    for r in reqs {
        t.tx.send(r).unwrap();
    }
    t.until("the build's end", |a| {
        a.build.as_ref().is_some_and(|v| v.outcome.is_some())
    });
    let view = t.app.build.clone().unwrap();
    assert!(matches!(view.outcome, Some(Ok(_))), "{:?}", view.outcome);
    let live = view.steps.live_lines(80, true);
    assert!(
        live.iter()
            .any(|l| l.contains("[2/2] RUN echo built-in-the-tui")),
        "{live:?}"
    );
    assert_eq!(b.ok(&["run", "--rm", "tui-built:1"]), "built-in-the-tui");
    t.key(KeyCode::Esc);
    assert!(t.app.build.is_none());

    // P pulls an image by name, its layers shown as Docker shows them.
    let reg = berth_tests::registry_server::RegistryServer::start(None);
    let remote = format!("{}/tui/pulled:1", reg.addr());
    b.ok(&["tag", "tui-built:1", &remote]);
    b.ok(&["push", &remote]);
    b.ok(&["rmi", &remote]);
    t.char('P');
    for c in remote.chars() {
        t.char(c);
    }
    t.key(KeyCode::Enter);
    t.until("the pull's end", |a| {
        a.transfer.as_ref().is_some_and(|v| v.outcome.is_some())
    });
    let view = t.app.transfer.clone().unwrap();
    assert_eq!(view.outcome, Some(Ok(())), "{:?}", view.view.text());
    let text = view.view.text().join("\n");
    assert!(text.contains("Digest: sha256:"), "{text}");
    assert!(b.run(&["image", "inspect", &remote]).code == 0);
    t.key(KeyCode::Esc);
    assert!(t.app.transfer.is_none());
}
