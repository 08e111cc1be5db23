//! The daily flags of `run`/`create` that reach the kernel, checked from inside the
//! container (limits, /dev, names, /proc/sys, namespaces, cgroup files), and their
//! refusals: exit 125, the flag named, nothing made.

#[path = "run_flags/helpers.rs"]
mod helpers;

use helpers::*;

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
