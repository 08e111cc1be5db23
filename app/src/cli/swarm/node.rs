//! `node ls`, `node inspect [--pretty]`, `node ps`, `node update`, `node promote`,
//! `node demote` and `node rm`, as the docker CLI words them.

use std::collections::HashMap;

use bollard::models as m;
use clap::Subcommand;
use serde_json::{json, Value};

use super::pretty::node_pretty;
use super::tasks::TaskListArgs;
use crate::backend::ErrorKind;
use crate::cli::door::Door;
use crate::cli::filters::Filters;
use crate::cli::inspect::inspect_each;
use crate::cli::output::print_rows;
use crate::cli::{CliResult, Failure};

#[derive(Subcommand, Debug)]
pub enum NodeCmd {
    /// List nodes in the swarm
    #[command(visible_alias = "list")]
    Ls {
        /// Only display IDs
        #[arg(short = 'q', long)]
        quiet: bool,
        /// Filter output based on conditions provided (id=, label=, membership=, name=, node.label=, role=)
        #[arg(short = 'f', long = "filter")]
        filter: Vec<String>,
        /// Format output using a custom template, "table", or "json"
        #[arg(long)]
        format: Option<String>,
    },
    /// Display detailed information on one or more nodes
    Inspect {
        /// Format output using a custom template
        #[arg(short = 'f', long)]
        format: Option<String>,
        /// Print the information in a human friendly format
        #[arg(long)]
        pretty: bool,
        /// self or NODE
        #[arg(required = true)]
        nodes: Vec<String>,
    },
    /// List tasks running on one or more nodes, defaults to current node
    Ps {
        #[command(flatten)]
        list: TaskListArgs,
        nodes: Vec<String>,
    },
    /// Update a node
    Update {
        /// Availability of the node ("active", "pause", "drain")
        #[arg(long)]
        availability: Option<String>,
        /// Role of the node ("worker", "manager")
        #[arg(long)]
        role: Option<String>,
        /// Add or update a node label ("key=value")
        #[arg(long = "label-add")]
        label_add: Vec<String>,
        /// Remove a node label if exists
        #[arg(long = "label-rm")]
        label_rm: Vec<String>,
        node: String,
    },
    /// Promote one or more nodes to manager in the swarm
    Promote {
        #[arg(required = true)]
        nodes: Vec<String>,
    },
    /// Demote one or more nodes from manager in the swarm
    Demote {
        #[arg(required = true)]
        nodes: Vec<String>,
    },
    /// Remove one or more nodes from the swarm
    #[command(visible_alias = "remove")]
    Rm {
        /// Force remove a node from the swarm
        #[arg(short = 'f', long)]
        force: bool,
        #[arg(required = true)]
        nodes: Vec<String>,
    },
}

const NODE_TABLE: &str = "table {{.ID}} {{if .Self}}*{{else}} {{ end }}\t{{.Hostname}}\t{{.Status}}\t{{.Availability}}\t{{.ManagerStatus}}\t{{.EngineVersion}}";

const NODE_HEADERS: &[(&str, &str)] = &[
    ("ID", "ID"),
    ("Self", ""),
    ("Hostname", "HOSTNAME"),
    ("Status", "STATUS"),
    ("Availability", "AVAILABILITY"),
    ("ManagerStatus", "MANAGER STATUS"),
    ("EngineVersion", "ENGINE VERSION"),
    ("TLSStatus", "TLS STATUS"),
];

pub fn hostname(n: &m::Node) -> String {
    n.description
        .as_ref()
        .and_then(|d| d.hostname.clone())
        .unwrap_or_default()
}

/// One row of `node ls`.
fn row(n: &m::Node, self_id: &str) -> Value {
    let id = n.id.clone().unwrap_or_default();
    let c = crate::format::swarm::node_columns(n);
    json!({
        "ID": id,
        "Self": !id.is_empty() && id == self_id,
        "Hostname": c.hostname,
        "Status": c.status,
        "Availability": c.availability,
        "ManagerStatus": c.manager,
        "EngineVersion": c.engine,
        "TLSStatus": "Unknown",
    })
}

