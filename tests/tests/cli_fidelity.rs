//! The docker CLI as users type it: mistakes are refused up front, in Docker's words and
//! with Docker's exit codes, and nothing is made for them.

use berth_tests::Berth;

#[test]
fn bad_input_is_refused_up_front_with_dockers_codes() {
    let b = Berth::new();
    b.busybox_image("busybox");
    let refused = |args: &[&str], code: i32, says: &str| {
        let o = b.run(args);
        assert_eq!(o.code, code, "{args:?}: {}{}", o.stdout, o.stderr);
        assert!(o.stderr.contains(says), "{args:?}: {}", o.stderr);
    };
    refused(&["run", "--bogus", "busybox"], 125, "unknown flag: --bogus");
    refused(
        &["create", "--bogus", "busybox"],
        125,
        "unknown flag: --bogus",
    );
    refused(
        &["exec", "--bogus", "c", "sh"],
        125,
        "unknown flag: --bogus",
    );
    refused(&["ps", "--bogus"], 125, "unknown flag: --bogus");
    refused(
        &["exec", "c"],
        1,
        "\"berth exec\" requires at least 2 arguments.",
    );
    refused(&["run"], 1, "\"berth run\" requires at least 1 argument.");
    refused(
        &["run", "-e", "=x", "busybox", "true"],
        125,
        "invalid environment variable: =x",
    );
    let long = "h".repeat(65);
    refused(
        &["run", "--hostname", &long, "busybox", "true"],
        125,
        "the limit is 64",
    );
    // None of them left a container behind.
    assert_eq!(b.ok(&["ps", "-aq"]), "");
    // A flag after the image is the command's.
    assert_eq!(
        b.ok(&["run", "--rm", "busybox", "echo", "-n", "--bogus"]),
        "--bogus"
    );
}

#[test]
fn the_host_network_keeps_the_hosts_name() {
    let b = Berth::new();
    b.busybox_image("busybox");
    let host = nix_hostname();
    assert_eq!(
        b.ok(&["run", "--rm", "--network", "host", "busybox", "hostname"]),
        host
    );
    let own = b.ok(&[
        "run",
        "--rm",
        "--network",
        "host",
        "--hostname",
        "box",
        "busybox",
        "hostname",
    ]);
    assert_eq!(own, "box");
}

fn nix_hostname() -> String {
    std::fs::read_to_string("/proc/sys/kernel/hostname")
        .expect("hostname")
        .trim()
        .to_string()
}

#[test]
fn containers_carry_dockerenv_and_diff_does_not_show_it() {
    let b = Berth::new();
    b.busybox_image("busybox");
    b.ok(&[
        "run",
        "--name",
        "env",
        "busybox",
        "test",
        "-f",
        "/.dockerenv",
    ]);
    assert_eq!(b.ok(&["diff", "env"]), "");
}

#[test]
fn exec_of_a_missing_command_is_126_and_commit_entrypoint_resets_cmd() {
    let b = Berth::new();
    b.busybox_image("busybox");
    b.ok(&["run", "-d", "--name", "c1", "busybox", "sleep", "1000"]);
    let o = b.run(&["exec", "c1", "/no/such"]);
    assert_eq!(o.code, 126, "{}", o.stderr);
    assert!(o.stderr.contains("/no/such"), "{}", o.stderr);
    b.ok(&["commit", "-c", "ENTRYPOINT [\"echo\"]", "c1", "ep"]);
    assert_eq!(
        b.ok(&[
            "image",
            "inspect",
            "--format",
            "{{json .Config.Entrypoint}} {{json .Config.Cmd}}",
            "ep"
        ]),
        "[\"echo\"] null"
    );
    b.ok(&[
        "commit",
        "-c",
        "ENTRYPOINT [\"echo\"]",
        "-c",
        "CMD [\"hi\"]",
        "c1",
        "ep2",
    ]);
    assert_eq!(b.ok(&["run", "--rm", "ep2"]), "hi");
}

