//! Building the container's filesystem inside its own mount namespace: overlay root,
//! /proc, /dev, /sys, user mounts and /etc files, then pivot_root and Docker's masked and
//! read-only /proc paths. Everything here runs in the cloned child; mounts vanish with
//! the namespace, so a crash leaves nothing mounted on the host.

use std::fs;
use std::os::unix::fs::PermissionsExt;
use std::path::Path;

use nix::mount::{mount, umount2, MntFlags, MsFlags};
use nix::unistd::{chdir, pivot_root};

use super::devices;
use super::paths::secure_join;
use super::spec::{LaunchSpec, MountKind};

pub type StepResult = Result<(), String>;

fn m(
    src: Option<&str>,
    target: &Path,
    fstype: Option<&str>,
    flags: MsFlags,
    data: Option<&str>,
) -> StepResult {
    mount(src, target, fstype, flags, data).map_err(|e| {
        format!(
            "mount {} on {}: {}",
            fstype.or(src).unwrap_or("?"),
            target.display(),
            e.desc()
        )
    })
}

/// Paths Docker hides from containers (information leaks about the host).
pub const MASKED_PATHS: &[&str] = &[
    "/proc/asound",
    "/proc/acpi",
    "/proc/interrupts",
    "/proc/kcore",
    "/proc/keys",
    "/proc/latency_stats",
    "/proc/timer_list",
    "/proc/timer_stats",
    "/proc/sched_debug",
    "/proc/scsi",
    "/sys/firmware",
    "/sys/devices/virtual/powercap",
];

/// Paths Docker makes read-only (kernel knobs a container must not turn).
pub const READONLY_PATHS: &[&str] = &[
    "/proc/bus",
    "/proc/fs",
    "/proc/irq",
    "/proc/sys",
    "/proc/sysrq-trigger",
];

/// Step 1: stop mount events from propagating back to the host.
pub fn make_private() -> StepResult {
    m(
        None,
        Path::new("/"),
        None,
        MsFlags::MS_REC | MsFlags::MS_PRIVATE,
        None,
    )
}

/// Step 2: the overlay root. overlayfs lists the top-most lower dir first.
pub fn mount_overlay(spec: &LaunchSpec) -> StepResult {
    let lower: Vec<String> = spec
        .lower_dirs
        .iter()
        .rev()
        .map(|p| p.display().to_string())
        .collect();
    let data = format!(
        "lowerdir={},upperdir={},workdir={}",
        lower.join(":"),
        spec.upper_dir.display(),
        spec.work_dir.display()
    );
    m(
        Some("overlay"),
        &spec.rootfs,
        Some("overlay"),
        MsFlags::empty(),
        Some(&data),
    )
}

fn ensure_dir(p: &Path) -> StepResult {
    fs::create_dir_all(p).map_err(|e| format!("create {}: {e}", p.display()))
}

fn ensure_file(p: &Path) -> StepResult {
    if p.exists() {
        return Ok(());
    }
    if let Some(parent) = p.parent() {
        ensure_dir(parent)?;
    }
    fs::File::create(p)
        .map(|_| ())
        .map_err(|e| format!("create {}: {e}", p.display()))
}

