//! The json-file log, as Docker writes it: one JSON object per line with `log` (the text,
//! newline included), `stream` and `time` (RFC 3339 with nanoseconds).

use std::fs::{File, OpenOptions};
use std::io::{BufRead, BufReader, Write};
use std::path::Path;

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

/// Appends lines; a partial line is held until its newline or until it grows too long.
pub struct LogWriter {
    file: File,
    partial: [Vec<u8>; 2],
}

const MAX_PARTIAL: usize = 16 * 1024;

impl LogWriter {
    pub fn open(path: &Path) -> Result<Self> {
        let file = OpenOptions::new()
            .create(true)
            .append(true)
            .open(path)
            .ctx("open log", path)?;
        Ok(LogWriter {
            file,
            partial: [Vec::new(), Vec::new()],
        })
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
        if let Ok(mut s) = serde_json::to_vec(&rec) {
            s.push(b'\n');
            // One write per line keeps lines whole for concurrent readers.
            let _ = self.file.write_all(&s);
        }
    }
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
}
