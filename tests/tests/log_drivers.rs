//! Remote log drivers end to end: `awslogs` sending to CloudWatch Logs (moto's server on
//! a loopback port), Docker's dual logging (`logs` still reads a local copy), and a
//! service that is away: the container runs on, `inspect` and the events say what
//! fails, and the lines held meanwhile arrive once the service is back.

use berth_tests::moto::Moto;
use berth_tests::{eventually, free_port, Berth};

fn aws_opts(endpoint: &str, group: &str) -> Vec<String> {
    [
        "--log-driver=awslogs".to_string(),
        "--log-opt=awslogs-region=us-east-1".into(),
        format!("--log-opt=awslogs-group={group}"),
        "--log-opt=awslogs-create-group=true".into(),
        format!("--log-opt=awslogs-endpoint={endpoint}"),
    ]
    .into()
}

/// `berth run FLAGS --log-driver awslogs ... REST` with the seed's credentials in the
/// environment; it must succeed.
fn run_aws(b: &Berth, flags: &[&str], endpoint: &str, group: &str, rest: &[&str]) -> String {
    let mut args: Vec<String> = vec!["run".into()];
    args.extend(flags.iter().map(|s| s.to_string()));
    args.extend(aws_opts(endpoint, group));
    args.extend(rest.iter().map(|s| s.to_string()));
    let out = berth_tests::Out::from(
        b.cmd()
            .env("AWS_ACCESS_KEY_ID", "test")
            .env("AWS_SECRET_ACCESS_KEY", "test")
            .args(&args)
            .output()
            .expect("spawn berth"),
    );
    assert_eq!(out.code, 0, "{}", out.stderr);
    out.stdout
}

#[test]
fn awslogs_ships_each_line_to_the_containers_stream_and_logs_still_reads_them() {
    let b = Berth::new();
    b.busybox_image("busybox:latest");
    let moto = Moto::start();
    run_aws(
        &b,
        &["--name", "shipped"],
        &moto.endpoint(),
        "berthGroup",
        &[
            "busybox:latest",
            "sh",
            "-c",
            "echo one; echo two >&2; echo; echo three",
        ],
    );
    let id = b.ok(&["inspect", "-f", "{{.Id}}", "shipped"]);
    // The stream is named for the container's ID; empty lines are not sent.
    let mut got = Vec::new();
    assert!(
        eventually(20, || {
            got = moto.log_events("berthGroup", &id).unwrap_or_default();
            got.len() == 3
        }),
        "{got:?}"
    );
    // In the order written on each stream (stdout and stderr are two pipes: how
    // their lines interleave is the reader's luck).
    let stdout: Vec<&String> = got.iter().filter(|l| *l != "two").collect();
    assert_eq!(stdout, ["one", "three"]);
    assert!(got.contains(&"two".to_string()));
    // Dual logging: the local copy still answers `logs`.
    let logs = b.run(&["logs", "shipped"]);
    assert!(
        logs.stdout.contains("one") && logs.stderr.contains("two"),
        "{}",
        logs.stdout
    );
    assert_eq!(b.ok(&["inspect", "-f", "{{.State.Error}}", "shipped"]), "");
    assert_eq!(
        b.ok(&["inspect", "-f", "{{.HostConfig.LogConfig.Type}}", "shipped"]),
        "awslogs"
    );
    b.ok(&["rm", "shipped"]);
}

#[test]
fn a_service_away_never_stops_the_container_and_its_lines_arrive_once_it_is_back() {
    let b = Berth::new();
    b.busybox_image("busybox:latest");
    let port = free_port();
    let endpoint = format!("http://127.0.0.1:{port}");
    let id = run_aws(
        &b,
        &[
            "-d",
            "--name",
            "patient",
            "--log-opt=mode=non-blocking",
            "--log-opt=awslogs-force-flush-interval-seconds=1",
        ],
        &endpoint,
        "lateGroup",
        &[
            "busybox:latest",
            "sh",
            "-c",
            "i=0; while true; do i=$((i+1)); echo tick $i; sleep 0.1; done",
        ],
    )
    .trim()
    .to_string();

    // Nothing listens: the failure is in inspect and the events, the container runs.
    assert!(
        eventually(20, || b
            .ok(&["inspect", "-f", "{{.State.Error}}", "patient"])
            .contains("log driver awslogs")),
        "inspect never said the driver fails"
    );
    assert_eq!(
        b.ok(&["inspect", "-f", "{{.State.Status}}", "patient"]),
        "running"
    );
    let events = b.ok(&[
        "events",
        "--since",
        "0",
        "--until",
        "0s",
        "--filter",
        "container=patient",
    ]);
    assert!(events.contains("log_driver: failed"), "{events}");
    assert!(b
        .ok(&["logs", "--tail", "1", "patient"])
        .starts_with("tick "));

    // The service comes up: what was held is delivered, and the failure clears.
    let moto = Moto::start_on(port);
    let mut got = Vec::new();
    assert!(
        eventually(30, || {
            got = moto.log_events("lateGroup", &id).unwrap_or_default();
            got.first().is_some_and(|l| l == "tick 1") && got.len() > 20
        }),
        "held lines never arrived: {got:?}"
    );
    assert!(eventually(10, || b
        .ok(&["inspect", "-f", "{{.State.Error}}", "patient"])
        .is_empty()));
    let events = b.ok(&[
        "events",
        "--since",
        "0",
        "--until",
        "0s",
        "--filter",
        "container=patient",
    ]);
    assert!(events.contains("log_driver: resumed"), "{events}");
    b.ok(&["rm", "-f", "patient"]);
}

#[test]
fn bad_awslogs_options_are_refused_naming_the_option() {
    let b = Berth::new();
    b.busybox_image("busybox:latest");
    let out = b.run(&[
        "run",
        "--log-driver",
        "awslogs",
        "--log-opt",
        "awslogs-region=us-east-1",
        "busybox:latest",
        "true",
    ]);
    assert_eq!(out.code, 125);
    assert!(
        out.stderr.contains("awslogs-group") && out.stderr.contains("--log-opt"),
        "{}",
        out.stderr
    );
    assert_eq!(b.ok(&["ps", "-aq"]), "", "nothing is created");
}
