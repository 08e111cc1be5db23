//! Contexts as the docker CLI keeps them: `berth context create` with a Docker
//! endpoint writes what Debian's docker CLI lists, and `--context`, `DOCKER_CONTEXT`
//! and `context use` send berth's commands to that engine. The engine here is a second
//! state root served by `berth system service` (a real Docker Engine API on a unix
//! socket), so a container made there is seen through the context and not at home.

use berth_tests::api::Service;
use berth_tests::docker::DOCKER_CLIENT;
use berth_tests::Berth;

#[test]
fn a_context_made_by_berth_is_the_docker_clis_and_selects_the_engine() {
    let home = Berth::new();
    let far = Berth::new();
    far.busybox_image("busybox:latest");
    far.ok(&["create", "--name", "over-there", "busybox:latest", "true"]);
    let api = Service::start(&far);
    let config = home.dir.path().join("docker-config");
    let docker_cli = |args: &[&str]| {
        let out = std::process::Command::new(DOCKER_CLIENT)
            .env("DOCKER_CONFIG", &config)
            .env_remove("DOCKER_HOST")
            .env_remove("DOCKER_CONTEXT")
            .args(args)
            .output()
            .expect("run the docker CLI");
        assert!(out.status.success(), "docker {args:?}: {:?}", out);
        String::from_utf8_lossy(&out.stdout).into_owned()
    };

    let o = home.run(&[
        "context",
        "create",
        "--description",
        "another berth",
        "--docker",
        &format!("host={}", api.host()),
        "far",
    ]);
    assert_eq!(o.code, 0, "{}", o.show());
    assert_eq!(o.stdout.trim(), "far");
    // The docker CLI sees it, with its endpoint.
    let listed = docker_cli(&["context", "ls", "--format", "{{.Name}} {{.DockerEndpoint}}"]);
    assert!(
        listed.lines().any(|l| l == format!("far {}", api.host())),
        "{listed}"
    );
    let names = home.ok(&["context", "ls", "--format", "{{.Name}}"]);
    assert_eq!(names, "local *\ndefault\nfar");

    // Selected by the flag and by the variable; at home there is no such container.
    let ps = ["ps", "-a", "--format", "{{.Names}}"];
    assert_eq!(home.ok(&ps), "");
    let mut flag = vec!["--context", "far"];
    flag.extend(ps);
    assert_eq!(home.ok(&flag), "over-there");
    let via_env = home
        .cmd()
        .env("DOCKER_CONTEXT", "far")
        .args(ps)
        .output()
        .unwrap();
    assert_eq!(
        String::from_utf8_lossy(&via_env.stdout).trim(),
        "over-there"
    );
    // `-H` and `--context` together are refused, as by the docker CLI.
    let o = home.run(&["-H", "unix:///nowhere.sock", "--context", "far", "ps"]);
    assert_ne!(o.code, 0, "{}", o.show());
    assert!(
        o.stderr.contains("either specify --host or --context"),
        "{}",
        o.show()
    );

    // `context use` is the docker CLI's current context too; `local` is berth's own.
    home.ok(&["context", "use", "far"]);
    assert_eq!(
        docker_cli(&["context", "inspect", "--format", "{{.Name}}"]).trim(),
        "far"
    );
    assert_eq!(home.ok(&ps), "over-there");
    let o = home.run(&["context", "rm", "far"]);
    assert_ne!(o.code, 0, "{}", o.show());
    assert!(o.stderr.contains("in use"), "{}", o.show());
    home.ok(&["context", "use", "local"]);
    assert_eq!(home.ok(&ps), "");
    assert_eq!(
        docker_cli(&["context", "inspect", "--format", "{{.Name}}"]).trim(),
        "default"
    );
    home.ok(&["context", "rm", "far"]);
    let listed = docker_cli(&["context", "ls", "--format", "{{.Name}}"]);
    assert!(!listed.contains("far"), "{listed}");
    let o = home.run(&["--context", "far", "ps"]);
    assert_ne!(o.code, 0, "{}", o.show());
    assert!(o.stderr.contains("\"far\" does not exist"), "{}", o.show());
}
