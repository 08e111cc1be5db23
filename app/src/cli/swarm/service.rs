//! `service create|ls|ps|inspect|logs|update|scale|rollback|rm`, as the docker CLI has
//! them: the same columns, messages and exit codes, and the converge progress after a
//! change unless `-d`.

use std::collections::HashMap;

use bollard::models as m;
use clap::Subcommand;

use super::progress;
use super::service_create::{CreateArgs, Lookup};
use super::service_flags::go_uint;
use super::service_logs::{self, LogsArgs};
use super::service_name;
use super::service_pretty::service_pretty;
use super::service_update::UpdateArgs;
use super::tasks::TaskListArgs;
use crate::backend::{BackendError, ErrorKind};
use crate::cli::door::Door;
use crate::cli::inspect::inspect_each;
use crate::cli::{CliResult, Failure};
use crate::format::swarm::published_ports;

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
        #[command(flatten)]
        list: TaskListArgs,
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

/// The ID of the secret or config named `name` among `(id, name)` pairs.
fn id_by_name(
    kind: &str,
    name: &str,
    found: impl IntoIterator<Item = (Option<String>, Option<String>)>,
) -> Result<String, Failure> {
    found
        .into_iter()
        .find(|(_, n)| n.as_deref() == Some(name))
        .and_then(|(id, _)| id)
        .ok_or_else(|| Failure::from(format!("{kind} not found: {name}")))
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
        let list = self.0.call(self.0.backend().secret_list(filters))?;
        let found = list
            .into_iter()
            .map(|s| (s.id, s.spec.and_then(|sp| sp.name)));
        id_by_name("secret", name, found)
    }

    fn config_id(&self, name: &str) -> Result<String, Failure> {
        let filters = HashMap::from([("name".to_string(), vec![name.to_string()])]);
        let list = self.0.call(self.0.backend().config_list(filters))?;
        let found = list
            .into_iter()
            .map(|c| (c.id, c.spec.and_then(|sp| sp.name)));
        id_by_name("config", name, found)
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
        } => super::service_ls::ls(door, quiet, &filter, format),
        ServiceCmd::Ps { list, services } => ps(door, &list, &services),
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
fn ps(door: &Door, args: &TaskListArgs, services: &[String]) -> CliResult {
    let b = door.backend();
    let filters = args.filters()?;
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
    args.print(door, list)?;
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
