//! What Docker's archive endpoints say of a path in a container (the
//! `X-Docker-Container-Path-Stat` header) and how they name it: Go's `os.FileMode` bits
//! and `filepath.Base` of the absolute path, so Docker's clients read Berth's answer as
//! they read dockerd's. Runs inside the container's filesystem view (`rootfs_view`),
//! where `/` is the container's root and every symlink resolves inside it.

use std::fs;
use std::io;
use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PathStat {
    pub name: String,
    pub size: i64,
    /// Go's `os.FileMode`: permission bits low, the type in the high bits.
    pub mode: u32,
    /// RFC 3339 with nanoseconds.
    pub mtime: String,
    /// For a symlink: where it leads, fully resolved inside the container.
    #[serde(rename = "linkTarget")]
    pub link_target: String,
}

/// Go's `os.FileMode` type and special bits.
pub mod go_mode {
    pub const DIR: u32 = 1 << 31;
    pub const SYMLINK: u32 = 1 << 27;
    pub const DEVICE: u32 = 1 << 26;
    pub const NAMED_PIPE: u32 = 1 << 25;
    pub const SOCKET: u32 = 1 << 24;
    pub const SETUID: u32 = 1 << 23;
    pub const SETGID: u32 = 1 << 22;
    pub const CHAR_DEVICE: u32 = 1 << 21;
    pub const STICKY: u32 = 1 << 20;
}

/// A Unix `st_mode` as Go's `os.Lstat` reports it.
pub fn go_file_mode(st_mode: u32) -> u32 {
    let mut m = st_mode & 0o777;
    m |= match st_mode & libc::S_IFMT {
        libc::S_IFBLK => go_mode::DEVICE,
        libc::S_IFCHR => go_mode::DEVICE | go_mode::CHAR_DEVICE,
        libc::S_IFDIR => go_mode::DIR,
        libc::S_IFIFO => go_mode::NAMED_PIPE,
        libc::S_IFLNK => go_mode::SYMLINK,
        libc::S_IFSOCK => go_mode::SOCKET,
        _ => 0,
    };
    for (unix, go) in [
        (libc::S_ISUID, go_mode::SETUID),
        (libc::S_ISGID, go_mode::SETGID),
        (libc::S_ISVTX, go_mode::STICKY),
    ] {
        if st_mode & unix != 0 {
            m |= go;
        }
    }
    m
}

/// An in-container path made absolute, keeping a trailing `/` or `/.` (they mean
/// "follow a final symlink" and "the directory's contents" to Docker).
pub fn absolute(p: &str) -> String {
    if p.starts_with('/') {
        p.to_string()
    } else {
        format!("/{p}")
    }
}

/// Go's `filepath.Base`: the last element, trailing slashes ignored; `/` for the root.
pub fn base_name(path: &str) -> String {
    let trimmed = path.trim_end_matches('/');
    if trimmed.is_empty() {
        return if path.is_empty() { "." } else { "/" }.to_string();
    }
    trimmed.rsplit('/').next().unwrap_or(trimmed).to_string()
}

/// Stat `path` (absolute, inside the view) as Docker does: the final element is not
/// followed unless the path ends in `/` or `/.` (the kernel's own rule for lstat), or
/// `follow` asks for every symlink to be followed.
pub fn stat(path: &str, follow: bool) -> io::Result<PathStat> {
    let m = if follow {
        fs::metadata(path)?
    } else {
        fs::symlink_metadata(path)?
    };
    let link_target = if m.file_type().is_symlink() {
        resolve(Path::new(path), 0).to_string_lossy().into_owned()
    } else {
        String::new()
    };
    let mtime =
        chrono::DateTime::from_timestamp(m.mtime(), m.mtime_nsec().clamp(0, 999_999_999) as u32)
            .unwrap_or_default()
            .to_rfc3339_opts(chrono::SecondsFormat::AutoSi, true);
    Ok(PathStat {
        name: base_name(path),
        size: m.len() as i64,
        mode: go_file_mode(m.mode()),
        mtime,
        link_target,
    })
}

