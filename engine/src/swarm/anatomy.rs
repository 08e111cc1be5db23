//! A swarm task's place in the routing mesh, for the anatomy view: its service's
//! virtual IP on each network, what the embedded DNS answers for the service's name and
//! for `tasks.NAME` (from the very records the DNS server reads), and the nftables
//! rules the kernel holds now that spread connections over the tasks (read back from
//! the kernel, not from what berth meant to write).

use std::net::Ipv4Addr;
use std::process::Command;

use serde::Serialize;

use super::labels::{SERVICE_ID, SERVICE_NAME, TASK_ID};
use crate::container::Container;
use crate::network::dns::records::Records;
use crate::Engine;

#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct TaskAnatomy {
    pub service: String,
    pub task: String,
    pub networks: Vec<ServiceOnNetwork>,
    /// The mesh's rules for this service (VIPs and published ports), as `nft` lists
    /// them; empty when the mesh has none (no ready task yet).
    pub rules: Vec<String>,
}

/// The service as a container on one of its networks sees it.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct ServiceOnNetwork {
    pub network: String,
    /// The service's virtual IP there (none in dnsrr mode).
    pub vip: Option<Ipv4Addr>,
    /// The task's own address there.
    pub task_ip: Option<Ipv4Addr>,
    /// What the embedded DNS answers, asked from this task: for the service's name,
    /// and for `tasks.NAME`.
    pub name_answer: Vec<Ipv4Addr>,
    pub tasks_answer: Vec<Ipv4Addr>,
}

impl Engine {
    /// The task's anatomy, if `c` is a swarm task.
    pub fn task_anatomy(&self, c: &Container) -> Option<TaskAnatomy> {
        let labels = &c.record.config.labels;
        let task = labels.get(TASK_ID)?.clone();
        let service_id = labels.get(SERVICE_ID).cloned().unwrap_or_default();
        let service = labels.get(SERVICE_NAME).cloned().unwrap_or_default();
        let nets = self.networks();
        let records = Records::load(&self.paths);
        let mut networks = Vec::new();
        let mut vips = Vec::new();
        for name in c.record.endpoints_config.keys() {
            let Ok(net) = nets.get(name) else { continue };
            let vip = nets
                .vips(&net)
                .ok()
                .and_then(|v| v.get(&service_id).map(|v| v.ip));
            vips.extend(vip);
            let task_ip = nets
                .endpoints(&net)
                .ok()
                .and_then(|e| e.get(c.id()).map(|e| e.ip));
            let ask = |q: &str| {
                task_ip
                    .and_then(|ip| records.lookup(&net.id, ip, &q.to_ascii_lowercase()))
                    .unwrap_or_default()
            };
            networks.push(ServiceOnNetwork {
                vip,
                task_ip,
                name_answer: if net.ingress {
                    Vec::new()
                } else {
                    ask(&service)
                },
                tasks_answer: if net.ingress {
                    Vec::new()
                } else {
                    ask(&format!("tasks.{service}"))
                },
                network: net.name,
            });
        }
        Some(TaskAnatomy {
            rules: self.mesh_rules(&vips, c),
            service,
            task,
            networks,
        })
    }

    /// The mesh's rules naming one of `vips`, or a port `c`'s service publishes
    /// through the mesh (`dport N` with one of the task's ingress addresses behind it).
    fn mesh_rules(&self, vips: &[Ipv4Addr], c: &Container) -> Vec<String> {
        let Ok(table) = super::mesh::table(self) else {
            return Vec::new();
        };
        let Ok(out) = Command::new("nft")
            .args(["list", "chain", "ip", &table, "mesh"])
            .output()
        else {
            return Vec::new();
        };
        let own: Vec<String> = self
            .networks()
            .list()
            .unwrap_or_default()
            .iter()
            .filter(|n| n.ingress)
            .filter_map(|n| self.networks().endpoints(n).ok()?.get(c.id()).map(|e| e.ip))
            .map(|ip| format!("{ip} . "))
            .collect();
        String::from_utf8_lossy(&out.stdout)
            .lines()
            .map(str::trim)
            .filter(|l| l.contains("dnat"))
            .filter(|l| {
                vips.iter().any(|v| l.contains(&format!("ip daddr {v} ")))
                    || own.iter().any(|ip| l.contains(ip.as_str()))
            })
            .map(String::from)
            .collect()
    }
}
