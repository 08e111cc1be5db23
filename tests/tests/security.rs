//! Security options as Docker users type them: tmpfs defaults, `--security-opt`
//! (no-new-privileges, seccomp profiles) and what `--privileged` lifts.

use berth_tests::Berth;

fn sh(b: &Berth, extra: &[&str], script: &str) -> String {
    let mut args = vec!["run", "--rm"];
    args.extend_from_slice(extra);
    args.extend_from_slice(&["busybox", "sh", "-c", script]);
    b.ok(&args)
}

/// The options of the mount at `dest` as /proc/mounts inside shows them.
fn mount_opts(mounts: &str, dest: &str) -> Vec<String> {
    let line = mounts
        .lines()
        .find(|l| l.split_whitespace().nth(1) == Some(dest))
        .unwrap_or_else(|| panic!("no mount at {dest} in:\n{mounts}"));
    let opts = line.split_whitespace().nth(3).unwrap_or("");
    opts.split(',').map(String::from).collect()
}

#[test]
fn tmpfs_mounts_are_noexec_nosuid_nodev_unless_asked() {
    let b = Berth::new();
    b.busybox_image("busybox");
    let script = "cat /proc/mounts; cp /bin/busybox /t/true && /t/true && echo ran-from-tmpfs";
    let o = b.run(&[
        "run",
        "--rm",
        "--tmpfs",
        "/t:size=8m",
        "--mount",
        "type=tmpfs,target=/m,tmpfs-size=1m",
        "busybox",
        "sh",
        "-c",
        script,
    ]);
    for dest in ["/t", "/m"] {
        let opts = mount_opts(&o.stdout, dest);
        for want in ["noexec", "nosuid", "nodev"] {
            assert!(opts.iter().any(|x| x == want), "{dest}: {opts:?}");
        }
    }
    assert!(!o.stdout.contains("ran-from-tmpfs"), "{}", o.stdout);
    assert!(o.stderr.contains("Permission denied"), "{}", o.stderr);
    assert!(mount_opts(&o.stdout, "/t").contains(&"size=8192k".to_string()));

    // `exec` (and the other words) override the defaults, one by one.
    let out = sh(&b, &["--tmpfs", "/t:exec,size=8m"], script);
    assert!(out.ends_with("ran-from-tmpfs"), "{out}");
    let opts = mount_opts(&out, "/t");
    assert!(!opts.contains(&"noexec".to_string()), "{opts:?}");
    assert!(opts.contains(&"nosuid".to_string()), "{opts:?}");
    let opts = mount_opts(
        &sh(&b, &["--tmpfs", "/t:suid,dev,ro"], "cat /proc/mounts"),
        "/t",
    );
    assert!(opts.contains(&"noexec".to_string()), "{opts:?}");
    assert!(!opts.contains(&"nosuid".to_string()), "{opts:?}");
    assert!(!opts.contains(&"nodev".to_string()), "{opts:?}");
    assert!(opts.contains(&"ro".to_string()), "{opts:?}");
}

#[test]
fn bad_tmpfs_options_fail_at_create_naming_the_flag() {
    let b = Berth::new();
    b.busybox_image("busybox");
    for (flag, value, says) in [
        ("--tmpfs", "/t:size=abc", "invalid value \"abc\" for size"),
        ("--tmpfs", "/t:bogus", "unknown option \"bogus\""),
        (
            "--mount",
            "type=tmpfs,target=/t,tmpfs-size=abc",
            "invalid size \"abc\"",
        ),
        (
            "--mount",
            "type=tmpfs,target=/t,tmpfs-mode=99",
            "invalid value \"99\" for mode",
        ),
    ] {
        for cmd in ["create", "run"] {
            let o = b.run(&[cmd, flag, value, "busybox", "true"]);
            assert_eq!(o.code, 125, "{cmd} {flag} {value}: {}", o.stderr);
            assert!(
                o.stderr.contains(&format!("invalid {flag}")),
                "{cmd} {flag} {value}: {}",
                o.stderr
            );
            assert!(
                o.stderr.contains(says),
                "{cmd} {flag} {value}: {}",
                o.stderr
            );
        }
    }
    // Refused before anything was made.
    assert_eq!(b.ok(&["ps", "-aq"]), "");
}

