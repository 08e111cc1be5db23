//! The daily flags of `run`/`create` about files and streams: resolv.conf, groups,
//! --pull and --platform, --cidfile and --label-file, --volumes-from, the log driver,
//! -a and --detach-keys; and their refusals.

#[path = "run_flags/helpers.rs"]
mod helpers;

use helpers::*;

#[test]
fn dns_search_and_options_go_into_resolv_conf() {
    let b = setup();
    let conf = sh(
        &b,
        &[
            "--dns",
            "10.9.8.7",
            "--dns-search",
            "a.example",
            "--dns-search",
            "b.example",
            "--dns-option",
            "ndots:2",
            "--dns-opt",
            "timeout:1",
        ],
        "cat /etc/resolv.conf",
    );
    assert_eq!(
        conf,
        "nameserver 10.9.8.7\nsearch a.example b.example\noptions ndots:2 timeout:1"
    );
    refused(
        &b,
        &["run", "--dns-search", "bad-.example", "busybox", "true"],
        "\"--dns-search\" flag",
    );
    refused(
        &b,
        &["run", "--dns-option", "a b", "busybox", "true"],
        "\"--dns-option\" flag",
    );
    b.ok(&[
        "create",
        "--name",
        "rr",
        "--dns-search",
        "x.example",
        "busybox",
        "true",
    ]);
    assert_eq!(
        b.inspect(
            "rr",
            "{{json .HostConfig.DnsSearch}} {{json .HostConfig.DnsOptions}}"
        ),
        r#"["x.example"] []"#
    );
}

#[test]
fn group_add_by_name_and_number() {
    let b = setup();
    // busybox's demo image has `wheel` (10) in its /etc/group.
    let groups = sh(
        &b,
        &["--group-add", "wheel", "--group-add", "4242"],
        "id -G",
    );
    let gids: Vec<&str> = groups.split_whitespace().collect();
    assert!(gids.contains(&"10") && gids.contains(&"4242"), "{groups}");
    let o = b.run(&[
        "run",
        "--rm",
        "--group-add",
        "nosuchgroup",
        "busybox",
        "true",
    ]);
    assert_eq!(o.code, 125, "{}", o.stderr);
    assert!(
        o.stderr.contains("unable to find group nosuchgroup"),
        "{}",
        o.stderr
    );
    refused(
        &b,
        &["run", "--group-add", "a b", "busybox", "true"],
        "\"--group-add\" flag",
    );
}

#[test]
fn pull_and_platform_policies() {
    let b = setup();
    // `always` pulls even an image that is here: from a loopback registry that is not
    // there (tests reach nothing off this machine), so it fails naming it.
    b.ok(&["tag", "busybox", "127.0.0.1:1/bb:1"]);
    refused(
        &b,
        &["run", "--pull", "always", "127.0.0.1:1/bb:1", "true"],
        "127.0.0.1:1",
    );
    refused(
        &b,
        &["run", "--pull", "never", "nothere:1", "true"],
        "No such image: nothere:1",
    );
    refused(
        &b,
        &["run", "--pull", "sometimes", "busybox", "true"],
        "\"--pull\" flag",
    );
    b.ok(&["run", "--rm", "--pull", "never", "busybox", "true"]);
    b.ok(&["run", "--rm", "--pull", "missing", "busybox", "true"]);
    let arch = match std::env::consts::ARCH {
        "x86_64" => "amd64",
        "aarch64" => "arm64",
        a => a,
    };
    b.ok(&[
        "run",
        "--rm",
        "--platform",
        &format!("linux/{arch}"),
        "busybox",
        "true",
    ]);
    b.ok(&["run", "--rm", "--platform", "linux", "busybox", "true"]);
    refused(
        &b,
        &["run", "--platform", "windows/amd64", "busybox", "true"],
        "\"--platform\" flag",
    );
}

