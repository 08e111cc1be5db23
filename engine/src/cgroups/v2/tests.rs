//! The v2 manager over fixture trees: delegation through `cgroup.subtree_control`, the
//! controller files it writes, refusal when the root lacks a controller, and stats.

use std::fs;
use std::path::Path;

use super::*;

fn root(controllers: &str, subtree: &str) -> tempfile::TempDir {
    let tmp = tempfile::tempdir().unwrap();
    fs::write(
        tmp.path().join("cgroup.controllers"),
        format!("{controllers}\n"),
    )
    .unwrap();
    fs::write(
        tmp.path().join("cgroup.subtree_control"),
        format!("{subtree}\n"),
    )
    .unwrap();
    tmp
}

fn manager(r: &Path, parent: &str) -> V2Manager {
    V2Manager::new(r, parent, "c1").with_machine(Machine::with_cpus(2))
}

fn read(p: impl AsRef<Path>) -> String {
    fs::read_to_string(p).unwrap().trim().to_string()
}

#[test]
fn create_delegates_and_writes_limits() {
    let tmp = root("cpuset cpu io memory hugetlb pids rdma misc", "");
    let r = tmp.path();
    let m = manager(r, "berth-x");
    let res = Resources {
        memory: Some(64 << 20),
        memory_swap: Some(-1),
        nano_cpus: Some(250_000_000),
        cpu_shares: Some(1024),
        pids_limit: Some(-1),
        cpuset_cpus: Some("0-1".into()),
        cpuset_mems: Some("0".into()),
        all_devices: false,
        ..Default::default()
    };
    m.create(&res).unwrap();
    assert_eq!(
        read(r.join("cgroup.subtree_control")),
        "+cpuset +cpu +io +memory +pids"
    );
    assert_eq!(
        read(r.join("berth-x/cgroup.subtree_control")),
        "+cpuset +cpu +io +memory +pids"
    );
    let leaf = r.join("berth-x/c1");
    assert_eq!(m.paths(), vec![leaf.clone()]);
    assert_eq!(read(leaf.join("memory.max")), "67108864");
    assert_eq!(read(leaf.join("cpu.max")), "25000 100000");
    assert_eq!(read(leaf.join("cpu.weight")), "39");
    assert_eq!(read(leaf.join("pids.max")), "max");
    assert_eq!(read(leaf.join("cpuset.cpus")), "0-1");
    assert_eq!(read(leaf.join("cpuset.mems")), "0");
    // The leaf itself delegates nothing: it holds the processes.
    assert!(!leaf.join("cgroup.subtree_control").exists());
}

#[test]
fn only_missing_controllers_are_enabled_at_every_level() {
    let tmp = root("cpu memory pids", "cpu memory");
    let r = tmp.path();
    manager(r, "outer/inner")
        .create(&Resources::default())
        .unwrap();
    assert_eq!(read(r.join("cgroup.subtree_control")), "+pids");
    assert_eq!(
        read(r.join("outer/cgroup.subtree_control")),
        "+cpu +memory +pids"
    );
    assert_eq!(
        read(r.join("outer/inner/cgroup.subtree_control")),
        "+cpu +memory +pids"
    );
    assert!(r.join("outer/inner/c1").is_dir());
}

#[test]
fn missing_controller_is_refused_before_any_mkdir() {
    // A hybrid host's v2 tree: no controllers at all.
    let tmp = root("", "");
    let r = tmp.path();
    let err = manager(r, "berth-x")
        .create(&Resources {
            memory: Some(64 << 20),
            ..Default::default()
        })
        .unwrap_err();
    assert!(matches!(err, Error::InvalidArgument(_)), "{err}");
    assert!(
        err.to_string()
            .contains("memory controller is not available"),
        "{err}"
    );
    assert!(!r.join("berth-x").exists());
    // Without limits it is fine: the cgroup still groups the processes.
    manager(r, "berth-x").create(&Resources::default()).unwrap();
    assert_eq!(read(r.join("cgroup.subtree_control")), "");
}

#[test]
fn stats_from_fixture_files() {
    let tmp = root("cpu io memory pids", "");
    let r = tmp.path();
    let m = manager(r, "berth-x");
    m.create(&Resources::default()).unwrap();
    let leaf = r.join("berth-x/c1");
    fs::write(leaf.join("cgroup.procs"), "10\n11\n").unwrap();
    fs::write(leaf.join("memory.current"), "4194304\n").unwrap();
    fs::write(leaf.join("memory.max"), "max\n").unwrap();
    fs::write(
        leaf.join("memory.stat"),
        "anon 0\nfile 8192\ninactive_file 8192\n",
    )
    .unwrap();
    fs::write(
        leaf.join("memory.events"),
        "low 0\nhigh 0\nmax 0\noom 1\noom_kill 1\n",
    )
    .unwrap();
    fs::write(
        leaf.join("cpu.stat"),
        "usage_usec 2500\nuser_usec 2000\nsystem_usec 500\n",
    )
    .unwrap();
    fs::write(
        leaf.join("io.stat"),
        "8:0 rbytes=100 wbytes=200 rios=1 wios=1 dbytes=0 dios=0\n",
    )
    .unwrap();
    // No pids.current: the count falls back to cgroup.procs.
    let st = m.stats().unwrap();
    let want = Stats {
        memory_usage: 4194304,
        memory_limit: None,
        memory_inactive_file: 8192,
        memory_stat: [("anon", 0), ("file", 8192), ("inactive_file", 8192)]
            .into_iter()
            .map(|(k, v)| (k.to_string(), v))
            .collect(),
        cpu_usage_ns: 2_500_000,
        cpu_user_ns: 2_000_000,
        cpu_system_ns: 500_000,
        pids_current: 2,
        pids_limit: None,
        io_read_bytes: 100,
        io_write_bytes: 200,
        io_devices: vec![crate::cgroups::IoDevice {
            major: 8,
            minor: 0,
            read_bytes: 100,
            write_bytes: 200,
        }],
        oom_kills: 1,
        ..Default::default()
    };
    assert_eq!(st, want);
    fs::write(leaf.join("pids.current"), "3\n").unwrap();
    fs::write(leaf.join("pids.max"), "20\n").unwrap();
    let st = m.stats().unwrap();
    assert_eq!((st.pids_current, st.pids_limit), (3, Some(20)));
    assert_eq!(m.procs().unwrap(), vec![10, 11]);
}

#[test]
fn update_checks_and_writes() {
    let tmp = root("cpu memory", "");
    let r = tmp.path();
    let m = manager(r, "berth-x");
    assert!(m.update(&Resources::default()).unwrap_err().is_not_found());
    m.create(&Resources::default()).unwrap();
    m.update(&Resources {
        nano_cpus: Some(2_000_000_000),
        ..Default::default()
    })
    .unwrap();
    assert_eq!(read(r.join("berth-x/c1/cpu.max")), "200000 100000");
    let err = m
        .update(&Resources {
            pids_limit: Some(3),
            ..Default::default()
        })
        .unwrap_err();
    assert!(err.to_string().contains("pids controller"), "{err}");
}