fn status_field(status: &str, key: &str) -> String {
    status
        .lines()
        .find_map(|l| l.strip_prefix(key))
        .map(|v| v.trim().to_string())
        .unwrap_or_else(|| panic!("no {key} in:\n{status}"))
}

#[test]
fn no_new_privs_is_off_unless_asked_and_setuid_works() {
    let b = Berth::new();
    b.busybox_image("busybox");
    let nnp = |extra: &[&str]| status_field(&sh(&b, extra, "cat /proc/self/status"), "NoNewPrivs:");
    assert_eq!(nnp(&[]), "0");
    assert_eq!(nnp(&["-u", "1000"]), "0");
    assert_eq!(nnp(&["--init"]), "0");
    for spelling in [
        "no-new-privileges",
        "no-new-privileges=true",
        "no-new-privileges:true",
    ] {
        assert_eq!(nnp(&["--security-opt", spelling]), "1", "{spelling}");
        assert_eq!(
            nnp(&["--security-opt", spelling, "-u", "1000"]),
            "1",
            "{spelling}"
        );
    }
    assert_eq!(nnp(&["--security-opt", "no-new-privileges=false"]), "0");
    // --init's PID 1 is as restricted as the command.
    let init = b.ok(&[
        "run",
        "--rm",
        "--init",
        "--security-opt",
        "no-new-privileges",
        "busybox",
        "cat",
        "/proc/1/status",
    ]);
    assert_eq!(status_field(&init, "NoNewPrivs:"), "1");
    // exec'd processes get the container's setting.
    b.ok(&[
        "run",
        "-d",
        "--name",
        "nnp",
        "--security-opt",
        "no-new-privileges",
        "busybox",
        "sleep",
        "100",
    ]);
    let st = b.ok(&["exec", "nnp", "cat", "/proc/self/status"]);
    assert_eq!(status_field(&st, "NoNewPrivs:"), "1");
    assert_eq!(
        b.inspect("nnp", "{{json .HostConfig.SecurityOpt}}"),
        "[\"no-new-privileges\"]"
    );
    b.ok(&["run", "-d", "--name", "plain", "busybox", "sleep", "100"]);
    assert_eq!(
        b.inspect("plain", "{{json .HostConfig.SecurityOpt}}"),
        "null"
    );

    // A setuid-root program works for a non-root user, as on Docker: busybox keeps root
    // for `ping`, which needs it for its raw socket.
    b.ok(&[
        "run",
        "--rm",
        "-v",
        "suid:/v",
        "busybox",
        "sh",
        "-c",
        "cp /bin/busybox /v/ping && chmod 4755 /v/ping",
    ]);
    let ping = |extra: &[&str]| {
        let mut args = vec![
            "run",
            "--rm",
            "--network",
            "none",
            "-u",
            "1000",
            "-v",
            "suid:/v",
        ];
        args.extend_from_slice(extra);
        args.extend_from_slice(&["busybox", "/v/ping", "-c", "1", "-W", "2", "127.0.0.1"]);
        b.run(&args)
    };
    let o = ping(&[]);
    assert_eq!(o.code, 0, "setuid ping failed: {}{}", o.stdout, o.stderr);
    let o = ping(&["--security-opt", "no-new-privileges"]);
    assert_ne!(o.code, 0, "{}", o.stdout);
    assert!(o.stderr.contains("permission denied"), "{}", o.stderr);
}

