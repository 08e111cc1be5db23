//! Following the journal: new events as they are written, woken by inotify (no polling
//! loop). The follower keeps the journal open at the offset it has read to; when the
//! journal is rotated it finishes the old file, then starts on the new one.

use std::fs::File;
use std::io::{Read, Seek, SeekFrom};
use std::os::fd::{AsFd, BorrowedFd};
use std::os::unix::fs::MetadataExt;
use std::time::Duration;

use nix::poll::{poll, PollFd, PollFlags, PollTimeout};
use nix::sys::inotify::{AddWatchFlags, InitFlags, Inotify};

use super::journal;
use super::Event;
use crate::error::{Error, IoContext, Result};
use crate::store::Paths;

pub struct Follower {
    paths: Paths,
    inotify: Inotify,
    file: Option<File>,
    /// A line begun but not yet ended by a writer.
    partial: Vec<u8>,
}

impl Follower {
    /// Start following. With `replay`, every event already in the journal is returned
    /// too (read through the same open file, so none is missed or doubled).
    pub fn start(paths: &Paths, replay: bool) -> Result<(Follower, Vec<Event>)> {
        let dir = journal::dir(paths);
        std::fs::create_dir_all(&dir).ctx("create directory", &dir)?;
        let inotify = Inotify::init(InitFlags::IN_CLOEXEC | InitFlags::IN_NONBLOCK)
            .map_err(|e| Error::sys("inotify_init", e))?;
        inotify
            .add_watch(
                &dir,
                AddWatchFlags::IN_MODIFY | AddWatchFlags::IN_CREATE | AddWatchFlags::IN_MOVED_TO,
            )
            .map_err(|e| Error::sys("inotify_add_watch", e))?;
        let mut f = Follower {
            paths: paths.clone(),
            inotify,
            file: None,
            partial: Vec::new(),
        };
        let mut history = Vec::new();
        if replay {
            if let Ok(mut old) = File::open(journal::previous(paths)) {
                let mut text = Vec::new();
                let _ = old.read_to_end(&mut text);
                history.extend(parse_lines(&text));
            }
        }
        f.file = File::open(journal::current(paths)).ok();
        match (&mut f.file, replay) {
            (Some(file), true) => {
                let mut text = Vec::new();
                let _ = file.read_to_end(&mut text);
                let complete = text.iter().rposition(|b| *b == b'\n').map_or(0, |i| i + 1);
                history.extend(parse_lines(&text[..complete]));
                f.partial = text[complete..].to_vec();
            }
            (Some(file), false) => {
                let _ = file.seek(SeekFrom::End(0));
            }
            (None, _) => {}
        }
        Ok((f, history))
    }

    /// The descriptor to poll (readable when the journal changed).
    pub fn fd(&self) -> BorrowedFd<'_> {
        self.inotify.as_fd()
    }

    /// New events, waiting up to `timeout` (None: until some arrive).
    pub fn next(&mut self, timeout: Option<Duration>) -> Result<Vec<Event>> {
        let ready = self.read_new();
        if !ready.is_empty() {
            return Ok(ready);
        }
        let t = match timeout {
            Some(d) => PollTimeout::try_from(d.as_millis().min(i32::MAX as u128) as i32)
                .unwrap_or(PollTimeout::MAX),
            None => PollTimeout::NONE,
        };
        let mut fds = [PollFd::new(self.inotify.as_fd(), PollFlags::POLLIN)];
        match poll(&mut fds, t) {
            Ok(_) | Err(nix::errno::Errno::EINTR) => {}
            Err(e) => return Err(Error::sys("poll", e)),
        }
        Ok(self.read_new())
    }

    /// Whatever was appended since the last read, across a rotation.
    pub fn read_new(&mut self) -> Vec<Event> {
        while self.inotify.read_events().is_ok_and(|e| !e.is_empty()) {}
        let mut out = self.drain();
        // Rotated (or created) since we opened it: finish the old file, take the new one.
        let path = journal::current(&self.paths);
        let now_ino = std::fs::metadata(&path).map(|m| m.ino()).ok();
        let our_ino = self
            .file
            .as_ref()
            .and_then(|f| f.metadata().ok())
            .map(|m| m.ino());
        if now_ino.is_some() && now_ino != our_ino {
            self.file = File::open(&path).ok();
            self.partial.clear();
            out.extend(self.drain());
        }
        out
    }

    fn drain(&mut self) -> Vec<Event> {
        let Some(file) = self.file.as_mut() else {
            return Vec::new();
        };
        let mut buf = Vec::new();
        let _ = file.read_to_end(&mut buf);
        if buf.is_empty() {
            return Vec::new();
        }
        self.partial.extend_from_slice(&buf);
        let complete = self
            .partial
            .iter()
            .rposition(|b| *b == b'\n')
            .map_or(0, |i| i + 1);
        let lines: Vec<u8> = self.partial.drain(..complete).collect();
        parse_lines(&lines)
    }
}

fn parse_lines(text: &[u8]) -> Vec<Event> {
    text.split(|b| *b == b'\n')
        .filter_map(|l| serde_json::from_slice::<Event>(l).ok())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_follower_sees_each_new_event_once_across_a_rotation() {
        let d = tempfile::tempdir().unwrap();
        let paths = Paths::new(d.path().join("root"), d.path().join("run"));
        let ev = |i: usize| Event::new("container", "start", &i.to_string(), Default::default());
        journal::append(&paths, &ev(0)).unwrap();
        let (mut f, history) = Follower::start(&paths, true).unwrap();
        assert_eq!(history.len(), 1);
        assert!(f.next(Some(Duration::from_millis(10))).unwrap().is_empty());
        journal::append(&paths, &ev(1)).unwrap();
        let got = f.next(Some(Duration::from_secs(5))).unwrap();
        assert_eq!(
            got.iter().map(|e| e.actor.id.as_str()).collect::<Vec<_>>(),
            ["1"]
        );
        // A rotation between two events.
        journal::append(&paths, &ev(2)).unwrap();
        std::fs::rename(journal::current(&paths), journal::previous(&paths)).unwrap();
        journal::append(&paths, &ev(3)).unwrap();
        let mut ids = Vec::new();
        while ids.len() < 2 {
            ids.extend(
                f.next(Some(Duration::from_secs(5)))
                    .unwrap()
                    .into_iter()
                    .map(|e| e.actor.id),
            );
        }
        assert_eq!(ids, ["2", "3"]);
        // Without replay, only what comes next.
        let (mut g, history) = Follower::start(&paths, false).unwrap();
        assert!(history.is_empty());
        journal::append(&paths, &ev(4)).unwrap();
        assert_eq!(
            g.next(Some(Duration::from_secs(5))).unwrap()[0].actor.id,
            "4"
        );
    }
}
