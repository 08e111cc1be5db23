//! Builds through `berth system service`: the docker CLI's classic builder
//! (`DOCKER_BUILDKIT=0`, both clients this machine has), docker-compose's `build:` and
//! docker-py's `images.build`, each getting Docker's classic progress stream.

use std::fs;

use berth_tests::api::{clients, python, Service};
use berth_tests::{require_tool, Berth};

const DOCKERFILE: &str = "FROM busybox\nARG WHO=nobody\nWORKDIR /app\nCOPY greeting.txt .\nRUN echo \"built for $WHO\" > who\nCMD [\"cat\", \"/app/greeting.txt\", \"/app/who\"]\n";

fn context(b: &Berth) -> std::path::PathBuf {
    let dir = b.dir.path().join("ctx");
    fs::create_dir_all(&dir).unwrap();
    fs::write(dir.join("Dockerfile"), DOCKERFILE).unwrap();
    fs::write(dir.join("greeting.txt"), "hello\n").unwrap();
    dir
}

#[test]
fn docker_cli_builds_with_the_classic_builder() {
    for client in clients() {
        let b = Berth::new();
        b.busybox_image("busybox:latest");
        let ctx = context(&b);
        let api = Service::start_for(&b, client.clone());
        let build = |args: &[&str]| {
            let mut c = api.docker_cmd();
            c.env("DOCKER_BUILDKIT", "0").arg("build").args(args);
            c.output().unwrap()
        };
        let o = build(&[
            "-t",
            "via-cli:1",
            "--build-arg",
            "WHO=cli",
            ctx.to_str().unwrap(),
        ]);
        let out = String::from_utf8_lossy(&o.stdout).into_owned();
        assert!(
            o.status.success(),
            "{client:?}: {out}{}",
            String::from_utf8_lossy(&o.stderr)
        );
        assert!(
            out.contains("Step 5/6 : RUN echo \"built for $WHO\" > who"),
            "{out}"
        );
        assert!(out.contains(" ---> Running in "), "{out}");
        assert!(out.contains("Successfully tagged via-cli:1"), "{out}");
        assert_eq!(b.ok(&["run", "--rm", "via-cli:1"]), "hello\nbuilt for cli");

        // The same build again is all cache.
        let o = build(&[
            "-t",
            "via-cli:1",
            "--build-arg",
            "WHO=cli",
            ctx.to_str().unwrap(),
        ]);
        let out = String::from_utf8_lossy(&o.stdout).into_owned();
        assert_eq!(out.matches("Using cache").count(), 4, "{out}");

        // A failing RUN: the CLI exits non-zero with the step's error.
        fs::write(
            ctx.join("Dockerfile"),
            "FROM busybox\nRUN echo doomed && exit 4\n",
        )
        .unwrap();
        let o = build(&[ctx.to_str().unwrap()]);
        assert!(!o.status.success());
        let all = format!(
            "{}{}",
            String::from_utf8_lossy(&o.stdout),
            String::from_utf8_lossy(&o.stderr)
        );
        assert!(all.contains("doomed"), "{all}");
        assert!(all.contains("exit code: 4"), "{all}");
        assert_eq!(
            b.ok(&["ps", "-aq"]),
            "",
            "a failed build left its container"
        );
    }
}

#[test]
fn docker_compose_and_docker_py_build() {
    require_tool("docker-compose", "docker-compose");
    let b = Berth::new();
    b.busybox_image("busybox:latest");
    let ctx = context(&b);
    fs::write(
        ctx.join("docker-compose.yml"),
        "version: \"3\"\nservices:\n  web:\n    build:\n      context: .\n      args:\n        WHO: compose\n    image: via-compose:dev\n",
    )
    .unwrap();
    let api = Service::start(&b);
    let o = api
        .client_cmd("docker-compose")
        .env("COMPOSE_PROJECT_NAME", "b")
        .current_dir(&ctx)
        .arg("build")
        .output()
        .unwrap();
    assert!(
        o.status.success(),
        "{}{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    );
    assert_eq!(
        b.ok(&["run", "--rm", "via-compose:dev"]),
        "hello\nbuilt for compose"
    );

    let script = format!(
        "import docker\nc = docker.from_env()\nimg, logs = c.images.build(path={:?}, tag='via-py:1', buildargs={{'WHO': 'py'}})\nassert 'via-py:1' in img.tags, img.tags\nprint(c.containers.run('via-py:1', remove=True).decode(), end='')\n",
        ctx.display().to_string()
    );
    let o = api
        .client_cmd(python())
        .args(["-c", &script])
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    assert_eq!(String::from_utf8_lossy(&o.stdout), "hello\nbuilt for py\n");
}
