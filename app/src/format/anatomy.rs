//! A container's anatomy in words: each fact the engine read from the kernel, with one
//! phrase saying what it means. The TUI's anatomy view and `berth anatomy` both print
//! these sections, so a teacher sees the same sentences in either.

use berth_engine::container::anatomy::{Anatomy, MountEntry, NamespaceIds};

use super::human::bytes_size;

#[derive(Debug, Clone, PartialEq)]
pub struct Section {
    pub title: &'static str,
    /// What the section is about, in one phrase.
    pub lead: String,
    pub facts: Vec<Fact>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Fact {
    pub label: String,
    pub value: String,
    pub meaning: String,
}

impl Section {
    /// The widest label, for lining the values up.
    pub fn label_width(&self) -> usize {
        self.facts
            .iter()
            .map(|f| f.label.chars().count())
            .max()
            .unwrap_or(0)
    }
}

fn fact(label: impl Into<String>, value: impl Into<String>, meaning: impl Into<String>) -> Fact {
    Fact {
        label: label.into(),
        value: value.into(),
        meaning: meaning.into(),
    }
}

pub fn explain(a: &Anatomy) -> Vec<Section> {
    let mut out = Vec::new();
    if a.running {
        out.push(namespaces(a));
        out.push(processes(a));
        if let Some(s) = cgroup(a) {
            out.push(s);
        }
    }
    out.push(rootfs(a));
    if a.running {
        out.push(network(a));
        if let Some(s) = security(a) {
            out.push(s);
        }
        out.push(mounts(a));
        if let Some(s) = swarm(a) {
            out.push(s);
        }
    }
    out
}

fn namespace_meaning(n: &NamespaceIds) -> &'static str {
    match (n.kind.as_str(), n.shared()) {
        ("pid", false) => "its own process numbers: its first process is PID 1 in here",
        ("mnt", false) => "its own mount table: / is the overlay below, not the host's disk",
        ("net", false) => "its own interfaces, addresses, routes and ports",
        ("uts", false) => "its own hostname",
        ("ipc", false) => "its own shared memory and message queues",
        ("user", false) => "its own user IDs: root in here is mapped to another uid outside",
        ("cgroup", false) => "its own view of /sys/fs/cgroup: its cgroup looks like the root",
        ("time", false) => "its own clock offsets",
        ("user", true) => "the host's: uid 0 in here is uid 0 outside (no user namespace)",
        ("time", true) => "the host's clocks",
        ("net", true) => "the host's network: it sees and binds the host's interfaces",
        ("pid", true) => "the host's processes are visible to it",
        _ => "the host's, shared",
    }
}

fn namespaces(a: &Anatomy) -> Section {
    Section {
        title: "Namespaces",
        lead: "a namespace is a private copy of one kind of kernel state; a number \
               different from the host's means a separate copy"
            .into(),
        facts: a
            .namespaces
            .iter()
            .map(|n| {
                fact(
                    &n.kind,
                    format!("{} (host {})", n.inside, n.host),
                    namespace_meaning(n),
                )
            })
            .collect(),
    }
}

fn processes(a: &Anatomy) -> Section {
    let facts = a
        .processes
        .iter()
        .map(|p| {
            let meaning = if p.host_pid == a.pid {
                format!(
                    "the same process numbered twice: PID {} in here, {} on the host",
                    p.pid_inside, p.host_pid
                )
            } else {
                format!("in here PID {}, on the host {}", p.pid_inside, p.host_pid)
            };
            fact(
                format!("{} / {}", p.pid_inside, p.host_pid),
                p.command.clone(),
                meaning,
            )
        })
        .collect();
    Section {
        title: "Processes",
        lead: "PID inside / PID on the host: the container's PID namespace numbers them \
               again from 1"
            .into(),
        facts,
    }
}

