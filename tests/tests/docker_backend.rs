//! `berth -H unix://...` against a real dockerd (Debian's `docker.io`, started privately
//! by the harness): a container's lifecycle, logs, exec, networks and images go through
//! the Docker backend, and what berth shows is checked against the docker CLI on the
//! same daemon. The harness panics when dockerd is missing and cleans up on failure.

use std::process::Command;
use std::time::{Duration, Instant};

use berth_tests::docker::Dockerd;
use berth_tests::registry_server::RegistryServer;
use berth_tests::{berth_bin, eventually, Berth, Out};

/// berth pointed at `d` with `-H`; DOCKER_HOST cleared so only the flag chooses.
use berth_tests::docker::{berth_ok as ok, berth_on as on, berth_run as run};

/// A loopback TCP port whose connections are relayed to the unix socket `sock`, for as
/// long as the test process lives (threads blocked in accept end with it).
fn relay_to(sock: &std::path::Path) -> u16 {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind a relay port");
    let port = listener.local_addr().expect("relay address").port();
    let sock = sock.to_path_buf();
    std::thread::spawn(move || {
        for tcp in listener.incoming().flatten() {
            let Ok(unix) = std::os::unix::net::UnixStream::connect(&sock) else {
                continue;
            };
            let (Ok(mut tcp_r), Ok(mut unix_w)) = (tcp.try_clone(), unix.try_clone()) else {
                continue;
            };
            let (mut tcp_w, mut unix_r) = (tcp, unix);
            std::thread::spawn(move || {
                let _ = std::io::copy(&mut tcp_r, &mut unix_w);
                let _ = unix_w.shutdown(std::net::Shutdown::Write);
            });
            std::thread::spawn(move || {
                let _ = std::io::copy(&mut unix_r, &mut tcp_w);
                let _ = tcp_w.shutdown(std::net::Shutdown::Write);
            });
        }
    });
    port
}

fn unix_now() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0)
}

/// The networks a container is on, as dockerd says, sorted.
fn networks_of(d: &Dockerd, name: &str) -> Vec<String> {
    let out = d.ok(&[
        "inspect",
        "--format",
        "{{range $k, $v := .NetworkSettings.Networks}}{{$k}} {{end}}",
        name,
    ]);
    let mut v: Vec<String> = out.split_whitespace().map(str::to_string).collect();
    v.sort();
    v
}

