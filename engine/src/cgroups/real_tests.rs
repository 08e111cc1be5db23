//! Tests against the running kernel, as root: the v1 hierarchies of this (hybrid) machine
//! and its cgroup2 mount, plus a fresh cgroup2 mount in a private mount namespace.
//! They skip (with a note on stderr) where the needed hierarchy or privilege is missing.
//!
//! Every test works under its own parent, `berth-test-<pid>-<n>`, and a [`Scratch`] guard
//! removes that parent from every hierarchy when the test ends, panics included, so
//! nothing named `berth*` is left under /sys/fs/cgroup.

use std::fs;
use std::os::unix::process::ExitStatusExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::thread;
use std::time::Duration;

use nix::sys::signal::{kill, Signal};
use nix::unistd::Pid;

use super::mounts::v1_mounts;
use super::*;

const ROOT: &str = "/sys/fs/cgroup";
const BUSY: &str = "while :; do :; done";

fn usable() -> bool {
    nix::unistd::geteuid().is_root() && Path::new(ROOT).is_dir()
}

/// The v1 root. These tests check the real kernel: run as root on a host with v1
/// controllers (hybrid or legacy, as the development and CI machines are); elsewhere
/// they fail saying so rather than pass without checking anything.
fn v1_root() -> PathBuf {
    assert!(usable(), "this test runs as root, with {ROOT} mounted");
    assert!(
        matches!(
            detect(Path::new(ROOT)),
            Ok(Hierarchy::Hybrid | Hierarchy::Legacy)
        ),
        "this test needs cgroup v1 controllers (a hybrid or legacy host)"
    );
    PathBuf::from(ROOT)
}

/// This machine's cgroup2 mount: the root on unified hosts, `unified/` on hybrid ones.
/// This machine's cgroup2 mount; fails the test where there is none (see `v1_root`).
fn v2_root() -> PathBuf {
    assert!(usable(), "this test runs as root, with {ROOT} mounted");
    match detect(Path::new(ROOT)) {
        Ok(Hierarchy::Unified) => PathBuf::from(ROOT),
        Ok(Hierarchy::Hybrid) => Path::new(ROOT).join("unified"),
        other => {
            panic!("this test needs a cgroup2 mount (unified or hybrid host), found {other:?}")
        }
    }
}

/// The root and every real directory under it (v1 hierarchies, `unified`, `systemd`).
fn hierarchies() -> Vec<PathBuf> {
    let mut out = vec![PathBuf::from(ROOT)];
    if let Ok(rd) = fs::read_dir(ROOT) {
        for e in rd.flatten() {
            if e.file_type().map(|t| t.is_dir()).unwrap_or(false) {
                out.push(e.path());
            }
        }
    }
    out
}

/// Directories under `dir`, deepest first, then `dir` itself.
fn walk(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    if let Ok(rd) = fs::read_dir(dir) {
        for e in rd.flatten() {
            if e.file_type().map(|t| t.is_dir()).unwrap_or(false) {
                out.extend(walk(&e.path()));
            }
        }
    }
    out.push(dir.to_path_buf());
    out
}

struct Scratch {
    parent: String,
    children: Vec<Child>,
}

impl Scratch {
    fn new() -> Self {
        static N: AtomicUsize = AtomicUsize::new(0);
        let parent = format!(
            "berth-test-{}-{}",
            std::process::id(),
            N.fetch_add(1, Ordering::SeqCst)
        );
        Scratch {
            parent,
            children: Vec::new(),
        }
    }

    fn spawn(&mut self, script: &str) -> i32 {
        let child = Command::new("sh")
            .args(["-c", script])
            .spawn()
            .expect("spawn sh");
        let pid = child.id() as i32;
        self.children.push(child);
        pid
    }

    fn reap(&mut self, pid: i32) -> ExitStatus {
        let i = self
            .children
            .iter()
            .position(|c| c.id() as i32 == pid)
            .expect("our child");
        self.children.remove(i).wait().expect("wait")
    }

    fn leftovers(&self) -> Vec<PathBuf> {
        hierarchies()
            .into_iter()
            .map(|h| h.join(&self.parent))
            .filter(|p| p.exists())
            .collect()
    }

