//! Test helpers: tar streams built byte by byte (so tests can write the malicious names
//! that `tar::Builder` refuses), gzip, and temp state roots.

use std::io::Write;

use tar::{EntryType, Header};

use crate::image::ImageStore;
use crate::store::Paths;

#[derive(Default)]
pub struct TarBuf {
    buf: Vec<u8>,
}

impl TarBuf {
    pub fn new() -> Self {
        Self::default()
    }

    /// Append an entry with the exact name and link bytes given (at most 100 each).
    pub fn raw(
        &mut self,
        name: &[u8],
        kind: EntryType,
        link: &[u8],
        data: &[u8],
        mode: u32,
    ) -> &mut Self {
        let mut h = Header::new_ustar();
        h.as_old_mut().name[..name.len()].copy_from_slice(name);
        h.as_old_mut().linkname[..link.len()].copy_from_slice(link);
        h.set_entry_type(kind);
        h.set_size(data.len() as u64);
        h.set_mode(mode);
        h.set_uid(0);
        h.set_gid(0);
        h.set_mtime(1_600_000_000);
        h.set_cksum();
        self.buf.extend_from_slice(h.as_bytes());
        self.buf.extend_from_slice(data);
        let pad = (512 - data.len() % 512) % 512;
        self.buf.resize(self.buf.len() + pad, 0);
        self
    }
    pub fn file(&mut self, name: &str, data: &[u8]) -> &mut Self {
        self.raw(name.as_bytes(), EntryType::Regular, b"", data, 0o644)
    }
    pub fn dir(&mut self, name: &str) -> &mut Self {
        self.raw(name.as_bytes(), EntryType::Directory, b"", b"", 0o755)
    }
    pub fn symlink(&mut self, name: &str, target: &str) -> &mut Self {
        self.raw(
            name.as_bytes(),
            EntryType::Symlink,
            target.as_bytes(),
            b"",
            0o777,
        )
    }
    pub fn hardlink(&mut self, name: &str, target: &str) -> &mut Self {
        self.raw(
            name.as_bytes(),
            EntryType::Link,
            target.as_bytes(),
            b"",
            0o644,
        )
    }
    /// A PAX extended header applying to the next entry.
    pub fn pax(&mut self, records: &[(&str, &[u8])]) -> &mut Self {
        let mut data = Vec::new();
        for (k, v) in records {
            let body_len = 1 + k.len() + 1 + v.len() + 1;
            let mut len = body_len + 1;
            while len != body_len + len.to_string().len() {
                len = body_len + len.to_string().len();
            }
            data.extend_from_slice(format!("{len} {k}=").as_bytes());
            data.extend_from_slice(v);
            data.push(b'\n');
        }
        self.raw(b"PaxHeader", EntryType::XHeader, b"", &data, 0o644)
    }
    pub fn finish(&self) -> Vec<u8> {
        let mut out = self.buf.clone();
        out.extend_from_slice(&[0u8; 1024]);
        out
    }
}

pub fn gzip(bytes: &[u8]) -> Vec<u8> {
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    gz.write_all(bytes).expect("gzip in memory");
    gz.finish().expect("gzip in memory")
}

/// A fresh state root and a store over it.
pub fn store() -> (tempfile::TempDir, ImageStore) {
    let dir = tempfile::tempdir().expect("temp dir");
    let paths = Paths::new(dir.path().join("root"), dir.path().join("run"));
    let s = ImageStore::new(&paths);
    (dir, s)
}

/// A small rootfs tar: a directory, a file, a symlink.
pub fn rootfs_tar(content: &str) -> Vec<u8> {
    TarBuf::new()
        .dir("etc/")
        .file("etc/hello", content.as_bytes())
        .symlink("etc/link", "/etc/hello")
        .finish()
}

/// Import `tar` (written to a file beside the root) under `tag`.
pub fn import_bytes(
    dir: &tempfile::TempDir,
    s: &ImageStore,
    tar: &[u8],
    tag: Option<&str>,
) -> crate::image::ImageRecord {
    let n = std::fs::read_dir(dir.path())
        .map(|r| r.count())
        .unwrap_or(0);
    let p = dir.path().join(format!("input-{n}.tar"));
    std::fs::write(&p, tar).expect("write input tar");
    s.import(&p, tag).expect("import")
}

/// Names in a directory (empty when it does not exist), sorted.
pub fn names(p: &std::path::Path) -> Vec<String> {
    let mut v: Vec<String> = std::fs::read_dir(p)
        .map(|rd| {
            rd.filter_map(|e| e.ok()?.file_name().into_string().ok())
                .collect()
        })
        .unwrap_or_default();
    v.sort();
    v
}
