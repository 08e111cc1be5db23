//! Swarm mode through the Docker Engine API: Debian's docker CLI drives `berth system
//! service` as seed 001 drives Docker (init, a replicated service, a task killed and
//! replaced with the failure in its history, scaling, a drained node, removal, leave).

use berth_tests::api::Service;
use berth_tests::{eventually, Berth};

/// Leaves the swarm whatever happens, so no manager or task outlives the test.
struct Swarm<'a> {
    api: &'a Service,
}

impl Drop for Swarm<'_> {
    fn drop(&mut self) {
        let _ = self.api.docker(&["swarm", "leave", "--force"]);
    }
}

#[test]
fn docker_cli_runs_a_replicated_service_that_heals_scales_and_drains() {
    let b = Berth::new();
    b.busybox_image("busybox:latest");
    let api = Service::start(&b);
    let init = api.docker_ok(&["swarm", "init"]);
    assert!(init.contains("is now a manager"), "{init}");
    let _guard = Swarm { api: &api };
    let again = api.docker(&["swarm", "init"]);
    assert!(
        again.code != 0 && again.stderr.contains("already part of a swarm"),
        "{}",
        again.stderr
    );

    api.docker_ok(&[
        "service",
        "create",
        "-d",
        "--name",
        "web",
        "--replicas",
        "3",
        "busybox:latest",
        "sleep",
        "600",
    ]);
    let replicas = || api.docker_ok(&["service", "ls", "--format", "{{.Name}} {{.Replicas}}"]);
    assert!(eventually(20, || replicas() == "web 3/3"), "{}", replicas());
    // Tasks are containers named SERVICE.SLOT.TASKID and labelled as Docker labels them.
    let names = b.ok(&["ps", "--format", "{{.Names}}"]);
    assert_eq!(
        names.lines().filter(|n| n.starts_with("web.")).count(),
        3,
        "{names}"
    );
    let victim = b.ok(&[
        "ps",
        "-q",
        "--filter",
        "label=com.docker.swarm.service.name=web",
        "--filter",
        "name=web.2.",
    ]);
    assert!(!victim.is_empty(), "{names}");

    // Killing a task: its failure is in the slot's history and a new task takes the slot.
    b.ok(&["rm", "-f", &victim]);
    let history = || {
        api.docker_ok(&[
            "service",
            "ps",
            "web",
            "--format",
            "{{.Name}}|{{.DesiredState}}|{{.CurrentState}}|{{.Error}}",
        ])
    };
    assert!(
        eventually(30, || {
            let h = history();
            h.contains("task: non-zero exit (137)")
                && h.lines()
                    .filter(|l| l.contains("web.2|Running|Running"))
                    .count()
                    == 1
        }),
        "{}",
        history()
    );
    assert!(eventually(20, || replicas() == "web 3/3"), "{}", replicas());

    // Scale, drain, activate.
    api.docker_ok(&["service", "scale", "-d", "web=5"]);
    assert!(eventually(20, || replicas() == "web 5/5"), "{}", replicas());
    let node = api.docker_ok(&["node", "ls", "-q"]);
    api.docker_ok(&["node", "update", "--availability", "drain", &node]);
    assert!(eventually(20, || replicas() == "web 0/5"), "{}", replicas());
    api.docker_ok(&["node", "update", "--availability", "active", &node]);
    assert!(eventually(20, || replicas() == "web 5/5"), "{}", replicas());

    // Removal takes the tasks' containers.
    api.docker_ok(&["service", "rm", "web"]);
    assert!(
        eventually(30, || b
            .ok(&[
                "ps",
                "-aq",
                "--filter",
                "label=com.docker.swarm.service.name=web"
            ])
            .is_empty()),
        "task containers outlived their service"
    );
    api.docker_ok(&["swarm", "leave", "--force"]);
    let info = api.docker(&["service", "ls"]);
    assert!(
        info.code != 0 && info.stderr.contains("not a swarm manager"),
        "{}",
        info.stderr
    );
}
