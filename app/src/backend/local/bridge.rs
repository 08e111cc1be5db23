//! Between the engine's blocking readers and writers and the interface's byte streams:
//! a download is written by the engine on a blocking thread into a channel that the
//! caller reads as a stream; an upload stream is read by the engine as `std::io::Read`.

use std::io::Write;

use bytes::Bytes;
use futures_util::TryStreamExt;
use tokio::sync::mpsc;

use crate::backend::{BackendError, ByteStream, Result};

/// Chunks sent through the channel, so a slow reader holds back the writer.
const CHUNK: usize = 64 * 1024;

struct ChannelWriter {
    tx: mpsc::Sender<Result<Bytes>>,
    buf: Vec<u8>,
}

impl ChannelWriter {
    fn send(&mut self) -> std::io::Result<()> {
        if self.buf.is_empty() {
            return Ok(());
        }
        let chunk = Bytes::from(std::mem::take(&mut self.buf));
        self.tx
            .blocking_send(Ok(chunk))
            .map_err(|_| std::io::Error::new(std::io::ErrorKind::BrokenPipe, "reader went away"))
    }
}

impl Write for ChannelWriter {
    fn write(&mut self, data: &[u8]) -> std::io::Result<usize> {
        self.buf.extend_from_slice(data);
        if self.buf.len() >= CHUNK {
            self.send()?;
        }
        Ok(data.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        self.send()
    }
}

/// Run `produce` on a blocking thread; what it writes comes out of the stream, and an
/// error it returns ends the stream with that error.
pub fn download(produce: impl FnOnce(&mut dyn Write) -> Result<()> + Send + 'static) -> ByteStream {
    let (tx, rx) = mpsc::channel::<Result<Bytes>>(8);
    tokio::task::spawn_blocking(move || {
        let mut w = ChannelWriter {
            tx: tx.clone(),
            buf: Vec::with_capacity(CHUNK),
        };
        let res = produce(&mut w).and_then(|()| {
            w.flush()
                .map_err(|e| BackendError::internal(format!("stream: {e}")))
        });
        if let Err(e) = res {
            let _ = tx.blocking_send(Err(e));
        }
    });
    Box::pin(tokio_stream_from(rx))
}

pub(super) fn tokio_stream_from<T: Send + 'static>(
    mut rx: mpsc::Receiver<T>,
) -> impl futures_util::Stream<Item = T> + Send {
    futures_util::stream::poll_fn(move |cx| rx.poll_recv(cx))
}

/// An unbounded channel's receiving end as a stream (for producers that cannot wait: a
/// progress callback called from inside an engine operation).
pub(super) fn unbounded_stream<T: Send + 'static>(
    mut rx: mpsc::UnboundedReceiver<T>,
) -> impl futures_util::Stream<Item = T> + Send {
    futures_util::stream::poll_fn(move |cx| rx.poll_recv(cx))
}

/// Run `consume` on a blocking thread, reading `upload` as a blocking reader.
pub async fn upload<T: Send + 'static>(
    upload: ByteStream,
    consume: impl FnOnce(&mut dyn std::io::Read) -> Result<T> + Send + 'static,
) -> Result<T> {
    let reader =
        tokio_util::io::StreamReader::new(upload.map_err(|e| std::io::Error::other(e.message)));
    let mut sync = tokio_util::io::SyncIoBridge::new(reader);
    tokio::task::spawn_blocking(move || consume(&mut sync)).await?
}
