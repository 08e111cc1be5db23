//! Where `cp` puts things, by Docker's rules, as pure functions of what the source is
//! and what the destination path holds:
//! - a file onto a directory lands inside it; onto a file or a new name, it takes that name
//!   (a new name ending in `/` must be an existing directory);
//! - a directory onto an existing directory lands inside it, or, when the source ends in
//!   `/.`, only its contents do; onto a new name it becomes that directory; onto a file it
//!   is refused.
//!
//! The tar stream between the two sides always names entries under the source's base name;
//! the receiving side rewrites the first component with [`Placement::map`].

use std::ffi::OsString;
use std::path::{Component, Path, PathBuf};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DestInfo {
    pub exists: bool,
    pub is_dir: bool,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Top {
    /// Keep the source's name inside the directory.
    Keep,
    /// Give the source this name.
    Rename(OsString),
    /// Only the source directory's contents, straight into the directory.
    Contents,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Placement {
    /// The existing directory the entries are written into.
    pub dir: PathBuf,
    pub top: Top,
}

/// `/.` at the end of a source: copy a directory's contents, not the directory.
pub fn wants_contents(src: &str) -> bool {
    src == "." || src.ends_with("/.")
}

/// Where a source (`src_is_dir`, `contents` from [`wants_contents`]) goes for
/// destination path `dest`. Errors are Docker's wording without the prefix.
pub fn place(
    src_is_dir: bool,
    contents: bool,
    dest: &str,
    info: &DestInfo,
) -> Result<Placement, String> {
    let dest_path = Path::new(dest);
    let new_name = || {
        let name = dest_path
            .file_name()
            .map(|n| n.to_os_string())
            .ok_or_else(|| format!("invalid destination path {dest:?}"))?;
        let parent = match dest_path.parent() {
            Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
            _ => PathBuf::from("."),
        };
        Ok::<_, String>((parent, name))
    };
    if src_is_dir {
        if info.exists && !info.is_dir {
            return Err(format!("cannot copy a directory to a file: {dest}"));
        }
        if info.exists {
            let top = if contents { Top::Contents } else { Top::Keep };
            return Ok(Placement {
                dir: dest_path.to_path_buf(),
                top,
            });
        }
        let (dir, name) = new_name()?;
        return Ok(Placement {
            dir,
            top: Top::Rename(name),
        });
    }
    if contents {
        return Err("source is not a directory".into());
    }
    if info.exists && info.is_dir {
        return Ok(Placement {
            dir: dest_path.to_path_buf(),
            top: Top::Keep,
        });
    }
    if !info.exists && (dest.ends_with('/') || dest.ends_with("/.")) {
        return Err(format!("destination directory {dest} must exist"));
    }
    let (dir, name) = new_name()?;
    Ok(Placement {
        dir,
        top: Top::Rename(name),
    })
}

impl Placement {
    /// The path (relative to `dir`) an entry named `name` in the stream is written to,
    /// or None for the source directory itself when only its contents are copied (or
    /// `.` when names are kept). Names with `..` or a root are refused.
    pub fn map(&self, name: &Path) -> Result<Option<PathBuf>, String> {
        let mut comps = Vec::new();
        for c in name.components() {
            match c {
                Component::Normal(s) => comps.push(s.to_os_string()),
                Component::CurDir => {}
                _ => return Err(format!("invalid name in archive: {}", name.display())),
            }
        }
        if comps.is_empty() {
            // `.`: the directory being unpacked into, which exists already.
            if self.top == Top::Keep {
                return Ok(None);
            }
            return Err(format!("invalid name in archive: {:?}", name.display()));
        }
        let rest: PathBuf = comps[1..].iter().collect();
        Ok(match &self.top {
            Top::Keep => Some(comps.iter().collect()),
            // `join("")` would add a trailing `/`, which names a directory.
            Top::Rename(n) if rest.as_os_str().is_empty() => Some(PathBuf::from(n)),
            Top::Rename(n) => Some(Path::new(n).join(rest)),
            Top::Contents if rest.as_os_str().is_empty() => None,
            Top::Contents => Some(rest),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const NONE: DestInfo = DestInfo {
        exists: false,
        is_dir: false,
    };
    const DIR: DestInfo = DestInfo {
        exists: true,
        is_dir: true,
    };
    const FILE: DestInfo = DestInfo {
        exists: true,
        is_dir: false,
    };

    fn p(dir: &str, top: Top) -> Placement {
        Placement {
            dir: dir.into(),
            top,
        }
    }

    #[test]
    fn files_follow_dockers_rules() {
        assert_eq!(place(false, false, "/tmp", &DIR), Ok(p("/tmp", Top::Keep)));
        assert_eq!(
            place(false, false, "/tmp/x", &FILE),
            Ok(p("/tmp", Top::Rename("x".into())))
        );
        assert_eq!(
            place(false, false, "/tmp/new", &NONE),
            Ok(p("/tmp", Top::Rename("new".into())))
        );
        assert_eq!(
            place(false, false, "out", &NONE),
            Ok(p(".", Top::Rename("out".into())))
        );
        assert!(place(false, false, "/tmp/new/", &NONE)
            .unwrap_err()
            .contains("must exist"));
        assert!(place(false, true, "/tmp", &DIR).is_err());
    }

    #[test]
    fn directories_follow_dockers_rules() {
        assert_eq!(place(true, false, "/d", &DIR), Ok(p("/d", Top::Keep)));
        assert_eq!(place(true, true, "/d", &DIR), Ok(p("/d", Top::Contents)));
        assert_eq!(
            place(true, true, "/new", &NONE),
            Ok(p("/", Top::Rename("new".into())))
        );
        assert!(place(true, false, "/f", &FILE)
            .unwrap_err()
            .contains("directory to a file"));
        assert!(wants_contents("/etc/.") && !wants_contents("/etc/"));
    }

    #[test]
    fn mapping_renames_strips_and_refuses_escapes() {
        let keep = p("/d", Top::Keep);
        assert_eq!(
            keep.map(Path::new("etc/passwd")),
            Ok(Some("etc/passwd".into()))
        );
        let ren = p("/d", Top::Rename("conf".into()));
        assert_eq!(ren.map(Path::new("etc")), Ok(Some("conf".into())));
        assert_eq!(
            ren.map(Path::new("etc/passwd")),
            Ok(Some("conf/passwd".into()))
        );
        let con = p("/d", Top::Contents);
        assert_eq!(con.map(Path::new("etc/")), Ok(None));
        assert_eq!(con.map(Path::new("./etc/a/b")), Ok(Some("a/b".into())));
        assert!(keep.map(Path::new("etc/../../x")).is_err());
        assert!(keep.map(Path::new("/etc")).is_err());
        assert_eq!(keep.map(Path::new("./")), Ok(None));
        assert!(ren.map(Path::new(".")).is_err());
    }
}
