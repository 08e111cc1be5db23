//! A task's container as Docker's swarm executor makes it: named
//! `SERVICE.SLOT.TASKID`, labelled `com.docker.swarm.*`, with the task's container spec
//! and resource limits, no restart policy of its own (the manager replaces tasks), on
//! the service's networks (and ingress when it publishes through the mesh).

use std::collections::HashMap;

use bollard::models as m;

pub use berth_engine::swarm::labels::{NODE_ID, SERVICE_ID, SERVICE_NAME, TASK_ID, TASK_NAME};

/// A secret's or config's file for one task: where it goes in the container, and what.
pub type Wanted = (String, berth_engine::swarm::task_files::TaskFile);

/// One secret's or config's file: its reference's name (or the object's), uid, gid and
/// mode, as the two reference types carry them alike.
struct Ref<'a> {
    name: Option<String>,
    uid: &'a Option<String>,
    gid: &'a Option<String>,
    mode: Option<u32>,
    id: Option<&'a str>,
    secret: bool,
}

/// The files of the task's secrets (at `/run/secrets/NAME` unless the target is a
/// path) and configs (at their target, `/NAME` by default), with Docker's defaults:
/// owner 0:0, mode 0444.
pub fn files(st: &berth_engine::swarm::State, task: &m::Task) -> Vec<Wanted> {
    use berth_engine::swarm::secrets::data_of;
    use berth_engine::swarm::task_files::TaskFile;
    let Some(c) = task.spec.as_ref().and_then(|s| s.container_spec.as_ref()) else {
        return Vec::new();
    };
    let none = None;
    let secrets = c.secrets.iter().flatten().map(|r| {
        let f = r.file.as_ref();
        Ref {
            name: f.and_then(|f| f.name.clone()).or(r.secret_name.clone()),
            uid: f.map_or(&none, |f| &f.uid),
            gid: f.map_or(&none, |f| &f.gid),
            mode: f.and_then(|f| f.mode),
            id: r.secret_id.as_deref(),
            secret: true,
        }
    });
    let configs = c.configs.iter().flatten().map(|r| {
        let f = r.file.as_ref();
        Ref {
            name: f.and_then(|f| f.name.clone()).or(r.config_name.clone()),
            uid: f.map_or(&none, |f| &f.uid),
            gid: f.map_or(&none, |f| &f.gid),
            mode: f.and_then(|f| f.mode),
            id: r.config_id.as_deref(),
            secret: false,
        }
    });
    let number = |s: &Option<String>| {
        s.as_deref()
            .and_then(|v| v.parse::<u32>().ok())
            .unwrap_or(0)
    };
    secrets
        .chain(configs)
        .filter_map(|r| {
            let data = data_of(st, r.secret, r.id?)?;
            let name = r.name.unwrap_or_default();
            let target = match (name.starts_with('/'), r.secret) {
                (true, _) => name,
                (false, true) => format!("/run/secrets/{name}"),
                (false, false) => format!("/{name}"),
            };
            let file = TaskFile {
                data,
                uid: number(r.uid),
                gid: number(r.gid),
                mode: r.mode.unwrap_or(0o444),
            };
            Some((target, file))
        })
        .collect()
}

/// Bind each written file read-only at its target.
pub fn bind_files(
    body: &mut m::ContainerCreateBody,
    wanted: &[Wanted],
    written: &[std::path::PathBuf],
) {
    let hc = body.host_config.get_or_insert_with(Default::default);
    let mounts = hc.mounts.get_or_insert_with(Vec::new);
    for ((target, _), source) in wanted.iter().zip(written) {
        mounts.push(m::Mount {
            target: Some(target.clone()),
            source: Some(source.to_string_lossy().into_owned()),
            typ: Some(m::MountType::BIND),
            read_only: Some(true),
            ..Default::default()
        });
    }
}

