//! Networking through the real binary: containers on bridges with addresses from IPAM,
//! reaching each other, the per-container /etc files, and cleanup of links and addresses.

use berth_tests::{eventually, Berth, Outside};

fn ping(b: &Berth, args: &[&str], target: &str) -> bool {
    let mut a = vec!["run", "--rm"];
    a.extend_from_slice(args);
    let script = format!("ping -c1 -W2 {target} >/dev/null");
    a.extend_from_slice(&["busybox", "sh", "-c", &script]);
    b.run(&a).code == 0
}

#[test]
fn containers_on_a_user_network_reach_each_other_and_get_what_they_asked_for() {
    let b = Berth::new();
    b.busybox_image("busybox");
    let subnet = b.user_subnet(0);
    let id = b.ok(&["network", "create", "--subnet", &subnet, "appnet"]);
    let bridge = format!("br-{}", &id[..12]);
    // The subnet's 9th address, e.g. 10.x.y.16/28 -> 10.x.y.25.
    let (net_addr, _) = subnet.split_once('/').unwrap();
    let octets: Vec<u32> = net_addr.split('.').map(|o| o.parse().unwrap()).collect();
    let fixed = format!(
        "{}.{}.{}.{}",
        octets[0],
        octets[1],
        octets[2],
        octets[3] + 9
    );
    b.ok(&[
        "run",
        "-d",
        "--name",
        "srv",
        "--network",
        "appnet",
        "--ip",
        &fixed,
        "--mac-address",
        "02:42:00:00:00:99",
        "--network-alias",
        "db",
        "busybox",
        "sleep",
        "300",
    ]);
    assert_eq!(
        b.inspect("srv", "{{.NetworkSettings.Networks.appnet.IPAddress}}"),
        fixed
    );
    assert_eq!(
        b.inspect("srv", "{{.NetworkSettings.Networks.appnet.MacAddress}}"),
        "02:42:00:00:00:99"
    );
    let inside = b.ok(&[
        "exec",
        "srv",
        "sh",
        "-c",
        "ip -o -4 addr show eth0 | awk '{print $4}'; cat /sys/class/net/eth0/address",
    ]);
    assert_eq!(inside, format!("{fixed}/28\n02:42:00:00:00:99"));
    // /etc/hosts names the container on its address.
    let hostname = b.inspect("srv", "{{.Config.Hostname}}");
    assert!(b
        .ok(&["exec", "srv", "cat", "/etc/hosts"])
        .contains(&format!("{fixed}\t{hostname}")));
    // Another container on the network reaches it; the host reaches it through the bridge.
    assert!(ping(&b, &["--network", "appnet"], &fixed));
    assert!(Berth::host_links(&bridge).contains(&bridge));
    // The bridge stays while a container is attached; rm -f frees the address and the link.
    let o = b.run(&["network", "rm", "appnet"]);
    assert_ne!(o.code, 0);
    assert!(o.stderr.contains("active endpoints"), "{}", o.stderr);
    let veths_before = Berth::host_links("veth").len();
    b.ok(&["rm", "-f", "srv"]);
    assert!(eventually(5, || Berth::host_links("veth").len() < veths_before));
    b.ok(&["network", "rm", "appnet"]);
    assert!(
        !Berth::host_links(&bridge).contains(&bridge),
        "bridge left behind"
    );
}

#[test]
fn dns_add_host_and_the_default_bridge() {
    let b = Berth::new();
    b.busybox_image("busybox");
    let out = b.ok(&[
        "run",
        "--rm",
        "--dns",
        "192.0.2.53",
        "--add-host",
        "db.local:192.0.2.10",
        "busybox",
        "sh",
        "-c",
        "cat /etc/resolv.conf; grep db.local /etc/hosts; ip route | grep default",
    ]);
    assert!(out.contains("nameserver 192.0.2.53"), "{out}");
    assert!(out.contains("192.0.2.10\tdb.local"), "{out}");
    let (_, gw) = b.default_subnet();
    assert!(out.contains(&format!("default via {gw}")), "{out}");
    let o = b.run(&[
        "run",
        "--rm",
        "--network",
        "none",
        "--ip",
        "10.0.0.5",
        "busybox",
        "true",
    ]);
    assert_eq!(o.code, 125);
    let o = b.run(&["run", "--rm", "--network", "nosuchnet", "busybox", "true"]);
    assert_eq!(o.code, 125);
    assert!(o.stderr.contains("nosuchnet"), "{}", o.stderr);
}

