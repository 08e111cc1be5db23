//! Advisory file locks (flock). Held while names and IPs are allocated and while a
//! container's record is read-modified-written, so concurrent berth processes never race.

use std::fs::{File, OpenOptions};
use std::os::fd::AsRawFd;
use std::path::Path;

use crate::error::{Error, IoContext, Result};

/// Released when dropped (the kernel drops the flock with the last fd).
#[derive(Debug)]
pub struct FileLock {
    _file: File,
}

impl FileLock {
    pub fn exclusive(path: &Path) -> Result<Self> {
        Self::lock(path, libc::LOCK_EX)
    }
    /// Take the lock only if nobody holds it; `None` when it is busy.
    pub fn try_exclusive(path: &Path) -> Result<Option<Self>> {
        match Self::lock(path, libc::LOCK_EX | libc::LOCK_NB) {
            Ok(l) => Ok(Some(l)),
            Err(Error::Io { source, .. }) if source.kind() == std::io::ErrorKind::WouldBlock => {
                Ok(None)
            }
            Err(e) => Err(e),
        }
    }

    pub fn shared(path: &Path) -> Result<Self> {
        Self::lock(path, libc::LOCK_SH)
    }

    fn lock(path: &Path, how: libc::c_int) -> Result<Self> {
        let file = OpenOptions::new()
            .read(true)
            .write(true)
            .create(true)
            .truncate(false)
            .open(path)
            .ctx("open lock", path)?;
        loop {
            // SAFETY: flock on an fd we own.
            let rc = unsafe { libc::flock(file.as_raw_fd(), how) };
            if rc == 0 {
                return Ok(FileLock { _file: file });
            }
            let err = std::io::Error::last_os_error();
            if err.kind() != std::io::ErrorKind::Interrupted {
                return Err(Error::io("lock", path, err));
            }
        }
    }
}
