//! Seeding a new volume from the image: on first mount, the image's files at the mount
//! point are copied into the (empty) volume, keeping owners, modes and symlinks.

use std::fs;
use std::os::unix::fs::{lchown, MetadataExt, PermissionsExt};
use std::path::Path;

/// Copy the tree at `from` into `to` if `to` is an empty directory and `from` a directory.
pub fn copy_into_empty(from: &Path, to: &Path) -> Result<(), String> {
    let Ok(meta) = fs::symlink_metadata(from) else {
        return Ok(());
    };
    if !meta.is_dir() {
        return Ok(());
    }
    let empty = fs::read_dir(to)
        .map(|mut d| d.next().is_none())
        .unwrap_or(false);
    if !empty {
        return Ok(());
    }
    // The volume takes the mount point's owner and mode, as Docker does.
    let _ = lchown(to, Some(meta.uid()), Some(meta.gid()));
    let _ = fs::set_permissions(to, fs::Permissions::from_mode(meta.mode() & 0o7777));
    copy_tree(from, to).map_err(|e| format!("seed volume {} from the image: {e}", to.display()))
}

fn copy_tree(from: &Path, to: &Path) -> std::io::Result<()> {
    for entry in fs::read_dir(from)? {
        let entry = entry?;
        let src = entry.path();
        let dst = to.join(entry.file_name());
        let meta = fs::symlink_metadata(&src)?;
        let ft = meta.file_type();
        if ft.is_symlink() {
            std::os::unix::fs::symlink(fs::read_link(&src)?, &dst)?;
        } else if ft.is_dir() {
            fs::create_dir(&dst)?;
            copy_tree(&src, &dst)?;
            fs::set_permissions(&dst, fs::Permissions::from_mode(meta.mode() & 0o7777))?;
        } else if ft.is_file() {
            fs::copy(&src, &dst)?;
            fs::set_permissions(&dst, fs::Permissions::from_mode(meta.mode() & 0o7777))?;
        } else {
            // Devices, fifos and sockets are not carried into volumes.
            continue;
        }
        let _ = lchown(&dst, Some(meta.uid()), Some(meta.gid()));
    }
    Ok(())
}
