//! Reading a container's log for `logs`: the lines of a time window (and the last N of
//! them), then, when following, the lines written after, across rotations, until the
//! container stops. The CLI, the API and the TUI read it through here.

use std::fs::File;
use std::io::{BufRead, BufReader, Seek, SeekFrom};
use std::os::unix::fs::MetadataExt;
use std::path::PathBuf;
use std::time::Duration;

use chrono::{DateTime, Utc};

use super::logfile::{files, read_all, LogLine};
use super::Container;
use crate::error::{Error, Result};
use crate::Engine;

/// Which lines: written in `[since, until]`, and of those the last `tail`.
#[derive(Debug, Clone, Default)]
pub struct LogWindow {
    pub since: Option<DateTime<Utc>>,
    pub until: Option<DateTime<Utc>>,
    pub tail: Option<usize>,
}

impl LogWindow {
    fn holds(&self, l: &LogLine) -> bool {
        let t = DateTime::parse_from_rfc3339(&l.time)
            .ok()
            .map(|t| t.with_timezone(&Utc));
        self.since.is_none_or(|s| t.is_some_and(|t| t >= s))
            && self.until.is_none_or(|u| t.is_some_and(|t| t <= u))
    }
}

/// Lines written after a read, for `logs -f`.
pub struct LogFollower {
    engine: Engine,
    id: String,
    path: PathBuf,
    file: Option<File>,
    pos: u64,
    window: LogWindow,
    /// Set once the container was seen stopped: one more read, then the end.
    draining: bool,
}

impl Engine {
    /// The window's lines now, and a follower that goes on from the last of them (no
    /// line is lost or doubled between the two).
    pub fn read_logs(
        &self,
        c: &Container,
        window: &LogWindow,
    ) -> Result<(Vec<LogLine>, LogFollower)> {
        if super::logfile::Policy::of(&c.record.host_config.log_config)
            == super::logfile::Policy::None
        {
            return Err(Error::invalid(
                "configured logging driver does not support reading",
            ));
        }
        let path = self.containers().log_path(c.id());
        // Open the current file first, so what is written while older files are read
        // is still ahead of `pos`.
        let mut file = File::open(&path).ok();
        // The last N lines of a log that may be gigabytes: read backwards from the end
        // of the current file; older files only when it holds fewer than N.
        if let (Some(n), None, Some(f)) = (window.tail, window.until, file.as_mut()) {
            let (mut lines, pos, whole) = read_last_lines(f, n)?;
            if lines.len() >= n || (whole && files(&path).len() <= 1) {
                lines.retain(|l| window.holds(l));
                let follower = LogFollower {
                    engine: self.clone(),
                    id: c.id().to_string(),
                    path,
                    file,
                    pos,
                    window: window.clone(),
                    draining: false,
                };
                return Ok((lines, follower));
            }
        }
        let mut lines = Vec::new();
        for f in files(&path) {
            if f != path {
                lines.extend(read_all(&f)?);
            }
        }
        let mut pos = 0;
        if let Some(f) = file.as_mut() {
            let (more, read) = read_complete_lines(f, 0)?;
            lines.extend(more);
            pos = read;
        }
        lines.retain(|l| window.holds(l));
        if let Some(n) = window.tail {
            let start = lines.len().saturating_sub(n);
            lines.drain(..start);
        }
        let follower = LogFollower {
            engine: self.clone(),
            id: c.id().to_string(),
            path,
            file,
            pos,
            window: window.clone(),
            draining: false,
        };
        Ok((lines, follower))
    }
}

/// Bytes read per step backwards.
const BACK_STEP: u64 = 64 * 1024;

/// The last `n` complete lines of `f`, the offset after the last of them, and whether
/// the whole file was read. Reads backwards from the end, so the cost is that of the
/// lines returned, not of the file.
fn read_last_lines(f: &mut File, n: usize) -> Result<(Vec<LogLine>, u64, bool)> {
    use std::io::Read;
    let len = f
        .metadata()
        .map_err(|e| Error::io("stat log", "", e))?
        .len();
    let mut start = len;
    let mut buf: Vec<u8> = Vec::new();
    // n complete lines need n + 1 newlines, unless the file starts with the first.
    while start > 0 && buf.iter().filter(|b| **b == b'\n').count() <= n {
        let step = BACK_STEP.min(start);
        start -= step;
        let mut chunk = vec![0u8; step as usize];
        f.seek(SeekFrom::Start(start))
            .and_then(|_| f.read_exact(&mut chunk))
            .map_err(|e| Error::io("read log", "", e))?;
        chunk.extend_from_slice(&buf);
        buf = chunk;
    }
    // Only complete lines: a line being written is left for the follower.
    let end = buf.iter().rposition(|b| *b == b'\n').map_or(0, |i| i + 1);
    let mut segments: Vec<&[u8]> = buf[..end].split(|b| *b == b'\n').collect();
    segments.pop(); // after the last newline: empty
    if start > 0 && !segments.is_empty() {
        // Began mid-line.
        segments.remove(0);
    }
    let skip = segments.len().saturating_sub(n);
    let lines = segments[skip..]
        .iter()
        .filter_map(|l| serde_json::from_slice::<LogLine>(l).ok())
        .collect();
    Ok((lines, start + end as u64, start == 0))
}

