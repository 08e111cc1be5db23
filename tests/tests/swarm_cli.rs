//! Swarm mode through the docker-style CLI, with real task containers from the busybox
//! image: the flow of seeds 001-003 (init, a replicated service, scaling, a task killed
//! and replaced, drain and activate, logs, removal, leave). Every wait polls with a
//! deadline; nothing here depends on how long a step takes.

use berth_tests::swarm::{replicas, LeaveSwarm};
use berth_tests::{eventually, Berth};

/// The names of the task containers that run now.
fn running_tasks(b: &Berth) -> Vec<String> {
    b.ok(&[
        "ps",
        "--filter",
        "label=com.docker.swarm.task.id",
        "--format",
        "{{.Names}}",
    ])
    .lines()
    .map(String::from)
    .collect()
}

/// Every task container, running or not.
fn all_tasks(b: &Berth) -> String {
    b.ok(&["ps", "-aq", "--filter", "label=com.docker.swarm.task.id"])
}

#[test]
fn a_service_lives_through_scaling_a_killed_task_and_a_drain() {
    let b = Berth::new();
    b.busybox_image("busybox:latest");

    // Not a swarm yet: Docker's refusal, and `info` says inactive.
    let o = b.run(&["service", "ls"]);
    assert_eq!(o.code, 1, "{}", o.show());
    assert!(
        o.stderr.contains("This node is not a swarm manager."),
        "{}",
        o.show()
    );
    assert!(b.ok(&["info"]).contains(" Swarm: inactive"));

    let init = b.run(&["swarm", "init", "--advertise-addr", "127.0.0.1"]);
    let _leave = LeaveSwarm(&b);
    assert_eq!(init.code, 0, "{}", init.show());
    assert!(
        init.stdout.starts_with("Swarm initialized: current node ("),
        "{}",
        init.show()
    );
    assert!(init.stdout.contains(") is now a manager.\n\nTo add a worker to this swarm, run the following command:\n\n    berth swarm join --token SWMTKN-1-"));
    assert!(init.stdout.contains(" 127.0.0.1:2377\n\nTo add a manager to this swarm, run 'berth swarm join-token manager' and follow the instructions.\n"));
    assert!(
        init.stderr.contains("needs a real Swarm"),
        "{}",
        init.show()
    );
    let info = b.ok(&["info"]);
    for want in [
        " Swarm: active\n",
        "  Is Manager: true\n",
        "  Managers: 1\n",
        "  Nodes: 1\n",
        "  Node Address: 127.0.0.1\n",
    ] {
        assert!(info.contains(want), "{want:?} in\n{info}");
    }
    let node_id = b.ok(&["info", "--format", "{{.Swarm.NodeID}}"]);
    assert_eq!(node_id.len(), 25, "{node_id}");
    let nodes = b.ok(&["node", "ls"]);
    let me = nodes.lines().nth(1).unwrap_or_default().to_string();
    assert!(me.starts_with(&format!("{node_id} *")), "{nodes}");
    for col in ["Ready", "Active", "Leader"] {
        assert!(me.contains(col), "{col} in {nodes}");
    }
    assert!(b
        .ok(&["swarm", "join-token", "-q", "worker"])
        .starts_with("SWMTKN-1-"));
    let o = b.run(&["swarm", "join", "--token", "x", "10.0.0.9:2377"]);
    assert_eq!(o.code, 1, "{}", o.show());
    assert!(o.stderr.contains("real Swarm"), "{}", o.show());

    // Created and waited for as Docker does; the update monitor sets the verify wait.
    let create = b.run(&[
        "service",
        "create",
        "--name",
        "web",
        "--replicas",
        "3",
        "--update-monitor",
        "1s",
        "--stop-grace-period",
        "1s",
        "busybox",
        "sh",
        "-c",
        "echo hello from $HOSTNAME; exec sleep 1000",
    ]);
    assert_eq!(create.code, 0, "{}", create.show());
    let lines: Vec<&str> = create.stdout.lines().collect();
    assert_eq!(
        lines[0].len(),
        25,
        "the service ID first: {}",
        create.stdout
    );
    assert_eq!(lines[1], "overall progress: 0 out of 3 tasks");
    assert!(
        lines.contains(&"overall progress: 3 out of 3 tasks"),
        "{}",
        create.stdout
    );
    assert!(lines.contains(&"3/3: running"), "{}", create.stdout);
    assert_eq!(lines.last(), Some(&"verify: Service converged"));
    assert_eq!(replicas(&b, "web"), "3/3");
    let ls = b.ok(&["service", "ls"]);
    assert!(
        ls.starts_with("ID             NAME      MODE         REPLICAS   IMAGE            PORTS\n"),
        "{ls}"
    );
    assert!(
        ls.contains("   web       replicated   3/3        busybox:latest"),
        "{ls}"
    );
    assert_eq!(running_tasks(&b).len(), 3);

    // Each task container's log, prefixed with its task.
    assert!(eventually(20, || {
        let logs = b.ok(&["service", "logs", "web"]);
        logs.lines().count() == 3
            && (1..=3).all(|slot| {
                logs.lines().any(|l| {
                    l.starts_with(&format!("web.{slot}.")) && l.contains("    | hello from ")
                })
            })
    }));

    let scale = b.run(&["service", "scale", "web=5"]);
    assert_eq!(scale.code, 0, "{}", scale.show());
    assert!(
        scale.stdout.starts_with("web scaled to 5\n"),
        "{}",
        scale.stdout
    );
    assert!(
        scale.stdout.ends_with("verify: Service converged\n"),
        "{}",
        scale.stdout
    );
    assert_eq!(replicas(&b, "web"), "5/5");

    // A task container removed by hand: its task fails with Docker's words and a new
    // task takes its slot.
    let victim = running_tasks(&b)
        .into_iter()
        .find(|n| n.starts_with("web.2."))
        .expect("a task container of slot 2");
    b.ok(&["rm", "-f", &victim]);
    let old_task = victim.rsplit('.').next().unwrap_or_default()[..12].to_string();
    assert!(
        eventually(60, || {
            let ps = b.ok(&["service", "ps", "web"]);
            let new_web2 = ps.lines().any(|l| {
                l.contains("   web.2   ") && l.contains("Running   ") && !l.starts_with(&old_task)
            });
            let failed = ps.lines().any(|l| {
                l.starts_with(&old_task)
                    && l.contains(" \\_ web.2 ")
                    && l.contains("Shutdown        Failed ")
                    && l.contains("\"task: non-zero exit (137)\"")
            });
            new_web2 && failed && replicas(&b, "web") == "5/5"
        }),
        "{}",
        b.ok(&["service", "ps", "web"])
    );
    let history = b.ok(&[
        "service",
        "ps",
        "--filter",
        "desired-state=shutdown",
        "-q",
        "web",
    ]);
    assert!(
        history.lines().any(|id| id.starts_with(&old_task)),
        "{history}"
    );

    // Drained, the node runs nothing; active again, everything comes back.
    assert_eq!(
        b.ok(&["node", "update", "--availability", "drain", "self"]),
        "self"
    );
    assert!(
        eventually(90, || replicas(&b, "web") == "0/5"
            && running_tasks(&b).is_empty()),
        "{}",
        b.ok(&["service", "ps", "web"])
    );
    assert!(b
        .ok(&["node", "ls", "--format", "{{.Availability}}"])
        .contains("Drain"));
    assert_eq!(
        b.ok(&["node", "update", "--availability", "active", "self"]),
        "self"
    );
    assert!(
        eventually(90, || replicas(&b, "web") == "5/5"
            && running_tasks(&b).len() == 5),
        "{}",
        b.ok(&["service", "ps", "web"])
    );

    // The only node is the manager: never removed.
    let o = b.run(&["node", "rm", "self"]);
    assert_eq!(o.code, 1, "{}", o.show());
    assert!(o.stderr.contains("is a cluster manager"), "{}", o.show());

    assert_eq!(b.ok(&["service", "rm", "web"]), "web");
    assert!(
        eventually(60, || all_tasks(&b).is_empty()),
        "{}",
        b.ok(&["ps", "-a"])
    );
    let o = b.run(&["service", "ps", "web"]);
    assert_eq!(o.code, 1);
    assert_eq!(o.stderr.trim(), "no such service: web");

    // Leaving takes the services and their containers with it.
    b.ok(&[
        "service",
        "create",
        "-d",
        "--name",
        "last",
        "--replicas",
        "2",
        "busybox",
        "sleep",
        "1000",
    ]);
    assert!(eventually(30, || running_tasks(&b).len() == 2));
    let o = b.run(&["swarm", "leave"]);
    assert_eq!(o.code, 1, "{}", o.show());
    assert!(o.stderr.contains("Use `--force` to ignore this message."));
    assert_eq!(b.ok(&["swarm", "leave", "--force"]), "Node left the swarm.");
    assert_eq!(all_tasks(&b), "");
    assert!(b.ok(&["info"]).contains(" Swarm: inactive"));
}

