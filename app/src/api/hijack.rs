//! Attach and exec start take the connection over, as Docker's daemon does: the answer
//! is `101 Switching Protocols` (`Upgrade: tcp`), after which the client's bytes go to
//! the process's stdin and the process's output comes back, framed per stream unless
//! there is a tty. The session ends when the output does.

use std::future::Future;

use axum::body::Body;
use axum::http::{header, Request, StatusCode};
use axum::response::{IntoResponse, Response};
use futures_util::StreamExt;
use hyper_util::rt::TokioIo;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

use super::frame;
use crate::backend::{Duplex, Result};

/// Whether the client asked to upgrade (every docker client does).
pub fn wants_upgrade(req: &Request<Body>) -> bool {
    req.headers()
        .get(header::UPGRADE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.eq_ignore_ascii_case("tcp"))
}

/// Answer 101 now and run the session once the connection is ours. `open` makes the
/// duplex (for an attach it may wait for the container's start); bytes the client
/// sends meanwhile are kept for stdin. A client without stdin closes its side at once,
/// so that end is not a goodbye: the wait goes on (it ends when the container goes).
pub fn upgrade<F>(mut req: Request<Body>, tty: bool, open: F) -> Response
where
    F: Future<Output = Result<Duplex>> + Send + 'static,
{
    let on_upgrade = hyper::upgrade::on(&mut req);
    tokio::spawn(async move {
        let Ok(upgraded) = on_upgrade.await else {
            return;
        };
        let mut io = TokioIo::new(upgraded);
        let mut early = Vec::new();
        let mut buf = vec![0u8; 16 * 1024];
        let mut open = Box::pin(open);
        let mut client_done = false;
        let duplex = loop {
            tokio::select! {
                d = &mut open => break d,
                n = io.read(&mut buf), if !client_done => match n {
                    Ok(0) | Err(_) => client_done = true,
                    Ok(n) => early.extend_from_slice(&buf[..n]),
                },
            }
        };
        let Ok(duplex) = duplex else {
            let _ = io.shutdown().await;
            return;
        };
        run(io, duplex, tty, early, client_done).await;
    });
    let ctype = if tty { frame::RAW } else { frame::MULTIPLEXED };
    Response::builder()
        .status(StatusCode::SWITCHING_PROTOCOLS)
        .header(header::CONNECTION, "Upgrade")
        .header(header::UPGRADE, "tcp")
        .header(header::CONTENT_TYPE, ctype)
        .body(Body::empty())
        .unwrap_or_else(|_| StatusCode::INTERNAL_SERVER_ERROR.into_response())
}

/// Copy both ways until the process's output ends.
async fn run<IO>(io: IO, duplex: Duplex, tty: bool, early: Vec<u8>, client_done: bool)
where
    IO: tokio::io::AsyncRead + tokio::io::AsyncWrite + Send + Unpin + 'static,
{
    let (mut rd, mut wr) = tokio::io::split(io);
    let Duplex {
        mut output,
        mut input,
        ..
    } = duplex;
    let stdin = tokio::spawn(async move {
        if !early.is_empty() && input.write_all(&early).await.is_err() {
            return;
        }
        if !client_done {
            let mut buf = vec![0u8; 16 * 1024];
            loop {
                match rd.read(&mut buf).await {
                    Ok(0) | Err(_) => break,
                    Ok(n) => {
                        if input.write_all(&buf[..n]).await.is_err() {
                            return;
                        }
                    }
                }
            }
        }
        // The client closed its side: the end of the process's stdin.
        let _ = input.shutdown().await;
    });
    while let Some(chunk) = output.next().await {
        let Ok(chunk) = chunk else { break };
        if wr.write_all(&frame::frame(&chunk, tty)).await.is_err() {
            break;
        }
        let _ = wr.flush().await;
    }
    let _ = wr.shutdown().await;
    stdin.abort();
}

/// For a client that did not ask to upgrade: the output only, as a streamed body.
pub fn output_only(duplex: Duplex, tty: bool) -> Response {
    let (ctype, bytes) = frame::encode(duplex.output, tty);
    super::routes::streamed(ctype, bytes)
}
