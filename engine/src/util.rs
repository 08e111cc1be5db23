//! Small filesystem helpers shared by several modules.

use std::fs;
use std::os::unix::fs::MetadataExt;
use std::path::Path;

/// Disk usage of a tree in bytes (apparent sizes, hard links counted once per walk).
pub fn du(p: &Path) -> u64 {
    let mut seen = std::collections::HashSet::new();
    du_inner(p, &mut seen)
}

fn du_inner(p: &Path, seen: &mut std::collections::HashSet<(u64, u64)>) -> u64 {
    let Ok(meta) = fs::symlink_metadata(p) else {
        return 0;
    };
    if meta.is_dir() {
        let Ok(rd) = fs::read_dir(p) else { return 0 };
        rd.flatten().map(|e| du_inner(&e.path(), seen)).sum()
    } else if meta.nlink() > 1 && !seen.insert((meta.dev(), meta.ino())) {
        0
    } else {
        meta.len()
    }
}
