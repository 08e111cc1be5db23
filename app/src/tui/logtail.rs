//! The worker's side of the logs pane: it follows the selected container's log through
//! the engine interface (`container_logs` with follow, timestamps, stdout and stderr
//! apart) on a task of its own, and hands the UI what arrived since the last look, no
//! more than a bounded number of lines per look, so a container printing 100k lines a
//! second costs the TUI a fixed slice of work per tick and the newest lines are always
//! the ones shown.

use std::collections::VecDeque;
use std::sync::{Arc, Mutex};

use futures_util::StreamExt;

use super::logview::LogEntry;
use crate::backend::streams::LogOutput;
use crate::backend::{Backend, LogsQuery};

/// The lines the first look shows of an existing log.
pub const FIRST_LINES: usize = 2000;
/// The most one look hands on; under a flood the older lines are skipped (counted, and
/// marked in the view). Some ten screens.
pub const MOST_PER_LOOK: usize = 2000;

/// What the follower task has read and the worker not yet taken.
#[derive(Debug, Default)]
struct Pending {
    lines: VecDeque<LogEntry>,
    /// Lines dropped since the last look (a flood).
    skipped: u64,
    /// The stream ended (the container stopped, or the backend hung up).
    ended: bool,
}

impl Pending {
    fn push(&mut self, e: LogEntry) {
        self.lines.push_back(e);
        if self.lines.len() > MOST_PER_LOOK {
            self.lines.pop_front();
            self.skipped += 1;
        }
    }
}

pub struct LogTail {
    pub id: String,
    pending: Arc<Mutex<Pending>>,
    task: tokio::task::JoinHandle<()>,
    /// The newest line's time handed on, in nanoseconds: a follow started again after
    /// the stream ended goes on from there.
    newest: i64,
    started: bool,
}

/// New lines and whether they replace what the view holds.
pub struct Chunk {
    pub lines: Vec<LogEntry>,
    pub reset: bool,
}

/// One line as the logs endpoint sends it with `timestamps`: RFC 3339, a space, the text.
pub fn parse_line(line: &str, stderr: bool) -> LogEntry {
    let line = line.strip_suffix('\n').unwrap_or(line);
    let line = line.strip_suffix('\r').unwrap_or(line);
    let (time, text) = match line.split_once(' ') {
        Some((t, rest)) if chrono::DateTime::parse_from_rfc3339(t).is_ok() => (t, rest),
        _ => ("", line),
    };
    LogEntry {
        stderr,
        time: time.to_string(),
        text: text.to_string(),
    }
}

fn nanos(time: &str) -> Option<i64> {
    chrono::DateTime::parse_from_rfc3339(time)
        .ok()?
        .timestamp_nanos_opt()
}

/// Read the stream into `pending` until it ends or the tail is dropped. A chunk need not
/// end a line (a remote engine frames as it likes): what follows the last newline waits
/// for the rest, per stream.
async fn pump(b: Arc<dyn Backend>, id: String, q: LogsQuery, pending: Arc<Mutex<Pending>>) {
    let mut partial = [Vec::new(), Vec::new()];
    if let Ok(mut stream) = b.container_logs(&id, q).await {
        while let Some(Ok(chunk)) = stream.next().await {
            let (stderr, bytes) = match chunk {
                LogOutput::StdErr { message } => (true, message),
                LogOutput::StdOut { message } | LogOutput::Console { message } => (false, message),
                LogOutput::StdIn { .. } => continue,
            };
            let buf = &mut partial[stderr as usize];
            buf.extend_from_slice(&bytes);
            let Some(end) = buf.iter().rposition(|b| *b == b'\n') else {
                continue;
            };
            let done: Vec<u8> = buf.drain(..=end).collect();
            let text = String::from_utf8_lossy(&done);
            let mut p = pending.lock().unwrap_or_else(|e| e.into_inner());
            for line in text.split_inclusive('\n') {
                p.push(parse_line(line, stderr));
            }
        }
    }
    pending.lock().unwrap_or_else(|e| e.into_inner()).ended = true;
}

