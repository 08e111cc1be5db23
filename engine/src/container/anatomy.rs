//! A running container taken apart, as the kernel sees it: its namespaces next to the
//! host's, its processes' PIDs inside and outside, its cgroup with live limits and
//! usage, its overlay directories, its veth pairs and bridges, its credentials and
//! capabilities, its mounts. Plain data read from /proc, /sys and netlink at the moment
//! of the call; the TUI's anatomy view and `berth anatomy` put it into words.

use std::fs;
use std::path::PathBuf;
use std::thread;

use serde::Serialize;

use super::launch::ContainerDirs;
use super::Container;
use crate::cgroups;
use crate::error::Result;
use crate::network::netlink::{format_mac, Netlink};
use crate::util::unescape_mountinfo;
use crate::Engine;

/// Every namespace kind Linux has, in `/proc/PID/ns` order of interest.
pub const NAMESPACE_KINDS: [&str; 8] =
    ["pid", "mnt", "net", "uts", "ipc", "user", "cgroup", "time"];

#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Anatomy {
    pub id: String,
    pub name: String,
    /// False when the container does not run: only the directories are filled in.
    pub running: bool,
    /// The host PID of the container's first process.
    pub pid: i32,
    pub namespaces: Vec<NamespaceIds>,
    pub processes: Vec<ProcessIds>,
    pub cgroup: Option<CgroupAnatomy>,
    pub rootfs: RootfsAnatomy,
    pub links: Vec<LinkAnatomy>,
    pub security: Option<Security>,
    pub mounts: Vec<MountEntry>,
    /// A swarm task's service in the routing mesh (VIP, DNS answers, the rules).
    pub swarm: Option<crate::swarm::anatomy::TaskAnatomy>,
}

/// One namespace of the container's first process, and berth's own (the host's) of that
/// kind.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct NamespaceIds {
    pub kind: String,
    pub inside: u64,
    pub host: u64,
}

impl NamespaceIds {
    /// The same inode: the container shares the host's namespace of this kind.
    pub fn shared(&self) -> bool {
        self.inside == self.host
    }
}

