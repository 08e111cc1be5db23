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
    /// See [`TarWriter::literal_top`].
    literal_top: Option<String>,
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
            literal_top: None,
        }
    }

    /// Entries named under `.` are written with `top` for that `.`, literally, in a PAX
    /// record: Docker's archive GET names the entries of `dir/.` `./x` and those of `/`
    /// `/x`, which tar's own name field cannot hold, and Docker's client renames entries
    /// by that prefix.
    pub fn literal_top(mut self, top: &str) -> Self {
        self.literal_top = Some(top.to_string());
        self
    }

    /// The literal name of `name` (`.` or `./rest`), if names are literal.
    fn literal(&self, name: &Path) -> Option<Vec<u8>> {
        let top = self.literal_top.as_ref()?;
        let rest: PathBuf = name.components().skip(1).collect();
        if rest.as_os_str().is_empty() {
            return Some(top.as_bytes().to_vec());
        }
        let mut out = top.trim_end_matches('/').as_bytes().to_vec();
        out.push(b'/');
        out.extend_from_slice(rest.as_os_str().as_encoded_bytes());
        Some(out)
    }

    /// The PAX record that names the next entry literally (and its hard link target).
    fn name_literally(&mut self, name: &Path, link: Option<&Path>) -> io::Result<()> {
        let Some(path) = self.literal(name) else {
            return Ok(());
        };
        let mut data = pax_record("path", &path);
        if let Some(l) = link.and_then(|l| self.literal(l)) {
            data.extend(pax_record("linkpath", &l));
        }
        let mut h = Header::new_ustar();
        h.set_entry_type(EntryType::XHeader);
        h.set_path("PaxHeader")?;
        h.set_mode(0o644);
        h.set_size(data.len() as u64);
        h.set_cksum();
        self.builder.append(&h, &data[..])
    }

    /// One entry for the file at `path` (metadata `m`, not followed), named `name`.
    /// Sockets are skipped: a tar cannot carry them.
    pub fn append(&mut self, path: &Path, name: &Path, m: &Metadata) -> io::Result<()> {
        let ft = m.file_type();
        if ft.is_file() {
            if m.nlink() > 1 {
                let key = (m.dev(), m.ino());
                if let Some(first) = self.links.get(&key).cloned() {
                    self.name_literally(name, Some(&first))?;
                    let mut h = header(m, EntryType::Link, 0);
                    return self.builder.append_link(&mut h, name, first);
                }
                self.links.insert(key, name.to_path_buf());
            }
            self.name_literally(name, None)?;
            let mut h = header(m, EntryType::Regular, m.len());
            let f = File::open(path)?;
            // A file that grows meanwhile is cut at the size in the header.
            return self
                .builder
                .append_data(&mut h, name, io::Read::take(f, m.len()));
        }
        if ft.is_dir() {
            self.name_literally(name, None)?;
            let mut h = header(m, EntryType::Directory, 0);
            return self.builder.append_data(&mut h, name, io::empty());
        }
        if ft.is_symlink() {
            let target = fs::read_link(path)?;
            self.name_literally(name, None)?;
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
        self.name_literally(name, None)?;
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

/// One PAX extended header record: `LEN key=value\n`, LEN counting itself.
fn pax_record(key: &str, value: &[u8]) -> Vec<u8> {
    let body = key.len() + value.len() + 3; // ' ', '=', '\n'
    let mut len = body + 1;
    while len != body + len.to_string().len() {
        len = body + len.to_string().len();
    }
    let mut out = format!("{len} {key}=").into_bytes();
    out.extend_from_slice(value);
    out.push(b'\n');
    out
}

/// A write that failed because the reader went away: the reader reports why.
pub fn is_broken_pipe(e: &io::Error) -> bool {
    e.kind() == io::ErrorKind::BrokenPipe
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pax_records_count_their_own_length() {
        assert_eq!(pax_record("path", b"./a"), b"12 path=./a\n");
        let long = vec![b'x'; 95];
        let r = pax_record("path", &long);
        assert_eq!(r.len().to_string(), String::from_utf8_lossy(&r[..3]));
    }

    #[test]
    fn literal_names_reach_readers_through_pax() {
        let d = tempfile::tempdir().unwrap();
        let dir = d.path().join("d");
        fs::create_dir_all(dir.join("sub")).unwrap();
        fs::write(dir.join("sub/f.txt"), "x").unwrap();
        fs::hard_link(dir.join("sub/f.txt"), dir.join("g")).unwrap();
        let names = |top: Option<&str>| -> Vec<(String, Option<String>)> {
            let mut t = TarWriter::new(Vec::new());
            if let Some(top) = top {
                t = t.literal_top(top);
            }
            let m = fs::symlink_metadata(&dir).unwrap();
            t.append_tree(&dir, Path::new("."), &m).unwrap();
            let data = t.finish().unwrap();
            let mut ar = tar::Archive::new(&data[..]);
            ar.entries()
                .unwrap()
                .map(|e| {
                    let e = e.unwrap();
                    let link = e
                        .link_name_bytes()
                        .map(|l| String::from_utf8_lossy(&l).into_owned());
                    (String::from_utf8_lossy(&e.path_bytes()).into_owned(), link)
                })
                .collect()
        };
        let dot = names(Some("."));
        let want: Vec<(String, Option<String>)> = vec![
            (".".into(), None),
            ("./g".into(), None),
            ("./sub".into(), None),
            ("./sub/f.txt".into(), Some("./g".into())),
        ];
        assert_eq!(dot, want);
        let root = names(Some("/"));
        assert_eq!(root[0].0, "/");
        assert_eq!(root[3], ("/sub/f.txt".into(), Some("/g".into())));
        // Without literal names, tar's own (the `./` dropped).
        assert_eq!(names(None)[1].0, "g");
    }
}
