//! Unpacking one layer tar into a directory that overlayfs can use as a lower dir, while
//! hashing the stream so the caller can check the layer's diff ID. Entries that try to
//! leave the root are refused (see `paths`), whiteouts become overlayfs whiteouts (see
//! `whiteout`), and mode, ownership, times, xattrs, symlinks, hard links, device nodes and
//! fifos are kept. The caller unpacks into a temp dir and removes it on error.

mod meta;
mod paths;
mod whiteout;

#[cfg(test)]
mod tests;

use std::fs::{self, OpenOptions};
use std::io::{self, Read};
use std::os::unix::fs::OpenOptionsExt;
use std::path::{Path, PathBuf};

use nix::sys::stat::{makedev, mknod, Mode, SFlag};
use tar::EntryType;

use super::compress::HashingReader;
use crate::error::{Error, IoContext, Result};
use crate::store::Digest;
use meta::Meta;

/// What a layer turned out to be: the digest of its uncompressed tar and the bytes its
/// regular files hold.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Unpacked {
    pub diff_id: Digest,
    pub size: u64,
}

fn bad(layer: &str, reason: impl Into<String>) -> Error {
    Error::UnsafeLayer {
        layer: layer.to_string(),
        reason: reason.into(),
    }
}

/// Unpack the uncompressed tar `stream` into the existing directory `root`. `layer`
/// names the layer in errors.
pub fn unpack(stream: impl Read, root: &Path, layer: &str) -> Result<Unpacked> {
    let mut hashing = HashingReader::new(stream);
    let mut size = 0u64;
    {
        let mut archive = tar::Archive::new(&mut hashing);
        let mut dirs: Vec<(PathBuf, i64)> = Vec::new();
        let entries = archive
            .entries()
            .map_err(|e| bad(layer, format!("reading tar stream: {e}")))?;
        for entry in entries {
            let mut entry = entry.map_err(|e| bad(layer, format!("reading tar stream: {e}")))?;
            size += unpack_entry(&mut entry, root, layer, &mut dirs)?;
        }
        // Directory times go last: creating a directory's children changes its mtime.
        for (dir, mtime) in dirs.iter().rev() {
            meta::set_times(dir, *mtime).ctx("set times of", dir)?;
        }
    }
    let (diff_id, _) = hashing
        .finish()
        .map_err(|e| bad(layer, format!("reading tar stream: {e}")))?;
    Ok(Unpacked { diff_id, size })
}

/// Hash and size a layer tar without writing anything (to check a layer that is already
/// unpacked).
pub fn measure(stream: impl Read, layer: &str) -> Result<Unpacked> {
    let mut hashing = HashingReader::new(stream);
    let mut size = 0u64;
    {
        let mut archive = tar::Archive::new(&mut hashing);
        let entries = archive
            .entries()
            .map_err(|e| bad(layer, format!("reading tar stream: {e}")))?;
        for entry in entries {
            let entry = entry.map_err(|e| bad(layer, format!("reading tar stream: {e}")))?;
            if is_regular(entry.header().entry_type()) {
                size += entry.size();
            }
        }
    }
    let (diff_id, _) = hashing
        .finish()
        .map_err(|e| bad(layer, format!("reading tar stream: {e}")))?;
    Ok(Unpacked { diff_id, size })
}

fn is_regular(t: EntryType) -> bool {
    matches!(
        t,
        EntryType::Regular | EntryType::Continuous | EntryType::GNUSparse
    )
}

