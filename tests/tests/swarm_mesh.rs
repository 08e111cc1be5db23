//! Swarm networking on one host, with real task containers from the busybox image:
//! overlay networks (attachable or not), a service's virtual IP answered by the
//! embedded DNS and spread over its tasks, `tasks.NAME` and `dnsrr` mode, and the
//! routing mesh publishing a port on the host's addresses (reached from a stand-in
//! for another machine) and following the tasks as they die and are replaced. Every
//! wait polls with a deadline; nothing here depends on how long a step takes.

use std::collections::BTreeSet;

use berth_tests::swarm::{replicas, LeaveSwarm};
use berth_tests::{eventually, free_port, Berth, Outside};

/// A stand-in web server: it answers every request with its task's hostname.
const SERVE_HOSTNAME: &str =
    "mkdir -p /www && hostname > /www/index.html && exec httpd -f -p 80 -h /www";

/// The hostnames of the running task containers of `service`.
fn task_hostnames(b: &Berth, service: &str) -> BTreeSet<String> {
    let ids = b.ok(&[
        "ps",
        "-q",
        "--filter",
        &format!("label=com.docker.swarm.service.name={service}"),
    ]);
    ids.lines()
        .map(|id| b.inspect(id, "{{.Config.Hostname}}"))
        .collect()
}

/// The addresses of `service`'s running tasks on `network`.
fn task_ips(b: &Berth, service: &str, network: &str) -> BTreeSet<String> {
    let ids = b.ok(&[
        "ps",
        "-q",
        "--filter",
        &format!("label=com.docker.swarm.service.name={service}"),
    ]);
    let fmt = format!("{{{{(index .NetworkSettings.Networks \"{network}\").IPAddress}}}}");
    ids.lines().map(|id| b.inspect(id, &fmt)).collect()
}

/// The addresses busybox's nslookup prints for `name`, asked from a container on
/// `network`.
fn resolve(b: &Berth, network: &str, name: &str) -> BTreeSet<String> {
    let o = b.run(&[
        "run",
        "--rm",
        "--network",
        network,
        "busybox:latest",
        "nslookup",
        name,
    ]);
    // The answer section follows `Name:`; the server's own address comes before it.
    o.stdout
        .split_once("Name:")
        .map(|(_, answer)| {
            answer
                .lines()
                .filter_map(|l| l.strip_prefix("Address:"))
                .map(|a| a.trim().to_string())
                .collect()
        })
        .unwrap_or_default()
}

/// Whether `n` fetches of `url` from outside all succeed and see every one of `want`.
fn spread_over(outside: &Outside, url: &str, n: usize, want: &BTreeSet<String>) -> bool {
    let mut seen = BTreeSet::new();
    for _ in 0..n {
        match outside.fetch(url) {
            Some(body) => {
                seen.insert(body.trim().to_string());
            }
            None => return false,
        }
    }
    &seen == want
}