#[test]
fn addresses_are_unique_under_parallel_runs_and_freed_after_a_monitor_crash() {
    let b = Berth::new();
    b.busybox_image("busybox");
    b.ok_in_parallel(20, &["run", "-d", "busybox", "sleep", "60"]);
    let ips = b.ok(&[
        "inspect",
        "--format",
        "{{.NetworkSettings.IPAddress}}",
        "--type",
        "container",
    ]
    .iter()
    .copied()
    .chain(
        b.ok(&["ps", "-q"])
            .lines()
            .collect::<Vec<_>>()
            .iter()
            .copied(),
    )
    .collect::<Vec<_>>());
    let mut list: Vec<&str> = ips.lines().collect();
    assert_eq!(list.len(), 20);
    list.sort_unstable();
    list.dedup();
    assert_eq!(list.len(), 20, "an address was handed out twice: {ips}");
    // A killed monitor takes the container (and its veth) with it; rm frees the address.
    let one = b.ok(&["ps", "-q"]).lines().next().unwrap().to_string();
    let ip = b.inspect(&one, "{{.NetworkSettings.IPAddress}}");
    b.kill_monitor(&one);
    assert!(eventually(5, || b.inspect(&one, "{{.State.Status}}") == "exited"));
    b.ok(&["rm", &one]);
    let net = b.ok(&[
        "network",
        "inspect",
        "--format",
        "{{range .Containers}}{{.IPv4Address}} {{end}}",
        "bridge",
    ]);
    assert!(
        !net.contains(&format!("{ip}/")),
        "{ip} still reserved: {net}"
    );
}

#[test]
fn connect_and_disconnect_a_running_container_while_its_process_keeps_running() {
    let b = Berth::new();
    b.busybox_image("busybox");
    let subnet = b.user_subnet(1);
    b.ok(&["network", "create", "--subnet", &subnet, "side"]);
    b.ok(&["run", "-d", "--name", "live", "busybox", "sleep", "300"]);
    let pid = b.inspect("live", "{{.State.Pid}}");
    assert_eq!(b.ok(&["exec", "live", "ls", "/sys/class/net"]), "eth0\nlo");
    b.ok(&["network", "connect", "--alias", "extra", "side", "live"]);
    assert_eq!(
        b.ok(&["exec", "live", "ls", "/sys/class/net"]),
        "eth0\neth1\nlo"
    );
    let ip = b.inspect("live", "{{.NetworkSettings.Networks.side.IPAddress}}");
    assert!(!ip.is_empty());
    assert!(b
        .ok(&["exec", "live", "ip", "-o", "-4", "addr", "show", "eth1"])
        .contains(&ip));
    // Reachable from another container on that network.
    let script = format!("ping -c1 -W2 {ip} >/dev/null");
    assert_eq!(
        b.run(&[
            "run",
            "--rm",
            "--network",
            "side",
            "busybox",
            "sh",
            "-c",
            &script
        ])
        .code,
        0
    );
    let o = b.run(&["network", "connect", "side", "live"]);
    assert!(o.stderr.contains("already exists"), "{}", o.stderr);
    b.ok(&["network", "disconnect", "bridge", "live"]);
    assert_eq!(b.ok(&["exec", "live", "ls", "/sys/class/net"]), "eth1\nlo");
    b.ok(&["network", "connect", "bridge", "live"]);
    assert_eq!(
        b.ok(&["exec", "live", "ls", "/sys/class/net"]),
        "eth0\neth1\nlo"
    );
    b.ok(&["network", "disconnect", "side", "live"]);
    assert_eq!(b.ok(&["exec", "live", "ls", "/sys/class/net"]), "eth0\nlo");
    // The same process ran throughout.
    assert_eq!(b.inspect("live", "{{.State.Pid}}"), pid);
    b.ok(&["network", "rm", "side"]);
}