/// Docker's node filters, applied here (the interface lists every node).
fn matches(n: &m::Node, filters: &Filters) -> bool {
    let id = n.id.clone().unwrap_or_default();
    let spec = n.spec.clone().unwrap_or_default();
    let label_match =
        |labels: Option<&HashMap<String, String>>, want: &str| match want.split_once('=') {
            Some((k, v)) => labels.and_then(|l| l.get(k)).is_some_and(|x| x == v),
            None => labels.is_some_and(|l| l.contains_key(want)),
        };
    let any = |key: &str, f: &dyn Fn(&str) -> bool| {
        let vs = filters.values(key);
        vs.is_empty() || vs.iter().any(|v| f(v))
    };
    let engine_labels = n
        .description
        .as_ref()
        .and_then(|d| d.engine.as_ref())
        .and_then(|e| e.labels.clone());
    any("id", &|v| id.starts_with(v))
        && any("name", &|v| {
            hostname(n).starts_with(v) || spec.name.as_deref().is_some_and(|x| x.starts_with(v))
        })
        && any("role", &|v| {
            spec.role.map(|r| r.to_string()).as_deref() == Some(v)
        })
        && any("membership", &|v| v == "accepted")
        && any("label", &|v| label_match(engine_labels.as_ref(), v))
        && any("node.label", &|v| label_match(spec.labels.as_ref(), v))
}

/// This host's node ID, as `info` gives it.
fn self_id(door: &Door) -> String {
    door.call(door.backend().info())
        .ok()
        .and_then(|i| i.swarm)
        .and_then(|s| s.node_id)
        .unwrap_or_default()
}

/// `self` as the docker CLI reads it for `inspect` and `ps`: this host's node, found
/// client-side (a Docker engine knows no node called `self`).
fn resolve_self(door: &Door, n: &str) -> String {
    if n == "self" {
        let id = self_id(door);
        if !id.is_empty() {
            return id;
        }
    }
    n.to_string()
}

pub fn run(door: &Door, cmd: NodeCmd) -> CliResult {
    let b = door.backend();
    match cmd {
        NodeCmd::Ls {
            quiet,
            filter,
            format,
        } => {
            let filters = Filters::parse(
                &filter,
                &["id", "label", "membership", "name", "node.label", "role"],
            )?;
            let mut nodes: Vec<m::Node> = door
                .call(b.node_list())?
                .into_iter()
                .filter(|n| matches(n, &filters))
                .collect();
            nodes.sort_by(|a, b| super::natural_cmp(&hostname(a), &hostname(b)));
            let me = if quiet { String::new() } else { self_id(door) };
            let rows: Vec<Value> = nodes.iter().map(|n| row(n, &me)).collect();
            let format = if quiet && format.is_none() {
                Some("{{.ID}}".to_string())
            } else {
                format
            };
            print_rows(&rows, NODE_HEADERS, NODE_TABLE, format.as_deref())?;
            Ok(0)
        }
        NodeCmd::Inspect {
            format,
            pretty,
            nodes,
        } => {
            if pretty || format.as_deref() == Some("pretty") {
                return inspect_pretty(door, &nodes);
            }
            if format.as_deref().is_some_and(|f| f.starts_with("pretty")) {
                return Err("cannot supply extra formatting options to the pretty template".into());
            }
            inspect_each(&nodes, format.as_deref(), |n| {
                let node = door
                    .call(b.node_inspect(&resolve_self(door, n)))
                    .map_err(|e| node_error(n, &e))?;
                serde_json::to_value(&node).map_err(|e| Failure::from(e.to_string()))
            })
        }
        NodeCmd::Ps { list: args, nodes } => {
            let filters = args.filters()?;
            let nodes = if nodes.is_empty() {
                vec!["self".to_string()]
            } else {
                nodes
            };
            let mut failed = Vec::new();
            let mut list = Vec::new();
            for n in &nodes {
                let node = match door.call(b.node_inspect(&resolve_self(door, n))) {
                    Ok(node) => node,
                    Err(e) => {
                        failed.push(node_error(n, &e).message);
                        continue;
                    }
                };
                let q = filters
                    .query(&[("node", node.id.clone().unwrap_or_default())])
                    .unwrap_or_default();
                match door.call(b.task_list(q)) {
                    Ok(t) => list.extend(t),
                    Err(e) => failed.push(Failure::from(e).message),
                }
            }
            if failed.is_empty() || !list.is_empty() {
                args.print(door, list)?;
            }
            if failed.is_empty() {
                Ok(0)
            } else {
                Err(failed.join("\n").into())
            }
        }
        NodeCmd::Update {
            availability,
            role,
            label_add,
            label_rm,
            node,
        } => {
            let mut n = door
                .call(b.node_inspect(&node))
                .map_err(|e| node_error(&node, &e))?;
            let mut spec = n.spec.take().unwrap_or_default();
            merge(&mut spec, availability, role, &label_add, &label_rm)?;
            let version = n.version.as_ref().and_then(|v| v.index).unwrap_or(0);
            let id = n.id.clone().unwrap_or(node.clone());
            door.call(b.node_update(&id, version, spec))?;
            println!("{node}");
            Ok(0)
        }
        NodeCmd::Promote { nodes } => set_role(door, &nodes, m::NodeSpecRoleEnum::MANAGER),
        NodeCmd::Demote { nodes } => set_role(door, &nodes, m::NodeSpecRoleEnum::WORKER),
        NodeCmd::Rm { force, nodes } => {
            // Each node in turn; a refusal is reported and the rest still tried, as by
            // the docker CLI.
            let mut failed = false;
            for n in &nodes {
                match door.call(b.node_remove(n, force)) {
                    Ok(()) => println!("{n}"),
                    Err(e) => {
                        eprintln!("{}", node_error(n, &e).message);
                        failed = true;
                    }
                }
            }
            Ok(u8::from(failed))
        }
    }
}

