//! `attach` through the interface, over the monitor's attach protocol (frames on a unix
//! socket, see `berth_engine::container::attach`).
//!
//! Docker's clients attach before they start (`docker run` does), so no output is lost.
//! For a container not yet running the attach waits: when this backend starts that
//! container it starts it attached and hands the monitor's stream to the waiter, which
//! then sees every byte from the first; a start by another process is noticed by
//! polling, and the waiter joins through the attach socket.

use std::collections::HashMap;
use std::os::unix::net::UnixStream as StdUnixStream;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use berth_engine::container::attach::{encode, Decoder, Kind};
use bytes::Bytes;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::UnixStream;
use tokio::sync::{mpsc, oneshot};

use super::{containers, LocalBackend};
use crate::backend::streams::LogOutput;
use crate::backend::{BackendError, Duplex, Result};

/// Attaches waiting for their container's start, by container ID, and the starts of
/// this process that will hand them their stream (so a waiter that sees the container
/// running does not connect on its own and miss the first output).
#[derive(Clone, Default)]
pub struct Waiting(Arc<Mutex<WaitingInner>>);

#[derive(Default)]
pub struct WaitingInner {
    waiters: HashMap<String, Vec<oneshot::Sender<StdUnixStream>>>,
    handing: std::collections::HashSet<String>,
}

impl Waiting {
    fn add(&self, id: &str) -> oneshot::Receiver<StdUnixStream> {
        let (tx, rx) = oneshot::channel();
        if let Ok(mut m) = self.0.lock() {
            m.waiters.entry(id.to_string()).or_default().push(tx);
        }
        rx
    }

    /// Whether someone waits for this container; if so the start that asks will attach
    /// and hand its stream over (`hand_over`, or `abandon` if it fails).
    pub fn claim(&self, id: &str) -> bool {
        let Ok(mut m) = self.0.lock() else {
            return false;
        };
        let wanted = m
            .waiters
            .get(id)
            .is_some_and(|v| v.iter().any(|tx| !tx.is_closed()));
        if wanted {
            m.handing.insert(id.to_string());
        }
        wanted
    }

    /// A start of this process is about to hand this container's stream over.
    fn handing(&self, id: &str) -> bool {
        self.0.lock().is_ok_and(|m| m.handing.contains(id))
    }

    /// The claimed start failed: waiters go back to watching for another.
    pub fn abandon(&self, id: &str) {
        if let Ok(mut m) = self.0.lock() {
            m.handing.remove(id);
        }
    }

    /// Give the start's stream to the first waiter still there.
    pub fn hand_over(&self, id: &str, stream: StdUnixStream) {
        let Ok(mut m) = self.0.lock() else { return };
        m.handing.remove(id);
        if let Some(waiters) = m.waiters.get_mut(id) {
            let mut stream = Some(stream);
            while let Some(tx) = waiters.pop() {
                if let Some(s) = stream.take() {
                    match tx.send(s) {
                        Ok(()) => break,
                        Err(s) => stream = Some(s),
                    }
                }
            }
            if waiters.is_empty() {
                m.waiters.remove(id);
            }
        }
    }
}

fn to_tokio(s: StdUnixStream) -> Result<UnixStream> {
    s.set_nonblocking(true)
        .and_then(|()| UnixStream::from_std(s))
        .map_err(|e| BackendError::internal(format!("attach socket: {e}")))
}

fn connect(b: &LocalBackend, id: &str) -> Result<StdUnixStream> {
    let dir = b.engine.paths.container_run_dir(id);
    berth_engine::store::sock::connect_in(&dir, "attach.sock")
        .map_err(|e| BackendError::conflict(format!("cannot attach to container {id}: {e}")))
}

/// Which of the process's streams the caller wants.
#[derive(Debug, Clone, Copy)]
pub struct Wanted {
    pub stdin: bool,
    pub stdout: bool,
    pub stderr: bool,
}

pub async fn attach(b: &LocalBackend, reference: &str, want: Wanted) -> Result<Duplex> {
    let r = reference.to_string();
    let c = b.call(move |e| containers::find(e, &r)).await?;
    let id = c.id().to_string();
    let tty = c.record.config.tty;
    let want = Wanted {
        stdin: want.stdin && c.record.config.open_stdin,
        ..want
    };
    let heard = Heard {
        exits: b.exits.clone(),
        id: id.clone(),
    };
    if c.state.status.is_live() {
        let sock = to_tokio(connect(b, &id)?)?;
        return Ok(duplex(async move { Ok(sock) }, tty, want, heard));
    }
    // Registered now, before the caller goes on to start the container: the duplex is
    // returned at once and its output begins with the start.
    let handed = b.waiting.add(&id);
    let b = b.clone();
    let sock = async move { to_tokio(wait_for_start(&b, &id, handed).await?) };
    Ok(duplex(sock, tty, want, heard))
}

