//! Container lifecycle through the real binary: run, ps, logs, stop, kill, rm, restart
//! policies, pause, rename, wait, and the errors that must leave nothing behind.

use berth_tests::{eventually, Berth};

#[test]
fn run_prints_output_and_returns_the_exit_code() {
    let b = Berth::new();
    b.busybox_image("busybox:latest");
    let o = b.run(&["run", "--rm", "busybox", "echo", "hello world"]);
    assert_eq!(
        (o.code, o.stdout.as_str()),
        (0, "hello world\n"),
        "{}",
        o.stderr
    );
    let o = b.run(&[
        "run",
        "--rm",
        "busybox",
        "sh",
        "-c",
        "echo out; echo err >&2; exit 3",
    ]);
    assert_eq!(o.code, 3);
    assert_eq!(o.stdout, "out\n");
    assert_eq!(o.stderr, "err\n");
    // --rm removed both.
    assert_eq!(b.ok(&["ps", "-aq"]), "");
}

#[test]
fn detached_container_lists_logs_stops_and_is_removed() {
    let b = Berth::new();
    b.busybox_image("busybox");
    let id = b.ok(&[
        "run",
        "-d",
        "--name",
        "web",
        "busybox",
        "sh",
        "-c",
        "echo started; exec sleep 1000",
    ]);
    assert_eq!(id.len(), 64);
    let ps = b.ok(&["ps"]);
    let lines: Vec<&str> = ps.lines().collect();
    assert!(lines[0].starts_with("CONTAINER ID   IMAGE"), "{ps}");
    assert!(
        lines[1].starts_with(&id[..12]) && lines[1].contains("Up ") && lines[1].ends_with("web"),
        "{ps}"
    );
    assert!(eventually(5, || b.ok(&["logs", "web"]) == "started"));
    assert_eq!(b.inspect("web", "{{.State.Status}}"), "running");
    let pid: i32 = b.inspect("web", "{{.State.Pid}}").parse().unwrap();
    assert!(pid > 1);
    // sleep as PID 1 ignores SIGTERM: stop falls back to SIGKILL after -t.
    b.ok(&["stop", "-t", "1", "web"]);
    assert_eq!(
        b.inspect("web", "{{.State.Status}} {{.State.ExitCode}}"),
        "exited 137"
    );
    assert!(b.ok(&["ps", "-a"]).contains("Exited (137)"));
    assert_eq!(b.ok(&["ps", "-q"]), "");
    b.ok(&["rm", "web"]);
    assert!(b.run(&["inspect", "web"]).code != 0);
    assert!(b.cgroup_dirs().iter().all(|d| !d.join(&id).exists()));
}

#[test]
fn init_forwards_sigterm_so_stop_is_quick_and_clean() {
    let b = Berth::new();
    b.busybox_image("busybox");
    b.ok(&[
        "run", "-d", "--init", "--name", "in", "busybox", "sleep", "1000",
    ]);
    b.ok(&["stop", "in"]);
    // The init passed SIGTERM on; sleep died of it: 128 + 15.
    assert_eq!(b.inspect("in", "{{.State.ExitCode}}"), "143");
}

#[test]
fn kill_pause_unpause_rename_wait() {
    let b = Berth::new();
    b.busybox_image("busybox");
    b.ok(&["run", "-d", "--name", "kk", "busybox", "sleep", "1000"]);
    b.ok(&["pause", "kk"]);
    assert_eq!(
        b.inspect("kk", "{{.State.Status}} {{.State.Paused}}"),
        "paused true"
    );
    assert!(b.ok(&["ps"]).contains("(Paused)"));
    b.ok(&["unpause", "kk"]);
    assert_eq!(b.inspect("kk", "{{.State.Status}}"), "running");
    b.ok(&["rename", "kk", "k2"]);
    assert_eq!(b.inspect("k2", "{{.Name}}"), "/k2");
    b.ok(&["kill", "k2"]);
    assert_eq!(b.ok(&["wait", "k2"]), "137");
    let o = b.run(&["kill", "k2"]);
    assert_ne!(o.code, 0);
    assert!(o.stderr.contains("is not running"), "{}", o.stderr);
}