fn cgroup(a: &Anatomy) -> Option<Section> {
    let cg = a.cgroup.as_ref()?;
    let st = &cg.stats;
    let mut facts = Vec::new();
    let path = cg
        .paths
        .first()
        .map(|p| p.display().to_string())
        .unwrap_or_default();
    facts.push(fact(
        format!("path ({})", cg.version),
        path,
        format!(
            "the directory whose files hold its limits and counters ({} in all)",
            cg.paths.len()
        ),
    ));
    let used = st.memory_usage.saturating_sub(st.memory_inactive_file);
    facts.push(match st.memory_limit {
        Some(l) => fact(
            "memory",
            format!("{} of {}", bytes_size(used), bytes_size(l)),
            "above the limit the kernel reclaims, then the OOM killer ends a process",
        ),
        None => fact(
            "memory",
            format!("{} (no limit)", bytes_size(used)),
            "no limit: it may use all of the host's memory",
        ),
    });
    let cpu_secs = st.cpu_usage_ns as f64 / 1e9;
    facts.push(match cg.nano_cpus {
        Some(n) if n > 0 => fact(
            "cpu",
            format!("{cpu_secs:.2}s used, limit {:.2} CPUs", n as f64 / 1e9),
            "the scheduler throttles it to that share of CPU time each period",
        ),
        _ => fact(
            "cpu",
            format!("{cpu_secs:.2}s used"),
            "no quota: it may use every CPU when they are free",
        ),
    });
    if let Some(set) = cg.cpuset_cpus.as_ref().filter(|s| !s.is_empty()) {
        facts.push(fact("cpuset", set.clone(), "the only CPUs it may run on"));
    }
    facts.push(match st.pids_limit {
        Some(l) => fact(
            "pids",
            format!("{} of {l}", st.pids_current),
            "fork fails once it has this many tasks (a fork bomb stops here)",
        ),
        None => fact(
            "pids",
            format!("{} (no limit)", st.pids_current),
            "tasks counted, none refused",
        ),
    });
    facts.push(fact(
        "block io",
        format!(
            "{} read, {} written",
            bytes_size(st.io_read_bytes),
            bytes_size(st.io_write_bytes)
        ),
        "disk traffic charged to it",
    ));
    if st.oom_kills > 0 {
        facts.push(fact(
            "oom kills",
            st.oom_kills.to_string(),
            "processes the OOM killer ended for going over the memory limit",
        ));
    }
    Some(Section {
        title: "Cgroup",
        lead: "a cgroup counts and limits what a group of processes uses; every process \
               of the container is in this one"
            .into(),
        facts,
    })
}

fn rootfs(a: &Anatomy) -> Section {
    let r = &a.rootfs;
    let mut facts = Vec::new();
    for (i, l) in r.lower.iter().enumerate() {
        let step = r.layers.iter().find(|s| &s.dir == l);
        let what = if i == 0 {
            "read-only image layer (top-most first), shared by every container of the image"
        } else {
            "read-only image layer"
        };
        let meaning = match step {
            Some(s) if !s.created_by.is_empty() => format!(
                "{what}; made by `{}` ({})",
                s.created_by.trim_end_matches(" # buildkit"),
                bytes_size(s.size)
            ),
            Some(s) => format!("{what} ({})", bytes_size(s.size)),
            None => what.to_string(),
        };
        facts.push(fact(if i == 0 { "lower" } else { "" }, l.clone(), meaning));
    }
    facts.push(fact(
        "upper",
        r.upper.clone(),
        "its own writes: a changed file is copied up here first; deletions are whiteouts",
    ));
    facts.push(fact("work", r.work.clone(), "overlayfs's scratch space"));
    facts.push(fact(
        "merged",
        r.merged.clone(),
        if a.running {
            "upper over the lowers: what the container sees as /"
        } else {
            "mounted as the container's / while it runs"
        },
    ));
    Section {
        title: "Root filesystem",
        lead: if r.live {
            "an overlay mount, read from the kernel's mount table".into()
        } else {
            "an overlay mount while it runs; these are its directories".into()
        },
        facts,
    }
}

fn network(a: &Anatomy) -> Section {
    let facts = a
        .links
        .iter()
        .map(|l| {
            fact(
                format!("{} {}", l.container_if, l.addresses.join(" ")),
                format!("↔ {} in bridge {}", l.host_veth, l.bridge),
                format!(
                    "a veth pair: what {} sends comes out of {} on the host, a port of \
                     network {}'s bridge{}",
                    l.container_if,
                    l.host_veth,
                    l.network,
                    if l.up { "" } else { " (link down)" }
                ),
            )
        })
        .collect::<Vec<_>>();
    Section {
        title: "Network",
        lead: if facts.is_empty() {
            "no veth: only loopback, or the host's network".into()
        } else {
            "each network is a veth pair: one end inside, one on a bridge on the host".into()
        },
        facts,
    }
}

fn ips(v: &[std::net::Ipv4Addr]) -> String {
    if v.is_empty() {
        return "no answer".into();
    }
    v.iter()
        .map(|ip| ip.to_string())
        .collect::<Vec<_>>()
        .join(" ")
}

