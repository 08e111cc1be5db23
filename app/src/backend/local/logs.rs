//! `logs` through the interface: the engine's log reader on a blocking thread, its
//! lines sent on as stdout or stderr chunks (with the timestamp first when asked).

use berth_engine::container::logfile::LogLine;
use berth_engine::container::logread::LogWindow;
use bollard::query_parameters as q;
use bytes::Bytes;
use chrono::{DateTime, Utc};
use tokio::sync::mpsc;

use super::{containers, LocalBackend};
use crate::backend::streams::LogOutput;
use crate::backend::{BackendError, LogStream, Result};

fn instant(secs: i32) -> Option<DateTime<Utc>> {
    (secs > 0)
        .then(|| DateTime::from_timestamp(secs as i64, 0))
        .flatten()
}

fn tail(t: &str) -> Result<Option<usize>> {
    match t {
        "" | "all" | "-1" => Ok(None),
        n => n
            .parse()
            .map(Some)
            .map_err(|_| BackendError::invalid(format!("invalid value for tail: {n:?}"))),
    }
}

fn chunk(l: &LogLine, opts: &q::LogsOptions, tty: bool) -> Option<LogOutput> {
    let stderr = l.stream == "stderr";
    if (stderr && !opts.stderr) || (!stderr && !opts.stdout) {
        return None;
    }
    let text = if opts.timestamps {
        format!("{} {}", l.time, l.log)
    } else {
        l.log.clone()
    };
    let message = Bytes::from(text);
    Some(match (tty, stderr) {
        (true, _) => LogOutput::Console { message },
        (false, true) => LogOutput::StdErr { message },
        (false, false) => LogOutput::StdOut { message },
    })
}

pub async fn logs(b: &LocalBackend, id: &str, opts: q::LogsOptions) -> Result<LogStream> {
    let window = LogWindow {
        since: instant(opts.since),
        until: instant(opts.until),
        tail: tail(&opts.tail)?,
    };
    let id = id.to_string();
    let (lines, follower, tty) = b
        .call(move |e| {
            let c = containers::find(e, &id)?;
            let (lines, f) = e.read_logs(&c, &window)?;
            Ok((lines, f, c.record.config.tty))
        })
        .await?;
    let (tx, mut rx) = mpsc::channel::<Result<LogOutput>>(256);
    let follow = opts.follow && opts.until == 0;
    std::thread::spawn(move || {
        let mut follower = follower;
        for l in &lines {
            if let Some(c) = chunk(l, &opts, tty) {
                if tx.blocking_send(Ok(c)).is_err() {
                    return;
                }
            }
        }
        if !follow {
            return;
        }
        loop {
            match follower.next_lines() {
                Ok(Some(lines)) => {
                    for l in &lines {
                        if let Some(c) = chunk(l, &opts, tty) {
                            if tx.blocking_send(Ok(c)).is_err() {
                                return;
                            }
                        }
                    }
                    if tx.is_closed() {
                        return;
                    }
                }
                Ok(None) => return,
                Err(e) => {
                    let _ = tx.blocking_send(Err(e.into()));
                    return;
                }
            }
        }
    });
    Ok(Box::pin(futures_util::stream::poll_fn(move |cx| {
        rx.poll_recv(cx)
    })))
}
