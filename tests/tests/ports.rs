//! Published ports through the real binary: `-p` and `-P` answer on the host's own
//! addresses and on 127.0.0.1, nothing unpublished is reachable from another machine (a
//! network namespace the test makes), a taken port fails cleanly, and the redirects go
//! with the container, also when its monitor is killed.

use std::net::{TcpListener, UdpSocket};
use std::os::fd::AsRawFd;
use std::time::Duration;

use berth_tests::{eventually, free_port, Berth, Outside};

fn wget_host(url: &str) -> bool {
    std::process::Command::new("timeout")
        .args(["3", "busybox", "wget", "-q", "-O-", url])
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .status()
        .is_ok_and(|s| s.success())
}

/// How many published ports the firewall redirects (elements of its two maps).
fn redirects(b: &Berth) -> usize {
    ["publish_any", "publish_addr"]
        .iter()
        .map(|map| {
            let out = std::process::Command::new("nft")
                .args(["-j", "list", "map", "ip", &b.nft_table(), map])
                .output()
                .unwrap();
            let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap_or_default();
            v["nftables"]
                .as_array()
                .into_iter()
                .flatten()
                .filter_map(|x| x["map"]["elem"].as_array().map(|e| e.len()))
                .sum::<usize>()
        })
        .sum()
}

const WEB: &str = "mkdir -p /www && echo hello > /www/index.html && httpd -p 81 -h /www && \
                   httpd -p 9090 -h /www && exec httpd -f -p 80 -h /www";

#[test]
fn published_ports_answer_on_host_addresses_and_nothing_else_does() {
    let b = Berth::new();
    b.busybox_image("busybox");
    let tag = format!("p{}x{}", std::process::id() % 100_000, b.n);
    let outside = Outside::new(&tag, (b.n % 60) as u32);
    let port = free_port();
    b.ok(&[
        "run",
        "-d",
        "--name",
        "web",
        "-p",
        &format!("{port}:80"),
        "-p",
        "127.0.0.1::81",
        "busybox",
        "sh",
        "-c",
        WEB,
    ]);
    let ip = b.inspect("web", "{{.NetworkSettings.IPAddress}}");
    // The servers are up: the host itself reaches the container's own address.
    assert!(eventually(5, || wget_host(&format!("http://{ip}:9090/"))));

    // 80 is published on every address: 127.0.0.1, the host's address on the outside
    // link, from the host and from the outside machine.
    assert!(wget_host(&format!("http://127.0.0.1:{port}/")));
    assert!(wget_host(&format!("http://{}:{port}/", outside.host_ip)));
    assert!(outside.wget(&format!("http://{}:{port}/", outside.host_ip)));

    // 81 is published on 127.0.0.1 only.
    let loopback: u16 = b
        .ok(&["port", "web", "81"])
        .strip_prefix("127.0.0.1:")
        .expect("81 on 127.0.0.1")
        .parse()
        .unwrap();
    assert!(wget_host(&format!("http://127.0.0.1:{loopback}/")));
    assert!(!outside.wget(&format!("http://{}:{loopback}/", outside.host_ip)));

    // Unpublished: not via the host's address, and not directly either, even for a
    // machine with a route to the container network through this host.
    assert!(!outside.wget(&format!("http://{}:9090/", outside.host_ip)));
    assert!(outside.sh(&format!(
        "ip route add {} via {}",
        b.default_subnet().0,
        outside.host_ip
    )));
    assert!(!outside.wget(&format!("http://{ip}:9090/")));
    assert!(!outside.wget(&format!("http://{ip}:80/")));

    // Other containers, and the container itself, reach it through the host's address.
    let via_host = format!(
        "timeout 3 wget -q -O- http://{}:{port}/; exit $?",
        outside.host_ip
    );
    assert_eq!(
        b.run(&["run", "--rm", "busybox", "sh", "-c", &via_host])
            .code,
        0
    );
    assert_eq!(
        b.run(&["exec", "web", "sh", "-c", &via_host]).code,
        0,
        "hairpin"
    );

    // What the user sees.
    assert_eq!(b.ok(&["port", "web", "80"]), format!("0.0.0.0:{port}"));
    assert_eq!(
        b.ok(&["port", "web"]),
        format!("80/tcp -> 0.0.0.0:{port}\n81/tcp -> 127.0.0.1:{loopback}")
    );
    let ps = b.ok(&["ps", "--format", "{{.Ports}}"]);
    assert_eq!(
        ps,
        format!("0.0.0.0:{port}->80/tcp, 127.0.0.1:{loopback}->81/tcp")
    );
    let ports = b.inspect("web", "{{json .NetworkSettings.Ports}}");
    let v: serde_json::Value = serde_json::from_str(&ports).unwrap();
    assert_eq!(v["80/tcp"][0]["HostPort"], port.to_string());
    assert_eq!(v["81/tcp"][0]["HostIp"], "127.0.0.1");
    let o = b.run(&["port", "web", "9090"]);
    assert_ne!(o.code, 0);
    assert!(o
        .stderr
        .contains("No public port '9090/tcp' published for web"));
}

