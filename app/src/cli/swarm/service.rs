//! `service create|ls|ps|inspect|logs|update|scale|rollback|rm`, as the docker CLI has
//! them: the same columns, messages and exit codes, and the converge progress after a
//! change unless `-d`.

use std::collections::HashMap;

use bollard::models as m;
use clap::Subcommand;
use serde_json::{json, Value};

use super::node::names;
use super::pretty::service_pretty;
use super::progress;
use super::service_create::{CreateArgs, Lookup};
use super::service_flags::go_uint;
use super::service_logs::{self, LogsArgs};
use super::service_update::UpdateArgs;
use super::tasks::{self, TaskView};
use super::{display_image, natural_cmp, service_name};
use crate::backend::{BackendError, ErrorKind};
use crate::cli::door::Door;
use crate::cli::filters::Filters;
use crate::cli::inspect::inspect_each;
use crate::cli::output::print_rows;
use crate::cli::{CliResult, Failure};
use crate::format::truncate::short_id;

#[derive(Subcommand, Debug)]
pub enum ServiceCmd {
    /// Create a new service
    Create(Box<CreateArgs>),
    /// List services
    #[command(visible_alias = "list")]
    Ls {
        /// Only display IDs
        #[arg(short = 'q', long)]
        quiet: bool,
        /// Filter output based on conditions provided (id=, label=, mode=, name=)
        #[arg(short = 'f', long = "filter")]
        filter: Vec<String>,
        /// Format output using a custom template, "table", or "json"
        #[arg(long)]
        format: Option<String>,
    },
    /// List the tasks of one or more services
    Ps {
        /// Filter output based on conditions provided (desired-state=, id=, label=, name=, node=, service=)
        #[arg(short = 'f', long = "filter")]
        filter: Vec<String>,
        /// Pretty-print tasks using a Go template
        #[arg(long)]
        format: Option<String>,
        /// Do not map IDs to Names
        #[arg(long = "no-resolve")]
        no_resolve: bool,
        /// Do not truncate output
        #[arg(long = "no-trunc")]
        no_trunc: bool,
        /// Only display task IDs
        #[arg(short = 'q', long)]
        quiet: bool,
        #[arg(required = true, value_name = "SERVICE")]
        services: Vec<String>,
    },
    /// Display detailed information on one or more services
    Inspect {
        /// Format output using a custom template
        #[arg(short = 'f', long)]
        format: Option<String>,
        /// Print the information in a human friendly format
        #[arg(long)]
        pretty: bool,
        #[arg(required = true, value_name = "SERVICE")]
        services: Vec<String>,
    },
    /// Fetch the logs of a service or task
    Logs(LogsArgs),
    /// Update a service
    Update(Box<UpdateArgs>),
    /// Scale one or multiple replicated services
    Scale {
        /// Exit immediately instead of waiting for the service to converge
        #[arg(short = 'd', long)]
        detach: bool,
        #[arg(required = true, value_name = "SERVICE=REPLICAS")]
        specs: Vec<String>,
    },
    /// Revert changes to a service's configuration
    Rollback {
        /// Exit immediately instead of waiting for the service to converge
        #[arg(short = 'd', long)]
        detach: bool,
        /// Suppress progress output
        #[arg(short = 'q', long)]
        quiet: bool,
        service: String,
    },
    /// Remove one or more services
    #[command(visible_alias = "remove")]
    Rm {
        #[arg(required = true, value_name = "SERVICE")]
        services: Vec<String>,
    },
}

const SERVICE_TABLE: &str =
    "table {{.ID}}\t{{.Name}}\t{{.Mode}}\t{{.Replicas}}\t{{.Image}}\t{{.Ports}}";

const SERVICE_HEADERS: &[(&str, &str)] = &[
    ("ID", "ID"),
    ("Name", "NAME"),
    ("Mode", "MODE"),
    ("Replicas", "REPLICAS"),
    ("Image", "IMAGE"),
    ("Ports", "PORTS"),
];

