//! The TUI's services pane on a real Docker Swarm (a private dockerd from Debian's
//! docker.io, `swarm init` on loopback), driven in tmux: the cluster's nodes with their
//! state, availability and manager status, a service's tasks on their node, `+` scaling
//! it through the engine interface until it has converged, and a killed task replaced by
//! swarm and kept in the history as `\_ web.N`.

use berth_tests::docker::Dockerd;
use berth_tests::tmux::Tmux;
use berth_tests::{eventually, Berth};

#[test]
fn the_services_pane_shows_a_docker_swarm_scales_and_keeps_task_history() {
    let b = Berth::new();
    b.busybox_image("busybox:latest");
    let d = Dockerd::start();
    d.load_from_berth(&b, "busybox:latest");
    let sw = d.swarm_ready();
    let init = sw.init_args();
    let init: Vec<&str> = init.iter().map(String::as_str).collect();
    d.ok(&init);
    let host = d.ok(&["node", "ls", "--format", "{{.Hostname}}"]);
    d.ok(&[
        "service",
        "create",
        "--name",
        "web",
        "--replicas",
        "2",
        "busybox:latest",
        "sleep",
        "1d",
    ]);

    let sock = format!("unix://{}", d.sock.display());
    let tmux = Tmux::start_with(&b, 150, 40, &["-H", &sock]);
    let shows = |what: &str| eventually(30, || tmux.screen().contains(what));
    tmux.keys("0");
    assert!(shows("Services (1)"), "{}", tmux.screen());
    // The cluster: this one node, ready, active, the leader.
    assert!(shows("Nodes (1)"), "{}", tmux.screen());
    assert!(
        eventually(10, || tmux.screen().lines().any(|l| {
            let nodes = l.split("││").nth(1).unwrap_or_default();
            nodes.contains(&host)
                && nodes.contains("Ready")
                && nodes.contains("Active")
                && nodes.contains("Leader")
        })),
        "{}",
        tmux.screen()
    );
    // web's tasks, each on that node, and converged.
    assert!(
        shows("2/2 tasks of the current spec running · converged"),
        "{}",
        tmux.screen()
    );
    assert!(
        tmux.screen()
            .lines()
            .any(|l| l.contains("web.1") && l.contains(&host) && l.contains("Running")),
        "{}",
        tmux.screen()
    );

    // +: one more replica, through the engine interface on the Docker engine.
    tmux.keys("+");
    assert!(
        eventually(30, || d.ok(&[
            "service",
            "ls",
            "--format",
            "{{.Replicas}}",
            "--filter",
            "name=web"
        ]) == "3/3"),
        "{}",
        tmux.screen()
    );
    assert!(
        shows("3/3 tasks of the current spec running · converged"),
        "{}",
        tmux.screen()
    );

    // A task's container killed behind swarm's back: replaced, the old one kept.
    let victim = d.ok(&[
        "ps",
        "-q",
        "--filter",
        "label=com.docker.swarm.service.name=web",
        "--filter",
        "label=com.docker.swarm.task.name",
    ]);
    let victim = victim.lines().next().expect("a task container").to_string();
    d.ok(&["kill", &victim]);
    assert!(shows("\\_ web."), "{}", tmux.screen());
    assert!(
        eventually(30, || tmux
            .screen()
            .lines()
            .any(|l| l.contains("\\_ web.") && l.contains("Failed"))),
        "{}",
        tmux.screen()
    );
    assert!(
        shows("3/3 tasks of the current spec running · converged"),
        "{}",
        tmux.screen()
    );

    tmux.keys("q");
    assert!(shows("TUI-EXITED 0"), "{}", tmux.screen());
    drop(tmux);
    drop(sw);
}
