//! The minimal /dev Docker gives a container: a few character devices, the standard
//! symlinks, and nothing that reaches host hardware; and for `--privileged`, every
//! device node of the host's /dev as well, as Docker gives it.

use std::os::unix::fs::{symlink, FileTypeExt, MetadataExt};
use std::path::Path;

use nix::sys::stat::{makedev, mknod, Mode, SFlag};
use nix::unistd::{chown, Gid, Uid};

/// (name, major, minor, mode)
const NODES: &[(&str, u64, u64, u32)] = &[
    ("null", 1, 3, 0o666),
    ("zero", 1, 5, 0o666),
    ("full", 1, 7, 0o666),
    ("random", 1, 8, 0o666),
    ("urandom", 1, 9, 0o666),
    ("tty", 5, 0, 0o666),
];

const LINKS: &[(&str, &str)] = &[
    ("/proc/self/fd", "fd"),
    ("/proc/self/fd/0", "stdin"),
    ("/proc/self/fd/1", "stdout"),
    ("/proc/self/fd/2", "stderr"),
    ("pts/ptmx", "ptmx"),
    ("/proc/kcore", "core"),
];

pub fn populate(dev: &Path) -> Result<(), String> {
    for &(name, major, minor, mode) in NODES {
        let p = dev.join(name);
        mknod(
            &p,
            SFlag::S_IFCHR,
            Mode::from_bits_truncate(mode),
            makedev(major, minor),
        )
        .map_err(|e| format!("mknod {}: {}", p.display(), e.desc()))?;
        // mknod honours the umask; set the mode Docker gives.
        nix::sys::stat::fchmodat(
            None,
            &p,
            Mode::from_bits_truncate(mode),
            nix::sys::stat::FchmodatFlags::FollowSymlink,
        )
        .map_err(|e| format!("chmod {}: {}", p.display(), e.desc()))?;
    }
    // The tty group (5) owns /dev/tty on most distributions; harmless where it doesn't.
    let _ = chown(&dev.join("tty"), None, Some(Gid::from_raw(5)));
    for &(target, name) in LINKS {
        let p = dev.join(name);
        symlink(target, &p).map_err(|e| format!("symlink {}: {e}", p.display()))?;
    }
    Ok(())
}

/// Directories of the host's /dev that are not devices of the host: per-mount
/// filesystems the container has its own of, and bookkeeping of other tools (the list
/// Docker skips).
const SKIP_DIRS: &[&str] = &["pts", "shm", "fd", "mqueue", ".lxc", ".lxd-mounts", ".udev"];

/// `--privileged`: make every block and character device under `host` (the host's /dev,
/// still visible before pivot_root) in `dev` with the host's numbers, mode and owner.
/// Names the container already has (null, tty...) are kept; the console is the
/// container's own.
pub fn copy_host_devices(host: &Path, dev: &Path) -> Result<(), String> {
    let entries = std::fs::read_dir(host).map_err(|e| format!("read {}: {e}", host.display()))?;
    for entry in entries.flatten() {
        let name = entry.file_name();
        let Ok(meta) = std::fs::symlink_metadata(entry.path()) else {
            continue;
        };
        let target = dev.join(&name);
        let ft = meta.file_type();
        if ft.is_dir() {
            if SKIP_DIRS.iter().any(|d| name == *d) {
                continue;
            }
            if !target.exists() {
                std::fs::create_dir(&target)
                    .map_err(|e| format!("create {}: {e}", target.display()))?;
            }
            copy_host_devices(&entry.path(), &target)?;
            continue;
        }
        let kind = if ft.is_char_device() {
            SFlag::S_IFCHR
        } else if ft.is_block_device() {
            SFlag::S_IFBLK
        } else {
            continue;
        };
        if name == "console" || target.symlink_metadata().is_ok() {
            continue;
        }
        let mode = Mode::from_bits_truncate(meta.mode() & 0o7777);
        make_owned_node(&target, kind, mode, meta.rdev(), meta.uid(), meta.gid())?;
    }
    Ok(())
}

