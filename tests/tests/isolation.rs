//! What a process inside sees: its own PID 1, hostname, Docker's capabilities, masked
//! and read-only /proc paths, no_new_privs, cgroup limits, users, mounts and OOM kills.

use berth_tests::Berth;

fn sh(b: &Berth, extra: &[&str], script: &str) -> String {
    let mut args = vec!["run", "--rm"];
    args.extend_from_slice(extra);
    args.extend_from_slice(&["busybox", "sh", "-c", script]);
    b.ok(&args)
}

#[test]
fn namespaces_hostname_and_pid_one() {
    let b = Berth::new();
    b.busybox_image("busybox");
    assert_eq!(
        sh(
            &b,
            &["--hostname", "box"],
            "hostname; echo $$; cat /etc/hostname"
        ),
        "box\n1\nbox"
    );
    // A different PID, mount, UTS, IPC and net namespace from the host.
    let inside = sh(
        &b,
        &[],
        "for n in pid mnt uts ipc net; do readlink /proc/1/ns/$n; done",
    );
    for (line, ns) in inside.lines().zip(["pid", "mnt", "uts", "ipc", "net"]) {
        let host = std::fs::read_link(format!("/proc/self/ns/{ns}")).unwrap();
        assert_ne!(
            line,
            host.to_str().unwrap(),
            "{ns} namespace is shared with the host"
        );
    }
    // The default network gives eth0; --network none leaves loopback alone.
    assert_eq!(sh(&b, &[], "ls /sys/class/net | tr '\\n' ' '"), "eth0 lo");
    assert_eq!(sh(&b, &["--network", "none"], "ls /sys/class/net"), "lo");
}

#[test]
fn docker_default_capabilities_and_no_new_privs() {
    let b = Berth::new();
    b.busybox_image("busybox");
    let status = sh(
        &b,
        &[],
        "grep -E '^(CapBnd|CapEff|NoNewPrivs)' /proc/self/status",
    );
    assert!(status.contains("CapBnd:\t00000000a80425fb"), "{status}");
    assert!(status.contains("CapEff:\t00000000a80425fb"), "{status}");
    // Off unless --security-opt no-new-privileges asks, as in Docker (tests/security.rs).
    assert!(status.contains("NoNewPrivs:\t0"), "{status}");
    let added = sh(
        &b,
        &["--cap-add", "SYS_ADMIN", "--cap-drop", "NET_RAW"],
        "grep CapBnd /proc/self/status",
    );
    assert!(added.contains("00000000a82405fb"), "{added}");
    // A non-root user keeps no effective capabilities.
    let user = sh(
        &b,
        &["-u", "app"],
        "id -u; id -g; grep CapEff /proc/self/status",
    );
    assert_eq!(user, "1000\n1000\nCapEff:\t0000000000000000");
}

#[test]
fn proc_is_masked_and_read_only_where_docker_does() {
    let b = Berth::new();
    b.busybox_image("busybox");
    // Masked files read as empty (bound to /dev/null), masked dirs as an empty tmpfs.
    assert_eq!(
        sh(
            &b,
            &[],
            "wc -c < /proc/keys; wc -c < /proc/timer_list; wc -c < /proc/interrupts"
        ),
        "0\n0\n0"
    );
    assert_eq!(sh(&b, &[], "ls /proc/acpi | wc -l"), "0");
    assert_ne!(
        std::fs::read_to_string("/proc/interrupts").unwrap().len(),
        0,
        "the host's is not empty"
    );

    let o = b.run(&[
        "run",
        "--rm",
        "busybox",
        "sh",
        "-c",
        "echo 1 > /proc/sys/kernel/domainname",
    ]);
    assert_ne!(o.code, 0);
    assert!(o.stderr.contains("Read-only file system"), "{}", o.stderr);
    let o = b.run(&["run", "--rm", "busybox", "sh", "-c", "touch /sys/x"]);
    assert_ne!(o.code, 0);
    let devs = sh(&b, &[], "ls /dev | sort | tr '\\n' ' '");
    for d in [
        "null", "zero", "random", "urandom", "tty", "pts", "shm", "mqueue", "full",
    ] {
        assert!(devs.split(' ').any(|x| x == d), "/dev lacks {d}: {devs}");
    }
    assert!(!devs.contains("sda") && !devs.contains("vda"), "{devs}");
}

