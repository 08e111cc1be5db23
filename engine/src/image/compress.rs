//! Stream helpers: detect compression by magic bytes (never by file name), decompress,
//! recognise a tar stream, and hash what flows through a reader.
//!
//! The four compressions are Docker's (`archive.DetectCompression`): gzip, bzip2, xz and
//! zstd, all read with pure-Rust decoders so the engine needs no C library for them.

use std::io::{self, Cursor, Read};

use flate2::read::MultiGzDecoder;
use ruzstd::decoding::errors::{FrameDecoderError, ReadFrameHeaderError};
use ruzstd::decoding::{BlockDecodingStrategy, FrameDecoder};
use sha2::{Digest as _, Sha256};

use crate::store::Digest;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Compression {
    None,
    Gzip,
    Bzip2,
    Xz,
    Zstd,
}

impl Compression {
    /// The name Docker's messages use.
    pub fn name(self) -> &'static str {
        match self {
            Compression::None => "uncompressed",
            Compression::Gzip => "gzip",
            Compression::Bzip2 => "bzip2",
            Compression::Xz => "xz",
            Compression::Zstd => "zstd",
        }
    }
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

/// How many leading bytes [`detect`] needs.
pub const MAGIC_LEN: usize = 6;

/// The compression of a stream from its first bytes ([`MAGIC_LEN`] of them). Every
/// compression Docker detects is read now; the `Result` stays for a format we may one day
/// recognise without reading it.
pub fn detect(head: &[u8]) -> Result<Compression, String> {
    Ok(match head {
        [0x1f, 0x8b, ..] => Compression::Gzip,
        [0x28, 0xb5, 0x2f, 0xfd, ..] => Compression::Zstd,
        [0xfd, b'7', b'z', b'X', b'Z', 0, ..] => Compression::Xz,
        [b'B', b'Z', b'h', ..] => Compression::Bzip2,
        _ => Compression::None,
    })
}

/// Wrap `r` in a decompressor chosen by its magic bytes.
pub fn decompress<'a, R: Read + 'a>(r: R) -> io::Result<Box<dyn Read + 'a>> {
    let (head, r) = peek(r, MAGIC_LEN)?;
    let c = detect(&head).map_err(|e| io::Error::new(io::ErrorKind::InvalidData, e))?;
    decoder(c, r)
}

/// A reader of `r` decompressed as `c`. Every decoder reads concatenated streams to
/// the end (parallel compressors write several), as Docker's do.
pub fn decoder<'a, R: Read + 'a>(c: Compression, r: R) -> io::Result<Box<dyn Read + 'a>> {
    Ok(match c {
        Compression::None => Box::new(r),
        Compression::Gzip => Box::new(MultiGzDecoder::new(r)),
        Compression::Bzip2 => Box::new(bzip2::read::MultiBzDecoder::new(r)),
        Compression::Xz => Box::new(lzma_rust2::XzReader::new(r, true)),
        Compression::Zstd => Box::new(ZstdFrames::new(r)?),
    })
}

/// zstd frames one after another, skippable frames skipped: ruzstd decodes one frame, so
/// this drives its frame decoder from frame to frame over the same input.
struct ZstdFrames<R> {
    input: R,
    dec: FrameDecoder,
    /// False once the input has ended after a whole frame.
    in_frame: bool,
}

impl<R: Read> ZstdFrames<R> {
    fn new(input: R) -> io::Result<Self> {
        let mut z = ZstdFrames {
            input,
            dec: FrameDecoder::new(),
            in_frame: false,
        };
        z.next_frame()?;
        Ok(z)
    }

