//! Writing files to a tar stream as they are on disk: mode, owner, times, symlinks,
//! device nodes, fifos, and hard links kept as links. Shared by `export`, `cp` and
//! `commit`; names are written as given (relative, no leading `/`).

use std::collections::HashMap;
use std::fs::{self, File, Metadata};
use std::io::{self, Write};
use std::os::unix::fs::{FileTypeExt, MetadataExt};
use std::path::{Path, PathBuf};

use tar::{EntryType, Header};

use super::overlay_tree::sorted_entries;

pub struct TarWriter<W: Write> {
    builder: tar::Builder<W>,
    /// (device, inode) of files with several links -> the name first written.
    links: HashMap<(u64, u64), PathBuf>,
}

fn header(m: &Metadata, kind: EntryType, size: u64) -> Header {
    let mut h = Header::new_gnu();
    h.set_entry_type(kind);
    h.set_mode(m.mode() & 0o7777);
    h.set_uid(m.uid().into());
    h.set_gid(m.gid().into());
    h.set_mtime(m.mtime().max(0) as u64);
    h.set_size(size);
    h
}

impl<W: Write> TarWriter<W> {
    pub fn new(w: W) -> Self {
        let mut builder = tar::Builder::new(w);
        builder.follow_symlinks(false);
        TarWriter {
            builder,
            links: HashMap::new(),
        }
    }

    /// One entry for the file at `path` (metadata `m`, not followed), named `name`.
    /// Sockets are skipped: a tar cannot carry them.
    pub fn append(&mut self, path: &Path, name: &Path, m: &Metadata) -> io::Result<()> {
        let ft = m.file_type();
        if ft.is_file() {
            if m.nlink() > 1 {
                let key = (m.dev(), m.ino());
                if let Some(first) = self.links.get(&key) {
                    let mut h = header(m, EntryType::Link, 0);
                    return self.builder.append_link(&mut h, name, first);
                }
                self.links.insert(key, name.to_path_buf());
            }
            let mut h = header(m, EntryType::Regular, m.len());
            let f = File::open(path)?;
            // A file that grows meanwhile is cut at the size in the header.
            return self
                .builder
                .append_data(&mut h, name, io::Read::take(f, m.len()));
        }
        if ft.is_dir() {
            let mut h = header(m, EntryType::Directory, 0);
            return self.builder.append_data(&mut h, name, io::empty());
        }
        if ft.is_symlink() {
            let target = fs::read_link(path)?;
            let mut h = header(m, EntryType::Symlink, 0);
            return self.builder.append_link(&mut h, name, target);
        }
        let kind = if ft.is_char_device() {
            EntryType::Char
        } else if ft.is_block_device() {
            EntryType::Block
        } else if ft.is_fifo() {
            EntryType::Fifo
        } else {
            return Ok(());
        };
        let mut h = header(m, kind, 0);
        if kind != EntryType::Fifo {
            let dev = m.rdev();
            h.set_device_major(libc::major(dev))?;
            h.set_device_minor(libc::minor(dev))?;
        }
        self.builder.append_data(&mut h, name, io::empty())
    }

    /// An empty regular file entry (whiteout markers).
    pub fn append_marker(&mut self, name: &Path, like: &Metadata) -> io::Result<()> {
        let mut h = header(like, EntryType::Regular, 0);
        h.set_mode(0o600);
        self.builder.append_data(&mut h, name, io::empty())
    }

    /// `path` and, when it is a directory, everything below it, names under `name`
    /// (`""` writes the children of `path` without an entry for `path` itself).
    pub fn append_tree(&mut self, path: &Path, name: &Path, m: &Metadata) -> io::Result<()> {
        if !name.as_os_str().is_empty() {
            self.append(path, name, m)?;
        }
        if !m.is_dir() {
            return Ok(());
        }
        for child in sorted_entries(path)? {
            let p = path.join(&child);
            let cm = match fs::symlink_metadata(&p) {
                Ok(cm) => cm,
                // Removed while we walk (a running container): skip it.
                Err(e) if e.kind() == io::ErrorKind::NotFound => continue,
                Err(e) => return Err(e),
            };
            self.append_tree(&p, &name.join(&child), &cm)?;
        }
        Ok(())
    }

    pub fn finish(mut self) -> io::Result<W> {
        self.builder.finish()?;
        self.builder.into_inner()
    }
}

/// A write that failed because the reader went away: the reader reports why.
pub fn is_broken_pipe(e: &io::Error) -> bool {
    e.kind() == io::ErrorKind::BrokenPipe
}
