//! Changed paths from inotify, below a set of roots. inotify watches one directory at a
//! time, so every directory below a root gets a watch of its own, and a directory that
//! appears later (created, or moved in) is walked at once: its watches are added and
//! everything already inside it is reported, since files written before its watch
//! existed would otherwise go unseen. A root that does not exist yet is waited for from
//! its nearest existing ancestor. Directories the plan says nothing cares about
//! (`node_modules` ignored by every rule holding it) get no watch, as Compose skips
//! them.

use std::collections::HashMap;
use std::io;
use std::os::fd::{AsFd, AsRawFd, RawFd};
use std::path::{Path, PathBuf};

use nix::errno::Errno;
use nix::sys::inotify::{AddWatchFlags as F, InitFlags, Inotify, WatchDescriptor};
use tokio::io::unix::AsyncFd;
use tokio::io::Interest;

use super::matcher::is_child;

/// What a directory's watch reports: entries made, removed, written, renamed, or whose
/// mode or owner changed.
fn mask() -> F {
    F::IN_CREATE
        | F::IN_DELETE
        | F::IN_MODIFY
        | F::IN_ATTRIB
        | F::IN_MOVED_FROM
        | F::IN_MOVED_TO
        | F::IN_ONLYDIR
}

/// The inotify descriptor as tokio's reactor takes it.
struct Fd(Inotify);

impl AsRawFd for Fd {
    fn as_raw_fd(&self) -> RawFd {
        self.0.as_fd().as_raw_fd()
    }
}

/// Paths changed since the last call.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Changes {
    pub paths: Vec<PathBuf>,
    /// The kernel's queue overflowed: some changes were lost.
    pub lost: bool,
}

pub struct Notify {
    fd: AsyncFd<Fd>,
    dirs: HashMap<WatchDescriptor, PathBuf>,
    roots: Vec<PathBuf>,
    /// Directories not worth a watch.
    skip: Box<dyn Fn(&Path) -> bool + Send + Sync>,
}

impl Notify {
    /// Watch below `roots` (which need not exist yet).
    pub fn new(
        roots: Vec<PathBuf>,
        skip: Box<dyn Fn(&Path) -> bool + Send + Sync>,
    ) -> io::Result<Notify> {
        let inotify =
            Inotify::init(InitFlags::IN_NONBLOCK | InitFlags::IN_CLOEXEC).map_err(|e| match e {
                Errno::EMFILE => io::Error::other(
                    "hit the limit of inotify instances: see sysctl fs.inotify.max_user_instances",
                ),
                e => io::Error::other(format!("creating an inotify instance: {}", e.desc())),
            })?;
        // SAFETY: the `Inotify` owns its descriptor for as long as it lives (it lives
        // inside the `AsyncFd`), and `as_raw_fd` always returns that one descriptor.
        let fd = unsafe { AsyncFd::register_with_interest(Fd(inotify), Interest::READABLE) }
            .map_err(|e| e.into_parts().1)?;
        let mut n = Notify {
            fd,
            dirs: HashMap::new(),
            roots,
            skip,
        };
        for root in n.roots.clone() {
            let start = nearest_existing(&root);
            if start.is_dir() {
                n.add_tree(&start, &mut Vec::new())?;
            } else if let Some(parent) = start.parent() {
                // A root that is a file: its directory's watch reports it.
                n.add(parent)?;
            }
        }
        Ok(n)
    }

    /// The next changes (waits for at least one path, or a lost-event notice).
    pub async fn next(&mut self) -> io::Result<Changes> {
        loop {
            let events = {
                let mut ready = self.fd.readable().await?;
                match ready.try_io(|fd| fd.get_ref().0.read_events().map_err(io::Error::from)) {
                    Ok(read) => read?,
                    Err(_would_block) => continue,
                }
            };
            // Reading and handling happen in one poll, so a caller that drops this
            // future while it waits loses nothing.
            let changes = self.handle(events)?;
            if !changes.paths.is_empty() || changes.lost {
                return Ok(changes);
            }
        }
    }

    fn handle(&mut self, events: Vec<nix::sys::inotify::InotifyEvent>) -> io::Result<Changes> {
        let mut out = Changes::default();
        for ev in events {
            if ev.mask.contains(F::IN_Q_OVERFLOW) {
                out.lost = true;
                continue;
            }
            if ev.mask.contains(F::IN_IGNORED) {
                self.dirs.remove(&ev.wd);
                continue;
            }
            let (Some(dir), Some(name)) = (self.dirs.get(&ev.wd), &ev.name) else {
                continue;
            };
            let path = dir.join(name);
            let is_dir = ev.mask.contains(F::IN_ISDIR);
            if is_dir && ev.mask.contains(F::IN_MOVED_FROM) {
                // Its watches would go on reporting under the old name.
                self.forget_below(&path);
            }
            if is_dir && ev.mask.intersects(F::IN_CREATE | F::IN_MOVED_TO) {
                self.add_tree(&path, &mut out.paths)?;
            }
            if self.wanted(&path) {
                out.paths.push(path);
            }
        }
        Ok(out)
    }

    /// Watch `dir` and the directories below it worth watching; everything found on
    /// the way that is below a root goes into `found`.
    fn add_tree(&mut self, dir: &Path, found: &mut Vec<PathBuf>) -> io::Result<()> {
        if !self.descend(dir) {
            return Ok(());
        }
        self.add(dir)?;
        // Gone again already: its removal is reported by its parent's watch.
        let Ok(entries) = std::fs::read_dir(dir) else {
            return Ok(());
        };
        for e in entries.flatten() {
            let p = e.path();
            if self.wanted(&p) {
                found.push(p.clone());
            }
            // Symlinks are reported, never followed.
            if e.file_type().is_ok_and(|t| t.is_dir()) {
                self.add_tree(&p, found)?;
            }
        }
        Ok(())
    }

