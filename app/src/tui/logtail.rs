//! The worker's side of the logs pane: it reads what was appended to the selected
//! container's json-file log since the last look, and no more than a bounded amount per
//! look, so a container printing 100k lines a second costs the TUI a fixed slice of work
//! per tick and the newest lines are always the ones shown.

use std::fs::File;
use std::io::{Read, Seek, SeekFrom};
use std::path::PathBuf;

use berth_engine::container::logfile::LogLine;

use super::logview::LogEntry;

/// What the first look reads of an existing log.
const FIRST_LOOK: u64 = 512 << 10;
/// The most one look reads; under a flood the older part of the new bytes is skipped.
const MOST_PER_LOOK: u64 = 4 << 20;

pub struct LogTail {
    pub id: String,
    path: PathBuf,
    offset: u64,
    /// Bytes of a line not yet ended by a newline.
    partial: Vec<u8>,
    started: bool,
}

/// New lines and whether they replace what the view holds.
pub struct Chunk {
    pub lines: Vec<LogEntry>,
    pub reset: bool,
}

impl LogTail {
    pub fn new(id: &str, path: PathBuf) -> LogTail {
        LogTail {
            id: id.to_string(),
            path,
            offset: 0,
            partial: Vec::new(),
            started: false,
        }
    }

    /// What was appended since the last call; None when nothing was.
    pub fn poll(&mut self) -> Option<Chunk> {
        let mut f = File::open(&self.path).ok()?;
        let len = f.metadata().ok()?.len();
        let mut reset = !self.started;
        if len < self.offset {
            // The log started over (the container was re-created under this ID, or
            // the file truncated).
            self.offset = 0;
            self.partial.clear();
            reset = true;
        }
        if len == self.offset && !reset {
            return None;
        }
        let limit = if self.started {
            MOST_PER_LOOK
        } else {
            FIRST_LOOK
        };
        let mut skip_first = false;
        if len - self.offset > limit {
            self.offset = len - limit;
            self.partial.clear();
            // We landed mid-line: what comes before the first newline is not a line.
            skip_first = true;
        }
        self.started = true;
        f.seek(SeekFrom::Start(self.offset)).ok()?;
        let mut buf = Vec::with_capacity((len - self.offset) as usize);
        f.take(len - self.offset).read_to_end(&mut buf).ok()?;
        self.offset += buf.len() as u64;
        let mut data = std::mem::take(&mut self.partial);
        data.extend_from_slice(&buf);
        let mut lines = Vec::new();
        let mut rest: &[u8] = &data;
        if skip_first {
            match rest.iter().position(|b| *b == b'\n') {
                Some(i) => rest = &rest[i + 1..],
                None => rest = &[],
            }
        }
        while let Some(i) = rest.iter().position(|b| *b == b'\n') {
            if let Ok(l) = serde_json::from_slice::<LogLine>(&rest[..i]) {
                lines.push(LogEntry {
                    stderr: l.stream == "stderr",
                    time: l.time,
                    text: l.log.trim_end_matches('\n').to_string(),
                });
            }
            rest = &rest[i + 1..];
        }
        self.partial = rest.to_vec();
        Some(Chunk { lines, reset })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    fn line(i: usize) -> String {
        format!(
            "{{\"log\":\"line {i}\\n\",\"stream\":\"stdout\",\"time\":\"2026-11-25T12:00:00Z\"}}\n"
        )
    }

    #[test]
    fn reads_only_what_was_appended_and_holds_partial_lines() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("c-json.log");
        let mut f = File::create(&p).unwrap();
        f.write_all((line(0) + &line(1)).as_bytes()).unwrap();
        let mut t = LogTail::new("c", p.clone());
        let c = t.poll().unwrap();
        assert!(c.reset);
        assert_eq!(c.lines.len(), 2);
        assert!(t.poll().is_none());
        // Half a line, then the rest.
        let l2 = line(2);
        f.write_all(&l2.as_bytes()[..10]).unwrap();
        assert!(t.poll().unwrap().lines.is_empty());
        f.write_all(&l2.as_bytes()[10..]).unwrap();
        let c = t.poll().unwrap();
        assert!(!c.reset);
        assert_eq!(c.lines[0].text, "line 2");
        // Truncated: starts over.
        File::create(&p)
            .unwrap()
            .write_all(line(9).as_bytes())
            .unwrap();
        let c = t.poll().unwrap();
        assert!(c.reset);
        assert_eq!(c.lines[0].text, "line 9");
    }

    #[test]
    fn a_flood_is_read_from_its_newest_part() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("c-json.log");
        let mut f = File::create(&p).unwrap();
        f.write_all(line(0).as_bytes()).unwrap();
        let mut t = LogTail::new("c", p.clone());
        t.poll().unwrap();
        let n = (MOST_PER_LOOK as usize / line(0).len()) * 2;
        let mut big = String::new();
        for i in 1..=n {
            big.push_str(&line(i));
        }
        f.write_all(big.as_bytes()).unwrap();
        let c = t.poll().unwrap();
        assert!(c.lines.len() < n, "skipped the older half");
        assert_eq!(c.lines.last().unwrap().text, format!("line {n}"));
        assert!(c.lines.iter().all(|l| l.text.starts_with("line ")));
    }
}