/// The first of `files` that the container's cgroup has (v1 or v2 name), trimmed.
#[test]
fn every_management_spelling_docker_has_works() {
    let b = Berth::new();
    b.busybox_image("busybox");
    b.ok(&["container", "create", "--name", "c1", "busybox", "true"]);
    // container inspect, and it is about containers only.
    assert_eq!(
        b.ok(&["container", "inspect", "-f", "{{.Name}}", "c1"]),
        "/c1"
    );
    let o = b.run(&["container", "inspect", "busybox"]);
    assert_eq!(o.code, 1, "{}", o.stdout);
    assert!(
        o.stderr.contains("No such container: busybox"),
        "{}",
        o.stderr
    );
    for ls in ["ls", "list", "ps"] {
        assert!(
            b.ok(&["container", ls, "-a"]).contains("c1"),
            "container {ls}"
        );
    }
    for ls in ["ls", "list"] {
        assert!(b.ok(&["image", ls]).contains("busybox"), "image {ls}");
        b.ok(&["network", ls]);
        b.ok(&["volume", ls]);
    }
    b.ok(&["image", "tag", "busybox", "bb:one"]);
    b.ok(&["image", "tag", "busybox", "bb:two"]);
    b.ok(&["image", "rm", "bb:one"]);
    b.ok(&["image", "remove", "bb:two"]);
    b.ok(&["image", "history", "busybox"]);
    b.ok(&["image", "inspect", "busybox"]);
    b.ok(&["volume", "create", "v1"]);
    b.ok(&["volume", "remove", "v1"]);
    b.ok(&["network", "create", "n1"]);
    b.ok(&["network", "remove", "n1"]);
    b.ok(&["container", "update", "--pids-limit", "20", "c1"]);
    b.ok(&["container", "rename", "c1", "c2"]);
    b.ok(&["container", "remove", "c2"]);
    b.ok(&["system", "df"]);
    b.ok(&["system", "info"]);
    // system events is events: the removal above is in the journal.
    let ev = b.ok(&[
        "system",
        "events",
        "--since",
        "5m",
        "--until",
        "0s",
        "--filter",
        "event=destroy",
    ]);
    assert!(ev.contains("container destroy"), "{ev}");
}

#[test]
fn update_changes_a_running_containers_cgroup_and_record_at_once() {
    let b = Berth::new();
    b.busybox_image("busybox");
    let id = b.ok(&[
        "run",
        "-d",
        "--name",
        "up",
        "--network",
        "none",
        "-m",
        "64m",
        "busybox",
        "sleep",
        "300",
    ]);
    assert_eq!(
        b.ok(&[
            "update",
            "-m",
            "100m",
            "--memory-swap",
            "200m",
            "--pids-limit",
            "50",
            "--cpu-period",
            "50000",
            "--cpu-quota",
            "25000",
            "--restart",
            "on-failure:2",
            "up"
        ]),
        "up",
        "Docker prints the names it updated"
    );
    assert_eq!(
        b.inspect(
            "up",
            "{{.HostConfig.Memory}} {{.HostConfig.MemorySwap}} {{.HostConfig.PidsLimit}} {{.HostConfig.CpuPeriod}} {{.HostConfig.CpuQuota}} {{.HostConfig.RestartPolicy.Name}}:{{.HostConfig.RestartPolicy.MaximumRetryCount}}"
        ),
        "104857600 209715200 50 50000 25000 on-failure:2"
    );
    assert_eq!(b.cgroup_value(&id, &["pids.max"]), "50");
    assert_eq!(
        b.cgroup_value(&id, &["memory.limit_in_bytes", "memory.max"]),
        "104857600"
    );
    let cpu = b.cgroup_value(&id, &["cpu.cfs_quota_us", "cpu.max"]);
    assert!(cpu == "25000" || cpu == "25000 50000", "{cpu}");
    // Docker's refusals, in its words, with exit 1 and nothing changed.
    let refused = |args: &[&str], says: &str| {
        let o = b.run(args);
        assert_eq!(o.code, 1, "{args:?}: {}{}", o.stdout, o.stderr);
        assert!(o.stderr.contains(says), "{args:?}: {}", o.stderr);
    };
    refused(
        &["update", "--cpus", "1", "up"],
        "Conflicting options: Nano CPUs cannot be updated as CPU Period has already been set",
    );
    refused(
        &["update", "-m", "1m", "up"],
        "Minimum memory limit allowed is 6MB",
    );
    refused(
        &["update", "up"],
        "You must provide one or more flags when using this command.",
    );
    refused(
        &["update", "--pids-limit", "9", "nope"],
        "Error response from daemon: No such container: nope",
    );
    assert_eq!(b.cgroup_value(&id, &["pids.max"]), "50");
    b.ok(&[
        "run",
        "-d",
        "--rm",
        "--name",
        "gone",
        "--network",
        "none",
        "busybox",
        "sleep",
        "300",
    ]);
    refused(
        &["update", "--restart", "always", "gone"],
        "Restart policy cannot be updated because AutoRemove is enabled for the container",
    );
    let ev = b.events("event=update");
    assert!(ev.contains("container update"), "{ev}");
}

