//! The monitor's side of a remote log driver: it starts the container's shipper
//! (`berth __logship ID`) with a pipe as its stdin, and writes each log line to it
//! as the json-file line it also writes to disk.
//!
//! The pipe is non-blocking and the monitor never waits on it: a line that does not fit
//! is dropped and counted, and the count is sent ahead of the next line that fits, so
//! the shipper can report it. When the monitor ends, the pipe closes and the shipper
//! sends what it holds and exits.

use std::os::fd::{AsRawFd, OwnedFd};
use std::os::unix::process::CommandExt;
use std::process::Stdio;

use nix::fcntl::{fcntl, FcntlArg, OFlag};

use crate::config::Config;

/// The pipe's size: what the shipper may lag behind before lines are dropped here.
const PIPE_SIZE: i32 = 1 << 20;

pub struct Forwarder {
    pipe: Option<OwnedFd>,
    /// The unwritten end of a line the pipe took only part of.
    pending: Vec<u8>,
    /// Lines dropped since the last count was sent.
    dropped: u64,
}

impl Forwarder {
    /// Start the shipper of container `id`.
    pub fn start(config: &Config, id: &str) -> Result<Forwarder, String> {
        let (read, write) =
            nix::unistd::pipe2(OFlag::O_CLOEXEC).map_err(|e| format!("pipe: {}", e.desc()))?;
        // Best effort: the default 64 KiB still works, it only drops sooner.
        let _ = fcntl(write.as_raw_fd(), FcntlArg::F_SETPIPE_SZ(PIPE_SIZE));
        let mut cmd = config.helper_command("__logship");
        cmd.arg(id).stdin(Stdio::from(read));
        // SAFETY: only async-signal-safe calls between fork and exec.
        unsafe {
            cmd.pre_exec(|| {
                if libc::setsid() < 0 {
                    return Err(std::io::Error::last_os_error());
                }
                Ok(())
            });
        }
        let mut child = cmd
            .spawn()
            .map_err(|e| format!("start the log shipper: {e}"))?;
        // It forks and its first process exits at once: no zombie stays with us.
        let _ = child.wait();
        fcntl(write.as_raw_fd(), FcntlArg::F_SETFL(OFlag::O_NONBLOCK))
            .map_err(|e| format!("pipe: {}", e.desc()))?;
        Ok(Forwarder {
            pipe: Some(write),
            pending: Vec::new(),
            dropped: 0,
        })
    }

    /// Write as much of `bytes` as the pipe takes now; what is left is returned.
    /// The shipper gone (EPIPE) closes the pipe: everything after is dropped.
    fn write_some<'a>(&mut self, bytes: &'a [u8]) -> &'a [u8] {
        let Some(fd) = &self.pipe else {
            return bytes;
        };
        match nix::unistd::write(fd, bytes) {
            Ok(n) => &bytes[n..],
            Err(nix::errno::Errno::EAGAIN) | Err(nix::errno::Errno::EINTR) => bytes,
            Err(_) => {
                self.pipe = None;
                bytes
            }
        }
    }

    /// Finish the line a previous write left half done. True when nothing is pending.
    fn flush_pending(&mut self) -> bool {
        if !self.pending.is_empty() {
            let pending = std::mem::take(&mut self.pending);
            self.pending = self.write_some(&pending).to_vec();
        }
        self.pending.is_empty()
    }

    /// Send one frame (a JSON line with its newline), or count it dropped.
    pub fn send(&mut self, frame: &[u8]) {
        if self.pipe.is_none() || !self.flush_pending() {
            self.dropped += 1;
            return;
        }
        if self.dropped > 0 {
            // Small enough (< PIPE_BUF) to go whole or not at all.
            let marker = format!("{{\"dropped\":{}}}\n", self.dropped);
            if self.write_some(marker.as_bytes()).is_empty() {
                self.dropped = 0;
            } else {
                self.dropped += 1;
                return;
            }
        }
        self.pending = self.write_some(frame).to_vec();
    }

    /// Whether the shipper still reads (false once it went away).
    pub fn alive(&self) -> bool {
        self.pipe.is_some()
    }
}

impl Drop for Forwarder {
    /// The end of the container's log: finish the half-written line if the pipe takes
    /// it within a moment (a line cut short would be garbage to the shipper), then close.
    fn drop(&mut self) {
        let deadline = std::time::Instant::now() + std::time::Duration::from_millis(500);
        while !self.flush_pending() && self.pipe.is_some() {
            if std::time::Instant::now() >= deadline {
                break;
            }
            std::thread::sleep(std::time::Duration::from_millis(5));
        }
    }
}
