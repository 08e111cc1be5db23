//! An archive unpacked into a private temp dir as numbered files, with a map from each
//! archive entry name to its file. Entry names never become paths, so an archive cannot
//! write anywhere by naming; symlinks between entries (legacy `docker save` links repeated
//! layers: `<id>/layer.tar -> ../<id2>/layer.tar`) are resolved in the map. Every file is
//! hashed on the way in, and a `blobs/sha256/<hex>` entry whose content does not hash to
//! its name is refused.

use std::collections::HashMap;
use std::fs::{self, File};
use std::io::{self, Read};
use std::path::{Path, PathBuf};

use tar::EntryType;

use crate::error::{Error, IoContext, Result};
use crate::image::compress::HashingReader;
use crate::store::ids::random_hex;
use crate::store::Digest;

#[derive(Debug, Clone)]
pub struct ArchiveFile {
    pub path: PathBuf,
    pub digest: Digest,
    pub size: u64,
}

#[derive(Debug)]
pub struct ArchiveDir {
    dir: PathBuf,
    files: HashMap<String, ArchiveFile>,
    links: HashMap<String, String>,
}

const MAX_LINK_HOPS: usize = 16;

fn bad(msg: String) -> Error {
    Error::invalid(format!("image archive: {msg}"))
}

/// `./a//b/../c` -> `a/c`; None when `..` climbs above the archive root.
fn normalize(name: &str) -> Option<String> {
    let mut out: Vec<&str> = Vec::new();
    for c in name.split('/') {
        match c {
            "" | "." => {}
            ".." => {
                out.pop()?;
            }
            c => out.push(c),
        }
    }
    Some(out.join("/"))
}

impl ArchiveDir {
    pub fn extract(r: impl Read, tmp: &Path) -> Result<ArchiveDir> {
        fs::create_dir_all(tmp).ctx("create directory", tmp)?;
        let dir = tmp.join(format!("archive-{}", random_hex(8)));
        fs::create_dir(&dir).ctx("create directory", &dir)?;
        // Owned from here: an error drops it and Drop removes the directory.
        let mut a = ArchiveDir {
            dir,
            files: HashMap::new(),
            links: HashMap::new(),
        };
        let mut tar = tar::Archive::new(r);
        let read_err = |e: io::Error| bad(format!("reading tar stream: {e}"));
        for (n, entry) in tar.entries().map_err(read_err)?.enumerate() {
            let mut entry = entry.map_err(read_err)?;
            let raw = String::from_utf8_lossy(&entry.path_bytes()).into_owned();
            let Some(name) = normalize(&raw) else {
                return Err(bad(format!("entry {raw:?} points outside the archive")));
            };
            match entry.header().entry_type() {
                EntryType::Regular | EntryType::Continuous => {
                    let path = a.dir.join(n.to_string());
                    let mut f = File::create(&path).ctx("create", &path)?;
                    let mut h = HashingReader::new(&mut entry);
                    io::copy(&mut h, &mut f).map_err(|e| bad(format!("entry {raw:?}: {e}")))?;
                    let (digest, size) =
                        h.finish().map_err(|e| bad(format!("entry {raw:?}: {e}")))?;
                    check_blob_name(&name, &digest)?;
                    a.files.insert(name, ArchiveFile { path, digest, size });
                }
                EntryType::Symlink | EntryType::Link => {
                    let target = entry
                        .link_name_bytes()
                        .map(|b| String::from_utf8_lossy(&b).into_owned())
                        .unwrap_or_default();
                    // Symlinks are relative to the link's directory; hard links name an
                    // entry from the archive root.
                    let base = if entry.header().entry_type() == EntryType::Symlink
                        && !target.starts_with('/')
                    {
                        name.rsplit_once('/').map_or("", |(d, _)| d).to_string()
                    } else {
                        String::new()
                    };
                    let Some(resolved) = normalize(&format!("{base}/{target}")) else {
                        return Err(bad(format!("entry {raw:?} links outside the archive")));
                    };
                    a.links.insert(name, resolved);
                }
                _ => {}
            }
        }
        Ok(a)
    }

    pub fn has(&self, name: &str) -> bool {
        self.file(name).is_ok()
    }

    /// The file behind an entry name, following links between entries.
    pub fn file(&self, name: &str) -> Result<&ArchiveFile> {
        let missing = || bad(format!("no entry {name:?} in the archive"));
        let mut cur = normalize(name).ok_or_else(missing)?;
        for _ in 0..MAX_LINK_HOPS {
            if let Some(f) = self.files.get(&cur) {
                return Ok(f);
            }
            cur = self.links.get(&cur).ok_or_else(missing)?.clone();
        }
        Err(bad(format!("entry {name:?}: too many levels of links")))
    }

    pub fn read(&self, name: &str) -> Result<Vec<u8>> {
        let f = self.file(name)?;
        fs::read(&f.path).ctx("read", &f.path)
    }

    pub fn open(&self, name: &str) -> Result<File> {
        let f = self.file(name)?;
        File::open(&f.path).ctx("open", &f.path)
    }
}

impl Drop for ArchiveDir {
    fn drop(&mut self) {
        let _ = fs::remove_dir_all(&self.dir);
    }
}

/// A content-addressed entry (`blobs/sha256/<hex>`, or a legacy `<hex>.json` config)
/// must hash to its name.
fn check_blob_name(name: &str, digest: &Digest) -> Result<()> {
    if let Some(hex) = claimed_hex(name) {
        if hex != digest.hex() {
            return Err(bad(format!(
                "entry {name:?}: content digest is {digest}, not the one its name says"
            )));
        }
    }
    Ok(())
}

/// The digest an entry name claims for its content, if it claims one.
pub fn claimed_hex(name: &str) -> Option<&str> {
    let hex = name
        .strip_prefix("blobs/sha256/")
        .or_else(|| name.strip_suffix(".json").filter(|n| !n.contains('/')))?;
    hex.parse::<Digest>().ok().map(|_| hex)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::image::tests::util::TarBuf;

    #[test]
    fn resolves_links_and_refuses_escapes() {
        let dir = tempfile::tempdir().unwrap();
        let tar = TarBuf::new()
            .file("a/layer.tar", b"L")
            .symlink("b/layer.tar", "../a/layer.tar")
            .finish();
        let a = ArchiveDir::extract(&tar[..], dir.path()).unwrap();
        assert_eq!(a.read("./b/layer.tar").unwrap(), b"L");
        assert!(a.file("c").unwrap_err().to_string().contains("\"c\""));
        let tar = TarBuf::new().symlink("x", "../../etc/passwd").finish();
        assert!(ArchiveDir::extract(&tar[..], dir.path()).is_err());
    }

    #[test]
    fn refuses_blob_with_wrong_digest() {
        let dir = tempfile::tempdir().unwrap();
        let name = format!("blobs/sha256/{}", Digest::of(b"other").hex());
        let tar = TarBuf::new().file(&name, b"content").finish();
        let err = ArchiveDir::extract(&tar[..], dir.path())
            .unwrap_err()
            .to_string();
        assert!(err.contains(&name), "{err}");
        // Nothing is left behind in the temp dir.
        assert_eq!(fs::read_dir(dir.path()).unwrap().count(), 0);
    }
}
