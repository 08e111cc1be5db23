//! The stream shapes of the engine interface: a boxed `Stream` of results for events,
//! stats, logs and downloads, and a duplex (output stream + input writer) for attach and
//! exec, as bollard hands them out so a Docker backend passes its own straight through.

use std::pin::Pin;

use bytes::Bytes;
use tokio::io::AsyncWrite;

use super::error::BackendError;

pub use bollard::container::LogOutput;

/// A stream of results that can be sent between threads and lives as long as it is read.
pub type Stream<T> = Pin<Box<dyn futures_util::Stream<Item = Result<T, BackendError>> + Send>>;

/// Bytes in chunks: a tar going up or down, an export.
pub type ByteStream = Stream<Bytes>;

/// A container's output, each chunk tagged stdout, stderr or (with a tty) console.
pub type LogStream = Stream<LogOutput>;

/// An attached session: what the process writes, and a writer to its stdin.
pub struct Duplex {
    pub output: LogStream,
    pub input: Pin<Box<dyn AsyncWrite + Send>>,
    /// Whether the process has a terminal (raw stream, no stdout/stderr framing).
    pub tty: bool,
}

impl std::fmt::Debug for Duplex {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Duplex").field("tty", &self.tty).finish()
    }
}
