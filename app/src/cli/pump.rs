//! The terminal side of an attached session from the interface (exec, and run/attach as
//! they move over): the process's output to our stdout and stderr, our stdin to the
//! process, the terminal raw while a tty session reads it, size changes passed on, and
//! the detach keys honoured.

use std::io::{Read, Write};

use futures_util::StreamExt;
use tokio::io::AsyncWriteExt;
use tokio::sync::mpsc;

use super::detach_keys::Matcher;
use crate::backend::streams::LogOutput;
use crate::backend::Duplex;
use berth_engine::runtime::pty::{get_size, RawMode};

/// How a session ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Ended {
    /// The process's output ended (it exited).
    Finished,
    /// The user typed the detach keys.
    Detached,
}

pub struct PumpOpts {
    /// Send our stdin to the process.
    pub stdin: bool,
    pub tty: bool,
    pub detach_keys: Vec<u8>,
}

/// Our terminal's size, rows then columns, if stdin or stdout is one.
pub fn terminal_size() -> Option<(u16, u16)> {
    get_size(0).or_else(|| get_size(1))
}

/// Read stdin on a thread of its own (a blocking read must not hold up the end of the
/// session); each chunk, then the end, comes through the channel.
fn stdin_chunks() -> mpsc::Receiver<Vec<u8>> {
    let (tx, rx) = mpsc::channel(16);
    std::thread::spawn(move || {
        let mut buf = vec![0u8; 16 * 1024];
        let mut stdin = std::io::stdin().lock();
        loop {
            match stdin.read(&mut buf) {
                Ok(0) | Err(_) => return,
                Ok(n) => {
                    if tx.blocking_send(buf[..n].to_vec()).is_err() {
                        return;
                    }
                }
            }
        }
    });
    rx
}

/// Pump until the output ends or the user detaches. `resize` is called with the
/// terminal's new size after each SIGWINCH of a tty session.
pub async fn pump<R, F>(d: Duplex, o: PumpOpts, resize: R) -> Ended
where
    R: Fn(u16, u16) -> F,
    F: std::future::Future<Output = ()>,
{
    let Duplex {
        mut output,
        mut input,
        ..
    } = d;
    let _raw = if o.tty && o.stdin {
        RawMode::enter(0)
    } else {
        None
    };
    let mut keys = mpsc::channel::<Vec<u8>>(1).1;
    if o.stdin {
        keys = stdin_chunks();
    }
    let mut stdin_open = o.stdin;
    let mut detach = Matcher::new(o.detach_keys.clone());
    let mut winch = if o.tty {
        tokio::signal::unix::signal(tokio::signal::unix::SignalKind::window_change()).ok()
    } else {
        None
    };
    let out = std::io::stdout();
    let err = std::io::stderr();
    loop {
        tokio::select! {
            chunk = output.next() => {
                let Some(Ok(chunk)) = chunk else { return Ended::Finished };
                match chunk {
                    LogOutput::StdErr { message } => {
                        let _ = err.lock().write_all(&message);
                    }
                    LogOutput::StdOut { message } | LogOutput::Console { message } => {
                        let mut w = out.lock();
                        let _ = w.write_all(&message);
                        let _ = w.flush();
                    }
                    LogOutput::StdIn { .. } => {}
                }
            }
            typed = keys.recv(), if stdin_open => {
                match typed {
                    None => {
                        // The end of our stdin: shut the writer and let it go (a pipe
                        // closes only when its last writer is dropped).
                        stdin_open = false;
                        let _ = input.shutdown().await;
                        input = Box::pin(tokio::io::sink());
                    }
                    Some(bytes) => {
                        if o.tty && bytes.iter().any(|b| detach.feed(*b)) {
                            drop(_raw);
                            eprintln!("\r\nread escape sequence");
                            return Ended::Detached;
                        }
                        if input.write_all(&bytes).await.is_err() {
                            stdin_open = false;
                        }
                    }
                }
            }
            _ = async { winch.as_mut()?.recv().await }, if winch.is_some() => {
                if let Some((rows, cols)) = terminal_size() {
                    resize(rows, cols).await;
                }
            }
        }
    }
}