#[test]
fn restart_policy_on_failure_counts_restarts() {
    let b = Berth::new();
    b.busybox_image("busybox");
    b.ok(&[
        "run",
        "-d",
        "--name",
        "rr",
        "--restart",
        "on-failure:2",
        "busybox",
        "sh",
        "-c",
        "exit 4",
    ]);
    assert!(eventually(10, || b
        .inspect("rr", "{{.State.Status}} {{.RestartCount}}")
        == "exited 2"));
    assert_eq!(b.inspect("rr", "{{.State.ExitCode}}"), "4");
}

#[test]
fn restart_always_stops_when_the_user_stops_it() {
    let b = Berth::new();
    b.busybox_image("busybox");
    b.ok(&[
        "run",
        "-d",
        "--name",
        "aa",
        "--restart",
        "always",
        "busybox",
        "sh",
        "-c",
        "sleep 0.2",
    ]);
    assert!(eventually(10, || b
        .inspect("aa", "{{.RestartCount}}")
        .parse::<i32>()
        .unwrap_or(0)
        >= 2));
    b.ok(&["stop", "-t", "1", "aa"]);
    let n = b.inspect("aa", "{{.RestartCount}}");
    std::thread::sleep(std::time::Duration::from_millis(800));
    assert_eq!(b.inspect("aa", "{{.State.Status}}"), "exited");
    assert_eq!(
        b.inspect("aa", "{{.RestartCount}}"),
        n,
        "no restart after a manual stop"
    );
}

#[test]
fn start_attach_and_generated_names() {
    let b = Berth::new();
    b.busybox_image("busybox");
    let id = b.ok(&["create", "busybox", "echo", "again"]);
    let name = b.inspect(&id, "{{.Name}}");
    let n = name.trim_start_matches('/');
    let (adj, sur) = n.split_once('_').expect("adjective_surname");
    assert!(!adj.is_empty() && !sur.is_empty());
    assert_eq!(b.inspect(&id, "{{.State.Status}}"), "created");
    assert_eq!(b.ok(&["start", "-a", n]), "again");
    assert_eq!(b.ok(&["start", "-a", n]), "again");
    assert_eq!(b.ok(&["logs", n]), "again\nagain");
    assert_eq!(b.ok(&["logs", "--tail", "1", n]), "again");
    let ts = b.ok(&["logs", "-t", n]);
    assert!(ts.lines().all(|l| l.contains("Z again")), "{ts}");
}

#[test]
fn errors_are_one_line_and_leave_nothing_behind() {
    let b = Berth::new();
    b.busybox_image("busybox");
    let o = b.run(&["run", "--rm", "--pull", "never", "nosuchimage", "true"]);
    assert_eq!(o.code, 125);
    assert!(o.stderr.contains("nosuchimage"), "{}", o.stderr);
    assert_eq!(o.stderr.trim().lines().count(), 1, "{}", o.stderr);
    // A pull that fails (a loopback registry that is not there): exit 125, nothing made.
    let o = b.run(&["run", "--rm", "127.0.0.1:1/nosuchimage", "true"]);
    assert_eq!(o.code, 125, "{}", o.stderr);
    assert!(
        o.stderr
            .starts_with("Unable to find image '127.0.0.1:1/nosuchimage:latest' locally"),
        "{}",
        o.stderr
    );

    b.ok(&["create", "--name", "dup", "busybox", "true"]);
    let o = b.run(&["create", "--name", "dup", "busybox", "true"]);
    assert_eq!(o.code, 125);
    assert!(o.stderr.contains("is already in use"), "{}", o.stderr);

    for bad in [
        vec!["run", "-m", "1k", "busybox", "true"],
        vec!["run", "-m", "lots", "busybox", "true"],
        vec!["run", "--cpus", "999", "busybox", "true"],
        vec!["run", "--restart", "sometimes", "busybox", "true"],
        vec![
            "run",
            "--mount",
            "type=bind,source=/no/such/dir,target=/x",
            "busybox",
            "true",
        ],
        vec!["run", "--cap-add", "BOGUS", "busybox", "true"],
        vec!["run", "--name", "-bad", "busybox", "true"],
    ] {
        let o = b.run(&bad);
        assert_eq!(o.code, 125, "{bad:?}: {}", o.stderr);
        // One line of error (a flag's error is followed by Docker's `See '... --help'.`).
        let said: Vec<&str> = o
            .stderr
            .trim()
            .lines()
            .filter(|l| !l.starts_with("See 'berth "))
            .collect();
        assert_eq!(said.len(), 1, "{bad:?}: {}", o.stderr);
    }
    let o = b.run(&["run", "busybox", "/no/such/binary"]);
    assert_eq!(o.code, 127, "{}", o.stderr);
    assert!(o.stderr.contains("/no/such/binary"), "{}", o.stderr);
    // Only the two created containers exist; no cgroup or run dir of a failed one remains.
    assert_eq!(b.ok(&["ps", "-aq"]).lines().count(), 2);
    assert!(b.cgroup_dirs().iter().all(|d| std::fs::read_dir(d)
        .map(|r| r
            .flatten()
            .all(|e| !e.path().is_dir() || e.file_name().len() != 64))
        .unwrap_or(true)));
    let containers = std::fs::read_dir(b.root.join("containers"))
        .unwrap()
        .count();
    assert_eq!(containers, 2);
}