#[test]
fn cgroup_limits_are_applied_and_readable_inside() {
    let b = Berth::new();
    b.busybox_image("busybox");
    let id = b.ok(&[
        "run",
        "-d",
        "-m",
        "64m",
        "--cpus",
        "0.5",
        "--pids-limit",
        "50",
        "--cpu-shares",
        "512",
        "busybox",
        "sleep",
        "100",
    ]);
    let dirs = b.cgroup_dirs();
    assert!(!dirs.is_empty());
    let read = |ctrl: &str, file: &str| -> Option<String> {
        for base in [
            format!("/sys/fs/cgroup/{ctrl}"),
            "/sys/fs/cgroup".to_string(),
        ] {
            let p = std::path::Path::new(&base)
                .join(&b.cgroup_parent)
                .join(&id)
                .join(file);
            if let Ok(s) = std::fs::read_to_string(&p) {
                return Some(s.trim().to_string());
            }
        }
        None
    };
    if let Some(m) = read("memory", "memory.limit_in_bytes") {
        assert_eq!(m, (64u64 << 20).to_string());
        assert_eq!(read("cpu", "cpu.cfs_quota_us").unwrap(), "50000");
        assert_eq!(read("cpu", "cpu.shares").unwrap(), "512");
        assert_eq!(read("pids", "pids.max").unwrap(), "50");
    } else {
        assert_eq!(read("", "memory.max").unwrap(), (64u64 << 20).to_string());
        assert_eq!(read("", "pids.max").unwrap(), "50");
    }
    b.ok(&["rm", "-f", &id]);
    assert!(
        b.cgroup_dirs().iter().all(|d| !d.join(&id).exists()),
        "cgroup left after rm -f"
    );
}

#[test]
fn memory_limit_kills_with_oom_and_137() {
    let b = Berth::new();
    b.busybox_image("busybox");
    // Fill a tmpfs-less pipe: busybox `tail /dev/zero` buffers forever.
    let o = b.run(&[
        "run",
        "--name",
        "oom",
        "-m",
        "8m",
        "--memory-swap",
        "8m",
        "busybox",
        "sh",
        "-c",
        "tail /dev/zero",
    ]);
    assert_eq!(o.code, 137, "{}", o.stderr);
    assert_eq!(
        b.inspect("oom", "{{.State.OOMKilled}} {{.State.ExitCode}}"),
        "true 137"
    );
}

#[test]
fn users_workdir_env_and_read_only_root() {
    let b = Berth::new();
    b.busybox_image("busybox");
    assert_eq!(sh(&b, &["-u", "1000:10"], "id -u; id -g"), "1000\n10");
    assert_eq!(sh(&b, &["-w", "/work/dir"], "pwd"), "/work/dir");
    let env = b.dir.path().join("env.list");
    std::fs::write(&env, "# comment\nFROM_FILE=yes\n").unwrap();
    assert_eq!(
        sh(
            &b,
            &["-e", "A=1", "--env-file", env.to_str().unwrap()],
            "echo $A $FROM_FILE $HOME"
        ),
        "1 yes /root"
    );
    let o = b.run(&[
        "run",
        "--rm",
        "--read-only",
        "--tmpfs",
        "/scratch",
        "busybox",
        "sh",
        "-c",
        "touch /scratch/ok && touch /nope",
    ]);
    assert_ne!(o.code, 0);
    assert!(o.stderr.contains("Read-only file system"), "{}", o.stderr);
    let o = b.run(&[
        "run",
        "--rm",
        "--entrypoint",
        "echo",
        "busybox",
        "via",
        "entrypoint",
    ]);
    assert_eq!(o.stdout, "via entrypoint\n");
}

#[test]
fn volumes_bind_mounts_and_seeding() {
    let b = Berth::new();
    b.busybox_image("busybox");
    // A named volume mounted over /data is seeded from the image, then persists.
    sh(
        &b,
        &["-v", "vol1:/data"],
        "cat /data/seed.txt && echo more > /data/new.txt",
    );
    assert_eq!(
        sh(
            &b,
            &["-v", "vol1:/data"],
            "cat /data/seed.txt /data/new.txt"
        ),
        "from the image\nmore"
    );
    assert!(b.ok(&["volume", "ls"]).contains("vol1"));
    let host = b.dir.path().join("hostdir");
    std::fs::create_dir_all(&host).unwrap();
    std::fs::write(host.join("f"), "host file").unwrap();
    let spec = format!("{}:/mnt:ro", host.display());
    assert_eq!(sh(&b, &["-v", &spec], "cat /mnt/f"), "host file");
    let o = b.run(&["run", "--rm", "-v", &spec, "busybox", "touch", "/mnt/g"]);
    assert_ne!(o.code, 0);
    // Anonymous volume removed with rm -v.
    b.ok(&[
        "create", "--name", "anon", "-v", "/cache", "busybox", "true",
    ]);
    let vname = b.inspect("anon", "{{range .Mounts}}{{.Name}}{{end}}");
    assert!(b.ok(&["volume", "ls", "-q"]).contains(&vname));
    b.ok(&["rm", "-v", "anon"]);
    assert!(!b.ok(&["volume", "ls", "-q"]).contains(&vname));
    let o = b.run(&["volume", "rm", "vol1"]);
    assert_eq!(o.code, 0, "{}", o.stderr);
}

