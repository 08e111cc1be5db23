//! The files of a task's secrets and configs: written under the run root, on a tmpfs
//! the manager mounts there (so secret data never reaches a disk), one directory per
//! task, and bound read-only into the task's container at their targets. Removed with
//! the task; the tmpfs goes when the swarm does.

use std::os::unix::fs::{OpenOptionsExt, PermissionsExt};
use std::path::{Path, PathBuf};

use crate::error::{Error, Result};
use crate::store::Paths;

/// One file to give a task: its bytes, owner and mode.
#[derive(Clone)]
pub struct TaskFile {
    pub data: Vec<u8>,
    pub uid: u32,
    pub gid: u32,
    pub mode: u32,
}

fn root(paths: &Paths) -> PathBuf {
    paths.run.join("swarm").join("files")
}

fn is_tmpfs(p: &Path) -> bool {
    nix::sys::statfs::statfs(p).is_ok_and(|s| s.filesystem_type() == nix::sys::statfs::TMPFS_MAGIC)
}

/// The tmpfs, mounted once (private to root: mode 0700).
fn ensure_tmpfs(paths: &Paths) -> Result<PathBuf> {
    let dir = root(paths);
    std::fs::create_dir_all(&dir).map_err(|e| Error::io("create directory", &dir, e))?;
    if !is_tmpfs(&dir) {
        use nix::mount::{mount, MsFlags};
        mount(
            Some("tmpfs"),
            &dir,
            Some("tmpfs"),
            MsFlags::MS_NOSUID | MsFlags::MS_NODEV | MsFlags::MS_NOEXEC,
            Some("mode=0700"),
        )
        .map_err(|e| Error::sys(format!("mount a tmpfs on {}", dir.display()), e))?;
    }
    Ok(dir)
}

/// Write a task's files; their host paths, in the order given.
pub fn write(paths: &Paths, task_id: &str, files: &[TaskFile]) -> Result<Vec<PathBuf>> {
    if files.is_empty() {
        return Ok(Vec::new());
    }
    let dir = ensure_tmpfs(paths)?.join(task_id);
    std::fs::create_dir_all(&dir).map_err(|e| Error::io("create directory", &dir, e))?;
    let mut out = Vec::new();
    for (i, f) in files.iter().enumerate() {
        let p = dir.join(i.to_string());
        let _ = std::fs::remove_file(&p);
        let mut file = std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .mode(0o600)
            .open(&p)
            .map_err(|e| Error::io("create", &p, e))?;
        std::io::Write::write_all(&mut file, &f.data).map_err(|e| Error::io("write", &p, e))?;
        nix::unistd::fchown(
            std::os::fd::AsRawFd::as_raw_fd(&file),
            Some(nix::unistd::Uid::from_raw(f.uid)),
            Some(nix::unistd::Gid::from_raw(f.gid)),
        )
        .map_err(|e| Error::sys(format!("chown {}", p.display()), e))?;
        file.set_permissions(std::fs::Permissions::from_mode(f.mode & 0o7777))
            .map_err(|e| Error::io("chmod", &p, e))?;
        out.push(p);
    }
    Ok(out)
}

/// The tasks that have files now.
pub fn tasks_with_files(paths: &Paths) -> Vec<String> {
    std::fs::read_dir(root(paths))
        .map(|d| {
            d.flatten()
                .map(|e| e.file_name().to_string_lossy().to_string())
                .collect()
        })
        .unwrap_or_default()
}

pub fn remove(paths: &Paths, task_id: &str) {
    let _ = std::fs::remove_dir_all(root(paths).join(task_id));
}

/// The swarm is gone: its files and their tmpfs too.
pub fn clear(paths: &Paths) {
    let dir = root(paths);
    if is_tmpfs(&dir) {
        let _ = nix::mount::umount2(&dir, nix::mount::MntFlags::MNT_DETACH);
    }
    let _ = std::fs::remove_dir_all(&dir);
}
