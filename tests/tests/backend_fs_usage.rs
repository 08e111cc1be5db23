//! A container's filesystem and resources through the engine interface, driven by
//! Debian's docker CLI against `berth system service`: `cp` both ways into running and
//! stopped containers, `diff`, `export`, `top`, `stats` and `update`, each checked
//! against what berth's own CLI says of the same container.

use std::io::Write;
use std::path::Path;
use std::process::Stdio;

use berth_tests::api::{http, Service};
use berth_tests::{eventually, Berth};

fn tar_names(data: &[u8]) -> Vec<String> {
    tar::Archive::new(data)
        .entries()
        .expect("a tar")
        .map(|e| {
            let e = e.expect("a tar entry");
            String::from_utf8_lossy(&e.path_bytes()).into_owned()
        })
        .collect()
}

/// `docker ARGS` with `input` on stdin: (exit code, stdout bytes, stderr).
fn docker_with_input(api: &Service, args: &[&str], input: &[u8]) -> (i32, Vec<u8>, String) {
    let mut child = api
        .docker_cmd()
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn docker");
    let mut stdin = child.stdin.take().expect("docker's stdin");
    // A refused copy may close the pipe early: its exit status tells.
    let _ = stdin.write_all(input);
    drop(stdin);
    let o = child.wait_with_output().expect("wait for docker");
    (
        o.status.code().unwrap_or(-1),
        o.stdout,
        String::from_utf8_lossy(&o.stderr).into_owned(),
    )
}

fn docker_bytes(api: &Service, args: &[&str]) -> Vec<u8> {
    let o = api.docker_cmd().args(args).output().expect("spawn docker");
    assert!(
        o.status.success(),
        "docker {args:?}: {}",
        String::from_utf8_lossy(&o.stderr)
    );
    o.stdout
}

/// A local tree to copy in: `dir/a.txt`, `dir/sub/b.txt`, and a file of uid 1234.
fn local_tree(b: &Berth) -> std::path::PathBuf {
    let dir = b.dir.path().join("local/dir");
    std::fs::create_dir_all(dir.join("sub")).unwrap();
    std::fs::write(dir.join("a.txt"), "a\n").unwrap();
    std::fs::write(dir.join("sub/b.txt"), "b\n").unwrap();
    let owned = b.dir.path().join("local/owned");
    std::fs::write(&owned, "o\n").unwrap();
    std::os::unix::fs::chown(&owned, Some(1234), Some(4321)).unwrap();
    dir
}

/// Read a file of a container (running or not) through berth's own `cp`.
fn berth_cat(b: &Berth, container: &str, path: &str) -> String {
    let o = b
        .cmd()
        .args(["cp", &format!("{container}:{path}"), "-"])
        .output()
        .expect("spawn berth cp");
    assert!(
        o.status.success(),
        "berth cp {container}:{path}: {}",
        String::from_utf8_lossy(&o.stderr)
    );
    let mut ar = tar::Archive::new(&o.stdout[..]);
    let mut e = ar
        .entries()
        .expect("a tar")
        .next()
        .expect("one entry")
        .expect("an entry");
    let mut s = String::new();
    std::io::Read::read_to_string(&mut e, &mut s).expect("a text file");
    s
}

