//! `cp`, `diff`, `export`, `commit`, `top` and `stats` against real containers, running
//! and stopped, and the promise that none of them leaves a mount on the host.

use std::path::Path;

use berth_tests::Berth;

/// No mount of ours on the host: nothing named berth, nothing under the test's temp dir.
fn assert_no_mounts(b: &Berth) {
    let mounts = std::fs::read_to_string("/proc/mounts").unwrap();
    let dir = b.dir.path().to_string_lossy().into_owned();
    let ours: Vec<&str> = mounts
        .lines()
        .filter(|l| l.contains("berth") || l.contains(&dir))
        .collect();
    assert!(ours.is_empty(), "mounts left on the host: {ours:?}");
}

fn tar_names(data: &[u8]) -> Vec<String> {
    tar::Archive::new(data)
        .entries()
        .unwrap()
        .map(|e| e.unwrap().path().unwrap().display().to_string())
        .collect()
}

#[test]
fn diff_and_commit_carry_additions_and_deletions() {
    let b = Berth::new();
    b.busybox_image("busybox");
    b.ok(&[
        "run",
        "-d",
        "--name",
        "dc",
        "busybox",
        "sh",
        "-c",
        "echo hi > /data/new; rm /data/seed.txt; mkdir /tmp/d; sleep 1000",
    ]);
    assert!(berth_tests::eventually(5, || b
        .run(&["diff", "dc"])
        .stdout
        .contains("A /tmp/d")));
    let diff = b.ok(&["diff", "dc"]);
    assert_eq!(
        diff, "C /data\nA /data/new\nD /data/seed.txt\nC /tmp\nA /tmp/d",
        "runtime mount points must not show"
    );
    // Committed while running (paused meanwhile), with a CMD change like the seeds use.
    let id = b.ok(&[
        "commit",
        "-c",
        r#"CMD ["cat", "/data/new"]"#,
        "dc",
        "snap:one",
    ]);
    assert!(id.starts_with("sha256:") && id.len() == 71, "{id}");
    assert_eq!(b.inspect("dc", "{{.State.Status}}"), "running");
    assert_eq!(b.ok(&["run", "--rm", "snap:one"]), "hi");
    let o = b.run(&["run", "--rm", "snap:one", "cat", "/data/seed.txt"]);
    assert_ne!(o.code, 0, "the deleted file came back: {}", o.stdout);
    // Stopped: diff reads the same; the container form of the command works too.
    b.ok(&["stop", "-t", "0", "dc"]);
    assert_eq!(b.ok(&["container", "diff", "dc"]), diff);
    let id2 = b.ok(&[
        "container",
        "commit",
        "-a",
        "me",
        "-m",
        "msg",
        "-c",
        "ENV X=1",
        "dc",
    ]);
    assert!(id2.starts_with("sha256:"));
    assert_eq!(
        b.ok(&["run", "--rm", &id2[7..], "sh", "-c", "echo $X"]),
        "1"
    );
    assert_no_mounts(&b);
}

