//! `berth compose` end to end, with real containers from images built of the host's
//! busybox: the seed 000 scenario with stand-ins (a slow database gated by its health,
//! a seeder that needs it, a webserver built from its folder, published, breakable and
//! healed), scaling over a port range, recreating only what changed, and `down -v`
//! leaving nothing.

use std::fs;
use std::path::{Path, PathBuf};

use berth_tests::{eventually, free_port, Berth, Out};

/// The seed's project with stand-ins; `{PORT}` is the webserver's host port.
const SEED_000: &str = r#"services:
  db:
    image: busybox:latest
    command: ["sh", "-c", "mkdir -p /www && echo db-ok > /www/index.html && sleep 2 && exec httpd -f -p 5432 -h /www"]
    healthcheck:
      test: ["CMD", "wget", "-q", "-O-", "http://127.0.0.1:5432/"]
      interval: 1s
      retries: 30
  seeder:
    image: busybox:latest
    command: ["sh", "-c", "wget -q -O- http://db:5432/ && echo seeded"]
    depends_on:
      db:
        condition: service_healthy
  app:
    build: .
    ports:
      - "${APP_PORT}:80"
    tmpfs: [/run/flag]
    healthcheck:
      test: ["CMD-SHELL", "test ! -f /run/flag/unhealthy && wget -q -O- http://127.0.0.1/ >/dev/null"]
      interval: 1s
      retries: 1
    labels:
      autoheal: "true"
    depends_on:
      seeder:
        condition: service_completed_successfully
"#;

/// The webserver says it started and logs each request (`-vv`, to stderr).
const DOCKERFILE: &str = "FROM busybox:latest\nCOPY www /www\nCMD [\"sh\", \"-c\", \"hostname > /www/index.html && echo serving $(hostname) && exec httpd -f -vv -p 80 -h /www\"]\n";

/// Seed 000's override: the app's logs go to CloudWatch (moto standing in for
/// Localstack), with the seed's options.
const AWSLOGS_OVERRIDE: &str = r#"services:
  app:
    logging:
      driver: awslogs
      options:
        awslogs-region: us-east-1
        awslogs-group: cctWebServerGroup
        awslogs-create-group: "true"
        awslogs-endpoint: http://127.0.0.1:${MOTO_PORT}
"#;

const BREAK: &str =
    "#!/bin/sh\ntouch /run/flag/unhealthy\necho 'Content-Type: text/plain'\necho\necho broken\n";

fn project(b: &Berth, files: &[(&str, &str)]) -> PathBuf {
    let dir = b.dir.path().join("cct");
    for (name, text) in files {
        let p = dir.join(name);
        fs::create_dir_all(p.parent().unwrap()).unwrap();
        fs::write(&p, text).unwrap();
    }
    dir
}

fn compose(b: &Berth, dir: &Path, args: &[&str]) -> Out {
    let mut all = vec!["compose"];
    all.extend_from_slice(args);
    Out::from(
        b.cmd()
            .current_dir(dir)
            .args(&all)
            .output()
            .expect("spawn berth compose"),
    )
}

/// `compose` as root with the seed's `~/.aws/credentials` (HOME is the project's `home`).
fn compose_with_aws_home(b: &Berth, dir: &Path, args: &[&str]) -> Out {
    let mut all = vec!["compose"];
    all.extend_from_slice(args);
    Out::from(
        b.cmd()
            .current_dir(dir)
            .env("HOME", dir.join("home"))
            .env_remove("AWS_ACCESS_KEY_ID")
            .env_remove("AWS_SECRET_ACCESS_KEY")
            .args(&all)
            .output()
            .expect("spawn berth compose"),
    )
}

fn compose_ok(b: &Berth, dir: &Path, args: &[&str]) -> String {
    let o = compose(b, dir, args);
    assert_eq!(o.code, 0, "compose {args:?}: {}{}", o.stdout, o.stderr);
    o.stdout
}

fn get(port: u16, path: &str) -> Option<String> {
    use std::io::{Read, Write};
    let mut s = std::net::TcpStream::connect(("127.0.0.1", port)).ok()?;
    s.set_read_timeout(Some(std::time::Duration::from_secs(2)))
        .ok()?;
    write!(s, "GET {path} HTTP/1.0\r\nHost: x\r\n\r\n").ok()?;
    let mut out = String::new();
    s.read_to_string(&mut out).ok()?;
    Some(out)
}

