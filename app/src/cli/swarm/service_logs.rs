//! `service logs SERVICE|TASK`: every task container's log through the engine
//! interface's container logs, merged by time, each line prefixed as Docker prefixes
//! it (`web.1.k2v8x0c4pq1z@host    | `). With `-f` the lines are shown as they come,
//! and the tasks that start later are followed too.

use std::collections::{HashMap, HashSet};
use std::io::Write;
use std::pin::Pin;
use std::time::Duration;

use bollard::models as m;
use bollard::query_parameters as q;
use chrono::{DateTime, Utc};
use clap::Args;
use futures_util::stream::{SelectAll, StreamExt};

use crate::backend::streams::LogOutput;
use crate::backend::{Backend, BackendError, ErrorKind, LogsQuery};
use crate::cli::door::Door;
use crate::cli::{CliResult, Failure};
use crate::format::since::parse_since;
use crate::format::truncate::short_id;
use crate::swarm::task_container::{NODE_ID, SERVICE_ID, TASK_ID};

#[derive(Args, Debug)]
pub struct LogsArgs {
    /// Show extra details provided to logs
    #[arg(long)]
    details: bool,
    /// Follow log output
    #[arg(short = 'f', long)]
    follow: bool,
    /// Do not map IDs to Names in output
    #[arg(long = "no-resolve")]
    no_resolve: bool,
    /// Do not include task IDs in output
    #[arg(long = "no-task-ids")]
    no_task_ids: bool,
    /// Do not truncate output
    #[arg(long = "no-trunc")]
    no_trunc: bool,
    /// Do not neatly format logs
    #[arg(long)]
    raw: bool,
    /// Show logs since timestamp (e.g. "2013-01-02T13:23:37Z") or relative (e.g. "42m" for 42 minutes)
    #[arg(long)]
    since: Option<String>,
    /// Number of lines to show from the end of the logs
    #[arg(short = 'n', long, default_value = "all")]
    tail: String,
    /// Show timestamps
    #[arg(short = 't', long)]
    timestamps: bool,
    /// SERVICE or TASK
    target: String,
}

/// What a line is prefixed with and where it goes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Context {
    pub task_id: String,
    pub slot: i64,
    pub service: String,
    pub node: String,
}

/// Docker's prefix: `web.1.TASKID@node`, padded so the `|` column lines up whatever
/// the slot's width, then `    | `.
pub fn prefix(c: &Context, padding: usize, trunc: bool, task_ids: bool) -> String {
    let mut name = format!("{}.{}", c.service, c.slot);
    if task_ids {
        name.push('.');
        name.push_str(if trunc {
            short_id(&c.task_id)
        } else {
            &c.task_id
        });
    }
    let pad = padding.saturating_sub(c.slot.to_string().len());
    format!("{name}@{}{}    | ", c.node, " ".repeat(pad))
}

/// One line of one task: its time (for merging), the text without the time, and
/// whether it came on stderr.
#[derive(Debug, Clone)]
struct Line {
    at: Option<DateTime<Utc>>,
    stamp: String,
    text: Vec<u8>,
    stderr: bool,
    container: String,
}

/// Split a timestamped chunk (`2026-…Z text`) into its lines.
fn lines_of(chunk: &[u8], stderr: bool, container: &str, partial: &mut Vec<u8>) -> Vec<Line> {
    partial.extend_from_slice(chunk);
    let mut out = Vec::new();
    while let Some(nl) = partial.iter().position(|b| *b == b'\n') {
        let line: Vec<u8> = partial.drain(..=nl).collect();
        let (stamp, text) = match line.iter().position(|b| *b == b' ') {
            Some(sp) => (
                String::from_utf8_lossy(&line[..sp]).to_string(),
                line[sp + 1..].to_vec(),
            ),
            None => (String::new(), line),
        };
        let at = DateTime::parse_from_rfc3339(&stamp)
            .ok()
            .map(|t| t.with_timezone(&Utc));
        out.push(Line {
            at,
            stamp,
            text,
            stderr,
            container: container.to_string(),
        });
    }
    out
}

type Stream =
    Pin<Box<dyn futures_util::Stream<Item = (String, Result<LogOutput, BackendError>)> + Send>>;

struct Run<'a> {
    b: &'a dyn Backend,
    query: LogsQuery,
    /// Container ID to its line prefix.
    prefixes: HashMap<String, String>,
    partial: HashMap<String, Vec<u8>>,
    timestamps: bool,
    raw: bool,
}

