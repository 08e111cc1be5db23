//! `service create` and `service update` flags against the JSON Debian's docker CLI
//! (20.10.24) sends for the same command lines: each fixture in `testdata/` is the body
//! of its `POST /services/create` (or `/update`), captured by pointing that docker at a
//! socket that records requests (`--no-resolve-image`, so no registry is asked).

use clap::Parser;
use serde_json::Value;

use crate::cli::Failure;

use super::service_create::{CreateArgs, Lookup};
use super::service_update::UpdateArgs;

#[derive(Parser)]
struct Create {
    #[command(flatten)]
    a: CreateArgs,
}

#[derive(Parser)]
struct Update {
    #[command(flatten)]
    a: UpdateArgs,
}

/// What the capturing socket answered the docker CLI: `netid-NAME` for any network,
/// the secret `db` and the config `app`.
struct Fake;

impl Lookup for Fake {
    fn network_id(&self, name: &str) -> Option<String> {
        Some(format!("netid-{name}"))
    }
    fn secret_id(&self, name: &str) -> Result<String, Failure> {
        match name {
            "db" => Ok("secid-db".into()),
            _ => Err(format!("secret not found: {name}").into()),
        }
    }
    fn config_id(&self, name: &str) -> Result<String, Failure> {
        match name {
            "app" => Ok("cfgid-app".into()),
            _ => Err(format!("config not found: {name}").into()),
        }
    }
}

fn create(args: &[&str]) -> Value {
    let argv = std::iter::once("create").chain(args.iter().copied());
    let c = Create::try_parse_from(argv).unwrap_or_else(|e| panic!("{args:?}: {e}"));
    let spec = c.a.spec(&Fake).unwrap_or_else(|e| panic!("{}", e.message));
    canon(serde_json::to_value(spec).unwrap())
}

fn create_err(args: &[&str]) -> String {
    let argv = std::iter::once("create").chain(args.iter().copied());
    match Create::try_parse_from(argv) {
        Err(e) => e.to_string(),
        Ok(c) => match c.a.spec(&Fake) {
            Err(e) => e.message,
            Ok(_) => panic!("{args:?} was accepted"),
        },
    }
}

fn fixture(name: &str) -> Value {
    let path = format!(
        "{}/src/cli/swarm/testdata/{name}",
        env!("CARGO_MANIFEST_DIR")
    );
    canon(serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap())
}

/// What differs in form only: Go writes `Healthcheck` where bollard's model (after the
/// API's swagger) writes `HealthCheck`, and Go's decoder takes either; `0` and `0.0`
/// are one ratio; Docker's client orders secrets and configs by a map's iteration.
fn canon(v: Value) -> Value {
    match v {
        Value::Object(o) => Value::Object(
            o.into_iter()
                .map(|(k, v)| {
                    let k = if k == "Healthcheck" {
                        "HealthCheck".into()
                    } else {
                        k
                    };
                    let mut v = canon(v);
                    if k == "Secrets" || k == "Configs" {
                        if let Value::Array(a) = &mut v {
                            a.sort_by_key(|x| x["File"]["Name"].to_string());
                        }
                    }
                    (k, v)
                })
                .collect(),
        ),
        Value::Array(a) => Value::Array(a.into_iter().map(canon).collect()),
        Value::Number(n) => match n.as_f64() {
            Some(f) if f.fract() == 0.0 && n.is_f64() => Value::from(f as i64),
            _ => Value::Number(n),
        },
        v => v,
    }
}

#[test]
fn the_least_create_is_dockers() {
    assert_eq!(
        create(&["--detach", "busybox", "sleep", "1000"]),
        fixture("create_least.json")
    );
}

#[test]
fn every_create_flag_is_dockers() {
    let dir = tempfile::tempdir().unwrap();
    let env_file = dir.path().join("envfile");
    std::fs::write(&env_file, "FROMFILE=1\n# comment\nB=2\n").unwrap();
    let env_file = env_file.to_str().unwrap();
    let args = [
        "-d",
        "--no-resolve-image",
        "--name",
        "web",
        "--replicas",
        "3",
        "-p",
        "4000:80",
        "--publish",
        "published=8443,target=443,protocol=udp,mode=host",
        "-p",
        "53/udp",
        "--network",
        "webnet",
        "-e",
        "A=1",
        "-e",
        "B=3",
        "--env-file",
        env_file,
        "--label",
        "tier=front",
        "--label",
        "solo",
        "--container-label",
        "c=1",
        "--constraint",
        "node.role==manager",
        "--constraint",
        "node.labels.zone!=b",
        "--limit-cpu",
        "0.5",
        "--limit-memory",
        "50M",
        "--reserve-cpu",
        "0.25",
        "--reserve-memory",
        "20m",
        "--restart-condition",
        "on-failure",
        "--restart-delay",
        "3s",
        "--restart-max-attempts",
        "4",
        "--restart-window",
        "1m",
        "--update-parallelism",
        "2",
        "--update-delay",
        "10s",
        "--update-order",
        "start-first",
        "--update-failure-action",
        "rollback",
        "--update-monitor",
        "2s",
        "--rollback-parallelism",
        "3",
        "--rollback-delay",
        "1s",
        "--rollback-order",
        "stop-first",
        "--rollback-failure-action",
        "continue",
        "--rollback-monitor",
        "4s",
        "--health-cmd",
        "wget -q localhost",
        "--health-interval",
        "5s",
        "--health-timeout",
        "2s",
        "--health-retries",
        "3",
        "--health-start-period",
        "10s",
        "--secret",
        "db",
        "--secret",
        "source=db,target=/run/x,uid=1,gid=2,mode=0400",
        "--config",
        "app",
        "--config",
        "source=app,target=/etc/app.conf",
        "--mount",
        "type=volume,source=data,target=/data",
        "--mount",
        "type=bind,src=/tmp,dst=/host,readonly",
        "--hostname",
        "h1",
        "--user",
        "1000:1000",
        "--workdir",
        "/srv",
        "--entrypoint",
        "sh -c",
        "--stop-grace-period",
        "20s",
        "--stop-signal",
        "SIGINT",
        "busybox:1.36",
        "echo hi; sleep 100",
    ];
    assert_eq!(create(&args), fixture("create_full.json"));
}

