//! Registries from the command line as users type it, against Debian's docker-registry
//! on loopback: seed 000's flow (build, tag, push, rmi, pull, run; a run that pulls what
//! is missing), a registry behind basic auth (login with --password-stdin, a wrong
//! password, logout), and the docker CLI pushing and pulling through `berth system
//! service`. Each test has its own Docker auth file (`DOCKER_CONFIG`).

use std::io::Write;
use std::process::Stdio;

use berth_tests::api::Service;
use berth_tests::registry_server::RegistryServer;
use berth_tests::{Berth, Out};

/// berth with this test's own Docker auth file.
fn berth(b: &Berth, args: &[&str], stdin: Option<&str>) -> Out {
    let mut c = b.cmd();
    c.env("DOCKER_CONFIG", b.dir.path().join("docker-config"))
        .args(args)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    if stdin.is_some() {
        c.stdin(Stdio::piped());
    }
    let mut child = c.spawn().expect("spawn berth");
    if let Some(text) = stdin {
        let mut i = child.stdin.take().unwrap();
        i.write_all(text.as_bytes()).unwrap();
    }
    Out::from(child.wait_with_output().expect("berth output"))
}

fn ok(b: &Berth, args: &[&str]) -> String {
    let o = berth(b, args, None);
    assert_eq!(o.code, 0, "berth {args:?}: {}{}", o.stdout, o.stderr);
    o.stdout
}

#[test]
fn seed_000_builds_tags_pushes_and_pulls_back() {
    let b = Berth::new();
    b.busybox_image("busybox:latest");
    let reg = RegistryServer::start(None);
    let ctx = b.dir.path().join("web");
    std::fs::create_dir_all(&ctx).unwrap();
    std::fs::write(
        ctx.join("Dockerfile"),
        "FROM busybox\nCOPY index.html /www/index.html\nCMD [\"cat\", \"/www/index.html\"]\n",
    )
    .unwrap();
    std::fs::write(ctx.join("index.html"), "<h1>cct</h1>\n").unwrap();
    ok(
        &b,
        &["build", "-q", "-t", "cct-webserver", ctx.to_str().unwrap()],
    );
    let remote = format!("{}/cct-webserver:latest", reg.addr());
    ok(&b, &["tag", "cct-webserver", &remote]);

    let pushed = ok(&b, &["push", &remote]);
    assert!(
        pushed.starts_with(&format!(
            "The push refers to repository [{}/cct-webserver]",
            reg.addr()
        )),
        "{pushed}"
    );
    assert!(pushed.contains(": Pushed"), "{pushed}");
    let digest_line = pushed.lines().last().unwrap().to_string();
    assert!(
        digest_line.starts_with("latest: digest: sha256:"),
        "{pushed}"
    );
    let digest = digest_line.split_whitespace().nth(2).unwrap().to_string();

    // Again: the registry has every layer.
    let again = ok(&b, &["push", &remote]);
    assert!(again.contains(": Layer already exists"), "{again}");
    assert!(!again.contains(": Pushed"), "{again}");

    ok(&b, &["rmi", "cct-webserver", &remote]);
    let pulled = ok(&b, &["pull", &format!("{}/cct-webserver", reg.addr())]);
    assert!(
        pulled.starts_with("Using default tag: latest\n"),
        "{pulled}"
    );
    assert!(pulled.contains(&format!("Digest: {digest}")), "{pulled}");
    assert!(
        pulled.contains(&format!("Status: Downloaded newer image for {remote}")),
        "{pulled}"
    );
    assert!(pulled.trim_end().ends_with(&remote), "{pulled}");
    let again = ok(&b, &["pull", &remote]);
    assert!(
        again.contains(&format!("Status: Image is up to date for {remote}")),
        "{again}"
    );
    assert_eq!(ok(&b, &["run", "--rm", &remote]), "<h1>cct</h1>\n");
    let repo_digest = ok(
        &b,
        &[
            "image",
            "inspect",
            "--format",
            "{{index .RepoDigests 0}}",
            &remote,
        ],
    );
    assert_eq!(
        repo_digest.trim(),
        format!("{}/cct-webserver@{digest}", reg.addr())
    );

    // A run of an image not here pulls it first, as Docker's does.
    ok(&b, &["rmi", &remote]);
    let run = berth(&b, &["run", "--rm", &remote], None);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(run.stdout, "<h1>cct</h1>\n");
    assert!(
        run.stderr
            .starts_with(&format!("Unable to find image '{remote}' locally")),
        "{}",
        run.stderr
    );
    // --pull never with nothing here, and a pull of what the registry lacks.
    ok(&b, &["rmi", &remote]);
    let never = berth(&b, &["run", "--rm", "--pull", "never", &remote], None);
    assert_eq!(never.code, 125, "{}", never.stderr);
    let missing = berth(&b, &["pull", &format!("{}/nope:1", reg.addr())], None);
    assert_eq!(missing.code, 1);
    assert!(
        missing.stderr.contains("manifest unknown"),
        "{}",
        missing.stderr
    );
}