/// `node promote` / `node demote`: each node's spec with the new role, in order, the
/// first refusal ending the command (the docker CLI's `updateNodes`). A node already in
/// the role is only reported.
fn set_role(door: &Door, nodes: &[String], role: m::NodeSpecRoleEnum) -> CliResult {
    let b = door.backend();
    let manager = role == m::NodeSpecRoleEnum::MANAGER;
    for n in nodes {
        let node = door
            .call(b.node_inspect(n))
            .map_err(|e| node_error(n, &e))?;
        let mut spec = node.spec.unwrap_or_default();
        if spec.role == Some(role) {
            let what = if manager { "a manager" } else { "a worker" };
            println!("Node {n} is already {what}.");
            continue;
        }
        spec.role = Some(role);
        let version = node.version.and_then(|v| v.index).unwrap_or(0);
        let id = node.id.unwrap_or_else(|| n.clone());
        door.call(b.node_update(&id, version, spec))
            .map_err(|e| Failure::from(format!("Error response from daemon: {}", e.message)))?;
        if manager {
            println!("Node {n} promoted to a manager in the swarm.");
        } else {
            println!("Manager {n} demoted in the swarm.");
        }
    }
    Ok(0)
}

/// Docker's client words a missing node `Error: No such node: x`.
fn node_error(name: &str, e: &crate::backend::BackendError) -> Failure {
    if e.kind == ErrorKind::NotFound {
        Failure::from(format!("Error: No such node: {name}"))
    } else {
        Failure::from(e.clone())
    }
}

/// Object IDs to the names shown for them.
pub type IdNames = HashMap<String, String>;

/// Service ID to name and node ID to hostname, for task tables.
pub fn names(door: &Door) -> Result<(IdNames, IdNames), Failure> {
    let b = door.backend();
    let services = door
        .call(b.service_list(HashMap::new(), false))?
        .into_iter()
        .map(|s| (s.id.clone().unwrap_or_default(), super::service_name(&s)))
        .collect();
    let nodes = door
        .call(b.node_list())?
        .into_iter()
        .map(|n| (n.id.clone().unwrap_or_default(), hostname(&n)))
        .collect();
    Ok((services, nodes))
}

/// `node update`'s flags on the spec, with the daemon's refusals of bad values.
fn merge(
    spec: &mut m::NodeSpec,
    availability: Option<String>,
    role: Option<String>,
    label_add: &[String],
    label_rm: &[String],
) -> Result<(), Failure> {
    if let Some(a) = availability {
        spec.availability = Some(a.to_ascii_lowercase().parse().map_err(|_| {
            Failure::from(format!(
                "Error response from daemon: invalid Availability: {a:?}"
            ))
        })?);
    }
    if let Some(r) = role {
        spec.role = Some(r.to_ascii_lowercase().parse().map_err(|_| {
            Failure::from(format!("Error response from daemon: invalid Role: {r:?}"))
        })?);
    }
    let labels = spec.labels.get_or_insert_with(HashMap::new);
    for l in label_add {
        let (k, v) = l.split_once('=').unwrap_or((l, ""));
        labels.insert(k.to_string(), v.to_string());
    }
    for k in label_rm {
        if labels.remove(k).is_none() {
            return Err(format!("key {k} doesn't exist in node's labels").into());
        }
    }
    Ok(())
}

