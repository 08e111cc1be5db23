//! A compose project's merged log, as an attached `compose up` shows it: every
//! container's lines in time order, each behind its `web-1  | ` prefix, coloured per
//! service. Its backlog is read first from every container at once and sorted as one,
//! then each container is followed from just after its newest line (one [`LogTail`]
//! each, with its flood handling); what the follows bring between two looks is sorted
//! again, so lines that arrive together stay in time order.

use std::collections::HashMap;
use std::sync::Arc;

use futures_util::future::join_all;
use futures_util::StreamExt;

use crate::backend::streams::LogOutput;
use crate::backend::{Backend, LogsQuery};
use crate::compose::log_prefix;
use crate::tui::logtail::{nanos, parse_line, Chunk, LogTail, FIRST_LINES};
use crate::tui::logview::{LogEntry, KEPT};

/// The logs pane's key for a project's merged log (container IDs have no colon).
pub fn view_key(project: &str) -> String {
    format!("compose:{project}")
}

/// One container of the project, as its rows say.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Member {
    pub id: String,
    pub name: String,
    pub service: String,
    pub running: bool,
}

type Backlog = Vec<(String, Vec<LogEntry>)>;

pub struct ProjectTail {
    pub project: String,
    backend: Arc<dyn Backend>,
    members: Vec<Member>,
    /// The backlog being read, and when that began (nanoseconds).
    backlog: Option<(tokio::task::JoinHandle<Backlog>, i64)>,
    tails: HashMap<String, LogTail>,
}

/// The lines each container's backlog gives: together no more than the view keeps.
fn backlog_lines(members: usize) -> usize {
    (KEPT / members.max(1)).clamp(100, FIRST_LINES)
}

/// A container's log so far (its last `tail` lines), with times.
async fn read_backlog(b: Arc<dyn Backend>, id: String, tail: usize) -> (String, Vec<LogEntry>) {
    let q = LogsQuery {
        stdout: true,
        stderr: true,
        timestamps: true,
        tail: Some(tail),
        ..Default::default()
    };
    let mut lines = Vec::new();
    if let Ok(mut s) = b.container_logs(&id, q).await {
        let mut partial = [String::new(), String::new()];
        while let Some(Ok(chunk)) = s.next().await {
            let (stderr, bytes) = match chunk {
                LogOutput::StdErr { message } => (true, message),
                LogOutput::StdOut { message } | LogOutput::Console { message } => (false, message),
                LogOutput::StdIn { .. } => continue,
            };
            let buf = &mut partial[stderr as usize];
            buf.push_str(&String::from_utf8_lossy(&bytes));
            while let Some(i) = buf.find('\n') {
                let line: String = buf.drain(..=i).collect();
                lines.push(parse_line(&line, stderr));
            }
        }
    }
    (id, lines)
}

impl ProjectTail {
    pub fn follow(b: Arc<dyn Backend>, project: &str, members: Vec<Member>) -> ProjectTail {
        let began = chrono::Utc::now().timestamp_nanos_opt().unwrap_or(0);
        let tail = backlog_lines(members.len());
        let reads: Vec<_> = members
            .iter()
            .map(|m| read_backlog(b.clone(), m.id.clone(), tail))
            .collect();
        let task = tokio::spawn(join_all(reads));
        ProjectTail {
            project: project.to_string(),
            backend: b,
            members,
            backlog: Some((task, began)),
            tails: HashMap::new(),
        }
    }

    /// The project's containers now: new ones are followed from their start, gone ones
    /// let go, stopped ones that run again followed on.
    pub fn sync(&mut self, members: Vec<Member>) {
        if self.backlog.is_none() {
            for m in &members {
                match self.tails.get_mut(&m.id) {
                    None => {
                        let t = LogTail::follow(self.backend.clone(), &m.id);
                        self.tails.insert(m.id.clone(), t);
                    }
                    Some(t) if m.running && t.ended() => t.resume(self.backend.clone()),
                    Some(_) => {}
                }
            }
            self.tails
                .retain(|id, _| members.iter().any(|m| &m.id == id));
        }
        self.members = members;
    }