#[test]
fn a_container_lifecycle_on_a_real_docker_engine() {
    let b = Berth::new();
    b.busybox_image("busybox:latest");
    let d = Dockerd::start();
    d.load_from_berth(&b, "busybox:latest");

    // The engine answers through the backend: version and images as dockerd has them.
    let version = ok(&b, &d, &["version"]);
    let server = d.ok(&["version", "--format", "{{.Server.Version}}"]);
    assert!(
        version.contains(&server) && !version.contains("daemonless"),
        "berth version on dockerd {server}:\n{version}"
    );
    let fmt = "{{.Repository}}:{{.Tag}} {{.ID}}";
    assert_eq!(
        ok(&b, &d, &["images", "--format", fmt]),
        d.ok(&["images", "--format", fmt])
    );

    // A detached container that answers SIGTERM at once.
    let id = ok(
        &b,
        &d,
        &[
            "run",
            "-d",
            "--name",
            "web",
            "busybox:latest",
            "sh",
            "-c",
            "trap 'exit 0' TERM; echo hello-from-docker; while true; do sleep 1; done",
        ],
    );
    assert_eq!(id.len(), 64, "run -d prints the full ID: {id:?}");
    assert_eq!(d.ok(&["inspect", "--format", "{{.Id}}", "web"]), id);

    let fmt = "{{.ID}} {{.Names}} {{.Image}}";
    assert_eq!(
        ok(&b, &d, &["ps", "--format", fmt]),
        d.ok(&["ps", "--format", fmt])
    );
    assert!(
        eventually(10, || ok(&b, &d, &["logs", "web"])
            .contains("hello-from-docker")),
        "logs through the backend: {}",
        ok(&b, &d, &["logs", "web"])
    );
    let berth_inspect = ok(
        &b,
        &d,
        &["inspect", "--format", "{{.Id}} {{.State.Status}}", "web"],
    );
    assert_eq!(berth_inspect, format!("{id} running"));

    // exec, not interactive: the same answer as docker exec.
    assert_eq!(
        ok(&b, &d, &["exec", "web", "cat", "/etc/hostname"]),
        d.ok(&["exec", "web", "cat", "/etc/hostname"])
    );
    let o = run(
        &b,
        &d,
        &["exec", "web", "sh", "-c", "echo out; echo err >&2; exit 3"],
    );
    assert_eq!(
        (o.code, o.stdout.trim(), o.stderr.trim()),
        (3, "out", "err")
    );

    // cp both ways, and a missing path named in the error.
    let note = b.dir.path().join("note.txt");
    std::fs::write(&note, "from the host\n").expect("write note");
    let note = note.to_str().expect("utf-8 temp path");
    ok(&b, &d, &["cp", note, "web:/tmp/note.txt"]);
    assert_eq!(
        d.ok(&["exec", "web", "cat", "/tmp/note.txt"]),
        "from the host"
    );
    let back = b.dir.path().join("back.txt");
    let back_s = back.to_str().expect("utf-8 temp path");
    ok(&b, &d, &["cp", "web:/tmp/note.txt", back_s]);
    assert_eq!(
        std::fs::read_to_string(&back).ok().as_deref(),
        Some("from the host\n")
    );
    let o = run(&b, &d, &["cp", "web:/nope", back_s]);
    assert!(
        o.code != 0 && o.stderr.contains("/nope"),
        "{}{}",
        o.stdout,
        o.stderr
    );

    // A user network, connected to the running container and disconnected again.
    let net = ok(&b, &d, &["network", "create", "berthnet"]);
    assert_eq!(
        d.ok(&["network", "inspect", "--format", "{{.Id}}", "berthnet"]),
        net
    );
    ok(&b, &d, &["network", "connect", "berthnet", "web"]);
    assert_eq!(networks_of(&d, "web"), ["berthnet", "bridge"]);
    let ifaces = ok(&b, &d, &["exec", "web", "ip", "-o", "link"]);
    assert!(ifaces.contains("eth1"), "no second interface: {ifaces}");
    ok(&b, &d, &["network", "disconnect", "berthnet", "web"]);
    assert_eq!(networks_of(&d, "web"), ["bridge"]);
    assert!(ok(&b, &d, &["network", "ls", "--format", "{{.Name}}"]).contains("berthnet"));
    ok(&b, &d, &["network", "rm", "berthnet"]);

    // stop: SIGTERM ends it well within the grace period.
    let t = Instant::now();
    ok(&b, &d, &["stop", "-t", "10", "web"]);
    assert!(
        t.elapsed() < Duration::from_secs(8),
        "stop waited {:?} for a container that exits on SIGTERM",
        t.elapsed()
    );
    assert_eq!(
        d.ok(&[
            "inspect",
            "--format",
            "{{.State.Status}} {{.State.ExitCode}}",
            "web"
        ]),
        "exited 0"
    );

    // A container that ignores SIGTERM is killed when the grace period ends.
    ok(
        &b,
        &d,
        &[
            "run",
            "-d",
            "--name",
            "stubborn",
            "busybox:latest",
            "sh",
            "-c",
            "trap '' TERM; while true; do sleep 1; done",
        ],
    );
    let t = Instant::now();
    ok(&b, &d, &["stop", "-t", "2", "stubborn"]);
    let took = t.elapsed();
    assert!(
        took >= Duration::from_secs(2) && took < Duration::from_secs(15),
        "stop -t 2 of a container ignoring SIGTERM took {took:?}"
    );
    assert_eq!(
        d.ok(&["inspect", "--format", "{{.State.ExitCode}}", "stubborn"]),
        "137"
    );

    // logs -f of a container that ends: every line, then the stream closes.
    ok(
        &b,
        &d,
        &[
            "run",
            "-d",
            "--name",
            "brief",
            "busybox:latest",
            "sh",
            "-c",
            "echo one; sleep 1; echo two",
        ],
    );
    let followed = ok(&b, &d, &["logs", "-f", "brief"]);
    assert_eq!(followed, "one\ntwo");

    // rm, and a missing object's error is Docker's.
    ok(&b, &d, &["rm", "web", "stubborn", "brief"]);
    assert_eq!(d.ok(&["ps", "-aq"]), "");
    assert_eq!(ok(&b, &d, &["ps", "-aq"]), "");
    let o = run(&b, &d, &["rm", "web"]);
    assert_eq!(o.code, 1);
    assert!(o.stderr.contains("No such container: web"), "{}", o.stderr);

    controls(&b, &d);
    objects(&b, &d);
    pulls(&b, &d);
    extras(&b, &d);
    compose(&b, &d);

    // Plain TCP: the same daemon behind a loopback relay.
    let port = relay_to(&d.sock);
    let o = Out::from(
        b.cmd()
            .env_remove("DOCKER_HOST")
            .args(["-H", &format!("tcp://127.0.0.1:{port}"), "images", "-q"])
            .output()
            .expect("spawn berth"),
    );
    assert_eq!(
        (o.code, o.stdout.trim()),
        (0, d.ok(&["images", "-q"]).as_str()),
        "{}",
        o.stderr
    );

    // DOCKER_HOST chooses the same engine when no -H is given.
    let o = Out::from(
        b.cmd()
            .env("DOCKER_HOST", format!("unix://{}", d.sock.display()))
            .args(["images", "-q"])
            .output()
            .expect("spawn berth"),
    );
    assert_eq!(o.stdout.trim(), d.ok(&["images", "-q"]));
    // Berth's own engine saw none of it.
    assert_eq!(b.ok(&["ps", "-aq"]), "");
}

