//! Reading and writing cgroup control files, shared by the v1 and v2 managers: value
//! writes whose errors name the file and the value, tolerant reads for files a controller
//! may not provide, directory bookkeeping for rollback, and the bounded kill loop.

use std::fs::{self, OpenOptions};
use std::io::{ErrorKind, Write};
use std::path::{Path, PathBuf};
use std::thread;
use std::time::{Duration, Instant};

use nix::errno::Errno;
use nix::sys::signal::{kill, Signal};
use nix::unistd::Pid;

use crate::error::{Error, IoContext, Result};

/// Write `value` to a control file in one `write(2)`, as the kernel expects.
///
/// The file is opened with `O_CREAT` so that fixture trees (plain directories standing
/// in for cgroupfs) get the file; on cgroupfs every control file already exists and
/// creating one fails, so a missing controller is still reported.
pub(crate) fn write(path: &Path, value: impl AsRef<str>) -> Result<()> {
    let value = value.as_ref();
    let res = OpenOptions::new()
        .write(true)
        .create(true)
        .truncate(true)
        .open(path)
        .and_then(|mut f| f.write_all(value.as_bytes()));
    // `Error::Io` carries only the path, and a rejected limit is useless without the
    // value that was rejected, so the value goes into the source's message.
    res.map_err(|e| {
        let kind = e.kind();
        Error::io(
            "write",
            path,
            std::io::Error::new(kind, format!("value {value:?}: {e}")),
        )
    })
}

/// The file's contents, trimmed.
pub(crate) fn read(path: &Path) -> Result<String> {
    let s = fs::read_to_string(path).ctx("read", path)?;
    Ok(s.trim().to_string())
}

/// Like [`read`], but `None` when the file does not exist (a controller that is not
/// enabled or a kernel too old to have the file).
pub(crate) fn read_opt(path: &Path) -> Result<Option<String>> {
    match fs::read_to_string(path) {
        Ok(s) => Ok(Some(s.trim().to_string())),
        Err(e) if e.kind() == ErrorKind::NotFound => Ok(None),
        Err(e) => Err(Error::io("read", path, e)),
    }
}

pub(crate) fn parse_u64(path: &Path, s: &str) -> Result<u64> {
    s.trim().parse().map_err(|_| Error::Corrupt {
        path: path.to_path_buf(),
        reason: format!("expected a number, found {s:?}"),
    })
}

/// A single-number file; `None` when the file is absent.
pub(crate) fn read_u64_opt(path: &Path) -> Result<Option<u64>> {
    read_opt(path)?.map(|s| parse_u64(path, &s)).transpose()
}

/// A limit file where "max" means unlimited (`pids.max`, `memory.max`): the outer `None`
/// is "file absent", the inner `None` is "unlimited".
pub(crate) fn read_limit_opt(path: &Path) -> Result<Option<Option<u64>>> {
    match read_opt(path)? {
        None => Ok(None),
        Some(s) if s == "max" => Ok(Some(None)),
        Some(s) => Ok(Some(Some(parse_u64(path, &s)?))),
    }
}

/// The value of `key` in a flat-keyed file (`memory.stat`, `cpu.stat`, `memory.events`,
/// `memory.oom_control`): lines of "key value".
pub(crate) fn keyed(text: &str, key: &str) -> Option<u64> {
    text.lines().find_map(|line| {
        let mut it = line.split_whitespace();
        (it.next() == Some(key))
            .then(|| it.next()?.parse().ok())
            .flatten()
    })
}

/// Every "key value" line of a flat-keyed file with a number for a value.
pub(crate) fn keyed_all(text: &str) -> std::collections::BTreeMap<String, u64> {
    text.lines()
        .filter_map(|line| {
            let mut it = line.split_whitespace();
            let key = it.next()?;
            let value = it.next()?.parse().ok()?;
            Some((key.to_string(), value))
        })
        .collect()
}

/// "MAJ:MIN" of a device.
pub(crate) fn device_numbers(s: &str) -> Option<(u64, u64)> {
    let (major, minor) = s.split_once(':')?;
    Some((major.parse().ok()?, minor.parse().ok()?))
}

/// The pids listed in a `cgroup.procs` file; an absent file lists none.
pub(crate) fn read_pids(path: &Path) -> Result<Vec<i32>> {
    let Some(text) = read_opt(path)? else {
        return Ok(Vec::new());
    };
    text.lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| {
            l.trim().parse().map_err(|_| Error::Corrupt {
                path: path.to_path_buf(),
                reason: format!("expected a pid, found {l:?}"),
            })
        })
        .collect()
}

