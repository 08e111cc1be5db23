//! Healthchecks, health actions and autoheal through the real binary: real containers,
//! checks run by each container's monitor, State.Health, `ps`, events.

use berth_tests::{eventually, Berth};

/// The container's health history (every check, status change and action).
fn history(b: &Berth, name: &str) -> Vec<serde_json::Value> {
    let id = b.inspect(name, "{{.Id}}");
    std::fs::read_to_string(
        b.root
            .join("containers")
            .join(id)
            .join("health-history.jsonl"),
    )
    .unwrap_or_default()
    .lines()
    .map(|l| serde_json::from_str(l).unwrap())
    .collect()
}

/// The container's events of the last minute, one action per line.
fn actions(b: &Berth, name: &str) -> String {
    let filter = format!("container={name}");
    b.ok(&[
        "events",
        "--since",
        "1m",
        "--until",
        "0s",
        "--filter",
        &filter,
        "--format",
        "{{.Action}}",
    ])
}

fn status(b: &Berth, name: &str) -> String {
    b.ok(&[
        "ps",
        "-a",
        "--filter",
        &format!("name={name}"),
        "--format",
        "{{.Status}}",
    ])
}

fn health(b: &Berth, name: &str) -> String {
    b.inspect(name, "{{.State.Health.Status}}")
}

/// Processes on the machine running exactly `argv`.
fn processes(argv: &[&str]) -> usize {
    let want: Vec<u8> = argv
        .iter()
        .flat_map(|a| [a.as_bytes(), b"\0"].concat())
        .collect();
    std::fs::read_dir("/proc")
        .unwrap()
        .flatten()
        .filter(|e| std::fs::read(e.path().join("cmdline")).is_ok_and(|c| c == want))
        .count()
}

/// A container whose check passes while /tmp/ok exists (made at every start).
fn run_checked(b: &Berth, name: &str, extra: &[&str]) {
    let mut a = vec![
        "run",
        "-d",
        "--name",
        name,
        "--health-cmd",
        "test -f /tmp/ok && echo ok",
        "--health-interval",
        "300ms",
        "--health-retries",
        "3",
        "--stop-timeout",
        "2",
    ];
    a.extend_from_slice(extra);
    a.extend_from_slice(&[
        "busybox",
        "sh",
        "-c",
        "touch /tmp/ok; trap 'exit 0' TERM; while true; do sleep 0.1; done",
    ]);
    b.ok(&a);
}