/// `web.1.TASKID` (a global service's tasks: `web.NODEID.TASKID`).
pub fn name(service: &str, task: &m::Task) -> String {
    let id = task.id.as_deref().unwrap_or_default();
    match task.slot {
        Some(slot) => format!("{service}.{slot}.{id}"),
        None => format!(
            "{service}.{}.{id}",
            task.node_id.as_deref().unwrap_or_default()
        ),
    }
}

/// One network a task joins (by ID) and the names it answers to there.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Join {
    pub network: String,
    pub aliases: Vec<String>,
}

/// The networks a task joins, from its service's attachments (see
/// `swarm::endpoints::attachments`): in `vip` mode a task answers only to
/// `tasks.NAME` (the service's name and aliases belong to its VIP); in `dnsrr` mode to
/// those names too. On ingress it has no names.
pub fn joins(
    spec: &m::ServiceSpec,
    attachments: Vec<(berth_engine::network::Network, Vec<String>)>,
) -> Vec<Join> {
    let name = spec.name.clone().unwrap_or_default();
    let dnsrr =
        spec.endpoint_spec.as_ref().and_then(|e| e.mode) == Some(m::EndpointSpecModeEnum::DNSRR);
    attachments
        .into_iter()
        .map(|(net, names)| {
            let aliases = match (net.ingress, dnsrr) {
                (true, _) => Vec::new(),
                (false, true) => names.into_iter().chain([format!("tasks.{name}")]).collect(),
                (false, false) => vec![format!("tasks.{name}")],
            };
            Join {
                network: net.id,
                aliases,
            }
        })
        .collect()
}

/// Ports published in `host` mode: bound on this host to the task's container, as
/// `-p` binds them (the mesh does the rest).
fn host_ports(
    spec: &m::ServiceSpec,
) -> (Vec<String>, HashMap<String, Option<Vec<m::PortBinding>>>) {
    let mut exposed = Vec::new();
    let mut bindings = HashMap::new();
    let ports = spec.endpoint_spec.as_ref().and_then(|e| e.ports.clone());
    for p in ports.unwrap_or_default() {
        if p.publish_mode != Some(m::EndpointPortConfigPublishModeEnum::HOST) {
            continue;
        }
        let proto = p.protocol.map_or("tcp".to_string(), |x| x.to_string());
        let key = format!("{}/{proto}", p.target_port.unwrap_or(0));
        exposed.push(key.clone());
        bindings.insert(
            key,
            Some(vec![m::PortBinding {
                host_ip: None,
                host_port: p.published_port.map(|n| n.to_string()),
            }]),
        );
    }
    (exposed, bindings)
}

