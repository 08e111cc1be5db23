//! The daily flags of `run`/`create`, checked from inside the container (limits, /dev,
//! names, resolv.conf, groups, /proc/sys, namespaces, cgroup files), and their refusals:
//! exit 125, the flag named, nothing made.

use berth_tests::Berth;

fn setup() -> Berth {
    let b = Berth::new();
    b.busybox_image("busybox");
    b
}

/// `berth run --rm busybox sh -c SCRIPT` with `flags` before the image.
fn sh(b: &Berth, flags: &[&str], script: &str) -> String {
    let mut args = vec!["run", "--rm"];
    args.extend_from_slice(flags);
    args.extend_from_slice(&["busybox", "sh", "-c", script]);
    b.ok(&args)
}

/// A refused `run`: exit 125, stderr says `says`, and no container was made.
fn refused(b: &Berth, args: &[&str], says: &str) {
    let before = b.ok(&["ps", "-aq"]);
    let o = b.run(args);
    assert_eq!(o.code, 125, "{args:?}: {}{}", o.stdout, o.stderr);
    assert!(o.stderr.contains(says), "{args:?}: {}", o.stderr);
    assert_eq!(b.ok(&["ps", "-aq"]), before, "{args:?} left a container");
}

fn host_file(p: &str) -> String {
    std::fs::read_to_string(p)
        .unwrap_or_else(|e| panic!("{p}: {e}"))
        .trim()
        .to_string()
}

#[test]
fn ulimits_apply_and_bad_ones_are_refused() {
    let b = setup();
    assert_eq!(
        sh(
            &b,
            &["--ulimit", "nofile=1024:2048", "--ulimit", "nproc=300"],
            "ulimit -n; ulimit -Hn; ulimit -u"
        ),
        "1024\n2048\n300"
    );
    refused(
        &b,
        &["run", "--ulimit", "bogus=1", "busybox", "true"],
        "\"--ulimit\" flag",
    );
    refused(
        &b,
        &["run", "--ulimit", "nofile=20:10", "busybox", "true"],
        "\"--ulimit\" flag",
    );
}

#[test]
fn shm_size_sets_dev_shm() {
    let b = setup();
    let size = |flags: &[&str]| {
        let out = sh(&b, flags, "df -k /dev/shm | tail -1");
        out.split_whitespace()
            .nth(1)
            .unwrap_or_else(|| panic!("df: {out}"))
            .to_string()
    };
    // Docker's default is 64m.
    assert_eq!(size(&[]), "65536");
    assert_eq!(size(&["--shm-size", "1m"]), "1024");
    refused(
        &b,
        &["run", "--shm-size", "abc", "busybox", "true"],
        "\"--shm-size\" flag",
    );
    b.ok(&[
        "create",
        "--name",
        "ss",
        "--shm-size",
        "2m",
        "busybox",
        "true",
    ]);
    assert_eq!(b.inspect("ss", "{{.HostConfig.ShmSize}}"), "2097152");
}

