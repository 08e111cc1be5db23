//! Screenshots of every pane of the TUI, taken from the real engine and its demo: the
//! App state and worker of the real TUI, drawn into a buffer and written as PNGs.
//!
//! As root, on a machine with busybox-static and fonts-dejavu-core:
//!
//!     cargo build --release -p berth && target/release/berth demo &&
//!         cargo run --release -p berth --example screenshots
//!
//! It reads BERTH_ROOT and BERTH_RUN_ROOT like berth does and writes screenshots/*.png
//! (or the directory given as its argument).

mod raster;

use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::mpsc;
use std::time::{Duration, Instant};

use berth::tui::panes;
use berth::tui::state::{App, Request, Tab, TABS};
use berth::tui::term::EmbeddedTerm;
use berth::tui::theme::Theme;
use berth::tui::worker;
use berth_engine::store::paths::{DEFAULT_ROOT, DEFAULT_RUN_ROOT};
use berth_engine::store::Paths;
use berth_engine::Engine;
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use ratatui::backend::TestBackend;
use ratatui::Terminal;

const COLS: u16 = 150;
const ROWS: u16 = 42;

struct Shots {
    app: App,
    tx: tokio::sync::mpsc::UnboundedSender<Request>,
    rx: mpsc::Receiver<worker::Msg>,
    raster: raster::Raster,
    out: PathBuf,
    n: usize,
}

impl Shots {
    /// Apply the worker's messages for `d`, or until `done` holds.
    fn pump(&mut self, d: Duration, done: impl Fn(&App) -> bool) {
        let end = Instant::now() + d;
        while Instant::now() < end && !done(&self.app) {
            if let Ok(m) = self.rx.recv_timeout(Duration::from_millis(50)) {
                for r in self.app.receive(m) {
                    let _ = self.tx.send(r);
                }
            }
        }
    }

    fn key(&mut self, code: KeyCode, m: KeyModifiers) {
        for r in self.app.on_key(KeyEvent::new(code, m)) {
            let _ = self.tx.send(r);
        }
    }

    fn shoot(&mut self, name: &str, extra: Option<&EmbeddedTerm>) -> Result<(), String> {
        let mut term = Terminal::new(TestBackend::new(COLS, ROWS)).map_err(|e| e.to_string())?;
        term.draw(|f| {
            panes::draw(f, &self.app, Instant::now());
            if let Some(t) = extra {
                panes::terminal(f, &self.app, t);
            }
        })
        .map_err(|e| e.to_string())?;
        self.n += 1;
        let path = self.out.join(format!("{:02}-{name}.png", self.n));
        self.raster.write_png(term.backend().buffer(), &path)?;
        println!("{}", path.display());
        Ok(())
    }
}

