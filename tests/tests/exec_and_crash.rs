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
    assert_eq!(o.code, 126, "{}", o.stderr);
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
    let events = b.events("container=pno");
    assert_eq!(events.matches(" die ").count(), 1, "{events}");
    // The policies that restart after a failure started the others again.
    for n in ["palways", "punless", "pfail"] {
        assert_eq!(
            b.inspect(n, "{{.State.Status}} {{.RestartCount}}"),
            "running 1",
            "{n}"
        );
    }
    // Each crash counts once more; a container stopped by hand stays down.
    b.kill_monitor("palways");
    assert!(eventually(5, || b.inspect("palways", "{{.RestartCount}}") == "2"));
    b.ok(&["stop", "-t", "1", "punless"]);
    assert_eq!(b.inspect("punless", "{{.State.Status}}"), "exited");
}

#[test]
fn a_commit_killed_midway_thaws_its_container_and_leaves_no_temp_files() {
    let b = Berth::new();
    b.busybox_image("busybox");
    // Enough in the upper dir that the layer takes a while to write.
    b.ok(&[
        "run",
        "-d",
        "--name",
        "big",
        "busybox",
        "sh",
        "-c",
        "dd if=/dev/urandom of=/big bs=1M count=150 2>/dev/null; touch /ready; sleep 1000",
    ]);
    assert!(eventually(60, || b
        .run(&["exec", "big", "test", "-e", "/ready"])
        .code
        == 0));
    let id = b.inspect("big", "{{.Id}}");
    let mut child = b
        .cmd()
        .args(["commit", "big", "snap"])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("spawn berth");
    let tmp = b.root.join("tmp");
    let staging = || std::fs::read_dir(&tmp).map(|d| d.count()).unwrap_or(0) > 0;
    assert!(eventually(10, staging), "the commit never staged its layer");
    let state = b.root.join("containers").join(&id).join("state.json");
    assert!(
        std::fs::read_to_string(&state).is_ok_and(|s| s.contains("\"paused\"")),
        "the commit pauses the container"
    );
    let _ = child.kill();
    let _ = child.wait();
    // The next command thaws it and clears the staging area.
    assert_eq!(b.inspect("big", "{{.State.Status}}"), "running");
    assert_eq!(b.run(&["exec", "big", "true"]).code, 0, "still frozen");
    assert!(
        !staging(),
        "temp files left: {:?}",
        std::fs::read_dir(&tmp).map(|d| d.count())
    );
    assert!(b.run(&["image", "inspect", "snap"]).code != 0);
}

#[test]
fn network_connect_and_rm_killed_midway_are_undone_or_finished() {
    let b = Berth::new();
    b.busybox_image("busybox");
    b.ok(&["network", "create", "--subnet", &b.user_subnet(5), "side"]);
    let net_id = b.ok(&["network", "inspect", "--format", "{{.Id}}", "side"]);
    for (i, delay_ms) in [0u64, 2, 5, 10, 20, 40].into_iter().enumerate() {
        let name = format!("k{i}");
        b.ok(&["run", "-d", "--name", &name, "busybox", "sleep", "1000"]);
        let id = b.inspect(&name, "{{.Id}}");
        b.killed_after(
            &["network", "connect", "side", &name],
            Duration::from_millis(delay_ms),
        );
        // After the next command: connected in full (record, interface, address) or
        // not at all. The kernel unregisters a deleted veth's peer in the container's
        // namespace a moment after the host end, so the state is read until it settles.
        let look = || {
            let in_record = b.inspect(
                &name,
                "{{range $k, $v := .NetworkSettings.Networks}}{{$k}} {{end}}",
            );
            let has_if = b.run(&["exec", &name, "ip", "link", "show", "eth1"]).code == 0;
            let endpoints = std::fs::read_to_string(
                b.root.join("networks").join(&net_id).join("endpoints.json"),
            )
            .expect("endpoints");
            (in_record.contains("side"), has_if, endpoints.contains(&id))
        };
        let settled = |(r, i, a): (bool, bool, bool)| (r && i && a) || (!r && !i && !a);
        let mut seen = look();
        let _ = eventually(3, || {
            seen = look();
            settled(seen)
        });
        assert!(
            settled(seen),
            "delay {delay_ms}: record has side {}, eth1 {}, address {}",
            seen.0,
            seen.1,
            seen.2
        );

        b.killed_after(&["rm", "-f", &name], Duration::from_millis(delay_ms));
        // Gone in full (no run dir, no address, a destroy event) or still whole.
        let o = b.run(&["inspect", "--format", "{{.State.Status}}", &name]);
        if o.code != 0 {
            assert!(
                !b.run_root.join("containers").join(&id).exists(),
                "run dir left"
            );
            let endpoints = std::fs::read_to_string(
                b.root.join("networks").join(&net_id).join("endpoints.json"),
            )
            .expect("endpoints");
            assert!(!endpoints.contains(&id), "address left");
            let ev = b.events(&format!("container={id}"));
            assert!(ev.contains(" destroy "), "no destroy event: {ev}");
        } else {
            b.ok(&["rm", "-f", &name]);
        }
    }
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