/// The same swarm seen by Debian's docker CLI (through `berth system service`) and by
/// berth: the same tables, the same pretty inspects, and the same spec made from the
/// same `service create` flags.
#[test]
fn berth_prints_what_the_docker_cli_prints() {
    for client in berth_tests::api::clients() {
        berth_prints_what_the_docker_cli_prints_with(client);
    }
}

fn berth_prints_what_the_docker_cli_prints_with(client: std::path::PathBuf) {
    let b = Berth::new();
    b.busybox_image("busybox:latest");
    let api = berth_tests::api::Service::start_for(&b, client);
    b.ok(&["swarm", "init", "--advertise-addr", "127.0.0.1"]);
    let _leave = LeaveSwarm(&b);
    let flags = [
        "--replicas",
        "2",
        "--limit-cpu",
        "0.5",
        "--limit-memory",
        "50M",
        "--reserve-memory",
        "10m",
        "--restart-condition",
        "on-failure",
        "--restart-max-attempts",
        "3",
        "--update-parallelism",
        "2",
        "--update-order",
        "start-first",
        "--rollback-monitor",
        "2s",
        "-e",
        "A=1",
        "--label",
        "tier=front",
        "--container-label",
        "c=1",
        "--constraint",
        "node.role==manager",
        "--stop-grace-period",
        "1s",
        "--hostname",
        "box",
        "--workdir",
        "/tmp",
        "--entrypoint",
        "sh -c",
    ];
    let create = |via: &str| -> Vec<String> {
        let mut v: Vec<String> = ["service", "create", "-d", "--name", via]
            .iter()
            .map(|s| s.to_string())
            .collect();
        v.extend(flags.iter().map(|s| s.to_string()));
        v.extend(["busybox", "exec sleep 1000"].map(String::from));
        v
    };
    let mut docker_args = create("viadocker");
    docker_args.insert(2, "--no-resolve-image".into());
    let docker_args: Vec<&str> = docker_args.iter().map(String::as_str).collect();
    api.docker_ok(&docker_args);
    let berth_args = create("viaberth");
    let berth_args: Vec<&str> = berth_args.iter().map(String::as_str).collect();
    b.ok(&berth_args);
    let spec = |name: &str| {
        b.ok(&["service", "inspect", "-f", "{{json .Spec}}", name])
            .replace(name, "NAME")
    };
    assert_eq!(spec("viaberth"), spec("viadocker"));
    assert!(eventually(60, || replicas(&b, "viaberth") == "2/2"
        && replicas(&b, "viadocker") == "2/2"));

    let both = |args: &[&str]| {
        let d = api.docker_ok(args);
        let o = b.ok(args);
        assert_eq!(o, d, "berth {args:?} against docker's");
        d
    };
    both(&["service", "ls"]);
    both(&["service", "ls", "-q"]);
    both(&[
        "service",
        "ls",
        "--filter",
        "name=viab",
        "--format",
        "{{.Name}} {{.Mode}} {{.Replicas}}",
    ]);
    let table = "table {{.ID}}\t{{.Name}}\t{{.Image}}\t{{.Node}}\t{{.DesiredState}}\t{{.Error}}\t{{.Ports}}";
    let ps = both(&["service", "ps", "--format", table, "viaberth", "viadocker"]);
    assert_eq!(ps.lines().count(), 5, "{ps}");
    both(&["service", "ps", "-q", "viaberth"]);
    both(&[
        "service",
        "ps",
        "--no-trunc",
        "--format",
        table,
        "viadocker",
    ]);
    let pretty = both(&["service", "inspect", "--pretty", "viaberth"]);
    assert!(
        pretty.contains("\n Limits:\n  CPU:\t\t0.5\n  Memory:\t50MiB"),
        "{pretty}"
    );
    both(&["node", "ls"]);
    both(&["node", "ls", "-q"]);
    assert!(both(&["node", "inspect", "--pretty", "self"]).contains(" Leader:\t\tYes"));
    both(&["node", "ps", "--format", table]);
}

