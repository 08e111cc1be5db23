//! Seed 000's pattern: a watcher container with the API socket bind-mounted and a docker
//! client mounted in lists its sibling containers and restarts the one labelled
//! `autoheal=true`, through `berth system service`.

use berth_tests::api::Service;
use berth_tests::{eventually, require_tool, Berth};

/// A docker client that runs inside a busybox container: the static one this machine
/// image ships, or Debian's with the host's libraries mounted beside it.
fn client_mounts() -> Vec<String> {
    let stat = "/usr/local/bin/docker";
    let is_static = std::process::Command::new("file")
        .arg(stat)
        .output()
        .map(|o| String::from_utf8_lossy(&o.stdout).contains("statically linked"))
        .unwrap_or(false);
    if std::path::Path::new(stat).is_file() && is_static {
        return vec![format!("{stat}:/usr/bin/docker:ro")];
    }
    require_tool("docker", "docker.io");
    let mut v = vec!["/usr/bin/docker:/usr/bin/docker:ro".to_string()];
    for dir in ["/lib", "/lib64", "/usr/lib"] {
        if std::path::Path::new(dir).is_dir() {
            v.push(format!("{dir}:{dir}:ro"));
        }
    }
    v
}

#[test]
fn a_container_with_the_socket_restarts_its_autoheal_sibling() {
    let b = Berth::new();
    b.busybox_image("busybox:latest");
    let api = Service::start(&b);
    b.ok(&[
        "run",
        "-d",
        "--name",
        "patient",
        "--label",
        "autoheal=true",
        "busybox",
        "sleep",
        "300",
    ]);
    b.ok(&[
        "run",
        "-d",
        "--name",
        "bystander",
        "busybox",
        "sleep",
        "300",
    ]);
    let started = |name: &str| b.inspect(name, "{{.State.StartedAt}}");
    let (patient0, bystander0) = (started("patient"), started("bystander"));

    let sock = format!("{}:/var/run/docker.sock", api.socket.display());
    let mut args = vec!["run", "--name", "healer", "-v", &sock];
    let mounts = client_mounts();
    for m in &mounts {
        args.extend(["-v", m.as_str()]);
    }
    args.extend([
        "busybox",
        "sh",
        "-c",
        "docker ps --format '{{.Names}}' | sort | tr '\\n' ' '; echo; \
         for c in $(docker ps -q --filter label=autoheal=true); do docker restart -t 1 $c; done",
    ]);
    let out = b.ok(&args);
    let mut lines = out.lines();
    assert_eq!(lines.next(), Some("bystander healer patient "), "{out}");
    assert_eq!(lines.next().map(|id| id.len()), Some(12), "{out}");
    assert!(
        eventually(10, || started("patient") != patient0),
        "patient was not restarted"
    );
    assert_eq!(b.inspect("patient", "{{.State.Running}}"), "true");
    assert_eq!(started("bystander"), bystander0, "bystander was restarted");
}