#[test]
fn devices_are_made_and_allowed() {
    let b = setup();
    let out = sh(
        &b,
        &["--device", "/dev/null:/dev/mynull"],
        "echo hi > /dev/mynull && ls -l /dev/mynull && cat /sys/fs/cgroup/devices/devices.list 2>/dev/null || true",
    );
    assert!(out.starts_with("crw"), "{out}");
    assert!(out.contains("1,   3"), "{out}");
    if std::path::Path::new("/sys/fs/cgroup/devices").is_dir() {
        assert!(
            out.contains("c 1:3 rwm"),
            "the device cgroup allows it: {out}"
        );
    }
    // Read-only: the cgroup refuses a write.
    let o = b.run(&[
        "run",
        "--rm",
        "--device",
        "/dev/kmsg:/dev/mykmsg:r",
        "busybox",
        "sh",
        "-c",
        "ls -l /dev/mykmsg; echo x > /dev/mykmsg",
    ]);
    if std::path::Path::new("/sys/fs/cgroup/devices").is_dir() {
        assert_ne!(
            o.code, 0,
            "a write to an r-only device worked: {}",
            o.stdout
        );
    }
    assert!(o.stdout.contains("1,  11"), "{}{}", o.stdout, o.stderr);
    assert_eq!(
        sh(&b, &[], "test -e /dev/mynull && echo yes || echo no"),
        "no"
    );
    refused(
        &b,
        &["run", "--device", "/no/such/device", "busybox", "true"],
        "\"--device\" flag",
    );
    refused(
        &b,
        &["run", "--device", "/etc/hostname", "busybox", "true"],
        "not a character or block device",
    );
    b.ok(&[
        "create",
        "--name",
        "dd",
        "--device",
        "/dev/null:/dev/x:rw",
        "busybox",
        "true",
    ]);
    assert_eq!(
        b.inspect("dd", "{{json .HostConfig.Devices}}"),
        r#"[{"PathOnHost":"/dev/null","PathInContainer":"/dev/x","CgroupPermissions":"rw"}]"#
    );
}

#[test]
fn names_domainname_and_the_hosts_uts() {
    let b = setup();
    assert_eq!(
        sh(
            &b,
            &["--hostname", "web", "--domainname", "example.org"],
            "hostname; cat /proc/sys/kernel/domainname"
        ),
        "web\nexample.org"
    );
    let host = host_file("/proc/sys/kernel/hostname");
    assert_eq!(sh(&b, &["--uts", "host"], "hostname"), host);
    refused(
        &b,
        &["run", "--uts", "host", "--hostname", "x", "busybox", "true"],
        "conflicting options: hostname and the UTS mode",
    );
    refused(
        &b,
        &["run", "--uts", "bogus", "busybox", "true"],
        "\"--uts\" flag",
    );
}

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
fn namespaced_sysctls_only() {
    let b = setup();
    assert_eq!(
        sh(
            &b,
            &[
                "--sysctl",
                "net.ipv4.ip_forward=1",
                "--sysctl",
                "kernel.shmmax=123456",
                "--sysctl",
                "fs.mqueue.msg_max=20"
            ],
            "cat /proc/sys/net/ipv4/ip_forward /proc/sys/kernel/shmmax /proc/sys/fs/mqueue/msg_max"
        ),
        "1\n123456\n20"
    );
    // The host's own settings are untouched.
    assert_ne!(host_file("/proc/sys/kernel/shmmax"), "123456");
    for (args, says) in [
        (
            vec!["--network", "host", "--sysctl", "net.ipv4.ip_forward=1"],
            "--network host",
        ),
        (
            vec!["--ipc", "host", "--sysctl", "kernel.shmmax=1"],
            "--ipc host",
        ),
        (vec!["--sysctl", "vm.swappiness=1"], "not whitelisted"),
        (vec!["--sysctl", "kernel.hostname=x"], "not whitelisted"),
    ] {
        let mut a = vec!["run"];
        a.extend(args);
        a.extend(["busybox", "true"]);
        refused(&b, &a, says);
        assert!(b.run(&a).stderr.contains("\"--sysctl\" flag"));
    }
}

#[test]
fn pid_host_and_another_containers_pids() {
    let b = setup();
    // The host's PID 1 is visible (and is the host's, not ours).
    let init = sh(&b, &["--pid", "host"], "cat /proc/1/comm");
    assert_eq!(init, host_file("/proc/1/comm"));
    let count = sh(&b, &["--pid", "host"], "ls -d /proc/[0-9]* | wc -l");
    assert!(count.parse::<u32>().unwrap() > 10, "{count}");
    b.ok(&["run", "-d", "--name", "donor", "busybox", "sleep", "1000"]);
    let ps = sh(
        &b,
        &["--pid", "container:donor"],
        "cat /proc/1/cmdline | tr '\\0' ' '",
    );
    assert_eq!(ps.trim(), "sleep 1000");
    refused(
        &b,
        &["run", "--pid", "bogus", "busybox", "true"],
        "\"--pid\" flag",
    );
    refused(
        &b,
        &["run", "--pid", "container:nope", "busybox", "true"],
        "\"--pid\" flag",
    );
    b.ok(&["create", "--name", "pp", "--pid", "host", "busybox", "true"]);
    assert_eq!(b.inspect("pp", "{{.HostConfig.PidMode}}"), "host");
}