    fn assert_gone(&self) {
        assert_eq!(self.leftovers(), Vec::<PathBuf>::new());
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let dirs: Vec<PathBuf> = self.leftovers().iter().flat_map(|d| walk(d)).collect();
        // Thaw first: a task frozen by the v1 freezer would not die, and wait() would hang.
        for d in &dirs {
            let _ = fs::write(d.join("freezer.state"), "THAWED");
            let _ = fs::write(d.join("cgroup.freeze"), "0");
        }
        for d in &dirs {
            if let Ok(text) = fs::read_to_string(d.join("cgroup.procs")) {
                for pid in text.lines().filter_map(|l| l.trim().parse().ok()) {
                    let _ = kill(Pid::from_raw(pid), Signal::SIGKILL);
                }
            }
        }
        for mut c in self.children.drain(..) {
            let _ = c.kill();
            let _ = c.wait();
        }
        for d in &dirs {
            for _ in 0..50 {
                if fs::remove_dir(d).is_ok() || !d.exists() {
                    break;
                }
                thread::sleep(Duration::from_millis(20));
            }
        }
    }
}

fn read(p: impl AsRef<Path>) -> String {
    fs::read_to_string(p.as_ref())
        .unwrap_or_else(|e| panic!("{}: {e}", p.as_ref().display()))
        .trim()
        .to_string()
}

/// utime + stime of `pid`, in clock ticks.
fn cpu_ticks(pid: i32) -> u64 {
    let stat = read(format!("/proc/{pid}/stat"));
    let after = &stat[stat.rfind(')').unwrap() + 2..];
    let f: Vec<&str> = after.split_whitespace().collect();
    // Fields 14 and 15 of stat(5), counted from the state field (3) here.
    f[11].parse::<u64>().unwrap() + f[12].parse::<u64>().unwrap()
}

fn assert_stopped(pid: i32) {
    let t = cpu_ticks(pid);
    thread::sleep(Duration::from_millis(200));
    assert_eq!(cpu_ticks(pid), t, "pid {pid} ran while frozen");
}

fn killed(status: ExitStatus) -> bool {
    status.signal() == Some(libc::SIGKILL)
}