#[test]
fn container_network_mode_and_legacy_links() {
    let b = Berth::new();
    b.busybox_image("busybox");
    b.ok(&[
        "run", "-d", "--name", "web1", "--expose", "8080", "-e", "ROLE=web", "busybox", "httpd",
        "-f", "-p", "8080", "-h", "/etc",
    ]);
    let ip = b.inspect("web1", "{{.NetworkSettings.IPAddress}}");
    // Sharing web1's network namespace: same address, and web1's server on localhost.
    let out = b.ok(&[
        "run",
        "--rm",
        "--network",
        "container:web1",
        "busybox",
        "sh",
        "-c",
        "ip -o -4 addr show eth0 | awk '{print $4}'; wget -qO- localhost:8080/hostname",
    ]);
    let prefix = b.default_subnet().0;
    let prefix = prefix.rsplit_once('/').expect("a/len").1;
    assert_eq!(
        out,
        format!(
            "{ip}/{prefix}\n{}",
            b.inspect("web1", "{{.Config.Hostname}}")
        )
    );
    // A legacy link names web1 in /etc/hosts, and sets Docker's link variables.
    let out = b.ok(&[
        "run",
        "--rm",
        "--name",
        "linker",
        "--link",
        "web1:www",
        "busybox",
        "sh",
        "-c",
        "grep -w www /etc/hosts; wget -qO- www:8080/hostname; \
         echo \"$WWW_NAME $WWW_PORT $WWW_PORT_8080_TCP_ADDR $WWW_ENV_ROLE [$WWW_ENV_PATH]\"",
    ]);
    assert!(out.starts_with(&format!("{ip}\twww web1 ")), "{out}");
    assert!(
        out.ends_with(&format!("/linker/www tcp://{ip}:8080 {ip} web []")),
        "{out}"
    );
    let o = b.run(&[
        "run",
        "--rm",
        "--network",
        "container:web1",
        "--hostname",
        "x",
        "busybox",
        "true",
    ]);
    assert_eq!(o.code, 125);
    assert!(o.stderr.contains("conflicting options"), "{}", o.stderr);
    let o = b.run(&["run", "--rm", "--link", "nope", "busybox", "true"]);
    assert_eq!(o.code, 125);
    b.ok(&["stop", "-t", "0", "web1"]);
    let o = b.run(&[
        "run",
        "--rm",
        "--network",
        "container:web1",
        "busybox",
        "true",
    ]);
    assert_ne!(o.code, 0);
    assert!(o.stderr.contains("non running container"), "{}", o.stderr);
}

/// A stand-in for "the outside world" on this machine: a network namespace reached from
/// the host over a veth, with a web server, and no route back to any container subnet —
/// so an answer proves the container's traffic was masqueraded to the host's address.
fn wget(b: &Berth, net: &str, url: &str) -> bool {
    // busybox 1.35 wget crashes with -T, so timeout(1) bounds it instead. The `exit`
    // keeps sh as PID 1: busybox timeout execs the command itself, and a PID 1 wget would
    // shrug off timeout's SIGTERM.
    let script = format!("timeout 3 wget -q -O- {url}; exit $?");
    b.run(&[
        "run",
        "--rm",
        "--network",
        net,
        "busybox",
        "sh",
        "-c",
        &script,
    ])
    .code
        == 0
}

#[test]
fn egress_is_masqueraded_networks_are_isolated_and_internal_ones_sealed() {
    let b = Berth::new();
    b.busybox_image("busybox");
    let tag = format!("{}x{}", std::process::id() % 100_000, b.n);
    let outside = Outside::new(&tag, (std::process::id() % 60) as u32);
    let url = format!("http://{}:8080/hello", outside.ip);
    b.ok(&["network", "create", "--subnet", &b.user_subnet(2), "neta"]);
    b.ok(&["network", "create", "--subnet", &b.user_subnet(3), "netb"]);
    b.ok(&[
        "network",
        "create",
        "--internal",
        "--subnet",
        &b.user_subnet(4),
        "sealed",
    ]);

    // Egress from the default bridge and from a user network.
    assert!(
        wget(&b, "bridge", &url),
        "no egress from the default bridge"
    );
    assert!(wget(&b, "neta", &url), "no egress from a user network");
    // The firewall table holds the masquerade for each non-internal network.
    let rules = std::process::Command::new("nft")
        .args(["list", "table", "ip", &b.nft_table()])
        .output()
        .unwrap();
    let rules = String::from_utf8_lossy(&rules.stdout).into_owned();
    assert!(
        rules.contains(&format!("ip saddr {} ", b.user_subnet(2))),
        "{rules}"
    );

    // Isolation: a server on netb is reachable from netb, not from neta.
    b.ok(&[
        "run",
        "-d",
        "--name",
        "srvb",
        "--network",
        "netb",
        "busybox",
        "httpd",
        "-f",
        "-p",
        "8080",
        "-h",
        "/etc",
    ]);
    let ip = b.inspect("srvb", "{{.NetworkSettings.Networks.netb.IPAddress}}");
    let url_b = format!("http://{ip}:8080/hostname");
    assert!(wget(&b, "netb", &url_b));
    assert!(
        !wget(&b, "neta", &url_b),
        "neta reached a container on netb"
    );

    // Internal: neighbours yes, the outside no.
    b.ok(&[
        "run",
        "-d",
        "--name",
        "srvi",
        "--network",
        "sealed",
        "busybox",
        "httpd",
        "-f",
        "-p",
        "8080",
        "-h",
        "/etc",
    ]);
    let ipi = b.inspect("srvi", "{{.NetworkSettings.Networks.sealed.IPAddress}}");
    assert!(wget(&b, "sealed", &format!("http://{ipi}:8080/hostname")));
    assert!(
        !wget(&b, "sealed", &url),
        "an internal network reached the outside"
    );
    drop(outside);
}