fn cp_in_and_out(b: &Berth, api: &Service, c: &str) {
    let dir = local_tree(b);
    let local = dir.to_str().unwrap();
    let file = dir.join("a.txt");
    let owned = b.dir.path().join("local/owned");
    // Into the container: a file into a directory, a file to a new name, a directory.
    api.docker_ok(&["cp", file.to_str().unwrap(), &format!("{c}:/tmp/")]);
    assert_eq!(berth_cat(b, c, "/tmp/a.txt"), "a\n");
    api.docker_ok(&["cp", file.to_str().unwrap(), &format!("{c}:/tmp/renamed")]);
    assert_eq!(berth_cat(b, c, "/tmp/renamed"), "a\n");
    api.docker_ok(&["cp", local, &format!("{c}:/tmp/")]);
    assert_eq!(berth_cat(b, c, "/tmp/dir/sub/b.txt"), "b\n");
    api.docker_ok(&["cp", local, &format!("{c}:/tmp/newdir")]);
    assert_eq!(berth_cat(b, c, "/tmp/newdir/a.txt"), "a\n");
    // Ownership: root's unless -a keeps the file's own.
    api.docker_ok(&["cp", owned.to_str().unwrap(), &format!("{c}:/tmp/plain")]);
    api.docker_ok(&[
        "cp",
        "-a",
        owned.to_str().unwrap(),
        &format!("{c}:/tmp/kept"),
    ]);
    let owners = |p: &str| {
        let t = docker_bytes(api, &["cp", &format!("{c}:{p}"), "-"]);
        let mut ar = tar::Archive::new(&t[..]);
        let e = ar.entries().unwrap().next().unwrap().unwrap();
        (e.header().uid().unwrap(), e.header().gid().unwrap())
    };
    assert_eq!(owners("/tmp/plain"), (0, 0));
    assert_eq!(owners("/tmp/kept"), (1234, 4321));

    // Out of the container: a file, a directory to a new name, a directory's contents.
    let out = b.dir.path().join(format!("out-{c}"));
    std::fs::create_dir_all(&out).unwrap();
    api.docker_ok(&["cp", &format!("{c}:/tmp/a.txt"), out.to_str().unwrap()]);
    assert_eq!(std::fs::read_to_string(out.join("a.txt")).unwrap(), "a\n");
    let copy = out.join("copy");
    api.docker_ok(&["cp", &format!("{c}:/tmp/dir"), copy.to_str().unwrap()]);
    assert_eq!(
        std::fs::read_to_string(copy.join("sub/b.txt")).unwrap(),
        "b\n"
    );
    let contents = out.join("contents");
    api.docker_ok(&["cp", &format!("{c}:/tmp/dir/."), contents.to_str().unwrap()]);
    assert_eq!(
        std::fs::read_to_string(contents.join("a.txt")).unwrap(),
        "a\n"
    );
    assert!(contents.join("sub/b.txt").is_file());
    // `-` is the tar itself: a file alone, a directory under its base name.
    let t = docker_bytes(api, &["cp", &format!("{c}:/tmp/a.txt"), "-"]);
    assert_eq!(tar_names(&t), ["a.txt"]);
    let t = docker_bytes(api, &["cp", &format!("{c}:/tmp/dir"), "-"]);
    let names = tar_names(&t);
    assert_eq!(names[0].trim_end_matches('/'), "dir");
    assert!(names.iter().any(|n| n == "dir/sub/b.txt"), "{names:?}");

    // Docker's client words a missing path itself, from the daemon's 404.
    let o = api.docker(&["cp", &format!("{c}:/nope"), out.to_str().unwrap()]);
    assert_eq!(o.code, 1, "{}", o.stderr);
    assert!(
        o.stderr
            .contains(&format!("No such container:path: {c}:/nope")),
        "{}",
        o.stderr
    );
    let o = api.docker(&["cp", file.to_str().unwrap(), &format!("{c}:/nowhere/x")]);
    assert_eq!(o.code, 1, "{}", o.stderr);
    assert!(o.stderr.contains("No such container:path"), "{}", o.stderr);

    // A symlink that arrives in the stream cannot lead a later entry anywhere.
    let evil = {
        let mut t = tar::Builder::new(Vec::new());
        let mut h = tar::Header::new_gnu();
        h.set_entry_type(tar::EntryType::Symlink);
        h.set_size(0);
        h.set_mode(0o777);
        t.append_link(&mut h, "esc", "/etc").unwrap();
        let mut h = tar::Header::new_gnu();
        h.set_size(2);
        h.set_mode(0o644);
        t.append_data(&mut h, "esc/pwned", &b"x\n"[..]).unwrap();
        t.into_inner().unwrap()
    };
    let (code, _, err) = docker_with_input(api, &["cp", "-", &format!("{c}:/tmp")], &evil);
    assert_ne!(code, 0, "an escaping tar was accepted");
    assert!(err.contains("refusing"), "{err}");
    let o = b.run(&["cp", &format!("{c}:/etc/pwned"), "-"]);
    assert_ne!(o.code, 0, "/etc/pwned was written through the symlink");
}

