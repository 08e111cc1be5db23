//! `berth build`: every instruction in a real build checked in the running container and
//! in `image inspect`, the cache walk-through of seed 004, multi-stage with `--target`,
//! cache mounts, `.dockerignore`, and the errors a user meets.

use std::fs;
use std::path::{Path, PathBuf};

use berth_tests::{Berth, Out};

/// A context directory with the given files.
fn context(b: &Berth, name: &str, files: &[(&str, &str)]) -> PathBuf {
    let dir = b.dir.path().join(name);
    for (path, text) in files {
        let p = dir.join(path);
        fs::create_dir_all(p.parent().unwrap()).unwrap();
        fs::write(p, text).unwrap();
    }
    dir
}

fn build(b: &Berth, dir: &Path, extra: &[&str]) -> Out {
    let mut args = vec!["build", "--progress", "plain"];
    args.extend_from_slice(extra);
    let d = dir.to_str().unwrap();
    args.push(d);
    b.run(&args)
}

fn build_ok(b: &Berth, dir: &Path, extra: &[&str]) -> String {
    let o = build(b, dir, extra);
    assert_eq!(o.code, 0, "build failed:\n{}\n{}", o.stdout, o.stderr);
    o.stderr
}

fn image(b: &Berth, name: &str, fmt: &str) -> String {
    b.ok(&["image", "inspect", "--format", fmt, name])
}

/// Nothing of a build may be left: no containers, nothing in the state root's tmp.
fn assert_clean(b: &Berth) {
    assert_eq!(b.ok(&["ps", "-aq"]), "", "a build left a container");
    let tmp = b.root.join("tmp");
    if tmp.exists() {
        let left: Vec<_> = fs::read_dir(&tmp)
            .unwrap()
            .flatten()
            .map(|e| e.file_name())
            .filter(|n| !n.to_string_lossy().starts_with('.'))
            .collect();
        assert!(left.is_empty(), "a build left files in tmp: {left:?}");
    }
}

const EVERY_INSTRUCTION: &str = r#"# syntax=docker/dockerfile:1
# escape=\
ARG BASE=busybox
FROM ${BASE}:latest AS base
ARG GREETING=hello
ARG UNUSED_DEFAULT=x
ENV APP_HOME=/srv/app \
    MODE="prod mode"
LABEL org.example.name="demo" version=1.0
WORKDIR $APP_HOME
COPY --chown=1000:1000 --chmod=0750 app.sh ./bin/
COPY conf/ /etc/demo/
ADD payload.tar.gz /opt/
RUN <<EOF
echo "$GREETING from heredoc" > /srv/app/greeting
echo "${MODE:-none}" > /srv/app/mode
EOF
RUN ["/bin/sh", "-c", "echo exec form > /srv/app/exec"]
COPY <<EOT /etc/demo/generated.txt
home is ${APP_HOME}
EOT
SHELL ["/bin/sh", "-c"]
EXPOSE 8080 53/udp
VOLUME /data
STOPSIGNAL SIGINT
HEALTHCHECK --interval=5s --timeout=2s --retries=4 CMD true
ONBUILD RUN echo child
USER 1000:1000
MAINTAINER someone@example.com
ENTRYPOINT ["/bin/sh", "-c"]
CMD ["cat /srv/app/greeting /srv/app/mode /srv/app/exec /opt/inner/data.txt /etc/demo/generated.txt /etc/demo/a.conf; id -u; pwd"]
"#;

