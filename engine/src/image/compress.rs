//! Stream helpers: detect compression by magic bytes (never by file name), decompress,
//! recognise a tar stream, and hash what flows through a reader.

use std::io::{self, Cursor, Read};

use flate2::read::MultiGzDecoder;
use sha2::{Digest as _, Sha256};

use crate::store::Digest;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Compression {
    None,
    Gzip,
}

/// A stream with its first bytes already read (and replayed on read).
pub type Peeked<R> = io::Chain<Cursor<Vec<u8>>, R>;

/// Read up to `n` bytes of `r` without losing them.
pub fn peek<R: Read>(mut r: R, n: usize) -> io::Result<(Vec<u8>, Peeked<R>)> {
    let mut head = vec![0u8; n];
    let mut got = 0;
    while got < n {
        match r.read(&mut head[got..]) {
            Ok(0) => break,
            Ok(k) => got += k,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e),
        }
    }
    head.truncate(got);
    Ok((head.clone(), Cursor::new(head).chain(r)))
}

/// The compression of a stream from its first bytes; an error names formats we recognise
/// but cannot read, so the user is told what the file is rather than "not a tar".
pub fn detect(head: &[u8]) -> Result<Compression, String> {
    match head {
        [0x1f, 0x8b, ..] => Ok(Compression::Gzip),
        [0x28, 0xb5, 0x2f, 0xfd, ..] => Err("zstd compression is not supported".into()),
        [0xfd, b'7', b'z', b'X', b'Z', 0, ..] => Err("xz compression is not supported".into()),
        [b'B', b'Z', b'h', ..] => Err("bzip2 compression is not supported".into()),
        _ => Ok(Compression::None),
    }
}

/// Wrap `r` in a decompressor chosen by its magic bytes.
pub fn decompress<'a, R: Read + 'a>(r: R) -> io::Result<Box<dyn Read + 'a>> {
    let (head, r) = peek(r, 6)?;
    match detect(&head).map_err(|e| io::Error::new(io::ErrorKind::InvalidData, e))? {
        Compression::Gzip => Ok(Box::new(MultiGzDecoder::new(r))),
        Compression::None => Ok(Box::new(r)),
    }
}

/// True when `block` is a tar header with a valid checksum, or the all-zero block that
/// ends an empty archive.
pub fn looks_like_tar(block: &[u8]) -> bool {
    if block.len() < 512 {
        return false;
    }
    let block = &block[..512];
    if block.iter().all(|&b| b == 0) {
        return true;
    }
    let field = &block[148..156];
    let text: String = field
        .iter()
        .take_while(|&&b| b != 0 && b != b' ')
        .map(|&b| b as char)
        .collect();
    let Ok(stored) = u32::from_str_radix(text.trim_start(), 8) else {
        return false;
    };
    let sum: u32 = block
        .iter()
        .enumerate()
        .map(|(i, &b)| {
            if (148..156).contains(&i) {
                b' ' as u32
            } else {
                b as u32
            }
        })
        .sum();
    sum == stored
}

/// Passes bytes through while hashing and counting them.
pub struct HashingReader<R> {
    inner: R,
    hasher: Sha256,
    count: u64,
}

impl<R: Read> HashingReader<R> {
    pub fn new(inner: R) -> Self {
        HashingReader {
            inner,
            hasher: Sha256::new(),
            count: 0,
        }
    }
    /// Read the rest of the stream (a tar's trailing padding counts in its digest) and
    /// return the digest and byte count of everything read.
    pub fn finish(mut self) -> io::Result<(Digest, u64)> {
        io::copy(&mut self, &mut io::sink())?;
        Ok((Digest::from_hasher(self.hasher), self.count))
    }
}

impl<R: Read> Read for HashingReader<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.hasher.update(&buf[..n]);
        self.count += n as u64;
        Ok(n)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    fn small_tar() -> Vec<u8> {
        let mut b = tar::Builder::new(Vec::new());
        let mut h = tar::Header::new_gnu();
        h.set_size(2);
        h.set_mode(0o644);
        h.set_cksum();
        b.append_data(&mut h, "f", &b"hi"[..]).unwrap();
        b.into_inner().unwrap()
    }

    #[test]
    fn detects_gzip_and_tar() {
        let tar = small_tar();
        assert!(looks_like_tar(&tar));
        assert!(!looks_like_tar(b"hello world, not a tar at all"));
        let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        gz.write_all(&tar).unwrap();
        let gz = gz.finish().unwrap();
        assert_eq!(detect(&gz), Ok(Compression::Gzip));
        let mut out = Vec::new();
        decompress(&gz[..]).unwrap().read_to_end(&mut out).unwrap();
        assert_eq!(out, tar);
        assert!(detect(&[0x28, 0xb5, 0x2f, 0xfd])
            .unwrap_err()
            .contains("zstd"));
    }

    #[test]
    fn hashing_reader_counts_everything() {
        let mut r = HashingReader::new(&b"abcdef"[..]);
        let mut two = [0u8; 2];
        r.read_exact(&mut two).unwrap();
        let (d, n) = r.finish().unwrap();
        assert_eq!((d, n), (Digest::of(b"abcdef"), 6));
    }
}