/// Step 3: /proc, /dev, /sys and friends, Docker's defaults.
pub fn mount_system(spec: &LaunchSpec) -> StepResult {
    let root = &spec.rootfs;
    let nosuid_noexec_nodev = MsFlags::MS_NOSUID | MsFlags::MS_NOEXEC | MsFlags::MS_NODEV;

    let proc_dir = root.join("proc");
    ensure_dir(&proc_dir)?;
    m(
        Some("proc"),
        &proc_dir,
        Some("proc"),
        nosuid_noexec_nodev,
        None,
    )?;

    let dev = root.join("dev");
    ensure_dir(&dev)?;
    m(
        Some("tmpfs"),
        &dev,
        Some("tmpfs"),
        MsFlags::MS_NOSUID | MsFlags::MS_STRICTATIME,
        Some("mode=755,size=65536k"),
    )?;
    devices::populate(&dev)?;
    if spec.privileged {
        // Docker's --privileged: every device of the host, as the host has it.
        devices::copy_host_devices(Path::new("/dev"), &dev)?;
    }
    for d in &spec.devices {
        devices::make_node(root, d)?;
    }

    let pts = dev.join("pts");
    ensure_dir(&pts)?;
    m(
        Some("devpts"),
        &pts,
        Some("devpts"),
        MsFlags::MS_NOSUID | MsFlags::MS_NOEXEC,
        Some("newinstance,ptmxmode=0666,mode=0620,gid=5"),
    )?;
    mount_shm(spec, &dev.join("shm"))?;
    let mqueue = dev.join("mqueue");
    ensure_dir(&mqueue)?;
    m(
        Some("mqueue"),
        &mqueue,
        Some("mqueue"),
        nosuid_noexec_nodev,
        None,
    )?;

    let sys = root.join("sys");
    ensure_dir(&sys)?;
    // Read-only unless --privileged, as Docker mounts it.
    let ro = if spec.privileged {
        nosuid_noexec_nodev
    } else {
        nosuid_noexec_nodev | MsFlags::MS_RDONLY
    };
    if m(Some("sysfs"), &sys, Some("sysfs"), ro, None).is_err() {
        // Without a private network namespace sysfs cannot be mounted afresh: bind the host's.
        m(
            Some("/sys"),
            &sys,
            None,
            MsFlags::MS_BIND | MsFlags::MS_REC,
            None,
        )?;
        m(
            None,
            &sys,
            None,
            MsFlags::MS_BIND | MsFlags::MS_REMOUNT | ro,
            None,
        )?;
    }
    Ok(())
}

/// /dev/shm as `--ipc` and `--shm-size` ask: a tmpfs of its own, or a bind of the
/// host's or the donor container's (still reachable before pivot_root).
fn mount_shm(spec: &LaunchSpec, shm: &Path) -> StepResult {
    use super::spec::ShmMount;
    let bind = |src: &Path| {
        ensure_dir(shm)?;
        m(
            Some(&src.to_string_lossy()),
            shm,
            None,
            MsFlags::MS_BIND | MsFlags::MS_REC,
            None,
        )
    };
    match &spec.shm {
        ShmMount::None => Ok(()),
        ShmMount::Host => bind(Path::new("/dev/shm")),
        ShmMount::Join(src) => bind(src),
        ShmMount::Private(size) => {
            ensure_dir(shm)?;
            m(
                Some("shm"),
                shm,
                Some("tmpfs"),
                MsFlags::MS_NOSUID | MsFlags::MS_NOEXEC | MsFlags::MS_NODEV,
                Some(&format!("mode=1777,size={size}")),
            )
        }
    }
}

/// Last step (after pivot_root and joining the cgroup namespace): the container's view of
/// its cgroup, showing the container's own cgroup as the root; read-only unless
/// `writable` (`--privileged`, as in Docker). `unified` says whether the host runs pure
/// cgroup v2; it must be read before pivot_root.
pub fn mount_cgroup(unified: bool, writable: bool) -> StepResult {
    mount_cgroupfs(Path::new("/sys/fs/cgroup"), unified, writable)
}

/// Whether the host's cgroup root is a cgroup2 mount (read from the host's view).
pub fn host_is_unified() -> bool {
    Path::new("/sys/fs/cgroup/cgroup.controllers").exists()
}

/// Best effort: a missing controller is skipped.
fn mount_cgroupfs(target: &Path, unified: bool, writable: bool) -> StepResult {
    if !target.exists() {
        return Ok(());
    }
    let mut ro = MsFlags::MS_NOSUID | MsFlags::MS_NOEXEC | MsFlags::MS_NODEV;
    if !writable {
        ro |= MsFlags::MS_RDONLY;
    }
    if unified {
        return m(Some("cgroup2"), target, Some("cgroup2"), ro, None);
    }
    m(
        Some("tmpfs"),
        target,
        Some("tmpfs"),
        MsFlags::MS_NOSUID | MsFlags::MS_NOEXEC | MsFlags::MS_NODEV,
        Some("mode=755"),
    )?;
    for ctrl in [
        "cpu", "cpuacct", "cpuset", "memory", "devices", "freezer", "blkio", "pids",
    ] {
        let dir = target.join(ctrl);
        if ensure_dir(&dir).is_ok() {
            let _ = m(Some("cgroup"), &dir, Some("cgroup"), ro, Some(ctrl));
        }
    }
    m(
        None,
        target,
        None,
        MsFlags::MS_BIND | MsFlags::MS_REMOUNT | ro,
        None,
    )
}