impl Run<'_> {
    fn print(&self, l: &Line) {
        let mut out: Vec<u8> = Vec::new();
        if self.timestamps {
            out.extend_from_slice(l.stamp.as_bytes());
            out.push(b' ');
        }
        if !self.raw {
            out.extend_from_slice(self.prefixes.get(&l.container).map_or("", |p| p).as_bytes());
        }
        out.extend_from_slice(&l.text);
        if l.stderr {
            let _ = std::io::stderr().write_all(&out);
        } else {
            let mut o = std::io::stdout().lock();
            let _ = o.write_all(&out);
            let _ = o.flush();
        }
    }

    async fn open(&self, id: &str) -> Result<Stream, Failure> {
        let id = id.to_string();
        let s = self
            .b
            .container_logs(&id, self.query.clone())
            .await
            .map_err(Failure::from)?;
        Ok(Box::pin(s.map(move |item| (id.clone(), item))))
    }

    fn take(&mut self, container: &str, item: LogOutput) -> Vec<Line> {
        let partial = self.partial.entry(container.to_string()).or_default();
        match item {
            LogOutput::StdErr { message } => lines_of(&message, true, container, partial),
            LogOutput::StdOut { message } | LogOutput::Console { message } => {
                lines_of(&message, false, container, partial)
            }
            LogOutput::StdIn { .. } => Vec::new(),
        }
    }

    /// What is left of each container's last line once its log has ended: a task whose
    /// output ends without a newline (`cat` of a secret) still shows it, as Docker does.
    fn rest(&mut self) -> Vec<Line> {
        let mut out = Vec::new();
        for (container, partial) in self.partial.drain() {
            if !partial.is_empty() {
                let mut rest = partial;
                rest.push(b'\n');
                let mut none = Vec::new();
                // Shown as it came, without a newline it never had.
                out.extend(
                    lines_of(&rest, false, &container, &mut none)
                        .into_iter()
                        .map(|mut l| {
                            l.text.pop();
                            l
                        }),
                );
            }
        }
        out
    }
}

/// The task containers of a service (or the one of a task), with each one's context.
async fn containers(
    b: &dyn Backend,
    label: String,
    names: &Names,
) -> Result<Vec<(String, Context)>, Failure> {
    let list = b
        .container_list(q::ListContainersOptions {
            all: true,
            filters: Some(HashMap::from([("label".to_string(), vec![label])])),
            ..Default::default()
        })
        .await
        .map_err(Failure::from)?;
    let mut out = Vec::new();
    for c in list {
        let labels = c.labels.unwrap_or_default();
        let task_id = labels.get(TASK_ID).cloned().unwrap_or_default();
        let service_id = labels.get(SERVICE_ID).cloned().unwrap_or_default();
        let node_id = labels.get(NODE_ID).cloned().unwrap_or_default();
        let slot = match b.task_inspect(&task_id).await {
            Ok(t) => t.slot.unwrap_or(0),
            // The task's record may be gone; its container's name still says the slot.
            Err(_) => labels
                .get(crate::swarm::task_container::TASK_NAME)
                .and_then(|n| n.split('.').rev().nth(1)?.parse().ok())
                .unwrap_or(0),
        };
        out.push((
            c.id.unwrap_or_default(),
            Context {
                task_id,
                slot,
                service: names.service(&service_id),
                node: names.node(&node_id),
            },
        ));
    }
    Ok(out)
}

struct Names {
    services: HashMap<String, String>,
    nodes: HashMap<String, String>,
}

impl Names {
    fn service(&self, id: &str) -> String {
        self.services
            .get(id)
            .cloned()
            .unwrap_or_else(|| id.to_string())
    }
    fn node(&self, id: &str) -> String {
        self.nodes
            .get(id)
            .cloned()
            .unwrap_or_else(|| id.to_string())
    }
}

