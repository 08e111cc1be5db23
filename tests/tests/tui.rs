//! The real binary's TUI, driven in tmux as a user would (send-keys, capture-pane): it
//! shows the engine's containers, stops one on `x`, and quits on `q` leaving the
//! terminal as it found it.

use berth_tests::tmux::Tmux;
use berth_tests::{eventually, Berth};

#[test]
fn the_tui_shows_containers_acts_on_keys_and_restores_the_terminal() {
    let b = Berth::new();
    b.busybox_image("busybox");
    b.ok(&[
        "run",
        "-d",
        "--name",
        "tui-web",
        "busybox",
        "sh",
        "-c",
        "trap 'exit 0' TERM; i=0; while true; do i=$((i+1)); echo tick-$i; sleep 0.1; done",
    ]);
    b.ok(&["network", "create", "--subnet", &b.user_subnet(8), "tuinet"]);
    // The TUI runs with this test's state root, then the pane shows "exited" and waits.
    let tmux = Tmux::start(&b, 120, 30);
    assert!(
        eventually(10, || tmux.screen().contains("tui-web")),
        "{}",
        tmux.screen()
    );
    assert!(tmux.screen().contains("⬢ local"), "{}", tmux.screen());
    // Stop the selected (only) container with x.
    tmux.keys("x");
    assert!(eventually(15, || b.inspect("tui-web", "{{.State.Status}}") == "exited"));
    assert!(
        eventually(5, || tmux.screen().contains("stop tui-web: done")),
        "{}",
        tmux.screen()
    );
    // Start it again, and take a shell in it: the terminal is handed over and back.
    tmux.keys("s");
    assert!(eventually(15, || b.inspect("tui-web", "{{.State.Status}}")
        == "running"));
    assert!(
        eventually(5, || tmux.screen().contains("Up ")),
        "{}",
        tmux.screen()
    );
    // e: a shell in a pane of the TUI, on a pty of its own sized to the pane.
    tmux.keys("e");
    assert!(
        eventually(10, || tmux
            .screen()
            .contains("exec tui-web · Ctrl-] leaves")),
        "{}",
        tmux.screen()
    );
    std::thread::sleep(std::time::Duration::from_millis(500));
    tmux.keys("echo EMB-$((40+2)) $(stty size)");
    tmux.keys("Enter");
    assert!(
        eventually(5, || tmux.screen().contains("EMB-42 26 118")),
        "{}",
        tmux.screen()
    );
    tmux.keys("C-]");
    assert!(
        eventually(5, || tmux.screen().contains("left exec tui-web")),
        "{}",
        tmux.screen()
    );
    // E: the whole terminal handed to the shell.
    tmux.keys("E");
    assert!(
        eventually(10, || tmux.screen().contains("exit it to return")),
        "{}",
        tmux.screen()
    );
    std::thread::sleep(std::time::Duration::from_millis(500));
    tmux.keys("echo EXEC-$((40+2)) $(hostname)");
    tmux.keys("Enter");
    assert!(
        eventually(5, || tmux.screen().contains("EXEC-42")),
        "{}",
        tmux.screen()
    );
    tmux.keys("exit");
    tmux.keys("Enter");
    assert!(
        eventually(5, || tmux.screen().contains("back in the TUI")),
        "{}",
        tmux.screen()
    );
    // A berth command from the `:` line, its output over the panes.
    tmux.keys(":ps -a");
    tmux.keys("Enter");
    assert!(
        eventually(10, || tmux.screen().contains("$ berth ps -a")),
        "{}",
        tmux.screen()
    );
    assert!(tmux.screen().contains("CONTAINER ID"));
    tmux.keys("z");
    // Connect it to a network picked from a list, then rename it.
    tmux.keys("n");
    assert!(
        eventually(5, || tmux.screen().contains("tuinet")),
        "{}",
        tmux.screen()
    );
    tmux.keys("Enter");
    assert!(eventually(10, || b
        .inspect(
            "tui-web",
            "{{range $k, $v := .NetworkSettings.Networks}}{{$k}} {{end}}"
        )
        .contains("tuinet")));
    tmux.keys("R");
    tmux.keys("tui-renamed");
    tmux.keys("Enter");
    assert!(eventually(10, || b.run(&["inspect", "tui-renamed"]).code == 0));
    // The anatomy of the running container, read from the kernel.
    tmux.keys("8");
    assert!(
        eventually(10, || tmux.screen().contains("PID 1 in here")),
        "{}",
        tmux.screen()
    );
    // Stats sparklines once two readings exist.
    tmux.keys("7");
    assert!(
        eventually(10, || tmux.screen().contains("Memory ")),
        "{}",
        tmux.screen()
    );
    // The log follows; a search counts its matches; f pauses.
    tmux.keys("5");
    assert!(
        eventually(10, || tmux.screen().contains("tick-")),
        "{}",
        tmux.screen()
    );
    for k in ["/", "t", "i", "c", "k", "-", "1", "Enter", "f"] {
        tmux.keys(k);
    }
    assert!(
        eventually(5, || {
            let s = tmux.screen();
            s.contains("paused") && s.contains("/tick-1 (")
        }),
        "{}",
        tmux.screen()
    );
    tmux.keys("9");
    assert!(eventually(5, || tmux.screen().contains("rename")));
    tmux.keys("?");
    assert!(
        eventually(5, || tmux.screen().contains("any other key closes")),
        "{}",
        tmux.screen()
    );
    tmux.keys("z");
    tmux.keys("q");
    assert!(
        eventually(5, || tmux.screen().contains("TUI-EXITED 0")),
        "{}",
        tmux.screen()
    );
    // The alternate screen is gone: no frame is left on the terminal.
    assert!(!tmux.screen().contains("⬢ local"), "{}", tmux.screen());
}
