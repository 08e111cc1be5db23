//! The json-file log, as Docker writes it: one JSON object per line with `log` (the text,
//! newline included), `stream` and `time` (RFC 3339 with nanoseconds).
//!
//! With `--log-opt max-size`, the file is rotated as Docker's json-file driver rotates
//! it: once a line would take it past the size, `ID-json.log` becomes `ID-json.log.1`
//! (older ones move up), and at most `max-file` files are kept, the current one
//! included. The `local` driver is the same with Docker's defaults for it (20 MB, five
//! files); `none` keeps no log at all. Readers take the rotated files oldest first.

use std::fs::{File, OpenOptions};
use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::error::{IoContext, Result};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LogLine {
    pub log: String,
    pub stream: String,
    pub time: String,
    /// Docker's json-file `attrs` (from `--log-opt labels=/env=`), which `logs --details`
    /// prints; berth writes none yet, but reads them from logs that have them.
    #[serde(default, skip_serializing_if = "std::collections::BTreeMap::is_empty")]
    pub attrs: std::collections::BTreeMap<String, String>,
}

/// When the log is rotated, and how many files are kept.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Rotation {
    pub max_size: u64,
    /// Files kept, the current one included (at least 1: then the file starts over).
    pub max_files: u32,
}

/// What a container's log configuration asks of the writer: no log, or a log kept
/// whole or rotated.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Policy {
    None,
    Keep(Option<Rotation>),
}

impl Policy {
    /// From `HostConfig.LogConfig`. Values were checked at create; one that does not
    /// parse here (an old record) means no rotation rather than no log.
    pub fn of(cfg: &super::model::LogConfig) -> Policy {
        let limits = |size_key: &str, files_key: &str| {
            let size = cfg
                .config
                .get(size_key)
                .and_then(|s| crate::util::ram_in_bytes(s).ok())
                .filter(|n| *n > 0);
            let files = cfg
                .config
                .get(files_key)
                .and_then(|f| f.parse::<u32>().ok());
            (size, files)
        };
        // Docker's defaults for the local driver.
        let local = |(size, files): (Option<u64>, Option<u32>)| {
            Policy::Keep(Some(Rotation {
                max_size: size.unwrap_or(20 << 20),
                max_files: files.unwrap_or(5).max(1),
            }))
        };
        match cfg.kind.as_str() {
            "none" => Policy::None,
            // A remote driver's local copy (Docker's dual logging cache): the local
            // driver's defaults under the `cache-` names, or nothing when disabled.
            kind if super::logdriver::is_remote(kind) => {
                if cfg.config.get("cache-disabled").map(String::as_str) == Some("true") {
                    Policy::None
                } else {
                    local(limits("cache-max-size", "cache-max-file"))
                }
            }
            "local" => local(limits("max-size", "max-file")),
            _ => {
                let (size, files) = limits("max-size", "max-file");
                Policy::Keep(size.map(|max_size| Rotation {
                    max_size,
                    max_files: files.unwrap_or(1).max(1),
                }))
            }
        }
    }
}

/// The log files of a container, oldest first: `path.N` ... `path.1`, `path`.
pub fn files(path: &Path) -> Vec<PathBuf> {
    let mut rotated = Vec::new();
    for n in 1.. {
        let p = rotated_name(path, n);
        if !p.exists() {
            break;
        }
        rotated.push(p);
    }
    rotated.reverse();
    rotated.push(path.to_path_buf());
    rotated
}

fn rotated_name(path: &Path, n: u32) -> PathBuf {
    let mut s = path.as_os_str().to_os_string();
    s.push(format!(".{n}"));
    PathBuf::from(s)
}

/// Appends lines; a partial line is held until its newline or until it grows too long.
pub struct LogWriter {
    path: PathBuf,
    /// None: the `none` driver, nothing is written.
    file: Option<File>,
    written: u64,
    rotation: Option<Rotation>,
    partial: [Vec<u8>; 2],
    /// A remote driver's pipe: every line goes there too.
    forward: Option<super::logdriver::forward::Forwarder>,
}

const MAX_PARTIAL: usize = 16 * 1024;