#[test]
fn ipc_modes_share_as_docker_does() {
    let b = setup();
    b.ok(&[
        "run",
        "-d",
        "--name",
        "donor",
        "--ipc",
        "shareable",
        "busybox",
        "sh",
        "-c",
        "echo secret > /dev/shm/x; sleep 1000",
    ]);
    b.ok(&["run", "-d", "--name", "private", "busybox", "sleep", "1000"]);
    assert!(berth_tests::eventually(5, || b
        .run(&["exec", "donor", "cat", "/dev/shm/x"])
        .stdout
        .contains("secret")));
    let donor_ns = b.ok(&["exec", "donor", "readlink", "/proc/self/ns/ipc"]);
    assert_eq!(
        sh(
            &b,
            &["--ipc", "container:donor"],
            "cat /dev/shm/x; readlink /proc/self/ns/ipc"
        ),
        format!("secret\n{donor_ns}")
    );
    let o = b.run(&[
        "run",
        "--rm",
        "--ipc",
        "container:private",
        "busybox",
        "true",
    ]);
    assert_eq!(o.code, 125, "{}", o.stderr);
    assert!(o.stderr.contains("non-shareable IPC"), "{}", o.stderr);
    let host_ns = std::fs::read_link("/proc/self/ns/ipc").unwrap();
    assert_eq!(
        sh(&b, &["--ipc", "host"], "readlink /proc/self/ns/ipc"),
        host_ns.to_string_lossy()
    );
    assert_ne!(sh(&b, &[], "readlink /proc/self/ns/ipc"), donor_ns);
    assert_eq!(
        sh(
            &b,
            &["--ipc", "none"],
            "grep -c ' /dev/shm ' /proc/mounts || true"
        ),
        "0"
    );
    assert_eq!(b.inspect("private", "{{.HostConfig.IpcMode}}"), "private");
    refused(
        &b,
        &["run", "--ipc", "bogus", "busybox", "true"],
        "\"--ipc\" flag",
    );
    // The shareable /dev/shm is gone with its container.
    let id = b.ok(&["inspect", "-f", "{{.Id}}", "donor"]);
    b.ok(&["rm", "-f", "donor"]);
    let mounts = host_file("/proc/mounts");
    assert!(!mounts.contains(&id), "{mounts}");
}

#[test]
fn oom_settings_and_memory_swap() {
    let b = setup();
    assert_eq!(
        sh(
            &b,
            &["--oom-score-adj", "500"],
            "cat /proc/self/oom_score_adj"
        ),
        "500"
    );
    refused(
        &b,
        &["run", "--oom-score-adj", "1001", "busybox", "true"],
        "\"--oom-score-adj\" flag",
    );
    let v1 = std::path::Path::new("/sys/fs/cgroup/memory").is_dir();
    if v1 {
        let oc = sh(
            &b,
            &["-m", "64m", "--oom-kill-disable"],
            "head -1 /sys/fs/cgroup/memory/memory.oom_control",
        );
        assert_eq!(oc, "oom_kill_disable 1");
        // -m alone: memory+swap is twice the memory, as on Docker.
        if std::path::Path::new("/sys/fs/cgroup/memory/memory.memsw.limit_in_bytes").exists() {
            assert_eq!(
                sh(
                    &b,
                    &["-m", "64m"],
                    "cat /sys/fs/cgroup/memory/memory.memsw.limit_in_bytes"
                ),
                (128u64 << 20).to_string()
            );
        }
    }
    b.ok(&["create", "--name", "mm", "-m", "64m", "busybox", "true"]);
    assert_eq!(
        b.inspect(
            "mm",
            "{{.HostConfig.Memory}} {{.HostConfig.MemorySwap}} {{.HostConfig.OomKillDisable}}"
        ),
        format!("{} {} false", 64u64 << 20, 128u64 << 20)
    );
}