/// Make `dir` and any missing ancestors, recording each directory this call made (outermost
/// first) so a failed create can remove exactly those and nothing that was already there.
pub(crate) fn mkdir_tracked(dir: &Path, created: &mut Vec<PathBuf>) -> Result<()> {
    let mut missing = Vec::new();
    let mut cur = dir;
    while !cur.exists() {
        missing.push(cur.to_path_buf());
        match cur.parent() {
            Some(p) => cur = p,
            None => break,
        }
    }
    for d in missing.into_iter().rev() {
        match fs::create_dir(&d) {
            Ok(()) => created.push(d),
            // Another container's create made the shared parent at the same moment.
            Err(e) if e.kind() == ErrorKind::AlreadyExists => {}
            Err(e) => return Err(Error::io("create cgroup", &d, e)),
        }
    }
    Ok(())
}

/// Remove directories a failed create made, innermost first. Best effort: the caller is
/// already returning the error that caused the rollback.
pub(crate) fn rollback(created: &[PathBuf]) {
    for d in created.iter().rev() {
        let _ = rmdir_retry(d);
    }
}

/// `rmdir` a cgroup. A missing directory is fine (already gone). `EBUSY` is retried for a
/// short while: the kernel keeps a cgroup busy until its last exiting task is released,
/// which can lag behind `cgroup.procs` turning empty.
pub(crate) fn rmdir_retry(dir: &Path) -> Result<()> {
    let mut delay = Duration::from_millis(10);
    for attempt in 0.. {
        match fs::remove_dir(dir) {
            Ok(()) => return Ok(()),
            Err(e) if e.kind() == ErrorKind::NotFound => return Ok(()),
            Err(e) if e.raw_os_error() == Some(libc::EBUSY) && attempt < 6 => {
                thread::sleep(delay);
                delay *= 2;
            }
            Err(e) => return Err(Error::io("remove cgroup", dir, e)),
        }
    }
    unreachable!()
}

/// The cgroups below `dir` (its subdirectories, recursively), deepest first. A missing
/// `dir` has none.
fn child_cgroups(dir: &Path) -> Result<Vec<PathBuf>> {
    let rd = match fs::read_dir(dir) {
        Ok(rd) => rd,
        Err(e) if e.kind() == ErrorKind::NotFound => return Ok(Vec::new()),
        Err(e) => return Err(Error::io("read cgroup", dir, e)),
    };
    let mut out = Vec::new();
    for entry in rd {
        let entry = entry.map_err(|e| Error::io("read cgroup", dir, e))?;
        // cgroupfs has no symlinks; a directory is a child cgroup.
        if entry.file_type().is_ok_and(|t| t.is_dir()) {
            let child = entry.path();
            out.extend(child_cgroups(&child)?);
            out.push(child);
        }
    }
    Ok(out)
}

/// `rmdir` a cgroup and every cgroup a process inside made below it (a container with
/// CAP_SYS_ADMIN may, as systemd in a container does), deepest first.
pub(crate) fn rmdir_tree(dir: &Path) -> Result<()> {
    for child in child_cgroups(dir)? {
        rmdir_retry(&child)?;
    }
    rmdir_retry(dir)
}

/// The pids in `dir`'s cgroup and in every cgroup below it.
pub(crate) fn read_pids_tree(dir: &Path) -> Result<Vec<i32>> {
    let mut all = read_pids(&dir.join("cgroup.procs"))?;
    for child in child_cgroups(dir)? {
        all.extend(read_pids(&child.join("cgroup.procs"))?);
    }
    Ok(all)
}

/// `rmdir` a shared parent (`berth/`) only if no other container's cgroup is still in it.
/// Returns whether the directory is gone.
pub(crate) fn rmdir_if_empty(dir: &Path) -> Result<bool> {
    match fs::remove_dir(dir) {
        Ok(()) => Ok(true),
        Err(e) if e.kind() == ErrorKind::NotFound => Ok(true),
        Err(e)
            if matches!(
                e.raw_os_error(),
                Some(libc::ENOTEMPTY) | Some(libc::EBUSY) | Some(libc::EEXIST)
            ) =>
        {
            Ok(false)
        }
        Err(e) => Err(Error::io("remove cgroup", dir, e)),
    }
}

/// Poll `done` until it returns true or `timeout` passes; returns the last answer.
/// Backs off from 1 ms to 50 ms so quick transitions cost little and slow ones little CPU.
pub(crate) fn wait_until(
    timeout: Duration,
    mut done: impl FnMut() -> Result<bool>,
) -> Result<bool> {
    let deadline = Instant::now() + timeout;
    let mut delay = Duration::from_millis(1);
    loop {
        if done()? {
            return Ok(true);
        }
        if Instant::now() >= deadline {
            return Ok(false);
        }
        thread::sleep(delay);
        delay = (delay * 2).min(Duration::from_millis(50));
    }
}