/// A service's published ports: its endpoint's, or its spec's while the backend has
/// given it no endpoint.
pub fn published_ports(s: &m::Service) -> Vec<m::EndpointPortConfig> {
    s.endpoint
        .as_ref()
        .and_then(|e| e.ports.clone())
        .or_else(|| {
            s.spec
                .as_ref()
                .and_then(|sp| sp.endpoint_spec.as_ref())
                .and_then(|e| e.ports.clone())
        })
        .unwrap_or_default()
}

/// Docker's PORTS column: ingress ports as `*:4000->80/tcp`, consecutive ones as
/// ranges (`*:80-81->80-81/tcp`).
pub fn ports_column(ports: &[m::EndpointPortConfig]) -> String {
    let mut ports: Vec<(String, i64, i64)> = ports
        .iter()
        .filter(|p| {
            p.publish_mode
                .is_none_or(|m| m == m::EndpointPortConfigPublishModeEnum::INGRESS)
        })
        .map(|p| {
            (
                p.protocol
                    .map(|x| x.to_string())
                    .unwrap_or_else(|| "tcp".into()),
                p.published_port.unwrap_or(0),
                p.target_port.unwrap_or(0),
            )
        })
        .collect();
    ports.sort_by(|a, b| a.0.cmp(&b.0).then(a.1.cmp(&b.1)));
    struct Range {
        proto: String,
        p: (i64, i64),
        t: (i64, i64),
    }
    let show = |r: &Range| {
        let side = |(a, b): (i64, i64)| {
            if b > a {
                format!("{a}-{b}")
            } else {
                a.to_string()
            }
        };
        format!("*:{}->{}/{}", side(r.p), side(r.t), r.proto)
    };
    let mut out = Vec::new();
    let mut cur: Option<Range> = None;
    for (proto, published, target) in ports {
        let extend = cur.as_ref().is_some_and(|r| {
            let is_range = r.t.1 != r.t.0;
            r.proto == proto
                && published - r.p.1 <= 1
                && target - r.t.1 <= 1
                && !(is_range && target <= r.t.1)
        });
        match cur.as_mut() {
            Some(r) if extend => {
                r.p.1 = published;
                r.t.1 = target;
            }
            _ => {
                if let Some(r) = cur.take().filter(|r| r.p.0 > 0) {
                    out.push(show(&r));
                }
                cur = Some(Range {
                    proto,
                    p: (published, published),
                    t: (target, target),
                });
            }
        }
    }
    if let Some(r) = cur.filter(|r| r.p.0 > 0) {
        out.push(show(&r));
    }
    out.join(", ")
}

/// One row of `service ls`.
fn row(s: &m::Service) -> Value {
    let spec = s.spec.clone().unwrap_or_default();
    let mode = if super::is_global(&spec) {
        "global"
    } else {
        "replicated"
    };
    let status = s.service_status.clone().unwrap_or_default();
    let (running, desired) = (
        status.running_tasks.unwrap_or(0),
        status.desired_tasks.unwrap_or(0),
    );
    let max = spec
        .task_template
        .as_ref()
        .and_then(|t| t.placement.as_ref())
        .and_then(|p| p.max_replicas)
        .filter(|n| *n > 0 && mode == "replicated");
    let replicas = match max {
        Some(n) => format!("{running}/{desired} (max {n} per node)"),
        None => format!("{running}/{desired}"),
    };
    let image = spec
        .task_template
        .as_ref()
        .and_then(|t| t.container_spec.as_ref())
        .and_then(|c| c.image.clone())
        .unwrap_or_default();
    json!({
        "ID": short_id(s.id.as_deref().unwrap_or_default()),
        "Name": spec.name.unwrap_or_default(),
        "Mode": mode,
        "Replicas": replicas,
        "Image": display_image(&image),
        "Ports": ports_column(&published_ports(s)),
    })
}