/// A swarm task in the routing mesh: its service's VIP and what names answer, on each
/// network, and the kernel's rules that spread the connections.
fn swarm(a: &Anatomy) -> Option<Section> {
    let t = a.swarm.as_ref()?;
    let mut facts = Vec::new();
    for n in &t.networks {
        let me = n.task_ip.map_or("?".into(), |ip| ip.to_string());
        match n.vip {
            Some(vip) => facts.push(fact(
                format!("{} VIP", n.network),
                vip.to_string(),
                format!(
                    "the service's virtual IP: held by no container; the host answers for it \
                     on the bridge and hands each new connection to one ready task \
                     (this one is {me})"
                ),
            )),
            None => facts.push(fact(
                format!("{} address", n.network),
                me,
                "no VIP here: clients reach the tasks by their own addresses",
            )),
        }
        if n.network == "ingress" && n.name_answer.is_empty() {
            continue;
        }
        facts.push(fact(
            format!("  DNS {}", t.service),
            ips(&n.name_answer),
            if n.vip.is_some() {
                "the service's name answers with the VIP"
            } else {
                "dnsrr: the service's name answers with every task (clients pick one)"
            },
        ));
        facts.push(fact(
            format!("  DNS tasks.{}", t.service),
            ips(&n.tasks_answer),
            "every task's own address, whatever the endpoint mode",
        ));
    }
    for r in &t.rules {
        facts.push(fact(
            "nft",
            r.clone(),
            "numgen inc: the kernel gives new connections to the tasks in turn; \
             conntrack keeps each on its task",
        ));
    }
    Some(Section {
        title: "Swarm",
        lead: format!(
            "task {} of service {}: the routing mesh, as the kernel holds it",
            t.task, t.service
        ),
        facts,
    })
}

fn security(a: &Anatomy) -> Option<Section> {
    let s = a.security.as_ref()?;
    let all = berth_engine::container::anatomy::cap_names(u64::MAX).len();
    let root = s.uid.split('/').next() == Some("0");
    let mut facts = vec![
        fact(
            "user",
            format!("uid {} gid {}", s.uid, s.gid),
            if root {
                "root in here, held back by the capabilities below"
            } else {
                "an unprivileged user"
            },
        ),
        fact(
            "capabilities",
            format!("{} of {all}", s.effective_caps.len()),
            if s.effective_caps.iter().any(|c| c == "CAP_SYS_ADMIN") {
                "CAP_SYS_ADMIN is among them: it may mount and much else (privileged)"
            } else {
                "no CAP_SYS_ADMIN, CAP_NET_ADMIN or CAP_SYS_MODULE: no mounts, no \
                 network changes, no kernel modules"
            },
        ),
    ];
    facts.push(fact("", s.effective_caps.join(" "), ""));
    facts.push(fact(
        "no_new_privs",
        s.no_new_privs.to_string(),
        if s.no_new_privs {
            "setuid programs cannot gain privileges"
        } else {
            "setuid programs may gain privileges"
        },
    ));
    facts.push(fact(
        "seccomp",
        match s.seccomp {
            0 => "off",
            1 => "strict",
            _ => "filter",
        },
        if s.seccomp == 2 {
            "a syscall filter refuses calls such as kexec_load and reboot"
        } else {
            "every syscall reaches the kernel"
        },
    ));
    Some(Section {
        title: "Privileges",
        lead: "what the first process may do, from /proc/PID/status".into(),
        facts,
    })
}

fn mount_meaning(m: &MountEntry) -> &'static str {
    let under_proc = m.target.starts_with("/proc/") || m.target.starts_with("/sys/firmware");
    if under_proc && (m.root.ends_with("/null") || m.fstype == "tmpfs") {
        return "masked: hidden from the container";
    }
    if under_proc && m.options.split(',').next() == Some("ro") {
        return "read-only, so the container cannot change kernel settings";
    }
    match (m.target.as_str(), m.fstype.as_str()) {
        ("/", _) => "the overlay root",
        ("/proc", _) => "a proc of its own PID namespace: only its processes",
        ("/sys", _) => "sysfs, read-only",
        ("/dev", _) => "a small /dev with only the safe devices",
        ("/dev/pts", _) => "its own pseudo-terminals",
        ("/dev/shm", _) => "shared memory, private to its IPC namespace",
        ("/dev/mqueue", _) => "POSIX message queues",
        ("/etc/hosts" | "/etc/hostname" | "/etc/resolv.conf", _) => "written by berth and bound in",
        (t, _) if t.starts_with("/sys/fs/cgroup") => "its cgroup, seen as the root",
        (_, "tmpfs") => "a tmpfs: in memory, gone when it stops",
        _ => "a bind mount or volume from the host",
    }
}