/// mknod with exactly `mode` (mknod honours the umask) and the given owner: the host's
/// mode and owner are what Docker copies.
fn make_owned_node(
    target: &Path,
    kind: SFlag,
    mode: Mode,
    rdev: u64,
    uid: u32,
    gid: u32,
) -> Result<(), String> {
    mknod(target, kind, mode, rdev)
        .map_err(|e| format!("mknod {}: {}", target.display(), e.desc()))?;
    nix::sys::stat::fchmodat(
        None,
        target,
        mode,
        nix::sys::stat::FchmodatFlags::FollowSymlink,
    )
    .map_err(|e| format!("chmod {}: {}", target.display(), e.desc()))?;
    chown(target, Some(Uid::from_raw(uid)), Some(Gid::from_raw(gid)))
        .map_err(|e| format!("chown {}: {}", target.display(), e.desc()))
}

/// `--device`: make the host's node at its container path (under `root`, the rootfs
/// before pivot_root), replacing whatever the image or the default /dev has there.
pub fn make_node(root: &Path, d: &crate::container::devices::DeviceNode) -> Result<(), String> {
    // The directory is resolved inside the root; the name itself is replaced, never
    // followed (a `/dev/stdout` symlink is swapped for the node, not written through).
    let inner = Path::new(&d.path);
    let (Some(dir), Some(name)) = (inner.parent(), inner.file_name()) else {
        return Err(format!("invalid device path {:?}", d.path));
    };
    let parent = super::paths::secure_join(root, &dir.to_string_lossy());
    std::fs::create_dir_all(&parent).map_err(|e| format!("create {}: {e}", parent.display()))?;
    let target = parent.join(name);
    if target.symlink_metadata().is_ok() {
        std::fs::remove_file(&target).map_err(|e| format!("replace {}: {e}", target.display()))?;
    }
    let kind = if d.block {
        SFlag::S_IFBLK
    } else {
        SFlag::S_IFCHR
    };
    let mode = Mode::from_bits_truncate(d.mode);
    make_owned_node(&target, kind, mode, makedev(d.major, d.minor), d.uid, d.gid)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn host_devices_are_copied_with_their_numbers() {
        if !nix::unistd::geteuid().is_root() {
            panic!("this test makes device nodes: run it as root");
        }
        let host = tempfile::tempdir().unwrap();
        let h = host.path();
        std::fs::create_dir_all(h.join("net")).unwrap();
        std::fs::create_dir_all(h.join("pts")).unwrap();
        let node = |p: &Path, kind, major, minor, mode| {
            mknod(
                p,
                kind,
                Mode::from_bits_truncate(mode),
                makedev(major, minor),
            )
            .unwrap();
            // Past the umask.
            std::fs::set_permissions(p, std::os::unix::fs::PermissionsExt::from_mode(mode))
                .unwrap();
        };
        node(&h.join("kmsg"), SFlag::S_IFCHR, 1, 11, 0o644);
        node(&h.join("loop7"), SFlag::S_IFBLK, 7, 7, 0o660);
        node(&h.join("net/tun"), SFlag::S_IFCHR, 10, 200, 0o666);
        node(&h.join("pts/0"), SFlag::S_IFCHR, 136, 0, 0o620);
        node(&h.join("console"), SFlag::S_IFCHR, 5, 1, 0o600);
        node(&h.join("null"), SFlag::S_IFCHR, 1, 3, 0o666);
        std::fs::write(h.join("not-a-device"), "").unwrap();
        let dev = tempfile::tempdir().unwrap();
        let d = dev.path();
        std::fs::write(d.join("null"), "the container's own").unwrap();
        copy_host_devices(h, d).unwrap();
        let rdev = |p: &str| std::fs::metadata(d.join(p)).unwrap().rdev();
        assert_eq!(rdev("kmsg"), makedev(1, 11));
        assert_eq!(rdev("loop7"), makedev(7, 7));
        assert!(std::fs::metadata(d.join("loop7"))
            .unwrap()
            .file_type()
            .is_block_device());
        assert_eq!(rdev("net/tun"), makedev(10, 200));
        assert_eq!(
            std::fs::metadata(d.join("loop7")).unwrap().mode() & 0o7777,
            0o660
        );
        for absent in ["pts", "console", "not-a-device"] {
            assert!(!d.join(absent).exists(), "{absent}");
        }
        assert_eq!(
            std::fs::read_to_string(d.join("null")).unwrap(),
            "the container's own"
        );
    }
}