#[test]
fn login_with_password_stdin_then_push_and_logout() {
    let b = Berth::new();
    b.busybox_image("busybox:latest");
    let reg = RegistryServer::start(Some(("alice", "s3cret")));
    let remote = format!("{}/private/app:1", reg.addr());
    ok(&b, &["tag", "busybox", &remote]);

    let refused = berth(&b, &["push", &remote], None);
    assert_eq!(refused.code, 1);
    assert!(
        refused.stderr.contains("no basic auth credentials"),
        "{}",
        refused.stderr
    );

    let wrong = berth(
        &b,
        &["login", "-u", "alice", "--password-stdin", &reg.addr()],
        Some("nope\n"),
    );
    assert_eq!(wrong.code, 1);
    assert!(
        wrong.stderr.contains(&format!(
            "login attempt to http://{}/v2/ failed with status: 401 Unauthorized",
            reg.addr()
        )),
        "{}",
        wrong.stderr
    );

    let right = berth(
        &b,
        &["login", "-u", "alice", "--password-stdin", &reg.addr()],
        Some("s3cret\n"),
    );
    assert_eq!(right.code, 0, "{}", right.stderr);
    assert_eq!(right.stdout, "Login Succeeded\n");
    let config = std::fs::read_to_string(b.dir.path().join("docker-config/config.json")).unwrap();
    assert!(config.contains(&reg.addr()), "{config}");

    let pushed = ok(&b, &["push", &remote]);
    assert!(pushed.contains("1: digest: sha256:"), "{pushed}");
    ok(&b, &["rmi", &remote]);
    ok(&b, &["pull", &remote]);

    // A build on a base from there pulls it with the stored credentials: berth's CLI,
    // and the docker CLI through the API (its X-Registry-Config).
    let ctx = b.dir.path().join("private-base");
    std::fs::create_dir_all(&ctx).unwrap();
    std::fs::write(
        ctx.join("Dockerfile"),
        format!("FROM {remote}\nRUN echo ok > /m\n"),
    )
    .unwrap();
    let ctx = ctx.to_str().unwrap();
    ok(&b, &["rmi", &remote]);
    ok(&b, &["build", "-q", "-t", "onprivate", ctx]);
    ok(&b, &["rmi", "onprivate", &remote]);
    let api = Service::start(&b);
    let o = api
        .docker_cmd()
        .env("DOCKER_BUILDKIT", "0")
        .args(["build", "-q", "-t", "onprivate", ctx])
        .output()
        .expect("spawn docker build");
    assert!(o.status.success(), "docker build: {o:?}");
    ok(&b, &["rmi", "onprivate"]);
    drop(api);

    assert_eq!(
        ok(&b, &["logout", &reg.addr()]),
        format!("Removing login credentials for {}\n", reg.addr())
    );
    ok(&b, &["rmi", &remote]);
    let after = berth(&b, &["pull", &remote], None);
    assert_eq!(after.code, 1, "{}", after.stdout);
    let build = berth(&b, &["build", "-q", ctx], None);
    assert_ne!(build.code, 0);
    assert!(
        build.stderr.contains("no basic auth credentials"),
        "{}",
        build.stderr
    );
}

#[test]
fn docker_cli_pushes_and_pulls_through_the_api() {
    let b = Berth::new();
    b.busybox_image("busybox:latest");
    let reg = RegistryServer::start(None);
    let api = Service::start(&b);
    let remote = format!("{}/via-api/bb:1", reg.addr());
    api.docker_ok(&["tag", "busybox", &remote]);
    let pushed = api.docker_ok(&["push", &remote]);
    assert!(pushed.contains("1: digest: sha256:"), "{pushed}");
    api.docker_ok(&["rmi", &remote]);
    let pulled = api.docker_ok(&["pull", &remote]);
    assert!(pulled.contains("Digest: sha256:"), "{pulled}");
    assert_eq!(
        api.docker_ok(&["run", "--rm", &remote, "echo", "pulled"]),
        "pulled"
    );
}

#[test]
fn a_build_pulls_its_base_image_and_pull_refreshes_it() {
    let b = Berth::new();
    b.busybox_image("busybox:latest");
    let reg = RegistryServer::start(None);
    let base = format!("{}/base/bb:1", reg.addr());
    ok(&b, &["tag", "busybox", &base]);
    ok(&b, &["push", "-q", &base]);
    ok(&b, &["rmi", &base]);
    let ctx = b.dir.path().join("fromreg");
    std::fs::create_dir_all(&ctx).unwrap();
    std::fs::write(
        ctx.join("Dockerfile"),
        format!("FROM {base}\nRUN echo on-a-pulled-base > /m\n"),
    )
    .unwrap();
    // The base is not here: the build pulls it.
    ok(&b, &["build", "-q", "-t", "onbase", ctx.to_str().unwrap()]);
    assert_eq!(
        ok(&b, &["run", "--rm", "onbase", "cat", "/m"]),
        "on-a-pulled-base\n"
    );
    assert!(!ok(&b, &["images", "-q", &base]).is_empty());

    // The registry's copy moves on; --pull takes it, without --pull the cache holds.
    let ctx2 = b.dir.path().join("newbase");
    std::fs::create_dir_all(&ctx2).unwrap();
    std::fs::write(
        ctx2.join("Dockerfile"),
        "FROM busybox\nRUN echo v2 > /base-version\n",
    )
    .unwrap();
    ok(&b, &["build", "-q", "-t", &base, ctx2.to_str().unwrap()]);
    ok(&b, &["push", "-q", &base]);
    ok(&b, &["tag", "busybox", &base]);
    ok(&b, &["build", "-q", "-t", "onbase", ctx.to_str().unwrap()]);
    let o = berth(&b, &["run", "--rm", "onbase", "cat", "/base-version"], None);
    assert_ne!(o.code, 0, "the old base already had the new file");
    let o = berth(
        &b,
        &[
            "build",
            "--pull",
            "--progress",
            "plain",
            "-t",
            "onbase",
            ctx.to_str().unwrap(),
        ],
        None,
    );
    assert_eq!(o.code, 0, "{}", o.stderr);
    assert_eq!(
        ok(&b, &["run", "--rm", "onbase", "cat", "/base-version"]),
        "v2\n"
    );
}