fn run() -> Result<(), String> {
    let env = |k: &str, d: &str| std::env::var(k).unwrap_or_else(|_| d.to_string());
    let paths = Paths::new(
        Path::new(&env("BERTH_ROOT", DEFAULT_ROOT)),
        Path::new(&env("BERTH_RUN_ROOT", DEFAULT_RUN_ROOT)),
    );
    let exe = std::env::current_exe().map_err(|e| e.to_string())?;
    // target/<profile>/examples/screenshots -> target/<profile>/berth
    let berth = exe
        .parent()
        .and_then(Path::parent)
        .map(|d| d.join("berth"))
        .filter(|p| p.exists())
        .ok_or("build berth first: cargo build --release -p berth")?;
    let engine = Engine::open(paths).map_err(|e| e.to_string())?;
    let engine = Engine {
        monitor_exe: berth.clone(),
        monitor_launch: berth_engine::container::start::MonitorLaunch::Exec,
        ..engine
    };
    let out = std::env::args()
        .nth(1)
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("../screenshots"));
    std::fs::create_dir_all(&out).map_err(|e| format!("{}: {e}", out.display()))?;
    for old in std::fs::read_dir(&out)
        .map_err(|e| e.to_string())?
        .flatten()
    {
        if old.path().extension().is_some_and(|x| x == "png") {
            let _ = std::fs::remove_file(old.path());
        }
    }
    let worker::Handle {
        requests: tx,
        messages: rx,
        sessions,
    } = {
        let (backend, berth) = berth::tui::connect(engine.clone());
        worker::spawn(backend, berth)
    };
    let theme = Theme::built_in("dark").ok_or("no dark theme")?;
    let mut s = Shots {
        app: App::new(theme),
        tx,
        rx,
        raster: raster::Raster::new(Path::new("/usr/share/fonts/truetype/dejavu"), 15.0, true)?,
        out,
        n: 0,
    };
    s.pump(Duration::from_secs(10), |a| {
        a.snap.containers.iter().any(|c| c.name == "demo-web")
    });
    let web = s
        .app
        .containers()
        .iter()
        .position(|c| c.name == "demo-web")
        .ok_or("no demo-web: run `berth demo` first")?;
    s.app.selected[0] = web;
    let id = s.app.selected_container().map(|c| c.id.clone());
    let _ = s.tx.send(Request::Select(id));
    let cli = |args: &[&str]| {
        std::process::Command::new(&berth)
            .arg("--root")
            .arg(&engine.paths.root)
            .arg("--run-root")
            .arg(&engine.paths.run)
            .args(args)
            .stdout(std::process::Stdio::null())
            .status()
            .is_ok_and(|s| s.success())
    };
    // Seed 000's autoheal flow, for the health pane: break the check on purpose; after
    // three failures autoheal restarts the container.
    cli(&["exec", "demo-web", "rm", "/var/www/healthy"]);
    // For the services pane: a service of the demo image, then a rolling update of its
    // env, so its tasks have a history. A swarm started here is left at the end.
    let swarm_made = cli(&["swarm", "init", "--advertise-addr", "127.0.0.1"]);
    // Undone however the shots end.
    let _cleanup = OnDrop(|| {
        if swarm_made {
            cli(&["swarm", "leave", "--force"]);
        } else {
            cli(&["service", "rm", "demo-svc"]);
        }
    });
    cli(&[
        "service",
        "create",
        "--detach",
        "--replicas",
        "3",
        "--name",
        "demo-svc",
        "demo/busybox:latest",
        "sleep",
        "3600",
    ]);
    // Meanwhile some seconds of stats, so the sparklines have a history.
    s.app.tab = Tab::Stats;
    let _ = s.tx.send(Request::View(Tab::Stats));
    s.pump(Duration::from_secs(6), |_| false);
    cli(&[
        "service",
        "update",
        "--detach",
        "--env-add",
        "MODE=green",
        "demo-svc",
    ]);
    s.pump(Duration::from_secs(6), |_| false);
    for tab in TABS {
        s.app.tab = tab;
        let _ = s.tx.send(Request::View(tab));
        match tab {
            Tab::Logs => s.pump(Duration::from_secs(5), |a| a.logs.visible(5, 80).len() >= 3),
            Tab::Anatomy => s.pump(Duration::from_secs(5), |a| a.snap.anatomy.is_some()),
            Tab::Services => s.pump(Duration::from_secs(5), |a| {
                a.snap.service.as_ref().is_some_and(|d| !d.tasks.is_empty())
            }),
            _ => s.pump(Duration::from_millis(1500), |_| false),
        }
        s.shoot(&tab.title().to_lowercase(), None)?;
    }
    // A search in the log, paused on a match.
    s.app.tab = Tab::Logs;
    let _ = s.tx.send(Request::View(Tab::Logs));
    s.pump(Duration::from_secs(2), |_| false);
    s.key(KeyCode::Char('t'), KeyModifiers::NONE);
    s.key(KeyCode::Char('/'), KeyModifiers::NONE);
    // The health checks' requests come from the container's own loopback.
    for c in "127.0.0.1".chars() {
        s.key(KeyCode::Char(c), KeyModifiers::NONE);
    }
    s.key(KeyCode::Enter, KeyModifiers::NONE);
    s.key(KeyCode::Char('N'), KeyModifiers::NONE);
    s.key(KeyCode::Char('N'), KeyModifiers::NONE);
    s.shoot("logs-search", None)?;
    s.key(KeyCode::Char('f'), KeyModifiers::NONE);
    s.key(KeyCode::Esc, KeyModifiers::NONE);
    s.key(KeyCode::Char('t'), KeyModifiers::NONE);
    // A shell in the container, in a pane of its own.
    s.app.tab = Tab::Containers;
    let (mut shell, ends) = EmbeddedTerm::new("exec demo-web".into(), ROWS - 4, COLS - 2);
    let id = engine
        .containers()
        .find("demo-web")
        .map_err(|e| e.to_string())?;
    sessions
        .send(worker::Session {
            id: id.id().to_string(),
            verb: berth::tui::state::TermVerb::Exec,
            ends,
        })
        .map_err(|_| "the worker has stopped")?;
    std::thread::sleep(Duration::from_millis(800));
    shell.write(b"hostname; ps; cat /proc/1/status | grep -E 'Cap(Eff|Bnd)|NoNewPrivs|Seccomp:'\r");
    std::thread::sleep(Duration::from_millis(1200));
    s.shoot("exec", Some(&shell))?;
    shell.write(b"exit\r");
    drop(shell);
    // The run form over the images, the editor, the help, the light theme.
    s.app.tab = Tab::Images;
    s.key(KeyCode::Enter, KeyModifiers::NONE);
    for c in "web2".chars() {
        s.key(KeyCode::Char(c), KeyModifiers::NONE);
    }
    s.key(KeyCode::Enter, KeyModifiers::NONE);
    s.key(KeyCode::Enter, KeyModifiers::NONE);
    for c in "127.0.0.1:8081:8080".chars() {
        s.key(KeyCode::Char(c), KeyModifiers::NONE);
    }
    s.shoot("run-form", None)?;
    s.key(KeyCode::Esc, KeyModifiers::NONE);
    s.app.tab = Tab::Containers;
    s.app.file_opened(
        "Dockerfile".into(),
        "FROM demo/busybox\nRUN mkdir -p /var/www && echo hello > /var/www/index.html\n\
         HEALTHCHECK --interval=5s CMD wget -qO- http://127.0.0.1:8080/ || exit 1\n\
         EXPOSE 8080\nCMD [\"httpd\", \"-f\", \"-p\", \"8080\", \"-h\", \"/var/www\"]\n"
            .into(),
        false,
    );
    s.shoot("editor", None)?;
    s.app.editor = None;
    s.app.message = "? for help".into();
    s.key(KeyCode::Char('?'), KeyModifiers::NONE);
    s.shoot("help", None)?;
    s.key(KeyCode::Char('z'), KeyModifiers::NONE);
    // C: the contexts to show, from a docker config dir of the shot's own.
    let config = tempfile::tempdir().map_err(|e| e.to_string())?;
    let store = berth::context::ContextStore::at(config.path());
    store.create(
        "staging",
        "a remote engine",
        "tcp://10.0.0.5:2376",
        false,
        &Default::default(),
    )?;
    s.app.contexts = store;
    s.key(KeyCode::Char('C'), KeyModifiers::NONE);
    s.shoot("contexts", None)?;
    s.key(KeyCode::Esc, KeyModifiers::NONE);
    s.app.theme = Theme::built_in("light").ok_or("no light theme")?;
    s.raster = raster::Raster::new(Path::new("/usr/share/fonts/truetype/dejavu"), 15.0, false)?;
    s.shoot("containers-light", None)?;
    s.app.theme = Theme::built_in("high-contrast").ok_or("no high-contrast theme")?;
    s.raster = raster::Raster::new(Path::new("/usr/share/fonts/truetype/dejavu"), 15.0, true)?;
    s.shoot("containers-high-contrast", None)?;
    Ok(())
}

/// Runs its closure when dropped.
struct OnDrop<F: Fn()>(F);

impl<F: Fn()> Drop for OnDrop<F> {
    fn drop(&mut self) {
        (self.0)()
    }
}

fn main() -> ExitCode {
    match run() {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("screenshots: {e}");
            ExitCode::FAILURE
        }
    }
}