#[test]
fn seed_000_up_in_order_heal_and_down() {
    let b = Berth::new();
    b.busybox_image("busybox:latest");
    let port = free_port();
    let dir = project(
        &b,
        &[
            ("docker-compose.yml", SEED_000),
            ("Dockerfile", DOCKERFILE),
            ("www/cgi-bin/make-unhealthy", BREAK),
            (".env", &format!("APP_PORT={port}\n")),
        ],
    );
    use std::os::unix::fs::PermissionsExt;
    fs::set_permissions(
        dir.join("www/cgi-bin/make-unhealthy"),
        fs::Permissions::from_mode(0o755),
    )
    .unwrap();

    let up = compose(&b, &dir, &["-p", "cct", "up", "-d", "--build"]);
    assert_eq!(up.code, 0, "{}{}", up.stdout, up.stderr);
    // The order Compose keeps: the db healthy before the seeder, the seeder done
    // before the app.
    let at = |needle: &str| {
        up.stderr
            .find(needle)
            .unwrap_or_else(|| panic!("{needle:?} not in:\n{}", up.stderr))
    };
    assert!(at("Container cct-db-1  Healthy") < at("Container cct-seeder-1  Started"));
    assert!(at("Container cct-seeder-1  Exited") < at("Container cct-app-1  Started"));
    assert!(b.ok(&["logs", "cct-seeder-1"]).contains("seeded"));
    let code = b.ok(&["inspect", "-f", "{{.State.ExitCode}}", "cct-seeder-1"]);
    assert_eq!(code, "0");

    // The app answers on its published port with its hostname; the db publishes none.
    assert!(eventually(20, || get(port, "/").is_some_and(|r| r.contains("200 OK"))));
    assert_eq!(b.ok(&["port", "cct-db-1"]), "");
    let ps = compose_ok(&b, &dir, &["-p", "cct", "ps"]);
    assert!(ps.contains("cct-app-1") && ps.contains("cct-db-1"), "{ps}");
    assert!(
        !ps.contains("cct-seeder-1"),
        "an exited container is only in ps -a: {ps}"
    );
    let ps_all = compose_ok(&b, &dir, &["-p", "cct", "ps", "-a", "--format", "json"]);
    assert_eq!(ps_all.lines().count(), 3, "{ps_all}");

    // Breaking the app's health makes autoheal restart it.
    assert!(eventually(20, || {
        b.ok(&["inspect", "-f", "{{.State.Health.Status}}", "cct-app-1"]) == "healthy"
    }));
    assert!(get(port, "/cgi-bin/make-unhealthy").is_some_and(|r| r.contains("broken")));
    assert!(
        eventually(30, || {
            b.ok(&["inspect", "-f", "{{.RestartCount}}", "cct-app-1"]) != "0"
        }),
        "autoheal did not restart the app"
    );
    assert!(eventually(20, || get(port, "/").is_some_and(|r| r.contains("200 OK"))));

    // Logs of one service, by name.
    let logs = compose_ok(&b, &dir, &["-p", "cct", "logs", "seeder"]);
    assert!(logs.contains("seeder-1  | seeded"), "{logs}");

    // down -v: nothing of the project is left.
    compose_ok(&b, &dir, &["-p", "cct", "down", "-v"]);
    assert_eq!(
        b.ok(&[
            "ps",
            "-aq",
            "--filter",
            "label=com.docker.compose.project=cct"
        ]),
        ""
    );
    assert!(!b
        .ok(&["network", "ls", "--format", "{{.Name}}"])
        .contains("cct_default"));
    assert_eq!(b.ok(&["volume", "ls", "-q"]), "");
}

