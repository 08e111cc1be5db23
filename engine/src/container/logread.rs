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
        if c.record.host_config.log_config.kind == "none" {
            return Err(Error::invalid(
                "configured logging driver does not support reading",
            ));
        }
        let path = self.containers().log_path(c.id());
        // Open the current file first, so what is written while older files are read
        // is still ahead of `pos`.
        let mut file = File::open(&path).ok();
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
