//! The embedded DNS server of user networks, through the real binary: names, aliases
//! and short IDs, round robin, visibility only across shared networks (following
//! connect/disconnect and rename), forwarding to a fake upstream on loopback, internal
//! networks, and the server leaving with its last container.

use std::net::UdpSocket;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

use berth_tests::{eventually, Berth};

/// The addresses busybox nslookup printed for a name (not the server's own line).
fn addresses(out: &str) -> Vec<String> {
    let mut after_name = false;
    let mut v = Vec::new();
    for l in out.lines() {
        if l.starts_with("Name:") {
            after_name = true;
        } else if let Some(a) = l.strip_prefix("Address: ").filter(|_| after_name) {
            v.push(a.trim().to_string());
        }
    }
    v
}

fn resolve_in(b: &Berth, net: &str, name: &str) -> Vec<String> {
    let o = b.run(&["run", "--rm", "--network", net, "busybox", "nslookup", name]);
    addresses(&o.stdout)
}

fn resolve_exec(b: &Berth, container: &str, name: &str) -> Vec<String> {
    let o = b.run(&["exec", container, "nslookup", name]);
    let got = addresses(&o.stdout);
    if got.is_empty() {
        // Expected for names that must not resolve; the story when one should have.
        eprintln!(
            "nslookup {name} in {container}: code {} {}{}",
            o.code, o.stdout, o.stderr
        );
    }
    got
}

/// Processes of this test's DNS servers.
fn dns_servers(b: &Berth) -> usize {
    let root = b.root.to_string_lossy().to_string();
    std::fs::read_dir("/proc")
        .unwrap()
        .flatten()
        .filter_map(|e| std::fs::read(e.path().join("cmdline")).ok())
        .map(|c| String::from_utf8_lossy(&c).replace('\0', " "))
        .filter(|c| c.contains("__dns") && c.contains(&root))
        .count()
}

#[test]
fn names_aliases_and_short_ids_resolve_round_robin_on_shared_networks_only() {
    let b = Berth::new();
    b.busybox_image("busybox");
    b.ok(&["network", "create", "--subnet", &b.user_subnet(0), "neta"]);
    b.ok(&["network", "create", "--subnet", &b.user_subnet(1), "netb"]);
    let run = |name: &str, net: &str, alias: Option<&str>| {
        let mut a = vec!["run", "-d", "--name", name, "--network", net];
        if let Some(al) = alias {
            a.extend(["--network-alias", al]);
        }
        a.extend(["busybox", "sleep", "1000"]);
        b.ok(&a)
    };
    let web_id = run("web", "neta", Some("www"));
    run("r1", "neta", Some("cache"));
    run("r2", "neta", Some("cache"));
    run("other", "netb", None);
    let ip = |n: &str| {
        b.inspect(
            n,
            "{{range .NetworkSettings.Networks}}{{.IPAddress}}{{end}}",
        )
    };
    let web = ip("web");

    assert_eq!(
        b.ok(&["exec", "web", "cat", "/etc/resolv.conf"])
            .lines()
            .next(),
        Some(
            format!(
                "nameserver {}",
                b.inspect(
                    "web",
                    "{{range .NetworkSettings.Networks}}{{.Gateway}}{{end}}"
                )
            )
            .as_str()
        )
    );
    assert_eq!(resolve_in(&b, "neta", "web"), vec![web.clone()]);
    assert_eq!(resolve_in(&b, "neta", "WWW"), vec![web.clone()]);
    assert_eq!(resolve_in(&b, "neta", &web_id[..12]), vec![web.clone()]);

    // Both replicas answer, in turns.
    let mut firsts = std::collections::BTreeSet::new();
    for _ in 0..4 {
        let got = resolve_exec(&b, "web", "cache");
        let mut sorted = got.clone();
        sorted.sort();
        let mut want = vec![ip("r1"), ip("r2")];
        want.sort();
        assert_eq!(sorted, want);
        firsts.insert(got[0].clone());
    }
    assert_eq!(firsts.len(), 2, "the first address never changed");

    // Another network's names do not resolve, until the container joins it.
    assert!(resolve_exec(&b, "other", "web").is_empty());
    b.ok(&["network", "connect", "neta", "other"]);
    assert_eq!(resolve_exec(&b, "other", "web"), vec![web.clone()]);
    assert_eq!(resolve_exec(&b, "web", "other").len(), 1);
    b.ok(&["network", "disconnect", "neta", "other"]);
    assert!(resolve_exec(&b, "other", "web").is_empty());

    // A rename is seen at once; the old name is gone.
    b.ok(&["rename", "web", "front"]);
    assert_eq!(resolve_exec(&b, "r1", "front"), vec![web.clone()]);
    assert!(resolve_exec(&b, "r1", "web").is_empty());
}

/// A fake upstream nameserver on a loopback address: answers every A query with
/// 192.0.2.77 (and other types with no records), counting the queries.
struct FakeUpstream {
    addr: String,
    queries: Arc<AtomicUsize>,
}

impl FakeUpstream {
    fn start(k: usize) -> FakeUpstream {
        let addr = format!("127.0.{}.{}", 50 + (std::process::id() % 100), 1 + k % 250);
        let sock = UdpSocket::bind((addr.as_str(), 53)).unwrap();
        let queries = Arc::new(AtomicUsize::new(0));
        let count = queries.clone();
        std::thread::spawn(move || {
            let mut buf = [0u8; 512];
            while let Ok((n, from)) = sock.recv_from(&mut buf) {
                count.fetch_add(1, Ordering::SeqCst);
                let q = &buf[..n];
                // The question ends after the name's zero label and 4 bytes.
                let mut i = 12;
                while i < n && q[i] != 0 {
                    i += q[i] as usize + 1;
                }
                let end = i + 5;
                if end > n {
                    continue;
                }
                let is_a = q[i + 1] == 0 && q[i + 2] == 1;
                let mut out = q[..end].to_vec();
                out[2] = 0x81;
                out[3] = 0x80;
                out[6] = 0;
                out[7] = is_a as u8;
                out[10] = 0;
                out[11] = 0;
                if is_a {
                    out.extend_from_slice(&[
                        0xc0, 12, 0, 1, 0, 1, 0, 0, 0, 60, 0, 4, 192, 0, 2, 77,
                    ]);
                }
                let _ = sock.send_to(&out, from);
            }
        });
        FakeUpstream { addr, queries }
    }
}

