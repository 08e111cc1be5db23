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

    // Seed 001's form: no -d (the CLI follows the converge), a health check, a port.
    let out = api.docker(&[
        "service",
        "create",
        "--name",
        "hc",
        "--health-cmd",
        "true",
        "--health-interval",
        "1s",
        "-p",
        "8080:80",
        "busybox:latest",
        "sleep",
        "600",
    ]);
    assert_eq!(out.code, 0, "{}{}", out.stdout, out.stderr);
    assert!(
        out.stdout.contains("verify: Service") || out.stderr.contains("verify: Service"),
        "{}{}",
        out.stdout,
        out.stderr
    );
    let hc = api.docker_ok(&[
        "service",
        "inspect",
        "hc",
        "--format",
        "{{json .Spec.TaskTemplate.ContainerSpec}}",
    ]);
    assert!(
        hc.contains("HealthCheck") || hc.contains("Healthcheck"),
        "the health check was lost: {hc}"
    );
    let ports = api.docker_ok(&[
        "service",
        "ls",
        "--filter",
        "name=hc",
        "--format",
        "{{.Ports}}",
    ]);
    assert_eq!(ports, "*:8080->80/tcp");
    api.docker_ok(&["service", "rm", "hc"]);

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

#[test]
fn docker_cli_secrets_reach_only_the_tasks_that_name_them() {
    let b = Berth::new();
    b.busybox_image("busybox:latest");
    let api = Service::start(&b);
    api.docker_ok(&["swarm", "init"]);
    let _guard = Swarm { api: &api };
    let file = b.dir.path().join("pass.txt");
    std::fs::write(&file, "hunter2").unwrap();
    api.docker_ok(&["secret", "create", "db_pass", file.to_str().unwrap()]);
    // Its data is never shown.
    let shown = api.docker_ok(&["secret", "inspect", "db_pass"]);
    assert!(
        !shown.contains("hunter2") && !shown.contains("aHVudGVyMg"),
        "{shown}"
    );
    api.docker_ok(&[
        "service",
        "create",
        "-d",
        "--name",
        "db",
        "--secret",
        "db_pass",
        "--secret",
        "source=db_pass,target=/etc/pass,mode=0400",
        "busybox:latest",
        "sleep",
        "600",
    ]);
    api.docker_ok(&[
        "service",
        "create",
        "-d",
        "--name",
        "other",
        "busybox:latest",
        "sleep",
        "600",
    ]);
    let task = |svc: &str| {
        b.ok(&[
            "ps",
            "-q",
            "--filter",
            &format!("label=com.docker.swarm.service.name={svc}"),
        ])
    };
    assert!(eventually(20, || !task("db").is_empty() && !task("other").is_empty()));
    let db = task("db");
    assert_eq!(
        b.ok(&["exec", &db, "cat", "/run/secrets/db_pass"]),
        "hunter2"
    );
    assert_eq!(b.ok(&["exec", &db, "stat", "-c", "%a", "/etc/pass"]), "400");
    // Read-only, and not in the other service's tasks.
    let write = b.run(&["exec", &db, "sh", "-c", "echo x > /run/secrets/db_pass"]);
    assert_ne!(write.code, 0);
    let other = b.run(&["exec", &task("other"), "cat", "/run/secrets/db_pass"]);
    assert_ne!(other.code, 0);
    // Its data is kept in one file only root may read.
    use std::os::unix::fs::PermissionsExt;
    let mode = std::fs::metadata(b.root.join("swarm/secrets.data"))
        .unwrap()
        .permissions()
        .mode();
    assert_eq!(mode & 0o777, 0o600);
    // Removal waits until no service names it.
    let busy = api.docker(&["secret", "rm", "db_pass"]);
    assert!(
        busy.code != 0
            && busy
                .stderr
                .contains("is in use by the following service: db"),
        "{}",
        busy.stderr
    );
    api.docker_ok(&["service", "rm", "db"]);
    api.docker_ok(&["secret", "rm", "db_pass"]);
}

#[test]
fn a_manager_killed_while_it_scales_restarts_and_converges_without_duplicates() {
    let b = Berth::new();
    b.busybox_image("busybox:latest");
    let api = Service::start(&b);
    api.docker_ok(&["swarm", "init"]);
    let _guard = Swarm { api: &api };
    api.docker_ok(&[
        "service",
        "create",
        "-d",
        "--name",
        "web",
        "--replicas",
        "2",
        "busybox:latest",
        "sleep",
        "600",
    ]);
    let replicas = || api.docker_ok(&["service", "ls", "--format", "{{.Replicas}}"]);
    assert!(eventually(20, || replicas() == "2/2"), "{}", replicas());
    // SIGKILL the manager just as it starts scaling up.
    api.docker_ok(&["service", "scale", "-d", "web=6"]);
    let pid = std::fs::read_to_string(b.run_root.join("swarm/manager.pid")).unwrap();
    let pid: i32 = pid.trim().parse().unwrap();
    // SAFETY: kill(2) on a process id we read; nothing else to uphold.
    unsafe { libc::kill(pid, libc::SIGKILL) };
    // The records are readable at once, and any berth command brings the manager back.
    api.docker_ok(&["service", "ps", "web"]);
    b.ok(&["ps"]);
    assert!(eventually(30, || replicas() == "6/6"), "{}", replicas());
    // One running task and one container per slot: nothing doubled.
    let running = api.docker_ok(&[
        "service",
        "ps",
        "web",
        "--filter",
        "desired-state=running",
        "-q",
    ]);
    assert_eq!(running.lines().count(), 6, "{running}");
    let containers = b.ok(&[
        "ps",
        "-q",
        "--filter",
        "label=com.docker.swarm.service.name=web",
    ]);
    assert_eq!(containers.lines().count(), 6, "{containers}");
}

#[test]
fn docker_cli_service_logs_name_each_task_as_berth_does() {
    let b = Berth::new();
    b.busybox_image("busybox:latest");
    let api = Service::start(&b);
    api.docker_ok(&["swarm", "init"]);
    let _guard = Swarm { api: &api };
    api.docker_ok(&[
        "service",
        "create",
        "-d",
        "--name",
        "talk",
        "--replicas",
        "2",
        "busybox:latest",
        "sh",
        "-c",
        "echo hello from $(hostname); sleep 600",
    ]);
    let sorted = |s: String| {
        let mut v: Vec<String> = s.lines().map(String::from).collect();
        v.sort();
        v
    };
    assert!(eventually(60, || {
        api.docker_ok(&["service", "logs", "talk"]).lines().count() == 2
    }));
    // The docker CLI builds `talk.1.TASKID@node    | ` from the details the API sends.
    let docker = sorted(api.docker_ok(&["service", "logs", "talk"]));
    assert_eq!(docker, sorted(b.ok(&["service", "logs", "talk"])));
    assert!(
        docker
            .iter()
            .all(|l| l.starts_with("talk.") && l.contains("    | hello from ")),
        "{docker:?}"
    );
    // One task's log by its ID, timestamps in front.
    let task = api.docker_ok(&["service", "ps", "-q", "talk"]);
    let task = task.lines().next().unwrap();
    let one = api.docker_ok(&["service", "logs", "-t", task]);
    assert_eq!(one.lines().count(), 1, "{one}");
    let (stamp, rest) = one.split_once(' ').unwrap();
    assert!(chrono::DateTime::parse_from_rfc3339(stamp).is_ok(), "{one}");
    assert!(rest.contains("    | hello from "), "{one}");
}
