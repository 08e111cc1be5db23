//! The mesh's nftables table as a value (a pure function of the wanted routes, as the
//! firewall's is), applied whole in one batch.

use std::fmt::Write;

use super::Mesh;

/// `numgen inc` hands out the tasks in turn, one per new connection.
fn spread(tasks: &[String]) -> String {
    let elems: Vec<String> = tasks
        .iter()
        .enumerate()
        .map(|(i, t)| format!("{i} : {t}"))
        .collect();
    format!(
        "numgen inc mod {} map {{ {} }}",
        tasks.len(),
        elems.join(", ")
    )
}

/// The table: NAT chains (before the firewall's own, so a service's port wins over
/// nothing else) that send connections to a VIP or a published port to a ready task,
/// and a filter chain that refuses what no ready task can take (rather than letting it
/// reach the host's own services on that address or port).
pub fn ruleset(table: &str, mesh: &Mesh) -> String {
    let mut nat = Vec::new();
    let mut refuse = Vec::new();
    // VIPs first: a VIP is one of the host's addresses too, and its ports are its own.
    for v in mesh.vips() {
        if v.tasks.is_empty() {
            refuse.push(format!("ip daddr {} reject", v.vip));
            continue;
        }
        let tasks: Vec<String> = v.tasks.iter().map(|t| t.to_string()).collect();
        nat.push(format!("ip daddr {} dnat ip to {}", v.vip, spread(&tasks)));
    }
    for p in mesh.services.iter().flat_map(|s| s.ports.iter()) {
        let (proto, port) = (p.proto.as_str(), p.published);
        let matched = format!("fib daddr type local meta l4proto {proto} th dport {port}");
        if p.tasks.is_empty() {
            let how = if proto == "tcp" {
                " with tcp reset"
            } else {
                ""
            };
            refuse.push(format!("{matched} reject{how}"));
            continue;
        }
        let tasks: Vec<String> = p
            .tasks
            .iter()
            .map(|t| format!("{t} . {}", p.target))
            .collect();
        nat.push(format!(
            "{matched} dnat ip addr . port to {}",
            spread(&tasks)
        ));
    }
    let mut out = format!("table ip {table} {{}}\ndelete table ip {table}\ntable ip {table} {{\n");
    let chain = |out: &mut String, name: &str, head: &str, rules: &[String]| {
        let _ = writeln!(out, "\tchain {name} {{");
        if !head.is_empty() {
            let _ = writeln!(out, "\t\t{head}");
        }
        for r in rules {
            let _ = writeln!(out, "\t\t{r}");
        }
        let _ = writeln!(out, "\t}}");
    };
    chain(&mut out, "mesh", "", &nat);
    chain(
        &mut out,
        "prerouting",
        "type nat hook prerouting priority dstnat - 10; policy accept;",
        &["jump mesh".to_string()],
    );
    chain(
        &mut out,
        "output",
        "type nat hook output priority -110; policy accept;",
        &["jump mesh".to_string()],
    );
    chain(
        &mut out,
        "input",
        "type filter hook input priority filter - 10; policy accept;",
        &refuse,
    );
    out.push_str("}\n");
    out
}

#[cfg(test)]
mod tests {
    use super::super::{PortRoute, ServiceRoutes, VipRoute};
    use super::*;
    use crate::network::ports::Proto;

    fn sample() -> Mesh {
        Mesh {
            services: vec![
                ServiceRoutes {
                    service: "web".into(),
                    vips: vec![VipRoute {
                        vip: "10.9.7.2".parse().unwrap(),
                        bridge: "btm0".into(),
                        tasks: vec!["10.9.7.3".parse().unwrap(), "10.9.7.4".parse().unwrap()],
                    }],
                    ports: vec![PortRoute {
                        proto: Proto::Tcp,
                        published: 14000,
                        target: 80,
                        tasks: vec!["10.9.8.3".parse().unwrap(), "10.9.8.4".parse().unwrap()],
                    }],
                },
                ServiceRoutes {
                    service: "idle".into(),
                    vips: vec![VipRoute {
                        vip: "10.9.7.9".parse().unwrap(),
                        bridge: "btm0".into(),
                        tasks: vec![],
                    }],
                    ports: vec![PortRoute {
                        proto: Proto::Udp,
                        published: 14001,
                        target: 53,
                        tasks: vec![],
                    }],
                },
            ],
        }
    }

    #[test]
    fn connections_are_spread_over_ready_tasks_and_refused_without_any() {
        let r = ruleset("berth_x_mesh", &sample());
        assert!(r.starts_with("table ip berth_x_mesh {}\ndelete table ip berth_x_mesh\n"));
        assert!(r.contains(
            "\tchain mesh {\n\
             \t\tip daddr 10.9.7.2 dnat ip to numgen inc mod 2 map { 0 : 10.9.7.3, 1 : 10.9.7.4 }\n\
             \t\tfib daddr type local meta l4proto tcp th dport 14000 dnat ip addr . port to numgen inc mod 2 map { 0 : 10.9.8.3 . 80, 1 : 10.9.8.4 . 80 }\n\
             \t}\n"
        ), "{r}");
        assert!(
            r.contains(
                "\t\tip daddr 10.9.7.9 reject\n\
             \t\tfib daddr type local meta l4proto udp th dport 14001 reject\n"
            ),
            "{r}"
        );
    }
}
