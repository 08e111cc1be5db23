//! Resolving a path inside a container's root without leaving it: symlinks are followed
//! as the container would see them, with `/` meaning the container root.

use std::path::{Component, Path, PathBuf};

/// Join `inner` (an absolute in-container path) onto `root`, resolving symlinks relative
/// to `root` and clamping `..` at `root`, so the result is always under `root`.
pub fn secure_join(root: &Path, inner: &str) -> PathBuf {
    let mut resolved = PathBuf::new();
    let mut pending: Vec<String> = components(inner);
    pending.reverse();
    let mut hops = 0;
    while let Some(part) = pending.pop() {
        if part == ".." {
            resolved.pop();
            continue;
        }
        let candidate = resolved.join(&part);
        let host = root.join(&candidate);
        match std::fs::symlink_metadata(&host) {
            Ok(m) if m.file_type().is_symlink() && hops < 40 => {
                hops += 1;
                let target = match std::fs::read_link(&host) {
                    Ok(t) => t,
                    Err(_) => {
                        resolved = candidate;
                        continue;
                    }
                };
                let t = target.to_string_lossy().into_owned();
                if t.starts_with('/') {
                    resolved = PathBuf::new();
                }
                let mut more = components(&t);
                more.reverse();
                pending.extend(more);
            }
            _ => resolved = candidate,
        }
    }
    root.join(resolved)
}

fn components(p: &str) -> Vec<String> {
    Path::new(p)
        .components()
        .filter_map(|c| match c {
            Component::Normal(s) => Some(s.to_string_lossy().into_owned()),
            Component::ParentDir => Some("..".into()),
            _ => None,
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::os::unix::fs::symlink;

    #[test]
    fn symlinks_and_dotdot_stay_inside() {
        let d = tempfile::tempdir().unwrap();
        let root = d.path();
        std::fs::create_dir_all(root.join("real/dir")).unwrap();
        symlink("/etc", root.join("evil")).unwrap();
        symlink("../../../../..", root.join("up")).unwrap();
        symlink("real", root.join("rel")).unwrap();
        assert_eq!(secure_join(root, "/evil/passwd"), root.join("etc/passwd"));
        assert_eq!(secure_join(root, "/up/x"), root.join("x"));
        assert_eq!(secure_join(root, "/../../x"), root.join("x"));
        assert_eq!(secure_join(root, "/rel/dir"), root.join("real/dir"));
    }
}