#[test]
fn seed_000_awslogs_override_ships_the_apps_logs_and_compose_logs_still_reads_them() {
    let b = Berth::new();
    b.busybox_image("busybox:latest");
    let moto = berth_tests::moto::Moto::start();
    let port = free_port();
    let dir = project(
        &b,
        &[
            ("docker-compose.yml", SEED_000),
            ("docker-compose.awslogs.yml", AWSLOGS_OVERRIDE),
            ("Dockerfile", DOCKERFILE),
            ("www/index.html", "x"),
            (
                ".env",
                &format!("APP_PORT={port}\nMOTO_PORT={}\n", moto.port),
            ),
            (
                "home/.aws/credentials",
                "[default]\naws_access_key_id = test\naws_secret_access_key = test\n",
            ),
        ],
    );
    let files = [
        "-f",
        "docker-compose.yml",
        "-f",
        "docker-compose.awslogs.yml",
    ];
    fn with<'a>(files: &[&'a str], rest: &[&'a str]) -> Vec<&'a str> {
        let mut a = vec!["--project-name", "cct"];
        a.extend_from_slice(files);
        a.extend_from_slice(rest);
        a
    }
    // The override merges into the app alone.
    let config = compose_ok(&b, &dir, &with(&files, &["config", "--format", "json"]));
    let config: serde_json::Value = serde_json::from_str(&config).unwrap();
    assert_eq!(config["services"]["app"]["logging"]["driver"], "awslogs");
    assert!(config["services"]["db"]["logging"].is_null());

    let up = compose_with_aws_home(&b, &dir, &with(&files, &["up", "-d", "--build"]));
    assert_eq!(up.code, 0, "{}{}", up.stdout, up.stderr);
    assert!(eventually(20, || get(port, "/").is_some_and(|r| r.contains("200 OK"))));
    let id = b.ok(&["inspect", "-f", "{{.Id}}", "cct-app-1"]);
    let hostname = b.ok(&["inspect", "-f", "{{.Config.Hostname}}", "cct-app-1"]);
    assert_eq!(
        b.ok(&[
            "inspect",
            "-f",
            "{{.HostConfig.LogConfig.Type}}",
            "cct-db-1"
        ]),
        "json-file"
    );

    // The app's lines are in the group, in the stream named for its container.
    let mut got = Vec::new();
    assert!(
        eventually(30, || {
            got = moto
                .log_events("cctWebServerGroup", &id)
                .unwrap_or_default();
            got.iter().any(|l| *l == format!("serving {hostname}"))
                && got.iter().any(|l| l.ends_with("url:/"))
        }),
        "the app's lines never reached the log group: {got:?}"
    );
    // And `compose logs` still reads them, from the local copy.
    let logs = compose_ok(&b, &dir, &["-p", "cct", "logs", "app"]);
    assert!(
        logs.contains(&format!("app-1  | serving {hostname}")),
        "{logs}"
    );
    assert_eq!(
        b.ok(&["inspect", "-f", "{{.State.Error}}", "cct-app-1"]),
        ""
    );

    compose_ok(&b, &dir, &with(&files, &["down", "-v"]));
    assert_eq!(b.ok(&["ps", "-aq"]), "");
    let root = b.root.to_string_lossy().to_string();
    assert!(
        eventually(15, || !fs::read_dir("/proc").unwrap().flatten().any(|p| {
            fs::read(p.path().join("cmdline")).is_ok_and(|c| {
                let c = String::from_utf8_lossy(&c);
                c.contains("__logship") && c.contains(root.as_str())
            })
        })),
        "a log shipper outlived its container"
    );
}