#[test]
fn other_names_go_upstream_and_internal_networks_keep_to_themselves() {
    let b = Berth::new();
    b.busybox_image("busybox");
    let up = FakeUpstream::start(b.n);
    let conf = b.dir.path().join("resolv.conf");
    std::fs::write(&conf, format!("nameserver {}\nsearch corp.test\n", up.addr)).unwrap();
    let run = |args: &[&str]| {
        let o = b
            .cmd()
            .env("BERTH_RESOLV_CONF", &conf)
            .args(args)
            .output()
            .unwrap();
        (
            String::from_utf8_lossy(&o.stdout).to_string(),
            o.status.success(),
        )
    };
    b.ok(&["network", "create", "--subnet", &b.user_subnet(2), "pub"]);
    b.ok(&[
        "network",
        "create",
        "--internal",
        "--subnet",
        &b.user_subnet(3),
        "priv",
    ]);
    assert!(
        run(&[
            "run",
            "-d",
            "--name",
            "web",
            "--network",
            "pub",
            "busybox",
            "sleep",
            "1000"
        ])
        .1
    );
    assert!(
        run(&[
            "run",
            "-d",
            "--name",
            "vault",
            "--network",
            "priv",
            "busybox",
            "sleep",
            "1000"
        ])
        .1
    );

    let (out, _) = run(&[
        "run",
        "--rm",
        "--network",
        "pub",
        "busybox",
        "nslookup",
        "outside.example",
    ]);
    assert_eq!(addresses(&out), vec!["192.0.2.77"], "{out}");
    assert!(up.queries.load(Ordering::SeqCst) > 0);
    // The container's resolv.conf searches the host's domains, and web.corp.test is web.
    assert!(b
        .ok(&["exec", "web", "cat", "/etc/resolv.conf"])
        .contains("search corp.test"));
    let web = b.inspect(
        "web",
        "{{range .NetworkSettings.Networks}}{{.IPAddress}}{{end}}",
    );
    assert_eq!(resolve_exec(&b, "web", "web.corp.test"), vec![web]);

    // On an internal network container names resolve, nothing goes upstream.
    let before = up.queries.load(Ordering::SeqCst);
    let vault = b.inspect(
        "vault",
        "{{range .NetworkSettings.Networks}}{{.IPAddress}}{{end}}",
    );
    assert_eq!(resolve_exec(&b, "vault", "vault"), vec![vault]);
    assert!(resolve_exec(&b, "vault", "outside.example").is_empty());
    assert_eq!(up.queries.load(Ordering::SeqCst), before);
}

#[test]
fn the_server_leaves_with_the_last_container_and_comes_back_with_the_next() {
    let b = Berth::new();
    b.busybox_image("busybox");
    b.ok(&["network", "create", "--subnet", &b.user_subnet(4), "solo"]);
    assert_eq!(dns_servers(&b), 0);
    // The server inherits the environment of the run that starts it: linger 1 s.
    let run = |name: &str| {
        let out = b
            .cmd()
            .env("BERTH_DNS_LINGER_SECS", "1")
            .args(["run", "-d", "--name", name, "--network", "solo"])
            .args(["busybox", "sleep", "1000"])
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
    };
    run("one");
    assert_eq!(dns_servers(&b), 1);
    run("two");
    assert_eq!(dns_servers(&b), 1, "one server per network");
    b.ok(&["rm", "-f", "one", "two"]);
    // It lingers a moment (a burst of `run --rm` keeps one server), then goes.
    assert_eq!(dns_servers(&b), 1);
    assert!(eventually(5, || dns_servers(&b) == 0));
    run("three");
    assert_eq!(resolve_exec(&b, "three", "three").len(), 1);
    // Removing the network takes its server along.
    b.ok(&["rm", "-f", "three"]);
    b.ok(&["network", "rm", "solo"]);
    assert!(eventually(5, || dns_servers(&b) == 0));
}

#[test]
fn a_default_bridge_container_connected_to_a_user_network_resolves_its_names() {
    let b = Berth::new();
    b.busybox_image("busybox");
    b.ok(&["network", "create", "--subnet", &b.user_subnet(7), "apps"]);
    b.ok(&[
        "run",
        "-d",
        "--name",
        "db",
        "--network",
        "apps",
        "busybox",
        "sleep",
        "1000",
    ]);
    let db_ip = b.inspect(
        "db",
        "{{range .NetworkSettings.Networks}}{{.IPAddress}}{{end}}",
    );
    b.ok(&["run", "-d", "--name", "client", "busybox", "sleep", "1000"]);
    b.ok(&["network", "connect", "apps", "client"]);
    assert!(
        eventually(5, || resolve_exec(&b, "client", "db")
            == vec![db_ip.clone()]),
        "db does not resolve from a connected default-bridge container"
    );
    // And after a restart too (the user network's server comes first for DNS).
    b.ok(&["restart", "-t", "1", "client"]);
    assert!(eventually(5, || resolve_exec(&b, "client", "db")
        == vec![db_ip.clone()]));
}
