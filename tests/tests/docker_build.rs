//! Builds, imports, logins and pushes on a real Docker engine through `berth -H`: a
//! Dockerfile built by dockerd's classic builder with berth showing Docker's progress,
//! the image run; a failing step's code; a push with per-layer progress to Debian's
//! `docker-registry` on loopback behind basic auth, and the image pulled back; a push
//! to nowhere; a root filesystem imported. The docker CLI on the same daemon is the
//! reference for the output's shape.

use std::path::Path;

use berth_tests::docker::Dockerd;
use berth_tests::registry_server::RegistryServer;
use berth_tests::{free_port, Berth};

use berth_tests::docker::{berth_ok as ok, berth_run as run};

/// A build context directory with these files.
fn context(b: &Berth, name: &str, files: &[(&str, &str)]) -> String {
    let dir = b.dir.path().join(name);
    std::fs::create_dir_all(&dir).expect("context dir");
    for (f, text) in files {
        std::fs::write(dir.join(f), text).expect("context file");
    }
    dir.to_str().expect("utf-8 temp path").to_string()
}

/// The lines that start with `prefix`.
fn lines_with(out: &str, prefix: &str) -> Vec<String> {
    out.lines()
        .filter(|l| l.starts_with(prefix))
        .map(str::to_string)
        .collect()
}

fn image_id(d: &Dockerd, name: &str) -> String {
    d.ok(&["image", "inspect", "--format", "{{.Id}}", name])
}

const DOCKERFILE: &str = "FROM busybox:latest\n\
ENV GREETING=hello\n\
ARG WHO=nobody\n\
COPY msg.txt /msg.txt\n\
RUN echo built-$GREETING-by-$WHO > /built.txt\n\
CMD cat /msg.txt /built.txt\n";

#[test]
fn build_push_login_and_import_on_a_real_docker_engine() {
    let b = Berth::new();
    b.busybox_image("busybox:latest");
    let d = Dockerd::start();
    d.load_from_berth(&b, "busybox:latest");

    let ctx = context(
        &b,
        "app",
        &[("Dockerfile", DOCKERFILE), ("msg.txt", "from-context\n")],
    );
    let out = ok(
        &b,
        &d,
        &[
            "build",
            "-t",
            "built:v1",
            "-t",
            "built:v2",
            "--build-arg",
            "WHO=berth",
            "--label",
            "team=berth",
            &ctx,
        ],
    );
    let theirs = d.ok(&[
        "build",
        "-t",
        "theirs:v1",
        "--build-arg",
        "WHO=berth",
        "--label",
        "team=berth",
        &ctx,
    ]);
    // The same steps, in Docker's classic words, and the same kind of ending.
    assert_eq!(
        lines_with(&out, "Step "),
        lines_with(&theirs, "Step "),
        "{out}"
    );
    assert!(
        out.starts_with("Sending build context to Docker daemon  "),
        "{out}"
    );
    assert!(out.contains("\n ---> "), "{out}");
    let id = image_id(&d, "built:v1");
    let short = id
        .trim_start_matches("sha256:")
        .get(..12)
        .unwrap_or_default();
    assert!(
        out.contains(&format!("Successfully built {short}")),
        "{out}"
    );
    assert!(
        out.contains("Successfully tagged built:v1\nSuccessfully tagged built:v2"),
        "{out}"
    );
    assert_eq!(image_id(&d, "built:v2"), id, "both tags on one image");
    assert_eq!(
        d.ok(&[
            "image",
            "inspect",
            "--format",
            "{{.Config.Labels.team}}",
            "built:v1"
        ]),
        "berth"
    );
    assert_eq!(
        ok(&b, &d, &["run", "--rm", "built:v1"]),
        "from-context\nbuilt-hello-by-berth"
    );

    failing_build(&b, &d);
    registry(&b, &d);
    import(&b, &d);
}