/// Docker's client words a missing service `Error: No such service: x`.
fn service_error(name: &str, e: &BackendError) -> Failure {
    if e.kind == ErrorKind::NotFound {
        Failure::from(format!("Error: No such service: {name}"))
    } else {
        Failure::from(format!("Error response from daemon: {}", e.message))
    }
}

/// Names to IDs through the engine interface, as Docker's client looks them up.
struct DoorLookup<'a>(&'a Door);

impl DoorLookup<'_> {
    /// The ID of the secret or config named `name` among `(id, name)` pairs.
    fn by_name(
        kind: &str,
        name: &str,
        found: Result<Vec<(Option<String>, Option<String>)>, BackendError>,
    ) -> Result<String, Failure> {
        found?
            .into_iter()
            .find(|(_, n)| n.as_deref() == Some(name))
            .and_then(|(id, _)| id)
            .ok_or_else(|| Failure::from(format!("{kind} not found: {name}")))
    }
}

impl Lookup for DoorLookup<'_> {
    fn network_id(&self, name: &str) -> Option<String> {
        self.0
            .call(self.0.backend().network_inspect(name))
            .ok()
            .and_then(|n| n.id)
    }

    fn secret_id(&self, name: &str) -> Result<String, Failure> {
        let filters = HashMap::from([("name".to_string(), vec![name.to_string()])]);
        let found = self.0.call(self.0.backend().secret_list(filters)).map(|l| {
            l.into_iter()
                .map(|s| (s.id, s.spec.and_then(|sp| sp.name)))
                .collect()
        });
        Self::by_name("secret", name, found)
    }

    fn config_id(&self, name: &str) -> Result<String, Failure> {
        let filters = HashMap::from([("name".to_string(), vec![name.to_string()])]);
        let found = self.0.call(self.0.backend().config_list(filters)).map(|l| {
            l.into_iter()
                .map(|c| (c.id, c.spec.and_then(|sp| sp.name)))
                .collect()
        });
        Self::by_name("config", name, found)
    }
}

fn version_of(s: &m::Service) -> u64 {
    s.version.as_ref().and_then(|v| v.index).unwrap_or(0)
}

pub fn run(door: &Door, cmd: ServiceCmd) -> CliResult {
    let b = door.backend();
    match cmd {
        ServiceCmd::Create(a) => {
            let spec = a.spec(&DoorLookup(door))?;
            let r = door.call(b.service_create(spec))?;
            for w in r.warnings.unwrap_or_default() {
                eprintln!("{w}");
            }
            let id = r.id.unwrap_or_default();
            println!("{id}");
            if !a.flags.detach {
                progress::wait(door, &id, a.flags.quiet)?;
            }
            Ok(0)
        }
        ServiceCmd::Ls {
            quiet,
            filter,
            format,
        } => {
            let filters = Filters::parse(&filter, &["id", "label", "mode", "name"])?;
            let mut list =
                door.call(b.service_list(filters.query(&[]).unwrap_or_default(), !quiet))?;
            list.sort_by(|a, b| natural_cmp(&service_name(a), &service_name(b)));
            let rows: Vec<Value> = list.iter().map(row).collect();
            let format = match (quiet, format) {
                (true, None) => Some("{{.ID}}".to_string()),
                (_, f) => f,
            };
            print_rows(&rows, SERVICE_HEADERS, SERVICE_TABLE, format.as_deref())?;
            Ok(0)
        }
        ServiceCmd::Ps {
            filter,
            format,
            no_resolve,
            no_trunc,
            quiet,
            services,
        } => ps(
            door,
            &filter,
            format.as_deref(),
            no_resolve,
            no_trunc,
            quiet,
            &services,
        ),
        ServiceCmd::Inspect {
            format,
            pretty,
            services,
        } => {
            if pretty || format.as_deref() == Some("pretty") {
                return inspect_pretty(door, &services);
            }
            if format.as_deref().is_some_and(|f| f.starts_with("pretty")) {
                return Err("cannot supply extra formatting options to the pretty template".into());
            }
            inspect_each(&services, format.as_deref(), |n| {
                let s = door.call(b.service_inspect(n)).map_err(|e| {
                    if e.kind == ErrorKind::NotFound {
                        Failure::from(format!("Error: no such service: {n}"))
                    } else {
                        Failure::from(e)
                    }
                })?;
                serde_json::to_value(&s).map_err(|e| Failure::from(e.to_string()))
            })
        }
        ServiceCmd::Logs(a) => service_logs::run(door, a),
        ServiceCmd::Update(a) => update(door, &a),
        ServiceCmd::Scale { detach, specs } => scale(door, detach, &specs),
        ServiceCmd::Rollback {
            detach,
            quiet,
            service,
        } => {
            let s = door
                .call(b.service_inspect(&service))
                .map_err(|e| service_error(&service, &e))?;
            let id = s.id.clone().unwrap_or_default();
            let r = door.call(b.service_update(
                &id,
                version_of(&s),
                s.spec.clone().unwrap_or_default(),
                true,
            ))?;
            for w in r.warnings.unwrap_or_default() {
                eprintln!("{w}");
            }
            println!("{service}");
            if !detach {
                progress::wait(door, &id, quiet)?;
            }
            Ok(0)
        }
        ServiceCmd::Rm { services } => {
            let mut failed = false;
            for s in &services {
                match door.call(b.service_remove(s)) {
                    Ok(()) => println!("{s}"),
                    Err(e) => {
                        eprintln!("{}", service_error(s, &e).message);
                        failed = true;
                    }
                }
            }
            Ok(u8::from(failed))
        }
    }
}

