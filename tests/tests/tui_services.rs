//! The services pane of the real binary's TUI, in tmux, against a real swarm: a service
//! made on the command line shows `2/2`, `+` scales it and `3/3` appears, Enter goes
//! from a task to its container, `d` removes it after asking. The swarm is left when
//! the test ends, passed or failed.

use berth_tests::swarm::LeaveSwarm;
use berth_tests::tmux::Tmux;
use berth_tests::{eventually, Berth};

fn replicas(b: &Berth) -> String {
    b.ok(&["service", "ls", "--format", "{{.Name}} {{.Replicas}}"])
}

#[test]
fn the_services_pane_scales_jumps_to_a_task_and_removes() {
    let b = Berth::new();
    b.busybox_image("busybox:latest");
    let init = b.run(&["swarm", "init", "--advertise-addr", "127.0.0.1"]);
    let _leave = LeaveSwarm(&b);
    assert_eq!(init.code, 0, "{}{}", init.stdout, init.stderr);
    b.ok(&[
        "service",
        "create",
        "--detach",
        "--replicas",
        "2",
        "--name",
        "web",
        "busybox:latest",
        "sleep",
        "600",
    ]);
    // Dropped before the swarm is left: the TUI goes first.
    let tmux = Tmux::start(&b, 140, 35);
    assert!(
        eventually(10, || tmux.screen().contains("1 Containers")),
        "{}",
        tmux.screen()
    );
    tmux.keys("0");
    // The only service is selected: its row, then its tasks, converged.
    assert!(
        eventually(30, || {
            let s = tmux.screen();
            s.contains("replicated") && s.contains("2/2") && s.contains("web.2")
        }),
        "{}",
        tmux.screen()
    );
    assert!(tmux.screen().contains("Services (1)"), "{}", tmux.screen());
    tmux.keys("+");
    assert!(
        eventually(30, || tmux.screen().contains("3/3")),
        "{}",
        tmux.screen()
    );
    assert_eq!(replicas(&b), "web 3/3");
    assert!(
        eventually(10, || tmux.screen().contains("web.3")),
        "{}",
        tmux.screen()
    );
    // Into its tasks, then to web.1's container in the containers pane.
    tmux.keys("Enter");
    assert!(
        eventually(5, || tmux.screen().contains("Enter its container")),
        "{}",
        tmux.screen()
    );
    tmux.keys("Enter");
    assert!(
        eventually(5, || tmux.screen().contains("web.1: web.1.")),
        "{}",
        tmux.screen()
    );
    // Back, out of the tasks, and remove it: it asks first.
    tmux.keys("0");
    tmux.keys("Escape");
    tmux.keys("d");
    assert!(
        eventually(5, || tmux
            .screen()
            .contains("remove service web and its tasks? y/n")),
        "{}",
        tmux.screen()
    );
    tmux.keys("y");
    assert!(
        eventually(20, || replicas(&b).is_empty()),
        "{}",
        replicas(&b)
    );
    assert!(
        eventually(10, || tmux.screen().contains("Services (0)")),
        "{}",
        tmux.screen()
    );
    tmux.keys("q");
    assert!(
        eventually(5, || tmux.screen().contains("TUI-EXITED 0")),
        "{}",
        tmux.screen()
    );
}