fn ip(args: &[&str]) -> bool {
    std::process::Command::new("ip")
        .args(args)
        .status()
        .is_ok_and(|s| s.success())
}

fn link_exists(name: &str) -> bool {
    std::path::Path::new("/sys/class/net").join(name).exists()
}

fn kill_monitor(b: &Berth, name: &str) {
    b.kill_monitor(name);
    assert!(eventually(5, || b.inspect(name, "{{.State.Status}}") == "exited"));
}

#[test]
fn leftovers_are_cleaned_and_nothing_else() {
    let b = Berth::new();
    b.busybox_image("busybox");
    let tag = format!("{}x{}", std::process::id() % 10_000, b.n);
    // A crashed container does not keep its network from being removed.
    b.ok(&[
        "network",
        "create",
        "--subnet",
        &b.user_subnet(5),
        "crashnet",
    ]);
    b.ok(&[
        "run",
        "-d",
        "--name",
        "lost",
        "--network",
        "crashnet",
        "busybox",
        "sleep",
        "1000",
    ]);
    kill_monitor(&b, "lost");
    b.ok(&["network", "rm", "crashnet"]);

    // What a crash can leave: a bridge of this root no network owns, and a veth of
    // nobody on a bridge in use. Another root's bridge must survive.
    let id = b.ok(&["network", "create", "--subnet", &b.user_subnet(6), "busy"]);
    let busy_bridge = format!("br-{}", &id[..12]);
    b.ok(&[
        "run",
        "-d",
        "--name",
        "kept",
        "--network",
        "busy",
        "busybox",
        "sleep",
        "1000",
    ]);
    let (orphan, foreign, stray) = (format!("bo{tag}"), format!("bf{tag}"), format!("vs{tag}"));
    let alias = format!("berth:{}", b.root_id().expect("root id"));
    // The links go even when an assertion fails.
    struct Links(Vec<String>);
    impl Drop for Links {
        fn drop(&mut self) {
            for l in &self.0 {
                let _ = std::process::Command::new("ip")
                    .args(["link", "del", l])
                    .stderr(std::process::Stdio::null())
                    .status();
            }
        }
    }
    let _links = Links(vec![orphan.clone(), foreign.clone(), stray.clone()]);
    assert!(ip(&["link", "add", &orphan, "type", "bridge"]));
    assert!(ip(&["link", "set", &orphan, "alias", &alias]));
    assert!(ip(&["link", "add", &foreign, "type", "bridge"]));
    assert!(ip(&[
        "link",
        "set",
        &foreign,
        "alias",
        "berth:someone_else"
    ]));
    assert!(ip(&[
        "link",
        "add",
        &stray,
        "type",
        "veth",
        "peer",
        "name",
        &format!("vp{tag}")
    ]));
    assert!(ip(&["link", "set", &stray, "master", &busy_bridge]));
    // The default bridge, used once and no more.
    b.ok(&["run", "--rm", "busybox", "true"]);
    assert!(link_exists(&b.bridge()));

    let out = b.ok(&["system", "prune", "-f"]);
    assert!(out.contains("Deleted Network Links:"), "{out}");
    assert!(!link_exists(&orphan) && !link_exists(&stray));
    assert!(
        !link_exists(&b.bridge()),
        "the unused default bridge was kept"
    );
    assert!(link_exists(&foreign), "another root's bridge was removed");
    assert!(link_exists(&busy_bridge));
    let on_bridge = std::process::Command::new("ip")
        .args(["-br", "link", "show", "master", &busy_bridge])
        .output()
        .unwrap();
    assert_eq!(
        String::from_utf8_lossy(&on_bridge.stdout).lines().count(),
        1
    );
    assert_eq!(b.inspect("kept", "{{.State.Status}}"), "running");
    // And the default bridge comes back when needed.
    b.ok(&["run", "--rm", "busybox", "true"]);
}

