//! The worker's side of the logs pane: it follows the selected container's log through
//! the engine interface (`container_logs` with follow, timestamps, stdout and stderr
//! apart) on a task of its own, and hands the UI what arrived since the last look, no
//! more than a bounded number of lines per look, so the newest lines are always the
//! ones shown.
//!
//! Under a flood (more lines a look than it hands on) following would still read and
//! pass every line; the tail stops following and instead asks, once a look, for the
//! newest lines since the last one it showed (the backend reads those from the end of
//! the log), so a container printing 300k lines a second costs the TUI a fixed slice of
//! work per tick. When a look brings fewer lines than it may hand on, it follows again.

use std::collections::VecDeque;
use std::sync::{Arc, Mutex};

use bytes::Bytes;
use futures_util::StreamExt;

use super::logview::LogEntry;
use crate::backend::streams::LogOutput;
use crate::backend::{Backend, LogsQuery};

/// The lines the first look shows of an existing log.
pub const FIRST_LINES: usize = 2000;
/// The most one look hands on; under a flood the older lines are skipped (counted, and
/// marked in the view). Some ten screens.
pub const MOST_PER_LOOK: usize = 2000;

/// A line as it came (its time still in front), parsed only if it is shown.
type RawLine = (bool, Bytes);

/// What the reading task has read and the worker not yet taken.
#[derive(Debug, Default)]
struct Pending {
    lines: VecDeque<RawLine>,
    /// Lines dropped since the last look (a flood).
    skipped: u64,
    /// The stream ended (the container stopped, or the backend hung up).
    ended: bool,
    /// A flood look's answer came: how many lines it had.
    polled: Option<usize>,
}

impl Pending {
    fn push(&mut self, line: RawLine) {
        self.lines.push_back(line);
        if self.lines.len() > MOST_PER_LOOK {
            self.lines.pop_front();
            self.skipped += 1;
        }
    }
}

/// How the tail reads.
enum Reading {
    /// A follow stream, read by this task.
    Follow(tokio::task::JoinHandle<()>),
    /// Under a flood: one look at the newest lines at a time (the one under way).
    Flood(Option<tokio::task::JoinHandle<()>>),
}

pub struct LogTail {
    pub id: String,
    backend: Arc<dyn Backend>,
    pending: Arc<Mutex<Pending>>,
    reading: Reading,
    /// The newest line's time handed on, in nanoseconds: a follow started again (after
    /// the stream ended, or after a flood) goes on from there.
    newest: i64,
    started: bool,
}

/// New lines and whether they replace what the view holds.
pub struct Chunk {
    pub lines: Vec<LogEntry>,
    pub reset: bool,
}

/// Whether `t` has the shape of the RFC 3339 time the logs endpoint puts first
/// (`2026-11-25T12:00:00.000000001Z`): checked by shape, as it is for every line.
fn looks_like_time(t: &str) -> bool {
    let b = t.as_bytes();
    b.len() >= 20
        && b[4] == b'-'
        && b[7] == b'-'
        && b[10] == b'T'
        && b[13] == b':'
        && b[..4].iter().all(u8::is_ascii_digit)
}

/// One line as the logs endpoint sends it with `timestamps`: RFC 3339, a space, the text.
pub fn parse_line(line: &str, stderr: bool) -> LogEntry {
    let line = line.strip_suffix('\n').unwrap_or(line);
    let line = line.strip_suffix('\r').unwrap_or(line);
    let (time, text) = match line.split_once(' ') {
        Some((t, rest)) if looks_like_time(t) => (t, rest),
        _ => ("", line),
    };
    LogEntry {
        stderr,
        time: time.to_string(),
        text: text.to_string(),
        ..Default::default()
    }
}

/// An RFC 3339 time in nanoseconds since the epoch.
pub fn nanos(time: &str) -> Option<i64> {
    chrono::DateTime::parse_from_rfc3339(time)
        .ok()?
        .timestamp_nanos_opt()
}

