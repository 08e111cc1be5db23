//! Stacks: seed 003's getstartedlab deployed from a compose file with `berth stack
//! deploy` (5 replicas limited to 0.1 CPU and 50 MB, restart on failure, a published
//! port through the routing mesh on the overlay network `webnet`), redeployed edited,
//! and removed; and the same file through Debian's docker CLI against the API socket.
//! The stand-in web image answers with its task's hostname. Every wait polls with a
//! deadline.

use std::collections::BTreeSet;
use std::io::{Read, Write};

use berth_tests::api::Service;
use berth_tests::swarm::{replicas, LeaveSwarm};
use berth_tests::{eventually, free_port, Berth};

/// Seed 003's file with the stand-in image, `replicas` web tasks, `port` published, a
/// second service beside it, and `WHO` in web's environment (a change of it is a new
/// task template, a change of replicas is not).
fn compose_file(port: u16, replicas: u32, who: &str) -> String {
    format!(
        r#"version: "3"
services:
  web:
    image: busybox:latest
    build: .
    command: sh -c 'mkdir -p /www && hostname > /www/index.html && exec httpd -f -p 80 -h /www'
    environment:
      WHO: {who}
    deploy:
      replicas: {replicas}
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
  worker:
    image: busybox:latest
    command: sleep 600
    deploy:
      replicas: 2
    networks:
      - webnet
networks:
  webnet:
"#
    )
}

/// One HTTP GET of `/` on the host's loopback: the body, if the request succeeded.
fn get(port: u16) -> Option<String> {
    let mut s = std::net::TcpStream::connect(("127.0.0.1", port)).ok()?;
    s.set_read_timeout(Some(std::time::Duration::from_secs(3)))
        .ok()?;
    s.write_all(b"GET / HTTP/1.0\r\nHost: localhost\r\n\r\n")
        .ok()?;
    let mut text = String::new();
    s.read_to_string(&mut text).ok()?;
    let (head, body) = text.split_once("\r\n\r\n")?;
    head.starts_with("HTTP/1.").then(|| body.trim().to_string())
}

/// The running task containers of `service`: IDs and hostnames.
fn tasks(b: &Berth, service: &str) -> Vec<(String, String)> {
    b.ok(&[
        "ps",
        "-q",
        "--filter",
        &format!("label=com.docker.swarm.service.name={service}"),
    ])
    .lines()
    .map(|id| (id.to_string(), b.inspect(id, "{{.Config.Hostname}}")))
    .collect()
}

/// The task IDs (not container IDs) of `service`'s running tasks.
fn task_ids(b: &Berth, service: &str) -> BTreeSet<String> {
    b.ok(&[
        "service",
        "ps",
        "-q",
        "--no-trunc",
        "--filter",
        "desired-state=running",
        service,
    ])
    .lines()
    .map(String::from)
    .collect()
}