#[test]
fn starting_then_healthy_then_unhealthy_after_exactly_retries_failures() {
    let b = Berth::new();
    b.busybox_image("busybox");
    // A start period keeps the first check a second away: `ps` sees "starting".
    run_checked(
        &b,
        "web",
        &[
            "--health-start-period",
            "1500ms",
            "--health-start-interval",
            "1s",
        ],
    );
    assert!(
        status(&b, "web").ends_with("(health: starting)"),
        "{}",
        status(&b, "web")
    );
    assert!(eventually(10, || health(&b, "web") == "healthy"));
    assert!(status(&b, "web").ends_with("(healthy)"));
    assert_eq!(
        b.ok(&["ps", "-q", "--filter", "health=healthy"])
            .lines()
            .count(),
        1
    );
    // Let the start period pass, then break the check.
    std::thread::sleep(std::time::Duration::from_millis(1600));
    b.ok(&["exec", "web", "rm", "/tmp/ok"]);
    // While checks run, the log is always valid JSON with Docker's fields, at most 5.
    let mut turned = false;
    for _ in 0..200 {
        let log = b.inspect("web", "{{json .State.Health.Log}}");
        let v: serde_json::Value = serde_json::from_str(&log).expect(&log);
        let entries = v.as_array().unwrap();
        assert!(!entries.is_empty() && entries.len() <= 5);
        for e in entries {
            for k in ["Start", "End", "ExitCode", "Output"] {
                assert!(e.get(k).is_some(), "{k} missing in {e}");
            }
        }
        if health(&b, "web") == "unhealthy" {
            turned = true;
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    assert!(turned, "never turned unhealthy");
    assert!(status(&b, "web").ends_with("(unhealthy)"));
    assert_eq!(
        b.ok(&["ps", "-q", "--filter", "health=unhealthy"])
            .lines()
            .count(),
        1
    );
    // Exactly `retries` failed checks between the last pass and the change.
    let h = history(&b, "web");
    let turn = h
        .iter()
        .position(|e| e["kind"] == "status" && e["text"] == "unhealthy")
        .unwrap();
    let last_pass = h[..turn]
        .iter()
        .rposition(|e| e["kind"] == "check" && e["exit_code"] == 0)
        .unwrap();
    let failures = h[last_pass + 1..turn]
        .iter()
        .filter(|e| e["kind"] == "check")
        .count();
    assert_eq!(failures, 3, "{h:?}");
    // Not watched by autoheal: it stays up, unhealthy.
    assert_eq!(b.inspect("web", "{{.RestartCount}}"), "0");
    let events = actions(&b, "web");
    assert!(events.contains("health_status: healthy\n"), "{events}");
    assert!(events.ends_with("health_status: unhealthy"), "{events}");
}

#[test]
fn autoheal_restarts_a_labelled_container_that_turns_unhealthy() {
    let b = Berth::new();
    b.busybox_image("busybox");
    run_checked(&b, "app", &["-l", "autoheal=true"]);
    assert!(eventually(10, || health(&b, "app") == "healthy"));
    b.ok(&["exec", "app", "rm", "/tmp/ok"]);
    assert!(eventually(15, || b.inspect("app", "{{.RestartCount}}") == "1"));
    // The command made /tmp/ok again at its start: healthy once more.
    assert!(eventually(10, || health(&b, "app") == "healthy"));
    assert_eq!(b.inspect("app", "{{.State.Status}}"), "running");
    let actions = actions(&b, "app");
    let lines: Vec<&str> = actions.lines().collect();
    let unhealthy = lines
        .iter()
        .position(|l| *l == "health_status: unhealthy")
        .unwrap();
    let restart = lines.iter().position(|l| *l == "restart").unwrap();
    assert!(unhealthy < restart, "{lines:?}");
    let h = history(&b, "app");
    assert!(h.iter().any(|e| e["kind"] == "action"
        && e["text"] == "unhealthy after 3 failures, restarted by autoheal"));
}

#[test]
fn a_hanging_check_is_killed_as_a_failure_and_checks_never_pile_up() {
    let b = Berth::new();
    b.busybox_image("busybox");
    b.ok(&[
        "run",
        "-d",
        "--name",
        "slow",
        "--health-cmd",
        "sleep 4242",
        "--health-interval",
        "100ms",
        "--health-timeout",
        "300ms",
        "--health-retries",
        "2",
        "busybox",
        "sh",
        "-c",
        "while true; do echo tick; sleep 0.1; done",
    ]);
    assert!(eventually(10, || health(&b, "slow") == "unhealthy"));
    let log = b.inspect("slow", "{{json .State.Health.Log}}");
    let v: serde_json::Value = serde_json::from_str(&log).unwrap();
    let last = v.as_array().unwrap().last().unwrap().clone();
    assert_eq!(last["ExitCode"], -1);
    assert_eq!(last["Output"], "Health check exceeded timeout (300ms)");
    // At most the one check in flight, ever; and the logs keep flowing meanwhile.
    let ticks = |b: &Berth| b.ok(&["logs", "slow"]).lines().count();
    let before = ticks(&b);
    for _ in 0..20 {
        assert!(processes(&["sleep", "4242"]) <= 1);
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    assert!(
        ticks(&b) >= before + 5,
        "the log stalled behind a hanging check"
    );
    b.ok(&["stop", "-t", "0", "slow"]);
    assert!(eventually(5, || processes(&["sleep", "4242"]) == 0));
}

#[test]
fn health_on_failure_kill_and_stop_and_no_healthcheck_over_the_image() {
    let b = Berth::new();
    b.busybox_image("busybox");
    // kill: SIGKILL, the restart policy (none here) decides.
    run_checked(&b, "killed", &["--health-on-failure", "kill"]);
    assert!(eventually(10, || health(&b, "killed") == "healthy"));
    b.ok(&["exec", "killed", "rm", "/tmp/ok"]);
    assert!(eventually(15, || b.inspect("killed", "{{.State.Status}}") == "exited"));
    assert_eq!(b.inspect("killed", "{{.State.ExitCode}}"), "137");
    // stop: stopped for good, even with --restart always.
    run_checked(
        &b,
        "stopped",
        &["--health-on-failure", "stop", "--restart", "always"],
    );
    assert!(eventually(10, || health(&b, "stopped") == "healthy"));
    b.ok(&["exec", "stopped", "rm", "/tmp/ok"]);
    assert!(eventually(15, || b.inspect("stopped", "{{.State.Status}}") == "exited"));
    assert_eq!(
        b.inspect("stopped", "{{.State.ExitCode}}"),
        "0",
        "stopped with TERM"
    );
    std::thread::sleep(std::time::Duration::from_millis(500));
    assert_eq!(b.inspect("stopped", "{{.State.Status}}"), "exited");
    assert!(b
        .run(&["run", "--health-on-failure", "explode", "busybox", "true"])
        .stderr
        .contains("--health-on-failure"));

    // An image's HEALTHCHECK runs unless --no-healthcheck.
    let id = b.ok(&["create", "busybox", "true"]);
    b.ok(&[
        "commit",
        "-c",
        "HEALTHCHECK --interval=200ms CMD true",
        &id,
        "checked",
    ]);
    b.ok(&["run", "-d", "--name", "img", "checked", "sleep", "1000"]);
    b.ok(&[
        "run",
        "-d",
        "--name",
        "nohc",
        "--no-healthcheck",
        "checked",
        "sleep",
        "1000",
    ]);
    assert!(eventually(10, || health(&b, "img") == "healthy"));
    assert_eq!(b.inspect("nohc", "{{json .State.Health}}"), "null");
    assert!(!status(&b, "nohc").contains("health"));
    assert_eq!(
        b.ok(&["ps", "--filter", "health=none", "--format", "{{.Names}}"]),
        "nohc"
    );
}

#[test]
fn a_killed_monitor_leaves_readable_state_and_the_truth() {
    let b = Berth::new();
    b.busybox_image("busybox");
    run_checked(&b, "mon", &[]);
    assert!(eventually(10, || health(&b, "mon") == "healthy"));
    b.kill_monitor("mon");
    assert!(eventually(5, || b.inspect("mon", "{{.State.Status}}") == "exited"));
    assert_eq!(b.inspect("mon", "{{.State.ExitCode}}"), "137");
    let v: serde_json::Value =
        serde_json::from_str(&b.inspect("mon", "{{json .State.Health}}")).unwrap();
    assert!(v["Log"].as_array().is_some_and(|l| !l.is_empty()));
    assert!(status(&b, "mon").starts_with("Exited (137)"));
}