#[test]
fn scale_over_a_port_range_and_recreate_only_what_changed() {
    let b = Berth::new();
    b.busybox_image("busybox:latest");
    let first = free_port();
    let range = format!("{first}-{}", first + 10);
    let text = format!(
        "services:\n  web:\n    image: busybox:latest\n    command: [\"sh\", \"-c\", \"mkdir -p /w && hostname > /w/index.html && exec httpd -f -p 80 -h /w\"]\n    ports:\n      - \"{range}:80\"\n  kv:\n    image: busybox:latest\n    command: [\"sleep\", \"300\"]\n    environment:\n      MODE: one\n"
    );
    let dir = project(&b, &[("compose.yaml", &text)]);
    compose_ok(&b, &dir, &["-p", "demo", "up", "-d", "--scale", "web=3"]);
    let mut ports = Vec::new();
    for n in 1..=3 {
        let p = b.ok(&["port", &format!("demo-web-{n}"), "80"]);
        let port: u16 = p.rsplit(':').next().unwrap().parse().unwrap();
        assert!((first..=first + 10).contains(&port), "{p}");
        ports.push(port);
    }
    ports.sort();
    ports.dedup();
    assert_eq!(ports.len(), 3, "each replica has its own host port");

    // Only kv's file changed: only kv is recreated.
    let ids = |name: &str| b.ok(&["inspect", "-f", "{{.Id}}", name]);
    let (web1, kv1) = (ids("demo-web-1"), ids("demo-kv-1"));
    fs::write(
        dir.join("compose.yaml"),
        text.replace("MODE: one", "MODE: two"),
    )
    .unwrap();
    let again = compose(&b, &dir, &["-p", "demo", "up", "-d", "--scale", "web=3"]);
    assert_eq!(again.code, 0, "{}", again.stderr);
    assert_eq!(ids("demo-web-1"), web1);
    assert_ne!(ids("demo-kv-1"), kv1);
    assert!(
        again.stderr.contains("Container demo-kv-1  Recreated"),
        "{}",
        again.stderr
    );
    let env = b.ok(&["exec", "demo-kv-1", "sh", "-c", "echo $MODE"]);
    assert_eq!(env, "two");

    // Scaling down removes the highest replicas.
    compose_ok(&b, &dir, &["-p", "demo", "up", "-d", "--scale", "web=1"]);
    assert!(b.run(&["inspect", "demo-web-3"]).code != 0);
    compose_ok(&b, &dir, &["-p", "demo", "down"]);
    assert_eq!(b.ok(&["ps", "-aq"]), "");
}

#[test]
fn a_failed_condition_stops_up_naming_the_service_and_its_log() {
    let b = Berth::new();
    b.busybox_image("busybox:latest");
    let text = "services:\n  db:\n    image: busybox:latest\n    command: [\"sh\", \"-c\", \"echo db is broken; exit 3\"]\n    healthcheck:\n      test: [\"CMD\", \"true\"]\n      interval: 1s\n  app:\n    image: busybox:latest\n    command: [\"sleep\", \"300\"]\n    depends_on:\n      db:\n        condition: service_healthy\n";
    let dir = project(&b, &[("compose.yaml", text)]);
    let o = compose(&b, &dir, &["-p", "bad", "up", "-d"]);
    assert_ne!(o.code, 0);
    assert!(
        o.stderr
            .contains("dependency failed to start: container bad-db-1 exited (3)"),
        "{}",
        o.stderr
    );
    assert!(o.stderr.contains("db is broken"), "{}", o.stderr);
    assert!(
        b.run(&["inspect", "bad-app-1"]).code != 0,
        "app was created anyway"
    );
    compose_ok(&b, &dir, &["-p", "bad", "down"]);

    // A bad file creates nothing and says where.
    fs::write(
        dir.join("compose.yaml"),
        "services:\n  app:\n    image: busybox\n    portz: [80]\n",
    )
    .unwrap();
    let o = compose(&b, &dir, &["up", "-d"]);
    assert_ne!(o.code, 0);
    assert!(
        o.stderr
            .contains("compose.yaml:4: services.app additional properties 'portz' not allowed"),
        "{}",
        o.stderr
    );
    assert_eq!(b.ok(&["ps", "-aq"]), "");
}

