//! Content-addressed blobs (`blobs/sha256/<hex>`): manifests, configs and layer tars.
//! A blob is written to a temp file while hashing, then renamed to its digest, so a blob
//! on disk always matches its name.

use std::fs::{self, File};
use std::io::{self, Read, Write};
use std::path::PathBuf;

use sha2::{Digest as _, Sha256};

use super::atomic::write_atomic;
use super::digest::Digest;
use crate::error::{Error, IoContext, Result};

#[derive(Debug, Clone)]
pub struct BlobStore {
    dir: PathBuf,
    tmp: PathBuf,
}

impl BlobStore {
    pub fn new(dir: PathBuf, tmp: PathBuf) -> Self {
        BlobStore { dir, tmp }
    }

    pub fn path(&self, d: &Digest) -> PathBuf {
        self.dir.join(d.hex())
    }

    pub fn exists(&self, d: &Digest) -> bool {
        self.path(d).exists()
    }

    pub fn put_bytes(&self, bytes: &[u8]) -> Result<Digest> {
        let d = Digest::of(bytes);
        let p = self.path(&d);
        if !p.exists() {
            write_atomic(&p, bytes)?;
        }
        Ok(d)
    }

    /// Stream a blob in, hashing as it goes. Returns its digest and size.
    pub fn put_reader(&self, mut r: impl Read) -> Result<(Digest, u64)> {
        fs::create_dir_all(&self.tmp).ctx("create directory", &self.tmp)?;
        let tmp = tempfile_in(&self.tmp)?;
        let mut hasher = Sha256::new();
        let mut size = 0u64;
        {
            let mut f = File::create(&tmp).ctx("create", &tmp)?;
            let mut buf = vec![0u8; 1 << 16];
            loop {
                let n = match r.read(&mut buf) {
                    Ok(0) => break,
                    Ok(n) => n,
                    Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                    Err(e) => {
                        let _ = fs::remove_file(&tmp);
                        return Err(Error::io("read blob into", &tmp, e));
                    }
                };
                hasher.update(&buf[..n]);
                f.write_all(&buf[..n]).ctx("write", &tmp)?;
                size += n as u64;
            }
            f.sync_all().ctx("fsync", &tmp)?;
        }
        let d = Digest::from_hasher(hasher);
        let dest = self.path(&d);
        fs::rename(&tmp, &dest).ctx("rename blob", &dest)?;
        Ok((d, size))
    }

    pub fn read(&self, d: &Digest) -> Result<Vec<u8>> {
        let p = self.path(d);
        fs::read(&p).ctx("read blob", &p)
    }

    pub fn open(&self, d: &Digest) -> Result<File> {
        let p = self.path(d);
        File::open(&p).ctx("open blob", &p)
    }

    pub fn remove(&self, d: &Digest) -> Result<()> {
        let p = self.path(d);
        match fs::remove_file(&p) {
            Err(e) if e.kind() != io::ErrorKind::NotFound => Err(Error::io("remove blob", p, e)),
            _ => Ok(()),
        }
    }

    pub fn size(&self, d: &Digest) -> Result<u64> {
        let p = self.path(d);
        Ok(fs::metadata(&p).ctx("stat blob", &p)?.len())
    }
}

fn tempfile_in(dir: &std::path::Path) -> Result<PathBuf> {
    Ok(dir.join(format!(
        "blob-{}-{}",
        std::process::id(),
        super::ids::random_hex(8)
    )))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn blob_name_is_its_digest() {
        let dir = tempfile::tempdir().unwrap();
        let s = BlobStore::new(dir.path().join("b"), dir.path().join("t"));
        fs::create_dir_all(dir.path().join("b")).unwrap();
        let (d, n) = s.put_reader(&b"hello"[..]).unwrap();
        assert_eq!(n, 5);
        assert_eq!(d, Digest::of(b"hello"));
        assert_eq!(s.read(&d).unwrap(), b"hello");
        assert_eq!(s.put_bytes(b"hello").unwrap(), d);
    }
}