#[test]
fn every_instruction_lands_in_the_image_and_the_container() {
    let b = Berth::new();
    b.busybox_image("busybox:latest");
    let ctx = context(
        &b,
        "ctx",
        &[
            ("Dockerfile", EVERY_INSTRUCTION),
            ("app.sh", "#!/bin/sh\necho app\n"),
            ("conf/a.conf", "setting=1\n"),
        ],
    );
    // A gzip tar for ADD to unpack.
    let payload = b.dir.path().join("payload");
    fs::create_dir_all(payload.join("inner")).unwrap();
    fs::write(payload.join("inner/data.txt"), "from the archive\n").unwrap();
    let made = std::process::Command::new("tar")
        .arg("-czf")
        .arg(ctx.join("payload.tar.gz"))
        .arg("-C")
        .arg(&payload)
        .arg("inner")
        .status()
        .unwrap();
    assert!(made.success());

    build_ok(&b, &ctx, &["-t", "demo:1", "--build-arg", "GREETING=hi"]);
    let run = b.ok(&["run", "--rm", "demo:1"]);
    assert_eq!(
        run,
        "hi from heredoc\nprod mode\nexec form\nfrom the archive\nhome is /srv/app\nsetting=1\n1000\n/srv/app"
    );
    let stat = b.ok(&[
        "run",
        "--rm",
        "--entrypoint",
        "stat",
        "demo:1",
        "-c",
        "%u:%g %a",
        "/srv/app/bin/app.sh",
    ]);
    assert_eq!(stat, "1000:1000 750");

    let f = |fmt: &str| image(&b, "demo:1", fmt);
    assert_eq!(
        f("{{json .Config.Env}}"),
        r#"["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin","APP_HOME=/srv/app","MODE=prod mode"]"#
    );
    assert_eq!(f("{{.Config.WorkingDir}}"), "/srv/app");
    assert_eq!(f("{{.Config.User}}"), "1000:1000");
    assert_eq!(
        f("{{json .Config.ExposedPorts}}"),
        r#"{"53/udp":{},"8080/tcp":{}}"#
    );
    assert_eq!(f("{{json .Config.Volumes}}"), r#"{"/data":{}}"#);
    assert_eq!(f("{{.Config.StopSignal}}"), "SIGINT");
    assert_eq!(
        f("{{json .Config.Healthcheck.Test}}"),
        r#"["CMD-SHELL","true"]"#
    );
    assert_eq!(f("{{.Config.Healthcheck.Retries}}"), "4");
    assert_eq!(f("{{json .Config.OnBuild}}"), r#"["RUN echo child"]"#);
    assert_eq!(f(r#"{{index .Config.Labels "org.example.name"}}"#), "demo");
    assert_eq!(f("{{.Author}}"), "someone@example.com");
    assert_eq!(f("{{json .Config.Entrypoint}}"), r#"["/bin/sh","-c"]"#);
    let history = b.ok(&[
        "history",
        "--no-trunc",
        "--format",
        "{{.CreatedBy}}",
        "demo:1",
    ]);
    assert!(
        history.contains("RUN |2 GREETING=hi UNUSED_DEFAULT=x /bin/sh -c"),
        "{history}"
    );
    assert!(history.contains("WORKDIR /srv/app"), "{history}");
    assert!(
        history.contains("ENV APP_HOME=/srv/app MODE=prod mode"),
        "{history}"
    );

    // ONBUILD runs in a child build, and the child does not inherit the trigger.
    let child = context(&b, "child", &[("Dockerfile", "FROM demo:1\n")]);
    let out = build_ok(&b, &child, &["-t", "child"]);
    assert!(
        out.contains("child"),
        "the ONBUILD trigger did not run:\n{out}"
    );
    assert_eq!(image(&b, "child", "{{json .Config.OnBuild}}"), "null");
    assert_clean(&b);
}

#[test]
fn seed_004_cache_walkthrough_rebuilds_from_the_first_changed_step() {
    let b = Berth::new();
    b.busybox_image("busybox:latest");
    let ctx = context(
        &b,
        "app",
        &[
            (
                "Dockerfile",
                "FROM busybox\nWORKDIR /app\nCOPY manifest.txt .\nRUN cat manifest.txt > installed && cat /proc/sys/kernel/random/uuid > install-stamp\nCOPY . .\nRUN ls > listing\nCMD [\"cat\", \"/app/installed\"]\n",
            ),
            ("manifest.txt", "dep-a\n"),
            ("main.sh", "echo v1\n"),
        ],
    );
    let first = build_ok(&b, &ctx, &["-t", "app"]);
    assert_eq!(first.matches("CACHED").count(), 0, "{first}");
    let stamp1 = b.ok(&["run", "--rm", "app", "cat", "/app/install-stamp"]);

    // Nothing changed: every step after FROM comes from the cache.
    let again = build_ok(&b, &ctx, &["-t", "app"]);
    assert_eq!(again.matches("CACHED").count(), 5, "{again}");

    // A source change: the manifest and install steps stay cached.
    fs::write(ctx.join("main.sh"), "echo v2\n").unwrap();
    let src = build_ok(&b, &ctx, &["-t", "app"]);
    assert_eq!(src.matches("CACHED").count(), 3, "{src}");
    assert_eq!(
        b.ok(&["run", "--rm", "app", "cat", "/app/install-stamp"]),
        stamp1
    );
    assert_eq!(
        b.ok(&["run", "--rm", "app", "cat", "/app/main.sh"]),
        "echo v2"
    );

    // A manifest change: install runs again.
    fs::write(ctx.join("manifest.txt"), "dep-a\ndep-b\n").unwrap();
    let dep = build_ok(&b, &ctx, &["-t", "app"]);
    assert_eq!(dep.matches("CACHED").count(), 1, "{dep}");
    assert_eq!(b.ok(&["run", "--rm", "app"]), "dep-a\ndep-b");
    assert_ne!(
        b.ok(&["run", "--rm", "app", "cat", "/app/install-stamp"]),
        stamp1
    );

    // The anatomy view shows each layer as the lower dir it is, with the step that made
    // it; history shows the same steps.
    b.ok(&["create", "--name", "look", "app"]);
    let anatomy = b.ok(&["anatomy", "--json", "look"]);
    let v: serde_json::Value = serde_json::from_str(&anatomy).unwrap();
    let steps: Vec<String> = v["rootfs"]["layers"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| l["created_by"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(steps.len(), 6, "{steps:?}");
    assert_eq!(steps[0], "RUN /bin/sh -c ls > listing # buildkit");
    assert_eq!(steps[3], "COPY manifest.txt . # buildkit");
    assert_eq!(v["rootfs"]["lower"][0], v["rootfs"]["layers"][0]["dir"]);
    b.ok(&["rm", "look"]);
    let history = b.ok(&["history", "--format", "{{.CreatedBy}}", "app"]);
    assert!(history.contains("COPY manifest.txt ."), "{history}");

    // --no-cache runs everything.
    let fresh = build_ok(&b, &ctx, &["-t", "app", "--no-cache"]);
    assert_eq!(fresh.matches("CACHED").count(), 0, "{fresh}");
    assert_clean(&b);
}

#[test]
fn target_builds_only_the_stages_it_needs() {
    let b = Berth::new();
    b.busybox_image("busybox:latest");
    let ctx = context(
        &b,
        "multi",
        &[(
            "Dockerfile",
            "FROM busybox AS broken\nRUN echo this stage must not run && exit 7\n\nFROM busybox AS builder\nRUN mkdir -p /out && echo built > /out/artifact\n\nFROM scratch AS final\nCOPY --from=builder /out/artifact /artifact\nCOPY --from=builder /bin/busybox /bin/cat\nCMD [\"/bin/cat\", \"/artifact\"]\n\nFROM final AS other\nRUN false\n",
        )],
    );
    let out = build_ok(&b, &ctx, &["-t", "multi", "--target", "final"]);
    assert!(!out.contains("must not run"), "{out}");
    assert_eq!(b.ok(&["run", "--rm", "multi"]), "built");
    assert_eq!(image(&b, "multi", "{{len .RootFS.Layers}}"), "2");
    let bad = build(&b, &ctx, &["--target", "nope"]);
    assert_ne!(bad.code, 0);
    assert!(
        bad.stderr
            .contains("target stage \"nope\" could not be found"),
        "{}",
        bad.stderr
    );
    assert_clean(&b);
}

#[test]
fn cache_mounts_keep_files_between_builds() {
    let b = Berth::new();
    b.busybox_image("busybox:latest");
    let ctx = context(
        &b,
        "cm",
        &[(
            "Dockerfile",
            "FROM busybox\nRUN --mount=type=cache,target=/var/cache/demo echo run >> /var/cache/demo/log && wc -l < /var/cache/demo/log > /count\n",
        )],
    );
    build_ok(&b, &ctx, &["-t", "cm"]);
    assert_eq!(b.ok(&["run", "--rm", "cm", "cat", "/count"]), "1");
    build_ok(&b, &ctx, &["-t", "cm", "--no-cache"]);
    assert_eq!(b.ok(&["run", "--rm", "cm", "cat", "/count"]), "2");
    // The mount point is not part of the image.
    let o = b.run(&["run", "--rm", "cm", "ls", "/var/cache/demo"]);
    assert_ne!(
        o.code, 0,
        "the cache mount's directory leaked into the image"
    );
    assert_clean(&b);
}

#[test]
fn dockerignore_decides_what_the_context_holds() {
    let b = Berth::new();
    b.busybox_image("busybox:latest");
    let ctx = context(
        &b,
        "ign",
        &[
            (
                "Dockerfile",
                "FROM busybox\nCOPY . /ctx\nRUN cd /ctx && find . -type f | sort > /list\n",
            ),
            (
                ".dockerignore",
                "# comments are ignored\n*.log\nsecret/\ndocs/**\n!docs/keep.md\n",
            ),
            ("app.txt", "a\n"),
            ("debug.log", "x\n"),
            ("secret/key", "k\n"),
            ("docs/drop.md", "d\n"),
            ("docs/keep.md", "k\n"),
        ],
    );
    build_ok(&b, &ctx, &["-t", "ign"]);
    assert_eq!(
        b.ok(&["run", "--rm", "ign", "cat", "/list"]),
        "./.dockerignore\n./Dockerfile\n./app.txt\n./docs/keep.md"
    );
    // A change to an ignored file does not invalidate the COPY.
    fs::write(ctx.join("debug.log"), "changed\n").unwrap();
    let again = build_ok(&b, &ctx, &["-t", "ign"]);
    assert_eq!(again.matches("CACHED").count(), 2, "{again}");
    assert_clean(&b);
}

#[test]
fn errors_name_the_file_line_and_step() {
    let b = Berth::new();
    b.busybox_image("busybox:latest");
    let parse = context(
        &b,
        "parse",
        &[("Dockerfile", "FROM busybox\n\nRUNN echo hi\n")],
    );
    let o = build(&b, &parse, &[]);
    assert_ne!(o.code, 0);
    assert!(o.stderr.contains("Dockerfile:3"), "{}", o.stderr);
    assert!(
        o.stderr.to_lowercase().contains("unknown instruction"),
        "{}",
        o.stderr
    );

    let fail = context(
        &b,
        "fail",
        &[(
            "Dockerfile",
            "FROM busybox\nRUN echo first line && echo about to fail >&2 && exit 3\n",
        )],
    );
    let o = build(&b, &fail, &["-t", "never"]);
    assert_eq!(o.code, 1, "{}", o.stderr);
    assert!(o.stderr.contains("about to fail"), "{}", o.stderr);
    assert!(o.stderr.contains("exit code: 3"), "{}", o.stderr);
    assert!(
        o.stderr.contains("[2/2] RUN echo first line"),
        "{}",
        o.stderr
    );
    assert_ne!(b.run(&["image", "inspect", "never"]).code, 0);

    let missing = context(
        &b,
        "missing",
        &[("Dockerfile", "FROM busybox\nCOPY nothere /x\n")],
    );
    let o = build(&b, &missing, &[]);
    assert_ne!(o.code, 0);
    assert!(o.stderr.contains("nothere"), "{}", o.stderr);
    assert!(o.stderr.contains("Dockerfile:2"), "{}", o.stderr);

    let nofile = b.dir.path().join("empty-ctx");
    fs::create_dir_all(&nofile).unwrap();
    let o = build(&b, &nofile, &[]);
    assert_ne!(o.code, 0);
    assert!(o.stderr.contains("Dockerfile"), "{}", o.stderr);
    assert_clean(&b);
}

#[test]
fn context_and_dockerfile_from_stdin() {
    use std::io::Write;
    let b = Berth::new();
    b.busybox_image("busybox:latest");
    let mut child = b
        .cmd()
        .args(["build", "-q", "-t", "piped", "-"])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(b"FROM busybox\nRUN echo piped > /p\n")
        .unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(out.status.success());
    let id = String::from_utf8_lossy(&out.stdout).trim().to_string();
    assert!(id.starts_with("sha256:"), "{id}");
    assert_eq!(b.ok(&["run", "--rm", "piped", "cat", "/p"]), "piped");
    assert_clean(&b);
}

#[test]
fn builder_prune_forgets_the_cache_and_the_step_images() {
    let b = Berth::new();
    b.busybox_image("busybox:latest");
    let ctx = context(
        &b,
        "prune",
        &[(
            "Dockerfile",
            "FROM busybox\nRUN --mount=type=cache,target=/c echo x > /c/f && echo a > /a\nRUN echo b > /b\n",
        )],
    );
    build_ok(&b, &ctx, &["-t", "p"]);
    assert!(!b
        .ok(&["images", "-a", "-q", "--filter", "dangling=false"])
        .is_empty());
    let all_before = b.ok(&["images", "-a", "-q"]).lines().count();
    assert!(all_before > 2, "the steps left no images: {all_before}");
    let out = b.ok(&["builder", "prune", "-f"]);
    assert!(out.contains("Total reclaimed space:"), "{out}");
    // Only the tagged image and its base are left, the cache mount is gone, and the
    // next build runs every step.
    assert_eq!(b.ok(&["images", "-a", "-q"]).lines().count(), 2);
    let mounts = b.root.join("build/cache-mounts");
    assert!(
        !mounts
            .read_dir()
            .unwrap()
            .any(|e| e.unwrap().path().join("f").exists()),
        "the cache mount survived the prune"
    );
    let again = build_ok(&b, &ctx, &["-t", "p"]);
    assert_eq!(again.matches("CACHED").count(), 0, "{again}");
    assert_clean(&b);
}

/// The other way round: an image Docker's classic builder made (from berth's busybox)
/// runs on Berth after `docker save`, and one Berth built runs on Docker.
#[test]
fn built_images_cross_between_berth_and_docker() {
    let b = Berth::new();
    b.busybox_image("busybox:latest");
    let d = berth_tests::docker::Dockerd::start();
    d.load_from_berth(&b, "busybox:latest");
    let ctx = context(
        &b,
        "both",
        &[
            (
                "Dockerfile",
                "FROM busybox\nCOPY msg /msg\nRUN echo ran >> /msg && rm /bin/true\nCMD [\"cat\", \"/msg\"]\n",
            ),
            ("msg", "built\n"),
        ],
    );
    let ctx_s = ctx.to_str().unwrap();
    // Docker's side: the classic builder (no BuildKit in Debian's client here).
    let built = d
        .cmd()
        .env("DOCKER_BUILDKIT", "0")
        .args(["build", "-q", "-t", "bydocker:1", ctx_s])
        .output()
        .expect("spawn docker build");
    assert!(built.status.success(), "docker build: {built:?}");
    let archive = d.dir.path().join("bydocker.tar");
    d.ok(&["save", "-o", archive.to_str().unwrap(), "bydocker:1"]);
    b.ok(&["load", "-i", archive.to_str().unwrap()]);
    let out = b.ok(&["run", "--rm", "bydocker:1"]);
    assert_eq!(out.trim_end(), "built\nran");
    // The deletion Docker's layer recorded as a whiteout hides the file on Berth too.
    let o = b.run(&["run", "--rm", "bydocker:1", "ls", "/bin/true"]);
    assert_ne!(o.code, 0, "{}", o.stdout);

    // Berth's side: built, saved, loaded and run by Docker.
    build_ok(&b, &ctx, &["-t", "byberth:1"]);
    let archive = b.dir.path().join("byberth.tar");
    b.ok(&["save", "-o", archive.to_str().unwrap(), "byberth:1"]);
    d.ok(&["load", "-i", archive.to_str().unwrap()]);
    let out = d.ok(&["run", "--rm", "--network", "none", "byberth:1"]);
    assert_eq!(out, "built\nran");
    let o = d.run(&[
        "run",
        "--rm",
        "--network",
        "none",
        "byberth:1",
        "ls",
        "/bin/true",
    ]);
    assert_ne!(o.code, 0, "{}", o.stdout);
    assert_clean(&b);
}

#[test]
fn built_images_cross_between_berth_and_podman() {
    let b = Berth::new();
    b.busybox_image("busybox:latest");
    let ctx = context(
        &b,
        "interop",
        &[
            (
                "Dockerfile",
                "FROM --platform=$BUILDPLATFORM busybox\nCOPY msg /msg\nRUN echo ran >> /msg\nCMD [\"cat\", \"/msg\"]\n",
            ),
            ("msg", "from berth\n"),
        ],
    );
    build_ok(&b, &ctx, &["-t", "interop:1"]);
    let archive = b.dir.path().join("interop.tar");
    b.ok(&["save", "-o", archive.to_str().unwrap(), "interop:1"]);
    let podman = berth_tests::podman::Podman::new();
    podman.ok(&["load", "-i", archive.to_str().unwrap()]);
    let out = podman.run("docker.io/library/interop:1", &[]);
    assert_eq!(out, "from berth\nran");
    // And podman's build (buildah's layers) of the same context runs on Berth.
    let base = b.dir.path().join("busybox.tar");
    b.ok(&["save", "-o", base.to_str().unwrap(), "busybox:latest"]);
    podman.ok(&["load", "-i", base.to_str().unwrap()]);
    podman.ok(&[
        "build",
        "--pull=never",
        "--network",
        "none",
        "--ulimit",
        "nofile=1024:1024",
        "-t",
        "bypodman:1",
        ctx.to_str().unwrap(),
    ]);
    let archive = b.dir.path().join("bypodman.tar");
    podman.ok(&["save", "-o", archive.to_str().unwrap(), "bypodman:1"]);
    b.ok(&["load", "-i", archive.to_str().unwrap()]);
    let out = b.ok(&["run", "--rm", "localhost/bypodman:1"]);
    assert_eq!(out.trim_end(), "from berth\nran");
    let bad = context(
        &b,
        "arm",
        &[("Dockerfile", "FROM --platform=linux/s390x busybox\n")],
    );
    let o = build(&b, &bad, &[]);
    assert_ne!(o.code, 0);
    assert!(o.stderr.contains("Dockerfile:1"), "{}", o.stderr);
    assert_clean(&b);
}

#[test]
fn independent_stages_build_at_the_same_time() {
    let b = Berth::new();
    b.busybox_image("busybox:latest");
    // Each stage waits for the other's mark in a shared cache mount: built one after
    // the other, the first would give up after 10 s and fail the build.
    let wait_for = |me: &str, other: &str| {
        format!(
            "RUN --mount=type=cache,id=rendezvous,target=/r touch /r/{me} && i=0; while [ ! -f /r/{other} ]; do i=$((i+1)); [ $i -gt 100 ] && exit 9; sleep 0.1; done; echo {me} > /{me}\n"
        )
    };
    let dockerfile = format!(
        "FROM busybox AS left\n{}\nFROM busybox AS right\n{}\nFROM busybox\nCOPY --from=left /left /\nCOPY --from=right /right /\n",
        wait_for("left", "right"),
        wait_for("right", "left")
    );
    let ctx = context(&b, "par", &[("Dockerfile", &dockerfile)]);
    build_ok(&b, &ctx, &["-t", "par"]);
    assert_eq!(
        b.ok(&["run", "--rm", "par", "cat", "/left", "/right"]),
        "left\nright"
    );
    assert_clean(&b);
}

#[test]
fn secrets_labels_network_and_a_dockerfile_from_elsewhere() {
    let b = Berth::new();
    b.busybox_image("busybox:latest");
    let secret = b.dir.path().join("token.txt");
    fs::write(&secret, "t0ps3cret\n").unwrap();
    let ctx = context(&b, "flags", &[("app.txt", "app\n")]);
    // The Dockerfile lives outside the context (-f), as Docker's CLI allows.
    let elsewhere = b.dir.path().join("elsewhere.Dockerfile");
    fs::write(
        &elsewhere,
        "FROM busybox\nARG FROM_ENV\nRUN --mount=type=secret,id=token cat /run/secrets/token > /seen && stat -c %a /run/secrets/token >> /seen\nRUN --mount=type=secret,id=token,target=/tok,required=true test -f /tok\nRUN ls /sys/class/net > /nets\nRUN echo \"$FROM_ENV\" > /env\nCOPY app.txt /\n",
    )
    .unwrap();
    let src = format!("id=token,src={}", secret.display());
    let o = b
        .cmd()
        .env("FROM_ENV", "from-the-client")
        .args([
            "build",
            "--progress",
            "plain",
            "-t",
            "flags",
            "-f",
            elsewhere.to_str().unwrap(),
            "--secret",
            &src,
            "--label",
            "team=infra",
            "--network",
            "none",
            "--build-arg",
            "FROM_ENV",
            ctx.to_str().unwrap(),
        ])
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    // The secret was readable during the build (mode 0400), and is in no layer.
    assert_eq!(
        b.ok(&["run", "--rm", "flags", "cat", "/seen"]),
        "t0ps3cret\n400"
    );
    let o = b.run(&["run", "--rm", "flags", "ls", "/run/secrets"]);
    assert_ne!(
        o.code, 0,
        "the secret's mount point is in the image: {}",
        o.stdout
    );
    // --network none: only the loopback device during RUN.
    assert_eq!(b.ok(&["run", "--rm", "flags", "cat", "/nets"]), "lo");
    assert_eq!(
        b.ok(&["run", "--rm", "flags", "cat", "/env"]),
        "from-the-client"
    );
    assert_eq!(b.ok(&["run", "--rm", "flags", "cat", "/app.txt"]), "app");
    assert_eq!(
        image(&b, "flags", "{{index .Config.Labels \"team\"}}"),
        "infra"
    );
    // A required secret not given fails the step, naming it.
    fs::write(
        ctx.join("Dockerfile"),
        "FROM busybox\nRUN --mount=type=secret,id=token,required=true true\n",
    )
    .unwrap();
    let o = b.run(&["build", "--progress", "plain", ctx.to_str().unwrap()]);
    assert_ne!(o.code, 0);
    assert!(o.stderr.contains("secret token not found"), "{}", o.stderr);
    assert_clean(&b);
}

#[test]
fn bind_mounts_from_the_context_a_stage_and_an_image() {
    let b = Berth::new();
    b.busybox_image("busybox:latest");
    let ctx = context(
        &b,
        "binds",
        &[
            (
                "Dockerfile",
                "FROM busybox AS gen\n\
                 RUN mkdir /out && echo generated > /out/a.txt\n\
                 FROM busybox\n\
                 RUN --mount=type=bind,source=data,target=/ctx cat /ctx/d.txt > /from-ctx\n\
                 RUN --mount=type=bind,source=data,target=/ctx,rw echo scribble > /ctx/new && ls /ctx > /rw-listing\n\
                 RUN --mount=type=bind,from=gen,source=/out,target=/in cat /in/a.txt > /from-stage\n\
                 RUN --mount=type=bind,from=gen,source=/out/a.txt,target=/one.txt cp /one.txt /from-stage-file\n\
                 RUN --mount=type=bind,from=busybox,source=/bin,target=/other-bin test -x /other-bin/busybox && echo yes > /from-image\n\
                 RUN --mount=type=bind,from=gen,target=/gen,rw rm -rf /gen/out && echo gone > /rw-stage\n",
            ),
            ("data/d.txt", "context data\n"),
        ],
    );
    build_ok(&b, &ctx, &["-t", "binds"]);
    let got = b.ok(&[
        "run",
        "--rm",
        "binds",
        "cat",
        "/from-ctx",
        "/rw-listing",
        "/from-stage",
        "/from-stage-file",
        "/from-image",
        "/rw-stage",
    ]);
    assert_eq!(
        got,
        "context data\nd.txt\nnew\ngenerated\ngenerated\nyes\ngone"
    );
    // A writable bind's writes went to a private copy: not to the context, not into
    // the image; no mount point is left in the image.
    assert!(!ctx.join("data/new").exists());
    let o = b.run(&[
        "run", "--rm", "binds", "ls", "/ctx", "/in", "/one.txt", "/gen",
    ]);
    assert_ne!(o.code, 0, "mount points are in the image: {}", o.stdout);
    // The stage the binds read still has its files (the rw bind changed a copy).
    build_ok(&b, &ctx, &["-t", "gen", "--target", "gen"]);
    assert_eq!(
        b.ok(&["run", "--rm", "gen", "cat", "/out/a.txt"]),
        "generated"
    );
    // A path the stage does not have is an error at its line.
    fs::write(
        ctx.join("Dockerfile"),
        "FROM busybox AS gen\nFROM busybox\nRUN --mount=type=bind,from=gen,source=/nope,target=/x true\n",
    )
    .unwrap();
    let o = build(&b, &ctx, &[]);
    assert_ne!(o.code, 0);
    assert!(
        o.stderr.contains("Dockerfile:3") && o.stderr.contains("\"/nope\": not found"),
        "{}",
        o.stderr
    );
    assert_clean(&b);
}
