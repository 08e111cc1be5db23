//! Swarm mode on a real Docker engine through `berth -H`: a private dockerd (Debian's
//! `docker.io`) made a one-node swarm by `berth swarm init`, then nodes, services, task
//! history, logs, secrets, configs and a stack (seed 003's getstartedlab) driven by
//! berth, with what berth shows compared to the docker CLI on the same daemon.
//!
//! The private dockerd runs with `--iptables=false` (tests never touch the host's
//! firewall) and this kernel has no IPVS, so the routing mesh cannot carry a published
//! port to the tasks: the stack's port is published and shown, not connected to.
//! Services without published ports need neither. The swarm is left and its gateway
//! bridge removed even when the test fails (`DockerSwarm`), before the daemon goes.

use std::process::Command;

use berth_tests::docker::Dockerd;
use berth_tests::{eventually, Berth};

use berth_tests::docker::{berth_ok as ok, berth_run as run};

/// A table with its relative times (`Running 5 seconds ago`, `Less than a second ago`)
/// made one word, and its column padding with them: two listings taken a moment apart
/// differ only there.
fn timeless(table: &str) -> String {
    table
        .lines()
        .map(|line| {
            let words: Vec<&str> = line.split_whitespace().collect();
            let mut out: Vec<&str> = Vec::new();
            let mut i = 0;
            while i < words.len() {
                let w = words[i];
                let timed =
                    matches!(w, "Less" | "less" | "About" | "about") || w.parse::<u64>().is_ok();
                match words[i..].iter().take(5).position(|x| *x == "ago") {
                    Some(n) if timed => {
                        out.push("<when>");
                        i += n + 1;
                    }
                    _ => {
                        out.push(w);
                        i += 1;
                    }
                }
            }
            out.join(" ")
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// Berth's and the docker CLI's output of the same command, compared without times.
fn same(b: &Berth, d: &Dockerd, args: &[&str]) -> String {
    let ours = ok(b, d, args);
    let theirs = d.ok(args);
    assert_eq!(
        timeless(&ours),
        timeless(&theirs),
        "berth and docker differ on {args:?}:\n--- berth\n{ours}\n--- docker\n{theirs}"
    );
    ours
}

/// Seed 003's getstartedlab file with the image loaded from berth and a free port.
fn getstartedlab(port: u16) -> String {
    format!(
        r#"version: "3"
services:
  web:
    image: busybox:latest
    command: sh -c 'mkdir -p /www && hostname > /www/index.html && exec httpd -f -p 80 -h /www'
    deploy:
      replicas: 3
      resources:
        limits:
          cpus: "0.1"
          memory: 50M
      restart_policy:
        condition: on-failure
    ports:
      - "{port}:80"
    networks:
      - webnet
networks:
  webnet:
"#
    )
}

#[test]
fn swarm_mode_on_a_real_docker_engine() {
    let b = Berth::new();
    b.busybox_image("busybox:latest");
    let d = Dockerd::start();
    d.load_from_berth(&b, "busybox:latest");
    let sw = d.swarm_ready();
    let dir = d.dir.path().to_string_lossy().into_owned();
    let (bridge, gw) = (d.bridge.clone(), sw.gw_bridge.clone());

    // Not yet a manager: Docker's words, through the backend.
    let o = run(&b, &d, &["service", "ls"]);
    assert_ne!(o.code, 0);
    assert!(o.stderr.contains("not a swarm manager"), "{}", o.show());

    let init: Vec<String> = sw.init_args();
    let init: Vec<&str> = init.iter().map(String::as_str).collect();
    let o = run(&b, &d, &init);
    assert_eq!(o.code, 0, "{}", o.show());
    let node = d.ok(&["info", "--format", "{{.Swarm.NodeID}}"]);
    assert!(
        o.stdout.contains(&format!(
            "Swarm initialized: current node ({node}) is now a manager."
        )),
        "{}",
        o.show()
    );
    assert!(
        !o.stderr.contains("Berth's own"),
        "a Docker swarm is not Berth's one-host swarm: {}",
        o.stderr
    );

    nodes(&b, &d, &node);
    services(&b, &d);
    secrets_and_configs(&b, &d);
    stack(&b, &d);

    // Everything goes: the swarm, the daemon, and what they made on the host.
    drop(sw);
    drop(d);
    let links = Command::new("ip")
        .args(["-br", "link"])
        .output()
        .expect("ip");
    let links = String::from_utf8_lossy(&links.stdout).into_owned();
    for name in [&bridge, &gw] {
        assert!(
            !links
                .lines()
                .any(|l| l.split_whitespace().next() == Some(name)),
            "{name} left behind:\n{links}"
        );
    }
    let mounts = std::fs::read_to_string("/proc/self/mountinfo").unwrap_or_default();
    assert!(
        !mounts.contains(&dir),
        "mounts of the daemon left behind (ingress netns?):\n{}",
        mounts
            .lines()
            .filter(|l| l.contains(&dir))
            .collect::<Vec<_>>()
            .join("\n")
    );
}

fn nodes(b: &Berth, d: &Dockerd, node: &str) {
    same(b, d, &["node", "ls"]);
    same(b, d, &["node", "inspect", "--pretty", "self"]);
    let id = ok(b, d, &["node", "inspect", "--format", "{{.ID}}", "self"]);
    assert_eq!(id, node);

    let availability = || {
        d.ok(&[
            "node",
            "inspect",
            "--format",
            "{{.Spec.Availability}}",
            node,
        ])
    };
    assert_eq!(
        ok(b, d, &["node", "update", "--availability", "drain", node]),
        node
    );
    assert_eq!(availability(), "drain");
    assert!(ok(b, d, &["node", "ls"]).contains("Drain"));
    ok(b, d, &["node", "update", "--availability", "active", node]);
    assert_eq!(availability(), "active");

    // The one manager cannot go: Docker's refusal, shown as the docker CLI shows it.
    let o = run(b, d, &["node", "demote", node]);
    assert_ne!(o.code, 0);
    assert!(
        o.stderr.contains("Error response from daemon")
            && o.stderr
                .contains("attempting to demote the last manager of the swarm"),
        "{}",
        o.show()
    );
    assert_eq!(
        ok(b, d, &["node", "promote", node]),
        format!("Node {node} is already a manager.")
    );
    // Nor can it be removed: the daemon's refusal, word for word as the docker CLI's.
    let ours = run(b, d, &["node", "rm", node]);
    let theirs = d.run(&["node", "rm", node]);
    assert_eq!(
        (ours.code, ours.stderr.trim()),
        (theirs.code, theirs.stderr.trim()),
        "{}",
        ours.show()
    );
    assert!(
        ours.stderr.contains("is a cluster manager"),
        "{}",
        ours.show()
    );
}

fn services(b: &Berth, d: &Dockerd) {
    // Waits for convergence as `docker service create` does.
    let out = ok(
        b,
        d,
        &[
            "service",
            "create",
            "--name",
            "web",
            "--replicas",
            "3",
            "busybox:latest",
            "sleep",
            "1d",
        ],
    );
    assert!(out.contains("verify: Service converged"), "{out}");
    assert_eq!(
        d.ok(&["service", "ls", "--format", "{{.Name}} {{.Replicas}}"]),
        "web 3/3"
    );
    same(b, d, &["service", "ls"]);
    same(b, d, &["service", "ps", "web"]);

    ok(
        b,
        d,
        &[
            "service",
            "create",
            "-d",
            "--name",
            "talker",
            "busybox:latest",
            "sh",
            "-c",
            "echo hello-from-a-task; sleep 1d",
        ],
    );
    assert!(
        eventually(30, || run(b, d, &["service", "logs", "talker"])
            .stdout
            .contains("hello-from-a-task")),
        "{}",
        run(b, d, &["service", "logs", "talker"]).show()
    );
    let line = ok(b, d, &["service", "logs", "talker"]);
    assert!(line.starts_with("talker.1."), "Docker's prefix: {line}");
    ok(b, d, &["service", "rm", "talker"]);

    let out = ok(b, d, &["service", "scale", "web=5"]);
    assert!(out.contains("web scaled to 5"), "{out}");
    let env = || {
        d.ok(&[
            "service",
            "inspect",
            "--format",
            "{{.Spec.TaskTemplate.ContainerSpec.Env}}",
            "web",
        ])
    };
    ok(b, d, &["service", "update", "--env-add", "FOO=bar", "web"]);
    assert_eq!(env(), "[FOO=bar]");
    ok(b, d, &["service", "rollback", "web"]);
    assert_eq!(env(), "[]");
    let ps = same(b, d, &["service", "ps", "web"]);
    assert!(ps.contains(" \\_ web.1"), "task history: {ps}");

    // A task killed behind swarm's back is replaced, and its failure stays in history.
    let victim = d.ok(&[
        "ps",
        "-q",
        "--filter",
        "label=com.docker.swarm.service.name=web",
        "--filter",
        "label=com.docker.swarm.task.name",
    ]);
    let victim = victim.lines().next().expect("a running task container");
    d.ok(&["kill", victim]);
    assert!(
        eventually(60, || {
            let ps = ok(b, d, &["service", "ps", "web"]);
            ps.contains("Failed") && ps.contains("non-zero exit (137)")
        }),
        "{}",
        ok(b, d, &["service", "ps", "web"])
    );
    assert!(eventually(60, || d.ok(&[
        "service",
        "ls",
        "--format",
        "{{.Replicas}}"
    ]) == "5/5"));
    same(b, d, &["service", "ps", "web"]);

    assert_eq!(ok(b, d, &["service", "rm", "web"]), "web");
    assert_eq!(d.ok(&["service", "ls", "-q"]), "");
}

fn secrets_and_configs(b: &Berth, d: &Dockerd) {
    let file = b.dir.path().join("secret.txt");
    std::fs::write(&file, "s3cret-value").expect("write the secret");
    let file = file.to_str().expect("utf-8 temp path");
    let id = ok(b, d, &["secret", "create", "dbpass", file]);
    assert_eq!(
        d.ok(&["secret", "inspect", "--format", "{{.ID}}", "dbpass"]),
        id
    );
    same(b, d, &["secret", "ls"]);
    let inspect = ok(b, d, &["secret", "inspect", "dbpass"]);
    assert!(
        inspect.contains("\"Name\": \"dbpass\"") && !inspect.contains("s3cret"),
        "{inspect}"
    );

    let cfg = b.dir.path().join("config.txt");
    std::fs::write(&cfg, "cfg-body\n").expect("write the config");
    ok(
        b,
        d,
        &["config", "create", "appcfg", cfg.to_str().expect("utf-8")],
    );
    same(b, d, &["config", "ls"]);

    // The task reads both where swarm puts them (the secret has no newline of its own:
    // a running container's partial line stays in Docker's log buffer).
    ok(
        b,
        d,
        &[
            "service",
            "create",
            "-d",
            "--name",
            "reader",
            "--secret",
            "dbpass",
            "--config",
            "source=appcfg,target=/etc/app.cfg",
            "busybox:latest",
            "sh",
            "-c",
            "cat /etc/app.cfg; cat /run/secrets/dbpass; echo; sleep 1d",
        ],
    );
    let logs = || run(b, d, &["service", "logs", "reader"]).stdout;
    assert!(
        eventually(30, || logs().contains("s3cret-value")
            && logs().contains("cfg-body")),
        "{}",
        logs()
    );

    // In use: Docker's refusal.
    let o = run(b, d, &["secret", "rm", "dbpass"]);
    assert_ne!(o.code, 0);
    assert!(
        o.stderr.contains("in use by the following service: reader"),
        "{}",
        o.show()
    );
    ok(b, d, &["service", "rm", "reader"]);
    assert_eq!(ok(b, d, &["secret", "rm", "dbpass"]), "dbpass");
    assert_eq!(ok(b, d, &["config", "rm", "appcfg"]), "appcfg");
    assert_eq!(d.ok(&["secret", "ls", "-q"]), "");
    assert_eq!(d.ok(&["config", "ls", "-q"]), "");
}

fn stack(b: &Berth, d: &Dockerd) {
    let port = berth_tests::free_port();
    let file = b.dir.path().join("docker-compose.yml");
    std::fs::write(&file, getstartedlab(port)).expect("write the compose file");
    let file = file.to_str().expect("utf-8 temp path");
    let out = ok(b, d, &["stack", "deploy", "-c", file, "getstartedlab"]);
    assert!(
        out.contains("Creating network getstartedlab_webnet")
            && out.contains("Creating service getstartedlab_web"),
        "{out}"
    );
    // The docker CLI finds it by Docker's own labels.
    assert_eq!(
        d.ok(&[
            "service",
            "inspect",
            "--format",
            "{{index .Spec.Labels \"com.docker.stack.namespace\"}}",
            "getstartedlab_web"
        ]),
        "getstartedlab"
    );
    assert_eq!(
        d.ok(&[
            "network",
            "inspect",
            "--format",
            "{{index .Labels \"com.docker.stack.namespace\"}} {{.Driver}}",
            "getstartedlab_webnet"
        ]),
        "getstartedlab overlay"
    );
    assert!(eventually(60, || d.ok(&[
        "service",
        "ls",
        "--format",
        "{{.Replicas}}"
    ]) == "3/3"));
    same(b, d, &["stack", "ls"]);
    let services = same(b, d, &["stack", "services", "getstartedlab"]);
    assert!(
        services.contains(&format!("*:{port}->80/tcp")),
        "{services}"
    );
    same(b, d, &["stack", "ps", "getstartedlab"]);

    let out = ok(b, d, &["stack", "rm", "getstartedlab"]);
    assert!(out.contains("Removing service getstartedlab_web"), "{out}");
    assert_eq!(d.ok(&["stack", "ls"]).lines().count(), 1, "only the header");
    assert!(
        eventually(30, || d
            .run(&["network", "inspect", "getstartedlab_webnet"])
            .code
            != 0),
        "the stack's network stays"
    );
}
