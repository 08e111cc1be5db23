//! ADD's rule for a local file: a tar, plain or compressed with gzip, bzip2, xz or zstd,
//! is unpacked at the destination; anything else is copied as it is. The file's content
//! decides, never its name (Docker's `archive.IsArchivePath`): the decompressed stream
//! must start with a valid tar header. A damaged compressed file or an empty tar is not
//! an archive for Docker either, and is copied as a file.

use std::fs::File;
use std::io::Read;
use std::path::Path;

use crate::error::{IoContext, Result};
use crate::image::compress::{decoder, detect, looks_like_tar, peek, MAGIC_LEN};

/// The tar stream inside `path`, decompressed, or None when ADD should copy the file.
pub fn open_archive(path: &Path) -> Result<Option<Box<dyn Read>>> {
    let f = File::open(path).ctx("open", path)?;
    let (head, stream) = peek(f, MAGIC_LEN).ctx("read", path)?;
    let Ok(compression) = detect(&head) else {
        return Ok(None);
    };
    let Ok(stream) = decoder(compression, stream) else {
        return Ok(None);
    };
    // A decoder that fails on the first block means a damaged file: not an archive.
    let Ok((block, stream)) = peek(stream, 512) else {
        return Ok(None);
    };
    // Go's tar reader returns EOF, not a header, for an archive of zero blocks only.
    if block.len() < 512 || block.iter().all(|&b| b == 0) || !looks_like_tar(&block) {
        return Ok(None);
    }
    Ok(Some(Box::new(stream)))
}