#[test]
fn run_exec_port_and_secrets() {
    let b = Berth::new();
    b.busybox_image("busybox:latest");
    let port = free_port();
    let text = format!(
        "services:\n  kv:\n    image: busybox:latest\n    command: [\"sh\", \"-c\", \"mkdir -p /w && echo kv-answer > /w/index.html && exec httpd -f -p 80 -h /w\"]\n  web:\n    image: busybox:latest\n    command: [\"sleep\", \"300\"]\n    ports: [\"{port}:80\"]\n    depends_on: [kv]\n    secrets: [token, file_secret]\nsecrets:\n  token:\n    environment: TOKEN\n  file_secret:\n    file: ./secret.txt\n"
    );
    let dir = project(
        &b,
        &[("compose.yaml", &text), ("secret.txt", "from-a-file\n")],
    );
    let up = b
        .cmd()
        .current_dir(&dir)
        .env("TOKEN", "s3cret")
        .args(["compose", "-p", "tools", "up", "-d"])
        .output()
        .unwrap();
    assert!(
        up.status.success(),
        "{}",
        String::from_utf8_lossy(&up.stderr)
    );
    let exec = |args: &[&str]| {
        let mut all = vec!["-p", "tools", "exec", "-T", "web"];
        all.extend_from_slice(args);
        compose_ok(&b, &dir, &all)
    };
    assert_eq!(exec(&["cat", "/run/secrets/token"]), "s3cret");
    assert_eq!(exec(&["cat", "/run/secrets/file_secret"]), "from-a-file\n");
    // Services find each other by name on the project's network.
    assert_eq!(exec(&["wget", "-q", "-O-", "http://kv/"]), "kv-answer\n");
    assert_eq!(
        compose_ok(&b, &dir, &["-p", "tools", "port", "web", "80"]).trim(),
        format!("0.0.0.0:{port}")
    );
    // A one-off container: the command's output and exit code, removed with --rm.
    let o = b
        .cmd()
        .current_dir(&dir)
        .env("TOKEN", "s3cret")
        .args([
            "compose",
            "-p",
            "tools",
            "run",
            "--rm",
            "--no-deps",
            "kv",
            "sh",
            "-c",
            "echo one-off; exit 7",
        ])
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(7));
    assert!(String::from_utf8_lossy(&o.stdout).contains("one-off"));
    let left = b.ok(&[
        "ps",
        "-aq",
        "--filter",
        "label=com.docker.compose.oneoff=True",
    ]);
    assert_eq!(left, "", "the --rm one-off container is still there");
    compose_ok(&b, &dir, &["-p", "tools", "down"]);
    assert_eq!(b.ok(&["ps", "-aq"]), "");
}

#[test]
fn each_kind_of_bad_file_is_refused_naming_where_and_creates_nothing() {
    let b = Berth::new();
    b.busybox_image("busybox:latest");
    let dir = project(&b, &[("compose.yaml", "")]);
    let svc = "services:\n  web:\n    image: busybox:latest\n";
    let cases: Vec<(String, &str)> = vec![
        (
            format!("{svc}    portz: [80]\n"),
            "compose.yaml:4: services.web additional properties 'portz' not allowed",
        ),
        (
            format!("{svc}    ports: {{a: 1}}\n"),
            "compose.yaml:4: services.web.ports: must be a list, not a mapping",
        ),
        (
            format!("{svc}    mem_limit: lots\n"),
            "compose.yaml:4: services.web.mem_limit: invalid size: 'lots'",
        ),
        (
            "services:\n  web:\n    image: \"${TAG:?TAG must be set}\"\n".into(),
            "compose.yaml:3: error while interpolating services.web.image: required variable TAG is missing a value: TAG must be set",
        ),
        (
            "services:\n  web:\n    image: \"${TAG\"\n".into(),
            "compose.yaml:3: invalid interpolation format for services.web.image",
        ),
        (
            format!("{svc}    env_file: missing.env\n"),
            "compose.yaml:4: env file",
        ),
        (
            format!("{svc}   bad: indent\n"),
            "compose.yaml: line 4 column 4",
        ),
        (
            format!("{svc}    depends_on: [nope]\n"),
            "compose.yaml:4: service \"web\" depends on undefined service \"nope\"",
        ),
        (
            "services:\n  a:\n    image: busybox:latest\n    depends_on: [b]\n  b:\n    image: busybox:latest\n    depends_on: [a]\n".into(),
            "dependency cycle detected: a -> b -> a",
        ),
        (
            format!("{svc}    networks: [nonet]\n"),
            "compose.yaml:4: service \"web\" refers to undefined network nonet",
        ),
        (
            format!("{svc}    volumes: [\"data:/d\"]\n"),
            "compose.yaml:4: service \"web\" refers to undefined volume data",
        ),
    ];
    for (text, says) in &cases {
        fs::write(dir.join("compose.yaml"), text).unwrap();
        let o = compose(&b, &dir, &["-p", "bad", "up", "-d"]);
        assert_ne!(o.code, 0, "{text}");
        assert!(
            o.stderr.contains(says),
            "{text}\nwanted {says:?}, got: {}",
            o.stderr
        );
    }
    let missing = compose(&b, &dir, &["-f", "nothere.yml", "config"]);
    assert!(
        missing.code != 0 && missing.stderr.contains("nothere.yml: no such file"),
        "{}",
        missing.stderr
    );
    // Nothing of any of them was made.
    assert_eq!(b.ok(&["ps", "-aq"]), "");
    assert!(!b.ok(&["network", "ls"]).contains("bad_default"));
    assert_eq!(b.ok(&["volume", "ls", "-q"]), "");
}