#[test]
fn v1_lifecycle_on_this_host() {
    let root = v1_root();
    let mut s = Scratch::new();
    let m = open(&root, &s.parent, "c1").unwrap();
    let res = Resources {
        memory: Some(64 << 20),
        memory_swap: Some(128 << 20),
        nano_cpus: Some(500_000_000),
        cpu_shares: Some(512),
        pids_limit: Some(50),
        cpuset_cpus: Some("0".into()),
        cpuset_mems: Some("0".into()),
        all_devices: false,
        ..Default::default()
    };
    m.create(&res).unwrap();

    let mounts = v1_mounts(&root).unwrap().controllers;
    let parent = s.parent.clone();
    let leaf = |c: &str| mounts[c].join(&parent).join("c1");
    assert_eq!(
        read(leaf("memory").join("memory.limit_in_bytes")),
        "67108864"
    );
    let memsw = leaf("memory").join("memory.memsw.limit_in_bytes");
    if memsw.exists() {
        assert_eq!(read(&memsw), "134217728");
    }
    assert_eq!(read(leaf("cpu").join("cpu.cfs_period_us")), "100000");
    assert_eq!(read(leaf("cpu").join("cpu.cfs_quota_us")), "50000");
    assert_eq!(read(leaf("cpu").join("cpu.shares")), "512");
    assert_eq!(read(leaf("pids").join("pids.max")), "50");
    assert_eq!(read(leaf("cpuset").join("cpuset.cpus")), "0");
    assert_eq!(
        read(mounts["cpuset"].join(&s.parent).join("cpuset.cpus")),
        read(mounts["cpuset"].join("cpuset.cpus"))
    );
    if detect(&root).unwrap() == Hierarchy::Hybrid {
        let unified = root.join("unified").join(&s.parent).join("c1");
        assert!(unified.is_dir() && m.paths().contains(&unified));
    }

    let pid = s.spawn(BUSY);
    m.add_task(pid).unwrap();
    assert_eq!(m.procs().unwrap(), vec![pid]);
    assert!(read(format!("/proc/{pid}/cgroup")).contains(&format!("memory:/{}/c1", s.parent)));
    // Every v1 hierarchy, named ones (name=systemd) and unmanaged ones included.
    let at_root = super::confine::hierarchies_at_root(&read(format!("/proc/{pid}/cgroup")));
    assert!(at_root.is_empty(), "left at the root of {at_root:?}");
    super::confine::check_own_cgroups(pid).unwrap();
    thread::sleep(Duration::from_millis(200));
    let st = m.stats().unwrap();
    assert_eq!(
        (st.pids_current, st.pids_limit, st.memory_limit),
        (1, Some(50), Some(64 << 20))
    );
    assert!(st.cpu_usage_ns > 0, "{st:?}");
    assert_eq!(st.oom_kills, 0);

    m.freeze().unwrap();
    assert!(m.is_frozen().unwrap());
    assert!(
        read(format!("/proc/{pid}/status")).contains("State:\tD"),
        "v1-frozen tasks show as D"
    );
    assert_stopped(pid);
    m.thaw().unwrap();
    assert!(!m.is_frozen().unwrap());

    m.update(&Resources {
        memory: Some(32 << 20),
        memory_swap: Some(32 << 20),
        ..Default::default()
    })
    .unwrap();
    assert_eq!(
        read(leaf("memory").join("memory.limit_in_bytes")),
        "33554432"
    );

    // kill_all on a frozen cgroup must thaw it for SIGKILL to land.
    m.freeze().unwrap();
    m.kill_all().unwrap();
    assert_eq!(m.procs().unwrap(), Vec::<i32>::new());
    assert!(killed(s.reap(pid)));
    assert!(!m.is_frozen().unwrap());

    m.destroy().unwrap();
    assert!(m.paths().iter().all(|p| !p.exists()));
    s.assert_gone();
    m.destroy().unwrap();
}

#[test]
fn v1_failed_create_leaves_nothing() {
    let root = v1_root();
    let s = Scratch::new();
    let unified = (detect(&root).unwrap() == Hierarchy::Hybrid).then(|| root.join("unified"));
    // Pretend the machine has 64 CPUs so validation passes and the kernel refuses CPU 63
    // after every directory was made.
    let m = V1Manager::new(&root, &s.parent, "c1", unified)
        .unwrap()
        .with_machine(Machine::with_cpus(64));
    let err = m
        .create(&Resources {
            cpuset_cpus: Some("63".into()),
            ..Default::default()
        })
        .unwrap_err();
    let msg = err.to_string();
    assert!(
        msg.contains("cpuset.cpus") && msg.contains("\"63\""),
        "{msg}"
    );
    s.assert_gone();
}

#[test]
fn v1_parent_goes_with_the_last_container() {
    let root = v1_root();
    let s = Scratch::new();
    let a = open(&root, &s.parent, "a").unwrap();
    let b = open(&root, &s.parent, "b").unwrap();
    a.create(&Resources::default()).unwrap();
    b.create(&Resources {
        pids_limit: Some(10),
        ..Default::default()
    })
    .unwrap();
    a.destroy().unwrap();
    assert!(a.paths().iter().all(|p| !p.exists()));
    assert!(b.paths().iter().all(|p| p.is_dir()));
    b.destroy().unwrap();
    s.assert_gone();
}

