//! Where the cgroup v1 hierarchies are mounted. Controllers may each have a directory
//! (`cpu/`, `cpuacct/`, as on this machine) or share one (`cpu,cpuacct/`, with `cpu` and
//! `cpuacct` symlinks beside it, as on Debian and Fedora with systemd).
//!
//! Two answers: the controllers Berth writes limits to ([`V1Mounts::controllers`]), and
//! every v1 hierarchy there is ([`V1Mounts::hierarchies`]), including those with no
//! controller Berth manages (`net_cls`, `perf_event`) and named ones with no controller
//! at all (`name=systemd`). A container must have a cgroup of its own in each: its cgroup
//! namespace is rooted wherever it is at the moment it unshares, and in a hierarchy where
//! that is the host's root cgroup, a cgroup mount inside would show the host's
//! `release_agent`, which the kernel runs as root on the host.
//!
//! `/proc/self/mountinfo` is the authority when it has cgroup mounts under the root; a
//! fixture tree has none, so then the root's directory names are read instead.

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};

use crate::error::{IoContext, Result};

/// The v1 controllers Berth writes limits or reads stats from. Other hierarchies only
/// get the container's (empty) cgroup.
pub const V1_CONTROLLERS: [&str; 8] = [
    "blkio", "cpu", "cpuacct", "cpuset", "devices", "freezer", "memory", "pids",
];

/// Controllers a fixture directory may be named after besides [`V1_CONTROLLERS`]: their
/// hierarchies are joined but not configured.
const OTHER_CONTROLLERS: [&str; 7] = [
    "hugetlb",
    "misc",
    "net_cls",
    "net_prio",
    "perf_event",
    "rdma",
    "systemd",
];

/// Controller name -> its mount directory.
pub type MountMap = BTreeMap<&'static str, PathBuf>;

/// The v1 layout a manager works with.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct V1Mounts {
    /// Where each managed controller is mounted.
    pub controllers: MountMap,
    /// One mount directory per v1 hierarchy (co-mounted controllers share one; a
    /// hierarchy mounted twice is listed once, under the root if it is mounted there).
    pub hierarchies: Vec<PathBuf>,
}

impl V1Mounts {
    pub fn is_empty(&self) -> bool {
        self.hierarchies.is_empty()
    }
}

pub fn v1_mounts(root: &Path) -> Result<V1Mounts> {
    if let Ok(text) = fs::read_to_string("/proc/self/mountinfo") {
        let found = from_mountinfo(&text, root);
        if !found.is_empty() {
            return Ok(found);
        }
    }
    from_scan(root)
}

fn known(name: &str) -> Option<&'static str> {
    V1_CONTROLLERS.iter().copied().find(|c| *c == name)
}

/// One cgroup v1 mount from mountinfo.
struct V1Mount {
    /// The superblock's device number: equal for every mount of one hierarchy.
    dev: String,
    mount_point: PathBuf,
    super_opts: String,
}

fn v1_mount_lines(text: &str) -> Vec<V1Mount> {
    let mut out = Vec::new();
    for line in text.lines() {
        // "ID PARENT MAJ:MIN ROOT MOUNTPOINT OPTS [OPTIONAL...] - FSTYPE SOURCE SUPEROPTS"
        let Some((pre, post)) = line.split_once(" - ") else {
            continue;
        };
        let mut pre = pre.split_whitespace();
        let (Some(dev), Some(mount_point)) = (pre.nth(2), pre.nth(1)) else {
            continue;
        };
        let mut post = post.split_whitespace();
        if post.next() != Some("cgroup") {
            continue;
        }
        let Some(super_opts) = post.nth(1) else {
            continue;
        };
        out.push(V1Mount {
            dev: dev.to_string(),
            mount_point: PathBuf::from(crate::util::unescape_mountinfo(mount_point)),
            super_opts: super_opts.to_string(),
        });
    }
    out
}

/// The v1 mounts of `text` (a mountinfo). Empty unless some hierarchy is mounted directly
/// under `root`; then controllers come from those mounts, and hierarchies mounted only
/// elsewhere are listed too, since a container could still mount them by name.
pub fn from_mountinfo(text: &str, root: &Path) -> V1Mounts {
    let mounts = v1_mount_lines(text);
    let under_root = |m: &V1Mount| m.mount_point.parent() == Some(root);
    let mut out = V1Mounts::default();
    if !mounts.iter().any(under_root) {
        return out;
    }
    let mut seen: Vec<&str> = Vec::new();
    // Mounts under the root first, so they are the ones kept for a hierarchy seen twice.
    let ordered = mounts
        .iter()
        .filter(|m| under_root(m))
        .chain(mounts.iter().filter(|m| !under_root(m)));
    for m in ordered {
        if seen.contains(&m.dev.as_str()) {
            continue;
        }
        seen.push(&m.dev);
        out.hierarchies.push(m.mount_point.clone());
        if !under_root(m) {
            continue;
        }
        for opt in m.super_opts.split(',') {
            if let Some(c) = known(opt) {
                out.controllers
                    .entry(c)
                    .or_insert_with(|| m.mount_point.clone());
            }
        }
    }
    out
}

