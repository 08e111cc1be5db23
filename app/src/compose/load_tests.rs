//! The loader end to end on files in a temp dir: discovery, `.env`, merging `-f` files
//! in order, `extends` and `include` across files, and each class of error with the
//! file, line and key path it names.

use std::collections::BTreeMap;
use std::fs;
use std::path::Path;

use super::load::{load, LoadOptions, Loaded};

fn write(dir: &Path, name: &str, text: &str) {
    let p = dir.join(name);
    if let Some(parent) = p.parent() {
        fs::create_dir_all(parent).unwrap();
    }
    fs::write(p, text).unwrap();
}

fn opts(dir: &Path, files: &[&str], env: &[(&str, &str)]) -> LoadOptions {
    LoadOptions {
        files: files.iter().map(|s| s.to_string()).collect(),
        working_dir: dir.to_path_buf(),
        process_env: env
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect::<BTreeMap<_, _>>(),
        ..Default::default()
    }
}

fn ok(o: &LoadOptions) -> Loaded {
    match load(o) {
        Ok(l) => l,
        Err(e) => panic!("load failed: {e}"),
    }
}

fn err(o: &LoadOptions) -> String {
    match load(o) {
        Ok(_) => panic!("loaded, but an error was expected"),
        Err(e) => e.to_string(),
    }
}

#[test]
fn the_seed_000_project_with_its_override_file() {
    let d = tempfile::tempdir().unwrap();
    let dir = d.path().join("CCT Demo");
    write(
        &dir,
        "docker-compose.yml",
        "services:\n  db:\n    image: busybox\n    healthcheck:\n      test: nc -z localhost 5432\n      interval: 2s\n  seeder:\n    image: busybox\n    depends_on:\n      db:\n        condition: service_healthy\n  app:\n    build: .\n    ports:\n      - \"${APP_PORT:-5000}:80\"\n    labels:\n      autoheal: \"true\"\n    depends_on: [db]\n",
    );
    write(
        &dir,
        "docker-compose.awslogs.yml",
        "services:\n  app:\n    logging:\n      driver: awslogs\n      options:\n        awslogs-region: us-east-1\n        awslogs-group: cctWebServerGroup\n        awslogs-create-group: \"true\"\n",
    );
    write(&dir, ".env", "APP_PORT=5055\n");
    let l = ok(&LoadOptions {
        project_name: Some("cct".into()),
        ..opts(
            &dir,
            &["docker-compose.yml", "docker-compose.awslogs.yml"],
            &[],
        )
    });
    let p = &l.project;
    assert_eq!(p.name.as_deref(), Some("cct"));
    let app = &p.services["app"];
    assert_eq!(app.ports[0].published.as_deref(), Some("5055"));
    assert_eq!(app.ports[0].target, Some(80));
    assert_eq!(app.labels["autoheal"], "true");
    let logging = app.logging.as_ref().unwrap();
    assert_eq!(logging.driver.as_deref(), Some("awslogs"));
    assert_eq!(logging.options["awslogs-group"], "cctWebServerGroup");
    assert_eq!(
        app.build.as_ref().unwrap().context.as_deref(),
        Some(dir.to_str().unwrap())
    );
    assert_eq!(p.networks["default"].name.as_deref(), Some("cct_default"));
    let seeder_dep = &p.services["seeder"].depends_on["db"];
    assert_eq!(
        serde_json::to_value(seeder_dep).unwrap()["condition"],
        "service_healthy"
    );
    // Without -p the directory names the project, normalized.
    let l = ok(&opts(&dir, &[], &[]));
    assert_eq!(l.project.name.as_deref(), Some("cctdemo"));
    assert_eq!(l.files.len(), 1);
}

#[test]
fn later_files_and_the_shell_win() {
    let d = tempfile::tempdir().unwrap();
    write(
        d.path(),
        "compose.yaml",
        "name: base\nservices:\n  web:\n    image: \"web:${TAG}\"\n    environment: [A=1, B]\n",
    );
    write(
        d.path(),
        "compose.override.yaml",
        "services:\n  web:\n    environment:\n      A: \"2\"\n",
    );
    write(d.path(), ".env", "TAG=from-env-file\nB=from-dotenv\n");
    let l = ok(&opts(d.path(), &[], &[("TAG", "from-shell")]));
    let web = &l.project.services["web"];
    assert_eq!(web.image.as_deref(), Some("web:from-shell"));
    assert_eq!(web.environment["A"].as_deref(), Some("2"));
    assert_eq!(web.environment["B"].as_deref(), Some("from-dotenv"));
    assert_eq!(l.project.name.as_deref(), Some("base"));
    fs::remove_file(d.path().join(".env")).unwrap();
    let l = ok(&opts(d.path(), &[], &[]));
    assert!(
        l.warnings.contains(
            &"The \"TAG\" variable is not set. Defaulting to a blank string.".to_string()
        ),
        "{:?}",
        l.warnings
    );
}