#[test]
fn cidfile_and_label_file() {
    let b = setup();
    let cid = b.dir.path().join("cid");
    let cid_s = cid.to_str().unwrap();
    let id = b.ok(&["run", "-d", "--cidfile", cid_s, "busybox", "true"]);
    assert_eq!(std::fs::read_to_string(&cid).unwrap(), id);
    assert_eq!(b.inspect(&id, "{{.HostConfig.ContainerIDFile}}"), cid_s);
    refused(
        &b,
        &["run", "-d", "--cidfile", cid_s, "busybox", "true"],
        "Container ID file found",
    );
    // A failed create leaves no file behind.
    let cid2 = b.dir.path().join("cid2");
    let o = b.run(&[
        "create",
        "--cidfile",
        cid2.to_str().unwrap(),
        "--pull",
        "never",
        "nothere:1",
    ]);
    assert_eq!(o.code, 125);
    assert!(!cid2.exists());

    let labels = b.dir.path().join("labels");
    std::fs::write(&labels, "# a comment\na=1\n\nb=2\nflag\n").unwrap();
    b.ok(&[
        "create",
        "--name",
        "ll",
        "--label-file",
        labels.to_str().unwrap(),
        "-l",
        "b=3",
        "busybox",
        "true",
    ]);
    assert_eq!(
        b.inspect("ll", "{{json .Config.Labels}}"),
        r#"{"a":"1","b":"3","flag":""}"#
    );
    refused(
        &b,
        &["run", "--label-file", "/no/such/file", "busybox", "true"],
        "\"--label-file\" flag",
    );
}

#[test]
fn volumes_from_another_container() {
    let b = setup();
    b.ok(&[
        "run",
        "--name",
        "data",
        "-v",
        "shared:/data",
        "busybox",
        "sh",
        "-c",
        "echo kept > /data/f",
    ]);
    assert_eq!(sh(&b, &["--volumes-from", "data"], "cat /data/f"), "kept");
    let o = b.run(&[
        "run",
        "--rm",
        "--volumes-from",
        "data:ro",
        "busybox",
        "sh",
        "-c",
        "cat /data/f; echo x > /data/g",
    ]);
    assert_ne!(o.code, 0, "a read-only volume took a write");
    assert!(o.stdout.contains("kept"), "{}", o.stdout);
    b.ok(&[
        "create",
        "--name",
        "vv",
        "--volumes-from",
        "data",
        "busybox",
        "true",
    ]);
    assert_eq!(
        b.inspect("vv", "{{json .HostConfig.VolumesFrom}}"),
        r#"["data"]"#
    );
    // Removing the borrower with -v keeps the lender's volume.
    b.ok(&["rm", "-v", "vv"]);
    b.ok(&["volume", "inspect", "shared"]);
    refused(
        &b,
        &["run", "--volumes-from", "nope", "busybox", "true"],
        "\"--volumes-from\" flag",
    );
    refused(
        &b,
        &["run", "--volumes-from", "data:rx", "busybox", "true"],
        "\"--volumes-from\" flag",
    );
}

#[test]
fn log_driver_and_options_are_checked_and_recorded() {
    let b = setup();
    b.ok(&[
        "create",
        "--name",
        "jj",
        "--log-opt",
        "max-size=10m",
        "--log-opt",
        "max-file=3",
        "busybox",
        "true",
    ]);
    assert_eq!(
        b.inspect("jj", "{{json .HostConfig.LogConfig}}"),
        r#"{"Type":"json-file","Config":{"max-file":"3","max-size":"10m"}}"#
    );
    b.ok(&[
        "create",
        "--name",
        "nn",
        "--log-driver",
        "none",
        "busybox",
        "true",
    ]);
    assert_eq!(b.inspect("nn", "{{.HostConfig.LogConfig.Type}}"), "none");
    b.ok(&[
        "create",
        "--name",
        "lo",
        "--log-driver",
        "local",
        "--log-opt",
        "compress=false",
        "busybox",
        "true",
    ]);
    for (args, flag) in [
        (vec!["--log-driver", "syslog"], "--log-driver"),
        (vec!["--log-opt", "max-size=0"], "--log-opt"),
        (vec!["--log-opt", "max-size=abc"], "--log-opt"),
        (vec!["--log-opt", "max-file=2"], "--log-opt"),
        (
            vec!["--log-opt", "max-size=1m", "--log-opt", "max-file=0"],
            "--log-opt",
        ),
        (vec!["--log-opt", "compress=maybe"], "--log-opt"),
        (vec!["--log-opt", "colour=red"], "--log-opt"),
        (
            vec!["--log-driver", "none", "--log-opt", "max-size=1m"],
            "--log-opt",
        ),
    ] {
        let mut a = vec!["run"];
        a.extend(args);
        a.extend(["busybox", "true"]);
        refused(&b, &a, &format!("\"{flag}\" flag"));
    }
}