#[test]
fn tty_lives_in_the_containers_own_devpts() {
    let b = Berth::new();
    b.busybox_image("busybox");
    // The output of a -t container comes through the pty (CRLF line ends).
    let out = b.ok(&[
        "run",
        "--rm",
        "-t",
        "busybox",
        "sh",
        "-c",
        "tty; readlink /proc/self/fd/0",
    ]);
    assert_eq!(out.replace('\r', ""), "/dev/pts/0\n/dev/pts/0");
    b.ok(&["run", "-d", "--name", "tt", "busybox", "sleep", "100"]);
    assert_eq!(
        b.ok(&["exec", "-t", "tt", "tty"]).replace('\r', ""),
        "/dev/pts/0"
    );
    // --init shows itself as berth-init, not as the monitor's command line.
    assert_eq!(
        sh(&b, &["--init"], "tr -d '\\0' < /proc/1/cmdline"),
        "berth-init"
    );
}

#[test]
fn devices_outside_dockers_list_cannot_be_opened_even_after_mknod() {
    let b = Berth::new();
    b.busybox_image("busybox");
    // /dev/kmsg: the host (root) can open it, so a refusal inside is the device cgroup's.
    let meta = std::fs::metadata("/dev/kmsg").unwrap();
    let rdev = std::os::unix::fs::MetadataExt::rdev(&meta);
    let (major, minor) = (libc::major(rdev), libc::minor(rdev));
    assert!(
        std::fs::File::open("/dev/kmsg").is_ok(),
        "the host must be able to open /dev/kmsg"
    );
    let script = format!("mknod /tmp/kmsg c {major} {minor} && : < /tmp/kmsg && echo opened");
    let o = b.run(&["run", "--rm", "busybox", "sh", "-c", &script]);
    assert_ne!(
        o.code, 0,
        "a container opened a device outside the allow list"
    );
    assert!(o.stderr.contains("Operation not permitted"), "{}", o.stderr);
    // --privileged lifts the list; the allowed devices always work.
    let o = b.run(&[
        "run",
        "--rm",
        "--privileged",
        "busybox",
        "sh",
        "-c",
        &script,
    ]);
    assert_eq!(o.stdout.trim(), "opened", "{}", o.stderr);
    assert_eq!(sh(&b, &[], "head -c 4 /dev/zero | wc -c"), "4");
}

#[test]
fn run_rm_takes_its_anonymous_volumes_but_not_named_ones() {
    let b = Berth::new();
    b.busybox_image("busybox");
    b.ok(&[
        "run",
        "--rm",
        "-v",
        "/anon",
        "-v",
        "named1:/named",
        "busybox",
        "true",
    ]);
    assert_eq!(b.ok(&["volume", "ls", "-q"]), "named1");
    assert_eq!(b.ok(&["ps", "-aq"]), "");
}

#[test]
fn seccomp_refuses_new_user_namespaces_unless_privileged() {
    let b = Berth::new();
    b.busybox_image("busybox");
    assert_eq!(
        sh(&b, &[], "grep '^Seccomp:' /proc/self/status"),
        "Seccomp:\t2"
    );
    // A user namespace needs no capability; only the filter stands in the way.
    let o = b.run(&["run", "--rm", "busybox", "unshare", "-U", "true"]);
    assert_ne!(o.code, 0);
    assert!(o.stderr.contains("Operation not permitted"), "{}", o.stderr);
    // exec'd processes get the same filter.
    b.ok(&["run", "-d", "--name", "sc", "busybox", "sleep", "100"]);
    assert_eq!(
        b.ok(&["exec", "sc", "grep", "^Seccomp:", "/proc/self/status"]),
        "Seccomp:\t2"
    );
    // --privileged lifts it.
    assert_eq!(
        sh(&b, &["--privileged"], "unshare -U true && echo allowed"),
        "allowed"
    );
}

