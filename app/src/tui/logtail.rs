//! The worker's side of the logs pane: it reads what was appended to the selected
//! container's json-file log since the last look, and no more than a bounded amount per
//! look, so a container printing 100k lines a second costs the TUI a fixed slice of work
//! per tick and the newest lines are always the ones shown.

use std::fs::File;
use std::io::{Read, Seek, SeekFrom};
use std::path::PathBuf;

use std::borrow::Cow;

use serde::Deserialize;

use super::logview::LogEntry;

/// What the first look reads of an existing log.
const FIRST_LOOK: u64 = 512 << 10;
/// The most one look parses; under a flood the older part of the new bytes is skipped
/// (counted, and marked in the view), so a container printing 100k lines a second costs
/// a bounded slice of CPU per tick. 256 KiB is some two thousand lines, ten screens.
const MOST_PER_LOOK: u64 = 256 << 10;

/// A json-file log line, borrowed from the buffer where it has no escapes (the engine's
/// LogLine, without an allocation per field).
#[derive(Deserialize)]
struct RawLine<'a> {
    #[serde(borrow)]
    log: Cow<'a, str>,
    #[serde(borrow)]
    stream: Cow<'a, str>,
    #[serde(borrow)]
    time: Cow<'a, str>,
}

/// Newlines in bytes `from..to` of `f`.
fn count_newlines(f: &mut File, from: u64, to: u64) -> u64 {
    if f.seek(SeekFrom::Start(from)).is_err() {
        return 0;
    }
    let mut left = to - from;
    let mut buf = vec![0u8; 1 << 16];
    let mut n = 0;
    while left > 0 {
        let want = buf.len().min(left as usize);
        match f.read(&mut buf[..want]) {
            Ok(0) | Err(_) => break,
            Ok(got) => {
                n += buf[..got].iter().filter(|b| **b == b'\n').count() as u64;
                left -= got as u64;
            }
        }
    }
    n
}

pub struct LogTail {
    pub id: String,
    path: PathBuf,
    offset: u64,
    /// The file being read (a rotated log is a new file under the same name).
    ino: Option<u64>,
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
            ino: None,
            partial: Vec::new(),
            started: false,
        }
    }

    /// What was appended since the last call; None when nothing was.
    pub fn poll(&mut self) -> Option<Chunk> {
        let mut f = File::open(&self.path).ok()?;
        let meta = f.metadata().ok()?;
        let len = meta.len();
        let mut reset = !self.started;
        let ino = std::os::unix::fs::MetadataExt::ino(&meta);
        if self.ino.is_some_and(|old| old != ino) {
            // Rotated (--log-opt max-size): the new file goes on where the old one
            // ended, so the view keeps its lines.
            self.offset = 0;
            self.partial.clear();
        }
        self.ino = Some(ino);
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
        let mut skipped_from = None;
        if len - self.offset > limit {
            skipped_from = Some(self.offset);
            self.offset = len - limit;
            self.partial.clear();
        }
        self.started = true;
        let mut lines = Vec::new();
        // How many lines the skipped bytes held (newlines are cheap to count).
        let skipped = skipped_from.map(|from| count_newlines(&mut f, from, self.offset));
        f.seek(SeekFrom::Start(self.offset)).ok()?;
        let mut buf = Vec::with_capacity((len - self.offset) as usize);
        f.take(len - self.offset).read_to_end(&mut buf).ok()?;
        self.offset += buf.len() as u64;
        let mut data = std::mem::take(&mut self.partial);
        data.extend_from_slice(&buf);
        let mut rest: &[u8] = &data;
        if let Some(mut skipped) = skipped {
            // We landed mid-line: up to the first newline goes, and counts as skipped.
            match rest.iter().position(|b| *b == b'\n') {
                Some(i) => {
                    rest = &rest[i + 1..];
                    skipped += 1;
                }
                None => rest = &[],
            }
            if !reset {
                lines.push(LogEntry {
                    stderr: false,
                    time: String::new(),
                    text: format!("⋯ {skipped} lines not shown here (S saves the whole log)"),
                });
            }
        }
        while let Some(i) = rest.iter().position(|b| *b == b'\n') {
            if let Ok(l) = serde_json::from_slice::<RawLine>(&rest[..i]) {
                lines.push(LogEntry {
                    stderr: l.stream == "stderr",
                    time: l.time.into_owned(),
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
        assert!(c.lines.len() < n, "skipped the older part");
        assert_eq!(c.lines.last().unwrap().text, format!("line {n}"));
        // The first entry says how many were skipped; together they add up.
        let skipped: usize = c.lines[0]
            .text
            .split_whitespace()
            .nth(1)
            .unwrap()
            .parse()
            .unwrap();
        assert!(c.lines[0].text.contains("not shown"), "{}", c.lines[0].text);
        assert_eq!(skipped + c.lines.len() - 1, n, "{}", c.lines[0].text);
        assert!(c.lines[1..].iter().all(|l| l.text.starts_with("line ")));
    }
}
