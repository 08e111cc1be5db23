//! Debian's docker-compose (1.29, which drives the Docker Engine API through docker-py)
//! against `berth system service`: a two-service project on a user network, from images
//! already loaded, up, listed, logged and taken down with its volume.

use berth_tests::api::Service;
use berth_tests::{eventually, require_tool, Berth};

const PROJECT: &str = r#"version: "3.8"
services:
  web:
    image: busybox:latest
    command: ["sh", "-c", "mkdir -p /www && echo served-by-web > /www/index.html && exec httpd -f -p 8080 -h /www"]
    networks: [backend]
  client:
    image: busybox:latest
    command: ["sh", "-c", "until wget -q -O- http://web:8080/; do sleep 0.2; done; echo kept > /data/mark; exec sleep 300"]
    depends_on: [web]
    networks: [backend]
    volumes: [data:/data]
networks:
  backend: {}
volumes:
  data: {}
"#;

#[test]
fn docker_compose_brings_a_project_up_and_down() {
    require_tool("docker-compose", "docker-compose");
    let b = Berth::new();
    b.busybox_image("busybox:latest");
    let api = Service::start(&b);
    let dir = b.dir.path().join("proj");
    std::fs::create_dir_all(&dir).expect("project dir");
    std::fs::write(dir.join("docker-compose.yml"), PROJECT).expect("compose file");
    let compose = |args: &[&str]| {
        let o = api
            .client_cmd("docker-compose")
            .env("COMPOSE_PROJECT_NAME", "demo")
            .current_dir(&dir)
            .args(args)
            .output()
            .expect("spawn docker-compose");
        berth_tests::Out::from(o)
    };

    let up = compose(&["up", "-d"]);
    assert_eq!(up.code, 0, "{}{}", up.stdout, up.stderr);
    assert!(eventually(30, || compose(&["logs", "client"])
        .stdout
        .contains("served-by-web")));
    let ps = compose(&["ps"]);
    assert_eq!(ps.code, 0, "{}", ps.stderr);
    let lines: Vec<&str> = ps
        .stdout
        .lines()
        .filter(|l| l.starts_with("demo_"))
        .collect();
    assert_eq!(lines.len(), 2, "{}", ps.stdout);
    assert!(lines.iter().all(|l| l.contains(" Up")), "{}", ps.stdout);
    // What compose made is Berth's own: the CLI sees it.
    assert_eq!(
        b.ok(&[
            "ps",
            "--format",
            "{{.Names}}",
            "--filter",
            "label=com.docker.compose.project=demo"
        ]),
        "demo_client_1\ndemo_web_1"
    );
    assert_eq!(
        b.ok(&["exec", "demo_client_1", "cat", "/data/mark"]),
        "kept"
    );

    let down = compose(&["down", "-v"]);
    assert_eq!(down.code, 0, "{}{}", down.stdout, down.stderr);
    assert_eq!(b.ok(&["ps", "-aq"]), "");
    assert!(!b
        .ok(&["network", "ls", "--format", "{{.Name}}"])
        .contains("demo_backend"));
    assert_eq!(b.ok(&["volume", "ls", "-q"]), "");
}