#[test]
fn reservation_and_the_cfs_pair_reach_the_cgroup() {
    let b = setup();
    let out = sh(
        &b,
        &[
            "--memory-reservation",
            "32m",
            "--cpu-period",
            "50000",
            "--cpu-quota",
            "25000",
        ],
        "cat /sys/fs/cgroup/memory/memory.soft_limit_in_bytes /sys/fs/cgroup/cpu/cpu.cfs_period_us /sys/fs/cgroup/cpu/cpu.cfs_quota_us 2>/dev/null || cat /sys/fs/cgroup/memory.low /sys/fs/cgroup/cpu.max",
    );
    let expected_v1 = format!("{}\n50000\n25000", 32u64 << 20);
    let expected_v2 = format!("{}\n25000 50000", 32u64 << 20);
    assert!(out == expected_v1 || out == expected_v2, "{out}");
    refused(
        &b,
        &["run", "--memory-reservation", "1m", "busybox", "true"],
        "Minimum memory reservation allowed is 6MB",
    );
    refused(
        &b,
        &["run", "--cpu-quota", "10", "busybox", "true"],
        "CPU cfs quota can not be less than 1ms",
    );
    b.ok(&[
        "create",
        "--name",
        "cc",
        "--cpu-period",
        "50000",
        "--cpu-quota",
        "25000",
        "busybox",
        "true",
    ]);
    assert_eq!(
        b.inspect("cc", "{{.HostConfig.CpuPeriod}} {{.HostConfig.CpuQuota}}"),
        "50000 25000"
    );
}