#[test]
fn seccomp_unconfined_and_profiles() {
    let b = Berth::new();
    b.busybox_image("busybox");
    let seccomp =
        |extra: &[&str]| status_field(&sh(&b, extra, "cat /proc/self/status"), "Seccomp:");
    assert_eq!(seccomp(&[]), "2");
    assert_eq!(seccomp(&["--security-opt", "seccomp=unconfined"]), "0");
    assert_eq!(seccomp(&["--security-opt", "seccomp:unconfined"]), "0");
    // Without no_new_privs the filter is installed while berth is still privileged,
    // so it holds for non-root users too.
    assert_eq!(seccomp(&["-u", "1000"]), "2");
    // Without the filter, nothing stops a user namespace.
    assert_eq!(
        sh(
            &b,
            &["--security-opt", "seccomp=unconfined"],
            "unshare -U true && echo allowed"
        ),
        "allowed"
    );

    // A profile in Docker's format that refuses mkdir with an errno of its choosing.
    let profile = b.dir.path().join("no-mkdir.json");
    let text = r#"{
  "defaultAction": "SCMP_ACT_ALLOW",
  "architectures": ["SCMP_ARCH_X86_64", "SCMP_ARCH_X86", "SCMP_ARCH_X32"],
  "syscalls": [
    {"names": ["mkdir", "mkdirat"], "action": "SCMP_ACT_ERRNO", "errnoRet": 122},
    {"names": ["personality"], "action": "SCMP_ACT_ERRNO",
     "args": [{"index": 0, "value": 8, "op": "SCMP_CMP_EQ"}]}
  ]
}"#;
    std::fs::write(&profile, text).unwrap();
    let opt = format!("seccomp={}", profile.display());
    for user in ["0", "1000"] {
        let o = b.run(&[
            "run",
            "--rm",
            "-u",
            user,
            "--security-opt",
            &opt,
            "busybox",
            "sh",
            "-c",
            "touch /tmp/file && echo touched; mkdir /tmp/d",
        ]);
        assert_eq!(o.stdout.trim(), "touched", "user {user}: {}", o.stderr);
        assert_ne!(o.code, 0);
        assert!(
            o.stderr.contains("Disk quota exceeded"),
            "user {user}: {}",
            o.stderr
        );
    }
    // Recorded by content, so the file may go away; exec gets the same filter.
    b.ok(&[
        "run",
        "-d",
        "--name",
        "prof",
        "--security-opt",
        &opt,
        "busybox",
        "sleep",
        "100",
    ]);
    std::fs::remove_file(&profile).unwrap();
    let recorded = b.inspect("prof", "{{json .HostConfig.SecurityOpt}}");
    assert!(recorded.contains("SCMP_ACT_ERRNO"), "{recorded}");
    let o = b.run(&["exec", "prof", "mkdir", "/tmp/x"]);
    assert!(o.stderr.contains("Disk quota exceeded"), "{}", o.stderr);
    b.ok(&["restart", "-t", "0", "prof"]);
    let o = b.run(&["exec", "prof", "mkdir", "/tmp/x"]);
    assert!(o.stderr.contains("Disk quota exceeded"), "{}", o.stderr);
    // --privileged runs unconfined whatever the profile says.
    std::fs::write(&profile, text).unwrap();
    assert_eq!(
        sh(
            &b,
            &["--privileged", "--security-opt", &opt],
            "mkdir /tmp/d && echo made"
        ),
        "made"
    );
}

