//! The minimal /dev Docker gives a container: a few character devices, the standard
//! symlinks, and nothing that reaches host hardware.

use std::os::unix::fs::symlink;
use std::path::Path;

use nix::sys::stat::{makedev, mknod, Mode, SFlag};
use nix::unistd::{chown, Gid};

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
