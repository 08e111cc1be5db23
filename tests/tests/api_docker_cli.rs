//! The Docker Engine API served by `berth system service`, driven by Debian's docker
//! CLI (its client only; no dockerd runs) and by raw requests for the error shapes.

use std::path::PathBuf;

use berth_tests::api::{clients, http, Service};
use berth_tests::{eventually, free_port, Berth};

#[test]
fn docker_cli_drives_containers_through_the_api() {
    for client in clients() {
        docker_cli_drives_containers_through_the_api_with(client);
    }
}

fn docker_cli_drives_containers_through_the_api_with(client: PathBuf) {
    let b = Berth::new();
    b.busybox_image("busybox:latest");
    let api = Service::start_for(&b, client);

    let v = api.docker_ok(&[
        "version",
        "--format",
        "{{.Server.APIVersion}} {{.Server.Os}}",
    ]);
    assert_eq!(v, "1.45 linux");
    let info = api.docker_ok(&["info", "--format", "{{.Images}} {{.Driver}}"]);
    assert_eq!(info, "1 overlay");

    // run --rm: output comes back and the container is gone.
    // (attach is a later step of the API; a detached run works now.)
    let port = free_port();
    let publish = format!("127.0.0.1:{port}:8080");
    let id = api.docker_ok(&[
        "run",
        "-d",
        "--name",
        "web",
        "-p",
        &publish,
        "--label",
        "tier=front",
        "busybox",
        "httpd",
        "-f",
        "-p",
        "8080",
        "-h",
        "/",
    ]);
    assert_eq!(id.len(), 64, "run -d prints the full ID: {id}");
    // The CLI and the API see the same container at the same moment.
    assert_eq!(b.ok(&["ps", "--format", "{{.Names}}"]), "web");
    let ps = api.docker_ok(&[
        "ps",
        "--format",
        "{{.Names}}|{{.Ports}}|{{.Label \"tier\"}}",
    ]);
    assert_eq!(ps, format!("web|127.0.0.1:{port}->8080/tcp|front"));
    assert!(eventually(10, || std::net::TcpStream::connect((
        "127.0.0.1",
        port
    ))
    .is_ok()));
    let insp = api.docker_ok(&[
        "inspect", "--format", "{{.Name}} {{.State.Running}} {{.HostConfig.NetworkMode}} {{index .Config.Labels \"tier\"}}", "web",
    ]);
    assert_eq!(insp, "/web true bridge front");

    api.docker_ok(&["rename", "web", "web2"]);
    assert_eq!(b.ok(&["ps", "--format", "{{.Names}}"]), "web2");

    // stop: SIGTERM, then SIGKILL once the timeout passes for a process that ignores it.
    api.docker_ok(&[
        "run",
        "-d",
        "--name",
        "stubborn",
        "busybox",
        "sh",
        "-c",
        "trap '' TERM; while true; do sleep 1; done",
    ]);
    let t0 = std::time::Instant::now();
    api.docker_ok(&["stop", "-t", "1", "stubborn"]);
    assert!(t0.elapsed() >= std::time::Duration::from_secs(1));
    assert_eq!(b.inspect("stubborn", "{{.State.ExitCode}}"), "137");
    // Stopping it again is not an error (304 to the client).
    api.docker_ok(&["stop", "stubborn"]);

    api.docker_ok(&["kill", "web2"]);
    assert_eq!(
        api.docker_ok(&["ps", "-a", "--format", "{{.Names}} {{.State}}"]),
        "stubborn exited\nweb2 exited"
    );
    api.docker_ok(&["rm", "-f", "web2", "stubborn"]);
    assert_eq!(b.ok(&["ps", "-aq"]), "");
}