#[test]
fn bad_security_opts_fail_naming_the_flag() {
    let b = Berth::new();
    b.busybox_image("busybox");
    let notify = b.dir.path().join("notify.json");
    std::fs::write(&notify, r#"{"defaultAction": "SCMP_ACT_NOTIFY"}"#).unwrap();
    let missing = b.dir.path().join("missing.json");
    for (opt, says) in [
        ("bogus".to_string(), "expected KEY=VALUE".to_string()),
        ("foo=bar".into(), "unknown option".into()),
        (
            "no-new-privileges=maybe".into(),
            "expected true or false".into(),
        ),
        (
            format!("seccomp={}", missing.display()),
            format!("reading the profile {}", missing.display()),
        ),
        (
            format!("seccomp={}", notify.display()),
            "SCMP_ACT_NOTIFY".into(),
        ),
    ] {
        for cmd in ["create", "run"] {
            let o = b.run(&[cmd, "--security-opt", &opt, "busybox", "true"]);
            assert_eq!(o.code, 125, "{cmd} {opt}: {}", o.stderr);
            assert!(
                o.stderr
                    .contains(&format!("invalid --security-opt {opt:?}")),
                "{cmd} {opt}: {}",
                o.stderr
            );
            assert!(o.stderr.contains(&says), "{cmd} {opt}: {}", o.stderr);
        }
    }
    assert_eq!(b.ok(&["ps", "-aq"]), "");
    // SELinux and AppArmor options are taken, with a note that they do nothing here.
    let o = b.run(&[
        "run",
        "--rm",
        "--security-opt",
        "label=disable",
        "--security-opt",
        "apparmor=unconfined",
        "busybox",
        "echo",
        "ran",
    ]);
    assert_eq!((o.code, o.stdout.as_str()), (0, "ran\n"), "{}", o.stderr);
    assert!(o.stderr.contains("label=disable"), "{}", o.stderr);
    assert!(o.stderr.contains("apparmor=unconfined"), "{}", o.stderr);
    assert!(o.stderr.contains("do not apply"), "{}", o.stderr);
}

#[test]
fn privileged_is_what_dockers_is() {
    let b = Berth::new();
    b.busybox_image("busybox");
    let out = sh(
        &b,
        &["--privileged"],
        "cat /proc/self/status; echo ---; cat /proc/mounts; echo ---; ls /dev; echo ---; \
         wc -c < /proc/timer_list; echo 1 > /proc/sys/kernel/domainname && echo wrote-proc-sys",
    );
    let mut parts = out.split("---\n");
    let (status, mounts, devs, rest) = (
        parts.next().unwrap(),
        parts.next().unwrap(),
        parts.next().unwrap(),
        parts.next().unwrap(),
    );
    // Every capability berth holds.
    let host = std::fs::read_to_string("/proc/self/status").unwrap();
    assert_eq!(
        status_field(status, "CapEff:"),
        status_field(&host, "CapEff:")
    );
    assert_eq!(status_field(status, "Seccomp:"), "0");
    assert_eq!(status_field(status, "NoNewPrivs:"), "0");
    // No masked or read-only paths.
    assert!(
        !mounts
            .lines()
            .any(|l| l.contains(" /proc/timer_list ") || l.contains(" /proc/sys ")),
        "{mounts}"
    );
    assert_ne!(rest.lines().next().unwrap_or("0").trim(), "0", "{rest}");
    assert!(rest.contains("wrote-proc-sys"), "{rest}");
    // /sys and the cgroup view are writable.
    assert!(
        mount_opts(mounts, "/sys").contains(&"rw".to_string()),
        "{mounts}"
    );
    assert!(mount_opts(mounts, "/sys/fs/cgroup").contains(&"rw".to_string()));
    // The host's devices, kmsg among them.
    let host_devs: Vec<String> = std::fs::read_dir("/dev")
        .unwrap()
        .flatten()
        .filter(|e| {
            use std::os::unix::fs::FileTypeExt;
            e.file_type()
                .is_ok_and(|t| t.is_char_device() || t.is_block_device())
        })
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n != "console")
        .collect();
    assert!(host_devs.iter().any(|d| d == "kmsg"), "{host_devs:?}");
    let inside: Vec<&str> = devs.lines().collect();
    for d in &host_devs {
        assert!(inside.contains(&d.as_str()), "/dev/{d} missing: {inside:?}");
    }
    // And without --privileged, none of that.
    let plain = sh(&b, &[], "cat /proc/mounts; ls /dev");
    assert!(mount_opts(&plain, "/sys").contains(&"ro".to_string()));
    assert!(!plain.lines().any(|l| l == "kmsg"), "{plain}");
    // systempaths=unconfined lifts only the masks.
    let o = sh(
        &b,
        &["--security-opt", "systempaths=unconfined"],
        "wc -c < /proc/timer_list; grep Seccomp: /proc/self/status",
    );
    let mut lines = o.lines();
    assert_ne!(lines.next().unwrap_or("0").trim(), "0", "{o}");
    assert_eq!(lines.next().unwrap_or(""), "Seccomp:\t2");
}