/// The host's named cgroup v1 hierarchy (`name=systemd` on hybrid hosts): its mount point
/// and its name, from /proc/self/mountinfo.
fn named_v1_hierarchy() -> (std::path::PathBuf, String) {
    let info = std::fs::read_to_string("/proc/self/mountinfo").expect("read mountinfo");
    for line in info.lines() {
        let Some((pre, post)) = line.split_once(" - ") else {
            continue;
        };
        let mut post = post.split_whitespace();
        if post.next() != Some("cgroup") {
            continue;
        }
        let opts = post.nth(1).unwrap_or("");
        if let Some(name) = opts.split(',').find_map(|o| o.strip_prefix("name=")) {
            let mount = pre.split_whitespace().nth(4).expect("mount point");
            return (mount.into(), name.to_string());
        }
    }
    panic!(
        "this test needs a named cgroup v1 hierarchy on the host (name=systemd, as on the \
         hybrid development machines); none is mounted"
    );
}

/// Puts the host's `release_agent` back and removes the probe's cgroup, even when the
/// test fails (if the escape worked, both were changed on the host).
struct RestoreAgent {
    file: std::path::PathBuf,
    old: String,
    probe: std::path::PathBuf,
}

impl Drop for RestoreAgent {
    fn drop(&mut self) {
        let now = std::fs::read_to_string(&self.file).unwrap_or_default();
        if now != self.old {
            let _ = std::fs::write(&self.file, format!("{}\n", self.old.trim_end()));
        }
        let _ = std::fs::remove_dir(&self.probe);
    }
}

#[test]
fn cap_sys_admin_cannot_reach_a_host_release_agent() {
    let b = Berth::new();
    b.busybox_image("busybox");
    let (mount, name) = named_v1_hierarchy();
    let agent_file = mount.join("release_agent");
    let before = std::fs::read_to_string(&agent_file).expect("read the host's release_agent");
    let probe = format!("berth-escape-{}", std::process::id());
    let _restore = RestoreAgent {
        file: agent_file.clone(),
        old: before.clone(),
        probe: mount.join(&probe),
    };
    // If the escape worked, the kernel would run /agent from the container's upper dir
    // as root on the host: all it does is write this marker.
    let marker = b.dir.path().join("escaped");
    // The classic reproduction: mount the named hierarchy, point its release_agent at a
    // script in the upper dir, and empty a child cgroup that has notify_on_release.
    let script = format!(
        r#"
mkdir -p /cg
mount -t cgroup -o none,name={name} cgroup /cg || {{ echo mount-refused; exit 0; }}
echo mounted
upper=$(sed -n 's/.*upperdir=\([^,]*\).*/\1/p' /proc/self/mountinfo | head -n 1)
[ -n "$upper" ] && echo found-upper
printf '#!/bin/sh\necho escaped > {marker}\n' > /agent
chmod +x /agent
[ -e /cg/release_agent ] && echo sees-release-agent
echo "$upper/agent" > /cg/release_agent 2>/dev/null && echo wrote-release-agent
mkdir -p /cg/{probe} && echo 1 > /cg/{probe}/notify_on_release
sh -c 'echo $$ > /cg/{probe}/cgroup.procs'
sleep 1
# A brand-new hierarchy would come with a release_agent of its own.
mkdir -p /cg2
mount -t cgroup -o none,name=berthprobe cgroup /cg2 2>/dev/null && echo made-new-hierarchy
cat /proc/self/cgroup
"#,
        marker = marker.display(),
    );
    let out = sh(&b, &["--cap-add", "SYS_ADMIN"], &script);
    // Give a usermode helper time to run if one was started.
    std::thread::sleep(std::time::Duration::from_millis(1500));
    assert!(
        !marker.exists(),
        "the release_agent ran on the host as root:\n{out}"
    );
    assert_eq!(
        std::fs::read_to_string(&agent_file).unwrap(),
        before,
        "the host's release_agent was changed from inside a container:\n{out}"
    );
    // It failed for the right reason: the mount shows the container's own cgroup.
    assert!(out.contains("mounted"), "{out}");
    assert!(!out.contains("sees-release-agent"), "{out}");
    assert!(!out.contains("wrote-release-agent"), "{out}");
    assert!(!out.contains("made-new-hierarchy"), "{out}");
    // Inside, every hierarchy is rooted at the container's own cgroup.
    for line in out.lines().filter(|l| l.contains(":/")) {
        assert!(
            line.ends_with(":/"),
            "not at its namespace's root: {line}\n{out}"
        );
    }
    assert!(out.contains(&format!(":name={name}:/")), "{out}");
    // The cgroup the container made below its own went with it.
    assert_eq!(b.cgroup_dirs(), Vec::<std::path::PathBuf>::new(), "{out}");
}