#[test]
fn docker_cp_both_ways_running_and_stopped() {
    let b = Berth::new();
    b.busybox_image("busybox:latest");
    let api = Service::start(&b);
    b.ok(&["run", "-d", "--name", "live", "busybox", "sleep", "1000"]);
    b.ok(&["create", "--name", "cold", "busybox", "sleep", "1000"]);
    cp_in_and_out(&b, &api, "live");
    cp_in_and_out(&b, &api, "cold");
    assert_eq!(b.inspect("cold", "{{.State.Status}}"), "created");

    // The archive HEAD: Docker's PathStat, base64 JSON in a header.
    let (status, _) = http(
        &api.socket,
        "HEAD",
        "/containers/cold/archive?path=/tmp/nope",
        "",
    );
    assert_eq!(status, 404);
    let (status, body) = http(
        &api.socket,
        "GET",
        "/containers/cold/archive?path=/nope",
        "",
    );
    assert_eq!(status, 404);
    assert!(
        body.contains("Could not find the file /nope in container cold"),
        "{body}"
    );
    assert!(
        no_mounts_left(&b),
        "a filesystem view was left mounted on the host"
    );
}

fn no_mounts_left(b: &Berth) -> bool {
    let mounts = std::fs::read_to_string("/proc/mounts").unwrap_or_default();
    let dir = b.dir.path().to_string_lossy().into_owned();
    !mounts.lines().any(|l| l.contains(&dir))
}

#[test]
fn docker_diff_and_export_match_berths() {
    let b = Berth::new();
    b.busybox_image("busybox:latest");
    let api = Service::start(&b);
    b.ok(&[
        "run",
        "-d",
        "--name",
        "dx",
        "busybox",
        "sh",
        "-c",
        "echo hi > /data/new; rm /data/seed.txt; mkdir /tmp/d; sleep 1000",
    ]);
    assert!(eventually(5, || b
        .run(&["diff", "dx"])
        .stdout
        .contains("A /tmp/d")));
    let diff = api.docker_ok(&["diff", "dx"]);
    assert_eq!(diff, b.ok(&["diff", "dx"]));
    assert!(
        diff.contains("A /data/new") && diff.contains("D /data/seed.txt"),
        "{diff}"
    );

    let exported = docker_bytes(&api, &["export", "dx"]);
    let names = tar_names(&exported);
    assert!(names.iter().any(|n| n == "data/new"), "{names:?}");
    assert!(!names.iter().any(|n| n == "data/seed.txt"), "{names:?}");
    let mine = b.cmd().args(["export", "dx"]).output().unwrap();
    assert_eq!(names, tar_names(&mine.stdout));
    // Stopped: the same filesystem, from the image layers and the container's changes.
    b.ok(&["stop", "-t", "0", "dx"]);
    let stopped = tar_names(&docker_bytes(&api, &["export", "dx"]));
    assert!(stopped.iter().any(|n| n == "data/new"), "{stopped:?}");
    let o = api.docker(&["diff", "nosuch"]);
    assert_ne!(o.code, 0);
    assert!(
        o.stderr.contains("No such container: nosuch"),
        "{}",
        o.stderr
    );
}

