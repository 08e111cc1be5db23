//! The v1 manager over fixture trees: which directories it makes in which hierarchy,
//! the cpuset copy on the way down, rollback, and stats read back from fixture files.

use std::fs;
use std::path::Path;

use super::*;

/// A legacy/hybrid root as the kernel would show it: controller directories with the
/// files a new cgroup reads from its parent.
fn root(comounted: bool, hybrid: bool) -> tempfile::TempDir {
    let tmp = tempfile::tempdir().unwrap();
    let r = tmp.path();
    let mut dirs = vec!["cpuset", "memory", "devices", "freezer", "blkio", "pids"];
    if comounted {
        dirs.push("cpu,cpuacct");
    } else {
        dirs.extend(["cpu", "cpuacct"]);
    }
    for d in dirs {
        fs::create_dir(r.join(d)).unwrap();
    }
    if comounted {
        std::os::unix::fs::symlink("cpu,cpuacct", r.join("cpu")).unwrap();
        std::os::unix::fs::symlink("cpu,cpuacct", r.join("cpuacct")).unwrap();
    }
    fs::write(r.join("cpuset/cpuset.cpus"), "0-1\n").unwrap();
    fs::write(r.join("cpuset/cpuset.mems"), "0\n").unwrap();
    if hybrid {
        fs::create_dir(r.join("unified")).unwrap();
        fs::write(r.join("unified/cgroup.controllers"), "").unwrap();
    }
    tmp
}

fn manager(r: &Path, hybrid: bool) -> V1Manager {
    V1Manager::new(r, "berth-x", "c1", hybrid.then(|| r.join("unified")))
        .unwrap()
        .with_machine(Machine::with_cpus(2))
}

fn read(p: impl AsRef<Path>) -> String {
    fs::read_to_string(p).unwrap().trim().to_string()
}

fn full() -> Resources {
    Resources {
        memory: Some(64 << 20),
        memory_swap: Some(128 << 20),
        memory_reservation: None,
        nano_cpus: Some(1_500_000_000),
        cpu_period: None,
        cpu_quota: None,
        cpu_shares: Some(512),
        pids_limit: Some(100),
        cpuset_cpus: Some("1".into()),
        cpuset_mems: Some("0".into()),
        all_devices: false,
        ..Default::default()
    }
}

#[test]
fn create_writes_each_controller() {
    let tmp = root(false, true);
    let r = tmp.path();
    let m = manager(r, true);
    m.create(&full()).unwrap();
    let leaf = |c: &str| r.join(c).join("berth-x/c1");
    assert_eq!(
        read(leaf("memory").join("memory.limit_in_bytes")),
        "67108864"
    );
    // The fixture has no memsw file, as on a kernel without swap accounting.
    assert!(!leaf("memory").join("memory.memsw.limit_in_bytes").exists());
    assert_eq!(read(leaf("cpu").join("cpu.cfs_period_us")), "100000");
    assert_eq!(read(leaf("cpu").join("cpu.cfs_quota_us")), "150000");
    assert_eq!(read(leaf("cpu").join("cpu.shares")), "512");
    assert_eq!(read(leaf("pids").join("pids.max")), "100");
    assert_eq!(read(leaf("cpuset").join("cpuset.cpus")), "1");
    // The shared parent got the root's sets before the leaf was narrowed.
    assert_eq!(read(r.join("cpuset/berth-x/cpuset.cpus")), "0-1");
    assert_eq!(read(r.join("cpuset/berth-x/cpuset.mems")), "0");
    for c in ["devices", "freezer", "blkio", "cpuacct", "unified"] {
        assert!(leaf(c).is_dir(), "{c}");
    }
    assert_eq!(m.paths().len(), 9);
}

#[test]
fn comounted_controllers_share_one_directory() {
    let tmp = root(true, false);
    let r = tmp.path();
    let m = manager(r, false);
    m.create(&full()).unwrap();
    let cpu = r.join("cpu,cpuacct/berth-x/c1");
    assert_eq!(read(cpu.join("cpu.shares")), "512");
    assert_eq!(m.controller_path("cpuacct"), Some(cpu.clone()));
    let paths = m.paths();
    assert_eq!(paths.iter().filter(|p| **p == cpu).count(), 1);
    assert!(!paths
        .iter()
        .any(|p| p.starts_with(r.join("cpu")) || p.starts_with(r.join("cpuacct"))));
}

#[test]
fn missing_controllers_create_nothing() {
    // (The limits' values are checked before a manager sees them: container::limits.)
    let tmp = root(false, false);
    let r = tmp.path();
    fs::remove_dir(r.join("pids")).unwrap();
    let m = manager(r, false);
    let err = m
        .create(&Resources {
            pids_limit: Some(10),
            ..Default::default()
        })
        .unwrap_err();
    assert!(
        matches!(err, Error::InvalidArgument(_)) && err.to_string().contains("pids"),
        "{err}"
    );
    assert!(!r.join("memory/berth-x").exists());
}