#[test]
fn publish_all_takes_free_ports_and_udp_is_redirected_too() {
    let b = Berth::new();
    b.busybox_image("busybox");
    let udp = free_port();
    b.ok(&[
        "run",
        "-d",
        "--name",
        "all",
        "-P",
        "--expose",
        "7000-7001",
        "-p",
        &format!("127.0.0.1:{udp}:5000/udp"),
        "busybox",
        "sleep",
        "1000",
    ]);
    let lines = b.ok(&["port", "all"]);
    let lines: Vec<&str> = lines.lines().collect();
    assert_eq!(lines.len(), 3, "{lines:?}");
    assert!(lines[0].starts_with("5000/udp -> 127.0.0.1:"), "{lines:?}");
    assert!(lines[1].starts_with("7000/tcp -> 0.0.0.0:"), "{lines:?}");
    assert!(lines[2].starts_with("7001/tcp -> 0.0.0.0:"), "{lines:?}");
    let udp_port = lines[0].rsplit(':').next().unwrap();
    assert_eq!(udp_port, udp.to_string());

    // A UDP echo inside the container's network namespace (a thread of this test that
    // joined it: busybox has no UDP server).
    let pid = b.inspect("all", "{{.State.Pid}}");
    let ns = std::fs::File::open(format!("/proc/{pid}/ns/net")).unwrap();
    let echo = std::thread::spawn(move || {
        // SAFETY: setns on this thread only, with a namespace fd we hold open.
        assert_eq!(
            unsafe { libc::setns(ns.as_raw_fd(), libc::CLONE_NEWNET) },
            0
        );
        let s = UdpSocket::bind("0.0.0.0:5000").unwrap();
        s.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
        let mut buf = [0u8; 64];
        let (n, from) = s.recv_from(&mut buf).unwrap();
        s.send_to(&buf[..n], from).unwrap();
    });
    let client = UdpSocket::bind("127.0.0.1:0").unwrap();
    client
        .set_read_timeout(Some(Duration::from_millis(300)))
        .unwrap();
    let mut buf = [0u8; 64];
    let mut got = None;
    for _ in 0..15 {
        client.send_to(b"ping", ("127.0.0.1", udp)).unwrap();
        if let Ok((n, _)) = client.recv_from(&mut buf) {
            got = Some(buf[..n].to_vec());
            break;
        }
    }
    echo.join().unwrap();
    assert_eq!(got.as_deref(), Some(&b"ping"[..]));
}

#[test]
fn a_taken_port_fails_clearly_and_leaves_nothing_behind() {
    let b = Berth::new();
    b.busybox_image("busybox");
    // Held by a program on the host: refused before anything is made.
    let host = TcpListener::bind("0.0.0.0:0").unwrap();
    let taken = host.local_addr().unwrap().port();
    let o = b.run(&[
        "run",
        "-d",
        "-p",
        &format!("{taken}:80"),
        "busybox",
        "sleep",
        "100",
    ]);
    assert_eq!(o.code, 125);
    assert!(
        o.stderr
            .contains(&format!("Bind for 0.0.0.0:{taken}/tcp failed: port is already allocated (a program on the host listens on it)")),
        "{}",
        o.stderr
    );
    assert_eq!(b.ok(&["ps", "-aq"]), "");
    drop(host);

    // Held by another container: both were created while the port was free; the second
    // start names the first and leaves the second as it was, holding nothing.
    let port = free_port();
    let p = format!("{port}:80");
    b.ok(&[
        "create", "--name", "one", "-p", &p, "busybox", "sleep", "100",
    ]);
    b.ok(&[
        "create", "--name", "two", "-p", &p, "busybox", "sleep", "100",
    ]);
    b.ok(&["start", "one"]);
    let o = b.run(&["start", "two"]);
    assert_ne!(o.code, 0);
    assert!(
        o.stderr
            .contains("port is already allocated (container one publishes it)"),
        "{}",
        o.stderr
    );
    assert_eq!(b.inspect("two", "{{.State.Status}}"), "created");
    assert_eq!(b.inspect("two", "{{.NetworkSettings.IPAddress}}"), "");
    assert_eq!(redirects(&b), 1);
    // Only one's veth is on the bridge.
    let on_bridge = std::process::Command::new("ip")
        .args(["-br", "link", "show", "master", &b.bridge()])
        .output()
        .unwrap();
    assert_eq!(
        String::from_utf8_lossy(&on_bridge.stdout).lines().count(),
        1
    );
    // And a create with that port now fails up front, naming the holder.
    let o = b.run(&["create", "-p", &p, "busybox", "true"]);
    assert!(
        o.stderr.contains("container one publishes it"),
        "{}",
        o.stderr
    );
}

#[test]
fn redirects_go_with_the_container_and_with_a_killed_monitor() {
    let b = Berth::new();
    b.busybox_image("busybox");
    let port = free_port();
    let p = format!("{port}:80");
    b.ok(&[
        "run", "-d", "--name", "aa", "-p", &p, "busybox", "sleep", "1000",
    ]);
    assert_eq!(redirects(&b), 1);
    b.ok(&["rm", "-f", "aa"]);
    assert_eq!(redirects(&b), 0);
    assert!(TcpListener::bind(("0.0.0.0", port)).is_ok());

    b.ok(&[
        "run", "-d", "--name", "kk", "-p", &p, "busybox", "sleep", "1000",
    ]);
    b.kill_monitor("kk");
    // The next command notices, drops the redirect, and the port can be published again.
    assert!(eventually(5, || b.inspect("kk", "{{.State.Status}}") == "exited"));
    assert_eq!(redirects(&b), 0);
    b.ok(&[
        "run", "-d", "--name", "k2", "-p", &p, "busybox", "sleep", "1000",
    ]);
    assert_eq!(redirects(&b), 1);
}