impl LogTail {
    /// Follow `id`'s log: its last `FIRST_LINES` lines, then what comes.
    pub fn follow(b: Arc<dyn Backend>, id: &str) -> LogTail {
        Self::start(b, id, None, 0)
    }

    fn start(b: Arc<dyn Backend>, id: &str, since: Option<i64>, newest: i64) -> LogTail {
        let q = LogsQuery {
            follow: true,
            stdout: true,
            stderr: true,
            timestamps: true,
            tail: since.is_none().then_some(FIRST_LINES),
            since,
            ..Default::default()
        };
        let pending = Arc::new(Mutex::new(Pending::default()));
        let task = tokio::spawn(pump(b, id.to_string(), q, pending.clone()));
        LogTail {
            id: id.to_string(),
            pending,
            task,
            newest,
            started: false,
        }
    }

    /// The stream ended (a stopped container's follow ends, as Docker's does).
    pub fn ended(&self) -> bool {
        self.pending
            .lock()
            .map(|p| p.ended && p.lines.is_empty())
            .unwrap_or(true)
    }

    /// Follow again after the stream ended, from just after the newest line shown (the
    /// container runs again): the view keeps its lines.
    pub fn resume(&mut self, b: Arc<dyn Backend>) {
        let since = (self.newest > 0).then_some(self.newest + 1);
        let mut next = Self::start(b, &self.id, since, self.newest);
        next.started = self.started;
        *self = next;
    }

    /// What arrived since the last call; None when nothing did.
    pub fn poll(&mut self) -> Option<Chunk> {
        let (lines, skipped) = {
            let mut p = self.pending.lock().unwrap_or_else(|e| e.into_inner());
            let lines: Vec<LogEntry> = p.lines.drain(..).collect();
            (lines, std::mem::take(&mut p.skipped))
        };
        let reset = !self.started;
        self.started = true;
        if lines.is_empty() && !reset {
            return None;
        }
        if let Some(t) = lines.last().and_then(|l| nanos(&l.time)) {
            self.newest = self.newest.max(t);
        }
        Some(Chunk {
            lines: with_skip_mark(lines, skipped, reset),
            reset,
        })
    }
}

/// Under a flood the view says how many lines it did not get (not on a first look,
/// where only the tail was asked for).
fn with_skip_mark(lines: Vec<LogEntry>, skipped: u64, reset: bool) -> Vec<LogEntry> {
    if skipped == 0 || reset {
        return lines;
    }
    let mut out = Vec::with_capacity(lines.len() + 1);
    out.push(LogEntry {
        stderr: false,
        time: String::new(),
        text: format!("⋯ {skipped} lines not shown here (S saves the whole log)"),
    });
    out.extend(lines);
    out
}

impl Drop for LogTail {
    fn drop(&mut self) {
        // The follow stream goes with the tail (its reader notices and stops).
        self.task.abort();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_line_splits_into_its_time_and_text() {
        let e = parse_line("2026-11-25T12:00:00.000000001Z hello world\n", true);
        assert_eq!(
            (e.time.as_str(), e.text.as_str(), e.stderr),
            ("2026-11-25T12:00:00.000000001Z", "hello world", true)
        );
        // Without a timestamp the whole line is text.
        let e = parse_line("no time here\r\n", false);
        assert_eq!((e.time.as_str(), e.text.as_str()), ("", "no time here"));
    }

    #[test]
    fn a_flood_keeps_its_newest_lines_and_counts_the_rest() {
        let mut p = Pending::default();
        let n = MOST_PER_LOOK * 2;
        for i in 0..n {
            p.push(parse_line(&format!("line {i}\n"), false));
        }
        assert_eq!(p.lines.len(), MOST_PER_LOOK);
        assert_eq!(p.skipped as usize, n - MOST_PER_LOOK);
        let lines: Vec<LogEntry> = p.lines.drain(..).collect();
        let out = with_skip_mark(lines, p.skipped, false);
        assert!(out[0]
            .text
            .starts_with(&format!("⋯ {} lines", n - MOST_PER_LOOK)));
        assert_eq!(out.last().unwrap().text, format!("line {}", n - 1));
        assert_eq!(out.len(), MOST_PER_LOOK + 1);
    }
}