/// pause, unpause, restart, kill, rename, top, wait, events: each through the backend,
/// each checked with dockerd's own view.
fn controls(b: &Berth, d: &Dockerd) {
    let status = |name: &str| d.ok(&["inspect", "--format", "{{.State.Status}}", name]);
    let since = (unix_now() - 1).to_string();
    let ctl = ok(
        b,
        d,
        &[
            "run",
            "-d",
            "--name",
            "ctl",
            "busybox:latest",
            "sleep",
            "600",
        ],
    );
    ok(b, d, &["pause", "ctl"]);
    assert_eq!(status("ctl"), "paused");
    ok(b, d, &["unpause", "ctl"]);
    assert_eq!(status("ctl"), "running");

    let top = ok(b, d, &["top", "ctl"]);
    assert!(top.contains("sleep 600"), "top: {top}");

    let started = |n: &str| d.ok(&["inspect", "--format", "{{.State.StartedAt}}", n]);
    let before = started("ctl");
    ok(b, d, &["restart", "-t", "1", "ctl"]);
    assert_eq!(status("ctl"), "running");
    assert_ne!(started("ctl"), before, "restart did not start it again");

    ok(b, d, &["rename", "ctl", "ctl2"]);
    assert_eq!(d.ok(&["inspect", "--format", "{{.Name}}", &ctl]), "/ctl2");

    ok(b, d, &["kill", "--signal", "KILL", "ctl2"]);
    assert_eq!(ok(b, d, &["wait", "ctl2"]), "137");
    ok(
        b,
        d,
        &[
            "run",
            "-d",
            "--name",
            "seven",
            "busybox:latest",
            "sh",
            "-c",
            "exit 7",
        ],
    );
    assert_eq!(ok(b, d, &["wait", "seven"]), "7");

    // Events of what just happened, bounded so the stream ends; by ID, as the name
    // changed on the way. Both clients get the same absolute bounds.
    let until = (unix_now() + 1).to_string();
    let by_id = format!("container={ctl}");
    let events = ok(
        b,
        d,
        &[
            "events",
            "--since",
            &since,
            "--until",
            &until,
            "--filter",
            &by_id,
            "--format",
            "{{.Action}}",
        ],
    );
    for action in ["pause", "unpause", "rename", "kill", "die"] {
        assert!(
            events.lines().any(|l| l == action),
            "no {action} event in:\n{events}"
        );
    }
    let docker_events = d.ok(&[
        "events",
        "--since",
        &since,
        "--until",
        &until,
        "--filter",
        &by_id,
        "--format",
        "{{.Action}}",
    ]);
    assert_eq!(events, docker_events);
    ok(b, d, &["rm", "ctl2", "seven"]);
}