/// Write one entry; returns the bytes of file content written.
fn unpack_entry<R: Read>(
    entry: &mut tar::Entry<'_, R>,
    root: &Path,
    layer: &str,
    dirs: &mut Vec<(PathBuf, i64)>,
) -> Result<u64> {
    let kind = entry.header().entry_type();
    if matches!(
        kind,
        EntryType::XGlobalHeader
            | EntryType::XHeader
            | EntryType::GNULongName
            | EntryType::GNULongLink
    ) {
        return Ok(0);
    }
    let raw = entry.path_bytes().into_owned();
    let shown = String::from_utf8_lossy(&raw).into_owned();
    let refuse = |reason: String| bad(layer, format!("entry {shown:?}: {reason}"));
    let comps = paths::clean(&raw).map_err(&refuse)?;
    let m = Meta::of(entry).map_err(|e| refuse(format!("reading header: {e}")))?;

    let Some((last, parents)) = comps.split_last() else {
        // `./` itself: the layer root takes the entry's metadata.
        if kind == EntryType::Directory {
            meta::apply(root, &m, false).ctx("set metadata of", root)?;
            dirs.push((root.to_path_buf(), m.mtime));
        }
        return Ok(0);
    };
    let parent = paths::ensure_parents(root, parents).map_err(&refuse)?;
    if whiteout::convert(root, &parent, last, &m).map_err(&refuse)? {
        return Ok(0);
    }
    let target = parent.join(last);
    let mut written = 0;
    match kind {
        EntryType::Directory => {
            if !paths::clear(root, &target, true).map_err(&refuse)? {
                fs::create_dir(&target).ctx("create directory", &target)?;
            }
            meta::apply(&target, &m, false).ctx("set metadata of", &target)?;
            dirs.push((target, m.mtime));
            return Ok(0);
        }
        t if is_regular(t) => {
            paths::clear(root, &target, false).map_err(&refuse)?;
            // O_EXCL|O_NOFOLLOW: never write through anything that appeared meanwhile.
            let mut f = OpenOptions::new()
                .write(true)
                .create_new(true)
                .mode(0o600)
                .custom_flags(libc::O_NOFOLLOW)
                .open(&target)
                .ctx("create", &target)?;
            written =
                io::copy(entry, &mut f).map_err(|e| refuse(format!("reading content: {e}")))?;
        }
        EntryType::Symlink => {
            // The target is kept as written: absolute targets (`bin/sh -> /bin/busybox`)
            // are resolved inside the container's root at run time, never here.
            let link = entry
                .link_name_bytes()
                .ok_or_else(|| refuse("symlink without a target".into()))?;
            let link =
                <std::ffi::OsStr as std::os::unix::ffi::OsStrExt>::from_bytes(&link).to_os_string();
            paths::clear(root, &target, false).map_err(&refuse)?;
            std::os::unix::fs::symlink(&link, &target).ctx("create symlink", &target)?;
            meta::apply(&target, &m, true).ctx("set metadata of", &target)?;
            meta::set_times(&target, m.mtime).ctx("set times of", &target)?;
            return Ok(0);
        }
        EntryType::Link => {
            let link = entry
                .link_name_bytes()
                .ok_or_else(|| refuse("hard link without a target".into()))?;
            let source = paths::hardlink_source(root, &link).map_err(&refuse)?;
            if source == target {
                return Ok(0);
            }
            paths::clear(root, &target, false).map_err(&refuse)?;
            // linkat without AT_SYMLINK_FOLLOW: a link to a symlink links the symlink.
            fs::hard_link(&source, &target).ctx("create hard link", &target)?;
            return Ok(0);
        }
        EntryType::Char | EntryType::Block | EntryType::Fifo => {
            let h = entry.header();
            let major = h.device_major().ok().flatten().unwrap_or(0);
            let minor = h.device_minor().ok().flatten().unwrap_or(0);
            let sflag = match kind {
                EntryType::Char => SFlag::S_IFCHR,
                EntryType::Block => SFlag::S_IFBLK,
                _ => SFlag::S_IFIFO,
            };
            paths::clear(root, &target, false).map_err(&refuse)?;
            mknod(
                &target,
                sflag,
                Mode::from_bits_truncate(m.mode),
                makedev(major.into(), minor.into()),
            )
            .map_err(|e| Error::io("create device node", &target, e.into()))?;
        }
        // Unknown types (solaris ACLs, volume labels...) carry nothing a rootfs needs.
        _ => return Ok(0),
    }
    meta::apply(&target, &m, false).ctx("set metadata of", &target)?;
    meta::set_times(&target, m.mtime).ctx("set times of", &target)?;
    Ok(written)
}