impl LogWriter {
    /// A log kept whole (the json-file driver without options).
    pub fn open(path: &Path) -> Result<Self> {
        Self::with_policy(path, Policy::Keep(None))
    }

    pub fn with_policy(path: &Path, policy: Policy) -> Result<Self> {
        let (file, rotation) = match policy {
            Policy::None => (None, None),
            Policy::Keep(r) => (Some(open_append(path)?), r),
        };
        let written = file
            .as_ref()
            .and_then(|f| f.metadata().ok())
            .map_or(0, |m| m.len());
        Ok(LogWriter {
            path: path.to_path_buf(),
            file,
            written,
            rotation,
            partial: [Vec::new(), Vec::new()],
            forward: None,
        })
    }

    /// Send every line to a remote driver's shipper as well.
    pub fn forward_to(&mut self, f: super::logdriver::forward::Forwarder) {
        self.forward = Some(f);
    }

    /// Make room for `incoming` bytes: rotate when they would pass the size limit.
    /// Readers that hold the old file open read it to its end, then find the new one.
    fn rotate_for(&mut self, incoming: u64) {
        let Some(r) = self.rotation else {
            return;
        };
        if self.written == 0 || self.written + incoming <= r.max_size {
            return;
        }
        if r.max_files <= 1 {
            // Nothing is kept: the one file starts over.
            if let Some(f) = &self.file {
                let _ = f.set_len(0);
            }
            self.written = 0;
            return;
        }
        let _ = std::fs::remove_file(rotated_name(&self.path, r.max_files - 1));
        for n in (1..r.max_files - 1).rev() {
            let _ = std::fs::rename(rotated_name(&self.path, n), rotated_name(&self.path, n + 1));
        }
        let _ = std::fs::rename(&self.path, rotated_name(&self.path, 1));
        if let Ok(f) = open_append(&self.path) {
            self.file = Some(f);
            self.written = 0;
        }
    }

    /// `stream` 0 = stdout, 1 = stderr.
    pub fn write(&mut self, stream: usize, data: &[u8]) {
        let mut out = Vec::new();
        let buf = &mut self.partial[stream];
        buf.extend_from_slice(data);
        while let Some(pos) = buf.iter().position(|b| *b == b'\n') {
            let line: Vec<u8> = buf.drain(..=pos).collect();
            out.push(line);
        }
        if buf.len() > MAX_PARTIAL {
            out.push(std::mem::take(buf));
        }
        for line in out {
            self.emit(stream, &line);
        }
    }

    /// Write out any held partial lines (at container exit).
    pub fn flush(&mut self) {
        for s in 0..2 {
            let rest = std::mem::take(&mut self.partial[s]);
            if !rest.is_empty() {
                self.emit(s, &rest);
            }
        }
    }

    fn emit(&mut self, stream: usize, line: &[u8]) {
        let rec = LogLine {
            log: String::from_utf8_lossy(line).into_owned(),
            stream: if stream == 0 { "stdout" } else { "stderr" }.into(),
            time: super::now_rfc3339(),
            attrs: Default::default(),
        };
        if self.file.is_none() && self.forward.is_none() {
            return;
        }
        if let Ok(mut s) = serde_json::to_vec(&rec) {
            s.push(b'\n');
            if let Some(f) = self.forward.as_mut() {
                f.send(&s);
            }
            if self.file.is_none() {
                return;
            }
            self.rotate_for(s.len() as u64);
            if let Some(f) = self.file.as_mut() {
                // One write per line keeps lines whole for concurrent readers.
                if f.write_all(&s).is_ok() {
                    self.written += s.len() as u64;
                }
            }
        }
    }
}

fn open_append(path: &Path) -> Result<File> {
    OpenOptions::new()
        .create(true)
        .append(true)
        .open(path)
        .ctx("open log", path)
}

/// Every complete line of a container's log, rotated files first.
pub fn read_rotated(path: &Path) -> Result<Vec<LogLine>> {
    let mut out = Vec::new();
    for f in files(path) {
        out.extend(read_all(&f)?);
    }
    Ok(out)
}