#[test]
fn docker_top_and_stats_match_berths() {
    let b = Berth::new();
    b.busybox_image("busybox:latest");
    let api = Service::start(&b);
    b.ok(&["run", "-d", "--name", "ts", "busybox", "sleep", "1000"]);
    b.ok(&["create", "--name", "idle", "busybox", "sleep", "1000"]);
    let pid = b.inspect("ts", "{{.State.Pid}}");

    let top = api.docker_ok(&["top", "ts"]);
    let mut lines = top.lines();
    let head: Vec<&str> = lines.next().unwrap().split_whitespace().collect();
    assert_eq!(
        head,
        ["UID", "PID", "PPID", "C", "STIME", "TTY", "TIME", "CMD"]
    );
    let row: Vec<&str> = lines.next().unwrap().split_whitespace().collect();
    assert_eq!((row[0], row[1]), ("root", pid.as_str()));
    assert_eq!(&row[7..], ["sleep", "1000"]);
    let aux = api.docker_ok(&["top", "ts", "aux"]);
    let head = aux.lines().next().unwrap();
    assert!(head.contains("USER") && head.contains("%CPU"), "{aux}");
    assert!(aux.lines().nth(1).unwrap().contains("sleep 1000"), "{aux}");
    let o = api.docker(&["top", "idle"]);
    assert_eq!(o.code, 1);
    assert!(o.stderr.contains("is not running"), "{}", o.stderr);

    // The same figures as berth's own stats: MEM USAGE is usage less inactive cache.
    // (A young container's usage still moves: compare until two readings agree.)
    let fmt = "{{.Name}} {{.MemUsage}} {{.PIDs}}";
    let mut last = (String::new(), String::new());
    let same = eventually(15, || {
        let theirs = api.docker_ok(&["stats", "--no-stream", "--format", fmt, "ts"]);
        let ours = b.ok(&["stats", "--no-stream", "--format", fmt, "ts"]);
        last = (theirs, ours);
        last.0 == last.1
    });
    assert!(
        same,
        "docker stats {:?} != berth stats {:?}",
        last.0, last.1
    );
    assert!(
        last.0.starts_with("ts ") && last.0.ends_with(" 1"),
        "{}",
        last.0
    );
    let stopped = api.docker_ok(&["stats", "--no-stream", "--format", fmt, "idle"]);
    assert_eq!(stopped, "idle 0B / 0B 0");
    // The raw reading carries what Docker's clients compute from.
    let (status, body) = http(&api.socket, "GET", "/containers/ts/stats?stream=false", "");
    assert_eq!(status, 200);
    let v: serde_json::Value = serde_json::from_str(&body).expect("stats JSON");
    assert_eq!(v["name"], "/ts");
    assert!(
        v["cpu_stats"]["system_cpu_usage"].as_u64().unwrap_or(0) > 0,
        "{v}"
    );
    assert!(v["memory_stats"]["usage"].as_u64().unwrap_or(0) > 0, "{v}");
    assert!(v["memory_stats"]["stats"].is_object(), "{v}");
    assert_eq!(v["pids_stats"]["current"], 1);
}

#[test]
fn docker_update_changes_limits_and_restart_policy() {
    let b = Berth::new();
    b.busybox_image("busybox:latest");
    let api = Service::start(&b);
    b.ok(&["run", "-d", "--name", "up", "busybox", "sleep", "1000"]);
    b.ok(&["create", "--name", "down", "busybox", "sleep", "1000"]);
    for c in ["up", "down"] {
        assert_eq!(
            api.docker_ok(&["update", "--memory", "64m", "--memory-swap", "128m", c]),
            c
        );
        assert_eq!(
            api.docker_ok(&[
                "inspect",
                "--format",
                "{{.HostConfig.Memory}} {{.HostConfig.MemorySwap}}",
                c
            ]),
            "67108864 134217728"
        );
        assert_eq!(
            b.inspect(c, "{{.HostConfig.Memory}}"),
            "67108864",
            "berth sees what the API changed"
        );
    }
    api.docker_ok(&["update", "--cpus", "0.5", "--pids-limit", "50", "up"]);
    assert_eq!(
        b.inspect("up", "{{.HostConfig.NanoCpus}} {{.HostConfig.PidsLimit}}"),
        "500000000 50"
    );
    // A limit not given stays as it was.
    api.docker_ok(&["update", "--restart", "on-failure:3", "up"]);
    assert_eq!(
        b.inspect(
            "up",
            "{{.HostConfig.RestartPolicy.Name}} {{.HostConfig.RestartPolicy.MaximumRetryCount}} {{.HostConfig.Memory}}"
        ),
        "on-failure 3 67108864"
    );
    // The running container's cgroup has the new limit: stats reads it back.
    let mem = api.docker_ok(&["stats", "--no-stream", "--format", "{{.MemUsage}}", "up"]);
    assert!(mem.ends_with("/ 64MiB"), "{mem}");

    // Refusals in the engine's words.
    let o = api.docker(&["update", "--memory", "1k", "up"]);
    assert_eq!(o.code, 1);
    assert!(
        o.stderr.contains("Minimum memory limit allowed is 6MB"),
        "{}",
        o.stderr
    );
    let o = api.docker(&["update", "--cpu-period", "50000", "up"]);
    assert_eq!(o.code, 1);
    assert!(o.stderr.contains("Conflicting options"), "{}", o.stderr);
    let o = api.docker(&["update", "--memory", "64m", "nosuch"]);
    assert_eq!(o.code, 1);
    assert!(
        o.stderr.contains("No such container: nosuch"),
        "{}",
        o.stderr
    );
    assert!(Path::new(&b.root).is_dir());
}
