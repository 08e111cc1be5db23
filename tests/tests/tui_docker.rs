//! The TUI on a real Docker engine (a private dockerd from Debian's docker.io), driven in
//! tmux as a user would: `berth` with no arguments opens on the current context, the
//! title bar names it, the panes show the daemon's containers, logs, health checks and
//! stats, the anatomy says it is unavailable there, keys stop, start, exec (a pty sized
//! to the pane) and connect a network; `C` switches to Berth's own engine and back; and
//! when the daemon stops the TUI says it is unreachable, then recovers when it returns.

use berth_tests::docker::Dockerd;
use berth_tests::tmux::Tmux;
use berth_tests::{eventually, Berth};

#[test]
fn the_tui_drives_a_docker_engine_switches_contexts_and_survives_the_daemon_going() {
    let mut d = Dockerd::start();
    let b = Berth::new();
    b.busybox_image("busybox");
    d.load_from_berth(&b, "busybox");
    d.ok(&[
        "run",
        "-d",
        "--name",
        "dk-web",
        "busybox",
        "sh",
        "-c",
        "trap 'exit 0' TERM; i=0; while true; do i=$((i+1)); echo dk-tick-$i; sleep 0.2; done",
    ]);
    d.ok(&[
        "run",
        "-d",
        "--name",
        "dk-hc",
        "--health-cmd",
        "test -f /tmp/ok",
        "--health-interval",
        "1s",
        "busybox",
        "sleep",
        "1d",
    ]);
    d.ok(&["network", "create", "dknet"]);
    // One of Berth's own, to tell the engines apart after a switch.
    b.ok(&["create", "--name", "own-ctr", "busybox", "true"]);

    // The current context is the daemon: `berth` alone opens on it.
    let host = format!("host=unix://{}", d.sock.display());
    b.ok(&["context", "create", "dk", "--docker", &host]);
    b.ok(&["context", "use", "dk"]);
    let tmux = Tmux::start(&b, 150, 36);
    let shows = |what: &str| eventually(15, || tmux.screen().contains(what));
    assert!(shows("dk-web") && shows("dk-hc"), "{}", tmux.screen());
    assert!(tmux
        .screen()
        .lines()
        .next()
        .unwrap_or_default()
        .contains("⬢ dk"));
    assert!(!tmux.screen().contains("own-ctr"), "{}", tmux.screen());

    // The rows are sorted by name: dk-hc, then dk-web. The logs pane follows dk-web.
    tmux.keys("j");
    tmux.keys("5");
    assert!(shows("Logs: dk-web"), "{}", tmux.screen());
    assert!(shows("dk-tick-"), "{}", tmux.screen());
    // Health: the daemon's checks of dk-hc (State.Health.Log and its events).
    tmux.keys("k");
    tmux.keys("6");
    assert!(shows("Health: dk-hc"), "{}", tmux.screen());
    assert!(shows("check exit 1"), "{}", tmux.screen());
    assert!(shows("unhealthy"), "{}", tmux.screen());
    // Stats: a row per running container, read from the daemon.
    tmux.keys("7");
    assert!(
        eventually(15, || {
            let s = tmux.screen();
            s.lines().any(|l| l.contains("dk-web") && l.contains('%'))
        }),
        "{}",
        tmux.screen()
    );
    // The anatomy is Berth's own engine's: unavailable here, not an error.
    tmux.keys("8");
    assert!(shows("Unavailable on this backend"), "{}", tmux.screen());
    assert!(!tmux.screen().contains("cannot take"), "{}", tmux.screen());

    // Lifecycle on the daemon's container: x stops it (SIGTERM, its trap exits 0).
    tmux.keys("1");
    tmux.keys("j");
    tmux.keys("x");
    assert!(
        eventually(20, || d.ok(&[
            "inspect",
            "-f",
            "{{.State.Status}} {{.State.ExitCode}}",
            "dk-web"
        ]) == "exited 0"),
        "{}",
        tmux.screen()
    );
    tmux.keys("s");
    assert!(eventually(15, || d.ok(&[
        "inspect",
        "-f",
        "{{.State.Status}}",
        "dk-web"
    ]) == "running"));
    assert!(shows("start dk-web: done"), "{}", tmux.screen());
    // e: a shell on a pty in a pane, sized to it.
    tmux.keys("e");
    assert!(shows("exec dk-web · Ctrl-] leaves"), "{}", tmux.screen());
    std::thread::sleep(std::time::Duration::from_millis(500));
    tmux.keys("echo EMB-$((40+2)) $(stty size) $(hostname)");
    tmux.keys("Enter");
    let short = d.ok(&["inspect", "-f", "{{.Id}}", "dk-web"]);
    let expect = format!("EMB-42 32 148 {}", &short[..12]);
    assert!(shows(&expect), "{}", tmux.screen());
    tmux.keys("C-]");
    assert!(shows("left exec dk-web"), "{}", tmux.screen());
    // n: connect the running container to a network picked from the daemon's.
    tmux.keys("n");
    assert!(shows("connect dk-web to"), "{}", tmux.screen());
    tmux.keys("Enter");
    assert!(
        eventually(15, || d
            .ok(&[
                "inspect",
                "-f",
                "{{json .NetworkSettings.Networks}}",
                "dk-web"
            ])
            .contains("dknet")),
        "{}",
        tmux.screen()
    );

    // C: Berth's own engine, then back.
    tmux.keys("C");
    assert!(shows("show the engine of context"), "{}", tmux.screen());
    tmux.keys("g");
    tmux.keys("Enter");
    assert!(shows("own-ctr"), "{}", tmux.screen());
    assert!(tmux
        .screen()
        .lines()
        .next()
        .unwrap_or_default()
        .contains("⬢ local"));
    assert!(!tmux.screen().contains("dk-web"), "{}", tmux.screen());
    tmux.keys("C");
    assert!(shows("show the engine of context"), "{}", tmux.screen());
    tmux.keys("G");
    tmux.keys("Enter");
    assert!(shows("dk-web"), "{}", tmux.screen());

    // The daemon stops while the TUI shows it: it says so, and keeps the last picture.
    d.stop_daemon();
    assert!(shows("unreachable"), "{}", tmux.screen());
    assert!(
        shows("Cannot connect to the Docker daemon"),
        "{}",
        tmux.screen()
    );
    assert!(tmux.screen().contains("dk-web"), "{}", tmux.screen());
    // It comes back: the TUI recovers by itself (the containers stopped with it).
    d.spawn_daemon();
    assert!(
        eventually(20, || {
            let s = tmux.screen();
            !s.contains("unreachable") && s.contains("dk-web") && s.contains("Exited")
        }),
        "{}",
        tmux.screen()
    );

    tmux.keys("q");
    assert!(shows("TUI-EXITED 0"), "{}", tmux.screen());
}
