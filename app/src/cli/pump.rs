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
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Ended {
    /// The process's output ended (it exited).
    Finished,
    /// The user typed the detach keys.
    Detached,
    /// The stream broke off with this error.
    Failed(String),
}

pub struct PumpOpts {
    /// Send our stdin to the process.
    pub stdin: bool,
    pub tty: bool,
    pub detach_keys: Vec<u8>,
    /// Pass SIGINT, SIGTERM, SIGHUP... on to the process (Docker's `--sig-proxy`)
    /// instead of letting them end this client.
    pub sig_proxy: bool,
}

/// The signals `--sig-proxy` passes on, with the names the interface's kill takes.
const PROXIED: &[(i32, &str)] = &[
    (libc::SIGINT, "SIGINT"),
    (libc::SIGTERM, "SIGTERM"),
    (libc::SIGHUP, "SIGHUP"),
    (libc::SIGQUIT, "SIGQUIT"),
    (libc::SIGUSR1, "SIGUSR1"),
    (libc::SIGUSR2, "SIGUSR2"),
];

/// Catch the proxied signals; each one caught comes through the channel by name.
fn catch_signals() -> mpsc::Receiver<&'static str> {
    let (tx, rx) = mpsc::channel(8);
    for &(n, name) in PROXIED {
        let kind = tokio::signal::unix::SignalKind::from_raw(n);
        let Ok(mut caught) = tokio::signal::unix::signal(kind) else {
            continue;
        };
        let tx = tx.clone();
        tokio::spawn(async move {
            while caught.recv().await.is_some() {
                if tx.send(name).await.is_err() {
                    return;
                }
            }
        });
    }
    rx
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
/// terminal's new size after each SIGWINCH of a tty session, `signal` with the name of
/// each signal caught while `sig_proxy` asks for it.
pub async fn pump<R, F, S, G>(d: Duplex, o: PumpOpts, resize: R, signal: S) -> Ended
where
    R: Fn(u16, u16) -> F,
    F: std::future::Future<Output = ()>,
    S: Fn(&'static str) -> G,
    G: std::future::Future<Output = ()>,
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
    let mut signals = if o.sig_proxy {
        catch_signals()
    } else {
        mpsc::channel(1).1
    };
    let out = std::io::stdout();
    let err = std::io::stderr();
    loop {
        tokio::select! {
            chunk = output.next() => {
                let chunk = match chunk {
                    None => return Ended::Finished,
                    Some(Err(e)) => return Ended::Failed(e.message),
                    Some(Ok(chunk)) => chunk,
                };
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
            Some(name) = signals.recv(), if o.sig_proxy => signal(name).await,
            _ = async { winch.as_mut()?.recv().await }, if winch.is_some() => {
                if let Some((rows, cols)) = terminal_size() {
                    resize(rows, cols).await;
                }
            }
        }
    }
}
