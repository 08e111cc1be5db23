//! docker-py (PyPI's `docker`, in the virtualenv README's test command makes at
//! target/py) against `berth system service`: run and its output, list, stop, remove.

use berth_tests::api::{python, Service};
use berth_tests::Berth;

const SCRIPT: &str = r#"
import docker
c = docker.from_env()
assert c.ping()
out = c.containers.run("busybox", "echo hi")
assert out == b"hi\n", out
both = c.containers.run("busybox", "sh -c 'echo out; echo err 1>&2; exit 0'", stderr=True, remove=True)
assert both == b"out\nerr\n", both
ct = c.containers.run("busybox", "sleep 300", detach=True, name="pyc", labels={"made-by": "docker-py"})
names = [x.name for x in c.containers.list(filters={"label": "made-by=docker-py"})]
assert names == ["pyc"], names
ct.stop(timeout=1)
ct.reload()
assert ct.status == "exited", ct.status
ct.remove()
assert c.containers.list(all=True, filters={"name": "pyc"}) == []
try:
    c.containers.get("pyc")
    raise SystemExit("a removed container was found")
except docker.errors.NotFound:
    pass
print("docker-py ok")
"#;

#[test]
fn docker_py_runs_lists_stops_and_removes() {
    let py = python();
    let b = Berth::new();
    b.busybox_image("busybox:latest");
    let api = Service::start(&b);
    let o = api
        .client_cmd(py)
        .args(["-c", SCRIPT])
        .output()
        .expect("run python");
    let (out, err) = (
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr),
    );
    assert!(o.status.success(), "docker-py failed:\n{out}{err}");
    assert_eq!(out.trim(), "docker-py ok");
    // Only the first run's container is left (docker-py does not remove it).
    assert_eq!(
        b.ok(&["ps", "-a", "--format", "{{.Image}} {{.Status}}"])
            .lines()
            .count(),
        1
    );
}