#[test]
fn dotenv_and_env_file_interpolate_with_the_shell_first() {
    let b = Berth::new();
    b.busybox_image("busybox:latest");
    let text = "services:\n  web:\n    image: \"busybox:${TAG}\"\n    command: [\"true\"]\n    environment:\n      GREETING: ${GREETING:-hello}\n      WHO: ${WHO-nobody}\n      SET: ${TAG:+tagged}\n      LITERAL: $$HOME\n";
    let dir = project(
        &b,
        &[
            ("compose.yaml", text),
            (".env", "TAG=latest\n# a comment\nWHO=\"the world\"\n"),
            ("other.env", "TAG=other\nGREETING=hi\n"),
        ],
    );
    let env = |args: &[&str], shell: &[(&str, &str)]| -> serde_json::Value {
        let mut c = b.cmd();
        c.current_dir(&dir).arg("compose").args(args);
        for (k, v) in shell {
            c.env(k, v);
        }
        let o = Out::from(c.args(["config", "--format", "json"]).output().unwrap());
        assert_eq!(o.code, 0, "{}", o.stderr);
        let v: serde_json::Value = serde_json::from_str(&o.stdout).unwrap();
        v["services"]["web"].clone()
    };
    let web = env(&[], &[]);
    assert_eq!(web["image"], "busybox:latest");
    assert_eq!(web["environment"]["GREETING"], "hello");
    assert_eq!(web["environment"]["WHO"], "the world");
    assert_eq!(web["environment"]["SET"], "tagged");
    assert_eq!(web["environment"]["LITERAL"], "$$HOME");
    // --env-file replaces .env; the shell's environment wins over both.
    let web = env(&["--env-file", "other.env"], &[]);
    assert_eq!(web["image"], "busybox:other");
    assert_eq!(web["environment"]["GREETING"], "hi");
    assert_eq!(web["environment"]["WHO"], "nobody");
    let web = env(&[], &[("TAG", "shell")]);
    assert_eq!(web["image"], "busybox:shell");
    // And the interpolated project runs.
    let said = compose_ok(
        &b,
        &dir,
        &[
            "-p",
            "dot",
            "run",
            "--rm",
            "web",
            "sh",
            "-c",
            "echo $GREETING $WHO",
        ],
    );
    assert!(said.contains("hello the world"), "{said}");

    // `rm` asks first: no answer (stdin closed) is no; `-f` does not ask.
    compose_ok(&b, &dir, &["-p", "dot", "create"]);
    let asked = compose(&b, &dir, &["-p", "dot", "rm"]);
    assert!(
        asked.stderr.contains("? Going to remove dot-web-1 (y/N)"),
        "{}",
        asked.stderr
    );
    assert_eq!(b.run(&["inspect", "dot-web-1"]).code, 0);
    let forced = compose(&b, &dir, &["-p", "dot", "rm", "-f"]);
    assert!(
        forced.stderr.contains("Going to remove dot-web-1"),
        "{}",
        forced.stderr
    );
    assert_ne!(b.run(&["inspect", "dot-web-1"]).code, 0);
    compose_ok(&b, &dir, &["-p", "dot", "down"]);
}