fn update(door: &Door, a: &UpdateArgs) -> CliResult {
    let b = door.backend();
    let s = door
        .call(b.service_inspect(&a.service))
        .map_err(|e| service_error(&a.service, &e))?;
    if a.rollback && a.more_than_rollback() {
        return Err("other flags may not be combined with --rollback".into());
    }
    let mut spec = s.spec.clone().unwrap_or_default();
    if !a.rollback {
        a.apply(&mut spec, &DoorLookup(door))?;
    }
    let id = s.id.clone().unwrap_or_default();
    let r = door.call(b.service_update(&id, version_of(&s), spec, a.rollback))?;
    for w in r.warnings.unwrap_or_default() {
        eprintln!("{w}");
    }
    println!("{}", a.service);
    if !a.flags.detach {
        progress::wait(door, &id, a.flags.quiet)?;
    }
    Ok(0)
}

/// `service scale web=5 api=2`: every argument checked first, then each service
/// scaled (`web scaled to 5`), then each one waited for unless `-d`.
fn scale(door: &Door, detach: bool, specs: &[String]) -> CliResult {
    let b = door.backend();
    for s in specs {
        if !s
            .split_once('=')
            .is_some_and(|(k, v)| !k.is_empty() && !v.is_empty())
        {
            return Err(format!(
                "invalid scale specifier '{s}'.\nSee 'berth service scale --help'.\n\n\
                 Usage:  berth service scale SERVICE=REPLICAS [SERVICE=REPLICAS...]\n\n\
                 Scale one or multiple replicated services"
            )
            .into());
        }
    }
    let mut errors = Vec::new();
    let mut scaled = Vec::new();
    for s in specs {
        let (name, n) = s.split_once('=').unwrap_or((s, ""));
        let n = match go_uint(n) {
            Ok(n) => n,
            Err(e) => {
                errors.push(format!("{name}: invalid replicas value {n}: {e}"));
                continue;
            }
        };
        let result = (|| -> Result<String, Failure> {
            let svc = door
                .call(b.service_inspect(name))
                .map_err(|e| service_error(name, &e))?;
            let mut spec = svc.spec.clone().unwrap_or_default();
            match spec.mode.as_mut().and_then(|m| m.replicated.as_mut()) {
                Some(r) => r.replicas = Some(n as i64),
                None => {
                    return Err(
                        "scale can only be used with replicated or replicated-job mode".into(),
                    )
                }
            }
            let id = svc.id.clone().unwrap_or_default();
            let r = door.call(b.service_update(&id, version_of(&svc), spec, false))?;
            for w in r.warnings.unwrap_or_default() {
                eprintln!("{w}");
            }
            Ok(id)
        })();
        match result {
            Ok(id) => {
                println!("{name} scaled to {n}");
                scaled.push((name.to_string(), id));
            }
            Err(e) => errors.push(format!("{name}: {}", e.message)),
        }
    }
    if !detach {
        for (name, id) in &scaled {
            if let Err(e) = progress::wait(door, id, false) {
                errors.push(format!("{name}: {}", e.message));
            }
        }
    }
    if errors.is_empty() {
        Ok(0)
    } else {
        Err(errors.join("\n").into())
    }
}