/// Step 4: volumes, binds, tmpfs, and the /etc files, in the order given.
pub fn mount_user(spec: &LaunchSpec) -> StepResult {
    for mnt in &spec.mounts {
        let target = secure_join(&spec.rootfs, &mnt.destination);
        match &mnt.kind {
            MountKind::Bind => {
                if mnt.seed {
                    super::seed::copy_into_empty(&target, &mnt.source)?;
                }
                if mnt.source.is_dir() {
                    ensure_dir(&target)?;
                } else {
                    ensure_file(&target)?;
                }
                let src = mnt.source.to_string_lossy();
                m(
                    Some(&src),
                    &target,
                    None,
                    MsFlags::MS_BIND | MsFlags::MS_REC,
                    None,
                )?;
                if mnt.readonly {
                    m(
                        None,
                        &target,
                        None,
                        MsFlags::MS_BIND | MsFlags::MS_REMOUNT | MsFlags::MS_RDONLY,
                        None,
                    )?;
                }
            }
            MountKind::Tmpfs(opts) => {
                ensure_dir(&target)?;
                let mut flags = opts.flags;
                if mnt.readonly {
                    flags |= MsFlags::MS_RDONLY;
                }
                let data = if opts.data.is_empty() {
                    "mode=1777".to_string()
                } else {
                    opts.data.clone()
                };
                m(Some("tmpfs"), &target, Some("tmpfs"), flags, Some(&data))?;
            }
        }
    }
    for (src, dest) in &spec.etc_files {
        let target = secure_join(&spec.rootfs, dest);
        ensure_file(&target)?;
        let src = src.to_string_lossy();
        m(Some(&src), &target, None, MsFlags::MS_BIND, None)?;
    }
    Ok(())
}

/// Step 5: `--read-only` makes the root read-only; mounts on top keep their own mode.
pub fn remount_root_readonly(spec: &LaunchSpec) -> StepResult {
    if !spec.readonly_rootfs {
        return Ok(());
    }
    let root = &spec.rootfs;
    m(
        Some(&root.to_string_lossy()),
        root,
        None,
        MsFlags::MS_BIND | MsFlags::MS_REC,
        None,
    )?;
    m(
        None,
        root,
        None,
        MsFlags::MS_BIND | MsFlags::MS_REMOUNT | MsFlags::MS_RDONLY,
        None,
    )
}

/// Step 6: make the overlay the root and drop the host's tree. pivot_root(".", ".")
/// stacks the old root under the new one, which the lazy unmount then removes.
pub fn pivot(rootfs: &Path) -> StepResult {
    chdir(rootfs).map_err(|e| format!("chdir {}: {}", rootfs.display(), e.desc()))?;
    pivot_root(".", ".").map_err(|e| format!("pivot_root {}: {}", rootfs.display(), e.desc()))?;
    umount2(".", MntFlags::MNT_DETACH).map_err(|e| format!("unmount old root: {}", e.desc()))?;
    chdir("/").map_err(|e| format!("chdir /: {}", e.desc()))
}

/// Step 7 (after pivot): hide and freeze the /proc and /sys paths Docker does.
pub fn mask_and_protect() -> StepResult {
    for p in MASKED_PATHS {
        let path = Path::new(p);
        let Ok(meta) = fs::symlink_metadata(path) else {
            continue;
        };
        if meta.is_dir() {
            m(Some("tmpfs"), path, Some("tmpfs"), MsFlags::MS_RDONLY, None)?;
        } else {
            m(Some("/dev/null"), path, None, MsFlags::MS_BIND, None)?;
        }
    }
    for p in READONLY_PATHS {
        let path = Path::new(p);
        if !path.exists() {
            continue;
        }
        m(
            Some(p),
            path,
            None,
            MsFlags::MS_BIND | MsFlags::MS_REC,
            None,
        )?;
        let flags = MsFlags::MS_BIND
            | MsFlags::MS_REMOUNT
            | MsFlags::MS_RDONLY
            | MsFlags::MS_NOSUID
            | MsFlags::MS_NODEV
            | MsFlags::MS_NOEXEC;
        m(None, path, None, flags, None)?;
    }
    Ok(())
}

/// Make sure the working directory exists, as Docker does for `-w`.
pub fn ensure_cwd(cwd: &str) -> StepResult {
    if cwd.is_empty() || cwd == "/" {
        return Ok(());
    }
    let p = Path::new(cwd);
    if !p.exists() {
        ensure_dir(p)?;
        let _ = fs::set_permissions(p, fs::Permissions::from_mode(0o755));
    }
    Ok(())
}