#[test]
fn an_unhealthy_task_is_replaced_and_kept_in_history() {
    let b = Berth::new();
    b.busybox_image("busybox:latest");
    b.ok(&["swarm", "init"]);
    let _leave = LeaveSwarm(&b);
    b.ok(&[
        "service",
        "create",
        "-d",
        "--name",
        "hc",
        "--health-cmd",
        "test ! -e /tmp/sick",
        "--health-interval",
        "1s",
        "--health-retries",
        "1",
        "busybox:latest",
        "sleep",
        "600",
    ]);
    assert!(eventually(60, || replicas(&b, "hc") == "1/1"));
    let healthy = |id: &str| b.inspect(id, "{{.State.Health.Status}}") == "healthy";
    let first = running_tasks(&b).pop().expect("a task");
    assert!(eventually(30, || healthy(&first)));
    // It falls ill: the manager fails the task and starts another in its slot.
    b.ok(&["exec", &first, "touch", "/tmp/sick"]);
    assert!(eventually(60, || {
        let now = running_tasks(&b);
        now.len() == 1 && now[0] != first && healthy(&now[0])
    }));
    let history = b.ok(&[
        "service",
        "ps",
        "--no-trunc",
        "--format",
        "{{.Name}}|{{.DesiredState}}|{{.CurrentState}}|{{.Error}}",
        "hc",
    ]);
    let failed = history
        .lines()
        .find(|l| l.contains("|Shutdown|Failed"))
        .unwrap_or_else(|| panic!("no failed task in:\n{history}"));
    assert!(failed.contains("unhealthy container"), "{history}");
    assert!(
        history.lines().any(|l| l.contains("|Running|Running")),
        "{history}"
    );
}