    /// Start the next data frame, or note the end of the input.
    fn next_frame(&mut self) -> io::Result<()> {
        loop {
            // The end of the input is only fine between frames.
            let mut first = [0u8; 1];
            if read_some(&mut self.input, &mut first)? == 0 {
                self.in_frame = false;
                return Ok(());
            }
            let mut header = Cursor::new(first).chain(&mut self.input);
            match self.dec.init(&mut header) {
                Ok(()) => {
                    self.in_frame = true;
                    return Ok(());
                }
                Err(FrameDecoderError::ReadFrameHeaderError(ReadFrameHeaderError::SkipFrame {
                    length,
                    ..
                })) => {
                    let want = u64::from(length);
                    if io::copy(&mut (&mut self.input).take(want), &mut io::sink())? < want {
                        return Err(io::Error::new(
                            io::ErrorKind::UnexpectedEof,
                            "zstd: truncated skippable frame",
                        ));
                    }
                }
                Err(e) => return Err(zstd_error(e)),
            }
        }
    }
}

fn read_some(r: &mut impl Read, buf: &mut [u8]) -> io::Result<usize> {
    loop {
        match r.read(buf) {
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            other => return other,
        }
    }
}

fn zstd_error(e: FrameDecoderError) -> io::Error {
    io::Error::new(io::ErrorKind::InvalidData, format!("zstd: {e}"))
}

impl<R: Read> Read for ZstdFrames<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        if buf.is_empty() {
            return Ok(0);
        }
        while self.in_frame {
            while self.dec.can_collect() == 0 && !self.dec.is_finished() {
                self.dec
                    .decode_blocks(&mut self.input, BlockDecodingStrategy::UptoBlocks(1))
                    .map_err(zstd_error)?;
            }
            let n = self.dec.read(buf)?;
            if n > 0 {
                return Ok(n);
            }
            if self.dec.is_finished() && self.dec.can_collect() == 0 {
                self.next_frame()?;
            }
        }
        Ok(0)
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
pub(crate) mod tests {
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
    }

    /// `tar` compressed as `c`, made with the same crates that read it.
    pub(crate) fn compressed(c: Compression, tar: &[u8]) -> Vec<u8> {
        match c {
            Compression::None => tar.to_vec(),
            Compression::Gzip => {
                let mut w = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
                w.write_all(tar).unwrap();
                w.finish().unwrap()
            }
            Compression::Bzip2 => {
                let mut w = bzip2::write::BzEncoder::new(Vec::new(), bzip2::Compression::fast());
                w.write_all(tar).unwrap();
                w.finish().unwrap()
            }
            Compression::Xz => {
                let mut w =
                    lzma_rust2::XzWriter::new(Vec::new(), lzma_rust2::XzOptions::with_preset(1))
                        .unwrap();
                w.write_all(tar).unwrap();
                w.finish().unwrap()
            }
            Compression::Zstd => {
                ruzstd::encoding::compress_to_vec(tar, ruzstd::encoding::CompressionLevel::Fastest)
            }
        }
    }

    #[test]
    fn every_compression_round_trips() {
        let tar = small_tar();
        for c in [
            Compression::None,
            Compression::Gzip,
            Compression::Bzip2,
            Compression::Xz,
            Compression::Zstd,
        ] {
            let data = compressed(c, &tar);
            assert_eq!(detect(&data[..MAGIC_LEN]), Ok(c), "{}", c.name());
            let mut out = Vec::new();
            decompress(&data[..])
                .unwrap()
                .read_to_end(&mut out)
                .unwrap();
            assert_eq!(out, tar, "{}", c.name());
        }
    }

    #[test]
    fn zstd_frames_follow_each_other() {
        let mut data = compressed(Compression::Zstd, b"first ");
        // A skippable frame (magic 0x184D2A50, 3 bytes of payload) between the two.
        data.extend_from_slice(&[0x50, 0x2a, 0x4d, 0x18, 3, 0, 0, 0, 9, 9, 9]);
        data.extend(compressed(Compression::Zstd, b"second"));
        let mut out = Vec::new();
        decompress(&data[..])
            .unwrap()
            .read_to_end(&mut out)
            .unwrap();
        assert_eq!(out, b"first second");
        // A frame cut short is an error, not a short read.
        let cut = &data[..data.len() - 3];
        let mut r = decompress(cut).unwrap();
        assert!(r.read_to_end(&mut Vec::new()).is_err());
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
