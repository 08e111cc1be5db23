//! `berth anatomy`: what the engine reads back from the kernel about a running container
//! must be what the kernel says, checked here against /proc and /sys directly.

use std::fs;

use berth_tests::Berth;
use serde_json::Value;

fn anatomy(b: &Berth, name: &str) -> Value {
    serde_json::from_str(&b.ok(&["anatomy", "--json", name])).expect("anatomy JSON")
}

fn ns_inode(pid: i64, kind: &str) -> u64 {
    let l = fs::read_link(format!("/proc/{pid}/ns/{kind}")).unwrap();
    let s = l.to_string_lossy();
    s[s.find('[').unwrap() + 1..s.len() - 1].parse().unwrap()
}

#[test]
fn anatomy_matches_what_the_kernel_reports() {
    let b = Berth::new();
    b.busybox_image("bb");
    b.ok(&["network", "create", "--subnet", &b.user_subnet(0), "anet"]);
    b.ok(&[
        "run",
        "-d",
        "--name",
        "body",
        "--network",
        "anet",
        "-m",
        "64m",
        "--pids-limit",
        "50",
        "bb",
        "sh",
        "-c",
        "sleep 1000 & wait",
    ]);
    let a = anatomy(&b, "body");
    let pid = b.inspect("body", "{{.State.Pid}}").parse::<i64>().unwrap();
    let id = b.inspect("body", "{{.Id}}");
    assert_eq!(a["running"], true);
    assert_eq!(a["pid"], pid);

    // Namespaces: the container's inode per kind, berth's own next to it.
    let ns = a["namespaces"].as_array().unwrap();
    let kind = |k: &str| ns.iter().find(|n| n["kind"] == k).unwrap().clone();
    for k in ["pid", "mnt", "net", "uts", "ipc"] {
        let n = kind(k);
        assert_eq!(n["inside"], ns_inode(pid, k), "{k}");
        assert_eq!(n["host"], ns_inode(std::process::id() as i64, k), "{k}");
        assert_ne!(n["inside"], n["host"], "{k} must be the container's own");
    }
    assert_eq!(kind("user")["inside"], kind("user")["host"]);

    // PIDs: the first process is 1 inside and State.Pid outside; the sleep is another.
    let procs = a["processes"].as_array().unwrap();
    assert_eq!(procs[0]["pid_inside"], 1);
    assert_eq!(procs[0]["host_pid"], pid);
    let sleep = procs
        .iter()
        .find(|p| p["command"] == "sleep 1000")
        .expect("the sleep is listed");
    let host = sleep["host_pid"].as_i64().unwrap();
    assert!(fs::read_to_string(format!("/proc/{host}/status"))
        .unwrap()
        .lines()
        .any(|l| l.starts_with("NSpid:") && l.ends_with(&format!("\t{}", sleep["pid_inside"]))));

    // Cgroup: live limits read back from the cgroup's files.
    let cg = &a["cgroup"];
    assert_eq!(cg["stats"]["memory_limit"], 64 << 20);
    assert_eq!(cg["stats"]["pids_limit"], 50);
    assert!(cg["stats"]["pids_current"].as_u64().unwrap() >= 2);
    for p in cg["paths"].as_array().unwrap() {
        let p = p.as_str().unwrap();
        assert!(p.ends_with(&id), "{p}");
        let procs = fs::read_to_string(format!("{p}/cgroup.procs")).unwrap();
        assert!(procs.lines().any(|l| l == pid.to_string()), "{p}");
    }

    // Overlay: from the kernel's mount table, the container's own upper dir.
    let r = &a["rootfs"];
    assert_eq!(r["live"], true);
    let dir = b.root.join("containers").join(&id);
    assert_eq!(r["upper"], dir.join("upper").to_str().unwrap());
    assert_eq!(r["merged"], dir.join("merged").to_str().unwrap());
    let lower = r["lower"].as_array().unwrap();
    assert!(!lower.is_empty());
    assert!(lower.iter().all(|l| l
        .as_str()
        .unwrap()
        .starts_with(b.root.join("layers").to_str().unwrap())));

    // The veth pair: the host end is a port of the network's bridge.
    let link = &a["links"][0];
    assert_eq!(link["network"], "anet");
    assert_eq!(link["container_if"], "eth0");
    let veth = link["host_veth"].as_str().unwrap();
    let master = fs::read_link(format!("/sys/class/net/{veth}/master")).unwrap();
    assert_eq!(
        master.file_name().unwrap().to_str().unwrap(),
        link["bridge"].as_str().unwrap()
    );
    let ip = b.inspect("body", "{{.NetworkSettings.Networks.anet.IPAddress}}");
    assert!(link["addresses"]
        .as_array()
        .unwrap()
        .iter()
        .any(|x| x.as_str().unwrap().starts_with(&format!("{ip}/"))));

    // Privileges: Docker's 14 default capabilities, no no_new_privs (as in Docker), a seccomp filter.
    let s = &a["security"];
    assert_eq!(s["effective_caps"].as_array().unwrap().len(), 14);
    assert!(!s["effective_caps"]
        .as_array()
        .unwrap()
        .iter()
        .any(|c| c == "CAP_SYS_ADMIN"));
    assert_eq!(s["no_new_privs"], false);
    assert_eq!(s["seccomp"], 2);

    // Mounts as the container sees them, masked paths among them.
    let mounts = a["mounts"].as_array().unwrap();
    assert!(mounts
        .iter()
        .any(|m| m["target"] == "/" && m["fstype"] == "overlay"));
    assert!(mounts.iter().any(|m| m["target"] == "/proc/keys"));

    // The words for it.
    let text = b.ok(&["anatomy", "body"]);
    assert!(
        text.contains(&format!("PID 1 in here, {pid} on the host")),
        "{text}"
    );
    assert!(text.contains("masked: hidden from the container"), "{text}");
    assert!(text.contains("64MiB"), "{text}");

    // Stopped: the directories only.
    b.ok(&["stop", "-t", "1", "body"]);
    let a = anatomy(&b, "body");
    assert_eq!(a["running"], false);
    assert!(a["namespaces"].as_array().unwrap().is_empty());
    assert_eq!(a["rootfs"]["upper"], dir.join("upper").to_str().unwrap());
    b.ok(&["rm", "body"]);
}

/// `--init`'s PID 1 keeps no more privileges than the command it supervises.
#[test]
fn the_init_process_is_as_restricted_as_the_command() {
    let b = Berth::new();
    b.busybox_image("bb");
    for (user, caps) in [("0", "00000000a80425fb"), ("1000", "0000000000000000")] {
        let out = b.ok(&[
            "run",
            "--rm",
            "--init",
            "--user",
            user,
            "bb",
            "cat",
            "/proc/1/status",
        ]);
        let field = |k: &str| {
            out.lines()
                .find_map(|l| l.strip_prefix(k))
                .map(|v| v.trim().to_string())
                .unwrap_or_default()
        };
        assert_eq!(field("CapEff:"), caps, "user {user}: {out}");
        assert_eq!(field("CapBnd:"), "00000000a80425fb", "user {user}");
        assert_eq!(field("NoNewPrivs:"), "0", "user {user}");
        assert_eq!(field("Seccomp:"), "2", "user {user}");
        assert!(field("Uid:").starts_with(user), "user {user}: {out}");
    }
}