    /// What arrived since the last look: first the whole backlog (replacing what the
    /// view holds), then the follows' lines. None while nothing did.
    pub fn poll(&mut self) -> Option<Chunk> {
        if let Some((task, began)) = self.backlog.take() {
            if !task.is_finished() {
                self.backlog = Some((task, began));
                return None;
            }
            let read = futures_util::FutureExt::now_or_never(task)
                .and_then(Result::ok)
                .unwrap_or_default();
            return Some(self.start_following(read, began));
        }
        let mut batch: Vec<(String, Vec<LogEntry>)> = Vec::new();
        for (id, t) in self.tails.iter_mut() {
            if let Some(chunk) = t.poll() {
                if !chunk.lines.is_empty() {
                    batch.push((id.clone(), chunk.lines));
                }
            }
        }
        if batch.is_empty() {
            return None;
        }
        Some(Chunk {
            lines: merge(&self.project, &self.members, batch),
            reset: false,
        })
    }

    /// The backlog read: sorted as one, and each container followed from after its
    /// newest line (or from when the reading began, if it had none).
    fn start_following(&mut self, read: Backlog, began: i64) -> Chunk {
        for m in &self.members {
            let newest = read
                .iter()
                .find(|(id, _)| id == &m.id)
                .and_then(|(_, lines)| lines.iter().rev().find_map(|l| nanos(&l.time)));
            let since = newest.map_or(began, |n| n + 1);
            let t = LogTail::follow_since(self.backend.clone(), &m.id, since);
            self.tails.insert(m.id.clone(), t);
        }
        Chunk {
            lines: merge(&self.project, &self.members, read),
            reset: true,
        }
    }
}

/// Prefix and colour each container's lines, then put them all in time order. A line
/// without a time (a flood's "lines not shown" mark) goes with the line after it.
fn merge(project: &str, members: &[Member], batch: Backlog) -> Vec<LogEntry> {
    let order = log_prefix::service_order(members.iter().map(|m| m.service.as_str()));
    let width = members
        .iter()
        .map(|m| log_prefix::short_name(&m.name, project).chars().count())
        .max()
        .unwrap_or(0);
    let mut all: Vec<(i64, LogEntry)> = Vec::new();
    for (id, lines) in batch {
        let Some(m) = members.iter().find(|m| m.id == id) else {
            continue;
        };
        let prefix = log_prefix::prefix(log_prefix::short_name(&m.name, project), width);
        let colour = log_prefix::colour_index(&order, &m.service);
        let mut next = i64::MAX;
        let mut keyed: Vec<(i64, LogEntry)> = lines
            .into_iter()
            .rev()
            .map(|mut e| {
                next = nanos(&e.time).unwrap_or(next);
                e.prefix = prefix.clone();
                e.colour = colour;
                (next, e)
            })
            .collect();
        keyed.reverse();
        all.extend(keyed);
    }
    // Stable: lines of one container with the same time keep their order.
    all.sort_by_key(|(t, _)| *t);
    all.into_iter().map(|(_, e)| e).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(time: &str, text: &str) -> LogEntry {
        LogEntry {
            time: time.into(),
            text: text.into(),
            ..Default::default()
        }
    }

    fn member(id: &str, service: &str) -> Member {
        Member {
            id: id.into(),
            name: format!("cct-{service}-1"),
            service: service.into(),
            running: true,
        }
    }

    #[test]
    fn lines_merge_in_time_order_behind_their_prefix() {
        let members = [member("a", "web"), member("b", "db")];
        let t = |s: u32| format!("2026-11-25T12:00:{s:02}.000000000Z");
        let merged = merge(
            "cct",
            &members,
            vec![
                (
                    "a".into(),
                    vec![
                        entry(&t(1), "web up"),
                        entry("", "⋯ 5 lines"),
                        entry(&t(4), "GET /"),
                    ],
                ),
                (
                    "b".into(),
                    vec![entry(&t(0), "db up"), entry(&t(3), "ready")],
                ),
            ],
        );
        let shown: Vec<String> = merged
            .iter()
            .map(|e| format!("{}{} ({})", e.prefix, e.text, e.colour))
            .collect();
        assert_eq!(
            shown,
            [
                "db-1   | db up (0)",
                "web-1  | web up (1)",
                "db-1   | ready (0)",
                "web-1  | ⋯ 5 lines (1)",
                "web-1  | GET / (1)",
            ]
        );
        assert_eq!(view_key("cct"), "compose:cct");
    }
}