#[test]
fn re_executed_monitor_works_like_the_forked_one() {
    let b = Berth::new();
    b.busybox_image("busybox");
    let run = |args: &[&str]| {
        let o = b
            .cmd()
            .env("BERTH_MONITOR_EXEC", "1")
            .args(args)
            .output()
            .unwrap();
        (
            o.status.code(),
            String::from_utf8_lossy(&o.stdout).into_owned(),
        )
    };
    assert_eq!(
        run(&["run", "--rm", "busybox", "echo", "via exec"]),
        (Some(0), "via exec\n".into())
    );
    let (code, _) = run(&["run", "-d", "--name", "ex1", "busybox", "sleep", "100"]);
    assert_eq!(code, Some(0));
    assert_eq!(b.inspect("ex1", "{{.State.Status}}"), "running");
    b.ok(&["rm", "-f", "ex1"]);
}

#[test]
fn logs_follow_until_exit_and_since_filters() {
    let b = Berth::new();
    b.busybox_image("busybox");
    b.ok(&[
        "run",
        "-d",
        "--name",
        "lf",
        "busybox",
        "sh",
        "-c",
        "for i in 1 2 3; do echo line $i; sleep 0.3; done",
    ]);
    // -f returns by itself once the container exits, with every line.
    let out = b.ok(&["logs", "-f", "lf"]);
    assert_eq!(out, "line 1\nline 2\nline 3");
    assert_eq!(
        b.ok(&["logs", "--since", "2000-01-01T00:00:00Z", "lf"])
            .lines()
            .count(),
        3
    );
    assert_eq!(b.ok(&["logs", "--since", "2100-01-01T00:00:00Z", "lf"]), "");
    let o = b.run(&["logs", "--since", "yesterday-ish", "lf"]);
    assert_ne!(o.code, 0);
    assert!(o.stderr.contains("--since"), "{}", o.stderr);
}

#[test]
fn system_prune_removes_stopped_containers_and_unused_volumes() {
    let b = Berth::new();
    b.busybox_image("busybox");
    b.ok(&[
        "run", "--name", "done1", "-v", "/scratch", "busybox", "true",
    ]);
    b.ok(&["run", "-d", "--name", "live1", "busybox", "sleep", "100"]);
    b.ok(&["volume", "create", "keepme"]);
    let out = b.ok(&["system", "prune", "-f", "--volumes"]);
    assert!(out.contains("Deleted Containers:"), "{out}");
    let left = b.ok(&["ps", "-a", "--format", "{{.Names}}"]);
    assert_eq!(left, "live1");
    // The anonymous volume of the pruned container went; the named one stays.
    assert_eq!(b.ok(&["volume", "ls", "-q"]), "keepme");
    // The image is in use by live1, so even -a keeps it.
    b.ok(&["system", "prune", "-a", "-f"]);
    assert!(b.ok(&["images", "-q"]).len() == 12);
}

#[test]
fn interactive_stdin_reaches_the_container_and_ends_it() {
    let b = Berth::new();
    b.busybox_image("busybox");
    let mut child = b
        .cmd()
        .args(["run", "--rm", "-i", "busybox", "sh", "-c", "wc -l; cat"])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    {
        use std::io::Write;
        let mut input = child.stdin.take().unwrap();
        for i in 0..5000 {
            writeln!(input, "line {i}").unwrap();
        }
    }
    let out = child.wait_with_output().unwrap();
    assert_eq!(out.status.code(), Some(0));
    assert_eq!(String::from_utf8_lossy(&out.stdout).trim(), "5000");
}
