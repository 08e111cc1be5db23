//! Several state roots on one host: each owns and marks its bridges, veths, firewall
//! table and subnets, and a prune or a firewall rebuild in one never touches another's.

use std::process::{Command, Stdio};

use berth_tests::{eventually, free_port, Berth, Outside};

/// The body served on the host's 127.0.0.1:`port`, if any (3 s at most).
fn fetch(port: u16) -> Option<String> {
    let out = Command::new("timeout")
        .args(["3", "busybox", "wget", "-q", "-O-"])
        .arg(format!("http://127.0.0.1:{port}/"))
        .stderr(Stdio::null())
        .output()
        .ok()?;
    out.status
        .success()
        .then(|| String::from_utf8_lossy(&out.stdout).trim().to_string())
}

fn link_exists(name: &str) -> bool {
    std::path::Path::new("/sys/class/net").join(name).exists()
}

fn nft_table(table: &str) -> String {
    let out = Command::new("nft")
        .args(["list", "table", "ip", table])
        .output()
        .expect("nft (install nftables)");
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// A web server answering `body` on a published host port.
fn serve(b: &Berth, name: &str, body: &str, port: u16) {
    let script =
        format!("mkdir -p /www && echo {body} > /www/index.html && exec httpd -f -p 80 -h /www");
    b.ok(&[
        "run",
        "-d",
        "--name",
        name,
        "-p",
        &format!("{port}:80"),
        "busybox",
        "sh",
        "-c",
        &script,
    ]);
}

/// Egress through masquerade, from a running container (exec) to the outside host.
fn egress(b: &Berth, container: &str, outside: &Outside) -> bool {
    let script = format!(
        "timeout 3 wget -q -O- http://{}:8080/hello; exit $?",
        outside.ip
    );
    b.run(&["exec", container, "sh", "-c", &script]).code == 0
}

#[test]
fn two_roots_keep_their_bridges_rules_and_addresses_apart() {
    let a = Berth::new();
    let b = Berth::new();
    a.busybox_image("busybox");
    b.busybox_image("busybox");
    let outside = Outside::new(&format!("r{}", std::process::id() % 100_000), 62);
    let (port_a, port_b) = (free_port(), free_port());
    serve(&a, "web", "from-a", port_a);
    serve(&b, "web", "from-b", port_b);

    // Each root has its own bridge, table and subnet; the two never overlap.
    assert_ne!(a.bridge(), b.bridge());
    assert!(link_exists(&a.bridge()) && link_exists(&b.bridge()));
    let (sa, sb) = (a.default_subnet().0, b.default_subnet().0);
    assert_ne!(sa, sb);
    assert!(
        !overlaps(&sa, &sb),
        "both roots' default networks on {sa} / {sb}"
    );
    assert!(eventually(5, || fetch(port_a).as_deref() == Some("from-a")));
    assert!(eventually(5, || fetch(port_b).as_deref() == Some("from-b")));
    assert!(
        eventually(5, || egress(&a, "web", &outside)),
        "no egress from a"
    );
    assert!(
        eventually(5, || egress(&b, "web", &outside)),
        "no egress from b"
    );

    // A prune in root a removes a's unused bridge and its table rebuild leaves b's
    // table, chains and masquerade alone; b's container keeps serving and reaching out.
    a.ok(&["rm", "-f", "web"]);
    a.ok(&["system", "prune", "-f"]);
    assert!(!link_exists(&a.bridge()), "a's unused bridge was kept");
    assert!(link_exists(&b.bridge()), "a's prune removed b's bridge");
    let veth_of_b = b.ok(&["exec", "web", "cat", "/sys/class/net/eth0/iflink"]);
    assert!(!veth_of_b.is_empty());
    assert!(b
        .ok(&["exec", "web", "ip", "-o", "-4", "addr", "show", "eth0"])
        .contains(&sb[..sb.rfind('.').unwrap()]));
    assert_eq!(fetch(port_b).as_deref(), Some("from-b"));
    assert!(egress(&b, "web", &outside), "b lost egress after a's prune");
    assert!(nft_table(&b.nft_table()).contains("masquerade"));

    // A firewall rebuild in a (a container publishing a port on a new network) does
    // not drop b's rules either.
    a.ok(&["network", "create", "--subnet", &a.user_subnet(1), "front"]);
    serve_on(&a, "front", free_port());
    assert!(nft_table(&b.nft_table()).contains(&format!("ip saddr {sb} ")));
    assert_eq!(fetch(port_b).as_deref(), Some("from-b"));
    assert!(egress(&b, "web", &outside));
}

fn serve_on(b: &Berth, net: &str, port: u16) {
    b.ok(&[
        "run",
        "-d",
        "--network",
        net,
        "-p",
        &format!("{port}:80"),
        "busybox",
        "httpd",
        "-f",
        "-p",
        "80",
    ]);
}

#[test]
fn a_subnet_is_settled_host_wide_when_the_bridge_is_made() {
    let a = Berth::new();
    let b = Berth::new();
    a.busybox_image("busybox");
    b.busybox_image("busybox");
    // b records an automatic subnet before any bridge exists.
    b.ok(&["network", "create", "auto"]);
    let recorded = b.ok(&[
        "network",
        "inspect",
        "--format",
        "{{range .IPAM.Config}}{{.Subnet}}{{end}}",
        "auto",
    ]);
    // a asks for that very subnet and makes its bridge first.
    a.ok(&["network", "create", "--subnet", &recorded, "mine"]);
    a.ok(&[
        "run",
        "-d",
        "--network",
        "mine",
        "--name",
        "holder",
        "busybox",
        "sleep",
        "1000",
    ]);
    // b's first container on it: the subnet is chosen again, nothing is shared.
    b.ok(&[
        "run",
        "-d",
        "--network",
        "auto",
        "--name",
        "cc",
        "busybox",
        "sleep",
        "1000",
    ]);
    let now = b.ok(&[
        "network",
        "inspect",
        "--format",
        "{{range .IPAM.Config}}{{.Subnet}}{{end}}",
        "auto",
    ]);
    assert_ne!(now, recorded);
    assert!(!overlaps(&now, &recorded));
    let ip = b.inspect(
        "cc",
        "{{range .NetworkSettings.Networks}}{{.IPAddress}}{{end}}",
    );
    assert!(subnet_contains(&now, &ip), "{ip} not in {now}");

    // A subnet the user asked for is not moved: the start fails and says who has it.
    b.ok(&["network", "create", "--subnet", &recorded, "asked"]);
    let o = b.run(&["run", "--rm", "--network", "asked", "busybox", "true"]);
    assert_eq!(o.code, 125, "{}", o.stderr);
    assert!(
        o.stderr.contains("overlaps") && o.stderr.contains("another berth state root"),
        "{}",
        o.stderr
    );
    // ... and leaves nothing behind: no address held, no bridge made.
    assert_eq!(
        b.ok(&[
            "network",
            "inspect",
            "--format",
            "{{len .Containers}}",
            "asked"
        ]),
        "0"
    );
    let id = b.ok(&["network", "inspect", "--format", "{{.Id}}", "asked"]);
    assert!(!link_exists(&format!("br-{}", &id[..12])));
}

fn parse(s: &str) -> (u32, u32) {
    let (ip, len) = s.split_once('/').expect("a/len");
    let ip: std::net::Ipv4Addr = ip.parse().expect("ipv4");
    let len: u32 = len.parse().expect("prefix");
    let mask = if len == 0 { 0 } else { u32::MAX << (32 - len) };
    (u32::from(ip) & mask, mask)
}

fn overlaps(x: &str, y: &str) -> bool {
    let ((a, ma), (b, mb)) = (parse(x), parse(y));
    let m = ma & mb;
    a & m == b & m
}

fn subnet_contains(net: &str, ip: &str) -> bool {
    let (a, m) = parse(net);
    let ip: std::net::Ipv4Addr = ip.parse().expect("ipv4");
    u32::from(ip) & m == a
}