/// Read every complete line of a log file.
pub fn read_all(path: &Path) -> Result<Vec<LogLine>> {
    let f = match File::open(path) {
        Ok(f) => f,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(e) => return Err(crate::Error::io("open log", path, e)),
    };
    let mut out = Vec::new();
    for line in BufReader::new(f).lines() {
        let line = line.ctx("read log", path)?;
        if let Ok(l) = serde_json::from_str::<LogLine>(&line) {
            out.push(l);
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_are_split_and_partials_held() {
        let d = tempfile::tempdir().unwrap();
        let p = d.path().join("x-json.log");
        let mut w = LogWriter::open(&p).unwrap();
        w.write(0, b"hel");
        w.write(0, b"lo\nwor");
        w.write(1, b"err\n");
        w.flush();
        let lines = read_all(&p).unwrap();
        let got: Vec<(&str, &str)> = lines
            .iter()
            .map(|l| (l.stream.as_str(), l.log.as_str()))
            .collect();
        assert_eq!(
            got,
            vec![
                ("stdout", "hello\n"),
                ("stderr", "err\n"),
                ("stdout", "wor")
            ]
        );
    }

    #[test]
    fn rotation_keeps_max_file_files_and_readers_get_them_in_order() {
        let d = tempfile::tempdir().unwrap();
        let p = d.path().join("x-json.log");
        let policy = Policy::Keep(Some(Rotation {
            max_size: 200,
            max_files: 3,
        }));
        let mut w = LogWriter::with_policy(&p, policy).unwrap();
        for i in 0..40 {
            w.write(0, format!("line {i}\n").as_bytes());
        }
        let names = files(&p);
        assert_eq!(names.len(), 3, "{names:?}");
        for f in &names {
            assert!(std::fs::metadata(f).unwrap().len() <= 200);
        }
        let lines: Vec<String> = read_rotated(&p)
            .unwrap()
            .into_iter()
            .map(|l| l.log)
            .collect();
        // The newest lines, in order, with nothing lost between the files.
        assert_eq!(lines.last().map(String::as_str), Some("line 39\n"));
        let first: usize = lines[0]["line ".len()..].trim().parse().unwrap();
        let want: Vec<String> = (first..40).map(|i| format!("line {i}\n")).collect();
        assert_eq!(lines, want);
    }

    #[test]
    fn one_file_starts_over_and_none_writes_nothing() {
        let d = tempfile::tempdir().unwrap();
        let p = d.path().join("x-json.log");
        let one = Policy::Keep(Some(Rotation {
            max_size: 100,
            max_files: 1,
        }));
        let mut w = LogWriter::with_policy(&p, one).unwrap();
        for i in 0..20 {
            w.write(0, format!("line {i}\n").as_bytes());
        }
        assert!(std::fs::metadata(&p).unwrap().len() <= 100);
        assert_eq!(files(&p), vec![p.clone()]);
        let q = d.path().join("y-json.log");
        let mut none = LogWriter::with_policy(&q, Policy::None).unwrap();
        none.write(0, b"gone\n");
        assert!(!q.exists());
    }

    #[test]
    fn the_policy_comes_from_the_log_config() {
        use super::super::model::LogConfig;
        let cfg = |kind: &str, opts: &[(&str, &str)]| LogConfig {
            kind: kind.into(),
            config: opts
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect(),
        };
        assert_eq!(Policy::of(&cfg("json-file", &[])), Policy::Keep(None));
        assert_eq!(
            Policy::of(&cfg("json-file", &[("max-size", "1k"), ("max-file", "3")])),
            Policy::Keep(Some(Rotation {
                max_size: 1024,
                max_files: 3
            }))
        );
        assert_eq!(
            Policy::of(&cfg("local", &[])),
            Policy::Keep(Some(Rotation {
                max_size: 20 << 20,
                max_files: 5
            }))
        );
        assert_eq!(Policy::of(&cfg("none", &[])), Policy::None);
        // A remote driver keeps a local copy unless told not to.
        assert_eq!(
            Policy::of(&cfg("awslogs", &[("cache-max-size", "1k")])),
            Policy::Keep(Some(Rotation {
                max_size: 1024,
                max_files: 5
            }))
        );
        assert_eq!(
            Policy::of(&cfg("awslogs", &[("cache-disabled", "true")])),
            Policy::None
        );
    }
}