/// Volumes and images: create, list, inspect, tag, history, remove.
fn objects(b: &Berth, d: &Dockerd) {
    ok(
        b,
        d,
        &["volume", "create", "--label", "made-by=berth", "bvol"],
    );
    assert_eq!(
        d.ok(&["volume", "inspect", "--format", "{{.Labels}}", "bvol"]),
        "map[made-by:berth]"
    );
    let fmt = "{{.Driver}} {{.Name}}";
    assert_eq!(
        ok(b, d, &["volume", "ls", "--format", fmt]),
        d.ok(&["volume", "ls", "--format", fmt])
    );
    assert_eq!(
        ok(
            b,
            d,
            &["volume", "inspect", "--format", "{{.Mountpoint}}", "bvol"]
        ),
        d.ok(&["volume", "inspect", "--format", "{{.Mountpoint}}", "bvol"])
    );
    ok(b, d, &["volume", "rm", "bvol"]);
    assert_eq!(d.ok(&["volume", "ls", "-q"]), "");

    ok(b, d, &["tag", "busybox:latest", "example.test/bb:v1"]);
    let id = |r: &str| d.ok(&["image", "inspect", "--format", "{{.Id}}", r]);
    assert_eq!(id("example.test/bb:v1"), id("busybox:latest"));
    assert_eq!(
        ok(
            b,
            d,
            &[
                "image",
                "inspect",
                "--format",
                "{{.Id}}",
                "example.test/bb:v1"
            ]
        ),
        id("busybox:latest")
    );
    let fmt = "{{.ID}} {{.CreatedBy}}";
    assert_eq!(
        ok(
            b,
            d,
            &["history", "--no-trunc", "--format", fmt, "busybox:latest"]
        ),
        d.ok(&["history", "--no-trunc", "--format", fmt, "busybox:latest"])
    );
    let removed = ok(b, d, &["rmi", "example.test/bb:v1"]);
    assert!(
        removed.contains("Untagged: example.test/bb:v1"),
        "{removed}"
    );
    assert_eq!(d.run(&["image", "inspect", "example.test/bb:v1"]).code, 1);
    let o = run(b, d, &["rmi", "example.test/bb:v1"]);
    assert_eq!(o.code, 1, "{}", o.stdout);
}

/// A pull by the engine from a registry on loopback (dockerd reaches loopback without
/// its closed proxy); a bare name is `latest` only, as with the docker CLI.
fn pulls(b: &Berth, d: &Dockerd) {
    let registry = RegistryServer::start(None);
    let remote = format!("{}/bb", registry.addr());
    let other = format!("{remote}:other");
    d.ok(&["tag", "busybox:latest", &remote]);
    d.ok(&["tag", "busybox:latest", &other]);
    d.ok(&["push", "--all-tags", &remote]);
    d.ok(&["rmi", &remote, &other]);

    let out = ok(b, d, &["pull", &remote]);
    assert!(out.contains(&format!("{remote}:latest")), "{out}");
    let id = |r: &str| d.run(&["image", "inspect", "--format", "{{.Id}}", r]);
    assert_eq!(id(&remote).stdout, id("busybox:latest").stdout);
    assert_ne!(id(&other).code, 0, "a bare name pulled every tag");
    d.ok(&["rmi", &remote]);
}

/// stats, update, commit, info, df, prune, save and load: each once, checked with
/// dockerd's view.
fn extras(b: &Berth, d: &Dockerd) {
    ok(
        b,
        d,
        &[
            "run",
            "-d",
            "--name",
            "busy",
            "busybox:latest",
            "sleep",
            "600",
        ],
    );
    let stats = ok(
        b,
        d,
        &["stats", "--no-stream", "--format", "{{.Name}}", "busy"],
    );
    assert_eq!(stats, "busy");
    ok(
        b,
        d,
        &["update", "--memory", "64m", "--memory-swap", "128m", "busy"],
    );
    assert_eq!(
        d.ok(&["inspect", "--format", "{{.HostConfig.Memory}}", "busy"]),
        (64 * 1024 * 1024).to_string()
    );
    ok(b, d, &["exec", "busy", "touch", "/made-here"]);
    ok(b, d, &["commit", "busy", "committed:v1"]);
    d.ok(&["run", "--rm", "committed:v1", "test", "-e", "/made-here"]);

    let info = ok(b, d, &["info"]);
    let server = d.ok(&["version", "--format", "{{.Server.Version}}"]);
    assert!(
        info.contains(&format!("Server Version: {server}")),
        "{info}"
    );
    ok(b, d, &["system", "df"]);

    ok(b, d, &["kill", "busy"]);
    ok(b, d, &["container", "prune", "-f"]);
    assert_eq!(d.ok(&["ps", "-aq"]), "");

    // save through the engine, remove the tag, load it back.
    let tar = b.dir.path().join("committed.tar");
    let tar = tar.to_str().expect("utf-8 temp path");
    ok(b, d, &["save", "-o", tar, "committed:v1"]);
    d.ok(&["rmi", "committed:v1"]);
    let loaded = ok(b, d, &["load", "-i", tar]);
    assert!(loaded.contains("Loaded image: committed:v1"), "{loaded}");
    d.ok(&["image", "inspect", "committed:v1"]);
}