/// The container of `task`: on the first of `joins` (the manager connects the rest
/// before it starts).
pub fn body(service: &m::Service, task: &m::Task, joins: &[Join]) -> m::ContainerCreateBody {
    let spec = service.spec.clone().unwrap_or_default();
    let sname = spec.name.clone().unwrap_or_default();
    let tspec = task.spec.clone().unwrap_or_default();
    let c = tspec.container_spec.clone().unwrap_or_default();
    let mut labels: HashMap<String, String> = c.labels.clone().unwrap_or_default();
    labels.insert(TASK_ID.into(), task.id.clone().unwrap_or_default());
    labels.insert(TASK_NAME.into(), name(&sname, task));
    labels.insert("com.docker.swarm.task".into(), String::new());
    labels.insert(SERVICE_ID.into(), service.id.clone().unwrap_or_default());
    labels.insert(SERVICE_NAME.into(), sname.clone());
    labels.insert(NODE_ID.into(), task.node_id.clone().unwrap_or_default());
    let limits = tspec.resources.as_ref().and_then(|r| r.limits.clone());
    let reservations = tspec
        .resources
        .as_ref()
        .and_then(|r| r.reservations.clone());
    let first = joins.first().map(|j| j.network.clone());
    let endpoints = joins.first().map(|j| {
        HashMap::from([(
            j.network.clone(),
            m::EndpointSettings {
                aliases: Some(j.aliases.clone()),
                ..Default::default()
            },
        )])
    });
    let (exposed, port_bindings) = host_ports(&spec);
    m::ContainerCreateBody {
        image: c.image.clone(),
        entrypoint: c.command.clone(),
        cmd: c.args.clone(),
        env: c.env.clone(),
        labels: Some(labels),
        hostname: c.hostname.clone(),
        user: c.user.clone(),
        working_dir: c.dir.clone(),
        tty: c.tty,
        open_stdin: c.open_stdin,
        healthcheck: c.health_check.clone(),
        stop_signal: c.stop_signal.clone(),
        // The grace period is in nanoseconds; the container's timeout in seconds.
        stop_timeout: c.stop_grace_period.map(|ns| ns / 1_000_000_000),
        exposed_ports: Some(exposed).filter(|e| !e.is_empty()),
        host_config: Some(m::HostConfig {
            port_bindings: Some(port_bindings).filter(|b| !b.is_empty()),
            nano_cpus: limits.as_ref().and_then(|l| l.nano_cpus),
            memory: limits.as_ref().and_then(|l| l.memory_bytes),
            memory_reservation: reservations.as_ref().and_then(|r| r.memory_bytes),
            pids_limit: limits.as_ref().and_then(|l| l.pids),
            mounts: c.mounts.clone(),
            cap_add: c.capability_add.clone(),
            cap_drop: c.capability_drop.clone(),
            init: c.init,
            readonly_rootfs: c.read_only,
            sysctls: c.sysctls.clone(),
            ulimits: c.ulimits.clone(),
            extra_hosts: c.hosts.clone(),
            dns: c.dns_config.as_ref().and_then(|d| d.nameservers.clone()),
            dns_search: c.dns_config.as_ref().and_then(|d| d.search.clone()),
            dns_options: c.dns_config.as_ref().and_then(|d| d.options.clone()),
            network_mode: first,
            ..Default::default()
        }),
        networking_config: endpoints.map(|e| m::NetworkingConfig {
            endpoints_config: Some(e),
        }),
        ..Default::default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_task_becomes_a_labelled_limited_container() {
        let service = m::Service {
            id: Some("svc1".into()),
            spec: Some(m::ServiceSpec {
                name: Some("web".into()),
                task_template: Some(m::TaskSpec {
                    networks: Some(vec![m::NetworkAttachmentConfig {
                        target: Some("webnet".into()),
                        ..Default::default()
                    }]),
                    ..Default::default()
                }),
                ..Default::default()
            }),
            ..Default::default()
        };
        let task = m::Task {
            id: Some("task1".into()),
            slot: Some(2),
            node_id: Some("node1".into()),
            spec: Some(m::TaskSpec {
                container_spec: Some(m::TaskSpecContainerSpec {
                    image: Some("web:1".into()),
                    args: Some(vec!["serve".into()]),
                    stop_grace_period: Some(20_000_000_000),
                    ..Default::default()
                }),
                resources: Some(m::TaskSpecResources {
                    limits: Some(m::Limit {
                        nano_cpus: Some(100_000_000),
                        memory_bytes: Some(50 << 20),
                        pids: None,
                    }),
                    ..Default::default()
                }),
                ..Default::default()
            }),
            ..Default::default()
        };
        assert_eq!(name("web", &task), "web.2.task1");
        let joins = [Join {
            network: "webnet".into(),
            aliases: vec!["tasks.web".into()],
        }];
        let b = body(&service, &task, &joins);
        let labels = b.labels.unwrap();
        assert_eq!(labels[SERVICE_NAME], "web");
        assert_eq!(labels[TASK_NAME], "web.2.task1");
        assert_eq!(b.cmd.unwrap(), ["serve"]);
        assert_eq!(b.stop_timeout, Some(20));
        let hc = b.host_config.unwrap();
        assert_eq!(
            (hc.nano_cpus, hc.memory),
            (Some(100_000_000), Some(50 << 20))
        );
        assert_eq!(hc.network_mode.as_deref(), Some("webnet"));
        let ep = b.networking_config.unwrap().endpoints_config.unwrap();
        assert_eq!(ep["webnet"].aliases.as_ref().unwrap(), &["tasks.web"]);
    }
}