/// `service ps`: services matched by full ID, full name, then unique ID prefix, as
/// Docker's client matches them.
fn ps(
    door: &Door,
    filter: &[String],
    format: Option<&str>,
    no_resolve: bool,
    no_trunc: bool,
    quiet: bool,
    services: &[String],
) -> CliResult {
    let b = door.backend();
    let filters = Filters::parse(
        filter,
        &["desired-state", "id", "label", "name", "node", "service"],
    )?;
    let all = door.call(b.service_list(HashMap::new(), false))?;
    let mut notfound = Vec::new();
    let mut ids = Vec::new();
    for want in services {
        let id = |s: &m::Service| s.id.clone().unwrap_or_default();
        if let Some(s) = all.iter().find(|s| id(s) == *want) {
            ids.push(id(s));
            continue;
        }
        if let Some(s) = all.iter().find(|s| service_name(s) == *want) {
            ids.push(id(s));
            continue;
        }
        let prefixed: Vec<&m::Service> = all
            .iter()
            .filter(|s| id(s).starts_with(want.as_str()))
            .collect();
        match prefixed.as_slice() {
            [s] => ids.push(id(s)),
            [] => notfound.push(format!("no such service: {want}")),
            _ => {
                return Err(format!("multiple services found with provided prefix: {want}").into())
            }
        }
    }
    if ids.is_empty() {
        return Err(notfound.join("\n").into());
    }
    let mut extra: Vec<(&str, String)> = ids.iter().map(|id| ("service", id.clone())).collect();
    let mut query = filters.clone();
    // Nodes by name or `self` become IDs, as the client resolves them.
    let node_values: Vec<String> = filters.values("node").to_vec();
    if !node_values.is_empty() {
        query = query.with_boolean("node", None);
        for n in node_values {
            let node = door.call(b.node_inspect(&n))?;
            extra.push(("node", node.id.unwrap_or(n)));
        }
    }
    let list = door.call(b.task_list(query.query(&extra).unwrap_or_default()))?;
    let (services_by_id, nodes) = if no_resolve {
        (HashMap::new(), HashMap::new())
    } else {
        names(door)?
    };
    let view = TaskView {
        services: &services_by_id,
        nodes: &nodes,
        trunc: !(no_trunc || quiet),
        quiet,
        format,
        now: chrono::Utc::now(),
    };
    print!("{}", tasks::render(list, &view)?);
    if notfound.is_empty() {
        Ok(0)
    } else {
        Err(notfound.join("\n").into())
    }
}