#[test]
fn update_of_a_stopped_container_applies_at_its_next_start_and_restart_policy_at_exit() {
    let b = Berth::new();
    b.busybox_image("busybox");
    let id = b.ok(&[
        "create",
        "--name",
        "later",
        "--network",
        "none",
        "busybox",
        "sleep",
        "300",
    ]);
    b.ok(&["update", "--pids-limit", "33", "later"]);
    b.ok(&["start", "later"]);
    assert_eq!(b.cgroup_value(&id, &["pids.max"]), "33");
    // A policy given to a running container is the one its monitor applies at exit.
    b.ok(&[
        "run",
        "-d",
        "--name",
        "flaky",
        "--network",
        "none",
        "busybox",
        "sh",
        "-c",
        "sleep 2; exit 3",
    ]);
    b.ok(&["update", "--restart", "on-failure:1", "flaky"]);
    let restarted = berth_tests::eventually(30, || {
        b.inspect("flaky", "{{.RestartCount}} {{.State.Status}}") == "1 exited"
    });
    assert!(
        restarted,
        "{}",
        b.inspect("flaky", "{{.RestartCount}} {{.State.Status}}")
    );
}

#[test]
fn ps_size_and_row_methods_as_dockers_formatters() {
    let b = Berth::new();
    b.busybox_image("busybox");
    b.ok(&[
        "run",
        "--name",
        "sized",
        "-l",
        "com.example.team=web",
        "busybox",
        "sh",
        "-c",
        "printf ab > /f",
    ]);
    let table = b.ok(&["ps", "-a", "-s"]);
    let mut lines = table.lines();
    let header = lines.next().unwrap_or_default();
    assert!(header.ends_with("NAMES     SIZE"), "{table}");
    let row = lines.next().unwrap_or_default();
    assert!(row.contains("2B (virtual "), "{table}");
    assert_eq!(
        b.ok(&["ps", "-a", "--format", "{{.Names}} {{.Size}}"])
            .split(" (")
            .next(),
        Some("sized 2B")
    );
    assert_eq!(
        b.ok(&[
            "ps",
            "-a",
            "--format",
            "{{.Names}}:{{.Label \"com.example.team\"}}:{{.Label \"nope\"}}"
        ]),
        "sized:web:"
    );
    let o = b.run(&["ps", "-a", "--format", "{{.Label}}"]);
    assert_eq!(o.code, 1);
    assert!(
        o.stderr
            .contains("wrong number of args for Label: want 1 got 0"),
        "{}",
        o.stderr
    );
    b.ok(&["volume", "create", "--label", "tier=db", "vol"]);
    assert_eq!(
        b.ok(&["volume", "ls", "--format", "{{.Name}} {{.Label \"tier\"}}"]),
        "vol db"
    );
    b.ok(&["network", "create", "--label", "zone=a", "net"]);
    assert_eq!(
        b.ok(&[
            "network",
            "ls",
            "--filter",
            "name=net",
            "--format",
            "{{.Name}} {{.Label \"zone\"}}"
        ]),
        "net a"
    );
}

#[test]
fn logs_details_prefix_each_line_as_docker() {
    let b = Berth::new();
    b.busybox_image("busybox");
    b.ok(&["run", "--name", "talk", "busybox", "echo", "hello"]);
    let o = b.run(&["logs", "--details", "talk"]);
    assert_eq!(o.code, 0, "{}", o.stderr);
    assert_eq!(o.stdout, " hello\n");
}