pub fn run(door: &Door, a: LogsArgs) -> CliResult {
    let b = door.backend();
    // A service, else a task (Docker's order), else neither.
    let (label, padding, tty) = match door.call(b.service_inspect(&a.target)) {
        Ok(s) => {
            let spec = s.spec.clone().unwrap_or_default();
            let padding = super::replicas(&spec)
                .filter(|_| !super::is_global(&spec))
                .map_or(1, |n| n.to_string().len());
            let tty = container_tty(spec.task_template.as_ref());
            (
                format!("{SERVICE_ID}={}", s.id.unwrap_or_default()),
                padding,
                tty,
            )
        }
        Err(e) if e.kind == ErrorKind::NotFound => match door.call(b.task_inspect(&a.target)) {
            Ok(t) => (
                format!("{TASK_ID}={}", t.id.clone().unwrap_or_default()),
                t.slot.unwrap_or(0).to_string().len(),
                container_tty(t.spec.as_ref()),
            ),
            Err(e) if e.kind == ErrorKind::NotFound => {
                return Err(format!("no such task or service: {}", a.target).into())
            }
            Err(e) => return Err(e.into()),
        },
        Err(e) => return Err(e.into()),
    };
    if tty && !a.raw {
        return Err("tty service logs only supported with --raw".into());
    }
    let (services, nodes) = if a.no_resolve {
        (HashMap::new(), HashMap::new())
    } else {
        super::node::names(door)?
    };
    let names = Names { services, nodes };
    let now = chrono::Local::now();
    let since = a
        .since
        .as_deref()
        .map(|s| parse_since(s, &now))
        .transpose()
        .map_err(|e| Failure::from(format!("invalid value for --since: {e}")))?
        .and_then(|t| t.timestamp_nanos_opt());
    let tail = match a.tail.as_str() {
        "all" | "-1" => None,
        n => Some(n.parse().map_err(|_| {
            Failure::from(format!(
                "invalid value for --tail: {n:?} is not a number or \"all\""
            ))
        })?),
    };
    let query = LogsQuery {
        follow: a.follow,
        stdout: true,
        stderr: true,
        since,
        until: None,
        // Always: the lines of the tasks are merged by time.
        timestamps: true,
        tail,
        details: false,
    };
    let mut run = Run {
        b,
        query,
        prefixes: HashMap::new(),
        partial: HashMap::new(),
        timestamps: a.timestamps,
        raw: a.raw,
    };
    let trunc = !a.no_trunc;
    let task_ids = !a.no_task_ids;
    door.block_on(async {
        let found = containers(b, label.clone(), &names).await?;
        let mut seen: HashSet<String> = HashSet::new();
        let mut streams: SelectAll<Stream> = SelectAll::new();
        for (id, ctx) in &found {
            run.prefixes
                .insert(id.clone(), prefix(ctx, padding, trunc, task_ids));
            seen.insert(id.clone());
            // A container removed meanwhile has nothing to show.
            if let Ok(s) = run.open(id).await {
                streams.push(s);
            }
        }
        if !a.follow {
            let mut all = Vec::new();
            while let Some((id, item)) = streams.next().await {
                if let Ok(item) = item {
                    all.extend(run.take(&id, item));
                }
            }
            all.extend(run.rest());
            // Merged by time; a slot's own lines keep their order.
            all.sort_by_key(|l| l.at);
            for l in &all {
                run.print(l);
            }
            return Ok(0);
        }
        let mut discover = tokio::time::interval(Duration::from_secs(1));
        let mut ctrl_c = std::pin::pin!(tokio::signal::ctrl_c());
        loop {
            tokio::select! {
                Some((id, item)) = streams.next(), if !streams.is_empty() => {
                    if let Ok(item) = item {
                        for l in run.take(&id, item) {
                            run.print(&l);
                        }
                    }
                }
                _ = discover.tick() => {
                    // Tasks started since: follow them too.
                    let Ok(now) = containers(b, label.clone(), &names).await else { continue };
                    for (id, ctx) in now {
                        if seen.insert(id.clone()) {
                            run.prefixes.insert(id.clone(), prefix(&ctx, padding, trunc, task_ids));
                            if let Ok(s) = run.open(&id).await {
                                streams.push(s);
                            }
                        }
                    }
                }
                _ = &mut ctrl_c => return Ok(0),
            }
        }
    })
}

fn container_tty(t: Option<&m::TaskSpec>) -> bool {
    t.and_then(|t| t.container_spec.as_ref())
        .and_then(|c| c.tty)
        .unwrap_or(false)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_are_prefixed_as_docker_prefixes_them() {
        let c = Context {
            task_id: "k2v8x0c4pq1zbd5s4e3d7lk0q".into(),
            slot: 2,
            service: "web".into(),
            node: "fedora".into(),
        };
        assert_eq!(prefix(&c, 1, true, true), "web.2.k2v8x0c4pq1z@fedora    | ");
        // Ten replicas: one-digit slots are padded to line up with two-digit ones.
        assert_eq!(
            prefix(&c, 2, true, true),
            "web.2.k2v8x0c4pq1z@fedora     | "
        );
        assert_eq!(prefix(&c, 1, false, false), "web.2@fedora    | ");
    }

    #[test]
    fn chunks_become_timestamped_lines() {
        let mut partial = Vec::new();
        let l = lines_of(
            b"2026-01-01T00:00:01.5Z hello\n2026-01-01T00:00:02Z wor",
            false,
            "c",
            &mut partial,
        );
        assert_eq!(l.len(), 1);
        assert_eq!(l[0].text, b"hello\n");
        assert_eq!(l[0].stamp, "2026-01-01T00:00:01.5Z");
        let l = lines_of(b"ld\n", true, "c", &mut partial);
        assert_eq!(l[0].text, b"world\n");
        assert!(l[0].stderr);
        assert!(l[0].at.is_some());
    }
}