#[test]
fn v2_lifecycle_on_the_real_cgroup2_mount() {
    let root = v2_root();
    let mut s = Scratch::new();
    let m = V2Manager::new(&root, &s.parent, "c1");
    if !read(root.join("cgroup.controllers"))
        .split_whitespace()
        .any(|c| c == "memory")
    {
        // The hybrid host's v2 tree: a memory limit cannot be honoured there.
        let err = m
            .create(&Resources {
                memory: Some(64 << 20),
                ..Default::default()
            })
            .unwrap_err();
        assert!(matches!(err, Error::InvalidArgument(_)), "{err}");
        s.assert_gone();
    }
    m.create(&Resources::default()).unwrap();
    let path = root.join(&s.parent).join("c1");
    assert_eq!(m.paths(), vec![path.clone()]);

    let pid = s.spawn(BUSY);
    m.add_task(pid).unwrap();
    assert_eq!(m.procs().unwrap(), vec![pid]);
    assert!(read(format!("/proc/{pid}/cgroup")).contains(&format!("0::/{}/c1", s.parent)));
    thread::sleep(Duration::from_millis(200));
    let st = m.stats().unwrap();
    assert_eq!(st.pids_current, 1);
    assert!(st.cpu_usage_ns > 0, "{st:?}");

    m.freeze().unwrap();
    assert!(m.is_frozen().unwrap());
    assert!(read(path.join("cgroup.events")).contains("frozen 1"));
    assert_stopped(pid);
    m.thaw().unwrap();
    assert!(!m.is_frozen().unwrap());

    m.freeze().unwrap();
    m.kill_all().unwrap();
    assert_eq!(m.procs().unwrap(), Vec::<i32>::new());
    assert!(killed(s.reap(pid)));
    assert!(!m.is_frozen().unwrap());

    m.destroy().unwrap();
    assert!(!path.exists());
    s.assert_gone();
}

#[test]
fn v2_failed_create_leaves_nothing() {
    let root = v2_root();
    let s = Scratch::new();
    // Our own ancestor allows one level below it, so `pre` is made and `pre/c1` is
    // refused (EAGAIN): create must take `pre` away again.
    let top = root.join(&s.parent);
    fs::create_dir(&top).unwrap();
    fs::write(top.join("cgroup.max.depth"), "1").unwrap();
    let m = V2Manager::new(&root, &format!("{}/pre", s.parent), "c1");
    let err = m.create(&Resources::default()).unwrap_err();
    assert!(err.to_string().contains("pre/c1"), "{err}");
    assert!(!top.join("pre").exists());
    s.assert_gone();
}

/// A child that is killed and reaped however the thread ends.
struct KillOnDrop(Child);

impl Drop for KillOnDrop {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

#[test]
fn v2_fresh_cgroup2_mount_is_detected_and_managed() {
    use nix::mount::{mount, umount2, MntFlags, MsFlags};
    use nix::sched::{unshare, CloneFlags};

    v2_root();
    let s = Scratch::new();
    let parent = s.parent.clone();
    // The mount lives in a mount namespace private to this thread, so nobody else on the
    // machine sees it and it vanishes with the thread even if the test fails.
    let t = thread::spawn(move || {
        unshare(CloneFlags::CLONE_NEWNS).expect("unshare mount namespace");
        mount(
            None::<&str>,
            "/",
            None::<&str>,
            MsFlags::MS_REC | MsFlags::MS_PRIVATE,
            None::<&str>,
        )
        .expect("make / private");
        let tmp = tempfile::tempdir().unwrap();
        mount(
            Some("cgroup2"),
            tmp.path(),
            Some("cgroup2"),
            MsFlags::empty(),
            None::<&str>,
        )
        .expect("mount cgroup2");
        let r = std::panic::catch_unwind(|| {
            let root = tmp.path();
            assert_eq!(detect(root).unwrap(), Hierarchy::Unified);
            let m = open(root, &parent, "c1").unwrap();
            m.create(&Resources::default()).unwrap();
            let mut child = KillOnDrop(Command::new("sleep").arg("1000").spawn().unwrap());
            let pid = child.0.id() as i32;
            m.add_task(pid).unwrap();
            assert_eq!(m.procs().unwrap(), vec![pid]);
            m.kill_all().unwrap();
            assert!(killed(child.0.wait().unwrap()));
            m.destroy().unwrap();
            assert!(!root.join(&parent).exists());
        });
        let _ = umount2(tmp.path(), MntFlags::MNT_DETACH);
        if let Err(p) = r {
            std::panic::resume_unwind(p);
        }
    });
    t.join().expect("test thread");
    s.assert_gone();
}
