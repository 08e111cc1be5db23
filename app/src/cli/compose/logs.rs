//! The project's logs as one stream: each container's lines prefixed with its name
//! (`web-1  | ...`, the prefixes padded alike and coloured by service on a terminal),
//! in the order they arrive. `compose logs` and an attached `compose up` both use it.

use std::io::{IsTerminal, Write};

use futures_util::stream::{select_all, StreamExt};

use crate::backend::streams::LogOutput;
use crate::backend::{Backend, LogsQuery};
use crate::compose::log_prefix;
use crate::compose::run::state::Existing;

/// Compose's colours for prefixes, in the order services get them.
const COLOURS: [&str; 6] = ["36", "33", "32", "35", "34", "31"];

pub struct Prefixes {
    width: usize,
    colour: bool,
    services: Vec<String>,
    bare: bool,
}

impl Prefixes {
    pub fn new(containers: &[Existing], no_color: bool, no_prefix: bool) -> Prefixes {
        let services = log_prefix::service_order(containers.iter().map(|c| c.service.as_str()));
        Prefixes {
            width: containers.iter().map(|c| short(c).len()).max().unwrap_or(0),
            colour: !no_color && std::io::stdout().is_terminal(),
            services,
            bare: no_prefix,
        }
    }

    pub fn line(&self, c: &Existing, text: &str) -> String {
        if self.bare {
            return format!("{text}\n");
        }
        let name = format!("{:<w$}", short(c), w = self.width);
        if self.colour {
            let i = log_prefix::colour_index(&self.services, &c.service);
            format!(
                "\x1b[{}m{name}  |\x1b[0m {text}\n",
                COLOURS[i % COLOURS.len()]
            )
        } else {
            format!("{name}  | {text}\n")
        }
    }
}

/// `web-1` for `cct-web-1` (`log_prefix::short_name`).
fn short(c: &Existing) -> String {
    match c.labels.get(crate::compose::labels::PROJECT) {
        Some(p) => log_prefix::short_name(&c.name, p).to_string(),
        None => c.name.clone(),
    }
}

/// Print the logs of `containers`: what they wrote so far in time order (every line is
/// asked with its timestamp to sort by), then, with `follow`, new lines as they come
/// until the containers stop.
pub async fn print(
    b: &dyn Backend,
    containers: &[Existing],
    query: LogsQuery,
    prefixes: &Prefixes,
) {
    if !query.follow {
        return sorted(b, containers, query, prefixes).await;
    }
    stream(b, containers, query, prefixes).await;
}

/// The lines so far, in time order across containers.
async fn sorted(b: &dyn Backend, containers: &[Existing], query: LogsQuery, prefixes: &Prefixes) {
    let keep_stamp = query.timestamps;
    let query = LogsQuery {
        timestamps: true,
        ..query
    };
    let mut lines: Vec<(String, usize, bool, String)> = Vec::new();
    for (i, c) in containers.iter().enumerate() {
        let Ok(mut s) = b.container_logs(&c.id, query.clone()).await else {
            continue;
        };
        let (mut out, mut err) = (String::new(), String::new());
        while let Some(Ok(chunk)) = s.next().await {
            match chunk {
                LogOutput::StdErr { message } => err.push_str(&String::from_utf8_lossy(&message)),
                LogOutput::StdOut { message } | LogOutput::Console { message } => {
                    out.push_str(&String::from_utf8_lossy(&message))
                }
                LogOutput::StdIn { .. } => {}
            }
        }
        for (text, to_err) in [(out, false), (err, true)] {
            for line in text.lines() {
                let (stamp, rest) = line.split_once(' ').unwrap_or((line, ""));
                let shown = if keep_stamp {
                    line.to_string()
                } else {
                    rest.to_string()
                };
                lines.push((stamp.to_string(), i, to_err, shown));
            }
        }
    }
    // RFC 3339 stamps in UTC with nanoseconds sort as text.
    lines.sort_by(|a, b| a.0.cmp(&b.0));
    let (mut out, mut err) = (std::io::stdout().lock(), std::io::stderr().lock());
    for (_, i, to_err, text) in lines {
        let line = prefixes.line(&containers[i], &text);
        let _ = if to_err {
            err.write_all(line.as_bytes())
        } else {
            out.write_all(line.as_bytes())
        };
    }
    let _ = out.flush();
}

/// New lines as they arrive, until every stream ends.
async fn stream(b: &dyn Backend, containers: &[Existing], query: LogsQuery, prefixes: &Prefixes) {
    let mut streams = Vec::new();
    for c in containers {
        if let Ok(s) = b.container_logs(&c.id, query.clone()).await {
            let c = c.clone();
            streams.push(s.map(move |chunk| (c.clone(), chunk)).boxed());
        }
    }
    let mut all = select_all(streams);
    // Lines are cut at newlines per container: a chunk may hold part of a line.
    let mut partial: std::collections::HashMap<String, String> = Default::default();
    while let Some((c, chunk)) = all.next().await {
        let Ok(chunk) = chunk else { continue };
        let (bytes, to_err) = match chunk {
            LogOutput::StdErr { message } => (message, true),
            LogOutput::StdOut { message } | LogOutput::Console { message } => (message, false),
            LogOutput::StdIn { .. } => continue,
        };
        let buf = partial.entry(c.id.clone()).or_default();
        buf.push_str(&String::from_utf8_lossy(&bytes));
        while let Some(i) = buf.find('\n') {
            let line: String = buf.drain(..=i).collect();
            let text = prefixes.line(&c, line.trim_end_matches(['\n', '\r']));
            if to_err {
                let _ = std::io::stderr().write_all(text.as_bytes());
            } else {
                let _ = std::io::stdout().write_all(text.as_bytes());
            }
        }
    }
    for (id, rest) in partial {
        if rest.is_empty() {
            continue;
        }
        if let Some(c) = containers.iter().find(|c| c.id == id) {
            let _ = std::io::stdout().write_all(prefixes.line(c, &rest).as_bytes());
        }
    }
    let _ = std::io::stdout().flush();
}