#[test]
fn pull_and_platform_without_a_registry() {
    let b = setup();
    refused(
        &b,
        &["run", "--pull", "always", "busybox", "true"],
        "cannot pull busybox",
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
    let o = b.run(&["create", "--cidfile", cid2.to_str().unwrap(), "nothere:1"]);
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

#[test]
fn inspect_has_dockers_keys_and_types() {
    let b = setup();
    b.ok(&["run", "-d", "--name", "ii", "busybox", "sleep", "1000"]);
    let v: serde_json::Value = serde_json::from_str(&b.ok(&["inspect", "ii"])).unwrap();
    let c = &v[0];
    let hc = &c["HostConfig"];
    for (key, want) in [
        ("CpuPeriod", serde_json::json!(0)),
        ("CpuQuota", serde_json::json!(0)),
        ("Devices", serde_json::json!([])),
        ("Ulimits", serde_json::Value::Null),
        ("SecurityOpt", serde_json::Value::Null),
        ("ShmSize", serde_json::json!(67108864)),
        ("PidMode", serde_json::json!("")),
        ("IpcMode", serde_json::json!("private")),
        ("UTSMode", serde_json::json!("")),
        ("UsernsMode", serde_json::json!("")),
        ("CgroupnsMode", serde_json::json!("private")),
        ("OomKillDisable", serde_json::json!(false)),
        ("MemoryReservation", serde_json::json!(0)),
        ("MemorySwappiness", serde_json::Value::Null),
        ("DnsSearch", serde_json::json!([])),
        ("DnsOptions", serde_json::json!([])),
        ("GroupAdd", serde_json::Value::Null),
        ("VolumesFrom", serde_json::Value::Null),
        (
            "LogConfig",
            serde_json::json!({"Type": "json-file", "Config": {}}),
        ),
        ("OomScoreAdj", serde_json::json!(0)),
        ("ContainerIDFile", serde_json::json!("")),
        ("Binds", serde_json::Value::Null),
        ("CapAdd", serde_json::Value::Null),
        ("ExtraHosts", serde_json::Value::Null),
        ("Links", serde_json::Value::Null),
    ] {
        assert_eq!(hc.get(key), Some(&want), "HostConfig.{key}");
    }
    assert!(hc.get("Sysctls").is_none(), "Docker omits an empty Sysctls");
    assert!(hc["MaskedPaths"].as_array().is_some_and(|a| !a.is_empty()));
    assert!(hc["ReadonlyPaths"]
        .as_array()
        .is_some_and(|a| !a.is_empty()));
    assert_eq!(c["ExecIDs"], serde_json::Value::Null);
    let data = &c["GraphDriver"]["Data"];
    let lower = data["LowerDir"].as_str().unwrap();
    assert!(!lower.is_empty());
    for d in lower.split(':') {
        assert!(std::path::Path::new(d).is_dir(), "{d}");
    }
    for k in ["UpperDir", "MergedDir", "WorkDir"] {
        assert!(data[k].is_string(), "{k}");
    }
    let cfg = &c["Config"];
    assert_eq!(cfg["Image"], "busybox");
    assert_eq!(cfg["OnBuild"], serde_json::Value::Null);
    assert_eq!(cfg["Domainname"], "");
    for k in [
        "AttachStdin",
        "AttachStdout",
        "AttachStderr",
        "Tty",
        "OpenStdin",
        "StdinOnce",
    ] {
        assert!(cfg[k].is_boolean(), "Config.{k}");
    }
    let ns = &c["NetworkSettings"];
    assert_eq!(ns["EndpointID"].as_str().unwrap().len(), 64);
    assert_eq!(ns["SandboxID"].as_str().unwrap().len(), 64);
    assert_eq!(ns["IPPrefixLen"], 16);
    assert_eq!(ns["Bridge"], "");
    assert_eq!(ns["HairpinMode"], false);
    assert_eq!(ns["SecondaryIPAddresses"], serde_json::Value::Null);
    assert_eq!(ns["SecondaryIPv6Addresses"], serde_json::Value::Null);
    for k in ["LinkLocalIPv6Address", "GlobalIPv6Address", "IPv6Gateway"] {
        assert_eq!(ns[k], "", "{k}");
    }
    let bridge = &ns["Networks"]["bridge"];
    assert_eq!(bridge["EndpointID"], ns["EndpointID"]);
    assert_eq!(bridge["Links"], serde_json::Value::Null);
    assert_eq!(bridge["DriverOpts"], serde_json::Value::Null);
    // Stopped: no sandbox, no endpoint.
    b.ok(&["rm", "-f", "ii"]);
    b.ok(&["create", "--name", "ss", "busybox", "true"]);
    assert_eq!(b.inspect("ss", "{{.NetworkSettings.SandboxID}}"), "");
}

#[test]
fn records_from_before_the_new_keys_still_load() {
    let b = setup();
    let id = b.ok(&["create", "--name", "old", "busybox", "echo", "fine"]);
    let path = b.root.join("containers").join(&id).join("config.json");
    let mut rec: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&path).expect("config.json")).unwrap();
    let hc = rec["host_config"].as_object_mut().expect("host_config");
    for k in [
        "ShmSize",
        "IpcMode",
        "PidMode",
        "UTSMode",
        "Devices",
        "Ulimits",
        "GroupAdd",
        "DnsSearch",
        "DnsOptions",
        "VolumesFrom",
        "OomKillDisable",
        "OomScoreAdj",
        "ContainerIDFile",
    ] {
        assert!(hc.remove(k).is_some(), "the record has {k}");
    }
    std::fs::write(&path, serde_json::to_string(&rec).unwrap()).unwrap();
    assert_eq!(
        b.inspect("old", "{{.HostConfig.ShmSize}} {{.HostConfig.IpcMode}}"),
        "67108864 private"
    );
    let o = b.run(&["start", "-a", "old"]);
    assert_eq!((o.code, o.stdout.trim()), (0, "fine"), "{}", o.stderr);
}