#[test]
fn extends_and_include_across_files() {
    let d = tempfile::tempdir().unwrap();
    write(
        d.path(),
        "common/base.yml",
        "services:\n  app:\n    build: ./app\n    environment: {LEVEL: base}\n",
    );
    write(
        d.path(),
        "kv/compose.yaml",
        "services:\n  kv:\n    image: busybox\n    volumes: [./data:/data]\nvolumes: {}\n",
    );
    write(
        d.path(),
        "compose.yaml",
        "include:\n  - kv/compose.yaml\nservices:\n  web:\n    extends:\n      file: common/base.yml\n      service: app\n    environment: {LEVEL: web}\n    depends_on: [kv]\n",
    );
    let l = ok(&opts(d.path(), &[], &[]));
    let web = &l.project.services["web"];
    let root = d.path().display().to_string();
    assert_eq!(
        web.build.as_ref().unwrap().context.as_deref(),
        Some(format!("{root}/common/app").as_str())
    );
    assert_eq!(web.environment["LEVEL"].as_deref(), Some("web"));
    let kv = &l.project.services["kv"];
    assert_eq!(
        kv.volumes[0].source.as_deref(),
        Some(format!("{root}/kv/data").as_str())
    );
    write(
        d.path(),
        "compose.yaml",
        "include:\n  - kv/compose.yaml\nservices:\n  kv:\n    image: busybox\n",
    );
    let e = err(&opts(d.path(), &[], &[]));
    assert!(
        e.contains("services.kv conflicts with imported resource"),
        "{e}"
    );
}

#[test]
fn every_error_names_its_file_and_line() {
    let d = tempfile::tempdir().unwrap();
    let f = d.path().join("compose.yaml");
    let cases = [
        ("services:\n  web:\n    image: [a\n", "compose.yaml: line"),
        (
            "services:\n  web:\n    image: busybox\n    imagee: x\n",
            "compose.yaml:4: services.web additional properties 'imagee' not allowed",
        ),
        (
            "services:\n  web:\n    image: busybox\n    ports:\n      - \"http:80\"\n",
            "compose.yaml:5: services.web.ports[0]: invalid port",
        ),
        (
            "services:\n  web:\n    image: \"${TAG:?set a tag}\"\n",
            "compose.yaml:3: error while interpolating services.web.image: required variable TAG is missing a value: set a tag",
        ),
        (
            "services:\n  web:\n    image: busybox\n    depends_on: [db]\n",
            "compose.yaml:4: service \"web\" depends on undefined service \"db\": invalid compose project",
        ),
        (
            "services:\n  web:\n    image: busybox\n    stop_grace_period: soon\n",
            "compose.yaml:4: services.web.stop_grace_period",
        ),
    ];
    for (text, want) in cases {
        fs::write(&f, text).unwrap();
        let e = err(&opts(d.path(), &[], &[]));
        let shown = e.replace(&format!("{}/", d.path().display()), "");
        assert!(
            shown.contains(want),
            "{text:?}: got {shown:?}, want {want:?}"
        );
    }
    let e = err(&opts(d.path(), &["nope.yml"], &[]));
    assert!(e.contains("nope.yml: no such file or directory"), "{e}");
    let empty = tempfile::tempdir().unwrap();
    let e = err(&opts(&empty.path().join(""), &[], &[]));
    assert_eq!(e, "no configuration file provided: not found");
    let e = err(&LoadOptions {
        project_name: Some("Bad Name".into()),
        ..opts(d.path(), &[], &[])
    });
    assert!(e.starts_with("invalid project name \"Bad Name\""), "{e}");
}

#[test]
fn stdin_files_and_profiles() {
    let d = tempfile::tempdir().unwrap();
    let text = "services:\n  app: {image: busybox}\n  debug: {image: busybox, profiles: [debug]}\n";
    let mut o = opts(d.path(), &["-"], &[]);
    o.stdin = Some(text.into());
    o.project_name = Some("p".into());
    assert_eq!(ok(&o).project.service_names(), vec!["app"]);
    o.profiles = vec!["debug".into()];
    assert_eq!(ok(&o).project.service_names(), vec!["app", "debug"]);
    o.profiles.clear();
    o.services = vec!["debug".into()];
    assert_eq!(ok(&o).project.service_names(), vec!["app", "debug"]);
    o.services.clear();
    o.process_env
        .insert("COMPOSE_PROFILES".into(), "debug".into());
    assert_eq!(ok(&o).project.service_names(), vec!["app", "debug"]);
}
