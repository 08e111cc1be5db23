//! The task table `service ps` and `node ps` share, as Docker's `task.Print` makes it:
//! tasks named `SERVICE.SLOT`, sorted so each slot's tasks are together with the newest
//! first, older ones indented `\_ `; CURRENT STATE as `Running 8 seconds ago`; the
//! error cut to 30 columns and quoted.

use std::collections::HashMap;

use bollard::models as m;
use chrono::{DateTime, Utc};
use serde_json::{json, Value};

use super::{display_image, pretty};
use crate::cli::Failure;
use crate::format::swarm::{current_state, error_column, sort, task_name};
use crate::format::table::Format;
use crate::format::truncate::short_id;

/// The flags `service ps` and `node ps` share, and the table they print.
#[derive(clap::Args, Debug, Clone)]
pub struct TaskListArgs {
    /// Filter output based on conditions provided (desired-state=, id=, label=, name=, node=, service=)
    #[arg(short = 'f', long = "filter")]
    pub filter: Vec<String>,
    /// Pretty-print tasks using a Go template
    #[arg(long)]
    pub format: Option<String>,
    /// Do not map IDs to Names
    #[arg(long = "no-resolve")]
    pub no_resolve: bool,
    /// Do not truncate output
    #[arg(long = "no-trunc")]
    pub no_trunc: bool,
    /// Only display task IDs
    #[arg(short = 'q', long)]
    pub quiet: bool,
}

impl TaskListArgs {
    pub fn filters(&self) -> Result<crate::cli::filters::Filters, Failure> {
        crate::cli::filters::Filters::parse(
            &self.filter,
            &["desired-state", "id", "label", "name", "node", "service"],
        )
    }

    /// Print `list` as the flags ask (IDs mapped to names unless `--no-resolve`).
    pub fn print(&self, door: &crate::cli::door::Door, list: Vec<m::Task>) -> Result<(), Failure> {
        let (services, nodes) = if self.no_resolve {
            (HashMap::new(), HashMap::new())
        } else {
            super::node::names(door)?
        };
        let view = TaskView {
            services: &services,
            nodes: &nodes,
            trunc: !(self.no_trunc || self.quiet),
            quiet: self.quiet,
            format: self.format.as_deref(),
            now: Utc::now(),
        };
        print!("{}", render(list, &view)?);
        Ok(())
    }
}

const DEFAULT_TABLE: &str = "table {{.ID}}\t{{.Name}}\t{{.Image}}\t{{.Node}}\t{{.DesiredState}}\t{{.CurrentState}}\t{{.Error}}\t{{.Ports}}";

const HEADERS: &[(&str, &str)] = &[
    ("ID", "ID"),
    ("Name", "NAME"),
    ("Image", "IMAGE"),
    ("Node", "NODE"),
    ("DesiredState", "DESIRED STATE"),
    ("CurrentState", "CURRENT STATE"),
    ("Error", "ERROR"),
    ("Ports", "PORTS"),
];

/// How the table is asked for.
pub struct TaskView<'a> {
    /// Service ID to name, node ID to hostname (IDs stand for themselves when missing,
    /// as with `--no-resolve`).
    pub services: &'a HashMap<String, String>,
    pub nodes: &'a HashMap<String, String>,
    pub trunc: bool,
    pub quiet: bool,
    pub format: Option<&'a str>,
    pub now: DateTime<Utc>,
}

/// Ports a task publishes on its node (host mode), `*:8080->80/tcp`.
fn ports_column(t: &m::Task) -> String {
    let ports = t
        .status
        .as_ref()
        .and_then(|s| s.port_status.as_ref())
        .and_then(|p| p.ports.clone())
        .unwrap_or_default();
    ports
        .iter()
        .map(|p| {
            format!(
                "*:{}->{}/{}",
                p.published_port.unwrap_or(0),
                p.target_port.unwrap_or(0),
                p.protocol.map(|x| x.to_string()).unwrap_or_default()
            )
        })
        .collect::<Vec<_>>()
        .join(",")
}

/// One row: the fields Docker's task context offers templates.
fn row(t: &m::Task, name: String, view: &TaskView) -> Value {
    let id = t.id.clone().unwrap_or_default();
    let image = t
        .spec
        .as_ref()
        .and_then(|s| s.container_spec.as_ref())
        .and_then(|c| c.image.clone())
        .unwrap_or_default();
    let node_id = t.node_id.clone().unwrap_or_default();
    json!({
        "ID": if view.trunc { short_id(&id).to_string() } else { id },
        "Name": name,
        "Image": if view.trunc { display_image(&image) } else { image },
        "Node": view.nodes.get(&node_id).cloned().unwrap_or(node_id),
        "DesiredState": pretty(&t.desired_state.map(|s| s.to_string()).unwrap_or_default()),
        "CurrentState": current_state(t, view.now),
        "Error": error_column(t, view.trunc),
        "Ports": ports_column(t),
    })
}