/// SIGKILL every pid `list` returns, again and again, until it returns none. Repeating
/// catches children forked between reading the list and the signal landing.
pub(crate) fn kill_until_empty(
    what: &Path,
    timeout: Duration,
    mut list: impl FnMut() -> Result<Vec<i32>>,
) -> Result<()> {
    let mut last = Vec::new();
    let empty = wait_until(timeout, || {
        last = list()?;
        for &pid in &last {
            match kill(Pid::from_raw(pid), Signal::SIGKILL) {
                Ok(()) | Err(Errno::ESRCH) => {}
                Err(e) => return Err(Error::sys(format!("kill {pid} in {}", what.display()), e)),
            }
        }
        Ok(last.is_empty())
    })?;
    if empty {
        Ok(())
    } else {
        Err(Error::Runtime(format!(
            "cgroup {} still has processes {last:?} {timeout:?} after SIGKILL",
            what.display()
        )))
    }
}

/// Turn the errors a teardown collected into one, so every failure is reported and none
/// stops the others from being attempted.
pub(crate) fn join_errors(what: &str, mut errors: Vec<Error>) -> Result<()> {
    match errors.len() {
        0 => Ok(()),
        1 => Err(errors.remove(0)),
        _ => {
            let msgs: Vec<String> = errors.iter().map(|e| e.to_string()).collect();
            Err(Error::Runtime(format!("{what}: {}", msgs.join("; "))))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn write_error_names_file_and_value() {
        let tmp = tempfile::tempdir().unwrap();
        let path = tmp.path().join("nodir").join("memory.max");
        let err = write(&path, "12345").unwrap_err();
        let msg = err.to_string();
        assert!(
            msg.contains("memory.max") && msg.contains("\"12345\""),
            "{msg}"
        );
        assert!(err.is_not_found());
    }

    #[test]
    fn keyed_and_limits() {
        let text = "cache 10\nrss 20\noom_kill 3\n";
        assert_eq!(keyed(text, "rss"), Some(20));
        assert_eq!(keyed(text, "oom_kill"), Some(3));
        assert_eq!(keyed(text, "swap"), None);
        let tmp = tempfile::tempdir().unwrap();
        let p = tmp.path().join("pids.max");
        assert_eq!(read_limit_opt(&p).unwrap(), None);
        fs::write(&p, "max\n").unwrap();
        assert_eq!(read_limit_opt(&p).unwrap(), Some(None));
        fs::write(&p, "42\n").unwrap();
        assert_eq!(read_limit_opt(&p).unwrap(), Some(Some(42)));
        fs::write(&p, "lots\n").unwrap();
        assert!(matches!(read_limit_opt(&p), Err(Error::Corrupt { .. })));
    }

    #[test]
    fn mkdir_tracked_records_only_new_dirs() {
        let tmp = tempfile::tempdir().unwrap();
        fs::create_dir(tmp.path().join("a")).unwrap();
        let mut created = Vec::new();
        mkdir_tracked(&tmp.path().join("a/b/c"), &mut created).unwrap();
        assert_eq!(
            created,
            vec![tmp.path().join("a/b"), tmp.path().join("a/b/c")]
        );
        rollback(&created);
        assert!(tmp.path().join("a").exists() && !tmp.path().join("a/b").exists());
    }

    #[test]
    fn trees_cover_child_cgroups() {
        let tmp = tempfile::tempdir().unwrap();
        let c = tmp.path().join("c1");
        fs::create_dir_all(c.join("made/inside")).unwrap();
        fs::create_dir_all(c.join("other")).unwrap();
        fs::write(c.join("cgroup.procs"), "10\n").unwrap();
        fs::write(c.join("made/inside/cgroup.procs"), "11\n12\n").unwrap();
        let mut pids = read_pids_tree(&c).unwrap();
        pids.sort();
        assert_eq!(pids, vec![10, 11, 12]);
        assert!(read_pids_tree(&tmp.path().join("gone")).unwrap().is_empty());
        // A fixture's files are not cgroupfs's: clear them so the rmdirs can succeed.
        fs::remove_file(c.join("cgroup.procs")).unwrap();
        fs::remove_file(c.join("made/inside/cgroup.procs")).unwrap();
        rmdir_tree(&c).unwrap();
        assert!(!c.exists());
        rmdir_tree(&c).unwrap();
    }

    #[test]
    fn rmdir_tolerates_missing_and_nonempty_parent() {
        let tmp = tempfile::tempdir().unwrap();
        rmdir_retry(&tmp.path().join("gone")).unwrap();
        fs::create_dir_all(tmp.path().join("p/other")).unwrap();
        assert!(!rmdir_if_empty(&tmp.path().join("p")).unwrap());
        fs::remove_dir(tmp.path().join("p/other")).unwrap();
        assert!(rmdir_if_empty(&tmp.path().join("p")).unwrap());
    }
}