#[test]
fn berth_compose_link_takes_v1_spellings_and_events_follow_the_project() {
    let b = Berth::new();
    b.busybox_image("busybox:latest");
    let dir = project(
        &b,
        &[(
            "docker-compose.yml",
            "version: \"3\"\nservices:\n  kv:\n    image: busybox:latest\n    command: [\"sleep\", \"300\"]\n",
        )],
    );
    // `berth system link-compose DIR` makes DIR/berth-compose, which is `berth compose`.
    let bin = b.dir.path().join("bin");
    fs::create_dir_all(&bin).unwrap();
    let linked = b.ok(&["system", "link-compose", bin.to_str().unwrap()]);
    assert!(linked.contains("berth-compose"), "{linked}");
    let spelled_v1 = |args: &[&str]| {
        // berth's own command, with the link as the program.
        let mut cmd = b.cmd();
        let mut linked = std::process::Command::new(bin.join("berth-compose"));
        for (k, v) in cmd.get_envs().filter_map(|(k, v)| Some((k, v?))) {
            linked.env(k, v);
        }
        cmd = linked;
        Out::from(
            cmd.current_dir(&dir)
                .args(args)
                .output()
                .expect("run berth-compose"),
        )
    };

    // Events of the project, as JSON lines, while it starts and stops.
    let mut events = b
        .cmd()
        .current_dir(&dir)
        .args(["compose", "--project-name", "link", "events", "--json"])
        .stdout(std::process::Stdio::piped())
        .spawn()
        .expect("compose events");
    // The v1 spellings: --project-name, -f, the obsolete version key (a warning).
    let up = spelled_v1(&[
        "--project-name",
        "link",
        "-f",
        "docker-compose.yml",
        "up",
        "-d",
    ]);
    assert_eq!(up.code, 0, "{}", up.stderr);
    assert!(
        up.stderr.contains("version"),
        "the obsolete key is warned about: {}",
        up.stderr
    );
    let ps = spelled_v1(&["--project-name", "link", "ps", "--services"]);
    assert_eq!(ps.stdout.trim(), "kv");
    let stop = spelled_v1(&["--project-name", "link", "stop", "-t", "1"]);
    assert_eq!(stop.code, 0, "{}", stop.stderr);

    // The stream saw the container start and die, with the service's name.
    let out = events.stdout.take().unwrap();
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        use std::io::BufRead;
        for line in std::io::BufReader::new(out).lines().map_while(Result::ok) {
            if tx.send(line).is_err() {
                break;
            }
        }
    });
    let mut actions = Vec::new();
    let until = std::time::Instant::now() + std::time::Duration::from_secs(20);
    while !actions.contains(&"die".to_string()) && std::time::Instant::now() < until {
        if let Ok(line) = rx.recv_timeout(std::time::Duration::from_millis(200)) {
            let v: serde_json::Value = serde_json::from_str(&line).expect("a JSON line");
            assert_eq!(v["service"], "kv", "{line}");
            actions.push(v["action"].as_str().unwrap_or_default().to_string());
        }
    }
    let _ = events.kill();
    let _ = events.wait();
    assert!(
        actions.contains(&"start".to_string()) && actions.contains(&"die".to_string()),
        "{actions:?}"
    );
    compose_ok(&b, &dir, &["--project-name", "link", "down"]);
}

#[test]
fn up_build_recreates_a_container_whose_image_was_rebuilt_and_keeps_one_whose_was_not() {
    let b = Berth::new();
    b.busybox_image("busybox:latest");
    let dir = project(
        &b,
        &[
            ("compose.yaml", "services:\n  app:\n    build: .\n"),
            (
                "Dockerfile",
                "FROM busybox:latest\nCMD [\"sleep\", \"300\"]\n",
            ),
        ],
    );
    let id = || b.ok(&["inspect", "-f", "{{.Id}}", "img-app-1"]);
    compose_ok(&b, &dir, &["-p", "img", "up", "-d", "--build"]);
    let first = id();
    // Same file, same build (from the cache): the container stays.
    compose_ok(&b, &dir, &["-p", "img", "up", "-d", "--build"]);
    assert_eq!(id(), first);
    // A changed Dockerfile makes a new image under the same name: recreated.
    fs::write(
        dir.join("Dockerfile"),
        "FROM busybox:latest\nLABEL version=2\nCMD [\"sleep\", \"300\"]\n",
    )
    .unwrap();
    let again = compose(&b, &dir, &["-p", "img", "up", "-d", "--build"]);
    assert_eq!(again.code, 0, "{}", again.stderr);
    assert_ne!(id(), first);
    assert!(
        again.stderr.contains("Container img-app-1  Recreated"),
        "{}",
        again.stderr
    );
    compose_ok(&b, &dir, &["-p", "img", "down"]);
}
