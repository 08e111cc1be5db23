//! `exec` into running containers, and recovery after berth processes are killed.

use std::process::Stdio;
use std::time::Duration;

use berth_tests::{eventually, Berth};

#[test]
fn exec_runs_inside_with_user_env_and_workdir() {
    let b = Berth::new();
    b.busybox_image("busybox");
    b.ok(&[
        "run", "-d", "--name", "ex", "-e", "BASE=1", "busybox", "sleep", "1000",
    ]);
    assert_eq!(
        b.ok(&["exec", "ex", "hostname"]),
        b.inspect("ex", "{{.Config.Hostname}}")
    );
    assert_eq!(
        b.ok(&[
            "exec",
            "-u",
            "app",
            "-w",
            "/tmp",
            "-e",
            "X=2",
            "ex",
            "sh",
            "-c",
            "id -u; pwd; echo $BASE$X"
        ]),
        "1000\n/tmp\n12"
    );
    // The exec'd process shares the container's PID namespace: it sees sleep as PID 1.
    assert_eq!(b.ok(&["exec", "ex", "cat", "/proc/1/comm"]), "sleep");
    let o = b.run(&["exec", "ex", "sh", "-c", "exit 7"]);
    assert_eq!(o.code, 7);
    let o = b.run(&["exec", "ex", "nosuchcmd"]);
    assert_eq!(o.code, 127, "{}", o.stderr);
    b.ok(&["exec", "-d", "ex", "sh", "-c", "echo detached > /tmp/d"]);
    assert!(eventually(5, || b
        .run(&["exec", "ex", "cat", "/tmp/d"])
        .stdout
        == "detached\n"));
    b.ok(&["stop", "-t", "0", "ex"]);
    let o = b.run(&["exec", "ex", "true"]);
    assert_ne!(o.code, 0);
    assert!(o.stderr.contains("is not running"), "{}", o.stderr);
}

#[test]
fn monitor_killed_means_container_dead_and_ps_tells_the_truth() {
    let b = Berth::new();
    b.busybox_image("busybox");
    b.ok(&["run", "-d", "--name", "mm", "busybox", "sleep", "1000"]);
    let pid: i32 = b.inspect("mm", "{{.State.Pid}}").parse().unwrap();
    b.kill_monitor("mm");
    // The container's init dies with its monitor (PDEATHSIG).
    assert!(eventually(5, || !std::path::Path::new(&format!(
        "/proc/{pid}"
    ))
    .exists()));
    assert_eq!(
        b.inspect("mm", "{{.State.Status}} {{.State.ExitCode}}"),
        "exited 137"
    );
    assert!(b.ok(&["ps", "-a"]).contains("Exited (137)"));
    // And it can be started again and removed.
    b.ok(&["start", "mm"]);
    assert_eq!(b.inspect("mm", "{{.State.Status}}"), "running");
    b.ok(&["rm", "-f", "mm"]);
}

/// The raw record on disk, not what a reader makes of it.
fn raw_state(b: &Berth, name: &str) -> serde_json::Value {
    let id = b.inspect(name, "{{.Id}}");
    let text = std::fs::read_to_string(b.root.join("containers").join(id).join("state.json"))
        .expect("state.json");
    serde_json::from_str(&text).expect("state json")
}

#[test]
fn a_killed_monitor_is_recorded_once_and_restart_policies_apply() {
    let b = Berth::new();
    b.busybox_image("busybox");
    for (name, policy) in [
        ("pno", "no"),
        ("palways", "always"),
        ("punless", "unless-stopped"),
        ("pfail", "on-failure:2"),
    ] {
        b.ok(&[
            "run",
            "-d",
            "--name",
            name,
            "--restart",
            policy,
            "busybox",
            "sleep",
            "1000",
        ]);
    }
    let pids: Vec<String> = ["pno", "palways", "punless", "pfail"]
        .iter()
        .map(|n| b.inspect(n, "{{.State.Pid}}"))
        .collect();
    for n in ["pno", "palways", "punless", "pfail"] {
        b.kill_monitor(n);
    }
    for pid in &pids {
        assert!(eventually(5, || !std::path::Path::new(&format!(
            "/proc/{pid}"
        ))
        .exists()));
    }
    // The next command records each exit once, at the time it noticed.
    let ps = b.ok(&["ps", "-a", "--format", "{{.Names}} {{.Status}}"]);
    assert!(ps.contains("pno Exited (137)"), "{ps}");
    let raw = raw_state(&b, "pno");
    assert_eq!(raw["status"], "exited", "the record still says {raw}");
    let finished = b.inspect("pno", "{{.State.FinishedAt}}");
    std::thread::sleep(Duration::from_millis(1100));
    assert_eq!(b.inspect("pno", "{{.State.FinishedAt}}"), finished);
    let events = b.ok(&[
        "events",
        "--since",
        "1h",
        "--until",
        "0s",
        "--filter",
        "container=pno",
    ]);
    assert_eq!(events.matches(" die ").count(), 1, "{events}");
    // The policies that restart after a failure started the others again.
    for n in ["palways", "punless", "pfail"] {
        assert_eq!(
            b.inspect(n, "{{.State.Status}} {{.RestartCount}}"),
            "running 1",
            "{n}"
        );
    }
    // A container stopped by hand is not brought back (unless-stopped).
    b.ok(&["stop", "-t", "1", "punless"]);
    b.kill_monitor("palways");
    assert_eq!(b.inspect("punless", "{{.State.Status}}"), "exited");
}

#[test]
fn run_killed_midway_leaves_readable_state() {
    let b = Berth::new();
    b.busybox_image("busybox");
    for delay_ms in [0u64, 5, 20, 60] {
        let mut child = b
            .cmd()
            .args(["run", "-d", "busybox", "sleep", "1000"])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        std::thread::sleep(Duration::from_millis(delay_ms));
        let _ = child.kill();
        let _ = child.wait();
        // Every listed container is readable, and ps agrees with inspect.
        let out = b.run(&["ps", "-a", "--format", "{{.ID}} {{.State}}"]);
        assert_eq!(out.code, 0, "{}", out.stderr);
        for line in out.stdout.lines() {
            let (id, st) = line.split_once(' ').unwrap();
            let st2 = b.inspect(id, "{{.State.Status}}");
            assert!(
                st == st2 || (st == "created" && st2 == "running"),
                "{line} vs {st2}"
            );
        }
    }
}

#[test]
fn twenty_parallel_runs_all_start_with_unique_names() {
    let b = Berth::new();
    b.busybox_image("busybox");
    b.ok_in_parallel(20, &["run", "-d", "busybox", "sleep", "60"]);
    let names = b.ok(&["ps", "--format", "{{.Names}}"]);
    let mut list: Vec<&str> = names.lines().collect();
    assert_eq!(list.len(), 20, "{names}");
    list.sort_unstable();
    list.dedup();
    assert_eq!(list.len(), 20, "duplicate names: {names}");
    // Nothing half-made is left in the state root.
    let stray = std::fs::read_dir(b.root.join("containers"))
        .unwrap()
        .flatten()
        .filter(|e| e.file_name().to_string_lossy().starts_with('.'))
        .count();
    assert_eq!(stray, 0);
}