/// Read the stream into `pending` until it ends or the tail is dropped. A chunk need not
/// end a line (a remote engine frames as it likes): what follows the last newline waits
/// for the rest, per stream. Lines are kept as they came; only those shown are parsed.
/// `look`: a flood look, which ends by saying how many lines it had.
async fn pump(
    b: Arc<dyn Backend>,
    id: String,
    q: LogsQuery,
    pending: Arc<Mutex<Pending>>,
    look: bool,
) {
    let mut partial = [Vec::new(), Vec::new()];
    let mut count = 0;
    if let Ok(mut stream) = b.container_logs(&id, q).await {
        while let Some(Ok(chunk)) = stream.next().await {
            let (stderr, bytes) = match chunk {
                LogOutput::StdErr { message } => (true, message),
                LogOutput::StdOut { message } | LogOutput::Console { message } => (false, message),
                LogOutput::StdIn { .. } => continue,
            };
            let buf = &mut partial[stderr as usize];
            let whole = if buf.is_empty() {
                bytes
            } else {
                buf.extend_from_slice(&bytes);
                Bytes::from(std::mem::take(buf))
            };
            let Some(end) = whole.iter().rposition(|b| *b == b'\n') else {
                *buf = whole.to_vec();
                continue;
            };
            buf.extend_from_slice(&whole[end + 1..]);
            let mut p = pending.lock().unwrap_or_else(|e| e.into_inner());
            let mut at = 0;
            for (i, _) in whole[..=end]
                .iter()
                .enumerate()
                .filter(|(_, b)| **b == b'\n')
            {
                p.push((stderr, whole.slice(at..=i)));
                at = i + 1;
                count += 1;
            }
        }
    }
    let mut p = pending.lock().unwrap_or_else(|e| e.into_inner());
    if look {
        p.polled = Some(count);
    } else {
        p.ended = true;
    }
}

impl LogTail {
    /// Follow `id`'s log: its last `FIRST_LINES` lines, then what comes.
    pub fn follow(b: Arc<dyn Backend>, id: &str) -> LogTail {
        let pending = Arc::new(Mutex::new(Pending::default()));
        let mut t = LogTail {
            id: id.to_string(),
            backend: b,
            pending,
            reading: Reading::Flood(None),
            newest: 0,
            started: false,
        };
        t.reading = Reading::Follow(t.spawn_follow(None));
        t
    }

    /// Follow `id`'s log from `since` (nanoseconds) on, every line: for a log whose
    /// earlier lines were read already (a project's merged log reads its backlog first).
    pub fn follow_since(b: Arc<dyn Backend>, id: &str, since: i64) -> LogTail {
        let mut t = LogTail {
            id: id.to_string(),
            backend: b,
            pending: Arc::new(Mutex::new(Pending::default())),
            reading: Reading::Flood(None),
            // A follow started again goes on from here too.
            newest: since - 1,
            started: false,
        };
        t.reading = Reading::Follow(t.spawn_follow(Some(since)));
        t
    }

    fn spawn_follow(&self, since: Option<i64>) -> tokio::task::JoinHandle<()> {
        let q = LogsQuery {
            follow: true,
            stdout: true,
            stderr: true,
            timestamps: true,
            tail: since.is_none().then_some(FIRST_LINES),
            since,
            ..Default::default()
        };
        tokio::spawn(pump(
            self.backend.clone(),
            self.id.clone(),
            q,
            self.pending.clone(),
            false,
        ))
    }

    /// The newest lines since the last one shown, once (a flood look).
    fn look(&self) -> tokio::task::JoinHandle<()> {
        let q = LogsQuery {
            follow: false,
            stdout: true,
            stderr: true,
            timestamps: true,
            tail: Some(MOST_PER_LOOK),
            since: (self.newest > 0).then_some(self.newest + 1),
            ..Default::default()
        };
        if let Ok(mut p) = self.pending.lock() {
            p.polled = None;
        }
        tokio::spawn(pump(
            self.backend.clone(),
            self.id.clone(),
            q,
            self.pending.clone(),
            true,
        ))
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
        self.backend = b;
        self.follow_from_newest();
    }

    fn follow_from_newest(&mut self) {
        if let Ok(mut p) = self.pending.lock() {
            p.ended = false;
            p.polled = None;
        }
        let since = (self.newest > 0).then_some(self.newest + 1);
        self.stop_reading();
        self.reading = Reading::Follow(self.spawn_follow(since));
    }

