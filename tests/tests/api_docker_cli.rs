//! The Docker Engine API served by `berth system service`, driven by Debian's docker
//! CLI (its client only; no dockerd runs) and by raw requests for the error shapes.

use berth_tests::api::{http, Service};
use berth_tests::{eventually, free_port, Berth};

#[test]
fn docker_cli_drives_containers_through_the_api() {
    let b = Berth::new();
    b.busybox_image("busybox:latest");
    let api = Service::start(&b);

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
    http(sock, "POST", "/containers/one/start", "");
    let (code, _) = http(sock, "POST", "/containers/nosuch/start", "");
    assert_eq!(code, 404);
}