#[test]
fn a_bridge_keeps_its_mac_as_veths_come_and_go() {
    // A bridge follows its lowest port MAC unless it has one of its own; a gateway MAC
    // that changes leaves stale ARP entries in every container (DNS then times out).
    let b = Berth::new();
    b.busybox_image("busybox");
    let id = b.ok(&["network", "create", "--subnet", &b.user_subnet(7), "macnet"]);
    let bridge = format!("br-{}", &id[..12]);
    b.ok(&[
        "run",
        "-d",
        "--name",
        "first",
        "--network",
        "macnet",
        "busybox",
        "sleep",
        "1000",
    ]);
    let mac = || std::fs::read_to_string(format!("/sys/class/net/{bridge}/address")).unwrap();
    let before = mac();
    for i in 0..4 {
        b.ok(&[
            "run",
            "-d",
            "--name",
            &format!("more{i}"),
            "--network",
            "macnet",
            "busybox",
            "sleep",
            "1000",
        ]);
    }
    b.ok(&["rm", "-f", "first"]);
    assert_eq!(mac(), before);
}

/// Ping from inside a running container.
fn ping_from(b: &Berth, container: &str, target: &str) -> bool {
    b.run(&["exec", container, "ping", "-c1", "-W2", target])
        .code
        == 0
}

#[test]
fn a_network_lost_under_running_containers_is_noticed_and_repaired() {
    let b = Berth::new();
    b.busybox_image("busybox");
    let id = b.ok(&[
        "network",
        "create",
        "--subnet",
        &b.user_subnet(8),
        "fragile",
    ]);
    let bridge = format!("br-{}", &id[..12]);
    for n in ["one", "two"] {
        b.ok(&[
            "run",
            "-d",
            "--name",
            n,
            "--network",
            "fragile",
            "busybox",
            "sleep",
            "1000",
        ]);
    }
    let ip_of = |n: &str| {
        b.inspect(
            n,
            "{{range .NetworkSettings.Networks}}{{.IPAddress}}{{end}}",
        )
    };
    let two = ip_of("two");
    assert!(ping_from(&b, "one", &two));
    assert_eq!(b.inspect("one", "{{.State.Error}}"), "");

    // Someone deletes the bridge under them.
    let st = std::process::Command::new("ip")
        .args(["link", "del", &bridge])
        .status()
        .expect("ip");
    assert!(st.success());
    let err = b.inspect("one", "{{.State.Error}}");
    assert!(
        err.contains("network fragile lost") && err.contains(&bridge),
        "{err}"
    );
    assert!(!ping_from(&b, "one", &two));

    // `network connect` to the same network repairs it, for everyone on the bridge.
    b.ok(&["network", "connect", "fragile", "one"]);
    assert_eq!(b.inspect("one", "{{.State.Error}}"), "");
    assert_eq!(b.inspect("two", "{{.State.Error}}"), "");
    assert!(ping_from(&b, "one", &two));

    // So does a restart.
    std::process::Command::new("ip")
        .args(["link", "del", &bridge])
        .status()
        .expect("ip");
    b.ok(&["restart", "-t", "1", "two"]);
    assert_eq!(b.inspect("one", "{{.State.Error}}"), "");
    assert!(ping_from(&b, "one", &ip_of("two")));
    // Connecting again to a network that is fine is still Docker's conflict.
    let o = b.run(&["network", "connect", "fragile", "one"]);
    assert_ne!(o.code, 0);
    assert!(o.stderr.contains("already exists"), "{}", o.stderr);
}