#[test]
fn attach_picks_the_streams() {
    let b = setup();
    let script = "echo out; echo err >&2";
    let o = b.run(&["run", "--rm", "-a", "stdout", "busybox", "sh", "-c", script]);
    assert_eq!(
        (o.code, o.stdout.as_str(), o.stderr.as_str()),
        (0, "out\n", "")
    );
    let o = b.run(&["run", "--rm", "-a", "STDERR", "busybox", "sh", "-c", script]);
    assert_eq!(
        (o.code, o.stdout.as_str(), o.stderr.as_str()),
        (0, "", "err\n")
    );
    refused(
        &b,
        &["run", "-d", "-a", "stdout", "busybox", "true"],
        "Conflicting options: -a and -d",
    );
    refused(
        &b,
        &["run", "-a", "stdio", "busybox", "true"],
        "\"--attach\" flag",
    );
    b.ok(&["create", "--name", "aa", "-a", "stdout", "busybox", "true"]);
    assert_eq!(
        b.inspect(
            "aa",
            "{{.Config.AttachStdin}} {{.Config.AttachStdout}} {{.Config.AttachStderr}}"
        ),
        "false true false"
    );
    let id = b.ok(&["run", "-d", "busybox", "true"]);
    assert_eq!(
        b.inspect(&id, "{{.Config.AttachStdout}} {{.Config.AttachStderr}}"),
        "false false"
    );
}

#[test]
fn detach_keys_leave_the_container_running() {
    let b = setup();
    berth_tests::require_tool("script", "bsdutils");
    refused(
        &b,
        &["run", "--detach-keys", "alt-x", "busybox", "true"],
        "\"--detach-keys\" flag",
    );
    // A terminal for `run -it` (script makes one), typing ctrl-a then x after a moment.
    let cmd = format!(
        "{} run -it --name tty --detach-keys ctrl-a,x busybox sh",
        berth_tests::berth_bin().display()
    );
    let mut child = std::process::Command::new("script")
        .args(["-qefc", &cmd, "/dev/null"])
        .env("BERTH_ROOT", &b.root)
        .env("BERTH_RUN_ROOT", &b.run_root)
        .env("BERTH_CGROUP_PARENT", &b.cgroup_parent)
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("spawn script");
    assert!(
        berth_tests::eventually(10, || b
            .run(&["inspect", "-f", "{{.State.Status}}", "tty"])
            .stdout
            .trim()
            == "running"),
        "the tty container did not start"
    );
    std::thread::sleep(std::time::Duration::from_millis(300));
    {
        use std::io::Write;
        let stdin = child.stdin.as_mut().unwrap();
        stdin.write_all(b"\x01x").unwrap();
        stdin.flush().unwrap();
    }
    let done = berth_tests::eventually(10, || matches!(child.try_wait(), Ok(Some(_))));
    if !done {
        let _ = child.kill();
    }
    let out = child.wait_with_output().unwrap();
    assert!(done, "the client did not detach");
    let text =
        String::from_utf8_lossy(&out.stdout).to_string() + &String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{text}");
    assert!(text.contains("read escape sequence"), "{text}");
    assert_eq!(b.inspect("tty", "{{.State.Status}}"), "running");
}
