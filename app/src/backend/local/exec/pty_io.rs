//! The master side of an exec's pty as the interface's duplex: reads are the
//! terminal's output (ending with EIO once the last slave closes), writes its input.

use std::io::{Read, Write};
use std::os::fd::{AsRawFd, OwnedFd};
use std::pin::Pin;
use std::task::{ready, Context, Poll};

use bytes::Bytes;
use tokio::io::unix::AsyncFd;
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::sync::mpsc;

use crate::backend::streams::LogOutput;
use crate::backend::{BackendError, Duplex, Result};

struct Master(AsyncFd<std::fs::File>);

impl AsyncRead for Master {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<std::io::Result<()>> {
        loop {
            let mut guard = ready!(self.0.poll_read_ready(cx))?;
            let unfilled = buf.initialize_unfilled();
            match guard.try_io(|f| f.get_ref().read(unfilled)) {
                Ok(Ok(n)) => {
                    buf.advance(n);
                    return Poll::Ready(Ok(()));
                }
                // The last slave closed: the end of the output.
                Ok(Err(e)) if e.raw_os_error() == Some(libc::EIO) => return Poll::Ready(Ok(())),
                Ok(Err(e)) => return Poll::Ready(Err(e)),
                Err(_would_block) => continue,
            }
        }
    }
}

impl AsyncWrite for Master {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        data: &[u8],
    ) -> Poll<std::io::Result<usize>> {
        loop {
            let mut guard = ready!(self.0.poll_write_ready(cx))?;
            match guard.try_io(|f| f.get_ref().write(data)) {
                Ok(res) => return Poll::Ready(res),
                Err(_would_block) => continue,
            }
        }
    }
    fn poll_flush(self: Pin<&mut Self>, _cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Poll::Ready(Ok(()))
    }
    fn poll_shutdown(self: Pin<&mut Self>, _cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        // A terminal has no end of input of its own; the process reads ^D if it wants.
        Poll::Ready(Ok(()))
    }
}

pub fn duplex(master: OwnedFd, done: tokio::task::JoinHandle<()>) -> Result<Duplex> {
    let fd = master.as_raw_fd();
    // SAFETY: fcntl on a descriptor we own.
    unsafe {
        let flags = libc::fcntl(fd, libc::F_GETFL);
        libc::fcntl(fd, libc::F_SETFL, flags | libc::O_NONBLOCK);
    }
    let read_side = std::fs::File::from(master);
    let write_side = read_side
        .try_clone()
        .map_err(|e| BackendError::internal(format!("dup pty master: {e}")))?;
    let wrap = |f: std::fs::File| {
        // SAFETY: a File owns its descriptor, which stays open and the same for as long
        // as the AsyncFd (its owner) lives.
        unsafe { AsyncFd::register(f) }
            .map(Master)
            .map_err(|e| BackendError::internal(format!("pty master: {e}")))
    };
    let mut reader = wrap(read_side)?;
    let writer = wrap(write_side)?;
    let (tx, mut rx) = mpsc::channel::<Result<LogOutput>>(64);
    tokio::spawn(async move {
        use tokio::io::AsyncReadExt;
        let mut buf = vec![0u8; 32 * 1024];
        loop {
            let read = tokio::select! {
                r = reader.read(&mut buf) => r,
                // The client went away (a closed pane, a dropped connection).
                _ = tx.closed() => break,
            };
            match read {
                Ok(0) | Err(_) => break,
                Ok(n) => {
                    let message = Bytes::copy_from_slice(&buf[..n]);
                    if tx.send(Ok(LogOutput::Console { message })).await.is_err() {
                        break;
                    }
                }
            }
        }
        // Our side of the terminal closes now: with the client's input side gone too,
        // the process is hung up (SIGHUP), as when a terminal window closes, instead of
        // lingering in the container with nobody at its terminal.
        drop(reader);
        // End once the helper has recorded the exit (clients ask for it next).
        let _ = done.await;
    });
    Ok(Duplex {
        output: Box::pin(futures_util::stream::poll_fn(move |cx| rx.poll_recv(cx))),
        input: Box::pin(writer),
        tty: true,
    })
}