    fn add(&mut self, dir: &Path) -> io::Result<()> {
        match self.fd.get_ref().0.add_watch(dir, mask()) {
            Ok(wd) => {
                self.dirs.insert(wd, dir.to_path_buf());
                Ok(())
            }
            // Removed (or replaced by a file) between being seen and being watched.
            Err(Errno::ENOENT | Errno::ENOTDIR) => Ok(()),
            Err(Errno::ENOSPC) => Err(io::Error::other(format!(
                "watching {}: hit the limit of inotify watches: see sysctl fs.inotify.max_user_watches",
                dir.display()
            ))),
            Err(e) => Err(io::Error::other(format!(
                "watching {}: {}",
                dir.display(),
                e.desc()
            ))),
        }
    }

    fn forget_below(&mut self, dir: &Path) {
        let gone: Vec<WatchDescriptor> = self
            .dirs
            .iter()
            .filter(|(_, p)| is_child(dir, p))
            .map(|(wd, _)| *wd)
            .collect();
        for wd in gone {
            let _ = self.fd.get_ref().0.rm_watch(wd);
            self.dirs.remove(&wd);
        }
    }

    /// Below a root. A root directory itself is not a change (Compose does not
    /// report it); a root file, or a root that went away, is.
    fn wanted(&self, path: &Path) -> bool {
        self.roots
            .iter()
            .any(|r| is_child(r, path) && !(r == path && path.is_dir()))
    }

    /// A directory is watched when it is below a root and worth it, or when it leads to
    /// a root that does not exist yet.
    fn descend(&self, dir: &Path) -> bool {
        self.roots
            .iter()
            .any(|r| (is_child(r, dir) && (r == dir || !(self.skip)(dir))) || is_child(dir, r))
    }
}

/// `path`, or its nearest ancestor that exists.
fn nearest_existing(path: &Path) -> PathBuf {
    let mut p = path;
    while std::fs::symlink_metadata(p).is_err() {
        match p.parent() {
            Some(parent) => p = parent,
            None => break,
        }
    }
    p.to_path_buf()
}

#[cfg(test)]
mod tests {
    use std::fs;
    use std::time::Duration;

    use super::*;

    /// Changes until `want` are all seen, within a generous bound (a hang, not speed).
    async fn until_seen(n: &mut Notify, want: &[PathBuf]) -> Vec<PathBuf> {
        let mut seen = Vec::new();
        let wait = async {
            while !want.iter().all(|w| seen.contains(w)) {
                let c = n.next().await.unwrap_or_else(|e| panic!("{e}"));
                seen.extend(c.paths);
            }
        };
        if tokio::time::timeout(Duration::from_secs(20), wait)
            .await
            .is_err()
        {
            panic!("never saw all of {want:?}");
        }
        seen
    }

    #[tokio::test]
    async fn files_and_new_directories_below_a_root() {
        let d = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
        let root = d.path().join("src");
        fs::create_dir_all(root.join("skipped")).unwrap_or_else(|e| panic!("{e}"));
        let skipped = root.join("skipped");
        let skip = skipped.clone();
        let mut n = Notify::new(vec![root.clone()], Box::new(move |p| p == skip))
            .unwrap_or_else(|e| panic!("{e}"));
        fs::write(root.join("a.txt"), "1").unwrap_or_else(|e| panic!("{e}"));
        until_seen(&mut n, &[root.join("a.txt")]).await;

        // A new directory with a file made before its watch could exist, and one
        // written after.
        fs::create_dir_all(root.join("new/deeper")).unwrap_or_else(|e| panic!("{e}"));
        fs::write(root.join("new/deeper/b.txt"), "2").unwrap_or_else(|e| panic!("{e}"));
        until_seen(&mut n, &[root.join("new/deeper/b.txt")]).await;
        fs::write(root.join("new/deeper/c.txt"), "3").unwrap_or_else(|e| panic!("{e}"));
        until_seen(&mut n, &[root.join("new/deeper/c.txt")]).await;

        // A deletion; and nothing from the skipped directory (its write comes first,
        // so seeing the later file means the earlier one was not reported).
        fs::write(skipped.join("x"), "x").unwrap_or_else(|e| panic!("{e}"));
        fs::remove_file(root.join("a.txt")).unwrap_or_else(|e| panic!("{e}"));
        let seen = until_seen(&mut n, &[root.join("a.txt")]).await;
        assert!(!seen.contains(&skipped.join("x")), "{seen:?}");
        // Outside every root: never reported.
        fs::write(d.path().join("outside"), "o").unwrap_or_else(|e| panic!("{e}"));
        fs::write(root.join("last"), "l").unwrap_or_else(|e| panic!("{e}"));
        let seen = until_seen(&mut n, &[root.join("last")]).await;
        assert!(!seen.contains(&d.path().join("outside")), "{seen:?}");
    }

    #[tokio::test]
    async fn a_root_that_appears_later_and_a_file_root() {
        let d = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
        let later = d.path().join("later/src");
        let file = d.path().join("pkg.json");
        fs::write(&file, "{}").unwrap_or_else(|e| panic!("{e}"));
        let mut n = Notify::new(vec![later.clone(), file.clone()], Box::new(|_| false))
            .unwrap_or_else(|e| panic!("{e}"));
        fs::write(&file, "{\"a\":1}").unwrap_or_else(|e| panic!("{e}"));
        until_seen(&mut n, std::slice::from_ref(&file)).await;
        fs::create_dir_all(&later).unwrap_or_else(|e| panic!("{e}"));
        fs::write(later.join("x"), "x").unwrap_or_else(|e| panic!("{e}"));
        until_seen(&mut n, &[later.join("x")]).await;
    }
}