#[test]
fn vips_dns_and_the_routing_mesh_follow_the_tasks() {
    let b = Berth::new();
    b.busybox_image("busybox:latest");
    let _leave = LeaveSwarm(&b);

    // Overlay networks need a swarm, as Docker says.
    let o = b.run(&["network", "create", "-d", "overlay", "webnet"]);
    assert_ne!(o.code, 0, "{}", o.show());
    assert!(o.stderr.contains("not a swarm manager"), "{}", o.show());

    b.ok(&["swarm", "init", "--advertise-addr", "127.0.0.1"]);
    // The swarm comes with its ingress network.
    let ingress = b.ok(&[
        "network",
        "inspect",
        "--format",
        "{{.Driver}} {{.Scope}} {{.Ingress}}",
        "ingress",
    ]);
    assert_eq!(ingress, "overlay swarm true");
    b.ok(&[
        "network",
        "create",
        "-d",
        "overlay",
        "--attachable",
        "webnet",
    ]);
    b.ok(&["network", "create", "-d", "overlay", "private"]);
    // Plain containers join only attachable swarm networks, never ingress.
    for net in ["private", "ingress"] {
        let o = b.run(&["run", "--rm", "--network", net, "busybox:latest", "true"]);
        assert_eq!(o.code, 125, "{}", o.show());
        assert!(o.stderr.contains("not manually attachable"), "{}", o.show());
    }
    // Services use swarm networks only.
    let o = b.run(&[
        "service",
        "create",
        "-d",
        "--network",
        "bridge",
        "busybox:latest",
        "true",
    ]);
    assert_ne!(o.code, 0, "{}", o.show());
    assert!(
        o.stderr.contains("cannot be used with services"),
        "{}",
        o.show()
    );

    let port = free_port();
    b.ok(&[
        "service",
        "create",
        "-d",
        "--name",
        "web",
        "--replicas",
        "3",
        "--network",
        "webnet",
        "-p",
        &format!("{port}:80"),
        "busybox:latest",
        "sh",
        "-c",
        SERVE_HOSTNAME,
    ]);
    assert!(eventually(60, || replicas(&b, "web") == "3/3"));

    // The VIP: in the service's endpoint, and what its name resolves to.
    let vips = b.ok(&[
        "service",
        "inspect",
        "--format",
        "{{range .Endpoint.VirtualIPs}}{{.Addr}} {{end}}",
        "web",
    ]);
    assert_eq!(
        vips.split_whitespace().count(),
        2,
        "webnet and ingress: {vips}"
    );
    let webnet_id = b.ok(&["network", "inspect", "--format", "{{.Id}}", "webnet"]);
    let vip = b.ok(&[
        "service",
        "inspect",
        "--format",
        &format!(
            "{{{{range .Endpoint.VirtualIPs}}}}{{{{if eq .NetworkID \"{webnet_id}\"}}}}{{{{.Addr}}}}{{{{end}}}}{{{{end}}}}"
        ),
        "web",
    ]);
    let vip = vip.split('/').next().unwrap().to_string();
    assert_eq!(resolve(&b, "webnet", "web"), BTreeSet::from([vip.clone()]));
    // tasks.NAME: every task's own address.
    let ips = task_ips(&b, "web", "webnet");
    assert_eq!(ips.len(), 3, "{ips:?}");
    assert_eq!(resolve(&b, "webnet", "tasks.web"), ips);
    // Connections to the VIP from a container go round the tasks.
    let hostnames = task_hostnames(&b, "web");
    assert_eq!(hostnames.len(), 3);
    let o = b.run(&[
        "run",
        "--rm",
        "--network",
        "webnet",
        "busybox:latest",
        "sh",
        "-c",
        "for i in 1 2 3 4 5 6; do wget -q -O- http://web/; done",
    ]);
    assert_eq!(o.code, 0, "{}", o.show());
    let seen: BTreeSet<String> = o.stdout.lines().map(String::from).collect();
    assert_eq!(seen, hostnames, "{}", o.show());

    // The anatomy of a task teaches the mesh: the VIP, what the names answer, and the
    // kernel's rule that spreads connections over the tasks.
    let task = b.ok(&[
        "ps",
        "-q",
        "--filter",
        "label=com.docker.swarm.service.name=web",
    ]);
    let task = task.lines().next().unwrap();
    let anatomy = b.ok(&["anatomy", task]);
    let swarm = anatomy
        .split_once("Swarm: task")
        .map(|(_, s)| s.to_string())
        .unwrap_or_else(|| panic!("no Swarm section:\n{anatomy}"));
    assert!(
        swarm.contains("webnet VIP") && swarm.contains(&vip),
        "{swarm}"
    );
    let tasks_line = swarm
        .lines()
        .find(|l| l.contains("DNS tasks.web"))
        .unwrap_or_default();
    assert!(
        ips.iter().all(|ip| tasks_line.contains(ip.as_str())),
        "{swarm}"
    );
    assert!(
        swarm
            .lines()
            .any(|l| l.contains(&format!("ip daddr {vip} dnat")) && l.contains("numgen inc mod 3")),
        "{swarm}"
    );

    // The routing mesh: the published port on the host's address, from another
    // machine, spread over the three tasks.
    let outside = Outside::new(&format!("m{}", std::process::id() % 100_000), 63);
    let url = format!("http://{}:{port}/", outside.host_ip);
    assert!(spread_over(&outside, &url, 9, &hostnames), "{url}");

    // A task killed: the mesh drops it and takes its replacement in.
    let victim = b.ok(&[
        "ps",
        "-q",
        "--filter",
        "label=com.docker.swarm.service.name=web",
    ]);
    let victim = victim.lines().next().unwrap().to_string();
    b.ok(&["rm", "-f", &victim]);
    assert!(eventually(60, || {
        let now = task_hostnames(&b, "web");
        now.len() == 3 && now != hostnames && spread_over(&outside, &url, 6, &now)
    }));

    // dnsrr: the name answers with the tasks' addresses, and there is no VIP.
    b.ok(&[
        "service",
        "create",
        "-d",
        "--name",
        "rr",
        "--replicas",
        "2",
        "--endpoint-mode",
        "dnsrr",
        "--network",
        "webnet",
        "busybox:latest",
        "sleep",
        "600",
    ]);
    assert!(eventually(60, || replicas(&b, "rr") == "2/2"));
    let rr_ips = task_ips(&b, "rr", "webnet");
    assert_eq!(resolve(&b, "webnet", "rr"), rr_ips);
    let endpoint = b.ok(&["service", "inspect", "--format", "{{json .Endpoint}}", "rr"]);
    assert!(endpoint.contains("\"Mode\":\"dnsrr\""), "{endpoint}");
    assert!(!endpoint.contains("VirtualIPs"), "{endpoint}");

    // A network in use by a service stays.
    let o = b.run(&["network", "rm", "webnet"]);
    assert_ne!(o.code, 0, "{}", o.show());
    assert!(o.stderr.contains("in use by service"), "{}", o.show());

    // Removed, the service's name and VIP go; the network can go then.
    b.ok(&["service", "rm", "web", "rr"]);
    assert!(eventually(30, || b
        .ok(&["ps", "-aq", "--filter", "label=com.docker.swarm.task.id"])
        .is_empty()));
    assert!(eventually(10, || outside.fetch(&url).is_none()));
    b.ok(&["network", "rm", "webnet"]);

    // Leaving takes the swarm's networks, bridges and mesh table with it.
    let bridges: Vec<String> = ["ingress", "private"]
        .iter()
        .map(|n| {
            let id = b.ok(&["network", "inspect", "--format", "{{.Id}}", n]);
            format!("br-{}", &id[..12])
        })
        .collect();
    b.ok(&["swarm", "leave", "--force"]);
    let nets = b.ok(&["network", "ls", "--format", "{{.Name}}"]);
    assert!(
        !nets.contains("ingress") && !nets.contains("private"),
        "{nets}"
    );
    for br in bridges {
        assert!(Berth::host_links(&br).is_empty(), "{br} is left");
    }
    let tables = std::process::Command::new("nft")
        .args(["list", "tables"])
        .output()
        .unwrap();
    let mesh = format!("{}_mesh", b.nft_table());
    assert!(
        !String::from_utf8_lossy(&tables.stdout).contains(&mesh),
        "{mesh} is left"
    );
}