#[test]
fn global_and_no_healthcheck_are_dockers() {
    let args = [
        "-d",
        "--no-resolve-image",
        "--mode",
        "global",
        "--restart-condition",
        "none",
        "--no-healthcheck",
        "--update-monitor",
        "1s",
        "--limit-memory",
        "1g",
        "--publish",
        "published=80,target=8080",
        "nginx",
    ];
    assert_eq!(create(&args), fixture("create_global.json"));
}

#[test]
fn ranges_dns_hosts_caps_and_ulimits_are_dockers() {
    let args = [
        "-d",
        "--no-resolve-image",
        "--health-retries",
        "2",
        "--rollback-order",
        "start-first",
        "-p",
        "8000-8001:80-81",
        "--dns",
        "8.8.8.8",
        "--host",
        "h:1.2.3.4",
        "--read-only",
        "-t",
        "--init",
        "--cap-add",
        "NET_ADMIN",
        "--sysctl",
        "net.core.somaxconn=1024",
        "--ulimit",
        "nofile=100:200",
        "--limit-pids",
        "30",
        "docker.io/library/redis",
    ];
    assert_eq!(create(&args), fixture("create_misc.json"));
}

#[test]
fn bad_values_are_refused_in_dockers_words() {
    assert!(create_err(&["--mode", "global", "--replicas", "2", "x"])
        .contains("replicas can only be used with replicated or replicated-job mode"));
    assert!(create_err(&["--mode", "bogus", "x"])
        .contains("unknown mode: bogus, only replicated and global supported"));
    assert!(
        create_err(&["--no-healthcheck", "--health-cmd", "true", "x"])
            .contains("--no-healthcheck conflicts with --health-* options")
    );
    assert!(create_err(&["--limit-cpu", "lots", "x"])
        .contains("failed to parse lots as a rational number"));
    assert!(create_err(&["--replicas", "-1", "x"]).contains("invalid syntax"));
    assert!(create_err(&["--update-delay", "10", "x"])
        .contains("time: missing unit in duration \"10\""));
    assert!(create_err(&["-p", "published=80", "x"]).contains("missing mandatory field 'target'"));
    assert!(create_err(&["--secret", "target=/x", "x"]).contains("source is required"));
    assert_eq!(
        create_err(&["--secret", "nope", "x"]),
        "secret not found: nope"
    );
    assert_eq!(
        create_err(&["--secret", "db", "--secret", "source=db,target=db", "x"]),
        "duplicate secret target for db not allowed"
    );
}

#[test]
fn an_update_is_dockers() {
    let before: bollard::models::ServiceSpec =
        serde_json::from_value(fixture("update_before.json")).unwrap();
    let args = [
        "update",
        "-d",
        "--image",
        "busybox:1.36",
        "--env-add",
        "B=20",
        "--env-add",
        "D=4",
        "--env-rm",
        "C",
        "--args",
        "sleep 200",
        "--replicas",
        "5",
        "--limit-cpu",
        "1.5",
        "--reserve-memory",
        "64m",
        "--publish-add",
        "5000:50",
        "--publish-rm",
        "90",
        "--label-add",
        "b=2",
        "--force",
        "--update-parallelism",
        "2",
        "web",
    ];
    let u = Update::try_parse_from(args).unwrap_or_else(|e| panic!("{e}"));
    assert!(!u.a.more_than_rollback() || !u.a.rollback);
    let mut spec = before;
    u.a.apply(&mut spec, &Fake)
        .unwrap_or_else(|e| panic!("{}", e.message));
    let mut got = canon(serde_json::to_value(&spec).unwrap());
    let mut want = fixture("update_after.json");
    // Docker's client rebuilds the environment from a map, in no set order; Berth
    // keeps the variables' places. The same variables either way.
    let env = |v: &mut Value| {
        let e = v["TaskTemplate"]["ContainerSpec"]["Env"].take();
        let mut list: Vec<String> = serde_json::from_value(e).unwrap();
        list.sort();
        list
    };
    assert_eq!(env(&mut got), env(&mut want));
    assert_eq!(got, want);
}

#[test]
fn rollback_takes_no_other_flags() {
    let u = Update::try_parse_from(["update", "--rollback", "-d", "web"]).unwrap();
    assert!(!u.a.more_than_rollback());
    let u = Update::try_parse_from(["update", "--rollback", "--replicas", "2", "web"]).unwrap();
    assert!(u.a.more_than_rollback());
}
