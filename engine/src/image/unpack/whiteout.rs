//! OCI whiteouts turned into the form overlayfs reads: `.wh.NAME` becomes a character
//! device 0/0 named NAME (NAME is deleted in the merged view), and `.wh..wh..opq` marks its
//! directory opaque with `trusted.overlay.opaque=y` (lower layers' contents are hidden).

use std::ffi::OsStr;
use std::os::unix::ffi::OsStrExt;
use std::path::Path;

use nix::sys::stat::{makedev, mknod, Mode, SFlag};

use super::meta::Meta;
use super::paths;

pub const PREFIX: &str = ".wh.";
pub const OPAQUE: &str = ".wh..wh..opq";
/// aufs bookkeeping entries (`.wh..wh.plnk`, `.wh..wh.aufs`): meaningless to overlayfs.
const META_PREFIX: &str = ".wh..wh.";
pub const OPAQUE_XATTR: &str = "trusted.overlay.opaque";

/// Convert the entry named `last` under `parent` if it is a whiteout. Returns true when it
/// was one (nothing else is to be written for it).
pub fn convert(root: &Path, parent: &Path, last: &OsStr, meta: &Meta) -> Result<bool, String> {
    let name = last.as_bytes();
    if name == OPAQUE.as_bytes() {
        xattr::set(parent, OPAQUE_XATTR, b"y")
            .map_err(|e| format!("mark directory opaque: {e}"))?;
        return Ok(true);
    }
    if name.starts_with(META_PREFIX.as_bytes()) {
        return Ok(true);
    }
    let Some(hidden) = name.strip_prefix(PREFIX.as_bytes()) else {
        return Ok(false);
    };
    if hidden.is_empty() || hidden == b"." || hidden == b".." {
        return Err("whiteout of an invalid name".into());
    }
    let target = parent.join(OsStr::from_bytes(hidden));
    paths::clear(root, &target, false)?;
    mknod(&target, SFlag::S_IFCHR, Mode::empty(), makedev(0, 0))
        .map_err(|e| format!("create whiteout device: {e}"))?;
    std::os::unix::fs::lchown(&target, Some(meta.uid), Some(meta.gid))
        .map_err(|e| format!("chown whiteout: {e}"))?;
    Ok(true)
}