#[test]
fn api_errors_have_dockers_status_and_shape() {
    let b = Berth::new();
    b.busybox_image("busybox:latest");
    let api = Service::start(&b);
    let sock = &api.socket;

    let (code, body) = http(sock, "GET", "/_ping", "");
    assert_eq!((code, body.as_str()), (200, "OK"));
    let (code, body) = http(sock, "GET", "/v1.41/containers/nosuch/json", "");
    assert_eq!(code, 404);
    assert_eq!(body, r#"{"message":"No such container: nosuch"}"#);
    let (code, body) = http(sock, "POST", "/containers/create", "{not json");
    assert_eq!(code, 400, "{body}");
    assert!(body.starts_with(r#"{"message":"#), "{body}");
    let (code, _) = http(sock, "GET", "/v9.99/info", "");
    assert_eq!(code, 400);

    let ok = r#"{"Image":"busybox","Cmd":["true"]}"#;
    let (code, body) = http(sock, "POST", "/containers/create?name=one", ok);
    assert_eq!(code, 201, "{body}");
    let (code, body) = http(sock, "POST", "/containers/create?name=one", ok);
    assert_eq!(code, 409, "{body}");
    assert!(body.contains("is already in use"), "{body}");
    // An option the engine refuses: 400, and nothing is left half-made.
    let bad = r#"{"Image":"busybox","Cmd":["true"],"HostConfig":{"Memory":-5}}"#;
    let (code, body) = http(sock, "POST", "/containers/create?name=two", bad);
    assert_eq!(code, 400, "{body}");
    let bad =
        r#"{"Image":"busybox","Cmd":["true"],"HostConfig":{"RestartPolicy":{"Name":"sometimes"}}}"#;
    let (code, body) = http(sock, "POST", "/containers/create?name=three", bad);
    assert_eq!(code, 400, "{body}");
    assert_eq!(b.ok(&["ps", "-a", "--format", "{{.Names}}"]), "one");
    // Starting a running container is "not modified".
    let long = r#"{"Image":"busybox","Cmd":["sleep","300"]}"#;
    let (code, body) = http(sock, "POST", "/containers/create?name=sleeper", long);
    assert_eq!(code, 201, "{body}");
    assert_eq!(http(sock, "POST", "/containers/sleeper/start", "").0, 204);
    assert_eq!(http(sock, "POST", "/containers/sleeper/start", "").0, 304);
    assert_eq!(
        http(sock, "POST", "/containers/sleeper/stop?t=1", "").0,
        204
    );
    assert_eq!(http(sock, "POST", "/containers/sleeper/stop", "").0, 304);
    let (code, _) = http(sock, "POST", "/containers/nosuch/start", "");
    assert_eq!(code, 404);
}

#[test]
fn docker_cli_runs_attaches_execs_and_reads_logs() {
    for client in clients() {
        docker_cli_runs_attaches_execs_and_reads_logs_with(client);
    }
}

fn docker_cli_runs_attaches_execs_and_reads_logs_with(client: PathBuf) {
    let b = Berth::new();
    b.busybox_image("busybox:latest");
    let api = Service::start_for(&b, client);

    // run in the foreground: output on its stream, the exit code, --rm removes it.
    let o = api.docker(&[
        "run",
        "--rm",
        "busybox",
        "sh",
        "-c",
        "echo out; echo err >&2; exit 3",
    ]);
    assert_eq!(
        (o.code, o.stdout.as_str(), o.stderr.as_str()),
        (3, "out\n", "err\n")
    );
    assert_eq!(b.ok(&["ps", "-aq"]), "");
    // stdin reaches the container and its end ends `cat`.
    let mut child = api
        .docker_cmd()
        .args(["run", "--rm", "-i", "busybox", "cat"])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .expect("spawn docker run -i");
    {
        use std::io::Write;
        let mut stdin = child.stdin.take().expect("stdin");
        stdin.write_all(b"through stdin\n").expect("write");
    }
    let out = child.wait_with_output().expect("docker run -i");
    assert_eq!(String::from_utf8_lossy(&out.stdout), "through stdin\n");

    // logs -f follows until the container stops.
    api.docker_ok(&[
        "run",
        "-d",
        "--name",
        "counter",
        "busybox",
        "sh",
        "-c",
        "for i in 1 2 3; do echo n$i; sleep 0.3; done",
    ]);
    assert_eq!(api.docker_ok(&["logs", "-f", "counter"]), "n1\nn2\nn3");
    let last = api.docker_ok(&["logs", "--tail", "1", "-t", "counter"]);
    assert!(last.ends_with(" n3") && last.starts_with("20"), "{last}");

    // exec: output, exit code, stdin, a missing command, and -it on a terminal.
    api.docker_ok(&["run", "-d", "--name", "box", "busybox", "sleep", "300"]);
    let o = api.docker(&["exec", "box", "sh", "-c", "echo in-box; exit 4"]);
    assert_eq!((o.code, o.stdout.as_str()), (4, "in-box\n"));
    let o = api.docker(&["exec", "box", "no-such-command"]);
    assert_eq!(o.code, 126, "{}", o.stderr);
    let (code, screen) = api.docker_in_pty(
        &["exec", "-it", "box", "sh"],
        &["echo typed-$((40+2))\r", "stty size; exit 3\r"],
    );
    assert_eq!(code, 3, "{screen}");
    assert!(screen.contains("typed-42"), "{screen}");
    // A detached exec runs on after the call.
    api.docker_ok(&["exec", "-d", "box", "sh", "-c", "echo detached > /tmp/mark"]);
    assert!(eventually(10, || b
        .run(&["exec", "box", "cat", "/tmp/mark"])
        .stdout
        == "detached\n"));

    // attach: a running container's output until it ends (and its exit code); a client
    // that goes away leaves the container running.
    api.docker_ok(&[
        "run",
        "-d",
        "--name",
        "talker",
        "busybox",
        "sh",
        "-c",
        "sleep 1; echo tick; sleep 1; echo tock; exit 5",
    ]);
    let o = api.docker(&["attach", "talker"]);
    assert_eq!(
        (o.code, o.stdout.as_str()),
        (5, "tick\ntock\n"),
        "{}",
        o.stderr
    );
    api.docker_ok(&[
        "run",
        "-d",
        "--name",
        "ticker",
        "busybox",
        "sh",
        "-c",
        "while true; do echo t; sleep 0.2; done",
    ]);
    let mut child = api
        .docker_cmd()
        .args(["attach", "--sig-proxy=false", "ticker"])
        .stdout(std::process::Stdio::piped())
        .spawn()
        .expect("spawn docker attach");
    std::thread::sleep(std::time::Duration::from_millis(800));
    let _ = child.kill();
    let out = child.wait_with_output().expect("docker attach");
    assert!(String::from_utf8_lossy(&out.stdout).contains('t'));
    assert_eq!(b.inspect("ticker", "{{.State.Running}}"), "true");
    api.docker_ok(&["create", "--name", "once", "busybox", "echo", "started"]);
    assert_eq!(api.docker_ok(&["start", "-a", "once"]), "started");
}

#[test]
fn docker_cli_manages_images_networks_volumes_and_reads_events() {
    for client in clients() {
        docker_cli_manages_images_networks_volumes_and_reads_events_with(client);
    }
}

fn docker_cli_manages_images_networks_volumes_and_reads_events_with(client: PathBuf) {
    let b = Berth::new();
    b.busybox_image("busybox:latest");
    let api = Service::start_for(&b, client);
    let since = api.docker_ok(&["version", "--format", "{{.Server.Version}}"]);
    assert!(!since.is_empty());
    let t0 = chrono_now_secs();

    api.docker_ok(&["tag", "busybox:latest", "mine/bb:v1"]);
    // The docker CLI groups one image's tags by repository in a Go map: their order
    // varies from run to run, so compare them sorted.
    let mut tags: Vec<String> = api
        .docker_ok(&["images", "--format", "{{.Repository}}:{{.Tag}}"])
        .lines()
        .map(str::to_string)
        .collect();
    tags.sort();
    assert_eq!(tags, ["busybox:latest", "mine/bb:v1"]);
    let archive = b.dir.path().join("bb.tar");
    let archive = archive.to_str().expect("utf-8 path");
    api.docker_ok(&["save", "-o", archive, "mine/bb:v1"]);
    assert_eq!(
        api.docker_ok(&["rmi", "mine/bb:v1"]),
        "Untagged: mine/bb:v1"
    );
    assert_eq!(
        api.docker_ok(&["load", "-i", archive]),
        "Loaded image: mine/bb:v1"
    );
    assert!(b
        .ok(&["images", "--format", "{{.Repository}}"])
        .contains("mine/bb"));
    let o = api.docker(&["rmi", "nosuch:tag"]);
    assert_eq!(o.code, 1);
    assert!(
        o.stderr.contains("No such image: nosuch:tag"),
        "{}",
        o.stderr
    );

    // A user network joined and left by a running container.
    api.docker_ok(&["network", "create", "apinet"]);
    api.docker_ok(&["run", "-d", "--name", "n1", "busybox", "sleep", "300"]);
    api.docker_ok(&["network", "connect", "apinet", "n1"]);
    let nets = api.docker_ok(&[
        "inspect",
        "-f",
        "{{range $k, $v := .NetworkSettings.Networks}}{{$k}} {{end}}",
        "n1",
    ]);
    assert_eq!(nets, "apinet bridge");
    assert_eq!(
        api.docker_ok(&[
            "network",
            "inspect",
            "-f",
            "{{range .Containers}}{{.Name}}{{end}}",
            "apinet"
        ]),
        "n1"
    );
    assert!(b.ok(&["exec", "n1", "ip", "-o", "addr"]).contains("eth1"));
    api.docker_ok(&["network", "disconnect", "apinet", "n1"]);
    api.docker_ok(&["network", "rm", "apinet"]);
    assert!(!b
        .ok(&["network", "ls", "--format", "{{.Name}}"])
        .contains("apinet"));

    api.docker_ok(&["volume", "create", "vv"]);
    assert_eq!(
        api.docker_ok(&["volume", "ls", "--format", "{{.Name}}"]),
        "vv"
    );
    api.docker_ok(&["volume", "rm", "vv"]);
    assert_eq!(b.ok(&["volume", "ls", "-q"]), "");

    // system df agrees with berth's own.
    let ours = b.ok(&["system", "df"]);
    let theirs = api.docker_ok(&["system", "df"]);
    let images_row = |t: &str| {
        t.lines()
            .find(|l| l.starts_with("Images"))
            .map(str::to_string)
    };
    assert_eq!(images_row(&ours), images_row(&theirs), "{ours}\n{theirs}");

    // events --since replays what happened, in Docker's line format.
    let until = (chrono_now_secs() + 1).to_string();
    let events = api.docker_ok(&[
        "events",
        "--since",
        &t0.to_string(),
        "--until",
        &until,
        "--filter",
        "type=network",
    ]);
    assert!(events.contains("network create"), "{events}");
    assert!(events.contains("network connect"), "{events}");
    assert!(events.contains("network destroy"), "{events}");
}

fn chrono_now_secs() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0)
}

#[test]
fn the_service_stops_when_idle_or_told_even_with_a_stream_open() {
    let b = Berth::new();
    // Idle: --time 1 exits on its own and takes its socket with it.
    let sock = b.dir.path().join("idle.sock");
    let t0 = std::time::Instant::now();
    let o = b.run(&[
        "system",
        "service",
        "--time",
        "1",
        &format!("unix://{}", sock.display()),
    ]);
    assert_eq!(o.code, 0, "{}", o.stderr);
    assert!(t0.elapsed() < std::time::Duration::from_secs(10));
    assert!(!sock.exists());
    // A group that does not exist is refused before any socket is made.
    let bad = b.dir.path().join("bad.sock");
    let o = b.run(&[
        "system",
        "service",
        "--group",
        "no-such-group-here",
        &format!("unix://{}", bad.display()),
    ]);
    assert_ne!(o.code, 0);
    assert!(o.stderr.contains("no such group"), "{}", o.stderr);
    assert!(!bad.exists());
    // A non-loopback TCP address is refused.
    let o = b.run(&["system", "service", "tcp://0.0.0.0:2375"]);
    assert_eq!(o.code, 125);
    assert!(
        o.stderr.contains("refusing to listen on 0.0.0.0:2375"),
        "{}",
        o.stderr
    );

    // SIGTERM with a follower of /events connected: it still ends, promptly.
    let api = Service::start(&b);
    let mut events = api
        .docker_cmd()
        .args(["events"])
        .stdout(std::process::Stdio::null())
        .spawn()
        .expect("spawn docker events");
    std::thread::sleep(std::time::Duration::from_millis(500));
    let socket = api.socket.clone();
    let t0 = std::time::Instant::now();
    drop(api);
    assert!(
        t0.elapsed() < std::time::Duration::from_secs(5),
        "the service took {:?} to stop",
        t0.elapsed()
    );
    assert!(!socket.exists());
    let _ = events.kill();
    let _ = events.wait();
}