/// The complete lines of `f` from `pos`, and the offset after the last of them.
fn read_complete_lines(f: &mut File, pos: u64) -> Result<(Vec<LogLine>, u64)> {
    f.seek(SeekFrom::Start(pos))
        .map_err(|e| Error::io("seek log", "", e))?;
    let mut reader = BufReader::new(f);
    let mut out = Vec::new();
    let mut at = pos;
    let mut line = String::new();
    while reader.read_line(&mut line).unwrap_or(0) > 0 {
        if !line.ends_with('\n') {
            break;
        }
        at += line.len() as u64;
        if let Ok(l) = serde_json::from_str::<LogLine>(&line) {
            out.push(l);
        }
        line.clear();
    }
    Ok((out, at))
}

impl LogFollower {
    /// New lines, waiting up to 100 ms for them; `None` once the container has stopped
    /// and everything it wrote was returned, or once `until` has passed.
    pub fn next_lines(&mut self) -> Result<Option<Vec<LogLine>>> {
        if self.draining {
            return Ok(None);
        }
        if self.window.until.is_some_and(|u| Utc::now() > u) {
            return Ok(None);
        }
        let live = self
            .engine
            .containers()
            .load(&self.id)
            .map(|c| c.state.status.is_live())
            .unwrap_or(false);
        let mut out = Vec::new();
        // Rotated (max-size): finish the old file, then go on with the new one.
        let rotated = match (&self.file, std::fs::metadata(&self.path)) {
            (Some(f), Ok(now)) => f.metadata().is_ok_and(|open| open.ino() != now.ino()),
            (None, Ok(_)) => true,
            (_, Err(_)) => false,
        };
        if let Some(f) = self.file.as_mut() {
            let (lines, pos) = read_complete_lines(f, self.pos)?;
            out.extend(lines);
            self.pos = pos;
        }
        if rotated {
            self.file = File::open(&self.path).ok();
            self.pos = 0;
            if let Some(f) = self.file.as_mut() {
                let (lines, pos) = read_complete_lines(f, 0)?;
                out.extend(lines);
                self.pos = pos;
            }
        }
        out.retain(|l| self.window.holds(l));
        if !live {
            self.draining = true;
            return Ok(Some(out));
        }
        if out.is_empty() {
            std::thread::sleep(Duration::from_millis(100));
        }
        Ok(Some(out))
    }
}

#[cfg(test)]
mod tests {
    use std::io::Write;

    use super::*;

    fn log_with(lines: usize, partial: bool) -> (tempfile::NamedTempFile, Vec<u64>) {
        let mut f = tempfile::NamedTempFile::new().unwrap();
        let mut ends = Vec::new();
        let mut at = 0;
        for i in 0..lines {
            let l = format!(
                "{{\"log\":\"line {i} {}\\n\",\"stream\":\"stdout\",\"time\":\"2026-12-07T00:00:00.{i:09}Z\"}}\n",
                "x".repeat(i % 300)
            );
            f.write_all(l.as_bytes()).unwrap();
            at += l.len() as u64;
            ends.push(at);
        }
        if partial {
            f.write_all(b"{\"log\":\"half").unwrap();
        }
        (f, ends)
    }

    #[test]
    fn the_last_lines_are_read_from_the_end() {
        // Lines long enough that the scan takes several steps back.
        let (f, ends) = log_with(3000, true);
        let mut file = File::open(f.path()).unwrap();
        let (lines, pos, whole) = read_last_lines(&mut file, 700).unwrap();
        assert_eq!(lines.len(), 700);
        assert!(!whole);
        assert_eq!(
            lines[0].log,
            format!("line 2300 {}\n", "x".repeat(2300 % 300))
        );
        assert_eq!(
            lines[699].log,
            format!("line 2999 {}\n", "x".repeat(2999 % 300))
        );
        // The follower goes on after the last complete line, before the partial one.
        assert_eq!(pos, *ends.last().unwrap());
    }

    #[test]
    fn a_short_log_is_read_whole() {
        let (f, ends) = log_with(5, false);
        let mut file = File::open(f.path()).unwrap();
        let (lines, pos, whole) = read_last_lines(&mut file, 10).unwrap();
        assert_eq!(lines.len(), 5);
        assert!(whole);
        assert_eq!(pos, ends[4]);
        let (lines, _, _) = read_last_lines(&mut file, 5).unwrap();
        assert_eq!(lines[0].log, "line 0 \n");
        let empty = tempfile::NamedTempFile::new().unwrap();
        let (lines, pos, whole) =
            read_last_lines(&mut File::open(empty.path()).unwrap(), 3).unwrap();
        assert!(lines.is_empty() && pos == 0 && whole);
    }
}