/// A process of the container: its PID on the host and in the container's PID namespace.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct ProcessIds {
    pub host_pid: i32,
    pub pid_inside: i32,
    pub command: String,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct CgroupAnatomy {
    /// "v1" or "v2".
    pub version: String,
    /// The cgroup's directories (one per v1 controller, one on v2).
    pub paths: Vec<PathBuf>,
    pub stats: cgroups::Stats,
    /// What the container asked for (`--cpus`, `--cpuset-cpus`); memory and pids limits
    /// are read back from the cgroup into `stats`.
    pub nano_cpus: Option<i64>,
    pub cpuset_cpus: Option<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct RootfsAnatomy {
    /// Image layers, top-most first, as overlayfs was given them.
    pub lower: Vec<String>,
    /// The image's layers, top-most first, each with the step that made it.
    pub layers: Vec<crate::image::LayerStep>,
    pub upper: String,
    pub work: String,
    /// Where the merged tree is mounted on the host.
    pub merged: String,
    /// Read from the kernel's mount table (true) or from the container's directories.
    pub live: bool,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct LinkAnatomy {
    pub network: String,
    /// The veth end on the host, in `bridge`.
    pub host_veth: String,
    pub bridge: String,
    /// The other end, inside the container (`eth0`).
    pub container_if: String,
    pub mac: String,
    pub addresses: Vec<String>,
    pub up: bool,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Security {
    /// Real, effective uid and gid.
    pub uid: String,
    pub gid: String,
    pub effective_caps: Vec<String>,
    pub bounding_caps: Vec<String>,
    pub no_new_privs: bool,
    /// 0 off, 1 strict, 2 filter.
    pub seccomp: u32,
}

/// One line of the container's mount table (its own view of `/`).
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct MountEntry {
    pub target: String,
    /// The part of the source filesystem mounted (`/null` for a bind of /dev/null).
    pub root: String,
    pub fstype: String,
    pub source: String,
    pub options: String,
}

impl Engine {
    pub fn anatomy(&self, c: &Container) -> Result<Anatomy> {
        let c = self.containers().load(c.id())?;
        let dirs = ContainerDirs::of(&self.paths, c.id());
        let mut a = Anatomy {
            id: c.id().to_string(),
            name: c.name().to_string(),
            rootfs: RootfsAnatomy {
                upper: dirs.upper.display().to_string(),
                work: dirs.work.display().to_string(),
                merged: dirs.rootfs.display().to_string(),
                ..Default::default()
            },
            ..Default::default()
        };
        let images = self.images();
        if let Ok(img) = images.resolve(&c.record.image_id.to_string()) {
            a.rootfs.layers = images.layer_steps(&img).unwrap_or_default();
            a.rootfs.lower = a.rootfs.layers.iter().map(|l| l.dir.clone()).collect();
        }
        let pid = c.state.pid;
        if !c.state.status.is_live() || pid <= 0 {
            return Ok(a);
        }
        a.running = true;
        a.pid = pid;
        a.namespaces = NAMESPACE_KINDS
            .iter()
            .filter_map(|k| {
                Some(NamespaceIds {
                    kind: k.to_string(),
                    inside: ns_inode(pid, k)?,
                    // The host is where berth runs: its own namespaces.
                    host: ns_inode(std::process::id() as i32, k).unwrap_or(0),
                })
            })
            .collect();
        let cg = cgroups::open(
            &self.config.cgroup_root,
            &c.record.host_config.cgroup_parent,
            c.id(),
        )?;
        let procs = cg.procs().unwrap_or_default();
        a.processes = procs.iter().filter_map(|p| process_ids(*p)).collect();
        a.processes.sort_by_key(|p| p.pid_inside);
        let res = c.record.host_config.resources();
        a.cgroup = Some(CgroupAnatomy {
            version: match cgroups::detect(&self.config.cgroup_root) {
                Ok(cgroups::Hierarchy::Unified) => "v2".into(),
                _ => "v1".into(),
            },
            paths: cg.paths(),
            stats: cg.stats().unwrap_or_default(),
            nano_cpus: res.nano_cpus,
            cpuset_cpus: res.cpuset_cpus,
        });
        let mountinfo = fs::read_to_string(format!("/proc/{pid}/mountinfo")).unwrap_or_default();
        a.mounts = parse_mountinfo(&mountinfo);
        if let Some((lower, upper, work)) = overlay_dirs(&mountinfo) {
            a.rootfs.lower = lower;
            a.rootfs.upper = upper;
            a.rootfs.work = work;
            a.rootfs.live = true;
        }
        a.security = security(pid);
        a.links = self.links(&c, pid);
        a.swarm = self.task_anatomy(&c);
        Ok(a)
    }

    /// The container's veth pairs: the host end and its bridge from the host's netlink,
    /// the container end from a socket opened inside its network namespace (on a thread
    /// of its own, since setns moves only the calling thread).
    fn links(&self, c: &Container, pid: i32) -> Vec<LinkAnatomy> {
        let Ok(mut host) = Netlink::open() else {
            return Vec::new();
        };
        let mut out = Vec::new();
        let mut peers = Vec::new();
        for name in c.record.endpoints_config.keys() {
            let Ok(net) = self.networks().get(name) else {
                continue;
            };
            let veth = crate::network::attach::veth_name(c.id(), &net);
            let Ok(Some(link)) = host.link_by_name(&veth) else {
                continue;
            };
            let bridge = link
                .master
                .and_then(|m| host.link_by_index(m).ok().flatten())
                .map(|b| b.name)
                .unwrap_or_default();
            peers.push(link.link);
            out.push(LinkAnatomy {
                network: name.clone(),
                host_veth: veth,
                bridge,
                up: link.lower_up,
                ..Default::default()
            });
        }
        let ns = PathBuf::from(format!("/proc/{pid}/ns/net"));
        let inside = thread::spawn(move || -> Vec<(u32, String, String, Vec<String>)> {
            let Ok(mut nl) = Netlink::open_in_netns(&ns) else {
                return Vec::new();
            };
            let links = nl.links().unwrap_or_default();
            links
                .into_iter()
                .map(|l| {
                    let addrs = nl
                        .addresses(l.index)
                        .unwrap_or_default()
                        .iter()
                        .map(|(a, p)| format!("{a}/{p}"))
                        .collect();
                    (
                        l.index,
                        l.name,
                        l.mac.as_ref().map(format_mac).unwrap_or_default(),
                        addrs,
                    )
                })
                .collect()
        })
        .join()
        .unwrap_or_default();
        for (link, peer) in out.iter_mut().zip(peers) {
            if let Some((_, name, mac, addrs)) = inside.iter().find(|l| Some(l.0) == peer) {
                link.container_if = name.clone();
                link.mac = mac.clone();
                link.addresses = addrs.clone();
            }
        }
        out
    }
}

/// The inode of `/proc/PID/ns/KIND` (the link reads `net:[4026531840]`).
fn ns_inode(pid: i32, kind: &str) -> Option<u64> {
    let target = fs::read_link(format!("/proc/{pid}/ns/{kind}")).ok()?;
    let s = target.to_string_lossy();
    s.rsplit_once('[')?.1.trim_end_matches(']').parse().ok()
}

/// A `Key:\tvalue` line of /proc/PID/status.
fn status_field<'a>(status: &'a str, key: &str) -> Option<&'a str> {
    status
        .lines()
        .find_map(|l| l.strip_prefix(key)?.strip_prefix(':'))
        .map(str::trim)
}

fn process_ids(host_pid: i32) -> Option<ProcessIds> {
    let status = fs::read_to_string(format!("/proc/{host_pid}/status")).ok()?;
    // NSpid lists the PID in every namespace from the host's down: the last is the
    // container's.
    let pid_inside = status_field(&status, "NSpid")?
        .split_whitespace()
        .last()?
        .parse()
        .ok()?;
    let cmdline = fs::read(format!("/proc/{host_pid}/cmdline")).unwrap_or_default();
    let mut command = cmdline
        .split(|b| *b == 0)
        .filter(|w| !w.is_empty())
        .map(|w| String::from_utf8_lossy(w).into_owned())
        .collect::<Vec<_>>()
        .join(" ");
    if command.is_empty() {
        command = status_field(&status, "Name").unwrap_or("").to_string();
    }
    Some(ProcessIds {
        host_pid,
        pid_inside,
        command,
    })
}

fn security(pid: i32) -> Option<Security> {
    let status = fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    let first_two = |key: &str| {
        let v: Vec<&str> = status_field(&status, key)
            .unwrap_or("")
            .split_whitespace()
            .take(2)
            .collect();
        v.join("/")
    };
    let caps = |key: &str| {
        status_field(&status, key)
            .and_then(|h| u64::from_str_radix(h, 16).ok())
            .map(cap_names)
            .unwrap_or_default()
    };
    Some(Security {
        uid: first_two("Uid"),
        gid: first_two("Gid"),
        effective_caps: caps("CapEff"),
        bounding_caps: caps("CapBnd"),
        no_new_privs: status_field(&status, "NoNewPrivs") == Some("1"),
        seccomp: status_field(&status, "Seccomp")
            .and_then(|s| s.parse().ok())
            .unwrap_or(0),
    })
}

/// The names of the capabilities set in a /proc/PID/status mask, in bit order.
pub fn cap_names(mask: u64) -> Vec<String> {
    let mut all: Vec<caps::Capability> = caps::all().into_iter().collect();
    all.sort_by_key(|c| c.index());
    all.into_iter()
        .filter(|c| mask & c.bitmask() != 0)
        .map(|c| c.to_string())
        .collect()
}

/// /proc/PID/mountinfo as the process sees it: target, type, source, options.
pub fn parse_mountinfo(text: &str) -> Vec<MountEntry> {
    text.lines()
        .filter_map(|l| {
            // ID PARENT MAJ:MIN ROOT TARGET OPTIONS [OPTIONAL...] - FSTYPE SOURCE SUPER
            let (left, right) = l.split_once(" - ")?;
            let left: Vec<&str> = left.split(' ').collect();
            let right: Vec<&str> = right.split(' ').collect();
            Some(MountEntry {
                root: unescape_mountinfo(left.get(3)?),
                target: unescape_mountinfo(left.get(4)?),
                options: left.get(5)?.to_string(),
                fstype: right.first()?.to_string(),
                source: unescape_mountinfo(right.get(1).unwrap_or(&"")),
            })
        })
        .collect()
}

/// The lower, upper and work directories of the overlay mounted at `/`.
fn overlay_dirs(mountinfo: &str) -> Option<(Vec<String>, String, String)> {
    let line = mountinfo.lines().find(|l| {
        let f: Vec<&str> = l.split(' ').collect();
        f.get(4) == Some(&"/") && l.contains(" - overlay ")
    })?;
    let sup = line.rsplit(' ').next()?;
    let mut lower = Vec::new();
    let (mut upper, mut work) = (String::new(), String::new());
    for opt in sup.split(',') {
        if let Some(v) = opt.strip_prefix("lowerdir=") {
            lower = v.split(':').map(unescape_mountinfo).collect();
        } else if let Some(v) = opt.strip_prefix("upperdir=") {
            upper = unescape_mountinfo(v);
        } else if let Some(v) = opt.strip_prefix("workdir=") {
            work = unescape_mountinfo(v);
        }
    }
    Some((lower, upper, work))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mountinfo_lines_and_the_root_overlay() {
        let text = "\
612 540 0:60 / / rw,relatime - overlay overlay rw,lowerdir=/s/l/b:/s/l/a,upperdir=/s/c/upper,workdir=/s/c/work
613 612 0:62 / /proc rw,nosuid,nodev,noexec,relatime - proc proc rw
620 613 0:5 /null /proc/kcore rw,nosuid shared:2 - devtmpfs udev rw,size=1k
621 612 8:1 /data /my\\040dir rw - ext4 /dev/sda1 rw
";
        let m = parse_mountinfo(text);
        assert_eq!(m.len(), 4);
        assert_eq!(m[2].target, "/proc/kcore");
        assert_eq!(m[2].fstype, "devtmpfs");
        assert_eq!(m[2].root, "/null");
        assert_eq!(m[3].target, "/my dir");
        let (lower, upper, work) = overlay_dirs(text).unwrap();
        assert_eq!(lower, ["/s/l/b", "/s/l/a"]);
        assert_eq!(upper, "/s/c/upper");
        assert_eq!(work, "/s/c/work");
    }

    #[test]
    fn capability_masks_name_their_bits() {
        // CAP_CHOWN is bit 0, CAP_KILL bit 5, CAP_NET_BIND_SERVICE bit 10.
        let names = cap_names((1 << 0) | (1 << 5) | (1 << 10));
        assert_eq!(names, ["CAP_CHOWN", "CAP_KILL", "CAP_NET_BIND_SERVICE"]);
        assert!(cap_names(0).is_empty());
    }

    #[test]
    fn own_namespaces_are_the_hosts_when_not_in_a_container() {
        let me = std::process::id() as i32;
        let mine = ns_inode(me, "net").unwrap();
        assert!(mine > 0);
        let p = process_ids(me).unwrap();
        assert_eq!(p.host_pid, me);
    }
}
