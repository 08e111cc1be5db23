//! Blobs and unpacked layers are prepared under `tmp/` and only renamed to their final
//! names once complete and verified, so a crash or a refused archive never leaves a half
//! layer or a wrong blob under a digest name. A staged item that is dropped without being
//! installed is removed.

use std::fs::{self, File};
use std::io::{self, Read, Write};
use std::os::fd::AsRawFd;
use std::path::{Path, PathBuf};

use flate2::read::GzEncoder;

use super::compress::{decompress, HashingReader};
use super::unpack::{self, Unpacked};
use crate::error::{Error, IoContext, Result};
use crate::store::ids::random_hex;
use crate::store::{BlobStore, Digest};

/// The gzip level of the layers berth makes (built, committed, compressed for a push):
/// zlib's fastest, so that compressing never holds a build or a push back for long; the
/// blobs are a little larger than at the default level and just as valid.
const LAYER_GZIP_LEVEL: flate2::Compression = flate2::Compression::fast();

/// A layer unpacked into a temp dir, its diff ID checked.
#[derive(Debug)]
pub struct StagedLayer {
    dir: Option<PathBuf>,
    pub unpacked: Unpacked,
}

impl StagedLayer {
    /// Unpack a layer blob (gzip or plain tar, told apart by magic bytes) under `tmp`.
    /// With `expected`, a different diff ID is an error. `layer` names it in errors.
    pub fn unpack(
        tmp: &Path,
        blob: impl Read,
        layer: &str,
        expected: Option<&Digest>,
    ) -> Result<StagedLayer> {
        fs::create_dir_all(tmp).ctx("create directory", tmp)?;
        let dir = tmp.join(format!("layer-{}", random_hex(8)));
        fs::create_dir(&dir).ctx("create directory", &dir)?;
        // Owned from here on: an error below drops it, and Drop removes the half layer.
        let mut staged = StagedLayer {
            dir: Some(dir.clone()),
            unpacked: Unpacked {
                diff_id: Digest::of(b""),
                size: 0,
            },
        };
        let stream = decompress(blob).map_err(|e| Error::UnsafeLayer {
            layer: layer.into(),
            reason: e.to_string(),
        })?;
        staged.unpacked = unpack::unpack(stream, &dir, layer)?;
        check_diff_id(layer, expected, &staged.unpacked.diff_id)?;
        Ok(staged)
    }

    pub fn diff_id(&self) -> &Digest {
        &self.unpacked.diff_id
    }

    /// Rename into `dest`. If another process got there first the layers are the same
    /// content (same diff ID), so ours is simply dropped.
    pub fn install(mut self, dest: &Path) -> Result<()> {
        let Some(dir) = self.dir.take() else {
            return Ok(());
        };
        // Flush the unpacked files before the rename makes them visible under their final
        // name: after a crash the layer is either complete or absent.
        if let Ok(d) = File::open(&dir) {
            // SAFETY: syncfs on an fd we own.
            unsafe { libc::syncfs(d.as_raw_fd()) };
        }
        if let Some(parent) = dest.parent() {
            fs::create_dir_all(parent).ctx("create directory", parent)?;
        }
        match fs::rename(&dir, dest) {
            Ok(()) => Ok(()),
            Err(_) if dest.is_dir() => {
                let _ = fs::remove_dir_all(&dir);
                Ok(())
            }
            Err(e) => {
                let _ = fs::remove_dir_all(&dir);
                Err(Error::io("rename layer into place", dest, e))
            }
        }
    }
}

impl Drop for StagedLayer {
    fn drop(&mut self) {
        if let Some(dir) = self.dir.take() {
            let _ = fs::remove_dir_all(dir);
        }
    }
}

pub fn check_diff_id(layer: &str, expected: Option<&Digest>, got: &Digest) -> Result<()> {
    match expected {
        Some(want) if want != got => Err(Error::UnsafeLayer {
            layer: layer.to_string(),
            reason: format!("diff ID mismatch: the config says {want}, the content is {got}"),
        }),
        _ => Ok(()),
    }
}

/// A file in `tmp/` whose digest is known, waiting to become a blob.
#[derive(Debug)]
pub struct StagedBlob {
    path: Option<PathBuf>,
    pub digest: Digest,
    pub size: u64,
}

impl StagedBlob {
    /// Copy `r` into a temp file, hashing it.
    pub fn write(tmp: &Path, r: impl Read) -> Result<StagedBlob> {
        fs::create_dir_all(tmp).ctx("create directory", tmp)?;
        let path = tmp.join(format!("blob-{}", random_hex(8)));
        let mut f = File::create(&path).ctx("create", &path)?;
        let mut staged = StagedBlob {
            path: Some(path.clone()),
            digest: Digest::of(b""),
            size: 0,
        };
        let mut hashing = HashingReader::new(r);
        io::copy(&mut hashing, &mut f).ctx("write", &path)?;
        f.flush().ctx("write", &path)?;
        let (digest, size) = hashing.finish().ctx("read into", &path)?;
        staged.digest = digest;
        staged.size = size;
        Ok(staged)
    }

    /// Gzip the plain tar `r` into a temp file: the blob's digest and size are the
    /// compressed bytes', the returned diff ID the plain stream's, both hashed in one pass.
    /// `src` names the tar in errors.
    pub fn write_gzip(tmp: &Path, r: impl Read, src: &Path) -> Result<(StagedBlob, Digest)> {
        let mut plain = HashingReader::new(r);
        let staged = StagedBlob::write(tmp, GzEncoder::new(&mut plain, LAYER_GZIP_LEVEL))?;
        let (diff_id, _) = plain.finish().ctx("read", src)?;
        Ok((staged, diff_id))
    }

    pub fn path(&self) -> Option<&Path> {
        self.path.as_deref()
    }

    pub fn install(mut self, blobs: &BlobStore) -> Result<()> {
        match self.path.take() {
            Some(p) => install_file(&p, &self.digest, blobs),
            None => Ok(()),
        }
    }
}

impl Drop for StagedBlob {
    fn drop(&mut self) {
        if let Some(p) = self.path.take() {
            let _ = fs::remove_file(p);
        }
    }
}

/// Move a verified temp file to `blobs/sha256/<hex>` unless that blob is already there
/// (same name, same content).
pub fn install_file(src: &Path, digest: &Digest, blobs: &BlobStore) -> Result<()> {
    let dest = blobs.path(digest);
    if dest.exists() {
        let _ = fs::remove_file(src);
        return Ok(());
    }
    File::open(src)
        .and_then(|f| f.sync_all())
        .ctx("fsync", src)?;
    if let Some(parent) = dest.parent() {
        fs::create_dir_all(parent).ctx("create directory", parent)?;
    }
    fs::rename(src, &dest).ctx("rename blob into place", &dest)
}