fn inspect_pretty(door: &Door, nodes: &[String]) -> CliResult {
    let mut out = String::new();
    for n in nodes {
        let node = door
            .call(door.backend().node_inspect(&resolve_self(door, n)))
            .map_err(|e| node_error(n, &e))?;
        out.push_str(&node_pretty(&node));
        out.push('\n');
    }
    print!("{out}");
    Ok(0)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::format::table::Format;

    fn node() -> m::Node {
        m::Node {
            id: Some("9rl10j8covggiwt5lfherdhh4".into()),
            spec: Some(m::NodeSpec {
                role: Some(m::NodeSpecRoleEnum::MANAGER),
                availability: Some(m::NodeSpecAvailabilityEnum::ACTIVE),
                ..Default::default()
            }),
            description: Some(m::NodeDescription {
                hostname: Some("fedora".into()),
                engine: Some(m::EngineDescription {
                    engine_version: Some("20.10.8".into()),
                    ..Default::default()
                }),
                ..Default::default()
            }),
            status: Some(m::NodeStatus {
                state: Some(m::NodeState::READY),
                ..Default::default()
            }),
            manager_status: Some(m::ManagerStatus {
                leader: Some(true),
                reachability: Some(m::Reachability::REACHABLE),
                addr: Some("10.0.0.5:2377".into()),
            }),
            ..Default::default()
        }
    }

    /// Seed 001's `docker node ls`, to the byte.
    #[test]
    fn node_ls_is_dockers_table() {
        let rows = vec![row(&node(), "9rl10j8covggiwt5lfherdhh4")];
        let f = Format::parse("", NODE_TABLE).unwrap();
        assert_eq!(
            f.render(NODE_HEADERS, &rows).unwrap(),
            "ID                            HOSTNAME   STATUS    AVAILABILITY   MANAGER STATUS   ENGINE VERSION\n\
             9rl10j8covggiwt5lfherdhh4 *   fedora     Ready     Active         Leader           20.10.8\n"
        );
    }

    #[test]
    fn filters_and_updates() {
        let n = node();
        let f = |v: &[&str]| {
            let v: Vec<String> = v.iter().map(|s| s.to_string()).collect();
            Filters::parse(
                &v,
                &["id", "label", "membership", "name", "node.label", "role"],
            )
            .unwrap_or_else(|e| panic!("{}", e.message))
        };
        assert!(matches(&n, &f(&["role=manager", "name=fed", "id=9rl"])));
        assert!(!matches(&n, &f(&["role=worker"])));
        assert!(!matches(&n, &f(&["node.label=zone"])));
        let mut spec = n.spec.clone().unwrap();
        merge(
            &mut spec,
            Some("drain".into()),
            None,
            &["zone=a".into(), "ssd".into()],
            &[],
        )
        .unwrap_or_else(|e| panic!("{}", e.message));
        assert_eq!(spec.availability, Some(m::NodeSpecAvailabilityEnum::DRAIN));
        assert_eq!(spec.labels.as_ref().unwrap()["zone"], "a");
        let e = merge(&mut spec, Some("bogus".into()), None, &[], &[])
            .err()
            .unwrap();
        assert_eq!(
            e.message,
            "Error response from daemon: invalid Availability: \"bogus\""
        );
        let e = merge(&mut spec, None, None, &[], &["nope".into()])
            .err()
            .unwrap();
        assert_eq!(e.message, "key nope doesn't exist in node's labels");
        let mut spec2 = spec.clone();
        assert!(merge(&mut spec2, None, None, &[], &["zone".into()]).is_ok());
        assert!(matches(
            &m::Node {
                spec: Some(spec),
                ..n.clone()
            },
            &f(&["node.label=zone=a"])
        ));
    }
}