/// The stream of the start this backend makes, or a connection once another process
/// has started the container.
async fn wait_for_start(
    b: &LocalBackend,
    id: &str,
    mut handed: oneshot::Receiver<StdUnixStream>,
) -> Result<StdUnixStream> {
    loop {
        tokio::select! {
            // A handed-over stream wins over anything the poll saw meanwhile.
            biased;
            s = &mut handed => {
                return s.map_err(|_| BackendError::internal("the attach was dropped"));
            }
            _ = tokio::time::sleep(Duration::from_millis(50)) => {
                let i = id.to_string();
                let live = b.call(move |e| Ok(e.containers().load(&i)?.state.status.is_live())).await;
                // The start may have handed its stream over while we looked.
                if let Ok(s) = handed.try_recv() {
                    return Ok(s);
                }
                match live {
                    // Started by another process: join through the socket.
                    Ok(true) if !b.waiting.handing(id) => return connect(b, id),
                    Ok(_) => {}
                    // Gone already (`--rm`), but our start is about to hand it over.
                    Err(_) if b.waiting.handing(id) => {}
                    Err(e) => return Err(e),
                }
            }
        }
    }
}

/// Where the duplex tells of the exit frame it reads.
struct Heard {
    exits: super::exits::Exits,
    id: String,
}

/// The attach socket (once `sock` resolves) as the interface's duplex.
fn duplex<S>(sock: S, tty: bool, want: Wanted, heard: Heard) -> Duplex
where
    S: std::future::Future<Output = Result<UnixStream>> + Send + 'static,
{
    let stdin = want.stdin;
    let (tx, mut rx) = mpsc::channel::<Result<LogOutput>>(64);
    // Dropped when the output ends, which ends the input side too.
    let (ended, mut output_ended) = oneshot::channel::<()>();
    let (write_half, mut got_write_half) = oneshot::channel();
    tokio::spawn(async move {
        let _ended = ended;
        // A caller gone before the start ends the wait.
        let sock = tokio::select! {
            s = sock => s,
            _ = tx.closed() => return,
        };
        let sock = match sock {
            Ok(s) => s,
            Err(e) => {
                let _ = tx.send(Err(e)).await;
                return;
            }
        };
        let (mut rd, wr) = sock.into_split();
        let _ = write_half.send(wr);
        let mut dec = Decoder::default();
        let mut buf = vec![0u8; 32 * 1024];
        loop {
            let n = match rd.read(&mut buf).await {
                Ok(0) | Err(_) => return,
                Ok(n) => n,
            };
            dec.push(&buf[..n]);
            loop {
                let frame = match dec.next_frame() {
                    Ok(Some(f)) => f,
                    Ok(None) => break,
                    Err(e) => {
                        let _ = tx.send(Err(BackendError::internal(e))).await;
                        return;
                    }
                };
                let message = Bytes::from(frame.1);
                let shown = match frame.0 {
                    Kind::Stdout => want.stdout,
                    Kind::Stderr => want.stderr,
                    _ => true,
                };
                if !shown {
                    continue;
                }
                let out = match (frame.0, tty) {
                    (Kind::Stdout | Kind::Stderr, true) => LogOutput::Console { message },
                    (Kind::Stdout, false) => LogOutput::StdOut { message },
                    (Kind::Stderr, false) => LogOutput::StdErr { message },
                    (Kind::Exit, _) => {
                        if let Ok(code) = <[u8; 4]>::try_from(&message[..]) {
                            heard.exits.post(&heard.id, i32::from_be_bytes(code) as i64);
                        }
                        return;
                    }
                    (Kind::Error, _) => {
                        let msg = String::from_utf8_lossy(&message).into_owned();
                        let _ = tx.send(Err(BackendError::internal(msg))).await;
                        return;
                    }
                    _ => continue,
                };
                if tx.send(Ok(out)).await.is_err() {
                    return;
                }
            }
        }
    });
    // The caller writes plain bytes; they go to the monitor as stdin frames, and the end
    // of them as the end of the container's stdin.
    let (input, mut from_caller) = tokio::io::duplex(64 * 1024);
    tokio::spawn(async move {
        // What the caller typed before the start waits in the pipe meanwhile.
        let Ok(mut wr) = (&mut got_write_half).await else {
            return;
        };
        let mut buf = vec![0u8; 16 * 1024];
        loop {
            let read = tokio::select! {
                r = from_caller.read(&mut buf) => r,
                _ = &mut output_ended => return,
            };
            match read {
                Ok(0) | Err(_) => {
                    if stdin {
                        let _ = wr.write_all(&encode(Kind::StdinEof, &[])).await;
                    }
                    // Keep the write half open until the output ends: closing it
                    // would end the attachment.
                    let _ = (&mut output_ended).await;
                    return;
                }
                Ok(n) => {
                    if stdin && wr.write_all(&encode(Kind::Stdin, &buf[..n])).await.is_err() {
                        return;
                    }
                }
            }
        }
    });
    Duplex {
        output: Box::pin(futures_util::stream::poll_fn(move |cx| rx.poll_recv(cx))),
        input: Box::pin(input),
        tty,
    }
}

/// Set the container's terminal size (a no-op for a container without a tty).
pub fn resize(b: &LocalBackend, reference: &str, height: u16, width: u16) -> Result<()> {
    let c = containers::find(&b.engine, reference)?;
    if !c.state.status.is_live() {
        return Err(BackendError::conflict(format!(
            "Container {} is not running",
            c.id()
        )));
    }
    let mut s = connect(b, c.id())?;
    let mut p = height.to_be_bytes().to_vec();
    p.extend_from_slice(&width.to_be_bytes());
    std::io::Write::write_all(&mut s, &encode(Kind::Resize, &p))
        .map_err(|e| BackendError::internal(format!("resize: {e}")))
}