/// A two-service compose project up and down on the engine: compose plans against the
/// interface, so it runs there unchanged.
fn compose(b: &Berth, d: &Dockerd) {
    let dir = b.dir.path().join("bproj");
    std::fs::create_dir_all(&dir).expect("project dir");
    std::fs::write(
        dir.join("compose.yaml"),
        "services:\n  web:\n    image: busybox:latest\n    command: [\"sh\", \"-c\", \"echo web-up; exec sleep 600\"]\n    depends_on: [db]\n  db:\n    image: busybox:latest\n    command: [\"sleep\", \"600\"]\n",
    )
    .expect("compose.yaml");
    let compose = |args: &[&str]| {
        let o = Out::from(
            on(b, d)
                .current_dir(&dir)
                .arg("compose")
                .args(args)
                .output()
                .expect("spawn berth compose"),
        );
        assert_eq!(o.code, 0, "compose {args:?}:\n{}\n{}", o.stdout, o.stderr);
        o.stdout
    };
    let project = |fmt: &str| {
        let out = d.ok(&[
            "ps",
            "-a",
            "--filter",
            "label=com.docker.compose.project=bproj",
            "--format",
            fmt,
        ]);
        let mut v: Vec<String> = out.lines().map(str::to_string).collect();
        v.sort();
        v
    };
    compose(&["up", "-d"]);
    assert_eq!(
        project("{{.Names}} {{.State}}"),
        ["bproj-db-1 running", "bproj-web-1 running"]
    );
    assert!(
        eventually(10, || compose(&["logs", "web"]).contains("web-up")),
        "compose logs web"
    );
    compose(&["down", "-t", "1"]);
    assert!(project("{{.Names}}").is_empty(), "down left containers");
    assert_ne!(d.run(&["network", "inspect", "bproj_default"]).code, 0);
}

#[test]
fn an_unreachable_or_unsupported_host_says_so() {
    let dir = tempfile::tempdir().expect("temp dir");
    let sock = dir.path().join("nobody.sock");
    let o = Out::from(
        Command::new(berth_bin())
            .env_remove("DOCKER_HOST")
            .arg("-H")
            .arg(format!("unix://{}", sock.display()))
            .arg("ps")
            .output()
            .expect("spawn berth"),
    );
    assert_ne!(o.code, 0);
    // The client's own words, as the docker CLI's: no daemon said anything.
    assert!(
        o.stderr.starts_with("Cannot connect to the Docker daemon")
            && o.stderr.contains(&sock.display().to_string()),
        "{}",
        o.stderr
    );
    // A TCP port nobody listens on.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("a free port")
        .port();
    let host = format!("tcp://127.0.0.1:{port}");
    let o = Out::from(
        Command::new(berth_bin())
            .env("DOCKER_HOST", &host)
            .args(["images"])
            .output()
            .expect("spawn berth"),
    );
    assert_ne!(o.code, 0);
    assert!(
        o.stderr
            .starts_with(&format!("Cannot connect to the Docker daemon at {host}")),
        "{}",
        o.stderr
    );
    let o = Out::from(
        Command::new(berth_bin())
            .env("DOCKER_HOST", "ssh://someone@far/var/run/docker.sock")
            .arg("ps")
            .output()
            .expect("spawn berth"),
    );
    // Refused by name before any ssh runs, as the docker CLI refuses it.
    assert_ne!(o.code, 0);
    assert!(
        o.stderr
            .contains("ssh host connection is not valid: extra path after the host"),
        "{}",
        o.stderr
    );
}