/// A RUN step that exits 3: Docker's message and, as the docker CLI, exit code 3.
fn failing_build(b: &Berth, d: &Dockerd) {
    let ctx = context(
        b,
        "fail",
        &[(
            "Dockerfile",
            "FROM busybox:latest\nRUN echo going-down && exit 3\n",
        )],
    );
    let o = run(b, d, &["build", "-t", "never:v1", &ctx]);
    let theirs = d.run(&["build", "-t", "never:v1", &ctx]);
    assert_eq!(o.code, 3, "{}", o.show());
    assert_eq!(o.code, theirs.code, "docker: {}", theirs.show());
    assert!(o.stdout.contains("going-down"), "{}", o.show());
    assert!(
        o.stderr.contains(
            "The command '/bin/sh -c echo going-down && exit 3' returned a non-zero code: 3"
        ),
        "{}",
        o.show()
    );
    assert_ne!(d.run(&["image", "inspect", "never:v1"]).code, 0);
}

fn registry(b: &Berth, d: &Dockerd) {
    let reg = RegistryServer::start(Some(("alice", "wonder-pass")));
    let addr = reg.addr();

    // A wrong password: the registry's refusal, through the daemon's `/auth`.
    let o = run(b, d, &["login", "-u", "alice", "-p", "wrong", &addr]);
    assert_ne!(o.code, 0, "{}", o.show());
    assert!(o.stderr.contains("401 Unauthorized"), "{}", o.show());
    let out = ok(b, d, &["login", "-u", "alice", "-p", "wonder-pass", &addr]);
    assert!(out.contains("Login Succeeded"), "{out}");

    let remote = format!("{addr}/built:v1");
    ok(b, d, &["tag", "built:v1", &remote]);
    let out = ok(b, d, &["push", &remote]);
    assert!(
        out.starts_with(&format!("The push refers to repository [{addr}/built]")),
        "{out}"
    );
    let pushed: Vec<&str> = out.lines().filter(|l| l.ends_with(": Pushed")).collect();
    assert!(!pushed.is_empty(), "per-layer lines: {out}");
    for l in &pushed {
        let layer = l.trim_end_matches(": Pushed");
        assert!(
            layer.len() == 12 && layer.chars().all(|c| c.is_ascii_hexdigit()),
            "a layer line names its layer: {l}"
        );
    }
    let last = out.lines().last().unwrap_or_default();
    assert!(
        last.starts_with("v1: digest: sha256:") && last.contains(" size: "),
        "{out}"
    );
    // Again: every layer is there already.
    let again = ok(b, d, &["push", &remote]);
    assert!(again.contains(": Layer already exists"), "{again}");
    assert!(!again.contains(": Pushed"), "{again}");

    // Back from the registry.
    d.ok(&["rmi", &remote]);
    ok(b, d, &["pull", &remote]);
    assert_eq!(image_id(d, &remote), image_id(d, "built:v1"));

    // Nobody listens there: the daemon's reason, and a failure.
    let nowhere = format!("127.0.0.1:{}/built:v1", free_port());
    ok(b, d, &["tag", "built:v1", &nowhere]);
    let o = run(b, d, &["push", &nowhere]);
    assert_ne!(o.code, 0, "{}", o.show());
    assert!(o.stderr.contains("connection refused"), "{}", o.show());
}

/// A root filesystem tar becomes an image on the engine, with a change applied.
fn import(b: &Berth, d: &Dockerd) {
    let tar = b.dir.path().join("rootfs.tar");
    let tar = tar.to_str().expect("utf-8 temp path");
    b.ok(&["demo", "--rootfs", tar]);
    assert!(Path::new(tar).is_file());
    let id = ok(
        b,
        d,
        &["import", "--change", "ENV IMPORTED=yes", tar, "imported:v1"],
    );
    assert_eq!(id, image_id(d, "imported:v1"));
    assert_eq!(
        d.ok(&["run", "--rm", "imported:v1", "sh", "-c", "echo $IMPORTED"]),
        "yes"
    );
}
