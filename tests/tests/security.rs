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
