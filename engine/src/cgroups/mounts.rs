//! Where each v1 controller is mounted under the cgroup root. Controllers may each have a
//! directory (`cpu/`, `cpuacct/`, as on this machine) or share one (`cpu,cpuacct/`, with
//! `cpu` and `cpuacct` symlinks beside it, as on Debian and Fedora with systemd).
//!
//! `/proc/self/mountinfo` is the authority when it has cgroup mounts under the root; a
//! fixture tree has none, so then the root's directory names are read instead.

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};

use crate::error::{IoContext, Result};

/// The v1 controllers Berth manages. Others (net_cls, perf_event, hugetlb...) are left to
/// whatever the container inherits.
pub const V1_CONTROLLERS: [&str; 8] = [
    "blkio", "cpu", "cpuacct", "cpuset", "devices", "freezer", "memory", "pids",
];

/// Controller name -> its mount directory.
pub type MountMap = BTreeMap<&'static str, PathBuf>;

pub fn v1_mounts(root: &Path) -> Result<MountMap> {
    if let Ok(text) = fs::read_to_string("/proc/self/mountinfo") {
        let map = from_mountinfo(&text, root);
        if !map.is_empty() {
            return Ok(map);
        }
    }
    from_scan(root)
}

fn known(name: &str) -> Option<&'static str> {
    V1_CONTROLLERS.iter().copied().find(|c| *c == name)
}

/// Cgroup v1 mounts whose mount point is directly under `root`.
pub fn from_mountinfo(text: &str, root: &Path) -> MountMap {
    let mut map = MountMap::new();
    for line in text.lines() {
        // "ID PARENT MAJ:MIN ROOT MOUNTPOINT OPTS [OPTIONAL...] - FSTYPE SOURCE SUPEROPTS"
        let Some((pre, post)) = line.split_once(" - ") else {
            continue;
        };
        let Some(mount_point) = pre.split_whitespace().nth(4) else {
            continue;
        };
        let mut post = post.split_whitespace();
        if post.next() != Some("cgroup") {
            continue;
        }
        let Some(super_opts) = post.nth(1) else {
            continue;
        };
        let mount_point = PathBuf::from(crate::util::unescape_mountinfo(mount_point));
        if mount_point.parent() != Some(root) {
            continue;
        }
        for opt in super_opts.split(',') {
            if let Some(c) = known(opt) {
                map.entry(c).or_insert_with(|| mount_point.clone());
            }
        }
    }
    map
}

/// Controllers named by the directories in `root`. Real directories win over symlinks so
/// that `cpu -> cpu,cpuacct` does not make the same cgroup appear twice.
pub fn from_scan(root: &Path) -> Result<MountMap> {
    let mut dirs = Vec::new();
    let mut links = Vec::new();
    for entry in fs::read_dir(root).ctx("read cgroup root", root)? {
        let entry = entry.ctx("read cgroup root", root)?;
        let path = entry.path();
        let name = entry.file_name().to_string_lossy().into_owned();
        let meta = fs::symlink_metadata(&path).ctx("stat", &path)?;
        if meta.is_dir() {
            dirs.push((name, path));
        } else if meta.file_type().is_symlink() && path.is_dir() {
            links.push((name, path));
        }
    }
    dirs.sort();
    links.sort();
    let mut map = MountMap::new();
    for (name, path) in dirs.into_iter().chain(links) {
        for part in name.split(',') {
            if let Some(c) = known(part) {
                map.entry(c).or_insert_with(|| path.clone());
            }
        }
    }
    Ok(map)
}

#[cfg(test)]
mod tests {
    use super::*;

    const MOUNTINFO: &str = "\
31 23 0:28 / /sys/fs/cgroup rw,relatime - tmpfs tmpfs rw,mode=755
32 31 0:29 / /sys/fs/cgroup/cpu,cpuacct rw,relatime shared:9 - cgroup cgroup rw,cpu,cpuacct
34 31 0:31 / /sys/fs/cgroup/cpuset rw,relatime - cgroup cgroup rw,cpuset
35 31 0:32 / /sys/fs/cgroup/memory rw,relatime - cgroup cgroup rw,memory
40 31 0:37 / /sys/fs/cgroup/systemd rw,relatime - cgroup cgroup rw,xattr,name=systemd
41 31 0:38 / /sys/fs/cgroup/unified rw,relatime - cgroup2 cgroup2 rw
50 23 0:40 / /other/my\\040cg/pids rw - cgroup cgroup rw,pids
";

    #[test]
    fn mountinfo_comounted_and_escaped() {
        let map = from_mountinfo(MOUNTINFO, Path::new("/sys/fs/cgroup"));
        assert_eq!(map["cpu"], Path::new("/sys/fs/cgroup/cpu,cpuacct"));
        assert_eq!(map["cpuacct"], Path::new("/sys/fs/cgroup/cpu,cpuacct"));
        assert_eq!(map["memory"], Path::new("/sys/fs/cgroup/memory"));
        assert!(!map.contains_key("pids") && !map.contains_key("freezer"));
        let other = from_mountinfo(MOUNTINFO, Path::new("/other/my cg"));
        assert_eq!(other["pids"], Path::new("/other/my cg/pids"));
    }

    #[test]
    fn scan_separate_and_comounted() {
        let tmp = tempfile::tempdir().unwrap();
        let r = tmp.path();
        for d in ["cpu,cpuacct", "memory", "freezer", "unified", "systemd"] {
            fs::create_dir(r.join(d)).unwrap();
        }
        std::os::unix::fs::symlink("cpu,cpuacct", r.join("cpu")).unwrap();
        std::os::unix::fs::symlink("cpu,cpuacct", r.join("cpuacct")).unwrap();
        let map = from_scan(r).unwrap();
        assert_eq!(map["cpu"], r.join("cpu,cpuacct"));
        assert_eq!(map["cpuacct"], r.join("cpu,cpuacct"));
        assert_eq!(map["memory"], r.join("memory"));
        assert_eq!(map.len(), 4);
    }

    #[test]
    fn real_root_uses_mountinfo_or_scan() {
        // Whatever this machine has, the scan of a fixture root must not be polluted by
        // the real mountinfo.
        let tmp = tempfile::tempdir().unwrap();
        fs::create_dir(tmp.path().join("pids")).unwrap();
        let map = v1_mounts(tmp.path()).unwrap();
        assert_eq!(map.keys().copied().collect::<Vec<_>>(), vec!["pids"]);
    }
}
