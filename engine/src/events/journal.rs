//! The journal: `events/events.jsonl` in the state root, one JSON event per line,
//! appended with O_APPEND (each event is one write, so concurrent writers never
//! interleave within a line). When it passes `MAX_BYTES` it becomes `events.1.jsonl`
//! (replacing the previous one), so the journal stays under twice that size.

use std::fs::{self, OpenOptions};
use std::io::{BufRead, BufReader, Write};
use std::path::PathBuf;

use super::Event;
use crate::error::{Error, IoContext, Result};
use crate::store::{FileLock, Paths};

pub const MAX_BYTES: u64 = 2 << 20;

pub fn dir(paths: &Paths) -> PathBuf {
    paths.root.join("events")
}

pub fn current(paths: &Paths) -> PathBuf {
    dir(paths).join("events.jsonl")
}

pub fn previous(paths: &Paths) -> PathBuf {
    dir(paths).join("events.1.jsonl")
}

pub fn append(paths: &Paths, e: &Event) -> Result<()> {
    let d = dir(paths);
    fs::create_dir_all(&d).ctx("create directory", &d)?;
    let mut line = serde_json::to_vec(e).map_err(|e| Error::Runtime(e.to_string()))?;
    line.push(b'\n');
    let path = current(paths);
    let mut f = OpenOptions::new()
        .create(true)
        .append(true)
        .open(&path)
        .ctx("open", &path)?;
    f.write_all(&line).ctx("write", &path)?;
    let size = f.metadata().map(|m| m.len()).unwrap_or(0);
    drop(f);
    if size > MAX_BYTES {
        rotate(paths, size)?;
    }
    Ok(())
}

/// Move the full journal aside. Under a lock, and only if no one rotated meanwhile.
fn rotate(paths: &Paths, seen: u64) -> Result<()> {
    let _lock = FileLock::exclusive(&dir(paths).join("rotate.lock"))?;
    let now = fs::metadata(current(paths)).map(|m| m.len()).unwrap_or(0);
    if now >= seen {
        fs::rename(current(paths), previous(paths)).ctx("rotate", current(paths))?;
    }
    Ok(())
}

/// Events of the journal (older file first) for which `keep` holds. Lines that do not
/// parse (a torn write after a crash) are skipped.
pub fn read(paths: &Paths, mut keep: impl FnMut(&Event) -> bool) -> Vec<Event> {
    let mut out = Vec::new();
    for p in [previous(paths), current(paths)] {
        let Ok(f) = fs::File::open(&p) else { continue };
        for line in BufReader::new(f).lines().map_while(|l| l.ok()) {
            if let Ok(e) = serde_json::from_str::<Event>(&line) {
                if keep(&e) {
                    out.push(e);
                }
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn events_append_read_back_and_rotate() {
        let d = tempfile::tempdir().unwrap();
        let paths = Paths::new(d.path().join("root"), d.path().join("run"));
        let big = "x".repeat(1000);
        let n = (MAX_BYTES / 1000) as usize + 10;
        for i in 0..n {
            let mut e = Event::new("container", "start", &i.to_string(), Default::default());
            e.actor.attributes.insert("pad".into(), big.clone());
            append(&paths, &e).unwrap();
        }
        assert!(previous(&paths).exists());
        assert!(fs::metadata(current(&paths)).unwrap().len() < MAX_BYTES);
        let all = read(&paths, |_| true);
        // Everything since the rotation is still there, in order.
        assert!(all.len() >= n - 10 && all.len() <= n);
        assert_eq!(all.last().unwrap().actor.id, (n - 1).to_string());
        let ids: Vec<usize> = all.iter().map(|e| e.actor.id.parse().unwrap()).collect();
        assert!(ids.windows(2).all(|w| w[0] + 1 == w[1]));
        // A torn last line is skipped.
        fs::OpenOptions::new()
            .append(true)
            .open(current(&paths))
            .unwrap()
            .write_all(b"{\"Type\":\"conta")
            .unwrap();
        assert_eq!(read(&paths, |_| true).len(), all.len());
    }
}
