//! The tar a COPY puts into a step, to be unpacked at the extraction directory by the
//! engine's safe extractor. Names are relative and never hold `..` (they come from
//! walking the context); the extraction directory itself has no entry, so one that
//! exists keeps its mode and owner, as in BuildKit (the builder creates a missing one,
//! owned by the `--chown` owner as BuildKit does: tonistiigi/fsutil#49). Modes and
//! modification times are kept; owners are 0:0 unless `--chown` gives every entry its
//! owner; `--chmod` replaces the permission bits of every file and directory copied,
//! not of links.

use std::fs::File;
use std::io::{self, Read, Write};
use std::os::unix::fs::{MetadataExt, PermissionsExt};

use tar::{EntryType, Header};

use super::landing::{for_each_landing, Landing};
use super::placement::Placement;
use super::sources::{Kind, Source};
use super::Context;
use crate::error::{Error, IoContext, Result};

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CopyOpts {
    /// `--chown` as numbers (the builder looks names up in the image).
    pub chown: Option<(u32, u32)>,
    /// `--chmod` as permission bits.
    pub chmod: Option<u32>,
}

/// Write the tar of `sources` placed as `placement` to `out`.
pub fn write_copy_tar<W: Write>(
    sources: &[Source],
    ctx: &Context,
    placement: &Placement,
    opts: &CopyOpts,
    out: W,
) -> Result<()> {
    let mut b = tar::Builder::new(out);
    b.mode(tar::HeaderMode::Complete);
    for_each_landing(ctx, sources, placement, &mut |l| append(&mut b, l, opts))?;
    b.finish().ctx("write copy archive for", ctx.root())?;
    Ok(())
}

fn append<W: Write>(b: &mut tar::Builder<W>, l: &Landing, opts: &CopyOpts) -> Result<()> {
    let disk_mode = l.meta.permissions().mode() & 0o7777;
    let mut h = Header::new_gnu();
    let (uid, gid) = opts.chown.unwrap_or((0, 0));
    h.set_uid(uid.into());
    h.set_gid(gid.into());
    h.set_mtime(l.meta.mtime().max(0) as u64);
    let wrote = match l.kind {
        Kind::Dir => {
            h.set_entry_type(EntryType::Directory);
            h.set_mode(opts.chmod.unwrap_or(disk_mode));
            h.set_size(0);
            b.append_data(&mut h, format!("{}/", l.name), io::empty())
        }
        Kind::Symlink => {
            let target = std::fs::read_link(&l.path).ctx("read link", &l.path)?;
            h.set_entry_type(EntryType::Symlink);
            h.set_mode(0o777);
            h.set_size(0);
            b.append_link(&mut h, &l.name, target)
        }
        Kind::File => {
            h.set_entry_type(EntryType::Regular);
            h.set_mode(opts.chmod.unwrap_or(disk_mode));
            h.set_size(l.meta.len());
            let f = File::open(&l.path).ctx("open", &l.path)?;
            b.append_data(&mut h, &l.name, Exact::new(f, l.meta.len()))
        }
    };
    wrote.map_err(|e| Error::io("write to the copy archive", &l.path, e))
}

/// Exactly `left` bytes of a file, or an error: a file that shrank while it was copied
/// would otherwise leave a tar whose sizes lie.
struct Exact<R> {
    inner: io::Take<R>,
    left: u64,
}

impl<R: Read> Exact<R> {
    fn new(inner: R, len: u64) -> Self {
        Exact {
            inner: inner.take(len),
            left: len,
        }
    }
}

impl<R: Read> Read for Exact<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        if n == 0 && self.left > 0 && !buf.is_empty() {
            return Err(io::Error::new(
                io::ErrorKind::UnexpectedEof,
                "file shrank while it was being copied",
            ));
        }
        self.left -= n as u64;
        Ok(n)
    }
}
