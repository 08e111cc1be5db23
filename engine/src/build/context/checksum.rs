//! The cache key of what a COPY copies: a sha256 over every file its sources bring, as
//! it lands (relative name, kind, permission bits, link target, size and content), in the
//! order [`for_each_landing`] gives. Owners and times are left out, as BuildKit leaves
//! them out of its content checksums: a fresh checkout of the same tree hits the cache.

use std::fs::File;
use std::io::{self, Read};
use std::os::unix::fs::PermissionsExt;

use sha2::{Digest as _, Sha256};

use super::landing::{for_each_landing, Landing};
use super::placement::Placement;
use super::sources::{Kind, Source};
use super::Context;
use crate::error::{IoContext, Result};
use crate::store::Digest;

impl Context {
    /// The digest of everything `sources` would copy, named as they land in a directory.
    pub fn checksum(&self, sources: &[Source]) -> Result<Digest> {
        let mut h = Sha256::new();
        for_each_landing(self, sources, &Placement::IntoDir, &mut |l| add(&mut h, l))?;
        Ok(Digest::from_hasher(h))
    }
}

/// One entry into the hash. Each field is framed (a tag, NUL-ended strings, fixed-size
/// numbers) so that no two different trees can feed the same bytes.
fn add(h: &mut Sha256, l: &Landing) -> Result<()> {
    let tag: &[u8] = match l.kind {
        Kind::File => b"F",
        Kind::Dir => b"D",
        Kind::Symlink => b"L",
    };
    h.update(tag);
    h.update(l.name.as_bytes());
    h.update([0]);
    h.update((l.meta.permissions().mode() & 0o7777).to_le_bytes());
    match l.kind {
        Kind::Dir => {}
        Kind::Symlink => {
            let target = std::fs::read_link(&l.path).ctx("read link", &l.path)?;
            h.update(target.as_os_str().as_encoded_bytes());
            h.update([0]);
        }
        Kind::File => {
            h.update(l.meta.len().to_le_bytes());
            let f = File::open(&l.path).ctx("open", &l.path)?;
            // Streamed, never read whole; the count read is hashed too in case the file
            // changed size since it was stat'ed.
            let read =
                io::copy(&mut f.take(l.meta.len() + 1), &mut HashWriter(h)).ctx("read", &l.path)?;
            h.update(read.to_le_bytes());
        }
    }
    Ok(())
}

struct HashWriter<'a>(&'a mut Sha256);

impl io::Write for HashWriter<'_> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.0.update(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}
