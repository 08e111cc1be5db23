//! A build context as Docker's CLI sends it: the directory packed into a tar, filtered
//! by its `.dockerignore` (the Dockerfile and the `.dockerignore` always go), symlinks
//! kept as links; a Dockerfile from elsewhere travels inside under a name of its own.
//! The CLI's `build` and the TUI's build form both pack contexts here.

use std::fs;
use std::path::{Path, PathBuf};

use berth_engine::build::context::Ignore;

/// Where the Dockerfile comes from.
pub enum Dockerfile {
    /// `Dockerfile` at the context's top.
    Default,
    /// `-f PATH`: inside the context it is named as it is; outside, it is carried in.
    Path(PathBuf),
    /// `-f -`: its text.
    Text(Vec<u8>),
}

/// The context directory as a tar, and the Dockerfile's name inside it.
pub fn pack(dir: &Path, dockerfile: Dockerfile) -> Result<(Vec<u8>, String), String> {
    let context = dir.display().to_string();
    if !dir.is_dir() {
        return Err(format!(
            "unable to prepare context: path {context:?} not found"
        ));
    }
    if matches!(dockerfile, Dockerfile::Default) && !dir.join("Dockerfile").exists() {
        return Err(format!(
            "unable to prepare context: unable to evaluate symlinks in Dockerfile path: lstat {}: no such file or directory",
            dir.join("Dockerfile").display()
        ));
    }
    let ignore = match fs::read_to_string(dir.join(".dockerignore")) {
        Ok(t) => Ignore::parse(&t).map_err(|e| format!(".dockerignore: {e}"))?,
        Err(_) => Ignore::parse("").map_err(|e| e.to_string())?,
    };
    // A Dockerfile outside the context (or on stdin) travels in it under a name of its
    // own, as Docker's CLI sends it.
    let carried = || format!(".dockerfile.{}", berth_engine::store::ids::random_hex(10));
    let (extra, name) = match dockerfile {
        Dockerfile::Default => (None, "Dockerfile".to_string()),
        Dockerfile::Text(text) => {
            let name = carried();
            (Some((name.clone(), text)), name)
        }
        Dockerfile::Path(p) => {
            let f = p.display().to_string();
            let abs = fs::canonicalize(&p).map_err(|e| {
                format!("unable to prepare context: the Dockerfile ({f}) cannot be read: {e}")
            })?;
            let root = fs::canonicalize(dir).map_err(|e| e.to_string())?;
            match abs.strip_prefix(&root) {
                Ok(rel) => (None, rel.to_string_lossy().into_owned()),
                Err(_) => {
                    let text = fs::read(&abs).map_err(|e| format!("reading {f}: {e}"))?;
                    let name = carried();
                    (Some((name.clone(), text)), name)
                }
            }
        }
    };
    let mut out = Vec::new();
    {
        let mut t = tar::Builder::new(&mut out);
        t.follow_symlinks(false);
        let keep = [name.as_str(), ".dockerignore"];
        walk(&mut t, dir, "", &ignore, &keep)
            .map_err(|e| format!("reading the build context {context}: {e}"))?;
        if let Some((n, text)) = &extra {
            append_bytes(&mut t, n, text).map_err(|e| format!("adding the Dockerfile: {e}"))?;
        }
        t.finish().map_err(|e| e.to_string())?;
    }
    Ok((out, name))
}

/// Everything under `dir` not excluded, sorted, symlinks as links.
fn walk(
    t: &mut tar::Builder<&mut Vec<u8>>,
    dir: &Path,
    rel: &str,
    ignore: &Ignore,
    keep: &[&str],
) -> std::io::Result<()> {
    let mut names: Vec<_> = fs::read_dir(dir.join(rel))?
        .filter_map(|e| e.ok().map(|e| e.file_name()))
        .collect();
    names.sort();
    for n in names {
        let child = if rel.is_empty() {
            n.to_string_lossy().into_owned()
        } else {
            format!("{rel}/{}", n.to_string_lossy())
        };
        let path = dir.join(&child);
        let m = fs::symlink_metadata(&path)?;
        let excluded = ignore.excluded(&child) && !keep.contains(&child.as_str());
        if excluded && !(m.is_dir() && ignore.may_reinclude_below(&child)) {
            continue;
        }
        if !excluded {
            if m.is_dir() {
                t.append_dir(&child, &path)?;
            } else {
                t.append_path_with_name(&path, &child)?;
            }
        }
        if m.is_dir() {
            walk(t, dir, &child, ignore, keep)?;
        }
    }
    Ok(())
}

fn append_bytes(
    t: &mut tar::Builder<&mut Vec<u8>>,
    name: &str,
    data: &[u8],
) -> std::io::Result<()> {
    let mut h = tar::Header::new_gnu();
    h.set_size(data.len() as u64);
    h.set_mode(0o644);
    h.set_mtime(0);
    h.set_entry_type(tar::EntryType::Regular);
    t.append_data(&mut h, name, data)
}

/// A tar holding one file (a Dockerfile sent alone).
pub fn one_file_tar(name: &str, data: &[u8]) -> Result<Vec<u8>, String> {
    let mut out = Vec::new();
    {
        let mut t = tar::Builder::new(&mut out);
        append_bytes(&mut t, name, data).map_err(|e| e.to_string())?;
        t.finish().map_err(|e| e.to_string())?;
    }
    Ok(out)
}

/// A tar (plain or compressed) rather than a Dockerfile's text.
pub fn is_archive(b: &[u8]) -> bool {
    matches!(
        b,
        [0x1f, 0x8b, ..]
            | [0x42, 0x5a, 0x68, ..]
            | [0xfd, b'7', b'z', b'X', b'Z', 0x00, ..]
            | [0x28, 0xb5, 0x2f, 0xfd, ..]
    ) || (b.len() >= 262 && &b[257..262] == b"ustar")
}