#[test]
fn failure_midway_removes_what_it_made() {
    let tmp = root(false, true);
    let r = tmp.path();
    // The cpuset root without cpuset.cpus: copying into the new parent fails after the
    // blkio and cpu cgroups were made.
    fs::remove_file(r.join("cpuset/cpuset.cpus")).unwrap();
    fs::create_dir(r.join("memory/berth-x")).unwrap();
    fs::create_dir(r.join("memory/berth-x/other")).unwrap();
    let err = manager(r, true).create(&Resources::default()).unwrap_err();
    assert!(err.to_string().contains("cpuset.cpus"), "{err}");
    for c in ["blkio", "cpu", "cpuacct", "cpuset", "unified"] {
        assert!(!r.join(c).join("berth-x").exists(), "{c}");
    }
    // What was already there stays.
    assert!(r.join("memory/berth-x/other").is_dir());
}

#[test]
fn tasks_and_stats_from_fixture_files() {
    let tmp = root(false, false);
    let r = tmp.path();
    let m = manager(r, false);
    m.create(&Resources::default()).unwrap();
    m.add_task(4242).unwrap();
    assert_eq!(read(r.join("freezer/berth-x/c1/cgroup.procs")), "4242");
    // Play the kernel: the counters a running container would have.
    let leaf = |c: &str| r.join(c).join("berth-x/c1");
    fs::write(leaf("memory").join("memory.usage_in_bytes"), "8388608\n").unwrap();
    fs::write(leaf("memory").join("memory.limit_in_bytes"), "67108864\n").unwrap();
    fs::write(
        leaf("memory").join("memory.stat"),
        "cache 4096\nrss 1024\ntotal_inactive_file 2048\n",
    )
    .unwrap();
    fs::write(
        leaf("memory").join("memory.oom_control"),
        "oom_kill_disable 0\nunder_oom 0\noom_kill 1\n",
    )
    .unwrap();
    fs::write(leaf("cpuacct").join("cpuacct.usage"), "5000000\n").unwrap();
    fs::write(leaf("pids").join("pids.current"), "2\n").unwrap();
    fs::write(leaf("pids").join("pids.max"), "max\n").unwrap();
    fs::write(
        leaf("blkio").join("blkio.throttle.io_service_bytes_recursive"),
        "8:0 Read 512\n8:0 Write 1024\n",
    )
    .unwrap();
    let st = m.stats().unwrap();
    let want = Stats {
        memory_usage: 8388608,
        memory_limit: Some(67108864),
        memory_inactive_file: 2048,
        memory_stat: [
            ("cache", 4096),
            ("rss", 1024),
            ("total_inactive_file", 2048),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_string(), v))
        .collect(),
        cpu_usage_ns: 5000000,
        pids_current: 2,
        pids_limit: None,
        io_read_bytes: 512,
        io_write_bytes: 1024,
        io_devices: vec![crate::cgroups::IoDevice {
            major: 8,
            minor: 0,
            read_bytes: 512,
            write_bytes: 1024,
        }],
        oom_kills: 1,
        ..Default::default()
    };
    assert_eq!(st, want);
    fs::write(leaf("freezer").join("freezer.state"), "THAWED\n").unwrap();
    m.freeze().unwrap();
    assert!(m.is_frozen().unwrap());
    m.thaw().unwrap();
}

#[test]
fn update_needs_the_cgroup() {
    let tmp = root(false, false);
    let m = manager(tmp.path(), false);
    let err = m
        .update(&Resources {
            pids_limit: Some(5),
            ..Default::default()
        })
        .unwrap_err();
    assert!(err.is_not_found(), "{err}");
    m.create(&Resources::default()).unwrap();
    m.update(&Resources {
        pids_limit: Some(5),
        ..Default::default()
    })
    .unwrap();
    assert_eq!(read(tmp.path().join("pids/berth-x/c1/pids.max")), "5");
}

#[test]
fn devices_are_set_at_create_and_left_alone_by_update() {
    let tmp = root(false, false);
    let r = tmp.path();
    let m = manager(r, false);
    m.create(&Resources {
        device_rules: vec!["c 1:3 rw".into()],
        oom_kill_disable: true,
        ..Default::default()
    })
    .unwrap();
    let leaf = r.join("devices/berth-x/c1");
    assert_eq!(read(leaf.join("devices.allow")), "c 1:3 rw");
    assert_eq!(read(r.join("memory/berth-x/c1/memory.oom_control")), "1");
    // An update carries no device list; a rewrite would deny the --device node again.
    fs::write(leaf.join("devices.allow"), "untouched").unwrap();
    m.update(&Resources {
        pids_limit: Some(5),
        ..Default::default()
    })
    .unwrap();
    assert_eq!(read(leaf.join("devices.allow")), "untouched");
}