    fn stop_reading(&mut self) {
        match &self.reading {
            Reading::Follow(task) | Reading::Flood(Some(task)) => task.abort(),
            Reading::Flood(None) => {}
        }
    }

    /// Between follow and flood looks, by what the last look brought.
    fn steer(&mut self, skipped: u64) {
        match &self.reading {
            // More than a look hands on: stop reading every line.
            Reading::Follow(_) if skipped > 0 => {
                self.stop_reading();
                self.reading = Reading::Flood(Some(self.look()));
            }
            Reading::Follow(_) => {}
            Reading::Flood(task) => {
                if task.as_ref().is_some_and(|t| !t.is_finished()) {
                    return;
                }
                let polled = self.pending.lock().ok().and_then(|p| p.polled);
                match polled {
                    // The flood is over: follow again.
                    Some(n) if n < MOST_PER_LOOK => self.follow_from_newest(),
                    _ => self.reading = Reading::Flood(Some(self.look())),
                }
            }
        }
    }

    /// What arrived since the last call; None when nothing did.
    pub fn poll(&mut self) -> Option<Chunk> {
        let (raw, skipped) = {
            let mut p = self.pending.lock().unwrap_or_else(|e| e.into_inner());
            let lines: Vec<RawLine> = p.lines.drain(..).collect();
            (lines, std::mem::take(&mut p.skipped))
        };
        let flooding = matches!(self.reading, Reading::Flood(_));
        let lines: Vec<LogEntry> = raw
            .iter()
            .map(|(stderr, b)| parse_line(&String::from_utf8_lossy(b), *stderr))
            .collect();
        if let Some(t) = lines.last().and_then(|l| nanos(&l.time)) {
            self.newest = self.newest.max(t);
        }
        // After `newest` moved: a flood look asks for what comes after it.
        self.steer(skipped);
        // A flood look that came back full may have left lines out before its first.
        let unknown = flooding && lines.len() >= MOST_PER_LOOK;
        let reset = !self.started;
        self.started = true;
        if lines.is_empty() && !reset {
            return None;
        }
        Some(Chunk {
            lines: with_skip_mark(lines, skipped, unknown, reset),
            reset,
        })
    }
}

/// Under a flood the view says how many lines it did not get (not on a first look,
/// where only the tail was asked for).
fn with_skip_mark(lines: Vec<LogEntry>, skipped: u64, unknown: bool, reset: bool) -> Vec<LogEntry> {
    if (skipped == 0 && !unknown) || reset {
        return lines;
    }
    let text = if unknown {
        "⋯ lines not shown here (S saves the whole log)".to_string()
    } else {
        format!("⋯ {skipped} lines not shown here (S saves the whole log)")
    };
    let mut out = Vec::with_capacity(lines.len() + 1);
    out.push(LogEntry {
        text,
        ..Default::default()
    });
    out.extend(lines);
    out
}

impl Drop for LogTail {
    fn drop(&mut self) {
        // The reading goes with the tail (its stream notices and stops).
        self.stop_reading();
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
        let e = parse_line("2026 was a year\n", false);
        assert_eq!((e.time.as_str(), e.text.as_str()), ("", "2026 was a year"));
        let e = parse_line("no time here\r\n", false);
        assert_eq!((e.time.as_str(), e.text.as_str()), ("", "no time here"));
    }

    #[test]
    fn a_flood_keeps_its_newest_lines_and_counts_the_rest() {
        let mut p = Pending::default();
        let n = MOST_PER_LOOK * 2;
        for i in 0..n {
            p.push((false, Bytes::from(format!("line {i}\n"))));
        }
        assert_eq!(p.lines.len(), MOST_PER_LOOK);
        assert_eq!(p.skipped as usize, n - MOST_PER_LOOK);
        let lines: Vec<LogEntry> = p
            .lines
            .drain(..)
            .map(|(e, b)| parse_line(&String::from_utf8_lossy(&b), e))
            .collect();
        let out = with_skip_mark(lines, p.skipped, false, false);
        assert!(out[0]
            .text
            .starts_with(&format!("⋯ {} lines", n - MOST_PER_LOOK)));
        assert_eq!(out.last().unwrap().text, format!("line {}", n - 1));
        assert_eq!(out.len(), MOST_PER_LOOK + 1);
    }
}
