//! An entry's ownership, mode, times and xattrs, read from its header and PAX records and
//! applied after its content: chown first (it clears setuid bits), then chmod, xattrs
//! (chown also drops security.capability), and times last.

use std::io::{self, Read};
use std::os::unix::fs::PermissionsExt;
use std::path::Path;

use nix::sys::stat::{utimensat, UtimensatFlags};
use nix::sys::time::TimeSpec;

#[derive(Debug, Clone)]
pub struct Meta {
    pub mode: u32,
    pub uid: u32,
    pub gid: u32,
    pub mtime: i64,
    pub xattrs: Vec<(String, Vec<u8>)>,
}

const XATTR_PREFIX: &str = "SCHILY.xattr.";

impl Meta {
    pub fn of<R: Read>(entry: &mut tar::Entry<'_, R>) -> io::Result<Meta> {
        let h = entry.header();
        let mut m = Meta {
            mode: h.mode()? & 0o7777,
            // Some writers leave these fields blank; blank means 0, as GNU tar reads it.
            uid: h.uid().unwrap_or(0) as u32,
            gid: h.gid().unwrap_or(0) as u32,
            mtime: h.mtime().unwrap_or(0) as i64,
            xattrs: Vec::new(),
        };
        // PAX records override the header's fields (large IDs, sub-second times).
        if let Some(pax) = entry.pax_extensions()? {
            for ext in pax {
                let ext = ext?;
                let Ok(key) = ext.key() else { continue };
                let text = std::str::from_utf8(ext.value_bytes()).unwrap_or("");
                match key {
                    "uid" => m.uid = text.parse().unwrap_or(m.uid),
                    "gid" => m.gid = text.parse().unwrap_or(m.gid),
                    "mtime" => {
                        let secs = text.split('.').next().unwrap_or("");
                        m.mtime = secs.parse().unwrap_or(m.mtime);
                    }
                    k if k.starts_with(XATTR_PREFIX) => {
                        m.xattrs.push((
                            k[XATTR_PREFIX.len()..].to_string(),
                            ext.value_bytes().to_vec(),
                        ));
                    }
                    _ => {}
                }
            }
        }
        Ok(m)
    }
}

/// Apply ownership, mode and xattrs (not times) to `path`. Symlinks get ownership only:
/// their mode is meaningless and chmod would follow them.
pub fn apply(path: &Path, m: &Meta, is_symlink: bool) -> io::Result<()> {
    std::os::unix::fs::lchown(path, Some(m.uid), Some(m.gid))?;
    if !is_symlink {
        std::fs::set_permissions(path, std::fs::Permissions::from_mode(m.mode))?;
    }
    for (name, value) in &m.xattrs {
        if let Err(e) = xattr::set(path, name, value) {
            // Not every filesystem takes every namespace (Docker ignores these too).
            let ignorable = matches!(e.raw_os_error(), Some(libc::ENOTSUP) | Some(libc::EPERM));
            if !ignorable {
                return Err(io::Error::new(e.kind(), format!("set xattr {name}: {e}")));
            }
        }
    }
    Ok(())
}

/// Set atime and mtime to the entry's mtime without following a symlink.
pub fn set_times(path: &Path, mtime: i64) -> io::Result<()> {
    let t = TimeSpec::new(mtime, 0);
    utimensat(None, path, &t, &t, UtimensatFlags::NoFollowSymlink).map_err(io::Error::from)
}