#[test]
fn seed_003_getstartedlab_deploys_balances_redeploys_and_goes() {
    let b = Berth::new();
    b.busybox_image("busybox:latest");
    b.ok(&["swarm", "init"]);
    let _leave = LeaveSwarm(&b);
    let port = free_port();
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("docker-compose.yml");
    std::fs::write(&file, compose_file(port, 5, "one")).unwrap();
    let file = file.to_str().unwrap();

    let o = b.run(&["stack", "deploy", "-c", file, "getstartedlab"]);
    assert_eq!(o.code, 0, "{}", o.show());
    assert!(
        o.stderr.contains("Ignoring unsupported options: build"),
        "{}",
        o.show()
    );
    for line in [
        "Creating network getstartedlab_webnet",
        "Creating service getstartedlab_web",
        "Creating service getstartedlab_worker",
    ] {
        assert!(o.stdout.contains(line), "{}", o.show());
    }
    assert!(eventually(90, || replicas(&b, "getstartedlab_web") == "5/5"));
    assert!(eventually(30, || replicas(&b, "getstartedlab_worker") == "2/2"));
    assert_eq!(
        b.ok(&["stack", "ls", "--format", "{{.Name}} {{.Services}}"]),
        "getstartedlab 2"
    );
    let services = b.ok(&[
        "stack",
        "services",
        "--format",
        "{{.Name}} {{.Replicas}} {{.Ports}}",
        "getstartedlab",
    ]);
    assert_eq!(
        services,
        format!("getstartedlab_web 5/5 *:{port}->80/tcp\ngetstartedlab_worker 2/2 ").trim_end()
    );
    let network = b.ok(&[
        "network",
        "inspect",
        "--format",
        "{{.Driver}} {{.Scope}} {{index .Labels \"com.docker.stack.namespace\"}}",
        "getstartedlab_webnet",
    ]);
    assert_eq!(network, "overlay swarm getstartedlab");

    // 50 requests to the published port see all five tasks.
    let web = tasks(&b, "getstartedlab_web");
    let hostnames: BTreeSet<String> = web.iter().map(|(_, h)| h.clone()).collect();
    assert_eq!(hostnames.len(), 5);
    assert!(eventually(30, || get(port).is_some()));
    let seen: BTreeSet<String> = (0..50).filter_map(|_| get(port)).collect();
    assert_eq!(seen, hostnames);
    // Each task's cgroup holds the limits (0.1 CPU of a 100 ms period; 50 MB).
    for (id, _) in &web {
        let full = b.inspect(id, "{{.Id}}");
        let cpu = b.cgroup_value(&full, &["cpu.cfs_quota_us", "cpu.max"]);
        assert!(cpu == "10000" || cpu == "10000 100000", "{cpu}");
        assert_eq!(
            b.cgroup_value(&full, &["memory.limit_in_bytes", "memory.max"]),
            "52428800"
        );
    }
    let ps = b.ok(&[
        "stack",
        "ps",
        "--format",
        "{{.Name}} {{.DesiredState}}",
        "getstartedlab",
    ]);
    assert_eq!(ps.lines().count(), 7, "{ps}");

    // Redeployed with 3 replicas: web converges to 3, keeping its tasks (only its
    // replicas changed), and worker, unchanged, keeps its tasks too.
    let web_before = task_ids(&b, "getstartedlab_web");
    let worker_before = task_ids(&b, "getstartedlab_worker");
    std::fs::write(
        dir.path().join("docker-compose.yml"),
        compose_file(port, 3, "one"),
    )
    .unwrap();
    let o = b.run(&["stack", "deploy", "-c", file, "getstartedlab"]);
    assert_eq!(o.code, 0, "{}", o.show());
    assert!(
        o.stdout
            .contains("Updating service getstartedlab_web (id: "),
        "{}",
        o.show()
    );
    assert!(eventually(60, || task_ids(&b, "getstartedlab_web").len() == 3));
    assert!(task_ids(&b, "getstartedlab_web").is_subset(&web_before));
    assert!(eventually(60, || tasks(&b, "getstartedlab_web").len() == 3));
    assert_eq!(replicas(&b, "getstartedlab_web"), "3/3");
    // An edited environment is a new task template: web's tasks are replaced, and
    // worker's still are not.
    std::fs::write(
        dir.path().join("docker-compose.yml"),
        compose_file(port, 3, "two"),
    )
    .unwrap();
    b.ok(&["stack", "deploy", "-c", file, "getstartedlab"]);
    assert!(eventually(120, || {
        let now = task_ids(&b, "getstartedlab_web");
        now.len() == 3 && now.is_disjoint(&web_before) && replicas(&b, "getstartedlab_web") == "3/3"
    }));
    assert_eq!(task_ids(&b, "getstartedlab_worker"), worker_before);

    // Removed: services, network and task containers all go.
    let o = b.run(&["stack", "rm", "getstartedlab"]);
    assert_eq!(o.code, 0, "{}", o.show());
    assert!(
        o.stdout.contains("Removing service getstartedlab_web"),
        "{}",
        o.show()
    );
    assert!(
        o.stdout.contains("Removing network getstartedlab_webnet"),
        "{}",
        o.show()
    );
    assert!(eventually(30, || b
        .ok(&["ps", "-aq", "--filter", "label=com.docker.swarm.task.id"])
        .is_empty()));
    assert_eq!(b.ok(&["stack", "ls", "--format", "{{.Name}}"]), "");
    assert!(!b
        .ok(&["network", "ls", "--format", "{{.Name}}"])
        .contains("getstartedlab"));
    assert!(get(port).is_none());
    let o = b.run(&["stack", "rm", "getstartedlab"]);
    assert!(
        o.stderr.contains("Nothing found in stack: getstartedlab"),
        "{}",
        o.show()
    );
}

#[test]
fn the_docker_cli_deploys_the_same_stack_through_the_api() {
    let b = Berth::new();
    b.busybox_image("busybox:latest");
    let api = Service::start(&b);
    api.docker_ok(&["swarm", "init"]);
    let _leave = LeaveSwarm(&b);
    let port = free_port();
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("docker-compose.yml");
    std::fs::write(&file, compose_file(port, 3, "one")).unwrap();
    let file = file.to_str().unwrap();

    let o = api.docker(&["stack", "deploy", "-c", file, "lab"]);
    assert_eq!(o.code, 0, "{}", o.show());
    assert!(
        o.stdout.contains("Creating network lab_webnet"),
        "{}",
        o.show()
    );
    assert!(eventually(60, || replicas(&b, "lab_web") == "3/3"));
    assert!(eventually(30, || replicas(&b, "lab_worker") == "2/2"));
    // What the docker CLI shows is what berth shows.
    let fmt = "{{.Name}} {{.Mode}} {{.Replicas}} {{.Image}} {{.Ports}}";
    assert_eq!(
        api.docker_ok(&["stack", "services", "--format", fmt, "lab"]),
        b.ok(&["stack", "services", "--format", fmt, "lab"])
    );
    assert_eq!(api.docker_ok(&["stack", "ls"]), b.ok(&["stack", "ls"]));
    let ps = "{{.Name}} {{.Image}} {{.DesiredState}}";
    let sorted = |s: String| {
        let mut v: Vec<String> = s.lines().map(String::from).collect();
        v.sort();
        v
    };
    assert_eq!(
        sorted(api.docker_ok(&["stack", "ps", "--format", ps, "lab"])),
        sorted(b.ok(&["stack", "ps", "--format", ps, "lab"]))
    );
    assert!(eventually(30, || get(port).is_some()));

    let o = api.docker(&["stack", "rm", "lab"]);
    assert_eq!(o.code, 0, "{}", o.show());
    assert!(
        o.stdout.contains("Removing network lab_webnet"),
        "{}",
        o.show()
    );
    assert!(eventually(30, || b
        .ok(&["ps", "-aq", "--filter", "label=com.docker.swarm.task.id"])
        .is_empty()));
    assert_eq!(api.docker_ok(&["stack", "ls", "--format", "{{.Name}}"]), "");
}