#[test]
fn list_filters_of_volumes_networks_and_images() {
    let b = Berth::new();
    b.busybox_image("busybox");
    b.ok(&["volume", "create", "--label", "keep=yes", "used"]);
    b.ok(&["volume", "create", "spare"]);
    b.ok(&[
        "create",
        "--name",
        "user",
        "-v",
        "used:/data",
        "busybox",
        "true",
    ]);
    let vols = |f: &[&str]| {
        let mut args = vec!["volume", "ls", "-q"];
        for x in f {
            args.extend(["--filter", x]);
        }
        b.ok(&args)
    };
    assert_eq!(vols(&["dangling=true"]), "spare");
    assert_eq!(vols(&["dangling=false"]), "used");
    assert_eq!(vols(&["label=keep=yes"]), "used");
    assert_eq!(vols(&["name=spa"]), "spare");
    assert_eq!(vols(&["driver=local", "name=use"]), "used");
    let o = b.run(&["volume", "ls", "--filter", "colour=red"]);
    assert_eq!(o.code, 1);
    assert!(o.stderr.contains("Invalid filter 'colour'"), "{}", o.stderr);

    b.ok(&["network", "create", "--label", "env=test", "front"]);
    b.ok(&["network", "create", "back"]);
    b.ok(&[
        "create",
        "--name",
        "onback",
        "--network",
        "back",
        "busybox",
        "true",
    ]);
    let nets = |f: &[&str]| {
        let mut args = vec!["network", "ls", "--format", "{{.Name}}"];
        for x in f {
            args.extend(["--filter", x]);
        }
        b.ok(&args).lines().collect::<Vec<_>>().join(" ")
    };
    assert_eq!(nets(&["type=custom"]), "back front");
    assert_eq!(nets(&["type=builtin"]), "bridge host none");
    assert_eq!(nets(&["label=env=test"]), "front");
    assert_eq!(nets(&["dangling=true"]), "front");
    assert_eq!(nets(&["driver=bridge", "name=ba"]), "back");
    let front_id = b.ok(&["network", "inspect", "-f", "{{.Id}}", "front"]);
    assert_eq!(nets(&[&format!("id={}", &front_id[..8])]), "front");

    b.ok(&["tag", "busybox", "library/box:latest"]);
    b.ok(&["tag", "busybox", "busybox:v1"]);
    let imgs = |f: &str| {
        b.ok(&[
            "images",
            "--filter",
            f,
            "--format",
            "{{.Repository}}:{{.Tag}}",
        ])
        .lines()
        .collect::<Vec<_>>()
        .join(" ")
    };
    assert_eq!(imgs("reference=bus*"), "busybox:latest busybox:v1");
    assert_eq!(imgs("reference=*/*:latest"), "library/box:latest");
    assert_eq!(imgs("reference=busybox:v*"), "busybox:v1");
    // A second image, made later, with a label.
    let tar = b.ok(&["image", "inspect", "-f", "{{.Id}}", "busybox"]);
    assert!(tar.starts_with("sha256:"), "{tar}");
    std::thread::sleep(std::time::Duration::from_millis(1100));
    b.ok(&["commit", "-c", "LABEL stage=two", "user", "second:latest"]);
    assert_eq!(imgs("since=busybox"), "second:latest");
    assert_eq!(imgs("label=stage=two"), "second:latest");
    assert!(imgs("before=second").contains("busybox:latest"));
    assert!(!imgs("before=second").contains("second"));
    let o = b.run(&["images", "--filter", "before=nothing"]);
    assert_eq!(o.code, 1);
    assert!(o.stderr.contains("No such image: nothing"), "{}", o.stderr);
}

#[test]
fn config_env_is_dockers_merge_of_the_users_and_the_images() {
    let b = Berth::new();
    b.busybox_image("busybox");
    b.ok(&["create", "--name", "plain", "busybox", "true"]);
    b.ok(&["create", "--name", "own", "-e", "A=1", "busybox", "true"]);
    let path = "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";
    assert_eq!(
        b.inspect("plain", "{{json .Config.Env}}"),
        format!("[\"{path}\"]")
    );
    // Docker: the user's entries first, then the image's that the user did not set.
    assert_eq!(
        b.inspect("own", "{{json .Config.Env}}"),
        format!("[\"A=1\",\"{path}\"]")
    );
    assert_eq!(
        b.ok(&[
            "run",
            "--rm",
            "-e",
            "PATH=/bin",
            "busybox",
            "sh",
            "-c",
            "echo $PATH"
        ]),
        "/bin"
    );
}