/// The table (or the `--format` lines) for `tasks`.
pub fn render(tasks: Vec<m::Task>, view: &TaskView) -> Result<String, Failure> {
    let spec = match (view.format, view.quiet) {
        (Some(f), _) if !f.is_empty() => f,
        (_, true) => "{{.ID}}",
        _ => DEFAULT_TABLE,
    };
    let format = Format::parse(spec, DEFAULT_TABLE).map_err(|e| Failure::from(e.to_string()))?;
    let mut named: Vec<(String, m::Task)> = tasks
        .into_iter()
        .map(|t| (task_name(&t, view.services), t))
        .collect();
    sort(&mut named);
    let mut rows = Vec::new();
    let mut prev = String::new();
    for (name, t) in &named {
        // Older tasks of a slot are indented under the newest (in tables only).
        let shown = if *name == prev && format.is_table() {
            format!(" \\_ {name}")
        } else {
            name.clone()
        };
        prev = name.clone();
        rows.push(row(t, shown, view));
    }
    format
        .render(HEADERS, &rows)
        .map_err(|e| Failure::from(e.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(s: &str) -> DateTime<Utc> {
        crate::format::swarm::parse_time(Some(s)).unwrap()
    }

    fn task(id: &str, slot: i64, created: &str, state: m::TaskState, err: Option<&str>) -> m::Task {
        let desired = if state == m::TaskState::RUNNING || state == m::TaskState::READY {
            m::TaskState::RUNNING
        } else {
            m::TaskState::SHUTDOWN
        };
        m::Task {
            id: Some(id.into()),
            created_at: Some(created.into()),
            service_id: Some("svc1".into()),
            slot: Some(slot),
            node_id: Some("node1".into()),
            desired_state: Some(desired),
            spec: Some(m::TaskSpec {
                container_spec: Some(m::TaskSpecContainerSpec {
                    image: Some(
                        "alpine:latest@sha256:1111111111111111111111111111111111111111111111111111111111111111"
                            .into(),
                    ),
                    ..Default::default()
                }),
                ..Default::default()
            }),
            status: Some(m::TaskStatus {
                timestamp: Some(created.into()),
                state: Some(state),
                err: err.map(String::from),
                ..Default::default()
            }),
            ..Default::default()
        }
    }

    fn view<'a>(
        services: &'a HashMap<String, String>,
        nodes: &'a HashMap<String, String>,
    ) -> TaskView<'a> {
        TaskView {
            services,
            nodes,
            trunc: true,
            quiet: false,
            format: None,
            now: at("2026-01-01T12:00:10Z"),
        }
    }

    /// Seed 001's table after `rm -f` of a task's container: the replacement on top,
    /// the failed task indented under it, slots in order whatever the list's order.
    fn seed_tasks() -> Vec<m::Task> {
        vec![
            task(
                "djd0jh4zqf72e4f4nyy1lh9vv",
                3,
                "2026-01-01T08:00:00Z",
                m::TaskState::RUNNING,
                None,
            ),
            task(
                "qx92don5pln0p8dk67op4nx0d",
                2,
                "2026-01-01T08:00:00Z",
                m::TaskState::FAILED,
                Some("task: non-zero exit (137)"),
            ),
            task(
                "wije77s9abjx4iaqo18gfqrl1",
                1,
                "2026-01-01T08:00:00Z",
                m::TaskState::RUNNING,
                None,
            ),
            task(
                "wxkgh06arjejz3w8d7cl2kd5q",
                2,
                "2026-01-01T12:00:09Z",
                m::TaskState::RUNNING,
                None,
            ),
        ]
    }

    #[test]
    fn the_task_table_is_dockers() {
        let services = HashMap::from([("svc1".to_string(), "friendly_wiles".to_string())]);
        let nodes = HashMap::from([("node1".to_string(), "fedora".to_string())]);
        let out = render(seed_tasks(), &view(&services, &nodes))
            .unwrap_or_else(|e| panic!("{}", e.message));
        insta::assert_snapshot!(out);
    }

    #[test]
    fn quiet_and_formats_do_not_indent() {
        let services = HashMap::from([("svc1".to_string(), "web".to_string())]);
        let nodes = HashMap::new();
        let mut v = view(&services, &nodes);
        v.quiet = true;
        v.trunc = false;
        let out = render(seed_tasks(), &v).unwrap_or_else(|e| panic!("{}", e.message));
        assert_eq!(
            out,
            "wije77s9abjx4iaqo18gfqrl1\nwxkgh06arjejz3w8d7cl2kd5q\nqx92don5pln0p8dk67op4nx0d\ndjd0jh4zqf72e4f4nyy1lh9vv\n"
        );
        v.quiet = false;
        v.format = Some("{{.Name}} {{.DesiredState}} {{.Node}}");
        let out = render(seed_tasks(), &v).unwrap_or_else(|e| panic!("{}", e.message));
        assert_eq!(
            out,
            "web.1 Running node1\nweb.2 Running node1\nweb.2 Shutdown node1\nweb.3 Running node1\n"
        );
    }

    #[test]
    fn current_state_reads_as_docker_words_it() {
        let now = at("2026-01-01T12:00:10Z");
        let t = task("a", 1, "2026-01-01T12:00:02Z", m::TaskState::RUNNING, None);
        assert_eq!(current_state(&t, now), "Running 8 seconds ago");
        let t = task("a", 1, "2026-01-01T11:59:00Z", m::TaskState::SHUTDOWN, None);
        assert_eq!(current_state(&t, now), "Shutdown about a minute ago");
        let t = task("a", 1, "2026-01-01T12:00:10Z", m::TaskState::READY, None);
        assert_eq!(current_state(&t, now), "Ready less than a second ago");
        let long = "x".repeat(40);
        let t = task(
            "a",
            1,
            "2026-01-01T12:00:10Z",
            m::TaskState::FAILED,
            Some(&long),
        );
        assert_eq!(error_column(&t, true), format!("\"{}…\"", "x".repeat(29)));
        assert_eq!(error_column(&t, false), format!("\"{long}\""));
    }
}