/// The hierarchies named by the directories in `root`. Real directories win over
/// symlinks so that `cpu -> cpu,cpuacct` does not make the same cgroup appear twice.
pub fn from_scan(root: &Path) -> Result<V1Mounts> {
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
    let mut out = V1Mounts::default();
    for (name, path) in &dirs {
        let is_v1 = name.split(',').all(|part| {
            known(part).is_some() || OTHER_CONTROLLERS.contains(&part) || part.starts_with("name=")
        });
        if is_v1 {
            out.hierarchies.push(path.clone());
        }
    }
    for (name, path) in dirs.iter().chain(&links) {
        for part in name.split(',') {
            if let Some(c) = known(part) {
                out.controllers.entry(c).or_insert_with(|| path.clone());
            }
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    const MOUNTINFO: &str = "\
31 23 0:28 / /sys/fs/cgroup rw,relatime - tmpfs tmpfs rw,mode=755
32 31 0:29 / /sys/fs/cgroup/cpu,cpuacct rw,relatime shared:9 - cgroup cgroup rw,cpu,cpuacct
34 31 0:31 / /sys/fs/cgroup/cpuset rw,relatime - cgroup cgroup rw,cpuset
35 31 0:32 / /sys/fs/cgroup/memory rw,relatime - cgroup cgroup rw,memory
36 31 0:33 / /sys/fs/cgroup/net_cls,net_prio rw,relatime - cgroup cgroup rw,net_cls,net_prio
40 31 0:37 / /sys/fs/cgroup/systemd rw,relatime - cgroup cgroup rw,xattr,name=systemd
41 31 0:38 / /sys/fs/cgroup/unified rw,relatime - cgroup2 cgroup2 rw
50 23 0:40 / /other/my\\040cg/pids rw - cgroup cgroup rw,pids
51 23 0:41 / /mnt/named rw - cgroup cgroup rw,name=elsewhere
52 23 0:37 / /mnt/systemd-again rw - cgroup cgroup rw,xattr,name=systemd
";

    #[test]
    fn mountinfo_comounted_and_escaped() {
        let found = from_mountinfo(MOUNTINFO, Path::new("/sys/fs/cgroup"));
        let map = &found.controllers;
        assert_eq!(map["cpu"], Path::new("/sys/fs/cgroup/cpu,cpuacct"));
        assert_eq!(map["cpuacct"], Path::new("/sys/fs/cgroup/cpu,cpuacct"));
        assert_eq!(map["memory"], Path::new("/sys/fs/cgroup/memory"));
        assert!(!map.contains_key("pids") && !map.contains_key("freezer"));
        let other = from_mountinfo(MOUNTINFO, Path::new("/other/my cg"));
        assert_eq!(other.controllers["pids"], Path::new("/other/my cg/pids"));
    }

    #[test]
    fn mountinfo_lists_every_hierarchy_once() {
        let found = from_mountinfo(MOUNTINFO, Path::new("/sys/fs/cgroup"));
        let names: Vec<_> = found
            .hierarchies
            .iter()
            .map(|p| p.display().to_string())
            .collect();
        // Unmanaged and named hierarchies too; the systemd one once, under the root;
        // hierarchies mounted only elsewhere after those; cgroup2 never.
        assert_eq!(
            names,
            vec![
                "/sys/fs/cgroup/cpu,cpuacct",
                "/sys/fs/cgroup/cpuset",
                "/sys/fs/cgroup/memory",
                "/sys/fs/cgroup/net_cls,net_prio",
                "/sys/fs/cgroup/systemd",
                "/other/my cg/pids",
                "/mnt/named",
            ]
        );
        // Nothing under this root: mountinfo says nothing about it (fixture trees).
        assert!(from_mountinfo(MOUNTINFO, Path::new("/tmp/fixture")).is_empty());
    }

    #[test]
    fn scan_separate_and_comounted() {
        let tmp = tempfile::tempdir().unwrap();
        let r = tmp.path();
        for d in [
            "cpu,cpuacct",
            "memory",
            "freezer",
            "unified",
            "systemd",
            "perf_event",
            "name=x",
        ] {
            fs::create_dir(r.join(d)).unwrap();
        }
        std::os::unix::fs::symlink("cpu,cpuacct", r.join("cpu")).unwrap();
        std::os::unix::fs::symlink("cpu,cpuacct", r.join("cpuacct")).unwrap();
        let found = from_scan(r).unwrap();
        let map = &found.controllers;
        assert_eq!(map["cpu"], r.join("cpu,cpuacct"));
        assert_eq!(map["cpuacct"], r.join("cpu,cpuacct"));
        assert_eq!(map["memory"], r.join("memory"));
        assert_eq!(map.len(), 4);
        let dirs: Vec<_> = [
            "cpu,cpuacct",
            "freezer",
            "memory",
            "name=x",
            "perf_event",
            "systemd",
        ]
        .iter()
        .map(|d| r.join(d))
        .collect();
        assert_eq!(found.hierarchies, dirs);
    }

    #[test]
    fn real_root_uses_mountinfo_or_scan() {
        // Whatever this machine has, the scan of a fixture root must not be polluted by
        // the real mountinfo.
        let tmp = tempfile::tempdir().unwrap();
        fs::create_dir(tmp.path().join("pids")).unwrap();
        let found = v1_mounts(tmp.path()).unwrap();
        assert_eq!(
            found.controllers.keys().copied().collect::<Vec<_>>(),
            vec!["pids"]
        );
        assert_eq!(found.hierarchies, vec![tmp.path().join("pids")]);
    }
}