/// Symlinks followed all the way, as far as the path exists: a dangling link resolves
/// to where it points. `/` is the container's root here, so nothing leads out of it.
fn resolve(path: &Path, depth: u32) -> PathBuf {
    if let Ok(p) = fs::canonicalize(path) {
        return p;
    }
    // Linux gives up after 40 links; so do we, with the path as it stands.
    if depth > 40 {
        return path.to_path_buf();
    }
    let (Some(parent), Some(name)) = (path.parent(), path.file_name()) else {
        return path.to_path_buf();
    };
    let dir = resolve(parent, depth + 1);
    let here = dir.join(name);
    match fs::read_link(&here) {
        // `join` with an absolute target replaces: the link's own root is `/`.
        Ok(target) => resolve(&dir.join(target), depth + 1),
        Err(_) => here,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn modes_are_gos() {
        assert_eq!(go_file_mode(libc::S_IFDIR | 0o755), go_mode::DIR | 0o755);
        assert_eq!(go_file_mode(libc::S_IFREG | 0o644), 0o644);
        assert_eq!(
            go_file_mode(libc::S_IFLNK | 0o777),
            go_mode::SYMLINK | 0o777
        );
        assert_eq!(
            go_file_mode(libc::S_IFCHR | 0o666),
            go_mode::DEVICE | go_mode::CHAR_DEVICE | 0o666
        );
        assert_eq!(
            go_file_mode(libc::S_IFDIR | libc::S_ISVTX | 0o777),
            go_mode::DIR | go_mode::STICKY | 0o777
        );
        assert_eq!(
            go_file_mode(libc::S_IFREG | libc::S_ISUID | 0o755),
            go_mode::SETUID | 0o755
        );
    }

    #[test]
    fn names_are_go_bases() {
        assert_eq!(base_name("/etc/passwd"), "passwd");
        assert_eq!(base_name("/etc/"), "etc");
        assert_eq!(base_name("/etc/."), ".");
        assert_eq!(base_name("/"), "/");
        assert_eq!(absolute("etc/x"), "/etc/x");
        assert_eq!(absolute("/etc/."), "/etc/.");
    }

    #[test]
    fn stat_reports_links_resolved_and_keeps_the_name() {
        let d = tempfile::tempdir().unwrap();
        let dir = d.path().join("dir");
        fs::create_dir(&dir).unwrap();
        fs::write(dir.join("f"), "abc").unwrap();
        std::os::unix::fs::symlink("dir/f", d.path().join("link")).unwrap();
        std::os::unix::fs::symlink("nowhere/x", d.path().join("dangling")).unwrap();
        let f = stat(&dir.join("f").to_string_lossy(), false).unwrap();
        assert_eq!(
            (f.name.as_str(), f.size, f.link_target.as_str()),
            ("f", 3, "")
        );
        assert!(
            f.mtime.contains('T') && f.mtime.ends_with('Z'),
            "{}",
            f.mtime
        );
        let l = stat(&d.path().join("link").to_string_lossy(), false).unwrap();
        assert_eq!(l.mode & go_mode::SYMLINK, go_mode::SYMLINK);
        assert_eq!(
            Path::new(&l.link_target),
            fs::canonicalize(dir.join("f")).unwrap()
        );
        let g = stat(&d.path().join("dangling").to_string_lossy(), false).unwrap();
        assert!(g.link_target.ends_with("/nowhere/x"), "{}", g.link_target);
        let s = stat(&format!("{}/", dir.display()), false).unwrap();
        assert_eq!(
            (s.name.as_str(), s.mode & go_mode::DIR),
            ("dir", go_mode::DIR)
        );
        let followed = stat(&d.path().join("link").to_string_lossy(), true).unwrap();
        assert_eq!((followed.size, followed.link_target.as_str()), (3, ""));
        let missing = stat(&d.path().join("nope").to_string_lossy(), false).unwrap_err();
        assert_eq!(missing.kind(), io::ErrorKind::NotFound);
    }
}