fn inspect_pretty(door: &Door, services: &[String]) -> CliResult {
    let b = door.backend();
    let mut failed = false;
    for n in services {
        match door.call(b.service_inspect(n)) {
            Ok(s) => {
                let networks: HashMap<String, String> = s
                    .spec
                    .as_ref()
                    .and_then(|sp| sp.task_template.as_ref())
                    .and_then(|t| t.networks.clone())
                    .unwrap_or_default()
                    .into_iter()
                    .filter_map(|n| {
                        let id = n.target?;
                        let name = door.call(b.network_inspect(&id)).ok()?.name?;
                        Some((id, name))
                    })
                    .collect();
                println!("{}", service_pretty(&s, &networks, &published_ports(&s)));
            }
            Err(e) => {
                eprintln!("{}", service_error(n, &e).message);
                failed = true;
            }
        }
    }
    Ok(u8::from(failed))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::format::table::Format;

    fn port(
        published: i64,
        target: i64,
        proto: m::EndpointPortConfigProtocolEnum,
    ) -> m::EndpointPortConfig {
        m::EndpointPortConfig {
            protocol: Some(proto),
            published_port: Some(published),
            target_port: Some(target),
            publish_mode: Some(m::EndpointPortConfigPublishModeEnum::INGRESS),
            ..Default::default()
        }
    }

    #[test]
    fn ports_are_grouped_as_docker_groups_them() {
        use m::EndpointPortConfigProtocolEnum::{TCP, UDP};
        assert_eq!(ports_column(&[port(4000, 80, TCP)]), "*:4000->80/tcp");
        assert_eq!(
            ports_column(&[port(81, 81, TCP), port(80, 80, TCP)]),
            "*:80-81->80-81/tcp"
        );
        assert_eq!(
            ports_column(&[port(80, 80, TCP), port(81, 80, TCP)]),
            "*:80-81->80/tcp"
        );
        assert_eq!(
            ports_column(&[port(80, 80, TCP), port(81, 81, TCP), port(82, 80, TCP)]),
            "*:80-81->80-81/tcp, *:82->80/tcp"
        );
        assert_eq!(
            ports_column(&[port(53, 53, UDP), port(80, 80, TCP)]),
            "*:80->80/tcp, *:53->53/udp"
        );
        let mut host = port(8080, 80, TCP);
        host.publish_mode = Some(m::EndpointPortConfigPublishModeEnum::HOST);
        assert_eq!(ports_column(&[host]), "");
    }

    fn service(name: &str, id: &str, image: &str, running: u64, desired: u64) -> m::Service {
        m::Service {
            id: Some(id.into()),
            spec: Some(m::ServiceSpec {
                name: Some(name.into()),
                task_template: Some(m::TaskSpec {
                    container_spec: Some(m::TaskSpecContainerSpec {
                        image: Some(image.into()),
                        ..Default::default()
                    }),
                    ..Default::default()
                }),
                mode: Some(m::ServiceSpecMode {
                    replicated: Some(m::ServiceSpecModeReplicated {
                        replicas: Some(desired as i64),
                    }),
                    ..Default::default()
                }),
                endpoint_spec: Some(m::EndpointSpec {
                    mode: Some(m::EndpointSpecModeEnum::VIP),
                    ports: (name == "web")
                        .then(|| vec![port(80, 80, m::EndpointPortConfigProtocolEnum::TCP)]),
                }),
                ..Default::default()
            }),
            service_status: Some(m::ServiceServiceStatus {
                running_tasks: Some(running),
                desired_tasks: Some(desired),
                completed_tasks: Some(0),
            }),
            ..Default::default()
        }
    }

    /// Seed 001's `docker service ls` after the overlay-network exercise.
    #[test]
    fn service_ls_is_dockers_table() {
        let mut list = [
            service("web", "tmiz4ydl3v57ahdjnb2v5t1ka", "nginx:alpine", 1, 1),
            service(
                "psql",
                "nwy7viidnp7nppsl53w3g3wqa",
                "postgres:alpine@sha256:0000000000000000000000000000000000000000000000000000000000000000",
                1,
                1,
            ),
        ];
        list.sort_by(|a, b| natural_cmp(&service_name(a), &service_name(b)));
        let rows: Vec<Value> = list.iter().map(row).collect();
        let f = Format::parse("", SERVICE_TABLE).unwrap();
        insta::assert_snapshot!(f.render(SERVICE_HEADERS, &rows).unwrap());
    }
}