#[test]
fn export_lists_the_merged_rootfs_running_and_stopped() {
    let b = Berth::new();
    b.busybox_image("busybox");
    b.ok(&[
        "run",
        "-d",
        "--name",
        "ex",
        "busybox",
        "sh",
        "-c",
        "echo x > /made; rm /data/seed.txt; sleep 1000",
    ]);
    assert!(berth_tests::eventually(5, || b
        .run(&["exec", "ex", "cat", "/made"])
        .code
        == 0));
    for state in ["running", "stopped"] {
        let out = b.cmd().args(["export", "ex"]).output().unwrap();
        assert!(
            out.status.success(),
            "{state}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        let names = tar_names(&out.stdout);
        for want in ["bin/busybox", "etc/passwd", "made", "var/www/index.html"] {
            assert!(names.iter().any(|n| n == want), "{state}: no {want}");
        }
        assert!(
            !names.iter().any(|n| n == "data/seed.txt"),
            "{state}: deleted file"
        );
        assert!(
            !names.iter().any(|n| n.starts_with("proc/")),
            "{state}: /proc contents"
        );
        b.ok(&["stop", "-t", "0", "ex"]);
    }
    let file = b.dir.path().join("ex.tar");
    b.ok(&["container", "export", "-o", file.to_str().unwrap(), "ex"]);
    let names = tar_names(&std::fs::read(&file).unwrap());
    assert!(names.iter().any(|n| n == "made"));
    assert_no_mounts(&b);
}

fn cp_both_ways(b: &Berth, name: &str) {
    let host = b.dir.path().join(format!("cp-{name}"));
    std::fs::create_dir_all(&host).unwrap();
    let h = |p: &str| host.join(p).to_string_lossy().into_owned();
    let in_ctr = |p: &str| format!("{name}:{p}");

    // Out of the container: a symlink to / inside it means the container's root.
    b.ok(&["cp", &in_ctr("/tmp/esc/etc/passwd"), &h("passwd")]);
    let passwd = std::fs::read_to_string(host.join("passwd")).unwrap();
    assert!(
        passwd.contains("app:x:1000"),
        "not the container's passwd: {passwd}"
    );
    // Into the container through the same symlink: lands in the container's root.
    std::fs::write(host.join("payload"), "payload\n").unwrap();
    let marker = format!("berth-escape-{}-{name}", std::process::id());
    b.ok(&["cp", &h("payload"), &in_ctr(&format!("/tmp/esc/{marker}"))]);
    assert!(
        !Path::new("/").join(&marker).exists(),
        "cp wrote on the host"
    );
    b.ok(&["cp", &in_ctr(&format!("/{marker}")), &h("back")]);
    assert_eq!(
        std::fs::read_to_string(host.join("back")).unwrap(),
        "payload\n"
    );

    // Directories: into an existing dir, to a new name, and contents only with `/.`.
    b.ok(&["cp", &in_ctr("/data"), &h("")]);
    assert!(host.join("data/new").is_file());
    b.ok(&["cp", &in_ctr("/data"), &h("renamed")]);
    assert!(host.join("renamed/new").is_file());
    std::fs::create_dir_all(host.join("contents")).unwrap();
    b.ok(&["cp", &in_ctr("/data/."), &h("contents")]);
    assert!(host.join("contents/new").is_file());
    std::fs::create_dir_all(host.join("up/sub")).unwrap();
    std::fs::write(host.join("up/sub/f"), "f").unwrap();
    b.ok(&["container", "cp", &h("up"), &in_ctr("/tmp")]);
    b.ok(&["cp", &in_ctr("/tmp/up/sub/f"), &h("f-back")]);
    assert_eq!(std::fs::read_to_string(host.join("f-back")).unwrap(), "f");

    // Tar streams on stdout.
    let out = b
        .cmd()
        .args(["cp", &in_ctr("/etc/passwd"), "-"])
        .output()
        .unwrap();
    assert_eq!(tar_names(&out.stdout), vec!["passwd"]);

    // Docker's error for a missing source.
    let o = b.run(&["cp", &in_ctr("/nope"), &h("x")]);
    assert_ne!(o.code, 0);
    assert!(
        o.stderr.contains(&format!(
            "Could not find the file /nope in container {name}"
        )),
        "{}",
        o.stderr
    );
}

#[test]
fn cp_stays_inside_the_container_running_and_stopped() {
    let b = Berth::new();
    b.busybox_image("busybox");
    b.ok(&[
        "run",
        "-d",
        "--name",
        "cpr",
        "busybox",
        "sh",
        "-c",
        "echo new > /data/new; ln -s / /tmp/esc; sleep 1000",
    ]);
    assert!(berth_tests::eventually(5, || b
        .run(&["exec", "cpr", "ls", "/tmp/esc"])
        .code
        == 0));
    cp_both_ways(&b, "cpr");
    // -a keeps ownership going in.
    let f = b.dir.path().join("owned");
    std::fs::write(&f, "o").unwrap();
    std::os::unix::fs::chown(&f, Some(1234), Some(4321)).unwrap();
    b.ok(&["cp", "-a", f.to_str().unwrap(), "cpr:/tmp/owned"]);
    assert_eq!(
        b.ok(&["exec", "cpr", "stat", "-c", "%u:%g", "/tmp/owned"]),
        "1234:4321"
    );
    b.ok(&["cp", f.to_str().unwrap(), "cpr:/tmp/plain"]);
    assert_eq!(
        b.ok(&["exec", "cpr", "stat", "-c", "%u:%g", "/tmp/plain"]),
        "0:0"
    );

    b.ok(&["stop", "-t", "0", "cpr"]);
    b.ok(&["rm", "cpr"]);
    b.ok(&["create", "--name", "cps", "busybox", "sleep", "1000"]);
    // A container that never ran: give it the same shape through cp itself.
    let seed = b.dir.path().join("seed");
    std::fs::create_dir_all(seed.join("data")).unwrap();
    std::fs::write(seed.join("data/new"), "new\n").unwrap();
    b.ok(&["cp", seed.join("data/.").to_str().unwrap(), "cps:/data"]);
    let tarball = {
        let mut t = tar::Builder::new(Vec::new());
        let mut h = tar::Header::new_gnu();
        h.set_entry_type(tar::EntryType::Symlink);
        h.set_size(0);
        h.set_mode(0o777);
        t.append_link(&mut h, "esc", "/").unwrap();
        t.into_inner().unwrap()
    };
    let mut child = b
        .cmd()
        .args(["cp", "-", "cps:/tmp"])
        .stdin(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    std::io::Write::write_all(&mut child.stdin.take().unwrap(), &tarball).unwrap();
    assert!(child.wait().unwrap().success());
    cp_both_ways(&b, "cps");
    assert_eq!(b.ok(&["start", "cps"]), "cps");
    assert_eq!(b.ok(&["exec", "cps", "cat", "/data/new"]), "new");
    assert_no_mounts(&b);
}

#[test]
fn top_and_stats_show_the_container() {
    let b = Berth::new();
    b.busybox_image("busybox");
    b.ok(&["run", "-d", "--name", "ts", "busybox", "sleep", "1000"]);
    let pid = b.inspect("ts", "{{.State.Pid}}");
    let top = b.ok(&["top", "ts"]);
    let mut lines = top.lines();
    let head: Vec<&str> = lines.next().unwrap().split_whitespace().collect();
    assert_eq!(
        head,
        ["UID", "PID", "PPID", "C", "STIME", "TTY", "TIME", "CMD"]
    );
    let row: Vec<&str> = lines.next().unwrap().split_whitespace().collect();
    assert_eq!(row[0], "root");
    assert_eq!(row[1], pid, "host PID, as docker top shows");
    assert_eq!(&row[7..], ["sleep", "1000"]);
    let custom = b.ok(&["container", "top", "ts", "-o", "pid,comm"]);
    assert!(custom.lines().nth(1).unwrap().contains("sleep"), "{custom}");

    let out = b.ok(&["stats", "--no-stream"]);
    let mut lines = out.lines();
    let head = lines.next().unwrap();
    assert!(head.starts_with("CONTAINER ID   NAME"), "{head}");
    assert!(
        head.contains("MEM USAGE / LIMIT") && head.ends_with("PIDS"),
        "{head}"
    );
    let row = lines.next().unwrap();
    assert!(row.contains(" ts "), "{row}");
    let fmt = b.ok(&[
        "stats",
        "--no-stream",
        "--format",
        "{{.Name}};{{.CPUPerc}};{{.MemUsage}};{{.MemPerc}};{{.NetIO}};{{.BlockIO}};{{.PIDs}}",
        "ts",
    ]);
    let f: Vec<&str> = fmt.split(';').collect();
    assert_eq!(f[0], "ts");
    let cpu: f64 = f[1].trim_end_matches('%').parse().unwrap();
    assert!((0.0..=100.0 * 64.0).contains(&cpu), "{fmt}");
    let (used, limit) = f[2].split_once(" / ").unwrap();
    assert!(used.ends_with('B') && limit.ends_with("iB"), "{fmt}");
    let _: f64 = f[3].trim_end_matches('%').parse().unwrap();
    assert!(f[4].contains(" / ") && f[5].contains(" / "), "{fmt}");
    let pids: u64 = f[6].parse().unwrap();
    assert!(pids >= 1, "{fmt}");

    b.ok(&["stop", "-t", "0", "ts"]);
    let o = b.run(&["top", "ts"]);
    assert!(o.stderr.contains("is not running"), "{}", o.stderr);
    let stopped = b.ok(&[
        "container",
        "stats",
        "--no-stream",
        "-a",
        "--format",
        "{{.Name}} {{.PIDs}}",
    ]);
    assert_eq!(stopped, "ts 0");
    assert_no_mounts(&b);
}
