//! The /dev/shm of a `--ipc shareable` container, kept where other containers can reach
//! it: a tmpfs mounted by its monitor in the host's mount namespace, under the
//! container's runtime dir, and bound into the container. (A private /dev/shm lives only
//! in the container's own mount namespace, and the kernel refuses bind mounts out of
//! another mount namespace, so `--ipc container:NAME` could not share it.) It lasts from
//! the first start to the end of the last run, as Docker's does.

use std::os::unix::fs::MetadataExt;
use std::path::PathBuf;

use nix::mount::{mount, umount2, MntFlags, MsFlags};

use crate::error::{Error, IoContext, Result};
use crate::store::Paths;

pub fn host_dir(paths: &Paths, id: &str) -> PathBuf {
    paths.container_run_dir(id).join("shm")
}

/// A tmpfs is mounted at `dir` when it is on another device than its parent.
fn is_mounted(dir: &std::path::Path) -> bool {
    let dev = |p: &std::path::Path| std::fs::metadata(p).map(|m| m.dev()).ok();
    match (dev(dir), dir.parent().and_then(dev)) {
        (Some(a), Some(b)) => a != b,
        _ => false,
    }
}

/// The shareable /dev/shm of container `id`, mounted (with `size` bytes) if it is not yet.
pub fn ensure(paths: &Paths, id: &str, size: u64) -> Result<PathBuf> {
    let dir = host_dir(paths, id);
    std::fs::create_dir_all(&dir).ctx("create directory", &dir)?;
    if !is_mounted(&dir) {
        mount(
            Some("shm"),
            &dir,
            Some("tmpfs"),
            MsFlags::MS_NOSUID | MsFlags::MS_NOEXEC | MsFlags::MS_NODEV,
            Some(format!("mode=1777,size={size}").as_str()),
        )
        .map_err(|e| Error::sys(format!("mount shm on {}", dir.display()), e))?;
    }
    Ok(dir)
}

/// The donor's shareable /dev/shm, which exists while the donor runs.
pub fn existing(paths: &Paths, id: &str) -> Result<PathBuf> {
    let dir = host_dir(paths, id);
    if is_mounted(&dir) {
        Ok(dir)
    } else {
        Err(Error::Conflict(format!(
            "can't join IPC of container {id}: its /dev/shm is not there (is it running?)"
        )))
    }
}

/// Unmount and remove it; nothing there is fine (a container that was never shareable).
pub fn release(paths: &Paths, id: &str) {
    let dir = host_dir(paths, id);
    if is_mounted(&dir) {
        let _ = umount2(&dir, MntFlags::MNT_DETACH);
    }
    let _ = std::fs::remove_dir(&dir);
}
