//! A container's health history (`containers/<id>/health-history.jsonl`): every check
//! result, every status change and every action taken on it (autoheal restarts,
//! `--health-on-failure`), longer than the five results of State.Health.Log. The TUI's
//! healthcheck pane reads it; the monitor appends to it. Kept under `MAX_BYTES` by
//! dropping its older half.

use std::fs::{self, OpenOptions};
use std::io::Write;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

const MAX_BYTES: u64 = 256 << 10;

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Entry {
    pub time: String,
    /// `check`, `status` or `action`.
    pub kind: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub exit_code: Option<i32>,
    /// The check's output, the new status, or what was done and why.
    pub text: String,
}

pub fn path(container_dir: &Path) -> PathBuf {
    container_dir.join("health-history.jsonl")
}

pub fn append(container_dir: &Path, e: &Entry) {
    let p = path(container_dir);
    let Ok(mut line) = serde_json::to_vec(e) else {
        return;
    };
    line.push(b'\n');
    let Ok(mut f) = OpenOptions::new().create(true).append(true).open(&p) else {
        return;
    };
    let _ = f.write_all(&line);
    if f.metadata().is_ok_and(|m| m.len() > MAX_BYTES) {
        drop(f);
        trim(&p);
    }
}

/// Keep the newer half (only the monitor writes this file, so no lock is needed).
fn trim(p: &Path) {
    let Ok(text) = fs::read_to_string(p) else {
        return;
    };
    let lines: Vec<&str> = text.lines().collect();
    let keep = lines[lines.len() / 2..].join("\n") + "\n";
    let _ = crate::store::atomic::write_atomic_volatile(p, keep.as_bytes());
}

pub fn read(container_dir: &Path) -> Vec<Entry> {
    fs::read_to_string(path(container_dir))
        .unwrap_or_default()
        .lines()
        .filter_map(|l| serde_json::from_str(l).ok())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn appends_read_back_and_stay_bounded() {
        let d = tempfile::tempdir().unwrap();
        let e = |i: usize| Entry {
            time: i.to_string(),
            kind: "check".into(),
            exit_code: Some(0),
            text: "y".repeat(1000),
        };
        for i in 0..600 {
            append(d.path(), &e(i));
        }
        let all = read(d.path());
        assert!(fs::metadata(path(d.path())).unwrap().len() <= MAX_BYTES + 1100);
        assert_eq!(all.last().unwrap().time, "599");
        assert!(all.len() < 600 && all.len() > 100);
    }
}