fn mounts(a: &Anatomy) -> Section {
    Section {
        title: "Mounts",
        lead: "its mount table, from /proc/PID/mountinfo".into(),
        facts: a
            .mounts
            .iter()
            .map(|m| {
                fact(
                    m.target.clone(),
                    format!("{} {}", m.fstype, m.options),
                    mount_meaning(m),
                )
            })
            .collect(),
    }
}

/// The sections as plain text, for `berth anatomy`.
pub fn render_text(a: &Anatomy) -> String {
    let mut s = format!("{} ({})", a.name, &a.id[..12.min(a.id.len())]);
    if a.running {
        s.push_str(&format!(", PID {} on the host\n", a.pid));
    } else {
        s.push_str(", not running\n");
    }
    for sec in explain(a) {
        s.push_str(&format!("\n{}: {}\n", sec.title, sec.lead));
        let lw = sec.label_width();
        for f in &sec.facts {
            let pad = lw - f.label.chars().count();
            s.push_str(&format!("  {}{}  {}", f.label, " ".repeat(pad), f.value));
            if !f.meaning.is_empty() {
                s.push_str(&format!("  # {}", f.meaning));
            }
            s.push('\n');
        }
    }
    s
}

/// A running container's anatomy for tests of the words and of the pane.
#[cfg(test)]
pub(crate) fn sample() -> Anatomy {
    use berth_engine::container::anatomy::*;
    Anatomy {
        id: "0123456789abcdef".into(),
        name: "web".into(),
        running: true,
        pid: 4242,
        namespaces: vec![
            NamespaceIds {
                kind: "pid".into(),
                inside: 4026532301,
                host: 4026531836,
            },
            NamespaceIds {
                kind: "net".into(),
                inside: 4026532304,
                host: 4026531840,
            },
            NamespaceIds {
                kind: "user".into(),
                inside: 4026531837,
                host: 4026531837,
            },
        ],
        processes: vec![ProcessIds {
            host_pid: 4242,
            pid_inside: 1,
            command: "httpd -f -p 8080".into(),
        }],
        rootfs: RootfsAnatomy {
            lower: vec!["/var/lib/berth/layers/60c1".into()],
            layers: vec![berth_engine::image::LayerStep {
                dir: "/var/lib/berth/layers/60c1".into(),
                created_by: "COPY site/ /www # buildkit".into(),
                size: 2048,
            }],
            upper: "/var/lib/berth/containers/c1/upper".into(),
            work: "/var/lib/berth/containers/c1/work".into(),
            merged: "/var/lib/berth/containers/c1/merged".into(),
            live: true,
        },
        links: vec![LinkAnatomy {
            network: "demo".into(),
            host_veth: "veth1a2b3c4".into(),
            bridge: "br-abcdef012345".into(),
            container_if: "eth0".into(),
            mac: "02:42:ac:12:00:02".into(),
            addresses: vec!["172.18.0.2/16".into()],
            up: true,
        }],
        mounts: vec![MountEntry {
            target: "/proc/kcore".into(),
            root: "/null".into(),
            fstype: "devtmpfs".into(),
            source: "udev".into(),
            options: "rw,nosuid".into(),
        }],
        ..Default::default()
    }
}
#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_fact_says_what_it_means() {
        let text = render_text(&sample());
        assert!(text.contains("PID 4242 on the host"), "{text}");
        assert!(text.contains("4026532301 (host 4026531836)"), "{text}");
        assert!(text.contains("its own process numbers"), "{text}");
        assert!(text.contains("no user namespace"), "{text}");
        assert!(text.contains("PID 1 in here, 4242 on the host"), "{text}");
        assert!(text.contains("masked: hidden from the container"), "{text}");
    }

    #[test]
    fn a_stopped_container_shows_only_its_directories() {
        let a = Anatomy {
            id: "abc".into(),
            name: "db".into(),
            ..Default::default()
        };
        let secs = explain(&a);
        assert_eq!(secs.len(), 1);
        assert_eq!(secs[0].title, "Root filesystem");
    }
}
